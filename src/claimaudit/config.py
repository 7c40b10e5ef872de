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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from claimaudit.cache import cached_parse, installed_identity
from claimaudit.errors import InputError
from claimaudit.files import read_utf8

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


@dataclass
class LoadedConfig:
    """A validated configuration and the file it came from (``path`` None: defaults)."""

    config: CheckConfig = field(default_factory=CheckConfig)
    path: Path | None = None
    prefix: str = ""  # "tool.claimaudit." for pyproject.toml, so messages name the real key

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
            if override.fail_on:
                fail_on = override.fail_on
        if cli_layer is not None:
            layers.append(cli_layer)
        return DocumentSettings(
            layers=tuple(layer for layer in layers if not layer.is_empty()),
            sources=sources,
            fail_on=cli_fail_on or fail_on,  # type: ignore[arg-type]
        )


# --------------------------------------------------------------------------- globs


_GLOB_CACHE: dict[str, re.Pattern] = {}


def _glob_regex(pattern: str) -> re.Pattern:
    compiled = _GLOB_CACHE.get(pattern)
    if compiled is not None:
        return compiled
    parts, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            parts.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            parts.append(".*")
            i += 2
        elif pattern[i] == "*":
            parts.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            parts.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            end = pattern.find("]", i + 1)
            if end == -1:
                parts.append(re.escape("["))
                i += 1
            else:
                body = pattern[i + 1:end]
                if body.startswith("!"):
                    body = "^" + body[1:]
                parts.append(f"[{body}]")
                i = end + 1
        else:
            parts.append(re.escape(pattern[i]))
            i += 1
    compiled = re.compile("".join(parts) + r"\Z")
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
        return bool(_glob_regex(pattern).match(path.rsplit("/", 1)[-1]))
    return bool(_glob_regex(pattern.lstrip("/")).match(path))


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
    elif kind == "literal_error":
        message = f"{first['msg'].replace('Input should be', 'must be')}, not {first.get('input')!r}"
    else:
        message = first["msg"]
    keys = [part for part in loc if isinstance(part, str)]
    line = _line_of_key(text, keys[-1], table) if keys else None
    return InputError(message, path=str(path), line=line, field=prefix + _loc_name(loc))


def read_config(path: str | Path) -> LoadedConfig:
    """Load and validate one config file (``.claimaudit.toml`` or ``pyproject.toml``)."""
    path = Path(path)
    text = read_utf8(path, "config file")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        where = re.search(r"at line (\d+)", str(error))
        detail = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(error))
        raise InputError(f"invalid TOML: {detail}", path=str(path),
                         line=int(where.group(1)) if where else None) from None
    is_pyproject = path.name == PYPROJECT
    table: tuple[str, ...] = PYPROJECT_TABLE if is_pyproject else ()
    prefix = "tool.claimaudit." if is_pyproject else ""
    if is_pyproject:
        data = data.get("tool", {}).get("claimaudit", {})
        if not isinstance(data, dict):
            raise InputError("[tool.claimaudit] must be a table", path=str(path),
                             line=_line_of_key(text, "claimaudit", ("tool",)))
    # A config validated before comes from the cache, so a check run need not
    # import the validator; an invalid one is validated (and reported) every time.
    valid = cached_parse("config", json.dumps(data, sort_keys=True, default=str),
                         lambda: _validate(data, path, text, table, prefix),
                         version=installed_identity("claimaudit.config_schema", "pydantic"))
    return LoadedConfig(config=CheckConfig.from_data(valid), path=path, prefix=prefix)


def _validate(data: Any, path: Path, text: str, table: tuple[str, ...], prefix: str) -> dict:
    from pydantic import ValidationError

    from claimaudit.config_schema import validate

    try:
        return validate(data)
    except ValidationError as error:
        raise _validation_error(error, path, text, table, prefix) from None


def _has_tool_table(pyproject: Path) -> bool:
    try:
        text = pyproject.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if "claimaudit" not in text:
        return False
    try:
        return "claimaudit" in tomllib.loads(text).get("tool", {})
    except tomllib.TOMLDecodeError:
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
