"""Load rule files: YAML read safely, validated, errors naming file, line and field."""

from __future__ import annotations

import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from claimaudit.errors import InputError
from claimaudit.files import read_utf8
from claimaudit.rules import kinds as _kinds  # noqa: F401  (registers the built-in kinds)
from claimaudit.rules.context import KINDS, Kind, Params
from claimaudit.rules.spec import RuleDocs, RuleSpec

RULE_SUFFIXES = {".yaml", ".yml"}


@dataclass
class Rule:
    """A validated rule, bound to its check kind and parameters."""

    spec: RuleSpec
    kind: Kind
    params: Params
    path: str
    level: str

    @property
    def code(self) -> str:
        return self.spec.code

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def family(self) -> str:
        return self.spec.family

    @property
    def message(self) -> str:
        return self.spec.message

    @property
    def docs(self) -> RuleDocs:
        return self.spec.docs

    def matches(self, selector: str) -> bool:
        """Whether a selector from config or the command line names this rule.

        A selector is a code (CA101), a dotted name (figures.inflated), a family
        (figures) or a name prefix (figures.*).
        """
        selector = selector.strip()
        if selector.endswith(".*"):
            selector = selector[:-2]
        return selector in {self.code, self.name, self.family} or self.name.startswith(selector + ".")


def builtin_rules_dir() -> Path:
    """The rule files shipped with claimaudit (installed as package data)."""
    # An installed wheel puts rules/ at claimaudit/builtin_rules. It has no
    # __init__.py, so importlib.resources sees a namespace package whose
    # MultiplexedPath does not turn into a path with str(): look for the folder directly.
    installed = Path(__file__).resolve().parents[1] / "builtin_rules"
    if installed.is_dir():
        return installed
    # A source checkout or editable install: the repository's rules/ folder.
    return Path(__file__).resolve().parents[3] / "rules"


def _line_of(node, loc: tuple) -> int | None:
    """The 1-based line of a (possibly nested) key in a round-trip YAML node."""
    line = None
    for key in loc:
        lc = getattr(node, "lc", None)
        if lc is None:
            break
        try:
            if isinstance(key, int):
                line = lc.item(key)[0] + 1
            elif key in node:
                line = lc.key(key)[0] + 1
            else:
                break
            node = node[key]
        except (KeyError, IndexError, TypeError):
            break
    return line


def _yaml_error(path: str, error) -> InputError:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else None
    problem = error.problem or error.context or "invalid YAML"
    return InputError(f"invalid YAML: {problem}", path=path, line=line)


def _first_error(path: str, node, error, prefix: tuple = ()) -> InputError:
    first = error.errors()[0]
    loc = prefix + tuple(first["loc"])
    line = _line_of(node, loc) or _line_of(node, loc[:-1]) or 1
    field = ".".join(str(part) for part in loc) or None
    message = first["msg"]
    if first["type"] in ("extra_forbidden", "unexpected_keyword_argument"):
        message = "unknown key"
    elif first["type"] == "missing":
        message = "required field is missing"
    return InputError(message, path=path, line=line, field=field)


def load_rule_file(path: str | Path) -> Rule:
    return parse_rule(read_utf8(path, "rule file"), str(path))


def parse_rule(text: str, path: str = "<rule>") -> Rule:
    # The parser and validator are imported here, not at the top: a check
    # served from the rule cache never parses a rule file.
    from pydantic import ValidationError
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    from claimaudit.rules.schema import RuleFile

    # The fast (C) safe loader reads a good file; only a file with an error is
    # read again by the round-trip loader, which keeps the line of every key.
    try:
        data = YAML(typ="safe").load(text)
    except YAMLError:
        _positions(text, path)  # raises the error with its line
        raise InputError("invalid YAML", path=path) from None
    if not isinstance(data, dict):
        raise InputError("a rule file must be a mapping of keys (code, name, extends, ...)", path=path, line=1)
    data = _plain(data)
    try:
        spec = RuleSpec.from_data(RuleFile.model_validate(data).model_dump())
    except ValidationError as error:
        raise _first_error(path, _positions(text, path), error) from None
    check_kind = KINDS.get(spec.extends)
    if check_kind is None:
        raise InputError(
            f"unknown check kind {spec.extends!r}; known kinds: {', '.join(sorted(KINDS))}",
            path=path, line=_line_of(_positions(text, path), ("extends",)), field="extends",
        )
    if not isinstance(spec.params, dict):
        raise InputError("params must be a mapping", path=path,
                         line=_line_of(_positions(text, path), ("params",)), field="params")
    try:
        params = _params_validator(check_kind.params).validate_python(spec.params)
    except ValidationError as error:
        raise _first_error(path, _positions(text, path), error, prefix=("params",)) from None
    return Rule(spec=spec, kind=check_kind, params=params, path=path, level=spec.level)


def _positions(text: str, path: str):
    """The rule file as a round-trip YAML node, which knows the line of each key."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import MarkedYAMLError

    # Round-trip loading builds plain data only (no arbitrary object
    # construction), like the safe loader.
    try:
        return YAML(typ="rt", pure=True).load(io.StringIO(text))
    except MarkedYAMLError as error:
        raise _yaml_error(path, error) from None


@lru_cache(maxsize=None)
def _params_validator(params_type: type):
    """One validator per check kind: building one costs more than validating many rules."""
    from pydantic import TypeAdapter

    return TypeAdapter(params_type)


def _plain(node):
    if isinstance(node, dict):
        return {str(k): _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    if hasattr(node, "value") and not isinstance(node, (str, int, float, bool)):
        return node.value
    # ruamel's round-trip scalars subclass the built-in types; plain ones keep
    # cached rules free of the YAML library.
    if type(node).__name__ == "ScalarBoolean":
        return bool(node)
    for plain in (bool, str, int, float):
        if isinstance(node, plain):
            return plain(node)
    return node


def rule_files(directory: Path) -> list[Path]:
    if directory.is_file():
        return [directory]
    if not directory.is_dir():
        raise InputError("rule pack not found", path=str(directory))
    return sorted(p for p in directory.rglob("*") if p.suffix in RULE_SUFFIXES and p.is_file())


def parse_rule_packs(files_by_pack: list[list[Path]]) -> list[Rule]:
    """Every rule of the packs, in code order; a later pack's rule replaces an
    earlier one with the same code, and two codes may not share a name."""
    by_code: dict[str, Rule] = {}
    names: dict[str, str] = {}
    for files in files_by_pack:
        for path in files:
            rule = load_rule_file(path)
            if rule.name in names and names[rule.name] != rule.code:
                raise InputError(f"rule name {rule.name!r} is already used by {names[rule.name]}",
                                 path=str(path), field="name")
            by_code[rule.code] = rule
            names[rule.name] = rule.code
    return sorted(by_code.values(), key=lambda r: r.code)


def load_rules(
    extra: list[str | Path] = (),
    *,
    include_builtin: bool = True,
    disable: list[str] = (),
    enable: list[str] = (),
    levels: dict[str, str] | None = None,
) -> list[Rule]:
    """Load the built-in rules and any user rule packs, then apply settings.

    A user rule with the code of a built-in one replaces it. ``disable`` and
    ``enable`` take codes, names or families; ``levels`` maps a selector to
    ``overstated`` or ``unsupported``.
    """
    directories = ([builtin_rules_dir()] if include_builtin else []) + [Path(p) for p in extra]
    rules = parse_rule_packs([rule_files(directory) for directory in directories])
    for selector in list(disable) + list(enable) + list((levels or {}).keys()):
        if not any(rule.matches(selector) for rule in rules):
            raise InputError(f"no rule matches {selector!r} (use a code, a dotted name or a family)")
    active = []
    for rule in rules:
        on = rule.spec.enabled
        if any(rule.matches(s) for s in disable):
            on = False
        if any(rule.matches(s) for s in enable):
            on = True
        for selector, level in (levels or {}).items():
            if rule.matches(selector):
                if level not in {"overstated", "unsupported"}:
                    raise InputError(f"level for {selector!r} must be overstated or unsupported, not {level!r}")
                rule.level = level
        if on:
            active.append(rule)
    return active
