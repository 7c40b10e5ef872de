"""The Python API of the contract: audit() with paths or in-memory copy and sources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimaudit import audit
from claimaudit.errors import InputError

REPO = Path(__file__).resolve().parents[1]

PACK = {
    "sources": [
        {
            "id": "lind2022",
            "citation": "Lind M, Osei K. Zinc lozenges and colds. Respir Notes. 2022;8:1-9.",
            "summary": "In 90 adults with a cold, zinc lozenges may shorten symptoms by about one day. "
                       "Mild nausea was reported by 6 of 45 participants taking the lozenges.",
        }
    ]
}


def test_findings_are_a_dataframe_with_one_row_per_claim():
    result = audit([str(REPO / "examples" / "clinic-page.html")], sources=str(REPO / "examples" / "sources.yaml"))
    frame = result.findings
    assert len(frame) == result.summary["claims"] > 10
    assert {"id", "text", "verdict", "confidence", "rules", "evidence", "suggestion"} <= set(frame.columns)
    assert set(frame["verdict"]) <= {"supported", "overstated", "unsupported"}


def test_in_memory_copy_and_sources():
    copy = "Zinc lozenges cure colds overnight with no side effects.\n\nZinc lozenges may shorten a cold by about one day."
    result = audit(copy, sources=PACK)
    verdicts = dict(zip(result.findings["text"], result.findings["verdict"]))
    assert verdicts["Zinc lozenges may shorten a cold by about one day."] == "supported"
    assert verdicts["Zinc lozenges cure colds overnight with no side effects."] != "supported"


def test_renderers_write_files(tmp_path):
    result = audit("Zinc lozenges may shorten a cold by about one day.", sources=PACK)
    text = result.to_json(tmp_path / "a.json")
    assert json.loads(text) == json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    result.to_html(tmp_path / "a.html")
    result.to_excel(tmp_path / "a.xlsx")
    assert (tmp_path / "a.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")
    assert (tmp_path / "a.xlsx").read_bytes()[:2] == b"PK"


def test_a_missing_file_name_is_an_error_not_copy():
    with pytest.raises(InputError, match="not found"):
        audit("no-such-page.html", sources=PACK)


def test_a_bad_source_dict_names_the_field():
    with pytest.raises(InputError, match="summary"):
        audit("Zinc lozenges shorten colds.", sources={"sources": [{"id": "x"}]})


@pytest.mark.parametrize("name", ["sitee/", "x", "drafts/landing", "https://clinic.example/ms"])
def test_a_string_that_names_no_file_is_an_error_never_a_page_of_one_word(name):
    with pytest.raises(InputError, match="no such file|not read yet"):
        audit(name, sources=PACK)


def test_an_unreadable_file_in_a_folder_is_an_error_naming_it(tmp_path):
    (tmp_path / "good.md").write_text("Zinc lozenges may shorten a cold by about one day.\n", encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe\x00\xd8\x00\xd8")
    (tmp_path / "leaflet.pdf").write_bytes(b"%PDF-1.4\n")
    with pytest.raises(InputError, match="bad.md"):
        audit(tmp_path, sources=PACK)
    (tmp_path / "bad.md").unlink()
    result = audit(tmp_path, sources=PACK)
    assert [item.path for item in result.result.skipped] == [str(tmp_path / "leaflet.pdf")]
    assert json.loads(result.to_json())["skipped"][0]["reason"] == "file type .pdf is not read"
