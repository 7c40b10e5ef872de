"""Comparisons about what backs a claim: the sources it names, the kind of
evidence it invokes, contradicting evidence, study design, own-business facts
and testimonials."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import regex

from claimaudit.claims.anatomy import remembered
from claimaudit.evidence.index import SourceSentence
from claimaudit.evidence.rank import Match
from claimaudit.language import Quantity, content_tokens, split_clauses
from claimaudit.rules.context import Hit, RuleContext
from claimaudit.rules.kinds.common import figures, find_phrases, phrase_pattern, same_figure

if TYPE_CHECKING:
    from claimaudit.rules.kinds.conditional import ConditionalParams
    from claimaudit.rules.kinds.elements import AbsentParams, ContradictedParams, StrongerParams


def attributed_source_missing(ctx: RuleContext, params: AbsentParams) -> list[Hit]:
    """The claim names a source (author, journal, body, DOI) that is not in the pack."""
    hits = []
    for named in ctx.resolution.missing:
        hits.append(Hit({"named": named.get("text", "")}, (named["start"], named["end"]), ctx.best, None))
    return hits[:1]


def evidence_kind_missing(ctx: RuleContext, params: ConditionalParams) -> list[Hit]:
    """The claim names a kind of evidence ("clinically proven", "a systematic
    review found") that no source in the pack is."""
    pack_text = ctx.index.pack_text
    for named, required in params.pack_words.items():
        for start, end, word in find_phrases([named], ctx.claim.text):
            if not phrase_pattern(tuple(required)).search(pack_text):
                return [Hit({"kind": word}, (start, end), ctx.best, None)]
    return []


# The default of `opposites` for element_contradicted's `finding`: kept with the code that reads it.
OPPOSITES: list[list[list[str]]] = [
    [["increase", "increases", "increased", "increasing", "raise", "raises", "raised", "rise", "rises", "rose"],
     ["decrease", "decreases", "decreased", "decreasing", "reduce", "reduces", "reduced", "lower", "lowers",
      "lowered", "fall", "falls", "fell", "decline", "declines", "declined"]],
    [["higher"], ["lower"]],
    [["more", "greater"], ["less", "fewer"]],
    [["larger", "bigger"], ["smaller"]],
    [["longer"], ["shorter"]],
    [["faster", "quicker"], ["slower"]],
    [["better"], ["worse"]],
    [["improve", "improves", "improved"], ["worsen", "worsens", "worsened"]],
    [["most"], ["least"]],
    [["positive", "positively"], ["negative", "negatively"]],
    [["beneficial", "benefit", "benefits"], ["harmful", "harm", "harms"]],
    [["effective", "efficacious", "efficient"], ["ineffective", "inefficient"]],
    [["safe"], ["unsafe", "dangerous"]],
    [["strong", "stronger"], ["weak", "weaker"]],
]


@lru_cache(maxsize=16384)
def _split_once(text: str) -> tuple[tuple[int, int], ...]:
    # The same source sentences are weighed against every claim of a run.
    return tuple(remembered("clauses", text, lambda: split_clauses(text)) or [(0, len(text))])


def _clauses(statement) -> list[tuple[int, int]]:
    # Source sentences recur run after run; their clauses are kept like their analyses.
    return list(_split_once(statement.text))


def _best_clause(claim_tokens: set[str], statement) -> tuple[int, int]:
    """The clause of an evidence sentence that is about the claim."""
    def shared(span):
        return len(set(content_tokens(statement.text[span[0]:span[1]])) & claim_tokens)
    return max(_clauses(statement), key=lambda span: (shared(span), -span[0]))


QUANTITY_WORDS = regex.compile(r"\b(?:more|less|fewer)\s+than\b|\bat\s+(?:least|most)\b|\bno\s+more\b", regex.IGNORECASE)


def _words(text: str) -> set[str]:
    """Direction-bearing words, leaving out those that qualify a figure ("more than 1,000")."""
    return {w.lower() for w in regex.findall(r"[\p{L}]+", QUANTITY_WORDS.sub(" ", text))}


def _flipped(claim_text: str, clause: str, params: ContradictedParams) -> tuple[str, str] | None:
    """A direction word in the claim whose opposite stands in the evidence instead."""
    claim_words, clause_words = _words(claim_text), _words(clause)
    for up, down in params.opposites:
        for mine, theirs in ((set(up), set(down)), (set(down), set(up))):
            said = claim_words & mine
            if said and not (clause_words & mine) and clause_words & theirs and not (claim_words & theirs):
                return sorted(said)[0], sorted(clause_words & theirs)[0]
    return None


def _negated_claim_hit(ctx: RuleContext, params: ContradictedParams) -> list[Hit]:
    """The claim denies what the evidence about it affirms ("showed no
    symptoms" against "were mainly troubled with fatigue")."""
    negations = [c for c in ctx.claim.cues if c.kind == "negation" and not find_phrases(params.not_results, c.text)]
    if not negations:
        return []
    cue = negations[0]
    scope = set(content_tokens(ctx.claim.text[cue.scope_start:cue.scope_end]))
    claim_tokens = set(ctx.claim.tokens)
    best = None
    for match in ctx.evidence:
        if match.similarity < params.min_similarity:
            continue
        start, end = _best_clause(claim_tokens, match.statement)
        clause_tokens = set(content_tokens(match.statement.text[start:end]))
        shared = len(scope & clause_tokens)
        negated_there = any(c.kind == "negation" and start <= c.start < end for c in match.statement.cues)
        if negated_there and shared:
            return []  # a source denies it too
        if shared >= params.min_shared and (best is None or shared > best[0]):
            best = (shared, match, start, end)
    if best is None:
        return []
    _, match, start, end = best
    return [Hit({"evidence_words": match.statement.text[start:end].strip(), "source": match.source_id},
                (cue.start, cue.scope_end), match, (start, end))]


def contradicted(ctx: RuleContext, params: ContradictedParams) -> list[Hit]:
    """The evidence about the claim negates it: a failed endpoint, a negated
    effect, a finding in the opposite direction, or no difference where the
    claim says better; or the claim denies what the evidence affirms.

    The contradiction comes from the best evidence: a sentence the alignment
    sets aside (another study, less like the claim than the one that covers
    it) contradicts nothing."""
    hits = _contradicted(ctx, params)
    allowed = ctx.alignment.contestable([h.evidence for h in hits if h.evidence is not None])
    return [h for h in hits if h.evidence is None or h.evidence in allowed]


def _contradicted(ctx: RuleContext, params: ContradictedParams) -> list[Hit]:
    """:func:`contradicted` against every ranked sentence."""
    if ctx.claim.strength.negated or any(c.kind == "negation" for c in ctx.claim.cues):
        return _negated_claim_hit(ctx, params)
    if ctx.claim.level == 0 and not figures(ctx.claim) and not find_phrases(params.superiority, ctx.claim.text):
        return []
    failures = phrase_pattern(tuple(params.failures))
    no_difference = phrase_pattern(tuple(params.no_difference))
    superior = find_phrases(params.superiority, ctx.claim.text)
    claim_tokens = set(ctx.claim.tokens)
    top = ctx.evidence[0].similarity if ctx.evidence else 0.0
    for match in ctx.evidence:
        if match.similarity < params.min_similarity:
            continue
        statement = match.statement
        start, end = _best_clause(claim_tokens, statement)
        clause = statement.text[start:end]
        if superior:
            found = no_difference.search(statement.text)
            if found:
                return [Hit({"evidence_words": found.group(0), "source": match.source_id},
                            (superior[0][0], superior[0][1]), match, (found.start(), found.end()))]
        flip = _flipped(ctx.claim.text, clause, params) if match.similarity >= top - params.flip_margin else None
        if flip and len(set(content_tokens(clause)) & claim_tokens) >= params.min_shared_for_flip:
            word = regex.search(r"\b" + regex.escape(flip[1]) + r"\b", clause, regex.IGNORECASE)
            mine = regex.search(r"\b" + regex.escape(flip[0]) + r"\b", ctx.claim.text, regex.IGNORECASE)
            return [Hit({"evidence_words": flip[1], "source": match.source_id},
                        (mine.start(), mine.end()) if mine else None, match,
                        (start + word.start(), start + word.end()) if word else (start, end))]
        failure = failures.search(clause)
        if failure:
            return [Hit({"evidence_words": failure.group(0), "source": match.source_id},
                        None, match, (start + failure.start(), start + failure.end()))]
        for cue in statement.cues:
            if cue.kind != "negation" or not (start <= cue.start < end):
                continue
            if find_phrases(params.not_results, cue.text):
                continue
            scope_tokens = set(_tokens_in(statement, cue.scope_start, min(cue.scope_end, end)))
            if len(scope_tokens & claim_tokens) >= params.min_shared:
                return [Hit({"evidence_words": statement.text[cue.start:min(cue.scope_end, end)].strip(),
                             "source": match.source_id},
                            None, match, (cue.start, min(cue.scope_end, end)))]
    return []


def _tokens_in(statement, start: int, end: int) -> list[str]:
    return content_tokens(statement.text[start:end])


def design_overclaimed(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """The claim boasts a study design the sources do not describe."""
    claimed = find_phrases(params.claimed, ctx.claim.text)
    if not claimed:
        return []
    start, end, word = claimed[0]
    undersized = _undersized(ctx, params)
    if undersized:
        return [undersized]
    index = ctx.index
    strong = phrase_pattern(tuple(params.strong_in_source))
    weak = phrase_pattern(tuple(params.weak_in_source))
    for row in index.rows_matching(strong):
        sentence = index.sentences[row]
        found = strong.search(sentence.text)
        if found and not sentence.statement.negated_at(found.start(), found.end()) and not weak.search(sentence.text):
            return []
    weak_found = index.pack_fact(("summaries search", weak.pattern, weak.flags),
                                 lambda: bool(weak.search(" ".join(s.summary for s in index.sources))))
    if weak_found:
        match = next((m for m in ctx.evidence if weak.search(m.statement.text)), None)
        if match is None:
            rows = index.rows_matching(weak)
            # A phrase found only across two summaries names no sentence to quote.
            match = Match(index.sentences[rows[0]], 0.0) if rows else None
        found = weak.search(match.statement.text) if match is not None else None
        if match is not None and found is not None:
            return [Hit({"design": word, "source_design": found.group(0), "source": match.source_id},
                        (start, end), match, (found.start(), found.end()))]
    return [Hit({"design": word, "source_design": "no study of that design", "source": ""},
                (start, end), ctx.best, None, level="unsupported")]


def _undersized(ctx: RuleContext, params: StrongerParams) -> Hit | None:
    """A size the claim gives its evidence ("large", "thousands of") that no study in the pack reaches."""
    sizes = find_phrases(list(params.sizes), ctx.claim.text)
    if not sizes:
        return None
    limits = {word: params.sizes.get(" ".join(word.lower().split()), 0.0) for _, _, word in sizes}
    word = max(limits, key=lambda w: limits[w])
    start, end = next((a, b) for a, b, w in sizes if w == word)
    needed = limits[word]
    people = frozenset(p.lower() for p in params.participants)
    largest = ctx.index.pack_fact(("largest study", people), lambda: _largest_study(ctx.index.sentences, people))
    if largest is None or largest[0] >= needed:
        return None
    size, sentence, quantity = largest
    match = next((m for m in ctx.evidence if m.sentence is sentence), Match(sentence, 0.0))
    return Hit({"design": word, "source_design": f"{quantity.text} at most", "source": sentence.source.id},
               (start, end), match, (quantity.start, quantity.end))


def _largest_study(pack: list[SourceSentence], people: frozenset[str]) -> tuple[float, SourceSentence, Quantity] | None:
    """The largest count of people any sentence of the pack gives: its size, sentence and figure."""
    largest: tuple[float, SourceSentence, Quantity] | None = None
    for sentence in pack:
        for quantity in sentence.statement.quantities:
            # "62 women", and "84 office workers" whose unit reads "office"
            following = regex.findall(r"[\p{L}-]+", sentence.text[quantity.end:quantity.end + 40])[:2]
            if not people & {w.lower() for w in [quantity.unit, *following]}:
                continue
            size = quantity.denominator if quantity.kind == "ratio" and quantity.denominator else quantity.value
            if quantity.kind in ("count", "ratio") and (largest is None or size > largest[0]):
                largest = (size, sentence, quantity)
    return largest


def business_unsubstantiated(ctx: RuleContext, params: ConditionalParams) -> list[Hit]:
    """An own-business fact with no internal data sheet in the pack stating it."""
    claim_figures = figures(ctx.claim)
    for match in ctx.evidence:
        if match.sentence.source.kind != "internal" or match.similarity < params.min_similarity:
            continue
        if not claim_figures or all(
            any(same_figure(q, e, params.tolerance) for e in match.statement.quantities) for q in claim_figures
        ):
            return []
    span = (claim_figures[0].start, claim_figures[0].end) if claim_figures else None
    return [Hit({}, span, ctx.best, None)]


def testimonial(ctx: RuleContext, params: ConditionalParams) -> list[Hit]:
    """Patient reports offered as proof that a treatment works."""
    survey = phrase_pattern(tuple(params.survey_words))
    claim_figures = figures(ctx.claim)
    for match in ctx.related:
        if claim_figures and survey.search(match.statement.text) and all(
            any(same_figure(q, e, params.tolerance) for e in match.statement.quantities) for q in claim_figures
        ):
            return []
    outcomes = ctx.claim.canon("outcomes") - {"adverse_events"}
    measured = outcomes & ctx.index.pack_canon("outcomes")
    related = ctx.related_or_best(params.related_similarity)
    if related or measured:
        best = related[0] if related else ctx.best
        return [Hit({"what": "goes beyond what the studies measured"}, None, best, None, level="overstated")]
    return [Hit({"what": "rests on nothing the sources measured"}, None, ctx.best, None)]
