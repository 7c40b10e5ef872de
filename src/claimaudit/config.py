"""Project configuration for ``claimaudit check``.

Read from ``.claimaudit.toml`` (keys at the top level) or from the
``[tool.claimaudit]`` table of ``pyproject.toml``, whichever is found first
walking up from the working directory (``.claimaudit.toml`` wins when both sit
in the same folder). Paths in the file are relative to the file's folder.
Every key is validated; a misspelt key is an error that names it, so a typo
can never silently switch the gate off.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from claimaudit.cache import cached_parse, config_shape
from claimaudit.errors import InputError
from claimaudit.files import read_utf8
from claimaudit.limits import value as limit_value
from claimaudit.structured import load_toml

FailOn = Literal["overstated", "unsupported"]
Level = Literal["overstated", "unsupported"]
DEFAULT_FAIL_ON: FailOn = "overstated"
CONFIG_FILE = ".claimaudit.toml"
PYPROJECT = "pyproject.toml"
PYPROJECT_TABLE = ("tool", "claimaudit")


@dataclass(frozen=True)
class PathOverride:
    """Settings for the copy files matching ``paths`` (glob patterns)."""

    paths: list[str]
    sources: list[str] | None = None
    disable: list[str] = field(default_factory=list)
    enable: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None


@dataclass(frozen=True)
class CheckConfig:
    """The whole ``[tool.claimaudit]`` table, validated (see ``config_schema``)."""

    paths: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    enable: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    baseline: str | None = None
    overrides: list[PathOverride] = field(default_factory=list)
    limits: dict[str, float] = field(default_factory=dict)  # see claimaudit.limits
    skip_scopes: list[str] = field(default_factory=list)  # model.SCOPES left out of the audit
    aliases: dict[str, list[str]] = field(default_factory=dict)  # as written; see LoadedConfig.aliases
    semantic: bool = False  # meaning beside the words (the semantic extra), as --semantic
    review_roles: list[str] = field(default_factory=list)  # sign-off roles, each with its own columns
    required_review_roles: list[str] | None = None  # None: every role is required

    @classmethod
    def from_data(cls, data: dict) -> "CheckConfig":
        """From validated, normalised data (``config_schema.validate``'s result)."""
        overrides = [PathOverride(**item) for item in data.get("overrides", ())]
        return cls(**{**data, "overrides": overrides})


@dataclass(frozen=True)
class RuleLayer:
    """One layer of rule settings; later layers win over earlier ones.

    ``path`` is the config file the layer came from (None: the command line)
    and ``origin`` the key prefix inside it, so a selector that matches no rule
    is reported at its key ("tool.claimaudit.overrides[1].disable").
    """

    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    levels: tuple[tuple[str, str], ...] = ()
    origin: str = ""
    path: str | None = None

    def is_empty(self) -> bool:
        return not (self.disable or self.enable or self.levels)


@dataclass(frozen=True)
class DocumentSettings:
    """What applies to one copy file: rule layers, its source pack and fail-on."""

    layers: tuple[RuleLayer, ...]
    sources: tuple[str, ...] | None  # None: the run's pack
    fail_on: FailOn
    sources_override: int | None = None  # index in `overrides` that chose `sources`, to name it when missing


@dataclass
class LoadedConfig:
    """A validated configuration and the file it came from (``path`` None: defaults)."""

    config: CheckConfig = field(default_factory=CheckConfig)
    path: Path | None = None
    prefix: str = ""  # "tool.claimaudit." for pyproject.toml, so messages name the real key
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)  # validated (evidence.aliases)

    @property
    def directory(self) -> Path:
        return self.path.parent if self.path else Path(".")

    def resolve(self, value: str) -> str:
        """A path written in the config, as a path usable from the working directory."""
        if self.path is None or os.path.isabs(value):
            return value
        base = os.path.relpath(self.directory.resolve(), Path.cwd().resolve())
        return os.path.normpath(os.path.join(base, value)) if base != "." else os.path.normpath(value)

    def relative(self, document_path: str) -> str:
        """A document's path relative to the config's folder, for matching globs."""
        path = Path(document_path)
        try:
            return path.resolve().relative_to(self.directory.resolve()).as_posix()
        except ValueError:
            return PurePosixPath(path.as_posix()).as_posix()

    def line_of(self, key: str) -> int | None:
        """Best-effort line of a top-level key in the config file, for a message about its setting."""
        if self.path is None:
            return None
        try:
            text = read_utf8(self.path, "config file")
        except (OSError, InputError):
            return None
        return _line_of_key(text, key, PYPROJECT_TABLE if self.path.name == PYPROJECT else ())

    def excluded(self, document_path: str) -> bool:
        relative = self.relative(document_path)
        return any(glob_matches(pattern, relative) for pattern in self.config.exclude)

    def settings_for(self, document_path: str, cli_layer: RuleLayer | None = None,
                     cli_fail_on: str | None = None) -> DocumentSettings:
        """Config, then every matching override in file order, then the command line."""
        config = self.config
        where = str(self.path) if self.path else None
        layers = [RuleLayer(tuple(config.disable), tuple(config.enable), tuple(sorted(config.levels.items())),
                            origin=self.prefix, path=where)]
        sources: tuple[str, ...] | None = None
        sources_override: int | None = None
        fail_on = config.fail_on or DEFAULT_FAIL_ON
        relative = self.relative(document_path)
        for n, override in enumerate(config.overrides):
            if not any(glob_matches(pattern, relative) for pattern in override.paths):
                continue
            layers.append(RuleLayer(tuple(override.disable), tuple(override.enable),
                                    tuple(sorted(override.levels.items())),
                                    origin=f"{self.prefix}overrides[{n}].", path=where))
            if override.sources is not None:
                sources = tuple(self.resolve(s) for s in override.sources)
                sources_override = n
            if override.fail_on:
                fail_on = override.fail_on
        if cli_layer is not None:
            layers.append(cli_layer)
        return DocumentSettings(
            layers=tuple(layer for layer in layers if not layer.is_empty()),
            sources=sources,
            fail_on=cli_fail_on or fail_on,  # type: ignore[arg-type]
            sources_override=sources_override,
        )


# --------------------------------------------------------------------------- globs


# Python's regex engine backtracks: every `*` multiplies the work on a path
# that almost matches (eight stars against a 60-character name ran for
# minutes). Patterns with few stars become a regex; the rest are matched by
# a simulation that takes at most (pattern length x path length) steps.
_REGEX_MAX_STARS = 2
_VARIABLE = ("star", "any", "dirs")

GlobToken = tuple  # ("char", c) ("one",) ("star",) ("any",) ("dirs",) ("class", negated, ranges, reversed)


@dataclass(frozen=True)
class CompiledGlob:
    tokens: tuple[GlobToken, ...]
    regex: re.Pattern | None

    def matches(self, path: str) -> bool:
        if self.regex is not None:
            return self.regex.match(path) is not None
        return _simulate(self.tokens, path)


_GLOB_CACHE: dict[str, CompiledGlob] = {}


def _glob_class(pattern: str, i: int) -> tuple[GlobToken | None, int]:
    """The character class opening at ``pattern[i] == "["``, or None when it never closes."""
    j = i + 1
    negated = pattern[j:j + 1] in ("!", "^")
    if negated:
        j += 1
    body_start = j
    if pattern[j:j + 1] == "]":  # a ] right after the opening is a member, as in fnmatch
        j += 1
    end = pattern.find("]", j)
    if end == -1:
        return None, i + 1
    body = pattern[body_start:end]
    ranges: list[tuple[str, str]] = []
    reversed_ranges: list[str] = []
    k = 0
    while k < len(body):
        if k + 2 < len(body) and body[k + 1] == "-":
            low, high = body[k], body[k + 2]
            if low > high:
                reversed_ranges.append(f"{low}-{high}")
            else:
                ranges.append((low, high))
            k += 3
        else:
            ranges.append((body[k], body[k]))
            k += 1
    return ("class", negated, tuple(ranges), tuple(reversed_ranges)), end + 1


def _glob_tokens(pattern: str) -> tuple[GlobToken, ...]:
    tokens: list[GlobToken] = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            if not tokens or tokens[-1] != ("dirs",):
                tokens.append(("dirs",))
            i += 3
        elif pattern.startswith("**", i):
            while i < len(pattern) and pattern[i] == "*":
                i += 1
            tokens.append(("any",))
        elif pattern[i] == "*":
            tokens.append(("star",))
            i += 1
        elif pattern[i] == "?":
            tokens.append(("one",))
            i += 1
        elif pattern[i] == "[":
            token, i = _glob_class(pattern, i)
            tokens.append(token or ("char", "["))
        else:
            tokens.append(("char", pattern[i]))
            i += 1
    return tuple(tokens)


def glob_problem(pattern: str) -> str | None:
    """Why a glob pattern cannot match what it seems to say, or None if it is fine."""
    for token in _glob_tokens(pattern):
        if token[0] == "class" and token[3]:
            return f"the range {token[3][0]} in [...] runs backwards; write it low to high"
    return None


def _class_regex(token: GlobToken) -> str:
    _, negated, ranges, _reversed = token
    members = "".join(re.escape(low) if low == high else f"{re.escape(low)}-{re.escape(high)}"
                      for low, high in ranges)
    if negated:
        return f"[^/{members}]"
    return f"(?!/)[{members}]" if members else "(?!)"


def _token_regex(token: GlobToken) -> str:
    kind = token[0]
    if kind == "char":
        return re.escape(token[1])
    if kind == "class":
        return _class_regex(token)
    return {"one": "[^/]", "star": "[^/]*", "any": ".*", "dirs": "(?:.*/)?"}[kind]


def _in_class(token: GlobToken, char: str) -> bool:
    _, negated, ranges, _reversed = token
    if char == "/":
        return False
    return any(low <= char <= high for low, high in ranges) != negated


def _simulate(tokens: tuple[GlobToken, ...], path: str) -> bool:
    """Whether ``path`` matches, following every way through the pattern at once.

    A state is a token index; ("in", i) is inside the ``**/`` at ``i``, which
    may only be left after a ``/``.
    """
    end = len(tokens)

    def closure(states: set) -> set:
        reached: set = set()
        stack = list(states)
        while stack:
            state = stack.pop()
            if state in reached:
                continue
            reached.add(state)
            if isinstance(state, int) and state < end:
                kind = tokens[state][0]
                if kind in ("star", "any"):
                    stack.append(state + 1)
                elif kind == "dirs":
                    stack.extend((state + 1, ("in", state)))
        return reached

    states = closure({0})
    for char in path:
        following: set = set()
        for state in states:
            if isinstance(state, tuple):
                following.add(state)
                if char == "/":
                    following.add(state[1] + 1)
                continue
            if state == end:
                continue
            token = tokens[state]
            kind = token[0]
            if kind == "star":
                if char != "/":
                    following.add(state)
            elif kind == "any":
                following.add(state)
            elif kind == "char":
                if token[1] == char:
                    following.add(state + 1)
            elif kind == "one":
                if char != "/":
                    following.add(state + 1)
            elif kind == "class" and _in_class(token, char):
                following.add(state + 1)
        if not following:
            return False
        states = closure(following)
    return end in states


def _compile_glob(pattern: str) -> CompiledGlob:
    compiled = _GLOB_CACHE.get(pattern)
    if compiled is not None:
        return compiled
    tokens = _glob_tokens(pattern)
    regex = None
    if sum(token[0] in _VARIABLE for token in tokens) <= _REGEX_MAX_STARS:
        regex = re.compile("".join(_token_regex(token) for token in tokens) + r"\Z", re.DOTALL)
    compiled = CompiledGlob(tokens, regex)
    _GLOB_CACHE[pattern] = compiled
    return compiled


def glob_matches(pattern: str, path: str) -> bool:
    """Whether a ``/``-separated relative path matches a glob.

    ``*`` stays within one folder, ``**`` crosses folders, a pattern ending in
    ``/`` means everything under that folder, and a pattern without ``/``
    matches a file name anywhere (as in ``.gitignore``).
    """
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if pattern.endswith("/"):
        pattern += "**"
    if "/" not in pattern:
        return _compile_glob(pattern).matches(path.rsplit("/", 1)[-1])
    return _compile_glob(pattern.lstrip("/")).matches(path)


# --------------------------------------------------------------------------- loading


def _line_of_key(text: str, key: str, table: tuple[str, ...]) -> int | None:
    """Best-effort line of ``key`` inside ``table`` (tomllib keeps no positions)."""
    header = re.compile(r"^\s*\[\[?\s*([^\]]+?)\s*\]\]?\s*(#.*)?$")
    assign = re.compile(r"(?:^|[\s{,])[\"']?" + re.escape(key) + r"[\"']?\s*=")
    prefix = ".".join(table)
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found:
            current = found.group(1).replace(" ", "").replace('"', "")
            if current.endswith("." + key) and current.startswith(prefix):
                return number
            continue
        in_table = (current == prefix or current.startswith(prefix + ".")) if prefix else True
        if in_table and assign.search(line.split("#", 1)[0]):
            return number
    return None


def _loc_name(loc: tuple) -> str:
    name = ""
    for part in loc:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name


def _validation_error(error: Any, path: Path, text: str, table: tuple[str, ...],
                      prefix: str) -> InputError:
    first = error.errors()[0]
    loc = tuple(first["loc"])
    kind = first["type"]
    if kind == "extra_forbidden":
        message = "unknown key"
    elif kind == "missing":
        message = "required key is missing"
    elif kind == "bool_type":
        message = f"must be true or false, not {first.get('input')!r}"
    elif kind == "literal_error":
        message = f"{first['msg'].replace('Input should be', 'must be')}, not {first.get('input')!r}"
    elif kind == "value_error":
        message = first["msg"].removeprefix("Value error, ")
    else:
        message = first["msg"]
    keys = [part for part in loc if isinstance(part, str)]
    line = _line_of_key(text, keys[-1], table) if keys else None
    return InputError(message, path=str(path), line=line, field=prefix + _loc_name(loc))


def read_config(path: str | Path) -> LoadedConfig:
    """Load and validate one config file (``.claimaudit.toml`` or ``pyproject.toml``)."""
    path = Path(path)
    text = read_utf8(path, "config file")
    data = load_toml(text, str(path))
    is_pyproject = path.name == PYPROJECT
    table: tuple[str, ...] = PYPROJECT_TABLE if is_pyproject else ()
    prefix = "tool.claimaudit." if is_pyproject else ""
    if is_pyproject:
        tool = data.get("tool", {})
        data = tool.get("claimaudit", {}) if isinstance(tool, dict) else {}
        if not isinstance(data, dict):
            raise InputError("[tool.claimaudit] must be a table", path=str(path),
                             line=_line_of_key(text, "claimaudit", ("tool",)))
    # A config validated before comes from the cache, so a check run need not
    # import the validator; an invalid one is validated (and reported) every time.
    valid = cached_parse("config", json.dumps(data, sort_keys=True, default=str),
                         lambda: _validate(data, path, text, table, prefix), check=config_shape)
    _check_globs(valid, path, text, table, prefix)
    aliases = _check_aliases(valid, path, text, table, prefix)
    return LoadedConfig(config=CheckConfig.from_data(valid), path=path, prefix=prefix, aliases=aliases)


def _check_aliases(valid: dict, path: Path, text: str, table: tuple[str, ...], prefix: str) -> dict:
    """``aliases`` as a table: names and targets non-empty, bounded and given once (every run:
    pure Python and cheap, so a cached config is held to it too)."""
    from claimaudit.evidence.aliases import validate_aliases

    def line_of(name: str, index: int | None) -> int | None:
        found = _line_of_key(text, name, table) if name else None
        return found or _line_of_key(text, "aliases", table)

    return validate_aliases(valid.get("aliases"), path=str(path), line_of=line_of, field=prefix + "aliases")


def _validate(data: Any, path: Path, text: str, table: tuple[str, ...], prefix: str) -> dict:
    from pydantic import ValidationError

    from claimaudit.config_schema import validate

    try:
        return validate(data)
    except ValidationError as error:
        raise _validation_error(error, path, text, table, prefix) from None


def _check_globs(valid: dict, path: Path, text: str, table: tuple[str, ...], prefix: str) -> None:
    """Every ``exclude`` and ``overrides[].paths`` pattern must say what it seems to."""
    def refuse(pattern: str, problem: str, field_name: str, line: int | None) -> None:
        raise InputError(f"invalid glob pattern {pattern!r}: {problem}", path=str(path), line=line,
                         field=prefix + field_name)

    for n, pattern in enumerate(valid.get("exclude") or ()):
        problem = glob_problem(pattern)
        if problem:
            refuse(pattern, problem, f"exclude[{n}]", _line_of_key(text, "exclude", table))
    for i, override in enumerate(valid.get("overrides") or ()):
        for n, pattern in enumerate(override.get("paths") or ()):
            problem = glob_problem(pattern)
            if problem:
                refuse(pattern, problem, f"overrides[{i}].paths[{n}]", _override_paths_line(text, i))


def _override_paths_line(text: str, index: int) -> int | None:
    """The line of ``paths`` in the ``index``-th ``[[overrides]]`` table (None if written otherwise)."""
    header = re.compile(r"^\s*\[\[\s*(?:tool\.claimaudit\.)?overrides\s*\]\]")
    seen = -1
    for number, line in enumerate(text.splitlines(), start=1):
        if header.match(line):
            seen += 1
        elif seen == index and re.match(r"\s*[\"']?paths[\"']?\s*=", line):
            return number
        elif seen > index:
            break
    return None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        if pyproject.stat().st_size > limit_value("max-input-bytes"):
            return True  # load it, so the size is reported rather than the config skipped
        text = read_utf8(pyproject, "config file")
    except (OSError, InputError):
        return False  # unreadable or not UTF-8: another tool's file, as before
    if "claimaudit" not in text:
        return False
    try:
        tool = load_toml(text, str(pyproject)).get("tool", {})
        return isinstance(tool, dict) and "claimaudit" in tool
    except InputError:
        # Broken TOML with our table in it: load it, so the error is reported.
        return bool(re.search(r"^\s*\[\s*tool\.claimaudit", text, re.MULTILINE))


def find_config(start: str | Path | None = None) -> Path | None:
    """The nearest ``.claimaudit.toml``, or ``pyproject.toml`` with ``[tool.claimaudit]``."""
    folder = Path(start or Path.cwd()).resolve()
    if folder.is_file():
        folder = folder.parent
    for candidate in (folder, *folder.parents):
        own = candidate / CONFIG_FILE
        if own.is_file():
            return own
        pyproject = candidate / PYPROJECT
        if pyproject.is_file() and _has_tool_table(pyproject):
            return pyproject
    return None


def load_config(path: str | Path | None = None, *, start: str | Path | None = None) -> LoadedConfig:
    """The config named by ``path``, else the nearest one found, else the defaults."""
    if path is not None:
        return read_config(path)
    found = find_config(start)
    return read_config(found) if found else LoadedConfig()
