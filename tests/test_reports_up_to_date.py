"""The committed reports in ``reports/`` are what the README's command makes from ``examples/``."""

from __future__ import annotations

import os
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from claimaudit.cli import main

REPO = Path(__file__).resolve().parents[1]
COMMAND = ["audit", "examples/clinic-page.html", "examples/leave-piece.pdf", "examples/draft.docx",
           "--sources", "examples/sources.yaml"]
REGENERATE = (
    "reports/ is out of date with the engine or examples/; regenerate it from the repository root with\n"
    "    claimaudit audit examples/clinic-page.html examples/leave-piece.pdf examples/draft.docx "
    "--sources examples/sources.yaml --out reports\n"
    "and refresh the README screenshot with\n"
    "    python benchmarks/screenshot.py --height 1500 --details 2"
)


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    """The reports, made again the way the README says (paths relative to the repository)."""
    out = tmp_path_factory.mktemp("reports")
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        outcome = CliRunner().invoke(main, [*COMMAND, "--out", str(out)])
    finally:
        os.chdir(cwd)
    assert outcome.exit_code == 0, outcome.output
    return out


def committed(name: str) -> Path:
    path = REPO / "reports" / name
    assert path.is_file(), f"reports/{name} is missing.\n{REGENERATE}"
    return path


@pytest.mark.parametrize("name", ["audit.json", "audit.jsonl", "audit.html"])
def test_committed_text_reports_are_byte_identical(fresh, name):
    assert (fresh / name).read_bytes() == committed(name).read_bytes(), f"reports/{name} differs.\n{REGENERATE}"


def sheet_contents(path: Path) -> dict[str, list[tuple]]:
    book = openpyxl.load_workbook(path)
    try:
        return {ws.title: [tuple(row) for row in ws.iter_rows(values_only=True)] for ws in book.worksheets}
    finally:
        book.close()


def test_committed_workbook_has_the_same_sheets_and_cells(fresh):
    # Cell by cell rather than byte for byte: another openpyxl release may lay out the XML differently.
    expected, actual = sheet_contents(committed("audit.xlsx")), sheet_contents(fresh / "audit.xlsx")
    assert list(actual) == list(expected), f"reports/audit.xlsx has other sheets.\n{REGENERATE}"
    for title in expected:
        assert actual[title] == expected[title], f"sheet {title!r} of reports/audit.xlsx differs.\n{REGENERATE}"
