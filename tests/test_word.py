"""Word drafts (.docx): the copy a reader sees, where it stands, and what cannot be read.

Every document here is built by the test with python-docx; markup python-docx
has no API for (tracked changes, text boxes, footnotes, fields) is written as
WordprocessingML by hand.
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

import docx
import pytest
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls

from claimaudit import limits
from claimaudit.api import audit
from claimaudit.errors import InputError
from claimaudit.ingest import load_document
from claimaudit.ingest.word import read_docx_copy

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
OVERSTATED = "The turmeric capsule ends hip stiffness for good."


def saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def run(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


# Namespaces python-docx does not declare itself: markup compatibility, Word
# shapes and VML, which text boxes are written in.
EXTRA_NAMESPACES = (
    'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006" '
    'xmlns:wps="http://schemas.microsoft.com/office/word/2010/wordprocessingShape" '
    'xmlns:v="urn:schemas-microsoft-com:vml"'
)


def xml_paragraph(document, inner: str) -> None:
    """A body paragraph written as WordprocessingML, before the final section properties."""
    body = document.element.body
    body.insert(len(body) - 1, parse_xml(f"<w:p {nsdecls('w', 'wp', 'a')} {EXTRA_NAMESPACES}>{inner}</w:p>"))


def lines(data: bytes) -> list[str]:
    return read_docx_copy(data, "draft.docx").raw.splitlines()


def blocks(data: bytes) -> list[tuple[str, str, str]]:
    document = read_docx_copy(data, "draft.docx")
    return [(document.text[b.start:b.end], b.kind, b.scope) for b in document.blocks]


def test_paragraphs_headings_lists_and_tables_are_read_in_document_order():
    draft = docx.Document()
    draft.add_heading("Hip comfort", level=1)
    draft.add_paragraph("Our turmeric capsule is taken with breakfast.")
    draft.add_paragraph("Gentle on the stomach", style="List Bullet")
    table = draft.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Dose"
    table.cell(0, 1).text = "Two capsules a day"
    table.cell(1, 0).text = "Result"
    table.cell(1, 1).text = "Less stiffness by week eight"
    draft.add_heading("Who it is for", level=2)
    draft.add_paragraph("Adults with stiff hips.")

    assert blocks(saved(draft)) == [
        ("Hip comfort", "heading", "heading"),
        ("Our turmeric capsule is taken with breakfast.", "paragraph", "body"),
        ("Gentle on the stomach", "list-item", "body"),
        ("Dose", "cell", "table"),
        ("Two capsules a day", "cell", "table"),
        ("Result", "cell", "table"),
        ("Less stiffness by week eight", "cell", "table"),
        ("Who it is for", "heading", "heading"),
        ("Adults with stiff hips.", "paragraph", "body"),
    ]
    document = read_docx_copy(saved(draft), "draft.docx")
    assert (document.media_type, document.encoding, document.pages) == ("docx", "docx", [])
    assert [b.heading for b in document.blocks][-2:] == ["Who it is for", "Who it is for"]


def test_a_paragraph_is_one_line_of_the_extracted_text_and_findings_point_at_it():
    draft = docx.Document()
    draft.add_heading("Hip comfort", level=1)
    draft.add_paragraph("")  # an empty paragraph is no line
    paragraph = draft.add_paragraph("Take it daily.\tIt is ")
    paragraph.add_run().add_break()
    paragraph.add_run("easy to swallow.")
    draft.add_paragraph(OVERSTATED)
    data = saved(draft)

    assert lines(data) == ["Hip comfort", "Take it daily. It is easy to swallow.", OVERSTATED]
    document = read_docx_copy(data, "draft.docx")
    start = document.text.index("ends hip")
    assert document.place(start) == (None, 3, OVERSTATED.index("ends hip") + 1)


def test_a_tracked_insertion_counts_and_a_deletion_does_not():
    draft = docx.Document()
    xml_paragraph(draft, run("The capsule eases ")
                  + '<w:del w:id="1" w:author="Editor" w:date="2025-01-01T00:00:00Z">'
                  '<w:r><w:delText>all </w:delText></w:r></w:del>'
                  + '<w:ins w:id="2" w:author="Editor" w:date="2025-01-01T00:00:00Z">'
                  + run("some ") + "</w:ins>"
                  + run("morning stiffness."))
    # A sentence moved with tracking on: it counts where it went, not where it was.
    xml_paragraph(draft, '<w:moveFrom w:id="3" w:author="Editor">' + run("Results vary.") + "</w:moveFrom>")
    xml_paragraph(draft, run("Ask your doctor first.")
                  + '<w:moveTo w:id="4" w:author="Editor">' + run(" Results vary.") + "</w:moveTo>")
    # A whole paragraph deleted with tracking on.
    xml_paragraph(draft, '<w:del w:id="5" w:author="Editor"><w:r><w:delText>Cures hip pain.</w:delText>'
                  "</w:r></w:del>")
    table = draft.add_table(rows=2, cols=1)
    table.cell(0, 0).text = "Kept row"
    table.cell(1, 0).text = "Works for everyone"
    row_properties = table.rows[1]._tr.get_or_add_trPr()
    row_properties.append(parse_xml(f'<w:del {nsdecls("w")} w:id="6" w:author="Editor"/>'))

    assert lines(saved(draft)) == [
        "The capsule eases some morning stiffness.",
        "Ask your doctor first. Results vary.",
        "Kept row",
    ]


TEXT_BOX_PARAGRAPH = (
    run("Our trial at a glance.")
    + "<w:r><mc:AlternateContent>"
    '<mc:Choice Requires="wps"><w:drawing><wp:anchor distT="0" distB="0" distL="0" distR="0" simplePos="0" '
    'relativeHeight="1" behindDoc="0" locked="0" layoutInCell="1" allowOverlap="1">'
    '<wp:simplePos x="0" y="0"/><wp:extent cx="1828800" cy="914400"/><wp:docPr id="1" name="Callout"/>'
    '<a:graphic><a:graphicData uri="http://schemas.microsoft.com/office/word/2010/wordprocessingShape">'
    "<wps:wsp><wps:txbx><w:txbxContent>"
    "<w:p>" + run("Pharmacist recommended.") + "</w:p>"
    "</w:txbxContent></wps:txbx><wps:bodyPr/></wps:wsp>"
    "</a:graphicData></a:graphic></wp:anchor></w:drawing></mc:Choice>"
    '<mc:Fallback><w:pict><v:shape id="Callout" style="width:144pt;height:72pt"><v:textbox><w:txbxContent>'
    "<w:p>" + run("Pharmacist recommended.") + "</w:p>"
    "</w:txbxContent></v:textbox></v:shape></w:pict></mc:Fallback>"
    "</mc:AlternateContent></w:r>"
    + run(" Read on.")
)


def test_a_text_box_is_read_once_after_its_paragraph_as_an_aside():
    draft = docx.Document()
    xml_paragraph(draft, TEXT_BOX_PARAGRAPH)
    draft.add_paragraph("Ask your pharmacist.")

    assert blocks(saved(draft)) == [
        ("Our trial at a glance. Read on.", "paragraph", "body"),
        ("Pharmacist recommended.", "paragraph", "aside"),
        ("Ask your pharmacist.", "paragraph", "body"),
    ]


def add_notes_part(draft, kind: str, notes: dict[int, str]) -> None:
    """A footnotes or endnotes part, which python-docx cannot make, built by hand and related to the body."""
    tag, content_type, reltype = {
        "footnote": ("footnote", CT.WML_FOOTNOTES, RT.FOOTNOTES),
        "endnote": ("endnote", CT.WML_ENDNOTES, RT.ENDNOTES),
    }[kind]
    entries = [f'<w:{tag} w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:{tag}>',
               f'<w:{tag} w:type="continuationSeparator" w:id="0"><w:p><w:r><w:continuationSeparator/>'
               f"</w:r></w:p></w:{tag}>"]
    entries += [f'<w:{tag} w:id="{number}"><w:p><w:r><w:{tag}Ref/></w:r>{run(" " + text)}</w:p></w:{tag}>'
                for number, text in notes.items()]
    blob = f'<w:{tag}s {nsdecls("w")}>{"".join(entries)}</w:{tag}s>'.encode()
    part = Part(PackURI(f"/word/{tag}s.xml"), content_type, blob, draft.part.package)
    draft.part.relate_to(part, reltype)


def test_footnotes_and_endnotes_the_copy_marks_are_read_after_the_body_as_footer_copy():
    draft = docx.Document()
    draft.add_heading("Hip comfort", level=1)
    xml_paragraph(draft, run("Less morning stiffness.") + '<w:r><w:footnoteReference w:id="1"/></w:r>'
                  + run(" Easy to take.") + '<w:r><w:endnoteReference w:id="1"/></w:r>'
                  # A note whose mark stood only in deleted text is deleted with it.
                  + '<w:del w:id="9" w:author="Editor"><w:r><w:delText> Proven.</w:delText></w:r>'
                  '<w:r><w:footnoteReference w:id="2"/></w:r></w:del>')
    add_notes_part(draft, "footnote", {1: "In an eight-week trial of 96 adults.", 2: "Data on file."})
    add_notes_part(draft, "endnote", {1: "Prescribing information is available on request."})
    data = saved(draft)
    assert "word/footnotes.xml" in zipfile.ZipFile(io.BytesIO(data)).namelist()

    document = read_docx_copy(data, "draft.docx")
    assert [(document.text[b.start:b.end], b.scope, b.heading) for b in document.blocks] == [
        ("Hip comfort", "heading", "Hip comfort"),
        ("Less morning stiffness. Easy to take.", "body", "Hip comfort"),
        ("In an eight-week trial of 96 adults.", "footer", ""),
        ("Prescribing information is available on request.", "footer", ""),
    ]


def test_each_distinct_header_and_footer_is_read_once_with_its_scope():
    draft = docx.Document()
    draft.add_paragraph("Page one copy.")
    draft.sections[0].header.paragraphs[0].text = "For healthcare professionals only"
    draft.sections[0].footer.paragraphs[0].text = "Clinically tested formula"
    draft.add_section()  # its header and footer are linked to the first section's
    draft.add_paragraph("Page two copy.")
    third = draft.add_section()
    third.header.is_linked_to_previous = False
    third.header.paragraphs[0].text = "Summary of product characteristics"
    draft.add_paragraph("Page three copy.")

    assert blocks(saved(draft)) == [
        ("Page one copy.", "paragraph", "body"),
        ("Page two copy.", "paragraph", "body"),
        ("Page three copy.", "paragraph", "body"),
        ("For healthcare professionals only", "paragraph", "header"),
        ("Summary of product characteristics", "paragraph", "header"),
        ("Clinically tested formula", "paragraph", "footer"),
    ]


def test_field_results_and_hyperlinks_count_but_field_codes_and_comments_do_not():
    draft = docx.Document()
    xml_paragraph(draft, run("See ")
                  + '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
                  '<w:r><w:instrText xml:space="preserve"> HYPERLINK "https://example.org/trial" </w:instrText></w:r>'
                  '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
                  + run("the trial summary")
                  + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
                  + run(" or ")
                  + '<w:hyperlink w:anchor="dosing">' + run("the dosing table") + "</w:hyperlink>"
                  + run("."))
    commented = draft.add_paragraph("Suitable for daily use.")
    draft.add_comment(commented.runs, text="Legal: does the trial back daily use?", author="Reviewer")

    assert lines(saved(draft)) == ["See the trial summary or the dosing table.", "Suitable for daily use."]


def test_headings_are_found_by_style_inheritance_and_outline_level():
    from docx.enum.style import WD_STYLE_TYPE

    draft = docx.Document()
    house_style = draft.styles.add_style("Campaign Heading", WD_STYLE_TYPE.PARAGRAPH)
    house_style.base_style = draft.styles["Heading 2"]
    draft.add_paragraph("Why patients like it", style="Campaign Heading")
    draft.add_paragraph("Small and easy to swallow.")
    xml_paragraph(draft, '<w:pPr><w:outlineLvl w:val="0"/></w:pPr>' + run("Safety"))
    draft.add_paragraph("Two people stopped because of an upset stomach.")
    draft.add_paragraph("Launch brief", style="Title")

    assert [(text, kind) for text, kind, _ in blocks(saved(draft))] == [
        ("Why patients like it", "heading"),
        ("Small and easy to swallow.", "paragraph"),
        ("Safety", "heading"),
        ("Two people stopped because of an upset stomach.", "paragraph"),
        ("Launch brief", "heading"),
    ]


def test_nested_tables_are_read_to_the_depth_limit_and_refused_beyond_it():
    draft = docx.Document()
    cell = draft.add_table(rows=1, cols=1).cell(0, 0)
    for depth in range(6):
        cell.paragraphs[0].text = f"Level {depth + 1} note"
        cell = cell.add_table(rows=1, cols=1).cell(0, 0)
    cell.paragraphs[0].text = "Innermost note"
    data = saved(draft)

    assert lines(data)[-1] == "Innermost note"
    with limits.override(max_depth=4), pytest.raises(InputError) as refused:
        read_docx_copy(data, "draft.docx")
    assert "draft.docx" in str(refused.value) and "max-depth" in str(refused.value)


ALT_CHUNK = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/aFChunk"


def import_chunk(draft, content_type: str, data: bytes, name: str) -> None:
    """A ``w:altChunk``: content Word imports in this place when it opens the file."""
    part = Part(PackURI(f"/word/{name}"), content_type, data, draft.part.package)
    rel_id = draft.part.relate_to(part, ALT_CHUNK)
    body = draft.element.body
    body.insert(len(body) - 1, parse_xml(f'<w:altChunk {nsdecls("w", "r")} r:id="{rel_id}"/>'))


def test_html_text_and_word_documents_a_draft_imports_are_read_in_their_place():
    inner = docx.Document()
    inner.add_heading("Imported section", level=1)
    inner.add_paragraph("The imported draft says the capsule ends stiffness.")
    draft = docx.Document()
    draft.add_paragraph("Before the imports.")
    import_chunk(draft, "text/html", b"<html><head><title>Not shown</title></head><body>"
                 b"<p>The imported page says the capsule works overnight.</p></body></html>", "chunk1.html")
    import_chunk(draft, "text/plain", b"The imported note says the capsule cures arthritis.", "chunk2.txt")
    import_chunk(draft, "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 saved(inner), "chunk3.docx")
    draft.add_paragraph("After the imports.")
    assert blocks(saved(draft)) == [
        ("Before the imports.", "paragraph", "body"),
        ("The imported page says the capsule works overnight.", "paragraph", "body"),
        ("The imported note says the capsule cures arthritis.", "paragraph", "body"),
        ("Imported section", "heading", "heading"),
        ("The imported draft says the capsule ends stiffness.", "paragraph", "body"),
        ("After the imports.", "paragraph", "body"),
    ]
    document = read_docx_copy(saved(draft), "draft.docx")
    assert document.place(document.text.index("The imported note"))[1:] == (3, 1)


def test_an_import_of_a_kind_that_cannot_be_read_is_exit_2_not_left_out(tmp_path):
    draft = docx.Document()
    draft.add_paragraph("Before the import.")
    import_chunk(draft, "application/rtf", rb"{\rtf1 The capsule cures arthritis.}", "chunk1.rtf")
    (tmp_path / "draft.docx").write_bytes(saved(draft))
    result = cli("check", "draft.docx", cwd=tmp_path)
    error = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in error and len(error.strip().splitlines()) == 1, error
    assert "draft.docx" in error and "application/rtf" in error and "save it again" in error


def test_a_smartart_diagrams_text_is_read_after_its_paragraph():
    namespaces = ('xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" '
                  'xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main"')
    points = "".join(f'<dgm:pt modelId="{n}"><dgm:t><a:bodyPr/><a:p><a:r><a:t>{text}</a:t></a:r></a:p></dgm:t></dgm:pt>'
                     for n, text in enumerate(["Ends hip stiffness", "Works in a day"], start=1))
    data = f'<dgm:dataModel {namespaces}><dgm:ptLst><dgm:pt modelId="0" type="doc"/>{points}</dgm:ptLst></dgm:dataModel>'
    draft = docx.Document()
    draft.add_paragraph("Why the capsule:")
    part = Part(PackURI("/word/diagrams/data1.xml"),
                "application/vnd.openxmlformats-officedocument.drawingml.diagramData+xml", data.encode(),
                draft.part.package)
    rel_id = draft.part.relate_to(part, RT.DIAGRAM_DATA)
    xml_paragraph(draft, '<w:r><w:drawing><wp:inline><wp:extent cx="1" cy="1"/><wp:docPr id="1" name="D"/>'
                  '<a:graphic><a:graphicData uri="http://schemas.openxmlformats.org/drawingml/2006/diagram">'
                  f'<dgm:relIds xmlns:dgm="http://schemas.openxmlformats.org/drawingml/2006/diagram" '
                  f'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" r:dm="{rel_id}" '
                  'r:lo="" r:qs="" r:cs=""/></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')
    draft.add_paragraph("Ask your pharmacist.")
    assert blocks(saved(draft)) == [
        ("Why the capsule:", "paragraph", "body"),
        ("Ends hip stiffness", "list-item", "body"),
        ("Works in a day", "list-item", "body"),
        ("Ask your pharmacist.", "paragraph", "body"),
    ]


def test_a_document_without_text_has_no_text_to_audit():
    draft = docx.Document()
    draft.add_paragraph("   ")
    draft.add_table(rows=2, cols=2)
    with pytest.raises(InputError, match="no text to audit"):
        read_docx_copy(saved(draft), "blank.docx")


def test_a_docx_file_is_read_through_the_copy_loader(tmp_path):
    draft = docx.Document()
    draft.add_paragraph(SUPPORTED)
    path = tmp_path / "draft.docx"
    path.write_bytes(saved(draft))
    assert load_document(path).text == SUPPORTED


# --------------------------------------------------------------------------- end to end


def cli(*args: str, cwd: Path, stdin: bytes | None = None, env: dict[str, str] | None = None):
    return subprocess.run([CLAIMAUDIT, *args], cwd=cwd, input=stdin, capture_output=True, timeout=60,
                          env={**os.environ, **(env or {})})


@pytest.fixture()
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    draft = docx.Document()
    draft.add_heading("Hip comfort", level=1)
    draft.add_paragraph(SUPPORTED)
    table = draft.add_table(rows=1, cols=1)
    table.cell(0, 0).text = OVERSTATED
    (tmp_path / "draft.docx").write_bytes(saved(draft))
    return tmp_path


def test_check_gives_verdicts_and_places_for_a_word_draft(folder):
    result = cli("check", "draft.docx", "--sources", "pack.yaml", "-f", "json", cwd=folder)
    assert result.returncode == 1, result.stderr.decode()
    findings = {f["text"]: f for f in json.loads(result.stdout)["findings"]}
    assert findings[SUPPORTED]["verdict"] == "supported"
    assert (findings[SUPPORTED]["line"], findings[SUPPORTED]["scope"]) == (2, "body")
    assert findings[OVERSTATED]["verdict"] == "overstated"
    assert (findings[OVERSTATED]["line"], findings[OVERSTATED]["scope"]) == (3, "table")
    assert "page" not in findings[SUPPORTED]

    found = audit(str(folder / "draft.docx"), str(folder / "pack.yaml"))
    assert {f.text: f.verdict for f in found.result.findings} == {SUPPORTED: "supported", OVERSTATED: "overstated"}


def test_check_reads_a_word_draft_from_standard_input(folder):
    data = (folder / "draft.docx").read_bytes()
    result = cli("check", "-", "--stdin-filename", "draft.docx", "-s", "pack.yaml", cwd=folder, stdin=data)
    assert result.returncode == 1, result.stderr.decode()
    assert "draft.docx:3:1: overstated" in result.stdout.decode()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def with_member(data: bytes, name: str, change) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    return zip_of({member: change(source.read(member)) if member == name else source.read(member)
                   for member in source.namelist()})


def plus_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    return zip_of({**{member: source.read(member) for member in source.namelist()}, name: content})


def deck_bytes() -> bytes:
    import pptx

    deck = pptx.Presentation()
    deck.slides.add_slide(deck.slide_layouts[5]).shapes.title.text = "Hip comfort"
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


BAD_DRAFTS = {
    "plain text": (lambda good: b"Our capsule ends hip stiffness.", "not a zip archive"),
    "an old .doc or a password-protected file": (
        lambda good: b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), "password-protected or an old .doc"),
    "an RTF file": (lambda good: b"{\\rtf1\\ansi Hip comfort}", "an RTF file"),
    "a cut-off download": (lambda good: good[: len(good) // 2], "the zip archive is damaged"),
    "a deck renamed": (lambda good: deck_bytes(), "it is a PowerPoint deck"),
    "a zip of something else": (lambda good: zip_of({"notes.txt": b"hello"}), "[Content_Types].xml"),
    "broken XML": (lambda good: with_member(good, "word/document.xml", lambda xml: xml[: len(xml) // 2]),
                   "broken XML"),
    # 16 MB of zeros packs into about 16 KB: far tighter than any document.
    "a zip bomb": (lambda good: plus_member(good, "word/filler.xml", bytes(16 * 1024 * 1024)), "zip bomb"),
}


@pytest.mark.parametrize("kind", sorted(BAD_DRAFTS))
def test_a_file_that_is_not_a_readable_word_document_exits_2_with_one_line(folder, kind):
    make, says = BAD_DRAFTS[kind]
    (folder / "bad.docx").write_bytes(make((folder / "draft.docx").read_bytes()))
    result = cli("check", "bad.docx", "-s", "pack.yaml", cwd=folder)
    error = result.stderr.decode()
    assert result.returncode == 2, error
    assert "Traceback" not in error
    assert len(error.strip().splitlines()) == 1, error
    assert "bad.docx" in error and says in error, error


def test_a_draft_that_unpacks_past_the_document_limit_is_refused(folder):
    filler = " ".join(f"word{n % 997}x{n % 89}" for n in range(250_000)).encode()  # packs about 5:1
    (folder / "big.docx").write_bytes(plus_member((folder / "draft.docx").read_bytes(), "word/filler.xml", filler))
    assert (folder / "big.docx").stat().st_size < 1024 * 1024 < len(filler)
    result = cli("check", "big.docx", "-s", "pack.yaml", cwd=folder,
                 env={"CLAIMAUDIT_MAX_DOCUMENT_BYTES": "1MB"})
    error = result.stderr.decode()
    assert result.returncode == 2, error
    assert "big.docx" in error and "max-document-bytes" in error and len(error.strip().splitlines()) == 1


def test_reading_other_copy_does_not_import_the_office_libraries():
    probe = ("import sys, claimaudit.cli, claimaudit.ingest, claimaudit.api;"
             "loaded = {'docx', 'pptx'} & set(sys.modules); assert not loaded, loaded")
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)
