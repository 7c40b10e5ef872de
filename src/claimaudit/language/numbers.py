"""Reading numbers written as digits or words.

Shared by quantity extraction and by text normalisation, so that "two weeks"
and "2 weeks" end up comparing alike.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ._lazy import TextMatch, TextPattern, compile_pattern, unicode_pattern

UNITS_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
    "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
TENS_WORDS = {
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}
SCALE_WORDS = {
    "hundred": 100, "thousand": 1_000, "million": 1_000_000,
    "billion": 1_000_000_000, "trillion": 1_000_000_000_000,
}
# Scale words that may follow a digit number ("5.8 million"); "hundred" is
# left out because "5 hundred" is not how figures are written in copy.
DIGIT_SCALES = {k: v for k, v in SCALE_WORDS.items() if k != "hundred"}

_SIMPLE = sorted([*UNITS_WORDS, *TENS_WORDS], key=len, reverse=True)
_SIMPLE_ALT = "|".join(_SIMPLE)
_SCALE_ALT = "|".join(SCALE_WORDS)

# One number word or a hyphenated tens-units pair ("twenty-five").
_DIGIT_WORDS = "|".join(k for k in UNITS_WORDS if 0 < UNITS_WORDS[k] < 10)
_WORD_ATOM = rf"(?:(?:{'|'.join(TENS_WORDS)})-(?:{_DIGIT_WORDS})|{_SIMPLE_ALT}|{_SCALE_ALT}|dozen)"
# "and" joins number words only after a scale word ("two hundred and fifty"); one fixed-width
# look-behind per scale word keeps the pattern within what the standard ``re`` accepts.
_AFTER_SCALE = "|".join(f"(?<={word})" for word in SCALE_WORDS)
# A run of number words: "two hundred and fifty", "a dozen", "a hundred".
_WORD_NUMBER_PATTERN = (
    rf"(?<![\w-])(?:(?:an?|one)\s+(?=(?:{_SCALE_ALT}|dozen)\b))?{_WORD_ATOM}"
    rf"(?:(?:(?:{_AFTER_SCALE})\s+and\s+|\s+|-)(?:{_WORD_ATOM}))*"
    r"(?![\w]|-(?!(?:minute|hour|day|week|month|year|decade|fold|times|percent)))"
)


@lru_cache(maxsize=1)
def word_number_re() -> TextPattern:
    """Pattern for runs of number words; compiled on first use."""
    return compile_pattern(_WORD_NUMBER_PATTERN, re.IGNORECASE)
DIGIT_NUMBER_RE = unicode_pattern(
    r"(?<![\w.,])(?:\d{1,3}(?:,\d{3})+(?!\d)|\d+)(?:\.\d+)?(?![\d])|(?<![\w.])\.\d+(?!\d)"
)


def parse_digits(text: str) -> float:
    return float(text.replace(",", ""))


def parse_number_words(text: str) -> float | None:
    """Value of a run of number words, or None when it is not a number.

    >>> parse_number_words("two hundred and fifty")
    250.0
    """
    words = re.split(r"[\s-]+", text.lower().strip())
    total = 0
    current = 0
    seen = False
    for word in words:
        if word in ("and", ""):
            continue
        if word in ("a", "an"):
            current = max(current, 1)
            continue
        if word in UNITS_WORDS:
            current += UNITS_WORDS[word]
        elif word in TENS_WORDS:
            current += TENS_WORDS[word]
        elif word == "dozen":
            current = max(current, 1) * 12
        elif word == "hundred":
            current = max(current, 1) * 100
        elif word in SCALE_WORDS:
            total += max(current, 1) * SCALE_WORDS[word]
            current = 0
        else:
            return None
        seen = True
    return float(total + current) if seen else None


def format_number(value: float) -> str:
    """Digits for a value: integers without a decimal point."""
    if value == int(value):
        return str(int(value))
    return f"{value:g}"


def normalise_number_words(text: str) -> str:
    """Replace number words with digits: "twenty-five weeks" -> "25 weeks".

    The lone word "one" is kept when it is used as a pronoun ("one of the"),
    so only counts change.
    """

    def replace(match: TextMatch) -> str:
        words = match.group(0)
        if words.lower() == "one":
            following = text[match.end():match.end() + 4].lower()
            if following.startswith(" of") or not following.startswith(" "):
                return words
        value = parse_number_words(words)
        return words if value is None else format_number(value)

    return word_number_re().sub(replace, text)
