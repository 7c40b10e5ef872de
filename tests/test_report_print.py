"""The HTML report on paper: printed by headless Chromium to A4 and Letter PDFs.

Reviewers file the printed report, so it has to read as a document: the claim
and its evidence get real width, no word is split across lines, the table
heading repeats on every page of the table, a claim's row stays on one page,
and the copy follows the table. The PDFs are read back with pypdfium2.

Needs the ``playwright`` package and a Chromium binary; skipped when either is
missing.
"""

from __future__ import annotations

import ctypes
import math
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from browser_support import browser, needs_chromium  # noqa: F401  (browser is a fixture)


pytestmark = needs_chromium

ROOT = Path(__file__).resolve().parents[1]
PAPERS = ("A4", "Letter")
# The README's first command, on the bundled example.
BUNDLED_COPY = ("examples/clinic-page.html", "examples/leave-piece.pdf", "examples/draft.docx")
BUNDLED_SOURCES = "examples/sources.yaml"

# The bundled example has 51 claims. With report-print.css the claims table takes pages 1
# to 10 on A4 and on Letter (the summary shares the first), about five claims a page, and
# the whole report 20 pages. With the stylesheet it replaced the table also took 10 pages,
# but only because Chromium shrank the too-wide page to two thirds (10pt text printed at
# 6.7pt), with words broken in narrow columns and the heading on the first page only; 17
# pages on A4, 18 on Letter. The bounds leave room for a claim's row to grow (a register id,
# a library match) and for a new section of a page or so, not for tall, narrow rows:
# at least 4 claims a table page, and the copy (3 pages), what was not audited (2), the
# sources (1) and the rules (4) after it.
MIN_CLAIMS_PER_TABLE_PAGE = 4
MAX_BUNDLED_PAGES = 24
# A claim gets a real line, about 30 characters at the least: a quarter of the printed line.
MIN_CLAIM_SHARE_OF_LINE = 0.25
MIN_PRINTED_POINTS = 8.5

TABLE_HEADING = re.compile(r"\bVerdict\s+Claim\b")
COPY_HEADING = re.compile(r"^The copy\s*$", re.MULTILINE)
# Where Chromium may end a line inside a run of characters without a space: after a hyphen
# or dash, and at the <wbr> the report puts after the slashes of a path and the dots of a
# rule name. A line that ends anywhere else has broken a word.
BREAK_AFTER = re.compile(r"(?<=[-‐‑–—/._])(?=\w)")
EDGE_PUNCTUATION = re.compile(r"^\W+|\W+$")
# pdfium writes U+FFFE (U+0002 in text read from an area) where a hyphen ends a line.
PDFIUM_LINE_END_HYPHEN = "[\ufffe\x02]"


@dataclass
class Printout:
    """One report printed to one paper size."""

    paper: str
    pages: list[str]                # each page's text, as pdfium reads it
    claim_columns: list[str]        # the text of each page within the Claim column
    font_sizes: list[float]         # the size in points of every letter printed
    vocabulary: set[str]            # the report's words and the parts a line may end between
    claims: list[str]               # the claims in the table, in order
    claim_share: float              # the Claim column's share of the printed line, first table page


def normalise(token: str) -> str:
    return EDGE_PUNCTUATION.sub("", token.lower())


def vocabulary_of(text: str) -> set[str]:
    """Every word of the report, and every run of parts a line may legally split it into."""
    words: set[str] = set()
    for token in text.split():
        parts = BREAK_AFTER.split(token)
        for start in range(len(parts)):
            for end in range(start + 1, len(parts) + 1):
                words.add(normalise("".join(parts[start:end])))
    return words


def printed_tokens(page_text: str) -> list[str]:
    # pdfium may join a line ending in a hyphen to whatever it reads next on that height (the
    # next column's line), so the part before the hyphen is checked as a word on its own.
    text = re.sub(PDFIUM_LINE_END_HYPHEN, "- ", page_text)
    return [normalise(token) for token in text.split() if normalise(token)]


def flat(text: str) -> str:
    """Text with its lines joined: a word and a hyphenated word split across lines read whole."""
    return " ".join(re.sub(PDFIUM_LINE_END_HYPHEN + r"\s*", "-", text).split())


def claim_column(textpage, text: str) -> tuple[float, float]:
    """Left and right of the Claim column: from its heading to the next heading on that line."""
    heading = TABLE_HEADING.search(text)
    assert heading
    claim_at = text.index("Claim", heading.start())
    left, _, _, top = textpage.get_charbox(claim_at)
    starts_to_the_right = [
        box[0] for box in (textpage.get_charbox(i) for i in range(1, len(text))
                           if text[i - 1].isspace() and text[i].isalpha())
        if abs(box[3] - top) < 2 and box[0] > left + 10
    ]
    assert starts_to_the_right, "the Claim heading has no heading to its right"
    return left, min(starts_to_the_right)


def printed_line(textpage, text: str) -> float:
    """The width the page's text spans, left margin to right margin."""
    boxes = [textpage.get_charbox(i) for i in range(len(text)) if not text[i].isspace()]
    return max(box[2] for box in boxes) - min(box[0] for box in boxes)


def printed_points(textpage, index: int) -> float:
    """A letter's size on paper: its font size scaled as the page draws it (a report too wide
    for the paper is shrunk to fit, and its 10pt text prints smaller)."""
    matrix = pdfium_c.FS_MATRIX()
    pdfium_c.FPDFText_GetMatrix(textpage.raw, index, ctypes.byref(matrix))
    scale = math.sqrt(abs(matrix.a * matrix.d - matrix.b * matrix.c))
    return pdfium_c.FPDFText_GetFontSize(textpage.raw, index) * scale


@dataclass
class PdfText:
    pages: list[str]
    claim_columns: list[str]
    font_sizes: list[float]
    claim_share: float = 0.0


def read_pdf(path: Path) -> PdfText:
    pdf = pdfium.PdfDocument(str(path))
    read = PdfText([], [], [])
    column: tuple[float, float] | None = None
    try:
        for number in range(len(pdf)):
            page = pdf[number]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            read.pages.append(text)
            read.font_sizes.extend(
                printed_points(textpage, i) for i in range(len(text)) if text[i].isalnum()
            )
            if column is None and TABLE_HEADING.search(text):
                column = claim_column(textpage, text)
                read.claim_share = (column[1] - column[0]) / printed_line(textpage, text)
            read.claim_columns.append(
                textpage.get_text_bounded(left=column[0] - 1, right=column[1] - 1,
                                          bottom=0, top=page.get_height())
                if column else ""
            )
            textpage.close()
            page.close()
        return read
    finally:
        pdf.close()


def print_report(browser, html: Path, paper: str, out: Path) -> Printout:
    page = browser.new_page()
    try:
        page.goto(html.as_uri())
        page.pdf(path=str(out), format=paper)
        page.emulate_media(media="print")
        visible = page.evaluate("document.body.innerText")
        # And every text node, shown or not, but for scripts: a label the print adds may be
        # hidden on screen. Nodes are kept apart, or "<th>DOI</th><th>PMID</th>" reads "DOIPMID".
        every = page.evaluate(
            "(() => { const texts = [];"
            " const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);"
            " while (walker.nextNode()) {"
            "  if (!walker.currentNode.parentElement.closest('script, style')) texts.push(walker.currentNode.data);"
            " }"
            " return texts.join(' '); })()"
        )
        claims = page.eval_on_selector_all(
            "#claims-table tr.main .claim-text", "cells => cells.map(cell => cell.textContent)"
        )
    finally:
        page.close()
    read = read_pdf(out)
    return Printout(paper, read.pages, read.claim_columns, read.font_sizes,
                    vocabulary_of(visible) | vocabulary_of(every), claims, read.claim_share)


def audit_to_html(tmp: Path, *arguments: str) -> Path:
    command = [sys.executable, "-m", "claimaudit", "audit", *arguments,
               "--out", str(tmp), "--format", "html", "--no-cache"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode in (0, 1), done.stderr
    return tmp / "audit.html"


@pytest.fixture(scope="module")
def bundled(browser, tmp_path_factory) -> dict[str, Printout]:
    folder = tmp_path_factory.mktemp("bundled")
    html = audit_to_html(folder, *BUNDLED_COPY, "--sources", BUNDLED_SOURCES)
    return {paper: print_report(browser, html, paper, folder / f"{paper}.pdf") for paper in PAPERS}


def table_pages(printout: Printout) -> range:
    """The pages the claims table takes: from its heading to the last page before the copy."""
    first = next(i for i, text in enumerate(printout.pages) if TABLE_HEADING.search(text))
    copy = copy_page(printout)
    return range(first, copy)


def copy_page(printout: Printout) -> int:
    return next(i for i, text in enumerate(printout.pages) if COPY_HEADING.search(text))


@pytest.mark.parametrize("paper", PAPERS)
def test_bundled_report_prints_several_claims_a_page(bundled, paper):
    printout = bundled[paper]
    claims = len(printout.claims)
    assert claims == 51  # the bundled example; a change here means re-measuring the bounds above
    pages = table_pages(printout)
    print(f"{paper}: {len(printout.pages)} pages, the claims table on {len(pages)}")
    assert len(pages) <= math.ceil(claims / MIN_CLAIMS_PER_TABLE_PAGE)
    assert len(printout.pages) <= MAX_BUNDLED_PAGES


@pytest.mark.parametrize("paper", PAPERS)
def test_no_word_is_broken_across_lines(bundled, paper):
    printout = bundled[paper]
    broken = sorted({
        (number + 1, token)
        for number, text in enumerate(printout.pages)
        for token in printed_tokens(text) if token not in printout.vocabulary
    })
    assert broken == []


@pytest.mark.parametrize("paper", PAPERS)
def test_table_heading_repeats_on_every_page_of_the_table(bundled, paper):
    printout = bundled[paper]
    pages = table_pages(printout)
    assert len(pages) > 1  # otherwise there is nothing to repeat
    assert [i + 1 for i in pages if not TABLE_HEADING.search(printout.pages[i])] == []


@pytest.mark.parametrize("paper", PAPERS)
def test_each_claim_stays_on_one_page_of_the_table(bundled, paper):
    printout = bundled[paper]
    pages = [flat(printout.claim_columns[i]) for i in table_pages(printout)]
    split = [claim for claim in printout.claims if not any(flat(claim) in text for text in pages)]
    assert split == []


@pytest.mark.parametrize("paper", PAPERS)
def test_copy_prints_after_the_table_on_a_page_of_its_own(bundled, paper):
    printout = bundled[paper]
    copy = copy_page(printout)
    assert all(i < copy for i, text in enumerate(printout.pages) if TABLE_HEADING.search(text))
    assert flat(printout.pages[copy]).startswith("The copy")


@pytest.mark.parametrize("paper", PAPERS)
def test_claim_column_has_real_width_and_text_is_readable(bundled, paper):
    printout = bundled[paper]
    assert printout.claim_share >= MIN_CLAIM_SHARE_OF_LINE
    assert min(printout.font_sizes) >= MIN_PRINTED_POINTS - 0.01  # 8.497: the PDF rounds


@pytest.mark.parametrize(
    "copy, claims",
    [pytest.param("Stem cell infusions cure multiple sclerosis.", 1, id="one-claim"),
     pytest.param("Book an appointment today.", 0, id="no-claims")],
)
def test_small_reports_print(browser, tmp_path, copy, claims):
    html = audit_to_html(tmp_path, "--text", copy, "--sources", BUNDLED_SOURCES)
    for paper in PAPERS:
        printout = print_report(browser, html, paper, tmp_path / f"{paper}.pdf")
        assert len(printout.claims) == claims
        assert len(printout.pages) >= 1
        assert TABLE_HEADING.search(printout.pages[0])
        assert copy_page(printout) > 0
        if claims:
            assert flat(copy) in flat(printout.pages[0])
        else:
            assert "No claims were found in the copy." in flat(" ".join(printout.pages))
