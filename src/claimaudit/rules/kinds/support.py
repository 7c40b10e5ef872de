"""Check kinds about what backs a claim: any evidence at all, the evidence a
claim names, contradicting evidence, study design, own-business facts and
testimonials."""

from __future__ import annotations

from claimaudit.evidence.rank import Match
from claimaudit.language import content_tokens
from claimaudit.rules.context import RELATED, Hit, Params, RuleContext, kind
from claimaudit.rules.kinds.common import figures, find_phrases, phrase_pattern, same_figure


class UnrelatedParams(Params):
    threshold: float = RELATED


@kind("unrelated", UnrelatedParams)
def unrelated(ctx: RuleContext, params: UnrelatedParams) -> list[Hit]:
    """Nothing in the sources is about what the claim asserts."""
    best = ctx.best
    if best is not None and best.similarity >= params.threshold:
        return []
    closest = f' The closest source sentence ({best.source_id}, similarity {best.similarity:.2f}) is not about it.' if best else " The pack holds no sources."
    return [Hit({"closest": closest}, None, best, None)]


class MissingSourceParams(Params):
    pass


@kind("attributed_source_missing", MissingSourceParams)
def attributed_source_missing(ctx: RuleContext, params: MissingSourceParams) -> list[Hit]:
    """The claim names a source (author, journal, body, DOI) that is not in the pack."""
    hits = []
    for named in ctx.resolution.missing:
        hits.append(Hit({"named": named.get("text", "")}, (named["start"], named["end"]), ctx.best, None))
    return hits[:1]


class KindParams(Params):
    # Named kind of evidence in the claim -> words a source must hold to be one.
    kinds: dict[str, list[str]]


@kind("evidence_kind_missing", KindParams)
def evidence_kind_missing(ctx: RuleContext, params: KindParams) -> list[Hit]:
    """The claim names a kind of evidence ("clinically proven", "a systematic
    review found") that no source in the pack is."""
    pack_text = " ".join(f"{s.citation} {s.summary}" for s in ctx.index.sources)
    for named, required in params.kinds.items():
        for start, end, word in find_phrases([named], ctx.claim.text):
            if not phrase_pattern(tuple(required)).search(pack_text):
                return [Hit({"kind": word}, (start, end), ctx.best, None)]
    return []


class ContradictionParams(Params):
    failures: list[str]
    min_similarity: float = RELATED


@kind("contradicted", ContradictionParams)
def contradicted(ctx: RuleContext, params: ContradictionParams) -> list[Hit]:
    """The best evidence negates what the claim asserts."""
    if ctx.claim.strength.negated or ctx.claim.level == 0 and not figures(ctx.claim):
        return []
    failures = phrase_pattern(tuple(params.failures))
    claim_tokens = set(ctx.claim.tokens)
    for match in ctx.evidence:
        if match.similarity < params.min_similarity:
            continue
        statement = match.statement
        failure = failures.search(statement.text)
        if failure:
            return [Hit({"evidence_words": failure.group(0), "source": match.source_id},
                        None, match, (failure.start(), failure.end()))]
        for cue in statement.cues:
            if cue.kind != "negation":
                continue
            scope_tokens = set(_tokens_in(statement, cue.scope_start, cue.scope_end))
            shared = scope_tokens & claim_tokens
            if len(shared) >= 1 and not any(c.kind == "negation" for c in ctx.claim.cues):
                return [Hit({"evidence_words": statement.text[cue.start:cue.scope_end].strip(),
                             "source": match.source_id},
                            None, match, (cue.start, cue.scope_end))]
    return []


def _tokens_in(statement, start: int, end: int) -> list[str]:
    return content_tokens(statement.text[start:end])


class DesignParams(Params):
    claimed: list[str]
    strong_in_source: list[str]
    weak_in_source: list[str]


@kind("design_overclaimed", DesignParams)
def design_overclaimed(ctx: RuleContext, params: DesignParams) -> list[Hit]:
    """The claim boasts a study design the sources do not describe."""
    claimed = find_phrases(params.claimed, ctx.claim.text)
    if not claimed:
        return []
    start, end, word = claimed[0]
    pack_text = " ".join(s.summary for s in ctx.index.sources)
    strong = phrase_pattern(tuple(params.strong_in_source))
    weak = phrase_pattern(tuple(params.weak_in_source))
    for sentence in ctx.index.sentences:
        found = strong.search(sentence.text)
        if found and not sentence.statement.negated_at(found.start(), found.end()) and not weak.search(sentence.text):
            return []
    weak_found = weak.search(pack_text)
    if weak_found:
        match = next((m for m in ctx.evidence if weak.search(m.statement.text)), None)
        if match is None:
            sentence = next(s for s in ctx.index.sentences if weak.search(s.text))
            match = Match(sentence, 0.0)
        found = weak.search(match.statement.text)
        return [Hit({"design": word, "source_design": found.group(0), "source": match.source_id},
                    (start, end), match, (found.start(), found.end()))]
    return [Hit({"design": word, "source_design": "no study of that design", "source": ""},
                (start, end), ctx.best, None, level="unsupported")]


class BusinessParams(Params):
    threshold: float = RELATED
    tolerance: float = 0.02


@kind("business_unsubstantiated", BusinessParams)
def business_unsubstantiated(ctx: RuleContext, params: BusinessParams) -> list[Hit]:
    """An own-business fact with no internal data sheet in the pack stating it."""
    if ctx.claim.claim_type != "business":
        return []
    claim_figures = figures(ctx.claim)
    for match in ctx.evidence:
        if match.sentence.source.kind != "internal" or match.similarity < params.threshold:
            continue
        if not claim_figures or all(
            any(same_figure(q, e, params.tolerance) for e in match.statement.quantities) for q in claim_figures
        ):
            return []
    span = (claim_figures[0].start, claim_figures[0].end) if claim_figures else None
    return [Hit({}, span, ctx.best, None)]


class TestimonialParams(Params):
    pass


@kind("testimonial", TestimonialParams)
def testimonial(ctx: RuleContext, params: TestimonialParams) -> list[Hit]:
    """Patient reports offered as proof that a treatment works."""
    if ctx.claim.claim_type != "testimonial":
        return []
    return [Hit({}, None, ctx.best, None)]
