"""Rank source sentences against claims: fuzzy text match blended with shared
key terms and shared numbers, and a named source held against first."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

import regex

from claimaudit.claims.anatomy import NamedSource, Statement, analyse
from claimaudit.evidence.index import (CitationLookup, SourceIndex, SourceSentence, author_surname, bare_doi,
                                       fold_name, source_year)
from claimaudit.evidence.shortlist import NOT_FIGURES, Candidates, figure_keys
from claimaudit.model import Source

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

TOP_K = 3
# (fuzzy, key terms, figures): a claim without figures is scored on the first two.
WEIGHTS_WITH_FIGURES = (0.3, 0.5, 0.2)
WEIGHTS_WITHOUT_FIGURES = (0.4, 0.6, 0.0)
NAMED_SOURCE_BONUS = 0.15
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


def _number_overlap(claim_values: frozenset[tuple[str, float]], evidence: frozenset[tuple[str, float]]) -> float:
    if not claim_values:
        return 0.0
    return len(claim_values & evidence) / len(claim_values)


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
    """For each claim, its best ``top_k`` source sentences, best first.

    Candidates before scores: every sentence gets the cheap, exact part of the
    engine's own similarity (key words weighed by IDF, canonical terms, figures,
    the cited source's bonus) from the pack's inverted indexes; only the best
    ``CANDIDATES`` of those, every sentence of a source the claim names, and (with
    the semantic extra) the closest in meaning are scored in full with the fuzzy
    text match. In a pack larger than that, a sentence that shares no word, key
    term or figure with the claim is never its evidence: it cannot show any part
    of what the claim says.
    """
    if not claims:
        return []
    if not index.sentences:
        return [[] for _ in claims]
    if index.aliases:
        claims = [in_source_names(claim, index) for claim in claims]
    pack = index.inverted
    results: list[list[Match]] = []
    meaning: NDArray[np.float64] | None = None
    # A block of claims at a time, fewer against a larger pack: a whole site never
    # holds more than about MEANING_CELLS similarities at once.
    block = max(1, min(MEANING_BLOCK, MEANING_CELLS // max(len(index.sentences), 1)))
    for row, claim in enumerate(claims):
        if index.meaning is not None and row % block == 0:
            meaning = index.similar_in_meaning([c.text for c in claims[row:row + block]])
        cited = set(resolutions[row].cited) if resolutions else set()
        weights = WEIGHTS_WITH_FIGURES if any(q.kind not in NOT_FIGURES for q in claim.quantities) \
            else WEIGHTS_WITHOUT_FIGURES
        candidates = pack.candidates(claim, weights, cited, CANDIDATES)
        if len(index.sentences) <= CANDIDATES:
            # A pack this small is scored whole, as every sentence could be scored in full anyway.
            candidates.leading.extend(range(len(index.sentences)))
        w_meaning = 0.0
        meaning_row: NDArray[np.float64] | None = None
        if meaning is not None and index.meaning is not None:
            # Sentences that say the same in other words are weighed too.
            w_meaning = index.meaning.settings.rank_weight
            meaning_row = meaning[row % block]
            closest = meaning_row.argsort(kind="stable")[::-1][:index.meaning.settings.shortlist]
            candidates.leading.extend(int(j) for j in closest)
        best = _best if candidates.terms is None else _best_by_arrays
        results.append(best(claim, index, candidates, cited, weights, meaning_row, w_meaning, top_k))
    return results


# Sentences per claim scored in full: the ones whose words, terms and figures come closest.
CANDIDATES = 200


def _best(claim: Statement, index: SourceIndex, candidates: Candidates, cited: set[str],
          weights: tuple[float, float, float], meaning: NDArray[np.float64] | None, w_meaning: float,
          top_k: int) -> list[Match]:
    from rapidfuzz import fuzz

    w_fuzz, w_terms, w_numbers = weights
    query = claim.text.lower()
    claim_figures = figure_keys(claim)
    row_figures = index.inverted.row_figures
    # A sentence whose closeness plus the most the fuzzy match can add stays below the bar
    # cannot enter the best, and is not scored in full.
    best = _Best(top_k)
    done: set[int] = set()
    # Cited sentences (with their bonus) and those close in meaning come first; then the closest
    # by words, terms and figures, in order: once even a perfect fuzzy match could not lift the
    # next one to the bar, no later one can reach it either.
    ceiling = 1.0 if meaning is None else float(meaning.max(initial=0.0))
    leading = len(candidates.leading)
    for position, j in enumerate(candidates.leading + candidates.closest):
        if j in done:
            continue
        done.add(j)
        sentence = index.sentences[j]
        bonus = NAMED_SOURCE_BONUS if sentence.source.id in cited else 0.0
        if best.full:
            bound = candidates.close(j) + w_fuzz
            if meaning is not None:
                bound = (1.0 - w_meaning) * bound + w_meaning * (float(meaning[j]) if position < leading
                                                                 else ceiling)
            # (A hair above: the similarity adds the same parts in another order.)
            if round(min(bound + bonus + 1e-9, 1.0), 4) < best.bar:
                if position >= leading:
                    break
                continue
        fuzzy = fuzz.token_set_ratio(query, index.lowered[j]) / 100.0
        terms = candidates.tokens(j)
        canon = _canon_overlap(claim, sentence.statement)
        if canon is not None:
            terms = 0.7 * terms + 0.3 * canon
        numbers = _number_overlap(claim_figures, row_figures[j]) if w_numbers else 0.0
        similarity = w_fuzz * fuzzy + w_terms * min(terms, 1.0) + w_numbers * numbers
        if meaning is not None:
            similarity = (1.0 - w_meaning) * similarity + w_meaning * float(meaning[j])
        similarity += bonus
        best.add(similarity, sentence, j)
    return best.matches(claim)


# Sentences scored in full at a time, closest first, between checks of whether any later one could still enter.
SCORED_AT_ONCE = 40


def _best_by_arrays(claim: Statement, index: SourceIndex, candidates: Candidates, cited: set[str],
                    weights: tuple[float, float, float], meaning: NDArray[np.float64] | None, w_meaning: float,
                    top_k: int) -> list[Match]:
    """:func:`_best` for a large pack, on numpy arrays: the same similarities, float for float."""
    import numpy as np
    from rapidfuzz import fuzz, process

    w_fuzz, w_terms, w_numbers = weights
    rows = np.fromiter(dict.fromkeys(candidates.leading + candidates.closest), dtype=np.int64)
    bonus = np.zeros(len(rows), dtype=np.float64)
    if cited:
        bonus[[index.sentences[j].source.id in cited for j in rows.tolist()]] = NAMED_SOURCE_BONUS
    # The most each sentence could reach: its closeness with a perfect fuzzy match.
    bound = candidates.closeness[rows] + w_fuzz
    if meaning is not None:
        bound = (1.0 - w_meaning) * bound + w_meaning * meaning[rows]
    bound = bound + bonus
    order = np.lexsort((np.arange(len(rows)), -bound))
    rows, bonus, bound = rows[order], bonus[order], bound[order]
    query = claim.text.lower()
    lowered = index.lowered
    best = _Best(top_k)
    for start in range(0, len(rows), SCORED_AT_ONCE):
        if best.full and round(min(float(bound[start]) + 1e-9, 1.0), 4) < best.bar:
            break
        chunk = rows[start:start + SCORED_AT_ONCE]
        fuzzy = process.cdist([query], [lowered[j] for j in chunk.tolist()], scorer=fuzz.token_set_ratio,
                              dtype=np.float64, workers=1)[0] / 100.0
        similarity = w_fuzz * fuzzy + w_terms * np.minimum(candidates.terms[chunk], 1.0) \
            + w_numbers * candidates.numbers[chunk]
        if meaning is not None:
            similarity = (1.0 - w_meaning) * similarity + w_meaning * meaning[chunk]
        similarity = similarity + bonus[start:start + SCORED_AT_ONCE]
        if best.full:
            # Below the bar by more than rounding can close: cannot enter.
            keep = similarity >= best.bar - 0.0001
            chunk, similarity = chunk[keep], similarity[keep]
        for j, value in zip(chunk.tolist(), similarity.tolist()):
            best.add(value, index.sentences[j], j)
    return best.matches(claim)


class _Best:
    """The best ``top_k`` sentences scored so far, and the bar: the rounded similarity the last of them holds
    (-1 until there are ``top_k``). Ties go to the source id, then the earlier sentence."""

    def __init__(self, top_k: int) -> None:
        self.top_k = top_k
        self.scored: list[tuple[float, str, int, int, SourceSentence]] = []
        self.bar = -1.0

    @property
    def full(self) -> bool:
        return len(self.scored) >= self.top_k

    def add(self, similarity: float, sentence: SourceSentence, row: int) -> None:
        self.scored.append((-round(min(similarity, 1.0), 4), sentence.source.id, sentence.start, row, sentence))
        if self.full:
            self.scored.sort(key=lambda entry: entry[:4])
            del self.scored[self.top_k:]
            self.bar = -self.scored[-1][0]

    def matches(self, claim: Statement) -> list[Match]:
        self.scored.sort(key=lambda entry: entry[:4])
        return [Match(sentence, -key, sorted(claim.token_set & sentence.statement.token_set))
                for key, *_, sentence in self.scored[:self.top_k]]
