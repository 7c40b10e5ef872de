"""Every rule's own pass and fail examples, run through the real engine."""

from __future__ import annotations

import pytest

from claimaudit.rules.examples import run_example
from claimaudit.rules.loader import builtin_rules_dir, load_rules
from claimaudit.rules.schema import FAMILIES

RULES = load_rules()


def _cases():
    for rule in RULES:
        for n, example in enumerate(rule.spec.examples.fail, 1):
            yield pytest.param(rule, example, True, id=f"{rule.code}-fail-{n}")
        for n, example in enumerate(rule.spec.examples.passes, 1):
            yield pytest.param(rule, example, False, id=f"{rule.code}-pass-{n}")


@pytest.mark.parametrize("rule, example, should_fire", list(_cases()))
def test_rule_example(rule, example, should_fire):
    reasons = run_example(rule, example.claim, example.evidence_list(), example.internal)
    fired = [r for r in reasons if r.code == rule.code]
    if should_fire:
        assert fired, f"{rule.code} should fire on: {example.claim!r}"
        assert all(r.message and "{" not in r.message for r in fired)
    else:
        assert not fired, f"{rule.code} should not fire on: {example.claim!r} ({fired[0].message})"


def test_every_family_of_judging_has_a_rule():
    families = {rule.family for rule in RULES}
    assert set(FAMILIES) <= families


def test_codes_and_names_are_unique_and_files_are_named_by_code():
    codes = [r.code for r in RULES]
    names = [r.name for r in RULES]
    assert len(codes) == len(set(codes))
    assert len(names) == len(set(names))
    for rule in RULES:
        assert rule.path.endswith(f"{rule.code}.yaml")
        assert builtin_rules_dir() in __import__("pathlib").Path(rule.path).parents
