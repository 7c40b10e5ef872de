"""Support must be shown: each claim is read into a frame, held element by
element against the evidence that covers it, and supported only when its core
(subject, outcome, direction) is matched. Claims and sources are written for
these tests; every case runs through the real engine."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimaudit.api import audit
from claimaudit.claims.anatomy import analyse
from claimaudit.claims.frame import Direction, frame_of
from claimaudit.language import stem
from claimaudit.model import Source
from claimaudit.rules.examples import judge_claim, sources_from_text
from claimaudit.rules.loader import load_rules
from claimaudit.verdicts.aggregate import decide

RULES = load_rules()

CURCUMIN = ("In a randomised trial of 120 adults with knee osteoarthritis, curcumin capsules reduced joint pain "
            "by 28% compared with placebo over 8 weeks.")


def verdict_of(claim: str, *evidence: str, rules=RULES, aliases=None, cited=()) -> tuple[str, set[str], str]:
    _, matches, reasons = judge_claim(claim, sources_from_text(list(evidence)), rules, cited, aliases=aliases)
    verdict, _, suggestion = decide(reasons, matches[0].similarity if matches else 0.0)
    return verdict, {r.code for r in reasons}, suggestion


# --- the frame ------------------------------------------------------------------------

@pytest.mark.parametrize("text, subject, outcome, direction", [
    ("Curcumin capsules cut joint pain by 28% in adults.", "curcumin", "pain", Direction.DOWN),
    ("The balm boosts skin moisture within a week.", "balm", "moisture", Direction.UP),
    ("Knee pain fell by a third with the brace.", "brace", "pain", Direction.DOWN),
    ("Ginger tea relieves migraine headaches.", "ginger", "headache", Direction.BETTER),
    ("Blood pressure did not differ between the groups.", "", "pressure", Direction.NO_CHANGE),
])
def test_a_claim_is_read_into_subject_outcome_and_direction(text, subject, outcome, direction):
    frame = frame_of(analyse(text))
    subject, outcome = stem(subject), stem(outcome)
    assert subject in frame.subject.words | frame.agent.words or (not subject and not frame.subject.words)
    assert outcome in frame.outcome.words | frame.subject.words
    assert frame.direction == direction


def test_a_figure_is_never_read_as_a_word_of_the_outcome():
    frame = frame_of(analyse("With the brace, knee pain scores fell by about a third."))
    assert "third" not in frame.outcome.words and "pain" in frame.outcome.words


def test_a_comparison_is_read_apart_from_the_outcome():
    frame = frame_of(analyse("Curcumin works as well as ibuprofen for joint pain."))
    assert "ibuprofen" in frame.comparator.words
    assert "ibuprofen" not in frame.outcome.words and "pain" in frame.outcome.words


# --- support must be shown ---------------------------------------------------------

def test_a_faithful_restatement_is_supported_with_every_core_element_matched():
    verdict, codes, _ = verdict_of("Curcumin capsules reduced joint pain in adults with knee osteoarthritis.",
                                   CURCUMIN)
    assert verdict == "supported", codes


def test_evidence_on_the_same_topic_that_never_says_it_worked_is_not_support():
    verdict, codes, _ = verdict_of("Ginger tea relieves migraine headaches.",
                                   "Migraine headaches were recorded in a diary by 60 adults for twelve weeks.")
    assert verdict == "unsupported" and "CA001" in codes


def test_no_rule_firing_is_not_support():
    # With every rule switched off, a claim the evidence does not cover is still not supported.
    verdict, codes, _ = verdict_of("Zinc lozenges shorten colds in children.", CURCUMIN, rules=[])
    assert verdict == "unsupported" and codes == {"CA001"}


def test_a_product_name_is_matched_through_the_packs_aliases_only():
    claim = "FlexiCur capsules reduced joint pain in adults with knee osteoarthritis."
    without, codes, _ = verdict_of(claim, CURCUMIN)
    assert without == "unsupported" and "CA001" in codes
    with_alias, codes, _ = verdict_of(claim, CURCUMIN, aliases={"flexicur": ("curcumin",)})
    assert with_alias == "supported", codes


def test_a_comparison_no_source_makes_is_overstated():
    verdict, codes, _ = verdict_of("Curcumin works as well as ibuprofen for joint pain.", CURCUMIN)
    assert verdict != "supported" and "CA306" in codes


def test_a_comparison_the_source_makes_is_supported():
    verdict, codes, _ = verdict_of("Curcumin capsules reduced joint pain more than placebo.", CURCUMIN)
    assert verdict == "supported", codes


def test_a_reversed_direction_is_contradicted():
    verdict, codes, _ = verdict_of("The serum increases skin moisture.",
                                   "Skin moisture decreased slightly after four weeks of using the serum.")
    assert verdict == "unsupported" and "CA702" in codes


def test_a_statement_the_evidence_negates_is_contradicted():
    verdict, codes, _ = verdict_of("Waiting for symptoms was shown to be sufficient to stop the outbreak.",
                                   "The model did not find waiting for symptoms sufficient to stop the outbreak.")
    assert verdict == "unsupported", codes


def test_a_number_counting_something_else_is_no_support_for_a_figure():
    verdict, codes, _ = verdict_of("Curcumin relieves joint pain in 3 days.",
                                   "Three trials found that curcumin relieved joint pain in adults.")
    assert verdict != "supported", codes


def test_everyone_and_every_are_more_than_a_study_shows():
    verdict, codes, _ = verdict_of("The oat drink is gentle on every stomach.",
                                   "In 40 adults, the oat drink caused stomach upset in 3.")
    assert verdict == "overstated" and "CA309" in codes


def test_only_that_narrows_a_claim_is_not_a_boast():
    verdict, codes, _ = verdict_of("The extract calmed gut inflammation, although only in mice.",
                                   "In mice, the extract calmed gut inflammation.")
    assert "CA309" not in codes


def test_a_claim_about_children_is_not_covered_by_a_study_in_adults():
    verdict, codes, _ = verdict_of("Fish oil sharpens your child's focus.",
                                   "In 90 healthy adults aged 20 to 30, fish oil sharpened focus on an attention test.")
    assert verdict == "overstated" and "CA307" in codes


def test_a_claim_that_cites_a_source_is_held_to_that_source_alone():
    sources = [Source(id="trial", summary="Curcumin did not change joint stiffness in 40 adults."),
               Source(id="other", summary="Curcumin capsules reduced joint stiffness in adults.")]
    _, matches, reasons = judge_claim("Curcumin capsules reduce joint stiffness.", sources, RULES, ("trial",))
    verdict, _, _ = decide(reasons, matches[0].similarity if matches else 0.0)
    assert verdict != "supported"


def test_a_contradiction_from_a_study_in_other_people_does_not_override_the_covering_study():
    verdict, codes, _ = verdict_of(
        "In adults with high blood pressure, beetroot juice lowered systolic blood pressure by 7 mmHg.",
        "In 60 adults with high blood pressure, daily beetroot juice lowered systolic blood pressure by 7 mmHg.",
        "In 30 young athletes with normal blood pressure, beetroot juice did not lower blood pressure.")
    assert verdict == "supported", codes


# --- what the reports carry -----------------------------------------------------------

PACK = """sources:
  - id: okafor2024
    citation: "Okafor A, Lund B. Curcumin for knee pain. J Joint Res. 2024;4:1-9."
    summary: >-
      In a randomised trial of 120 adults with knee osteoarthritis, curcumin capsules reduced joint pain
      by 28% compared with placebo over 8 weeks. Two participants reported mild stomach upset.
aliases:
  FlexiCur: [curcumin]
"""


@pytest.fixture
def flexicur(tmp_path: Path) -> tuple[Path, Path]:
    page = tmp_path / "page.md"
    page.write_text("# FlexiCur\n\nFlexiCur capsules reduced joint pain in adults with knee osteoarthritis.\n\n"
                    "FlexiCur rebuilds knee cartilage.\n\nFlexiCur works as well as ibuprofen for joint pain.\n",
                    encoding="utf-8")
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    return page, pack


def test_every_finding_records_each_element_with_its_status_in_the_json(flexicur, tmp_path):
    page, pack = flexicur
    result = audit([str(page)], str(pack))
    out = tmp_path / "audit.json"
    result.to_json(str(out))
    findings = {f["text"]: f for f in json.loads(out.read_text(encoding="utf-8"))["findings"]}
    faithful = findings["FlexiCur capsules reduced joint pain in adults with knee osteoarthritis."]
    statuses = {a["element"]: a["status"] for a in faithful["alignment"]}
    assert faithful["verdict"] == "supported"
    assert statuses["subject"] == statuses["outcome"] == statuses["direction"] == "matched"
    rebuilt = findings["FlexiCur rebuilds knee cartilage."]
    assert rebuilt["verdict"] == "unsupported"
    assert any(a["status"] in {"absent", "contradicted"} for a in rebuilt["alignment"])
    for finding in findings.values():
        for item in finding["alignment"]:
            assert item["status"] in {"matched", "weaker", "absent", "contradicted", "not stated"}


def test_confidence_in_support_grows_with_what_was_matched(flexicur):
    page, pack = flexicur
    supported = [f for f in audit([str(page)], str(pack)).result.findings if f.verdict == "supported"]
    assert supported and all(0.5 <= f.confidence <= 0.95 for f in supported)


def test_a_rewrite_is_offered_only_when_the_engine_finds_it_supported(flexicur):
    page, pack = flexicur
    result = audit([str(page)], str(pack)).result
    for finding in result.findings:
        if finding.verdict == "supported" or not finding.suggestion or finding.suggestion.startswith("No rewrite"):
            continue
        if finding.suggestion.endswith(".") and finding.suggestion[:1].isupper() and \
                not finding.suggestion.startswith(("Remove", "Drop", "Cite", "Say", "Use", "Name", "State",
                                                   "Describe", "Present", "Keep")):
            _, matches, reasons = judge_claim(finding.suggestion, [Source(id="okafor2024", summary=(
                "In a randomised trial of 120 adults with knee osteoarthritis, curcumin capsules reduced joint pain "
                "by 28% compared with placebo over 8 weeks. Two participants reported mild stomach upset."))],
                RULES, aliases={"flexicur": ("curcumin",)})
            assert decide(reasons, matches[0].similarity if matches else 0.0)[0] == "supported", finding.suggestion


def test_a_rewrite_keeps_the_products_casing():
    verdict, codes, suggestion = verdict_of("FlexiCur lowers blood sugar.",
                                            "In diabetic rats, curcumin lowered blood sugar.",
                                            aliases={"flexicur": ("curcumin",)})
    assert verdict == "overstated" and "CA301" in codes
    assert "FlexiCur" in suggestion and "flexiCur" not in suggestion


def test_a_negated_fall_in_the_evidence_is_no_change_not_a_fall():
    from claimaudit.claims.frame import directions_in

    found = directions_in("Daily beetroot juice did not lower systolic blood pressure; it rose by 1 mmHg.")
    assert Direction.DOWN not in found and {Direction.NO_CHANGE, Direction.UP} <= found
    verdict, codes, _ = verdict_of("Beetroot juice lowers systolic blood pressure.",
                                   "Daily beetroot juice did not lower systolic blood pressure; it rose by 1 mmHg.")
    assert verdict == "unsupported", codes
