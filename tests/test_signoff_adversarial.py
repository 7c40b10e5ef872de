"""Sign-off and the claims library under attack: every way we could find to make claimaudit count
an approval it should not, each run through the real command line on a workbook that
`claimaudit audit` wrote and a reviewer then filled in (or tampered with) using openpyxl.

The posture: a compliance tool never counts what it did not check.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from claimaudit.cli import main
from claimaudit.review.library import LibraryIndex, load_library
from claimaudit.verdicts.baseline import read_baseline

PACK = """\
sources:
  - id: rest2021
    citation: "Rowan P, Ilves K. A herbal tablet for insomnia: a randomised trial. Example Sleep J. 2021;4:20-28."
    summary: >
      In a randomised trial of 120 adults with insomnia, the herbal tablet shortened the time to fall
      asleep by 12 minutes compared with placebo over four weeks.
  - id: joint2019
    citation: "Faber L, et al. A supplement for knee pain: an open-label study. Example Joint J. 2019;7:1-8."
    summary: >
      In an open-label study of 40 adults with knee pain, pain scores fell by 15% after eight weeks
      of the supplement. There was no control group.
"""

CURES = "Our herbal tablet cures insomnia in everyone."
HALF = "Adults with knee pain reported 50% less pain after eight weeks of our supplement."
ENDS = "Our supplement ends knee pain for good."
SIGNED = dt.date(2025, 3, 1)


def page(*claims: str) -> str:
    return "# Rest and joints\n\n" + "\n\n".join(claims) + "\n\nVisit our shop on the high street.\n"


@pytest.fixture
def project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path / ".cache"))
    Path("page.md").write_text(page(CURES, HALF, ENDS), encoding="utf-8")
    Path("pack.yaml").write_text(PACK, encoding="utf-8")
    return tmp_path


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args])


def audited(out: str = "first", *extra: str, copy: str = "page.md") -> Path:
    outcome = run("audit", copy, "-s", "pack.yaml", "-o", out, "-f", "xlsx,json", *extra)
    assert outcome.exit_code == 0, outcome.output
    return Path(out) / "audit.xlsx"


def columns(ws) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[1] if cell.value}


def row_of(ws, claim: str) -> int:
    column = columns(ws)["Claim"]
    return next(row for row in range(2, ws.max_row + 1) if ws.cell(row=row, column=column).value == claim)


def fill(source: Path, target: str, cells: dict[str, dict[str, object]], *, as_typed: bool = False) -> Path:
    """Play the reviewer: write cells by claim and header. ``as_typed`` lets "=..." become a formula."""
    book = openpyxl.load_workbook(source)
    ws = book["Claims"]
    where = columns(ws)
    for claim, values in cells.items():
        for header, value in values.items():
            cell = ws.cell(row=row_of(ws, claim), column=where[header])
            cell.value = value
            if isinstance(value, str) and not as_typed:
                cell.data_type = "s"
    book.save(target)
    return Path(target)


def signed(decision: str = "Approve", reviewer: object = "Ann Lee", date: object = SIGNED) -> dict[str, object]:
    return {"Decision": decision, "Reviewer": reviewer, "Date": date}


def role_signed(role: str, decision: str = "Approve", reviewer: str = "Ann Lee") -> dict[str, object]:
    return {f"{role} decision": decision, f"{role} reviewer": reviewer, f"{role} date": SIGNED}


def outcomes(workbook: str) -> dict[str, str]:
    outcome = run("review", "summary", workbook, "-f", "json")
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.stdout)
    found = {}
    for key in ("decided", "to_confirm", "undecided"):
        for item in data[key]:
            found[item["claim"]] = item["outcome"]
    return found


def baselined(workbook: str) -> set[str]:
    """The claims `review baseline` lets through."""
    outcome = run("review", "baseline", workbook, "--out", "baseline.json")
    assert outcome.exit_code == 0, outcome.output
    return {entry.text for entry in read_baseline("baseline.json").entries}


def check_items(*copy: str, baseline: str = "baseline.json") -> list[dict]:
    outcome = run("check", *copy, "-s", "pack.yaml", "--baseline", baseline, "-f", "json")
    assert outcome.exit_code in (0, 1), outcome.output
    data = json.loads(outcome.stdout)
    text_of = {finding["id"]: finding["text"] for finding in data["findings"]}
    return [{**item, "claim": text_of[item["id"]]} for item in data["check"]["items"]]


def states(items: list[dict], claim: str, document: str | None = None) -> set[str]:
    return {i["state"] for i in items if i["claim"] == claim and (document is None or i["document"] == document)}


def review_of(out: str) -> dict[str, dict]:
    data = json.loads((Path(out) / "audit.json").read_text(encoding="utf-8"))
    return {(f["document"], f["text"]): f["review"] for f in data["findings"]}


# --------------------------------------------------------------------------- who signed, and how


@pytest.mark.parametrize("nobody", ["T.B.D.", "x x", "n.a.", "Reviewer name", "[Your name]", "-", "xxxx"])
def test_a_placeholder_for_a_reviewer_name_approves_nothing(project, nobody):
    fill(audited(), "reviewed.xlsx", {CURES: signed(reviewer=nobody)})
    assert outcomes("reviewed.xlsx")[CURES] == "open"
    assert baselined("reviewed.xlsx") == set()
    outcome = run("review", "baseline", "reviewed.xlsx", "--out", "baseline.json")
    assert "for a reviewer name" in outcome.stderr


def test_initials_and_an_email_address_name_a_reviewer(project):
    # Judged correct as is: both say who decided, which is what a signature is for.
    fill(audited(), "reviewed.xlsx", {CURES: signed(reviewer="AL"), ENDS: signed(reviewer="ann.lee@example.com")})
    assert baselined("reviewed.xlsx") == {CURES, ENDS}


def test_invisible_characters_in_a_decision_are_forgiven_as_spacing_is(project):
    fill(audited(), "reviewed.xlsx", {CURES: signed("Appr\u200bove\u00a0"), ENDS: signed("\ufeffReject")})
    found = outcomes("reviewed.xlsx")
    assert (found[CURES], found[ENDS]) == ("approved", "rejected")


@pytest.mark.parametrize(("typed", "named"), [
    ("\u0410pprove", "CYRILLIC CAPITAL LETTER A"), ("Appr\u03bfve", "GREEK SMALL LETTER OMICRON"),
])
def test_a_look_alike_letter_in_a_decision_is_refused_and_named(project, typed, named):
    fill(audited(), "reviewed.xlsx", {CURES: signed(typed)})
    outcome = run("review", "baseline", "reviewed.xlsx", "--out", "baseline.json")
    assert outcome.exit_code == 2 and "Traceback" not in outcome.output
    assert "unknown decision" in outcome.stderr and named in outcome.stderr
    assert not Path("baseline.json").exists()


def _cache_formula_values(workbook: Path, values: dict[str, str]) -> None:
    """Give formula cells the cached values Excel stores when it saves (openpyxl stores none)."""
    with zipfile.ZipFile(workbook) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    name = next(n for n, data in parts.items() if n.startswith("xl/worksheets/") and b"<f>" in data)
    xml = parts[name].decode("utf-8")
    for reference, value in values.items():
        kind, cached = ("str", value) if not value.isdigit() else ("n", value)
        xml, count = re.subn(rf'<c r="{reference}"([^>]*)><f>(.*?)</f><v\s*/?>(?:</v>)?',
                             lambda m: f'<c r="{reference}"{m[1]} t="{kind}"><f>{m[2]}</f><v>{cached}</v>',
                             xml)
        assert count == 1, reference
    parts[name] = xml.encode("utf-8")
    with zipfile.ZipFile(workbook, "w", zipfile.ZIP_DEFLATED) as archive:
        for filename, data in parts.items():
            archive.writestr(filename, data)


def test_a_formula_in_a_decision_reviewer_or_date_cell_approves_nothing(project):
    workbook = audited()
    fill(workbook, "reviewed.xlsx", {
        CURES: signed(date="=TODAY()"),
        ENDS: signed(reviewer='=CONCAT("Ann"," Lee")'),
        HALF: signed(decision='=IF(1,"Approve","")'),
    }, as_typed=True)
    ws = openpyxl.load_workbook("reviewed.xlsx")["Claims"]
    where = columns(ws)
    letter = {name: openpyxl.utils.get_column_letter(where[name]) for name in ("Decision", "Reviewer", "Date")}
    serial = str((SIGNED - dt.date(1899, 12, 30)).days)
    _cache_formula_values(Path("reviewed.xlsx"), {
        f"{letter['Date']}{row_of(ws, CURES)}": serial,
        f"{letter['Reviewer']}{row_of(ws, ENDS)}": "Ann Lee",
        f"{letter['Decision']}{row_of(ws, HALF)}": "Approve",
    })
    assert set(outcomes("reviewed.xlsx").values()) == {"open"}
    outcome = run("review", "baseline", "reviewed.xlsx", "--out", "baseline.json")
    assert "formula in its Date cell" in outcome.stderr and "formula in its Reviewer cell" in outcome.stderr
    assert "formula in its Decision cell" in outcome.stderr
    assert read_baseline("baseline.json").entries == []


def test_a_second_decision_column_is_exit_2_not_silently_ignored(project):
    book = openpyxl.load_workbook(audited())
    ws = book["Claims"]
    extra = ws.max_column + 1
    ws.cell(row=1, column=extra).value = "decision "
    ws.cell(row=row_of(ws, CURES), column=extra).value = "Reject"
    book.save("two.xlsx")
    fill(Path("two.xlsx"), "reviewed.xlsx", {CURES: signed()})
    for command in (["review", "baseline", "reviewed.xlsx", "--out", "baseline.json"],
                    ["review", "library", "reviewed.xlsx", "--library", "lib.csv"],
                    ["audit", "page.md", "-s", "pack.yaml", "-o", "second", "--review", "reviewed.xlsx"]):
        outcome = run(*command)
        assert outcome.exit_code == 2, outcome.output
        assert 'two columns are headed "decision"' in outcome.stderr and "Traceback" not in outcome.output
    assert not Path("baseline.json").exists() and not Path("lib.csv").exists()


def test_a_second_column_for_one_roles_decision_is_exit_2(project):
    Path(".claimaudit.toml").write_text('review-roles = ["Medical", "Legal"]\n', encoding="utf-8")
    book = openpyxl.load_workbook(audited())
    ws = book["Claims"]
    extra = ws.max_column + 1
    ws.cell(row=1, column=extra).value = "medical   DECISION"
    ws.cell(row=row_of(ws, CURES), column=extra).value = "Reject"
    book.save("two.xlsx")
    fill(Path("two.xlsx"), "reviewed.xlsx", {CURES: {**role_signed("Medical"), **role_signed("Legal")}})
    outcome = run("review", "summary", "reviewed.xlsx")
    assert outcome.exit_code == 2 and "two columns are headed" in outcome.stderr


def test_role_columns_swapped_for_a_plain_decision_column_approve_nothing(project):
    Path(".claimaudit.toml").write_text('review-roles = ["Medical", "Legal"]\n', encoding="utf-8")
    book = openpyxl.load_workbook(audited())
    ws = book["Claims"]
    first = columns(ws)["Medical decision"]
    ws.delete_cols(first, 8)
    for offset, header in enumerate(("Decision", "Comment", "Reviewer", "Date")):
        ws.cell(row=1, column=first + offset).value = header
    book.save("plain.xlsx")
    fill(Path("plain.xlsx"), "reviewed.xlsx", {CURES: signed()})
    Path(".claimaudit.toml").unlink()  # the Audit trail alone still says which roles must approve
    assert outcomes("reviewed.xlsx")[CURES] == "open"
    assert baselined("reviewed.xlsx") == set()


def test_an_audit_trail_edited_to_require_fewer_roles_does_not_lower_the_project_config(project):
    Path(".claimaudit.toml").write_text('review-roles = ["Medical", "Legal"]\n', encoding="utf-8")
    book = openpyxl.load_workbook(audited())
    trail = book["Audit trail"]
    for row in trail.iter_rows():
        if row[0].value == "Required roles":
            row[1].value = "Medical"
    book.save("edited.xlsx")
    fill(Path("edited.xlsx"), "reviewed.xlsx", {CURES: role_signed("Medical")})
    assert outcomes("reviewed.xlsx")[CURES] == "open"
    assert baselined("reviewed.xlsx") == set()
    outcome = run("review", "library", "reviewed.xlsx", "--library", "lib.csv")
    assert outcome.exit_code == 0 and "0 added" in outcome.stdout


def test_review_library_takes_only_claims_every_required_role_approved(project):
    Path(".claimaudit.toml").write_text('review-roles = ["Medical", "Legal"]\n', encoding="utf-8")
    fill(audited(), "reviewed.xlsx", {
        CURES: role_signed("Medical"),
        ENDS: {**role_signed("Medical"), **role_signed("Legal", "Approve with change", "Tom Hale")},
        HALF: {**role_signed("Medical"), **role_signed("Legal", reviewer="Tom Hale")},
    })
    outcome = run("review", "library", "reviewed.xlsx", "--library", "lib.csv")
    assert outcome.exit_code == 0, outcome.output
    assert [claim.claim for claim in load_library("lib.csv").claims] == [HALF]


# --------------------------------------------------------------------------- what an approval covers


def test_a_blank_verdict_cell_sends_an_approval_to_re_review(project):
    book = openpyxl.load_workbook(fill(audited(), "reviewed.xlsx", {CURES: signed()}))
    ws = book["Claims"]
    ws.cell(row=row_of(ws, CURES), column=columns(ws)["Verdict"]).value = None
    book.save("blanked.xlsx")
    outcome = run("audit", "page.md", "-s", "pack.yaml", "-o", "second", "-f", "xlsx,json", "--review", "blanked.xlsx")
    assert outcome.exit_code == 0, outcome.output
    review = review_of("second")[("page.md", CURES)]
    assert review["status"] == "re-review" and review["reviewer"] == ""
    assert "does not say which verdict was reviewed" in review["note"]
    assert baselined("second/audit.xlsx") == set()


def test_a_rule_that_flags_the_claim_since_its_approval_sends_it_to_re_review(project):
    book = openpyxl.load_workbook(fill(audited(), "reviewed.xlsx", {CURES: signed()}))
    ws = book["Claims"]
    cell = ws.cell(row=row_of(ws, CURES), column=columns(ws)["Rules"])
    codes = [code.strip() for code in str(cell.value).split(",")]
    unseen = codes.pop()
    cell.value = ", ".join(codes)  # the reviewer approved before that rule flagged the claim
    book.save("earlier.xlsx")
    outcome = run("audit", "page.md", "-s", "pack.yaml", "-o", "second", "-f", "xlsx,json", "--review", "earlier.xlsx")
    assert outcome.exit_code == 0, outcome.output
    review = review_of("second")[("page.md", CURES)]
    assert review["status"] == "re-review" and review["reviewer"] == ""
    assert f"Flagged since the review by {unseen}" in review["note"]
    assert baselined("second/audit.xlsx") == set()
    # Rules the reviewer saw are carried as approved.
    outcome = run("audit", "page.md", "-s", "pack.yaml", "-o", "third", "-f", "json", "--review", "reviewed.xlsx")
    assert review_of("third")[("page.md", CURES)]["status"] == "carried"


def test_a_claim_copied_to_a_second_page_is_not_covered_by_the_approval_on_the_first(project):
    fill(audited(), "reviewed.xlsx", {CURES: signed()})
    assert baselined("reviewed.xlsx") == {CURES}
    Path("copy.md").write_text(page(CURES), encoding="utf-8")

    items = check_items("page.md", "copy.md")
    assert states(items, CURES, "page.md") == {"baselined"}
    assert states(items, CURES, "copy.md") == {"failing"}
    alone = check_items("copy.md")
    assert states(alone, CURES) == {"failing"}
    assert all("approved on page.md, which is still there" in item["message"] for item in alone)

    outcome = run("audit", "copy.md", "-s", "pack.yaml", "-o", "second", "-f", "json", "--review", "reviewed.xlsx")
    assert outcome.exit_code == 0, outcome.output
    review = review_of("second")[("copy.md", CURES)]
    assert (review["status"], review["decision"]) == ("new", "")
    assert review["note"].startswith("The same claim was reviewed on page.md (Approve by Ann Lee on 2025-03-01)")

    # Once the first page is gone, the approval follows its claim to one page: a rename.
    Path("page.md").rename("renamed.md")
    items = check_items("renamed.md", "copy.md")
    assert states(items, CURES, "renamed.md") == {"baselined"}
    assert states(items, CURES, "copy.md") == {"failing"}


def _swap_trail_fingerprints(source: Path, target: str, one: str, other: str) -> None:
    book = openpyxl.load_workbook(source)
    ws = book["Claims"]
    ids = {claim: ws.cell(row=row_of(ws, claim), column=columns(ws)["ID"]).value for claim in (one, other)}
    rows = {row[0].value: row for row in book["Audit trail"].iter_rows() if row[0].value in ids.values()}
    first, second = rows[ids[one]], rows[ids[other]]
    first[2].value, second[2].value = second[2].value, first[2].value
    book.save(target)


def test_a_fingerprint_edited_in_the_audit_trail_moves_no_approval(project):
    fill(audited(), "reviewed.xlsx", {CURES: signed()})
    _swap_trail_fingerprints(Path("reviewed.xlsx"), "forged.xlsx", CURES, ENDS)
    run("review", "baseline", "forged.xlsx", "--out", "baseline.json")
    Path("page.md").rename("renamed.md")
    items = check_items("renamed.md")
    assert "baselined" not in states(items, ENDS)
    outcome = run("audit", "renamed.md", "-s", "pack.yaml", "-o", "second", "-f", "json", "--review", "forged.xlsx")
    assert outcome.exit_code == 0, outcome.output
    assert review_of("second")[("renamed.md", ENDS)]["decision"] == ""


def _hand_baseline(claim_ids: dict[str, tuple[str, ...]], extra: dict[str, str]) -> None:
    entries = [{"claim": claim_id, "rule": rule, "document": "page.md", "verdict": "overstated", "text": text, **extra}
               for text, (claim_id, *rules) in claim_ids.items() for rule in rules]
    Path("old.json").write_text(json.dumps({"schema": "claimaudit-baseline", "version": 1, "entries": entries}),
                                encoding="utf-8")


def _ids_and_rules(workbook: Path, *claims: str) -> dict[str, tuple[str, ...]]:
    ws = openpyxl.load_workbook(workbook)["Claims"]
    where = columns(ws)
    found = {}
    for claim in claims:
        row = row_of(ws, claim)
        rules = [code.strip() for code in str(ws.cell(row=row, column=where["Rules"]).value).split(",")]
        found[claim] = (ws.cell(row=row, column=where["ID"]).value, *rules)
    return found


@pytest.mark.parametrize(("extra", "why"), [
    ({"decision": "Approve with change", "reviewer": "Ann Lee", "date": "2025-03-01"},
     '"Approve with change" approves nothing until the copy changes'),
    ({"decision": "approve"}, "the approval was given without a reviewer name"),
    ({"decision": "Approve", "reviewer": "Ann Lee", "date": "next week"}, "the approval was given with"),
])
def test_an_old_baseline_entry_from_a_review_that_does_not_count_lets_nothing_through(project, extra, why):
    _hand_baseline(_ids_and_rules(audited(), CURES), extra)
    items = check_items("page.md", baseline="old.json")
    assert states(items, CURES) == {"failing"}
    assert all(why in item["message"] for item in items if item["claim"] == CURES)


def test_a_known_finding_with_a_teams_own_note_still_counts(project):
    _hand_baseline(_ids_and_rules(audited(), CURES), {"decision": "accepted by legal", "note": "until May"})
    assert states(check_items("page.md", baseline="old.json"), CURES) == {"baselined"}


def test_merging_a_baseline_keeps_no_approval_the_workbook_now_withholds(project):
    workbook = audited()
    fill(workbook, "round1.xlsx", {CURES: signed(), ENDS: signed()})
    run("review", "baseline", "round1.xlsx", "--out", "baseline.json")
    old = read_baseline("baseline.json").entries
    # An entry of a baseline written before sign-off held, for a page this workbook does not cover.
    smuggled = {"claim": "0000000000000000", "rule": "CA202", "document": "other.md", "verdict": "overstated",
                "text": "Another page's claim.", "decision": "Approve with change", "reviewer": "Ann Lee",
                "date": "2025-03-01"}
    kept = {"claim": "1111111111111111", "rule": "CA202", "document": "other.md", "verdict": "overstated",
            "text": "A claim of a page this workbook does not cover.", "decision": "Approve",
            "reviewer": "Bo Chen", "date": "2025-02-01"}
    Path("baseline.json").write_text(json.dumps({"schema": "claimaudit-baseline", "version": 1,
                                                 "entries": [e.to_dict() for e in old] + [smuggled, kept]}),
                                     encoding="utf-8")
    fill(workbook, "round2.xlsx", {CURES: signed("Reject"), ENDS: signed("Approve with change")})
    outcome = run("review", "baseline", "round2.xlsx", "--out", "baseline.json", "--merge")
    assert outcome.exit_code == 0, outcome.output
    merged = read_baseline("baseline.json").entries
    assert {entry.text for entry in merged} == {kept["text"]}
    assert states(check_items("page.md"), CURES) == {"failing"}


# --------------------------------------------------------------------------- the audit trail as a record


def test_a_history_row_forged_in_the_trail_claims_no_hash_and_no_count_it_cannot_show(project):
    fill(audited(), "reviewed.xlsx", {CURES: signed()})
    run("audit", "page.md", "-s", "pack.yaml", "-o", "second", "-f", "xlsx", "--review", "reviewed.xlsx")
    book = openpyxl.load_workbook("second/audit.xlsx")
    trail = book["Audit trail"]
    header = next(row for row in trail.iter_rows() if row[0].value == "Claim ID" and row[1].value == "Fingerprint")
    at = {cell.value: cell.column for cell in header}
    forged = header[0].row + 2
    for name, value in (("Claim ID", "feedfacefeedface"), ("Claim", "A claim nobody decided on."),
                        ("Decision", "Approve"), ("Reviewer", ""), ("Date", "2025-03-01"), ("Counts", "yes"),
                        ("Copy sha256", "deadbeef"), ("Pack sha256", "not a hash")):
        trail.cell(row=forged, column=at[name]).value = value
    for row in trail.iter_rows():
        if row[0].value == "Source pack sha256":
            row[1].value = "made up"
    book.save("forged.xlsx")
    outcome = run("review", "record", "forged.xlsx", "--out", "-")
    assert outcome.exit_code == 0, outcome.output
    record = json.loads(outcome.stdout)
    forged_item = next(h for h in record["history"] if h["claim_id"] == "feedfacefeedface")
    assert forged_item["counts"] is False
    assert (forged_item["copy_sha256"], forged_item["pack_sha256"]) == ("", "")
    assert record["made_on"]["pack_sha256"] == ""
    real = next(h for h in record["history"] if h["claim"] == CURES)
    assert real["counts"] is True and re.fullmatch(r"[0-9a-f]{64}", real["copy_sha256"])


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_a_trail_sheet_mangled_at_random_gives_exit_0_or_2_never_a_traceback(project, seed):
    import random

    fill(audited(), "reviewed.xlsx", {CURES: signed()})
    run("audit", "page.md", "-s", "pack.yaml", "-o", "second", "-f", "xlsx", "--review", "reviewed.xlsx")
    chance = random.Random(seed)
    values = [None, "", 0, -1, 1e308, True, dt.datetime(2030, 1, 1, 1, 1), "x" * 3000, "Claim ID", "Fingerprint",
              "Made on", "Value", "Document", "Copy sha256", "Required roles", "yes", "=1+1", "\u202e", "Approve"]
    book = openpyxl.load_workbook("second/audit.xlsx")
    trail = book["Audit trail"]
    for _ in range(12):
        pick = chance.random()
        if pick < 0.6:
            trail.cell(row=chance.randint(1, 30), column=chance.randint(1, 16)).value = chance.choice(values)
        elif pick < 0.8:
            trail.delete_rows(chance.randint(1, 25), chance.randint(1, 3))
        else:
            trail.delete_cols(chance.randint(1, 15))
    book.save("mangled.xlsx")
    for command in (["review", "summary", "mangled.xlsx"], ["review", "record", "mangled.xlsx", "--out", "-"],
                    ["audit", "page.md", "-s", "pack.yaml", "-o", "third", "--review", "mangled.xlsx"]):
        outcome = run(*command)
        assert outcome.exit_code in (0, 2), outcome.output
        assert outcome.exception is None or isinstance(outcome.exception, SystemExit)


# --------------------------------------------------------------------------- the claims library


def test_review_library_never_writes_a_formula_and_reads_its_own_csv_back_unchanged(project):
    Path("lib.csv").write_text('id,claim,sources,approved_by,approved_on,notes\n'
                               '"=HYPERLINK(""http://example.invalid"",""C-9"")",Our cream eases redness.,,'
                               'Dana Ruiz,2024-01-01,+1+2\n', encoding="utf-8")
    fill(audited(), "reviewed.xlsx", {ENDS: signed(reviewer='=HYPERLINK("http://example.invalid","Ann")')})
    for out in ("out.xlsx", "out.csv"):
        outcome = run("review", "library", "reviewed.xlsx", "--library", "lib.csv", "--out", out)
        assert outcome.exit_code == 0, outcome.output
    book = openpyxl.load_workbook("out.xlsx")
    assert all(cell.data_type != "f" for row in book.active.iter_rows() for cell in row)
    text = Path("out.csv").read_text(encoding="utf-8")
    assert not any(line.startswith(("=", "+", "-", "@", '"=')) for cell_line in text.splitlines()
                   for line in cell_line.split(","))
    from_csv = [(c.id, c.approved_by, c.extra.get("notes")) for c in load_library("out.csv").claims]
    from_xlsx = [(c.id, c.approved_by, c.extra.get("notes") or "") for c in load_library("out.xlsx").claims]
    assert from_csv[0] == ('=HYPERLINK("http://example.invalid","C-9")', "Dana Ruiz", "+1+2")
    assert [row[:2] for row in from_csv] == [row[:2] for row in from_xlsx]
    again = run("review", "library", "reviewed.xlsx", "--library", "out.csv", "--out", "again.csv")
    assert again.exit_code == 0 and Path("again.csv").read_text(encoding="utf-8") == text


def test_the_library_records_the_sources_a_claim_cites_not_its_best_evidence(project):
    fill(audited(), "reviewed.xlsx", {ENDS: signed()})
    outcome = run("review", "library", "reviewed.xlsx", "--library", "lib.csv")
    assert outcome.exit_code == 0, outcome.output
    (claim,) = load_library("lib.csv").claims
    assert claim.sources == ()  # the page cites no source; the workbook's Source column is the best evidence
    audited("second", "--library", "lib.csv")
    data = json.loads(Path("second/audit.json").read_text(encoding="utf-8"))
    assert {f["text"]: f.get("library", {}).get("status") for f in data["findings"]}[ENDS] == "approved"


def test_a_duplicate_library_id_in_another_width_or_case_is_exit_2(project):
    Path("lib.csv").write_text("id,claim,approved_by,approved_on\n"
                               "C-001,Our cream eases redness.,Dana Ruiz,2024-01-01\n"
                               "\uff23-001,Our cream eases itching.,Dana Ruiz,2024-01-01\n", encoding="utf-8")
    outcome = run("explain", "Our cream eases redness.", "--library", "lib.csv")
    assert outcome.exit_code == 2 and "is given twice" in outcome.stderr


def _index(*claims: tuple[str, tuple[str, ...]]) -> LibraryIndex:
    from claimaudit.review.library import Library, LibraryClaim

    library = Library("lib.csv", [LibraryClaim(f"C-{n:03d}", text, sources, "Dana Ruiz", dt.date(2024, 1, 1))
                                  for n, (text, sources) in enumerate(claims, start=1)])
    return LibraryIndex(library, dt.date(2025, 1, 1))


APPROVED_DOSE = "Our tablet reduces joint pain with 30 mg a day compared with placebo."


@pytest.mark.parametrize("copy", [
    "our TABLET reduces joint pain with 30 mg a day compared with placebo",
    "\u201cOur tablet reduces joint pain with 30 mg a day compared with placebo.\u201d",
    "\u2018Our tablet reduces joint pain with 30 mg a day compared with placebo\u2019.",
])
def test_the_approved_wording_in_another_case_quote_style_or_quoted_is_approved(copy):
    assert _index((APPROVED_DOSE, ("s1",))).match(copy, ("S1",))["status"] == "approved"


def test_quote_style_inside_a_claim_is_typography_not_wording():
    index = _index(("Our \u2018gentle\u2019 cream eases redness.", ()))
    assert index.match("Our 'gentle' cream eases redness.")["status"] == "approved"


@pytest.mark.parametrize("copy", [
    "Our tablet does not reduce joint pain with 30 mg a day compared with placebo.",
    "Our tablet reduces joint pain with 30 g a day compared with placebo.",
    "Our tablet reduces joint pain with 30 mg a day.",
    "Our tablet reduces joint pain with 30 mg a day compared with placebo...",
    "Our tablet reduces joint pain with 30 mg a day compared with placebo, in everyone.",
    "Our tablet reduces joint pain with 30 mg a day compared with placebo. It cures arthritis.",
])
def test_a_negation_unit_comparator_ellipsis_or_longer_claim_is_never_approved(copy):
    found = _index((APPROVED_DOSE, ("s1",))).match(copy, ("s1",))
    assert found.get("status") != "approved"


# --------------------------------------------------------------------------- determinism


def test_the_record_library_and_baseline_are_byte_identical_across_hash_seeds(project):
    Path(".claimaudit.toml").write_text('review-roles = ["Medical", "Legal"]\n', encoding="utf-8")
    fill(audited(), "reviewed.xlsx", {
        CURES: {**role_signed("Medical"), **role_signed("Legal", reviewer="Tom Hale")},
        ENDS: {**role_signed("Medical"), **role_signed("Legal", "Reject", "Tom Hale")},
        HALF: {**role_signed("Medical"), **role_signed("Legal", reviewer="Tom Hale")},
    })
    script = "\n".join([
        "import sys",
        "from claimaudit.cli import main",
        "for args in (['review', 'record', 'reviewed.xlsx', '--out', sys.argv[1] + '/review.json'],",
        "             ['review', 'baseline', 'reviewed.xlsx', '--out', sys.argv[1] + '/baseline.json'],",
        "             ['review', 'library', 'reviewed.xlsx', '--library', sys.argv[1] + '/lib.xlsx'],",
        "             ['review', 'library', 'reviewed.xlsx', '--library', sys.argv[1] + '/lib.csv'],",
        "             ['review', 'library', 'reviewed.xlsx', '--library', sys.argv[1] + '/lib.yaml']):",
        "    try:",
        "        main(args)",
        "    except SystemExit as done:",
        "        assert not done.code, args",
    ])
    made = {}
    for seed in ("0", "4242"):
        Path(seed).mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", script, seed], check=True, env=env, timeout=120,
                       capture_output=True)
        made[seed] = {path.name: path.read_bytes() for path in sorted(Path(seed).iterdir())}
    assert set(made["0"]) == {"review.json", "baseline.json", "lib.xlsx", "lib.csv", "lib.yaml"}
    assert made["0"] == made["4242"]
    with zipfile.ZipFile("0/lib.xlsx") as archive:
        core = archive.read("docProps/core.xml").decode("utf-8")
    # No time of writing in the workbook: the same library is the same bytes on any day.
    assert re.findall(r"<dcterms:modified[^>]*>([^<]*)<", core) == ["2000-01-01T00:00:00Z"]
    shutil.rmtree("0")


def test_a_claim_cell_retyped_before_approval_approves_no_other_claim_on_the_page(project):
    book = openpyxl.load_workbook(fill(audited(), "reviewed.xlsx", {CURES: signed()}))
    ws = book["Claims"]
    ws.cell(row=row_of(ws, CURES), column=columns(ws)["Claim"]).value = ENDS  # the locked cell, unprotected
    book.save("retyped.xlsx")
    run("review", "baseline", "retyped.xlsx", "--out", "baseline.json")
    items = check_items("page.md")
    assert states(items, CURES) == {"baselined"}
    assert states(items, ENDS) == {"failing"}


@pytest.mark.parametrize("nobody", ["n/a", "TBD", "-", "x x"])
def test_a_library_claim_approved_by_a_placeholder_is_exit_2_naming_its_row(project, nobody):
    Path("lib.csv").write_text("id,claim,approved_by,approved_on\n"
                               f"C-001,Our cream eases redness.,{nobody},2024-01-01\n", encoding="utf-8")
    outcome = run("check", "page.md", "-s", "pack.yaml", "--library", "lib.csv")
    assert outcome.exit_code == 2 and "Traceback" not in outcome.output
    assert "lib.csv:2" in outcome.stderr and "approved_by" in outcome.stderr and "for a reviewer name" in outcome.stderr


def test_an_approval_given_while_the_claim_was_overstated_does_not_cover_it_unsupported(project):
    fill(audited(), "reviewed.xlsx", {ENDS: signed()})
    assert baselined("reviewed.xlsx") == {ENDS}
    assert states(check_items("page.md"), ENDS) == {"baselined"}
    rules = [entry.rule for entry in read_baseline("baseline.json").entries]
    outcome = run("check", "page.md", "-s", "pack.yaml", "--baseline", "baseline.json", "-f", "json",
                  *[arg for rule in rules for arg in ("--level", f"{rule}=unsupported")])
    data = json.loads(outcome.stdout)
    ends = next(f for f in data["findings"] if f["text"] == ENDS)
    assert ends["verdict"] == "unsupported"
    items = [item for item in data["check"]["items"] if item["id"] == ends["id"]]
    assert {item["state"] for item in items} == {"failing"}
    assert all("approved while it was overstated; it is unsupported now" in item["message"] for item in items)
