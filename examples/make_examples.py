"""Rebuild the bundled PDF leave-piece and Word draft from the words below.

    pip install -e ".[test]"          # fpdf2 writes the PDF, python-docx the draft
    python examples/make_examples.py

The clinic, its claims and the studies they cite are fictional (see sources.yaml).
Both files carry fixed dates, so rebuilding them gives the same bytes.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXED_DATE = datetime(2026, 1, 15, 9, 0, 0, tzinfo=timezone.utc)

CLINIC = "Northbridge Regenerative Clinic"

# The leave-piece: two pages handed out at a neurology open day. A heading is a
# one-item tuple; every other item is a paragraph.
LEAVE_PIECE: list[list[tuple[str] | str]] = [
    [
        ("Living well with MS: what cell therapy can offer",),
        "Multiple sclerosis affects about 2.8 million people worldwide. At our clinic we offer infusions of "
        "umbilical cord mesenchymal stem cells (MSCs) to adults with relapsing-remitting MS.",
        ("What the research shows",),
        "In mice with an MS-like disease, a single injection of umbilical cord MSCs lowered disability scores "
        "by 42% after four weeks (Hallström et al. 2022).",
        "MSC infusions have been proven to reverse nerve damage in people with MS.",
        "In a pilot study of 24 adults with relapsing-remitting MS, walking speed improved by an average of 25% "
        "at 12 months (Lindqvist et al. 2023).",
        "The infusions were well tolerated, and no serious adverse events occurred in that study.",
    ],
    [
        ("Is it safe?",),
        "Our stem cell infusions are completely safe and free of side effects.",
        "A 2021 systematic review of 31 studies found no reports of tumour formation after MSC transplantation "
        "for spinal cord injury.",
        ("Why choose us",),
        "Since 2019, our physicians have treated more than 800 patients with umbilical cord MSC infusions.",
        "Ask your neurologist whether cell therapy is right for you, and call us to book a consultation.",
    ],
]

# The Word draft: a web-page draft under review, with one tracked change.
DRAFT_TITLE = "Draft: Cell therapy for MS (for review)"
DRAFT: list[tuple[str] | str] = [
    ("Why cell therapy?",),
    "Mesenchymal stem cells are a breakthrough cure for multiple sclerosis.",
    "In laboratory studies, MSCs lowered the inflammatory cytokine TNF-alpha by up to 55%.",
    ("The evidence",),
    "In an open-label pilot study, 24 adults with relapsing-remitting MS received two infusions of umbilical "
    "cord MSCs and were followed for 12 months (Lindqvist et al. 2023).",
]
# One paragraph as the writer left it with tracked changes on: the deleted words
# are not copy any more, the inserted ones are.
TRACKED = ("Mild headache was the most common side effect, reported by ",
           "half of all",  # deleted
           "3 of 24",  # inserted
           " participants.")
DRAFT_TABLE = [
    ("Question", "Our answer"),
    ("How many infusions?", "Two infusions, one month apart."),
    ("Is it approved?", "Our MSC treatment is FDA-approved for multiple sclerosis."),
]


def make_leave_piece(path: Path) -> None:
    from fpdf import FPDF

    class LeavePiece(FPDF):
        def header(self) -> None:
            self.set_font("helvetica", "I", 8)
            self.cell(0, 8, f"{CLINIC} | Patient information", align="C")
            self.ln(12)

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("helvetica", "I", 8)
            self.cell(0, 10, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = LeavePiece(format="A4")
    pdf.set_creation_date(FIXED_DATE)
    pdf.set_title("Living well with MS")
    pdf.set_author(CLINIC)
    pdf.set_margins(22, 20, 22)
    for page in LEAVE_PIECE:
        pdf.add_page()
        for item in page:
            if isinstance(item, tuple):
                pdf.set_font("helvetica", "B", 15)
                pdf.multi_cell(0, 8, item[0])
                pdf.ln(3)
            else:
                pdf.set_font("helvetica", "", 11)
                pdf.multi_cell(0, 6, item)
                pdf.ln(4)
    pdf.output(str(path))


def make_draft(path: Path) -> None:
    from docx import Document
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    document = Document()
    document.core_properties.created = FIXED_DATE.replace(tzinfo=None)
    document.core_properties.modified = FIXED_DATE.replace(tzinfo=None)
    document.core_properties.author = CLINIC
    document.core_properties.last_modified_by = CLINIC
    document.core_properties.revision = 1
    document.add_heading(DRAFT_TITLE, level=0)
    for item in DRAFT:
        if isinstance(item, tuple):
            document.add_heading(item[0], level=1)
        else:
            document.add_paragraph(item)

    before, deleted, inserted, after = TRACKED
    paragraph = document.add_paragraph(before)
    stamp = FIXED_DATE.strftime("%Y-%m-%dT%H:%M:%SZ")
    for tag, words, text_tag in (("w:del", deleted, "w:delText"), ("w:ins", inserted, "w:t")):
        change = OxmlElement(tag)
        change.set(qn("w:id"), "1" if tag == "w:del" else "2")
        change.set(qn("w:author"), "Copywriter")
        change.set(qn("w:date"), stamp)
        run = OxmlElement("w:r")
        text = OxmlElement(text_tag)
        text.set(qn("xml:space"), "preserve")
        text.text = words
        run.append(text)
        change.append(run)
        paragraph._p.append(change)
    paragraph.add_run(after)

    table = document.add_table(rows=len(DRAFT_TABLE), cols=2)
    for row, cells in zip(table.rows, DRAFT_TABLE):
        for cell, text in zip(row.cells, cells):
            cell.text = text
    document.save(str(path))
    _fix_zip_times(path)


def _fix_zip_times(path: Path) -> None:
    """Rewrite a zip with every member dated FIXED_DATE (python-docx stamps the time of saving)."""
    import zipfile

    with zipfile.ZipFile(path) as original:
        members = [(info.filename, original.read(info)) for info in original.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as rewritten:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            rewritten.writestr(info, data)


def main() -> int:
    make_leave_piece(HERE / "leave-piece.pdf")
    make_draft(HERE / "draft.docx")
    print(f"wrote {HERE / 'leave-piece.pdf'} and {HERE / 'draft.docx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
