"""Run a claim against evidence text through the engine: for rule examples,
for `claimaudit explain`, and for anyone checking one claim by hand."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from claimaudit import limits
from claimaudit.claims.anatomy import Statement, analyse
from claimaudit.claims.detect import classify
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import Match, Resolution, resolve_attribution
from claimaudit.model import Reason, Source
from claimaudit.rules.engine import Judgement, judge
from claimaudit.rules.loader import Rule

if TYPE_CHECKING:
    from claimaudit.evidence.meaning import Meaning


def sources_from_text(evidence: list[str], internal: bool = False) -> list[Source]:
    return [
        Source(id=f"evidence{i + 1}", summary=text, kind="internal" if internal else "summary")
        for i, text in enumerate(evidence)
    ]


@dataclass(frozen=True)
class Judged:
    """One claim judged against an index: what the engine read, the evidence it
    ranked, the reasons the rules gave, and which pack sources the claim names."""

    statement: Statement
    matches: list[Match]
    reasons: list[Reason]
    resolution: Resolution
    judgement: Judgement  # the same, with how the evidence lines up with the claim element by element


def judge_in_index(claim_text: str, index: SourceIndex, rules: list[Rule], cited: tuple[str, ...] = ()) -> Judged:
    """:func:`judge_claim` against an index already built (with its aliases)."""
    # A claim given by hand is one sentence; reading grows faster than its length.
    limits.check("max-claim-chars", len(claim_text), field="claim")
    statement = analyse(claim_text)
    claim_type, _ = classify(statement)
    # A claim typed by hand is a claim even where the detector would pass it over.
    statement = _typed(statement, claim_type or "efficacy")
    resolution = resolve_attribution(statement, index, tuple(cited))
    judgement = judge([statement], index, [resolution], rules)[0]
    return Judged(statement, judgement.evidence, judgement.reasons, resolution, judgement)


def judge_claim(
    claim_text: str, sources: list[Source], rules: list[Rule], cited: tuple[str, ...] = (),
    aliases: Mapping[str, tuple[str, ...]] | None = None, meaning: Meaning | None = None,
) -> tuple[Statement, list[Match], list[Reason]]:
    """Analyse one claim, rank its evidence and run the rules on it.

    ``cited`` names the sources the claim cites, as a claims table's ``source``
    column does: they are searched first. ``aliases`` is an alias table
    (:mod:`claimaudit.evidence.aliases`): the names copy uses for what the
    sources name otherwise, as a source pack's ``aliases:`` gives them.
    """
    judged = judge_in_index(claim_text, SourceIndex.build(sources, aliases=dict(aliases or {}),
                                                             meaning=meaning), rules, cited)
    return judged.statement, judged.matches, judged.reasons


def _typed(statement: Statement, claim_type: str) -> Statement:
    return replace(statement, claim_type=claim_type, is_claim=True)


def run_example(rule: Rule, claim: str, evidence: list[str], internal: bool = False) -> list[Reason]:
    """The reasons this one rule gives for the example claim."""
    _, _, reasons = judge_claim(claim, sources_from_text(evidence, internal), [rule])
    return reasons
