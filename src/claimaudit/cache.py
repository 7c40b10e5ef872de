"""The one on-disk cache: work that is slow to redo and rarely changes, never trusted.

``check`` keeps parsed word lists, validated configs, source packs and rule
packs, and sentence analyses between runs. Every entry, JSON or pickle, goes
through this module, and deleting the cache changes speed, never a verdict:

* **Where.** ``$CLAIMAUDIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/claimaudit``,
  else ``~/.cache/claimaudit``. ``CLAIMAUDIT_CACHE_DIR=off``, :func:`disable`
  (a whole process) or :func:`disabled` (a block) turn off every read and write.
* **Keyed by content.** An entry's name and header carry a digest of its kind,
  the input it was made from and :func:`package_stamp`, which names the whole
  installed package (every file under it and the built-in rules) and the
  installed third-party distributions. Editing any module misses the cache.
* **Read only from trusted files.** The entry and its folder must belong to
  the current user and be writable by no one else, and the entry must be a
  regular file (no link, FIFO or device) under :data:`MAX_ENTRY_BYTES`. A
  restored or shared cache folder is then ignored, and nothing blocks.
* **Self-validating.** Each file starts with a header line naming its format,
  kind, key, stamp and the SHA-256 of the payload; a mismatch is a miss. The
  payload must then pass the caller's check of its shape and its consistency
  with the input, the same check fresh data passes before it is stored.
  Pickles are loaded by an unpickler that resolves only the names the caller
  allows, so even a planted pickle runs no code.

Anything wrong with an entry is a cache miss: the work is redone as if there
were no cache. Caching never fails a run.

This module imports only claimaudit.files and claimaudit.limits (and, inside the shape checks,
modules their callers have already imported), so any stage may use it.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import json
import math
import os
import pickle
import re
import stat
import sys
import types
import typing
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterator

from claimaudit import limits
from claimaudit.files import remove_stale_temporaries

FORMAT = "claimaudit-cache/2"
MAX_ENTRY_BYTES = 128 * 1024 * 1024
MAX_HEADER_BYTES = 1024
KEEP_STAMPS = 4  # other installations (a pre-commit env, a second venv) keep their entries

Check = Callable[[Any, str], bool]
AllowGlobal = Callable[[str, str, object], bool]

# Patterns are compiled on first use (by re's own cache): a warm check uses few of them.
_ENTRY_NAME = r"(?P<kind>[a-z][a-z-]*)-(?P<stamp>[0-9a-f]{12})-[0-9a-f]{32}\.(?:json|pickle)"
_LEGACY_NAME = r"[a-z][a-z-]*-[0-9a-f]{24,32}\.(?:json|pickle)"
_KIND = r"[a-z][a-z-]*"

_switched_off = False


# --- the switch -----------------------------------------------------------------------


def disable() -> None:
    """Turn off every cache read and write for the rest of this process (``--no-cache``)."""
    global _switched_off
    _switched_off = True


@contextmanager
def disabled(off: bool = True) -> Iterator[None]:
    """Turn off every cache read and write inside the block (when ``off``).

    The in-process form of :func:`disable`, for code that shares its process
    with other runs (the API, a test's ``CliRunner``).
    """
    global _switched_off
    saved = _switched_off
    _switched_off = saved or off
    try:
        yield
    finally:
        _switched_off = saved


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is off."""
    if _switched_off:
        return None
    configured = os.environ.get("CLAIMAUDIT_CACHE_DIR")
    if configured is not None:
        if configured.strip().lower() in {"", "0", "off", "no", "false", "none"}:
            return None
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "claimaudit"


# --- the stamp ------------------------------------------------------------------------


def _package_root() -> Path:
    return Path(__file__).resolve().parent


def _builtin_rules(package: Path) -> Path | None:
    # As rules.loader.builtin_rules_dir, without importing the rule engine: a
    # wheel ships the rules inside the package (walked with it), a source
    # checkout or editable install keeps them in the repository's rules/.
    if (package / "builtin_rules").is_dir():
        return None
    checkout = package.parent.parent / "rules"
    return checkout if checkout.is_dir() else None


def _walk(folder: str, relative: str, digest: "hashlib._Hash") -> None:
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        digest.update(f"{relative}/ unreadable\0".encode())
        return
    for entry in entries:
        # Compiled bytecode follows its source; dot files are editor and temporary files.
        if entry.name == "__pycache__" or entry.name.startswith(".") or entry.name.endswith(".pyc"):
            continue
        name = f"{relative}/{entry.name}"
        try:
            if entry.is_dir(follow_symlinks=False):
                _walk(entry.path, name, digest)
                continue
            info = entry.stat()
        except OSError:
            digest.update(f"{name} unreadable\0".encode("utf-8", "surrogateescape"))
            continue
        digest.update(f"{name}|{info.st_size}|{info.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))


def _distributions() -> list[str]:
    """Names and versions of every installed distribution (their metadata folders)."""
    names: list[str] = []
    for entry in sys.path:
        # Only package folders: sys.path also holds the working directory.
        if os.path.basename(os.path.normpath(entry)) not in {"site-packages", "dist-packages"}:
            continue
        try:
            with os.scandir(entry) as listing:
                names += [item.name for item in listing if item.name.endswith((".dist-info", ".egg-info"))]
        except OSError:
            continue
    return sorted(names)


@lru_cache(maxsize=None)
def package_stamp(package: Path | None = None) -> str:
    """A digest of the installed code that makes every cached result.

    It covers every file under the claimaudit package and the built-in rules
    (by size and modification time), the installed distributions (so upgrading
    a parser such as ruamel.yaml, pydantic, syntok, regex or rapidfuzz changes
    it) and the Python version. One walk of about a hundred files, once per
    process. ``package`` points it at another copy of the package.
    """
    root = Path(package) if package is not None else _package_root()
    digest = hashlib.sha256(f"{FORMAT}\0{sys.version}\0{sys.implementation.cache_tag}\0".encode())
    _walk(str(root), "claimaudit", digest)
    rules = _builtin_rules(root)
    if rules is not None:
        _walk(str(rules), "rules", digest)
    digest.update("\0".join(_distributions()).encode("utf-8", "surrogateescape"))
    return digest.hexdigest()


# --- reading and writing entries --------------------------------------------------------


def _owned_by_user(info: os.stat_result) -> bool:
    return info.st_uid == os.getuid() and not info.st_mode & 0o022


def trusted_folder(folder: Path) -> bool:
    """Whether the cache folder belongs to this user and no one else can write it."""
    if not hasattr(os, "getuid"):
        return False  # no owners to compare (Windows): nothing is trusted
    try:
        info = os.stat(folder)
    except OSError:
        return False
    return stat.S_ISDIR(info.st_mode) and _owned_by_user(info)


def read_trusted(path: Path, limit: int = MAX_ENTRY_BYTES) -> bytes | None:
    """A cache file's bytes, or None unless it is a regular file this user owns,
    no one else can write, in a trusted folder and at most ``limit`` bytes.

    A link, FIFO or device in its place is refused before it is opened for
    reading (and again on the open handle), so nothing here can block.
    """
    if not trusted_folder(path.parent):
        return None
    try:
        before = os.lstat(path)
    except OSError:
        return None
    if not stat.S_ISREG(before.st_mode) or not _owned_by_user(before) or before.st_size > limit:
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        # The same file that was checked, not one swapped in since.
        if (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(info.st_mode) \
                or not _owned_by_user(info) or info.st_size > limit:
            return None
        chunks: list[bytes] = []
        left = info.st_size + 1  # one byte more shows a file that grew
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
        data = b"".join(chunks)
        return data if len(data) <= min(info.st_size, limit) else None
    except OSError:
        return None
    finally:
        os.close(fd)


def _entry_key(kind: str, key: str) -> str:
    return hashlib.sha256(f"{FORMAT}\0{kind}\0{package_stamp()}\0".encode()
                          + key.encode("utf-8", "surrogatepass")).hexdigest()


def _path(folder: Path, kind: str, digest: str, suffix: str) -> Path:
    if not re.fullmatch(_KIND, kind):
        raise ValueError(f"cache kind {kind!r} must be lower-case letters and hyphens")
    return folder / f"{kind}-{package_stamp()[:12]}-{digest[:32]}.{suffix}"


def entry_path(folder: Path, kind: str, key: str, suffix: str) -> Path:
    """Where the entry of ``kind`` for ``key`` lives (the stamp is part of the name)."""
    return _path(folder, kind, _entry_key(kind, key), suffix)


def _header(kind: str, digest: str, payload: bytes) -> dict:
    return {"format": FORMAT, "kind": kind, "key": digest, "stamp": package_stamp(),
            "sha256": hashlib.sha256(payload).hexdigest(), "bytes": len(payload)}


def read_entry(kind: str, key: str, suffix: str) -> bytes | None:
    """The payload stored for ``key``, or None: caching off, no entry, an
    untrusted file, or a header that does not match this kind, key, stamp and payload."""
    folder = cache_dir()
    if folder is None:
        return None
    digest = _entry_key(kind, key)
    try:
        raw = read_trusted(_path(folder, kind, digest, suffix))
    except (OSError, ValueError):
        return None
    if raw is None:
        return None
    end = raw.find(b"\n", 0, MAX_HEADER_BYTES)
    if end < 0:
        return None
    payload = raw[end + 1:]
    try:
        header = json.loads(raw[:end])
    except ValueError:
        return None
    return payload if header == _header(kind, digest, payload) else None


def write_entry(kind: str, key: str, suffix: str, payload: bytes) -> None:
    """Store ``payload`` for ``key``; skipped silently when caching is off, the
    folder is not trusted, the payload is over the size cap or the disk refuses."""
    folder = cache_dir()
    if folder is None or len(payload) > MAX_ENTRY_BYTES - MAX_HEADER_BYTES:
        return
    try:
        from claimaudit.files import write_atomic

        os.makedirs(folder, mode=0o700, exist_ok=True)
        if not trusted_folder(folder):
            return
        digest = _entry_key(kind, key)
        header = json.dumps(_header(kind, digest, payload), sort_keys=True).encode()
        write_atomic(_path(folder, kind, digest, suffix), header + b"\n" + payload, mode=0o600)
    except Exception:  # noqa: BLE001 - caching is an optimisation, never a failure
        return


def prune() -> None:
    """Remove entries of all but the newest few stamps, old-format entries and
    temporary files a killed run left behind. Run when a new stamp is first used."""
    folder = cache_dir()
    if folder is None or not trusted_folder(folder):
        return
    current = package_stamp()[:12]
    newest: dict[str, float] = {}
    by_stamp: dict[str, list[Path]] = {}
    stale: list[Path] = []
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                info = item.stat(follow_symlinks=False)
                if info.st_uid != os.getuid():
                    continue
                match = re.fullmatch(_ENTRY_NAME, item.name)
                if match:
                    stamp = match.group("stamp")
                    by_stamp.setdefault(stamp, []).append(Path(item.path))
                    newest[stamp] = max(newest.get(stamp, 0.0), info.st_mtime)
                elif re.fullmatch(_LEGACY_NAME, item.name):
                    stale.append(Path(item.path))
    except OSError:
        return
    # Temporaries carry their writer's pid: those of writers that are gone are removed.
    remove_stale_temporaries(folder)
    others = sorted((s for s in by_stamp if s != current), key=lambda s: newest[s], reverse=True)
    for stamp in others[KEEP_STAMPS - 1:]:
        stale += by_stamp[stamp]
    for path in stale:
        try:
            path.unlink()
        except OSError:
            continue


# --- JSON entries ---------------------------------------------------------------------


def _passes(check: Check, data: Any, text: str) -> bool:
    try:
        return check(data, text) is True
    except Exception:  # noqa: BLE001 - data a check cannot even look at is not valid
        return False


def cached_parse(kind: str, text: str, parse: Callable[[], Any], *, check: Check) -> Any:
    """``parse()``'s result for ``text``, from the cache when the same text was parsed before.

    ``check(data, text)`` must say whether ``data`` has the shape the caller
    expects and agrees with ``text``; a cached entry that fails it is ignored
    (and parsed afresh), and a fresh result that fails it is returned but not
    stored. Only JSON data is stored, so reading the cache never runs code.
    An error from ``parse`` (an invalid file) is never cached.
    """
    if cache_dir() is None:
        return parse()
    payload = read_entry(kind, text, "json")
    if payload is not None:
        try:
            data = json.loads(payload)
        except (ValueError, RecursionError):
            data = None
        else:
            if _passes(check, data, text):
                return data
    data = parse()
    if not _passes(check, data, text) or not plain_json(data):
        return data
    try:
        encoded = json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        # Only what comes back identical (no tuples, dates or non-string keys).
        if json.loads(encoded) != data:
            return data
    except (TypeError, ValueError, RecursionError):
        return data
    write_entry(kind, text, "json", encoded.encode("utf-8", "surrogatepass"))
    return data


# --- pickle entries -------------------------------------------------------------------


class _AllowedUnpickler(pickle.Unpickler):
    def __init__(self, data: bytes, allow: AllowGlobal):
        super().__init__(io.BytesIO(data))
        self._allow = allow

    def find_class(self, module: str, name: str) -> object:
        # Only from modules already imported: naming a module must not import (run) it.
        if module not in sys.modules:
            raise pickle.UnpicklingError(f"{module} is not loaded; a cache entry cannot name it")
        found = super().find_class(module, name)
        if not self._allow(module, name, found):
            raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a cache entry")
        return found


def load_pickle(kind: str, key: str, *, allow: AllowGlobal, check: Callable[[Any], bool]) -> Any | None:
    """The object stored for ``key``, or None.

    The pickle may name only classes and functions of modules already
    imported, and of those only what ``allow(module, name, obj)`` accepts
    (anything else is a miss before it is called); ``check(obj)`` validates
    what was loaded.
    """
    payload = read_entry(kind, key, "pickle")
    if payload is None:
        return None
    try:
        loaded = _AllowedUnpickler(payload, allow).load()
        return loaded if check(loaded) is True else None
    except Exception:  # noqa: BLE001 - any unreadable entry is just a miss
        return None


def store_pickle(kind: str, key: str, value: object) -> None:
    if cache_dir() is None:
        return
    try:
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - what cannot be pickled is just not cached
        return
    write_entry(kind, key, "pickle", payload)


def claimaudit_class(module: str, name: str, found: object) -> bool:
    """An ``allow`` for pickles of claimaudit's own plain data classes."""
    return module.startswith("claimaudit.") and isinstance(found, type) and found.__module__ == module \
        and (dataclasses.is_dataclass(found) or _is_enum(found))


def _is_enum(found: type) -> bool:
    import enum

    return issubclass(found, enum.Enum)


# --- shapes of the cached kinds -------------------------------------------------------


def plain_json(data: Any, depth: int = 0) -> bool:
    """Whether ``data`` is JSON-shaped (dicts with string keys, lists, scalars), not too deep."""
    if depth > limits.int_value("max-depth"):
        return False
    if data is None or isinstance(data, (str, bool, int)):
        return True
    if isinstance(data, float):
        return math.isfinite(data)
    if isinstance(data, list):
        return all(plain_json(item, depth + 1) for item in data)
    if isinstance(data, dict):
        return all(isinstance(k, str) and plain_json(v, depth + 1) for k, v in data.items())
    return False


@lru_cache(maxsize=None)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _typed(value: Any, hint: Any) -> bool:
    """Whether JSON data ``value`` fits the type ``hint`` (a dataclass is a dict of its fields)."""
    if hint is Any:
        return plain_json(value)
    if hint is type(None) or hint is None:
        return value is None
    origin = typing.get_origin(hint)
    arguments = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_typed(value, option) for option in arguments)
    if origin is typing.Literal:
        return any(type(value) is type(option) and value == option for option in arguments)
    if origin in (list, tuple):
        item = arguments[0] if arguments else Any
        return isinstance(value, list) and all(_typed(v, item) for v in value)
    if origin is dict:
        key_hint, value_hint = arguments or (str, Any)
        return isinstance(value, dict) and all(_typed(k, key_hint) and _typed(v, value_hint)
                                               for k, v in value.items())
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        return _fields_fit(value, hint)
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if hint in (str, int, bool):
        return type(value) is hint
    return False


def _fields_fit(value: Any, cls: type) -> bool:
    if not isinstance(value, dict):
        return False
    hints = _hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    return set(value) == set(names) and all(_typed(value[name], hints[name]) for name in names)


def _default(item: dataclasses.Field) -> Any:
    if item.default is not dataclasses.MISSING:
        return item.default
    if item.default_factory is not dataclasses.MISSING:
        return item.default_factory()
    return dataclasses.MISSING


def _settings_agree(data: Any, table: Any, cls: type, choices: dict[str, tuple]) -> bool:
    """Validated settings against the table they came from: every key given
    names a field and holds the value written there (a single string being a
    one-item list), every other field its default, and choices are kept."""
    if not isinstance(table, dict) or not _fields_fit(data, cls):
        return False
    fields = {f.name: f for f in dataclasses.fields(cls)}
    given = {str(key).replace("-", "_"): value for key, value in table.items()}
    if len(given) != len(table) or not given.keys() <= fields.keys():
        return False
    for name, item in fields.items():
        value = data[name]
        if name not in given:
            if value != _default(item):
                return False
        elif name == "overrides":
            written = given[name]
            if not isinstance(written, list) or len(written) != len(value) or not all(
                    _settings_agree(o, w, typing.get_args(_hints(cls)[name])[0], choices) and o["paths"]
                    for o, w in zip(value, written)):
                return False
        elif value != given[name] and not (isinstance(given[name], str) and value == [given[name]]) \
                and not _one_string_lists(value, given[name]):
            return False
    if data.get("fail_on") not in (None, *choices["fail_on"]):
        return False
    return all(level in choices["levels"] for level in (data.get("levels") or {}).values())


def _one_string_lists(value: Any, written: Any) -> bool:
    """A mapping whose single strings were read as one-item lists (``aliases = {A = "b"}``)."""
    return isinstance(value, dict) and isinstance(written, dict) and value.keys() == written.keys() and all(
        value[key] == written[key] or (isinstance(written[key], str) and value[key] == [written[key]])
        for key in value)


def config_shape(data: Any, text: str) -> bool:
    """A cached config: ``config_schema.validate``'s result for the table in ``text``."""
    from claimaudit import config

    choices = {"fail_on": typing.get_args(config.FailOn), "levels": typing.get_args(config.Level)}
    return _settings_agree(data, json.loads(text), config.CheckConfig, choices)


# Where a pack writes an ``id`` key: one per source in the layouts people write.
_YAML_ID_KEY = r"(?m)(?:^|[{,]|-[ \t])[ \t]*(?:id|\"id\"|'id')[ \t]*:(?:[ \t]|$)"
_JSON_ID_KEY = r'(?<!\\)"id"\s*:'


def _sources_written(suffix: str, content: str) -> int:
    """How many sources the pack's text holds, by a scan much cheaper than parsing it."""
    if suffix in {".yaml", ".yml"}:
        return len(re.findall(_YAML_ID_KEY, content))
    if suffix == ".json":
        return len(re.findall(_JSON_ID_KEY, content))
    import csv

    records = sum(1 for row in csv.reader(io.StringIO(content)) if any(cell.strip() for cell in row))
    return records - 1  # the header


def source_pack_shape(data: Any, text: str) -> bool:
    """A cached source pack: ``{"sources": [...], "aliases": {...}}``, what
    ``dataclasses.asdict`` made of the pack's Sources and its alias table as
    JSON, for the pack whose key ``text`` is ``path NUL suffix NUL content``.

    Like a fresh pack it is not empty, has one source per ``id`` the text
    writes, each id unique and written in the text, and origins in the pack at
    rising lines inside it. A pack in an unusual layout fails the scan and is
    simply never cached. The aliases are a normalised table (see
    :func:`alias_table_shape`) whose every word the text writes.
    """
    from claimaudit.model import Source

    name, suffix, content = text.split("\0", 2)
    if not isinstance(data, dict) or set(data) != {"sources", "aliases"}:
        return False
    if not alias_table_shape(data["aliases"], content):
        return False
    data = data["sources"]
    if not isinstance(data, list) or not data or len(data) != _sources_written(suffix, content):
        return False
    lines = content.count("\n") + 1
    seen: set[str] = set()
    last_line = 0
    for item in data:
        if not _fields_fit(item, Source) or item["kind"] not in {"summary", "internal"}:
            return False
        identifier = item["id"]
        if not identifier.strip() or not item["summary"].strip() or identifier in seen or identifier not in content:
            return False
        seen.add(identifier)
        where, _, line = item["origin"].rpartition(":")
        if item["origin"] == name:
            continue
        if where != name or not line.isdigit() or not last_line <= int(line) <= lines:
            return False
        last_line = int(line)
    return True


def alias_table_shape(data: Any, content: str) -> bool:
    """A cached alias table (``evidence.aliases``): exactly what validation
    makes of itself, within the limits, and every word of every name and
    target written in ``content`` (the file it was read from), so no entry
    can add a name the file does not give."""
    from claimaudit.evidence.aliases import aliases_from_data

    if data == {}:
        return True
    try:
        table = aliases_from_data(data)
    except Exception:  # noqa: BLE001 - a table validation refuses is not a table
        return False
    written = set(re.findall(r"\w+", content.lower()))
    return "aliases" in content and all(
        set(re.findall(r"\w+", " ".join((name, *targets)).lower())) <= written for name, targets in table.items())


_TOP_LEVEL_KEY = r"(?m)^(?:\"([^\"\n]*)\"|'([^'\n]*)'|([^\s#:\-?\[\]{},&*!|>'\"%@`][^\n:#]*?))[ \t]*:(?:[ \t]|$)"


def lexicon_shape(data: Any, text: str) -> bool:
    """A cached word list: the parsed YAML of ``text``.

    It must be a mapping (or nothing, for a file of comments) of JSON-shaped
    data whose top-level keys are exactly the keys written at the start of a
    line in ``text``, so an empty or swapped mapping is not taken for it.
    """
    if data is None:
        data = {}
    if not isinstance(data, dict) or not plain_json(data):
        return False
    written = {a or b or c.rstrip() for a, b, c in re.findall(_TOP_LEVEL_KEY, text)}
    return set(data) == written
