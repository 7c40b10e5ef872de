"""The bundled example's PDF leave-piece and Word draft: rebuilt from their words, and audited
with the places a reviewer holding them would look."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from claimaudit.api import audit
from claimaudit.ingest import load_document

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"


def _maker():
    spec = importlib.util.spec_from_file_location("make_examples", EXAMPLES / "make_examples.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name, make", [("leave-piece.pdf", "make_leave_piece"), ("draft.docx", "make_draft")])
def test_the_committed_example_reads_as_the_script_writes_it(tmp_path, name, make):
    # The text read, not the bytes: another fpdf2 or python-docx release may lay the file out differently.
    rebuilt = tmp_path / name
    getattr(_maker(), make)(rebuilt)
    assert load_document(rebuilt).text == load_document(EXAMPLES / name).text


@pytest.fixture(scope="module")
def findings():
    result = audit([EXAMPLES / "leave-piece.pdf", EXAMPLES / "draft.docx"], sources=EXAMPLES / "sources.yaml")
    data = json.loads(result.to_json())
    return {f["text"]: f for f in data["findings"]}, data


def _finding(findings, start):
    matches = [f for text, f in findings[0].items() if text.startswith(start)]
    assert len(matches) == 1, (start, list(findings[0]))
    return matches[0]


def test_a_claim_in_the_leave_piece_is_placed_on_its_page_and_line(findings):
    reverse = _finding(findings, "MSC infusions have been proven to reverse nerve damage")
    assert (reverse["page"], reverse["verdict"]) == (1, "unsupported")
    safe = _finding(findings, "Our stem cell infusions are completely safe")
    assert (safe["page"], safe["line"], safe["column"], safe["verdict"]) == (2, 3, 1, "unsupported")
    mice = _finding(findings, "In mice with an MS-like disease")
    assert mice["verdict"] == "supported" and mice["evidence"][0]["source"] == "hallstrom2022"


def test_the_leave_piece_running_header_and_page_numbers_are_listed_not_audited(findings):
    skipped = [(n["page"], n["text"], n["reason"]) for n in findings[1]["not_audited"]
               if n["document"].endswith("leave-piece.pdf")]
    assert (1, "Page 1 of 2", "page number") in skipped
    # The running header is audited where it is first printed (page 1) and listed where it repeats.
    assert {page for page, text, reason in skipped if reason.startswith("running header")} == {2}


def test_the_word_draft_is_read_as_its_tracked_changes_would_be_accepted(findings):
    headache = _finding(findings, "Mild headache was the most common side effect")
    assert headache["text"] == "Mild headache was the most common side effect, reported by 3 of 24 participants."
    assert headache["verdict"] == "supported" and "page" not in headache
    assert not any("half of all" in text for text in findings[0])
    approved = _finding(findings, "Our MSC treatment is FDA-approved")
    assert (approved["scope"], approved["verdict"]) == ("table", "unsupported")
    cure = _finding(findings, "Mesenchymal stem cells are a breakthrough cure")
    assert cure["verdict"] != "supported"
