"""Markdown copy: headings, paragraphs, lists, quotes and tables as blocks.

markdown-it-py (CommonMark plus GFM tables and strikethrough) finds the
structure, in time linear in the size of the page. Every character of the
extracted text must keep its offset in the raw file, and markdown-it reports
only the lines of a block (``token.map``), so two things are added here:

* each block's inline source (``token.content``, container markers already
  removed) is aligned back to its lines in the raw file, and
* the inline rules are wrapped to record where each inline token sits in that
  source, so markup (emphasis markers, link targets, code ticks, inline HTML)
  is dropped by keeping only the text tokens, each with its own offsets.

An image's alt text is a block of its own (scope ``alt``), after the block
the image sits in. Fenced and indented code, front matter, link definitions
and HTML comments are skipped; ``<!-- claimaudit: disable ... -->`` comments suppress rules on
the next block. HTML blocks are read as HTML. Quotes and lists nested deeper
than markdown-it follows (:data:`MAX_NESTING`) are flattened and read again,
so their text is still audited.

Memory stays proportional to the page, not to markdown-it's token count:
blocks are parsed a window of lines at a time and inline markup one block
(or 64 KB of a huge paragraph) at a time.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeAlias

from claimaudit.ingest.mapped import MappedText, PendingBlock
from claimaudit.ingest.suppressions import parse_suppression

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

# markdown-it's nesting depth for blocks (quotes, list items) and for inline
# markup (brackets inside link labels). They bound the parser's recursion;
# deeper blocks are recovered by flattening, deeper brackets read as text.
MAX_NESTING = 20
MAX_INLINE_NESTING = 8

# A token's [start, end) in the source its inline rule ran over.
_SPAN = "claimaudit.span"
# The image's alt text was parsed from its own string, starting here.
_ALT_START = "claimaudit.alt_start"
# The text of an autolink is its raw source, not markdown-it's normalised URL.
_VERBATIM = "claimaudit.verbatim"
_FRAMES = "_claimaudit_frames"

_FRONT_MATTER_CLOSE = {"---": ("---", "..."), "+++": ("+++",)}
_FOOTNOTE_REFERENCE = re.compile(r"\[\^[^\]\s\[]{1,100}\]")
_FOOTNOTE_DEFINITION = re.compile(r"\[\^[^\]\s\[]{1,100}\]:")
_LIST_MARKER_DIGITS = 9
# Characters of one paragraph parsed for inline markup at a time (see _chunks).
_INLINE_CHUNK = 64 * 1024
# Lines handed to the block parser at a time (see _Reader.windows), and the
# most it takes to find where one block ends before cutting the block there.
_WINDOW_LINES = 2048
_MAX_WINDOW_LINES = 65536

# Offsets are compact arrays (8 bytes a character), as in MappedText.
Offsets: TypeAlias = "array[int]"
Piece = tuple[int, str, Offsets]  # position in the inline source, text, raw offsets


# --- recording where inline tokens come from ---------------------------------------


def _frames(state: StateInline) -> list[int | None]:
    """Where the rule running at each tokenizer depth started (None: between rules).

    The first time a state is seen its ``pushPending`` is wrapped. Pending text
    is always a verbatim run of the source. A rule that flushes it started
    right where it ends, except the newline rule, which first trims the
    spaces before the line break; when the tokenizer itself flushes it at
    the end of its range, it ends at the current position.
    """
    frames: list[int | None] | None = state.__dict__.get(_FRAMES)
    if frames is not None:
        return frames
    frames = []
    setattr(state, _FRAMES, frames)
    push_pending = state.pushPending
    source = state.src

    def push_pending_with_span() -> "Token":
        length = len(state.pending)
        end = frames[-1] if frames else None
        if end is None:
            end = state.pos
        elif source[end] == "\n":
            while end > 0 and source[end - 1] == " ":
                end -= 1
        token = push_pending()
        token.meta[_SPAN] = (end - length, end)
        return token

    # markdown-it has no hook for this: the state's own method is replaced.
    setattr(state, "pushPending", push_pending_with_span)
    return frames


def _mark_new_tokens(rule: str, state: StateInline, start: int, first: int) -> None:
    end = state.pos
    cursor = start
    for token in state.tokens[first:]:
        meta = token.meta
        if _SPAN in meta:
            continue
        if rule in ("emphasis", "strikethrough"):
            # One text token per run of markers, in source order.
            meta[_SPAN] = (cursor, cursor + len(token.content))
            cursor += len(token.content)
        elif rule == "newline":
            meta[_SPAN] = (start, start + 1)
        elif rule == "autolink":
            meta[_SPAN] = (start + 1, end - 1) if token.type == "text" else (start, end)
            meta[_VERBATIM] = True
        elif rule == "image":
            meta[_SPAN] = (start, end)
            meta[_ALT_START] = start + 2
        else:
            meta[_SPAN] = (start, end)


def _tokenizer(parser: "MarkdownIt") -> Callable[[StateInline], None]:
    """markdown-it's inline tokenizer loop, noting where each rule that matched started.

    The rules themselves are markdown-it's own and unchanged, so the look-ahead
    that link labels do (``skipToken``) runs at full speed.
    """
    inline = parser.inline
    rule_names = {rule.fn: rule.name for rule in inline.ruler.__rules__}

    def tokenize(state: StateInline) -> None:
        frames = _frames(state)
        rules = inline.ruler.getRules("")
        end = state.posMax
        max_nesting = state.md.options["maxNesting"]
        source = state.src
        append_pending = getattr(state, "append_pending", None)
        frames.append(None)
        depth = len(frames) - 1
        while state.pos < end:
            position = state.pos
            matched = None
            if state.level < max_nesting:
                first = len(state.tokens)
                frames[depth] = position
                for rule in rules:
                    if rule(state, False):
                        matched = rule
                        break
                frames[depth] = None
            if matched is not None:
                if state.pos <= position:
                    raise RuntimeError("inline rule didn't increment state.pos")
                _mark_new_tokens(rule_names.get(matched, ""), state, position, first)
                if state.pos >= end:
                    break
                continue
            if append_pending is not None:
                append_pending(source[position])
            else:
                state.pending += source[position]
            state.pos += 1
        if state.pending:
            state.pushPending()
        frames.pop()

    return tokenize


@dataclass(frozen=True)
class _Parsers:
    block: "MarkdownIt"
    inline: "MarkdownIt"


_PARSERS: _Parsers | None = None


def _parsers() -> _Parsers:
    """The shared parsers, built on first use so an HTML-only run never imports markdown-it.

    Blocks and inline markup get separate parsers because markdown-it's one
    nesting limit serves both: quotes and lists may nest deeply, while real
    inline markup never nests more than a few brackets, and every bracket
    level multiplies the look-ahead a run of ``[`` or ``![`` costs.
    """
    global _PARSERS
    if _PARSERS is None:
        from markdown_it import MarkdownIt

        block = MarkdownIt("commonmark", {"maxNesting": MAX_NESTING}).enable("table")
        # Inline markup is parsed block by block (_inline_text), so only one
        # block's inline tokens are in memory at a time.
        block.disable(["inline", "text_join"], ignoreInvalid=True)
        inline = MarkdownIt("commonmark", {"maxNesting": MAX_INLINE_NESTING}).enable("strikethrough")
        # Escapes and entities stay tokens of their own and text tokens stay
        # unmerged, so each keeps the span recorded for it.
        inline.disable(["text_join", "fragments_join"], ignoreInvalid=True)
        tokenize: Callable[[StateInline], None] = _tokenizer(inline)
        # markdown-it has no hook for this: the parser's own method is replaced.
        setattr(inline.inline, "tokenize", tokenize)
        _PARSERS = _Parsers(block, inline)
    return _PARSERS


# --- the source and its lines ----------------------------------------------------------


@dataclass
class _Source:
    """Text handed to markdown-it, with the raw offset of each character."""

    text: str
    raw_offsets: Offsets | None = None  # None: the text is the raw file itself
    list_item_lines: frozenset[int] = frozenset()  # lines that lost a list marker when flattened
    line_starts: Offsets = field(default_factory=lambda: array("q"))

    def __post_init__(self) -> None:
        starts = array("q", [0])
        find = self.text.find
        position = find("\n")
        while position >= 0:
            starts.append(position + 1)
            position = find("\n", position + 1)
        self.line_starts = starts

    def line_span(self, line: int) -> tuple[int, int]:
        """[start, end) of a line, without its newline."""
        start = self.line_starts[line]
        end = self.line_starts[line + 1] - 1 if line + 1 < len(self.line_starts) else len(self.text)
        return start, end

    def raw(self, positions: Offsets) -> Offsets:
        if self.raw_offsets is None:
            return positions
        table = self.raw_offsets
        return array("q", [table[position] for position in positions])


def _prepare(raw: str) -> str:
    """The raw text as markdown-it should see it, character for character.

    markdown-it would turn CRLF into LF and NUL into U+FFFD; doing that here
    without changing the length keeps its positions equal to ours. Front
    matter is blanked (newlines kept) rather than cut.
    """
    text = raw.replace("\r\n", " \n").replace("\r", "\n").replace("\0", "\ufffd")
    return _blank_front_matter(text)


def _blank_front_matter(text: str) -> str:
    first_end = text.find("\n")
    if first_end < 0:
        return text
    opening = text[:first_end].strip()
    if opening not in _FRONT_MATTER_CLOSE:
        return text
    closing = _FRONT_MATTER_CLOSE[opening]
    start = first_end + 1
    while start <= len(text):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if text[start:end].strip() in closing:
            return re.sub(r"[^\n]", " ", text[:end]) + text[end:]
        start = end + 1
    return text


# --- aligning a block's inline source with the raw lines ----------------------------


def _align_lines(source: _Source, content: str, first_line: int) -> Offsets | None:
    """Source positions for a block's content made of consecutive lines.

    Each content line is its source line with container markers and leading
    indentation removed (so a suffix of it), except that markdown-it trims
    the block's trailing whitespace and may turn part of a tab into spaces.
    """
    text = source.text
    positions = array("q")
    parts = content.split("\n")
    if first_line + len(parts) > len(source.line_starts) + (1 if content.endswith("\n") else 0):
        return None
    for index, part in enumerate(parts):
        if index:
            positions.append(source.line_span(first_line + index - 1)[1])
        if not part:
            continue
        start, end = source.line_span(first_line + index)
        last = part[-1]
        while end > start and text[end - 1] != last and text[end - 1].isspace():
            end -= 1
        if text.startswith(part, end - len(part), end) and end - len(part) >= start:
            positions.extend(range(end - len(part), end))
            continue
        matched = 0
        limit = min(len(part), end - start)
        while matched < limit and part[-1 - matched] == text[end - 1 - matched]:
            matched += 1
        if matched < len(part) and part[: len(part) - matched].strip(" "):
            return None  # only spaces made from a tab may differ
        filler = max(start, end - matched - 1)
        positions.extend(array("q", [filler]) * (len(part) - matched))
        positions.extend(range(end - matched, end))
    return positions


def _align_heading(source: _Source, content: str, line: int) -> Offsets | None:
    start, end = source.line_span(line)
    marker = source.text.find("#", start, end)
    at = source.text.find(content, marker + 1 if marker >= 0 else start, end)
    return array("q", range(at, at + len(content))) if at >= 0 else None


def _align_cells(source: _Source, cells: list[str], line: int) -> list[Offsets | None]:
    """Positions for each cell of a table row, found from the end of the line.

    markdown-it drops the backslash of an escaped pipe, so a cell holding one
    is looked up with the backslashes put back.
    """
    text = source.text
    start, cursor = source.line_span(line)
    found: list[Offsets | None] = [None] * len(cells)
    for index in range(len(cells) - 1, -1, -1):
        cell = cells[index]
        if not cell:
            found[index] = array("q")
            continue
        at = text.rfind(cell, start, cursor)
        if at >= 0:
            found[index] = array("q", range(at, at + len(cell)))
            cursor = at
            continue
        escaped = cell.replace("|", "\\|")
        at = text.rfind(escaped, start, cursor)
        if at >= 0:
            found[index] = array("q", [at + i for i, ch in enumerate(escaped)
                                       if not (ch == "\\" and escaped[i + 1:i + 2] == "|")])
            cursor = at
    return found


# --- inline tokens to text -----------------------------------------------------------


class _Misaligned(Exception):
    """A recorded span does not match its token: keep the block's source instead."""


def _pieces(children: list["Token"], content: str, positions: Offsets, base: int,
             out: list[Piece], alts: list[list[Piece]] | None = None) -> None:
    """The text of each inline token with its offsets; markup tokens add nothing.

    ``base`` is where the tokens' own source starts in ``content`` (an image's
    alt text is parsed from its own string). An image's alt text goes to
    ``alts``, one list of pieces per image, when it is given, else into ``out``.
    """
    for token in children:
        kind = token.type
        span = token.meta.get(_SPAN)
        if kind in ("link_open", "link_close", "em_open", "em_close", "strong_open",
                    "strong_close", "s_open", "s_close"):
            continue
        if span is None:
            if kind == "text" and not token.content:
                continue
            raise _Misaligned(kind)
        start, end = span[0] + base, span[1] + base
        if kind == "text":
            if token.meta.get(_VERBATIM):
                out.append((start, content[start:end], positions[start:end]))
            elif token.content:
                if content[start:end] != token.content:
                    raise _Misaligned(kind)
                out.append((start, token.content, positions[start:end]))
        elif kind == "text_special":
            if content[start:end] == token.content:  # a backslash before a letter stays
                out.append((start, token.content, positions[start:end]))
            elif token.info == "escape" and content[start + 1:end] == token.content:
                out.append((start, token.content, positions[start + 1:end]))
            else:  # an entity, decoded where it stood
                out.append((start, token.content, array("q", [positions[start]]) * len(token.content)))
        elif kind == "code_inline":
            inner_start, inner_end = start + len(token.markup), end - len(token.markup)
            if len(token.content) == inner_end - inner_start - 2:
                inner_start, inner_end = inner_start + 1, inner_end - 1  # one space stripped from each side
            if len(token.content) != inner_end - inner_start and token.content:
                raise _Misaligned(kind)
            out.append((start, token.content, positions[inner_start:inner_start + len(token.content)]))
        elif kind in ("softbreak", "hardbreak"):
            out.append((start, " ", positions[start:start + 1]))
        elif kind == "html_inline":
            if not token.content.startswith("<!--"):
                out.append((start, " ", positions[start:start + 1]))
        elif kind == "image":
            alt_start = token.meta.get(_ALT_START)
            if alt_start is not None and token.children:
                if alts is None:
                    _pieces(token.children, content, positions, alt_start + base, out)
                else:
                    alt: list[Piece] = []
                    _pieces(token.children, content, positions, alt_start + base, alt, alts)
                    alts.append(alt)
        elif token.content and content[start:end] == token.content:
            out.append((start, token.content, positions[start:end]))


def _chunks(content: str) -> Iterator[tuple[int, int]]:
    """[start, end) pieces of a block's inline source, each at most _INLINE_CHUNK long.

    markdown-it keeps a token for every run of text and markup; parsing a
    huge paragraph in pieces (cut after a line, else after a space) bounds
    that memory. Markup that spans a cut is then read as plain characters.
    """
    start, length = 0, len(content)
    while length - start > _INLINE_CHUNK:
        limit = start + _INLINE_CHUNK
        cut = content.rfind("\n", start, limit) + 1
        if cut <= start:
            cut = content.rfind(" ", start, limit) + 1
        if cut <= start:
            entity = content.rfind("&", max(start + 1, limit - 40), limit)
            cut = entity if entity > start else limit  # never halve "&amp;"
        yield start, cut
        start = cut
    yield start, length


def _joined(pieces: list[Piece]) -> MappedText:
    pieces.sort(key=lambda piece: piece[0])
    offsets = array("q")
    for _, _, piece_offsets in pieces:
        offsets.extend(piece_offsets)
    return MappedText("".join(piece for _, piece, _ in pieces), offsets)


def _inline_text(content: str, raw_positions: Offsets, env: dict[str, Any]) -> tuple[MappedText, list[MappedText]]:
    """The words of one block, markup removed, every character with its raw offset;
    and the alt text of each image in it, which stands apart from the sentence around it."""
    parser = _parsers().inline
    parts: list[MappedText] = []
    alt_texts: list[MappedText] = []
    for start, end in _chunks(content):
        chunk, chunk_positions = content[start:end], raw_positions[start:end]
        children: list["Token"] = []
        parser.inline.parse(chunk, parser, env, children)
        pieces: list[Piece] = []
        alts: list[list[Piece]] = []
        try:
            _pieces(children, chunk, chunk_positions, 0, pieces, alts)
        except (_Misaligned, IndexError):
            pieces, alts = [(0, chunk, chunk_positions)], []  # keep the words, markup and all
        parts.append(_joined(pieces))
        alt_texts.extend(_joined(alt).collapse_whitespace() for alt in alts)
    text = MappedText.join(parts)
    if "[^" in text.text:
        text = text.sub(_FOOTNOTE_REFERENCE, lambda match: [])
    return text.collapse_whitespace(), [alt for alt in alt_texts if alt]


# --- blocks ----------------------------------------------------------------------------


@dataclass
class _Job:
    """One block found by the block parser, read once every link definition is known."""

    kind: str  # a block kind, or "html", or "too-deep"
    content: str = ""
    positions: Offsets | None = None
    lines: tuple[int, int] = (0, 0)


def _restart_point(tokens: list["Token"]) -> tuple[int, int] | None:
    """The last place a window can be cut: (token index, line), parsing again from that line.

    A top-level block, an item of a top-level list or a block inside a
    top-level quote starts on a line that reads the same when parsed on its
    own. The last such block may run on past the window, so it is parsed again
    with the next window; everything before it is complete.
    """
    parents: list[str] = []
    found: tuple[int, int] | None = None
    for index, token in enumerate(tokens):
        if token.nesting == -1:
            if parents:
                parents.pop()
            continue
        level = len(parents)
        restartable = level == 0 or (level == 1 and (
            parents[0] == "blockquote_open"
            or (parents[0] in ("bullet_list_open", "ordered_list_open") and token.type == "list_item_open")))
        if restartable and token.map and token.map[0] > 0 and token.type != "inline":
            found = (index, token.map[0])
        if token.nesting == 1:
            parents.append(token.type)
    return found


class _Reader:
    def __init__(self, source: _Source, *, recover: bool = True, env: dict[str, Any] | None = None):
        self.source = source
        self.recover = recover
        self.blocks: list[PendingBlock] = []
        self.suppressions: tuple[tuple[str, str], ...] = ()
        self.env: dict[str, Any] = {} if env is None else env  # link definitions, for inline links

    def read(self) -> list[PendingBlock]:
        jobs: list[_Job] = []
        for tokens in self.windows():
            self.collect(tokens, jobs)
        for job in jobs:
            if job.kind == "html":
                self.read_html(job)
            elif job.kind == "too-deep":
                self.read_too_deep(*job.lines)
            else:
                self.read_inline(job)
        return self.blocks

    def emit(self, text: MappedText, kind: str, scope: str = "", set_aside: str = "") -> None:
        if not text:
            return
        if set_aside:
            self.blocks.append(PendingBlock(text, kind=kind, scope=scope, set_aside=set_aside))
            return
        self.blocks.append(PendingBlock(text, kind=kind, suppressions=self.suppressions, scope=scope))
        self.suppressions = ()

    def windows(self) -> Iterator[list["Token"]]:
        """The block tokens, a window of lines at a time, with lines counted from the file's start.

        markdown-it keeps a token for every block and several numbers for
        every line; parsing in windows keeps that memory small for a long page.
        A single block longer than the largest window (a paragraph or code
        fence of 65,536 lines) is cut there and read as two.
        """
        parser = _parsers().block
        text, starts = self.source.text, self.source.line_starts
        total = len(starts)
        line, window = 0, _WINDOW_LINES
        while line < total:
            end_line = min(total, line + window)
            segment_end = starts[end_line] if end_line < total else len(text)
            tokens = parser.parse(text[starts[line]:segment_end], self.env)
            advance = end_line - line
            restart = _restart_point(tokens) if end_line < total else None
            if restart is not None:
                index, advance = restart
                del tokens[index:]
            elif end_line < total and window < _MAX_WINDOW_LINES:
                window = min(window * 4, _MAX_WINDOW_LINES)  # one block fills the window: look further
                continue
            for token in tokens:
                if token.map:
                    token.map = [token.map[0] + line, token.map[1] + line]
            yield tokens
            line += advance
            if restart is not None:
                window = _WINDOW_LINES

    def collect(self, tokens: list["Token"], jobs: list[_Job]) -> None:
        containers: list[str] = []
        kind = "paragraph"
        heading_is_setext = False
        in_header_row = False
        row: list["Token"] = []
        for index, token in enumerate(tokens):
            kind_of = token.type
            if kind_of in ("blockquote_open", "list_item_open"):
                following = tokens[index + 1] if index + 1 < len(tokens) else None
                if (token.level + 1 >= MAX_NESTING and following is not None
                        and following.nesting == -1 and token.map):
                    jobs.append(_Job("too-deep", lines=(token.map[0], token.map[1])))
                containers.append(kind_of)
            elif kind_of in ("blockquote_close", "list_item_close"):
                if containers:
                    containers.pop()
            elif kind_of == "heading_open":
                kind, heading_is_setext = "heading", not token.markup.startswith("#")
            elif kind_of == "paragraph_open":
                kind = "list-item" if containers and containers[-1] == "list_item_open" else "paragraph"
                if token.map and token.map[0] in self.source.list_item_lines:
                    kind = "list-item"
            elif kind_of == "thead_open":
                in_header_row = True
            elif kind_of == "thead_close":
                in_header_row = False
            elif kind_of == "tr_open":
                row = []
            elif kind_of == "tr_close":
                if not in_header_row:
                    self.collect_row(row, jobs)
            elif kind_of == "inline":
                if tokens[index - 1].type in ("td_open", "th_open"):
                    row.append(token)
                elif token.content.strip() and token.map:
                    if kind == "heading" and not heading_is_setext:
                        positions = _align_heading(self.source, token.content, token.map[0])
                    else:
                        positions = _align_lines(self.source, token.content, token.map[0])
                    jobs.append(self.job(kind, token, positions))
            elif kind_of == "html_block" and token.map:
                jobs.append(self.job("html", token, _align_lines(self.source, token.content, token.map[0])))

    def job(self, kind: str, token: "Token", positions: Offsets | None) -> _Job:
        if positions is None or len(positions) != len(token.content):
            # Blocks and table cells are collected only from tokens that carry their lines.
            assert token.map is not None
            positions = _fallback_positions(self.source, token.content, token.map)
        return _Job(kind, token.content, self.source.raw(positions))

    def collect_row(self, cells: list["Token"], jobs: list[_Job]) -> None:
        if not cells or not cells[0].map:
            return
        located = _align_cells(self.source, [cell.content for cell in cells], cells[0].map[0])
        for cell, positions in zip(cells, located):
            if cell.content.strip():
                jobs.append(self.job("cell", cell, positions))

    def read_inline(self, job: _Job) -> None:
        assert job.positions is not None
        text, alts = _inline_text(job.content, job.positions, self.env)
        if job.kind != "heading" and _FOOTNOTE_DEFINITION.match(job.content):
            # A footnote's text is copy; its "[^1]:" label is not.
            if text.text.startswith(":"):
                text = text.slice(1).strip()
        self.emit(text, job.kind)
        for alt in alts:
            self.emit(alt, "paragraph", scope="alt")

    def read_html(self, job: _Job) -> None:
        """An HTML block: its visible text is read as HTML.

        A suppression comment applies to the next block of copy, inside the
        HTML block or after it.
        """
        content = job.content
        comments: list[tuple[int, tuple[tuple[str, str], ...]]] = []
        outside_comments: list[str] = []
        position = 0
        while True:
            opening = content.find("<!--", position)
            if opening < 0:
                outside_comments.append(content[position:])
                break
            outside_comments.append(content[position:opening])
            closing = content.find("-->", opening + 2)  # "<!-->" is a whole, empty comment
            inner_end = len(content) if closing < 0 else closing
            comments.append((opening, parse_suppression(content[opening + 4:inner_end])))
            if closing < 0:
                break
            position = closing + 3
        blocks: list[PendingBlock] = []
        if "".join(outside_comments).strip():
            from claimaudit.ingest.html import extract_html_blocks

            blocks = extract_html_blocks(content)
        raw_positions = job.positions
        assert raw_positions is not None
        last = len(raw_positions) - 1
        waiting = iter(comments)
        comment = next(waiting, None)
        for block in blocks:
            # Comments are matched by position: the HTML parser moves a leading
            # comment out of the body, where the extractor no longer sees it.
            while comment is not None and comment[0] < block.content.first_offset():
                self.suppressions += comment[1]
                comment = next(waiting, None)
            offsets = array("q", [raw_positions[min(offset, last)] for offset in block.content.offsets])
            self.emit(MappedText(block.content.text, offsets), block.kind, block.scope, block.set_aside)
        while comment is not None:
            self.suppressions += comment[1]
            comment = next(waiting, None)

    def read_too_deep(self, first_line: int, end_line: int) -> None:
        """Text nested deeper than the parser follows: flatten the lines and read them again."""
        source = self.source
        text = source.text
        pieces: list[str] = []
        positions = array("q")
        item_lines: set[int] = set()
        flat_line = 0
        for line in range(first_line, min(end_line, len(source.line_starts))):
            start, end = source.line_span(line)
            content_start, is_item = _skip_container_markers(text, start, end)
            if is_item and pieces:
                pieces.append("\n")  # a blank line, so each item is its own block
                positions.append(start)
                flat_line += 1
            if is_item:
                item_lines.add(flat_line)
            pieces.append(text[content_start:end] + "\n")
            flat_line += 1
            positions.extend(range(content_start, end + 1))
        flat_text = "".join(pieces)
        last = len(text) - 1
        raw_positions = source.raw(array("q", [min(p, last) for p in positions])) if text else array("q")
        if self.recover:
            inner = _Reader(_Source(flat_text, raw_positions, frozenset(item_lines)), recover=False, env=self.env)
            inner.suppressions, self.suppressions = self.suppressions, ()
            inner.read()
            self.blocks.extend(inner.blocks)
            self.suppressions = inner.suppressions
        else:
            # Flattened text has no containers left; this is only a safety net.
            self.emit(MappedText(flat_text, raw_positions).collapse_whitespace(), "paragraph")


def _skip_container_markers(text: str, start: int, end: int) -> tuple[int, bool]:
    """Where a line's text starts once every quote marker and list marker is skipped."""
    position = start
    is_item = False
    while position < end:
        char = text[position]
        if char in " \t>":
            position += 1
            continue
        after = position + 1
        if char in "-*+" and (after == end or text[after] in " \t"):
            position, is_item = after, True
            continue
        if "0" <= char <= "9":
            digits_end = position
            while (digits_end < end and digits_end - position < _LIST_MARKER_DIGITS
                   and "0" <= text[digits_end] <= "9"):
                digits_end += 1
            if (digits_end < end and text[digits_end] in ".)"
                    and (digits_end + 1 == end or text[digits_end + 1] in " \t")):
                position, is_item = digits_end + 1, True
                continue
        break
    return position, is_item


def _fallback_positions(source: _Source, content: str, lines: list[int]) -> Offsets:
    """Positions when a block does not line up with its lines as expected.

    markdown-it trims whole lines of exotic whitespace (no-break spaces) from
    a block's ends and drops the backslash of ``\\|`` in a table cell. Each
    line of the content is looked for within the block's lines; a line that
    is not found verbatim is matched character by character, with a short
    look-ahead so the work stays linear.
    """
    text = source.text
    first_line = min(lines[0], len(source.line_starts) - 1)
    cursor = source.line_starts[first_line]
    limit = source.line_span(min(max(lines[-1] - 1, first_line), len(source.line_starts) - 1))[1]
    last = max(len(text) - 1, 0)
    positions = array("q")
    for index, part in enumerate(content.split("\n")):
        if index:
            newline = text.find("\n", cursor, limit + 1)
            positions.append(newline if newline >= 0 else min(cursor, last))
            cursor = newline + 1 if newline >= 0 else cursor
        found = text.find(part, cursor, limit) if part else -1
        if found >= 0:
            positions.extend(range(found, found + len(part)))
            cursor = found + len(part)
            continue
        for char in part:
            found = text.find(char, cursor, min(limit, cursor + 8))
            if found >= 0:
                positions.append(found)
                cursor = found + 1
            else:
                positions.append(min(cursor, last))
    return positions


def extract_markdown_blocks(raw: str) -> list[PendingBlock]:
    from claimaudit.ingest.boilerplate import drop_widgets

    if not raw.strip():
        return []
    return drop_widgets(_Reader(_Source(_prepare(raw))).read())
