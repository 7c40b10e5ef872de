"""The check kind ``existence``: words in the claim that its evidence does not back."""

from __future__ import annotations

from typing import Literal

from claimaudit.rules.context import Hit, Params, RuleContext, kind, params
from claimaudit.rules.kinds.common import phrase_pattern, search_patterns

CueKind = Literal["booster", "hedge", "causal", "correlational"]
Found = tuple[int, int, str]


@params
class ExistenceParams(Params):
    """Vale-style: fire when the claim holds one of the words, patterns or cues."""

    words: list[str] = []
    """Words or phrases that fire the rule when the claim holds one (whole words, any case)."""
    patterns: list[str] = []
    """Patterns that fire the rule when one matches the claim (any case), tried when no word or cue is found."""
    cues: list[CueKind] = []
    """Cue kinds of the language lexicon (booster, hedge, causal, correlational) whose words in the claim fire the
    rule as listed words do, unless the claim negates them."""
    unless_evidence: list[str] = []
    """Words that, stated (not negated) in related evidence, back the claim, so the rule does not fire."""
    backed_by_same_word: bool = False
    """Each word found is backed when related evidence uses the same word (in a sentence it does not negate); the rule
    fires on the first word no related evidence uses. Off: the first word found fires the rule."""
    claim_types: list[str] = []
    """Only claims of these types are checked (figure, efficacy, safety, regulatory, establishment, comparative,
    business, testimonial, mechanism, general); empty: all."""
    related_level: str = ""
    """The verdict when related evidence exists but does not back the word (a cure claim on a modest finding is
    overstated; on nothing, unsupported); empty: the rule's level."""
    suggest_without_word: bool = False
    """Offer the claim without the word as its rewrite, where the word is an adverb that can go without rewording
    ("completely", "always")."""


def _found(ctx: RuleContext, params: ExistenceParams) -> list[Found]:
    """The claim's listed words and cues, in order; else its first pattern match."""
    found: set[Found] = {(c.start, c.end, c.text) for c in ctx.claim.cues
                         if c.kind in params.cues and not ctx.claim.negated_at(c.start, c.end)}
    if params.words:
        words = phrase_pattern(tuple(params.words))
        found.update((m.start(), m.end(), m.group(0)) for m in words.finditer(ctx.claim.text))
    if not found and params.patterns:
        m = search_patterns(params.patterns, ctx.claim.text)
        if m:
            found.add((m.start(), m.end(), m.group(0)))
    return sorted(found)


def _backed_by_evidence(ctx: RuleContext, words: list[str]) -> bool:
    backing = phrase_pattern(tuple(words))
    for match in ctx.related:
        m = backing.search(match.statement.text)
        if m and not match.statement.negated_at(m.start(), m.end()):
            return True
    return False


def _said_in_related(ctx: RuleContext, word: str) -> bool:
    return any(phrase_pattern((word,)).search(m.statement.text) and not m.statement.negated_at(0, len(m.statement.text))
               for m in ctx.related)


@kind("existence", ExistenceParams, fields=("word",), patterns=("patterns",))
def existence(ctx: RuleContext, params: ExistenceParams) -> list[Hit]:
    """The claim uses a listed word, pattern or cue (a booster, say) that its evidence does not back (fills
    `{word}`)."""
    if params.claim_types and ctx.claim.claim_type not in params.claim_types:
        return []
    found = _found(ctx, params)
    if not found or (params.unless_evidence and _backed_by_evidence(ctx, params.unless_evidence)):
        return []
    if params.backed_by_same_word:
        found = [item for item in found if not _said_in_related(ctx, item[2])]
    if not found:
        return []
    start, end, word = found[0]
    level = params.related_level if params.related_level and ctx.related else None
    suggestion = _without_adverb(ctx.claim.text, start, end) if params.suggest_without_word else ""
    return [Hit({"word": word}, (start, end), ctx.best, None, suggestion, level=level)]


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
