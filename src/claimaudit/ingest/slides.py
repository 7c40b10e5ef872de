"""Slide decks (.pptx): every slide's text, in the order a reader takes it in.

python-pptx opens the deck. On each slide the shapes are read top to bottom,
then left to right (the shapes of a group likewise, in place of the group);
each paragraph of a text frame is a block, a title placeholder's paragraphs
are headings, a table's cells are cells (scope ``table``), a chart's title
and a SmartArt diagram's node text are read too, and footer, date and slide
number placeholders have scope ``footer``. Text a slide layout or master
puts on the slides (its own text boxes and shapes, not its placeholders, whose
text is only a prompt) is read once, on the first slide that shows it, with
scope ``header`` or ``footer`` when it stands in the top or bottom fifth of
the slide: a claim on every slide is still a claim. The speaker notes follow,
with scope ``notes``. Every block on a slide carries the slide's title as its
heading. Hidden slides are read too: they travel with the deck.

``raw`` holds the slides' text, one paragraph a line. Before each slide after
the first stands a line holding only a form feed (``\\f``), and
``Document.pages`` gives the offset in ``raw`` where each slide's own text
starts, so :meth:`~claimaudit.model.Document.place` gives the slide, the line
on that slide and the column.
"""

from __future__ import annotations

import io
from typing import Any, Iterator

from claimaudit import limits
from claimaudit.errors import InputError
from claimaudit.ingest.mapped import build_document
from claimaudit.ingest.word import (
    DIAGRAM_RELATIONS,
    Lines,
    OfficeFormat,
    XmlElement,
    diagram_paragraphs,
    inspect_office_package,
    unreadable,
)
from claimaudit.model import Document

POWERPOINT = OfficeFormat("PowerPoint deck", ".pptx", ".ppt")
SLIDE_BREAK = "\f"

_P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
_A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SHAPE_TAGS = frozenset(_P + tag for tag in ("sp", "grpSp", "graphicFrame", "cxnSp", "pic", "contentPart"))
_EDGE_SHARE = 0.2  # a layout's text in the top or bottom fifth of the slide is a header or footer


class _DeckReader:
    def __init__(self, name: str, slide_height: int = 0) -> None:
        self.name = name
        self.lines = Lines()
        self.max_depth = limits.int_value("max-depth")
        self.slide_height = slide_height
        self.behind_read: set[str] = set()  # layouts and masters whose own text is read already

    def slide(self, slide: Any) -> None:
        tree = slide.element.find(f"{_P}cSld/{_P}spTree")
        shapes = list(self._shapes(tree, slide.shapes, 0)) if tree is not None else []
        title = " ".join(" ".join(p.text.split()) for shape in shapes if _is_title(shape)
                         for p in shape.text_frame.paragraphs).strip()
        for shape in shapes:
            self.shape(shape, slide, title)
        for owner in _shown_behind(slide):
            if str(owner.part.partname) in self.behind_read:
                continue
            self.behind_read.add(str(owner.part.partname))
            tree = owner.element.find(f"{_P}cSld/{_P}spTree")
            for shape in self._shapes(tree, owner.shapes, 0) if tree is not None else ():
                if not _is_placeholder_element(shape.element):
                    self.shape(shape, owner, title, scope=self._edge_scope(shape))
        if slide.has_notes_slide:
            notes = slide.notes_slide.notes_text_frame
            if notes is not None:
                for paragraph in notes.paragraphs:
                    self.lines.add(paragraph.text, scope="notes", heading=title)

    def _shapes(self, tree: XmlElement, parent: Any, depth: int) -> Iterator[Any]:
        """The shapes of a slide or group in reading order, a group's own shapes in its place."""
        from pptx.shapes.shapetree import SlideShapeFactory

        if depth > self.max_depth:
            raise limits.breach("max-depth", depth, path=self.name)
        shapes: list[Any] = [SlideShapeFactory(element, parent) for element in _shape_elements(tree)]
        shapes.sort(key=_reading_position)
        for shape in shapes:
            if shape.element.tag == _P + "grpSp":
                yield from self._shapes(shape.element, shape.shapes, depth + 1)
            else:
                yield shape

    def _edge_scope(self, shape: Any) -> str:
        top, height = _reading_position(shape)[0], getattr(shape, "height", None) or 0
        if self.slide_height <= 0:
            return ""
        if top + height <= _EDGE_SHARE * self.slide_height:
            return "header"
        if top >= (1 - _EDGE_SHARE) * self.slide_height:
            return "footer"
        return ""

    def shape(self, shape: Any, slide: Any, title: str, scope: str | None = None) -> None:
        """A shape's text; ``scope``, when given, is where a layout's or master's shape stands."""
        if getattr(shape, "has_text_frame", False) and shape.has_text_frame:
            kind, own_scope = _kind_and_scope(shape)
            for paragraph in shape.text_frame.paragraphs:
                self.lines.add(paragraph.text, kind=_paragraph_kind(paragraph, kind), heading=title,
                               scope=own_scope if scope is None else scope)
        elif getattr(shape, "has_table", False) and shape.has_table:
            for row in shape.table.rows:
                for cell in row.cells:
                    if cell.is_spanned:
                        continue  # the merged cell's text stands in its origin cell
                    for paragraph in cell.text_frame.paragraphs:
                        self.lines.add(paragraph.text, kind="cell", scope=scope or "table", heading=title)
        elif getattr(shape, "has_chart", False) and shape.has_chart:
            chart = shape.chart
            if chart.has_title and chart.chart_title.has_text_frame:
                for paragraph in chart.chart_title.text_frame.paragraphs:
                    self.lines.add(paragraph.text, scope=scope or "", heading=title)
        else:
            # A SmartArt diagram's text, from its data part (python-pptx does not read diagrams).
            relations = shape.element.find(f".//{DIAGRAM_RELATIONS}")
            if relations is not None:
                for text in diagram_paragraphs(relations, slide.part):
                    self.lines.add(text, kind="list-item", scope=scope or "", heading=title)


def _is_placeholder_element(element: XmlElement) -> bool:
    return element.find(f"./*/{_P}nvPr/{_P}ph") is not None


def _shows(element: XmlElement) -> bool:
    """Whether a slide (or layout) shows the shapes of the layout (or master) behind it."""
    return element.get("showMasterSp", "1").strip().lower() not in ("0", "false", "off")


def _shown_behind(slide: Any) -> list[Any]:
    """The layout and master whose own shapes show on ``slide``, layout first."""
    if not _shows(slide.element):
        return []
    layout = slide.slide_layout
    return [layout, layout.slide_master] if _shows(layout.element) else [layout]


def _shape_elements(tree: XmlElement) -> Iterator[XmlElement]:
    for child in tree.iterchildren():
        if child.tag in _SHAPE_TAGS:
            yield child
        elif child.tag == _MC + "AlternateContent":
            # The same shape in two markups: read one (the first choice, else the fallback).
            branch = child.find(_MC + "Choice")
            if branch is None:
                branch = child.find(_MC + "Fallback")
            if branch is not None:
                yield from _shape_elements(branch)


def _reading_position(shape: Any) -> tuple[int, int]:
    try:
        return (shape.top or 0, shape.left or 0)
    except Exception:  # a placeholder whose layout is missing has no position to inherit
        return (0, 0)


def _placeholder_type(shape: Any) -> Any:
    if not shape.is_placeholder:
        return None
    try:
        return shape.placeholder_format.type
    except Exception:  # an unknown placeholder type in the XML
        return None


def _is_title(shape: Any) -> bool:
    from pptx.enum.shapes import PP_PLACEHOLDER

    return _placeholder_type(shape) in (PP_PLACEHOLDER.TITLE, PP_PLACEHOLDER.CENTER_TITLE,
                                        PP_PLACEHOLDER.VERTICAL_TITLE) and shape.has_text_frame


def _kind_and_scope(shape: Any) -> tuple[str, str]:
    """The kind of a shape's paragraphs (before their own bullets say otherwise) and their scope."""
    from pptx.enum.shapes import PP_PLACEHOLDER

    kind = _placeholder_type(shape)
    if _is_title(shape):
        return "heading", ""
    if kind in (PP_PLACEHOLDER.FOOTER, PP_PLACEHOLDER.DATE, PP_PLACEHOLDER.SLIDE_NUMBER,
                PP_PLACEHOLDER.HEADER):
        return "paragraph", "footer"
    if kind in (PP_PLACEHOLDER.BODY, PP_PLACEHOLDER.OBJECT, PP_PLACEHOLDER.VERTICAL_BODY,
                PP_PLACEHOLDER.VERTICAL_OBJECT):
        return "list-item", ""  # a content placeholder is bulleted unless a paragraph says not
    return "paragraph", ""


def _paragraph_kind(paragraph: Any, kind: str) -> str:
    if kind == "heading":
        return kind
    properties = paragraph._p.find(_A + "pPr")
    if properties is not None:
        if properties.find(_A + "buNone") is not None:
            return "paragraph"
        if properties.find(_A + "buChar") is not None or properties.find(_A + "buAutoNum") is not None:
            return "list-item"
    return kind


def read_pptx_copy(data: bytes, name: str) -> Document:
    """A deck's copy: each slide's shapes in reading order, then its speaker notes (scope ``notes``)."""
    inspect_office_package(data, name, POWERPOINT)
    pages: list[int] = []
    try:
        import pptx

        deck = pptx.Presentation(io.BytesIO(data))
        slides = deck.slides
        limits.check("max-pages", len(slides), path=name)
        reader = _DeckReader(name, deck.slide_height or 0)
        for number, slide in enumerate(slides, start=1):
            if number > 1:
                reader.lines.mark(SLIDE_BREAK)
            pages.append(reader.lines.position)
            reader.slide(slide)
    except InputError:
        raise
    except Exception as error:  # zip, XML and python-pptx's own errors alike
        raise unreadable(error, name, POWERPOINT) from None
    document = build_document(name, reader.lines.raw, reader.lines.blocks, media_type="pptx", encoding="pptx")
    document.pages = pages
    document.page_kind = "slide"
    return document
