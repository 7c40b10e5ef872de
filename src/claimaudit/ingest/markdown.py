"""Markdown copy: headings, paragraphs, lists, quotes and tables as blocks.

A small line-based reader rather than a full CommonMark renderer, because
every character of the extracted text must keep its offset in the source:
inline markup (emphasis, code ticks, link targets, inline HTML) is removed
from a :class:`MappedText`, never from a plain string. Fenced and indented
code, front matter, link definitions and HTML comments are skipped;
``<!-- claimaudit: disable ... -->`` comments suppress rules on the next block.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from claimaudit.ingest.mapped import MappedText, PendingBlock
from claimaudit.ingest.plain import Line, split_lines
from claimaudit.ingest.suppressions import parse_suppression

_FRONT_MATTER_OPEN = re.compile(r"^(---|\+\+\+)\s*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+|$)")
_ATX_CLOSING = re.compile(r"(?:^|[ \t]+)#+[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_THEMATIC = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_LIST_ITEM = re.compile(r"^([ \t]*)(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$)")
_QUOTE = re.compile(r"^ {0,3}>[ ]?")
_LINK_DEFINITION = re.compile(r"^ {0,3}\[[^\]]+\]:\s*\S")
_TABLE_DIVIDER = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(?:\|\s*:?-{2,}:?\s*)*\|?\s*$")
_COMMENT_OPEN = re.compile(r"^ {0,3}<!--")
_INDENTED_CODE = re.compile(r"^(?: {4}|\t)")

# Inline markup, applied in this order.
_INLINE_RULES: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"<!--.*?-->", re.DOTALL), lambda m: []),
    (re.compile(r"(`+)(.+?)\1", re.DOTALL), lambda m: [2]),
    (re.compile(r"!\[([^\]]*)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)"), lambda m: [1]),
    (re.compile(r"\[\^[^\]]+\]"), lambda m: []),
    (re.compile(r"\[([^\]]+)\]\((?:[^()\s]|\([^)]*\))*(?:\s+\"[^\"]*\")?\)"), lambda m: [1]),
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), lambda m: [1]),
    (re.compile(r"<((?:https?|mailto):[^>\s]+|[^@\s>]+@[^@\s>]+)>"), lambda m: [1]),
    (re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>"), lambda m: [" "]),
    (re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1"), lambda m: [2]),
    (re.compile(r"(?<![\w*\\])\*(?=[^\s*])(.+?)(?<=[^\s*\\])\*(?!\*)"), lambda m: [1]),
    (re.compile(r"(?<![\w\\])_(?=[^\s_])(.+?)(?<=[^\s_])_(?!\w)"), lambda m: [1]),
    (re.compile(r"~~(?=\S)(.+?)(?<=\S)~~"), lambda m: [1]),
    (re.compile(r"\\([!-/:-@\[-`{-~])"), lambda m: [1]),
    (re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|[A-Za-z][A-Za-z0-9]*);"), None),
]


def _decode_entity(match: "re.Match[str]") -> list:
    decoded = html.unescape(match.group(0))
    return [0] if decoded == match.group(0) else [decoded]


def strip_inline(text: MappedText) -> MappedText:
    for pattern, replace in _INLINE_RULES:
        text = text.sub(pattern, replace or _decode_entity)
    return text.collapse_whitespace()


def _content(line: Line) -> MappedText:
    return MappedText(line.text, list(range(line.start, line.start + len(line.text))))


def _drop_prefix(line: Line, length: int) -> Line:
    return Line(line.text[length:], line.start + length)


@dataclass
class _Paragraph:
    lines: list[Line]
    kind: str = "paragraph"


class _MarkdownReader:
    def __init__(self, raw: str):
        self.raw = raw
        self.blocks: list[PendingBlock] = []
        self.suppressions: tuple[tuple[str, str], ...] = ()

    def emit(self, lines: list[Line], kind: str) -> None:
        if not lines:
            return
        parts = []
        for line in lines:
            content = _content(line)
            parts.append(content + MappedText.literal(" ", line.start + len(line.text)))
        text = strip_inline(MappedText.join(parts))
        if not text:
            return
        self.blocks.append(PendingBlock(text, kind=kind, suppressions=self.suppressions))
        self.suppressions = ()

    def read(self) -> list[PendingBlock]:
        lines = split_lines(self.raw)
        index = self._skip_front_matter(lines)
        self._read_lines(lines[index:])
        return self.blocks

    @staticmethod
    def _skip_front_matter(lines: list[Line]) -> int:
        if not lines or not _FRONT_MATTER_OPEN.match(lines[0].text):
            return 0
        closing = {"---": ("---", "..."), "+++": ("+++",)}[lines[0].text.strip()]
        for index in range(1, len(lines)):
            if lines[index].text.strip() in closing:
                return index + 1
        return 0

    def _read_lines(self, lines: list[Line]) -> None:
        paragraph: _Paragraph | None = None
        in_list = False  # indented text after a list item continues the item
        index = 0

        def finish() -> None:
            nonlocal paragraph
            if paragraph is not None:
                self.emit(paragraph.lines, paragraph.kind)
            paragraph = None

        while index < len(lines):
            line = lines[index]
            text = line.text

            if not text.strip():
                finish()
                index += 1
                continue

            fence = _FENCE.match(text)
            if fence:
                finish()
                marker = fence.group(1)
                index += 1
                while index < len(lines) and not re.match(
                        rf"^ {{0,3}}{re.escape(marker[0])}{{{len(marker)},}}\s*$", lines[index].text):
                    index += 1
                index += 1
                continue

            if _COMMENT_OPEN.match(text):
                finish()
                start = line.start + text.index("<!--")
                end = self.raw.find("-->", start)
                end = len(self.raw) if end < 0 else end
                self.suppressions += parse_suppression(self.raw[start + 4:end])
                rest_start = end + 3
                while index < len(lines) and lines[index].start + len(lines[index].text) < rest_start:
                    index += 1
                if index < len(lines):
                    tail_line = lines[index]
                    tail = _drop_prefix(tail_line, max(0, rest_start - tail_line.start))
                    index += 1
                    if tail.text.strip():
                        lines.insert(index, tail)
                continue

            quote = _QUOTE.match(text)
            if quote:
                finish()
                quoted: list[Line] = []
                while index < len(lines):
                    inner = _QUOTE.match(lines[index].text)
                    if inner:
                        quoted.append(_drop_prefix(lines[index], inner.end()))
                    elif lines[index].text.strip() and quoted and quoted[-1].text.strip():
                        quoted.append(lines[index])  # lazy continuation
                    else:
                        break
                    index += 1
                self._read_lines(quoted)
                continue

            heading = _ATX.match(text)
            if heading:
                finish()
                body = _drop_prefix(line, heading.end())
                closing = _ATX_CLOSING.search(body.text)
                if closing:
                    body = Line(body.text[:closing.start()], body.start)
                self.emit([body], "heading")
                in_list = False
                index += 1
                continue

            if paragraph is not None and paragraph.kind == "paragraph" and _SETEXT.match(text):
                paragraph.kind = "heading"
                finish()
                index += 1
                continue

            if _THEMATIC.match(text):
                finish()
                index += 1
                continue

            if paragraph is None and _LINK_DEFINITION.match(text):
                index += 1
                continue

            if (paragraph is None and "|" in text and index + 1 < len(lines)
                    and _TABLE_DIVIDER.match(lines[index + 1].text)):
                index = self._read_table(lines, index)
                continue

            item = _LIST_ITEM.match(text)
            if item:
                finish()
                paragraph = _Paragraph([_drop_prefix(line, item.end())], "list-item")
                in_list = True
                index += 1
                continue

            if paragraph is None and in_list and _INDENTED_CODE.match(text):
                paragraph = _Paragraph([line], "list-item")
                index += 1
                continue

            if paragraph is None and _INDENTED_CODE.match(text):
                index += 1
                while index < len(lines) and (
                        _INDENTED_CODE.match(lines[index].text) or not lines[index].text.strip()):
                    index += 1
                continue

            if paragraph is None:
                in_list = False
                paragraph = _Paragraph([line])
            else:
                paragraph.lines.append(line)
            index += 1
        finish()

    def _read_table(self, lines: list[Line], index: int) -> int:
        index += 2  # header row and divider: labels, not copy
        while index < len(lines) and "|" in lines[index].text and lines[index].text.strip():
            line = lines[index]
            for cell in _split_table_row(line):
                self.emit([cell], "cell")
            index += 1
        return index


def _split_table_row(line: Line) -> list[Line]:
    cells: list[Line] = []
    start = 0
    text = line.text
    position = 0
    while position <= len(text):
        at_end = position == len(text)
        if at_end or (text[position] == "|" and (position == 0 or text[position - 1] != "\\")):
            cell = Line(text[start:position], line.start + start)
            if cell.text.strip():
                cells.append(cell)
            start = position + 1
        position += 1
    return cells


def extract_markdown_blocks(raw: str) -> list[PendingBlock]:
    from claimaudit.ingest.boilerplate import drop_widgets

    return drop_widgets(_MarkdownReader(raw).read())
