"""Alignment: which evidence covers a claim, element by element.

For a claim and its ranked evidence, each candidate sentence is widened to a
short window of its neighbours in the same source (a finding is often spread
over two sentences), and the claim's frame is held against the window: the
subject, the outcome and its direction, the comparator, population,
condition and any quantifier ("every", "only"). Each element gets a status. A claim is shown to be supported only
when its core (subject, outcome, direction) is matched; the rules read the
statuses to say what is missing or stronger.

When the claim cites sources that are in the pack, only they can cover it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
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
from claimaudit.evidence.aliases import alias_matcher
from claimaudit.evidence.index import SourceIndex, SourceSentence
from claimaudit.evidence.rank import Match, Resolution
from claimaudit.language import content_tokens, lazy_re, stem

# A phrase is covered when at least this share of its words is in the evidence.
COVERED = 0.45
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
    # Matched by meaning, not by words (the semantic extra): the cosine similarity
    # of the claim's word to the evidence word standing for it, the least of them
    # when several were; None when words decided.
    meaning: float | None = None


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
        """Subject, outcome and direction are each matched, or not asserted; and
        what the claim is about (its subject or outcome) is matched."""
        statuses = [self.status(e) for e in CORE]
        about = {self.status(Element.SUBJECT), self.status(Element.OUTCOME)}
        return all(s in {Status.MATCHED, Status.NOT_STATED} for s in statuses) and Status.MATCHED in about

    @property
    def matched_share(self) -> float:
        stated = [e for e in self.elements if e.status != Status.NOT_STATED]
        if not stated:
            return 0.0
        return sum(e.status == Status.MATCHED for e in stated) / len(stated)

    @property
    def source_id(self) -> str:
        return self.evidence[0].source_id if self.evidence else ""

    @property
    def about_something_else(self) -> bool:
        """The claim's subject is absent from the evidence that covers the rest of it,
        and that evidence names something else acting: the claim is about another thing."""
        if self.status(Element.SUBJECT) != Status.ABSENT or not self.evidence:
            return False
        ours = specific_words(self.frame.subject)
        theirs = frozenset().union(*(specific_words(frame_of(m.sentence.statement).subject) for m in self.evidence))
        return bool(ours and theirs and not ours & theirs)

    def contestable(self, matches: Sequence[Match]) -> list[Match]:
        """The evidence a contradiction may be drawn from. When the evidence that covers
        the claim says what the claim says, a less similar sentence of another study is
        about something else ("lowered blood pressure in adults with hypertension"
        against "did not lower it in young adults with normal blood pressure")."""
        if not self.core_shown or self.status(Element.DIRECTION) != Status.MATCHED or not self.evidence:
            return list(matches)
        covering = self.evidence[0].similarity
        return [m for m in matches if m.source_id == self.source_id or m.similarity >= covering]


# Stems that share this many first letters are one word in two forms
# ("inflammation" and "inflammatory", "allergies" and "allergic").
PREFIX = 6


@dataclass(frozen=True)
class _Window:
    rows: tuple[SourceSentence, ...]
    words: frozenset[str]
    canon: frozenset[str]
    text: str
    prefixes: frozenset[str] = frozenset()

    def has(self, word: str) -> bool:
        return word in self.words or (len(word) >= PREFIX and word[:PREFIX] in self.prefixes)


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
    return _Window(tuple(rows), frozenset(words), frozenset(canon), " ".join(r.text for r in rows),
                   frozenset(w[:PREFIX] for w in words if len(w) >= PREFIX))


def _alias_words(frame: Frame, aliases: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """Words the sources use for a product the claim names (whole names, any case)."""
    words: set[str] = set()
    table = {name: tuple(targets) for name, targets in aliases.items()}
    # Only the product that acts counts ("Unlike FlexiCur, naproxen..." is about naproxen).
    said = " ".join(p.text for p in (frame.subject, frame.agent) if p.text) if frame.predicate else frame.text
    for _start, _end, key, _target in alias_matcher(table).find(said) if table else ():
        for target in table.get(key, ()):
            words.update(content_tokens(target))
    return frozenset(words)


@lru_cache(maxsize=64)
def _alias_name_words(names: tuple[str, ...]) -> frozenset[str]:
    return frozenset(word for name in names for word in content_tokens(name))


def _named(words: frozenset[str], aliases: Mapping[str, Sequence[str]]) -> frozenset[str]:
    """The words of a subject less the product names the aliases stand in for."""
    return words - _alias_name_words(tuple(aliases)) if aliases else words


def _coverage(words: frozenset[str], window: _Window) -> float:
    if not words:
        return 0.0
    return sum(window.has(w) for w in words) / len(words)


def _shown(words: frozenset[str], window: _Window) -> str:
    return ", ".join(sorted(w for w in words if window.has(w)))


# Forms a product comes in: "this cream" is not evidence-free of what it is.
_FORMS = frozenset(stem(w) for w in """cream creams serum serums gel gels lotion lotions balm balms ointment
    ointments spray sprays capsule capsules tablet tablets pill pills injection injections infusion infusions drink
    drinks tea teas juice juices patch patches gummy gummies powder powders drops shot shots""".split())


def _subject(frame: Frame, window: _Window, claim: Statement, aliases, alias_words) -> ElementStatus:
    words = _named(specific_words(frame.subject), aliases)
    text = frame.subject.text
    forms = frame.subject.words & _FORMS
    if not words and not alias_words and forms:
        # "This cream lowers knee pain" against a capsule trial: the form is all the claim names.
        if any(window.has(w) for w in forms):
            return ElementStatus(Element.SUBJECT, Status.MATCHED, text, _shown(forms, window))
        return ElementStatus(Element.SUBJECT, Status.ABSENT, text, "")
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
    # "Riders needed less oxygen after a nitrate shot": the sentence's subject
    # is who was measured; what acted stands in the adjunct.
    agent = _named(specific_words(frame.agent), aliases)
    if agent and _coverage(agent, window) >= COVERED:
        return ElementStatus(Element.SUBJECT, Status.MATCHED, frame.agent.text, _shown(agent, window))
    return ElementStatus(Element.SUBJECT, Status.ABSENT, text, _shown(words, window))


def _outcome_words(frame: Frame) -> frozenset[str]:
    """What the claim says changed, less its subject, its verb and what it is compared with."""
    words = outcome_words(frame.outcome) - specific_words(frame.subject)
    if frame.predicate:
        words -= frame.predicate.words | frame.comparator.words
    return words


def _outcome(frame: Frame, window: _Window, claim: Statement) -> ElementStatus:
    words = _outcome_words(frame)
    text = frame.outcome.text
    if not words:
        return ElementStatus(Element.OUTCOME, Status.NOT_STATED, text)
    named = claim.canon("outcomes") | claim.canon("conditions")
    if named and named <= window.canon and _coverage(words, window) > 0:
        return ElementStatus(Element.OUTCOME, Status.MATCHED, text, ", ".join(sorted(named)))
    # A whole clause read without a predicate has no single head to insist on.
    head = _head(frame.outcome, words) if frame.predicate else None
    if _coverage(words, window) >= COVERED and (head is None or window.has(head)):
        return ElementStatus(Element.OUTCOME, Status.MATCHED, text, _shown(words, window))
    return ElementStatus(Element.OUTCOME, Status.ABSENT, text, _shown(words, window))


def _same_actor(frame: Frame, window: _Window, aliases, alias_words: frozenset[str],
                subject: ElementStatus) -> ElementStatus:
    """The subject counts only if the sentence that states the outcome is about it:
    "Turmeric was given to the first group. Naproxen lowered knee pain in the
    second." does not show that turmeric lowers knee pain."""
    if subject.status != Status.MATCHED or len(window.rows) < 2:
        return subject
    ours = _named(specific_words(frame.subject), aliases) | alias_words | specific_words(frame.agent)
    outcome = _outcome_words(frame)
    if not ours or not outcome:
        return subject

    def words_of(row: SourceSentence) -> set[str]:
        return set(row.statement.token_set) | set(content_tokens(row.text))

    stating = max(window.rows, key=lambda row: len(outcome & words_of(row)))
    if ours & words_of(stating):
        return subject
    theirs = specific_words(frame_of(stating.statement).subject)
    if theirs and not theirs & ours and not theirs & outcome:
        return ElementStatus(Element.SUBJECT, Status.ABSENT, subject.claim_words, "")
    return subject


# Share of subject and outcome words together that must be in the evidence for
# a misplaced boundary between them to be forgiven.
ACROSS = 0.6


def _across_the_split(frame: Frame, window: _Window, aliases, subject: ElementStatus,
                      outcome: ElementStatus) -> tuple[ElementStatus, ElementStatus]:
    """Where the reading put the line between subject and outcome is a guess
    ("Knee swelling | lasting | several days affected 4 of 18 patients"): when
    most of their words together are in the evidence, each side with a word
    found there counts as matched."""
    sides = {Element.SUBJECT: _named(specific_words(frame.subject), aliases),
             Element.OUTCOME: _outcome_words(frame)}
    together = sides[Element.SUBJECT] | sides[Element.OUTCOME]
    if not together or _coverage(together, window) < ACROSS:
        return subject, outcome
    head = _head(frame.outcome, sides[Element.OUTCOME]) if frame.predicate else None
    mended = []
    for status in (subject, outcome):
        found = [w for w in sides[status.element] if window.has(w)]
        if status.element == Element.OUTCOME and head is not None and not window.has(head):
            # "pain tolerance" is not shown by "pain": the head of the outcome must be there.
            found = []
        if status.status == Status.ABSENT and found:
            status = ElementStatus(status.element, Status.MATCHED, status.claim_words, ", ".join(sorted(found)))
        mended.append(status)
    return mended[0], mended[1]


# A finite verb inside an outcome means the reading ran past the noun phrase.
_VERB_LIKE = lazy_re(r"\b(?:\w{3,}ed|came|comes|come|went|goes|had|has|have|was|were|is|are|been|became|began)\b",
                     re.IGNORECASE)
# An outcome longer than this is more than a noun phrase (the reading took in a
# verb or a clause), and its last word is no longer its head.
HEAD_WORDS = 3


def _head(phrase, words: frozenset[str]) -> str | None:
    """The last content word of an outcome, which English makes its head ("knee cartilage")."""
    if len(words) > HEAD_WORDS or _VERB_LIKE.search(phrase.text):
        return None
    for token in reversed(content_tokens(phrase.text)):
        if token in words:
            return token
    return None


_OPPOSITE = {Direction.UP: Direction.DOWN, Direction.DOWN: Direction.UP}


_SAFE_WORDS = frozenset(stem(w) for w in "safe safely safety tolerated tolerable harmless gentle".split())
_SAFETY_FINDINGS = frozenset(stem(w) for w in """safe safety tolerated tolerability tolerable adverse side harm harms
    harmful toxicity toxic""".split())


def _direction(frame: Frame, window: _Window) -> ElementStatus:
    claimed = frame.direction
    text = frame.predicate.text
    if frame.predicate and frame.predicate.words & _SAFE_WORDS and not frame.negated:
        # "Is safe" is shown by what a study found about harms, not by any benefit.
        findings = sorted(w for w in _SAFETY_FINDINGS if window.has(w))
        if findings:
            return ElementStatus(Element.DIRECTION, Status.MATCHED, text, ", ".join(findings))
        return ElementStatus(Element.DIRECTION, Status.ABSENT, text, "no finding on safety")
    if claimed == Direction.UNSTATED:
        denied = _denied(frame, window)
        if denied:
            # The claim states a fact ("was shown to be sufficient") that the evidence negates.
            return ElementStatus(Element.DIRECTION, Status.CONTRADICTED, frame.outcome.text, denied)
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
    # A direction read from a clause with no predicate is too loose to be contradicted.
    if frame.predicate and Direction.NO_CHANGE in found and not changes:
        return ElementStatus(Element.DIRECTION, Status.CONTRADICTED, text, said)
    if frame.predicate and claimed in _OPPOSITE and _OPPOSITE[claimed] in found \
            and not changes - {_OPPOSITE[claimed]}:
        return ElementStatus(Element.DIRECTION, Status.CONTRADICTED, text, said)
    return ElementStatus(Element.DIRECTION, Status.ABSENT, text, said)


def _denied(frame: Frame, window: _Window) -> str:
    """The negation in the evidence whose scope holds most of what an affirmative claim states."""
    if frame.denies:
        return ""
    words = outcome_words(frame.outcome) | specific_words(frame.subject)
    if len(words) < 2:
        return ""
    for row in window.rows:
        for cue in row.statement.cues:
            if cue.kind != "negation":
                continue
            scope = frozenset(content_tokens(row.text[cue.scope_start:cue.scope_end]))
            if len(words & scope) >= max(2, (len(words) + 1) // 2):
                return row.text[min(cue.start, cue.scope_start):max(cue.end, cue.scope_end)].strip()
    return ""


def _comparator(frame: Frame, window: _Window) -> ElementStatus:
    words = frame.comparator.words
    text = frame.comparator.text
    if not words:
        return ElementStatus(Element.COMPARATOR, Status.NOT_STATED, text)
    if _coverage(words, window) >= COVERED:
        return ElementStatus(Element.COMPARATOR, Status.MATCHED, text, _shown(words, window))
    return ElementStatus(Element.COMPARATOR, Status.ABSENT, text)


# Age groups a population may name, by the stems of the words that name them.
_AGE_GROUPS = {
    "children": frozenset(stem(w) for w in """child children kid kids infant infants baby babies toddler toddlers
        teen teens teenager teenagers adolescent adolescents pupil pupils schoolchildren boy boys girl girls
        paediatric pediatric newborn newborns""".split()),
    "adults": frozenset(stem(w) for w in "adult adults men women".split()),
    "older adults": frozenset(stem(w) for w in "older elderly senior seniors pensioners".split()),
}
_HEALTHY = frozenset(stem(w) for w in "healthy volunteers".split())


def _age_groups(words: frozenset[str]) -> frozenset[str]:
    return frozenset(group for group, names in _AGE_GROUPS.items() if words & names)


# Words that stretch a finding over everyone or everything ("every stomach",
# "all variants", "the majority of deaths"), by the group of words a source
# would have to use to say as much.
_UNIVERSAL = lazy_re(
    r"\b(?:every(?:one|body)?|all(?!-)|any(?:one|body)?|always|whole|entire|only|solely|(?:the\s+)?majority|most|"
    r"never|cannot|can['’]t|impossible|no\s+one|nobody)\b"
    # Not a frequency ("every month", "most days"), a likelihood ("most likely") or a count ("all 40 adults").
    r"(?!\s+(?:\w+\s+)?(?:times?|days?|weeks?|months?|years?|nights?|mornings?|evenings?|hours?|minutes?|session|dose|"
    r"use|uses|likely|often|common|commonly|recently|importantly)\b)(?!\s+\d)",
    re.IGNORECASE)
# "Only" that narrows a claim ("although only in mice", "only in a small trial") is a hedge, not a boast.
_NARROWING_ONLY = lazy_re(r"(?:\b(?:although|though|but|yet|so\s+far|to\s+date|,)\s+(?:\w+\s+){0,2}only\b)|"
                          r"\bonly\s+(?:in|among|for)\s+(?:\w+\s+){0,2}(?:mice|rats|animals?|cells?|laboratory|lab|"
                          r"a\s+few|small|some|one|early|pilot)", re.IGNORECASE)
_UNIVERSAL_GROUPS = (
    frozenset("every everyone everybody all each any anyone anybody always whole entire".split()),
    frozenset("majority most".split()),
    frozenset("only solely exclusively alone".split()),
    frozenset("never cannot can't impossible nobody none".split()),
)


def _quantifier(frame: Frame, window: _Window) -> ElementStatus:
    """A quantifier over everyone or everything in the claim that the evidence does not use."""
    said = next((m for m in _UNIVERSAL.finditer(frame.text)
                 if not (m.group(0).lower() == "only" and _NARROWING_ONLY.search(frame.text))), None)
    if said is None:
        return ElementStatus(Element.QUANTIFIER, Status.NOT_STATED)
    said_words = said.group(0).lower().replace("’", "'").split()
    word = "nobody" if said_words == ["no", "one"] else said_words[-1]
    group = next((g for g in _UNIVERSAL_GROUPS if word in g), frozenset({word}))
    evidence_words = {w.lower().replace("’", "'") for w in re.findall(r"[A-Za-z]+(?:['’]t)?", window.text)}
    rest = re.match(r"\s*(?:of\s+)?(?:the\s+)?[\w'’\-]+", frame.text[said.end():])
    phrase = (said.group(0) + (rest.group(0) if rest else "")).strip()
    if evidence_words & group or (word in {"majority", "most"} and re.search(r"\d\s*%|per\s*cent", window.text)):
        return ElementStatus(Element.QUANTIFIER, Status.MATCHED, phrase, ", ".join(sorted(evidence_words & group)))
    return ElementStatus(Element.QUANTIFIER, Status.WEAKER, phrase, "no such quantifier")


def _population(frame: Frame, window: _Window) -> ElementStatus:
    claimed = frame.populations
    found = frozenset(c for row in window.rows for c in row.statement.canon("populations"))
    if found and found <= _NON_HUMAN and not (claimed & _NON_HUMAN):
        return ElementStatus(Element.POPULATION, Status.WEAKER, ", ".join(sorted(claimed)) or "people",
                             ", ".join(sorted(found)))
    # Children are not adults, nor adults children: an age group the claim names
    # that the evidence, naming another, leaves out.
    claim_ages = _age_groups(frozenset(content_tokens(frame.text)))
    evidence_ages = _age_groups(window.words)
    if claim_ages and evidence_ages and not claim_ages & evidence_ages:
        return ElementStatus(Element.POPULATION, Status.ABSENT, ", ".join(sorted(claim_ages)),
                             ", ".join(sorted(evidence_ages)))
    if not claimed and not claim_ages:
        return ElementStatus(Element.POPULATION, Status.NOT_STATED, "", ", ".join(sorted(found | evidence_ages)))
    return ElementStatus(Element.POPULATION, Status.MATCHED, ", ".join(sorted(claimed | claim_ages)),
                         ", ".join(sorted(found | evidence_ages)))


def _condition(frame: Frame, window: _Window, source: Sequence[SourceSentence]) -> ElementStatus:
    """A condition the claim names, against the study that covers it: named there
    (anywhere in the source), left out because the study was in healthy people,
    or narrower because it was in another condition."""
    claimed = frame.conditions
    if not claimed:
        return ElementStatus(Element.CONDITION, Status.NOT_STATED)
    found = frozenset(c for row in source for c in row.statement.canon("conditions"))
    if claimed & found:
        return ElementStatus(Element.CONDITION, Status.MATCHED, ", ".join(sorted(claimed)), ", ".join(sorted(found)))
    if window.words & _HEALTHY and not found:
        return ElementStatus(Element.CONDITION, Status.ABSENT, ", ".join(sorted(claimed)), "healthy people")
    # Another condition named instead is a shift the condition rule (CA302) reports with its evidence.
    return ElementStatus(Element.CONDITION, Status.WEAKER if found else Status.NOT_STATED,
                         ", ".join(sorted(claimed)), ", ".join(sorted(found)))


_WORD = lazy_re(r"[^\W\d_][\w'-]*")


def _surface_words(text: str) -> dict[str, str]:
    """Each content word's stem, with the word as written (embeddings read words, not stems)."""
    found: dict[str, str] = {}
    for match in _WORD.finditer(text):
        for token in content_tokens(match.group()):
            found.setdefault(token, match.group().lower())
    return found


# Words that say whether, not what: embeddings barely tell them apart from their
# opposites, so they are never matched by meaning.
_POLARITY = frozenset(stem(w) for w in """no not none nor never neither without absent absence lack lacking lacked
    except unless fail failed failure free zero nothing only all every any""".split())


def _by_meaning(claim: Statement, window: _Window, index: SourceIndex, element: ElementStatus,
                words: frozenset[str], head: str | None = None) -> ElementStatus:
    """An element the words missed, matched by meaning (the semantic extra).

    The claim as a whole must be close in meaning to the evidence, and the
    element must then pass the test the words pass, with a word of the claim
    that has a word in the evidence meaning nearly the same ("mortality" and
    "deaths") counted as shown: enough of its words shown, and its head word
    too. The word threshold is set so that two unrelated words of the training
    corpus pass it about once in a thousand pairs. A word of polarity the
    evidence lacks ("failure", "free", "no") cannot be shown by meaning, so
    its element is not matched.
    """
    meaning = index.meaning
    if meaning is None or element.status != Status.ABSENT or not words:
        return element
    unshown = sorted(w for w in words if not window.has(w))
    ours = _surface_words(element.claim_words or claim.text)
    if not unshown or any(w in _POLARITY or w not in ours for w in unshown):
        return element
    settings = meaning.settings
    if index.closeness(claim.text, window.rows) < settings.element_match:
        return element
    theirs = _surface_words(window.text)
    candidates = sorted({word for token, word in theirs.items() if token not in words and token not in _POLARITY})
    if not candidates:
        return element
    similarity = meaning.word_similarity([ours[w] for w in unshown], candidates)
    pairs: list[tuple[str, str, str, float]] = []
    for row, token in enumerate(unshown):
        best = int(similarity[row].argmax())
        if similarity[row, best] >= settings.word_match:
            pairs.append((token, ours[token], candidates[best], float(similarity[row, best])))
    paired = {token for token, *_ in pairs}
    shown = len(words) - len(unshown) + len(paired)
    if not pairs or shown / len(words) < COVERED or (head is not None and not window.has(head) and head not in paired):
        return element
    said = ", ".join(f"{theirs_word} (for {our_word})" for _, our_word, theirs_word, _ in pairs)
    words_shown = ", ".join(filter(None, (element.evidence_words, said)))
    return ElementStatus(element.element, Status.MATCHED, element.claim_words, words_shown,
                         meaning=round(min(score for *_, score in pairs), 3))


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
    aliases = aliases if aliases is not None else index.aliases
    frame = frame_of(claim)
    alias_words = _alias_words(frame, aliases)
    best: tuple | None = None
    for position, match in enumerate(_candidates(matches, resolution)):
        rows = _window(index, match)
        window = _window_facts(rows)
        subject = _subject(frame, window, claim, aliases, alias_words)
        outcome = _outcome(frame, window, claim)
        subject, outcome = _across_the_split(frame, window, aliases, subject, outcome)
        subject = _same_actor(frame, window, aliases, alias_words, subject)
        if index.meaning is not None:
            outcome_words = _outcome_words(frame)
            head = _head(frame.outcome, outcome_words) if frame.predicate else None
            subject = _by_meaning(claim, window, index, subject, _named(specific_words(frame.subject), aliases))
            outcome = _by_meaning(claim, window, index, outcome, outcome_words, head)
        direction = _direction(frame, window)
        core = (subject, outcome, direction)
        score = (sum(_RANK[e.status] for e in core), -position)
        if best is None or score > best[0]:
            source = [index.sentences[r] for r in index.rows_by_source.get(match.source_id, [])]
            elements = core + (_comparator(frame, window), _population(frame, window),
                               _condition(frame, window, source), _quantifier(frame, window))
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
