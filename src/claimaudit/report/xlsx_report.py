"""The Excel workbook reviewers work in: one row per claim plus decision columns.

Audited text is always stored as a string cell, never as a formula, however
it starts. The sheet is protected so only the reviewer columns can be edited,
and the file is byte-stable: fixed document dates and zip timestamps.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Container, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from claimaudit.model import VERDICTS, AuditResult
from claimaudit.verdicts.review import DECISIONS, review_counts

from .json_report import not_audited_rows

from .common import (
    TOOL_NAME,
    RuleBook,
    cited_page,
    claim_rows,
    counts_by_document,
    counts_by_family,
    counts_by_verdict,
    doi_url,
    pmid_url,
    round3,
    safe_url,
    scope_label,
    sorted_findings,
    source_label,
    text_of,
    write_atomic,
)

FIXED_TIMESTAMP = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIMESTAMP = (2000, 1, 1, 0, 0, 0)
EXCEL_CELL_LIMIT = 32767

# (header, width, wrap)
CLAIM_COLUMNS = (
    ("ID", 16, False),
    ("Document", 24, True),
    ("Line", 7, False),
    ("Claim", 60, True),
    ("Verdict", 13, False),
    ("Confidence", 12, False),
    ("Rules", 16, True),
    ("Reasons", 60, True),
    ("Best evidence", 60, True),
    ("Source", 32, True),
    ("Suggestion", 50, True),
    ("Decision", 22, False),
    ("Comment", 40, True),
    ("Reviewer", 16, False),
    ("Date", 12, False),
)
PAGE_COLUMN = ("Page", 7, False)

REVIEWER_COLUMNS = ("Decision", "Comment", "Reviewer", "Date")
# Shown before Decision when the audit carried decisions from a reviewed workbook.
REVIEW_COLUMNS = (
    ("Review status", 13, False),
    ("Review note", 44, True),
)
NOT_AUDITED_COLUMNS = (
    ("Document", 24, True), ("Line", 7, False), ("Text", 70, True), ("Where", 16, False),
    ("Why not audited", 44, True),
)
GONE_COLUMNS = (
    ("ID", 16, False), ("Document", 24, True), ("Line", 7, False), ("Claim", 60, True),
    ("Verdict", 13, False), ("Decision", 22, False), ("Comment", 40, True),
    ("Reviewer", 16, False), ("Date", 12, False),
)

VERDICT_STYLES = {
    # Excel's own good / neutral / bad cell styles: dark text on a light fill.
    "supported": ("C6EFCE", "006100"),
    "overstated": ("FFEB9C", "7A4500"),
    "unsupported": ("FFC7CE", "9C0006"),
}
REVIEW_STATUS_STYLES = {
    "carried": ("E2EFDA", "375623"),
    "changed": ("FFEB9C", "7A4500"),
    "re-review": ("FFEB9C", "7A4500"),
    "new": ("DDEBF7", "1F3A68"),
}

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", start_color="1F3A68", end_color="1F3A68")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")


def clean_text(value: object) -> str:
    """Text as a spreadsheet cell can hold it.

    XML turns a carriage return into a line feed on reading, so line breaks are
    normalised up front and the stored value is what a reader gets back.
    """
    text = text_of(value).replace("\r\n", "\n").replace("\r", "\n")
    text = ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)
    if len(text) > EXCEL_CELL_LIMIT:
        text = text[: EXCEL_CELL_LIMIT - 1] + "…"
    return text


def _cell(ws: Worksheet, row: int, column: int) -> Cell:
    # Nothing in these sheets is merged, so every cell is a plain one.
    cell = ws.cell(row=row, column=column)
    assert isinstance(cell, Cell)
    return cell


def text_cell(ws: Worksheet, row: int, column: int, value: object) -> Cell:
    """Put untrusted text in a cell as a plain string, never a formula."""
    cell = _cell(ws, row, column)
    cell.value = clean_text(value)
    # openpyxl reads any string starting with "=" as a formula unless told otherwise.
    cell.data_type = "s"
    return cell


def number_cell(ws: Worksheet, row: int, column: int, value: float, number_format: str = "") -> Cell:
    cell = ws.cell(row=row, column=column, value=value)
    if number_format:
        cell.number_format = number_format
    return cell


def link(cell: Cell, url: str) -> None:
    if url:
        cell.hyperlink = url
        cell.font = Font(color="1846A3", underline="single")


def _header(ws: Worksheet, row: int, labels: Iterable[str], widths: Iterable[float] | None = None) -> None:
    for column, label in enumerate(labels, 1):
        cell = text_cell(ws, row, column, label)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    for column, width in enumerate(widths or (), 1):
        ws.column_dimensions[get_column_letter(column)].width = width


def _plain_table(ws: Worksheet, headers: Sequence[str], widths: Iterable[float],
                 rows: Sequence[Sequence[object]], wrap_columns: Container[int] = ()) -> None:
    """A header row, data rows, a frozen header and filter buttons."""
    _header(ws, 1, headers, widths)
    for r, values in enumerate(rows, 2):
        for c, value in enumerate(values, 1):
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                cell = number_cell(ws, r, c, value)
            else:
                cell = text_cell(ws, r, c, value)
            cell.alignment = WRAP if c in wrap_columns else TOP
    ws.freeze_panes = "A2"
    last_row = max(2, len(rows) + 1)
    ws.auto_filter.ref = f"A1:{get_column_letter(len(headers))}{last_row}"


# --------------------------------------------------------------------------- sheets


def _summary_sheet(ws: Worksheet, result: AuditResult) -> None:
    rulebook = RuleBook(result.rules)
    findings = sorted_findings(result)
    ws.title = "Summary"
    title = text_cell(ws, 1, 1, "Claim audit")
    title.font = Font(bold=True, size=16)
    text_cell(ws, 2, 1, f"{TOOL_NAME} {text_of(result.tool_version)}".strip())
    weighed = f", weighing meaning beside the words ({text_of(result.semantic_model)})" if result.semantic_model else ""
    text_cell(ws, 3, 1, f"{len(findings)} claims in {len(result.documents)} documents, "
                        f"checked against {len(result.sources)} sources{weighed}")
    ws.column_dimensions["A"].width = 34
    for letter in "BCDE":
        ws.column_dimensions[letter].width = 14

    row = 5
    _header(ws, row, ("Verdict", "Claims"))
    verdict_first = row + 1
    for verdict, count in counts_by_verdict(findings).items():
        row += 1
        cell = text_cell(ws, row, 1, verdict)
        fill, font = VERDICT_STYLES[verdict]
        cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.font = Font(color=font, bold=True)
        number_cell(ws, row, 2, count)
    verdict_last = row
    row += 1
    text_cell(ws, row, 1, "Total").font = Font(bold=True)
    number_cell(ws, row, 2, len(findings)).font = Font(bold=True)

    chart = BarChart()
    chart.type = "bar"
    chart.title = "Claims by verdict"
    chart.legend = None
    chart.y_axis.title = "Claims"
    chart.add_data(Reference(ws, min_col=2, min_row=verdict_first - 1, max_row=verdict_last),
                   titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=verdict_first, max_row=verdict_last))
    chart.height, chart.width = 6, 14
    ws.add_chart(chart, "G5")

    row += 2
    _header(ws, row, ("Rule family", "Claims"))
    families = counts_by_family(findings, rulebook)
    for family, count in families.items():
        row += 1
        text_cell(ws, row, 1, family)
        number_cell(ws, row, 2, count)
    if not families:
        row += 1
        text_cell(ws, row, 1, "No rule fired")

    row += 2
    _header(ws, row, ("Document", *VERDICTS, "Total"))
    for path, counts in counts_by_document(result).items():
        row += 1
        text_cell(ws, row, 1, path).alignment = WRAP
        for column, verdict in enumerate(VERDICTS, 2):
            number_cell(ws, row, column, counts[verdict])
        number_cell(ws, row, len(VERDICTS) + 2, sum(counts.values()))

    row += 2
    _header(ws, row, ("Not audited", "Pieces"))
    row += 1
    text_cell(ws, row, 1, "Read but judged not a claim (see the Not audited sheet)").alignment = WRAP
    number_cell(ws, row, 2, len(result.not_audited))

    if result.review:
        row += 2
        _header(ws, row, ("Review", "Claims"))
        row += 1
        text_cell(ws, row, 1, f"Decisions carried from {text_of(result.review.get('workbook'))}")
        labels = {
            "carried": "carried (unchanged)", "re-review": "re-review (verdict changed)",
            "changed": "changed (reworded)", "new": "new", "gone": "gone (see the Gone sheet)",
        }
        for status, count in review_counts(result).items():
            row += 1
            text_cell(ws, row, 1, labels.get(status, status))
            number_cell(ws, row, 2, count)
        decided = [f.review.get("decision", "") for f in findings]
        for decision in DECISIONS:
            row += 1
            text_cell(ws, row, 1, f"Decision: {decision}")
            number_cell(ws, row, 2, decided.count(decision))
        row += 1
        text_cell(ws, row, 1, "No decision yet")
        number_cell(ws, row, 2, decided.count(""))

    if result.problems:
        row += 2
        _header(ws, row, ("Could not be read (not audited)", "Why"))
        for problem in result.problems:
            row += 1
            text_cell(ws, row, 1, f"{problem.path}:{problem.line}" if problem.line else problem.path)
            text_cell(ws, row, 2, problem.message)

    if result.warnings:
        row += 2
        _header(ws, row, ("Warnings",))
        for warning in result.warnings:
            row += 1
            text_cell(ws, row, 1, warning)

    if result.skipped:
        row += 2
        _header(ws, row, ("Passed over", "Why"))
        for item in result.skipped:
            row += 1
            text_cell(ws, row, 1, item.path)
            text_cell(ws, row, 2, item.reason)


def claim_columns(result: AuditResult) -> tuple[tuple[str, int, bool], ...]:
    """The Claims sheet's columns: the review columns join them once decisions were carried,
    and a Page column when a claim stands in paged copy (a PDF page, a slide)."""
    columns: tuple[tuple[str, int, bool], ...] = CLAIM_COLUMNS
    if any(f.page is not None for f in result.findings):
        at = [name for name, _, _ in columns].index("Line")
        columns = columns[:at] + (PAGE_COLUMN,) + columns[at:]
    if not result.review:
        return columns
    at = [name for name, _, _ in columns].index("Decision")
    return columns[:at] + REVIEW_COLUMNS + columns[at:]


def date_cell(ws: Worksheet, row: int, column: int, value: str) -> Cell:
    """A reviewer's date: a real date when it reads as one, else the text as they typed it."""
    cell = _cell(ws, row, column)
    try:
        cell.value = date.fromisoformat(value) if value else None
    except ValueError:
        text_cell(ws, row, column, value)
    cell.number_format = "yyyy-mm-dd"
    return cell


def _colour_rules(ws: Worksheet, cell_range: str, styles: dict[str, tuple[str, str]]) -> None:
    for value, (fill, font) in styles.items():
        ws.conditional_formatting.add(cell_range, CellIsRule(
            operator="equal", formula=[f'"{value}"'],
            fill=PatternFill("solid", start_color=fill, end_color=fill),
            font=Font(color=font, bold=True),
        ))


def _claims_sheet(ws: Worksheet, result: AuditResult) -> None:
    columns = claim_columns(result)
    headers = [name for name, _, _ in columns]
    _header(ws, 1, headers, [width for _, width, _ in columns])
    column_of = {name: i for i, name in enumerate(headers, 1)}
    wrap_columns = {column_of[name] for name, _, wrap in columns if wrap}
    rows = claim_rows(result)
    for r, row in enumerate(rows, 2):
        values = {
            "ID": row.id, "Document": row.document, "Claim": row.claim, "Verdict": row.verdict,
            "Rules": row.rules, "Reasons": row.reasons, "Best evidence": row.best_evidence,
            "Source": row.source, "Suggestion": row.suggestion,
            "Decision": row.decision, "Comment": row.comment, "Reviewer": row.reviewer,
            "Review status": row.review_status, "Review note": row.review_note,
        }
        for name, value in values.items():
            if name in column_of:
                text_cell(ws, r, column_of[name], value)
        number_cell(ws, r, column_of["Line"], row.line)
        if "Page" in column_of and row.page is not None:
            number_cell(ws, r, column_of["Page"], row.page)
        link(_cell(ws, r, column_of["Document"]), safe_url(row.url))
        number_cell(ws, r, column_of["Confidence"], row.confidence, "0.00")
        date_cell(ws, r, column_of["Date"], row.date)
        link(_cell(ws, r, column_of["Source"]), row.source_link)
        for column in range(1, len(headers) + 1):
            cell = _cell(ws, r, column)
            cell.alignment = WRAP if column in wrap_columns else TOP
            if headers[column - 1] in REVIEWER_COLUMNS:
                cell.protection = Protection(locked=False)

    # A table needs at least one data row; an empty audit gets one blank row.
    last_row = max(2, len(rows) + 1)
    if not rows:
        for name in REVIEWER_COLUMNS:
            ws.cell(row=2, column=column_of[name]).protection = Protection(locked=False)
    last_column = get_column_letter(len(headers))
    table = Table(displayName="ClaimsTable", ref=f"A1:{last_column}{last_row}")
    table.tableStyleInfo = TableStyleInfo(name="TableStyleLight9", showRowStripes=True)
    ws.add_table(table)
    ws.freeze_panes = "A2"

    def column_range(name: str) -> str:
        letter = get_column_letter(column_of[name])
        return f"{letter}2:{letter}{last_row}"

    _colour_rules(ws, column_range("Verdict"), VERDICT_STYLES)
    if "Review status" in column_of:
        _colour_rules(ws, column_range("Review status"), REVIEW_STATUS_STYLES)

    decision_letter = get_column_letter(column_of["Decision"])
    decisions = DataValidation(
        type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
        showErrorMessage=True, errorTitle="Decision",
        error="Choose one of: " + ", ".join(DECISIONS),
        showInputMessage=True, promptTitle="Decision", prompt="Pick a decision for this claim.",
    )
    decisions.add(f"{decision_letter}2:{decision_letter}{last_row}")
    ws.add_data_validation(decisions)

    # Reviewers may filter, sort and resize, but only the reviewer columns take input.
    protection = ws.protection
    protection.sheet = True
    protection.autoFilter = False
    protection.sort = False
    protection.formatColumns = False
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False

    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    page_setup_properties = ws.sheet_properties.pageSetUpPr
    assert page_setup_properties is not None  # a new sheet has them
    page_setup_properties.fitToPage = True


def _evidence_sheet(ws: Worksheet, result: AuditResult) -> None:
    sources = {source.id: source for source in result.sources}
    rows: list[tuple[str, int, str, float, str]] = []
    for finding in sorted_findings(result):
        for rank, item in enumerate(finding.evidence, 1):
            rows.append((finding.id, rank, source_label(item.source, sources) + cited_page(item.page),
                         round3(item.similarity), item.text))
    _plain_table(ws, ("Claim ID", "Rank", "Source", "Similarity", "Evidence"),
                 (16, 7, 40, 11, 90), rows, wrap_columns={3, 5})
    for r in range(2, len(rows) + 2):
        ws.cell(row=r, column=4).number_format = "0.00"


def _sources_sheet(ws: Worksheet, result: AuditResult) -> None:
    rows = [(s.id, s.citation, s.doi, s.pmid, s.url, s.kind) for s in result.sources]
    _plain_table(ws, ("ID", "Citation", "DOI", "PMID", "URL", "Kind"),
                 (18, 70, 28, 12, 40, 10), rows, wrap_columns={2, 5})
    for r, source in enumerate(result.sources, 2):
        link(_cell(ws, r, 3), doi_url(source.doi))
        link(_cell(ws, r, 4), pmid_url(source.pmid))
        link(_cell(ws, r, 5), safe_url(source.url))


def _gone_sheet(ws: Worksheet, result: AuditResult) -> None:
    """Reviewed claims that no longer occur in the copy, with the decision they had."""
    gone = result.review.get("gone", [])
    rows = [
        tuple(item.get(key) if key == "line" else text_of(item.get(key))
              for key in ("id", "document", "line", "claim", "verdict", "decision", "comment",
                          "reviewer", "date"))
        for item in gone
    ]
    rows = [tuple("" if value is None else value for value in row) for row in rows]
    _plain_table(ws, [name for name, _, _ in GONE_COLUMNS], [width for _, width, _ in GONE_COLUMNS],
                 rows, wrap_columns={i for i, (_, _, wrap) in enumerate(GONE_COLUMNS, 1) if wrap})


def _not_audited_sheet(ws: Worksheet, result: AuditResult) -> None:
    """Everything read but judged not a claim, with why; the text is never a formula."""
    items = not_audited_rows(result)
    columns: tuple[tuple[str, int, bool], ...] = NOT_AUDITED_COLUMNS
    rows: list[tuple[object, ...]] = [
        (item["document"], item["line"], item["text"], scope_label(item["scope"]), item["reason"]) for item in items]
    if any("page" in item for item in items):
        # Paged copy counts lines from the top of each page: the page goes before the line.
        columns = columns[:1] + (PAGE_COLUMN,) + columns[1:]
        rows = [(row[0], item.get("page"), *row[1:]) for row, item in zip(rows, items, strict=True)]
    _plain_table(ws, [name for name, _, _ in columns], [width for _, width, _ in columns],
                 rows, wrap_columns={i for i, (_, _, wrap) in enumerate(columns, 1) if wrap})


def _rules_sheet(ws: Worksheet, result: AuditResult) -> None:
    rulebook = RuleBook(result.rules)
    rows = [
        (info.code, info.name, info.family, info.level, info.what, info.why, info.use_instead,
         info.example, "\n".join(info.references))
        for info in rulebook.fired(sorted_findings(result))
    ]
    _plain_table(
        ws,
        ("Code", "Name", "Family", "Level", "What it flags", "Why it matters", "Use instead",
         "Example", "References"),
        (10, 30, 14, 12, 50, 50, 50, 40, 40), rows, wrap_columns={5, 6, 7, 8, 9},
    )


# --------------------------------------------------------------------------- workbook


def build_workbook(result: AuditResult) -> Workbook:
    workbook = Workbook()
    summary = workbook.active
    assert isinstance(summary, Worksheet)  # a new workbook opens on one worksheet
    _summary_sheet(summary, result)
    _claims_sheet(workbook.create_sheet("Claims"), result)
    _evidence_sheet(workbook.create_sheet("Evidence"), result)
    _sources_sheet(workbook.create_sheet("Sources"), result)
    _rules_sheet(workbook.create_sheet("Rules"), result)
    _not_audited_sheet(workbook.create_sheet("Not audited"), result)
    if result.review:
        _gone_sheet(workbook.create_sheet("Gone"), result)

    properties = workbook.properties
    properties.creator = TOOL_NAME
    properties.title = "Claim audit"
    properties.lastModifiedBy = None
    properties.created = FIXED_TIMESTAMP
    properties.modified = FIXED_TIMESTAMP
    return workbook


def _stable_zip(data: bytes) -> bytes:
    """The same archive with fixed entry timestamps, so equal workbooks are equal bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def render_xlsx(result: AuditResult) -> bytes:
    """The workbook as bytes."""
    buffer = io.BytesIO()
    # Workbook.save() would stamp the current time as the modified date.
    archive = zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
    ExcelWriter(build_workbook(result), archive).save()
    return _stable_zip(buffer.getvalue())


def write_xlsx(result: AuditResult, path: str | os.PathLike[str]) -> Path:
    return write_atomic(path, render_xlsx(result))
