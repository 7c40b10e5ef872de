"""Claims tables (.csv / .xlsx): one claim per row, cited source ids, row positions."""

from pathlib import Path

import openpyxl
import pytest

from claimaudit.errors import InputError
from claimaudit.ingest import load_copy

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
CLAIMS_CSV = FIXTURES / "claims.csv"


def cells(doc):
    return [(doc.text[b.start:b.end], b.cited_sources) for b in doc.blocks]


def test_csv_rows_become_cell_blocks_with_their_sources():
    (doc,) = load_copy(CLAIMS_CSV)
    assert cells(doc) == [
        ("Cold baths cut knee swelling after surgery.", ("okafor2021",)),
        ('Balance classes halve falls in people over seventy, "guaranteed".',
         ("vanderberg2022", "okafor2021")),
        ("Heated wraps relieve back pain for every office worker.", ("garcialopez2020",)),
        ("Our clinic has treated 5000 patients.", ()),
    ]
    assert {b.kind for b in doc.blocks} == {"cell"}
    assert doc.media_type == "table"


def test_csv_section_column_becomes_the_heading():
    (doc,) = load_copy(CLAIMS_CSV)
    assert [b.heading for b in doc.blocks] == ["Recovery", "Falls", "Back pain", "About"]


def test_csv_positions_are_the_rows_lines_in_the_file():
    (doc,) = load_copy(CLAIMS_CSV)
    lines = CLAIMS_CSV.read_text(encoding="utf-8").split("\n")
    assert doc.line_col(doc.text.index("Cold baths")) == (2, lines[1].index("Cold") + 1)
    assert doc.line_col(doc.text.index("Balance classes")) == (3, lines[2].index("Balance") + 1)
    # the claim after the blank claim row, with a line break inside its quoted cell
    assert doc.line_col(doc.text.index("Heated wraps")) == (5, lines[4].index("Heated") + 1)
    assert doc.line_col(doc.text.index("for every office worker")) == (6, 1)
    assert doc.line_col(doc.text.index("Our clinic")) == (7, lines[6].index("Our") + 1)


def test_csv_doubled_quotes_map_to_the_right_column():
    (doc,) = load_copy(CLAIMS_CSV)
    line = CLAIMS_CSV.read_text(encoding="utf-8").split("\n")[2]
    assert doc.line_col(doc.text.index("guaranteed")) == (3, line.index("guaranteed") + 1)


def test_semicolon_separated_csv(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("Claim;Source\nHeat eases stiffness.;okafor2021, garcialopez2020\n",
                    encoding="utf-8")
    (doc,) = load_copy(path)
    assert cells(doc) == [("Heat eases stiffness.", ("okafor2021", "garcialopez2020"))]


def test_csv_without_a_claim_column_names_the_file_and_the_columns(tmp_path):
    path = tmp_path / "copy-deck.csv"
    path.write_text("Text,Reference\nHeat helps.,x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_copy(path)
    message = str(caught.value)
    assert "copy-deck.csv:1" in message
    assert "'claim' column" in message and "'Text', 'Reference'" in message


def test_csv_with_only_empty_claims_is_an_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("claim,source\n,okafor2021\n", encoding="utf-8")
    with pytest.raises(InputError, match="no claims"):
        load_copy(path)


def _write_workbook(path: Path, rows: list[list], title: str = "Claims") -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)


def test_xlsx_rows_become_cells_positioned_by_row_number(tmp_path):
    path = tmp_path / "claims.xlsx"
    _write_workbook(path, [
        ["Ref", "Claim", "Sources"],
        [1, "Cold baths cut knee swelling.", "okafor2021"],
        [2, None, "okafor2021"],
        [3, "Heated wraps relieve\nback pain.", "garcialopez2020; okafor2021"],
    ])
    (doc,) = load_copy(path)
    assert cells(doc) == [
        ("Cold baths cut knee swelling.", ("okafor2021",)),
        ("Heated wraps relieve back pain.", ("garcialopez2020", "okafor2021")),
    ]
    assert doc.line_col(doc.text.index("Cold baths")) == (2, 1)
    assert doc.line_col(doc.text.index("Heated wraps")) == (4, 1)
    assert doc.encoding == "xlsx"


def test_xlsx_claim_column_is_found_on_a_later_sheet(tmp_path):
    path = tmp_path / "deck.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["Notes"])
    workbook.active.append(["Read me first"])
    claims = workbook.create_sheet("Claims")
    claims.append(["CLAIM"])
    claims.append(["Heat eases stiffness."])
    workbook.save(path)
    (doc,) = load_copy(path)
    assert cells(doc) == [("Heat eases stiffness.", ())]


def test_xlsx_without_a_claim_column_names_the_columns(tmp_path):
    path = tmp_path / "deck.xlsx"
    _write_workbook(path, [["Statement", "Owner"], ["Heat helps.", "Sam"]])
    with pytest.raises(InputError) as caught:
        load_copy(path)
    assert "deck.xlsx:1" in str(caught.value)
    assert "'Statement', 'Owner'" in str(caught.value)


def test_corrupt_workbook_is_an_input_error(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(InputError, match="cannot read this workbook"):
        load_copy(path)
