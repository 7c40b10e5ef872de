"""Claim strength on the 0-3 scale, from sentences written for claimaudit."""

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from claimaudit.language import (
    CONDITIONAL_CAUSAL,
    CORRELATIONAL,
    DIRECT_CAUSAL,
    NO_RELATIONSHIP,
    claim_strength,
    load_strength_rules,
)

FIXTURES = Path(__file__).parent / "fixtures" / "language"
CASES = YAML(typ="safe").load((FIXTURES / "strength.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:60] for c in CASES])
def test_fixture_sentences_get_their_level(case):
    assert claim_strength(case["text"]).level == case["level"]


def test_hedge_lowers_a_causal_claim_by_one_level():
    assert claim_strength("The cells repair cartilage.").level == DIRECT_CAUSAL
    assert claim_strength("The cells might repair cartilage.").level == CONDITIONAL_CAUSAL


def test_association_stays_correlational_even_when_hedged():
    assert claim_strength("Vitamin D may be associated with fewer relapses.").level == CORRELATIONAL


def test_goal_and_recommendation_are_not_claims():
    assert claim_strength("Programs to improve adherence are under way.").level == NO_RELATIONSHIP
    assert claim_strength("Clinicians should reduce doses in older adults.").level == NO_RELATIONSHIP


def test_negated_causal_claim_is_direct_and_flagged():
    strength = claim_strength("The injections did not reduce pain.")
    assert strength.level == DIRECT_CAUSAL
    assert strength.negated


def test_hedges_and_boosters_are_listed():
    strength = claim_strength("This proven therapy may completely restore movement.")
    assert [c.text for c in strength.hedges] == ["may"]
    assert {c.text for c in strength.boosters} >= {"proven", "completely"}
    assert strength.level == CONDITIONAL_CAUSAL


def test_deciding_cues_point_into_the_sentence():
    text = "Exercise lowers blood pressure."
    strength = claim_strength(text)
    assert [text[c.start:c.end] for c in strength.cues] == ["lowers"]
    assert strength.name == "direct causal"


def test_extra_rules_file_extends_the_directive_list(tmp_path):
    extra = tmp_path / "rules.yaml"
    extra.write_text("directives: [we plan]\n", encoding="utf-8")
    text = "We plan trials that test whether the cells improve walking, and we plan more."
    assert claim_strength("We plan to show the cells improve walking.", rules=load_strength_rules([extra])).level \
        == NO_RELATIONSHIP
    assert claim_strength(text).level == NO_RELATIONSHIP


def test_ability_marks_a_direct_claim_stated_with_can():
    assert claim_strength("The gel can soothe irritated gums.").ability
    assert claim_strength("The gel can also quickly soothe gums and freshen breath.").ability
    assert not claim_strength("The gel soothes irritated gums.").ability
    assert not claim_strength("The gel may soothe irritated gums.").ability  # conditional, not an ability


def test_suggest_reports_a_finding_but_a_modal_in_it_hedges():
    assert claim_strength("Our data suggest that the brace reduces knee pain.").level == DIRECT_CAUSAL
    assert claim_strength("Our data suggest that the brace might reduce knee pain.").level == CONDITIONAL_CAUSAL


def test_background_words_do_not_decide_the_level():
    # a causal word inside a relative clause or a concessive clause gives way to the main claim
    assert claim_strength("Although stress may worsen eczema, itch scores were linked to sleep.").level == CORRELATIONAL
    assert claim_strength("Drugs that raise serotonin may hold the key to calmer sleep.").level == CONDITIONAL_CAUSAL
