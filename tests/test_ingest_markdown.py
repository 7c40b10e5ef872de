"""Markdown copy: structure, inline markup removal and positions in the file."""

from pathlib import Path

import pytest

from claimaudit.ingest import document_from_text, load_copy

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
NOTES = FIXTURES / "treatment-notes.md"


def file_position(path: Path, phrase: str) -> tuple[int, int]:
    raw = path.read_text(encoding="utf-8")
    offset = raw.index(phrase)
    return raw.count("\n", 0, offset) + 1, offset - (raw.rfind("\n", 0, offset) + 1) + 1


def blocks_of(doc, kind=None):
    return [doc.text[b.start:b.end] for b in doc.blocks if kind is None or b.kind == kind]


@pytest.fixture(scope="module")
def notes():
    (doc,) = load_copy(NOTES)
    return doc


def test_front_matter_code_and_comments_are_not_copy(notes):
    assert "Copy team" not in notes.text
    assert "guaranteed to work" not in notes.text
    assert "note for editors" not in notes.text
    assert "example.org" not in notes.text  # link targets and definitions


def test_atx_and_setext_headings(notes):
    assert blocks_of(notes, "heading") == ["Shoulder Pain Programme", "Why it works"]


def test_inline_markup_is_stripped_but_words_kept(notes):
    assert ("Our gentle programme helps most patients regain movement. "
            "See the clinic overview for details.") in blocks_of(notes)
    assert "Patients in a small pilot reported less pain after eight weeks." in blocks_of(notes)
    assert "Results_may_vary between people, and snake_case words stay intact." in blocks_of(notes)


def test_list_items_with_continuation_lines(notes):
    assert blocks_of(notes, "list-item") == [
        "Exercises are tailored to each person.",
        "Sessions last 30 minutes and run twice a week.",
        "Book an assessment & start within days.",
    ]


def test_table_rows_become_cells_without_the_header(notes):
    assert blocks_of(notes, "cell") == ["Grip", "Grip strength improved by 15%"]


def test_suppression_comment_without_reason(notes):
    suppressed = [b for b in notes.blocks if b.suppressions]
    assert len(suppressed) == 1
    assert notes.text[suppressed[0].start:suppressed[0].end] == "Exercises are tailored to each person."
    assert suppressed[0].suppressions == (("CA301", ""),)


@pytest.mark.parametrize("phrase, anchor", [
    ("Shoulder Pain Programme", "Shoulder Pain Programme"),
    ("gentle programme", "gentle* programme"),
    ("most patients regain", "most patients** regain"),
    ("clinic overview for", "clinic overview]"),
    ("for details", "for details"),
    ("less pain after", "less pain` after"),
    ("run twice a week", "run twice a week"),
    ("start within days", "start within days"),
    ("Grip strength improved", "Grip strength improved"),
])
def test_line_and_column_point_into_the_original_file(notes, phrase, anchor):
    assert notes.line_col(notes.text.index(phrase)) == file_position(NOTES, anchor)


def test_heading_sections_follow_the_markdown_structure(notes):
    by_text = {notes.text[b.start:b.end]: b for b in notes.blocks}
    assert by_text["Sessions last 30 minutes and run twice a week."].heading == "Why it works"


def test_blockquote_can_hold_a_list():
    doc = document_from_text("> Quoted intro.\n>\n> - first point\n> - second point\n",
                             "q.md", "markdown")
    assert blocks_of(doc) == ["Quoted intro.", "first point", "second point"]
    assert blocks_of(doc, "list-item") == ["first point", "second point"]
    assert doc.line_col(doc.text.index("second")) == (4, 5)


def test_thematic_break_is_not_a_heading():
    doc = document_from_text("Intro line.\n\n---\n\nNext part.\n", "t.md", "markdown")
    assert blocks_of(doc, "heading") == []
    assert blocks_of(doc) == ["Intro line.", "Next part."]


def test_asterisks_used_as_arithmetic_survive():
    doc = document_from_text("Dose is 2 * 3 mg and 5 * 2 mg.\n", "t.md", "markdown")
    assert blocks_of(doc) == ["Dose is 2 * 3 mg and 5 * 2 mg."]
