"""The certainty comparison: claim strength above the evidence's."""

from __future__ import annotations

from typing import TYPE_CHECKING

import regex

from claimaudit.rules.context import Hit, RuleContext
from claimaudit.rules.kinds.common import figures, hedge_rewrite, source_wording

if TYPE_CHECKING:
    from claimaudit.rules.kinds.elements import StrongerParams

STRENGTH_NAMES = {0: "no relationship", 1: "correlational", 2: "conditional causal", 3: "direct causal"}


# "42% lower than untreated mice" compares groups; it does not hedge.
COMPARISON = regex.compile(r"\b(?:lower|higher|more|less|greater|fewer|smaller|larger|better|worse)\b|\d",
                           regex.IGNORECASE)


def weakening_cues(statement) -> list:
    """The hedges and correlational wording that make evidence weaker than a
    direct finding ("may", "suggest", "associated with")."""
    return [c for c in statement.cues if c.kind in {"hedge", "correlational"}
            and getattr(c, "group", "") != "comparison"
            and not COMPARISON.search(c.text) and not statement.negated_at(c.start, c.end)]


def effective_level(statement, result_is_direct: bool = False) -> int:
    """A statement's strength once its own wording is read whole: a direct
    verb under a hedge is conditional ("suggests X reduces"), a correlation
    without a causal verb is correlational, and, for evidence, a measured
    result ("fell by 31%") is a direct finding."""
    level = statement.level
    weak = weakening_cues(statement)
    causal = [c for c in statement.cues if c.kind == "causal" and not statement.negated_at(c.start, c.end)]
    if level == 3 and any(c.kind == "hedge" for c in weak):
        level = 2
    if level >= 2 and any(c.kind == "correlational" for c in weak) and not causal:
        level = 1
    if level <= 1 and result_is_direct and not weak and figures(statement):
        level = 3
    if level == 0 and any(c.group == "verb" for c in causal):
        # A causal verb the strength scale did not rate ("causes you to lose sleep";
        # "may help slow X, and longer trials are needed"): direct, or conditional under a hedge.
        level = 2 if any(c.kind == "hedge" for c in weak) else 3 if not weak else level
    return level


def strength_exceeds(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """The claim asserts a stronger relationship than its best evidence: the
    evidence hedges or only correlates, and the claim drops that."""
    claim_level = effective_level(ctx.claim)
    related = ctx.related
    if claim_level < params.min_claim_level or not related or ctx.claim.strength.negated:
        return []
    top = related[0].similarity
    peers = [m for m in related if m.similarity >= top - params.margin]
    levels = [(m, effective_level(m.statement, result_is_direct=True)) for m in peers]
    if any(level >= claim_level for _, level in levels):
        return []
    evidence, evidence_level = min(levels, key=lambda ml: (claim_level - ml[1] < params.min_gap, -ml[0].similarity))
    if claim_level - evidence_level < params.min_gap:
        return []
    cues = weakening_cues(evidence.statement)
    hedge = cues[0] if cues else None
    causal = [c for c in ctx.claim.cues if c.kind == "causal"]
    span = (causal[0].start, causal[0].end) if causal else None
    suggestion = hedge_rewrite(ctx.claim.text, causal[0].start, causal[0].end, "may") if causal else ""
    suggestion = suggestion or source_wording(evidence)
    removed = f' The source hedges with "{hedge.text}", which the claim drops.' if hedge else ""
    return [Hit(
        {
            "claim_strength": STRENGTH_NAMES.get(claim_level, claim_level),
            "evidence_strength": STRENGTH_NAMES.get(evidence_level, evidence_level),
            "hedge": hedge.text if hedge else "",
            "removed": removed,
            "source": evidence.source_id,
        },
        span,
        evidence,
        (hedge.start, hedge.end) if hedge else None,
        suggestion,
    )]
