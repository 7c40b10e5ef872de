"""Which sentences of the copy are claims, and what kind of claim each is."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from claimaudit.claims.anatomy import (
    BUSINESS_FACT,
    MARKET_POSITION,
    CALL_TO_ACTION,
    COMPARATIVE,
    CONTACT,
    FIRST_PERSON_BUSINESS,
    GREETING,
    TESTIMONIAL,
    Statement,
    analyse,
    compound_parts,
    remembered,
    sentences,
)
from claimaudit.language import lazy_re
from claimaudit.model import Block, Document

CLAIM_TYPES = (
    "figure",
    "efficacy",
    "safety",
    "regulatory",
    "establishment",
    "comparative",
    "business",
    "testimonial",
    "mechanism",
)

MIN_WORDS = 4


@dataclass
class Claim:
    """A claim found in a document, with offsets into ``Document.text``."""

    document: Document
    block: Block
    text: str
    start: int
    end: int
    statement: Statement

    @property
    def claim_type(self) -> str:
        return self.statement.claim_type


# Usage directions and other instructions: they tell the reader what to do and
# assert nothing checkable ("Take one capsule daily with food.").
INSTRUCTION = lazy_re(
    r"^(?:please\s+)?(?:use|take|apply|see|add|order|leave|talk|speak|buy|shop|compare|store|avoid|remember|meet|"
    r"check|consult|keep|rinse|wash|swallow|chew|place|insert|wear|charge|pair|install|open|start\s+(?:your|today|now|with)|"
    r"try\s+(?:it|our|one|the)|do\s+not|don['’]t|never\s+(?:use|take|apply|exceed))\b",
    re.IGNORECASE,
)
# Page furniture written as "Label: value".
LABELLED_INFO = lazy_re(
    r"^(?:opening\s+hours|hours|address|phone|telephone|tel|fax|email|e-mail|location|directions|parking|price|prices|"
    r"ingredients|directions\s+for\s+use|dosage|storage|warnings?)\s*:", re.IGNORECASE)
# Verbs that assert an effect or a property even where the cue lexicon does
# not rate them ("regrow", "lasts", "works", "stays off").
EFFECT_WORDS = lazy_re(
    r"\b(?:regrows?|regrew|regrown|restores?|restored|repairs?|repaired|heals?|healed|whitens?|whitened|damages?|"
    r"works?|worked|lasts?|lasted|stays?|stayed|keeps?\s+\w+\s+off|helps?|helped|supports?|protects?|boosts?|"
    r"strengthens?|rejuvenates?|renews?|revers(?:es?|ed)|stops?|slows?|prevents?|relieves?|eases?|improves?|"
    r"reduces?|lowers?|raises?|speeds?\s+up|sped\s+up|accelerates?|shortens?|increases?|decreases?|produced?|produces|resets?|ends?|ended|gets?\s+rid|"
    r"sleep\s+better|feel\s+better|lose|loses|lost|gain(?:s|ed)?|cuts?|fights?|treats?|cures?|"
    r"will\s+\w+|never\s+(?:feel|get|have|causes?)|(?:is|are)\s+(?:gentle|safe|effective|proven|clinically|free))\b",
    re.IGNORECASE,
)
DURABILITY = lazy_re(
    r"\b(?:for\s+life|lifelong|for\s+good|permanently|forever|for\s+years|for\s+months|long[-\s]term|"
    r"from\s+the\s+(?:very\s+)?first\s+(?:night|day|session|use)|overnight|instantly|immediately)\b",
    re.IGNORECASE,
)


def classify(statement: Statement) -> tuple[str, str]:
    """Return (claim_type, "") for a claim, or ("", why-not) for a non-claim."""
    text = statement.text.strip()
    words = text.split()
    if len(words) < MIN_WORDS:
        return "", "too short to assert anything"
    if text.endswith("?"):
        return "", "a question"
    if GREETING.match(text):
        return "", "a greeting or page furniture"
    if LABELLED_INFO.match(text):
        return "", "page furniture (a labelled detail)"
    if _navigation(text):
        return "", "navigation"
    if CALL_TO_ACTION.match(text):
        return "", "a call to action"
    causal = statement.cues_of("causal")
    correlational = statement.cues_of("correlational")
    boosters = statement.cues_of("booster")
    if INSTRUCTION.match(text) and not boosters:
        return "", "an instruction"
    if CONTACT.search(text) and not causal and not boosters:
        return "", "contact details"
    readable = _unmasked_length(statement)
    if statement.disclaimers and (readable < 0.4 * len(text) or statement.disclaimers[0][0] <= 1) and not _signal_outside(statement):
        return "", "a disclaimer"

    terms = statement.terms
    has = lambda category: bool(getattr(terms, category, None))  # noqa: E731
    figures = [q for q in statement.quantities if q.kind not in {"identifier", "horizon"}]
    first_person = bool(FIRST_PERSON_BUSINESS.search(text))
    attribution = statement.attribution

    if TESTIMONIAL.search(text):
        return "testimonial", ""
    if has("regulatory"):
        return "regulatory", ""
    if has("safety"):
        return "safety", ""
    # "Our serum reduced wrinkles by 10%" is an efficacy claim about a product;
    # "our clinic has treated 5,000 patients" is a fact about the business.
    effect_on_outcome = bool(causal)
    if first_person and (BUSINESS_FACT.search(text) or (figures and not effect_on_outcome)) and not attribution.vague:
        return "business", ""
    if attribution.vague or attribution.named_kinds or attribution.named_sources:
        return "establishment", ""
    if MARKET_POSITION.search(text) or (BUSINESS_FACT.search(text) and not causal and not has("outcomes")):
        return "business", ""
    if figures:
        return "figure", ""
    if has("designs") and (causal or correlational):
        return "establishment", ""
    if COMPARATIVE.search(text) and (causal or has("interventions") or EFFECT_WORDS.search(text)):
        return "comparative", ""
    effect = causal or boosters or correlational or EFFECT_WORDS.search(text) or DURABILITY.search(text)
    if effect:
        if not has("conditions") and not has("populations") and _mechanistic(statement):
            return "mechanism", ""
        return "efficacy", ""
    if first_person and BUSINESS_FACT.search(text):
        return "business", ""
    return "", "states no checkable effect, figure, status or comparison"


NAV_SEPARATOR = lazy_re(r"\s[·•|»›]\s")


def _navigation(text: str) -> bool:
    """A row of short links ("Home · How it works · Pricing")."""
    parts = NAV_SEPARATOR.split(text)
    return len(parts) >= 3 and all(len(part.split()) <= 4 for part in parts)


def _unmasked_length(statement: Statement) -> int:
    return len(statement.text) - sum(e - s for s, e in statement.disclaimers)


def _signal_outside(statement: Statement) -> bool:
    """Whether the words outside a disclaimer still assert something."""
    outside = [c for c in statement.cues if c.kind in {"causal", "booster"}]
    figures = [q for q in statement.quantities if q.kind not in {"identifier", "horizon"}]
    return bool(outside or figures)


def _mechanistic(statement: Statement) -> bool:
    outcomes = statement.canon("outcomes")
    return bool(outcomes) and outcomes <= {"cytokines", "tissue_repair", "inflammation", "immune_response", "secretion"}


def _classified(statement: Statement) -> tuple[str, str]:
    # A verdict on the words alone: kept between runs like the analysis itself.
    return tuple(remembered("classify", statement.text, lambda: classify(statement)))


def find_claims(document: Document) -> tuple[list[Claim], list[tuple[str, int, int, str]]]:
    """Cut the document's blocks into sentences and keep the claims.

    Returns the claims and the non-claims as (text, start, end, why) so a
    report can show what was passed over.
    """
    claims: list[Claim] = []
    passed: list[tuple[str, int, int, str]] = []
    excluded = [(s.start, s.end) for s in document.excluded]
    for block in document.blocks:
        if block.kind == "heading":
            continue
        if any(s <= block.start and block.end <= e for s, e in excluded):
            continue
        for sentence in sentences(document.text, block.start, block.end):
            statement = analyse(sentence.text)
            claim_type, why_not = _classified(statement)
            if block.kind == "cell" and document.media_type == "table" and not claim_type:
                # A row of a claims table is a claim by the author's say-so;
                # a cell of a table on a web page is not.
                claim_type, why_not = "efficacy", ""
            if claim_type:
                # analyse() is cached and shared, so the typed claim is a copy.
                statement = replace(statement, claim_type=claim_type, is_claim=True)
                claims.append(Claim(document, block, sentence.text, sentence.start, sentence.end, statement))
            else:
                passed.append((sentence.text, sentence.start, sentence.end, why_not))
    return claims, passed


def claim_parts(statement: Statement) -> list:
    """The clauses of a compound claim that are claims themselves, typed;
    empty when the sentence makes one assertion."""
    parts = []
    for part in compound_parts(statement):
        claim_type, _ = _classified(part.statement)
        if claim_type:
            part.statement = replace(part.statement, claim_type=claim_type, is_claim=True)
            parts.append(part)
    return parts if len(parts) >= 2 else []
