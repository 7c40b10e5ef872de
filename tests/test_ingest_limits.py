"""Hostile input files are refused with one line naming the file, within bounded time and memory.

Workbooks are built here part by part (a few kilobytes each): broken shared
strings, numbers no spreadsheet holds, dates past the calendar, zip bombs. The
reproducers of issue 9 run through the real command line in a subprocess with
a timeout, so a hang fails the test instead of stalling the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from claimaudit.errors import InputError
from claimaudit.ingest import load_document
from claimaudit.ingest.encoding import decode_bytes
from claimaudit.verdicts.review import read_review

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
SPREADSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"

CONTENT_TYPES = f"""<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml" ContentType="{SPREADSHEET_TYPE}.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{SPREADSHEET_TYPE}.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml" ContentType="{SPREADSHEET_TYPE}.sharedStrings+xml"/>
<Override PartName="/xl/styles.xml" ContentType="{SPREADSHEET_TYPE}.styles+xml"/>
</Types>"""
PACKAGE_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>
</Relationships>"""
WORKBOOK = f"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}">
<sheets><sheet name="Claims" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = f"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">
<Relationship Id="rId1" Type="{RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="{RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>
<Relationship Id="rId3" Type="{RELATIONSHIPS}/styles" Target="styles.xml"/>
</Relationships>"""
# Style 1 shows a number as a date (built-in format 14), as Excel writes a Date column.
STYLES = f"""<?xml version="1.0" encoding="UTF-8"?>
<styleSheet xmlns="{MAIN}">
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""
SHARED_STRINGS = f"""<?xml version="1.0" encoding="UTF-8"?>
<sst xmlns="{MAIN}" count="1" uniqueCount="1"><si><t>Source</t></si></sst>"""

REVIEW_HEADER = ["ID", "Document", "Line", "Claim", "Verdict", "Rules", "Decision", "Comment", "Reviewer", "Date"]


def text_cell(value: str) -> str:
    return f'<c t="inlineStr"><is><t>{value}</t></is></c>'


def number_cell(value: str, style: int | None = None) -> str:
    styled = f' s="{style}"' if style is not None else ""
    return f"<c{styled}><v>{value}</v></c>"


def sheet_xml(rows: list[list[str]]) -> str:
    """A worksheet whose rows are lists of cell XML (or plain strings, written as text cells)."""
    body = "".join(
        f'<row r="{number}">' + "".join(cell if cell.startswith("<c") else text_cell(cell) for cell in row) + "</row>"
        for number, row in enumerate(rows, start=1))
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<worksheet xmlns="{MAIN}"><sheetData>{body}</sheetData></worksheet>'


def workbook_parts(sheet: str) -> dict[str, str | bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": PACKAGE_RELS, "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS, "xl/styles.xml": STYLES,
        "xl/sharedStrings.xml": SHARED_STRINGS, "xl/worksheets/sheet1.xml": sheet,
    }


def write_workbook(path: Path, parts: dict[str, str | bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def claims_workbook(path: Path, *rows: list[str]) -> Path:
    """A claims workbook: a Claim and a Source column, then ``rows``."""
    return write_workbook(path, workbook_parts(sheet_xml([["Claim", "Source"], *rows])))


def review_workbook(path: Path, *rows: list[str]) -> Path:
    return write_workbook(path, workbook_parts(sheet_xml([REVIEW_HEADER, *rows])))


def cli(*args: object, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "CLAIMAUDIT_CACHE_DIR": "off", **(env or {})}
    return subprocess.run([sys.executable, "-m", "claimaudit", *map(str, args)], cwd=cwd, env=environment,
                          capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)


def assert_refused(result: subprocess.CompletedProcess, *words: str) -> str:
    """Exit 2 and one line on standard error that holds every word; no traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def refusal(read, path: Path) -> str:
    with pytest.raises(InputError) as caught:
        read(path)
    message = str(caught.value)
    assert path.name in message
    return message


# --- the reproducers, through the command line ----------------------------------------------


def test_claims_workbook_with_a_shared_string_out_of_range_is_refused(tmp_path):
    claims_workbook(tmp_path / "claims.xlsx", ['<c t="s"><v>99</v></c>', "cole2021"])
    assert_refused(cli("check", "claims.xlsx", cwd=tmp_path), "claims.xlsx", "shared string")


@pytest.mark.parametrize("command", [["review", "summary", "reviewed.xlsx"],
                                     ["audit", "page.html", "--review", "reviewed.xlsx", "-o", "out", "-f", "json"]],
                         ids=["review-summary", "audit-review"])
def test_reviewed_workbook_with_a_line_number_of_1e400_is_refused(tmp_path, command):
    (tmp_path / "page.html").write_text("<p>Walking every day cures back pain.</p>", encoding="utf-8")
    review_workbook(tmp_path / "reviewed.xlsx",
                    ["a1b2c3", "page.html", number_cell("1e400"), "Walking cures back pain.", "overstated",
                     "CA201", "Approve", "", "Ann", "2024-05-01"])
    assert_refused(cli(*command, cwd=tmp_path), "reviewed.xlsx", "cell C2")


def test_workbook_with_one_enormous_cell_is_refused_before_it_is_unpacked(tmp_path):
    # Six megabytes of one letter pack into a few kilobytes; the 1 GB cell of
    # the issue is the same shape, only larger.
    path = claims_workbook(tmp_path / "bomb.xlsx", ["A" * (6 * 1024 * 1024), "cole2021"])
    assert path.stat().st_size < 64 * 1024
    assert_refused(cli("check", "bomb.xlsx", cwd=tmp_path), "bomb.xlsx", "zip bomb")


def test_workbook_that_unpacks_past_the_byte_limit_names_the_limit(tmp_path):
    rows = [[f"Claim number {n} says the cream works for {n * 7 % 97} percent of people.", f"src{n}"]
            for n in range(400)]
    claims_workbook(tmp_path / "claims.xlsx", *rows)
    result = cli("check", "claims.xlsx", cwd=tmp_path, env={"CLAIMAUDIT_MAX_WORKBOOK_BYTES": "20000"})
    assert_refused(result, "claims.xlsx", "max-workbook-bytes", "CLAIMAUDIT_MAX_WORKBOOK_BYTES")


def test_page_over_the_input_limit_names_the_file_and_the_limit(tmp_path):
    (tmp_path / "page.html").write_text("<p>" + "Our cream works. " * 200 + "</p>", encoding="utf-8")
    result = cli("check", "page.html", cwd=tmp_path, env={"CLAIMAUDIT_MAX_INPUT_BYTES": "1000"})
    assert_refused(result, "page.html", "max-input-bytes")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are a POSIX feature")
@pytest.mark.parametrize("name", ["page.html", "claims.xlsx"])
def test_named_pipe_as_a_copy_file_is_refused_without_waiting(tmp_path, name):
    os.mkfifo(tmp_path / name)
    assert_refused(cli("check", name, cwd=tmp_path), name, "not a regular file")


# --- every way a claims workbook can be broken ---------------------------------------------------


def written(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def damaged_archive(path: Path) -> Path:
    claims_workbook(path, ["Walking cures back pain.", "cole2021"])
    data = bytearray(path.read_bytes())
    start = data.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    data[start + 10] ^= 0xFF  # a byte of the sheet's packed data: the checksum no longer matches
    path.write_bytes(bytes(data))
    return path


BROKEN_WORKBOOKS = {
    "not-a-zip": lambda p: written(p, b"Claim,Source\nWalking cures back pain.,cole2021\n"),
    "encrypted-or-xls": lambda p: written(p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)),
    "zip-without-parts": lambda p: write_workbook(p, {"notes.txt": "nothing here"}),
    "damaged-archive": damaged_archive,
    "broken-sheet-xml": lambda p: write_workbook(p, workbook_parts(sheet_xml([["Claim"]])[:-40])),
    "broken-styles": lambda p: write_workbook(p, {**workbook_parts(sheet_xml([["Claim"]])),
                                                  "xl/styles.xml": "<styleSheet><fonts"}),
    "shared-string-out-of-range": lambda p: claims_workbook(p, ['<c t="s"><v>7</v></c>']),
    "shared-string-not-a-number": lambda p: claims_workbook(p, ['<c t="s"><v>seven</v></c>']),
    "number-cell-with-words": lambda p: claims_workbook(p, ["Walking cures.", '<c t="n"><v>many</v></c>']),
    "boolean-cell-with-words": lambda p: claims_workbook(p, ["Walking cures.", '<c t="b"><v>yes</v></c>']),
    "number-past-a-double": lambda p: claims_workbook(p, ["Walking cures.", number_cell("1e400")]),
    "number-of-5000-digits": lambda p: claims_workbook(p, ["Walking cures.", number_cell("9" * 5000)]),
    "date-that-is-not-a-date": lambda p: claims_workbook(p, ["Walking cures.", '<c t="d"><v>soon</v></c>']),
    "date-past-the-calendar": lambda p: claims_workbook(p, ["Walking cures.", number_cell("1e12", style=1)]),
    "cell-reference-past-the-columns": lambda p: claims_workbook(p, ['<c r="QQQQQ2" t="inlineStr"><is><t>x</t></is></c>']),
    "row-number-1e400": lambda p: write_workbook(p, workbook_parts(sheet_xml([["Claim"]]).replace(
        "</sheetData>", f'<row r="1e400">{text_cell("Walking cures.")}</row></sheetData>'))),
}
# Where the message can say which cell is at fault, it does.
BROKEN_CELLS = {
    "shared-string-out-of-range": "cell A2", "shared-string-not-a-number": "cell A2",
    "number-cell-with-words": "cell B2", "boolean-cell-with-words": "cell B2", "number-past-a-double": "cell B2",
    "number-of-5000-digits": "cell B2", "date-that-is-not-a-date": "cell B2", "date-past-the-calendar": "cell B2",
    "cell-reference-past-the-columns": "cell QQQQQ2", "row-number-1e400": "row 1e400",
}


@pytest.mark.parametrize("kind", sorted(BROKEN_WORKBOOKS))
def test_broken_claims_workbook_is_an_input_error_naming_the_file(tmp_path, kind):
    path = BROKEN_WORKBOOKS[kind](tmp_path / "claims.xlsx")
    message = refusal(load_document, path)
    if kind in BROKEN_CELLS:
        assert f"sheet 'Claims', {BROKEN_CELLS[kind]}" in message


@pytest.mark.parametrize("kind", ["not-a-zip", "shared-string-out-of-range", "date-past-the-calendar"])
def test_broken_reviewed_workbook_is_an_input_error_naming_the_file(tmp_path, kind):
    refusal(read_review, BROKEN_WORKBOOKS[kind](tmp_path / "reviewed.xlsx"))


@pytest.mark.parametrize("line", ["nan", "-3", "0", "2.5", "1" + "0" * 40])
def test_reviewed_workbook_line_that_is_no_line_number_is_refused_with_its_row(tmp_path, line):
    path = review_workbook(tmp_path / "reviewed.xlsx",
                           ["a1b2c3", "page.html", number_cell(line), "Walking cures back pain.", "overstated",
                            "CA201", "Approve", "", "Ann", "2024-05-01"])
    message = refusal(read_review, path)
    assert "reviewed.xlsx:2" in message or "cell C2" in message


def test_reviewed_workbook_with_ordinary_lines_reads(tmp_path):
    path = review_workbook(tmp_path / "reviewed.xlsx",
                           ["a1b2c3", "page.html", number_cell("12"), "Walking cures back pain.", "overstated",
                            "CA201", "Approve", "", "Ann", number_cell("45413", style=1)],
                           ["d4e5f6", "page.html", "", "Heat helps.", "supported", "", "", "", "", ""])
    rows = read_review(path).rows
    assert [(row.id, row.line, row.decision, row.date) for row in rows] == [
        ("a1b2c3", 12, "Approve", "2024-05-01"), ("d4e5f6", None, "", "")]


# --- size limits on workbooks --------------------------------------------------------------------


def test_rows_past_the_row_limit_are_refused_naming_the_sheet(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_MAX_WORKBOOK_ROWS", "5")
    path = claims_workbook(tmp_path / "claims.xlsx", *[[f"Claim {n} cures.", "src"] for n in range(8)])
    message = refusal(load_document, path)
    assert "sheet 'Claims'" in message and "max-workbook-rows" in message


def test_one_row_numbered_past_the_row_limit_is_refused_without_reading_the_gap(tmp_path):
    sheet = sheet_xml([["Claim"]]).replace(
        "</sheetData>", f'<row r="900000000">{text_cell("Walking cures.")}</row></sheetData>')
    message = refusal(load_document, write_workbook(tmp_path / "claims.xlsx", workbook_parts(sheet)))
    assert "max-workbook-rows" in message


def test_cells_past_the_cell_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_MAX_WORKBOOK_CELLS", "10")
    path = claims_workbook(tmp_path / "claims.xlsx", *[[f"Claim {n} cures.", "src"] for n in range(8)])
    assert "max-workbook-cells" in refusal(load_document, path)


def test_a_row_of_a_hundred_thousand_empty_cells_is_refused_before_it_is_parsed(tmp_path, monkeypatch):
    # openpyxl builds a whole row before handing it over: a million empty
    # cells in one row, four megabytes of XML, took 900 MB.
    monkeypatch.setenv("CLAIMAUDIT_MAX_WORKBOOK_CELLS", "1")
    sheet = sheet_xml([["Claim"]]).replace("</sheetData>", '<row r="2">' + "<c/>" * 110_000 + "</row></sheetData>")
    message = refusal(load_document, write_workbook(tmp_path / "claims.xlsx", workbook_parts(sheet)))
    assert "XML elements" in message and "max-workbook-cells" in message


def test_an_archive_of_too_many_parts_is_refused_before_its_directory_is_read(tmp_path):
    path = tmp_path / "claims.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in workbook_parts(sheet_xml([["Claim"], ["Walking cures."]])).items():
            archive.writestr(name, data)
        for n in range(10_001):
            archive.writestr(f"x/{n}", b"")
    assert "10,0" in refusal(load_document, path)


def test_rendered_workbook_over_the_input_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_MAX_INPUT_BYTES", "60")
    path = claims_workbook(tmp_path / "claims.xlsx", ["Walking every day cures back pain for good.", "cole2021"],
                           ["Heat relieves stiffness in most people within a week.", "lee2020"])
    assert "max-input-bytes" in refusal(load_document, path)


def test_a_sparse_workbook_reads_without_its_gaps(tmp_path):
    sheet = sheet_xml([["Claim", "Source"]]).replace(
        "</sheetData>", f'<row r="40000"><c r="A40000" t="inlineStr"><is><t>Walking cures back pain.</t></is></c>'
                        f'<c r="D40000" t="inlineStr"><is><t>cole2021</t></is></c></row></sheetData>')
    doc = load_document(write_workbook(tmp_path / "claims.xlsx", workbook_parts(sheet)))
    assert "Walking cures back pain." in doc.text
    assert doc.line_col(doc.text.index("Walking"))[0] == 40000


# --- declared character sets ---------------------------------------------------------------------


@pytest.mark.parametrize("charset", ["undefined", "x-no-such-charset", "hex", "unicode_escape", "utf-16", "rot13"])
def test_a_declared_charset_that_names_no_page_encoding_falls_back_to_detection(tmp_path, charset):
    page = (f'<html><head><meta charset="{charset}"></head><body><p>Our caf\xe9 menu helps '
            "people sleep better, says the survey of our own guests.</p></body></html>")
    path = tmp_path / "page.html"
    path.write_bytes(page.encode("cp1252"))
    doc = load_document(path)
    assert "café menu" in doc.text


def test_meta_charset_undefined_through_the_command_line_reads_the_page(tmp_path):
    (tmp_path / "page.html").write_bytes(
        b'<meta charset="undefined"><p>Our caf\xe9 tea cures insomnia in every guest.</p>')
    result = cli("check", "page.html", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr


def test_a_declared_charset_that_reads_the_page_is_used():
    doc = decode_bytes('<meta charset="koi8-r"><p>Привет</p>'.encode("koi8_r"), "page.html")
    assert doc.encoding == "koi8-r" and "Привет" in doc.text


def test_bytes_no_encoding_reads_are_refused_naming_the_file():
    with pytest.raises(InputError, match=r"^blob\.html: cannot detect"):
        decode_bytes(bytes(range(256)) * 64, "blob.html")


# --- a long page stays small in memory -----------------------------------------------------------

MEMORY_PROBE = """
import resource, sys
from claimaudit.ingest import load_document
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
doc = load_document(sys.argv[1])
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(len(doc.text), (after - before) * 1024)
"""


@pytest.mark.parametrize("name, page", [
    ("run-on.txt", "x" * (4 * 1024 * 1024)),
    ("run-on.html", "<p>" + "x" * (4 * 1024 * 1024) + "</p>"),
    ("one-line.txt", "Our cream works well. " * 190_000),
])
def test_a_page_of_one_four_megabyte_line_is_read_in_bounded_memory(tmp_path, name, page):
    # Every character once cost an int object in a list (about 36 bytes, held
    # several times over): a 15 MB page took a gigabyte. The bound here is a
    # generous per-character budget, not a timing.
    (tmp_path / name).write_text(page, encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", MEMORY_PROBE, str(tmp_path / name)], capture_output=True,
                         text=True, timeout=120, env={**os.environ, "CLAIMAUDIT_CACHE_DIR": "off"})
    assert run.returncode == 0, run.stderr
    characters, grown = map(int, run.stdout.split())
    assert characters > 4_000_000
    assert grown < 40 * characters, f"{grown / characters:.0f} bytes a character"


@pytest.mark.parametrize("offset", [2 ** 64 - 1, 2 ** 62, 10 ** 6])
def test_workbook_whose_zip64_locator_points_outside_the_file_is_refused(tmp_path, offset):
    import struct

    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, offset, 1)
    end = b"PK\x05\x06" + struct.pack("<HHHHIIH", 0, 0, 0xFFFF, 0xFFFF, 0, 0, 0)
    path = tmp_path / "claims.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\0" * 40 + locator + end)
    result = subprocess.run([sys.executable, "-m", "claimaudit", "check", str(path)], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "claims.xlsx" in result.stderr and "internal error" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
