"""Slide decks (.pptx): every slide's text in reading order, its speaker notes, and where each stands.

Every deck here is built by the test with python-pptx; a SmartArt diagram and
a footer placeholder, which python-pptx cannot add, are written as XML by hand.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pptx
import pytest
from pptx.chart.data import CategoryChartData
from pptx.enum.chart import XL_CHART_TYPE
from pptx.opc.constants import CONTENT_TYPE as CT
from pptx.opc.constants import RELATIONSHIP_TYPE as RT
from pptx.opc.package import Part
from pptx.opc.packuri import PackURI
from pptx.oxml import parse_xml
from pptx.util import Inches

from claimaudit import limits
from claimaudit.api import audit
from claimaudit.errors import InputError
from claimaudit.ingest.slides import read_pptx_copy

CLAIMAUDIT = shutil.which("claimaudit") or str(Path(sys.executable).with_name("claimaudit"))

PACK = """sources:
  - id: hip2024
    citation: "Sample C, Example D. A turmeric capsule for hip stiffness. J Example Rheum. 2024;7:10-18."
    summary: >
      In an eight-week randomised trial of 96 adults with hip osteoarthritis, those taking
      the turmeric capsule reported 15% less morning stiffness than those taking placebo.
      Two participants stopped because of mild stomach upset.
"""
SUPPORTED = ("In an eight-week trial, adults who took the turmeric capsule reported 15% less "
             "morning stiffness than those on placebo.")
OVERSTATED = "Tell them the turmeric capsule ends hip stiffness for good."

TITLE_AND_CONTENT, TITLE_ONLY, BLANK = 1, 5, 6
NAMESPACES = ('xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main" '
              'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" '
              'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
              'xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram"')


def saved(deck) -> bytes:
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def textbox(shapes, text: str, left: float, top: float) -> None:
    shapes.add_textbox(Inches(left), Inches(top), Inches(2), Inches(0.5)).text_frame.text = text


def blocks(data: bytes) -> list[tuple[str, str, str]]:
    document = read_pptx_copy(data, "deck.pptx")
    return [(document.text[b.start:b.end], b.kind, b.scope) for b in document.blocks]


def add_footer(slide, text: str) -> None:
    slide.shapes._spTree.append(parse_xml(
        f'<p:sp {NAMESPACES}><p:nvSpPr><p:cNvPr id="90" name="Footer"/><p:cNvSpPr/>'
        '<p:nvPr><p:ph type="ftr" sz="quarter" idx="11"/></p:nvPr></p:nvSpPr>'
        '<p:spPr><a:xfrm><a:off x="457200" y="6356350"/><a:ext cx="2895600" cy="365125"/></a:xfrm></p:spPr>'
        f"<p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody></p:sp>"))


def add_smartart(slide, nodes: list[str], top: float) -> None:
    """A SmartArt graphic frame and its data part: the diagram's text lives in that part."""
    points = ['<dgm:pt modelId="{0}" type="doc"><dgm:prSet/><dgm:spPr/></dgm:pt>']
    for number, text in enumerate(nodes, start=1):
        points.append(f'<dgm:pt modelId="{{{number}}}"><dgm:prSet/><dgm:spPr/><dgm:t><a:bodyPr/><a:lstStyle/>'
                      f"<a:p><a:r><a:t>{text}</a:t></a:r></a:p></dgm:t></dgm:pt>")
        points.append(f'<dgm:pt modelId="{{t{number}}}" type="parTrans"><dgm:prSet/><dgm:spPr/><dgm:t>'
                      "<a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr/></a:p></dgm:t></dgm:pt>")
    data = (f'<dgm:dataModel {NAMESPACES}><dgm:ptLst>{"".join(points)}</dgm:ptLst><dgm:cxnLst/>'
            "<dgm:bg/><dgm:whole/></dgm:dataModel>").encode()
    part = Part(PackURI("/ppt/diagrams/data1.xml"), CT.DML_DIAGRAM_DATA, slide.part.package, data)
    rel_id = slide.part.relate_to(part, RT.DIAGRAM_DATA)
    slide.shapes._spTree.append(parse_xml(
        f'<p:graphicFrame {NAMESPACES}><p:nvGraphicFramePr><p:cNvPr id="80" name="Benefits"/>'
        "<p:cNvGraphicFramePr/><p:nvPr/></p:nvGraphicFramePr>"
        f'<p:xfrm><a:off x="457200" y="{int(Inches(top))}"/><a:ext cx="8229600" cy="914400"/></p:xfrm>'
        '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram">'
        f'<dgm:relIds r:dm="{rel_id}" r:lo="" r:qs="" r:cs=""/></a:graphicData></a:graphic></p:graphicFrame>'))


def on_layout_or_master(owner, text: str, top: float) -> None:
    """A text box of the layout's or master's own: PowerPoint shows it on every slide built on it."""
    owner.shapes._spTree.append(parse_xml(
        f'<p:sp {NAMESPACES}><p:nvSpPr><p:cNvPr id="77" name="Strapline"/><p:cNvSpPr txBox="1"/><p:nvPr/>'
        f'</p:nvSpPr><p:spPr><a:xfrm><a:off x="457200" y="{int(Inches(top))}"/><a:ext cx="6000000" cy="300000"/>'
        f'</a:xfrm></p:spPr><p:txBody><a:bodyPr/><a:lstStyle/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></p:txBody>'
        "</p:sp>"))


def test_text_a_layout_or_master_shows_on_every_slide_is_read_once_on_the_first_slide_that_shows_it():
    deck = pptx.Presentation()
    layout = deck.slide_layouts[TITLE_ONLY]
    on_layout_or_master(layout, "The capsule ends hip stiffness for good.", 7.0)
    on_layout_or_master(deck.slide_master, "Trusted by every rheumatologist.", 0.05)
    for title in ("First slide", "Second slide"):
        deck.slides.add_slide(layout).shapes.title.text = title
    document = read_pptx_copy(saved(deck), "deck.pptx")
    # The layout's and master's placeholders ("Click to edit Master title style") are prompts, never shown.
    assert [(document.text[b.start:b.end], b.scope, document.place(b.start)[:2]) for b in document.blocks] == [
        ("First slide", "heading", (1, 1)),
        ("The capsule ends hip stiffness for good.", "footer", (1, 2)),
        ("Trusted by every rheumatologist.", "header", (1, 3)),
        ("Second slide", "heading", (2, 1)),
    ]


def test_what_a_slide_hides_of_its_layout_and_master_is_not_read():
    deck = pptx.Presentation()
    layout = deck.slide_layouts[TITLE_ONLY]
    on_layout_or_master(deck.slide_master, "Trusted by every rheumatologist.", 0.05)
    slide = deck.slides.add_slide(layout)
    slide.shapes.title.text = "Hip comfort"
    slide.element.set("showMasterSp", "0")  # this slide hides what its layout and master draw
    assert blocks(saved(deck)) == [("Hip comfort", "heading", "heading")]


def test_shapes_are_read_top_to_bottom_then_left_to_right_with_groups_in_place():
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    textbox(slide.shapes, "Bottom left", 1, 6)
    textbox(slide.shapes, "Upper right", 5, 2)
    textbox(slide.shapes, "Upper left", 1, 2)
    group = slide.shapes.add_group_shape()
    textbox(group.shapes, "Grouped right", 5, 4)
    textbox(group.shapes, "Grouped left", 1, 4)
    slide.shapes.title.text = "Hip comfort"

    assert [text for text, _, _ in blocks(saved(deck))] == [
        "Hip comfort", "Upper left", "Upper right", "Grouped left", "Grouped right", "Bottom left"]


def test_titles_bullets_tables_charts_diagrams_footers_and_notes_have_their_kinds_and_scopes():
    deck = pptx.Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[TITLE_AND_CONTENT])
    slide.shapes.title.text = "Hip comfort"
    body = slide.placeholders[1].text_frame
    body.text = "Less morning stiffness"
    body.add_paragraph().text = "Two capsules a day"
    add_footer(slide, "For healthcare professionals only")
    slide.notes_slide.notes_text_frame.text = "Pause for questions here."

    second = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    second.shapes.title.text = "Results"
    table = second.shapes.add_table(2, 2, Inches(1), Inches(1.5), Inches(6), Inches(1)).table
    table.cell(0, 0).text = "Week"
    table.cell(0, 1).text = "Stiffness"
    table.cell(1, 0).text = "Eight"
    table.cell(1, 1).text = "15% less than placebo"
    chart_data = CategoryChartData()
    chart_data.categories = ["Placebo", "Capsule"]
    chart_data.add_series("Stiffness score", (40, 34))
    chart = second.shapes.add_chart(XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(3), Inches(4), Inches(2),
                                    chart_data).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "Stiffness fell by week eight"
    add_smartart(second, ["Gentle", "Daily", "Proven"], top=5.5)

    assert blocks(saved(deck)) == [
        ("Hip comfort", "heading", "heading"),
        ("Less morning stiffness", "list-item", "body"),
        ("Two capsules a day", "list-item", "body"),
        ("For healthcare professionals only", "paragraph", "footer"),
        ("Pause for questions here.", "paragraph", "notes"),
        ("Results", "heading", "heading"),
        ("Week", "cell", "table"),
        ("Stiffness", "cell", "table"),
        ("Eight", "cell", "table"),
        ("15% less than placebo", "cell", "table"),
        ("Stiffness fell by week eight", "paragraph", "body"),
        ("Gentle", "list-item", "body"),
        ("Daily", "list-item", "body"),
        ("Proven", "list-item", "body"),
    ]
    document = read_pptx_copy(saved(deck), "deck.pptx")
    assert {b.heading for b in document.blocks if b.start < document.text.index("Results")} == {"Hip comfort"}
    assert {b.heading for b in document.blocks if b.start >= document.text.index("Results")} == {"Results"}


def test_place_gives_the_slide_and_the_line_on_it():
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    first.shapes.title.text = "Hip comfort"
    deck.slides.add_slide(deck.slide_layouts[BLANK])  # a slide with no text still counts
    third = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    third.shapes.title.text = "What to tell patients"
    textbox(third.shapes, "Take it with breakfast.", 1, 2)
    third.notes_slide.notes_text_frame.text = OVERSTATED

    document = read_pptx_copy(saved(deck), "deck.pptx")
    assert (document.media_type, document.page_kind, len(document.pages)) == ("pptx", "slide", 3)
    assert document.raw == ("Hip comfort\n" "\f\n"  # slide 2 has no text
                            "\f\n" "What to tell patients\nTake it with breakfast.\n" + OVERSTATED + "\n")
    assert [document.raw[start:start + 4] for start in document.pages] == ["Hip ", "\f\nWh", "What"]
    assert document.place(document.text.index("Hip comfort")) == (1, 1, 1)
    assert document.place(document.text.index("What to tell")) == (3, 1, 1)
    assert document.place(document.text.index("ends hip")) == (3, 3, OVERSTATED.index("ends hip") + 1)


def test_a_deck_without_text_has_no_text_to_audit():
    deck = pptx.Presentation()
    deck.slides.add_slide(deck.slide_layouts[BLANK])
    with pytest.raises(InputError, match="no text to audit"):
        read_pptx_copy(saved(deck), "blank.pptx")


def test_a_deck_over_the_slide_limit_is_refused_naming_the_limit():
    deck = pptx.Presentation()
    for number in range(3):
        deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY]).shapes.title.text = f"Slide {number + 1}"
    data = saved(deck)
    assert len(read_pptx_copy(data, "deck.pptx").pages) == 3
    with limits.override(max_pages=2), pytest.raises(InputError) as refused:
        read_pptx_copy(data, "deck.pptx")
    assert "deck.pptx" in str(refused.value) and "max-pages" in str(refused.value)


def test_groups_nested_past_the_depth_limit_are_refused():
    deck = pptx.Presentation()
    shapes = deck.slides.add_slide(deck.slide_layouts[BLANK]).shapes
    for _ in range(5):
        shapes = shapes.add_group_shape().shapes
    textbox(shapes, "Deep inside", 1, 1)
    data = saved(deck)
    assert blocks(data) == [("Deep inside", "paragraph", "body")]
    with limits.override(max_depth=3), pytest.raises(InputError, match="max-depth"):
        read_pptx_copy(data, "deck.pptx")


# --------------------------------------------------------------------------- end to end


def cli(*args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None):
    return subprocess.run([CLAIMAUDIT, *args], cwd=cwd, input=stdin, capture_output=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    deck = pptx.Presentation()
    first = deck.slides.add_slide(deck.slide_layouts[TITLE_AND_CONTENT])
    first.shapes.title.text = "Hip comfort"
    first.placeholders[1].text_frame.text = SUPPORTED
    second = deck.slides.add_slide(deck.slide_layouts[TITLE_ONLY])
    second.shapes.title.text = "What to tell patients"
    second.notes_slide.notes_text_frame.text = OVERSTATED
    (tmp_path / "deck.pptx").write_bytes(saved(deck))
    return tmp_path


def test_check_gives_verdicts_with_slides_and_the_notes_scope(folder):
    result = cli("check", "deck.pptx", "--sources", "pack.yaml", "-f", "json", cwd=folder)
    assert result.returncode == 1, result.stderr.decode()
    report = json.loads(result.stdout)
    findings = {f["text"]: f for f in report["findings"]}
    assert {text: f["verdict"] for text, f in findings.items()} == {SUPPORTED: "supported",
                                                                    OVERSTATED: "overstated"}
    assert (findings[SUPPORTED]["page"], findings[SUPPORTED]["line"], findings[SUPPORTED]["scope"]) == (1, 2, "body")
    assert (findings[OVERSTATED]["page"], findings[OVERSTATED]["line"], findings[OVERSTATED]["scope"]) == (
        2, 2, "notes")

    found = audit(str(folder / "deck.pptx"), str(folder / "pack.yaml"))
    assert {(f.text, f.page, f.scope) for f in found.result.findings} == {(SUPPORTED, 1, "body"),
                                                                          (OVERSTATED, 2, "notes")}


def test_check_reads_a_deck_from_standard_input(folder):
    data = (folder / "deck.pptx").read_bytes()
    result = cli("check", "-", "--stdin-filename", "deck.pptx", "-s", "pack.yaml", "-f", "json", cwd=folder,
                 stdin=data)
    assert result.returncode == 1, result.stderr.decode()
    report = json.loads(result.stdout)
    assert [(f["document"], f["page"], f["scope"]) for f in report["findings"] if f["verdict"] == "overstated"] == [
        ("deck.pptx", 2, "notes")]


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def plus_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    return zip_of({**{member: source.read(member) for member in source.namelist()}, name: content})


def word_bytes() -> bytes:
    import docx

    draft = docx.Document()
    draft.add_paragraph("Hip comfort")
    buffer = io.BytesIO()
    draft.save(buffer)
    return buffer.getvalue()


BAD_DECKS = {
    "plain text": (lambda good: b"Our capsule ends hip stiffness.", "not a zip archive"),
    "an old .ppt or a password-protected file": (
        lambda good: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "password-protected or an old .ppt"),
    "a cut-off download": (lambda good: good[: len(good) // 2], "the zip archive is damaged"),
    "a Word draft renamed": (lambda good: word_bytes(), "it is a Word document"),
    "a zip bomb": (lambda good: plus_member(good, "ppt/filler.xml", bytes(16 * 1024 * 1024)), "zip bomb"),
}


@pytest.mark.parametrize("kind", sorted(BAD_DECKS))
def test_a_file_that_is_not_a_readable_deck_exits_2_with_one_line(folder, kind):
    make, says = BAD_DECKS[kind]
    (folder / "bad.pptx").write_bytes(make((folder / "deck.pptx").read_bytes()))
    result = cli("check", "bad.pptx", "-s", "pack.yaml", cwd=folder)
    error = result.stderr.decode()
    assert result.returncode == 2, error
    assert "Traceback" not in error
    assert len(error.strip().splitlines()) == 1, error
    assert "bad.pptx" in error and says in error, error


def test_a_deck_over_the_slide_limit_exits_2_naming_the_setting(folder):
    result = cli("check", "deck.pptx", "-s", "pack.yaml", cwd=folder, env={"CLAIMAUDIT_MAX_PAGES": "1"})
    error = result.stderr.decode()
    assert result.returncode == 2, error
    assert "deck.pptx" in error and "CLAIMAUDIT_MAX_PAGES" in error and len(error.strip().splitlines()) == 1
