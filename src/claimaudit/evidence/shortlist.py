"""Candidates before scores: the pack's inverted indexes, and each claim's shortlist of sentences.

Scoring a claim against a sentence in full (the fuzzy text match) costs from
one to ten microseconds; a site against a large pack holds millions of such
pairs. The other parts of the engine's similarity (key words weighed by IDF,
canonical terms, figures) need only the sentences that share something with the
claim, which inverted indexes give at once. Those parts, exactly as the ranking
adds them (their sum is a sentence's *closeness*), choose the sentences that are
scored in full; the fuzzy match can add at most its weight to a closeness, which
lets the ranking stop early (see :func:`claimaudit.evidence.rank.rank_evidence`).
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claimaudit.claims.anatomy import Statement

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

NOT_FIGURES = {"identifier", "year", "duration", "horizon"}
# Above this many sentences the closeness of every sentence is worked out with
# numpy arrays; below it plain Python is faster than importing numpy, which
# matters for a one-page pre-commit check. Which way is taken depends on the
# pack alone, so every batch of a run takes the same way.
ARRAY_SENTENCES = 400


def figure_keys(statement: Statement) -> frozenset[tuple[str, float]]:
    """A statement's figures as compared: kind and value together ("six months" must not match "6% of patients")."""
    return frozenset((q.kind, round(q.value, 3)) for q in statement.quantities if q.kind not in NOT_FIGURES)


@dataclass
class Candidates:
    """The sentences (rows) a claim may be scored against in full: ``leading`` ones in any order (a
    cited source's, the closest in meaning), then ``closest`` ones, closest first; with the claim's
    IDF word share and closeness to any row (0.0 for a row that shares nothing with the claim)."""

    closest: list[int]
    leading: list[int] = field(default_factory=list)
    share: Any = field(default_factory=dict)  # row -> IDF word share: a dict, or a numpy array
    closeness: Any = field(default_factory=dict)  # row -> closeness: a dict, or a numpy array
    # With numpy arrays: the key-term part before its cap, and the share of the claim's figures, by row.
    terms: Any = None
    numbers: Any = None

    def tokens(self, row: int) -> float:
        return float(self.share[row]) if not isinstance(self.share, dict) else self.share.get(row, 0.0)

    def close(self, row: int) -> float:
        if isinstance(self.closeness, dict):
            return self.closeness.get(row, 0.0)
        return float(self.closeness[row])


@dataclass
class InvertedPack:
    """Sentence rows by word, by canonical key term and by figure."""

    size: int
    idf: Mapping[str, float]
    words: Mapping[str, Sequence[int]]
    terms: dict[str, list[int]]
    figures: dict[tuple[str, float], list[int]]
    rows_by_source: Mapping[str, Sequence[int]]
    row_figures: list[frozenset[tuple[str, float]]] = field(default_factory=list)  # each sentence's figure keys
    _arrays: dict[Any, "NDArray[np.int64] | None"] = field(default_factory=dict, repr=False)

    @classmethod
    def build(cls, statements: Sequence[Statement], idf: Mapping[str, float], words: Mapping[str, Sequence[int]],
              rows_by_source: Mapping[str, Sequence[int]]) -> "InvertedPack":
        terms: dict[str, list[int]] = {}
        figures: dict[tuple[str, float], list[int]] = {}
        row_figures = [figure_keys(statement) for statement in statements]
        for row, statement in enumerate(statements):
            for term in sorted(statement.key_terms()):
                terms.setdefault(term, []).append(row)
            for key in sorted(row_figures[row]):
                figures.setdefault(key, []).append(row)
        return cls(len(statements), idf, words, terms, figures, rows_by_source, row_figures)

    def candidates(self, claim: Statement, weights: tuple[float, float, float], cited: Iterable[str],
                   limit: int) -> Candidates:
        """The sentences of every cited source, then the ``limit`` others closest to the claim, closest
        first (ties to the earlier sentence). No closest rows: the claim shares nothing with any sentence."""
        if self.size > ARRAY_SENTENCES:
            found = self._closest_arrays(claim, weights, limit)
        else:
            found = self._closest_plain(claim, weights, limit)
        found.leading = [row for source_id in sorted(set(cited)) for row in self.rows_by_source.get(source_id, ())]
        return found

    def _closest_plain(self, claim: Statement, weights: tuple[float, float, float], limit: int) -> Candidates:
        _, w_terms, w_numbers = weights
        share: dict[int, float] = {}
        total = 0.0
        # In one fixed order, so the sums are the same in every process whatever its hash seed.
        for token in sorted(claim.token_set):
            weight = self.idf.get(token, 1.0)
            total += weight
            for row in self.words.get(token, ()):
                share[row] = share.get(row, 0.0) + weight
        if total:
            share = {row: value / total for row, value in share.items()}
        key_terms = claim.key_terms()
        canon: dict[int, int] = {}
        for term in key_terms:
            for row in self.terms.get(term, ()):
                canon[row] = canon.get(row, 0) + 1
        claim_figures = figure_keys(claim) if w_numbers else frozenset()
        numbers: dict[int, int] = {}
        for key in claim_figures:
            for row in self.figures.get(key, ()):
                numbers[row] = numbers.get(row, 0) + 1
        closeness: dict[int, float] = {}
        for row in share.keys() | canon.keys() | numbers.keys():
            terms = share.get(row, 0.0)
            if key_terms:
                terms = 0.7 * terms + 0.3 * (canon.get(row, 0) / len(key_terms))
            value = w_terms * min(terms, 1.0)
            if claim_figures:
                value += w_numbers * (numbers.get(row, 0) / len(claim_figures))
            closeness[row] = value
        chosen = heapq.nsmallest(limit, closeness, key=lambda row: (-closeness[row], row))
        return Candidates(chosen, share=share, closeness=closeness)

    def _rows(self, kind: str, key: Any) -> "NDArray[np.int64] | None":
        """The rows holding a word (kind "w"), a key term ("t") or a figure ("f"), as an array."""
        if (kind, key) not in self._arrays:
            import numpy as np

            table: Mapping[Any, Sequence[int]] = (self.words if kind == "w" else self.terms if kind == "t"
                                                  else self.figures)
            found = table.get(key)
            self._arrays[kind, key] = None if not found else np.asarray(found, dtype=np.int64)
        return self._arrays[kind, key]

    def _closest_arrays(self, claim: Statement, weights: tuple[float, float, float], limit: int) -> Candidates:
        import numpy as np

        _, w_terms, w_numbers = weights
        share = np.zeros(self.size, dtype=np.float64)
        total = 0.0
        for token in sorted(claim.token_set):
            weight = self.idf.get(token, 1.0)
            total += weight
            rows = self._rows("w", token)
            if rows is not None:
                share[rows] += weight
        if total:
            share /= total
        key_terms = claim.key_terms()
        terms = share
        if key_terms:
            canon = np.zeros(self.size, dtype=np.float64)
            for term in key_terms:
                rows = self._rows("t", term)
                if rows is not None:
                    canon[rows] += 1.0
            terms = 0.7 * share + 0.3 * (canon / len(key_terms))
        claim_figures = figure_keys(claim) if w_numbers else frozenset()
        numbers = np.zeros(self.size, dtype=np.float64)
        if claim_figures:
            for key in claim_figures:
                rows = self._rows("f", key)
                if rows is not None:
                    numbers[rows] += 1.0
            numbers /= len(claim_figures)
        closeness = w_terms * np.minimum(terms, 1.0)
        if claim_figures:
            closeness = closeness + w_numbers * numbers
        positive = np.flatnonzero(closeness > 0.0)
        if len(positive) > limit:
            # The limit-th closeness; every row above it, then the earliest rows at it.
            cut = np.partition(closeness[positive], len(positive) - limit)[len(positive) - limit]
            above = positive[closeness[positive] > cut]
            level = positive[closeness[positive] == cut][:limit - len(above)]
            positive = np.concatenate([above, level])
        order = np.lexsort((positive, -closeness[positive]))
        return Candidates(positive[order].tolist(), share=share, closeness=closeness, terms=terms, numbers=numbers)
