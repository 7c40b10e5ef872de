"""Rank source sentences against claims: fuzzy text match blended with shared
key terms and shared numbers, and a named source held against first."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz, process

from claimaudit.claims.anatomy import Statement
from claimaudit.evidence.index import SourceIndex, SourceSentence, citation_surnames

TOP_K = 3
# (fuzzy, key terms, figures): a claim without figures is scored on the first two.
WEIGHTS_WITH_FIGURES = (0.3, 0.5, 0.2)
WEIGHTS_WITHOUT_FIGURES = (0.4, 0.6, 0.0)
NAMED_SOURCE_BONUS = 0.15
SHORTLIST = 60


@dataclass
class Match:
    sentence: SourceSentence
    similarity: float
    shared_terms: list[str] = field(default_factory=list)

    @property
    def statement(self) -> Statement:
        return self.sentence.statement

    @property
    def source_id(self) -> str:
        return self.sentence.source.id


@dataclass
class Resolution:
    """Which pack sources a claim names, and which named sources are missing."""

    cited: list[str] = field(default_factory=list)
    missing: list[dict] = field(default_factory=list)


def resolve_attribution(statement: Statement, index: SourceIndex, cited_ids: tuple[str, ...] = ()) -> Resolution:
    resolution = Resolution(cited=[i for i in cited_ids if index.source(i)])
    for named in statement.attribution.named_sources:
        hit = None
        for source in index.sources:
            if named.get("doi") and named["doi"].lower().rstrip(".") == (source.doi or "").lower():
                hit = source
            elif named.get("pmid") and named["pmid"] == str(source.pmid or ""):
                hit = source
            elif named.get("author"):
                author = named["author"].lower()
                if any(author == s.lower() or author.startswith(s.lower()) for s in citation_surnames(source)):
                    hit = source
            elif named.get("org"):
                org_words = {w.lower() for w in named["org"].split() if len(w) > 2}
                haystack = f"{source.citation} {source.url} {source.id}".lower()
                if org_words and all(w in haystack for w in org_words):
                    hit = source
            if hit:
                break
        if hit:
            if hit.id not in resolution.cited:
                resolution.cited.append(hit.id)
        elif cited_ids and resolution.cited and not _identifies(named):
            # The claim cites its source explicitly (a claims table's source
            # column); "a study in a journal" then refers to that source.
            continue
        else:
            resolution.missing.append(named)
    return resolution


def _identifies(named: dict) -> bool:
    """Whether a named source carries an identifier that can be checked."""
    return bool(named.get("doi") or named.get("pmid") or named.get("author"))


def _canon_overlap(claim: Statement, evidence: Statement) -> float | None:
    canon_claim = claim.key_terms()
    if not canon_claim:
        return None
    return len(canon_claim & evidence.key_terms()) / len(canon_claim)


def _token_scores(claim: Statement, index: SourceIndex) -> np.ndarray:
    """IDF-weighted share of the claim's words that each source sentence holds."""
    scores = np.zeros(len(index.sentences), dtype=np.float32)
    total = 0.0
    for token in claim.token_set:
        weight = index.idf.get(token, 1.0)
        total += weight
        rows = index.posting_rows(token)
        if rows is not None:
            scores[rows] += weight
    return scores / total if total else scores


NOT_FIGURES = {"identifier", "year", "duration", "horizon"}


def _figure_keys(statement: Statement) -> set[tuple[str, float]]:
    # Kind and value together: "six months" must not match "6% of patients".
    return {(q.kind, round(q.value, 3)) for q in statement.quantities if q.kind not in NOT_FIGURES}


def _number_overlap(claim: Statement, evidence: Statement) -> float:
    claim_values = _figure_keys(claim)
    if not claim_values:
        return 0.0
    return len(claim_values & _figure_keys(evidence)) / len(claim_values)


def rank_evidence(
    claims: list[Statement],
    index: SourceIndex,
    resolutions: list[Resolution] | None = None,
    top_k: int = TOP_K,
) -> list[list[Match]]:
    """For each claim, its best ``top_k`` source sentences, best first."""
    if not claims:
        return []
    if not index.sentences:
        return [[] for _ in claims]
    fuzzy = process.cdist(
        [c.text.lower() for c in claims],
        [s.text.lower() for s in index.sentences],
        scorer=fuzz.token_set_ratio,
        workers=-1,
        dtype=np.float32,
    ) / 100.0
    results: list[list[Match]] = []
    for row, claim in enumerate(claims):
        cited = set(resolutions[row].cited) if resolutions else set()
        has_figures = bool(_figure_keys(claim))
        w_fuzz, w_terms, w_numbers = WEIGHTS_WITH_FIGURES if has_figures else WEIGHTS_WITHOUT_FIGURES
        tokens = _token_scores(claim, index)
        # A cheap blend picks the shortlist; only it gets the canonical-term and
        # figure comparison.
        rough = w_fuzz * fuzzy[row] + w_terms * tokens
        shortlist = set(np.argsort(-rough, kind="stable")[:SHORTLIST].tolist())
        # A source the claim names is always weighed, however it reads.
        for source_id in cited:
            shortlist.update(index.by_source(source_id))
        scored: list[Match] = []
        for j in sorted(shortlist):
            sentence = index.sentences[j]
            terms = float(tokens[j])
            canon = _canon_overlap(claim, sentence.statement)
            if canon is not None:
                terms = 0.7 * terms + 0.3 * canon
            numbers = _number_overlap(claim, sentence.statement) if w_numbers else 0.0
            similarity = w_fuzz * float(fuzzy[row, j]) + w_terms * min(terms, 1.0) + w_numbers * numbers
            if sentence.source.id in cited:
                similarity += NAMED_SOURCE_BONUS
            shared = sorted(claim.token_set & sentence.statement.token_set)
            scored.append(Match(sentence, round(min(similarity, 1.0), 4), shared))
        scored.sort(key=lambda m: (-m.similarity, m.sentence.source.id, m.sentence.start))
        results.append(scored[:top_k])
    return results
