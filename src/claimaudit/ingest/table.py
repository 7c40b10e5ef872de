"""Claims tables (.csv / .xlsx): one claim per row, with the sources it cites.

Reviewers often receive copy as a spreadsheet with a ``claim`` column and a
``source`` column naming the source ids each claim leans on. Each row
becomes a ``cell`` block whose ``cited_sources`` carry those ids.

CSV is split by a small reader of our own (quotes, doubled quotes, newlines
inside quoted cells) because every character must keep its offset for
line/column reporting. For .xlsx the document's ``raw`` is a rendering with
one line per worksheet row, so a finding's line is the spreadsheet row number.

Workbooks are opened by :func:`open_workbook` (the reviewed-workbook reader
uses it too): the archive is measured against the ``max-workbook-*`` limits
before openpyxl reads it, and any broken part, cell or value is an InputError
naming the file, and the sheet and cell where known.
"""

from __future__ import annotations

import math
import re
import warnings
from array import array
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, BinaryIO, Generator, Iterable, Iterator, Sequence

from claimaudit import limits
from claimaudit.errors import InputError
from claimaudit.ingest.mapped import MappedText, PendingBlock

CLAIM_HEADERS = ("claim", "claims", "claim text")
SOURCE_HEADERS = ("source", "sources", "source id", "source ids", "source_id", "source_ids")
SECTION_HEADERS = ("section", "heading", "page")
# A claims register's own id for each row ("C-001"), kept in every output; the first spelling found wins.
REGISTER_ID_HEADERS = ("id", "claim id", "ref", "reference")
_SOURCE_ID_SEPARATOR = re.compile(r"[,;\n]+")


@dataclass
class Row:
    line: int  # 1-based line (csv) or worksheet row (xlsx) the row starts on
    cells: list[MappedText]

    def cell(self, column: int) -> MappedText:
        return self.cells[column] if column < len(self.cells) else MappedText()

    def is_empty(self) -> bool:
        return not any(cell.text.strip() for cell in self.cells)


def sniff_delimiter(raw: str) -> str:
    """The separator used in the header line: comma, semicolon or tab."""
    first = next((line for line in raw.split("\n") if line.strip()), "")
    counts = {sep: 0 for sep in (",", ";", "\t")}
    quoted = False
    for char in first:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def read_delimited(raw: str, delimiter: str | None = None) -> list[Row]:
    """Rows of a CSV text with each cell's characters mapped to raw offsets."""
    delimiter = delimiter or sniff_delimiter(raw)
    rows: list[Row] = []
    cells: list[MappedText] = []
    text: list[str] = []
    offsets: list[int] = []
    line = 1
    row_line = 1
    position = 0
    length = len(raw)
    at_cell_start = True

    def end_cell() -> None:
        cells.append(MappedText("".join(text), array("q", offsets)))
        text.clear()
        offsets.clear()

    while position < length:
        char = raw[position]
        if at_cell_start and char == '"':
            position += 1
            while position < length:
                char = raw[position]
                if char == '"':
                    if position + 1 < length and raw[position + 1] == '"':
                        text.append('"')
                        offsets.append(position)
                        position += 2
                        continue
                    position += 1
                    break
                if char == "\n":
                    line += 1
                text.append(char)
                offsets.append(position)
                position += 1
            at_cell_start = False
            continue
        if char == delimiter:
            end_cell()
            at_cell_start = True
        elif char == "\n":
            end_cell()
            rows.append(Row(row_line, cells))
            cells = []
            line += 1
            row_line = line
            at_cell_start = True
        else:
            text.append(char)
            offsets.append(position)
            at_cell_start = False
        position += 1
    if text or cells or not at_cell_start:
        end_cell()
        rows.append(Row(row_line, cells))
    return [row for row in rows if not row.is_empty()]


def normalise_header(text: str) -> str:
    return " ".join(text.strip().lower().replace("_", " ").split())


def find_column(headers: Sequence[str], names: Iterable[str]) -> int | None:
    wanted = {normalise_header(name) for name in names}
    for index, header in enumerate(headers):
        if normalise_header(header) in wanted:
            return index
    return None


def register_id_column(headers: Sequence[str]) -> int | None:
    """The column holding the register's own claim ids: "ID" before "Claim ID" before "Ref"..."""
    for name in REGISTER_ID_HEADERS:
        column = find_column(headers, (name,))
        if column is not None:
            return column
    return None


def register_row(path: str | Path, register_id: str) -> tuple[str, str, tuple[str, ...]]:
    """The row of a claims table with this register id: (its id as written, its claim, the sources it cites)."""
    from claimaudit.ingest import load_document

    where = str(path)
    if Path(path).suffix.lower() not in (".csv", ".xlsx"):
        raise InputError("a claims table is a .csv or .xlsx file", path=where)
    document = load_document(path)
    wanted = " ".join(register_id.split()).casefold()
    ids = list(dict.fromkeys(block.register_id for block in document.blocks if block.register_id))
    if not ids:
        raise InputError(f"this claims table has no id column ({', '.join(REGISTER_ID_HEADERS)})", path=where)
    for block in document.blocks:
        if block.register_id.casefold() == wanted:
            return block.register_id, document.text[block.start:block.end], tuple(block.cited_sources)
    shown = ", ".join(ids[:10]) + (f" and {len(ids) - 10} more" if len(ids) > 10 else "")
    raise InputError(f"no row has the id {register_id.strip()[:40]!r}; the ids are {shown}", path=where)


def split_source_ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in _SOURCE_ID_SEPARATOR.split(text) if part.strip())


def _claim_column(headers: Sequence[str], path: str, line: int) -> int:
    column = find_column(headers, CLAIM_HEADERS)
    if column is None:
        found = ", ".join(repr(h.strip()) for h in headers if h.strip()) or "none"
        raise InputError(f"a claims table needs a 'claim' column; the columns found are: {found}",
                         path=path, line=line)
    return column


def _rows_to_blocks(rows: list[Row], path: str) -> list[PendingBlock]:
    if not rows:
        raise InputError("the claims table is empty", path=path)
    header, body = rows[0], rows[1:]
    headers = [cell.text for cell in header.cells]
    claim_column = _claim_column(headers, path, header.line)
    source_column = find_column(headers, SOURCE_HEADERS)
    section_column = find_column(headers, SECTION_HEADERS)
    id_column = register_id_column(headers)
    blocks: list[PendingBlock] = []
    for row in body:
        claim = row.cell(claim_column).collapse_whitespace()
        if not claim:
            continue
        sources = split_source_ids(row.cell(source_column).text) if source_column is not None else ()
        section = row.cell(section_column).text.strip() if section_column is not None else ""
        register_id = " ".join(row.cell(id_column).text.split()) if id_column is not None else ""
        blocks.append(PendingBlock(claim, kind="cell", cited_sources=sources,
                                   heading=section, register_id=register_id))
    if not blocks:
        raise InputError("the claims table has no claims (every 'claim' cell is empty)", path=path)
    return blocks


def extract_csv_blocks(raw: str, path: str) -> list[PendingBlock]:
    return _rows_to_blocks(read_delimited(raw), path)


def cell_text(value: Any) -> str:
    """A spreadsheet value as the text a reviewer sees in the cell."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# --- workbooks ---------------------------------------------------------------------
#
# An .xlsx file is a zip of XML parts, and openpyxl reads a part whole: a 1 MB
# file can unpack to gigabytes, and a 4 MB sheet of empty cells in one row
# costs openpyxl 350 MB. So the archive is measured before openpyxl sees it
# (unpacked bytes, parts, compression ratio, XML elements), and rows and cells
# are counted while the sheet is read. Every way a workbook can be broken
# becomes an InputError naming the file, and the sheet and cell where known.

# A filled cell is two to four XML elements: <c><v> or <c><is><t>, and its
# shared string <si><t>. Elements are what openpyxl's time and memory follow.
_ELEMENTS_PER_CELL = 4
_ELEMENT_ALLOWANCE = 100_000  # styles, theme, relationships of a normal workbook


def _damaged(detail: object) -> str:
    return f"cannot read this workbook: the zip archive is damaged ({detail})"


def _open_regular_file(path: Path) -> BinaryIO:
    """The workbook opened for reading: a regular file, within the size limit, that is a zip archive."""
    from claimaudit.ingest.archive import OLE_SIGNATURE

    where = str(path)
    handle = limits.open_regular(where, name="max-workbook-bytes", what="workbook")
    try:
        magic = handle.read(8)
        if magic.startswith(OLE_SIGNATURE):
            raise InputError("not an Excel workbook (.xlsx): cannot read this workbook, it is password-protected "
                             "or an old .xls file; save it as .xlsx without a password", path=where)
        if not magic.startswith(b"PK"):
            raise InputError("not an Excel workbook (.xlsx): cannot read this workbook, it is not a zip archive",
                             path=where)
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    return handle


def _count_elements(stream: IO[bytes]) -> int:
    """XML start tags in a part: every ``<`` that opens neither ``</``, ``<?`` nor ``<!``."""
    opened = closers = 0
    previous = b""
    while chunk := stream.read(1 << 20):
        opened += chunk.count(b"<")
        # The last byte of the chunk before catches a pair split between chunks.
        joined = previous + chunk
        closers += joined.count(b"</") + joined.count(b"<?") + joined.count(b"<!")
        previous = chunk[-1:]
    return opened - closers


def _inspect_archive(handle: BinaryIO, where: str) -> None:
    """Refuse an archive that would unpack past the limits, before openpyxl reads any of it."""
    # Here, not at the top: a warm `check` of a page never opens a workbook (nor imports zipfile).
    from claimaudit.ingest.archive import ZIP_ERRORS, Package, checked_archive

    workbook = Package("workbook", ".xlsx", "a sheet of copy", "max-workbook-bytes")
    with checked_archive(handle, where, workbook) as archive:
        parts = archive.infolist()
        cells = limits.int_value("max-workbook-cells")
        allowed = _ELEMENTS_PER_CELL * cells + _ELEMENT_ALLOWANCE
        elements = 0
        for part in parts:
            try:
                with archive.open(part) as stream:
                    elements += _count_elements(stream)
            except ZIP_ERRORS as error:
                raise InputError(_damaged(error), path=where) from None
            if elements > allowed:
                raise InputError(
                    f"cannot read this workbook: it holds over {allowed:,} XML elements, more than "
                    f"the limit of {cells:,} cells can fill ({_ELEMENTS_PER_CELL} elements a cell) "
                    f"{limits.hint('max-workbook-cells')}", path=where)


def _unreadable(error: Exception) -> str:
    """What went wrong inside openpyxl, in words for the message."""
    from xml.etree.ElementTree import ParseError

    detail = " ".join(str(error).split())[:200]
    if isinstance(error, ParseError):
        return f"broken XML ({detail})"
    if isinstance(error, KeyError):
        return f"a part is missing ({detail.strip(chr(34) + chr(39))})"
    if isinstance(error, IndexError):
        return "it refers to a shared string the workbook does not have"
    if isinstance(error, RecursionError):
        return "its XML is nested too deeply"
    if isinstance(error, (ValueError, OverflowError)) and detail:
        for prefix in ("invalid literal for int() with base 10: ", "could not convert string to float: "):
            if detail.startswith(prefix):
                return f"{detail[len(prefix):][:40]} is not a number"
        if "Exceeds the limit" in detail:
            return "the number has too many digits"
        return detail
    return f"{detail} ({type(error).__name__})" if detail else type(error).__name__


def _row_number(reference: str | None, previous: int) -> int:
    """A row's number from its ``r`` attribute (openpyxl also takes "5.0"), or the next one."""
    if reference is None:
        return previous + 1
    try:
        return int(reference)
    except ValueError:
        number = float(reference)  # ValueError for text; inf and nan are caught below
        if not number.is_integer():
            raise ValueError(f"{reference[:20]!r} is not a row number") from None
        return int(number)


class OpenWorkbook:
    """A workbook opened read-only, whose sheets are read through :meth:`rows`."""

    # A plain class: a dataclass costs a `check` of a page 2 ms to import.
    def __init__(self, path: str, book: Any):
        self.path = path
        self.book = book
        self.cells_read = 0

    @property
    def sheets(self) -> list[Any]:
        return list(self.book.worksheets)

    def rows(self, sheet: Any) -> Generator[tuple[int, list[Any]], None, None]:
        """(row number, values up to the row's last filled cell) for each row holding a value.

        Rows come in sheet order with rising numbers. Over ``max-workbook-rows``
        rows or ``max-workbook-cells`` cells (a blank cell before a filled one
        counts), or a cell that cannot be read, is an InputError naming the
        sheet and cell.

        The sheet XML is walked here rather than through openpyxl's read-only
        rows, which build a whole row before handing it over (a row of a million
        empty cells is 900 MB), pad every gap up to the sheet's stated size, and
        say nothing of where a bad value sits. openpyxl's parser still turns each
        cell into its value, so shared strings, dates and booleans read as
        openpyxl reads them.
        """
        from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG, WorkSheetParser
        from openpyxl.xml.functions import iterparse

        max_rows = limits.int_value("max-workbook-rows")
        max_cells = limits.int_value("max-workbook-cells")
        label = f"sheet {str(sheet.title)[:60]!r}"
        book = self.book
        source = sheet._get_source()
        # The parser keeps the stream without reading it: only its parse_cell is used, on the walk below.
        parser = WorkSheetParser(source, sheet._shared_strings, data_only=True, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        number = 0
        row_ref: str | None = None
        cell_ref: str | None = None
        in_row = False
        in_cell = 0
        filled: list[tuple[int, Any]] = []
        open_elements: list[Any] = []
        try:
            for event, element in iterparse(source, events=("start", "end")):
                tag = element.tag
                if event == "start":
                    open_elements.append(element)
                    if tag == ROW_TAG:
                        row_ref = element.get("r")
                        found = _row_number(row_ref, number)
                        if found < 1:
                            raise ValueError(f"{found} is not a row number")
                        number = max(found, number + 1)
                        if number > max_rows:
                            raise limits.breach("max-workbook-rows", number, path=self.path, field=label)
                        parser.row_counter, parser.col_counter = number, 0
                        in_row, filled = True, []
                    elif tag == CELL_TAG:
                        in_cell += 1
                    continue
                open_elements.pop()
                if tag == CELL_TAG:
                    in_cell -= 1
                    if in_row:
                        cell_ref = element.get("r") or f"{_column_letters(parser.col_counter + 1)}{number}"
                        cell = parser.parse_cell(element)
                        _check_cell_value(cell, element)
                        cell_ref = None
                        if cell["value"] is not None:
                            filled.append((cell["column"], cell["value"]))
                elif tag == ROW_TAG:
                    in_row, row_ref = False, None
                    if filled:
                        width = max(column for column, _ in filled)
                        self.cells_read += width
                        if self.cells_read > max_cells:
                            raise limits.breach("max-workbook-cells", self.cells_read, path=self.path,
                                                field=label)
                        values: list[Any] = [None] * width
                        for column, value in filled:
                            values[column - 1] = value
                        filled = []
                        yield number, values
                elif in_cell:
                    continue  # a cell's value and text are read when the cell ends
                # Let go of what has been read: each element is the first child
                # left in its parent, since every sibling before it was dropped.
                if open_elements and len(open_elements[-1]) and open_elements[-1][0] is element:
                    del open_elements[-1][0]
                element.clear()
        except InputError:
            raise
        except Exception as error:  # openpyxl raises whatever the broken value gives it
            where = f"cell {cell_ref[:16]}" if cell_ref else f"row {row_ref[:16]}" if row_ref else None
            if where is None:
                raise InputError(f"cannot read this sheet: {_unreadable(error)}", path=self.path,
                                 field=label) from None
            raise InputError(_unreadable(error), path=self.path, field=f"{label}, {where}") from None
        finally:
            source.close()


def _check_cell_value(cell: dict[str, Any], element: Any) -> None:
    """Refuse values no spreadsheet program writes: numbers past a double, dates past the calendar."""
    value = cell["value"]
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("the number is out of range for a spreadsheet cell")
    # openpyxl turns a date-formatted number it cannot make a date of into an error cell
    if cell["data_type"] == "e" and element.get("t", "n") == "n":
        raise ValueError("the date is out of range")


def _column_letters(column: int) -> str:
    letters = ""
    while column > 0 and len(letters) < 8:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


@contextmanager
def open_workbook(path: str | Path) -> Iterator[OpenWorkbook]:
    """An .xlsx workbook opened read-only once its archive passed the size checks.

    openpyxl's warnings (unsupported extensions, dates out of range) are kept
    off the console: the values it could not read are reported as InputErrors.
    """
    import openpyxl

    path = Path(path)
    where = str(path)
    handle = _open_regular_file(path)
    try:
        _inspect_archive(handle, where)
        handle.seek(0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
            except InputError:
                raise
            except Exception as error:  # zip, XML and openpyxl's own errors alike
                raise InputError(f"cannot read this workbook: {_unreadable(error)}", path=where) from None
            try:
                yield OpenWorkbook(where, book)
            finally:
                book.close()
    finally:
        handle.close()


def _text_rows(workbook: OpenWorkbook, sheet: Any) -> list[list[str]]:
    """A sheet's rows as text, row ``i`` of the list being worksheet row ``i + 1``."""
    rows: list[list[str]] = []
    for number, values in workbook.rows(sheet):
        while len(rows) < number - 1:
            rows.append([])
        rows.append([cell_text(value) for value in values])
    return rows


def read_workbook_rows(path: str | Path, *, want: Iterable[str] = CLAIM_HEADERS
                       ) -> tuple[list[list[str]], str]:
    """All rows (as text) of the first worksheet holding a ``want`` column.

    Row ``i`` of the result is worksheet row ``i + 1``. Falls back to the
    first worksheet so the caller can report the columns it found.
    """
    want = tuple(want)
    with open_workbook(path) as workbook:
        sheets = workbook.sheets
        if not sheets:
            raise InputError("the workbook has no worksheets", path=workbook.path)
        first: tuple[list[list[str]], str] | None = None
        for sheet in sheets:
            rows = _text_rows(workbook, sheet)
            header = next((row for row in rows if any(cell.strip() for cell in row)), None)
            if header is not None and find_column(header, want) is not None:
                return rows, sheet.title
            if first is None:
                first = (rows, sheet.title)
        assert first is not None
        return first


def render_workbook(rows: list[list[str]]) -> str:
    """One line per worksheet row; the claim-bearing text starts each line."""
    return "\n".join("\t".join(" ".join(cell.split()) for cell in row).rstrip("\t")
                     for row in rows)


def workbook_to_rows(rows: list[list[str]], raw: str) -> list[Row]:
    """Rows whose cells map into ``raw`` (as rendered by ``render_workbook``)."""
    result: list[Row] = []
    line_start = 0
    lines = raw.split("\n")
    for number, (values, rendered) in enumerate(zip(rows, lines), start=1):
        cells: list[MappedText] = []
        position = line_start
        for value in values:
            flat = " ".join(value.split())
            cells.append(MappedText(flat, array("q", range(position, position + len(flat)))))
            position += len(flat) + 1
        if any(cell.text for cell in cells):
            result.append(Row(number, cells))
        line_start += len(rendered) + 1
    return result


def load_xlsx_table(path: str | Path) -> tuple[str, list[PendingBlock]]:
    """The rendered raw text and the claim blocks of a claims workbook."""
    rows, _sheet = read_workbook_rows(path)
    header_index = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), None)
    if header_index is None:
        raise InputError("the claims table is empty", path=str(path))
    claim_column = _claim_column(rows[header_index], str(path), header_index + 1)
    # Put the claim first on each rendered line so a finding's column is 1.
    ordered = [[row[claim_column] if claim_column < len(row) else ""]
               + [cell for i, cell in enumerate(row) if i != claim_column] for row in rows]
    raw = render_workbook(ordered)
    # The rendered rows are the copy every later stage reads, held to the same
    # size as a page (the workbook limit counts XML, which is mostly markup).
    limits.check("max-input-bytes", len(raw.encode("utf-8")), path=str(path), field="the text of its rows")
    mapped_rows = workbook_to_rows(ordered, raw)
    return raw, _rows_to_blocks(mapped_rows, str(path))
