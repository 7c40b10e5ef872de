"""Check kinds over the alignment: an element of the claim that the evidence
leaves out, states more narrowly, or contradicts."""

from __future__ import annotations

from claimaudit.claims.frame import Element, Frame
from claimaudit.evidence.align import Alignment, ElementStatus, Status
from claimaudit.rules.context import Hit, RuleContext
from claimaudit.rules.spec import fill_template

# The elements whose status the alignment gives.
ALIGNED = ("subject", "outcome", "direction", "comparator", "population", "condition")
ALIGNMENT_FIELDS = ("element", "elements", "claim_words", "evidence_words", "source", "closest", "quoted")


def _span(frame: Frame, element: Element) -> tuple[int, int] | None:
    phrase = {Element.SUBJECT: frame.subject, Element.OUTCOME: frame.outcome, Element.DIRECTION: frame.predicate,
              Element.COMPARATOR: frame.comparator}.get(element)
    if phrase is None or not phrase.text:
        return None
    start = frame.text.find(phrase.text, phrase.start)
    return (start, start + len(phrase.text)) if start >= 0 else (phrase.start, phrase.end)


def _quoted(found: list[ElementStatus]) -> str:
    """Each element with the claim's words for it: 'subject "FlexiCur" and outcome "cartilage"'."""
    parts = [f'{e.element.value} "{e.claim_words.strip(" .,;:")}"' if e.claim_words.strip(" .,;:")
             else e.element.value for e in found]
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def _closest(alignment: Alignment, ctx: RuleContext) -> str:
    if alignment.evidence:
        best = alignment.evidence[0]
        return " " + fill_template("The closest evidence[ ({source})] does not state it.", {"source": best.source_id})
    if ctx.resolution.cited:
        return " The cited source holds nothing about it."
    return " The pack holds nothing about it." if not ctx.index.sentences else " No source sentence is about it."


def alignment_hits(ctx: RuleContext, elements: list[str], statuses: set[Status], guard: bool = False) -> list[Hit]:
    """A hit for the first of ``elements`` whose aligned status is one of ``statuses``.

    With ``guard`` (contradiction), a claim whose core the evidence does not
    cover is held against it only where the direction itself is reversed.
    """
    alignment = ctx.alignment
    if guard and not alignment.core_shown and alignment.status(Element.DIRECTION) != Status.CONTRADICTED:
        return []
    wanted = [Element(name) for name in elements]
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
        "quoted": _quoted(found),
    }
    decisive = Status.ABSENT in statuses and alignment.about_something_else
    return [Hit(values, _span(alignment.frame, first.element), evidence, None, decisive=decisive)]
