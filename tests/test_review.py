"""The review round trip: a reviewer fills in the workbook, the next audit carries the decisions."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from importlib import resources
from pathlib import Path

import jsonschema
import openpyxl
import pandas as pd
import pytest
from click.testing import CliRunner

from claimaudit import audit
from claimaudit.verdicts.baseline import read_baseline
from claimaudit.cli import main
from claimaudit.errors import InputError
from claimaudit.verdicts.gate import BASELINED, evaluate_gate
from claimaudit.verdicts.ids import claim_id
from claimaudit.report import render_claims_csv, render_html, render_json, write_xlsx
from claimaudit.verdicts.review import (
    apply_review,
    baseline_entries,
    read_review,
    render_summary,
    summarise,
)

CURE = "Our cell infusions cure multiple sclerosis in every patient."
MICE = "In mice, stem cells lowered inflammation by 30% after two weeks."
FDA = "Our treatment has been approved by the FDA for multiple sclerosis."
WALK = "Patients with multiple sclerosis walked 20% further after two infusions."
WALK_REWORDED = "Patients with multiple sclerosis walked 20% further after just two infusions."
NEW_CLAIM = "Our infusions stop relapses of multiple sclerosis for good."

SOURCES = """\
sources:
  - id: mice2020
    citation: "Alder B, Quist N. Stem cells in a mouse model of inflammation. Example J. 2020;1:1-9."
    doi: 10.5555/example.2020.1
    pmid: "10000001"
    summary: >
      In a study of mice, stem cells lowered inflammation by 30% two weeks after a single injection.
  - id: walk2022
    citation: "Moss C, et al. Walking after cell infusions in multiple sclerosis: a pilot study. Example J. 2022;3:10-19."
    doi: 10.5555/example.2022.3
    summary: >
      In a pilot study of 18 people with multiple sclerosis, walking distance improved by 8% after two
      infusions. There was no control group.
"""


def page_text(*claims: str) -> str:
    body = "\n\n".join(claims)
    return f"# Cell therapy at our clinic\n\n{body}\n\nOur nurses are friendly and the clinic has free parking.\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy deck and its sources in a folder the tests run from (paths stay relative)."""
    monkeypatch.chdir(tmp_path)
    Path("page.md").write_text(page_text(CURE, MICE, FDA, WALK), encoding="utf-8")
    Path("sources.yaml").write_text(SOURCES, encoding="utf-8")
    return tmp_path


def run_audit():
    return audit(["page.md"], sources="sources.yaml").result


def header_columns(ws) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[1]}


def row_of(ws, claim: str) -> int:
    columns = header_columns(ws)
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=columns["Claim"]).value == claim:
            return row
    raise AssertionError(f"no row for {claim!r}")


def fill_in(source: Path, target: Path, decisions: dict[str, dict]) -> Path:
    """Play the reviewer: write decisions (by claim text) into the Claims sheet and save."""
    book = openpyxl.load_workbook(source)
    ws = book["Claims"]
    columns = header_columns(ws)
    for claim, values in decisions.items():
        row = row_of(ws, claim)
        for name, value in values.items():
            cell = ws.cell(row=row, column=columns[name])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # what Excel stores for typed text, even text starting with "="
    book.save(target)
    return target


@pytest.fixture
def reviewed(project):
    """The first audit's workbook with three decisions filled in."""
    write_xlsx(run_audit(), "audit.xlsx")
    return fill_in(Path("audit.xlsx"), Path("reviewed.xlsx"), {
        CURE: {"Decision": "Reject", "Comment": "Cannot say cure.", "Reviewer": "Ann Lee",
               "Date": dt.date(2025, 3, 1)},
        FDA: {"Decision": "Needs source", "Reviewer": "Bo Chen", "Date": dt.date(2025, 3, 2)},
        WALK: {"Decision": "Approve with change", "Comment": "Use the 8% figure.", "Reviewer": "Ann Lee",
               "Date": dt.date(2025, 3, 1)},
    })


def by_text(result, text):
    return next(f for f in result.findings if f.text == text)


# --------------------------------------------------------------------------- carrying decisions


def test_decisions_follow_the_same_claims_into_the_next_audit(reviewed):
    result = apply_review(run_audit(), read_review(reviewed))

    cure = by_text(result, CURE)
    assert cure.review["status"] == "carried"
    assert (cure.review["decision"], cure.review["comment"], cure.review["reviewer"], cure.review["date"]) == (
        "Reject", "Cannot say cure.", "Ann Lee", "2025-03-01")
    assert by_text(result, FDA).review["decision"] == "Needs source"
    assert by_text(result, WALK).review["comment"] == "Use the 8% figure."
    # A claim nobody decided on, and that did not change, carries nothing.
    assert by_text(result, MICE).review["status"] == "" and by_text(result, MICE).review["decision"] == ""
    assert result.review["gone"] == []


def test_whitespace_and_case_edits_keep_the_decision(reviewed):
    Path("page.md").write_text(page_text(CURE.replace("multiple sclerosis", "Multiple Sclerosis"), MICE, FDA, WALK.replace(" ", "  ")), encoding="utf-8")
    result = apply_review(run_audit(), read_review(reviewed))
    statuses = {f.id: f.review["status"] for f in result.findings}
    assert statuses[claim_id("page.md", CURE)] == "carried"
    # The same claim: "Approve with change" still waits for the change (spacing is no change).
    assert statuses[claim_id("page.md", WALK)] == "change-required"


def test_auditing_from_another_folder_still_finds_the_reviewed_claims(reviewed, monkeypatch):
    folder = Path.cwd()
    monkeypatch.chdir(folder.parent)
    result = audit([f"{folder.name}/page.md"], sources=f"{folder.name}/sources.yaml").result
    apply_review(result, read_review(folder / reviewed))
    cure = by_text(result, CURE)
    assert cure.id != claim_id("page.md", CURE)
    assert cure.review["status"] == "carried" and cure.review["reviewer"] == "Ann Lee"
    assert result.review["gone"] == []


def test_the_next_workbook_shows_the_decisions_prefilled_and_still_editable(reviewed, tmp_path):
    result = apply_review(run_audit(), read_review(reviewed))
    write_xlsx(result, "audit2.xlsx")
    ws = openpyxl.load_workbook("audit2.xlsx")["Claims"]
    columns = header_columns(ws)
    headers = list(columns)
    assert headers.index("Review status") < headers.index("Review note") < headers.index("Decision")
    row = row_of(ws, CURE)
    assert ws.cell(row=row, column=columns["Decision"]).value == "Reject"
    assert ws.cell(row=row, column=columns["Reviewer"]).value == "Ann Lee"
    assert ws.cell(row=row, column=columns["Date"]).value == dt.datetime(2025, 3, 1)
    assert ws.cell(row=row, column=columns["Review status"]).value == "carried"
    for name in ("Decision", "Comment", "Reviewer", "Date"):
        assert ws.cell(row=row, column=columns[name]).protection.locked is False, name
    for name in ("Claim", "Verdict", "Review status", "Review note"):
        assert ws.cell(row=row, column=columns[name]).protection.locked is True, name
    # The dropdown moved with the Decision column.
    (validation,) = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    letter = openpyxl.utils.get_column_letter(columns["Decision"])
    assert str(validation.sqref) == f"{letter}2:{letter}{ws.max_row}"
    # pandas sees the same register.
    frame = pd.read_excel("audit2.xlsx", sheet_name="Claims")
    assert frame.set_index("Claim").loc[WALK, "Decision"] == "Approve with change"


def test_reviewer_text_that_looks_like_a_formula_stays_text(project):
    write_xlsx(run_audit(), "audit.xlsx")
    fill_in(Path("audit.xlsx"), Path("reviewed.xlsx"), {
        CURE: {"Decision": "Reject", "Comment": "=HYPERLINK(\"http://x.example\")", "Reviewer": "+Ann"},
    })
    result = apply_review(run_audit(), read_review("reviewed.xlsx"))
    write_xlsx(result, "audit2.xlsx")
    ws = openpyxl.load_workbook("audit2.xlsx")["Claims"]
    columns = header_columns(ws)
    comment = ws.cell(row=row_of(ws, CURE), column=columns["Comment"])
    reviewer = ws.cell(row=row_of(ws, CURE), column=columns["Reviewer"])
    assert (comment.value, comment.data_type) == ("=HYPERLINK(\"http://x.example\")", "s")
    assert (reviewer.value, reviewer.data_type) == ("+Ann", "s")


def test_reworded_claim_keeps_its_decision_marked_changed(reviewed):
    assert claim_id("page.md", WALK) != claim_id("page.md", WALK_REWORDED)
    Path("page.md").write_text(page_text(CURE, MICE, FDA, WALK_REWORDED), encoding="utf-8")
    result = apply_review(run_audit(), read_review(reviewed))
    walk = by_text(result, WALK_REWORDED)
    assert walk.review["status"] == "changed"
    assert walk.review["decision"] == "Approve with change"
    assert walk.review["comment"] == "Use the 8% figure."
    assert walk.review["previous_id"] == claim_id("page.md", WALK)
    # The decision was made on other wording: it waits for a reviewer to sign again.
    assert walk.review["reviewer"] == "" and walk.review["date"] == ""
    assert WALK in walk.review["note"] and "Ann Lee" in walk.review["note"]
    assert result.review["gone"] == []


def test_changed_verdict_is_carried_but_flagged_for_re_review(reviewed):
    # The reviewer saw FDA as "overstated"; the new audit says otherwise.
    book = openpyxl.load_workbook(reviewed)
    ws = book["Claims"]
    ws.cell(row=row_of(ws, FDA), column=header_columns(ws)["Verdict"]).value = "overstated"
    book.save(reviewed)
    result = apply_review(run_audit(), read_review(reviewed))
    fda = by_text(result, FDA)
    assert fda.verdict != "overstated"
    assert fda.review["status"] == "re-review"
    assert fda.review["decision"] == "Needs source"
    assert fda.review["previous_verdict"] == "overstated"
    assert "overstated" in fda.review["note"] and "Bo Chen" in fda.review["note"]


def test_new_claims_are_marked_and_removed_ones_are_listed_as_gone(reviewed):
    Path("page.md").write_text(page_text(CURE, MICE, WALK, NEW_CLAIM), encoding="utf-8")
    result = apply_review(run_audit(), read_review(reviewed))
    assert by_text(result, NEW_CLAIM).review["status"] == "new"
    (gone,) = result.review["gone"]
    assert (gone["claim"], gone["decision"], gone["reviewer"]) == (FDA, "Needs source", "Bo Chen")

    data = json.loads(render_json(result))
    assert data["review"]["gone"][0]["id"] == claim_id("page.md", FDA)
    assert data["review"]["counts"] == {"carried": 1, "changed": 0, "re-review": 0, "change-required": 1,
                                        "new": 1, "gone": 1}
    schema = json.loads(resources.files("claimaudit.report").joinpath("schema/audit.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)

    write_xlsx(result, "audit2.xlsx")
    book = openpyxl.load_workbook("audit2.xlsx")
    assert book.sheetnames[-2:] == ["Gone", "Audit trail"]
    gone_rows = list(book["Gone"].iter_rows(min_row=2, values_only=True))
    assert [(r[3], r[5]) for r in gone_rows] == [(FDA, "Needs source")]

    html = render_html(result)
    assert 'id="gone"' in html and FDA in html.split('id="gone"', 1)[1]

    register = {row["Claim"]: row for row in csv.DictReader(io.StringIO(render_claims_csv(result).decode("utf-8-sig")))}
    assert (register[CURE]["Decision"], register[CURE]["Reviewer"]) == ("Reject", "Ann Lee")


def test_a_plain_audit_has_no_review_fields(project):
    result = run_audit()
    data = json.loads(render_json(result))
    assert "review" not in data and all("review" not in f for f in data["findings"])
    write_xlsx(result, "audit.xlsx")
    book = openpyxl.load_workbook("audit.xlsx")
    assert "Gone" not in book.sheetnames
    assert "Review status" not in header_columns(book["Claims"])


# --------------------------------------------------------------------------- reading workbooks


def test_columns_are_found_by_header_name_in_any_order(tmp_path):
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Claims"
    ws.append(["Comment", "Our notes", "decision", "Claim", " ID ", "Reviewer", "Date", "Verdict"])
    ws.append(["Fine as is", "x", "approve", "A claim.", "abc123", "Cy Dee", dt.datetime(2025, 4, 5), "overstated"])
    ws.append([None, None, None, "Another claim.", "def456", None, None, "supported"])
    book.save(tmp_path / "mine.xlsx")
    rows = read_review(tmp_path / "mine.xlsx").rows
    assert [(r.id, r.decision, r.comment, r.reviewer, r.date, r.verdict) for r in rows] == [
        ("abc123", "Approve", "Fine as is", "Cy Dee", "2025-04-05", "overstated"),
        ("def456", "", "", "", "", "supported"),
    ]


def test_a_workbook_that_is_not_a_claimaudit_workbook_is_refused_by_name(tmp_path):
    book = openpyxl.Workbook()
    book.active.append(["Name", "Amount"])
    book.save(tmp_path / "budget.xlsx")
    with pytest.raises(InputError) as error:
        read_review(tmp_path / "budget.xlsx")
    assert "budget.xlsx" in str(error.value) and "Claims" in str(error.value)

    book = openpyxl.Workbook()
    book.active.title = "Claims"
    book.active.append(["ID", "Claim", "Verdict"])
    book.save(tmp_path / "no-decisions.xlsx")
    with pytest.raises(InputError, match=r"no-decisions\.xlsx:1: .*no Decision column"):
        read_review(tmp_path / "no-decisions.xlsx")


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    (tmp_path / "notes.xlsx").write_text("just some notes", encoding="utf-8")
    with pytest.raises(InputError, match=r"notes\.xlsx: not an Excel workbook"):
        read_review(tmp_path / "notes.xlsx")
    with pytest.raises(InputError, match=r"missing\.xlsx: reviewed workbook not found"):
        read_review(tmp_path / "missing.xlsx")


def test_a_decision_outside_the_list_names_its_cell(reviewed):
    book = openpyxl.load_workbook(reviewed)
    ws = book["Claims"]
    row = row_of(ws, MICE)
    column = header_columns(ws)["Decision"]
    ws.cell(row=row, column=column).value = "Looks good"
    book.save(reviewed)
    with pytest.raises(InputError) as error:
        read_review(reviewed)
    message = str(error.value)
    cell = f"{openpyxl.utils.get_column_letter(column)}{row}"
    assert f'reviewed.xlsx: Claims!{cell}: unknown decision "Looks good"' in message
    assert "Approve with change" in message


def test_a_row_reviewed_twice_is_refused(reviewed):
    book = openpyxl.load_workbook(reviewed)
    ws = book["Claims"]
    ws.append([c.value for c in ws[row_of(ws, CURE)]])
    book.save(reviewed)
    with pytest.raises(InputError, match="is on rows"):
        read_review(reviewed)


# --------------------------------------------------------------------------- summary and baseline


def test_summary_says_who_approved_what_and_what_is_open(reviewed):
    text = render_summary(summarise(read_review(reviewed)))
    assert "Approve with change (Ann Lee 2025-03-01)" in text
    assert "Reject (Ann Lee 2025-03-01)" in text
    assert "Needs source (Bo Chen 2025-03-02)" in text
    open_part = text.split("Still open", 1)[1]
    assert MICE[:40] in open_part and CURE[:40] not in open_part
    assert "Ann Lee: 1 approve with change, 1 reject" in text


def test_review_commands_on_the_command_line(reviewed):
    runner = CliRunner()
    summary = runner.invoke(main, ["review", "summary", str(reviewed)])
    assert summary.exit_code == 0, summary.output
    assert "Bo Chen" in summary.output and "Still open" in summary.output
    as_json = runner.invoke(main, ["review", "summary", str(reviewed), "--format", "json"])
    data = json.loads(as_json.output)
    assert data["decisions"]["Approve with change"] == 1 and data["open"] == 1

    # "Approve with change" asks for a change: nothing is approved as it reads yet.
    written = runner.invoke(main, ["review", "baseline", str(reviewed), "--out", "baseline.json"])
    assert written.exit_code == 0, written.output
    assert read_baseline("baseline.json").entries == []
    assert "1 claim(s) approved with change are not in the baseline" in written.stderr

    fill_in(Path(reviewed), Path(reviewed), {CURE: {"Decision": "Approve", "Date": dt.date(2025, 3, 3)}})
    written = runner.invoke(main, ["review", "baseline", str(reviewed), "--out", "baseline.json"])
    entries = read_baseline("baseline.json").entries
    assert {e.claim for e in entries} == {claim_id("page.md", CURE)}
    for entry in entries:
        assert entry.extra["reviewer"] == "Ann Lee" and entry.extra["date"] == "2025-03-03"

    bad = runner.invoke(main, ["review", "summary", "missing.xlsx"])
    assert bad.exit_code == 2 and "missing.xlsx" in bad.output and "Traceback" not in bad.output


def test_approved_claims_no_longer_fail_the_check_with_the_review_baseline(reviewed):
    book = openpyxl.load_workbook(reviewed)
    ws = book["Claims"]
    ws.cell(row=row_of(ws, CURE), column=header_columns(ws)["Decision"]).value = "Approve"
    book.save(reviewed)
    CliRunner().invoke(main, ["review", "baseline", str(reviewed), "--out", "baseline.json"])

    report = evaluate_gate(run_audit(), baseline=read_baseline("baseline.json"))
    state = {}
    for item in report.items:
        state.setdefault(item.text, set()).add(item.state)
    assert state[CURE] == {BASELINED}
    assert BASELINED not in state[WALK]  # "Approve with change": the copy must change first
    assert BASELINED not in state[FDA]  # "Needs source" is not an approval
    assert report.failed


def test_a_decision_carried_onto_a_changed_claim_counts_only_once_confirmed(reviewed):
    Path("page.md").write_text(page_text(CURE, MICE, FDA, WALK_REWORDED), encoding="utf-8")
    write_xlsx(apply_review(run_audit(), read_review(reviewed)), "audit2.xlsx")

    second = read_review("audit2.xlsx")
    walk = next(r for r in second.rows if r.claim == WALK_REWORDED)
    assert walk.status == "changed" and walk.decision == "Approve with change"
    assert walk.awaiting_confirmation and not walk.approved
    assert baseline_entries(second, "baseline.json") == []
    assert [r.claim for r in summarise(second).to_confirm] == [WALK_REWORDED]

    # Auditing again before anyone confirmed keeps asking.
    third = apply_review(run_audit(), second)
    assert by_text(third, WALK_REWORDED).review["status"] == "changed"

    # Signing the carried "Approve with change" asks for a change again: the new wording is not approved.
    fill_in(Path("audit2.xlsx"), Path("audit2.xlsx"), {WALK_REWORDED: {"Reviewer": "Ann Lee",
                                                                       "Date": dt.date(2025, 3, 4)}})
    signed = read_review("audit2.xlsx")
    assert baseline_entries(signed, "baseline.json") == []
    assert by_text(apply_review(run_audit(), signed), WALK_REWORDED).review["status"] == "change-required"

    # The reviewer approves the new wording, signed and dated: now it is an approval.
    fill_in(Path("audit2.xlsx"), Path("audit2.xlsx"), {WALK_REWORDED: {"Decision": "Approve"}})
    confirmed = read_review("audit2.xlsx")
    assert [e.claim for e in baseline_entries(confirmed, "baseline.json")] == [claim_id("page.md", WALK_REWORDED)]
    after = apply_review(run_audit(), confirmed)
    assert by_text(after, WALK_REWORDED).review["status"] == "carried"


def test_audit_command_carries_the_review(reviewed):
    Path("page.md").write_text(page_text(CURE, MICE, WALK, NEW_CLAIM), encoding="utf-8")
    outcome = CliRunner().invoke(main, ["audit", "page.md", "--sources", "sources.yaml", "--out", "out",
                                        "--review", str(reviewed)])
    assert outcome.exit_code == 0, outcome.output
    assert "review from reviewed.xlsx: 1 carried" in outcome.output and "1 gone" in outcome.output
    assert "1 approved with change but not changed (change-required)" in outcome.output
    data = json.loads(Path("out/audit.json").read_text(encoding="utf-8"))
    decisions = {f["text"]: f["review"]["decision"] for f in data["findings"]}
    assert decisions[CURE] == "Reject" and decisions[NEW_CLAIM] == ""
    assert "Gone" in openpyxl.load_workbook("out/audit.xlsx").sheetnames

    broken = Path("broken.xlsx")
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    failed = CliRunner().invoke(main, ["audit", "page.md", "--sources", "sources.yaml", "--out", "out2",
                                       "--review", str(broken)])
    assert failed.exit_code == 2
    assert "broken.xlsx" in failed.output and "Traceback" not in failed.output
    assert not Path("out2").exists()  # refused before auditing anything
