"""The source pack cut into analysed sentences, ready to be ranked against claims."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, TypeVar

import regex

from claimaudit.claims.anatomy import Statement, analyse, sentences
from claimaudit.evidence.aliases import AliasMatcher, alias_matcher
from claimaudit.model import Source

if TYPE_CHECKING:
    import numpy as np

    from claimaudit.evidence.shortlist import InvertedPack
    from numpy.typing import NDArray

    from claimaudit.evidence.meaning import Meaning

T = TypeVar("T")

SURNAME = regex.compile(r"^\s*(?P<name>[\p{Lu}][\p{L}'\-]+(?:[\s\-][\p{Lu}][\p{L}'\-]+)?)")
STUDY_KIND_WORDS = {
    "systematic review": ("systematic review",),
    "meta-analysis": ("meta-analysis", "meta analysis", "metaanalysis", "pooled analysis"),
    "randomized trial": ("randomized", "randomised", "rct"),
    "controlled trial": ("controlled", "placebo", "sham"),
    "clinical": ("patients", "participants", "clinical", "trial", "volunteers", "adults", "children", "people"),
    "animal": ("mice", "rats", "rodent", "animal", "murine", "mouse", "rat ", "porcine", "canine"),
    "in vitro": ("in vitro", "cell culture", "cultured", "cell line"),
}


@dataclass
class SourceSentence:
    source: Source
    text: str
    start: int
    end: int
    statement: Statement


@dataclass
class SourceIndex:
    """Every sentence of every source, with pack-wide facts rules need."""

    sources: list[Source]
    sentences: list[SourceSentence] = field(default_factory=list)
    idf: dict[str, float] = field(default_factory=dict)
    postings: dict[str, list[int]] = field(default_factory=dict)
    rows_by_source: dict[str, list[int]] = field(default_factory=dict)
    # Names used in copy (lower case) -> the names the sources use: see evidence.aliases.
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Sentence embeddings (the semantic extra), or None: words alone.
    meaning: Meaning | None = field(default=None, repr=False, compare=False)
    # Worked out on first use and kept with the index: a site run ranks every page against one pack.
    _pack_text: str | None = field(default=None, init=False, repr=False, compare=False)
    _word_forms: frozenset[str] | None = field(default=None, init=False, repr=False, compare=False)
    _alias_matcher: AliasMatcher | None = field(default=None, init=False, repr=False, compare=False)
    _canon_cache: dict[tuple[str, str], frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False)
    _passages: NDArray[np.float64] | None = field(default=None, init=False, repr=False, compare=False)
    _meaning_rows: dict[int, int] | None = field(default=None, init=False, repr=False, compare=False)
    _words_alone: "SourceIndex | None" = field(default=None, init=False, repr=False, compare=False)
    _citations: "CitationLookup | None" = field(default=None, init=False, repr=False, compare=False)
    _by_id: dict[str, Source] | None = field(default=None, init=False, repr=False, compare=False)
    _inverted: "InvertedPack | None" = field(default=None, init=False, repr=False, compare=False)
    # Facts about the whole pack that rules ask of every claim, worked out once: see pack_fact.
    _facts: dict[object, object] = field(default_factory=dict, init=False, repr=False, compare=False)
    _lowered: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, sources: list[Source], *, aliases: dict[str, tuple[str, ...]] | None = None,
              meaning: Meaning | None = None) -> "SourceIndex":
        index = cls(sources=list(sources), aliases=dict(aliases or {}), meaning=meaning)
        for source in sources:
            for sentence in sentences(source.summary):
                index.sentences.append(
                    SourceSentence(source, sentence.text, sentence.start, sentence.end, analyse(sentence.text))
                )
        document_frequency: Counter[str] = Counter()
        for row, item in enumerate(index.sentences):
            index.rows_by_source.setdefault(item.source.id, []).append(row)
            for token in item.statement.token_set:
                document_frequency[token] += 1
                index.postings.setdefault(token, []).append(row)
        total = max(len(index.sentences), 1)
        index.idf = {tok: math.log(1 + total / (1 + df)) for tok, df in document_frequency.items()}
        # Built now, not on first use, so that every worker of a run shares them rather than building its own.
        index.inverted, index.lowered
        return index

    @property
    def inverted(self) -> "InvertedPack":
        """The sentences by word, key term and figure, to shortlist each claim's candidates."""
        if self._inverted is None:
            from claimaudit.evidence.shortlist import InvertedPack

            self._inverted = InvertedPack.build([s.statement for s in self.sentences], self.idf, self.postings,
                                                self.rows_by_source)
        return self._inverted

    def rows_matching(self, pattern: "re.Pattern[str] | regex.Pattern[str]") -> tuple[int, ...]:
        """The rows of the sentences a pattern finds something in, in pack order.

        Rules that look through the whole pack for a phrase ("no serious adverse
        events", "randomised") ask this for every claim; the pack is searched once."""
        key = ("rows matching", type(pattern), pattern.pattern, pattern.flags)
        found = self._facts.get(key)
        if found is None:
            found = self._facts[key] = tuple(row for row, s in enumerate(self.sentences) if pattern.search(s.text))
        return found  # type: ignore[return-value]

    def pack_fact(self, key: object, compute: "Callable[[], T]") -> T:
        """``compute()``, worked out once per pack: a fact about the whole pack that does not
        depend on the claim asking (``key`` names it and everything it depends on)."""
        if key not in self._facts:
            self._facts[key] = compute()
        return self._facts[key]  # type: ignore[return-value]

    @property
    def lowered(self) -> list[str]:
        """Each sentence in lower case, as the fuzzy text match compares it."""
        if self._lowered is None:
            self._lowered = [s.text.lower() for s in self.sentences]
        return self._lowered

    @property
    def word_forms(self) -> frozenset[str]:
        """Every word of the pack as it is written (case kept), to tell a name from a common word."""
        if self._word_forms is None:
            self._word_forms = frozenset(re.findall(r"[\w'’\-]+", self.pack_text))
        return self._word_forms

    @property
    def pack_text(self) -> str:
        """Every citation and summary, for checks on what kind of evidence the pack holds."""
        if self._pack_text is None:
            self._pack_text = " ".join(f"{s.citation} {s.summary}" for s in self.sources)
        return self._pack_text

    @property
    def alias_matcher(self) -> AliasMatcher | None:
        """The aliases ready to find in text (None when there are none)."""
        if not self.aliases:
            return None
        if self._alias_matcher is None:
            self._alias_matcher = alias_matcher(self.aliases)
        return self._alias_matcher

    def by_words_alone(self) -> "SourceIndex":
        """This index without meaning (sharing its sentences and tables), for judging by words alone."""
        if self.meaning is None:
            return self
        if self._words_alone is None:
            import copy

            self._words_alone = copy.copy(self)
            self._words_alone.meaning = None
            self._words_alone._words_alone = self._words_alone
        return self._words_alone

    def _passage_matrix(self) -> NDArray[np.float64]:
        import numpy as np

        assert self.meaning is not None, "only an index built with meaning"
        if self._passages is None:
            self._passages = self.meaning.vectors("passage", self.texts()).astype(np.float64)
        return self._passages

    def similar_in_meaning(self, texts: list[str]) -> NDArray[np.float64]:
        """Scaled similarity in meaning of each text (as a query) to every sentence of the pack."""
        import numpy as np

        assert self.meaning is not None, "only an index built with meaning"
        queries = self.meaning.vectors("query", texts).astype(np.float64)
        return self.meaning.scaled(queries @ self._passage_matrix().T)

    def closeness(self, claim_text: str, rows: "tuple[SourceSentence, ...]") -> float:
        """The claim's scaled similarity in meaning to the closest of these sentences."""
        import numpy as np

        assert self.meaning is not None, "only an index built with meaning"
        if self._meaning_rows is None:
            self._meaning_rows = {id(s): i for i, s in enumerate(self.sentences)}
        found = [self._meaning_rows[id(r)] for r in rows if id(r) in self._meaning_rows]
        if not found:
            return 0.0
        query = self.meaning.vectors("query", [claim_text]).astype(np.float64)
        return float(np.max(self.meaning.scaled(query @ self._passage_matrix()[found].T)))

    @property
    def citations(self) -> "CitationLookup":
        """The pack's sources by id, key, DOI, PubMed id and first author, for resolving citations."""
        if self._citations is None:
            self._citations = CitationLookup.build(self.sources)
        return self._citations

    def texts(self) -> list[str]:
        return [s.text for s in self.sentences]

    def by_source(self, source_id: str) -> list[int]:
        return self.rows_by_source.get(source_id, [])

    def source(self, source_id: str) -> Source | None:
        # Looked up for every piece of evidence of every claim: a table, not a scan of the pack.
        if self._by_id is None:
            self._by_id = {}
            for source in self.sources:
                self._by_id.setdefault(source.id, source)  # the first of a repeated id, as a scan found it
        return self._by_id.get(source_id)

    def study_kinds(self, source: Source) -> set[str]:
        """The kinds of evidence a source describes (review, trial, animal...)."""
        text = f" {source.citation} {source.summary} ".lower()
        return {kind for kind, words in STUDY_KIND_WORDS.items() if any(w in text for w in words)}

    def source_canon(self, source_id: str, category: str) -> frozenset[str]:
        """Canonical terms of one category that a whole source mentions."""
        key = (source_id, category)
        if key not in self._canon_cache:
            found: set[str] = set()
            for row in self.by_source(source_id):
                found |= self.sentences[row].statement.canon(category)
            self._canon_cache[key] = frozenset(found)
        return self._canon_cache[key]

    def pack_canon(self, category: str) -> frozenset[str]:
        """Canonical terms of one category that any source mentions."""
        key = ("*pack", category)
        if key not in self._canon_cache:
            found: set[str] = set()
            for item in self.sentences:
                found |= item.statement.canon(category)
            self._canon_cache[key] = frozenset(found)
        return self._canon_cache[key]


_INITIALS = regex.compile(r"(?:\p{Lu}\.?-?){1,4}")
_YEAR = regex.compile(r"(?<!\d)(?<!\d[./])(?:19|20)\d{2}(?!\d)(?![./]\d)")
_DOI_OR_URL = regex.compile(r"\b10\.\d{4,9}/\S+|https?://\S+")


def author_surname(author: str) -> str:
    """``Smith JA`` -> ``Smith``: Source.authors write the surname, then the initials."""
    words = author.split()
    if len(words) > 1 and _INITIALS.fullmatch(words[-1]):
        return " ".join(words[:-1])
    return author.strip()


def citation_surnames(source: Source) -> list[str]:
    """Author surnames a copy might use to name this source ("Smith et al.").

    Where the pack gives the authors (an export, a paper), the first author's
    surname, as a citation names it: "van der Berg" also as "Berg". Otherwise
    the names at the head of the citation text. An id like "okafor2021" names
    its first author too; "s1" names nobody."""
    names: list[str] = []
    if source.authors:
        surname = author_surname(source.authors[0])
        names.append(surname)
        words = surname.split()
        if len(words) > 1 and any(w[:1].islower() for w in words[:-1]):
            names.append(words[-1])
    else:
        citation = source.citation or ""
        for part in regex.split(r",|;|\band\b|&", citation.split(".")[0]):
            m = SURNAME.match(part)
            if m:
                name = m.group("name").strip()
                names.append(name.split()[0] if " " in name and len(name.split()[1]) <= 2 else name)
    if source.id:
        m = regex.match(r"[a-z\-]{3,}", source.id)
        if m:
            names.append(m.group(0))
    return names


def source_year(source: Source) -> str:
    """The year a source was published: from the pack's field, else the first year its citation gives."""
    if source.year:
        return source.year
    m = _YEAR.search(_DOI_OR_URL.sub(" ", source.citation or ""))
    return m.group(0) if m else ""


def fold_name(name: str) -> str:
    """A name as citations are compared: lower case, accents dropped ("Müller" is "muller")."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", name.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def bare_doi(doi: str) -> str:
    """A DOI as compared: no resolver prefix, lower case, no closing full stop."""
    doi = regex.sub(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi\s*:\s*)", "", doi, flags=regex.IGNORECASE)
    return doi.strip().rstrip(".").lower()


@dataclass
class CitationLookup:
    """A pack's sources by every name a citation may give them, each list in pack order."""

    by_id: dict[str, Source] = field(default_factory=dict)
    by_key: dict[str, list[Source]] = field(default_factory=dict)  # ids and the pack's own keys, lower case
    by_doi: dict[str, list[Source]] = field(default_factory=dict)
    by_pmid: dict[str, list[Source]] = field(default_factory=dict)
    by_surname: dict[str, list[Source]] = field(default_factory=dict)  # folded surnames

    @classmethod
    def build(cls, sources: list[Source]) -> "CitationLookup":
        lookup = cls()
        for source in sources:
            lookup.by_id.setdefault(source.id, source)
            for key in {source.id.lower(), *(k.lower() for k in source.keys)}:
                lookup.by_key.setdefault(key, []).append(source)
            if source.doi:
                lookup.by_doi.setdefault(bare_doi(source.doi), []).append(source)
            if source.pmid:
                lookup.by_pmid.setdefault(str(source.pmid), []).append(source)
            for name in dict.fromkeys(fold_name(n) for n in citation_surnames(source)):
                lookup.by_surname.setdefault(name, []).append(source)
        return lookup

    def by_author(self, author: str) -> list[Source]:
        """Sources whose (first) author is this surname, or whose double-barrelled surname starts with it
        as written ("Brennan-Lee" for "Brennan")."""
        name = fold_name(author)
        found = list(self.by_surname.get(name, []))
        parts = name.split("-")
        for end in range(len(parts) - 1, 0, -1):
            found += [s for s in self.by_surname.get("-".join(parts[:end]), []) if all(s is not f for f in found)]
        return found
