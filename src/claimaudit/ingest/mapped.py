"""Text that remembers where each character came from, and the document builder.

Every extractor (HTML, Markdown, plain text, tables) turns pieces of the raw
file into :class:`MappedText`: a string plus, for every character, its offset
in the raw file. Stripping markup, decoding entities and collapsing
whitespace keep that per-character map, so the finished
:class:`~claimaudit.model.Document` can point any finding back to its line
and column in the original file.
"""

from __future__ import annotations

import re
from array import array
from dataclasses import dataclass, field
from typing import Callable, Iterable, Sequence, Union

from claimaudit.errors import InputError
from claimaudit.model import Block, Document, SetAside

BLOCK_SEPARATOR = "\n\n"

# A replacement piece: an int keeps that regex group with its own offsets, a
# str is new text attributed to the start of the match.
Piece = Union[int, str]

# Whitespace runs other than a lone space (which is already what we want).
_WHITESPACE_RUN = re.compile(r" \s+|[^\S ]\s*")


def _offsets() -> "array[int]":
    return array("q")


@dataclass
class MappedText:
    # A compact array, not a list: a list holds an int object per character,
    # about 36 bytes each, which made a 15 MB page cost a gigabyte.
    text: str = ""
    offsets: "array[int]" = field(default_factory=_offsets)

    def __post_init__(self) -> None:
        if not isinstance(self.offsets, array):
            self.offsets = array("q", self.offsets)
        if len(self.text) != len(self.offsets):
            raise ValueError("every character needs a raw offset")

    @classmethod
    def from_raw(cls, raw: str, start: int, end: int) -> "MappedText":
        return cls(raw[start:end], array("q", range(start, end)))

    @classmethod
    def literal(cls, text: str, raw_offset: int) -> "MappedText":
        """Text that does not appear verbatim in the raw file (a decoded entity)."""
        return cls(text, array("q", [raw_offset]) * len(text))

    def __len__(self) -> int:
        return len(self.text)

    def __bool__(self) -> bool:
        return bool(self.text)

    def __add__(self, other: "MappedText") -> "MappedText":
        return MappedText(self.text + other.text, self.offsets + other.offsets)

    def append(self, other: "MappedText") -> None:
        self.text += other.text
        self.offsets.extend(other.offsets)

    @classmethod
    def join(cls, parts: Iterable["MappedText"]) -> "MappedText":
        texts: list[str] = []
        offsets = _offsets()
        for part in parts:
            texts.append(part.text)
            offsets.extend(part.offsets)
        return cls("".join(texts), offsets)

    def slice(self, start: int, end: int | None = None) -> "MappedText":
        return MappedText(self.text[start:end], self.offsets[start:end])

    def first_offset(self, default: int = 0) -> int:
        return self.offsets[0] if self.offsets else default

    def sub(self, pattern: "re.Pattern[str] | str",
            replace: Callable[["re.Match[str]"], Sequence[Piece]]) -> "MappedText":
        """Regex substitution that carries offsets through.

        ``replace`` returns pieces: group numbers keep that group's characters
        with their original offsets, strings are inserted as new text.
        """
        if isinstance(pattern, str):
            pattern = re.compile(pattern)
        texts: list[str] = []
        offsets = _offsets()
        last = 0
        for match in pattern.finditer(self.text):
            texts.append(self.text[last:match.start()])
            offsets.extend(self.offsets[last:match.start()])
            anchor = self.offsets[match.start()] if match.start() < len(self.offsets) else (
                self.offsets[-1] + 1 if self.offsets else 0)
            for piece in replace(match):
                if isinstance(piece, int):
                    g_start, g_end = match.span(piece)
                    if g_start < 0:
                        continue
                    texts.append(self.text[g_start:g_end])
                    offsets.extend(self.offsets[g_start:g_end])
                else:
                    texts.append(piece)
                    offsets.extend([anchor] * len(piece))
            last = match.end()
        texts.append(self.text[last:])
        offsets.extend(self.offsets[last:])
        return MappedText("".join(texts), offsets)

    def collapse_whitespace(self) -> "MappedText":
        """One space for every whitespace run, trimmed at both ends.

        The space keeps the offset of the run's first character, so the text
        after it still maps exactly.
        """
        # Trimmed first and copied only when something changes: a long block
        # of text is held once or twice, not four times.
        trimmed = self.strip() if self.text[:1].isspace() or self.text[-1:].isspace() else self
        if not _WHITESPACE_RUN.search(trimmed.text):
            return trimmed
        return trimmed.sub(_WHITESPACE_RUN, lambda m: [" "])

    def strip(self) -> "MappedText":
        text = self.text
        start = len(text) - len(text.lstrip())
        end = len(text.rstrip())
        if start >= end:
            return MappedText()
        return self.slice(start, end)


@dataclass
class PendingBlock:
    """A block before the document text is assembled."""

    content: MappedText
    kind: str = "paragraph"
    suppressions: tuple[tuple[str, str], ...] = ()
    cited_sources: tuple[str, ...] = ()
    heading: str | None = None  # None: the nearest heading above
    scope: str = ""  # "": "heading" for a heading, "table" for a cell, else "body"
    set_aside: str = ""  # why the text is read but not copy to audit (navigation, a widget)
    register_id: str = ""  # a claims register's own id for the row ("C-001")

    @property
    def text(self) -> str:
        return self.content.text

    @property
    def key(self) -> str:
        text = self.content.text
        # Block text is already collapsed to single spaces; splitting it into
        # words anyway cost 200 MB on a 15 MB paragraph.
        text = " ".join(text.split()) if _WHITESPACE_RUN.search(text) else text.strip()
        return text.casefold()


# A claims table's rows are the copy itself, not a table on a page.
_DEFAULT_SCOPES = {(False, "heading"): "heading", (False, "cell"): "table"}


def build_document(path: str, raw: str, blocks: Sequence[PendingBlock], *,
                   media_type: str, encoding: str) -> Document:
    """Join blocks with blank lines and record the text→raw offset map."""
    texts: list[str] = []
    origin: list[tuple[int, int]] = []
    model_blocks: list[Block] = []
    position = 0
    previous_raw: int | None = None
    current_heading = ""
    set_aside: list[SetAside] = []
    for pending in blocks:
        content = pending.content
        if not content:
            continue
        if pending.set_aside:
            set_aside.append(SetAside(content.text, content.first_offset(), pending.set_aside,
                                      pending.scope or "body"))
            continue
        if texts:
            texts.append(BLOCK_SEPARATOR)
            position += len(BLOCK_SEPARATOR)
            if previous_raw is not None:
                previous_raw += len(BLOCK_SEPARATOR)
        start = position
        for i, raw_offset in enumerate(content.offsets):
            if previous_raw is None or raw_offset != previous_raw + 1:
                origin.append((start + i, raw_offset))
            previous_raw = raw_offset
        texts.append(content.text)
        position += len(content.text)
        if pending.kind == "heading":
            current_heading = content.text
        heading = pending.heading if pending.heading is not None else current_heading
        model_blocks.append(Block(
            start=start, end=position, kind=pending.kind, heading=heading,
            cited_sources=tuple(pending.cited_sources),
            suppressions=tuple(pending.suppressions),
            scope=pending.scope or _DEFAULT_SCOPES.get((media_type == "table", pending.kind), "body"),
            register_id=pending.register_id,
        ))
    text = "".join(texts)
    if not text.strip():
        raise InputError("no text to audit was found in this file", path=path)
    if not origin or origin[0][0] != 0:
        origin.insert(0, (0, origin[0][1] if origin else 0))
    return Document(path=path, text=text, raw=raw, blocks=model_blocks, origin=origin,
                    media_type=media_type, encoding=encoding, set_aside=set_aside)
