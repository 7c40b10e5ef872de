"""The Excel workbook: the sheets reviewers expect, locked down, and immune to formula injection."""

from __future__ import annotations

import csv
import datetime as dt
import os
import shutil
import subprocess
import zipfile

import openpyxl
import pandas as pd
import pytest
from report_samples import FORMULA, HOSTILE_CELL_STARTS, SCRIPT, sample_result

from claimaudit.model import AuditResult
from claimaudit.report import render_xlsx, write_xlsx
from claimaudit.report.xlsx_report import DECISIONS, clean_text

CLAIMS_HEADER = [
    "ID", "Document", "Line", "Claim", "Verdict", "Confidence", "Rules", "Reasons",
    "Best evidence", "Source", "Suggestion", "Decision", "Comment", "Reviewer", "Date",
]
REVIEWER = {"Decision", "Comment", "Reviewer", "Date"}


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    target = tmp_path_factory.mktemp("xlsx") / "audit.xlsx"
    write_xlsx(sample_result(), target)
    return target


@pytest.fixture(scope="module")
def book(path):
    return openpyxl.load_workbook(path)


def column(ws, name):
    header = [c.value for c in ws[1]]
    return header.index(name) + 1


def test_workbook_has_its_seven_sheets_in_order(book):
    assert book.sheetnames == ["Summary", "Claims", "Evidence", "Sources", "Rules", "Not audited", "Audit trail"]


def test_claims_sheet_has_one_row_per_finding_in_report_order(book):
    ws = book["Claims"]
    assert [c.value for c in ws[1]] == CLAIMS_HEADER
    assert ws.max_row == 1 + 11
    ids = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert ids[:2] == ["site-0114", "site-0185"] and ids[-1].startswith("claims-")
    first = {name: ws.cell(row=2, column=column(ws, name)).value for name in CLAIMS_HEADER}
    assert first["Verdict"] == "overstated"
    assert first["Line"] == 4
    assert first["Confidence"] == pytest.approx(0.823)
    assert first["Rules"] == "CA101, CA301"
    assert "CA101 figures.inflated: 60% is larger" in first["Reasons"]
    assert first["Source"].startswith("rodent2021: Okafor A")
    assert first["Decision"] is None and first["Date"] is None


def test_every_sheet_freezes_its_header_row(book):
    for name in ("Evidence", "Sources", "Rules", "Not audited"):
        assert book[name].freeze_panes == "A2", name
    # The Claims sheet also keeps the ID, Document, Line and Claim columns in view.
    assert book["Claims"].freeze_panes == "E2"


def test_claims_have_filter_buttons_that_work_on_the_protected_sheet(book):
    ws = book["Claims"]
    # A sheet AutoFilter, not a table: Excel disables a table's filter on a protected sheet.
    assert list(ws.tables) == []
    assert ws.auto_filter.ref == f"A1:O{ws.max_row}"


def test_decision_column_offers_the_reviewer_choices(book):
    ws = book["Claims"]
    validations = [v for v in ws.data_validations.dataValidation if v.type == "list"]
    assert len(validations) == 1
    rule = validations[0]
    assert rule.type == "list"
    assert rule.formula1 == '"' + ",".join(DECISIONS) + '"'
    assert str(rule.sqref) == f"L2:L{ws.max_row}"
    assert ws.cell(row=1, column=12).value == "Decision"


def test_verdict_column_is_coloured_by_conditional_formatting(book):
    ws = book["Claims"]
    formats = {str(rng.sqref): rng.rules for rng in ws.conditional_formatting}
    rules = formats[f"E2:E{ws.max_row}"]
    assert sorted(r.formula[0] for r in rules) == ['"overstated"', '"supported"', '"unsupported"']
    assert all(r.dxf is not None and r.dxf.fill is not None for r in rules)


def test_only_reviewer_columns_are_editable(book):
    ws = book["Claims"]
    assert ws.protection.sheet is True
    assert not ws.protection.password
    assert ws.protection.autoFilter is False  # filtering stays allowed
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        for name, cell in zip(header, row, strict=True):
            assert cell.protection.locked is (name not in REVIEWER), (name, cell.coordinate)


def test_hostile_text_is_stored_as_plain_strings(book):
    cells = [c for ws in book.worksheets for row in ws.iter_rows() for c in row
             if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    values = {c.value for c in cells}
    assert FORMULA in values
    assert "+1+1 more patients walk unaided after treatment." in values
    assert "-2 days of recovery time on average at our clinic." in values
    assert "@SUM(A1)" in values
    assert "\tSupports nerve repair in laboratory cells." in values
    # XML has no carriage returns to keep, so they are stored as line feeds.
    assert "\nApproved by regulators for MS." in values
    assert any(SCRIPT in v for v in values) and any("改善" in v for v in values)


def test_no_sheet_contains_a_formula(path):
    with zipfile.ZipFile(path) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == 7
        for name in sheets:
            xml = archive.read(name).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, name
        others = "".join(archive.read(n).decode() for n in sheets if "sheet2" not in n)
        assert "HYPERLINK" not in others  # the formula-like claim is only on the Claims sheet


def test_pandas_reads_the_claims_back_unchanged(path):
    claims = pd.read_excel(path, sheet_name="Claims", dtype={"Claim": str})
    result = sample_result()
    assert list(claims.columns) == CLAIMS_HEADER
    assert len(claims) == len(result.findings)
    expected = {clean_text(f.text) for f in result.findings}
    assert set(claims["Claim"]) == expected
    assert claims["Verdict"].value_counts().to_dict() == {
        "unsupported": 5, "overstated": 3, "supported": 3,
    }
    sheets = pd.read_excel(path, sheet_name=None)
    assert set(sheets) == {"Summary", "Claims", "Evidence", "Sources", "Rules", "Not audited", "Audit trail"}


def test_evidence_sheet_lists_every_ranked_evidence_row(book):
    ws = book["Evidence"]
    assert [c.value for c in ws[1]] == ["Claim ID", "Rank", "Source", "Similarity", "Evidence"]
    total = sum(len(f.evidence) for f in sample_result().findings)
    assert ws.max_row == 1 + total
    ranks = [ws.cell(row=r, column=2).value for r in range(2, ws.max_row + 1)]
    assert ranks[:2] == [1, 2]


def test_sources_sheet_links_doi_and_pubmed_but_never_script_urls(book):
    ws = book["Sources"]
    assert [c.value for c in ws[1]] == ["ID", "Citation", "DOI", "PMID", "URL", "Kind"]
    links = {c.hyperlink.target for row in ws.iter_rows(min_row=2) for c in row if c.hyperlink}
    assert links == {
        "https://doi.org/10.1000/jen.2021.045",
        "https://pubmed.ncbi.nlm.nih.gov/31234567/",
        "https://example.org/outcomes?year=2023&kind=recovery",
    }
    # The Claims sheet's Source cell goes to the source's row here, where its DOI link is.
    claims = book["Claims"]
    source_links = [c.hyperlink.location for c in claims["J"][1:] if c.hyperlink]
    assert source_links and all(link.startswith("'Sources'!A") for link in source_links)


def test_rules_sheet_explains_each_rule_that_fired(book):
    ws = book["Rules"]
    assert [c.value for c in ws[1]][:7] == [
        "Code", "Name", "Family", "Level", "What it flags", "Why it matters", "Use instead",
    ]
    rows = {r[0].value: [c.value for c in r] for r in ws.iter_rows(min_row=2)}
    assert set(rows) == {"CA101", "CA1001", "CA201", "CA301", "CA401", "CA501", "CA601", "CA901"}
    assert rows["CA101"][6] == "Quote the source's own figure and who it applied to."
    assert rows["CA501"][4] == "Claims of regulatory approval or clearance."  # dict-shaped rule
    assert rows["CA901"][1] == "business.internal"  # fired, but no definition was loaded


def test_summary_sheet_counts_and_charts(book):
    ws = book["Summary"]
    cells = {ws.cell(row=r, column=1).value: ws.cell(row=r, column=2).value
             for r in range(1, ws.max_row + 1)}
    assert cells["supported"] == 3 and cells["overstated"] == 3 and cells["unsupported"] == 5
    assert cells["Total"] == 11
    assert cells["establishment"] == 2
    assert cells["claims/deck.csv"] == 2  # supported claims in the deck
    assert len(ws._charts) == 1


def test_document_properties_are_fixed(book):
    props = book.properties
    assert props.creator == "claimaudit"
    assert props.lastModifiedBy is None
    assert props.created == dt.datetime(2000, 1, 1)
    assert props.modified == dt.datetime(2000, 1, 1)


def test_workbook_bytes_are_identical_across_runs(tmp_path):
    assert render_xlsx(sample_result()) == render_xlsx(sample_result())
    write_xlsx(sample_result(), tmp_path / "a.xlsx")
    write_xlsx(sample_result(), tmp_path / "b.xlsx")
    assert (tmp_path / "a.xlsx").read_bytes() == (tmp_path / "b.xlsx").read_bytes()
    # Nothing in the archive depends on the clock.
    with zipfile.ZipFile(tmp_path / "a.xlsx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(2000, 1, 1, 0, 0, 0)}
        core = archive.read("docProps/core.xml").decode()
    assert core.count("2000-01-01T00:00:00Z") == 2


def test_empty_audit_still_gives_a_valid_workbook(tmp_path):
    target = tmp_path / "empty.xlsx"
    write_xlsx(AuditResult(documents=[], sources=[], findings=[]), target)
    book = openpyxl.load_workbook(target)
    ws = book["Claims"]
    assert ws.auto_filter.ref == "A1:O2"
    assert ws.cell(row=2, column=12).protection.locked is False


def test_failed_render_keeps_the_old_workbook(tmp_path):
    target = tmp_path / "audit.xlsx"
    target.write_bytes(b"old workbook")
    broken = sample_result()
    broken.findings[0].line = "four"
    with pytest.raises((TypeError, ValueError)):
        write_xlsx(broken, target)
    assert target.read_bytes() == b"old workbook"
    assert os.listdir(tmp_path) == ["audit.xlsx"]


def test_control_characters_do_not_break_the_workbook(tmp_path):
    result = sample_result()
    result.findings[0].suggestion = "bell\x07 and null\x00 inside"
    target = tmp_path / "audit.xlsx"
    write_xlsx(result, target)
    values = [c.value for row in openpyxl.load_workbook(target)["Claims"].iter_rows() for c in row]
    assert "bell\ufffd and null\ufffd inside" in values


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_shows_hostile_cells_as_literal_text(path, tmp_path):
    profile = tmp_path / "profile"
    completed = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
         'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2',
         "--outdir", str(tmp_path), str(path)],
        capture_output=True, text=True, timeout=180,
    )
    assert completed.returncode == 0, completed.stderr
    exported = tmp_path / "audit-Claims.csv"
    assert exported.exists(), sorted(os.listdir(tmp_path))
    with open(exported, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    claims = {row["Claim"] for row in rows}
    for start in HOSTILE_CELL_STARTS[:4]:
        assert any(claim.startswith(start) for claim in claims), start
    assert any(claim.startswith("\t") for claim in claims)
    # A formula would have been evaluated to its result ("y", 2, #NAME?...).
    assert f"{FORMULA} Our therapy doubles mobility." in claims
    assert "#NAME?" not in exported.read_text(encoding="utf-8")
