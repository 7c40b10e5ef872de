"""Figures in text: percentages, counts, ratios, time frames, multipliers, money.

``find_quantities`` reads every figure a claim makes, with its qualifier
("up to", "over", "about" ...), range and unit, so that figures in copy can be
held against figures in the sources. Numbers written as words read the same as
digits ("two weeks" == "2 weeks"). A year that dates something ("a 2021
review") is a ``year``, one that sets a time frame ("by 2030") a ``horizon``;
neither is a count. Fractions in words ("more than half", "a third of") read
as percentages; "most patients" and "the majority of" as a ``share`` of over
50%. Numbers that are names rather than amounts
(years in citations, DOIs, PMIDs, page numbers, "COVID-19", "IL-6", "Type 2",
phone numbers, p-values) are skipped.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TypedDict

from ._lazy import lazy_regex
from .numbers import (
    DIGIT_NUMBER_RE,
    DIGIT_SCALES,
    SCALE_WORDS,
    parse_digits,
    parse_number_words,
    word_number_re,
)

KINDS = ("percent", "share", "count", "ratio", "duration", "horizon", "year", "multiplier", "money", "plain")
QUALIFIERS = ("exact", "up_to", "over", "about", "at_least", "nearly", "under")

DAYS_PER_UNIT = {
    "minutes": 1 / 1440,
    "hours": 1 / 24,
    "days": 1.0,
    "weeks": 7.0,
    "months": 365.25 / 12,
    "years": 365.25,
}


@dataclass(frozen=True)
class Quantity:
    """One figure found in text.

    ``value`` is the figure itself; for a range it is the upper end, with the
    ends in ``low`` and ``high`` (both None for a single figure). For a ratio
    ("3 of 55") ``value`` is the count and ``denominator`` the whole.
    ``text``/``start``/``end`` cover the qualifier, the figure and its unit.
    """

    text: str
    start: int
    end: int
    value: float
    low: float | None = None
    high: float | None = None
    unit: str = ""
    kind: str = "plain"
    qualifier: str = "exact"
    denominator: float | None = None

    @property
    def is_range(self) -> bool:
        return self.low is not None and self.high is not None

    @property
    def days(self) -> float | None:
        """A duration's value in days (None for anything but a duration)."""
        return self.to_days(self.value)

    def to_days(self, amount: float | None) -> float | None:
        if self.kind != "duration" or amount is None:
            return None
        return amount * DAYS_PER_UNIT.get(self.unit, 1.0)

    def as_fraction(self) -> float | None:
        """The share a ratio or percentage stands for (0.5 for "1 in 2" or "50%")."""
        if self.kind == "ratio" and self.denominator:
            return self.value / self.denominator
        if self.kind in ("percent", "share") and self.unit == "%":
            return self.value / 100
        return None

    def interval(self, about_tolerance: float = 0.1) -> tuple[float, float]:
        """The range of values the figure admits once its qualifier is applied.

        "up to 60%" admits (0, 60); "over 70%" admits (70, inf); "about 20"
        admits 20 give or take ``about_tolerance`` of it.
        """
        if self.low is not None and self.high is not None:
            low, high = self.low, self.high
        else:
            low = high = self.value
        q = self.qualifier
        if q in ("up_to", "under"):
            return (min(0.0, low), high)
        if q in ("over", "at_least"):
            return (low, float("inf"))
        if q == "about":
            return (low * (1 - about_tolerance), high * (1 + about_tolerance))
        if q == "nearly":
            return (low * (1 - about_tolerance), high)
        return (low, high)


# --- patterns ---------------------------------------------------------------

_MONTHS = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)"
)

# Spans whose digits name something rather than count it.
_BLOCKED_PARTS = (
    "|".join(
        [
            r"\b10\.\d{4,9}/\S+",  # DOI
            r"(?i:https?://\S+|www\.\S+)",
            r"\S+@\S+\.\w+",
            r"(?i:\b(?:PMID|PMCID|PMC|NCT|ISRCTN|ISBN|ISSN)\s*:?\s*[\d-]+X?)",
            r"\bPMC\d+",
            # journal citation: "2023 Jul 20;24(14):11719", "2024 Oct;127:107087"
            rf"\b(?:1[89]|20)\d{{2}}(?:\s+{_MONTHS}\.?(?:\s+\d{{1,2}})?)?\s*;"
            r"\s*\d+(?:\s*\([\w\s-]+\))?(?:\s*:\s*[\w.-]+)?",
            r"\b\d+\s*\(\s*\d+\s*\)\s*:\s*[\w-]+",  # volume(issue):pages
            rf"(?i:\bEpub\s+(?:ahead\s+of\s+print\s+)?\d{{4}}(?:\s+{_MONTHS}\.?(?:\s+\d{{1,2}})?)?)",
            # calendar dates
            # (a day range counts nothing either: "April 19-28", "19–28 April")
            rf"\b{_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:\s*[-–—]\s*\d{{1,2}}(?:st|nd|rd|th)?)?"
            rf"(?:,?\s+\d{{4}})?\b",
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?(?:\s*[-–—]\s*\d{{1,2}}(?:st|nd|rd|th)?)?\s+{_MONTHS}\b\.?"
            rf"(?:,?\s+\d{{4}})?",
            rf"\b{_MONTHS}\.?\s+(?:1[89]|20)\d{{2}}\b",
            r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b",
            # phone numbers
            r"(?:\+\d{1,3}[\s.-]?)?\(\d{3}\)\s*\d{3}[\s.-]\d{4}\b",
            r"(?<![\d-])\d{3}[.-]\d{3}[.-]\d{4}\b",
            # statistics that are not claims about the world
            r"(?i:\b(?:95|90|99)\s*%\s*(?:CI|confidence\s+intervals?|credible\s+intervals?)"
            r"(?:\s*[:,=]?\s*[\[(]?\s*-?\d+(?:\.\d+)?\s*(?:[-–—,;]|to)\s*-?\d+(?:\.\d+)?\s*[\])]?)?)",
            r"(?i:\bp\s*(?:-?\s*value)?\s*[<>=≤≥]\s*0?\.\d+)",
            r"\b(?:a?OR|a?HR|RR|IRR|SMD|MD|WMD|SD|SE|SEM|IQR|ICC|AUC|CI|r|R2|R²|rho|β|χ2|F|t|z|df|I2|I²)"
            r"\s*[=:<>≤≥]\s*-?\d+(?:\.\d+)?(?:\s*(?:[-–—,]|to)\s*-?\d+(?:\.\d+)?)?",
            # names with digits in them: COVID-19, IL-6, CD34+, SARS-CoV-2, H1N1, B12
            r"(?<![\w-])[A-Za-zα-ωΑ-Ω][A-Za-zα-ωΑ-Ω]*(?:-[A-Za-zα-ωΑ-Ω]+)*-?\d+(?:[.-]\d+)*"
            r"[A-Za-z+]*(?![\w])",
            # numbered things: "Type 2", "phase 3", "Table 2", "pp. 445-51"
            r"(?i:\b(?:type|phase|stage|grade|class|tables?|figures?|figs?|chapter|section|pages?|pp?|vol"
            r"|volume|issue|version|level|step|part|appendix|refs?|references?|gen|generation|tier|wave|item)"
            r"\.?\s*(?:[IVX]+|\d+)(?:[a-z])?(?:\s*(?:[-–—]|and|&|,)\s*(?:[IVX]+|\d+))*\b)",
            r"(?i:\bno\.\s*\d+)",
            r"\b\d+\s*,\s*\d+(?:[-–]\d+)?\s*\((?:19|20)\d{2}\)",  # "15, 343 (2024)"
            r"\[\s*\d+(?:\s*[-–,]\s*\d+)*\s*\]",  # reference markers [12], [3-5]
            r"\b\d+(?:\.\d+){2,}\b",  # section numbers 2.3.1
            r"\b\d+:\d+\b",  # clock times and allocation ratios
            r"\b24/7\b",
        ]
    )
)


@lru_cache(maxsize=1)
def _blocked_re() -> re.Pattern:
    # compiled on first use, since the pattern is large; the standard engine runs this one faster
    return re.compile(_BLOCKED_PARTS)

_BETWEEN_BEFORE_RE = lazy_regex(r"(?i:\b(?:between|from)\s+)$")
_SCALE_AFTER_RE = lazy_regex(rf"\s+({'|'.join(DIGIT_SCALES)})(?![\w-])", re.IGNORECASE)
_PERCENT_RE = lazy_regex(
    r"\s*%|\s+(?:percent|per\s*cent)\b|-?\s*(?:percentage|%)\s+points?\b", re.IGNORECASE
)
_PERCENT_POINTS_RE = lazy_regex(r"\s*(?:percentage|%)\s+points?\b", re.IGNORECASE)
_RANGE_SEP_RE = lazy_regex(r"\s*[-–—]\s*|\s+(?:to|through)\s+", re.IGNORECASE)
_AND_SEP_RE = lazy_regex(r"\s+(?:and|to|-|–)\s+", re.IGNORECASE)
_SLASH_RATIO_RE = lazy_regex(r"\s*/\s*")
_OF_RATIO_RE = lazy_regex(
    r"\s+(?:out\s+)?of\s+(?:the\s+|all\s+|these\s+|those\s+|our\s+|their\s+)?", re.IGNORECASE
)
_IN_RATIO_RE = lazy_regex(r"\s+in\s+(?:every\s+)?", re.IGNORECASE)
_FOLD_RE = lazy_regex(r"(?:\s*-\s*|\s*)fold\b|\s*[x×](?![\w])|\s+times\b", re.IGNORECASE)
_FREQUENCY_RE = lazy_regex(
    r"\s+(?:a|an|per|each|every)\s+(?:day|week|month|year|night|session)\b"
    r"|\s+(?:daily|weekly|monthly|yearly|annually|nightly)\b",
    re.IGNORECASE,
)
_TIME_UNITS = {
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "hour": "hours", "hours": "hours", "hr": "hours", "hrs": "hours", "h": "hours",
    "day": "days", "days": "days",
    "week": "weeks", "weeks": "weeks", "wk": "weeks", "wks": "weeks",
    "month": "months", "months": "months", "mo": "months", "mos": "months",
    "year": "years", "years": "years", "yr": "years", "yrs": "years",
    "decade": "decades", "decades": "decades",
}
_TIME_UNIT_RE = lazy_regex(
    r"(?:\s*-\s*|\s+)(minutes?|mins?|hours?|hrs?|days?|weeks?|wks?|months?|mos|years?|yrs?|decades?)(?![\w])",
    re.IGNORECASE,
)
_AGE_AFTER_RE = lazy_regex(
    r"(?:\s*-\s*|\s+)(?:years?|yrs?)(?:\s*-\s*|\s+)old\b|\s+(?:years?|yrs?)\s+of\s+age\b", re.IGNORECASE
)
_AGE_BEFORE_RE = lazy_regex(r"(?i:\b(?:aged|ages?|age\s+of|older\s+than|younger\s+than))\s*$")
_MONEY_BEFORE_RE = lazy_regex(r"(US\$|USD\s*|EUR\s*|GBP\s*|[$£€¥])\s*$")
_MONEY_AFTER_RE = lazy_regex(r"\s+(dollars|euros|pounds|USD|EUR|GBP)\b", re.IGNORECASE)
_MONEY_CODES = {"$": "USD", "us$": "USD", "usd": "USD", "dollars": "USD", "£": "GBP", "gbp": "GBP",
                "pounds": "GBP", "€": "EUR", "eur": "EUR", "euros": "EUR", "¥": "JPY"}
_PLUS_AFTER_RE = lazy_regex(r"\+(?![\w])")

# Qualifiers read backwards from the figure; longest phrases first.
_QUALIFIER_PHRASES = [
    ("in excess of", "over"), ("more than", "over"), ("greater than", "over"), ("higher than", "over"),
    ("upwards of", "over"), ("exceeding", "over"), ("over", "over"), ("above", "over"), (">", "over"),
    ("well beyond", "over"), ("beyond", "over"), ("longer than", "over"),
    ("as many as", "up_to"), ("as much as", "up_to"), ("as high as", "up_to"), ("up to", "up_to"),
    ("no more than", "up_to"), ("not more than", "up_to"), ("at most", "up_to"), ("a maximum of", "up_to"),
    ("within", "up_to"), ("≤", "up_to"), ("<=", "up_to"),
    ("approximately", "about"), ("approx.", "about"), ("approx", "about"), ("around", "about"),
    ("roughly", "about"), ("about", "about"), ("an estimated", "about"), ("estimated", "about"),
    ("some", "about"), ("circa", "about"), ("ca.", "about"), ("~", "about"), ("≈", "about"),
    ("at least", "at_least"), ("a minimum of", "at_least"), ("no fewer than", "at_least"),
    ("no less than", "at_least"), ("not less than", "at_least"), ("≥", "at_least"), (">=", "at_least"),
    ("nearly", "nearly"), ("almost", "nearly"), ("close to", "nearly"), ("just under", "nearly"),
    ("just shy of", "nearly"),
    ("less than", "under"), ("fewer than", "under"), ("lower than", "under"), ("under", "under"),
    ("below", "under"), ("<", "under"),
]
_QUALIFIER_RE = lazy_regex(
    r"(?:(?<![\w])("
    + "|".join(re.escape(p) for p, _ in sorted(_QUALIFIER_PHRASES, key=lambda x: -len(x[0])))
    + r"))\s*$",
    re.IGNORECASE,
)
_QUALIFIER_MAP = {p: q for p, q in _QUALIFIER_PHRASES}

_HORIZON_BEFORE_RE = lazy_regex(
    r"(?i:\b(by|in|until|till|through|since|from|before|after|during|between|to|of|around|circa|year))\s+$"
)
_HORIZON_QUALIFIER = {"by": "up_to", "until": "up_to", "till": "up_to", "before": "under",
                      "after": "over", "since": "over"}

_MEASURE_UNITS = [
    "mg/kg", "mg/dL", "mmol/L", "µg", "μg", "mcg", "ng/mL", "pg/mL", "mg", "kg", "g", "mL", "ml", "µL",
    "μL", "L", "IU", "mmHg", "cm", "mm", "km", "m", "kcal", "cal", "°C", "°F", "mSv", "Gy", "mcL",
    "cells/kg", "kg/m2", "kg/m²", "bpm",
]
_MEASURE_RE = lazy_regex(
    r"\s*(" + "|".join(re.escape(u) for u in sorted(_MEASURE_UNITS, key=len, reverse=True)) + r")(?![\w])"
)
_COMPOUND_UNITS = [
    (r"disability[- ]adjusted\s+life[- ]years?(?:\s*\(\s*DALYs?\s*\))?", "DALYs"),
    (r"DALYs?", "DALYs"),
    (r"quality[- ]adjusted\s+life[- ]years?(?:\s*\(\s*QALYs?\s*\))?", "QALYs"),
    (r"QALYs?", "QALYs"),
    (r"life[- ]years?", "life-years"),
    (r"person[- ]years?", "person-years"),
    (r"patient[- ]years?", "patient-years"),
]
_COMPOUND_UNIT_RE = lazy_regex(
    r"\s+(?:" + "|".join(f"(?P<u{i}>{p})" for i, (p, _) in enumerate(_COMPOUND_UNITS)) + r")(?![\w])",
    re.IGNORECASE,
)
_WORD_AFTER_RE = lazy_regex(r"(?:\s+|-)([A-Za-z][A-Za-z'’]*(?:-[A-Za-z]+)*)")

_NOT_UNITS = frozenset(
    """a an the of and or but to in on at by for with from as than that which who whom whose this these
    those it its is are was were be been being has have had do does did will would can could may might
    must shall should not no nor so if then also only each every per via into onto over under about after
    before between during within without across among more less most least times fold percent per cent
    patients' he she they we you i his her their our your my me us them""".split()
)
# Words that often stand between a figure and the thing it counts.
_MODIFIERS = frozenset(
    """new more additional clinical adult adults' eligible consecutive randomized randomised different
    separate independent published confirmed total such other further young older elderly healthy
    human female male pediatric paediatric diagnosed treated enrolled recruited registered affected
    cancer ms pd als sci copd hiv diabetic obese severe mild moderate chronic acute living
    participating included unique active former current high-quality large small observational
    controlled prospective retrospective peer-reviewed previous prior separate major minor primary main
    key common distinct specific unique important general basic principal""".split()
)
_PLURALS = {"person": "people", "child": "children", "man": "men", "woman": "women",
            "mouse": "mice", "foot": "feet", "tooth": "teeth", "life": "lives"}
_POPULATION_NOUNS = frozenset(
    """patients people persons participants subjects adults children kids infants men women
    individuals cases volunteers respondents users residents mice rats animals cells studies trials
    deaths births procedures surgeries visits admissions doses""".split()
)
_PLURAL_FORMS = frozenset(_PLURALS.values()) | {"staff", "personnel", "data", "sheep", "fish", "zebrafish"}


@dataclass
class _Atom:
    start: int
    end: int
    value: float
    words: bool
    digits: str  # the digit text, "" for number words


def _canonical_noun(word: str) -> str:
    """Lower-case plural, so "1 study" and "22 studies" count the same thing."""
    if any(c.isupper() for c in word[1:]):
        return word
    low = word.lower().replace("’", "'")
    if low in _PLURALS:
        return _PLURALS[low]
    if low in _PLURAL_FORMS or low.endswith("s") or "-" in low or low.endswith("ly"):
        return low
    if low.endswith("y") and low[-2:-1] not in "aeiou":
        return low[:-1] + "ies"
    if low.endswith(("ch", "sh", "x")):
        return low + "es"
    return low + "s"


def _merge_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    spans.sort()
    merged: list[tuple[int, int]] = []
    for s, e in spans:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


class _Blocked:
    def __init__(self, text: str):
        # every blocked pattern holds a digit; most prose sentences have none
        has_digit = any(ch.isdigit() for ch in text)
        self.spans = _merge_spans([m.span() for m in _blocked_re().finditer(text)] if has_digit else [])
        self.starts = [s for s, _ in self.spans]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect.bisect_right(self.starts, end - 1) - 1
        return i >= 0 and self.spans[i][1] > start


def _atoms(text: str, blocked: _Blocked) -> list[_Atom]:
    atoms: list[_Atom] = []
    for m in DIGIT_NUMBER_RE.finditer(text):
        if blocked.overlaps(m.start(), m.end()):
            continue
        atoms.append(_Atom(m.start(), m.end(), parse_digits(m.group(0)), False, m.group(0)))
    for m in word_number_re().finditer(text):
        if blocked.overlaps(m.start(), m.end()):
            continue
        value = parse_number_words(m.group(0))
        if value is None:
            continue
        atoms.append(_Atom(m.start(), m.end(), value, True, ""))
    atoms.sort(key=lambda a: a.start)
    return atoms


# Multiplier and fraction words make whole quantities on their own.
_MULTIPLIER_WORDS = {
    "double": 2, "doubled": 2, "doubles": 2, "doubling": 2, "twice": 2, "twofold": 2, "two-fold": 2,
    "triple": 3, "tripled": 3, "triples": 3, "tripling": 3, "thrice": 3, "threefold": 3, "three-fold": 3,
    "quadruple": 4, "quadrupled": 4, "quadruples": 4, "quadrupling": 4, "fourfold": 4, "four-fold": 4,
    "fivefold": 5, "five-fold": 5, "tenfold": 10, "ten-fold": 10, "hundredfold": 100,
    "halve": 0.5, "halved": 0.5, "halves": 0.5, "halving": 0.5, "in half": 0.5, "by half": 0.5,
}
_MULTIPLIER_RE = lazy_regex(
    r"(?<![\w-])(" + "|".join(re.escape(w) for w in sorted(_MULTIPLIER_WORDS, key=len, reverse=True))
    + r")(?![\w-])(?!\s+(?:the\s+)?(?:blind|masked|check|edged|digit|negative|bond|helix|layer))",
    re.IGNORECASE,
)
_FRACTIONS = {
    "half": (1, 2), "a half": (1, 2), "one half": (1, 2), "one-half": (1, 2),
    "a third": (1, 3), "one third": (1, 3), "one-third": (1, 3), "two thirds": (2, 3), "two-thirds": (2, 3),
    "a quarter": (1, 4), "one quarter": (1, 4), "one-quarter": (1, 4), "three quarters": (3, 4),
    "three-quarters": (3, 4), "a fifth": (1, 5), "one fifth": (1, 5), "one-fifth": (1, 5),
    "a tenth": (1, 10), "one tenth": (1, 10), "one-tenth": (1, 10),
}
_FRACTIONS.update({"two-fifths": (2, 5), "two fifths": (2, 5), "three-fifths": (3, 5), "three fifths": (3, 5),
                   "four-fifths": (4, 5), "four fifths": (4, 5)})
# A share of a group: "half of", "a third of the", "more than half", "almost half the patients".
# A fraction is a share only before "of" or a determiner, or after a qualifier ("over half");
# "half an hour", "the first half of the year" and "cut in half" are not shares.
_FRACTION_RE = lazy_regex(
    r"(?<![\w-])(?<!first\s)(?<!second\s)(?<!last\s)(?<!latter\s)(?<!former\s)(?<!\bin\s)(?<!\bby\s)("
    + "|".join(re.escape(w) for w in sorted(_FRACTIONS, key=len, reverse=True))
    + r")(?![\w-])",
    re.IGNORECASE,
)
_FRACTION_STEMS = ("half", "third", "quarter", "fifth", "tenth")
_SHARE_FOLLOWS_RE = lazy_regex(r"\s+(?:of|the|these|those|our|their|all|its|them)\b", re.IGNORECASE)
# "most patients", "the majority of", "a minority of": shares with no figure, read as over or under half.
_MAJORITY_RE = lazy_regex(
    r"(?<![\w-])(?:(?P<major>(?:the|a)\s+(?:vast\s+|large\s+|clear\s+)?majority(?=\s+of\b))"
    r"|(?P<minor>(?:a|the)\s+(?:small\s+)?minority(?=\s+of\b))"
    r"|(?<!\bthe\s)(?<!\bat\s)(?<!\ba\s)(?P<most>most)(?=\s+(?:of\s+(?:the|these|those|our|their|them)\b"
    r"|(?![a-z]+(?:ous|ss)\b)[a-z]+s\b|people\b|children\b|men\b|women\b)))",
    re.IGNORECASE,
)
# "within a week", "for one year": the preposition is matched, the quantity starts at the article.
_ARTICLE_DURATION_RE = lazy_regex(
    r"(?i:\b(?:within|for|in|after|over|under|about|nearly|almost|up\s+to|at\s+least|less\s+than"
    r"|more\s+than|than|just|beyond|past|longer\s+than)\s+(?P<article>(?:a|an|one)\s+(day|week|month|year|decade))"
    r"(?![\w-]))"
)


def _qualifier_before(text: str, start: int) -> tuple[str, int]:
    window = text[max(0, start - 24):start]
    m = _QUALIFIER_RE.search(window)
    if not m:
        return "exact", start
    phrase = m.group(1).lower()
    return _QUALIFIER_MAP.get(phrase, "exact"), start - (len(window) - m.start(1))


def _time_unit(word: str) -> str:
    unit = _TIME_UNITS[word.lower()]
    return unit


class _RangeEnds(TypedDict):
    low: float | None
    high: float | None


def _make(text: str, start: int, end: int, *, value: float, unit: str = "", kind: str = "plain",
          qualifier: str | None = None, denominator: float | None = None,
          low: float | None = None, high: float | None = None) -> Quantity:
    """The quantity over ``text[start:end]``; without a ``qualifier`` it is read from the words before."""
    if qualifier is None:
        qualifier, start = _qualifier_before(text, start)
    return Quantity(text=text[start:end], start=start, end=end, value=value, low=low, high=high, unit=unit,
                    kind=kind, qualifier=qualifier, denominator=denominator)


def _noun_after(text: str, pos: int) -> tuple[str, int]:
    """The thing a figure counts: the noun after it, past a few modifiers."""
    m = _COMPOUND_UNIT_RE.match(text, pos)
    if m:
        for i, (_, unit) in enumerate(_COMPOUND_UNITS):
            if m.group(f"u{i}"):
                return unit, m.end()
    cursor = pos
    for _ in range(3):
        m = _WORD_AFTER_RE.match(text, cursor)
        if not m:
            return "", pos
        word = m.group(1)
        low = word.lower()
        if low in _NOT_UNITS:
            return "", pos
        if low in _MODIFIERS or (word.isupper() and len(word) <= 5):
            cursor = m.end()
            continue
        return _canonical_noun(word), m.end()
    return "", pos


_DETERMINER_BEFORE_RE = lazy_regex(r"(?i:\b(?:the|a|an|this|that|its|their|our|his|her)\s+)$")


def _names_a_year(text: str, start: int, pos: int, counts_people: bool) -> bool:
    """Whether a year-like figure before a word dates it rather than counts it.

    "a 2021 systematic review", "a 2022 study" and "the 2019 guidelines" name
    a year; "1950 patients" and "the 1500 patients" count people. A singular
    word after the figure marks a year, and so does a determiner before it
    unless what follows is people or studies.
    """
    m = _WORD_AFTER_RE.match(text, pos)
    word = m.group(1).lower() if m else ""
    if not word.endswith("s") or word.endswith(("ss", "ic", "us", "is")):
        return word not in _PLURAL_FORMS or word == "data"
    return not counts_people and _DETERMINER_BEFORE_RE.search(text[max(0, start - 8):start]) is not None


def _build(text: str, atoms: list[_Atom], i: int) -> tuple[Quantity | None, int]:
    """Read the quantity that starts at ``atoms[i]``; returns it and the atoms used."""
    first = atoms[i]
    start, pos = first.start, first.end
    value = first.value
    used = 1
    scaled_first = False
    if not first.words:
        m = _SCALE_AFTER_RE.match(text, pos)
        if m:
            value *= DIGIT_SCALES[m.group(1).lower()]
            pos = m.end()
            scaled_first = True
    elif any(w in SCALE_WORDS for w in re.split(r"[\s-]+", text[first.start:first.end].lower())):
        scaled_first = True

    after_first = pos
    low = high = None
    denominator = None
    kind = ""
    unit = ""

    # "2%-3%": a percent sign on the first figure of a range
    pct_first = _PERCENT_RE.match(text, pos)
    sep_pos = pct_first.end() if pct_first else pos

    nxt = atoms[i + 1] if i + 1 < len(atoms) else None
    between = _BETWEEN_BEFORE_RE.search(text[max(0, start - 12):start])
    preceded_by_between = between is not None
    sep = _RANGE_SEP_RE.match(text, sep_pos)
    if not (sep and nxt and nxt.start == sep.end()) and preceded_by_between:
        sep = _AND_SEP_RE.match(text, sep_pos)
    if sep and nxt and nxt.start == sep.end() and not (first.words and not nxt.words):
        second = nxt.value
        pos = nxt.end
        scaled_second = False
        if not nxt.words:
            m = _SCALE_AFTER_RE.match(text, pos)
            if m:
                second *= DIGIT_SCALES[m.group(1).lower()]
                pos = m.end()
                scaled_second = True
        if scaled_second and not scaled_first:
            factor = second / nxt.value if nxt.value else 1
            if value * factor <= second:
                value *= factor
        if value <= second:
            low, high = value, second
            value = second
            used = 2
            if between is not None:
                start -= len(text[max(0, start - 12):start]) - between.start()
        else:
            pos = after_first
    if used == 1:
        # ratios: "3/55", "3 of 55", "one in five"
        for ratio_re in (_SLASH_RATIO_RE, _OF_RATIO_RE, _IN_RATIO_RE):
            m = ratio_re.match(text, pos)
            if not (m and nxt and nxt.start == m.end()):
                continue
            if ratio_re is _SLASH_RATIO_RE and (first.words or nxt.words or text[nxt.end:nxt.end + 1] == "/"):
                continue
            if ratio_re is _IN_RATIO_RE and (len(nxt.digits) == 4 or nxt.value <= value):
                continue
            if nxt.value < value or nxt.value == 0:
                continue
            denominator = nxt.value
            pos = nxt.end
            m2 = _SCALE_AFTER_RE.match(text, pos) if not nxt.words else None
            if m2:
                denominator *= DIGIT_SCALES[m2.group(1).lower()]
                pos = m2.end()
            kind = "ratio"
            used = 2
            break

    if kind == "ratio":
        measure = _MEASURE_RE.match(text, pos)
        if measure:
            unit, pos = measure.group(1), measure.end()
        else:
            unit, pos = _noun_after(text, pos)
        return _make(text, start, pos, value=value, unit=unit, kind="ratio", denominator=denominator), used

    range_fields: _RangeEnds = {"low": low, "high": high}
    # money written with a leading symbol
    money = _MONEY_BEFORE_RE.search(text[max(0, start - 6):start])
    if money:
        code = _MONEY_CODES.get(money.group(1).strip().lower(), money.group(1).strip())
        mstart = start - (len(text[max(0, start - 6):start]) - money.start(1))
        return _make(text, mstart, pos, value=value, unit=code, kind="money", **range_fields), used
    m = _MONEY_AFTER_RE.match(text, pos)
    if m:
        code = _MONEY_CODES.get(m.group(1).lower(), m.group(1).upper())
        return _make(text, start, m.end(), value=value, unit=code, kind="money", **range_fields), used

    m = _PERCENT_RE.match(text, pos)
    if m or (pct_first and used == 2 and text[pos:pos + 1] != "%"):
        end = m.end() if m else pos
        unit = "percentage points" if m and _PERCENT_POINTS_RE.match(text, pos) else "%"
        return _make(text, start, end, value=value, unit=unit, kind="percent", **range_fields), used

    m = _FOLD_RE.match(text, pos)
    if m:
        if m.group(0).strip().lower() == "times" and _FREQUENCY_RE.match(text, m.end()):
            return _make(text, start, m.end(), value=value, unit="times", kind="plain", **range_fields), used
        return _make(text, start, m.end(), value=value, unit="x", kind="multiplier", **range_fields), used

    m = _AGE_AFTER_RE.match(text, pos)
    if m or _AGE_BEFORE_RE.search(text[max(0, start - 16):start]):
        end = m.end() if m else pos
        if not m:
            t = _TIME_UNIT_RE.match(text, pos)
            if t and _time_unit(t.group(1)) == "years":
                end = t.end()
        return _make(text, start, end, value=value, unit="years of age", kind="plain", **range_fields), used

    m = _TIME_UNIT_RE.match(text, pos)
    if m and not _COMPOUND_UNIT_RE.match(text, pos):
        unit = _time_unit(m.group(1))
        if unit == "decades":
            value, unit = value * 10, "years"
            if low is not None and high is not None:
                range_fields = {"low": low * 10, "high": high * 10}
        return _make(text, start, m.end(), value=value, unit=unit, kind="duration", **range_fields), used

    m = _MEASURE_RE.match(text, pos)
    if m:
        return _make(text, start, m.end(), value=value, unit=m.group(1), kind="plain", **range_fields), used

    year_like = (first.digits and len(first.digits) == 4 and 1800 <= first.value <= 2100
                 and not scaled_first)
    horizon_prep = (_HORIZON_BEFORE_RE.search(text[max(0, first.start - 12):first.start])
                    if year_like else None)

    noun, noun_end = _noun_after(text, pos)
    if noun and horizon_prep and noun not in _POPULATION_NOUNS:
        noun = ""  # "by 2030 rates will triple": a year, not 2030 rates
    if noun and year_like and _names_a_year(text, first.start, pos, noun in _POPULATION_NOUNS):
        # "a 2021 systematic review", "the 2019 guidelines": the year dates the thing, it counts nothing
        return _make(text, start, pos, value=value, unit="year", kind="year", qualifier="exact", **range_fields), used
    plus = _PLUS_AFTER_RE.match(text, pos)
    if plus:
        noun, noun_end = _noun_after(text, plus.end())
    if noun:
        q = _make(text, start, noun_end, value=value, unit=noun, kind="count", **range_fields)
        if plus and q.qualifier == "exact":
            q = _make(text, start, noun_end, value=value, unit=noun, kind="count", qualifier="at_least",
                      **range_fields)
        return q, used

    # a bare four-digit year: a time horizon after a preposition, else a date or citation
    if year_like:
        if not horizon_prep:
            return None, used
        word = horizon_prep.group(1).lower()
        return _make(text, start, pos, value=value, unit="year", kind="horizon",
                     qualifier=_HORIZON_QUALIFIER.get(word, "exact"), **range_fields), used

    if first.words and text[first.start:first.end].lower() == "one" and used == 1:
        return None, used  # "one" without a unit is nearly always a pronoun
    if plus:
        return _make(text, start, plus.end(), value=value, unit="", kind="plain", qualifier="at_least",
                     **range_fields), used
    return _make(text, start, pos, value=value, unit="", kind="plain", **range_fields), used


def _shares(text: str, blocked: _Blocked) -> list[Quantity]:
    """Shares written in words: fractions are percentages ("more than half" is over 50%, "a
    third" 33.3%); "most patients" and "the majority of" are a ``share`` of over 50%, "a
    minority of" under 50%, kept apart from figures because no number is stated."""
    found: list[Quantity] = []
    lowered = text.lower()
    fractions = _FRACTION_RE.finditer(text) if any(w in lowered for w in _FRACTION_STEMS) else ()
    for m in fractions:
        if blocked.overlaps(m.start(), m.end()):
            continue
        if not _SHARE_FOLLOWS_RE.match(text, m.end()):
            qualifier, qualifier_start = _qualifier_before(text, m.start())
            if qualifier == "exact" or text[qualifier_start:m.start()].strip().lower() == "within":
                continue  # "half an hour", "within half an hour": not a share of anything
        num, den = _FRACTIONS[m.group(1).lower()]
        found.append(_make(text, m.start(), m.end(), value=100.0 * num / den, unit="%", kind="percent"))
    majorities = _MAJORITY_RE.finditer(text) if any(w in lowered for w in ("most", "majority", "minority")) else ()
    for m in majorities:
        qualifier = "under" if m.group("minor") else "over"
        found.append(_make(text, m.start(), m.end(), value=50.0, unit="%", kind="share", qualifier=qualifier))
    return found


def _special_quantities(text: str, blocked: _Blocked, shares: list[Quantity]) -> list[Quantity]:
    found: list[Quantity] = []
    for m in _MULTIPLIER_RE.finditer(text):
        word = m.group(1).lower()
        if blocked.overlaps(m.start(), m.end()):
            continue
        if word in ("twice", "thrice") and _FREQUENCY_RE.match(text, m.end()):
            continue
        found.append(_make(text, m.start(), m.end(), value=float(_MULTIPLIER_WORDS[word]), unit="x",
                           kind="multiplier"))
    found.extend(shares)
    for m in _ARTICLE_DURATION_RE.finditer(text):
        unit = _time_unit(m.group(2))
        value = 1.0
        if unit == "decades":
            value, unit = 10.0, "years"
        found.append(_make(text, m.start("article"), m.end(), value=value, unit=unit, kind="duration"))
    return found


@lru_cache(maxsize=4096)
def _find_quantities_cached(text: str) -> tuple[Quantity, ...]:
    blocked = _Blocked(text)
    atoms = _atoms(text, blocked)
    shares = _shares(text, blocked)
    share_spans = [(q.start, q.end) for q in shares]
    found: list[Quantity] = []
    consumed_to = -1
    i = 0
    while i < len(atoms):
        atom = atoms[i]
        if atom.start < consumed_to or any(s <= atom.start < e for s, e in share_spans):
            i += 1
            continue
        quantity, used = _build(text, atoms, i)
        if quantity is not None:
            found.append(quantity)
            consumed_to = quantity.end
        else:
            consumed_to = max(consumed_to, atoms[i + used - 1].end)
        i += used
    for q in _special_quantities(text, blocked, shares):
        if not any(q.start < f.end and f.start < q.end for f in found):
            found.append(q)
    found.sort(key=lambda q: (q.start, -q.end))
    return tuple(found)


# The Lancet and journals that follow it write decimals with a raised point: "12·4%".
_MIDDLE_DOT_DECIMAL = lazy_regex(r"(?<=\d)[\u00b7\u2219](?=\d)")


def find_quantities(text: str) -> list[Quantity]:
    """Every figure in ``text``, in reading order."""
    if "\u00b7" in text or "\u2219" in text:
        # One character for one: offsets into the text stay true.
        text = _MIDDLE_DOT_DECIMAL.sub(".", text)
    return list(_find_quantities_cached(text))
