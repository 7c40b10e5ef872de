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


def _term_overlap(claim: Statement, evidence: Statement, idf: dict[str, float]) -> tuple[float, list[str]]:
    claim_tokens = set(claim.tokens)
    if not claim_tokens:
        return 0.0, []
    shared = claim_tokens & set(evidence.tokens)
    weight = lambda toks: sum(idf.get(t, 1.0) for t in toks)  # noqa: E731
    score = weight(shared) / max(weight(claim_tokens), 1e-9)
    canon_claim = set()
    canon_evidence = set()
    for category in ("interventions", "conditions", "outcomes", "populations"):
        canon_claim |= claim.canon(category)
        canon_evidence |= evidence.canon(category)
    if canon_claim:
        score = 0.7 * score + 0.3 * (len(canon_claim & canon_evidence) / len(canon_claim))
    return min(score, 1.0), sorted(shared)


def _number_overlap(claim: Statement, evidence: Statement) -> float:
    claim_values = {round(q.value, 3) for q in claim.quantities if q.kind not in {"identifier"}}
    if not claim_values:
        return 0.0
    evidence_values = {round(q.value, 3) for q in evidence.quantities}
    return len(claim_values & evidence_values) / len(claim_values)


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
        candidate_rows = np.argsort(-fuzzy[row], kind="stable")[: max(60, top_k * 10)]
        # Shared key terms matter more than surface overlap, so score a wide
        # fuzzy shortlist with the full blend.
        term_rows = _term_shortlist(claim, index)
        has_figures = any(q.kind not in {"identifier"} for q in claim.quantities)
        w_fuzz, w_terms, w_numbers = WEIGHTS_WITH_FIGURES if has_figures else WEIGHTS_WITHOUT_FIGURES
        scored: list[Match] = []
        for j in sorted(set(candidate_rows.tolist()) | term_rows):
            sentence = index.sentences[j]
            terms, shared = _term_overlap(claim, sentence.statement, index.idf)
            numbers = _number_overlap(claim, sentence.statement)
            similarity = w_fuzz * float(fuzzy[row, j]) + w_terms * terms + w_numbers * numbers
            if sentence.source.id in cited:
                similarity += NAMED_SOURCE_BONUS
            scored.append(Match(sentence, round(min(similarity, 1.0), 4), shared))
        scored.sort(key=lambda m: (-m.similarity, m.sentence.source.id, m.sentence.start))
        results.append(scored[:top_k])
    return results


def _term_shortlist(claim: Statement, index: SourceIndex, limit: int = 200) -> set[int]:
    """Sentences sharing the claim's rarest key terms, via the postings lists."""
    tokens = sorted(set(claim.tokens), key=lambda t: -index.idf.get(t, 0.0))
    rows: set[int] = set()
    for token in tokens[:6]:
        rows.update(index.postings.get(token, [])[:limit])
    return rows
