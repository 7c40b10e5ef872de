"""Sentence and clause splitting: exact offsets and the hard cases copy throws at it."""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from claimaudit.language import split_clauses, split_sentences

FIXTURES = Path(__file__).parent / "fixtures" / "language"
CASES = YAML(typ="safe").load((FIXTURES / "sentences.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_hard_cases_split_where_a_reader_would(case):
    sentences = split_sentences(case["text"])
    assert [s.text for s in sentences] == case["sentences"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_offsets_point_back_into_the_text(case):
    text = case["text"]
    for sentence in split_sentences(text):
        assert text[sentence.start:sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()


def test_window_limits_sentences_and_keeps_offsets_absolute():
    text = "Intro line here.\n\nFirst claim. Second claim.\n\nFooter text."
    start = text.index("First")
    end = text.index("\n\nFooter")
    sentences = split_sentences(text, start, end)
    assert [s.text for s in sentences] == ["First claim.", "Second claim."]
    assert sentences[1].start == text.index("Second")


def test_empty_and_blank_text_give_no_sentences():
    assert split_sentences("") == []
    assert split_sentences("   \n\n  ") == []


def test_compound_effect_claim_splits_into_two_clauses():
    text = "The therapy reduced relapses and improved mobility."
    spans = split_clauses(text)
    assert [text[s:e] for s, e in spans] == ["The therapy reduced relapses", "improved mobility."]


def test_list_of_outcomes_after_one_verb_stays_whole():
    text = "The therapy reduced pain and fatigue in most patients."
    assert split_clauses(text) == [(0, len(text))]


def test_semicolon_separates_clauses():
    text = "It lowers swelling; it also speeds healing."
    assert [text[s:e] for s, e in split_clauses(text)] == ["It lowers swelling", "it also speeds healing."]


def test_conjunction_inside_brackets_is_not_a_clause_boundary():
    text = "Cells (which reduce and repair damage) were injected."
    assert split_clauses(text) == [(0, len(text))]


def test_while_joins_two_effects():
    text = "The drug lowers cytokines while boosting tissue repair"
    assert [text[s:e] for s, e in split_clauses(text)] == ["The drug lowers cytokines", "boosting tissue repair"]


def test_a_verb_outside_the_lexicon_after_and_starts_a_clause():
    text = "The injection eases pain and gives you more energy."
    assert [text[s:e] for s, e in split_clauses(text)] == ["The injection eases pain", "gives you more energy."]
    text = "The gel whitens teeth and freshens breath."
    assert [text[s:e] for s, e in split_clauses(text)] == ["The gel whitens teeth", "freshens breath."]


def test_nouns_joined_by_and_stay_in_one_clause():
    for text in ("The balm eases aches and pains.", "It relieves pain and stiffness in the knee.",
                 "It lowers pain and related symptoms.", "Patients and doctors agree."):
        assert split_clauses(text) == [(0, len(text))], text
