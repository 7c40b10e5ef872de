"""`claimaudit rules test DIR`: run the fail and pass examples a rule file carries.

House-rule authors write examples beside each rule (``examples: fail: ...
pass: ...``); this runs each one through the same judging the engine uses
and says, per rule, which examples came out as their author meant.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from claimaudit.errors import InputError
from claimaudit.model import Reason
from claimaudit.rules.loader import RULE_SUFFIXES, Rule, parse_rule_packs, rule_files
from claimaudit.rules.spec import RuleExample


@dataclass(frozen=True)
class ExampleRun:
    """One example judged: did its rule fire, and what verdict did the claim get."""

    expected: str  # "fail": the rule should fire; "pass": it should not
    number: int  # 1-based, within its list
    example: RuleExample
    verdict: str
    reasons: tuple[Reason, ...]
    code: str  # the rule's code

    @property
    def fired(self) -> tuple[Reason, ...]:
        return tuple(r for r in self.reasons if r.code == self.code)

    @property
    def ok(self) -> bool:
        return bool(self.fired) == (self.expected == "fail")


@dataclass(frozen=True)
class RuleRun:
    rule: Rule
    examples: tuple[ExampleRun, ...]

    @property
    def failed(self) -> tuple[ExampleRun, ...]:
        return tuple(e for e in self.examples if not e.ok)


def load_rule_dir(directory: str | Path) -> list[Rule]:
    """Every rule file in ``directory`` (or the one file named), validated as the loader does."""
    path = Path(directory)
    files = rule_files(path)
    if not files:
        raise InputError(f"no rule files ({', '.join(sorted(RULE_SUFFIXES))}) in this folder", path=str(path))
    return parse_rule_packs([files])


def judge_example(rule: Rule, example: RuleExample, expected: str, number: int) -> ExampleRun:
    from claimaudit.rules.examples import judge_claim, sources_from_text
    from claimaudit.verdicts.aggregate import decide

    # Each example is a run of its own, with the rule's whole pattern time.
    rule.pattern_run.spent = 0.0
    sources = sources_from_text(example.evidence_list(), example.internal)
    _, matches, reasons = judge_claim(example.claim, sources, [rule])
    verdict, _, _ = decide(reasons, matches[0].similarity if matches else 0.0)
    return ExampleRun(expected, number, example, verdict, tuple(reasons), rule.code)


def run_rule(rule: Rule) -> RuleRun:
    examples = rule.spec.examples
    runs = [judge_example(rule, example, "fail", n) for n, example in enumerate(examples.fail, 1)]
    runs += [judge_example(rule, example, "pass", n) for n, example in enumerate(examples.passes, 1)]
    return RuleRun(rule, tuple(runs))


def run_rules(rules: list[Rule]) -> list[RuleRun]:
    return [run_rule(rule) for rule in rules]
