"""The frame of a statement: who or what acts, on which outcome, which way,
for whom, against what, by how much and how surely.

The same frame is read from a claim and from each evidence sentence, so that
alignment (``evidence/align.py``) can compare them element by element. Reading
is shallow and rule-based: the predicate is the relationship cue the strength
reader chose; the subject is what stands before it in its clause, the outcome
what follows it, less any comparator and figures.
"""

from __future__ import annotations

from functools import lru_cache

import re
from collections import OrderedDict
from dataclasses import dataclass
from enum import Enum

from claimaudit.claims.anatomy import Statement
from claimaudit.language import content_tokens, lazy_re, stem
from claimaudit.language.numbers import SCALE_WORDS, TENS_WORDS, UNITS_WORDS


class Direction(str, Enum):
    """Which way a statement says its outcome moves."""

    UP = "increase"
    DOWN = "decrease"
    BETTER = "improve"  # a benefit with no stated direction: relieves, helps, heals, protects
    NO_CHANGE = "no change"
    UNSTATED = "unstated"


class Element(str, Enum):
    SUBJECT = "subject"
    OUTCOME = "outcome"
    DIRECTION = "direction"
    POPULATION = "population"
    CONDITION = "condition"
    COMPARATOR = "comparator"
    QUANTIFIER = "quantifier"
    FIGURE = "figure"
    CERTAINTY = "certainty"
    TIME_FRAME = "time frame"
    ATTRIBUTION = "attribution"


CORE = (Element.SUBJECT, Element.OUTCOME, Element.DIRECTION)


@dataclass(frozen=True)
class Phrase:
    """Words of the statement, with their offsets and their stemmed content words."""

    text: str
    start: int
    end: int
    words: frozenset[str]

    def __bool__(self) -> bool:
        return bool(self.words)


@dataclass(frozen=True)
class BoundFigure:
    """A figure and what it quantifies."""

    text: str
    value: float
    unit: str
    qualifier: str
    kind: str
    quantifies: str


@dataclass(frozen=True)
class Frame:
    text: str
    subject: Phrase
    agent: Phrase  # what acts, named in an adjunct: "after a nitrate shot", "with FlexiCur"
    predicate: Phrase
    outcome: Phrase
    direction: Direction
    negated: bool  # the predicate is negated ("did not reduce")
    denies: bool  # something in the statement is negated ("no serious adverse events")
    populations: frozenset[str]
    conditions: frozenset[str]
    comparator: Phrase
    figures: tuple[BoundFigure, ...]
    certainty: int
    boosters: tuple[str, ...]
    hedges: tuple[str, ...]
    attribution: tuple[str, ...]

    @property
    def asserted(self) -> Phrase:
        """Everything the statement asserts about its subject (predicate and outcome)."""
        words = self.predicate.words | self.outcome.words
        start = min((p.start for p in (self.predicate, self.outcome) if p), default=0)
        end = max((p.end for p in (self.predicate, self.outcome) if p), default=0)
        return Phrase(self.text[start:end], start, end, words)


# Stems of the words that say which way an outcome moves. A benefit word
# ("relieves", "heals") is compatible with either direction: relieving pain
# is a fall, restoring mobility a rise.
_DOWN = frozenset(stem(w) for w in """reduce reduction lower lowered decrease decline drop fall fell fallen less fewer
    cut cuts shrink shrank diminish lessen suppress inhibit block kill slow slowed attenuate mitigate weaken eliminate
    clear shorten lose lost loss minimise minimize dampen curb halve halved fight fights combat lowest smaller shorter
    negative waned wane decay rarely seldom""".split())
_UP = frozenset(stem(w) for w in """increase increased rise rose risen raise boost enhance elevate grow grew regrow
    gain gained more greater higher highest larger longer double doubled triple tripled multiply build rebuild
    strengthen stimulate accelerate promote lengthen expand speed thicken thickened extend extended positive
    lift lifted lifts climb climbed
    last lasts lasted""".split())
_BETTER = frozenset(stem(w) for w in """improve improved improvement relieve relief ease eased alleviate heal healed
    help helped benefit cure cured treat treated protect protective prevent prevented restore restored repair repaired
    reverse reversed resolve resolved recover recovery support effective efficacious beneficial works work
    worked safe tolerated""".split())
# Statements that something did not move, or moved no more than its comparison.
_NO_CHANGE = lazy_re(
    r"\b(?:no|not|never|without)\s+(?:\w+\s+){0,3}?(?:significant(?:ly)?\s+)?(?:difference|differ(?:ed|ences?)?|change[sd]?|"
    r"effect|benefit|improvement|reduction|increase|association|impact|evidence)\b|"
    r"\b(?:did|does|do|was|were|is|are|has|have)\s+not\s+(?:\w+\s+){0,2}?\w+|"
    r"\b(?:similar|comparable|unchanged|unaffected|indistinguishable|no better|non-?significant|ineffective|failed\s+to)\b",
    re.IGNORECASE)

# Verbs that report a finding rather than state it: the claim is what follows them.
_REPORTING = frozenset(stem(w) for w in """find found show showed shown suggest suggested indicate indicated report
    reported demonstrate demonstrated reveal revealed conclude concluded confirm confirmed prove proved proven
    observe observed note noted""".split())


# Words that name no one in particular: "our therapy", "this product", "it".
_GENERIC_SUBJECT = frozenset(stem(w) for w in """our we us this that these those it its they them their the a an
    product products treatment treatments therapy therapies formula brand clinic clinics service services
    programme program protocol approach method solution supplement supplements capsule capsules tablet tablets
    pill pills cream creams serum device devices procedure procedures session sessions option options
    daily regular simple new natural unique proprietary advanced special patented exclusive
    study studies research trial trials data evidence science scientists researchers doctors experts
    early preliminary recent emerging new clinical scientific published independent growing
    can could would should will is are was were be been being has have had do does did""".split()) | _REPORTING
# Words around an outcome that carry no part of it.
_LIGHT_WORDS = frozenset(stem(w) for w in """significantly significant markedly greatly substantially dramatically
    clearly noticeably visibly measurably meaningfully considerably slightly modestly rapidly quickly fast
    level levels score scores symptom symptoms sign signs overall total amount amounts rate rates
    patient patients participant participants people person persons subject subjects user users adult adults
    group groups compared receiving received taking took given after before during within week weeks day days
    month months year years time times every all any each always never whole entire""".split())

_COMPARATOR = lazy_re(
    r"\b(?:compared\s+(?:with|to)|relative\s+to|versus|vs\.?|than|(?<![,;]\s)(?<![,;])as\s+(?:well|effectively|much|good|fast|"
    r"quickly|strong|powerful|safe)\s+as|superior\s+to|inferior\s+to|equivalent\s+to|on\s+par\s+with|"
    r"outperforms?|outperformed|beats?|rivals?|instead\s+of)\s+(?!\d|more|less|half|a\s+third|"
    r"a\s+quarter|twice|double)((?:(?!\b(?:in|at|for|among|after|within|during|over|by|with|when|while|and)\b)"
    r"[\w'’\-]+\s*){1,6})",
    re.IGNORECASE)
# What is left of "as well as" or "better than" once the comparator is taken out.
_COMPARING_WORDS = lazy_re(r"(?:as\s+)?(?:well|effectively|much|good|fast|quickly|strong|powerful|safe|better|more|"
                           r"less|faster)?(?:\s+(?:as|than))?", re.IGNORECASE)
_THAT_CLAUSE = (r"\b(?:that|(?:shows?|showed|shown|found|finds|suggests?|suggested|indicates?|indicated|reports?|"
                r"reported|demonstrates?|demonstrated|confirms?|confirmed)\s+that|according\s+to\s+[^,]*,)")
_CLAUSE_START = lazy_re(r"(?:^|[,;:]\s*|" + _THAT_CLAUSE + r")\s*", re.IGNORECASE)
_THAT_START = lazy_re(_THAT_CLAUSE + r"\s*", re.IGNORECASE)
_CLAUSE_END = lazy_re(r"[;:]|,\s+(?:but|while|whereas|although|though|which|and\s+(?:it|they|this))\b|(?<!\s)\s+but\s+|"
                      r"\.\s|$")


# Where an outcome's modifiers begin: its time frame, population, setting or manner.
_MODIFIER = lazy_re(
    r"[,(]|\b(?:after|within|in|for|over|during|at|by|among|from|with|without|when|while|compared|versus|than|"
    r"as|since|until|across|per|via|through|because|thanks)\b", re.IGNORECASE)


def _core_end(text: str, start: int, end: int) -> int:
    """Where the head of an outcome ends: "joint pain" in "joint pain by 50% in adults"."""
    first = re.search(r"[\w%]", text[start:end])
    if first is None:
        return start
    begin = start + first.start()
    m = _MODIFIER.search(text, begin + 1, end)
    return m.start() if m else end


def _phrase(text: str, start: int, end: int, plain: str | None = None) -> Phrase:
    """Words of ``text`` between the offsets; ``plain`` is the same text with its
    figures blanked out, so that "a third" or "4%" is never read as a word of a subject or outcome."""
    start = max(0, min(start, len(text)))
    end = max(start, min(end, len(text)))
    return Phrase(text[start:end].strip(), start, end, frozenset(content_tokens((plain or text)[start:end])))


_NUMBER_WORDS = lazy_re(
    r"[\d][\d.,]*\s*%?|\b(?:per\s*cent|percent|"
    + "|".join(sorted([*UNITS_WORDS, *TENS_WORDS, *SCALE_WORDS], key=len, reverse=True))
    + r"|half|third|thirds|quarter|quarters|twice|double|triple|fold|times|dozen|in|of|out|more|less|fewer|than|"
    r"up|to|about|around|approximately|nearly|almost|over|under|at|least|most|some)\b",
    re.IGNORECASE)


def _without_figures(text: str, quantities) -> str:
    """The text with the numbers of its figures blanked out, keeping what they count
    ("500 NHS clinics" keeps "NHS clinics")."""
    chars = list(text)
    for q in quantities:
        start, end = max(q.start, 0), min(q.end, len(chars))
        for m in _NUMBER_WORDS.finditer(text, start, end):
            for i in range(m.start(), m.end()):
                chars[i] = " "
    return "".join(chars)


# What acts, when a sentence is about its outcome: "pain fell with TENS", "scores rose after taking X".
# People a "with" describes rather than treats: "adults with knee osteoarthritis".
_BEARERS = frozenset(stem(w) for w in """people person persons patient patients adult adults man men woman women
    child children kid kids participant participants subject subjects user users volunteer volunteers individual
    individuals those anyone someone athlete athletes rider riders runner runners smoker smokers case cases
    infant infants baby babies teen teens""".split())


def _agents(text: str, plain: str, conditions: frozenset[str]):
    """Adjuncts that may name what acted, leaving out those that describe people."""
    for adjunct in _AGENT_ADJUNCT.finditer(text):
        before = re.findall(r"[\w'’]+", text[:adjunct.start()])
        if before and stem(before[-1]) in _BEARERS:
            continue
        phrase = _phrase(text, adjunct.start(1), adjunct.end(1), plain)
        named = specific_words(phrase)
        if named and not named <= conditions:
            yield adjunct, phrase


_AGENT_ADJUNCT = lazy_re(r"\b(?:with|after|using|taking|from|on|in\s+users\s+of|for\s+users\s+of)\s+"
                         r"((?:(?!\b(?:as|than|in|at|for|by|over|within|and|or|but)\b)[\w'’\-]+\s*){1,4})",
                         re.IGNORECASE)


def _first_words(text: str, start: int, end: int, count: int = 1) -> int:
    """The end of the first ``count`` words after ``start``: an outcome is never less than that."""
    m = re.match(r"\s*(?:[\w'’\-]+\s*){0,%d}" % count, text[start:end])
    return start + (m.end() if m else 0)


def _empty(text: str) -> Phrase:
    return Phrase("", 0, 0, frozenset())


def direction_of(words: frozenset[str], negated: bool, text: str) -> Direction:
    changes = words & (_DOWN | _UP | _BETTER)
    if _NO_CHANGE.search(text) or (negated and changes):
        return Direction.NO_CHANGE
    if negated:
        # "No serious adverse events occurred": a denial, not a direction.
        return Direction.UNSTATED
    down, up = bool(words & _DOWN), bool(words & _UP)
    if down and not up:
        return Direction.DOWN
    if up and not down:
        return Direction.UP
    if words & _BETTER or (down and up):
        return Direction.BETTER
    return Direction.UNSTATED


# Words that qualify a figure, not an outcome's direction ("fewer than 5%", "more than 1,000").
_FIGURE_QUALIFIER = lazy_re(r"\b(?:more|less|fewer|greater|higher|lower)\s+than\s+(?=[\d.,]|one|two|three|four|five|"
                            r"six|seven|eight|nine|ten|half|a\s)|\bat\s+(?:least|most)\b|\bup\s+to\b", re.IGNORECASE)


@lru_cache(maxsize=16384)
def directions_in(text: str) -> frozenset[Direction]:
    """Every direction a piece of evidence states, for matching against a claim's one
    (kept per text: the same evidence is read for many claims)."""
    text = _FIGURE_QUALIFIER.sub(" ", text)
    found: set[Direction] = set()
    if _NO_CHANGE.search(text):
        found.add(Direction.NO_CHANGE)
        # "did not lower" says no change, not a fall: negated words of change are set aside.
        text = _NO_CHANGE.sub(" ", text)
    words = frozenset(content_tokens(text)) | frozenset(stem(w) for w in re.findall(r"[a-z]+", text.lower()))
    if words & _DOWN:
        found.add(Direction.DOWN)
    if words & _UP:
        found.add(Direction.UP)
    if words & _BETTER:
        found.add(Direction.BETTER)
    return frozenset(found)


@dataclass(frozen=True)
class _Predicate:
    start: int
    end: int


def _direction_word(text: str) -> _Predicate | None:
    """The first word that says an outcome moved ("fell", "boosted"), outside a figure's qualifier."""
    masked = _FIGURE_QUALIFIER.sub(lambda m: " " * len(m.group(0)), text)
    for m in re.finditer(r"[A-Za-z][\w'’\-]*", masked):
        if stem(m.group(0)) in _DOWN | _UP | _BETTER and m.start() > 0:
            return _Predicate(m.start(), m.end())
    return None


def _predicate_cue(statement: Statement):
    """Where the claim says what happened: the first deciding relationship cue or
    word of change, leaving out reporting verbs ("found"), comparisons ("compared
    with 6%") and a participle that opens the sentence as an adjective ("Treated mice")."""
    text = statement.text
    relationship = sorted((c for c in statement.strength.cues if c.kind in {"causal", "correlational"}),
                          key=lambda c: c.start)
    candidates: list = [c for c in relationship if stem(c.lemma.split()[-1] if c.lemma else c.text) not in _REPORTING
                        and c.group != "comparison"]
    moved = _direction_word(text)
    if moved is not None:
        candidates.append(moved)
    candidates.sort(key=lambda c: c.start)
    opening = [c for c in candidates if c.start == 0 and text[c.start:c.end].lower().endswith("ed")]
    if opening and len(candidates) > 1:
        candidates = [c for c in candidates if c not in opening]
    if candidates:
        return candidates[0]
    return relationship[0] if relationship else None


def _clause_start(text: str, before: int) -> int:
    start = 0
    for m in _CLAUSE_START.finditer(text, 0, before):
        if m.end() <= before:
            start = m.end()
    return start


def _clause_end(text: str, after: int) -> int:
    m = _CLAUSE_END.search(text, after)
    return m.start() if m else len(text)


def specific_words(phrase: Phrase) -> frozenset[str]:
    """The words of a subject that name something in particular."""
    return frozenset(w for w in phrase.words if w not in _GENERIC_SUBJECT and not w.isdigit()
                     and w not in _DOWN and w not in _UP and w not in _BETTER)


# Words that say how much or which way, never what: "less", "more", "higher".
_AMOUNT = frozenset(stem(w) for w in """more less fewer greater higher lower larger smaller longer shorter faster
    slower better worse most least""".split())


def outcome_words(phrase: Phrase) -> frozenset[str]:
    return frozenset(w for w in phrase.words if w not in _LIGHT_WORDS and not w.isdigit() and w not in _AMOUNT)


def _read_frame(statement: Statement) -> Frame:
    text = statement.text
    plain = _without_figures(text, statement.quantities)
    condition_words = frozenset(w for term in statement.terms_of("conditions") for w in content_tokens(term.text))
    cue = _predicate_cue(statement)
    comparator = _empty(text)
    m = _COMPARATOR.search(text)
    if m:
        comparator = _phrase(text, m.start(1), m.end(1), plain)
    if cue is not None:
        clause_start = _clause_start(text, cue.start)
        subject = _phrase(text, clause_start, cue.start, plain)
        predicate = _phrase(text, cue.start, cue.end)
        end = _clause_end(text, cue.end)
        outcome = _phrase(text, cue.end, max(_core_end(text, cue.end, end), _first_words(text, cue.end, end)), plain)
        if m is not None and comparator and cue.end <= m.start() < end:
            # What is compared with is not part of the outcome: "works as well as ibuprofen for pain".
            pieces = [text[cue.end:m.start()], text[m.end():_core_end(text, m.end(), end)]]
            pieces = [p.strip(" ,") for p in pieces if content_tokens(p) and not _COMPARING_WORDS.fullmatch(p.strip())]
            outcome = Phrase(" … ".join(pieces), outcome.start, outcome.end,
                             frozenset(content_tokens(plain[cue.end:m.start()] + " " + plain[m.end():end])))
        agent_follows = predicate.text.lower().split()[-1:] in (["with"], ["after"], ["by"], ["from"], ["following"])
        if (agent_follows or not outcome_words(outcome)) and outcome_words(subject):
            # "Knee pain fell by a third with FlexiCur": the outcome stands
            # before the verb, and what acts, if named, follows "with".
            outcome = subject
            subject = next((p for a, p in _agents(text, plain, condition_words)
                            if not (outcome.start <= a.start() < outcome.end)), _empty(text))
    else:
        # No relationship cue to split on: the whole clause is what is asserted,
        # and it is held against the evidence as one.
        subject = _empty(text)
        predicate = _empty(text)
        that = _THAT_START.search(text)
        start = that.end() if that else 0
        end = m.start() if m and m.start() > start else len(text)
        outcome = _phrase(text, start if start < end else 0, end, plain)
    if cue is not None and not specific_words(subject) and not outcome_words(outcome):
        # The predicate found says nothing checkable on either side ("..., which
        # cleared up"): the clause as a whole is what is held against the evidence.
        that = _THAT_START.search(text)
        start = that.end() if that else 0
        outcome = _phrase(text, start, len(text), plain)
        subject = _empty(text)
    said = text[min(predicate.start, outcome.start):max(predicate.end, outcome.end)] if predicate else outcome.text
    words = frozenset(content_tokens(_FIGURE_QUALIFIER.sub(" ", said)))
    negated = bool(statement.strength.negated) or any(
        c.kind == "negation" and c.scope_start <= (predicate.start if predicate else 0) < max(c.scope_end, c.end)
        for c in statement.cues)
    direction = direction_of(words, negated, said if predicate else text)
    agent = _empty(text)
    for adjunct, phrase in _agents(text, plain, condition_words):
        if not (subject and subject.start <= adjunct.start() < subject.end):
            agent = phrase
            break
    bound = tuple(
        BoundFigure(q.text, float(q.value), q.unit or "", q.qualifier or "", q.kind,
                    text[q.end:_clause_end(text, q.end)][:60].strip())
        for q in statement.quantities)
    return Frame(
        text=text, subject=subject, agent=agent, predicate=predicate, outcome=outcome, direction=direction, negated=negated,
        denies=negated or any(c.kind == "negation" for c in statement.cues),
        populations=statement.canon("populations"), conditions=statement.canon("conditions"),
        comparator=comparator, figures=bound, certainty=statement.level,
        boosters=tuple(c.text for c in statement.cues if c.kind == "booster"),
        hedges=tuple(c.text for c in statement.cues if c.kind == "hedge"),
        attribution=tuple(n.get("text", "") for n in statement.attribution.named_sources)
        + tuple(v[2] for v in statement.attribution.vague),
    )


# Frames of the statements read in this process, by text: a statement is a pure
# function of its text, and so is its frame. Bounded, and never written to disk.
_FRAMES: OrderedDict[str, Frame] = OrderedDict()
_FRAMES_KEPT = 16_384


def frame_of(statement: Statement) -> Frame:
    """The frame of a claim or evidence sentence."""
    frame = _FRAMES.get(statement.text)
    if frame is None:
        frame = _FRAMES[statement.text] = _read_frame(statement)
        if len(_FRAMES) > _FRAMES_KEPT:
            _FRAMES.popitem(last=False)
    return frame
