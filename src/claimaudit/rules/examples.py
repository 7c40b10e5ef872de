"""Run a claim against evidence text through the engine: for rule examples,
for `claimaudit explain`, and for anyone checking one claim by hand."""

from __future__ import annotations

from dataclasses import replace

from claimaudit.claims.anatomy import Statement, analyse
from claimaudit.claims.detect import classify
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import Match, resolve_attribution
from claimaudit.model import Reason, Source
from claimaudit.rules.engine import judge_statements
from claimaudit.rules.loader import Rule


def sources_from_text(evidence: list[str], internal: bool = False) -> list[Source]:
    return [
        Source(id=f"evidence{i + 1}", summary=text, kind="internal" if internal else "summary")
        for i, text in enumerate(evidence)
    ]


def judge_claim(
    claim_text: str, sources: list[Source], rules: list[Rule], cited: tuple[str, ...] = ()
) -> tuple[Statement, list[Match], list[Reason]]:
    """Analyse one claim, rank its evidence and run the rules on it.

    ``cited`` names the sources the claim cites, as a claims table's ``source``
    column does: they are searched first.
    """
    statement = analyse(claim_text)
    claim_type, _ = classify(statement)
    # A claim typed by hand is a claim even where the detector would pass it over.
    statement = _typed(statement, claim_type or "efficacy")
    index = SourceIndex.build(sources)
    resolution = resolve_attribution(statement, index, tuple(cited))
    reasons, matches = judge_statements([statement], index, [resolution], rules)[0]
    return statement, matches, reasons


def _typed(statement: Statement, claim_type: str) -> Statement:
    return replace(statement, claim_type=claim_type, is_claim=True)


def run_example(rule: Rule, claim: str, evidence: list[str], internal: bool = False) -> list[Reason]:
    """The reasons this one rule gives for the example claim."""
    _, _, reasons = judge_claim(claim, sources_from_text(evidence, internal), [rule])
    return reasons
