"""Alignment: which evidence covers a claim, element by element.

For a claim and its ranked evidence, each candidate sentence is widened to a
short window of its neighbours in the same source (a finding is often spread
over two sentences), and the claim's frame is held against the window: the
subject, the outcome and its direction, the comparator, population and
condition. Each element gets a status. A claim is shown to be supported only
when its core (subject, outcome, direction) is matched; the rules read the
statuses to say what is missing or stronger.

When the claim cites sources that are in the pack, only they can cover it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Mapping, Sequence

from claimaudit.claims.anatomy import Statement
from claimaudit.claims.frame import (
    CORE,
    Direction,
    Element,
    Frame,
    directions_in,
    frame_of,
    outcome_words,
    specific_words,
)
from claimaudit.evidence.index import SourceIndex, SourceSentence
from claimaudit.evidence.rank import Match, Resolution
from claimaudit.language import content_tokens

# A phrase is covered when at least this share of its words is in the evidence.
COVERED = 0.5
# Sentences on either side of a candidate that may complete it.
WINDOW = 1
# Candidates tried, best ranked first.
CANDIDATES = 5

_NON_HUMAN = frozenset({"animal", "rodent", "mouse", "rat", "cell", "in vitro", "preclinical", "dog", "pig"})


class Status(str, Enum):
    MATCHED = "matched"
    WEAKER = "weaker"
    ABSENT = "absent"
    CONTRADICTED = "contradicted"
    NOT_STATED = "not stated"  # the claim does not assert this element


@dataclass(frozen=True)
class ElementStatus:
    element: Element
    status: Status
    claim_words: str = ""
    evidence_words: str = ""


@dataclass(frozen=True)
class Alignment:
    """How far the best covering evidence goes for each element of a claim."""

    frame: Frame
    elements: tuple[ElementStatus, ...]
    evidence: tuple[Match, ...]

    def of(self, element: Element) -> ElementStatus:
        for item in self.elements:
            if item.element == element:
                return item
        return ElementStatus(element, Status.NOT_STATED)

    def status(self, element: Element) -> Status:
        return self.of(element).status

    @property
    def core_shown(self) -> bool:
        """Subject, outcome and direction are each matched, or not asserted; and something is."""
        statuses = [self.status(e) for e in CORE]
        return all(s in {Status.MATCHED, Status.NOT_STATED} for s in statuses) and Status.MATCHED in statuses

    @property
    def matched_share(self) -> float:
        stated = [e for e in self.elements if e.status != Status.NOT_STATED]
        if not stated:
            return 0.0
        return sum(e.status == Status.MATCHED for e in stated) / len(stated)

    @property
    def source_id(self) -> str:
        return self.evidence[0].source_id if self.evidence else ""


@dataclass(frozen=True)
class _Window:
    rows: tuple[SourceSentence, ...]
    words: frozenset[str]
    canon: frozenset[str]
    text: str


def _window(index: SourceIndex, match: Match) -> tuple[SourceSentence, ...]:
    rows = index.rows_by_source.get(match.source_id, [])
    sentences = [index.sentences[r] for r in rows]
    for i, sentence in enumerate(sentences):
        if sentence.start == match.sentence.start:
            return tuple(sentences[max(0, i - WINDOW): i + WINDOW + 1])
    return (match.sentence,)


def _window_facts(rows: Sequence[SourceSentence]) -> _Window:
    words: set[str] = set()
    canon: set[str] = set()
    for row in rows:
        words.update(row.statement.token_set)
        words.update(content_tokens(row.text))
        canon.update(row.statement.key_terms())
    return _Window(tuple(rows), frozenset(words), frozenset(canon), " ".join(r.text for r in rows))


def _alias_words(frame: Frame, aliases: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """Words the sources use for a product the claim names."""
    words: set[str] = set()
    lowered = frame.text.lower()
    for name, targets in aliases.items():
        if name and name.lower() in lowered:
            for target in targets:
                words.update(content_tokens(target))
    return frozenset(words)


def _named(words: frozenset[str], aliases: Mapping[str, Sequence[str]]) -> frozenset[str]:
    names: set[str] = set()
    for name in aliases:
        names.update(content_tokens(name))
    return words - names


def _coverage(words: frozenset[str], window: _Window) -> float:
    if not words:
        return 0.0
    return len(words & window.words) / len(words)


def _shown(words: frozenset[str], window: _Window) -> str:
    return ", ".join(sorted(words & window.words))


def _subject(frame: Frame, window: _Window, claim: Statement, aliases, alias_words) -> ElementStatus:
    words = _named(specific_words(frame.subject), aliases)
    text = frame.subject.text
    if alias_words:
        # The product stands for what the sources call it.
        if alias_words & window.words:
            return ElementStatus(Element.SUBJECT, Status.MATCHED, text, _shown(alias_words, window))
        if not words:
            return ElementStatus(Element.SUBJECT, Status.ABSENT, text, "")
    if not words:
        return ElementStatus(Element.SUBJECT, Status.NOT_STATED, text)
    interventions = claim.canon("interventions")
    if interventions and interventions & window.canon:
        return ElementStatus(Element.SUBJECT, Status.MATCHED, text, ", ".join(sorted(interventions & window.canon)))
    if _coverage(words, window) >= COVERED:
        return ElementStatus(Element.SUBJECT, Status.MATCHED, text, _shown(words, window))
    return ElementStatus(Element.SUBJECT, Status.ABSENT, text, _shown(words, window))


def _outcome(frame: Frame, window: _Window, claim: Statement) -> ElementStatus:
    words = outcome_words(frame.outcome) - specific_words(frame.subject)
    text = frame.outcome.text
    if not words:
        return ElementStatus(Element.OUTCOME, Status.NOT_STATED, text)
    named = claim.canon("outcomes") | claim.canon("conditions")
    if named and named <= window.canon and _coverage(words, window) > 0:
        return ElementStatus(Element.OUTCOME, Status.MATCHED, text, ", ".join(sorted(named)))
    # A whole clause read without a predicate has no single head to insist on.
    head = _head(frame.outcome, words) if frame.predicate else None
    if _coverage(words, window) >= COVERED and (head is None or head in window.words):
        return ElementStatus(Element.OUTCOME, Status.MATCHED, text, _shown(words, window))
    return ElementStatus(Element.OUTCOME, Status.ABSENT, text, _shown(words, window))


def _head(phrase, words: frozenset[str]) -> str | None:
    """The last content word of an outcome, which English makes its head ("knee cartilage")."""
    for token in reversed(content_tokens(phrase.text)):
        if token in words:
            return token
    return None


_OPPOSITE = {Direction.UP: Direction.DOWN, Direction.DOWN: Direction.UP}


def _direction(frame: Frame, window: _Window) -> ElementStatus:
    claimed = frame.direction
    text = frame.predicate.text
    if claimed == Direction.UNSTATED:
        return ElementStatus(Element.DIRECTION, Status.NOT_STATED, text)
    found = directions_in(window.text)
    changes = found & {Direction.UP, Direction.DOWN, Direction.BETTER}
    said = ", ".join(sorted(d.value for d in found))
    if claimed == Direction.NO_CHANGE:
        if Direction.NO_CHANGE in found:
            return ElementStatus(Element.DIRECTION, Status.MATCHED, text, said)
        return ElementStatus(Element.DIRECTION, Status.ABSENT, text, said)
    if claimed in found or (claimed == Direction.BETTER and changes) or (Direction.BETTER in found and claimed in _OPPOSITE):
        return ElementStatus(Element.DIRECTION, Status.MATCHED, text, said)
    if Direction.NO_CHANGE in found and not changes:
        return ElementStatus(Element.DIRECTION, Status.CONTRADICTED, text, said)
    if claimed in _OPPOSITE and _OPPOSITE[claimed] in found and not changes - {_OPPOSITE[claimed]}:
        return ElementStatus(Element.DIRECTION, Status.CONTRADICTED, text, said)
    return ElementStatus(Element.DIRECTION, Status.ABSENT, text, said)


def _comparator(frame: Frame, window: _Window) -> ElementStatus:
    words = frame.comparator.words
    text = frame.comparator.text
    if not words:
        return ElementStatus(Element.COMPARATOR, Status.NOT_STATED, text)
    if _coverage(words, window) >= COVERED:
        return ElementStatus(Element.COMPARATOR, Status.MATCHED, text, _shown(words, window))
    return ElementStatus(Element.COMPARATOR, Status.ABSENT, text)


def _population(frame: Frame, window: _Window) -> ElementStatus:
    claimed = frame.populations
    found = frozenset(c for row in window.rows for c in row.statement.canon("populations"))
    if not claimed and not found:
        return ElementStatus(Element.POPULATION, Status.NOT_STATED)
    if found and found <= _NON_HUMAN and not (claimed & _NON_HUMAN):
        return ElementStatus(Element.POPULATION, Status.WEAKER, ", ".join(sorted(claimed)) or "people",
                             ", ".join(sorted(found)))
    if not claimed:
        return ElementStatus(Element.POPULATION, Status.NOT_STATED, "", ", ".join(sorted(found)))
    if claimed & found:
        return ElementStatus(Element.POPULATION, Status.MATCHED, ", ".join(sorted(claimed)), ", ".join(sorted(found)))
    return ElementStatus(Element.POPULATION, Status.ABSENT, ", ".join(sorted(claimed)), ", ".join(sorted(found)))


def _condition(frame: Frame, window: _Window) -> ElementStatus:
    claimed = frame.conditions
    if not claimed:
        return ElementStatus(Element.CONDITION, Status.NOT_STATED)
    found = frozenset(c for row in window.rows for c in row.statement.canon("conditions"))
    if claimed & found:
        return ElementStatus(Element.CONDITION, Status.MATCHED, ", ".join(sorted(claimed)), ", ".join(sorted(found)))
    return ElementStatus(Element.CONDITION, Status.ABSENT, ", ".join(sorted(claimed)), ", ".join(sorted(found)))


_RANK = {Status.MATCHED: 3, Status.NOT_STATED: 2, Status.WEAKER: 2, Status.CONTRADICTED: 1, Status.ABSENT: 0}


def _candidates(matches: Sequence[Match], resolution: Resolution) -> list[Match]:
    cited = set(resolution.cited)
    if cited:
        # A claim that names its source is held to that source alone.
        return [m for m in matches if m.source_id in cited][:CANDIDATES]
    return list(matches[:CANDIDATES])


def align(claim: Statement, matches: Sequence[Match], index: SourceIndex, resolution: Resolution,
          aliases: Mapping[str, Sequence[str]] | None = None) -> Alignment:
    """The alignment of a claim with the evidence that covers most of its frame."""
    aliases = aliases if aliases is not None else getattr(index, "aliases", {}) or {}
    frame = frame_of(claim)
    alias_words = _alias_words(frame, aliases)
    best: tuple | None = None
    for position, match in enumerate(_candidates(matches, resolution)):
        rows = _window(index, match)
        window = _window_facts(rows)
        subject = _subject(frame, window, claim, aliases, alias_words)
        outcome = _outcome(frame, window, claim)
        direction = _direction(frame, window)
        core = (subject, outcome, direction)
        score = (sum(_RANK[e.status] for e in core), -position)
        if best is None or score > best[0]:
            elements = core + (_comparator(frame, window), _population(frame, window), _condition(frame, window))
            ordered = (match,) + tuple(Match(r, match.similarity) for r in rows if r is not match.sentence)
            best = (score, Alignment(frame, elements, ordered))
    if best is None:
        absent = tuple(
            ElementStatus(e, Status.ABSENT if _stated(frame, e) else Status.NOT_STATED, _words_of(frame, e))
            for e in (*CORE, Element.COMPARATOR))
        return Alignment(frame, absent, ())
    return best[1]


def _stated(frame: Frame, element: Element) -> bool:
    if element == Element.SUBJECT:
        return bool(specific_words(frame.subject))
    if element == Element.OUTCOME:
        return bool(outcome_words(frame.outcome))
    if element == Element.DIRECTION:
        return frame.direction != Direction.UNSTATED
    if element == Element.COMPARATOR:
        return bool(frame.comparator)
    return False


def _words_of(frame: Frame, element: Element) -> str:
    return {Element.SUBJECT: frame.subject.text, Element.OUTCOME: frame.outcome.text,
            Element.DIRECTION: frame.predicate.text, Element.COMPARATOR: frame.comparator.text}.get(element, "")
