"""PDF copy and papers' PDFs as sources.

Every PDF here is made by the test itself with fpdf2, in our own words. Copy:
the text in reading order, each claim's page and line on that page, running
headers, footers and page numbers listed as not audited, words broken at a
line end joined, two columns read one after the other, and every unreadable
file one clear line with exit 2. Sources: a paper's text page by page, without
its reference list, with its title, authors, year and DOI.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from fpdf import FPDF
from PIL import Image

from claimaudit.api import audit
from claimaudit.errors import InputError
from claimaudit.ingest import load_document
from claimaudit.ingest.pdf import NO_TEXT_LAYER, read_pdf_copy, read_pdf_source
from claimaudit.language.segment import split_sentences

CLAIMAUDIT = shutil.which("claimaudit") or str(Path(sys.executable).with_name("claimaudit"))

HEADER = "Brightwater Physio | Patient leaflet"
# Each page: its heading and its paragraphs; "\n" is where the printed line breaks.
LEAFLET = [
    ("Gentle help for stiff knees", [
        "Our heat wrap was effec-\ntive for most people who tried it at home.",
        "Nurses call it a well-\nknown part of the morning routine.",
    ]),
    ("What the study found", [
        "In a small study of forty adults, morning stiffness was modestly lower with\n"
        "the heat wrap than with a plain wrap.",
        "The heat wrap is proven to eliminate morning stiffness in everyone.",
    ]),
]
PACK = """sources:
  - id: marsh2021
    citation: "Marsh T, Okoye L. Heat wraps for stiff knees: a small trial. J Invented Physio. 2021."
    summary: >
      Forty adults with stiff knees used a heat wrap or a plain wrap every morning for two weeks.
      Morning stiffness was modestly lower with the heat wrap than with the plain wrap.
      Walking distance did not differ between the groups.
"""


class _Leaflet(FPDF):
    running_header = HEADER

    def header(self) -> None:
        if self.running_header:
            self.set_font("Helvetica", "I", 8)
            self.cell(0, 6, self.running_header, align="C")
        self.ln(12)

    def footer(self) -> None:
        self.set_y(-15)
        self.set_font("Helvetica", "", 8)
        self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")


def leave_piece(pages=LEAFLET) -> bytes:
    pdf = _Leaflet()
    pdf.alias_nb_pages()
    for heading, paragraphs in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        para(pdf, 9, heading)
        pdf.ln(2)
        pdf.set_font("Helvetica", "", 11)
        for paragraph in paragraphs:
            para(pdf, 6, paragraph)
            pdf.ln(4)
    return bytes(pdf.output())


def para(pdf: FPDF, height: float, text: str) -> None:
    pdf.multi_cell(0, height, text, new_x="LMARGIN", new_y="NEXT")


def cli(*args, cwd, stdin=None, env=None, timeout=120):
    return subprocess.run([CLAIMAUDIT, *map(str, args)], cwd=cwd, input=stdin, capture_output=True,
                          timeout=timeout, env={**os.environ, **(env or {})})


def one_clear_error(result, *expected: str) -> str:
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err, result.stdout.decode())
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture()
def leaflet_folder(tmp_path):
    (tmp_path / "leave.pdf").write_bytes(leave_piece())
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    return tmp_path


def block_texts(document, kind=None):
    return [document.text[b.start:b.end] for b in document.blocks if kind is None or b.kind == kind]


# --------------------------------------------------------------------------- copy: text and places


def test_a_leave_piece_reads_as_headings_and_paragraphs_in_order():
    document = read_pdf_copy(leave_piece(), "leave.pdf")
    assert document.media_type == "pdf" and document.encoding == "pdf" and document.page_kind == "page"
    assert block_texts(document) == [
        "Gentle help for stiff knees",
        "Our heat wrap was effective for most people who tried it at home.",
        "Nurses call it a well-known part of the morning routine.",
        "What the study found",
        "In a small study of forty adults, morning stiffness was modestly lower with the heat wrap than with a "
        "plain wrap.",
        "The heat wrap is proven to eliminate morning stiffness in everyone.",
        HEADER,  # the running header, audited once where it is first printed
    ]
    assert block_texts(document, "heading") == ["Gentle help for stiff knees", "What the study found"]


def test_raw_keeps_every_printed_line_and_each_page_starts_with_a_form_feed():
    document = read_pdf_copy(leave_piece(), "leave.pdf")
    first, second = document.raw.split("\f")
    assert first.splitlines() == [
        HEADER, "Gentle help for stiff knees", "Our heat wrap was effec-",
        "tive for most people who tried it at home.", "Nurses call it a well-",
        "known part of the morning routine.", "Page 1 of 2",
    ]
    assert second.splitlines()[0] == HEADER and second.splitlines()[-1] == "Page 2 of 2"
    assert document.pages == [0, document.raw.index("\f")]


@pytest.mark.parametrize("claim, page, line", [
    ("Our heat wrap was effective", 1, 3),
    ("Nurses call it a well-known", 1, 5),
    ("In a small study of forty adults", 2, 3),
    ("The heat wrap is proven", 2, 5),
])
def test_a_claim_is_placed_by_its_page_and_its_line_on_that_page(claim, page, line):
    document = read_pdf_copy(leave_piece(), "leave.pdf")
    found_page, found_line, _ = document.place(document.text.index(claim))
    assert (found_page, found_line) == (page, line)


def test_a_running_header_is_audited_once_and_its_repeats_and_page_numbers_are_listed_not_audited():
    document = read_pdf_copy(leave_piece(), "leave.pdf")
    assert document.text.count(HEADER) == 1 and "Page 1 of 2" not in document.text
    [header] = [b for b in document.blocks if document.text[b.start:b.end] == HEADER]
    assert header.scope == "header" and document.place(header.start)[:2] == (1, 1)
    set_aside = [(s.text, s.reason, s.scope, document.raw_place(s.raw_start)[:2]) for s in document.set_aside]
    assert sorted(set_aside, key=lambda s: s[3]) == [
        ("Page 1 of 2", "page number", "footer", (1, 7)),
        (HEADER, "running header (at the top of 2 of 2 pages, audited on page 1)", "header", (2, 1)),
        ("Page 2 of 2", "page number", "footer", (2, 6)),
    ]


def claim_footer_leaflet(footer: str, bottom_lines: list[str]) -> bytes:
    """A page per bottom line, each with its own body text and that line low on the page, under one footer."""
    class Leaflet(FPDF):
        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", "", 8)
            self.cell(0, 10, footer, align="C")

    pdf = Leaflet()
    for number, bottom_line in enumerate(bottom_lines):
        pdf.add_page()
        pdf.set_font("Helvetica", "", 11)
        para(pdf, 6, f"Wrap model {'ABCDEF'[number]} comes in three sizes.")
        pdf.set_y(-30)
        pdf.cell(0, 6, bottom_line)
    return bytes(pdf.output())


def test_a_claim_printed_in_the_footer_of_every_page_is_audited_where_it_first_appears(tmp_path):
    footer = "Brightwater wraps are proven to cure knee pain for good."
    leaflet = claim_footer_leaflet(footer, ["Wash at 30 degrees.", "Dry flat.", "Do not iron."])
    document = read_pdf_copy(leaflet, "leaflet.pdf")
    [block] = [b for b in document.blocks if document.text[b.start:b.end] == footer]
    assert block.scope == "footer" and document.place(block.start)[:2] == (1, 3)
    assert [(document.raw_place(s.raw_start)[0], s.reason) for s in document.set_aside] == [
        (2, "running footer (at the foot of 3 of 3 pages, audited on page 1)"),
        (3, "running footer (at the foot of 3 of 3 pages, audited on page 1)"),
    ]
    (tmp_path / "leaflet.pdf").write_bytes(leaflet)
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    result = cli("check", "leaflet.pdf", "--sources", "pack.yaml", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr.decode()
    findings = [f for f in json.loads(result.stdout)["findings"] if f["text"] == footer]
    assert findings and {(f["page"], f["line"], f["scope"]) for f in findings} == {(1, 3, "footer")}


def test_claims_low_on_each_page_that_differ_only_in_their_figures_are_copy_not_a_running_footer():
    bottom_lines = ["The wrap eased pain by 40% in 2 weeks.", "The wrap eased pain by 65% in 3 weeks.",
                    "The wrap eased pain by 80% in 6 weeks."]
    document = read_pdf_copy(claim_footer_leaflet("Brightwater Physio", bottom_lines), "leaflet.pdf")
    assert [(document.text[b.start:b.end], document.place(b.start)[:2]) for b in document.blocks
            if "eased pain" in document.text[b.start:b.end]] == [
        (bottom_lines[0], (1, 2)), (bottom_lines[1], (2, 2)), (bottom_lines[2], (3, 2))]


def test_a_footer_whose_only_changing_figure_is_the_page_number_is_still_a_running_footer():
    pages = ["Wash at 30 degrees.", "Dry flat.", "Do not iron."]
    leaflet = FPDF()
    leaflet.set_auto_page_break(False)
    for number, line in enumerate(pages, start=1):
        leaflet.add_page()
        leaflet.set_font("Helvetica", "", 11)
        para(leaflet, 6, line)
        leaflet.set_y(-15)
        leaflet.set_font("Helvetica", "", 8)
        leaflet.cell(0, 10, f"Brightwater leaflet BW-2024 | sheet {number + 4}", align="C")
    document = read_pdf_copy(bytes(leaflet.output()), "leaflet.pdf")
    assert [s.reason.split(" (")[0] for s in document.set_aside] == ["running footer", "running footer"]
    assert block_texts(document) == pages + ["Brightwater leaflet BW-2024 | sheet 5"]


def test_not_audited_lines_carry_their_page_through_an_audit(leaflet_folder):
    result = audit(leaflet_folder / "leave.pdf", leaflet_folder / "pack.yaml").result
    skipped = {(n.text, n.page, n.line, n.reason.split(" (")[0]) for n in result.not_audited}
    assert (HEADER, 2, 1, "running header") in skipped
    assert not any(page == 1 and reason == "running header" for _, page, _, reason in skipped)
    assert ("Page 2 of 2", 2, 6, "page number") in skipped
    by_text = {f.text: f for f in result.findings}
    assert by_text["The heat wrap is proven to eliminate morning stiffness in everyone."].page == 2


def test_a_line_that_recurs_on_every_page_but_in_the_body_is_copy():
    pages = [("First steps", ["Warm the wrap for one minute before use.", "Call Brightwater Physio on weekdays.",
                              "Keep it dry."]),
             ("Second steps", ["Keep the wrap on for twenty minutes.", "Call Brightwater Physio on weekdays.",
                               "Rest the knee."])]
    pdf = _Leaflet()
    pdf.running_header = ""
    pdf.alias_nb_pages()
    for heading, paragraphs in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 16)
        para(pdf, 9, heading)
        pdf.set_font("Helvetica", "", 11)
        for paragraph in paragraphs:
            para(pdf, 6, paragraph)
            pdf.ln(40)
    document = read_pdf_copy(bytes(pdf.output()), "steps.pdf")
    assert document.text.count("Call Brightwater Physio on weekdays.") == 2
    assert [s.text for s in document.set_aside] == ["Page 1 of 2", "Page 2 of 2"]


def test_a_figure_in_large_type_at_the_foot_of_a_page_is_copy_not_a_page_number():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, "Adults who wore the wrap had fewer stiff mornings in a month:")
    pdf.set_y(-40)
    pdf.set_font("Helvetica", "B", 40)
    pdf.cell(0, 20, "12")
    pdf.set_y(-15)
    pdf.set_font("Helvetica", "", 8)
    pdf.cell(0, 10, "1", align="C")
    document = read_pdf_copy(bytes(pdf.output()), "callout.pdf")
    assert block_texts(document)[-1] == "12"
    assert [(s.text, s.reason) for s in document.set_aside] == [("1", "page number")]


def test_a_bold_heading_at_body_size_and_bullets_set_apart_from_their_text():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 11)
    para(pdf, 6, "Why choose us")
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, "Since 2019 our physios have looked after knees of every age.")
    for mark, item in (("-", "Warm wraps made to measure."), ("\u00b7", "Evening appointments on weekdays.")):
        pdf.cell(8, 6, mark)
        pdf.set_x(30)
        pdf.cell(0, 6, item, new_x="LMARGIN", new_y="NEXT")
    document = read_pdf_copy(bytes(pdf.output()), "why.pdf")
    assert [(b.kind, document.text[b.start:b.end]) for b in document.blocks] == [
        ("heading", "Why choose us"),
        ("paragraph", "Since 2019 our physios have looked after knees of every age."),
        ("list-item", "Warm wraps made to measure."),
        ("list-item", "Evening appointments on weekdays."),
    ]


def test_line_end_hyphens_join_broken_words_and_keep_compounds():
    lines = ("Patients in the random-\nised group wore a placebo-\ncontrolled wrap at the follow-\nup visit "
             "and at a later check-\nup, with long-\nterm notes kept by the physio-\ntherapist on COVID-\n19 "
             "wards and a re-\nturn date set.")
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, lines)
    text = read_pdf_copy(bytes(pdf.output()), "hyphens.pdf").text
    assert text == ("Patients in the randomised group wore a placebo-controlled wrap at the follow-up visit and at "
                    "a later check-up, with long-term notes kept by the physiotherapist on COVID-19 wards and a "
                    "return date set.")


def test_a_hyphen_the_document_itself_spells_out_decides():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, "The wrap has a heat-\nsetting dial. Turn the heat-setting dial to two.\n"
                         "Wellbeing matters to us, and your well-\nbeing comes first.")
    text = read_pdf_copy(bytes(pdf.output()), "dial.pdf").text
    assert "The wrap has a heat-setting dial." in text  # "heatsetting" is nowhere, "heat-setting" is
    assert "your wellbeing comes first." in text  # "well-" would keep its hyphen, but the page writes "Wellbeing"


COLUMNS = [
    "Morning walks were the habit most often kept by the people who joined the programme. They walked "
    "for twenty minutes before breakfast and wrote the distance in a small diary.",
    "The wrap was put on after the walk, while the knee was still warm. Several people found that ten "
    "minutes was enough.",
    "Sleep was asked about at the end of each week. Answers varied from one person to the next and no "
    "clear pattern was seen.",
    "Questions about the programme can be sent to the clinic by post. A nurse answers every letter "
    "within ten working days.",
]


def _two_columns_in_flow() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)
    with pdf.text_columns(ncols=2, gutter=10, balance=True) as columns:
        for paragraph in COLUMNS:
            columns.write(paragraph + "\n\n")
    return bytes(pdf.output())


def _two_columns_across() -> bytes:
    """The lines of both columns drawn in turn across the page, left line then right line."""
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 10)

    def wrap(text: str) -> list[str]:
        lines, line = [], ""
        for word in text.split():
            if line and pdf.get_string_width(f"{line} {word}") > 80:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        return [*lines, line]

    left, right = wrap(" ".join(COLUMNS[:2])), wrap(" ".join(COLUMNS[2:]))
    y = 30.0
    for number in range(max(len(left), len(right))):
        if number < len(left):
            pdf.text(15, y, left[number])
        if number < len(right):
            pdf.text(110, y, right[number])
        y += 5
    return bytes(pdf.output())


@pytest.mark.parametrize("make", [_two_columns_in_flow, _two_columns_across], ids=["in-flow", "line-across"])
def test_two_columns_are_read_one_column_after_the_other(make):
    document = read_pdf_copy(make(), "columns.pdf")
    text = " ".join(document.text.split())
    sentences = [s for paragraph in COLUMNS for s in paragraph.replace(". ", ".\n").splitlines()]
    positions = [text.find(sentence) for sentence in sentences]
    assert -1 not in positions, [s for s, p in zip(sentences, positions) if p < 0]
    assert positions == sorted(positions)


def test_a_table_gives_a_cell_per_cell_row_by_row():
    rows = [["Outcome", "Heat wrap", "Plain wrap"], ["Morning stiffness", "a little lower", "no change"],
            ["Walking distance", "no change", "no change"]]
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, "What changed after two weeks:")
    pdf.ln(3)
    with pdf.table() as table:
        for row in rows:
            cells = table.row()
            for cell in row:
                cells.cell(cell)
    document = read_pdf_copy(bytes(pdf.output()), "table.pdf")
    assert block_texts(document, "cell") == [cell for row in rows for cell in row]
    assert [document.place(b.start)[:2] for b in document.blocks if b.kind == "cell"][3:6] == [(1, 3)] * 3
    assert all(b.scope == "table" for b in document.blocks if b.kind == "cell")


def test_text_set_sideways_up_the_margin_reads_as_one_line():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, "Warm the wrap for one minute before use.")
    with pdf.rotation(90, x=8, y=200):
        pdf.text(8, 200, "Prepared for review in March")
    document = read_pdf_copy(bytes(pdf.output()), "margin.pdf")
    assert block_texts(document) == ["Warm the wrap for one minute before use.", "Prepared for review in March"]


def test_a_scanned_page_among_text_pages_is_listed_as_not_read():
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, "Warm the wrap for one minute before use.")
    pdf.add_page()
    pdf.image(Image.new("RGB", (80, 40), "white"), x=20, y=20, w=80)
    document = read_pdf_copy(bytes(pdf.output()), "mixed.pdf")
    assert document.text == "Warm the wrap for one minute before use."
    [note] = document.set_aside
    assert "page 2 has no text layer" in note.reason and document.raw_place(note.raw_start)[0] == 2


def test_a_pdf_is_read_through_load_document_like_any_copy_file(tmp_path):
    path = tmp_path / "leave.pdf"
    path.write_bytes(leave_piece())
    document = load_document(path)
    assert document.path == str(path) and document.pages[0] == 0 and len(document.pages) == 2


# --------------------------------------------------------------------------- copy: the gate


def test_check_gives_verdicts_with_the_page_and_the_line_on_it(leaflet_folder):
    result = cli("check", "leave.pdf", "--sources", "pack.yaml", "--format", "json", cwd=leaflet_folder)
    assert result.returncode == 1, result.stderr.decode()
    report = json.loads(result.stdout)
    by_text = {f["text"]: f for f in report["findings"]}
    supported = by_text["In a small study of forty adults, morning stiffness was modestly lower with the heat wrap "
                        "than with a plain wrap."]
    overstated = by_text["The heat wrap is proven to eliminate morning stiffness in everyone."]
    assert (supported["verdict"], supported["page"], supported["line"]) == ("supported", 2, 3)
    assert (overstated["verdict"], overstated["page"], overstated["line"]) == ("overstated", 2, 5)
    not_audited = {(n["text"], n.get("page"), n["line"]) for n in report["not_audited"]}
    assert {(HEADER, 1, 1), (HEADER, 2, 1), ("Page 1 of 2", 1, 7)} <= not_audited


def test_standard_input_reads_a_pdf_named_by_stdin_filename(leaflet_folder):
    data = (leaflet_folder / "leave.pdf").read_bytes()
    result = cli("check", "-", "--stdin-filename", "leave.pdf", "--sources", "pack.yaml", "--format", "json",
                 cwd=leaflet_folder, stdin=data)
    assert result.returncode == 1, result.stderr.decode()
    report = json.loads(result.stdout)
    verdicts = {(f["verdict"], f["page"], f["line"]) for f in report["findings"]}
    assert {("supported", 2, 3), ("overstated", 2, 5)} <= verdicts
    assert report["documents"][0]["path"] == "leave.pdf"


def _image_only() -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.image(Image.new("RGB", (120, 60), "white"), x=20, y=20, w=120)
    return bytes(pdf.output())


def _encrypted() -> bytes:
    pdf = FPDF()
    pdf.set_encryption(owner_password="clinic-owner", user_password="open-sesame")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, "Our heat wrap eases stiff knees.")
    return bytes(pdf.output())


def _damaged_in_the_middle() -> bytes:
    data = leave_piece()
    return data[:200] + bytes(range(256)) * 8 + data[-300:]


@pytest.mark.parametrize("make, message", [
    (_image_only, NO_TEXT_LAYER),
    (_encrypted, "is password-protected"),
    (lambda: leave_piece()[: len(leave_piece()) // 2], "truncated"),
    (_damaged_in_the_middle, "damaged PDF"),
    (lambda: b"Our heat wrap eases stiff knees.\n", "is not a PDF"),
    (lambda: b"", "is not a PDF"),
], ids=["image-only", "encrypted", "truncated", "damaged", "not-a-pdf", "empty"])
def test_an_unreadable_pdf_is_exit_2_with_one_line_naming_it(leaflet_folder, make, message):
    (leaflet_folder / "bad.pdf").write_bytes(make())
    line = one_clear_error(cli("check", "bad.pdf", "--sources", "pack.yaml", cwd=leaflet_folder, timeout=60),
                           "bad.pdf", message)
    assert line.count("bad.pdf") == 1


def test_an_owner_password_alone_does_not_stop_the_reading():
    pdf = FPDF()
    pdf.set_encryption(owner_password="clinic-owner")
    pdf.add_page()
    pdf.set_font("Helvetica", "", 11)
    para(pdf, 6, "Our heat wrap eases stiff knees.")
    assert read_pdf_copy(bytes(pdf.output()), "locked.pdf").text == "Our heat wrap eases stiff knees."


def test_more_pages_than_max_pages_is_exit_2(leaflet_folder):
    result = cli("check", "leave.pdf", "--sources", "pack.yaml", cwd=leaflet_folder, env={"CLAIMAUDIT_MAX_PAGES": "1"})
    one_clear_error(result, "leave.pdf", "2 pages is over the limit of 1 pages", "max-pages")


def _objects(*bodies: bytes) -> bytes:
    """A PDF file around these objects (numbered from 1), with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(bodies, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(bodies) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(bodies) + 1, xref)
    return bytes(out)


def _one_page(content: bytes) -> bytes:
    stream = zlib.compress(content, 9)
    return _objects(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    )


# A few kilobytes of compressed drawing commands that unpack to half a million text objects.
_DRAWING_BOMB = _one_page(b"BT /F1 10 Tf 72 700 Td " + b"(x) Tj " * 500_000 + b"ET")


@pytest.mark.parametrize("data, env, message", [
    (b"%PDF-1.7\n1 0 obj\n" + b"[" * 200_000 + b"\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n", {},
     "damaged PDF"),
    (_objects(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
              b"<< /Type /Pages /Kids [2 0 R] /Parent 2 0 R /Count 1 >>"), {}, "could not be read"),
    (_objects(b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 2000000000 >>",
              b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"), {}, NO_TEXT_LAYER),
    (_one_page(bytes(range(256)) * 40), {}, NO_TEXT_LAYER),
    (_DRAWING_BOMB, {"CLAIMAUDIT_MAX_PDF_MEMORY": "48MB"}, "max-pdf-memory"),
    (_DRAWING_BOMB, {"CLAIMAUDIT_MAX_PDF_SECONDS": "0.05"}, "max-pdf-seconds"),
], ids=["deep-nesting", "page-tree-cycle", "false-page-count", "garbage-drawing", "memory-bomb", "slow-bomb"])
def test_a_crafted_pdf_is_one_clear_error_never_a_crash_or_a_hang(leaflet_folder, data, env, message):
    (leaflet_folder / "crafted.pdf").write_bytes(data)
    result = cli("check", "crafted.pdf", "--sources", "pack.yaml", cwd=leaflet_folder, env=env, timeout=60)
    one_clear_error(result, "crafted.pdf", message)


def _glyph_numbered(text: str) -> bytes:
    """``text`` as a subset font without a character map draws it: each character its glyph's number."""
    numbers = [n for n in range(1, 32) if n not in (10, 13)]
    assigned: dict[str, int] = {}
    return bytes(numbers[assigned.setdefault(character, len(assigned))] for character in text)


def _page_in_font(font: bytes, lines: list[bytes]) -> bytes:
    """One page of lines, 14 points apart, in font ``font``."""
    shown = b"".join(b"(%s) Tj T* " % line for line in lines)
    stream = zlib.compress(b"BT /F1 12 Tf 14 TL 72 700 Td " + shown + b"ET", 9)
    return _objects(
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 5 0 R >> >> "
        b"/Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(stream), stream),
        font,
    )


_HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def test_a_pdf_whose_font_maps_no_characters_is_exit_2_not_a_pass_with_no_claims(leaflet_folder):
    unreadable = _page_in_font(_HELVETICA, [_glyph_numbered("The heat wrap cures knee pain for good.")])
    (leaflet_folder / "glyphs.pdf").write_bytes(unreadable)
    result = cli("check", "glyphs.pdf", "--sources", "pack.yaml", cwd=leaflet_folder, timeout=60)
    one_clear_error(result, "glyphs.pdf", "its text cannot be read", "no ToUnicode map")


def test_a_line_in_a_font_that_maps_no_characters_is_listed_as_unreadable_and_the_lines_below_keep_their_place():
    data = _page_in_font(_HELVETICA, [b"Warm the wrap for one minute.", _glyph_numbered("It cures knee pain."),
                                      b"Keep it on for twenty minutes."])
    document = read_pdf_copy(data, "mixed.pdf")
    assert [(document.text[b.start:b.end], document.place(b.start)[:2]) for b in document.blocks] == [
        ("Warm the wrap for one minute.", (1, 1)), ("Keep it on for twenty minutes.", (1, 3))]
    [note] = document.set_aside
    assert document.raw_place(note.raw_start)[:2] == (1, 2)
    assert note.reason.startswith("page 1 has text in a font that does not say which characters it draws")
    assert all(ord(character) >= 32 for character in document.raw.replace("\n", ""))


def test_a_simple_font_with_no_character_map_but_letter_codes_is_read_as_its_letters():
    names = b" ".join(b"/glyph%d" % code for code in range(32, 127))
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding << /Differences [32 %s] >> >>" % names
    document = read_pdf_copy(_page_in_font(font, [b"The heat wrap cures knee pain for good."]), "simple.pdf")
    assert block_texts(document) == ["The heat wrap cures knee pain for good."]
    assert document.set_aside == []


def test_a_pdf_with_a_broken_cross_reference_table_is_repaired_and_read(leaflet_folder):
    data = _one_page(b"BT /F1 12 Tf 72 700 Td (Warm the wrap for one minute.) Tj ET")
    broken = data.replace(b"startxref\n", b"startxref\n99999").replace(b"xref\n0 6", b"xref\n0 9")
    document = read_pdf_copy(broken, "repaired.pdf")
    assert document.text == "Warm the wrap for one minute."


# --------------------------------------------------------------------------- sources: a paper's PDF

PAPER_HEADER = "Marsh and Okoye | Heat wraps for stiff knees"
PAPER = [
    ["Forty adults with stiff knees were randomly assigned to a heat wrap or a plain wrap.",
     "The heat wrap was effec-\ntive in lowering morning stiffness over two weeks."],
    ["Stiffness was scored each morning on a ten-point scale by the participants themselves.",
     "Scores fell by a modest amount with the heat wrap, while the plain wrap made little"],
    ["difference to how the knees felt during the first hour of the day.",
     "Walking distance did not differ between the groups at any point."],
    ["The trial was small and short, so larger studies are needed before firm advice can be given."],
]
REFERENCES = ["1. Garcia P. Heat cured arthritis in every patient. Invented Rev. 2019;3:1-9.",
              "2. Lund K. Wraps doubled walking distance. Made-up J. 2020;8:40-44."]


def paper(*, metadata: bool = True) -> bytes:
    pdf = _Leaflet()
    pdf.running_header = ""
    pdf.alias_nb_pages()
    if metadata:
        pdf.set_title("Heat wraps for stiff knees: a small randomised trial")
        pdf.set_author("Tamsin Marsh; Lola Okoye")
    for number, paragraphs in enumerate(PAPER, 1):
        pdf.running_header = PAPER_HEADER if number > 1 else ""
        pdf.add_page()
        if number == 1:
            pdf.set_font("Helvetica", "B", 18)
            para(pdf, 9, "Heat wraps for stiff knees: a small randomised trial")
            pdf.set_font("Helvetica", "", 10)
            para(pdf, 6, "Tamsin Marsh, Lola Okoye\nJournal of Invented Physiotherapy 2021; 4(2): 17-29\n"
                                 "doi: 10.5555/jip.2021.0042.")
            pdf.ln(4)
        pdf.set_font("Helvetica", "", 11)
        for paragraph in paragraphs:
            para(pdf, 6, paragraph)
            pdf.ln(4)
        if number == len(PAPER):
            pdf.set_font("Helvetica", "B", 13)
            para(pdf, 8, "References")
            pdf.set_font("Helvetica", "", 10)
            for reference in REFERENCES:
                para(pdf, 6, reference)
    return bytes(pdf.output())


def test_a_papers_pdf_is_a_source_page_by_page_without_its_references():
    source = read_pdf_source(paper(), "papers/marsh2021.pdf")
    assert (source.id, source.origin, source.kind) == ("", "papers/marsh2021.pdf", "summary")
    assert source.title == source.citation == "Heat wraps for stiff knees: a small randomised trial"
    assert source.authors == ("Marsh T", "Okoye L")
    assert (source.year, source.doi) == ("2021", "10.5555/jip.2021.0042")
    assert len(source.pages) == 4 and source.pages[0] == 0
    summary = source.summary
    assert "Garcia" not in summary and "References" not in summary and "Lund" not in summary
    assert PAPER_HEADER not in summary and "Page 2 of 4" not in summary
    assert "The heat wrap was effective in lowering morning stiffness over two weeks." in summary
    pages = {s.text: source.page_at(s.start) for s in split_sentences(summary)}
    assert pages["Forty adults with stiff knees were randomly assigned to a heat wrap or a plain wrap."] == 1
    assert pages["Stiffness was scored each morning on a ten-point scale by the participants themselves."] == 2
    # A sentence that runs on over a page break is one sentence, on the page where it starts.
    assert pages["Scores fell by a modest amount with the heat wrap, while the plain wrap made little difference "
                 "to how the knees felt during the first hour of the day."] == 2
    assert pages["Walking distance did not differ between the groups at any point."] == 3
    assert pages["The trial was small and short, so larger studies are needed before firm advice can be given."] == 4


def test_without_metadata_the_title_is_the_largest_type_on_page_one():
    source = read_pdf_source(paper(metadata=False), "marsh2021.pdf")
    assert source.title == "Heat wraps for stiff knees: a small randomised trial"
    assert source.authors == ()
    assert source.year == "2021"


def test_a_scanned_paper_is_refused_as_a_source():
    with pytest.raises(InputError) as caught:
        read_pdf_source(_image_only(), "scan.pdf")
    assert str(caught.value) == f"scan.pdf: {NO_TEXT_LAYER}"
