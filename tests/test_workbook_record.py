"""The workbook as a reviewer's record: it prints readably, filters while protected, links each
claim to its source, keeps its header in view, explains its colours, shows register ids and the
claims library, never stores a formula, and comes out the same bytes every time."""

from __future__ import annotations

import csv
import hashlib
import io
import math
import os
import subprocess
import sys
import zipfile
from copy import deepcopy
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from report_samples import FORMULA, sample_result

from claimaudit.model import AuditResult, Document, Evidence, Finding, Source
from claimaudit.report import render_claims_csv, render_xlsx

TABLE_SHEETS = ("Claims", "Evidence", "Sources", "Rules", "Not audited")
REVIEWER = {"Decision", "Comment", "Reviewer", "Date"}
# Landscape paper widths in inches; Letter is the narrower.
LETTER, A4 = 11.0, 11.69
# 11 pt text printed at 62% is 6.8 pt: the smallest we call readable.
READABLE = 0.62


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


@pytest.fixture(scope="module")
def book() -> openpyxl.Workbook:
    return load(render_xlsx(sample_result()))


def header(ws) -> list[str]:
    return [cell.value for cell in ws[1]]


def column_of(ws, name: str) -> int:
    return header(ws).index(name) + 1


def printed_scale(ws, paper_inches: float) -> float:
    """The scale a fit-to-one-page-wide print needs: the columns' width against the paper's
    less its side margins (a column is 7 px a digit width plus 5 px, at 96 px an inch)."""
    columns = len(header(ws))
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, columns + 1)]
    total_points = sum((width * 7 + 5) * 0.75 for width in widths)
    printable_points = (paper_inches - ws.page_margins.left - ws.page_margins.right) * 72
    return min(1.0, printable_points / total_points)


# --------------------------------------------------------------------------- printing


@pytest.mark.parametrize("name", TABLE_SHEETS)
def test_each_table_prints_landscape_one_page_wide_with_its_header_on_every_page(book, name):
    ws = book[name]
    assert ws.page_setup.orientation == "landscape"
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert int(ws.page_setup.fitToWidth) == 1
    assert int(ws.page_setup.fitToHeight) == 0  # as many pages long as the rows need
    assert ws.page_setup.paperSize is None  # the printer's own paper
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_options.gridLines is True
    assert ws.oddHeader.left.text == "Claim audit: 2 documents, 11 claims"
    assert ws.oddHeader.right.text == "&A"  # the sheet's name
    assert ws.oddFooter.center.text == "Page &P of &N"
    assert ws.page_margins.left == ws.page_margins.right == 0.25


def test_the_summary_prints_on_the_same_terms(book):
    ws = book["Summary"]
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.fitToWidth) == 1
    assert ws.oddFooter.center.text == "Page &P of &N"


@pytest.mark.parametrize("name", TABLE_SHEETS)
def test_one_page_wide_keeps_the_text_readable(book, name):
    ws = book[name]
    assert printed_scale(ws, LETTER) >= READABLE, name
    assert printed_scale(ws, A4) >= READABLE + 0.04, name


def test_claims_print_scale_is_readable_on_letter_and_a4(book):
    ws = book["Claims"]
    # The default columns, all fifteen of them, on one page width.
    assert len(header(ws)) == 15
    assert 0.62 <= printed_scale(ws, LETTER) < 0.7
    assert printed_scale(ws, A4) >= 0.66


def test_rows_are_as_tall_as_their_wrapped_text(book):
    ws = book["Claims"]
    claim_column = column_of(ws, "Claim")
    width = ws.column_dimensions[get_column_letter(claim_column)].width
    heights = {}
    for row in range(2, ws.max_row + 1):
        height = ws.row_dimensions[row].height
        longest = 0
        for column in range(1, ws.max_column + 1):
            cell = ws.cell(row=row, column=column)
            if isinstance(cell.value, str) and cell.alignment.wrap_text:
                width = ws.column_dimensions[get_column_letter(column)].width
                # Even at 1.2 characters a digit width, generous for 11 pt text, this many lines.
                lines = sum(max(1, math.ceil(len(part) / (width * 1.2))) for part in cell.value.split("\n"))
                longest = max(longest, lines)
        heights[row] = height
        if longest > 1:
            assert height is not None and height >= 15 * longest, (row, height, longest)
    assert len({h for h in heights.values() if h}) > 2  # heights vary with the text


def test_a_row_grows_with_its_text_and_stops_at_excels_limit():
    result = sample_result()
    by_text = {f.text: f for f in result.findings}
    short = by_text["-2 days of recovery time on average at our clinic."]
    medium = by_text["Treatment is completely safe with no side effects."]
    huge = by_text["@SUM(A1) clinically proven results."]
    medium.suggestion = "Say what the trials found and in whom. " * 6
    huge.suggestion = "A very long rewrite that goes on and on. " * 400
    short.reasons, short.evidence, short.suggestion = [], [], ""
    book = load(render_xlsx(result))
    ws = book["Claims"]
    row_of = {ws.cell(row=r, column=column_of(ws, "Claim")).value: r for r in range(2, ws.max_row + 1)}
    short_height = ws.row_dimensions[row_of[short.text]].height
    medium_height = ws.row_dimensions[row_of[medium.text]].height
    huge_height = ws.row_dimensions[row_of[huge.text]].height
    # The short claim's row holds at most its two-line document path.
    assert short_height is None or short_height <= 30
    assert medium_height >= 15 * 10 > (short_height or 15)
    assert huge_height == 409  # Excel takes no taller row


def test_a_row_of_one_line_keeps_the_default_height():
    document = Document(path="a.md", text="x", raw="x")
    result = AuditResult(documents=[document], sources=[], findings=[Finding(
        id="c1", document="a.md", text="Walks better.", start=0, end=1, line=1, column=1,
        verdict="unsupported", confidence=0.5)])
    ws = load(render_xlsx(result))["Claims"]
    assert ws.row_dimensions[2].height is None


def test_the_other_sheets_with_wrapped_text_set_their_row_heights():
    result = sample_result()
    result.sources[0].citation = "A citation long enough to wrap over several lines of its column. " * 4
    book = load(render_xlsx(result))
    sources = book["Sources"]
    assert sources.row_dimensions[2].height >= 15 * 3
    evidence = book["Evidence"]
    assert any((evidence.row_dimensions[r].height or 0) > 15 for r in range(2, evidence.max_row + 1))
    rules = book["Rules"]
    assert any((rules.row_dimensions[r].height or 0) > 15 for r in range(2, rules.max_row + 1))


# --------------------------------------------------------------------------- protected, yet filterable


def test_claims_filter_buttons_cover_every_row(book):
    ws = book["Claims"]
    assert list(ws.tables) == []  # a table's filter is disabled on a protected sheet; a sheet filter is not
    assert ws.auto_filter.ref == f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
    assert ws.max_row == 1 + 11


def test_claims_sheet_is_protected_but_filtering_and_sorting_are_allowed(book):
    ws = book["Claims"]
    protection = ws.protection
    assert protection.sheet is True and not protection.password
    # In the file format, False means "not prevented".
    assert protection.autoFilter is False and protection.sort is False
    assert protection.formatRows is False and protection.formatColumns is False
    names = header(ws)
    for row in ws.iter_rows(min_row=1):
        for name, cell in zip(names, row, strict=True):
            editable = cell.row > 1 and name in REVIEWER
            assert cell.protection.locked is (not editable), (name, cell.coordinate)


def test_reviewer_decision_and_date_are_validated(book):
    ws = book["Claims"]
    validations = {v.type: v for v in ws.data_validations.dataValidation}
    decision = get_column_letter(column_of(ws, "Decision"))
    date = get_column_letter(column_of(ws, "Date"))
    assert str(validations["list"].sqref) == f"{decision}2:{decision}{ws.max_row}"
    assert str(validations["date"].sqref) == f"{date}2:{date}{ws.max_row}"
    assert validations["date"].errorStyle == "warning"  # a typed date is never refused outright


def test_rows_are_banded_without_touching_the_verdict_colours(book):
    ws = book["Claims"]
    verdict = get_column_letter(column_of(ws, "Verdict"))
    ranges = {str(rng.sqref): [rule.type for rule in rng.rules] for rng in ws.conditional_formatting}
    assert ranges[f"{verdict}2:{verdict}{ws.max_row}"] == ["cellIs"] * 3
    (banded,) = [sqref for sqref, types in ranges.items() if types == ["expression"]]
    assert f"{verdict}2" not in banded.split(" ")[0] and not any(
        part.startswith(f"{verdict}2:") for part in banded.split(" "))
    assert banded.split(" ")[0].startswith("A2:")


# --------------------------------------------------------------------------- links, panes, legend


def test_each_source_cell_links_to_its_own_row_on_sources(book):
    claims, sources = book["Claims"], book["Sources"]
    source_column = column_of(claims, "Source")
    linked = 0
    for row in range(2, claims.max_row + 1):
        cell = claims.cell(row=row, column=source_column)
        if not cell.value:
            assert cell.hyperlink is None
            continue
        link = cell.hyperlink
        assert link.target is None  # inside the workbook, not out to the web
        sheet, _, place = link.location.partition("!")
        assert sheet == "'Sources'"
        source_id = sources[place].value
        assert cell.value.startswith(f"{source_id}: ")
        linked += 1
    assert linked == 10
    # The DOI link stays on the Sources sheet.
    doi = {c.hyperlink.target for c in sources["C"][1:] if c.hyperlink}
    assert doi == {"https://doi.org/10.1000/jen.2021.045"}


def test_headers_stay_in_view(book):
    # Claims keeps its ID, Document, Line and Claim in view while scrolling right.
    assert book["Claims"].freeze_panes == "E2"
    for name in ("Evidence", "Sources", "Rules", "Not audited"):
        assert book[name].freeze_panes == "A2", name


def test_summary_explains_each_verdict_in_its_claims_colour(book):
    summary, claims = book["Summary"], book["Claims"]
    rows = {summary.cell(row=r, column=1).value: r for r in range(1, summary.max_row + 1)}
    verdict = get_column_letter(column_of(claims, "Verdict"))
    rules = {rule.formula[0].strip('"'): rule.dxf.fill.fgColor.rgb
             for rng in claims.conditional_formatting if str(rng.sqref).startswith(f"{verdict}2:")
             for rule in rng.rules}
    meanings = {}
    for verdict_name in ("supported", "overstated", "unsupported"):
        row = rows[verdict_name]
        cell = summary.cell(row=row, column=1)
        assert cell.fill.fgColor.rgb == rules[verdict_name], verdict_name
        meanings[verdict_name] = summary.cell(row=row, column=3).value
    assert summary.cell(row=rows["supported"] - 1, column=3).value == "What it means"
    assert "every element" in meanings["supported"]
    assert "weaker claim" in meanings["overstated"]
    assert "No source" in meanings["unsupported"]


# --------------------------------------------------------------------------- register ids and the library


def register_result() -> AuditResult:
    result = sample_result()
    by_text = {f.text: f for f in result.findings}
    by_text["Treatment is completely safe with no side effects."].register_id = "C-001"
    walk = by_text["+1+1 more patients walk unaided after treatment."]
    walk.register_id = "C-002"
    walk.library = {"id": "C-012", "status": "deviates", "differences": ["figure 70% → 60%"]}
    by_text["-2 days of recovery time on average at our clinic."].library = {
        "id": "C-020", "status": "expired", "expires_on": "2026-01-31"}
    by_text["\tSupports nerve repair in laboratory cells."].library = {"id": "C-030", "status": "approved"}
    return result


def test_register_and_library_columns_appear_only_when_used(book):
    assert "Register ID" not in header(book["Claims"]) and "Library" not in header(book["Claims"])
    ws = load(render_xlsx(register_result()))["Claims"]
    names = header(ws)
    assert names[:2] == ["ID", "Register ID"]
    assert names[names.index("Verdict") + 1] == "Library"
    values = {ws.cell(row=r, column=column_of(ws, "Claim")).value:
              (ws.cell(row=r, column=2).value, ws.cell(row=r, column=column_of(ws, "Library")).value)
              for r in range(2, ws.max_row + 1)}
    assert values["+1+1 more patients walk unaided after treatment."] == ("C-002", "C-012 deviates: figure 70% → 60%")
    assert values["-2 days of recovery time on average at our clinic."] == (None, "C-020 expired 2026-01-31")
    assert values["\tSupports nerve repair in laboratory cells."] == (None, "C-030 approved")
    assert values["Treatment is completely safe with no side effects."] == ("C-001", None)
    # The frozen columns still run to the Claim; the new columns print on the same page width.
    assert ws.freeze_panes == "F2"
    assert printed_scale(ws, A4) >= READABLE


def test_the_csv_register_gains_the_same_columns_only_when_used():
    plain = list(csv.reader(io.StringIO(render_claims_csv(sample_result()).decode("utf-8-sig"))))
    assert "Register ID" not in plain[0] and "Library" not in plain[0]
    rows = list(csv.reader(io.StringIO(render_claims_csv(register_result()).decode("utf-8-sig"))))
    names = rows[0]
    assert names[:2] == ["ID", "Register ID"]
    assert names[names.index("Verdict") + 1] == "Library"
    register = {row[names.index("Claim")]: row for row in rows[1:]}
    walk = register["'+1+1 more patients walk unaided after treatment."]
    assert walk[1] == "C-002" and walk[names.index("Library")] == "C-012 deviates: figure 70% → 60%"
    assert all(len(row) == len(names) for row in rows)


# --------------------------------------------------------------------------- never a formula, always the same bytes


def test_text_that_looks_like_a_formula_stays_text(book):
    ws = book["Claims"]
    claims = {ws.cell(row=r, column=column_of(ws, "Claim")) for r in range(2, ws.max_row + 1)}
    starts = {cell.value[:1]: cell for cell in claims}
    for start in ("=", "+", "-", "@"):
        assert starts[start].data_type == "s", start
    assert f"{FORMULA} Our therapy doubles mobility." in {cell.value for cell in claims}


def test_no_sheet_stores_a_formula_even_from_a_register():
    result = register_result()
    result.findings[0].register_id = "=1+1"
    result.findings[1].library = {"id": "=HYPERLINK(\"x\")", "status": "approved"}
    with zipfile.ZipFile(io.BytesIO(render_xlsx(result))) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name
    ws = load(render_xlsx(result))["Claims"]
    values = [c for row in ws.iter_rows(min_row=2) for c in row if isinstance(c.value, str)]
    assert "=1+1" in {c.value for c in values} and all(c.data_type == "s" for c in values)


@pytest.mark.parametrize("make", [sample_result, register_result])
def test_the_same_audit_gives_the_same_bytes(make):
    assert render_xlsx(make()) == render_xlsx(make())


def test_the_bytes_do_not_depend_on_the_process():
    # Another process, another hash seed: nothing in the file may follow set or dict order by hash.
    script = ("import hashlib, sys; sys.path.insert(0, 'tests'); from report_samples import sample_result; "
              "from claimaudit.report import render_xlsx; "
              "print(hashlib.sha256(render_xlsx(sample_result())).hexdigest())")
    digests = {
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=120,
                       env={**os.environ, "PYTHONHASHSEED": seed}, cwd=Path(__file__).parent.parent).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1 and hashlib.sha256(render_xlsx(sample_result())).hexdigest() + "\n" in digests


def test_an_empty_audit_gives_a_workbook_a_reviewer_can_still_use():
    ws = load(render_xlsx(AuditResult(documents=[], sources=[], findings=[])))["Claims"]
    assert ws.auto_filter.ref == "A1:O2"
    assert ws.cell(row=2, column=column_of(ws, "Decision")).protection.locked is False
    assert ws.cell(row=2, column=column_of(ws, "Claim")).protection.locked is True


def test_a_large_audit_keeps_every_row_and_link():
    """Rows are written as prepared sheet XML: at volume every row, value and link must read back."""
    source = Source(id="s1", summary="Walking improved in the trial.", citation="Trial report, 2020",
                    doi="10.1000/trial")
    document = Document(path="pages/long.md", text="x", raw="x")
    findings = [
        Finding(id=f"c{n:05d}", document=document.path, text=f"Claim {n} & <more> words " * (1 + n % 7),
                start=0, end=1, line=n + 1, column=1, verdict=("supported", "overstated", "unsupported")[n % 3],
                confidence=0.5, evidence=[Evidence(source="s1", text="Walking improved in the trial.",
                                                   similarity=0.7)])
        for n in range(2500)
    ]
    result = AuditResult(documents=[document], sources=[source], findings=deepcopy(findings))
    ws = load(render_xlsx(result))["Claims"]
    assert ws.max_row == 2501
    last = ws.max_row
    assert ws.cell(row=last, column=1).value == "c02499"
    assert ws.cell(row=last, column=column_of(ws, "Claim")).value == findings[-1].text
    assert ws.cell(row=last, column=column_of(ws, "Line")).value == 2500
    assert ws.cell(row=last, column=column_of(ws, "Source")).hyperlink.location == "'Sources'!A2"
    assert ws.auto_filter.ref == f"A1:O{last}"


def test_a_record_sheet_is_laid_out_row_by_row_and_locked():
    """The layout the sign-off record (an Audit trail sheet) is written with."""
    from openpyxl.writer.excel import ExcelWriter

    from claimaudit.report.xlsx_report import WorkbookWriter

    book = WorkbookWriter(sample_result())
    note = "What the decisions in this workbook are made on, written out at length for the record. " * 3
    book.record_sheet("Record", (30, 66), [
        ("title", ("Audit trail",)), ("note", (note,)), ("blank", ()),
        ("header", ("Document", "sha256")), ("row", ("site/ms-care.html", "ab" * 32)),
    ])
    buffer = io.BytesIO()
    ExcelWriter(book.finish(), zipfile.ZipFile(buffer, "w")).save()
    ws = load(buffer.getvalue())["Record"]
    assert ws["A1"].value == "Audit trail" and ws["A1"].font.bold
    assert ws.row_dimensions[2].height >= 15 * 3  # the note wraps over lines of its own
    assert ws["A3"].value is None
    assert [ws["A4"].value, ws["B4"].value] == ["Document", "sha256"]
    assert ws["B5"].value == "ab" * 32
    assert ws.protection.sheet is True
    assert all(cell.protection.locked for row in ws.iter_rows() for cell in row)
    assert ws.oddFooter.center.text == "Page &P of &N"


def test_a_workbook_with_sign_off_roles_prints_readably_over_pages_repeating_the_claim(tmp_path):
    """Three roles add twelve columns: rather than shrink the text to fit one page, the Claims sheet
    prints as many pages wide as keep it readable, each repeating the columns up to the Claim."""
    from report_samples import sample_result

    from claimaudit.report.xlsx_report import (
        READABLE_PRINT_SCALE,
        PRINTABLE_WIDTH_POINTS,
        column_points,
        render_xlsx,
    )

    result = sample_result()
    result.review_roles = result.required_review_roles = ("Medical", "Legal", "Regulatory")
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(result)))
    ws = book["Claims"]
    header = [cell.value for cell in ws[1]]
    claim_letter = get_column_letter(header.index("Claim") + 1)
    assert ws.page_setup.fitToWidth > 1
    assert ws.print_title_cols == f"$A:${claim_letter}"
    widths = [ws.column_dimensions[get_column_letter(n)].width for n in range(1, len(header) + 1)]
    repeated = sum(column_points(w) for w in widths[:header.index("Claim") + 1])
    rest = sum(column_points(w) for w in widths[header.index("Claim") + 1:])
    pages = ws.page_setup.fitToWidth
    # The pages hold every column at a readable scale, the repeated ones on each page.
    assert pages * PRINTABLE_WIDTH_POINTS / READABLE_PRINT_SCALE >= pages * repeated + rest
    # Without roles it still fits one page wide.
    plain = openpyxl.load_workbook(io.BytesIO(render_xlsx(sample_result())))["Claims"]
    assert plain.page_setup.fitToWidth == 1 and not plain.print_title_cols
