"""The claim-strength benchmark's scoring, checked on hand-made labels (no shared data needed)."""

import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "strength.py"
_SPEC = importlib.util.spec_from_file_location("strength_benchmark", _PATH)
benchmark = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(benchmark)


def test_perfect_predictions_score_one():
    result = benchmark.scores([0, 1, 2, 3, 3], [0, 1, 2, 3, 3])
    assert result["macro_f1"] == pytest.approx(1.0)
    assert result["accuracy"] == pytest.approx(1.0)


def test_macro_f1_averages_the_four_classes():
    gold = [0, 0, 1, 1, 2, 2, 3, 3]
    predicted = [0, 1, 1, 1, 2, 3, 3, 3]
    result = benchmark.scores(gold, predicted)
    # class 0: P 1, R .5; class 1: P 2/3, R 1; class 2: P 1, R .5; class 3: P 2/3, R 1
    expected = (2 / 3 + 0.8 + 2 / 3 + 0.8) / 4
    assert result["macro_f1"] == pytest.approx(expected)
    assert result["confusion"][0][1] == 1
    assert result["confusion"][2][3] == 1


def test_a_class_never_predicted_scores_zero_without_error():
    result = benchmark.scores([0, 1, 2, 3], [0, 0, 0, 0])
    assert result["per_class"][3]["f1"] == 0.0
    assert result["per_class"][0]["recall"] == 1.0


def test_labelled_file_is_read_and_scored(tmp_path):
    data = tmp_path / "annotated_pubmed.csv"
    data.write_text(
        "sentence,label\n"
        '"Daily walking lowers blood pressure.",3\n'
        '"Poor sleep was associated with weight gain.",1\n'
        '"Forty adults took part.",0\n',
        encoding="utf-8",
    )
    results = benchmark.evaluate_yu(tmp_path)
    assert set(results) == {"annotated_pubmed"}
    assert results["annotated_pubmed"]["sentences"] == 3
    assert results["annotated_pubmed"]["accuracy"] == pytest.approx(1.0)


def test_wright_pairs_are_scored_on_both_sides(tmp_path):
    pairs = tmp_path / "pairs.jsonl"
    pairs.write_text(
        '{"press_release_conclusion": "Nightly stretching cures back pain.", "press_release_strength": 3,'
        ' "abstract_conclusion": "Stretching was associated with less back pain.", "abstract_strength": 1}\n'
        '{"press_release_conclusion": "Forty adults took part.", "press_release_strength": 0,'
        ' "abstract_conclusion": "Stretching may ease back pain.", "abstract_strength": 2}\n',
        encoding="utf-8",
    )
    result = benchmark.evaluate_wright(pairs)
    assert result["sentences"] == 4
    assert result["accuracy"] == pytest.approx(1.0)
    assert set(result["sides"]) == {"press_release", "abstract"}


def test_a_multi_sentence_conclusion_takes_its_strongest_claim():
    assert benchmark.text_strength("Forty adults took part. Stretching cures back pain.") == 3
