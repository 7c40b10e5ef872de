"""PDF leave-pieces as copy, and papers' PDFs as sources, read with PDFium (pypdfium2).

PDFium was chosen over pdfplumber by measurement (``benchmarks/pdf_readers.py``,
on PDFs it generates): as libraries both keep a two-column page written column
by column in order (pdfplumber only with ``use_text_flow``; its default reads
across the columns), both keep line-end hyphens, running lines and table rows
recognisable, and both decompose ligatures alike; neither reads two columns
drawn line by line across the page. But PDFium with every character's box read
2,000 pages/s of a leave-piece against pdfplumber's 79 with its words and fonts,
and 138 against 5 pages/s of a dense two-column paper. The layout work on top
is ours:

- PDFium gives the words in the order the file draws them, which is reading
  order for text a layout program wrote column by column. Each word's box
  splits a line where a wide gap opens, so two columns drawn line by line
  across the page are read one column after the other, and table cells become
  cells.
- Lines that recur at the top or foot of most pages (their figures the same
  on every page, or going up with the page number), and bare page numbers
  there ("3", "Page 3 of 8"), set no larger than the body text, are running
  headers and footers. A running line is audited once, where it is first
  printed (a claim in a footer is a claim), with scope ``header`` or
  ``footer``; its repeats and the page numbers are listed as not audited.
- Text in a font that gives no characters (no ToUnicode map, and codes that
  are glyph numbers) is listed as unreadable, a note a page; a PDF with no
  other text is exit 2.
- Paragraphs are rebuilt from the lines: a line continues the paragraph unless
  a gap wider than the page's line spacing, a change of font size or weight or
  a bullet says otherwise; a sentence running on over a column or page break
  continues. A word broken over a line end is joined ("effec-/tive" ->
  "effective") unless the break falls where a compound has its own hyphen
  ("well-/known").

``raw`` holds every page's lines as extracted (headers and footers included),
one line of text per line, each page after the first starting with a form
feed; ``Document.pages`` holds where each page starts, so a finding's line is
counted from the top of its page, as a reviewer holding the print counts it.

PDFium runs in a forked child bounded by ``max-pdf-seconds`` and
``max-pdf-memory``, so a PDF that crashes it, or unpacks to more than can be
read, is one clear error rather than a dead process or a hang.
"""

from __future__ import annotations

import bisect
import ctypes
import os
import re
import statistics
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable

from claimaudit import limits
from claimaudit.errors import InputError
from claimaudit.ingest.mapped import BLOCK_SEPARATOR, MappedText, PendingBlock, build_document
from claimaudit.ingest.plain import is_title_line
from claimaudit.model import Document, Source

if TYPE_CHECKING:
    import pypdfium2

NO_TEXT_LAYER = "no text layer (scanned?); OCR is not supported"
UNMAPPED_TEXT = ("its text cannot be read: its fonts do not say which characters they draw (no ToUnicode map), "
                 "so what comes out is not the printed words; OCR is not supported")
UNMAPPED_REASON = ("text in a font that does not say which characters it draws (no ToUnicode map): it cannot be "
                   "read, and OCR is not supported")
PAGE_BREAK = "\f"

# PDFium puts U+FFFE where a line ended in a hyphen it took for a word break, and
# joins the two lines; older builds used U+0002.
_PDFIUM_HYPHEN = "\ufffe\x02"
_LINE_END_HYPHENS = "-\u00ad\u2010"
# A gap this many line heights wide inside a line parts two columns or two cells:
# word spaces, even in loosely justified text, stay well under one line height.
_GAP_IN_LINE_HEIGHTS = 1.2
# A line whose top is further below the one before than this many times the
# page's usual line spacing starts a new paragraph.
_PARAGRAPH_GAP = 1.3
# Font sizes (line heights) differing by more than this part are another kind of text.
_SIZE_CHANGE = 0.12
_HEADING_SCALE = 1.15
_HEADING_MAX_CHARS = 250
# Running headers and footers stand in this share of the page height at the top or foot,
# among the two outermost lines, and recur on this share of the pages (and on two at least).
_RUNNING_ZONE = 0.10
_RUNNING_LINES = 2
_RUNNING_SHARE = 0.4

_BULLET_MARK = (r"(?:[-\u2022\u25cf\u25aa\u25e6\u00b7\u2023\u2043\u2013\u2014*\u25a0\u2219\uf0b7\u2713\u2714\u27a2]"
                r"|\d{1,3}[.)]|[a-z]\))")
_BULLET = re.compile(rf"^{_BULLET_MARK}\s+")
_BULLET_ALONE = re.compile(rf"{_BULLET_MARK}")
_BOLD_FONT = re.compile(r"bold|black|heavy|demi", re.IGNORECASE)
# "3", "- 3 -", "Page 3 of 8", "p. 3", "3/8", "iv"
_PAGE_NUMBER = re.compile(
    r"(?:(?i:page|p\.|pg\.?)\s*)?[-\u2013\u2014]?\s*"
    r"(?:\d{1,4}|(?=[ivxlc])c{0,3}(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3}))"
    r"\s*[-\u2013\u2014]?(?:\s*(?:(?i:of)|/|\|)\s*\d{1,4})?")
_DIGITS = re.compile(r"\d+")
_SENTENCE_END = re.compile(r"[.!?:;\u2026][\"'\u2019\u201d)\]]*$")
_LIGATURES = re.compile("[\ufb00-\ufb06]")
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff\x00-\x08\x0b\x0e-\x1f]")
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
_LAST_WORD = re.compile(r"([^\W\d_]+)-$")
_FIRST_WORD = re.compile(r"^([^\W\d_]+)")

# Endings a typesetter's word break leaves on the next line: the word is joined.
_SUFFIXES = frozenset("""
    tion tions sion sions ment ments ness ity ities ive ively ous ously able ably ible ibly ical ically ance
    ances ence ences ant ants ent ents ism isms ist ists ise ised ises ising ize ized izes izing ing ings ed
    est ful less ly ary ory ure ures age ages ial ially ular ology ologies ogy ate ated ates ating ation
    ations ator ators ency ancy tive tives ture tures ter ters ler lers ple ples tory
""".split())
# Words that commonly stand after a compound's own hyphen ("well-known", "placebo-controlled"):
# a line broken there keeps its hyphen.
_COMPOUND_SECOND = frozenset("""
    known term based free blind controlled related old year years week weeks day days month months hour
    hours dose label like specific induced treated reported acting release care risk friendly tested
    proven approved fold time level world life effect effects analysis randomised randomized matched
    adjusted group only being established centred centered designed powered scale quality grade rated
    sized strength lasting minded making user users patient patients date inflammatory depth wide
""".split())
_COMPOUND_FIRST = frozenset("""
    well self non placebo evidence dose double single long short high low real side age sex time user
    peer half cross follow open first second third one two three four five six seven eight nine ten twice
    all full part pain drug risk health family world state
""".split())

_REFERENCES_HEADING = re.compile(
    r"(?:\d{1,2}\.?\s*|[IVX]{1,4}\.\s*)?(?:references?(?:\s+(?:list|cited))?|bibliography|literature\s+cited"
    r"|works\s+cited|cited\s+literature)\s*:?", re.IGNORECASE)
_DOI = re.compile(r"10\.\d{4,9}/\S+")
_YEAR = re.compile(r"(?<!\d)(19[5-9]\d|20\d\d)(?!\d)")
_CITATION_LINE = re.compile(
    r"\u00a9|copyright|published|accepted|received|journal|\bvol\b|volume|\bdoi\b|issn|\d{4}\s*;\s*\d|"
    r"\(\s*\d{4}\s*\)|proceedings|press", re.IGNORECASE)
_METADATA_DATE = re.compile(r"D:(\d{4})")
_WORD_PROCESSOR_TITLE = re.compile(r"^(?:microsoft\s+(?:word|powerpoint)\s*-\s*)|\.(?:docx?|pdf|tex|indd)$",
                                   re.IGNORECASE)


@dataclass
class _Segment:
    """A run of text on one line, apart from its neighbours by a wide gap."""

    text: str  # as printed; a line-end hyphen as "-"
    x0: float
    x1: float
    top: float  # points down from the top of the page
    bottom: float
    hyphen: bool = False  # ends in a hyphen where the line broke
    bold: bool = False
    unmapped: bool = False  # drawn in a font with no character map: the text is not the printed words
    raw_start: int = 0
    running: str = ""  # why it is set aside (a running header or footer, unreadable text), when it is
    scope: str = "body"
    # The first time a running header or footer is printed: audited once, as the
    # reviewer reads it on every page, where the repeats are only listed.
    first_run: bool = False

    @property
    def height(self) -> float:
        return max(self.bottom - self.top, 1.0)


@dataclass
class _Row:
    """One printed line (several segments for a table row)."""

    segments: list[_Segment]
    page: int  # 0-based

    @property
    def top(self) -> float:
        return min(s.top for s in self.segments)

    @property
    def bottom(self) -> float:
        return max(s.bottom for s in self.segments)

    @property
    def x0(self) -> float:
        return self.segments[0].x0

    @property
    def height(self) -> float:
        return max(s.height for s in self.segments)

    @property
    def hyphen(self) -> bool:
        return self.segments[-1].hyphen

    @property
    def bold(self) -> bool:
        return self.segments[0].bold

    @property
    def text(self) -> str:
        return "\t".join(s.text for s in self.segments)


@dataclass
class _Page:
    rows: list[_Row] = field(default_factory=list)
    height: float = 0.0
    has_image: bool = False
    raw_start: int = 0


@dataclass
class _Extraction:
    pages: list[_Page]
    metadata: dict[str, str]
    raw: str = ""
    page_starts: list[int] = field(default_factory=list)


# -- reading the file -------------------------------------------------------


def _open(data: bytes, name: str) -> "pypdfium2.PdfDocument":
    import pypdfium2

    head = data[:1024]
    if b"%PDF-" not in head:
        raise InputError("is not a PDF (no %PDF- header)", path=name)
    if b"%%EOF" not in data[-1024:]:
        raise InputError("is a damaged or truncated PDF (it does not end with %%EOF)", path=name)
    try:
        return pypdfium2.PdfDocument(data)
    except pypdfium2.PdfiumError as error:
        code = getattr(error, "err_code", None)
        if code == 4:  # FPDF_ERR_PASSWORD
            raise InputError("is password-protected; save a copy without the password and audit that",
                             path=name) from None
        if code == 5:  # FPDF_ERR_SECURITY
            raise InputError("is encrypted with a security handler PDFium does not support", path=name) from None
        if code == 0:  # loaded, but no pages
            raise InputError("is a PDF with no pages", path=name) from None
        raise InputError("is a damaged PDF that cannot be read", path=name) from None


def _page_text(textpage: Any, count: int) -> str:
    import pypdfium2.raw as pdfium_c

    text: str = textpage.get_text_range(0, count)
    if len(text) == count:
        return text
    # Characters outside the Basic Multilingual Plane come back as surrogate pairs:
    # read one character per index instead, so indexes and boxes stay aligned.
    chars = []
    for index in range(count):
        code = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
        chars.append(chr(code) if 0 < code < 0x110000 and not 0xD800 <= code < 0xE000 else "\ufffd")
    return "".join(chars)


class _RowBuilder:
    """Cuts PDFium's stream of words into rows of segments by position."""

    def __init__(self, page: int, is_bold: Callable[[int], bool]) -> None:
        self.page = page
        self.is_bold = is_bold
        self.rows: list[_Row] = []
        self.segments: list[_Segment] = []
        self.words: list[str] = []
        self.x0 = self.x1 = self.top = self.bottom = 0.0
        self.first_index = 0
        self.sideways = False
        self.unmapped_words = 0

    def close_segment(self, hyphen: bool = False) -> None:
        if self.words:
            if hyphen:
                self.words[-1] += "-"
            # Most of the words unmapped: the segment's text is noise, not the printed words.
            unmapped = 2 * self.unmapped_words > len(self.words)
            self.segments.append(_Segment(" ".join(self.words), self.x0, self.x1, self.top, self.bottom,
                                          hyphen=hyphen, bold=self.is_bold(self.first_index), unmapped=unmapped))
            self.words = []
            self.unmapped_words = 0

    def close_row(self, hyphen: bool = False) -> None:
        self.close_segment(hyphen)
        if self.segments:
            self.rows.append(_Row(self.segments, self.page))
            self.segments = []

    def add_sideways(self, index: int, word: str, left: float, right: float, top: float, bottom: float,
                     unmapped: bool = False) -> None:
        """A word set sideways (a margin note, a code up the edge): the words beside it on its line make a row."""
        if not (self.sideways and self.words and left <= self.x1 and right >= self.x0):
            self.close_row()
            self.x0, self.x1, self.top, self.bottom = left, right, top, bottom
            self.first_index = index
            self.sideways = True
        self.x0, self.x1 = min(self.x0, left), max(self.x1, right)
        self.top, self.bottom = min(self.top, top), max(self.bottom, bottom)
        self.words.append(word)
        self.unmapped_words += unmapped

    def add(self, index: int, word: str, left: float, right: float, top: float, bottom: float,
            unmapped: bool = False) -> None:
        if self.sideways:
            self.close_row()
            self.sideways = False
        middle = (top + bottom) / 2
        if self.words:
            if middle > self.bottom or middle < self.top:
                self.close_row()
            elif left - self.x1 > _GAP_IN_LINE_HEIGHTS * max(self.bottom - self.top, 1.0):
                self.close_segment()
        elif self.segments and (middle > self.segments[-1].bottom or middle < self.segments[-1].top):
            self.close_row()
        if not self.words:
            self.x0, self.x1, self.top, self.bottom = left, right, top, bottom
            self.first_index = index
        else:
            self.x0 = min(self.x0, left)
            self.x1 = max(self.x1, right)
            self.top = min(self.top, top)
            self.bottom = max(self.bottom, bottom)
        self.words.append(word)
        self.unmapped_words += unmapped


_CONTROL = re.compile("[\x00-\x1f\ufffe]")
_STRAY_CONTROL = re.compile("[\x00-\x01\x03-\x09\x0b\x0c\x0e-\x1f]")  # not a line break, not PDFium's hyphen mark
# A line break, PDFium's mark of a hyphen where it joined two lines, or a word.
_TOKEN = re.compile(r"\r\n?|\n|[\ufffe\x02]|[^\s\ufffe\x02]+")


def _page_rows(page: Any, index: int) -> tuple[list[_Row], float]:
    import pypdfium2.raw as pdfium_c

    left_edge, bottom_edge, right_edge, top_edge = page.get_bbox()
    height = float(top_edge - bottom_edge) or 1.0
    textpage = page.get_textpage()
    try:
        count = textpage.count_chars()
        if count <= 0:
            return [], height
        text = _page_text(textpage, count)
        handle = textpage.raw
        box = pdfium_c.FS_RECTF()
        box_ref = ctypes.byref(box)
        loose_box = pdfium_c.FPDFText_GetLooseCharBox
        font_name = ctypes.create_string_buffer(256)
        flags = ctypes.c_int()

        def is_bold(char_index: int) -> bool:
            if pdfium_c.FPDFText_GetFontWeight(handle, char_index) >= 600:
                return True
            # Fonts without a weight (the standard fourteen) say it in their name.
            pdfium_c.FPDFText_GetFontInfo(handle, char_index, font_name, len(font_name), ctypes.byref(flags))
            return bool(_BOLD_FONT.search(font_name.value.decode("latin-1")))

        # PDFium flags a character whose font has no map to Unicode and gives the
        # font's own code for it. Codes that are letters mostly are (a simple font
        # keeps ASCII); codes that fall on control characters are glyph numbers, and
        # then none of that font's characters are the printed words.
        has_map_error = getattr(pdfium_c, "FPDFText_HasUnicodeMapError", None)

        def unmapped(char_index: int) -> bool:
            return bool(has_map_error is not None and has_map_error(handle, char_index) == 1)

        fonts_unmapped: dict[int, bytes] = {}  # a word's start -> its font, when its first character has no map
        noisy_fonts: set[bytes] = set()
        # Only codes that fall on control characters betray a font's glyph numbers:
        # a page without them (nearly all pages) costs nothing more.
        if has_map_error is not None and _STRAY_CONTROL.search(text) and any(
                token.group()[0] not in "\r\n\ufffe\x02" and unmapped(token.start())
                for token in _TOKEN.finditer(text)):
            # Such codes on line breaks or PDFium's hyphen mark would cut lines the page does not have.
            text = _CONTROL.sub(lambda m: "\ufffd" if unmapped(m.start()) else m.group(), text)
            for token in _TOKEN.finditer(text):
                if token.group()[0] not in "\r\n\ufffe\x02" and unmapped(token.start()):
                    pdfium_c.FPDFText_GetFontInfo(handle, token.start(), font_name, len(font_name),
                                                  ctypes.byref(flags))
                    fonts_unmapped[token.start()] = font_name.value
                    if "\ufffd" in token.group():
                        noisy_fonts.add(font_name.value)

        def noise(char_index: int) -> bool:
            return fonts_unmapped.get(char_index) in noisy_fonts
        builder = _RowBuilder(index, is_bold)
        # A word's first character places it (and says which line it is on), its last one
        # where it ends: gaps between columns and cells open between words.
        for token in _TOKEN.finditer(text):
            word = token.group()
            first = token.start()
            if word[0] in "\r\n":
                builder.close_row()
            elif word in _PDFIUM_HYPHEN:
                builder.close_row(hyphen=True)
            elif loose_box(handle, first, box_ref) or loose_box(handle, token.end() - 1, box_ref):
                noisy = noise(first)
                left, right, top, bottom = box.left, box.right, top_edge - box.top, top_edge - box.bottom
                if len(word) > 1 and loose_box(handle, token.end() - 1, box_ref):
                    end_middle = top_edge - (box.top + box.bottom) / 2
                    if top <= end_middle <= bottom:
                        builder.add(first, word, left, max(right, box.right), top, bottom, noisy)
                    else:  # the word runs up or down the page
                        builder.add_sideways(first, word, min(left, box.left), max(right, box.right),
                                             min(top, top_edge - box.top), max(bottom, top_edge - box.bottom),
                                             noisy)
                else:
                    builder.add(first, word, left, right, top, bottom, noisy)
            else:  # a word PDFium cannot place is kept, where the text before it ended
                builder.add(first, word, builder.x1, builder.x1, builder.top, builder.bottom, noise(first))
        builder.close_row()
    finally:
        textpage.close()
    rows = _merge_vertical_text(builder.rows)
    for row in rows:
        _join_bullet(row)
        last = row.segments[-1]
        if not last.hyphen and len(last.text) > 1 and last.text[-1] in _LINE_END_HYPHENS and last.text[-2].isalpha():
            last.hyphen = True
    return rows, height


def _join_bullet(row: _Row) -> None:
    """A bullet set apart from its text by a tab stop belongs to the text, not to a cell of its own."""
    if len(row.segments) >= 2 and _BULLET_ALONE.fullmatch(row.segments[0].text):
        mark, text = row.segments[:2]
        row.segments[:2] = [_Segment(f"{mark.text} {text.text}", mark.x0, text.x1, min(mark.top, text.top),
                                     max(mark.bottom, text.bottom), hyphen=text.hyphen, bold=text.bold,
                                     unmapped=text.unmapped)]


def _merge_vertical_text(rows: list[_Row]) -> list[_Row]:
    """Text set sideways (a margin note, a preprint stamp) comes out a character per
    line: such runs become one row."""
    merged: list[_Row] = []
    run: list[_Row] = []

    def flush() -> None:
        if len(run) >= 4:
            chars = "".join(r.segments[0].text for r in run)
            first = run[0].segments[0]
            merged.append(_Row([_Segment(chars, first.x0, first.x1, min(r.top for r in run),
                                         max(r.bottom for r in run),
                                         unmapped=all(r.segments[0].unmapped for r in run))], run[0].page))
        else:
            merged.extend(run)
        run.clear()

    for row in rows:
        single = len(row.segments) == 1 and len(row.segments[0].text) <= 2
        # Characters set sideways stand closer than lines do: a column of short cells is not one.
        if single and (not run or (abs(row.x0 - run[-1].x0) < row.height
                                   and abs(row.top - run[-1].top) < 0.9 * row.height)):
            run.append(row)
            continue
        flush()
        if single:
            run.append(row)
        else:
            merged.append(row)
    flush()
    return merged


def _has_image(page: Any) -> bool:
    import pypdfium2.raw as pdfium_c

    for _ in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=3):
        return True
    return False


def _metadata(document: Any) -> dict[str, str]:
    try:
        found = document.get_metadata_dict(skip_empty=True)
    except Exception:  # metadata is a nicety: a damaged Info dictionary must not stop the reading
        return {}
    return {str(k): str(v).strip() for k, v in found.items() if v and str(v).strip()}


# What PDFium read, as plain values that cross a pipe cheaply: the metadata, and for
# each page its height, whether it holds an image, and its rows of segments
# (text, x0, x1, top, bottom, ends in a line-end hyphen, bold, unmapped).
_SegmentData = tuple[str, float, float, float, float, bool, bool, bool]
_PageData = tuple[float, bool, list[list[_SegmentData]]]
_Read = tuple[dict[str, str], list[_PageData]]


def _read_with_pdfium(data: bytes, name: str) -> _Read:
    import pypdfium2

    document = _open(data, name)
    try:
        count = len(document)
        limits.check("max-pages", count, path=name)
        pages: list[_PageData] = []
        for index in range(count):
            try:
                page = document[index]
                try:
                    rows, height = _page_rows(page, index)
                    has_image = not rows and _has_image(page)
                finally:
                    page.close()
            except pypdfium2.PdfiumError as error:
                raise InputError(f"page {index + 1} could not be read ({error})", path=name) from None
            pages.append((height, has_image, [[(s.text, s.x0, s.x1, s.top, s.bottom, s.hyphen, s.bold, s.unmapped)
                                                for s in row.segments] for row in rows]))
        return _metadata(document), pages
    finally:
        document.close()


def _read_apart(data: bytes, name: str) -> _Read:
    """PDFium's reading, done in a child process where one can be forked.

    PDFium is C: a hostile or broken file could crash it, or make it parse for
    ever or fill the memory (a few kilobytes of compressed drawing commands can
    unpack to millions of objects). In a child bounded by ``max-pdf-seconds`` and
    ``max-pdf-memory`` any of that becomes one clear error instead.
    """
    if not hasattr(os, "fork"):
        return _read_with_pdfium(data, name)
    import pickle

    read_end, write_end = os.pipe()
    try:
        child = os.fork()
    except OSError:  # no process to spare: read here, unguarded, rather than not at all
        os.close(read_end)
        os.close(write_end)
        return _read_with_pdfium(data, name)
    if child == 0:  # pragma: no cover - runs in the child, which reports through the pipe
        os.close(read_end)
        _child_reads(write_end, data, name)
    os.close(write_end)
    payload = b""
    try:
        payload = _collect(read_end, name)
    except BaseException:
        _end_child(child)
        raise
    finally:
        os.close(read_end)
    _, status = os.waitpid(child, 0)
    if not payload:
        signal_number = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        how = (f"stopped by signal {signal_number}" if signal_number
               else f"exit status {os.waitstatus_to_exitcode(status)}")
        raise InputError(f"could not be read: PDFium failed on it ({how}); the file may be damaged, or need more "
                         f"memory than the limit allows {limits.hint('max-pdf-memory')}", path=name)
    outcome, detail = pickle.loads(payload)
    if outcome == "input":
        raise InputError(detail, path=name)
    if outcome == "memory":
        raise limits.breach("max-pdf-memory", path=name)
    if outcome == "failed":
        raise InputError(f"could not be read ({detail})", path=name)
    read: _Read = detail
    return read


def _collect(read_end: int, name: str) -> bytes:
    import select
    import time

    deadline = time.monotonic() + limits.value("max-pdf-seconds")
    cap = limits.int_value("max-pdf-memory")
    chunks: list[bytes] = []
    size = 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise limits.breach("max-pdf-seconds", path=name)
        ready, _, _ = select.select([read_end], [], [], min(remaining, 1.0))
        if not ready:
            continue
        chunk = os.read(read_end, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        size += len(chunk)
        if size > cap:
            raise limits.breach("max-pdf-memory", path=name)


def _end_child(child: int) -> None:
    import signal

    try:
        os.kill(child, signal.SIGKILL)
        os.waitpid(child, 0)
    except (ProcessLookupError, ChildProcessError):
        pass


def _child_reads(write_end: int, data: bytes, name: str) -> None:  # pragma: no cover - runs in the child
    import pickle

    status = 0
    try:
        _bound_memory()
        outcome: tuple[str, Any]
        try:
            outcome = ("ok", _read_with_pdfium(data, name))
        except InputError as error:
            outcome = ("input", error.detail)
        except MemoryError:
            outcome = ("memory", "")
        except Exception as error:  # reported to the parent as this file's problem
            outcome = ("failed", f"{type(error).__name__}: {error}")
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write_end, "wb") as pipe:
            pipe.write(payload)
    except BaseException:
        status = 1
    finally:
        os._exit(status)


def _bound_memory() -> None:  # pragma: no cover - runs in the child
    """Let the child's address space grow by ``max-pdf-memory`` at most."""
    try:
        import resource

        with open("/proc/self/statm", encoding="ascii") as statm:
            in_use = int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (ImportError, OSError, ValueError):
        return  # no way to tell what the process uses already: leave it unbounded
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    bound = in_use + limits.int_value("max-pdf-memory")
    if hard != resource.RLIM_INFINITY:
        bound = min(bound, hard)
    resource.setrlimit(resource.RLIMIT_AS, (bound, hard))


def _extract(data: bytes, name: str) -> _Extraction:
    metadata, read = _read_apart(data, name)
    pages = [_Page([_Row([_Segment(*segment) for segment in row], index) for row in rows], height, has_image)
             for index, (height, has_image, rows) in enumerate(read)]
    if not any(page.rows for page in pages):
        raise InputError(NO_TEXT_LAYER, path=name)
    extraction = _Extraction(pages, metadata)
    _mark_running(extraction)
    segments = [s for page in pages for row in page.rows for s in row.segments]
    if any(s.unmapped for s in segments):
        if all(s.unmapped or s.running for s in segments):
            raise InputError(UNMAPPED_TEXT, path=name)
        for segment in segments:
            if segment.unmapped:
                segment.running, segment.scope = UNMAPPED_REASON, "body"
    for page in pages:
        page.rows = _running_at_the_edges(_columns_in_order(page.rows))
    _lay_out_raw(extraction)
    return extraction


# -- layout -----------------------------------------------------------------


def _running_key(text: str) -> str:
    return _DIGITS.sub("#", " ".join(text.casefold().split()))


def _outer_rows(page: _Page) -> tuple[list[_Row], list[_Row]]:
    """The first and last few rows of a page that stand in its top or foot margin, outermost first."""
    by_top = sorted(page.rows, key=lambda r: r.top)
    zone = _RUNNING_ZONE * page.height
    top: list[_Row] = []
    for row in by_top[:_RUNNING_LINES]:
        if row.bottom > zone:
            break
        top.append(row)
    foot: list[_Row] = []
    for row in reversed(by_top[-_RUNNING_LINES:]):
        if row.top < page.height - zone or any(row is t for t in top):
            break
        foot.append(row)
    return top, foot


def _mark_running(extraction: _Extraction) -> None:
    """Running headers, footers and page numbers: recurring at the top or foot of most pages.

    Only the outermost lines count: a line is running when every line between it
    and the page's edge is running too, so body text near the edge stays copy.
    """
    pages = extraction.pages
    margins = [_outer_rows(page) for page in pages]
    # Running lines are set no larger than the body text: a heading that recurs, or a figure in
    # large type where a page number could stand, is still copy.
    largest = _HEADING_SCALE * _body_size(pages)
    # For each line that stands in a margin (its digits aside): the numbers in it on each page it is on.
    pages_with: dict[tuple[str, str], dict[int, tuple[int, ...]]] = {}
    for index, (top, foot) in enumerate(margins):
        for zone_name, rows in (("top", top), ("foot", foot)):
            for row in rows:
                for segment in row.segments:
                    numbers = tuple(int(n) for n in _DIGITS.findall(segment.text))
                    pages_with.setdefault((zone_name, _running_key(segment.text)), {}).setdefault(index, numbers)
    recurring = {key: len(found) for key, found in pages_with.items() if _numbered_as_pages(found)}
    needed = max(2.0, _RUNNING_SHARE * len(pages))
    first_pages: dict[tuple[str, str], int] = {}
    for index, (top, foot) in enumerate(margins):
        for zone_name, rows in (("top", top), ("foot", foot)):
            scope = "header" if zone_name == "top" else "footer"
            for row in rows:
                for segment in row.segments:
                    key = (zone_name, _running_key(segment.text))
                    seen = recurring.get(key, 1)
                    if segment.height >= largest:
                        continue  # a figure in large type at the foot of a page is copy, not a page number
                    if _PAGE_NUMBER.fullmatch(segment.text.strip()):
                        segment.running = "page number"
                    elif seen >= needed:
                        first = first_pages.setdefault(key, index)
                        segment.first_run = first == index
                        segment.running = (f"running {scope} (at the {zone_name} of {seen} of {len(pages)} pages"
                                           f"{'' if segment.first_run else f', audited on page {first + 1}'})")
                    else:
                        continue
                    segment.scope = scope
                if not all(segment.running for segment in row.segments):
                    break


def _numbered_as_pages(found: dict[int, tuple[int, ...]]) -> bool:
    """Whether a line's numbers stay the same from page to page, or go up with the page.

    "Leaflet 2024 | page 3" recurs; "Pain fell by 40% in 2 weeks" on one page and
    "by 60% in 4 weeks" on the next are two claims, not a running footer."""
    pages = sorted(found)
    for position in range(len(found[pages[0]])):
        values = [found[page][position] for page in pages]
        if len(set(values)) > 1 and len({value - page for value, page in zip(values, pages)}) > 1:
            return False
    return True


def _running_at_the_edges(rows: list[_Row]) -> list[_Row]:
    """Running headers first and footers last, where the print has them, whatever order the file drew them in."""
    def edge(row: _Row) -> str:
        scopes = {s.scope for s in row.segments if s.running}
        return scopes.pop() if len(scopes) == 1 and all(s.running for s in row.segments) else "body"

    placed = [(edge(row), row) for row in rows]
    return ([row for where, row in placed if where == "header"] + [row for where, row in placed if where == "body"]
            + [row for where, row in placed if where == "footer"])


def _columns_in_order(rows: list[_Row]) -> list[_Row]:
    """Rows split by wide gaps: prose in columns is read column by column; a table stays row by row."""
    result: list[_Row] = []
    index = 0
    while index < len(rows):
        if len(_body_segments(rows[index])) < 2:
            result.append(rows[index])
            index += 1
            continue
        end = index + 1
        while end < len(rows) and len(_body_segments(rows[end])) >= 2 and _next_line(rows[end - 1], rows[end]):
            end += 1
        segments = [s for r in rows[index:end] for s in _body_segments(r)]
        words = sum(len(s.text.split()) for s in segments) / len(segments)
        if end - index < 2 or words < 4:
            result.extend(rows[index:end])  # a table, or one line with a wide gap
            index = end
            continue
        starts = sorted(s.x0 for s in max(rows[index:end], key=lambda r: len(r.segments)).segments)
        # One column may run on below the other: its lines belong to the columns too.
        while end < len(rows) and _next_line(rows[end - 1], rows[end]) and _in_a_column(rows[end], starts):
            end += 1
        result.extend(_read_columns(rows[index:end], starts))
        index = end
    return result


def _next_line(above: _Row, below: _Row) -> bool:
    return 0 <= below.top - above.top <= 3 * above.height


def _in_a_column(row: _Row, starts: list[float]) -> bool:
    """A single run of text that starts at a column's left edge and stays within that column."""
    if len(row.segments) != 1:
        return False
    segment = row.segments[0]
    for slot, start in enumerate(starts):
        if abs(segment.x0 - start) <= segment.height:
            return slot + 1 == len(starts) or segment.x1 < starts[slot + 1]
    return False


def _body_segments(row: _Row) -> list[_Segment]:
    return [s for s in row.segments if not s.running]


def _read_columns(region: list[_Row], starts: list[float]) -> list[_Row]:
    columns: list[list[_Row]] = [[] for _ in starts]
    for row in region:
        for segment in row.segments:
            slot = min(range(len(starts)), key=lambda i: abs(starts[i] - segment.x0))
            columns[slot].append(_Row([segment], row.page))
    return [row for column in columns for row in column]


def _lay_out_raw(extraction: _Extraction) -> None:
    """Every page's rows as lines of ``raw``; a form feed starts each page after the first."""
    parts: list[str] = []
    position = 0
    for number, page in enumerate(extraction.pages):
        if number:
            parts.append("\n" + PAGE_BREAK)
            position += 1
            extraction.page_starts.append(position)
            position += 1
        else:
            extraction.page_starts.append(0)
        page.raw_start = extraction.page_starts[-1]
        for row_number, row in enumerate(page.rows):
            if row_number:
                parts.append("\n")
                position += 1
            for segment_number, segment in enumerate(row.segments):
                if segment_number:
                    parts.append("\t")
                    position += 1
                segment.raw_start = position
                parts.append(segment.text)
                position += len(segment.text)
    extraction.raw = "".join(parts)


# -- paragraphs -------------------------------------------------------------


def _body_size(pages: list[_Page]) -> float:
    sizes: Counter[float] = Counter()
    for page in pages:
        for row in page.rows:
            for segment in row.segments:
                if not segment.running:
                    sizes[round(segment.height * 2) / 2] += len(segment.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _line_spacing(page: _Page) -> float | None:
    """The page's usual distance from one line's top to the next (the lower quartile of what it has)."""
    pitches = []
    rows = [r for r in page.rows if len(r.segments) == 1 and not r.segments[0].running]
    for above, below in zip(rows, rows[1:]):
        pitch = below.top - above.top
        if 0 < pitch < 3 * above.height and abs(below.height - above.height) <= _SIZE_CHANGE * above.height:
            pitches.append(pitch)
    if not pitches:
        return None
    if len(pitches) < 4:
        return min(min(pitches), 1.6 * statistics.median(r.height for r in rows))
    return statistics.quantiles(pitches, n=4)[0] if len(pitches) > 1 else pitches[0]


def _size_changes(a: _Row, b: _Row) -> bool:
    return abs(a.height - b.height) > _SIZE_CHANGE * max(a.height, b.height)


def _starts_lowercase(text: str) -> bool:
    first = text.lstrip()[:1]
    return first.islower()


def _continues(previous: _Row, row: _Row, spacing: dict[int, float | None]) -> bool:
    """Whether ``row`` goes on with the paragraph ``previous`` ended."""
    text = row.segments[0].text
    if _size_changes(previous, row) or _BULLET.match(text):
        return False
    before = previous.segments[-1].text
    if previous.bold and not row.bold and is_title_line(before):
        return False  # a heading set in bold at the body's size
    if previous.hyphen and _starts_lowercase(text):
        return True
    if not _SENTENCE_END.search(before) and _starts_lowercase(text):
        return True  # a sentence running on, even over a column or page break
    if row.page != previous.page or row.top <= previous.top:
        return False  # a new column or page
    usual = spacing.get(row.page)
    if usual is None:
        usual = 1.6 * previous.height
    return row.top - previous.top <= _PARAGRAPH_GAP * usual


@dataclass
class _Paragraph:
    rows: list[_Row]
    kind: str = "paragraph"


def _paragraphs(pages: list[_Page]) -> tuple[list[_Paragraph], list[_Segment]]:
    """Body rows grouped into paragraphs and table cells; running segments set apart."""
    spacing = {index: _line_spacing(page) for index, page in enumerate(pages)}
    paragraphs: list[_Paragraph] = []
    running: list[_Segment] = []
    current: list[_Row] = []
    for page in pages:
        for row in page.rows:
            running.extend(s for s in row.segments if s.running)
            if current and any(s.unmapped for s in row.segments):
                paragraphs.append(_Paragraph(current))  # what stood between is unknown: no sentence runs over it
                current = []
            body = _body_segments(row)
            if not body:
                continue
            if len(body) > 1:
                if current:
                    paragraphs.append(_Paragraph(current))
                    current = []
                paragraphs.extend(_Paragraph([_Row([s], row.page)], "cell") for s in body)
                continue
            row = row if len(body) == len(row.segments) else _Row(body, row.page)
            if current and not _continues(current[-1], row, spacing):
                paragraphs.append(_Paragraph(current))
                current = []
            current.append(row)
    if current:
        paragraphs.append(_Paragraph(current))
    body_size = _body_size(pages)
    for paragraph in paragraphs:
        if paragraph.kind != "paragraph":
            continue
        first = paragraph.rows[0].segments[0].text
        if _BULLET.match(first):
            paragraph.kind = "list-item"
            continue
        text = " ".join(r.text for r in paragraph.rows)
        larger = all(r.height >= _HEADING_SCALE * body_size for r in paragraph.rows)
        if (larger and len(text) <= _HEADING_MAX_CHARS and len(paragraph.rows) <= 4) or \
                (len(paragraph.rows) == 1 and is_title_line(text)):
            paragraph.kind = "heading"
    return paragraphs, running


class _Vocabulary:
    """The document's own words, to tell a broken word from a compound broken at its hyphen."""

    def __init__(self, pages: list[_Page]) -> None:
        self.words: set[str] = set()
        for page in pages:
            for row in page.rows:
                for segment in row.segments:
                    # The last word of a line may be half a word broken at its end.
                    text = segment.text[:-1] if segment.hyphen else segment.text
                    self.words.update(w.casefold() for w in _WORD.findall(text))

    def joins(self, left: str, right: str) -> bool:
        """Whether "left-" at a line end and "right" on the next line are one word."""
        left_word, right_word = left.casefold(), right.casefold()
        if f"{left_word}-{right_word}" in self.words:
            return False
        if left_word + right_word in self.words:
            return True
        # Typesetters leave at least two letters before a break and three after it.
        if len(left_word) < 2 or len(right_word) < 3:
            return False
        if right_word in _SUFFIXES:
            return True
        return right_word not in _COMPOUND_SECOND and left_word not in _COMPOUND_FIRST


def _segment_text(segment: _Segment) -> MappedText:
    return MappedText(segment.text, array("q", range(segment.raw_start, segment.raw_start + len(segment.text))))


def _paragraph_text(paragraph: _Paragraph, vocabulary: _Vocabulary | None) -> MappedText:
    pieces: list[MappedText] = []
    rows = paragraph.rows
    for number, row in enumerate(rows):
        segment = row.segments[0]
        piece = _segment_text(segment)
        following = rows[number + 1].segments[0].text if number + 1 < len(rows) else ""
        if segment.hyphen and following:
            left = _LAST_WORD.search(segment.text)
            right = _FIRST_WORD.match(following)
            soft = segment.text.endswith("\u00ad")
            if soft or (left and right and right.group(1)[0].islower() and vocabulary is not None
                        and vocabulary.joins(left.group(1), right.group(1))):
                piece = piece.slice(0, len(piece) - 1)
            pieces.append(piece)
            continue
        pieces.append(piece)
        if following:
            # The space stands for the line break after this line.
            pieces.append(MappedText.literal(" ", segment.raw_start + len(segment.text)))
    text = MappedText.join(pieces)
    if paragraph.kind == "list-item":
        bullet = _BULLET.match(text.text)
        if bullet:
            text = text.slice(bullet.end())
    return _normalised(text)


def _normalised(text: MappedText) -> MappedText:
    """Ligature characters spelled out, invisible characters dropped, whitespace collapsed."""
    if _LIGATURES.search(text.text):
        text = text.sub(_LIGATURES, lambda m: [unicodedata.normalize("NFKC", m.group(0))])
    if _INVISIBLE.search(text.text):
        text = text.sub(_INVISIBLE, lambda m: [])
    return text.collapse_whitespace()


def _pending_blocks(extraction: _Extraction) -> list[PendingBlock]:
    paragraphs, running = _paragraphs(extraction.pages)
    needs_vocabulary = any(r.hyphen for p in paragraphs for r in p.rows[:-1])
    vocabulary = _Vocabulary(extraction.pages) if needs_vocabulary else None
    blocks: list[PendingBlock] = []
    for paragraph in paragraphs:
        content = _paragraph_text(paragraph, vocabulary)
        if content:
            blocks.append(PendingBlock(content, kind=paragraph.kind))
    unreadable_pages: set[int] = set()
    for segment in running:
        if segment.unmapped:
            # Listed once a page, in words: the noise itself would tell the reviewer nothing.
            page_number = _page_of(extraction, segment.raw_start)
            if page_number not in unreadable_pages:
                unreadable_pages.add(page_number)
                note = MappedText.literal(f"(page {page_number}: text that cannot be read)", segment.raw_start)
                blocks.append(PendingBlock(note, set_aside=f"page {page_number} has {UNMAPPED_REASON}"))
            continue
        # A running line is audited where it is first printed (a claim in a footer is
        # still a claim); its repeats are listed, not audited again.
        blocks.append(PendingBlock(_normalised(_segment_text(segment)), heading="", scope=segment.scope,
                                   set_aside="" if segment.first_run else segment.running))
    for number, page in enumerate(extraction.pages, 1):
        if page.has_image:
            note = MappedText.literal(f"(page {number}: an image with no text layer)", page.raw_start)
            blocks.append(PendingBlock(note, set_aside=f"page {number} has no text layer (scanned?); "
                                                       "OCR is not supported"))
    return blocks


def _page_of(extraction: _Extraction, raw_offset: int) -> int:
    return max(bisect.bisect_right(extraction.page_starts, raw_offset), 1)


# -- entry points -----------------------------------------------------------


def read_pdf_copy(data: bytes, name: str) -> Document:
    """A PDF leave-piece as copy: paragraphs in reading order, running headers and footers set aside."""
    extraction = _extract(data, name)
    document = build_document(name, extraction.raw, _pending_blocks(extraction), media_type="pdf", encoding="pdf")
    document.pages = list(extraction.page_starts)
    document.page_kind = "page"
    return document


def read_pdf_source(data: bytes, name: str) -> Source:
    """A paper's PDF as a source: its text as prose, page by page, without the reference list."""
    extraction = _extract(data, name)
    paragraphs, _ = _paragraphs(extraction.pages)
    paragraphs = _before_references(paragraphs)
    needs_vocabulary = any(r.hyphen for p in paragraphs for r in p.rows[:-1])
    vocabulary = _Vocabulary(extraction.pages) if needs_vocabulary else None
    texts: list[str] = []
    page_starts: dict[int, int] = {}
    position = 0
    for paragraph in paragraphs:
        content = _paragraph_text(paragraph, vocabulary)
        if not content:
            continue
        if texts:
            texts.append(BLOCK_SEPARATOR)
            position += len(BLOCK_SEPARATOR)
        # A page starts where the first text read from it stands in the summary.
        for row in paragraph.rows:
            if row.page not in page_starts:
                start = row.segments[0].raw_start
                page_starts[row.page] = position + _offset_of_raw(content, start)
        texts.append(content.text)
        position += len(content.text)
    summary = "".join(texts)
    if not summary.strip():
        raise InputError("no text was found before the reference list", path=name)
    pages: list[int] = []
    following = len(summary)
    for index in reversed(range(len(extraction.pages))):
        following = min(page_starts.get(index, following), following)
        pages.append(following)
    pages.reverse()
    pages[0] = 0
    title = _title(extraction)
    first_page = "\n".join(r.text for r in extraction.pages[0].rows)
    return Source(
        id="", summary=summary, citation=title, doi=_doi(first_page, extraction.metadata), origin=name,
        kind="summary", authors=_authors(extraction.metadata.get("Author", "")),
        year=_year(extraction), title=title, pages=tuple(pages),
    )


def _offset_of_raw(content: MappedText, raw_offset: int) -> int:
    """Where in ``content`` the text from ``raw_offset`` on begins (offsets only grow)."""
    return bisect.bisect_left(content.offsets, raw_offset)


def _before_references(paragraphs: list[_Paragraph]) -> list[_Paragraph]:
    """The paragraphs before a closing reference list: its sentences are other studies' findings."""
    for index in range(len(paragraphs) - 1, 0, -1):
        paragraph = paragraphs[index]
        if len(paragraph.rows) == 1 and _REFERENCES_HEADING.fullmatch(paragraph.rows[0].text.strip()):
            return paragraphs[:index]
    return paragraphs


def _title(extraction: _Extraction) -> str:
    title = " ".join(extraction.metadata.get("Title", "").split())
    if title and not _WORD_PROCESSOR_TITLE.search(title) and any(c.isalpha() for c in title):
        return title
    first = extraction.pages[0]
    rows = [r for r in first.rows if not any(s.running for s in r.segments) and len(r.segments) == 1]
    if not rows:
        return ""
    # The title is the largest type on the first page; a title set over two lines keeps both.
    largest = max(r.height for r in rows)
    lines: list[str] = []
    for row in rows:
        if row.height >= largest * (1 - _SIZE_CHANGE):
            lines.append(row.text)
        elif lines:
            break
    text = " ".join(" ".join(lines).split())
    return text if len(text) <= _HEADING_MAX_CHARS else ""


def _doi(first_page: str, metadata: dict[str, str]) -> str:
    for text in (first_page, metadata.get("Subject", ""), metadata.get("Keywords", "")):
        match = _DOI.search(text)
        if match:
            return _trimmed_doi(match.group(0))
    return ""


def _trimmed_doi(doi: str) -> str:
    """A DOI without the punctuation of the sentence around it; brackets it opens itself stay."""
    while doi:
        last = doi[-1]
        if last in ".,;:>\"'\u201d\u2019":
            doi = doi[:-1]
        elif last in ")]}" and doi.count(last) > doi.count({")": "(", "]": "[", "}": "{"}[last]):
            doi = doi[:-1]
        else:
            break
    return doi


_PARTICLES = frozenset("van von der den de del della di da du le la dos das ten ter".split())


def _authors(field_value: str) -> tuple[str, ...]:
    """Metadata authors as "Surname X": "Wei Zhao; Anna van Dijk" -> ("Zhao W", "van Dijk A")."""
    text = " ".join(field_value.split())
    if not text:
        return ()
    if ";" in text:
        names = [n.strip() for n in text.split(";")]
    else:
        names = [n.strip() for n in re.split(r",|\band\b|&", text)]
        # "Zhao, Wei" alone is one name written surname first.
        if len(names) == 2 and " " not in names[0] and " " not in names[1].strip():
            names = [f"{names[0]}, {names[1]}"]
    result: list[str] = []
    for name in names:
        if not name or not any(c.isalpha() for c in name):
            continue
        words = name.split()
        if len(words) >= 2 and re.fullmatch(r"[A-Z]{1,3}", words[-1]):
            result.append(name)  # already "Surname XY"
            continue
        if "," in name:
            surname, given = (part.strip() for part in name.split(",", 1))
        else:
            words = name.replace(".", ". ").split()
            cut = len(words) - 1
            while cut > 0 and words[cut - 1].casefold() in _PARTICLES:
                cut -= 1
            surname, given = " ".join(words[cut:]), " ".join(words[:cut])
        initials = "".join(part[0].upper() for part in re.split(r"[\s.\-]+", given) if part[:1].isalpha())
        result.append(f"{surname} {initials}".strip())
    return tuple(result)


def _year(extraction: _Extraction) -> str:
    import datetime

    latest = datetime.date.today().year + 1
    lines = [" ".join(r.text.split()) for r in extraction.pages[0].rows]
    plausible = [(line, [y for y in _YEAR.findall(line) if int(y) <= latest]) for line in lines]
    for line, years in plausible:
        if years and _CITATION_LINE.search(line):
            return max(years)
    for key in ("CreationDate", "ModDate"):
        match = _METADATA_DATE.match(extraction.metadata.get(key, ""))
        if match and int(match.group(1)) <= latest:
            return match.group(1)
    for _, years in plausible:
        if years:
            return years[0]
    return ""

