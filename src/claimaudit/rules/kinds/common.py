"""Helpers the check kinds share: word lists as patterns, figures, rewrites."""

from __future__ import annotations

from functools import lru_cache

import re

import regex

from claimaudit.errors import InputError

# A user-written pattern gets this long per sentence before it is abandoned,
# so a catastrophic pattern cannot hang an audit.
PATTERN_TIMEOUT = 0.05

FIGURE_KINDS = {"percent", "count", "ratio", "multiplier", "money", "plain"}
SEPARATE_KINDS = {"duration", "horizon", "identifier"}

YEAR_RANGE = (1900, 2100)


@lru_cache(maxsize=4096)
def phrase_pattern(words: tuple[str, ...]) -> re.Pattern:
    """A case-insensitive whole-word alternation of literal phrases."""
    # Literal word lists need none of regex's extras; the standard library
    # compiles them several times faster, which the one-page check feels.
    escaped = sorted((re.escape(w).replace(r"\ ", r"\s+") for w in words if w.strip()), key=len, reverse=True)
    if not escaped:
        return re.compile(r"(?!x)x")
    return re.compile(r"(?<![\w-])(?:" + "|".join(escaped) + r")(?![\w-])", re.IGNORECASE)


@lru_cache(maxsize=1024)
def user_pattern(pattern: str) -> regex.Pattern:
    try:
        return regex.compile(pattern, regex.IGNORECASE)
    except regex.error as error:
        raise InputError(f"invalid pattern {pattern!r}: {error}") from None


def search_user_pattern(pattern: str, text: str):
    try:
        return user_pattern(pattern).search(text, timeout=PATTERN_TIMEOUT)
    except TimeoutError:
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


def lower_first(text: str) -> str:
    if len(text) > 1 and text[0].isupper() and not text[1].isupper():
        return text[0].lower() + text[1:]
    return text


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
