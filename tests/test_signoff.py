"""Sign-off that holds: a decision counts only with a name and a real date, "Approve with change"
approves nothing until the copy changes, approvals follow the claim's fingerprint across renamed
pages, sign-off roles each decide in their own columns, and an audit trail records what each
decision was made on.

Every workbook here is written by claimaudit and filled in with openpyxl as a reviewer would.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from openpyxl.utils import get_column_letter

from claimaudit import audit
from claimaudit.cli import main
from claimaudit.report import render_html, render_json, write_xlsx
from claimaudit.verdicts.baseline import read_baseline
from claimaudit.verdicts.review import apply_review, baseline_entries, match_decision, read_review
from claimaudit.verdicts.signoff import pack_sha256, review_date

SOURCES = """\
sources:
  - id: sleep2021
    citation: "Rowan P, Ilves K. A herbal tablet for insomnia: a randomised trial. Example Sleep J. 2021;4:20-28."
    summary: >
      In a randomised trial of 120 adults with insomnia, the herbal tablet shortened the time to fall
      asleep by 12 minutes compared with placebo over four weeks.
  - id: knee2019
    citation: "Faber L, et al. A supplement for knee pain: an open-label study. Example Joint J. 2019;7:1-8."
    summary: >
      In an open-label study of 40 adults with knee pain, pain scores fell by 15% after eight weeks
      of the supplement. There was no control group.
"""

CURES = "Our herbal tablet cures insomnia in everyone."
HALF = "Adults with knee pain reported 50% less pain after eight weeks of our supplement."
HALF_REWORDED = "Adults with knee pain reported 15% less pain after eight weeks of our supplement."
ENDS = "Our supplement ends knee pain for good."
FASTER = "In a trial, adults with insomnia fell asleep 12 minutes faster with our herbal tablet than with placebo."
SIGNED = dt.date(2025, 3, 1)


def page_text(*claims: str) -> str:
    return "# Rest and joints\n\n" + "\n\n".join(claims) + "\n\nVisit our shop on the high street.\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A page and its sources in a folder the tests run from (paths stay relative)."""
    monkeypatch.chdir(tmp_path)
    Path("page.md").write_text(page_text(CURES, HALF, ENDS, FASTER), encoding="utf-8")
    Path("sources.yaml").write_text(SOURCES, encoding="utf-8")
    return tmp_path


def run(*args: str):
    return CliRunner().invoke(main, [str(a) for a in args])


def first_workbook(out: str = "first", *extra: str) -> Path:
    outcome = run("audit", "page.md", "-s", "sources.yaml", "-o", out, "-f", "xlsx,json", *extra)
    assert outcome.exit_code == 0, outcome.output
    return Path(out) / "audit.xlsx"


def headers(ws) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[1]}


def row_of(ws, claim: str) -> int:
    column = headers(ws)["Claim"]
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=column).value == claim:
            return row
    raise AssertionError(f"no row for {claim!r}")


def fill(source: Path, target: Path, decisions: dict[str, dict[str, object]]) -> Path:
    """Play the reviewer: write cells (by claim text and column header) and save."""
    book = openpyxl.load_workbook(source)
    ws = book["Claims"]
    columns = headers(ws)
    for claim, values in decisions.items():
        row = row_of(ws, claim)
        for name, value in values.items():
            cell = ws.cell(row=row, column=columns[name])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"
    book.save(target)
    return target


def cell_of(workbook: Path, claim: str, header: str) -> str:
    ws = openpyxl.load_workbook(workbook)["Claims"]
    return f"{get_column_letter(headers(ws)[header])}{row_of(ws, claim)}"


def signed(decision: str, reviewer: str = "Ann Lee", date: object = SIGNED) -> dict[str, object]:
    return {"Decision": decision, "Reviewer": reviewer, "Date": date}


def check_states(*args: str) -> dict[str, set[str]]:
    outcome = run("check", *args, "-f", "json")
    assert outcome.exit_code in (0, 1), outcome.output
    data = json.loads(outcome.stdout)
    text_of = {finding["id"]: finding["text"] for finding in data["findings"]}
    states: dict[str, set[str]] = {}
    for item in data["check"]["items"]:
        states.setdefault(text_of[item["id"]], set()).add(item["state"])
    return states


# --------------------------------------------------------------------------- validating decisions


@pytest.mark.parametrize(("typed", "decision"), [
    ("approve", "Approve"), ("  APPROVE  ", "Approve"), ("approve with  change", "Approve with change"),
    ("Approve\twith change", "Approve with change"), ("reject", "Reject"), ("needs   SOURCE", "Needs source"),
])
def test_a_decision_is_read_forgiving_case_and_spacing(typed, decision):
    assert match_decision(typed) == (decision, "")


def test_a_decision_that_is_no_decision_is_exit_2_naming_the_workbook_sheet_and_cell(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {CURES: signed("aprove"), ENDS: signed("ok by me")})
    cell = cell_of(Path("reviewed.xlsx"), CURES, "Decision")
    other = cell_of(Path("reviewed.xlsx"), ENDS, "Decision")
    for command in (["review", "summary", "reviewed.xlsx"], ["review", "baseline", "reviewed.xlsx"],
                    ["audit", "page.md", "-s", "sources.yaml", "-o", "second", "--review", "reviewed.xlsx"]):
        outcome = run(*command)
        assert outcome.exit_code == 2, outcome.output
        lines = outcome.stderr.strip().splitlines()
        assert lines == [f'claimaudit: error: reviewed.xlsx: Claims!{cell}: unknown decision "aprove"; use one of: '
                         f'Approve, Approve with change, Reject, Needs source (and 1 more: {other})'], lines
        assert "Traceback" not in outcome.output
    assert not Path("second").exists()  # refused before auditing anything
    assert not Path(".claimaudit-baseline.json").exists()


TODAY = dt.date(2025, 6, 1)


@pytest.mark.parametrize(("typed", "read"), [
    (dt.datetime(2025, 3, 1, 0, 0), "2025-03-01"),
    (dt.date(2025, 3, 1), "2025-03-01"),
    ("2025-03-01", "2025-03-01"),
    ("2025-3-1", "2025-03-01"),
    ("1 Mar 2025", "2025-03-01"),
    ("1st March 2025", "2025-03-01"),
    ("March 1, 2025", "2025-03-01"),
    ("Mar. 1 2025", "2025-03-01"),
    ("1-Mar-2025", "2025-03-01"),
    ("2025-06-02", "2025-06-02"),  # a reviewer a time zone ahead may already be on tomorrow
])
def test_a_real_date_is_read_as_one(typed, read):
    assert review_date(typed, today=TODAY) == (read, "")


@pytest.mark.parametrize(("typed", "why"), [
    (None, "without a date"),
    ("", "without a date"),
    ("30/11/2024", "reads differently in different countries"),
    ("03/01/2025", "reads differently in different countries"),
    ("next week", 'with "next week" for a date'),
    ("2025-02-30", "no day of the calendar"),
    ("31 Feb 2025", "no day of the calendar"),
    ("2030-01-01", "dated in the future (2030-01-01)"),
    (dt.date(2026, 1, 1), "dated in the future (2026-01-01)"),
    (dt.datetime(1899, 12, 30), "which is no review date"),
    (45000, "which is no date"),
    ("Smarch 3, 2025", 'for a date'),
])
def test_anything_else_in_a_date_cell_is_no_date(typed, why):
    _, problem = review_date(typed, today=TODAY)
    assert why in problem


def test_a_decision_without_a_name_or_a_valid_date_does_not_count(project):
    workbook = first_workbook()
    future = dt.date.today() + dt.timedelta(days=30)
    fill(workbook, Path("reviewed.xlsx"), {
        CURES: {"Decision": "Approve", "Date": SIGNED},  # nobody named
        HALF: signed("Approve", date="next week"),
        ENDS: signed("Approve", date=future),
        FASTER: signed("Approve", reviewer="  "),
    })
    cells = {claim: cell_of(Path("reviewed.xlsx"), claim, "Decision") for claim in (CURES, HALF, ENDS, FASTER)}
    reviewed = read_review("reviewed.xlsx")
    assert not any(row.approved for row in reviewed.rows)
    assert baseline_entries(reviewed, "baseline.json") == []

    summary = run("review", "summary", "reviewed.xlsx")
    assert summary.exit_code == 0, summary.output
    assert f"{cells[CURES]}: Approve without a reviewer name" in summary.output
    assert f'{cells[HALF]}: Approve with "next week" for a date' in summary.output
    assert f"{cells[ENDS]}: Approve dated in the future ({future.isoformat()})" in summary.output
    assert f"{cells[FASTER]}: Approve without a reviewer name" in summary.output
    assert "Approve:                0" in summary.output
    as_json = json.loads(run("review", "summary", "reviewed.xlsx", "-f", "json").output)
    assert as_json["decisions"]["Approve"] == 0 and len(as_json["not_counted"]) == 4

    written = run("review", "baseline", "reviewed.xlsx", "--out", "baseline.json")
    assert written.exit_code == 0, written.output
    assert "wrote baseline.json: 0 entries for 0 approved claim(s)" in written.stdout
    assert f"{cells[CURES]}: Approve without a reviewer name" in written.stderr
    assert read_baseline("baseline.json").entries == []
    # The gate still fails on every one of them.
    states = check_states("page.md", "-s", "sources.yaml", "--baseline", "baseline.json")
    assert all("baselined" not in states[claim] for claim in (CURES, HALF, ENDS, FASTER))
    assert "failing" in states[CURES]

    # The next audit carries them, says they do not count and lists each with its cell.
    outcome = run("audit", "page.md", "-s", "sources.yaml", "-o", "second", "--review", "reviewed.xlsx")
    assert outcome.exit_code == 0, outcome.output
    assert "4 decision(s) in reviewed.xlsx do not count" in outcome.output
    assert f"{cells[CURES]}: Approve without a reviewer name" in outcome.output
    data = json.loads(Path("second/audit.json").read_text(encoding="utf-8"))
    cures = next(f for f in data["findings"] if f["text"] == CURES)
    assert cures["review"]["decision"] == "Approve"
    assert "Not counted in reviewed.xlsx" in cures["review"]["note"]


def test_a_named_and_dated_approval_counts(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {CURES: signed("approve", date="1 March 2025")})
    (row,) = [r for r in read_review("reviewed.xlsx").rows if r.approved]
    assert (row.claim, row.decision, row.approved_by, row.approved_on) == (CURES, "Approve", "Ann Lee", "2025-03-01")
    run("review", "baseline", "reviewed.xlsx", "--out", "baseline.json")
    states = check_states("page.md", "-s", "sources.yaml", "--baseline", "baseline.json")
    assert states[CURES] == {"baselined"} and "failing" in states[ENDS]


# --------------------------------------------------------------------------- Approve with change


def test_approve_with_change_is_never_baselined_and_unchanged_copy_is_change_required(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {HALF: {**signed("Approve with change"), "Comment": "Say 15%."}})
    written = run("review", "baseline", "reviewed.xlsx", "--out", "baseline.json")
    assert read_baseline("baseline.json").entries == []
    assert "1 claim(s) approved with change are not in the baseline" in written.stderr
    assert "failing" in check_states("page.md", "-s", "sources.yaml", "--baseline", "baseline.json")[HALF]

    # Audited again with the copy unchanged: the change is still required, and nothing approves it.
    outcome = run("audit", "page.md", "-s", "sources.yaml", "-o", "second", "--review", "reviewed.xlsx")
    assert outcome.exit_code == 0, outcome.output
    assert "1 approved with change but not changed (change-required)" in outcome.output
    data = json.loads(Path("second/audit.json").read_text(encoding="utf-8"))
    half = next(f for f in data["findings"] if f["text"] == HALF)
    assert half["review"]["status"] == "change-required"
    assert half["review"]["decision"] == "Approve with change" and half["review"]["reviewer"] == "Ann Lee"
    assert "still reads as it did" in half["review"]["note"]
    assert data["review"]["counts"]["change-required"] == 1

    ws = openpyxl.load_workbook("second/audit.xlsx")["Claims"]
    assert ws.cell(row=row_of(ws, HALF), column=headers(ws)["Review status"]).value == "change-required"
    second = read_review("second/audit.xlsx")
    assert [row.outcome for row in second.rows if row.claim == HALF] == ["change-required"]
    assert baseline_entries(second, "baseline.json") == []

    result = apply_review(audit(["page.md"], sources="sources.yaml").result, read_review("reviewed.xlsx"))
    html = render_html(result)
    assert 'value="status:change-required"' in html and "approved with change: copy unchanged" in html


def test_approve_with_change_on_reworded_copy_waits_for_an_approval_of_the_new_wording(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {HALF: {**signed("Approve with change"), "Comment": "Say 15%."}})
    Path("page.md").write_text(page_text(CURES, HALF_REWORDED, ENDS, FASTER), encoding="utf-8")
    outcome = run("audit", "page.md", "-s", "sources.yaml", "-o", "second", "--review", "reviewed.xlsx")
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(Path("second/audit.json").read_text(encoding="utf-8"))
    reworded = next(f for f in data["findings"] if f["text"] == HALF_REWORDED)
    assert reworded["review"]["status"] == "changed"
    assert (reworded["review"]["decision"], reworded["review"]["reviewer"]) == ("Approve with change", "")
    assert "set Decision to Approve" in reworded["review"]["note"]

    fill(Path("second/audit.xlsx"), Path("second/reviewed.xlsx"), {HALF_REWORDED: signed("Approve")})
    approved = read_review("second/reviewed.xlsx")
    assert [row.claim for row in approved.rows if row.approved] == [HALF_REWORDED]


# --------------------------------------------------------------------------- fingerprints: renamed pages


def test_the_workbook_carries_each_claims_fingerprint(project):
    workbook = first_workbook()
    result = audit(["page.md"], sources="sources.yaml").result
    rows = list(openpyxl.load_workbook(workbook)["Audit trail"].iter_rows(values_only=True))
    at = rows.index(("Claim ID", "Document", "Fingerprint") + (None,) * (len(rows[0]) - 3))
    listed = {row[0]: row[2] for row in rows[at + 1: at + 1 + len(result.findings)]}
    assert listed == {finding.id: finding.fingerprint for finding in result.findings}
    assert {row.id: row.fingerprint for row in read_review(workbook).rows} == listed


def test_a_renamed_and_moved_page_keeps_its_decisions_and_approvals(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {
        CURES: signed("Approve"), ENDS: {**signed("Reject"), "Comment": "No cure words."},
    })
    run("review", "baseline", "reviewed.xlsx", "--out", "baseline.json")
    assert "failing" not in check_states("page.md", "-s", "sources.yaml", "--baseline", "baseline.json")[CURES]

    Path("site/sleep").mkdir(parents=True)
    shutil.move("page.md", "site/sleep/rest-and-joints.md")
    moved = "site/sleep/rest-and-joints.md"
    outcome = run("audit", moved, "-s", "sources.yaml", "-o", "second", "--review", "reviewed.xlsx")
    assert outcome.exit_code == 0, outcome.output
    assert "review from reviewed.xlsx: 2 carried" in outcome.output and "0 gone" in outcome.output
    data = json.loads(Path("second/audit.json").read_text(encoding="utf-8"))
    by_text = {f["text"]: f for f in data["findings"]}
    assert by_text[CURES]["review"]["status"] == "carried"
    assert (by_text[CURES]["review"]["decision"], by_text[CURES]["review"]["reviewer"]) == ("Approve", "Ann Lee")
    assert by_text[CURES]["review"]["note"].startswith("Moved from page.md.")
    assert by_text[ENDS]["review"]["comment"] == "No cure words."
    assert by_text[HALF]["review"]["status"] == ""  # nobody decided on it, nothing to carry

    # The approval in the review baseline follows the claim into the renamed page.
    states = check_states(moved, "-s", "sources.yaml", "--baseline", "baseline.json")
    assert states[CURES] == {"baselined"}
    assert "failing" in states[ENDS] and "failing" in states[HALF]
    entries = read_baseline("baseline.json").entries
    assert {e.extra["approval"] for e in entries} == {by_text[CURES]["fingerprint"]}


def test_the_same_claim_on_two_moved_pages_keeps_each_pages_own_decision(project):
    Path("page.md").unlink()
    Path("a.md").write_text(page_text(CURES, HALF), encoding="utf-8")
    Path("b.md").write_text(page_text(ENDS, CURES), encoding="utf-8")
    outcome = run("audit", "a.md", "b.md", "-s", "sources.yaml", "-o", "first", "-f", "xlsx")
    assert outcome.exit_code == 0, outcome.output
    book = openpyxl.load_workbook("first/audit.xlsx")
    ws = book["Claims"]
    columns = headers(ws)
    for row in range(2, ws.max_row + 1):
        if ws.cell(row=row, column=columns["Claim"]).value == CURES:
            page = ws.cell(row=row, column=columns["Document"]).value
            for name, value in signed("Approve" if page == "a.md" else "Reject", "Ann Lee").items():
                ws.cell(row=row, column=columns[name]).value = value
    book.save("reviewed.xlsx")

    Path("site").mkdir()
    shutil.move("b.md", "site/b.md")
    shutil.move("a.md", "site/a.md")
    result = apply_review(audit(["site/b.md", "site/a.md"], sources="sources.yaml").result,
                          read_review("reviewed.xlsx"))
    decided = {f.document: f.review["decision"] for f in result.findings if f.text == CURES}
    assert decided == {"site/a.md": "Approve", "site/b.md": "Reject"}
    assert result.review["gone"] == []


def test_citing_another_source_is_another_claim_for_an_approval(project):
    Path("claims.csv").write_text(f"claim,source\n{CURES},sleep2021\n", encoding="utf-8")
    outcome = run("audit", "claims.csv", "-s", "sources.yaml", "-o", "first", "-f", "xlsx")
    assert outcome.exit_code == 0, outcome.output
    fill(Path("first/audit.xlsx"), Path("reviewed.xlsx"), {CURES: signed("Approve")})
    run("review", "baseline", "reviewed.xlsx", "--out", "baseline.json")
    Path("claims.csv").unlink()

    Path("renamed.csv").write_text(f"claim,source\n{CURES},sleep2021\n", encoding="utf-8")
    assert check_states("renamed.csv", "-s", "sources.yaml", "--baseline", "baseline.json")[CURES] == {"baselined"}
    Path("renamed.csv").write_text(f"claim,source\n{CURES},knee2019\n", encoding="utf-8")
    assert "baselined" not in check_states("renamed.csv", "-s", "sources.yaml", "--baseline", "baseline.json")[CURES]


def test_a_workbook_without_an_audit_trail_still_carries_by_claim_id(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {CURES: signed("Reject")})
    book = openpyxl.load_workbook("reviewed.xlsx")
    del book["Audit trail"]
    book.save("older.xlsx")
    older = read_review("older.xlsx")
    assert {row.fingerprint for row in older.rows} == {""} and older.history == []
    result = apply_review(audit(["page.md"], sources="sources.yaml").result, older)
    cures = next(f for f in result.findings if f.text == CURES)
    assert (cures.review["status"], cures.review["decision"]) == ("carried", "Reject")


# --------------------------------------------------------------------------- sign-off roles

ROLES_CONFIG = 'review-roles = ["Medical", "Legal", "Regulatory"]\n'


def role_signed(role: str, decision: str, reviewer: str) -> dict[str, object]:
    return {f"{role} decision": decision, f"{role} reviewer": reviewer, f"{role} date": SIGNED}


def test_each_role_decides_in_its_own_columns_and_all_required_roles_must_approve(project):
    Path(".claimaudit.toml").write_text(ROLES_CONFIG, encoding="utf-8")
    workbook = first_workbook()
    ws = openpyxl.load_workbook(workbook)["Claims"]
    names = list(headers(ws))
    for role in ("Medical", "Legal", "Regulatory"):
        for field_name in ("decision", "comment", "reviewer", "date"):
            assert f"{role} {field_name}" in names
            assert ws.cell(row=2, column=headers(ws)[f"{role} {field_name}"]).protection.locked is False
    assert "Decision" not in names
    listed = " ".join(str(v.sqref) for v in ws.data_validations.dataValidation if v.type == "list")
    for role in ("Medical", "Legal", "Regulatory"):
        letter = get_column_letter(headers(ws)[f"{role} decision"])
        assert f"{letter}2:{letter}" in listed  # each role's decisions come from the list

    fill(workbook, Path("reviewed.xlsx"), {
        CURES: {**role_signed("Medical", "Approve", "Dr Mina Osei"), **role_signed("Legal", "approve", "Tom Hale")},
        ENDS: {**role_signed("Medical", "Approve", "Dr Mina Osei"), **role_signed("Legal", "Approve", "Tom Hale"),
               **role_signed("Regulatory", "Approve", "Ruth Kim")},
        HALF: {**role_signed("Medical", "Approve", "Dr Mina Osei"), **role_signed("Legal", "Approve", "Tom Hale"),
               **role_signed("Regulatory", "Approve with change", "Ruth Kim")},
    })
    reviewed = read_review("reviewed.xlsx")
    assert reviewed.roles == ("Medical", "Legal", "Regulatory")
    outcome = {row.claim: row.outcome for row in reviewed.rows}
    assert outcome[CURES] == "open"  # two of three required roles
    assert outcome[ENDS] == "approved"
    assert outcome[HALF] == "change-required"  # one role asked for a change
    assert [e.claim for e in baseline_entries(reviewed, "baseline.json")] == [
        row.id for row in reviewed.rows if row.claim == ENDS] * len(
        next(row.rules for row in reviewed.rows if row.claim == ENDS))
    entry = baseline_entries(reviewed, "baseline.json")[0]
    assert entry.extra["signoff"]["Regulatory"] == {"decision": "Approve", "reviewer": "Ruth Kim",
                                                     "date": "2025-03-01"}

    summary = run("review", "summary", "reviewed.xlsx")
    assert "Medical: 3 approve, 1 open" in summary.output
    assert "Regulatory: 1 approve, 1 approve with change, 2 open" in summary.output
    assert "(waiting for Regulatory)" in summary.output

    # The next audit puts each role's decision back in its own columns.
    second = run("audit", "page.md", "-s", "sources.yaml", "-o", "second", "-f", "xlsx", "--review", "reviewed.xlsx")
    assert second.exit_code == 0, second.output
    ws = openpyxl.load_workbook("second/audit.xlsx")["Claims"]
    row = row_of(ws, CURES)
    assert ws.cell(row=row, column=headers(ws)["Legal decision"]).value == "Approve"
    assert ws.cell(row=row, column=headers(ws)["Legal reviewer"]).value == "Tom Hale"
    assert ws.cell(row=row, column=headers(ws)["Regulatory decision"]).value in ("", None)
    again = read_review("second/audit.xlsx")
    assert {row.claim: row.outcome for row in again.rows}[ENDS] == "approved"


def test_only_the_required_roles_must_approve(project):
    Path(".claimaudit.toml").write_text(ROLES_CONFIG + 'required-review-roles = ["Medical", "Legal"]\n',
                                        encoding="utf-8")
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {
        CURES: {**role_signed("Medical", "Approve", "Dr Mina Osei"), **role_signed("Legal", "Approve", "Tom Hale")},
        ENDS: {**role_signed("Medical", "Approve", "Dr Mina Osei"), **role_signed("Legal", "Approve", "")},
    })
    reviewed = read_review("reviewed.xlsx")
    assert reviewed.required_roles == ("Medical", "Legal")
    outcome = {row.claim: row.outcome for row in reviewed.rows}
    assert outcome[CURES] == "approved"
    assert outcome[ENDS] == "open"  # Legal's approval names nobody


def test_roles_on_the_command_line_and_a_bad_roles_setting(project):
    workbook = first_workbook("first", "--roles", "Medical, Legal")
    assert "Medical decision" in headers(openpyxl.load_workbook(workbook)["Claims"])
    Path(".claimaudit.toml").write_text(ROLES_CONFIG + 'required-review-roles = ["Compliance"]\n',
                                        encoding="utf-8")
    outcome = run("audit", "page.md", "-s", "sources.yaml", "-o", "bad")
    assert outcome.exit_code == 2
    assert "required-review-roles" in outcome.stderr and "'Compliance' is not one of review-roles" in outcome.stderr
    assert "Traceback" not in outcome.output
    # Requiring no role would approve a claim nobody signed.
    Path(".claimaudit.toml").write_text(ROLES_CONFIG + "required-review-roles = []\n", encoding="utf-8")
    outcome = run("audit", "page.md", "-s", "sources.yaml", "-o", "bad")
    assert outcome.exit_code == 2 and "names no role" in outcome.stderr
    Path(".claimaudit.toml").unlink()
    twice = run("audit", "page.md", "-s", "sources.yaml", "-o", "bad", "--roles", "Legal,legal ")
    assert twice.exit_code == 2 and "a role is named twice" in twice.stderr
    assert not Path("bad").exists()


# --------------------------------------------------------------------------- the audit trail and review.json


def test_the_audit_trail_records_what_the_decisions_are_made_on(project):
    workbook = first_workbook()
    result = audit(["page.md"], sources="sources.yaml").result
    rows = list(openpyxl.load_workbook(workbook)["Audit trail"].iter_rows(values_only=True))
    values = {row[0]: row[1] for row in rows if row and row[0]}
    assert values["Tool version"] == result.tool_version
    assert values["Source pack sha256"] == pack_sha256(result.sources)
    raw = result.documents[0].raw
    assert values["page.md"] == hashlib.sha256(raw.encode("utf-8")).hexdigest()

    # A changed source is another pack; the same pack read again is the same hash.
    assert pack_sha256(audit(["page.md"], sources="sources.yaml").result.sources) == values["Source pack sha256"]
    Path("sources.yaml").write_text(SOURCES.replace("by 15%", "by 16%"), encoding="utf-8")
    assert pack_sha256(audit(["page.md"], sources="sources.yaml").result.sources) != values["Source pack sha256"]


def test_the_trail_and_review_json_record_every_decision_round_after_round(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {
        CURES: {**signed("Reject"), "Comment": "No cure words."},
        ENDS: {"Decision": "Approve"},
    })
    first_hashes = read_review("reviewed.xlsx").made_on
    outcome = run("audit", "page.md", "-s", "sources.yaml", "-o", "second", "--review", "reviewed.xlsx")
    assert outcome.exit_code == 0, outcome.output
    assert "wrote second/review.json" in outcome.output

    record = json.loads(Path("second/review.json").read_text(encoding="utf-8"))
    assert (record["schema"], record["version"], record["workbook"]) == ("claimaudit-review", 1, "reviewed.xlsx")
    assert record["made_on"]["pack_sha256"] == first_hashes["pack_sha256"]
    decisions = {d["claim"]: d for d in record["decisions"]}
    reject = decisions[CURES]
    assert (reject["decision"], reject["reviewer"], reject["date"], reject["role"]) == (
        "Reject", "Ann Lee", "2025-03-01", "")
    assert reject["counts"] is True and reject["why_not"] == ""
    assert reject["copy_sha256"] == first_hashes["documents"]["page.md"]
    assert reject["now"]["status"] == "carried"
    assert decisions[ENDS]["counts"] is False and decisions[ENDS]["why_not"] == "without a reviewer name or a date"
    assert record["counts"]["rejected"] == 1 and record["counts"]["not_counted"] == 1

    # The second workbook's trail holds both decisions, with the hashes of the workbook they were made in.
    fill(Path("second/audit.xlsx"), Path("second/reviewed.xlsx"), {HALF: signed("Needs source", "Bo Chen")})
    second = read_review("second/reviewed.xlsx")
    assert [(h["claim"], h["decision"], h["reviewer"], h["counts"]) for h in second.history] == [
        (CURES, "Reject", "Ann Lee", True), (ENDS, "Approve", "", False)]
    assert {h["copy_sha256"] for h in second.history} == {first_hashes["documents"]["page.md"]}

    # A third round adds the new decision once; carried ones are not repeated.
    Path("page.md").write_text(page_text(CURES, HALF, ENDS, FASTER) + "\nA line to change the copy.\n",
                               encoding="utf-8")
    outcome = run("audit", "page.md", "-s", "sources.yaml", "-o", "third", "--review", "second/reviewed.xlsx")
    assert outcome.exit_code == 0, outcome.output
    third = read_review("third/audit.xlsx")
    assert [(h["claim"], h["decision"], h["workbook"]) for h in third.history] == [
        (CURES, "Reject", "reviewed.xlsx"), (ENDS, "Approve", "reviewed.xlsx"), (HALF, "Needs source", "reviewed.xlsx")]
    assert third.history[2]["copy_sha256"] == second.made_on["documents"]["page.md"]
    assert third.made_on["documents"]["page.md"] != second.made_on["documents"]["page.md"]


def test_review_record_is_deterministic_and_sorted(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {
        FASTER: signed("Needs source", "Bo Chen"), CURES: signed("Reject"), HALF: {"Decision": "Approve"},
    })
    first = run("review", "record", "reviewed.xlsx", "--out", "one.json")
    assert first.exit_code == 0, first.output
    assert "wrote one.json: 3 decision(s) on 4 claim(s)" in first.output
    run("review", "record", "reviewed.xlsx", "--out", "two.json")
    assert Path("one.json").read_bytes() == Path("two.json").read_bytes()
    assert run("review", "record", "reviewed.xlsx", "--out", "-").output == Path("one.json").read_text("utf-8")
    record = json.loads(Path("one.json").read_text(encoding="utf-8"))
    lines = [d["line"] for d in record["decisions"]]
    assert lines == sorted(lines)
    assert [d["claim"] for d in record["decisions"]] == [CURES, HALF, FASTER]
    assert "now" not in record["decisions"][0] and "audit" not in record


def test_the_json_report_still_validates_with_the_new_status(project):
    import jsonschema
    from importlib import resources

    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {HALF: signed("Approve with change")})
    result = apply_review(audit(["page.md"], sources="sources.yaml").result, read_review("reviewed.xlsx"))
    data = json.loads(render_json(result))
    schema = json.loads(resources.files("claimaudit.report").joinpath("schema/audit.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(data)


def test_gone_claims_of_paged_copy_keep_their_page(project):
    workbook = first_workbook()
    fill(workbook, Path("reviewed.xlsx"), {ENDS: signed("Reject")})
    book = openpyxl.load_workbook("reviewed.xlsx")
    ws = book["Claims"]
    ws.insert_cols(headers(ws)["Line"])
    ws.cell(row=1, column=headers(ws)["Line"] - 1).value = "Page"
    ws.cell(row=row_of(ws, ENDS), column=headers(ws)["Page"]).value = 2
    book.save("paged.xlsx")
    Path("page.md").write_text(page_text(CURES, HALF, FASTER), encoding="utf-8")
    result = apply_review(audit(["page.md"], sources="sources.yaml").result, read_review("paged.xlsx"))
    (gone,) = result.review["gone"]
    assert (gone["claim"], gone["page"]) == (ENDS, 2)
    write_xlsx(result, "after.xlsx")  # a gone claim with a page still writes
