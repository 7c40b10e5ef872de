"""Claims tables (.csv / .xlsx): one claim per row, with the sources it cites.

Reviewers often receive copy as a spreadsheet with a ``claim`` column and a
``source`` column naming the source ids each claim leans on. Each row
becomes a ``cell`` block whose ``cited_sources`` carry those ids.

CSV is split by a small reader of our own (quotes, doubled quotes, newlines
inside quoted cells) because every character must keep its offset for
line/column reporting. For .xlsx the document's ``raw`` is a rendering with
one line per worksheet row, so a finding's line is the spreadsheet row number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from claimaudit.errors import InputError
from claimaudit.ingest.mapped import MappedText, PendingBlock

CLAIM_HEADERS = ("claim", "claims", "claim text")
SOURCE_HEADERS = ("source", "sources", "source id", "source ids", "source_id", "source_ids")
SECTION_HEADERS = ("section", "heading", "page")
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
        cells.append(MappedText("".join(text), offsets.copy()))
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
    blocks: list[PendingBlock] = []
    for row in body:
        claim = row.cell(claim_column).collapse_whitespace()
        if not claim:
            continue
        sources = split_source_ids(row.cell(source_column).text) if source_column is not None else ()
        section = row.cell(section_column).text.strip() if section_column is not None else ""
        blocks.append(PendingBlock(claim, kind="cell", cited_sources=sources,
                                   heading=section))
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


def read_workbook_rows(path: str | Path, *, want: Iterable[str] = CLAIM_HEADERS
                       ) -> tuple[list[list[str]], str]:
    """All rows (as text) of the first worksheet holding a ``want`` column.

    Row ``i`` of the result is worksheet row ``i + 1``. Falls back to the
    first worksheet so the caller can report the columns it found.
    """
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", path=str(path))
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError) as exc:
        raise InputError(f"cannot read this workbook: {exc}", path=str(path)) from None
    except Exception as exc:  # zipfile.BadZipFile and friends from corrupt files
        raise InputError(f"cannot read this workbook ({type(exc).__name__}: {exc})",
                         path=str(path)) from None
    try:
        sheets: list[tuple[str, list[list[str]]]] = []
        for sheet in workbook.worksheets:
            rows = [[cell_text(value) for value in row]
                    for row in sheet.iter_rows(min_row=1, values_only=True)]
            sheets.append((sheet.title, rows))
    finally:
        workbook.close()
    if not sheets:
        raise InputError("the workbook has no worksheets", path=str(path))
    for title, rows in sheets:
        header = next((row for row in rows if any(cell.strip() for cell in row)), None)
        if header is not None and find_column(header, want) is not None:
            return rows, title
    return sheets[0][1], sheets[0][0]


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
            cells.append(MappedText(flat, list(range(position, position + len(flat)))))
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
    mapped_rows = workbook_to_rows(ordered, raw)
    return raw, _rows_to_blocks(mapped_rows, str(path))
