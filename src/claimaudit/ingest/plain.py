"""Plain-text copy: pages pasted or exported as .txt.

Paragraphs are separated by blank lines. Structure has to be inferred: a
short single line without closing sentence punctuation is a heading, a line
starting with a bullet or a number is a list item. Lines inside a paragraph
are joined, since text exports often hard-wrap.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass

from claimaudit.ingest.boilerplate import drop_widgets
from claimaudit.ingest.mapped import MappedText, PendingBlock
from claimaudit.ingest.suppressions import parse_suppression

HEADING_MAX_WORDS = 15
TITLE_MAX_WORDS = 40
# Longer than any heading of 15 (or 40) words: such a line is never a title,
# and is not scanned for one (a 15 MB line took seconds in the title patterns).
TITLE_MAX_CHARS = 1_000

_BULLET = re.compile(r"^[ \t]*(?:[\u2022\u25cf\u25aa\u25e6\u00b7\u2023\u2043\-*+\u2013\u2014]|\d{1,3}[.)])[ \t]+")
# Sentence-final punctuation, possibly followed by closing quotes or brackets.
_TERMINAL = re.compile(r"[.!?:;,\u2026][\"'\u2019\u201d)\]]*$")
_NOT_A_TITLE = re.compile(
    r"""https?://|www\.|@\w|\b\d{3}[\s.)-]*\d{3}[\s.-]*\d{4}\b
      | ^\s*(?:sources?|references?)\s*:
      | \bdoi\b|\bPMID\b|\b10\.\d{4,9}/
      | [.!?]\s+\S.*[.!?]\s+\S       # two sentence breaks: prose or a reference
    """,
    re.IGNORECASE | re.VERBOSE,
)
_COMMENT_LINE = re.compile(r"^\s*<!--(.*?)-->\s*$")


@dataclass
class Line:
    text: str
    start: int  # raw offset of the first character

    @property
    def blank(self) -> bool:
        return not self.text.strip()


def split_lines(raw: str, start: int = 0, end: int | None = None) -> list[Line]:
    end = len(raw) if end is None else end
    lines: list[Line] = []
    position = start
    while position <= end:
        newline = raw.find("\n", position, end)
        if newline < 0:
            lines.append(Line(raw[position:end], position))
            break
        lines.append(Line(raw[position:newline], position))
        position = newline + 1
    return lines


def _more_words_than(text: str, limit: int) -> bool:
    # maxsplit keeps this cheap on a 15 MB line: it never lists every word
    return len(text.split(None, limit)) > limit


def is_title_line(text: str) -> bool:
    """A line that reads as a heading: short, no closing punctuation."""
    stripped = text.strip()
    if not stripped or len(stripped) > TITLE_MAX_CHARS or _more_words_than(stripped, HEADING_MAX_WORDS):
        return False
    if _TERMINAL.search(stripped) or _NOT_A_TITLE.search(stripped):
        return False
    first = stripped[0]
    return first.isupper() or first.isdigit() or (not first.isalpha() and any(
        ch.isupper() for ch in stripped))


def _line_text(line: Line) -> MappedText:
    return MappedText(line.text, array("q", range(line.start, line.start + len(line.text))))


def _joined_lines(lines: list[Line], skip: int) -> MappedText:
    """Consecutive lines as one trimmed text, a space for each line break, ``skip`` characters off the first.

    The lines sit one after another in the raw file, so the joined text maps
    onto one unbroken range of it (each space onto the line break it replaces).
    """
    text = " ".join([lines[0].text[skip:], *(line.text for line in lines[1:])])
    # Trimmed before the offsets are made, so a long line's offsets are made once.
    start = lines[0].start + skip + len(text) - len(text.lstrip())
    text = text.strip()
    return MappedText(text, array("q", range(start, start + len(text))))


def _paragraph_blocks(lines: list[Line]) -> list[PendingBlock]:
    if len(lines) == 1 and is_title_line(lines[0].text):
        return [PendingBlock(_line_text(lines[0]).collapse_whitespace(), kind="heading")]
    # Runs of lines, each starting at a bullet (or the paragraph's first line),
    # with the length of the bullet to leave out and the kind of block they make.
    groups: list[tuple[list[Line], int, str]] = []
    for line in lines:
        bullet = _BULLET.match(line.text)
        # A hyphen at the start of a wrapped line is a bullet only if the
        # paragraph is a list; "-" alone inside prose is rare enough.
        if bullet:
            groups.append(([line], bullet.end(), "list-item"))
        elif groups:
            groups[-1][0].append(line)
        else:
            groups.append(([line], 0, "paragraph"))
    blocks: list[PendingBlock] = []
    for group, skip, kind in groups:
        content = _joined_lines(group, skip).collapse_whitespace()
        if content:
            blocks.append(PendingBlock(content, kind=kind))
    return blocks


def _is_doubled_title(paragraph: list[Line], following: list[Line] | None) -> bool:
    """A line printed twice in a row is a title even when it is long."""
    if following is None or len(paragraph) != 1 or len(following) != 1:
        return False
    text = paragraph[0].text.strip()
    return (len(text) <= TITLE_MAX_CHARS and text == following[0].text.strip()
            and not _more_words_than(text, TITLE_MAX_WORDS)
            and not _TERMINAL.search(text) and not _NOT_A_TITLE.search(text))


def extract_plain_blocks(raw: str) -> list[PendingBlock]:
    paragraphs: list[list[Line]] = []
    current: list[Line] = []
    for line in split_lines(raw):
        if line.blank:
            if current:
                paragraphs.append(current)
                current = []
        else:
            current.append(line)
    if current:
        paragraphs.append(current)

    blocks: list[PendingBlock] = []
    suppressions: tuple[tuple[str, str], ...] = ()
    doubled = False
    for index, paragraph in enumerate(paragraphs):
        # The same comment syntax as HTML and Markdown, for copy pasted as text.
        while paragraph and (comment := _COMMENT_LINE.match(paragraph[0].text)):
            suppressions += parse_suppression(comment.group(1))
            paragraph = paragraph[1:]
        if not paragraph:
            continue
        following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
        if doubled or _is_doubled_title(paragraph, following):
            doubled = not doubled and following is not None
            new_blocks = [PendingBlock(_line_text(paragraph[0]).collapse_whitespace(),
                                       kind="heading")]
        else:
            new_blocks = _paragraph_blocks(paragraph)
        if new_blocks and suppressions:
            new_blocks[0].suppressions = suppressions
            suppressions = ()
        blocks.extend(new_blocks)
    return drop_widgets(blocks)
