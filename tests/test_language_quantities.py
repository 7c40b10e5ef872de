"""Figures in copy: kinds, qualifiers, ranges, ratios, time frames, and what is not a figure."""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from claimaudit.language import find_quantities, normalise_number_words

FIXTURES = Path(__file__).parent / "fixtures" / "language"
CASES = YAML(typ="safe").load((FIXTURES / "quantities.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:50] for c in CASES])
def test_fixture_figures_are_read_with_kind_qualifier_and_unit(case):
    found = find_quantities(case["text"])
    assert len(found) == len(case["expect"]), [q.text for q in found]
    for quantity, expected in zip(found, case["expect"]):
        for field, value in expected.items():
            actual = getattr(quantity, field)
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                assert actual == pytest.approx(value), (field, quantity)
            else:
                assert actual == value, (field, quantity)


def test_offsets_cover_the_figure_with_its_qualifier():
    text = "Relapses fell in over 70% of patients."
    (q,) = find_quantities(text)
    assert text[q.start:q.end] == q.text == "over 70%"


def test_number_words_and_digits_compare_alike():
    (words,) = find_quantities("within two weeks")
    (digits,) = find_quantities("within 2 weeks")
    assert (words.value, words.unit, words.days) == (digits.value, digits.unit, digits.days) == (2, "weeks", 14)


def test_durations_convert_to_days():
    (months,) = find_quantities("six months")
    (years,) = find_quantities("a 2-year study")
    assert months.days == pytest.approx(182.6, abs=0.1)
    assert years.days == pytest.approx(730.5)
    assert find_quantities("40%")[0].days is None


def test_ratios_and_percentages_give_fractions():
    assert find_quantities("3 of 55 patients")[0].as_fraction() == pytest.approx(3 / 55)
    assert find_quantities("one in five adults")[0].as_fraction() == pytest.approx(0.2)
    assert find_quantities("up to 60%")[0].as_fraction() == pytest.approx(0.6)
    assert find_quantities("12 patients")[0].as_fraction() is None


def test_interval_applies_the_qualifier():
    assert find_quantities("up to 60%")[0].interval() == (0.0, 60.0)
    assert find_quantities("over 70%")[0].interval() == (70.0, float("inf"))
    assert find_quantities("2-3%")[0].interval() == (2.0, 3.0)
    low, high = find_quantities("about 20 patients")[0].interval(about_tolerance=0.1)
    assert (low, high) == (pytest.approx(18), pytest.approx(22))


def test_scale_word_applies_to_both_ends_of_a_range():
    (q,) = find_quantities("from 10 to 100 million cells")
    assert (q.low, q.high, q.unit) == (10_000_000, 100_000_000, "cells")


def test_twice_daily_is_a_dosing_frequency_not_a_multiplier():
    assert [q.kind for q in find_quantities("Take it twice daily.")] == []


def test_double_blind_is_a_design_not_a_multiplier():
    assert find_quantities("a double-blind trial") == []


def test_citation_years_are_not_horizons_but_prepositional_years_are():
    assert find_quantities("Smith et al. (2020) reported it.") == []
    (q,) = find_quantities("The number is expected to rise by 2040.")
    assert (q.kind, q.value) == ("horizon", 2040)


def test_year_followed_by_people_is_a_count():
    (q,) = find_quantities("The clinic treated 2000 patients.")
    assert (q.kind, q.value, q.unit) == ("count", 2000, "patients")


def test_normalise_number_words_rewrites_counts_but_not_pronoun_one():
    assert normalise_number_words("twenty-five patients over six months") == "25 patients over 6 months"
    assert normalise_number_words("one of the studies") == "one of the studies"
