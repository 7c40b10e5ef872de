"""Load rule packs once, cache them compiled, and apply layered settings.

Parsing and validating every YAML rule file is a large share of a one-page
``check``. The validated rules are pickled into the user's cache folder
(see :mod:`claimaudit.cache`), keyed by the path and content of every rule
file and by the package stamp (all of claimaudit's code and the installed
parsers). A cache entry is used only when it comes from a trusted file, names
only claimaudit's rule classes and registered check functions, and holds the
rules of exactly the files asked for; anything else is ignored and the rules
are loaded from their files.
"""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path
from typing import Any, Callable, Iterable

from claimaudit import cache
from claimaudit.config import RuleLayer
from claimaudit.errors import InputError
from claimaudit.rules.context import KINDS
from claimaudit.rules.loader import Rule, builtin_rules_dir, parse_rule_packs, rule_files
from claimaudit.rules.spec import RuleSpec

LEVELS = {"overstated", "unsupported"}


def _rules_key(files_by_pack: list[list[Path]]) -> str:
    """The packs as given (their order decides which rule wins) and every file's content."""
    from claimaudit.limits import read_bounded

    digest = hashlib.sha256()
    for files in files_by_pack:
        digest.update(b"\0pack\0")
        for path in files:
            content = read_bounded(path)
            digest.update(str(path).encode("utf-8", "surrogateescape") + b"\0")
            digest.update(hashlib.sha256(content).digest())
    return digest.hexdigest()


def _allowed(module: str, name: str, found: object) -> bool:
    if cache.claimaudit_class(module, name, found):
        return True
    # The check functions rules are bound to, as registered when the kinds were imported.
    return module.startswith("claimaudit.rules.") and any(kind.check is found for kind in KINDS.values())


def _valid_rules(files_by_pack: list[list[Path]]) -> Callable[[Any], bool]:
    """Cached rules must be validated rules, bound to the registered kinds, of the files asked for."""
    paths = {str(path) for files in files_by_pack for path in files}

    def check(rules: Any) -> bool:
        if not isinstance(rules, list) or (paths and not rules) or len(rules) > len(paths):
            return False
        codes = []
        for rule in rules:
            if not (isinstance(rule, Rule) and isinstance(rule.spec, RuleSpec) and rule.path in paths
                    and rule.level in LEVELS and isinstance(rule.spec.code, str)):
                return False
            registered = KINDS.get(rule.spec.extends)
            if registered is None or rule.kind != registered or not isinstance(rule.params, registered.params):
                return False
            codes.append(rule.code)
        return codes == sorted(set(codes))

    return check


def load_rule_set(extra: Iterable[str | Path] = (), *, include_builtin: bool = True,
                  use_cache: bool = True) -> list[Rule]:
    """Every rule of the built-in and extra packs, including those off by default.

    A rule in a later pack with the code of an earlier one replaces it. The
    returned rules are shared with the cache: use :func:`select_rules` to get
    copies with settings applied, never mutate them. ``use_cache=False`` reads
    and writes no cache entry (as :func:`claimaudit.cache.disabled`).
    """
    directories = ([builtin_rules_dir()] if include_builtin else []) + [Path(p) for p in extra]
    files_by_pack = [rule_files(directory) for directory in directories]
    if not use_cache or cache.cache_dir() is None:
        return parse_rule_packs(files_by_pack)
    try:
        key = _rules_key(files_by_pack)
    except (InputError, OSError):
        # An unreadable rule file is reported by the loader, with its own message.
        return parse_rule_packs(files_by_pack)
    cached = cache.load_pickle("rules", key, allow=_allowed, check=_valid_rules(files_by_pack))
    if cached is not None:
        return cached
    rules = parse_rule_packs(files_by_pack)
    cache.store_pickle("rules", key, rules)
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
