"""Helpers the check kinds share: word lists as patterns, figures, rewrites."""

from __future__ import annotations

import re
import time
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Iterator, Sequence

import regex

from claimaudit import limits

FIGURE_KINDS = {"percent", "count", "ratio", "multiplier", "money", "plain"}
SEPARATE_KINDS = {"duration", "horizon", "identifier"}

YEAR_RANGE = (1900, 2100)


@lru_cache(maxsize=4096)
def phrase_pattern(words: tuple[str, ...]) -> re.Pattern:
    """A case-insensitive whole-word alternation of literal phrases."""
    # Literal word lists need none of regex's extras; the standard library
    # compiles them several times faster, which the one-page check feels.
    # Every word is escaped, so a house rule's "a(b" is the text a(b, never
    # syntax; each gap between its words is one \s+, since runs of them
    # ("a   b" as \s+\s+\s+) backtrack polynomially on long white space.
    escaped = sorted((r"\s+".join(re.escape(part) for part in w.split()) for w in words if w.strip()),
                     key=len, reverse=True)
    if not escaped:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w-])(?:" + "|".join(escaped) + r")(?![\w-])", re.IGNORECASE)


# --- user patterns -----------------------------------------------------------------
#
# A rule file may hold regular expressions (``existence``'s ``patterns``). The
# loader refuses one that does not compile, matches the empty string or
# would compile to a huge program; at judging time every search runs under
# the rule's share of ``max-regex-seconds`` for the run.


class PatternError(ValueError):
    """A rule pattern that cannot be used; the message says why."""


class PatternBudgetSpent(Exception):
    """A rule's patterns have used up their time for this run."""

    def __init__(self, param: str, index: int, pattern: str):
        super().__init__(f"{param}[{index}]")
        self.param = param
        self.index = index
        self.pattern = pattern


@dataclass
class PatternRun:
    """One rule's patterns in this run: each compiled once, and the processor
    seconds their searches have taken (see ``max-regex-seconds``)."""

    spent: float = 0.0
    compiled: dict[str, regex.Pattern] = field(default_factory=dict)

    def pattern(self, source: str) -> regex.Pattern:
        found = self.compiled.get(source)
        if found is None:
            found = self.compiled[source] = compile_user_pattern(source)
        return found


_current: ContextVar[PatternRun | None] = ContextVar("claimaudit_pattern_run", default=None)


@contextmanager
def pattern_run(run: PatternRun) -> Iterator[None]:
    """Compile and charge the pattern searches made inside the block to ``run``."""
    token = _current.set(run)
    try:
        yield
    finally:
        _current.reset(token)


# Inline verbose mode, "(?x)" or "(?ix:...)": spaces and comments may then sit
# inside a repeat count ("{1 000}"), which the size estimate below cannot see.
_VERBOSE = re.compile(r"\(\?[\w^-]*x")
_COUNTED_REPEAT = re.compile(r"\{([0-9]*)(?:,[0-9]*)?\}")


def written_out_size(pattern: str, ceiling: float = float("inf")) -> float:
    """An upper bound on the pattern's size with its counted repeats written out.

    The regex module unrolls a repeat's minimum count when it compiles
    (``a{1000000}`` takes some 270 MB), nested counts multiply, and a range's
    upper end costs nothing. Every ``{m...}`` anywhere counts, even inside a
    character class, so the bound can only be too high, never too low (given
    no verbose mode). Counting stops once past ``ceiling``.
    """
    size = float(max(len(pattern), 1))
    for found in _COUNTED_REPEAT.finditer(pattern):
        digits = found.group(1).lstrip("0")
        if len(digits) > 9:
            return float("inf")
        size *= max(int(digits or 0), 1)
        if size > ceiling:
            return size
    return size


def screen_user_pattern(pattern: str) -> float:
    """The pattern's written-out size, once it is known to be safe to compile
    (:class:`PatternError` otherwise)."""
    if not pattern.strip():
        raise PatternError("an empty pattern matches every claim; remove it")
    if _VERBOSE.search(pattern):
        raise PatternError("verbose mode (?x) is not allowed in rule patterns; write the pattern without "
                           "spaces and comments")
    ceiling = limits.value("max-rule-chars")
    size = written_out_size(pattern, ceiling)
    if size > ceiling:
        found = None if size == float("inf") else size
        raise PatternError(f"too large to compile once its counted repeats are written out: "
                           f"{limits.breach('max-rule-chars', found).detail}")
    return size


def check_user_pattern(pattern: str) -> regex.Pattern:
    """The compiled pattern, or :class:`PatternError` saying why it cannot be used."""
    screen_user_pattern(pattern)
    compiled = compile_user_pattern(pattern)
    try:
        empty = compiled.search("", timeout=limits.value("max-regex-seconds"))
    except TimeoutError:
        empty = None
    if empty is not None:
        raise PatternError("it matches the empty string, so it would fire on every claim")
    return compiled


def compile_user_pattern(pattern: str) -> regex.Pattern:
    try:
        return regex.compile(pattern, regex.IGNORECASE)
    except regex.error as error:
        raise PatternError(str(error)) from None
    except (OverflowError, MemoryError, RecursionError) as error:
        raise PatternError(f"too large to compile ({type(error).__name__})") from None


def search_patterns(patterns: Sequence[str], text: str, param: str = "patterns"):
    """The first non-empty match of any of a rule's patterns in ``text``, or None.

    Each search gets what is left of the rule's ``max-regex-seconds`` for the
    run; when that is spent, :class:`PatternBudgetSpent` stops the run (a
    pattern that silently stopped matching would let claims through).
    """
    run = _current.get() or PatternRun()
    budget = limits.value("max-regex-seconds")
    for index, pattern in enumerate(patterns):
        remaining = budget - run.spent
        if remaining <= 0:
            raise PatternBudgetSpent(param, index, pattern)
        compiled = run.pattern(pattern)
        # The regex module's timeout counts processor time, not the wall
        # clock; the run counts the same, so a busy machine spends no budget.
        started = time.process_time()
        try:
            found = compiled.search(text, timeout=remaining)
        except TimeoutError:
            raise PatternBudgetSpent(param, index, pattern) from None
        finally:
            run.spent += time.process_time() - started
        if found is not None and found.end() > found.start():
            return found
    return None


def find_phrases(words, text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group(0)) for m in phrase_pattern(tuple(words)).finditer(text)]


def is_year(quantity) -> bool:
    """A bare four-digit year read as a count ("a 2021 systematic review")."""
    if quantity.kind not in {"count", "plain"} or quantity.is_range:
        return False
    value = quantity.value
    if not (YEAR_RANGE[0] <= value <= YEAR_RANGE[1]) or value != int(value) or "," in quantity.text:
        return False
    words = quantity.text.split()
    # "1950 patients" counts people; "2021 systematic" or "in 2021" names a year.
    return len(words) < 2 or not words[1].lower().endswith("s")


def is_scale(quantity) -> bool:
    """The ends of a rating scale ("0-10 scale", "10-point scale"): a ruler, not a result."""
    unit = (quantity.unit or "").lower()
    text = quantity.text.lower()
    return unit.startswith("scale") or "point scale" in text or "-point" in text or unit in {"points scale"}


INTENSIFIER_AFTER = regex.compile(r"^\s*(?!of\b|in\b|for\b|to\b|on\b|at\b|per\b|more\b|less\b)[\p{L}][\p{L}-]*")


def is_intensifier(statement, quantity) -> bool:
    """ "100% safe", "100% natural": a booster written as a figure."""
    if quantity.kind != "percent" or quantity.value != 100 or quantity.is_range:
        return False
    return bool(INTENSIFIER_AFTER.match(statement.text[quantity.end:quantity.end + 30]))


def figures(statement, kinds=FIGURE_KINDS) -> list:
    """The statement's figures of the given kinds, without years, scale ends
    and "100%" used as an intensifier."""
    return [q for q in statement.quantities
            if q.kind in kinds and not is_year(q) and not is_scale(q) and not is_intensifier(statement, q)]


def as_percent(quantity) -> float | None:
    """A percentage view of a figure, where it has one (3 of 55 -> 5.45)."""
    if quantity.kind == "percent":
        return quantity.value
    if quantity.kind == "ratio" and quantity.denominator:
        return 100.0 * quantity.value / quantity.denominator
    return None


def close(a: float, b: float, tolerance: float) -> bool:
    if a == b:
        return True
    scale = max(abs(a), abs(b), 1e-9)
    return abs(a - b) / scale <= tolerance


# How far past a bound ("over 1,200") an evidence figure may lie and still be
# what the claim states.
BOUND_SLACK = 0.25
# "About a third" for 35%, "about 1 point" for 1.2: an approximate figure's margin.
ABOUT_TOLERANCE = 0.2


def _within_bound(claim_q, value: float) -> bool:
    bound = claim_q.value
    if claim_q.qualifier in {"over", "at_least"}:
        return bound <= value <= bound * (1 + BOUND_SLACK) + 1
    if claim_q.qualifier in {"under", "nearly"}:
        return bound * (1 - BOUND_SLACK) - 1 <= value <= bound
    return False


def same_figure(claim_q, evidence_q, tolerance: float) -> bool:
    """Whether two figures state the same amount, within a rounding tolerance.

    A bounded claim ("over 1,200", "nearly 30%") matches an evidence figure on
    the right side of its bound; an "about" figure is read with a wider margin.
    """
    if claim_q.qualifier in {"about", "nearly"}:
        tolerance = max(tolerance, ABOUT_TOLERANCE)
    if claim_q.kind == "duration" or evidence_q.kind == "duration":
        a_days, b_days = _days(claim_q), _days(evidence_q)
        return (claim_q.kind == evidence_q.kind and a_days is not None and b_days is not None
                and close(a_days, b_days, max(tolerance, 0.1)))
    a, b = as_percent(claim_q), as_percent(evidence_q)
    if a is not None and b is not None and _within_bound(claim_q, b):
        return True
    if a is None and claim_q.kind == evidence_q.kind and _within_bound(claim_q, evidence_q.value):
        return True
    if a is not None and b is not None:
        if close(a, b, tolerance) or abs(a - b) <= 1.0:
            return True
        lo, hi = getattr(evidence_q, "low", None), getattr(evidence_q, "high", None)
        return evidence_q.kind == "percent" and lo is not None and hi is not None and lo - 1 <= a <= hi + 1
    if claim_q.kind == evidence_q.kind or {claim_q.kind, evidence_q.kind} <= {"count", "plain"}:
        if close(claim_q.value, evidence_q.value, tolerance):
            return True
        lo, hi = getattr(evidence_q, "low", None), getattr(evidence_q, "high", None)
        return lo is not None and hi is not None and lo <= claim_q.value <= hi
    return False


# What a count counts, in classes that never stand for one another: "3 trials"
# is no evidence for "3 patients". A noun in no class is left unjudged.
COUNTED_CLASSES = {
    "people": """patients people persons participants subjects adults children kids infants babies men women
        individuals volunteers respondents users customers clients members residents girls boys teens
        teenagers adolescents seniors athletes smokers mothers workers students employees consumers
        testers panellists panelists""",
    "studies": """studies trials reviews papers experiments analyses meta-analyses publications reports
        rcts""",
    "animals": "mice rats animals dogs cats rabbits pigs monkeys",
}
_COUNTED_CLASS = {word: name for name, words in COUNTED_CLASSES.items() for word in words.split()}
_WORDS_AFTER = regex.compile(r"[\p{L}-]+")


def counted_class(text: str, quantity) -> str | None:
    """The class of thing a count counts (people, studies, animals), read
    from its unit or the next few words ("62 postmenopausal women")."""
    unit = (quantity.unit or "").lower()
    if unit in _COUNTED_CLASS:
        return _COUNTED_CLASS[unit]
    following = _WORDS_AFTER.findall(text[quantity.end:quantity.end + 40])[:2]
    return next((_COUNTED_CLASS[w.lower()] for w in following if w.lower() in _COUNTED_CLASS), None)


# "22% of participants", "in 22% of users", "22% reported": a share of people.
_SHARE_AFTER = regex.compile(
    r"^\s*(?:of\s+(?:the\s+|all\s+|our\s+|these\s+|those\s+|their\s+)?(?:[\p{L}-]+\s+){0,2}?"
    r"(?:" + "|".join(w for w, c in _COUNTED_CLASS.items() if c == "people") + r")\b"
    r"|(?:said|reported|saw|noticed|felt|experienced|agreed|rated|had|were|became|showed|achieved|"
    r"responded|improved)\b)", regex.IGNORECASE)
_SHARE_BEFORE = regex.compile(r"\b(?:in|for|among)\s+$", regex.IGNORECASE)
# "by 22%", "a 22% reduction", "22% lower", "22% in wrinkle depth": a change in a measure.
_CHANGE_AFTER = regex.compile(
    r"^\s*(?:reduction|reductions|decrease|decreases|increase|increases|improvement|improvements|drop|"
    r"decline|rise|gain|fall|cut|boost|fewer|less|lower|higher|more|smaller|larger|greater|better|faster|"
    r"shorter|longer|deeper|reduced|improved|increased|decreased|firmer|smoother|brighter|"
    r"in\s+(?!(?:the\s+)?(?:" + "|".join(w for w, c in _COUNTED_CLASS.items() if c == "people") + r")\b))",
    regex.IGNORECASE)
_CHANGE_BEFORE = regex.compile(r"\bby\s+$", regex.IGNORECASE)


def percent_role(text: str, quantity) -> str | None:
    """What a percentage is of, where the wording says: ``share`` (of people)
    or ``change`` (in a measure); None when it does not say."""
    if as_percent(quantity) is None or quantity.kind == "ratio":
        return None
    before, after = text[max(0, quantity.start - 12):quantity.start], text[quantity.end:quantity.end + 60]
    if _CHANGE_BEFORE.search(before) or _CHANGE_AFTER.match(after):
        return "change"
    if _SHARE_BEFORE.search(before) and regex.match(r"^\s*of\b", after, regex.IGNORECASE):
        return "share"
    if _SHARE_AFTER.match(after):
        return "share"
    return None


def same_quantity(claim_text: str, claim_q, evidence_text: str, evidence_q) -> bool:
    """Whether two figures can be the same quantity: a duration is no count,
    people are not trials, a fall in a measure is not a share of people.
    Where either side does not say what it counts, they may be."""
    if (claim_q.kind == "duration") != (evidence_q.kind == "duration"):
        return False
    if claim_q.kind in {"count", "plain", "ratio"} and evidence_q.kind in {"count", "plain", "ratio"}:
        a, b = counted_class(claim_text, claim_q), counted_class(evidence_text, evidence_q)
        if a and b and a != b:
            return False
    a, b = percent_role(claim_text, claim_q), percent_role(evidence_text, evidence_q)
    return not (a and b and a != b)


def comparable(claim_q, evidence_q) -> bool:
    """Whether two figures measure the same kind of quantity."""
    if is_year(claim_q) or is_year(evidence_q) or is_scale(claim_q) or is_scale(evidence_q):
        return False
    if as_percent(claim_q) is not None and as_percent(evidence_q) is not None:
        return True
    if claim_q.kind != evidence_q.kind:
        return False
    if claim_q.kind in {"count", "plain"}:
        return _unit_stem(claim_q.unit) == _unit_stem(evidence_q.unit)
    if claim_q.kind == "duration":
        return _days(claim_q) is not None and _days(evidence_q) is not None
    return True


def _days(quantity) -> float | None:
    days = getattr(quantity, "days", None)
    return days() if callable(days) else days


def same_range(claim_q, evidence_q) -> bool:
    """Both figures are the same range ("1 to 2 kg" and "1-2 kg")."""
    return (claim_q.is_range and evidence_q.is_range and close(claim_q.low, evidence_q.low, 0.01)
            and close(claim_q.high, evidence_q.high, 0.01))


def _unit_stem(unit: str) -> str:
    unit = (unit or "").lower()
    return unit[:-1] if unit.endswith("s") else unit


def lower_first(text: str, words: AbstractSet[str] = frozenset()) -> str:
    """``text`` with its first letter lowered to follow a new opening ("In rats, the extract...").

    A name keeps its capital: a word with a capital or digit inside it
    ("FlexiCur", "MSCs", "LR-17"), or, when the sources' ``words`` are given,
    a word they write only with its capital ("Rootfuel")."""
    first = re.match(r"[\w'’\-]+", text)
    if not first or len(text) < 2 or not text[0].isupper():
        return text
    word = first.group(0)
    if any(c.isupper() or c.isdigit() for c in word[1:]):
        return text
    if word in words and word.lower() not in words:
        return text
    return text[0].lower() + text[1:]


def replace_span(text: str, start: int, end: int, new: str) -> str:
    return text[:start] + new + text[end:]


VERB_BASE = [
    (re.compile(r"(?i)ies$"), "y"),
    (re.compile(r"(?i)(ss|sh|ch|x|z|o)es$"), r"\1"),
    (re.compile(r"(?i)(?<!s)s$"), ""),
]


def base_verb(verb: str) -> str:
    lowered = verb.lower()
    if lowered in {"is", "are"}:
        return "be"
    if lowered == "has":
        return "have"
    if lowered.endswith("ed") and len(lowered) > 4:
        stem = verb[:-2]
        if stem.endswith("i"):
            return stem[:-1] + "y"
        if len(stem) > 2 and stem[-1] == stem[-2] and stem[-1] not in "ls":
            return stem[:-1]
        if stem.endswith(("at", "uc", "ov", "iz", "is", "ur", "in")) or stem.endswith(("rov", "mot", "duc", "eas", "ag")):
            return stem + "e"
        return stem
    for pattern, repl in VERB_BASE:
        if pattern.search(verb):
            return pattern.sub(repl, verb)
    return verb


# Words before a verb that leave no room for an inserted hedge
# ("guaranteed to stop", "has helped", "will restore").
AUXILIARIES = {
    "to", "will", "would", "can", "could", "shall", "should", "must", "might", "may",
    "does", "do", "did", "has", "have", "had", "is", "are", "was", "were", "be", "been",
}
PREVIOUS_WORD = re.compile(r"(\w+)\W*$")


def hedge_rewrite(text: str, verb_start: int, verb_end: int, hedge: str = "may") -> str:
    """Put a hedge before the claim's causal verb: "reduces" -> "may reduce".

    Returns "" where the verb already leans on an auxiliary, because an
    inserted hedge would not read as English there.
    """
    before = PREVIOUS_WORD.search(text[:verb_start])
    if before and before.group(1).lower() in AUXILIARIES:
        return ""
    previous = PREVIOUS_WORD.search(text[:before.start()]) if before else None
    if before and before.group(1).lower() in {"also", "not", "never", "often", "really"} and previous \
            and previous.group(1).lower() in AUXILIARIES:
        return ""
    verb = text[verb_start:verb_end]
    head, *rest = verb.split(" ", 1)
    base = base_verb(head)
    new = f"{hedge} {base}" + (f" {rest[0]}" if rest else "")
    return replace_span(text, verb_start, verb_end, new)


def source_wording(match) -> str:
    """A rewrite that falls back on the evidence's own sentence."""
    if match is None:
        return ""
    return f'Say what the source says: "{match.sentence.text}"'
