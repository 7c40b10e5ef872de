"""The Excel workbook reviewers work in: one row per claim plus decision columns.

Audited text is always stored as a string cell, never as a formula, however
it starts. The file is byte-stable: fixed document dates and zip timestamps.

Protection. The Claims sheet is protected without a password, so only the
reviewer columns take input. Its header carries a sheet AutoFilter (not an
Excel table: Excel disables a table's filter buttons on a protected sheet) and
the protection allows filtering and sorting. Excel honours the filter
permission; LibreOffice Calc reads it from the file too (its "use AutoFilter"
sheet-protection option). Sorting is another matter: both programs refuse to
sort a range that holds locked cells while the sheet is protected, whatever the
sort permission says. To sort, unprotect the sheet (Review > Unprotect Sheet in
Excel, Tools > Protect Sheet in Calc; no password is asked), sort, and protect
it again. Reading the workbook back matches rows by their ID, so a sorted
workbook reads the same.

Printing. Every sheet prints landscape, one page wide, with its header row
repeated on each page, a header naming the audit and "Page n of N" below. The
Claims columns are narrow enough for that page width to keep the print scale
at or above ``READABLE_PRINT_SCALE`` on Letter paper (the narrower of Letter
and A4), and rows are as tall as their wrapped text: printed, nothing overlaps
or is clipped.

Speed. openpyxl spends some 15-20 microseconds on every cell it writes; a site's
workbook holds hundreds of thousands. The rows are therefore written here as
the worksheet's XML (inline strings, shared style ids) and openpyxl writes
everything around them: styles, column widths, frozen panes, protection,
filters, validation, conditional formats, links, print settings and the chart.
"""

from __future__ import annotations

import contextlib
import io
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from typing import BinaryIO, cast
from dataclasses import dataclass, replace
from datetime import date, datetime
from operator import attrgetter
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.chart import BarChart, Reference
from openpyxl.formatting.rule import CellIsRule, FormulaRule
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter
from openpyxl.xml.functions import Element

from claimaudit.model import VERDICTS, AuditResult
from claimaudit.verdicts.review import DECISIONS, review_counts

from .common import (
    TOOL_NAME,
    ClaimRow,
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
from .json_report import not_audited_rows
from .xlsx_signoff import AUDIT_TRAIL_WIDTHS, REVIEW_STATUS_LABELS, audit_trail_rows, signoff_columns
from .xlsx_signoff import REVIEW_STATUS_STYLES as SIGNOFF_STATUS_STYLES

FIXED_TIMESTAMP = datetime(2000, 1, 1, 0, 0, 0)
_ZIP_TIMESTAMP = (2000, 1, 1, 0, 0, 0)
# Excel counts a cell's characters in UTF-16 code units: a character beyond U+FFFF (an emoji) takes two.
EXCEL_CELL_LIMIT = 32767
# Excel drops a link, or reports the workbook damaged, when its address is longer than this,
# or when a sheet holds more links than this (a site's Claims sheet can: two a claim).
EXCEL_URL_LIMIT = 2079
EXCEL_LINKS_PER_SHEET = 65_530
# Besides the control characters openpyxl lists, XML 1.0 has no place for lone surrogates or U+FFFE/U+FFFF.
_NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
# Anything clean_text changes: most cells have none of it.
_TO_CLEAN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\r\ud800-\udfff\ufffe\uffff]")

# --------------------------------------------------------------------------- print layout

# One line of 11 pt Calibri (the workbook font) is 15 pt tall; Excel takes no row above 409 pt.
LINE_HEIGHT = 15.0
MAX_ROW_HEIGHT = 409.0
# Excel's "Narrow" margins: a register needs its width more than white space at the sides.
PAGE_MARGINS = PageMargins(left=0.25, right=0.25, top=0.75, bottom=0.75, header=0.3, footer=0.3)
# Paper is left to the printer. Landscape Letter is the narrower of the usual two (11 in against
# A4's 11.69 in), so a scale that holds on Letter holds on A4.
PRINTABLE_WIDTH_POINTS = (11.0 - PAGE_MARGINS.left - PAGE_MARGINS.right) * 72
# The fit-to-width scale the default Claims columns keep: 11 pt text prints at 6.8 pt or larger
# on Letter (7.3 pt on A4, where the scale is 0.66).
READABLE_PRINT_SCALE = 0.62


def column_points(width: float) -> float:
    """A column's printed width: ``width`` digit widths of 7 px, plus 5 px of padding, at 96 px an inch."""
    return (width * 7 + 5) * 0.75


def print_scale(widths: Iterable[float]) -> float:
    """The scale that fits columns of these widths to one page wide (1.0 when they fit as they are)."""
    total = sum(column_points(width) for width in widths)
    return min(1.0, PRINTABLE_WIDTH_POINTS / total) if total else 1.0


def pages_wide_for(widths: Sequence[float], repeated: int) -> int:
    """How many pages wide a sheet prints at ``READABLE_PRINT_SCALE`` or larger: 1 when its columns
    fit one page at that scale, else enough pages for the rest, each repeating the first ``repeated``
    columns."""
    if print_scale(widths) >= READABLE_PRINT_SCALE:
        return 1
    page = PRINTABLE_WIDTH_POINTS / READABLE_PRINT_SCALE
    kept = sum(column_points(width) for width in widths[:repeated])
    rest = sum(column_points(width) for width in widths[repeated:])
    room = page - kept
    if room <= 0:
        return 1  # the repeated columns alone fill a page: fit what there is to one page wide
    return 1 + math.ceil(max(0.0, rest - room) / room)


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped in a column ``width`` wide.

    The width counts digit widths; running text averages narrower, so ``width``
    characters a line is a floor, words are wrapped whole, and a word longer
    than a line is broken, as Excel and LibreOffice do.
    """
    capacity = max(1, int(width))
    if len(text) <= capacity and "\n" not in text:
        return 1
    lines = 0
    for paragraph in text.split("\n"):
        lines += 1
        start, end = 0, len(paragraph)
        while end - start > capacity:
            # The line ends at the last space that fits (a space just past the line fits too).
            cut = paragraph.rfind(" ", start + 1, start + capacity + 1)
            start = cut + 1 if cut > start else start + capacity
            lines += 1
    return lines


def row_height(lines: int) -> float | None:
    """The height of a row whose tallest cell has ``lines`` lines; None keeps the default."""
    return min(MAX_ROW_HEIGHT, lines * LINE_HEIGHT) if lines > 1 else None


# --------------------------------------------------------------------------- columns


@dataclass(frozen=True)
class Column:
    """One column of a sheet: header, width in digit widths, whether its text wraps.

    ``kind`` is "text", "number", "date" (a reviewer's date) or "decision" (a
    reviewer's choice from ``DECISIONS``); ``editable`` columns are the ones a
    reviewer fills in and stay unlocked on the protected Claims sheet.
    ``value`` reads the cell from a claim's row (Claims sheet only).
    """

    header: str
    width: float
    wrap: bool = False
    kind: str = "text"
    number_format: str = ""
    editable: bool = False
    value: Callable[[ClaimRow], object] | None = None
    # Long text that can wrap over more lines: gives up width when extra columns join (Claims sheet).
    flexible: bool = False


# Narrow enough together to print one page wide at READABLE_PRINT_SCALE (see test_workbook_record).
CLAIM_COLUMNS: tuple[Column, ...] = (
    Column("ID", 16, True, value=attrgetter("id")),
    Column("Document", 13, True, value=attrgetter("document")),
    Column("Line", 7, kind="number", value=attrgetter("line")),
    Column("Claim", 26, True, value=attrgetter("claim"), flexible=True),
    Column("Verdict", 12, value=attrgetter("verdict")),
    Column("Confidence", 12, kind="number", number_format="0.00", value=attrgetter("confidence")),
    Column("Rules", 8, True, value=attrgetter("rules")),
    Column("Reasons", 26, True, value=attrgetter("reasons"), flexible=True),
    Column("Best evidence", 24, True, value=attrgetter("best_evidence"), flexible=True),
    Column("Source", 14, True, value=attrgetter("source")),
    Column("Suggestion", 16, True, value=attrgetter("suggestion"), flexible=True),
)
# Joined only when some claim has one, so a plain register keeps its columns.
REGISTER_ID_COLUMN = Column("Register ID", 10, True, value=attrgetter("register_id"))
PAGE_COLUMN = Column("Page", 7, kind="number", value=attrgetter("page"))
LIBRARY_COLUMN = Column("Library", 18, True, value=attrgetter("library"))
# Shown before the reviewer columns when the audit carried decisions from a reviewed workbook.
REVIEW_COLUMNS: tuple[Column, ...] = (
    Column("Review status", 12, True, value=attrgetter("review_status")),
    Column("Review note", 24, True, value=attrgetter("review_note"), flexible=True),
)
# What a reviewer fills in.
REVIEWER_COLUMNS: tuple[Column, ...] = (
    Column("Decision", 13, True, kind="decision", editable=True, value=attrgetter("decision")),
    Column("Comment", 13, True, editable=True, value=attrgetter("comment")),
    Column("Reviewer", 11, True, editable=True, value=attrgetter("reviewer")),
    Column("Date", 10, kind="date", number_format="yyyy-mm-dd", editable=True, value=attrgetter("date")),
)
# The default Claims columns' total width: what one landscape page holds at READABLE_PRINT_SCALE.
# Extra columns (a register's ids, the library, review notes, sign-off roles) take width from the
# long-text columns, down to FLEXIBLE_FLOOR of theirs, before the print scale has to drop.
CLAIMS_WIDTH_BUDGET = sum(column.width for column in CLAIM_COLUMNS + REVIEWER_COLUMNS)
FLEXIBLE_FLOOR = 0.75
NOT_AUDITED_COLUMNS: tuple[Column, ...] = (
    Column("Document", 24, True), Column("Line", 7), Column("Text", 70, True), Column("Where", 16),
    Column("Why not audited", 44, True),
)
GONE_COLUMNS: tuple[Column, ...] = (
    Column("ID", 16, True), Column("Document", 20, True), Column("Line", 7), Column("Claim", 50, True),
    Column("Verdict", 12), Column("Decision", 14, True), Column("Comment", 40, True),
    Column("Reviewer", 14, True), Column("Date", 12),
)
EVIDENCE_COLUMNS: tuple[Column, ...] = (
    Column("Claim ID", 16, True), Column("Rank", 7), Column("Source", 40, True),
    Column("Similarity", 11, number_format="0.00"), Column("Evidence", 90, True),
)
SOURCES_COLUMNS: tuple[Column, ...] = (
    Column("ID", 18, True), Column("Citation", 70, True), Column("DOI", 28, True), Column("PMID", 12),
    Column("URL", 40, True), Column("Kind", 10),
)
RULES_COLUMNS: tuple[Column, ...] = (
    Column("Code", 9), Column("Name", 22, True), Column("Family", 12, True), Column("Level", 11),
    Column("What it flags", 36, True), Column("Why it matters", 36, True), Column("Use instead", 36, True),
    Column("Example", 30, True), Column("References", 28, True),
)

VERDICT_STYLES = {
    # Excel's own good / neutral / bad cell styles: dark text on a light fill.
    "supported": ("C6EFCE", "006100"),
    "overstated": ("FFEB9C", "7A4500"),
    "unsupported": ("FFC7CE", "9C0006"),
}
# The Summary's legend: what each verdict colour says.
VERDICT_MEANINGS = {
    "supported": "The evidence is shown to cover every element of the claim.",
    "overstated": "The sources back a weaker claim than the copy makes.",
    "unsupported": "No source is shown to back the claim.",
}
REVIEW_STATUS_STYLES = {
    "carried": ("E2EFDA", "375623"),
    "changed": ("FFEB9C", "7A4500"),
    "re-review": ("FFEB9C", "7A4500"),
    "new": ("DDEBF7", "1F3A68"),
    **SIGNOFF_STATUS_STYLES,
}
BAND_FILL = "EEF2F8"
HEADER_FILL = "1F3A68"
LINK_COLOUR = "1846A3"
# The first date a review by this tool can carry; Excel warns on anything earlier.
EARLIEST_DATE = date(2000, 1, 1)
_EXCEL_EPOCH = date(1899, 12, 30)


def clean_text(value: object) -> str:
    """Text as a spreadsheet cell can hold it.

    XML turns a carriage return into a line feed on reading, so line breaks are
    normalised up front and the stored value is what a reader gets back.
    """
    text = text_of(value)
    if _TO_CLEAN.search(text):
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        text = _NOT_XML.sub("\ufffd", ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))
    if len(text) > EXCEL_CELL_LIMIT // 2 and _utf16_units(text) > EXCEL_CELL_LIMIT:
        text = _cut_to_units(text, EXCEL_CELL_LIMIT - 1) + "…"
    return text


def _utf16_units(text: str) -> int:
    return len(text) if text.isascii() else len(text.encode("utf-16-le", "surrogatepass")) // 2


def _cut_to_units(text: str, units: int) -> str:
    """The longest start of ``text`` that takes at most ``units`` UTF-16 code units."""
    text = text[:units]
    while _utf16_units(text) > units:
        # Each character cut frees one unit or two: cut the excess, at least one character.
        text = text[: len(text) - max(1, (_utf16_units(text) - units) // 2)]
    return text


# --------------------------------------------------------------------------- cells as XML


def _linkable(url: str) -> str:
    """``url`` when Excel takes it as a link's address (not too long), else ""."""
    return url if url and len(url) <= EXCEL_URL_LIMIT else ""


def _escape(text: str) -> str:
    if "&" in text or "<" in text or ">" in text:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text


def _excel_date(value: date) -> int:
    return (value - _EXCEL_EPOCH).days


class CellStyles:
    """Cell formats by what they look like, each registered once with the workbook as a style id."""

    def __init__(self, ws: WriteOnlyWorksheet) -> None:
        self._ws = ws
        self._ids: dict[tuple[object, ...], int] = {}
        self.wrapped: set[int] = set()

    def id(self, *, wrap: bool = False, bold: bool = False, colour: str = "", fill: str = "",
           size: float = 0, underline: bool = False, unlocked: bool = False, number_format: str = "",
           centre: bool = False) -> int:
        key = (wrap, bold, colour, fill, size, underline, unlocked, number_format, centre)
        found = self._ids.get(key)
        if found is not None:
            return found
        cell = WriteOnlyCell(self._ws)
        if bold or colour or size or underline:
            # Named and sized like the workbook's default font, so no reader falls back to another.
            cell.font = Font(name="Calibri", family=2, size=size or 11, bold=bold or None, color=colour or None,
                             underline="single" if underline else None)
        if fill:
            cell.fill = PatternFill("solid", start_color=fill, end_color=fill)
        cell.alignment = Alignment(wrap_text=wrap or None, vertical="center" if centre else "top")
        if unlocked:
            cell.protection = Protection(locked=False)
        if number_format:
            cell.number_format = number_format
        style = cell.style_id
        self._ids[key] = style
        if wrap:
            self.wrapped.add(style)
        return style


Cell = tuple[object, int]  # a value and its style id


class SheetWriter:
    """One sheet's rows, kept as the XML of its ``<sheetData>``, and its links.

    Text is always an inline string (``t="inlineStr"``), so nothing a claim
    says is ever read as a formula; each row is as tall as its longest wrapped
    cell needs.
    """

    def __init__(self, ws: WriteOnlyWorksheet, styles: CellStyles, widths: Sequence[float]) -> None:
        self.ws = ws
        # A write-only sheet carries a Worksheet's settings (openpyxl sets them up the same way and
        # writes them): panes, filter, protection, validation, formats, print setup, charts.
        self.settings = cast(Worksheet, ws)
        self.styles = styles
        self.widths = list(widths)
        self.letters = [get_column_letter(i) for i in range(1, max(len(self.widths), 1) + 1)]
        # The rows' XML, on disk as it is made: a site's sheets run to hundreds of megabytes.
        self.rows = tempfile.TemporaryFile()
        self.links: list[Hyperlink] = []
        self.last_row = 0
        self.last_column = 0
        for letter, width in zip(self.letters, self.widths, strict=False):
            self.settings.column_dimensions[letter].width = width

    def skip(self, rows: int = 1) -> None:
        self.last_row += rows

    def add(self, cells: Sequence[Cell | None]) -> int:
        """Write the next row; a None leaves its cell out. Returns the row's number."""
        self.last_row += 1
        row = self.last_row
        number = str(row)
        letters, wrapped, widths = self.letters, self.styles.wrapped, self.widths
        needs_cleaning = _TO_CLEAN.search
        while len(letters) < len(cells):
            letters.append(get_column_letter(len(letters) + 1))
        pieces: list[str] = []
        lines = 1
        for column, cell in enumerate(cells):
            if cell is None:
                continue
            value, style = cell
            head = f'<c r="{letters[column]}{number}" s="{style}"' if style else f'<c r="{letters[column]}{number}"'
            if isinstance(value, str):
                text = clean_text(value) if needs_cleaning(value) or len(value) > EXCEL_CELL_LIMIT // 2 else value
                if not text:
                    pieces.append(head + "/>")
                    continue
                space = ' xml:space="preserve"' if text[0].isspace() or text[-1].isspace() else ""
                pieces.append(f'{head} t="inlineStr"><is><t{space}>{_escape(text)}</t></is></c>')
                if style in wrapped and column < len(widths):
                    width = widths[column]
                    if len(text) > width or "\n" in text:
                        lines = max(lines, wrapped_lines(text, width))
            elif value is None:
                pieces.append(head + "/>")
            elif isinstance(value, bool):
                pieces.append(f'{head} t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, int):
                pieces.append(f'{head} t="n"><v>{value}</v></c>')
            elif isinstance(value, float):
                pieces.append(f'{head} t="n"><v>{value!r}</v></c>' if math.isfinite(value) else head + "/>")
            elif isinstance(value, date) and not isinstance(value, datetime):
                pieces.append(f'{head} t="n"><v>{_excel_date(value)}</v></c>')
            else:
                raise TypeError(f"cannot put a {type(value).__name__} in a cell")
        if len(cells) > self.last_column:
            self.last_column = len(cells)
        height = row_height(lines)
        attributes = f' ht="{height:g}"' if height else ""
        self.rows.write(f'<row r="{number}"{attributes}>{"".join(pieces)}</row>'.encode("utf-8"))
        return row

    @property
    def links_left(self) -> int:
        """How many more links this sheet takes (Excel takes EXCEL_LINKS_PER_SHEET)."""
        return EXCEL_LINKS_PER_SHEET - len(self.links)

    def link(self, row: int, column: int, *, target: str = "", location: str = "") -> None:
        """A link from a cell (1-based column) to a web address or to a place in the workbook;
        none once the sheet holds as many as Excel takes, or to an address longer than it takes."""
        reference = f"{get_column_letter(column)}{row}"
        if self.links_left <= 0:
            return
        if location:
            self.links.append(Hyperlink(ref=reference, location=location))
        elif _linkable(target):
            self.links.append(Hyperlink(ref=reference, target=target))

    def install(self) -> None:
        """Hand the rows to openpyxl's writer for this sheet, to be written when the workbook is saved."""
        last = get_column_letter(max(self.last_column, 1))
        # The write-only sheet writes through this writer when it is closed, as the workbook is saved.
        self.ws._writer = _PreparedRowsWriter(  # type: ignore[attr-defined]
            self.ws, self.rows, self.links, f"A1:{last}{max(self.last_row, 1)}")


_ROWS_MARKER = "claimaudit-prepared-rows"


class _PreparedRowsWriter(WorksheetWriter):
    """openpyxl's worksheet writer with the ``<sheetData>`` taken from prepared XML.

    openpyxl writes a placeholder where the rows go; once its file is closed the
    placeholder is replaced. Element text is escaped, so the placeholder (which
    has a ``<``) cannot come from anything a cell or link says.
    """

    def __init__(self, ws: WriteOnlyWorksheet, rows: BinaryIO, links: list[Hyperlink], dimension: str) -> None:
        super().__init__(ws)
        self._rows = rows
        self._links = links
        self._dimension = dimension
        self._spliced = False

    def write_dimensions(self) -> None:
        self.xf.send(SheetDimension(self._dimension).to_tree())

    def write_rows(self) -> None:
        # Called once the sheet's settings are final (when the workbook is saved), so the
        # columns, panes and page setup written above the rows are the final ones.
        self.write_top()
        placeholder = Element("sheetData")
        placeholder.text = _ROWS_MARKER
        self.xf.send(placeholder)
        self.ws._hyperlinks.extend(self._links)  # type: ignore[union-attr]  # what write_hyperlinks writes

    def close(self) -> None:
        super().close()
        if self._spliced:
            return
        self._spliced = True
        assert isinstance(self.out, str)  # the temporary file openpyxl made
        path = Path(self.out)
        data = path.read_bytes()  # the sheet without its rows
        placeholder = f"<sheetData>{_ROWS_MARKER}</sheetData>".encode()
        at = data.index(placeholder)
        with path.open("wb") as sheet, self._rows:
            sheet.write(data[:at] + b"<sheetData>")
            self._rows.seek(0)
            shutil.copyfileobj(self._rows, sheet, _COPY_CHUNK)
            sheet.write(b"</sheetData>" + data[at + len(placeholder):])


# --------------------------------------------------------------------------- the workbook


class WorkbookWriter:
    """Builds the workbook sheet by sheet: a sheet's rows, then its settings."""

    def __init__(self, result: AuditResult) -> None:
        self.result = result
        self.workbook = Workbook(write_only=True)
        self.sheets: list[SheetWriter] = []
        self._styles: CellStyles | None = None
        self.header_text = _audit_header(result)
        self.footer_text = _escape_header(f"{TOOL_NAME} {text_of(result.tool_version)}".strip())

    def sheet(self, title: str, widths: Sequence[float]) -> SheetWriter:
        ws = self.workbook.create_sheet(title)
        assert isinstance(ws, WriteOnlyWorksheet)  # a write-only workbook makes nothing else
        if self._styles is None:
            self._styles = CellStyles(ws)
        sheet = SheetWriter(ws, self._styles, widths)
        self.sheets.append(sheet)
        _print_setup(sheet.settings, self.header_text, self.footer_text)
        return sheet

    @property
    def styles(self) -> CellStyles:
        assert self._styles is not None, "no sheet yet"
        return self._styles

    def header_row(self, sheet: SheetWriter, labels: Sequence[str]) -> int:
        style = self.styles.id(wrap=True, bold=True, colour="FFFFFF", fill=HEADER_FILL, centre=True)
        return sheet.add([(label, style) for label in labels])

    def plain_table(self, title: str, columns: Sequence[Column], rows: Sequence[Sequence[object]]) -> SheetWriter:
        """A sheet of one table: a header row that repeats on every printed page and carries
        filter buttons, then the rows, each cell wrapped or not as its column says."""
        sheet = self.sheet(title, [column.width for column in columns])
        self.header_row(sheet, [column.header for column in columns])
        styles = [self.styles.id(wrap=column.wrap, number_format=column.number_format) for column in columns]
        for values in rows:
            sheet.add([(value, style) for value, style in zip(values, styles, strict=False)])
        _table_settings(sheet.settings, len(columns), len(rows))
        return sheet

    def record_sheet(self, title: str, widths: Sequence[float],
                     rows: Iterable[tuple[str, Sequence[object]]]) -> SheetWriter:
        """A sheet laid out row by row, each row a kind and its cells: "title" (large and bold),
        "note" (wrapped), "heading" (bold), "header" (as the tables' header rows), "row" (long
        text wrapped) or "blank". Protected without a password and nothing left unlocked: it is
        a record, not a form."""
        sheet = self.sheet(title, widths)
        styles = self.styles
        kinds = {"title": styles.id(bold=True, size=16), "note": styles.id(wrap=True),
                 "heading": styles.id(bold=True), "row": styles.id(wrap=True)}
        for kind, cells in rows:
            if kind == "blank":
                sheet.skip()
            elif kind == "header":
                self.header_row(sheet, [text_of(cell) for cell in cells])
            else:
                style = kinds[kind]
                sheet.add([(cell, style) for cell in cells])
        protection = sheet.settings.protection
        protection.sheet = True
        protection.formatColumns = False
        protection.formatRows = False
        return sheet

    def finish(self) -> Workbook:
        for sheet in self.sheets:
            sheet.install()
        properties = self.workbook.properties
        properties.creator = TOOL_NAME
        properties.title = "Claim audit"
        properties.lastModifiedBy = None
        properties.created = FIXED_TIMESTAMP
        properties.modified = FIXED_TIMESTAMP
        return self.workbook


def _escape_header(text: str) -> str:
    # "&" starts a code in a page header ("&P" is the page number); a literal one is doubled.
    return text.replace("&", "&&")


def _audit_header(result: AuditResult) -> str:
    """What the printed page header names: the one document audited, or how many."""
    if len(result.documents) == 1:
        named = result.documents[0].path
        if len(named) > 80:
            named = "…" + named[-79:]
    else:
        named = f"{len(result.documents)} documents"
    claims = len(result.findings)
    return _escape_header(clean_text(f"Claim audit: {named}, {claims} claim{'' if claims == 1 else 's'}"))


def _print_setup(ws: Worksheet, header: str, footer: str) -> None:
    """Landscape, one page wide and as many long as needed, on whatever paper the printer has."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    page_setup_properties = ws.sheet_properties.pageSetUpPr
    assert page_setup_properties is not None  # a new sheet has them
    page_setup_properties.fitToPage = True
    ws.page_margins = PageMargins(left=PAGE_MARGINS.left, right=PAGE_MARGINS.right, top=PAGE_MARGINS.top,
                                  bottom=PAGE_MARGINS.bottom, header=PAGE_MARGINS.header,
                                  footer=PAGE_MARGINS.footer)
    ws.print_options.gridLines = True
    page_header, page_footer = ws.oddHeader, ws.oddFooter
    assert page_header is not None and page_footer is not None  # a new sheet has them
    page_header.left.text = header
    page_header.right.text = "&A"  # the sheet's name
    page_footer.left.text = footer
    page_footer.center.text = "Page &P of &N"


def _table_settings(ws: Worksheet, columns: int, rows: int) -> None:
    """A table sheet's frozen header, filter buttons over its rows, and header row repeated on every printed page."""
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(2, rows + 1)}"
    ws.print_title_rows = "1:1"


# --------------------------------------------------------------------------- sheets


def _summary_sheet(book: WorkbookWriter) -> None:
    result = book.result
    rulebook = RuleBook(result.rules)
    findings = sorted_findings(result)
    sheet = book.sheet("Summary", (34, 14, 14, 14, 14))
    styles = book.styles
    plain, wrapped, bold = styles.id(), styles.id(wrap=True), styles.id(bold=True)
    sheet.add([("Claim audit", styles.id(bold=True, size=16))])
    sheet.add([(f"{TOOL_NAME} {text_of(result.tool_version)}".strip(), plain)])
    weighed = f", weighing meaning beside the words ({text_of(result.semantic_model)})" if result.semantic_model else ""
    sheet.add([(f"{len(findings)} claims in {len(result.documents)} documents, "
                f"checked against {len(result.sources)} sources{weighed}", plain)])
    sheet.skip()

    # The verdicts in the colours the Claims sheet's Verdict column wears, with what each
    # means: the table is the legend too.
    header_row = book.header_row(sheet, ("Verdict", "Claims", "What it means"))
    verdict_first = header_row + 1
    for verdict, count in counts_by_verdict(findings).items():
        fill, font = VERDICT_STYLES[verdict]
        sheet.add([(verdict, styles.id(bold=True, colour=font, fill=fill)), (count, plain),
                   (VERDICT_MEANINGS[verdict], plain)])
    verdict_last = sheet.last_row
    sheet.add([("Total", bold), (len(findings), bold)])

    chart = BarChart()
    chart.type = "bar"
    chart.title = "Claims by verdict"
    chart.legend = None
    chart.y_axis.title = "Claims"
    chart.add_data(Reference(sheet.settings, min_col=2, min_row=header_row, max_row=verdict_last),
                   titles_from_data=True)
    chart.set_categories(Reference(sheet.settings, min_col=1, min_row=verdict_first, max_row=verdict_last))
    chart.height, chart.width = 6, 14
    # Clear of the meanings, which run on over the empty cells to their right.
    sheet.settings.add_chart(chart, "H5")

    sheet.skip()
    book.header_row(sheet, ("Rule family", "Claims"))
    families = counts_by_family(findings, rulebook)
    for family, count in families.items():
        sheet.add([(family, plain), (count, plain)])
    if not families:
        sheet.add([("No rule fired", plain)])

    sheet.skip()
    book.header_row(sheet, ("Document", *VERDICTS, "Total"))
    for path, counts in counts_by_document(result).items():
        sheet.add([(path, wrapped), *((counts[verdict], plain) for verdict in VERDICTS),
                   (sum(counts.values()), plain)])

    sheet.skip()
    book.header_row(sheet, ("Not audited", "Pieces"))
    sheet.add([("Read but judged not a claim (see the Not audited sheet)", wrapped), (len(result.not_audited), plain)])

    if result.review:
        sheet.skip()
        book.header_row(sheet, ("Review", "Claims"))
        sheet.add([(f"Decisions carried from {text_of(result.review.get('workbook'))}", plain)])
        labels = {
            "carried": "carried (unchanged)", "re-review": "re-review (verdict changed)",
            "changed": "changed (reworded)", "new": "new", "gone": "gone (see the Gone sheet)",
            **REVIEW_STATUS_LABELS,
        }
        for status, count in review_counts(result).items():
            sheet.add([(labels.get(status, status), plain), (count, plain)])
        decided = [f.review.get("decision", "") for f in findings]
        for decision in DECISIONS:
            sheet.add([(f"Decision: {decision}", plain), (decided.count(decision), plain)])
        sheet.add([("No decision yet", plain), (decided.count(""), plain)])

    if result.problems:
        sheet.skip()
        book.header_row(sheet, ("Could not be read (not audited)", "Why"))
        for problem in result.problems:
            place = f"{problem.path}:{problem.line}" if problem.line else problem.path
            sheet.add([(place, plain), (problem.message, plain)])

    if result.warnings:
        sheet.skip()
        book.header_row(sheet, ("Warnings",))
        for warning in result.warnings:
            sheet.add([(warning, plain)])

    if result.skipped:
        sheet.skip()
        book.header_row(sheet, ("Passed over", "Why"))
        for item in result.skipped:
            sheet.add([(item.path, plain), (item.reason, plain)])


def reviewer_columns(result: AuditResult) -> tuple[Column, ...]:
    """The columns a reviewer fills in on the Claims sheet; every one stays unlocked, and
    "decision" and "date" columns are validated."""
    return tuple(Column(**spec) for spec in signoff_columns(result))


def claim_columns(result: AuditResult) -> tuple[Column, ...]:
    """The Claims sheet's columns: a Register ID when claims came from a register with ids,
    a Page when a claim stands in paged copy (a PDF page, a slide), a Library status when a
    claims library was given, the review columns once decisions were carried, then the
    reviewer's own."""
    findings = result.findings
    columns: list[Column] = list(CLAIM_COLUMNS)

    def insert_after(header: str, column: Column) -> None:
        at = [c.header for c in columns].index(header)
        columns.insert(at + 1, column)

    if any(f.register_id for f in findings):
        insert_after("ID", REGISTER_ID_COLUMN)
    if any(f.page is not None for f in findings):
        insert_after("Document", PAGE_COLUMN)
    if any(f.library for f in findings):
        insert_after("Verdict", LIBRARY_COLUMN)
    if result.review:
        columns.extend(REVIEW_COLUMNS)
    columns.extend(reviewer_columns(result))
    return fit_to_page(tuple(columns))


def fit_to_page(columns: tuple[Column, ...], budget: float = CLAIMS_WIDTH_BUDGET) -> tuple[Column, ...]:
    """The columns with the long-text ones narrowed (their text wraps over more lines) so the
    total keeps to ``budget``, none below ``FLEXIBLE_FLOOR`` of its width."""
    excess = sum(column.width for column in columns) - budget
    flexible = sum(column.width for column in columns if column.flexible)
    if excess <= 0 or not flexible:
        return columns
    share = 1 - min(excess / flexible, 1 - FLEXIBLE_FLOOR)
    return tuple(replace(column, width=math.floor(column.width * share)) if column.flexible else column
                 for column in columns)


def _no_value(row: ClaimRow) -> object:
    return ""


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _reviewer_date(value: str) -> object:
    """A reviewer's date: a real date when it was carried as ``YYYY-MM-DD`` (how a valid date
    is carried) from EARLIEST_DATE on, else the text as they typed it.

    Only that form: ``date.fromisoformat`` also reads "20250301" and "2025-W10-1", which the
    reading of a reviewed workbook refuses; written back as real dates they would count in
    the next round though no reviewer corrected them."""
    if not value:
        return None
    if _ISO_DATE.fullmatch(value):
        try:
            day = date.fromisoformat(value)
        except ValueError:
            return value
        if day >= EARLIEST_DATE:
            return day
    return value


def _colour_rules(ws: Worksheet, cell_range: str, styles: dict[str, tuple[str, str]]) -> None:
    for value, (fill, font) in styles.items():
        ws.conditional_formatting.add(cell_range, CellIsRule(
            operator="equal", formula=[f'"{value}"'],
            fill=PatternFill("solid", start_color=fill, end_color=fill),
            font=Font(color=font, bold=True),
        ))


def _claims_sheet(book: WorkbookWriter) -> None:
    result = book.result
    columns = claim_columns(result)
    headers = [column.header for column in columns]
    sheet = book.sheet("Claims", [column.width for column in columns])
    book.header_row(sheet, headers)
    styles = book.styles
    cell_styles = [styles.id(wrap=c.wrap, unlocked=c.editable, number_format=c.number_format) for c in columns]
    plan = [(column.value or _no_value, style, column.kind == "date") for column, style in zip(columns, cell_styles)]
    column_of = {header: i for i, header in enumerate(headers, 1)}
    document_column, source_column = column_of["Document"], column_of["Source"]
    linked = {
        column: styles.id(wrap=columns[column - 1].wrap, colour=LINK_COLOUR, underline=True)
        for column in (document_column, source_column)
    }
    # Each source's row on the Sources sheet, where the Source cell links to.
    source_rows = {source.id: row for row, source in enumerate(result.sources, 2)}
    sources_sheet = quote_sheetname("Sources")

    rows = claim_rows(result)
    for row in rows:
        cells: list[Cell | None] = [
            (_reviewer_date(text_of(getter(row))) if dated else getter(row), style) for getter, style, dated in plan]
        # A cell looks like a link only when it is one.
        url = _linkable(safe_url(row.url)) if sheet.links_left > 0 else ""
        source_row = source_rows.get(row.source_id) if row.source and sheet.links_left > bool(url) else None
        if url:
            cells[document_column - 1] = (row.document, linked[document_column])
        if source_row:
            cells[source_column - 1] = (row.source, linked[source_column])
        number = sheet.add(cells)
        if url:
            sheet.link(number, document_column, target=url)
        if source_row:
            sheet.link(number, source_column, location=f"{sources_sheet}!A{source_row}")
    if not rows:
        # An empty audit still gets a row a reviewer could type in, so the sheet is not all locked.
        sheet.add([("", style) for style in cell_styles])
    last_row = max(2, len(rows) + 1)
    ws = sheet.settings

    _table_settings(ws, len(headers), len(rows))
    # Scrolling right keeps the claim in view: the header row and the columns up to the Claim.
    ws.freeze_panes = f"{get_column_letter(column_of['Claim'] + 1)}2"
    widths = [column.width for column in columns]
    pages_wide = pages_wide_for(widths, column_of["Claim"])
    if pages_wide > 1:
        # Too many columns (sign-off roles, review status) for one readable page: print as many
        # pages wide as keep the text readable, each repeating the columns up to the Claim.
        ws.page_setup.fitToWidth = pages_wide
        ws.print_title_cols = f"A:{get_column_letter(column_of['Claim'])}"

    def column_range(header: str) -> str:
        letter = get_column_letter(column_of[header])
        return f"{letter}2:{letter}{last_row}"

    coloured = ["Verdict"]
    _colour_rules(ws, column_range("Verdict"), VERDICT_STYLES)
    if "Review status" in column_of:
        _colour_rules(ws, column_range("Review status"), REVIEW_STATUS_STYLES)
        coloured.append("Review status")
    # Banded rows, leaving out the coloured columns so their colour never competes with a band.
    banded = " ".join(column_range(header) for header in headers if header not in coloured)
    ws.conditional_formatting.add(banded, FormulaRule(
        formula=["MOD(ROW(),2)=1"], fill=PatternFill("solid", start_color=BAND_FILL, end_color=BAND_FILL)))

    decision_ranges = " ".join(column_range(c.header) for c in columns if c.kind == "decision")
    if decision_ranges:
        decisions = DataValidation(
            type="list", formula1='"' + ",".join(DECISIONS) + '"', allow_blank=True,
            showErrorMessage=True, errorTitle="Decision",
            error="Choose one of: " + ", ".join(DECISIONS),
            showInputMessage=True, promptTitle="Decision", prompt="Pick a decision for this claim.",
        )
        for cell_range in decision_ranges.split():
            decisions.add(cell_range)
        ws.data_validations.append(decisions)
    date_ranges = " ".join(column_range(c.header) for c in columns if c.kind == "date")
    if date_ranges:
        dated = DataValidation(
            type="date", operator="greaterThanOrEqual", formula1=str(_excel_date(EARLIEST_DATE)),
            allow_blank=True, showErrorMessage=True, errorStyle="warning", errorTitle="Date",
            error="Type the date of the decision, e.g. 2025-03-01.",
            showInputMessage=True, promptTitle="Date", prompt="The date of the decision, e.g. 2025-03-01.",
        )
        for cell_range in date_ranges.split():
            dated.add(cell_range)
        ws.data_validations.append(dated)

    # Reviewers may filter, sort and resize, but only the reviewer columns take input
    # (sorting locked cells needs the sheet unprotected: see the module's docstring).
    protection = ws.protection
    protection.sheet = True
    protection.autoFilter = False
    protection.sort = False
    protection.formatColumns = False
    protection.formatRows = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def _evidence_sheet(book: WorkbookWriter) -> None:
    result = book.result
    sources = {source.id: source for source in result.sources}
    rows: list[tuple[str, int, str, float, str]] = []
    for finding in sorted_findings(result):
        for rank, item in enumerate(finding.evidence, 1):
            rows.append((finding.id, rank, source_label(item.source, sources) + cited_page(item.page),
                         round3(item.similarity), item.text))
    book.plain_table("Evidence", EVIDENCE_COLUMNS, rows)


def _sources_sheet(book: WorkbookWriter) -> None:
    result = book.result
    columns = SOURCES_COLUMNS
    sheet = book.sheet("Sources", [column.width for column in columns])
    book.header_row(sheet, [column.header for column in columns])
    styles = book.styles
    plain = [styles.id(wrap=column.wrap) for column in columns]
    linked = [styles.id(wrap=column.wrap, colour=LINK_COLOUR, underline=True) for column in columns]
    for source in result.sources:
        values = (source.id, source.citation, source.doi, source.pmid, source.url, source.kind)
        targets = {3: doi_url(source.doi), 4: pmid_url(source.pmid), 5: safe_url(source.url)}
        links = dict([(column, target) for column, target in targets.items() if _linkable(target)][:sheet.links_left])
        cells: list[Cell | None] = [
            (value, linked[i] if links.get(i + 1) else plain[i]) for i, value in enumerate(values)]
        row = sheet.add(cells)
        for column, target in links.items():
            sheet.link(row, column, target=target)
    _table_settings(sheet.settings, len(columns), len(result.sources))


def _gone_sheet(book: WorkbookWriter) -> None:
    """Reviewed claims that no longer occur in the copy, with the decision they had."""
    gone = book.result.review.get("gone", [])
    rows = [
        tuple(item.get(key) if key == "line" else text_of(item.get(key))
              for key in ("id", "document", "line", "claim", "verdict", "decision", "comment",
                          "reviewer", "date"))
        for item in gone
    ]
    rows = [tuple("" if value is None else value for value in row) for row in rows]
    book.plain_table("Gone", GONE_COLUMNS, rows)


def _not_audited_sheet(book: WorkbookWriter) -> None:
    """Everything read but judged not a claim, with why; the text is never a formula."""
    items = not_audited_rows(book.result)
    columns: tuple[Column, ...] = NOT_AUDITED_COLUMNS
    rows: list[tuple[object, ...]] = [
        (item["document"], item["line"], item["text"], scope_label(item["scope"]), item["reason"]) for item in items]
    if any("page" in item for item in items):
        # Paged copy counts lines from the top of each page: the page goes before the line.
        columns = columns[:1] + (PAGE_COLUMN,) + columns[1:]
        rows = [(row[0], item.get("page"), *row[1:]) for row, item in zip(rows, items, strict=True)]
    book.plain_table("Not audited", columns, rows)


def _rules_sheet(book: WorkbookWriter) -> None:
    rulebook = RuleBook(book.result.rules)
    rows = [
        (info.code, info.name, info.family, info.level, info.what, info.why, info.use_instead,
         info.example, "\n".join(info.references))
        for info in rulebook.fired(sorted_findings(book.result))
    ]
    book.plain_table("Rules", RULES_COLUMNS, rows)


# --------------------------------------------------------------------------- workbook


def build_workbook(result: AuditResult) -> Workbook:
    """The workbook, ready to be saved once (its sheets are written as it is saved)."""
    book = WorkbookWriter(result)
    _summary_sheet(book)
    _claims_sheet(book)
    _evidence_sheet(book)
    _sources_sheet(book)
    _rules_sheet(book)
    _not_audited_sheet(book)
    if result.review:
        _gone_sheet(book)
    book.record_sheet("Audit trail", AUDIT_TRAIL_WIDTHS, audit_trail_rows(result))
    return book.finish()


_COPY_CHUNK = 1 << 20


def _stable_zip(stored: BinaryIO) -> bytes:
    """The same archive, compressed, with fixed entry timestamps, so equal workbooks are equal bytes.

    Each part is copied through in chunks: deflate gives the same bytes however its input is
    cut, and a site's sheets are too large to hold whole, uncompressed, in memory."""
    out = io.BytesIO()
    with zipfile.ZipFile(stored) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            entry.file_size = info.file_size  # as writestr sets it, which decides the same zip64 header
            with source.open(info) as part, target.open(entry, "w") as copy:
                shutil.copyfileobj(part, copy, _COPY_CHUNK)
    return out.getvalue()


def render_xlsx(result: AuditResult) -> bytes:
    """The workbook as bytes."""
    with tempfile.TemporaryFile() as stored:
        # Workbook.save() would stamp the current time as the modified date. Stored, not
        # compressed: _stable_zip compresses each part once, as it fixes the timestamps.
        archive = zipfile.ZipFile(stored, "w", zipfile.ZIP_STORED, allowZip64=True)
        try:
            ExcelWriter(build_workbook(result), archive).save()
        except BaseException:
            # Closed now, while its temporary is open: left to the collector it would close into a closed file.
            with contextlib.suppress(Exception):
                archive.close()
            raise
        stored.seek(0)
        return _stable_zip(stored)


def write_xlsx(result: AuditResult, path: str | os.PathLike[str]) -> Path:
    return write_atomic(path, render_xlsx(result))
