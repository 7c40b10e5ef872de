"""The anatomy of a statement: what a claim (or an evidence sentence) asserts.

The same analysis is run on copy and on source sentences so that rules can
compare like with like: figures, strength, scope, cues and attribution.
"""

from __future__ import annotations

import math
import re
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Callable, Iterator, Required, TypedDict, TypeVar

from claimaudit import cache
from claimaudit.language import (
    Cue,
    Quantity,
    Strength,
    Term,
    Terms,
    lazy_re,
    claim_strength,
    content_tokens,
    extract_terms,
    find_cues,
    find_quantities,
    split_clauses,
    split_sentences,
)
from claimaudit.model import Sentence

# Disclaimers ride along with claims ("results may vary"); their hedges must not
# soften the claim they are attached to.
DISCLAIMER = lazy_re(
    r"\b(?:results?\s+(?:may|can|will)\s+vary(?:\s+from\s+\w+\s+to\s+\w+)?|individual\s+results\s+(?:may\s+)?vary|"
    r"results\s+are\s+not\s+(?:typical|guaranteed)|not\s+intended\s+to\s+diagnose[^.;]*|"
    r"(?:consult|talk\s+to|speak\s+to|ask)\s+(?:your|a)\s+(?:doctor|physician|pharmacist|dentist|GP)[^.;]*|"
    r"(?:this\s+(?:page|site|information|content)\s+is\s+)?(?:general\s+information\s+and\s+is\s+)?not\s+medical\s+advice|"
    r"(?:these\s+)?statements?\s+(?:has|have)\s+not\s+been\s+evaluated\s+by\s+the\s+(?:Food\s+and\s+Drug\s+Administration|FDA)|"
    r"is\s+not\s+a\s+substitute\s+for\s+(?:professional\s+)?medical\s+(?:care|advice|treatment))",
    re.IGNORECASE,
)

VAGUE_ATTRIBUTION = lazy_re(
    r"\b(?:(?:many\s+|several\s+|numerous\s+|recent\s+|clinical\s+|scientific\s+)?(?:studies|research|trials|data|evidence|science|scientists|experts|doctors|physicians)"
    r"\s+(?:has\s+|have\s+)?(?:shows?|showed|shown|indicates?|indicated|suggests?|suggested|proves?|proved|proven|confirms?|confirmed|demonstrates?|demonstrated|recommends?|reports?|reported|found|agree)"
    r"|clinically\s+(?:proven|tested|shown|demonstrated)|scientifically\s+(?:proven|shown)|research(?:ers)?\s+(?:has\s+|have\s+)?found"
    r"|according\s+to\s+(?:research|studies|experts|scientists))\b"
    # Expert endorsement: "audiologists recommend", "recommended by sleep doctors".
    r"|\b(?:(?:[^\W\d_]|-)*(?:ologists|icians|iatrists)|doctors|physicians|dentists|experts|specialists|surgeons|nurses|"
    r"pharmacists|clinicians|dietitians|scientists|professionals)\s+(?:\w+\s+)?(?:agree|recommend|endorse|prefer|prescribe|trust)s?\b"
    r"|\b(?:recommended|endorsed|trusted|preferred|prescribed)\s+by\s+(?:\w+\s+){0,3}?(?:(?:[^\W\d_]|-)*(?:ologists|icians|iatrists)|"
    r"doctors|physicians|dentists|experts|specialists|surgeons|nurses|pharmacists|clinicians|dietitians|professionals)\b",
    re.IGNORECASE,
)

NAMED_KIND = lazy_re(
    r"\b(?P<kind>systematic\s+reviews?|meta-?analys[ie]s|randomi[sz]ed(?:\s+controlled)?\s+(?:clinical\s+)?trials?|RCTs?|"
    r"clinical\s+(?:trials?|studies|study|research)|double-blind(?:ed)?\s+(?:trials?|studies|study)|cohort\s+stud(?:y|ies)|"
    r"placebo-controlled\s+(?:trials?|studies|study)|peer-reviewed\s+(?:stud(?:y|ies)|research|papers?))\b",
    re.IGNORECASE,
)

# "a systematic review published by the National Institutes of Health",
# "a 2021 Harvard meta-analysis", "according to the Mayo Clinic", "Smith et al."
# Capitalised words before a year that name a time, not an author: "In May (2020)".
_NOT_AUTHORS = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                r"Spring|Summer|Autumn|Fall|Winter|In|Since|From|Until|By|Before|After|During)\b")
NAMED_SOURCE = lazy_re(
    r"(?P<etal>\b(?P<author>[A-Z](?:[^\W\d_]|['\-])+)(?:\s+(?:and|&)\s+[A-Z](?:[^\W\d_]|['\-])+)?\s+et\s+al\.?(?:\s*\(?(?P<year>(?:19|20)\d\d)\)?)?)"
    r"|(?P<doi>\b10\.\d{4,9}/[^\s,;]+[^\s,;.)])"
    r"|(?:\bPMID:?\s*(?P<pmid>\d{5,9}))"
    r"|(?:\b(?:published|conducted|carried\s+out|funded|released)\s+(?:by|in)\s+(?:the\s+)?(?P<org>(?:[A-Z](?:[^\W\d_]|[&'\-])*\s*){1,8}))"
    r"|(?:\baccording\s+to\s+(?:the\s+|a\s+|an\s+)?(?P<org2>(?:[A-Z](?:[^\W\d_]|[&'\-])*\s*){1,6}))"
    r"|(?:\b(?:[Aa]n?|[Tt]he)\s+(?P<year2>(?:19|20)\d\d)\s+(?P<org3>(?:[A-Z](?:[^\W\d_]|[&'\-])*\s+){1,4})(?:study|trial|review|meta-analysis|report|survey))"
    # Author-year citations: "(Okafor 2020)", "(Okafor and Lund, 2021a)", "Okafor (2020)".
    r"|(?:\((?!" + _NOT_AUTHORS + r")(?P<author2>[A-Z](?:[^\W\d_]|['\-])+)(?:\s+(?:and|&)\s+[A-Z](?:[^\W\d_]|['\-])+)?,?\s+(?P<year3>(?:19|20)\d\d)[a-z]?\))"
    r"|(?:\b(?!" + _NOT_AUTHORS + r")(?P<author3>[A-Z](?:[^\W\d_]|['\-])+)(?:\s+(?:and|&)\s+[A-Z](?:[^\W\d_]|['\-])+)?\s+\((?P<year4>(?:19|20)\d\d)[a-z]?\))"
)

FIRST_PERSON_BUSINESS = lazy_re(
    r"\b(?:we|our|us|our\s+(?:clinic|team|physicians|doctors|patients|center|centre|practice|staff|specialists))\b",
    re.IGNORECASE,
)
_PEOPLE = r"(?:patients|clients|customers|users|people|members|buyers|reviewers|parents)"
_OFTEN = r"(?:often\s+|regularly\s+|always\s+|frequently\s+|routinely\s+|now\s+)?"
TESTIMONIAL = lazy_re(
    # "many of our patients report", "our customers describe"
    r"\b(?:(?:many|most|countless|our|some|numerous|thousands\s+of|hundreds\s+of)\s+(?:of\s+our\s+)?" + _PEOPLE + r"\s+"
    + _OFTEN + r"(?:have\s+|has\s+)?(?:report(?:s|ed)?|tell\s+us|told\s+us|say|said|describe[sd]?|notice[sd]?|experience[sd]?|feel|felt|share[sd]?|rave|swear)"
    # "users tell us", "members say": what customers say, whoever they are
    r"|" + _PEOPLE + r"\s+" + _OFTEN + r"(?:tell\s+us|told\s+us|say|said|rave|swear|write\s+to\s+(?:tell\s+)?us)"
    r"|success\s+stor(?:y|ies)|testimonials?|patient\s+stories|in\s+their\s+own\s+words|reviews\s+from\s+(?:our\s+)?patients)\b",
    re.IGNORECASE,
)
COMPARATIVE = lazy_re(
    r"\b(?:better|more\s+effective|superior|outperforms?|faster|safer|stronger|more\s+potent|compared\s+(?:to|with)|than|best|leading|number\s+one|#1)\b",
    re.IGNORECASE,
)
CALL_TO_ACTION = lazy_re(
    r"^(?:please\s+)?(?:contact|call|email|e-mail|book|schedule|request|sign\s+up|subscribe|join|download|learn\s+more|read\s+more|click|visit|"
    r"get\s+(?:started|in\s+touch|your)|take\s+the\s+first\s+step|fill\s+out|register|reach\s+out|talk\s+to|ask\s+(?:us|about)|find\s+out|follow\s+us|share)\b",
    re.IGNORECASE,
)
CONTACT = lazy_re(
    r"(?:\(?\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}|[\w.+\-]+@[\w\-]+\.[\w.]+|\bhttps?://|\bwww\.)",
    re.IGNORECASE,
)
GREETING = lazy_re(
    r"^(?:welcome|thank\s+you|thanks|hello|hi|greetings|dear|copyright|©|all\s+rights\s+reserved|you\s+have\s+successfully|privacy\s+policy|terms\s+of)",
    re.IGNORECASE,
)
BUSINESS_FACT = lazy_re(
    r"\b(?:treated|served|helped|performed|success\s+rate|satisfaction|years\s+of\s+experience|patients\s+(?:since|each\s+year|annually)|"
    r"leading|leader|pioneer(?:s|ed|ing)?|top|award|accredited|certified|board-certified|"
    r"(?:led|run|staffed|delivered|supervised)\s+by|registered|qualified|licensed\s+(?:staff|physicians|doctors|therapists))\b",
    re.IGNORECASE,
)
# Market position: "the best-selling", "most used by dentists", "the UK's number one".
MARKET_POSITION = lazy_re(
    r"\b(?:best[-\s]selling|top[-\s]selling|most\s+(?:used|popular|trusted|prescribed|recommended|sold|downloaded)|"
    r"number\s+one|no\.\s*1|#1|market[-\s]leading|the\s+only\s+(?:[^\W\d_]|-)+(?:\s+(?:[^\W\d_]|-)+)?\s+(?:that|to|recommended|approved|with)|"
    r"the\s+(?:world|nation|country|uk|us|europe)['’]s\s+(?:leading|favourite|favorite|best|most|first|largest))",
    re.IGNORECASE,
)


class NamedSource(TypedDict, total=False):
    """A source the statement names: "Smith et al. (2020)", a DOI, a PMID, "published by the NIH".

    Only the parts found are present; ``start``, ``end`` and ``text`` always are."""

    author: str
    year: str
    letter: str  # "b" of "Smith 2020b"
    doi: str
    pmid: str
    org: str
    etal: str  # the whole "Smith et al. 2020" phrase
    start: Required[int]  # offsets into the statement's text
    end: Required[int]
    text: Required[str]


@dataclass
class Attribution:
    """What the statement says its support is."""

    vague: list[tuple[int, int, str]] = field(default_factory=list)  # "studies show"
    named_kinds: list[tuple[int, int, str]] = field(default_factory=list)  # "systematic review"
    named_sources: list[NamedSource] = field(default_factory=list)


@dataclass
class Statement:
    """The anatomy of one sentence of copy or evidence."""

    text: str
    tokens: list[str]
    quantities: list[Quantity]
    strength: Strength
    cues: list[Cue]
    terms: Terms
    attribution: Attribution
    disclaimers: list[tuple[int, int]]
    claim_type: str = ""
    is_claim: bool = False
    not_claim_reason: str = ""
    # Facts worked out from the statement once: canonical terms by category ("*key": all key
    # terms), and claims.frame's Frame under "*frame".
    _canon: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def level(self) -> int:
        return self.strength.level

    def cues_of(self, kind: str) -> list[Cue]:
        return [c for c in self.cues if c.kind == kind]

    def terms_of(self, category: str) -> list[Term]:
        return list(getattr(self.terms, category, []) or [])

    def canon(self, category: str) -> frozenset[str]:
        # Ranking asks this for every claim-sentence pair, so it is worked out once.
        cached = self._canon.get(category)
        if cached is None:
            cached = self._canon[category] = frozenset(t.canonical for t in self.terms_of(category))
        return cached

    @cached_property
    def token_set(self) -> frozenset[str]:
        return frozenset(self.tokens)

    def key_terms(self) -> frozenset[str]:
        """Interventions, conditions, outcomes and populations, as canonical names."""
        cached = self._canon.get("*key")
        if cached is None:
            cached = self._canon["*key"] = frozenset().union(
                *(self.canon(c) for c in ("interventions", "conditions", "outcomes", "populations"))
            )
        return cached

    def negated_at(self, start: int, end: int) -> bool:
        return any(
            c.kind == "negation" and c.scope_start <= start and end <= c.scope_end
            for c in self.cues
        )


def _mask(text: str, spans: list[tuple[int, int]]) -> str:
    """Blank out spans while keeping offsets, so cues inside them are not read."""
    if not spans:
        return text
    chars = list(text)
    for start, end in spans:
        for i in range(start, end):
            chars[i] = " "
    return "".join(chars)


def find_attribution(text: str) -> Attribution:
    attribution = Attribution()
    for m in VAGUE_ATTRIBUTION.finditer(text):
        attribution.vague.append((m.start(), m.end(), m.group(0)))
    for m in NAMED_KIND.finditer(text):
        attribution.named_kinds.append((m.start(), m.end(), m.group("kind")))
    for m in NAMED_SOURCE.finditer(text):
        parts = {k: v.strip() for k, v in m.groupdict().items() if v}
        org = parts.get("org") or parts.get("org2") or parts.get("org3")
        if org and org.lower() in {"this", "these", "the", "a", "our", "we"}:
            continue
        said, end = m.group(0).strip(), m.end()
        if said.endswith(")") and said.count(")") > said.count("("):
            # "(Smith et al. 2020)": the bracket that closes belongs with the one before the name.
            said, end = said[:-1].rstrip(), end - 1
        named = NamedSource(start=m.start(), end=end, text=said)
        if "etal" in parts:
            named["etal"] = parts["etal"]
        author = parts.get("author") or parts.get("author2") or parts.get("author3")
        if author:
            named["author"] = author
        year_group = next((g for g in ("year", "year3", "year4") if parts.get(g)), "")
        if year_group:
            named["year"] = parts[year_group]
            # "Smith 2020b": the letter that tells one author's papers of a year apart.
            after = m.end(year_group)
            if text[after:after + 1].islower() and not text[after + 1:after + 2].isalpha():
                named["letter"] = text[after]
        if "doi" in parts:
            named["doi"] = parts["doi"]
        if "pmid" in parts:
            named["pmid"] = parts["pmid"]
        if org:
            named["org"] = org
        attribution.named_sources.append(named)
    return attribution


# A "sentence" longer than this (a run-on list, text without full stops) is cut
# at clause punctuation or spaces: the cue scopes grow faster than linearly
# with sentence length, and no claim a reader sees is that long.
MAX_SENTENCE = 600
CLAUSE_BREAK = lazy_re(r"[;:,)]\s|\s")


def _bounded(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    while end - start > MAX_SENTENCE:
        window = text[start:start + MAX_SENTENCE]
        cut = max((m.end() for m in CLAUSE_BREAK.finditer(window, MAX_SENTENCE // 2)), default=MAX_SENTENCE)
        piece_end = start + cut
        stripped = text[start:piece_end].rstrip()
        spans.append((start, start + len(stripped)))
        start = piece_end
        while start < end and text[start].isspace():
            start += 1
    if start < end:
        spans.append((start, end))
    return spans


def sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """The sentences of ``text[start:end]``, remembered between runs like analyses."""
    end = len(text) if end is None else end
    piece = text[start:end]
    spans = _store.spans(piece) if _store is not None else None
    if spans is None:
        spans = [part for s in split_sentences(piece) for part in _bounded(piece, s.start, s.end)]
        if _store is not None:
            _store.put_spans(piece, spans)
    return [Sentence(piece[a:b], start + a, start + b) for a, b in spans]


def _spans_within(value: Any, length: int) -> bool:
    """Ordered (start, end) pairs inside a text of ``length`` characters."""
    if not isinstance(value, list):
        return False
    last = 0
    for span in value:
        if not (isinstance(span, tuple) and len(span) == 2 and type(span[0]) is int and type(span[1]) is int
                and last <= span[0] <= span[1] <= length):
            return False
        last = span[0]
    return True


def _claim_type(value: Any, key: str) -> bool:
    return isinstance(value, tuple) and len(value) == 2 and all(isinstance(part, str) for part in value)


def _clauses(value: Any, key: str) -> bool:
    return _spans_within(value, len(key))


EMBEDDING_SIZE = 384


def _embedding(value: Any, key: str) -> bool:
    # A unit vector of the model's size: anything else was not made by the model.
    if not (isinstance(value, array) and value.typecode == "f" and len(value) == EMBEDDING_SIZE):
        return False
    norm = math.fsum(x * x for x in value)
    return math.isfinite(norm) and abs(norm - 1.0) < 1e-3


# What each kind of remembered work may hold, checked before a stored value is used.
REMEMBERED_SHAPES: dict[str, Callable[[Any, str], bool]] = {
    "classify": _claim_type,
    "clauses": _clauses,
    "meaning": _embedding,
}


def _plain_value(value: Any, key: str) -> bool:
    if isinstance(value, (tuple, list)):
        return all(_plain_value(item, key) for item in value)
    return value is None or isinstance(value, (str, int, float, bool, array))


def _statement_of(value: Any, text: str) -> bool:
    """A stored analysis of exactly ``text``, with the field types an analysis has."""
    return (isinstance(value, Statement) and type(value.text) is str and value.text == text
            and isinstance(value.tokens, list) and set(map(type, value.tokens)) <= {str}
            and isinstance(value.quantities, list) and set(map(type, value.quantities)) <= {Quantity}
            and isinstance(value.strength, Strength)
            and isinstance(value.cues, list) and set(map(type, value.cues)) <= {Cue}
            and isinstance(value.terms, Terms) and isinstance(value.attribution, Attribution)
            and _spans_within(value.disclaimers, len(text))
            and type(value.claim_type) is str and type(value.is_claim) is bool
            and type(value.not_claim_reason) is str and isinstance(value._canon, dict)
            and all(type(k) is str and isinstance(v, frozenset) and all(type(w) is str for w in v)
                    for k, v in value._canon.items()))


def _allowed_global(module: str, name: str, found: object) -> bool:
    # Analyses hold claimaudit's data classes and sentence embeddings (arrays of floats).
    return cache.claimaudit_class(module, name, found) or \
        (module == "array" and name in {"array", "_array_reconstructor"})


class AnalysisStore:
    """Analyses kept between runs, so a check of unchanged copy and sources
    skips the language work. Keyed by sentence text, in one cache entry per
    package stamp. Loading names only claimaudit's data classes; each value is
    checked against its key and kind when it is first used, so a value of the
    wrong shape is computed again, never used."""

    MAX_ENTRIES = 50_000
    KIND = "analyses"

    def __init__(self) -> None:
        self.known: dict[str, Any] = {}
        self.used: dict[str, Any] = {}
        self.found = False
        self.computed = False  # something was worked out afresh: the store is saved
        loaded = cache.load_pickle(self.KIND, "", allow=_allowed_global,
                                   check=lambda value: isinstance(value, dict))
        if loaded is not None:
            self.known = loaded
            self.found = True

    def spans(self, text: str) -> list[tuple[int, int]] | None:
        key = "\0spans\0" + text
        spans = self.known.get(key)
        bound = len(text.removeprefix("\0clauses\0"))
        if spans is not None and _spans_within(spans, bound):
            self.used[key] = spans
            return spans
        return None

    def put_spans(self, text: str, spans: list[tuple[int, int]]) -> None:
        self.used["\0spans\0" + text] = spans
        self.computed = True

    def recall(self, kind: str, key: str, full_key: str) -> Any:
        value = self.known.get(full_key)
        if value is None:
            return None
        if not REMEMBERED_SHAPES.get(kind, _plain_value)(value, key):
            return None
        self.used[full_key] = value
        return value

    def keep(self, key: str, value: object) -> None:
        self.used[key] = value
        self.computed = True

    def get(self, text: str) -> Statement | None:
        statement = self.known.get(text)
        if statement is not None and _statement_of(statement, text):
            self.used[text] = statement
            return statement
        return None

    def put(self, text: str, statement: Statement) -> None:
        self.used[text] = statement
        self.computed = True

    def save(self) -> None:
        # A store whose entries were all used as they were needs no rewrite; one
        # with an entry that had to be worked out again (new, or not valid) does.
        if not self.computed:
            return
        # What this run used first, then older entries up to the cap.
        keep = dict(self.used)
        for text, statement in self.known.items():
            if len(keep) >= self.MAX_ENTRIES:
                break
            keep.setdefault(text, statement)
        cache.store_pickle(self.KIND, "", keep)
        if not self.found:
            # The first run of new code: entries of older code are dropped.
            cache.prune()


_store: AnalysisStore | None = None


@contextmanager
def persistent_analyses(enabled: bool = True) -> Iterator[None]:
    """Keep sentence analyses in the user's cache folder for the next run.

    ``enabled=False``, ``--no-cache`` or ``CLAIMAUDIT_CACHE_DIR=off`` keep
    nothing: the store is neither read nor written.
    """
    global _store
    if not enabled or cache.cache_dir() is None:
        yield
        return
    _store = AnalysisStore()
    analyse.cache_clear()
    try:
        yield
        _store.save()
    finally:
        _store = None
        analyse.cache_clear()


T = TypeVar("T")


def remembered(kind: str, key: str, compute: Callable[[], T]) -> T:
    """``compute()``, or what it gave for the same key in an earlier run.

    For work that depends only on text, like a claim's similarity to every
    sentence of an unchanged pack; kept in the analysis store, so it lives
    only while :func:`persistent_analyses` is on and is dropped with the
    package stamp like every analysis. A stored value must fit
    ``REMEMBERED_SHAPES[kind]`` (plain values for other kinds) to be used.
    """
    if _store is None:
        return compute()
    full_key = f"\0{kind}\0{key}"
    stored: T | None = _store.recall(kind, key, full_key)
    if stored is not None:
        return stored
    value = compute()
    _store.keep(full_key, value)
    return value


def remembered_all(kind: str, keys: list[str], compute: Callable[[list[str]], list[T]]) -> list[T]:
    """:func:`remembered` for many keys at once: ``compute`` is called once, with
    only the keys no earlier run worked out (batched work, like embeddings)."""
    if _store is None:
        return compute(keys) if keys else []
    found: dict[str, T] = {}
    for key in dict.fromkeys(keys):
        stored: T | None = _store.recall(kind, key, f"\0{kind}\0{key}")
        if stored is not None:
            found[key] = stored
    missing = [key for key in dict.fromkeys(keys) if key not in found]
    if missing:
        for key, value in zip(missing, compute(missing), strict=True):
            _store.keep(f"\0{kind}\0{key}", value)
            found[key] = value
    return [found[key] for key in keys]


@lru_cache(maxsize=65536)
def analyse(text: str) -> Statement:
    """Read a sentence's figures, strength, cues, terms and attribution."""
    if _store is not None:
        stored = _store.get(text)
        if stored is not None:
            return stored
    statement = _analyse(text)
    if _store is not None:
        _store.put(text, statement)
    return statement


def _analyse(text: str) -> Statement:
    disclaimers = [(m.start(), m.end()) for m in DISCLAIMER.finditer(text)]
    readable = _mask(text, disclaimers)
    return Statement(
        text=text,
        tokens=content_tokens(readable),
        quantities=find_quantities(readable),
        strength=claim_strength(readable),
        cues=find_cues(readable),
        terms=extract_terms(readable),
        attribution=find_attribution(text),
        disclaimers=disclaimers,
    )


@dataclass
class Part:
    """One clause of a compound claim, analysed on its own.

    ``statement`` reads ``subject + clause``: a clause that starts with its
    verb ("... and improve mobility") borrows the first clause's subject, whose
    ``subject`` characters map back to the start of the sentence.
    """

    start: int  # offset of the clause in the sentence
    end: int
    statement: Statement
    subject: int = 0  # length of the borrowed subject at the front of statement.text

    def to_sentence(self, span: tuple[int, int] | None) -> tuple[int, int] | None:
        """Map a span in the part's text to the sentence's offsets."""
        if span is None:
            return None
        def one(offset: int) -> int:
            return offset if offset < self.subject else self.start + offset - self.subject
        return one(span[0]), max(one(span[0]), one(span[1]))


def compound_parts(statement: Statement) -> list[Part]:
    """The clauses of a sentence that makes several assertions ("reduced
    relapses and improved mobility"); empty for a single assertion."""
    spans = _store.spans("\0clauses\0" + statement.text) if _store is not None else None
    if spans is None:
        spans = [(start, end) for start, end in split_clauses(statement.text)]
        if _store is not None:
            _store.put_spans("\0clauses\0" + statement.text, spans)
    if len(spans) < 2:
        return []
    first_start, first_end = spans[0]
    first = analyse(statement.text[first_start:first_end])
    verbs = [c.start for c in first.cues if c.kind == "causal"]
    subject = statement.text[first_start:first_start + verbs[0]] if verbs and verbs[0] > 0 else ""
    parts: list[Part] = []
    for start, end in spans:
        clause = statement.text[start:end]
        borrowed = ""
        if start > first_start and subject and clause[:1].islower():
            opening = analyse(clause)
            if any(c.kind == "causal" and c.start == 0 for c in opening.cues):
                borrowed = subject
        parts.append(Part(start, end, analyse(borrowed + clause), len(borrowed)))
    return parts
