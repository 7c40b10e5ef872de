"""A small on-disk cache for data that is slow to parse and rarely changes.

Used by the fast ``check`` path: parsed YAML lexicons (keyed by their text)
and compiled rule packs (see :mod:`claimaudit.rule_cache`). The folder is
``$CLAIMAUDIT_CACHE_DIR``, else ``$XDG_CACHE_HOME/claimaudit``, else
``~/.cache/claimaudit``; ``CLAIMAUDIT_CACHE_DIR=off`` switches caching off.
A cache that is missing, corrupt, unreadable or unwritable is ignored: the
data is then computed as if there were no cache.

This module imports nothing from claimaudit, so any stage may use it.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Callable

from claimaudit.files import write_atomic

CACHE_FORMAT = "1"


def cache_dir() -> Path | None:
    configured = os.environ.get("CLAIMAUDIT_CACHE_DIR")
    if configured is not None:
        if configured.strip().lower() in {"", "0", "off", "no", "false"}:
            return None
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "claimaudit"


def trusted_cache_file(path: Path) -> bool:
    """Whether a cache file may be unpickled: it and its folder belong to this
    user and nobody else can write them. A cache folder shared with others
    (a restored CI cache, a world-writable /tmp) is then ignored, not trusted."""
    if not hasattr(os, "getuid"):
        return False
    try:
        for item in (path, path.parent):
            info = item.stat()
            if info.st_uid != os.getuid() or info.st_mode & 0o022:
                return False
    except OSError:
        return False
    return True


def write_cache_file(path: Path, payload: bytes) -> None:
    """Write atomically; any failure (read-only home, full disk) is silently skipped."""
    try:
        write_atomic(path, payload, mode=0o600)
    except Exception:  # noqa: BLE001 - caching is an optimisation, never a failure
        return


def cached_parse(kind: str, text: str, parse: Callable[[], object], *, version: str = "") -> object:
    """``parse()``'s result for ``text``, from the cache when the same text was parsed before.

    Only JSON data is cached (a result JSON cannot hold is returned uncached),
    so reading the cache never runs code. ``version`` should name the parser
    and its version, so an upgrade that parses differently misses the cache.
    """
    folder = cache_dir()
    if folder is None:
        return parse()
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{kind}\0{version}\0".encode() + text.encode("utf-8", "surrogatepass"))
    target = folder / f"{kind}-{digest.hexdigest()[:32]}.json"
    try:
        return json.loads(target.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    data = parse()
    try:
        payload = json.dumps(data, ensure_ascii=False, allow_nan=False)
        # Only cache what comes back identical (no tuples, dates or non-string keys).
        if json.loads(payload) == data:
            write_cache_file(target, payload.encode("utf-8"))
    except (TypeError, ValueError):
        pass
    return data


@lru_cache(maxsize=None)
def installed_identity(*modules: str) -> str:
    """Names installed modules by their files' sizes and times, without importing them.

    Importing a parser or validator can cost more than reading a cached parse,
    so parse-cache keys name the code that parsed by its installed files: any
    upgrade or edit changes a size or a time and so misses the cache.
    """
    parts = []
    for name in modules:
        try:
            spec = importlib.util.find_spec(name)
            origin = spec.origin if spec else None
            stat = os.stat(origin) if origin else None
        except (ImportError, OSError, ValueError):
            stat = origin = None
        parts.append(f"{name} {origin} {stat.st_size} {stat.st_mtime_ns}" if stat else f"{name} unknown")
    return "; ".join(parts)
