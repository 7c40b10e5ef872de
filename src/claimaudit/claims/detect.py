"""Which sentences of the copy are claims, and what kind of claim each is."""

from __future__ import annotations

from dataclasses import dataclass, replace

from claimaudit.claims.anatomy import (
    BUSINESS_FACT,
    CALL_TO_ACTION,
    COMPARATIVE,
    CONTACT,
    FIRST_PERSON_BUSINESS,
    GREETING,
    TESTIMONIAL,
    Statement,
    analyse,
)
from claimaudit.language import split_sentences
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
    if CALL_TO_ACTION.match(text):
        return "", "a call to action"
    if CONTACT.search(text) and not statement.cues_of("causal") and not statement.cues_of("booster"):
        return "", "contact details"
    if statement.disclaimers and sum(e - s for s, e in statement.disclaimers) >= 0.6 * len(text):
        return "", "a disclaimer"

    terms = statement.terms
    has = lambda category: bool(getattr(terms, category, None))  # noqa: E731
    figures = [q for q in statement.quantities if q.kind not in {"identifier", "horizon"}]
    causal = statement.cues_of("causal")
    correlational = statement.cues_of("correlational")
    boosters = statement.cues_of("booster")

    if TESTIMONIAL.search(text):
        return "testimonial", ""
    if has("regulatory"):
        return "regulatory", ""
    if has("safety"):
        return "safety", ""
    first_person = bool(FIRST_PERSON_BUSINESS.search(text))
    if first_person and (BUSINESS_FACT.search(text) or figures):
        return "business", ""
    if statement.attribution.vague or statement.attribution.named_kinds or statement.attribution.named_sources:
        return "establishment", ""
    if figures:
        return "figure", ""
    if has("design") and (causal or correlational):
        return "establishment", ""
    if COMPARATIVE.search(text) and (causal or has("interventions")):
        return "comparative", ""
    if causal or boosters:
        subject = has("interventions") or first_person or has("conditions") or has("outcomes")
        if subject:
            return ("mechanism" if not has("conditions") and not has("populations") and _mechanistic(statement) else "efficacy"), ""
    if correlational and (has("interventions") or has("outcomes")):
        return "efficacy", ""
    if first_person and BUSINESS_FACT.search(text):
        return "business", ""
    return "", "states no checkable effect, figure, status or comparison"


def _mechanistic(statement: Statement) -> bool:
    outcomes = statement.canon("outcomes")
    return bool(outcomes) and outcomes <= {"cytokines", "tissue_repair", "inflammation", "immune_response", "secretion"}


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
        for sentence in split_sentences(document.text, block.start, block.end):
            statement = analyse(sentence.text)
            claim_type, why_not = classify(statement)
            if block.kind == "cell" and not claim_type:
                # A row of a claims table is a claim by the author's say-so.
                claim_type, why_not = "efficacy", ""
            if claim_type:
                # analyse() is cached and shared, so the typed claim is a copy.
                statement = replace(statement, claim_type=claim_type, is_claim=True)
                claims.append(Claim(document, block, sentence.text, sentence.start, sentence.end, statement))
            else:
                passed.append((sentence.text, sentence.start, sentence.end, why_not))
    return claims, passed
