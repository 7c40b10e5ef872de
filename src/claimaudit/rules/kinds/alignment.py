"""Check kinds over the alignment: an element of the claim that the evidence
leaves out, or contradicts."""

from __future__ import annotations

from typing import Literal

from claimaudit.claims.frame import Element, Frame
from claimaudit.evidence.align import Alignment, ElementStatus, Status
from claimaudit.rules.context import Hit, Params, RuleContext, kind, params

ElementName = Literal["subject", "outcome", "direction", "comparator", "population", "condition"]


@params
class ElementParams(Params):
    elements: list[ElementName] = ["subject", "outcome", "direction"]
    """The elements of the claim's frame the rule looks at: subject, outcome, direction, comparator, population,
    condition."""


def _span(frame: Frame, element: Element) -> tuple[int, int] | None:
    phrase = {Element.SUBJECT: frame.subject, Element.OUTCOME: frame.outcome, Element.DIRECTION: frame.predicate,
              Element.COMPARATOR: frame.comparator}.get(element)
    if phrase is None or not phrase.text:
        return None
    start = frame.text.find(phrase.text, phrase.start)
    return (start, start + len(phrase.text)) if start >= 0 else (phrase.start, phrase.end)


def _closest(alignment: Alignment, ctx: RuleContext) -> str:
    if alignment.evidence:
        best = alignment.evidence[0]
        return f" The closest evidence ({best.source_id}) does not state it."
    if ctx.resolution.cited:
        return " The cited source holds nothing about it."
    return " The pack holds nothing about it." if not ctx.index.sentences else " No source sentence is about it."


def _hits(ctx: RuleContext, params: ElementParams, statuses: set[Status]) -> list[Hit]:
    alignment = ctx.alignment
    wanted = [Element(name) for name in params.elements]
    found: list[ElementStatus] = [alignment.of(e) for e in wanted if alignment.status(e) in statuses]
    if not found:
        return []
    first = found[0]
    evidence = alignment.evidence[0] if alignment.evidence else ctx.best
    values = {
        "element": first.element.value,
        "elements": ", ".join(e.element.value for e in found),
        "claim_words": first.claim_words.strip(" .,;:"),
        "evidence_words": first.evidence_words,
        "source": evidence.source_id if evidence else "",
        "closest": _closest(alignment, ctx),
    }
    return [Hit(values, _span(alignment.frame, first.element), evidence, None)]


_FIELDS = ("element", "elements", "claim_words", "evidence_words", "source", "closest")


@kind("element_absent", ElementParams, fields=_FIELDS)
def element_absent(ctx: RuleContext, params: ElementParams) -> list[Hit]:
    """An element the claim asserts (its subject, outcome, direction, comparator...) that
    the evidence covering the rest of it does not state."""
    return _hits(ctx, params, {Status.ABSENT})


@kind("element_contradicted", ElementParams, fields=_FIELDS)
def element_contradicted(ctx: RuleContext, params: ElementParams) -> list[Hit]:
    """An element the evidence states the other way: no change where the claim says
    better, a fall where it says a rise."""
    if not ctx.alignment.core_shown and ctx.alignment.status(Element.DIRECTION) != Status.CONTRADICTED:
        return []
    return _hits(ctx, params, {Status.CONTRADICTED})
