"""Load rule packs once, cache them compiled, and apply layered settings.

Parsing and validating every YAML rule file is a large share of a one-page
``check``. The validated rules are pickled into the user's cache folder
(see :mod:`claimaudit.cache`), keyed by the path, size and modification time of
every rule file and of the code that defines rules, and by the versions of
claimaudit, Python and pydantic. A cache that is missing, stale, unreadable or
unwritable is ignored: the rules are then simply loaded from their files.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pickle
import sys
from pathlib import Path
from typing import Iterable

from claimaudit import __version__
from claimaudit.cache import cache_dir, installed_identity, trusted_cache_file, write_cache_file
from claimaudit.config import RuleLayer
from claimaudit.errors import InputError
from claimaudit.rules.loader import Rule, builtin_rules_dir, parse_rule_packs, rule_files

CACHE_FORMAT = 2


def _rule_code_files() -> list[Path]:
    package = Path(__file__).resolve().parent / "rules"
    return sorted(package.rglob("*.py")) + [Path(__file__).resolve()]


def _stamp(path: Path) -> str:
    info = path.stat()
    return f"{path.resolve()}|{info.st_size}|{info.st_mtime_ns}"


def _cache_key(files: list[Path]) -> str:
    digest = hashlib.sha256()
    for part in (str(CACHE_FORMAT), __version__, sys.version, installed_identity("pydantic", "ruamel.yaml")):
        digest.update(part.encode() + b"\0")
    for path in _rule_code_files() + files:
        digest.update(_stamp(path).encode("utf-8", "surrogateescape") + b"\0")
    return digest.hexdigest()[:32]


def _read_cache(path: Path) -> list[Rule] | None:
    if not trusted_cache_file(path):
        return None
    try:
        with open(path, "rb") as handle:
            rules = pickle.load(handle)
    except Exception:  # noqa: BLE001 - any unreadable cache is just a cache miss
        return None
    if not isinstance(rules, list) or not all(isinstance(r, Rule) for r in rules):
        return None
    return rules


def _write_cache(path: Path, rules: list[Rule]) -> None:
    try:
        payload = pickle.dumps(rules, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - a rule that cannot be pickled is just not cached
        return
    write_cache_file(path, payload)


def load_rule_set(extra: Iterable[str | Path] = (), *, include_builtin: bool = True,
                  use_cache: bool = True) -> list[Rule]:
    """Every rule of the built-in and extra packs, including those off by default.

    A rule in a later pack with the code of an earlier one replaces it. The
    returned rules are shared with the cache: use :func:`select_rules` to get
    copies with settings applied, never mutate them.
    """
    directories = ([builtin_rules_dir()] if include_builtin else []) + [Path(p) for p in extra]
    files_by_pack = [rule_files(directory) for directory in directories]
    folder = cache_dir() if use_cache else None
    if folder is None:
        return parse_rule_packs(files_by_pack)
    try:
        target = folder / f"rules-{_cache_key([f for files in files_by_pack for f in files])}.pickle"
    except OSError:
        return parse_rule_packs(files_by_pack)
    cached = _read_cache(target)
    if cached is not None:
        return cached
    rules = parse_rule_packs(files_by_pack)
    _write_cache(target, rules)
    return rules


def _field_name(layer: RuleLayer, key: str) -> str:
    if layer.path is None:  # the command line
        return {"disable": "--disable", "enable": "--enable", "levels": "--level"}[key]
    return f"{layer.origin}{key}"


def _check_selectors(rules: list[Rule], layer: RuleLayer) -> None:
    for key, selectors in (("disable", layer.disable), ("enable", layer.enable),
                           ("levels", [s for s, _ in layer.levels])):
        for selector in selectors:
            if not any(rule.matches(selector) for rule in rules):
                raise InputError(f"no rule matches {selector!r} (use a code, a dotted name or a family; "
                                 f"see `claimaudit rules list`)", path=layer.path, field=_field_name(layer, key))
    for selector, level in layer.levels:
        if level not in {"overstated", "unsupported"}:
            raise InputError(f"level for {selector!r} must be overstated or unsupported, not {level!r}",
                             path=layer.path, field=_field_name(layer, "levels"))


def select_rules(rules: list[Rule], layers: Iterable[RuleLayer] = ()) -> list[Rule]:
    """The active rules after applying each layer in turn (a later layer wins).

    Within one layer ``enable`` wins over ``disable``, as in ``load_rules``.
    Rules whose level changes are copied, so the shared list is never mutated.
    """
    layers = list(layers)
    for layer in layers:
        _check_selectors(rules, layer)
    active = []
    for rule in rules:
        on = rule.spec.enabled
        level = rule.spec.level
        for layer in layers:
            if any(rule.matches(s) for s in layer.disable):
                on = False
            if any(rule.matches(s) for s in layer.enable):
                on = True
            for selector, wanted in layer.levels:
                if rule.matches(selector):
                    level = wanted
        if on:
            active.append(rule if level == rule.level else dataclasses.replace(rule, level=level))
    return active
