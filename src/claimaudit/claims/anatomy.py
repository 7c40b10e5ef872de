"""The anatomy of a statement: what a claim (or an evidence sentence) asserts.

The same analysis is run on copy and on source sentences so that rules can
compare like with like: figures, strength, scope, cues and attribution.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import regex

from claimaudit.language import (
    claim_strength,
    content_tokens,
    extract_terms,
    find_cues,
    find_quantities,
)

# Disclaimers ride along with claims ("results may vary"); their hedges must not
# soften the claim they are attached to.
DISCLAIMER = regex.compile(
    r"\b(?:results?\s+(?:may|can|will)\s+vary|individual\s+results\s+(?:may\s+)?vary|"
    r"results\s+are\s+not\s+(?:typical|guaranteed)|not\s+intended\s+to\s+diagnose[^.;]*|"
    r"consult\s+(?:your|a)\s+(?:doctor|physician)[^.;]*|this\s+is\s+not\s+medical\s+advice)",
    regex.IGNORECASE,
)

VAGUE_ATTRIBUTION = regex.compile(
    r"\b(?:(?:many\s+|several\s+|numerous\s+|recent\s+|clinical\s+|scientific\s+)?(?:studies|research|trials|data|evidence|science|scientists|experts|doctors|physicians)"
    r"\s+(?:has\s+|have\s+)?(?:shows?|showed|shown|indicates?|indicated|suggests?|suggested|proves?|proved|proven|confirms?|confirmed|demonstrates?|demonstrated|recommends?|reports?|reported|found|agree)"
    r"|clinically\s+(?:proven|tested|shown|demonstrated)|scientifically\s+(?:proven|shown)|research(?:ers)?\s+(?:has\s+|have\s+)?found"
    r"|according\s+to\s+(?:research|studies|experts|scientists))\b",
    regex.IGNORECASE,
)

NAMED_KIND = regex.compile(
    r"\b(?P<kind>systematic\s+reviews?|meta-?analys[ie]s|randomi[sz]ed(?:\s+controlled)?\s+(?:clinical\s+)?trials?|RCTs?|"
    r"clinical\s+(?:trials?|studies|study|research)|double-blind(?:ed)?\s+(?:trials?|studies|study)|cohort\s+stud(?:y|ies)|"
    r"placebo-controlled\s+(?:trials?|studies|study)|peer-reviewed\s+(?:stud(?:y|ies)|research|papers?))\b",
    regex.IGNORECASE,
)

# "a systematic review published by the National Institutes of Health",
# "a 2021 Harvard meta-analysis", "according to the Mayo Clinic", "Smith et al."
NAMED_SOURCE = regex.compile(
    r"(?P<etal>\b(?P<author>[A-Z][\p{L}'\-]+)(?:\s+(?:and|&)\s+[A-Z][\p{L}'\-]+)?\s+et\s+al\.?(?:\s*\(?(?P<year>(?:19|20)\d\d)\)?)?)"
    r"|(?P<doi>\b10\.\d{4,9}/[^\s,;]+[^\s,;.)])"
    r"|(?:\bPMID:?\s*(?P<pmid>\d{5,9}))"
    r"|(?:\b(?:published|conducted|carried\s+out|funded|released)\s+(?:by|in)\s+(?:the\s+)?(?P<org>(?:[A-Z][\p{L}&'\-]*\s*){1,8}))"
    r"|(?:\baccording\s+to\s+(?:the\s+|a\s+|an\s+)?(?P<org2>(?:[A-Z][\p{L}&'\-]*\s*){1,6}))"
    r"|(?:\b(?:a|an|the)\s+(?P<year2>(?:19|20)\d\d)\s+(?P<org3>(?:[A-Z][\p{L}&'\-]*\s+){1,4})(?:study|trial|review|meta-analysis|report|survey))"
)

FIRST_PERSON_BUSINESS = regex.compile(
    r"\b(?:we|our|us|our\s+(?:clinic|team|physicians|doctors|patients|center|centre|practice|staff|specialists))\b",
    regex.IGNORECASE,
)
TESTIMONIAL = regex.compile(
    r"\b(?:(?:many|most|countless|our|some|numerous|thousands\s+of|hundreds\s+of)\s+(?:of\s+our\s+)?(?:patients|clients|customers|users|people)\s+"
    r"(?:have\s+|has\s+)?(?:report(?:s|ed)?|tell\s+us|told\s+us|say|said|describe[sd]?|notice[sd]?|experience[sd]?|feel|felt|share[sd]?)"
    r"|success\s+stor(?:y|ies)|testimonials?|patient\s+stories|in\s+their\s+own\s+words|reviews\s+from\s+(?:our\s+)?patients)\b",
    regex.IGNORECASE,
)
COMPARATIVE = regex.compile(
    r"\b(?:better|more\s+effective|superior|outperforms?|faster|safer|stronger|more\s+potent|compared\s+(?:to|with)|than|best|leading|number\s+one|#1)\b",
    regex.IGNORECASE,
)
CALL_TO_ACTION = regex.compile(
    r"^(?:please\s+)?(?:contact|call|email|e-mail|book|schedule|request|sign\s+up|subscribe|join|download|learn\s+more|read\s+more|click|visit|"
    r"get\s+(?:started|in\s+touch|your)|take\s+the\s+first\s+step|fill\s+out|register|reach\s+out|talk\s+to|ask\s+(?:us|about)|find\s+out|follow\s+us|share)\b",
    regex.IGNORECASE,
)
CONTACT = regex.compile(
    r"(?:\(?\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}|[\w.+\-]+@[\w\-]+\.[\w.]+|\bhttps?://|\bwww\.)",
    regex.IGNORECASE,
)
GREETING = regex.compile(
    r"^(?:welcome|thank\s+you|thanks|hello|hi|greetings|dear|copyright|©|all\s+rights\s+reserved|you\s+have\s+successfully|privacy\s+policy|terms\s+of)",
    regex.IGNORECASE,
)
BUSINESS_FACT = regex.compile(
    r"\b(?:treated|served|helped|performed|success\s+rate|satisfaction|years\s+of\s+experience|patients\s+(?:since|each\s+year|annually)|"
    r"leading|leader|pioneer(?:s|ed|ing)?|top|award|accredited|certified|board-certified)\b",
    regex.IGNORECASE,
)


@dataclass
class Attribution:
    """What the statement says its support is."""

    vague: list[tuple[int, int, str]] = field(default_factory=list)  # "studies show"
    named_kinds: list[tuple[int, int, str]] = field(default_factory=list)  # "systematic review"
    named_sources: list[dict] = field(default_factory=list)  # author / doi / pmid / org


@dataclass
class Statement:
    """The anatomy of one sentence of copy or evidence."""

    text: str
    tokens: list[str]
    quantities: list
    strength: object
    cues: list
    terms: object
    attribution: Attribution
    disclaimers: list[tuple[int, int]]
    claim_type: str = ""
    is_claim: bool = False
    not_claim_reason: str = ""

    @property
    def level(self) -> int:
        return self.strength.level

    def cues_of(self, kind: str) -> list:
        return [c for c in self.cues if c.kind == kind]

    def terms_of(self, category: str) -> list:
        return list(getattr(self.terms, category, []) or [])

    def canon(self, category: str) -> set[str]:
        return {t.canonical for t in self.terms_of(category)}

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
        named = {k: v.strip() for k, v in m.groupdict().items() if v}
        org = named.get("org") or named.get("org2") or named.get("org3")
        if org:
            named["org"] = org
        named = {k: v for k, v in named.items() if k in {"author", "year", "doi", "pmid", "org", "etal"}}
        if named.get("org") and named["org"].lower() in {"this", "these", "the", "a", "our", "we"}:
            continue
        named["start"], named["end"] = m.start(), m.end()
        named["text"] = m.group(0).strip()
        attribution.named_sources.append(named)
    return attribution


@lru_cache(maxsize=65536)
def analyse(text: str) -> Statement:
    """Read a sentence's figures, strength, cues, terms and attribution."""
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
