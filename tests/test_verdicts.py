"""Verdicts family by family, on claims and evidence written for these tests,
through the real engine (analysis, evidence ranking, every built-in rule)."""

from __future__ import annotations

import pytest

from claimaudit.model import Reason
from claimaudit.rules.examples import judge_claim, sources_from_text
from claimaudit.rules.loader import load_rules
from claimaudit.verdicts.aggregate import decide, effective_reasons

RULES = load_rules()


def judge(claim: str, *evidence: str, internal: bool = False):
    statement, matches, reasons = judge_claim(claim, sources_from_text(list(evidence), internal), RULES)
    verdict, confidence, suggestion = decide(reasons, matches[0].similarity if matches else 0.0)
    return verdict, {r.code for r in effective_reasons(reasons)}, suggestion, reasons


TRIAL = ("In a trial of 80 adults with knee pain, the Ardent gel reduced pain scores by 24% over six weeks; "
         "two participants reported mild skin redness.")


def test_a_faithful_restatement_is_supported():
    verdict, codes, _, _ = judge("The Ardent gel reduced knee pain scores by 24% over six weeks in adults.", TRIAL)
    assert verdict == "supported", codes


@pytest.mark.parametrize("claim, code", [
    ("The Ardent gel reduced knee pain scores by 60% over six weeks in adults.", "CA102"),  # larger figure
    ("The Ardent gel reduced knee pain scores by 24% in a week in adults.", "CA104"),      # faster than measured
])
def test_figures_larger_or_faster_than_the_source_are_overstated(claim, code):
    verdict, codes, suggestion, _ = judge(claim, TRIAL)
    assert verdict == "overstated" and code in codes
    assert "24%" in suggestion or "six weeks" in suggestion


def test_a_figure_no_source_gives_is_unsupported():
    verdict, codes, _, _ = judge("Ardent gel users walk 3,000 more steps a day.", TRIAL)
    assert verdict == "unsupported" and "CA101" in codes


def test_most_for_a_minority_is_overstated():
    verdict, codes, _, _ = judge("Most participants lost at least 5% of their weight on the plan.",
                                 "On the plan, 31% of participants lost at least 5% of their weight.")
    assert verdict == "overstated" and "CA102" in codes


def test_up_to_reached_only_by_a_few_is_not_a_typical_result():
    verdict, codes, suggestion, _ = judge(
        "The rinse makes teeth up to 6 shades whiter.",
        "Teeth became on average 2 shades whiter with the rinse, with up to 6 shades in a few participants.")
    assert verdict == "overstated" and "CA103" in codes
    assert "on average 2 shades" in suggestion


def test_a_lifetime_promise_on_a_one_year_study_is_stretched():
    verdict, codes, _, _ = judge("The weight stays off for life on the plan.",
                                 "After 12 months on the plan, participants had kept off 3 kg of weight.")
    assert verdict == "overstated" and "CA104" in codes


def test_dropping_the_sources_hedge_is_overstated_and_names_it():
    verdict, codes, suggestion, reasons = judge("Green tea extract lowers blood pressure.",
                                                "Green tea extract may lower blood pressure, the authors suggest.")
    assert verdict == "overstated" and "CA201" in codes
    reason = next(r for r in reasons if r.code == "CA201")
    assert "may" in reason.message
    assert reason.evidence_text[slice(*reason.evidence_span)] in {"may", "suggest"}
    assert suggestion == "Green tea extract may lower blood pressure."


def test_a_plain_measured_result_backs_a_direct_claim():
    verdict, codes, _, _ = judge("The gel cut knee pain scores by 24%.",
                                 "Knee pain scores fell by 24% with the gel and by 9% with placebo.")
    assert verdict == "supported", codes


def test_a_reversed_finding_is_contradicted():
    verdict, codes, _, reasons = judge("Runners who stretched were more likely to be injured during the season.",
                                       "Runners who stretched were less likely to be injured during the season.")
    assert verdict == "unsupported" and "CA701" in codes
    reason = next(r for r in reasons if r.code == "CA701")
    assert reason.evidence_text[slice(*reason.evidence_span)] == "less"


def test_better_than_against_no_difference_is_contradicted():
    verdict, codes, _, _ = judge("The Ardent gel outperforms prescription pain gels.",
                                 "Pain relief with the Ardent gel and a prescription gel was similar; "
                                 "the difference was not statistically significant.")
    assert verdict == "unsupported" and "CA701" in codes


def test_a_denial_of_what_the_source_found_is_contradicted():
    verdict, codes, _, _ = judge("After treatment, patients showed no fatigue at six months.",
                                 "At six months after treatment, patients were mainly troubled by fatigue and poor sleep.")
    assert verdict == "unsupported" and "CA701" in codes


def test_agreeing_with_a_null_result_is_supported():
    verdict, codes, _, _ = judge("Stiffness scores did not differ significantly between the gel and placebo.",
                                 "Stiffness scores did not differ significantly between the gel and placebo groups.")
    assert verdict == "supported", codes


def test_cleared_does_not_back_approved():
    evidence = "The FDA cleared the Quietly earbud in 2023 as an over-the-counter hearing aid."
    assert judge("The Quietly earbud is FDA-approved.", evidence)[0] == "unsupported"
    assert judge("The Quietly earbud is FDA-cleared as an over-the-counter hearing aid.", evidence)[0] == "supported"


def test_safety_absolute_against_reported_side_effects_is_overstated():
    verdict, codes, suggestion, _ = judge("The Ardent gel never causes irritation.", TRIAL)
    assert verdict == "overstated" and "CA401" in codes


def test_testimonial_is_overstated_on_a_modest_finding_and_unsupported_on_nothing():
    assert judge("Users tell us the Ardent gel took their knee pain away completely.", TRIAL)[0] == "overstated"
    assert judge("Users tell us the Ardent gel gave them back their sense of smell.", TRIAL)[0] == "unsupported"


def test_a_disclaimer_never_softens_a_claim():
    bare = judge("Our gel regrows knee cartilage.", TRIAL)[0]
    disclaimed = judge("Our gel regrows knee cartilage; individual results may vary.", TRIAL)[0]
    assert bare == disclaimed == "unsupported"


def test_animal_evidence_behind_an_unscoped_claim_is_overstated_with_a_scoped_rewrite():
    verdict, codes, suggestion, _ = judge("Curcumin slows cartilage loss by 40%.",
                                          "In rats with knee arthritis, curcumin slowed cartilage loss by 40%.",
                                          "In a trial of 90 adults with knee arthritis, curcumin capsules eased pain slightly.")
    assert verdict == "overstated" and "CA301" in codes
    assert suggestion.startswith("In animal studies, ")


def test_a_compound_claim_takes_its_worst_clause():
    claim = "The Ardent gel reduced knee pain scores by 24% and cured knee arthritis in adults."
    verdict, _, _, reasons = judge(claim, TRIAL)
    assert verdict in {"overstated", "unsupported"}
    spans = [claim[slice(*r.claim_span)] for r in reasons if r.claim_span]
    assert all(s and s in claim for s in spans)


def test_own_business_claims_need_an_internal_data_sheet():
    sheet = "Between 2019 and 2024 the clinic's physiotherapists treated 4,200 patients."
    assert judge("Our physiotherapists have treated over 4,000 patients since 2019.", sheet, internal=True)[0] == "supported"
    assert judge("Our physiotherapists have treated over 9,000 patients since 2019.", sheet, internal=True)[0] != "supported"
    assert judge("Our physiotherapists have treated over 4,000 patients since 2019.", sheet)[0] == "unsupported"


def reason(family: str, verdict: str, grounded: bool) -> Reason:
    return Reason(rule=f"{family}.x", code="X", message="m", verdict=verdict, family=family,
                  evidence_span=(0, 3) if grounded else None, evidence_text="abc" if grounded else "")


def test_nothing_related_gives_way_to_a_rule_that_found_related_evidence():
    fallback = reason("evidence", "unsupported", False)
    safety = reason("safety", "overstated", True)
    assert decide([fallback, safety], 0.2)[0] == "overstated"
    assert decide([fallback, reason("certainty", "overstated", False)], 0.2)[0] == "unsupported"


def test_no_reason_is_supported_and_the_worst_reason_wins():
    assert decide([], 0.8)[0] == "supported"
    assert decide([reason("figures", "overstated", True), reason("figures", "unsupported", True)], 0.8)[0] == "unsupported"
