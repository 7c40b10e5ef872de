"""Check kinds for certainty: claim strength above the evidence, boosters."""

from __future__ import annotations

from claimaudit.rules.context import Hit, Params, RuleContext, kind
from claimaudit.rules.kinds.common import hedge_rewrite, phrase_pattern, search_user_pattern

STRENGTH_NAMES = {0: "no relationship", 1: "correlational", 2: "conditional causal", 3: "direct causal"}


class StrengthParams(Params):
    min_gap: int = 1
    min_claim_level: int = 2


@kind("strength_exceeds", StrengthParams)
def strength_exceeds(ctx: RuleContext, params: StrengthParams) -> list[Hit]:
    """The claim asserts a stronger relationship than its best evidence."""
    claim_level = ctx.claim.level
    related = ctx.related
    if claim_level < params.min_claim_level or not related:
        return []
    if ctx.claim.strength.negated:
        return []
    strongest = max(related, key=lambda m: (m.statement.level, m.similarity))
    if claim_level - strongest.statement.level < params.min_gap:
        return []
    hedges = [c for c in strongest.statement.cues if c.kind in {"hedge", "correlational"}]
    hedge = hedges[0] if hedges else None
    causal = [c for c in ctx.claim.cues if c.kind == "causal"]
    span = (causal[0].start, causal[0].end) if causal else None
    suggestion = ""
    if causal:
        suggestion = hedge_rewrite(ctx.claim.text, causal[0].start, causal[0].end, "may")
    removed = f' The source hedges with "{hedge.text}".' if hedge else ""
    return [Hit(
        {
            "claim_strength": STRENGTH_NAMES.get(claim_level, claim_level),
            "evidence_strength": STRENGTH_NAMES.get(strongest.statement.level, strongest.statement.level),
            "hedge": hedge.text if hedge else "",
            "removed": removed,
            "source": strongest.source_id,
        },
        span,
        strongest,
        (hedge.start, hedge.end) if hedge else None,
        suggestion,
    )]


class BoosterParams(Params):
    words: list[str] = []


@kind("booster_unbacked", BoosterParams)
def booster_unbacked(ctx: RuleContext, params: BoosterParams) -> list[Hit]:
    """Boosters and absolutes in the claim that no related evidence matches."""
    boosters = [(c.start, c.end, c.text) for c in ctx.claim.cues if c.kind == "booster"]
    if params.words:
        boosters += [(m.start(), m.end(), m.group(0)) for m in phrase_pattern(tuple(params.words)).finditer(ctx.claim.text)]
    if not boosters:
        return []
    related = ctx.related
    for start, end, word in sorted(set(boosters)):
        backed = any(
            phrase_pattern((word,)).search(m.statement.text) and not m.statement.negated_at(0, len(m.statement.text))
            for m in related
        )
        if not backed:
            stripped = (ctx.claim.text[:start] + ctx.claim.text[end:]).replace("  ", " ").strip()
            return [Hit({"word": word}, (start, end), ctx.best, None, stripped)]
    return []


class ExistenceParams(Params):
    """Vale-style: fire when the claim holds one of the words or patterns."""

    words: list[str] = []
    patterns: list[str] = []
    unless_evidence: list[str] = []  # words that, in related evidence, back the claim
    claim_types: list[str] = []


@kind("existence", ExistenceParams)
def existence(ctx: RuleContext, params: ExistenceParams) -> list[Hit]:
    """The claim uses a listed word or pattern that its evidence does not back."""
    if params.claim_types and ctx.claim.claim_type not in params.claim_types:
        return []
    found = None
    if params.words:
        m = phrase_pattern(tuple(params.words)).search(ctx.claim.text)
        if m:
            found = (m.start(), m.end(), m.group(0))
    for pattern in params.patterns:
        if found:
            break
        m = search_user_pattern(pattern, ctx.claim.text)
        if m:
            found = (m.start(), m.end(), m.group(0))
    if not found:
        return []
    if params.unless_evidence:
        backing = phrase_pattern(tuple(params.unless_evidence))
        for match in ctx.related:
            m = backing.search(match.statement.text)
            if m and not match.statement.negated_at(m.start(), m.end()):
                return []
    return [Hit({"word": found[2]}, (found[0], found[1]), ctx.best, None)]
