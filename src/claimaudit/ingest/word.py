"""Word drafts (.docx): the copy in the file, paragraph by paragraph.

python-docx opens the package (and tells a Word document from anything else);
the text is then read from the WordprocessingML itself, because what counts
as copy is decided by markup python-docx does not interpret:

- tracked changes: text inside ``w:ins`` and ``w:moveTo`` counts, text inside
  ``w:del`` and ``w:moveFrom`` does not, and a table row deleted with tracking
  on is left out; comments are not copy;
- fields and hyperlinks count by their displayed result, never their codes;
- text boxes (``w:txbxContent``) are read once (the DrawingML choice, not its
  VML fallback), right after the paragraph they are anchored in, with scope
  ``aside``;
- footnotes and endnotes (scope ``footer``) follow the body, those the copy
  marks (a note marked only in deleted text is gone with it), then each
  distinct header (``header``) and footer (``footer``) of the sections;
- text formatted as hidden is read: it travels with the file, and text that
  might be a claim is audited;
- a SmartArt diagram's text is read from its data part, after the paragraph it
  is anchored in; content a document imports when Word opens it
  (``w:altChunk``: HTML, plain text or another Word document) is read in its
  place, and an import of another kind (RTF, a web archive) is refused, exit 2,
  rather than left out.

``raw`` is the extracted text, one paragraph (or table-cell paragraph) per
line, body first: a finding's line is the paragraph's number among the
paragraphs that hold text.

:func:`inspect_office_package` guards every Office file read here and in
:mod:`claimaudit.ingest.slides`: an encrypted or old binary file, a file that
is not a zip archive, and an archive that would unpack past the limits are
refused before the library reads a byte of XML.
"""

from __future__ import annotations

import io
import re
from array import array
from dataclasses import dataclass, field
from typing import Any, Iterable

from claimaudit import limits
from claimaudit.errors import InputError
from claimaudit.ingest.archive import OLE_SIGNATURE, one_line
from claimaudit.ingest.mapped import MappedText, PendingBlock, build_document
from claimaudit.model import Document

# An lxml element. lxml ships no type information (and lxml-stubs is not a
# dependency), so elements are typed loosely here.
XmlElement = Any


# --- the package -------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeFormat:
    name: str  # "Word document", in messages
    suffix: str  # ".docx"
    old_suffix: str  # ".doc", the binary format an OLE file most likely is


WORD = OfficeFormat("Word document", ".docx", ".doc")

def inspect_office_package(data: bytes, name: str, kind: OfficeFormat) -> None:
    """Refuse what is not an Office Open XML zip, or would unpack past ``max-document-bytes``."""
    from claimaudit.ingest.archive import Package, checked_archive

    refused = f"not a {kind.name} ({kind.suffix})"
    if data.startswith(OLE_SIGNATURE):
        raise InputError(f"{refused}: it is password-protected or an old {kind.old_suffix} file; "
                         f"save it as {kind.suffix} without a password", path=name)
    if not data.startswith(b"PK"):
        what = "an RTF file" if data.lstrip()[:5] == b"{\\rtf" else "not a zip archive"
        raise InputError(f"{refused}: it is {what}; save it as {kind.suffix}", path=name)
    package = Package(kind.name, kind.suffix, "a document", "max-document-bytes")
    checked_archive(io.BytesIO(data), name, package).close()


# The main part's content type, in the words of the message; the first match wins.
_CONTENT_KINDS = (
    ("template", "a template"),
    ("macroEnabled", "a macro-enabled file"),
    ("slideshow", "a PowerPoint show"),
    ("presentationml", "a PowerPoint deck"),
    ("spreadsheetml", "an Excel workbook"),
    ("wordprocessingml", "a Word document"),
)


def unreadable(error: Exception, name: str, kind: OfficeFormat) -> InputError:
    """The error for a package the library could not open, said in words."""
    text = str(error)
    if isinstance(error, ValueError) and "content type is" in text:
        found = next((what for marker, what in _CONTENT_KINDS if marker in text), "another kind of file")
        return InputError(f"not a {kind.name} ({kind.suffix}): it is {found}; save it as {kind.suffix}",
                          path=name)
    if type(error).__name__ == "PackageNotFoundError" or (
            isinstance(error, KeyError) and "[Content_Types].xml" in text):
        return InputError(f"not a {kind.name} ({kind.suffix}): the zip archive is not an Office document "
                          "(it has no [Content_Types].xml)", path=name)
    if type(error).__name__ == "XMLSyntaxError":
        return InputError(f"cannot read this {kind.name}: broken XML ({one_line(error)})", path=name)
    if isinstance(error, KeyError):
        return InputError(f"cannot read this {kind.name}: a part is missing ({one_line(error)})", path=name)
    return InputError(f"cannot read this {kind.name}: its parts are damaged or not where Office puts them "
                      f"({one_line(error)})", path=name)


def safe_xml(blob: bytes) -> XmlElement:
    """A part python-docx/python-pptx leave as bytes, parsed without entities, DTDs or the network."""
    import importlib

    etree = importlib.import_module("lxml.etree")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    return etree.fromstring(blob, parser)


# --- the text --------------------------------------------------------------------

_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_DGM = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}"
_R_DM = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}dm"
DIAGRAM_RELATIONS = _DGM + "relIds"
# Diagram points that hold the diagram's own text; the rest are connections
# and layout ("parTrans", "sibTrans", "pres").
_DIAGRAM_TEXT_POINTS = frozenset({None, "node", "asst"})


def diagram_paragraphs(relations: XmlElement, part: Any) -> list[str]:
    """The text of the SmartArt diagram ``relations`` (a ``dgm:relIds``) names, from ``part``'s relationships."""
    rel_id = relations.get(_R_DM)
    if not rel_id:
        return []
    # python-pptx names a part's relations by a method, python-docx by a mapping.
    target = part.related_part(rel_id) if hasattr(part, "related_part") else part.related_parts[rel_id]
    data = safe_xml(target.blob)
    found: list[str] = []
    for point in data.iter(_DGM + "pt"):
        if point.get("type") in _DIAGRAM_TEXT_POINTS:
            found.extend(drawing_text(paragraph) for paragraph in point.iterfind(f"{_DGM}t/{_A}p"))
    return found


def drawing_text(paragraph: XmlElement) -> str:
    """A DrawingML paragraph's text (``a:p``): its runs and fields, a line break as a space."""
    pieces: list[str] = []
    for child in paragraph.iterchildren():
        if child.tag in (_A + "r", _A + "fld"):
            pieces.append(child.findtext(_A + "t") or "")
        elif child.tag == _A + "br":
            pieces.append(" ")
    return "".join(pieces)



class Lines:
    """Blocks laid out one per line of ``raw``, each mapped character for character."""

    def __init__(self) -> None:
        self.pieces: list[str] = []
        self.position = 0
        self.blocks: list[PendingBlock] = []

    def add(self, text: str, *, kind: str = "paragraph", scope: str = "", heading: str | None = None) -> None:
        text = " ".join(text.split())
        if not text:
            return
        start = self.position
        self.pieces.append(text + "\n")
        self.position += len(text) + 1
        self.blocks.append(PendingBlock(MappedText(text, array("q", range(start, start + len(text)))),
                                        kind=kind, scope=scope, heading=heading))

    def mark(self, text: str) -> None:
        """A line of ``raw`` that is no block (the form feed between slides)."""
        self.pieces.append(text + "\n")
        self.position += len(text) + 1

    @property
    def raw(self) -> str:
        return "".join(self.pieces)


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_M = "{http://schemas.openxmlformats.org/officeDocument/2006/math}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"

_TEXT = frozenset({_W + "t", _M + "t"})
_SPACE = frozenset({_W + "tab", _W + "br", _W + "cr", _W + "ptab"})
# Inline markup whose text is not copy: deletions and moves away, field codes,
# properties (and their tracked former values), comment and note marks, the
# pronunciation guide over ruby text.
_NOT_COPY = frozenset(_W + tag for tag in (
    "del", "moveFrom", "delText", "instrText", "delInstrText", "rPr", "pPr", "sdtPr", "commentReference",
    "footnoteReference", "endnoteReference", "annotationRef", "rt", "fldData",
))
_NOTE_MARKS = {_W + "footnoteReference": "footnote", _W + "endnoteReference": "endnote"}
_ALTERNATE = _MC + "AlternateContent"
_TEXT_BOX = _W + "txbxContent"
_HEADING_STYLE_NAME = re.compile(r"(?:title|heading [1-9])", re.IGNORECASE)
_NO_LEVEL = 9  # outline level 9 is body text


@dataclass
class _Styles:
    """Which paragraph styles are headings or lists, following each style's ``basedOn`` chain."""

    heading: set[str] = field(default_factory=set)
    listed: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, styles_root: XmlElement | None) -> "_Styles":
        found = cls()
        if styles_root is None:
            return found
        based_on: dict[str, str] = {}
        own_heading: set[str] = set()
        own_list: set[str] = set()
        for style in styles_root.iterchildren(_W + "style"):
            if style.get(_W + "type") != "paragraph":
                continue
            style_id = style.get(_W + "styleId") or ""
            name = style.find(_W + "name")
            style_name = (name.get(_W + "val") or "") if name is not None else ""
            level = style.find(f"{_W}pPr/{_W}outlineLvl")
            if _HEADING_STYLE_NAME.fullmatch(style_name.strip()) or (
                    level is not None and _outline_level(level) < _NO_LEVEL):
                own_heading.add(style_id)
            if style.find(f"{_W}pPr/{_W}numPr") is not None or style_name.lower().startswith("list "):
                own_list.add(style_id)
            parent = style.find(_W + "basedOn")
            if parent is not None and parent.get(_W + "val"):
                based_on[style_id] = parent.get(_W + "val") or ""
        for style_id in set(based_on) | own_heading | own_list:
            chain, seen = style_id, set()
            # A loop of basedOn references ends where it first repeats.
            while chain and chain not in seen:
                seen.add(chain)
                if chain in own_heading:
                    found.heading.add(style_id)
                if chain in own_list:
                    found.listed.add(style_id)
                chain = based_on.get(chain, "")
        return found


def _outline_level(element: XmlElement) -> int:
    try:
        return int(element.get(_W + "val") or _NO_LEVEL)
    except ValueError:
        return _NO_LEVEL


# What ``w:altChunk`` imports, by the content type of the part it names.
_HTML_CHUNKS = frozenset({"text/html", "application/xhtml+xml"})
_TEXT_CHUNKS = frozenset({"text/plain"})
_WORD_CHUNKS = frozenset({
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-word.document.macroenabled.12",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.template",
})
# A Word document imported into one imported into one... is read this deep.
_MAX_IMPORT_NESTING = 4


class _WordReader:
    def __init__(self, name: str, styles: _Styles, part: Any = None, nesting: int = 0) -> None:
        self.name = name
        self.styles = styles
        self.part = part  # the part being read, whose relationships name diagrams and imports
        self.nesting = nesting
        self.lines = Lines()
        self.max_depth = limits.int_value("max-depth")
        # Notes the copy refers to, by kind ("footnote", "endnote"): a note
        # whose mark stood only in deleted text is gone with it.
        self.note_marks: dict[str, set[str]] = {"footnote": set(), "endnote": set()}

    def _deeper(self, depth: int) -> int:
        if depth > self.max_depth:
            raise limits.breach("max-depth", depth, path=self.name)
        return depth + 1

    # Block level: paragraphs and tables, and the containers that hold them.
    def blocks(self, container: XmlElement, scope: str, depth: int, *, in_cell: bool = False,
               heading: str | None = None) -> None:
        for child in container.iterchildren():
            tag = child.tag
            if tag == _W + "p":
                self.paragraph(child, scope, depth, in_cell=in_cell, heading=heading)
            elif tag == _W + "tbl":
                self.table(child, scope, self._deeper(depth), heading=heading)
            elif tag == _ALTERNATE:
                branch = _chosen(child)
                if branch is not None:
                    self.blocks(branch, scope, self._deeper(depth), in_cell=in_cell, heading=heading)
            elif tag in (_W + "sdt", _W + "sdtContent", _W + "customXml", _W + "ins", _W + "moveTo",
                         _W + "smartTag"):
                self.blocks(child, scope, self._deeper(depth), in_cell=in_cell, heading=heading)
            elif tag == _W + "altChunk":
                self.imported(child, scope, heading=heading)
            # w:del and w:moveFrom hold text that is no longer there; w:sectPr,
            # bookmarks and the rest hold none.

    def imported(self, chunk: XmlElement, scope: str, *, heading: str | None) -> None:
        """What Word imports in place of ``w:altChunk`` when it opens the file, read as copy."""
        rel_id = chunk.get(_R_ID) or ""
        part = self.part.related_parts.get(rel_id) if (rel_id and self.part is not None) else None
        if part is None:
            return  # Word imports nothing for a chunk whose part is missing
        content_type = part.content_type.split(";")[0].strip().lower()
        where = f"{self.name} (its imported part {part.partname})"
        if content_type in _WORD_CHUNKS:
            if self.nesting >= _MAX_IMPORT_NESTING:
                raise InputError(f"cannot read this {WORD.name}: it imports Word documents nested more than "
                                 f"{_MAX_IMPORT_NESTING} deep", path=self.name)
            document = _read_word(part.blob, where, self.nesting + 1)
            pieces = [(document.text[b.start:b.end], b.kind, b.scope) for b in document.blocks]
        elif content_type in _HTML_CHUNKS | _TEXT_CHUNKS:
            from claimaudit.ingest.encoding import decode_bytes
            from claimaudit.ingest.html import extract_html_blocks
            from claimaudit.ingest.plain import extract_plain_blocks

            raw = decode_bytes(part.blob, where).text
            found = extract_html_blocks(raw) if content_type in _HTML_CHUNKS else extract_plain_blocks(raw)
            # A page's title and description are not shown where Word imports its body.
            pieces = [(b.text, b.kind, b.scope) for b in found if b.scope not in ("title", "meta")]
        else:
            raise InputError(f"cannot read this {WORD.name}: it imports content of type {content_type!r} "
                             f"({part.partname}) that Word converts only when it opens the file; open it in Word "
                             "and save it again", path=self.name)
        for text, kind, own_scope in pieces:
            self.lines.add(text, kind=kind, heading=heading,
                           scope=scope or ("" if own_scope in ("body", "heading", "table") else own_scope))

    def table(self, table: XmlElement, scope: str, depth: int, *, heading: str | None) -> None:
        cell_scope = scope or "table"
        for row in _descendants(table, _W + "tr", stop=_W + "tbl"):
            if row.find(f"{_W}trPr/{_W}del") is not None:
                continue  # a row deleted with tracking on
            for cell in _descendants(row, _W + "tc", stop=_W + "tbl"):
                self.blocks(cell, cell_scope, depth, in_cell=True, heading=heading)

    def paragraph(self, paragraph: XmlElement, scope: str, depth: int, *, in_cell: bool,
                  heading: str | None) -> None:
        pieces: list[str] = []
        boxes: list[XmlElement] = []
        self._inline(paragraph, pieces, boxes, depth)
        self.lines.add("".join(pieces), kind="cell" if in_cell else self._kind(paragraph), scope=scope,
                       heading=heading)
        for box in boxes:
            if box.tag == DIAGRAM_RELATIONS:
                for text in diagram_paragraphs(box, self.part):
                    self.lines.add(text, kind="list-item", scope=scope, heading=heading)
                continue
            self.blocks(box, scope if scope in ("header", "footer") else "aside", self._deeper(depth),
                        heading=heading)

    def _kind(self, paragraph: XmlElement) -> str:
        properties = paragraph.find(_W + "pPr")
        if properties is None:
            return "paragraph"
        level = properties.find(_W + "outlineLvl")
        style = properties.find(_W + "pStyle")
        style_id = (style.get(_W + "val") or "") if style is not None else ""
        if (level is not None and _outline_level(level) < _NO_LEVEL) or style_id in self.styles.heading:
            return "heading"
        numbering = properties.find(_W + "numPr")
        if numbering is not None:
            number = numbering.find(_W + "numId")
            # numId 0 switches a style's numbering off.
            if number is None or number.get(_W + "val") != "0":
                return "list-item"
            return "paragraph"
        return "list-item" if style_id in self.styles.listed else "paragraph"

    def _inline(self, element: XmlElement, pieces: list[str], boxes: list[XmlElement], depth: int) -> None:
        for child in element.iterchildren():
            tag = child.tag
            if not isinstance(tag, str):
                continue
            if tag in _NOTE_MARKS:
                self.note_marks[_NOTE_MARKS[tag]].add(child.get(_W + "id") or "")
            elif tag in _NOT_COPY:
                continue
            elif tag in _TEXT:
                pieces.append(child.text or "")
            elif tag in _SPACE:
                pieces.append(" ")
            elif tag == _W + "noBreakHyphen":
                pieces.append("-")
            elif tag == _TEXT_BOX or tag == DIAGRAM_RELATIONS:
                boxes.append(child)  # read as blocks of their own after the paragraph
            elif tag == _ALTERNATE:
                branch = _chosen(child)
                if branch is not None:
                    self._inline(branch, pieces, boxes, self._deeper(depth))
            elif len(child):
                self._inline(child, pieces, boxes, self._deeper(depth))


def _chosen(alternate: XmlElement) -> XmlElement | None:
    """The one branch of ``mc:AlternateContent`` to read: its first choice, else its fallback.

    The branches are the same content in two markups; reading both would
    audit a text box twice."""
    branch = alternate.find(_MC + "Choice")
    return branch if branch is not None else alternate.find(_MC + "Fallback")


def _descendants(element: XmlElement, tag: str, *, stop: str) -> Iterable[XmlElement]:
    """Elements ``tag`` below ``element`` (through content controls and the like), not inside a ``stop``."""
    for child in element.iterchildren():
        if child.tag == tag:
            yield child
        elif child.tag != stop and isinstance(child.tag, str) and child.tag not in (
                _W + "del", _W + "moveFrom", _W + "tblPr", _W + "trPr", _W + "tcPr", _W + "sdtPr"):
            yield from _descendants(child, tag, stop=stop)


_NOTE_TYPES_WITHOUT_TEXT = frozenset({"separator", "continuationSeparator", "continuationNotice"})


def read_docx_copy(data: bytes, name: str) -> Document:
    """A Word document's copy, with headings, lists, tables, text boxes, notes, headers and footers."""
    return _read_word(data, name, 0)


def _read_word(data: bytes, name: str, nesting: int) -> Document:
    inspect_office_package(data, name, WORD)
    try:
        import docx
        from docx.opc.constants import RELATIONSHIP_TYPE as RT

        word = docx.Document(io.BytesIO(data))
        document_part = word.part
        styles_part = next((rel.target_part for rel in document_part.rels.values()
                            if not rel.is_external and rel.reltype == RT.STYLES), None)
        styles = _Styles.read(getattr(styles_part, "element", None))
        reader = _WordReader(name, styles, document_part, nesting)
        reader.blocks(word.element.body, "", 0)
        for note_type, tag in ((RT.FOOTNOTES, "footnote"), (RT.ENDNOTES, "endnote")):
            for rel in document_part.rels.values():
                if rel.is_external or rel.reltype != note_type:
                    continue
                notes = safe_xml(rel.target_part.blob)
                reader.part = rel.target_part
                marked = reader.note_marks[tag]
                for note in notes.iterchildren(_W + tag):
                    if note.get(_W + "type") not in _NOTE_TYPES_WITHOUT_TEXT and note.get(_W + "id") in marked:
                        reader.blocks(note, "footer", 0, heading="")
        seen: set[str] = set()
        for region, reference in (("header", "headerReference"), ("footer", "footerReference")):
            for section in word.element.body.iter(_W + "sectPr"):
                for ref in section.iterchildren(_W + reference):
                    rel_id = ref.get(_R_ID) or ""
                    part = document_part.related_parts.get(rel_id) if rel_id else None
                    if part is None or str(part.partname) in seen:
                        continue  # sections that share a header list it once
                    seen.add(str(part.partname))
                    reader.part = part
                    reader.blocks(part.element, region, 0, heading="")
    except InputError:
        raise
    except Exception as error:  # zip, XML and python-docx's own errors alike
        raise unreadable(error, name, WORD) from None
    return build_document(name, reader.lines.raw, reader.lines.blocks, media_type="docx", encoding="docx")
