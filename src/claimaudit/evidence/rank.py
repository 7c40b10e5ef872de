"""Rank source sentences against claims: fuzzy text match blended with shared
key terms and shared numbers, and a named source held against first."""

from __future__ import annotations

import hashlib
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Generic, Protocol, SupportsFloat, TypeVar

import regex

from claimaudit.claims.anatomy import NamedSource, Statement, analyse, remembered
from claimaudit.evidence.index import (CitationLookup, SourceIndex, SourceSentence, author_surname, bare_doi,
                                       fold_name, source_year)
from claimaudit.model import Source

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

TOP_K = 3
# (fuzzy, key terms, figures): a claim without figures is scored on the first two.
WEIGHTS_WITH_FIGURES = (0.3, 0.5, 0.2)
WEIGHTS_WITHOUT_FIGURES = (0.4, 0.6, 0.0)
NAMED_SOURCE_BONUS = 0.15
SHORTLIST = 60
# Above this many claim x sentence pairs the scores are computed as numpy
# matrices (rapidfuzz's cdist on every core); below it plain Python is faster
# than importing numpy, which matters for a one-page pre-commit check. Both
# ways add the same float64 values in the same order, so the results are equal.
MATRIX_PAIRS = 20_000
# Claims whose similarity in meaning to the pack is worked out at once (the semantic extra).
MEANING_BLOCK = 1024
MEANING_CELLS = 4_000_000


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
    missing: list[NamedSource] = field(default_factory=list)
    # Citations that fit several sources ("Smith et al. 2020" with two Smith 2020 papers):
    # what the copy says and the ids it could mean, for the reviewer to settle.
    ambiguous: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)


def resolve_attribution(statement: Statement, index: SourceIndex, cited_ids: tuple[str, ...] = ()) -> Resolution:
    """The pack sources a claim names: by a claims table's source column (``cited_ids``: an id, a
    key the pack gives, a DOI, a PubMed id or "Smith 2020") and by the citations in its text
    ("Smith et al. 2020", "(Smith & Jones, 2020)", a DOI, a PMID, "published by the NIH").

    A named source the pack does not hold, or holds without any text, is missing: it backs nothing.
    Given an author and a year, a source with a known year must match it (Smith 2018 does not back
    "Smith et al. 2020"); where several sources fit a citation equally, the claim is held to any of them.
    """
    lookup = index.citations
    resolution = Resolution()
    whole = len(statement.text)
    for given in cited_ids:
        named = NamedSource(start=0, end=whole, text=given)
        found = _named_in_table(given, lookup)
        if found:
            _cite(resolution, found, index, named)
        else:
            # A source the copy cites that the pack does not hold backs nothing.
            resolution.missing.append(named)
    for named in statement.attribution.named_sources:
        hits = _named_in_text(named, index)
        if hits:
            _cite(resolution, hits, index, named)
        elif cited_ids and resolution.cited and not _identifies(named):
            # The claim cites its source explicitly (a claims table's source
            # column); "a study in a journal" then refers to that source.
            continue
        else:
            resolution.missing.append(named)
    return resolution


def _cite(resolution: Resolution, hits: list[Source], index: SourceIndex, named: NamedSource) -> None:
    """Cite the sources a citation resolved to; one that holds no text (a record with no
    abstract) can show nothing, so a citation of only such sources is a missing source too."""
    with_text = [s for s in hits if index.by_source(s.id)]
    if len(hits) > 1:
        resolution.ambiguous.append((named["text"], tuple(dict.fromkeys(s.id for s in hits))))
    for source in with_text or hits:
        if source.id not in resolution.cited:
            resolution.cited.append(source.id)
    if not with_text:
        from claimaudit.ingest.bibliography import no_text_reason

        ids = ", ".join(dict.fromkeys(s.id for s in hits))
        said = named["text"]
        retracted = all(no_text_reason(s).startswith("retracted") for s in hits)
        why = "retracted" if retracted else "the pack holds no text for it"
        text = f"{said}: {why}" if said == ids else f"{said} ({ids}: {why})"
        resolution.missing.append(NamedSource(start=named["start"], end=named["end"], text=text))


_TABLE_PMID = regex.compile(r"(?i)^(?:pmid\s*:?\s*)?(\d{1,9})$")
_TABLE_AUTHOR_YEAR = regex.compile(
    r"^(?P<author>[^\W\d_][\w'\u2019\-]*(?:\s+[^\W\d_][\w'\u2019\-]*)*?)(?:\s+et\s+al\.?)?,?\s*"
    r"\(?(?P<year>(?:19|20)\d\d)(?P<letter>[a-z])?\)?$")


def _named_in_table(given: str, lookup: CitationLookup) -> list[Source]:
    """The sources a claims table's source cell names."""
    given = given.strip()
    if given in lookup.by_id:
        return [lookup.by_id[given]]
    if given.lower() in lookup.by_key:
        return lookup.by_key[given.lower()]
    doi = bare_doi(given)
    if doi.startswith("10.") and doi in lookup.by_doi:
        return lookup.by_doi[doi]
    pmid = _TABLE_PMID.match(given)
    if pmid:
        return lookup.by_pmid.get(pmid.group(1), [])
    author_year = _TABLE_AUTHOR_YEAR.match(given)
    if author_year:
        return _by_author(lookup, author_year.group("author").split()[-1], author_year.group("year"), given,
                          author_year.group("letter") or "")
    return []


def _named_in_text(named: NamedSource, index: SourceIndex) -> list[Source]:
    lookup = index.citations
    if named.get("doi"):
        return lookup.by_doi.get(bare_doi(named["doi"]), [])
    if named.get("pmid"):
        return lookup.by_pmid.get(named["pmid"], [])
    if named.get("author"):
        return _by_author(lookup, named["author"], named.get("year", ""), named["text"], named.get("letter", ""))
    if named.get("org"):
        org_words = {w.lower() for w in named["org"].split() if len(w) > 2}
        for source in index.sources:
            haystack = f"{source.citation} {source.url} {source.id}".lower()
            if org_words and all(w in haystack for w in org_words):
                return [source]
    return []


def _by_author(lookup: CitationLookup, author: str, year: str, said: str, letter: str = "") -> list[Source]:
    """Sources by this first author; given a year, those of that year (or, failing them, those
    whose year is not known), and given a letter ("2020b"), the one whose id or own key carries it;
    given a second author ("Smith & Jones"), those that list them."""
    found = lookup.by_author(author)
    if year:
        found = [s for s in found if source_year(s) == year] or [s for s in found if not source_year(s)]
    if year and letter and len(found) > 1:
        lettered = [s for s in found if any(key.lower().endswith(year + letter) for key in (s.id, *s.keys))]
        found = lettered or found
    second = regex.search(regex.escape(author) + r"\s+(?:and|&)\s+(\p{Lu}[\p{L}'\u2019\-]+)", said)
    if second and found:
        other = fold_name(second.group(1))
        found = [s for s in found if len(s.authors) < 2 or other in _later_authors(s)]
    return found


def _later_authors(source: Source) -> set[str]:
    """The folded surnames of every author after the first, each also by its last word ("Berg")."""
    names = [author_surname(a) for a in source.authors[1:]]
    return {fold_name(n) for name in names for n in (name, name.split()[-1] if name.split() else name)}


def _identifies(named: NamedSource) -> bool:
    """Whether a named source carries an identifier that can be checked."""
    return bool(named.get("doi") or named.get("pmid") or named.get("author"))


def _canon_overlap(claim: Statement, evidence: Statement) -> float | None:
    canon_claim = claim.key_terms()
    if not canon_claim:
        return None
    return len(canon_claim & evidence.key_terms()) / len(canon_claim)


class _ScoreRow(Protocol):
    """One claim's score against every source sentence, by sentence row."""

    def __getitem__(self, row: int, /) -> SupportsFloat: ...


Row = TypeVar("Row", bound=_ScoreRow)


class _Scores(Generic[Row]):
    """Fuzzy and token scores of claims against the pack's sentences, one claim row at a time."""

    def __init__(self, claims: list[Statement], index: SourceIndex) -> None:
        self.index = index
        self.choices = [s.text.lower() for s in index.sentences]
        self.queries = [c.text.lower() for c in claims]

    def fuzzy(self, row: int) -> Row:
        raise NotImplementedError

    def tokens(self, claim: Statement) -> Row:
        raise NotImplementedError

    def shortlist(self, rough: Row) -> list[int]:
        raise NotImplementedError

    def blend(self, a: float, x: Row, b: float, y: Row) -> Row:
        raise NotImplementedError


class _PlainScores(_Scores[Sequence[float]]):
    """Fuzzy and token scores for a small run, in plain Python."""

    def __init__(self, claims: list[Statement], index: SourceIndex) -> None:
        super().__init__(claims, index)
        self._pack_key = ""

    def fuzzy(self, row: int) -> Sequence[float]:
        query = self.queries[row]
        if not self._pack_key:
            self._pack_key = hashlib.sha256("\0".join(self.choices).encode("utf-8", "surrogatepass")).hexdigest()
        # A claim's row against an unchanged pack is taken from the analysis
        # store: re-checking an edited page recomputes only the edited claims.
        return remembered("fuzzy", f"{self._pack_key}\0{query}", lambda: self._fuzzy_row(query))

    def _fuzzy_row(self, query: str) -> "array[float]":
        from rapidfuzz import fuzz  # not needed at all when every row comes from the store

        return array("d", (fuzz.token_set_ratio(query, choice) / 100.0 for choice in self.choices))

    def tokens(self, claim: Statement) -> Sequence[float]:
        """IDF-weighted share of the claim's words that each source sentence holds."""
        scores = [0.0] * len(self.choices)
        total = 0.0
        for token in claim.token_set:
            weight = self.index.idf.get(token, 1.0)
            total += weight
            for j in self.index.postings.get(token, ()):
                scores[j] += weight
        return [score / total for score in scores] if total else scores

    def shortlist(self, rough: Sequence[float]) -> list[int]:
        return sorted(range(len(rough)), key=lambda j: -rough[j])[:SHORTLIST]

    def blend(self, a: float, x: Sequence[float], b: float, y: Sequence[float]) -> Sequence[float]:
        return [a * p + b * q for p, q in zip(x, y)]


class _MatrixScores(_Scores["NDArray[np.float64]"]):
    """The same scores for a large run, as numpy arrays."""

    BLOCK = 1024

    def __init__(self, claims: list[Statement], index: SourceIndex) -> None:
        super().__init__(claims, index)
        self._block: tuple[int, NDArray[np.float64]] | None = None
        # Kept on the index: a site run ranks every page against the same pack.
        self.rows = index.posting_arrays

    def _cdist(self, queries: list[str]) -> NDArray[np.float64]:
        import numpy as np
        from rapidfuzz import fuzz, process

        return process.cdist(queries, self.choices, scorer=fuzz.token_set_ratio, workers=-1,
                             dtype=np.float64) / 100.0

    def fuzzy(self, row: int) -> NDArray[np.float64]:
        # Claims are scored a block at a time, so a whole site against a large
        # pack never holds every claim's row at once.
        number = row // self.BLOCK
        if self._block is None or self._block[0] != number:
            start = number * self.BLOCK
            self._block = (number, self._cdist(self.queries[start:start + self.BLOCK]))
        return self._block[1][row % self.BLOCK]

    def tokens(self, claim: Statement) -> NDArray[np.float64]:
        import numpy as np

        scores = np.zeros(len(self.choices), dtype=np.float64)
        total = 0.0
        for token in claim.token_set:
            weight = self.index.idf.get(token, 1.0)
            total += weight
            if token not in self.rows:
                found = self.index.postings.get(token)
                self.rows[token] = None if found is None else np.asarray(found, dtype=np.int64)
            rows = self.rows[token]
            if rows is not None:
                scores[rows] += weight
        return scores / total if total else scores

    def shortlist(self, rough: NDArray[np.float64]) -> list[int]:
        import numpy as np

        return np.argsort(-rough, kind="stable")[:SHORTLIST].tolist()

    def blend(self, a: float, x: NDArray[np.float64], b: float, y: NDArray[np.float64]) -> NDArray[np.float64]:
        return a * x + b * y


NOT_FIGURES = {"identifier", "year", "duration", "horizon"}


def _figure_keys(statement: Statement) -> set[tuple[str, float]]:
    # Kind and value together: "six months" must not match "6% of patients".
    return {(q.kind, round(q.value, 3)) for q in statement.quantities if q.kind not in NOT_FIGURES}


def _number_overlap(claim: Statement, evidence: Statement) -> float:
    claim_values = _figure_keys(claim)
    if not claim_values:
        return 0.0
    return len(claim_values & _figure_keys(evidence)) / len(claim_values)


def in_source_names(claim: Statement, index: SourceIndex) -> Statement:
    """The claim as the sources would word it: each alias ("FlexiCur") read as
    its first target ("curcumin"), with the words of its other targets added.

    The alias itself is kept only where the pack uses it too, so a product
    name no source mentions does not count against the evidence.
    """
    matcher = index.alias_matcher
    found = matcher.find(claim.text) if matcher is not None else []
    if not found:
        return claim
    from claimaudit.language.terms import content_tokens

    parts: list[str] = []
    last = 0
    extra: list[str] = []
    for start, end, name, _first in found:
        targets = index.aliases.get(name, ())
        parts += [claim.text[last:start], targets[0] if targets else claim.text[start:end]]
        last = end
        for other in targets[1:]:
            extra += content_tokens(other)
        extra += [token for token in content_tokens(name) if token in index.postings]
    parts.append(claim.text[last:])
    named = analyse("".join(parts))
    tokens = list(named.tokens) + [token for token in extra if token not in named.token_set]
    return replace(named, tokens=tokens, claim_type=claim.claim_type, is_claim=claim.is_claim)


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
    if index.aliases:
        claims = [in_source_names(claim, index) for claim in claims]
    if len(claims) * len(index.sentences) > MATRIX_PAIRS:
        return _ranked(_MatrixScores(claims, index), claims, index, resolutions, top_k)
    return _ranked(_PlainScores(claims, index), claims, index, resolutions, top_k)


def _ranked(scores: _Scores[Row], claims: list[Statement], index: SourceIndex,
            resolutions: list[Resolution] | None, top_k: int) -> list[list[Match]]:
    results: list[list[Match]] = []
    meaning: NDArray[np.float64] | None = None
    # A block of claims at a time, fewer against a larger pack: a whole site never
    # holds more than about MEANING_CELLS similarities at once.
    block = max(1, min(MEANING_BLOCK, MEANING_CELLS // max(len(index.sentences), 1)))
    for row, claim in enumerate(claims):
        if index.meaning is not None and row % block == 0:
            meaning = index.similar_in_meaning([c.text for c in claims[row:row + block]])
        cited = set(resolutions[row].cited) if resolutions else set()
        has_figures = bool(_figure_keys(claim))
        w_fuzz, w_terms, w_numbers = WEIGHTS_WITH_FIGURES if has_figures else WEIGHTS_WITHOUT_FIGURES
        fuzzy = scores.fuzzy(row)
        tokens = scores.tokens(claim)
        # A cheap blend picks the shortlist; only it gets the canonical-term and
        # figure comparison.
        shortlist = set(scores.shortlist(scores.blend(w_fuzz, fuzzy, w_terms, tokens)))
        w_meaning = 0.0
        if meaning is not None and index.meaning is not None:
            # Sentences that say the same in other words are weighed too.
            w_meaning = index.meaning.settings.rank_weight
            closest = meaning[row % block].argsort(kind="stable")[::-1][:index.meaning.settings.shortlist]
            shortlist.update(int(j) for j in closest)
        # A source the claim names is always weighed, however it reads.
        for source_id in cited:
            shortlist.update(index.by_source(source_id))
        scored: list[tuple[float, str, int, int]] = []
        for j in sorted(shortlist):
            sentence = index.sentences[j]
            terms = float(tokens[j])
            canon = _canon_overlap(claim, sentence.statement)
            if canon is not None:
                terms = 0.7 * terms + 0.3 * canon
            numbers = _number_overlap(claim, sentence.statement) if w_numbers else 0.0
            similarity = w_fuzz * float(fuzzy[j]) + w_terms * min(terms, 1.0) + w_numbers * numbers
            if meaning is not None:
                similarity = (1.0 - w_meaning) * similarity + w_meaning * float(meaning[row % block, j])
            if sentence.source.id in cited:
                similarity += NAMED_SOURCE_BONUS
            scored.append((-round(min(similarity, 1.0), 4), sentence.source.id, sentence.start, j))
        scored.sort()
        best = [index.sentences[j] for *_, j in scored[:top_k]]
        results.append([Match(sentence, -key[0], sorted(claim.token_set & sentence.statement.token_set))
                        for key, sentence in zip(scored, best)])
    return results
