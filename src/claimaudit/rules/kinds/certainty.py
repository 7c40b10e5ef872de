"""Check kinds for certainty: claim strength above the evidence, boosters."""

from __future__ import annotations

import regex

from claimaudit.rules.context import Hit, Params, params, RuleContext, kind
from claimaudit.rules.kinds.common import figures, hedge_rewrite, phrase_pattern, search_patterns, source_wording

STRENGTH_NAMES = {0: "no relationship", 1: "correlational", 2: "conditional causal", 3: "direct causal"}


@params
class StrengthParams(Params):
    min_gap: int = 1
    """How many certainty levels (0 hedged to 3 proven) the claim must stand above its evidence to fire."""
    min_claim_level: int = 2
    """Claims less certain than this level (0 to 3) are left alone."""
    margin: float = 0.08
    """Evidence within this much of the best match's similarity counts as equally about the claim; the most certain
    of it decides."""


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
    if level == 0 and not weak and any(c.group == "verb" for c in causal):
        # A causal verb the strength scale did not rate ("causes you to lose sleep").
        level = 3
    return level


@kind("strength_exceeds", StrengthParams,
      fields=("claim_strength", "evidence_strength", "hedge", "removed", "source"))
def strength_exceeds(ctx: RuleContext, params: StrengthParams) -> list[Hit]:
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


@params
class BoosterParams(Params):
    words: list[str] = []
    """Words or phrases read as boosters besides the built-in ones ("clinically proven", "guaranteed")."""


@kind("booster_unbacked", BoosterParams, fields=("word",))
def booster_unbacked(ctx: RuleContext, params: BoosterParams) -> list[Hit]:
    """Boosters and absolutes in the claim that no related evidence matches."""
    boosters = [(c.start, c.end, c.text) for c in ctx.claim.cues
                if c.kind == "booster" and not ctx.claim.negated_at(c.start, c.end)]
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
            return [Hit({"word": word}, (start, end), ctx.best, None, _without_adverb(ctx.claim.text, start, end))]
    return []


def _without_adverb(text: str, start: int, end: int) -> str:
    """The claim without its booster, where dropping the word leaves a sentence.

    Only adverbs ("completely", "always", "dramatically") can go without
    rewording; nouns and adjectives ("a breakthrough", "no side effects") need
    a person, so no rewrite is offered for them.
    """
    word = text[start:end].lower()
    if " " in word or not (word.endswith("ly") or word in {"always", "never", "forever"}):
        return ""
    return " ".join((text[:start] + text[end:]).split())


@params
class ExistenceParams(Params):
    """Vale-style: fire when the claim holds one of the words or patterns."""

    words: list[str] = []
    """Words or phrases that fire the rule when the claim holds one (whole words, any case)."""
    patterns: list[str] = []
    """Patterns that fire the rule when one matches the claim (any case), tried after `words`."""
    unless_evidence: list[str] = []
    """Words that, stated (not negated) in related evidence, back the claim, so the rule does not fire."""
    claim_types: list[str] = []
    """Only claims of these types are checked (figure, efficacy, safety, regulatory, establishment, comparative,
    business, testimonial, mechanism, general); empty: all."""
    related_level: str = ""
    """The verdict when related evidence exists but does not back the word (a cure claim on a modest finding is
    overstated; on nothing, unsupported); empty: the rule's level."""


@kind("existence", ExistenceParams, fields=("word",), patterns=("patterns",))
def existence(ctx: RuleContext, params: ExistenceParams) -> list[Hit]:
    """The claim uses a listed word or pattern that its evidence does not back."""
    if params.claim_types and ctx.claim.claim_type not in params.claim_types:
        return []
    found = None
    if params.words:
        m = phrase_pattern(tuple(params.words)).search(ctx.claim.text)
        if m:
            found = (m.start(), m.end(), m.group(0))
    if not found and params.patterns:
        m = search_patterns(params.patterns, ctx.claim.text)
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
    level = params.related_level if params.related_level and ctx.related else None
    return [Hit({"word": found[2]}, (found[0], found[1]), ctx.best, None, level=level)]
