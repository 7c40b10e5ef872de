"""Load rule files: YAML read safely, validated, errors naming file, line and field."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence, TypeVar

from claimaudit import limits
from claimaudit.errors import InputError
from claimaudit.files import read_utf8
from claimaudit.rules import kinds as _kinds  # noqa: F401  (registers the built-in kinds)
from claimaudit.rules.context import KINDS, Kind, Params
from claimaudit.rules.kinds.common import PatternError, PatternRun, check_user_pattern, screen_user_pattern
from claimaudit.rules.spec import RuleDocs, RuleSpec, TemplateError, shortened, template_fields

RULE_SUFFIXES = {".yaml", ".yml"}
DOCS_PLACEHOLDER = re.compile(r"\{[A-Za-z_]\w*\}")

T = TypeVar("T")


@dataclass
class Rule:
    """A validated rule, bound to its check kind and parameters."""

    spec: RuleSpec
    kind: Kind
    params: Params
    path: str
    level: str
    # This rule's compiled patterns and the time they have taken in this run
    # (max-regex-seconds); a copy made with other settings starts afresh.
    pattern_run: PatternRun = field(default_factory=PatternRun, init=False, repr=False, compare=False)

    # A cached rule holds its patterns as text only (compiled objects are not
    # plain data) and starts every run with its whole pattern time.
    def __getstate__(self) -> dict:
        return {key: value for key, value in self.__dict__.items() if key != "pattern_run"}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self.pattern_run = PatternRun()

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

    from claimaudit.rules.schema import RuleFile
    from claimaudit.structured import load_yaml

    # The fast (C) safe loader reads a good file; only a file with an error is
    # read again by the round-trip loader, which keeps the line of every key.
    # Both are bounded: depth, aliases, long numbers and control characters
    # are refused, with their line, before either runs.
    data = load_yaml(text, path)
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
    _check_word_count(spec, text, path)
    try:
        params = _params_validator(check_kind.params).validate_python(spec.params)
    except ValidationError as error:
        raise _first_error(path, _positions(text, path), error, prefix=("params",)) from None
    _check_choice(spec, check_kind, params, text, path)
    _check_templates(spec, check_kind, params, text, path)
    compiled = _check_words_and_patterns(spec, check_kind, text, path)
    rule = Rule(spec=spec, kind=check_kind, params=params, path=path, level=spec.level)
    rule.pattern_run.compiled.update(compiled)
    return rule


def _field_path(loc: tuple) -> str:
    """``("params", "patterns", 0)`` as ``params.patterns[0]``; a key that is
    not a plain name is quoted (``params.sizes['large trials']``)."""
    out = ""
    for part in loc:
        if isinstance(part, int) or not str(part).isidentifier():
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _error_at(path: str, text: str, loc: tuple, message: str) -> InputError:
    """An error for a key found bad after the file was read; its line is looked up now."""
    node = _positions(text, path)
    line = _line_of(node, loc) or _line_of(node, loc[:-1]) or 1
    return InputError(message, path=path, line=line, field=_field_path(loc))


def field_line(path: str, loc: tuple) -> int | None:
    """The line of a key in a rule file, for an error met while judging (None if unknown)."""
    try:
        return _line_of(_positions(read_utf8(path, "rule file"), path), loc)
    except Exception:  # noqa: BLE001 - the line is a courtesy; the error names the file and field anyway
        return None


def _choice(check_kind: Kind, params: Params) -> str:
    """What a rule picks with its kind's selector, as written: ``element: population``."""
    value = getattr(params, check_kind.selector)
    shown = value if isinstance(value, str) else "[" + ", ".join(value) + "]"
    return f"{check_kind.selector}: {shown}"


def _check_choice(spec: RuleSpec, check_kind: Kind, params: Params, text: str, path: str) -> None:
    """A kind with a selector (``element:``, ``requires:``) takes only the options of
    what the rule picks, and needs those its pick requires."""
    if not check_kind.selector:
        return
    allowed = check_kind.options_for(params)
    for key in spec.params:
        if key not in allowed:
            takes = ", ".join(name for name in allowed if name != check_kind.selector) or "no other options"
            raise _error_at(path, text, ("params", key),
                            f"not an option of {_choice(check_kind, params)} (it takes {takes})")
    for variant in check_kind.chosen(params):
        for name in variant.required:
            if name not in spec.params:
                raise _error_at(path, text, ("params", name),
                                f"required field is missing for {check_kind.selector}: {variant.name}")


def _check_templates(spec: RuleSpec, check_kind: Kind, params: Params, text: str, path: str) -> None:
    """``message`` and ``suggestion`` may name only the placeholders the check kind
    fills (for a kind with a selector, what the rule picks fills), in optional
    segments or not."""
    fields = check_kind.fields_for(params)
    for key in ("message", "suggestion"):
        try:
            names = template_fields(getattr(spec, key))
        except TemplateError as error:
            raise _error_at(path, text, (key,), str(error)) from None
        unknown = [name for name in names if name not in fields]
        if unknown:
            offered = ", ".join("{" + name + "}" for name in fields) or "no placeholders"
            picked = f" with {_choice(check_kind, params)}" if check_kind.selector else ""
            raise _error_at(path, text, (key,), f"unknown placeholder {{{unknown[0]}}}; check kind "
                                                f"{check_kind.name}{picked} fills {offered}")
    # The docs are shown as written (the report's "Rules that fired", the workbook, SARIF): a
    # placeholder there would reach the reader as template text.
    for key in ("what", "why", "example", "use_instead"):
        found = DOCS_PLACEHOLDER.search(getattr(spec.docs, key))
        if found:
            raise _error_at(path, text, ("docs", key), f"{found.group(0)} looks like a placeholder, but the docs "
                                                       "are shown as written, never filled: write the words")


def _words_in(value: object) -> int:
    if isinstance(value, str):
        return 1
    if isinstance(value, list):
        return sum(_words_in(item) for item in value)
    if isinstance(value, dict):
        return sum(1 + _words_in(item) for item in value.values())
    return 0


def _top_level_line(text: str, key: str) -> int | None:
    """The line of a top-level key, found without parsing: a file over a size
    limit can be too large to parse again quickly just to place the error."""
    found = re.search(rf"^{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, found.start()) + 1 if found else None


def _check_word_count(spec: RuleSpec, text: str, path: str) -> None:
    words = sum(_words_in(value) for value in spec.params.values())
    if words > limits.value("max-rule-words"):
        line = _top_level_line(text, "params")
        raise limits.breach("max-rule-words", words, path=path, line=line, field="params")


def _blank_word(value: object, loc: tuple) -> tuple | None:
    """Where a list item or mapping key of the parameters is empty, if anywhere."""
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, str) and not item.strip():
                return loc + (index,)
            found = _blank_word(item, loc + (index,))
            if found:
                return found
    elif isinstance(value, dict):
        for key, item in value.items():
            if not str(key).strip():
                return loc + (key,)
            found = _blank_word(item, loc + (key,))
            if found:
                return found
    return None


def _check_words_and_patterns(spec: RuleSpec, check_kind: Kind, text: str, path: str) -> dict:
    """Every pattern compiles, is bounded and cannot match the empty string; no
    word is empty; words and patterns together stay within ``max-rule-chars``.
    Returns the compiled patterns by their text."""
    patterns = [(("params", name, index), pattern) for name in check_kind.patterns
                for index, pattern in enumerate(spec.params.get(name) or ())]
    # Cheap checks first: nothing is compiled until the whole rule is known to be small enough.
    size: float = sum(_characters_in(value) for key, value in spec.params.items() if key not in check_kind.patterns)
    for loc, pattern in patterns:
        size += _pattern_checked(path, text, loc, pattern, screen_user_pattern)
    if size > limits.value("max-rule-chars"):
        line = _top_level_line(text, "params")
        raise limits.breach("max-rule-chars", size, path=path, line=line, field="params")
    compiled = {pattern: _pattern_checked(path, text, loc, pattern, check_user_pattern) for loc, pattern in patterns}
    blank = _blank_word(spec.params, ("params",))
    if blank:
        raise _error_at(path, text, blank, "an empty word matches nothing; remove it")
    return compiled


def _pattern_checked(path: str, text: str, loc: tuple, pattern: str, checker: Callable[[str], T]) -> T:
    try:
        return checker(pattern)
    except PatternError as error:
        raise _error_at(path, text, loc, f"pattern {shortened(pattern)!r}: {error}") from None


def _characters_in(value: object) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return sum(_characters_in(item) for item in value)
    if isinstance(value, dict):
        return sum(len(str(key)) + _characters_in(item) for key, item in value.items())
    return 0


def _positions(text: str, path: str):
    """The rule file as a round-trip YAML node, which knows the line of each key."""
    from claimaudit.structured import yaml_positions

    # Round-trip loading builds plain data only (no arbitrary object
    # construction), like the safe loader.
    return yaml_positions(text, path)


_VALIDATORS: dict[type, Any] = {}


def _params_validator(params_type: type) -> Any:
    """One validator per check kind: building one costs more than validating many rules."""
    found = _VALIDATORS.get(params_type)
    if found is None:
        from pydantic import TypeAdapter

        found = _VALIDATORS[params_type] = TypeAdapter(params_type)
    return found


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
    extra: Sequence[str | Path] = (),
    *,
    include_builtin: bool = True,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
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
