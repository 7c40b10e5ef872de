"""The claims library (`--library`): approved claims held against the copy, and `review library`.

Also: a claims register's own ids (C-001) are kept in every check output and in `explain`.
"""

from __future__ import annotations

import datetime as dt
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from claimaudit import audit
from claimaudit.cli import main
from claimaudit.review.library import (
    Library,
    LibraryClaim,
    LibraryIndex,
    differences,
    id_style,
    load_library,
    render_library,
    write_library,
)

PACK = {"sources": [
    {"id": "frost2021", "citation": "Frost K, et al. Cold packs after knee surgery. 2021.",
     "summary": "In a trial of 90 adults after knee surgery, cold packs may ease knee swelling by 30% "
                "compared with no packs."},
    {"id": "wren2020", "citation": "Wren J. Stretching and back stiffness. 2020.",
     "summary": "Daily stretching eased morning back stiffness in office workers over eight weeks."},
]}
PACK_YAML = """\
sources:
  - id: frost2021
    citation: "Frost K, et al. Cold packs after knee surgery. 2021."
    summary: >
      In a trial of 90 adults after knee surgery, cold packs may ease knee swelling by 30%
      compared with no packs.
  - id: wren2020
    citation: "Wren J. Stretching and back stiffness. 2020."
    summary: >
      Daily stretching eased morning back stiffness in office workers over eight weeks.
"""

APPROVED_COLD = "Cold packs may ease knee swelling by 30% in adults after surgery."
APPROVED_STRETCH = "Daily stretching eases morning back stiffness in office workers."
HEADER = ["id", "claim", "sources", "approved_by", "approved_on", "expires_on", "notes"]
ROWS = [
    ["C-001", APPROVED_COLD, "frost2021", "Dana Ruiz", "2024-05-02", "", "first wave"],
    ["C-002", APPROVED_STRETCH, "wren2020; frost2021", "Omar Haddad", "2023-09-14", "2024-09-14", ""],
]


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def write_csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]], header: list[str] = HEADER) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


YAML_LIBRARY = f"""\
claims:
  - id: C-001
    claim: "{APPROVED_COLD}"
    sources: [frost2021]
    approved_by: Dana Ruiz
    approved_on: 2024-05-02
    notes: first wave
  - id: C-002
    claim: "{APPROVED_STRETCH}"
    sources: "wren2020; frost2021"
    approved_by: Omar Haddad
    approved_on: 2023-09-14
    expires_on: 2024-09-14
"""


def as_tuples(library: Library) -> list[tuple]:
    return [(c.id, c.claim, c.sources, c.approved_by, c.approved_on, c.expires_on) for c in library.claims]


def run(*args: object):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


# --------------------------------------------------------------------------- reading


def test_csv_xlsx_and_yaml_libraries_read_the_same_claims(tmp_path):
    from_csv = load_library(write_csv(tmp_path / "lib.csv", ROWS))
    from_xlsx = load_library(write_xlsx(tmp_path / "lib.xlsx", ROWS))
    (tmp_path / "lib.yaml").write_text(YAML_LIBRARY, encoding="utf-8")
    from_yaml = load_library(tmp_path / "lib.yaml")
    expected = [
        ("C-001", APPROVED_COLD, ("frost2021",), "Dana Ruiz", dt.date(2024, 5, 2), None),
        ("C-002", APPROVED_STRETCH, ("wren2020", "frost2021"), "Omar Haddad", dt.date(2023, 9, 14),
         dt.date(2024, 9, 14)),
    ]
    assert as_tuples(from_csv) == as_tuples(from_xlsx) == as_tuples(from_yaml) == expected
    assert from_csv.claims[0].extra == {"notes": "first wave"}


def test_dates_typed_as_dates_in_a_workbook_are_read_as_dates(tmp_path):
    rows = [["C-001", APPROVED_COLD, "frost2021", "Dana Ruiz", dt.datetime(2024, 5, 2), dt.date(2026, 1, 31), ""]]
    (claim,) = load_library(write_xlsx(tmp_path / "lib.xlsx", rows)).claims
    assert (claim.approved_on, claim.expires_on) == (dt.date(2024, 5, 2), dt.date(2026, 1, 31))


def test_header_spellings_are_forgiven_and_unknown_columns_kept_when_written_back(tmp_path):
    header = ["Claim ID", "Claim", "Sources", "Approved by", "Approved on", "Reviewer notes"]
    library = load_library(write_csv(tmp_path / "lib.csv", [["C-001", APPROVED_COLD, "frost2021", "Dana Ruiz",
                                                             "2024-05-02", "keep this"]], header))
    assert library.claims[0].extra == {"Reviewer notes": "keep this"}
    write_library(library, tmp_path / "out.csv")
    written = (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines()
    assert written[0] == "id,claim,sources,approved_by,approved_on,expires_on,Reviewer notes"
    assert written[1].endswith(",keep this")


def bad_library(tmp_path, kind: str, text: str) -> Path:
    path = tmp_path / f"lib.{kind}"
    path.write_text(text, encoding="utf-8")
    return path


BAD_LIBRARIES = [
    # (file suffix, content, what the one error line must say)
    ("csv", "claim,approved_by,approved_on\nCold packs help.,Dana Ruiz,2024-05-02\n",
     ["lib.csv:1:", "id:", "no id column"]),
    ("csv", "id,claim,approved_by,approved_on\nC-001,Cold packs help.,Dana Ruiz,2024-05-02\n"
            ",Stretching helps.,Dana Ruiz,2024-05-02\n", ["lib.csv:3:", "id:", "no id"]),
    ("csv", "id,claim,approved_by,approved_on\nC-001,,Dana Ruiz,2024-05-02\n", ["lib.csv:2:", "claim:", "no wording"]),
    ("csv", "id,claim,approved_by,approved_on\nC-001,Cold packs help.,Dana Ruiz,2024-05-02\n"
            "c-001,Stretching helps.,Dana Ruiz,2024-05-02\n", ["lib.csv:3:", "id:", "given twice", "line 2"]),
    ("csv", "id,claim,approved_by,approved_on\nC-001,Cold packs help.,Dana Ruiz,2024-31-01\n",
     ["lib.csv:2:", "approved_on:", "'2024-31-01' is not a date"]),
    ("csv", "id,claim,approved_by,approved_on\nC-001,Cold packs help.,Dana Ruiz,2 May 2024\n",
     ["lib.csv:2:", "approved_on:", "YYYY-MM-DD"]),
    ("csv", "id,claim,approved_by,approved_on\nC-001,Cold packs help.,,2024-05-02\n",
     ["lib.csv:2:", "approved_by:", "without a name does not count"]),
    ("csv", "id,claim,approved_by,approved_on,expires_on\nC-001,Cold packs help.,Dana Ruiz,2024-05-02,2023-01-01\n",
     ["lib.csv:2:", "expires_on:", "before it was approved"]),
    ("yaml", "claims:\n  - id: C-001\n    claim: Cold packs help.\n    approved_by: Dana Ruiz\n"
             "    approved_on: 2024-05-02\n  - id: C-002\n    claim: Stretching helps.\n"
             "    approved_by: Dana Ruiz\n    approved_on: last spring\n",
     ["lib.yaml:9:", "approved_on:", "'last spring' is not a date"]),
    ("yaml", "claims:\n  - id: C-001\n    claim: [not, text]\n    approved_by: Dana Ruiz\n"
             "    approved_on: 2024-05-02\n",
     ["lib.yaml:3:", "claim:", "must be text"]),
    ("yaml", "claims: {id: C-001}\n", ["lib.yaml:1:", "a list of claims"]),
    ("yaml", "sources:\n  - id: frost2021\n    summary: Cold packs help.\n", ["lib.yaml:1:", "a list of claims"]),
    ("yaml", "- id: C-001\n  claim: Cold packs help.\n  Approved by: Dana Ruiz\n  approved_on: 2024-05-02\n"
             "- id: c-001\n  claim: Stretching helps.\n  Approved by: Dana Ruiz\n  approved_on: 2024-05-02\n",
     ["lib.yaml:5:", "id:", "given twice (first on line 1)"]),
    ("yaml", "- id: C-001\n  claim: Cold packs help.\n  Approved by: ''\n  approved_on: 2024-05-02\n",
     ["lib.yaml:3:", "approved_by:"]),
    ("txt", "id,claim\n", ["lib.txt:", ".csv, .xlsx or .yaml"]),
]


@pytest.mark.parametrize("kind,text,expected", BAD_LIBRARIES)
def test_a_bad_library_is_exit_2_with_one_line_naming_file_row_and_field(tmp_path, monkeypatch, kind, text, expected):
    monkeypatch.chdir(tmp_path)
    bad_library(tmp_path, kind, text)
    (tmp_path / "page.md").write_text(f"{APPROVED_COLD}\n", encoding="utf-8")
    result = run("check", "page.md", "--library", f"lib.{kind}")
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for part in expected:
        assert part in lines[0]
    assert "Traceback" not in result.output


def test_a_duplicate_id_in_a_workbook_names_its_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write_xlsx(tmp_path / "lib.xlsx", [ROWS[0], ["C-001", APPROVED_STRETCH, "", "Omar Haddad", "2023-09-14", "", ""]])
    (tmp_path / "page.md").write_text(f"{APPROVED_COLD}\n", encoding="utf-8")
    result = run("audit", "page.md", "--library", "lib.xlsx", "-o", "out")
    assert result.exit_code == 2
    assert result.stderr.strip() == ("claimaudit: error: lib.xlsx:3: id: id C-001 is given twice (first on line 2); "
                                     "keep one row per id")
    assert not (tmp_path / "out").exists()


def test_a_missing_library_is_exit_2(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.md").write_text(f"{APPROVED_COLD}\n", encoding="utf-8")
    result = run("check", "page.md", "--library", "nowhere.csv")
    assert result.exit_code == 2
    assert result.stderr.strip() == "claimaudit: error: nowhere.csv: claims library not found"


# --------------------------------------------------------------------------- matching


def library_of(*claims: LibraryClaim) -> Library:
    return Library(path="lib.csv", claims=list(claims))


COLD = LibraryClaim("C-001", APPROVED_COLD, ("frost2021",), "Dana Ruiz", dt.date(2024, 5, 2))
STRETCH = LibraryClaim("C-002", APPROVED_STRETCH, (), "Omar Haddad", dt.date(2023, 9, 14), dt.date(2024, 9, 14))
TODAY = dt.date(2024, 6, 1)


def test_the_approved_wording_citing_its_sources_is_approved():
    index = LibraryIndex(library_of(COLD, STRETCH), TODAY)
    match = index.match(APPROVED_COLD, ("frost2021",))
    assert match == {"id": "C-001", "status": "approved", "approved_text": APPROVED_COLD, "approved_by": "Dana Ruiz",
                     "approved_on": "2024-05-02"}
    # Case, spacing, curly quotes and the closing full stop are not the wording.
    assert index.match("COLD packs may ease knee  swelling by 30% in adults after surgery", ("Frost2021",))["status"] \
        == "approved"


def test_an_approval_is_expired_after_its_expiry_date_and_not_yet_in_force_before_approval():
    library = library_of(COLD, STRETCH)
    assert LibraryIndex(library, dt.date(2024, 9, 14)).match(APPROVED_STRETCH)["status"] == "approved"
    expired = LibraryIndex(library, dt.date(2024, 9, 15)).match(APPROVED_STRETCH)
    assert (expired["status"], expired["expires_on"]) == ("expired", "2024-09-14")
    assert LibraryIndex(library, dt.date(2023, 9, 13)).match(APPROVED_STRETCH) == {}


@pytest.mark.parametrize("copy,expected", [
    ("Cold packs may ease knee swelling by 50% in adults after surgery.", ["figure 30% → 50%"]),
    ("Cold packs ease knee swelling by 30% in adults after surgery.", ["qualifier “may” removed"]),
    ("Cold packs may ease knee swelling by 30% in children after surgery.",
     ["population “adults” → “children”"]),
    ("Cold packs are proven to ease knee swelling by 30% in adults after surgery.",
     ["qualifier “may” removed", "certainty “proven” added"]),
    ("Cold packs may not ease knee swelling by 30% in adults after surgery.", ["negation “not” added"]),
    ("Cold packs ease knee swelling by 45% in teenagers after surgery.",
     ["figure 30% → 45%", "qualifier “may” removed", "population “adults” → “teenagers”"]),
])
def test_a_changed_figure_qualifier_population_or_certainty_deviates_with_the_difference(copy, expected):
    match = LibraryIndex(library_of(COLD, STRETCH), TODAY).match(copy, ("frost2021",))
    assert (match["id"], match["status"]) == ("C-001", "deviates")
    assert match["differences"] == expected
    assert match["approved_text"] == APPROVED_COLD


def test_close_wording_with_no_checkable_change_still_deviates_never_approved():
    index = LibraryIndex(library_of(COLD), TODAY)
    moved = index.match("In adults after surgery, cold packs may ease knee swelling by 30%.", ("frost2021",))
    assert moved["status"] == "deviates"
    assert moved["differences"] == ["words “In adults after surgery” moved"]
    other_word = index.match("Cold packs may reduce knee swelling by 30% in adults after surgery.", ("frost2021",))
    assert other_word["differences"] == ["wording “ease” → “reduce”"]
    punctuation = index.match("Cold packs may ease knee swelling by 30 % in adults after surgery!", ("frost2021",))
    assert punctuation["differences"] == ["wording differs only in punctuation or word endings"]


def test_citing_other_sources_than_the_library_names_deviates():
    index = LibraryIndex(library_of(COLD), TODAY)
    match = index.match(APPROVED_COLD, ("wren2020",))
    assert (match["status"], match["differences"]) == ("deviates", ["cites wren2020 instead of frost2021"])
    assert index.match(APPROVED_COLD, ())["differences"] == ["cites no source instead of frost2021"]
    # A library claim that names no sources asks nothing of the citations.
    assert LibraryIndex(library_of(STRETCH), TODAY).match(APPROVED_STRETCH, ("wren2020",))["status"] == "approved"


def test_an_unrelated_claim_or_the_same_words_about_another_subject_match_nothing():
    index = LibraryIndex(library_of(COLD, STRETCH), TODAY)
    assert index.match("Our clinic opened its third site in the spring.") == {}
    assert index.match("Heat wraps may ease knee swelling by 30% in adults after surgery.", ("frost2021",)) == {}


def test_differences_read_the_approved_side_first():
    assert differences("Zinc may shorten colds by 2 days.", "Zinc shortens colds by 3 days.") == [
        "figure 2 days → 3 days", "qualifier “may” removed"]


def test_the_library_marks_findings_but_never_changes_a_verdict(tmp_path):
    copy = "\n\n".join([APPROVED_COLD, "Cold packs ease knee swelling by 60% in adults after surgery.",
                        "Our clinic opened its third site in the spring."]) + "\n"
    write_csv(tmp_path / "lib.csv", ROWS)
    plain = audit(copy, PACK).result.findings
    marked = audit(copy, PACK, library=tmp_path / "lib.csv", as_of="2024-06-01").result.findings
    assert [f.verdict for f in plain] == [f.verdict for f in marked]
    assert [f.confidence for f in plain] == [f.confidence for f in marked]
    by_text = {f.text: f.library for f in marked}
    assert by_text[APPROVED_COLD]["status"] == "deviates"  # the page cites no source
    assert by_text["Cold packs ease knee swelling by 60% in adults after surgery."]["differences"][:2] == [
        "figure 30% → 60%", "qualifier “may” removed"]
    assert all(not f.library for f in plain)


# --------------------------------------------------------------------------- check and audit


def claims_table(tmp_path: Path, kind: str) -> Path:
    rows = [
        ["Ref", "Claim", "Source"],
        ["C-001", APPROVED_COLD, "frost2021"],
        ["C-002", "Cold packs ease knee swelling by 60% in adults after surgery.", "frost2021"],
        ["C-003", APPROVED_STRETCH, "wren2020; frost2021"],
    ]
    if kind == "xlsx":
        return write_xlsx(tmp_path / "claims.xlsx", rows[1:], rows[0])
    return write_csv(tmp_path / "claims.csv", rows[1:], rows[0])


@pytest.fixture
def register(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pack.yaml").write_text(PACK_YAML, encoding="utf-8")
    write_csv(tmp_path / "lib.csv", ROWS)
    return tmp_path


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_register_ids_and_library_status_reach_json_text_sarif_junit_and_github(register, kind):
    table = claims_table(register, kind).name
    common = [table, "-s", "pack.yaml", "--library", "lib.csv", "--as-of", "2025-01-01"]

    data = json.loads(run("check", *common, "-f", "json").stdout)
    findings = {f["register_id"]: f for f in data["findings"]}
    assert set(findings) == {"C-001", "C-002", "C-003"}
    assert findings["C-001"]["library"]["status"] == "approved"
    assert findings["C-002"]["library"]["status"] == "deviates"
    assert findings["C-003"]["library"] == {
        "id": "C-002", "status": "expired", "approved_text": APPROVED_STRETCH, "approved_by": "Omar Haddad",
        "approved_on": "2023-09-14", "expires_on": "2024-09-14"}
    assert data["check"]["library"]["approved"] == 1
    assert {item["register_id"] for item in data["check"]["items"]} <= {"C-001", "C-002", "C-003"}

    text = run("check", *common).stdout
    failing = next(line for line in text.splitlines() if " overstated " in line)
    assert failing.startswith(f"{table}:3:") and failing.endswith("[C-002] [library C-001: deviates]")
    deviation = next(line for line in text.splitlines() if " library C-001 deviates" in line)
    assert deviation.endswith("figure 30% → 60%; qualifier “may” removed [C-002]")
    assert "Claims library: 1 approved, " in text

    sarif = json.loads(run("check", *common, "-f", "sarif").stdout)
    results = sarif["runs"][0]["results"]
    flagged = next(r for r in results if r["ruleId"] == "CA102")
    assert flagged["properties"]["registerId"] == "C-002"
    assert flagged["properties"]["library"]["status"] == "deviates"
    library_results = [r for r in results if r["ruleId"] == "library.deviates"]
    assert library_results[0]["properties"]["registerId"] == "C-002"
    assert "figure 30% → 60%" in library_results[0]["message"]["text"]
    rules = {rule["id"] for rule in sarif["runs"][0]["tool"]["driver"]["rules"]}
    assert "library.deviates" in rules

    junit = ET.fromstring(run("check", *common, "-f", "junit").stdout)
    names = [case.get("name") for case in junit.iter("testcase")]
    assert any(name.startswith("C-002, line 3: Cold packs ease") for name in names)
    outs = " ".join(case.findtext("system-out") or "" for case in junit.iter("testcase"))
    assert "register id: C-001" in outs and "library: deviates from approved wording C-001" in outs

    github = run("check", *common, "-f", "github").stdout
    error = next(line for line in github.splitlines() if line.startswith("::error "))
    assert "Register id: C-002%0ALibrary: C-001 deviates" in error
    assert any(line.startswith(f"::warning file={table},line=3,") and "title=claimaudit library C-001 (deviates)"
               in line for line in github.splitlines())


def test_a_deviation_is_shown_but_does_not_fail_the_check(register):
    (register / "page.md").write_text("Cold packs may ease knee swelling by 30% in adults after knee surgery.\n",
                                      encoding="utf-8")
    result = run("check", "page.md", "-s", "pack.yaml", "--library", "lib.csv", "--as-of", "2024-06-01")
    assert "page.md:1:1: library C-001 deviates from approved wording: " in result.stdout
    assert result.exit_code == 0, result.output


def test_as_of_without_a_library_is_a_usage_error(register):
    claims_table(register, "csv")
    result = run("check", "claims.csv", "--as-of", "2024-06-01")
    assert result.exit_code == 2
    assert "--as-of" in result.stderr and "--library" in result.stderr


def test_audit_writes_register_ids_and_library_matches_to_audit_json(register):
    claims_table(register, "csv")
    result = run("audit", "claims.csv", "-s", "pack.yaml", "--library", "lib.csv", "--as-of", "2024-06-01",
                 "-o", "out", "-f", "json")
    assert result.exit_code == 0, result.output
    assert "Claims library: " in result.stdout
    data = json.loads((register / "out" / "audit.json").read_text(encoding="utf-8"))
    assert [f.get("register_id") for f in data["findings"]] == ["C-001", "C-002", "C-003"]
    assert data["findings"][0]["library"]["id"] == "C-001"
    # The date the approvals were judged on is in the report, so the statuses can be reproduced.
    assert data["library"] == {"file": "lib.csv", "as_of": "2024-06-01", "claims": 2}
    import jsonschema
    from importlib import resources

    schema = json.loads(resources.files("claimaudit.report").joinpath("schema/audit.schema.json").read_text())
    jsonschema.validate(data, schema)


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_explain_takes_a_register_id_from_a_claims_table_and_shows_the_library(register, kind):
    table = claims_table(register, kind).name
    result = run("explain", "c-002", "--table", table, "-s", "pack.yaml", "--library", "lib.csv",
                 "--as-of", "2024-06-01")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert out.startswith("Claim: Cold packs ease knee swelling by 60% in adults after surgery.\n"
                          "Register id: C-002\nCites: frost2021\n")
    assert "6. Claims library (lib.csv, as of 2024-06-01; approval is not evidence, the verdict stands)" in out
    assert f"   C-001 deviates: the approved wording is “{APPROVED_COLD}”" in out
    assert "      - figure 30% → 60%" in out
    missing = run("explain", "C-404", "--table", table)
    assert missing.exit_code == 2
    assert missing.stderr.strip().endswith("no row has the id 'C-404'; the ids are C-001, C-002, C-003")


# --------------------------------------------------------------------------- review library


def reviewed_workbook(folder: Path, decisions: dict[str, tuple[str, str, str]]) -> Path:
    """Audit a claims table and fill in the workbook as a reviewer would: {claim start: (decision, who, date)}."""
    result = run("audit", "claims.csv", "-s", "pack.yaml", "-o", "reports", "-f", "xlsx")
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(folder / "reports" / "audit.xlsx")
    sheet = book["Claims"]
    header = [cell.value for cell in sheet[1]]
    column = {name: header.index(name) + 1 for name in ("Claim", "Decision", "Reviewer", "Date")}
    for row in range(2, sheet.max_row + 1):
        claim = str(sheet.cell(row, column["Claim"]).value or "")
        for start, (decision, who, date) in decisions.items():
            if claim.startswith(start):
                sheet.cell(row, column["Decision"]).value = decision
                sheet.cell(row, column["Reviewer"]).value = who or None
                sheet.cell(row, column["Date"]).value = date or None
    path = folder / "reviewed.xlsx"
    book.save(path)
    return path


def test_review_library_creates_a_library_then_updates_it_with_ids_continuing(register):
    claims_table(register, "csv")
    first = reviewed_workbook(register, {
        "Cold packs may": ("Approve", "Dana Ruiz", "2025-01-10"),
        "Daily stretching": ("Approve", "Omar Haddad", "2025-01-11"),
        "Cold packs ease": ("Approve with change", "Dana Ruiz", "2025-01-10"),
    })
    result = run("review", "library", first, "--library", "approved.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "wrote approved.csv: 2 claim(s); 2 added (C-001, C-002), 0 renewed"
    created = load_library(register / "approved.csv")
    assert [(c.id, c.claim, c.sources, c.approved_by, c.approved_on) for c in created.claims] == [
        ("C-001", APPROVED_COLD, ("frost2021",), "Dana Ruiz", dt.date(2025, 1, 10)),
        # The register's row cites both sources, so the approval covers both, not only the best evidence.
        ("C-002", APPROVED_STRETCH, ("wren2020", "frost2021"), "Omar Haddad", dt.date(2025, 1, 11)),
    ]

    second = reviewed_workbook(register, {
        "Cold packs ease": ("Approve", "Dana Ruiz", "2025-02-01"),
        "Daily stretching": ("Approve", "Lena Vogt", "2025-02-03"),
        "Cold packs may": ("Approve", "", ""),  # no name: does not count
    })
    result = run("review", "library", second, "--library", "approved.csv")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "wrote approved.csv: 3 claim(s); 1 added (C-003), 1 renewed (C-002)"
    updated = load_library(register / "approved.csv")
    assert [(c.id, c.approved_by, c.approved_on) for c in updated.claims] == [
        ("C-001", "Dana Ruiz", dt.date(2025, 1, 10)),
        ("C-002", "Lena Vogt", dt.date(2025, 2, 3)),
        ("C-003", "Dana Ruiz", dt.date(2025, 2, 1)),
    ]
    # The same review again changes nothing, byte for byte.
    before = (register / "approved.csv").read_bytes()
    run("review", "library", second, "--library", "approved.csv")
    assert (register / "approved.csv").read_bytes() == before


def test_review_library_keeps_the_librarys_own_id_style_and_writes_by_the_out_suffix(register):
    claims_table(register, "csv")
    write_csv(register / "house.csv", [["LIB-0041", APPROVED_COLD, "frost2021", "Dana Ruiz", "2024-05-02", "", ""]])
    workbook = reviewed_workbook(register, {"Daily stretching": ("Approve", "Omar Haddad", "2025-01-11")})
    for out in ("house.xlsx", "house.yaml"):
        result = run("review", "library", workbook, "--library", "house.csv", "--out", out)
        assert result.exit_code == 0, result.output
        assert [c.id for c in load_library(register / out).claims] == ["LIB-0041", "LIB-0042"]
        first = (register / out).read_bytes()
        run("review", "library", workbook, "--library", "house.csv", "--out", out)
        assert (register / out).read_bytes() == first  # deterministic
    assert (register / "house.csv").read_text(encoding="utf-8").count("\n") == 2  # --out left it alone


def test_renewing_an_approval_drops_an_expiry_that_belonged_to_the_old_one(register):
    claims_table(register, "csv")
    write_csv(register / "lib.csv", ROWS)
    workbook = reviewed_workbook(register, {"Daily stretching": ("Approve", "Lena Vogt", "2025-02-03")})
    run("review", "library", workbook, "--library", "lib.csv")
    renewed = {c.id: c for c in load_library(register / "lib.csv").claims}["C-002"]
    assert (renewed.approved_by, renewed.approved_on, renewed.expires_on) == ("Lena Vogt", dt.date(2025, 2, 3), None)


def test_id_style_defaults_and_follows_the_most_used_prefix():
    assert id_style([]) == ("C-", 3, 1)
    claims = [LibraryClaim(i, "x") for i in ("CL-07", "CL-12", "X9", "CL-3")]
    assert id_style(claims) == ("CL-", 2, 13)


def test_an_empty_library_writes_and_reads_back_in_every_format(tmp_path):
    for suffix in ("csv", "xlsx", "yaml"):
        path = tmp_path / f"empty.{suffix}"
        data = render_library(Library(str(path)), suffix)
        path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        assert load_library(path).claims == []


def test_a_register_id_column_is_read_by_any_of_its_spellings_id_first(tmp_path):
    from claimaudit.ingest import load_copy

    write_csv(tmp_path / "a.csv", [["R7", "Q-2", APPROVED_COLD]], ["Reference", "Claim ID", "Claim"])
    write_xlsx(tmp_path / "b.xlsx", [[APPROVED_COLD, "  C-  009 ", "x"]], ["Claim", "ID", "Ref"])
    write_csv(tmp_path / "c.csv", [[APPROVED_COLD]], ["Claim"])
    (a,), (b,), (c,) = (load_copy(tmp_path / name) for name in ("a.csv", "b.xlsx", "c.csv"))
    assert [block.register_id for doc in (a, b, c) for block in doc.blocks] == ["Q-2", "C- 009", ""]
