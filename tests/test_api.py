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


@pytest.mark.parametrize("name", ["sitee/", "x", "drafts/landing", "ftp://clinic.example/ms"])
def test_a_string_that_names_no_file_is_an_error_never_a_page_of_one_word(name):
    with pytest.raises(InputError, match="no such file|only http"):
        audit(name, sources=PACK)


def test_an_unreadable_file_in_a_folder_is_an_error_naming_it(tmp_path):
    (tmp_path / "good.md").write_text("Zinc lozenges may shorten a cold by about one day.\n", encoding="utf-8")
    (tmp_path / "bad.md").write_bytes(b"\xff\xfe\x00\xd8\x00\xd8")
    (tmp_path / "leaflet.odt").write_bytes(b"PK\x03\x04")
    with pytest.raises(InputError, match="bad.md"):
        audit(tmp_path, sources=PACK)
    (tmp_path / "bad.md").unlink()
    result = audit(tmp_path, sources=PACK)
    assert [item.path for item in result.result.skipped] == [str(tmp_path / "leaflet.odt")]
    assert json.loads(result.to_json())["skipped"][0]["reason"] == "file type .odt is not read"


KNEE_PACK = {
    "aliases": {"FlexiCur": ["curcumin"]},
    "sources": [
        {
            "id": "tan2021",
            "citation": "Tan R, Ode L. Curcumin for sore knees. Joint Notes. 2021;4:1-8.",
            "summary": "In a randomised trial of 120 adults with knee osteoarthritis, curcumin reduced knee pain "
                       "more than placebo after 8 weeks. Stomach upset was rare.",
        }
    ],
}
KNEE_PAGE = """<html><head><title>FlexiCur for sore knees</title></head><body>
<header><p>FlexiCur eases knee pain in adults.</p></header>
<h1>FlexiCur reduces knee pain more than placebo</h1>
<p>In adults with knee osteoarthritis, FlexiCur reduced knee pain more than placebo.</p>
<p><img src="knee.png" alt="FlexiCur cures arthritis"></p>
<p>Order today for free delivery on orders over £40.</p>
<p>Is your knee sore?</p>
<footer><p>FlexiCur is the best-selling knee supplement in Britain.</p></footer>
</body></html>"""
FIRST_FINDING_COLUMNS = [
    "id", "document", "line", "column", "start", "end", "text", "verdict", "confidence",
    "claim_type", "section", "rules", "reasons", "evidence_source", "evidence", "similarity", "suggestion",
]


def test_findings_say_where_each_claim_stood_in_a_scope_column_after_the_others():
    frame = audit(KNEE_PAGE, sources=KNEE_PACK).findings
    assert list(frame.columns)[:len(FIRST_FINDING_COLUMNS) + 1] == [*FIRST_FINDING_COLUMNS, "scope"]
    # Where paged or fetched copy stood comes after: empty for a page given as text.
    assert list(frame.columns)[len(FIRST_FINDING_COLUMNS) + 1:] == [
        "page", "url", "fetched_at", "evidence_page", "fingerprint", "register_id", "library_id", "library_status"]
    # Every claim has the fingerprint its approvals follow; no register or library was given.
    assert frame["fingerprint"].str.fullmatch(r"[0-9a-f]{16}").all()
    assert (frame["register_id"] == "").all() and (frame["library_status"] == "").all()
    assert frame["page"].isna().all() and (frame["url"] == "").all()
    scopes = dict(zip(frame["text"], frame["scope"]))
    assert scopes["FlexiCur eases knee pain in adults."] == "header"
    assert scopes["FlexiCur reduces knee pain more than placebo"] == "heading"
    assert scopes["In adults with knee osteoarthritis, FlexiCur reduced knee pain more than placebo."] == "body"
    assert scopes["FlexiCur cures arthritis"] == "alt"
    assert scopes["FlexiCur is the best-selling knee supplement in Britain."] == "footer"


def test_not_audited_lists_what_was_read_but_skipped_with_why_as_the_json_does():
    result = audit(KNEE_PAGE, sources=KNEE_PACK)
    skipped = result.not_audited
    assert list(skipped.columns) == ["document", "text", "line", "reason", "scope"]
    reasons = dict(zip(skipped["text"], skipped["reason"]))
    assert "Is your knee sore?" in reasons and "question" in reasons["Is your knee sore?"]
    assert "Order today for free delivery on orders over £40." in reasons
    assert not set(reasons) & set(result.findings["text"])  # skipped text is not also a finding
    assert skipped.to_dict("records") == json.loads(result.to_json())["not_audited"]


def test_not_audited_is_an_empty_frame_with_its_columns_when_nothing_was_skipped():
    result = audit("Zinc lozenges may shorten a cold by about one day.", sources=PACK)
    assert result.not_audited.empty
    assert list(result.not_audited.columns) == ["document", "text", "line", "reason", "scope"]


def test_judge_claim_reads_a_product_name_through_aliases():
    from claimaudit.rules.examples import judge_claim
    from claimaudit.rules.loader import load_rules
    from claimaudit.ingest.sources import pack_from_data

    pack = pack_from_data(KNEE_PACK)
    rules = load_rules()
    claim = "FlexiCur reduced knee pain more than placebo in adults."
    _, _, without = judge_claim(claim, pack.sources, rules)
    assert "evidence.unrelated" in {r.rule for r in without}
    _, matches, reasons = judge_claim(claim, pack.sources, rules, aliases=pack.aliases)
    assert "curcumin reduced knee pain" in matches[0].sentence.text
    assert not reasons
