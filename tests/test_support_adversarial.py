"""Adversarial claims against "support must be shown": claims that try to pass
as supported without their subject, outcome and direction being shown in the
evidence, messages that must not mislead, and work that must stay bounded.

The few known gaps are strict xfails that say what is missing; the guards at
the end hold the gate's determinism and its one-line errors. Claims and
sources are written for these tests; every case runs through the real engine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimaudit.api import audit
from claimaudit.claims.anatomy import MAX_SENTENCE
from claimaudit.cli import main
from claimaudit.errors import InputError
from claimaudit.rules.examples import judge_claim, sources_from_text
from claimaudit.rules.loader import load_rules

RULES = load_rules()

KNEE_TRIAL = ("In a randomised trial of 96 adults with knee osteoarthritis, curcumin capsules lowered knee pain "
              "by 30% compared with placebo after 8 weeks.")


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def findings(copy: str, *summaries: str, aliases: dict | None = None, ids: tuple[str, ...] = ()) -> list:
    sources = [{"id": ids[n] if n < len(ids) else f"study{n + 1}",
                "citation": f"Example A{'BCDEFG'[n]}. A study of our own making. J Example. 2021;{n + 1}:1-9.",
                "summary": summary}
               for n, summary in enumerate(summaries)]
    pack: dict = {"sources": sources}
    if aliases:
        pack["aliases"] = aliases
    return audit(copy + "\n", pack, loaded_rules=RULES).result.findings


def only(copy: str, *summaries: str, **kwargs):
    found = findings(copy, *summaries, **kwargs)
    assert len(found) == 1, [f.text for f in found]
    return found[0]


# --- 1. fail-open paths -------------------------------------------------------------------------

def test_a_subject_named_only_in_a_neighbouring_sentence_about_something_else_is_not_support():
    source = ("Turmeric extract was handed out to the first group of walkers. Naproxen lowered knee pain in the "
              "second group. Both groups were followed for six weeks.")
    finding = only("Turmeric extract lowers knee pain.", source)
    assert finding.verdict != "supported"


@pytest.mark.parametrize("claim", ["Curcumin is safe.", "Curcumin is well tolerated."])
def test_a_safety_claim_needs_a_safety_finding(claim):
    finding = only(claim, KNEE_TRIAL)
    assert finding.verdict != "supported"


@pytest.mark.parametrize("claim", ["It reduces.", "Compared with placebo, it reduced."])
@pytest.mark.parametrize("source", ["Curcumin capsules reduced knee pain by 30% compared with placebo in 96 adults "
                                    "with knee osteoarthritis."])
def test_a_claim_that_names_no_outcome_is_not_supported(claim, source):
    finding = only(claim, source)
    assert finding.verdict != "supported"


def test_a_product_form_the_evidence_never_names_is_not_matched():
    finding = only("This cream lowers knee pain.", KNEE_TRIAL)
    assert finding.verdict != "supported"


def test_an_alias_counts_only_as_a_whole_word():
    # A name inside a longer word ("Vita" in "Vitamin") is not the product.
    finding = only("Vitamin D lowers knee pain.", KNEE_TRIAL, aliases={"Vita": ["curcumin"]})
    assert finding.verdict != "supported"


def test_an_alias_outside_the_subject_does_not_stand_for_it():
    finding = only("Unlike FlexiCur, naproxen lowers knee pain.", KNEE_TRIAL, aliases={"FlexiCur": ["curcumin"]})
    assert finding.verdict != "supported"


def test_a_second_clause_with_its_own_subject_is_judged_too():
    finding = only("Curcumin lowers knee pain, and the retinol serum heals scars.", KNEE_TRIAL)
    assert finding.verdict != "supported"


def test_a_claims_table_row_citing_a_source_missing_from_the_pack_is_not_supported(tmp_path):
    table = tmp_path / "claims.csv"
    table.write_text("claim,source\nCurcumin lowers knee pain.,absent2019\n", encoding="utf-8")
    pack = {"sources": [{"id": "knee2021", "summary": KNEE_TRIAL}]}
    [finding] = audit(str(table), pack, loaded_rules=RULES).result.findings
    assert finding.verdict == "unsupported"


@pytest.mark.parametrize("claim", ["Curcumin lowers knee pain (Okafor 2020).",
                                   "Okafor (2020) showed that curcumin lowers knee pain."])
def test_an_author_year_citation_missing_from_the_pack_is_not_supported(claim):
    finding = only(claim, KNEE_TRIAL)
    assert finding.verdict == "unsupported"


def test_an_author_is_not_matched_by_the_first_letter_of_a_source_id():
    finding = only("According to Sandoval et al. (2020), curcumin lowers knee pain.", KNEE_TRIAL, ids=("s1",))
    assert finding.verdict == "unsupported"
    assert "CA601" in {r.code for r in finding.reasons}


def test_a_subject_the_evidence_does_not_name_keeps_the_claim_unsupported():
    finding = only("Retinol cream lowered knee pain by 50% in 8 weeks.", KNEE_TRIAL)
    assert finding.verdict == "unsupported"


@pytest.mark.parametrize("claim", ["The end of joint pain.", "Knee pain: solved."])
@pytest.mark.xfail(strict=True, reason="align._outcome: a named outcome term in the window with any coverage is a "
                   "match, and a claim with no predicate has no direction to show, so a cure-like label passes on "
                   "evidence of a partial fall (measured fixes trade Check-COVID F1; see the report)")
def test_a_label_that_promises_an_end_to_a_symptom_is_not_supported_by_a_partial_fall(claim):
    finding = only(claim, KNEE_TRIAL)
    assert finding.verdict != "supported"


@pytest.mark.parametrize("copy", ["No more joint pain.", "Goodbye knee pain.", "Less pain, more life."])
def test_a_short_promise_about_an_outcome_is_audited(copy):
    result = audit(copy + "\n", {"sources": [{"id": "knee2021", "summary": KNEE_TRIAL}]}, loaded_rules=RULES).result
    assert [f.text for f in result.findings] == [copy]


# --- 2. messages ---------------------------------------------------------------------------------

def test_a_safety_absolute_with_no_safety_finding_names_no_empty_source():
    finding = only("Curcumin has no side effects.", "Curcumin lowered knee pain by 30% in adults.")
    [message] = [r.message for r in finding.reasons if r.code == "CA401"]
    assert "()" not in message and '""' not in message


def test_support_not_shown_quotes_the_words_of_each_element_it_lists():
    finding = only("Curcumin lowers knee pain.", "Wrinkle depth fell by 12% in forty women using a retinol serum.")
    [message] = [r.message for r in finding.reasons if r.code == "CA001"]
    assert "outcome" in message
    assert "knee pain" in message


@pytest.mark.xfail(strict=True, reason="align._direction reads 'no change' from the whole window, so a null result "
                   "about another outcome in the next sentence is reported as a contradiction of this one")
def test_no_change_in_another_outcome_next_door_is_not_called_a_contradiction():
    source = "Cholesterol was measured in fifty adults over twelve weeks. Sleep quality did not change."
    finding = only("Reduced cholesterol.", source)
    assert finding.verdict == "unsupported"
    assert not [r for r in finding.reasons if r.family == "contradiction"]


def test_a_prefixed_rewrite_of_a_short_claim_is_checked_too():
    finding = only("Tea cures flu.", "Green tea cured flu in mice.")
    assert {"CA202", "CA301"} <= {r.code for r in finding.reasons}
    assert finding.suggestion.startswith("No rewrite offered") or "cures" not in finding.suggestion


def test_explain_refuses_an_empty_claim():
    result = CliRunner().invoke(main, ["explain", "--no-cache", "  ", "-e", KNEE_TRIAL])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


# --- 3. bounded work -----------------------------------------------------------------------------

def test_a_claim_given_by_hand_is_analysed_in_bounded_pieces():
    claim = "Curcumin lowers " + "no " * 1000 + "knee pain."
    try:
        statement, _, _ = judge_claim(claim, sources_from_text([KNEE_TRIAL]), RULES)
    except InputError:
        return  # refused with a clear error: bounded too
    assert len(statement.text) <= MAX_SENTENCE


# --- guards -----------------------------------------------------------------------------------------

PACK = f"""\
aliases:
  FlexiCur: [curcumin]
sources:
  - id: knee2021
    citation: "Example B. Turmeric for sore knees. J Example. 2021;3:4-9."
    summary: "{KNEE_TRIAL} Stiffness scores did not differ between the groups."
"""


@pytest.mark.parametrize("text", [
    "1 2 3 4 5 6 7 8 9 10.", "!!! ??? ... ;;; ,,, ((( ]]]", "\u0417\u0434\u043e\u0440\u043e\u0432\u044c\u0435 "
    "\u2014 \u0432\u0430\u0436\u043d\u043e. \u5065\u5eb7\u3002 \U0001F600",
    "FlexiCur\u200b lowers\u200b knee pain\u00a0by 30%.", "Curcumin " + "did not " * 700 + "lower pain.",
    "Pain fell with " + "with ".join(["curcumin "] * 700) + ".", "9" * 5000, "(" * 3000 + ")" * 3000,
])
def test_odd_copy_through_check_never_gives_a_traceback(tmp_path, text):
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "--text", text, "--sources", str(pack), "-f", "json"])
    assert not (result.exception and not isinstance(result.exception, SystemExit)), result.exception
    assert result.exit_code in {0, 1, 2}
    if result.exit_code == 2:
        assert len(result.output.strip().splitlines()) == 1
    else:
        json.loads(result.stdout)


def test_the_same_copy_gives_byte_identical_json_whatever_the_hash_seed(tmp_path):
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    copy = ("FlexiCur lowers knee pain by 50% in 3 days. Curcumin lowers knee stiffness. It is safe for everyone, "
            "and doctors recommend it. Unlike placebo, curcumin eased knee pain in adults.")
    outputs = []
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed, CLAIMAUDIT_CACHE_DIR=str(tmp_path / f"cache{seed}"))
        done = subprocess.run([sys.executable, "-m", "claimaudit", "check", "--text", copy, "--sources", str(pack),
                               "-f", "json"], capture_output=True, env=env, timeout=120, cwd=Path(tmp_path))
        assert done.returncode in {0, 1}, done.stderr
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["findings"]
