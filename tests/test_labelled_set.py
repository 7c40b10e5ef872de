"""The engine on our own hand-labelled audits (tests/fixtures/labelled and examples/).

The floors sit a little below what the engine reaches, so they fail on a real
regression and not on noise: problem claims (overstated or unsupported) must be
found and flagged, supported claims must not be flagged, and no piece of page
furniture may turn into a finding.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ruamel.yaml import YAML

from claimaudit.api import audit

REPO = Path(__file__).resolve().parents[1]
FLAGGED = {"overstated", "unsupported"}
PROBLEM_RECALL_FLOOR = 0.85
PROBLEM_PRECISION_FLOOR = 0.93
FOUND_FLOOR = 0.98
EXACT_VERDICT_FLOOR = 0.75


def _cases() -> list[Path]:
    return sorted((REPO / "tests" / "fixtures" / "labelled").glob("*/gold.yaml")) + [REPO / "examples" / "expected.yaml"]


@pytest.fixture(scope="module")
def judged():
    yaml = YAML(typ="safe", pure=True)
    rows, furniture = [], []
    for gold_path in _cases():
        gold = yaml.load(gold_path.read_text(encoding="utf-8"))
        folder = gold_path.parent
        findings = audit([str(folder / gold["page"])], str(folder / gold["sources"])).result.findings
        for item in gold.get("claims", []):
            needle = item["text"].lower()
            finding = next((f for f in findings if needle in f.text.lower() or f.text.lower() in needle), None)
            rows.append((folder.name, item, finding.verdict if finding else None))
        for text in gold.get("non_claims", []) or []:
            furniture.extend(f"{folder.name}: {text}" for f in findings if text.lower() in f.text.lower())
    return rows, furniture


def test_problem_claims_are_flagged(judged):
    rows, _ = judged
    problems = [(case, item, got) for case, item, got in rows if item["verdict"] in FLAGGED]
    missed = [f"{case}: {item['text']}" for case, item, got in problems if got not in FLAGGED]
    recall = 1 - len(missed) / len(problems)
    assert recall >= PROBLEM_RECALL_FLOOR, f"problem recall {recall:.3f}; missed:\n" + "\n".join(missed)


def test_supported_claims_are_not_flagged(judged):
    rows, _ = judged
    flagged = [(case, item, got) for case, item, got in rows if got in FLAGGED]
    wrong = [f"{case}: {item['text']} -> {got}" for case, item, got in flagged if item["verdict"] not in FLAGGED]
    precision = 1 - len(wrong) / max(len(flagged), 1)
    assert precision >= PROBLEM_PRECISION_FLOOR, f"problem precision {precision:.3f}; false flags:\n" + "\n".join(wrong)


def test_verdicts_match_the_labels(judged):
    rows, _ = judged
    exact = sum(got == item["verdict"] for _, item, got in rows) / len(rows)
    assert exact >= EXACT_VERDICT_FLOOR


def test_every_labelled_claim_is_found(judged):
    rows, _ = judged
    missing = [f"{case}: {item['text']}" for case, item, got in rows if got is None]
    assert 1 - len(missing) / len(rows) >= FOUND_FLOOR, "claims not found:\n" + "\n".join(missing)


def test_non_claims_stay_non_claims(judged):
    _, furniture = judged
    assert furniture == []
