"""Run the active rules on one claim and turn their hits into reasons."""

from __future__ import annotations

import string

from claimaudit.claims.anatomy import Statement
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import Match, Resolution
from claimaudit.model import Reason
from claimaudit.rules.context import RuleContext
from claimaudit.rules.loader import Rule


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def format_message(template: str, values: dict) -> str:
    """Fill a rule's message; unknown placeholders become empty, never an error."""
    formatter = string.Formatter()
    try:
        return formatter.vformat(template, (), _Blank(values)).strip()
    except (ValueError, IndexError):
        return template


def evaluate(
    claim: Statement,
    evidence: list[Match],
    index: SourceIndex,
    resolution: Resolution,
    rules: list[Rule],
) -> list[Reason]:
    context = RuleContext(claim=claim, evidence=evidence, index=index, resolution=resolution)
    reasons: list[Reason] = []
    for rule in rules:
        for hit in rule.kind.check(context, rule.params):
            match = hit.evidence
            evidence_span = hit.evidence_span
            level = hit.level if hit.level in {"overstated", "unsupported"} and rule.level == rule.spec.level else rule.level
            reasons.append(
                Reason(
                    rule=rule.name,
                    code=rule.code,
                    message=format_message(rule.message, hit.values),
                    verdict=level,
                    family=rule.family,
                    claim_span=hit.claim_span,
                    evidence_span=evidence_span if match is not None else None,
                    evidence_source=match.source_id if match is not None else "",
                    evidence_text=match.sentence.text if match is not None else "",
                    suggestion=hit.suggestion or format_message(rule.spec.suggestion, hit.values),
                )
            )
    return reasons
