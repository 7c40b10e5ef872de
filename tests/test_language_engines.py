"""Patterns run on the standard ``re`` engine where it reads text exactly as ``regex`` does."""

import re

from claimaudit.language import find_quantities
from claimaudit.language._lazy import compile_pattern, engines_agree, unicode_pattern
from claimaudit.language.cues import tokens


def test_plain_patterns_use_the_standard_engine_and_others_fall_back():
    assert isinstance(compile_pattern(r"\b(?:may|might)\b", re.IGNORECASE), re.Pattern)
    assert not isinstance(compile_pattern(r"[\p{L}]+"), re.Pattern)
    assert not isinstance(compile_pattern(r"(?<=\b(?:a|the)\s+)cure"), re.Pattern)  # varying look-behind


def test_engines_agree_on_ordinary_copy_but_not_on_combining_accents():
    assert engines_agree("Relief in 2–3 weeks for 60% of users — it’s “clinically” tested.")
    assert not engines_agree("cafe\u0301")  # an accent written as a separate combining mark
    assert not engines_agree("10 m\u00b2")  # a superscript digit


def test_words_with_combining_accents_stay_whole():
    word = unicode_pattern(r"\w+")
    assert [m.group(0) for m in word.finditer("cafe\u0301 visits")] == ["cafe\u0301", "visits"]
    assert [t for t, _, _ in tokens("A cafe\u0301 study")] == ["a", "cafe\u0301", "study"]


def test_figures_after_superscripts_and_fractions_read_as_before():
    # "≥" garbled into "â©¾" must not glue the 70 to a fraction sign
    (q,) = find_quantities("All women \u00e2\u00a9\u00be70 years were included.")
    assert (q.text, q.value, q.unit) == ("70 years", 70, "years")
