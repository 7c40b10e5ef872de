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


# Each test below pins one reading rule of the scale, with sentences written for claimaudit.


def test_a_relationship_credited_to_earlier_work_is_background():
    assert claim_strength("Previous studies have linked late meals with poor sleep.").level == NO_RELATIONSHIP
    assert claim_strength("It is well established that sunscreen prevents burns.").level == NO_RELATIONSHIP
    assert claim_strength("There had been concern that the patch raised heart rate.").level == NO_RELATIONSHIP
    # the background ends with its concessive clause; the study's own finding still counts
    assert claim_strength("Although earlier work showed the gel soothes burns, our trial found it speeds healing.") \
        .level == DIRECT_CAUSAL
    # a study that confirms the earlier finding reports it too
    assert claim_strength("Our data confirm previous studies showing that the gel soothes burns.").level \
        == DIRECT_CAUSAL


def test_known_to_governs_only_the_verb_it_introduces():
    assert claim_strength("A balm known to soothe burns was applied twice daily.").level == NO_RELATIONSHIP
    assert claim_strength("A balm known to soothe burns also shortened healing time.").level == DIRECT_CAUSAL


def test_how_common_something_is_in_a_group_is_correlational():
    assert claim_strength("Iron deficiency was common among young runners.").level == CORRELATIONAL
    assert claim_strength("Low vitamin D was found in 40% of patients with psoriasis.").level == CORRELATIONAL
    assert claim_strength("Iron deficiency on the rise among teenage athletes").level == CORRELATIONAL  # a headline
    assert claim_strength("Cases of measles dropped sharply among children after the vaccine was introduced.") \
        .level == CORRELATIONAL
    # the whole sample is not a group set against others
    assert claim_strength("Side effects were rare in all participants.").level == NO_RELATIONSHIP


def test_a_difference_found_in_one_group_is_correlational():
    assert claim_strength("Joint pain was more severe in older women than in younger men.").level == CORRELATIONAL
    assert claim_strength("The highest rates of infection were in children.").level == CORRELATIONAL


def test_a_comparison_with_an_earlier_estimate_or_an_age_bound_relates_nothing():
    assert claim_strength("Relapse rates were higher than previously thought.").level == NO_RELATIONSHIP
    assert claim_strength("Children younger than 5 years were treated for falls.").level == NO_RELATIONSHIP
    # a bound on a measured quantity stays a comparison (the claim frame reads it)
    assert claim_strength("The median recovery time was greater than 5 days.").level == CORRELATIONAL


def test_a_way_to_do_something_says_it_does_it():
    assert claim_strength("Researchers found a simple way to reduce wound infections.").level == DIRECT_CAUSAL
    assert claim_strength("Ways to reduce wound infections are needed.").level == NO_RELATIONSHIP


def test_a_verb_phrase_that_holds_its_object_is_asserted():
    assert claim_strength("The spray provides relief for hay fever sufferers.").level == DIRECT_CAUSAL


def test_headline_verbs_and_split_particles_are_causal():
    assert claim_strength("Poor sleep ups the risk of migraine.").level == DIRECT_CAUSAL
    assert claim_strength("Recovery has its ups and downs.").level == NO_RELATIONSHIP
    assert claim_strength("A daily walk keeps stiffness away.").level == DIRECT_CAUSAL
    assert claim_strength("Mouthguards keep teeth from cracking.").level == DIRECT_CAUSAL
    assert claim_strength("Humid weather can make asthma worse.").level == DIRECT_CAUSAL
    assert claim_strength("Older patients make much less use of the clinic.").level != DIRECT_CAUSAL


def test_links_stated_with_other_words_are_correlational():
    assert claim_strength("Researchers tied late bedtimes to weight gain in teens.").level == CORRELATIONAL
    assert claim_strength("Income and age associate with access to dental care.").level == CORRELATIONAL
    assert claim_strength("Age is a major factor in hip fracture recovery.").level == CORRELATIONAL
    assert claim_strength("A hoarse voice may herald thyroid problems.").level == CORRELATIONAL


def test_a_cause_named_as_a_role_is_direct():
    assert claim_strength("Screening has had little to do with the fall in deaths.").level == DIRECT_CAUSAL
    assert claim_strength("Diet plays a part in acne.").level == DIRECT_CAUSAL
    assert claim_strength("Damp housing is behind the rise in asthma cases.").level == DIRECT_CAUSAL
    assert claim_strength("Sugar is often the culprit for tooth decay.").level == DIRECT_CAUSAL
    assert claim_strength("Constipation is often the culprit.").level == NO_RELATIONSHIP


def test_a_verb_acting_on_research_describes_the_study():
    assert claim_strength("The study contributes important information on dosing.").level == NO_RELATIONSHIP
    assert claim_strength("These findings enhance our understanding of sleep.").level == NO_RELATIONSHIP


def test_helping_someone_to_know_is_a_tool_claim():
    assert claim_strength("The app helps nurses predict falls.").level == CORRELATIONAL


def test_what_a_group_is_more_likely_to_do_is_the_compared_outcome():
    assert claim_strength("Smokers are more likely to benefit from the program.").level == CORRELATIONAL


def test_study_verbs_report_a_result_when_a_that_clause_follows():
    assert claim_strength("Researchers have determined that poor sleep raises blood pressure.").level \
        == DIRECT_CAUSAL
    assert claim_strength("We aim to determine whether poor sleep raises blood pressure.").level == NO_RELATIONSHIP


def test_an_aim_attached_to_the_subject_leaves_its_verb_asserted():
    assert claim_strength("A checklist aimed to speed diagnosis reduces scan use.").level == DIRECT_CAUSAL
    assert claim_strength("The study aimed to test whether the checklist reduces scan use.").level \
        == NO_RELATIONSHIP


def test_a_typed_dash_and_an_aside_do_not_break_the_clause():
    assert claim_strength("Vitamin C--found in citrus fruit--shortens colds.").level == DIRECT_CAUSAL
    assert claim_strength("The gel could help patients (and their carers) reduce scarring.").level \
        == CONDITIONAL_CAUSAL
    assert claim_strength("The gel could help patients--and their carers--reduce scarring.").level \
        == CONDITIONAL_CAUSAL


def test_appears_without_to_still_hedges():
    assert claim_strength("The implant appears safe and effective in older adults.").level == CONDITIONAL_CAUSAL


def test_more_verbs_and_adjectives_are_read_as_they_are_used():
    strength = claim_strength("The supplement did not alter blood sugar.")
    assert strength.level == DIRECT_CAUSAL and strength.negated
    assert claim_strength("Patients with underlying heart disease were excluded.").level == NO_RELATIONSHIP
    assert claim_strength("The drug has been shown for the first time to reduce relapses.").level == DIRECT_CAUSAL


def test_extra_rules_file_extends_the_background_list(tmp_path):
    extra = tmp_path / "rules.yaml"
    extra.write_text("background: [folk wisdom holds]\n", encoding="utf-8")
    text = "Folk wisdom holds that ginger eases nausea."
    assert claim_strength(text).level == DIRECT_CAUSAL
    assert claim_strength(text, rules=load_strength_rules([extra])).level == NO_RELATIONSHIP
