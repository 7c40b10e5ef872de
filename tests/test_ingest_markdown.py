"""Markdown copy: structure, inline markup removal and positions in the file."""

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimaudit.ingest import document_from_text, load_copy
from claimaudit.ingest.markdown import extract_markdown_blocks

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


# --- positions of every character ---------------------------------------------------

TOUR = FIXTURES / "markup-tour.md"


@pytest.fixture(scope="module")
def tour():
    (doc,) = load_copy(TOUR)
    return doc


def raw_offsets(doc, block):
    """Each character of a block with the raw offset the document maps it to."""
    return [(doc.text[i], doc.raw_offset(i)) for i in range(block.start, block.end)]


def test_every_kept_character_points_at_itself_in_the_raw_file(tour):
    raw = TOUR.read_text(encoding="utf-8")
    for block in tour.blocks:
        for char, offset in raw_offsets(tour, block):
            if not char.isspace():
                assert raw[offset] == char, (tour.text[block.start:block.end], char, offset)


def test_blocks_record_where_they_stood(tour):
    scopes = {tour.text[b.start:b.end]: b.scope for b in tour.blocks}
    assert scopes["Balance Class Guide"] == "heading"
    assert scopes["illustrated mat"] == "alt"
    assert scopes["Members walk heel to toe | with support"] == "table"
    assert scopes["Warm-up takes ten minutes."] == "body"


def test_alt_text_maps_to_its_place_in_the_file(tour):
    raw = TOUR.read_text(encoding="utf-8")
    at = tour.text.index("illustrated mat")
    assert raw[tour.raw_offset(at):tour.raw_offset(at) + len("illustrated mat")] == "illustrated mat"


def test_markup_is_removed_from_every_kind_of_block(tour):
    assert blocks_of(tour) == [
        "Balance Class Guide",
        "Our slow balance class helps older adults feel steadier on stairs. Sessions use a wobble "
        "board and two foam pads, with an for *every* participant.",
        # An image's alt text is a block of its own, after the paragraph the image sits in.
        "illustrated mat",
        "Most members said they felt steadier after six weeks. A tab sits after this quote marker.",
        "Warm-up takes ten minutes.",
        "Stretches follow at a gentle pace.",
        "Hold each stretch for thirty seconds.",
        "Start", "Members walk heel to toe | with support", "End", "Everyone rests on a soft mat",
        "Instructors hold first-aid certificates.",
        "Attendance grew by a third last year.",
        "Classes run on Mondays Tuesdays and Fridays.",
        "Hours can change during school holidays.",
    ]


def test_html_blocks_are_read_as_html(tour):
    assert "best class in town" not in tour.text  # a script is not copy


def test_suppression_comment_covers_the_text_after_it_on_the_same_line(tour):
    (suppressed,) = [b for b in tour.blocks if b.suppressions]
    assert tour.text[suppressed.start:suppressed.end] == "Attendance grew by a third last year."
    assert suppressed.suppressions == (("CA201", "attendance figures checked"),)


@pytest.mark.parametrize("phrase, anchor", [
    ("steadier on stairs", "steadier*** on stairs"),
    ("foam pads", "foam pads"),
    ("every* participant", "every\\* participant"),
    ("A tab sits", "A tab sits"),
    ("at a gentle pace", "at a gentle pace"),
    ("with support", "with support"),
    ("soft mat", "soft</em> mat"),
    ("Hours can change", "Hours can change"),
])
def test_findings_in_marked_up_text_point_at_the_right_line_and_column(tour, phrase, anchor):
    assert tour.line_col(tour.text.index(phrase)) == file_position(TOUR, anchor)


def test_entities_decode_to_the_position_of_the_ampersand():
    raw = "Gentle &amp; safe, &copy; us.\n"
    doc = document_from_text(raw, "e.md", "markdown")
    assert blocks_of(doc) == ["Gentle & safe, \u00a9 us."]
    assert doc.raw_offset(doc.text.index("&")) == raw.index("&amp;")
    assert doc.raw_offset(doc.text.index("safe")) == raw.index("safe")


def test_code_spans_keep_their_words():
    doc = document_from_text("Take `two` capsules with ``a `tick` inside``.\n", "c.md", "markdown")
    assert blocks_of(doc) == ["Take two capsules with a `tick` inside."]


def test_suppression_inside_a_quote_applies_to_the_next_block():
    doc = document_from_text(
        "> <!-- claimaudit: disable CA101 -->\n> Heat cures everything.\n\nCold helps a little.\n",
        "q.md", "markdown")
    assert [(doc.text[b.start:b.end], b.suppressions) for b in doc.blocks] == [
        ("Heat cures everything.", (("CA101", ""),)),
        ("Cold helps a little.", ()),
    ]


def test_suppression_between_html_paragraphs_applies_to_the_one_after_it():
    doc = document_from_text(
        "<div><p>Heat eases pain.</p>\n<!-- claimaudit: disable CA101 -->\n<p>Cold cures colds.</p></div>\n",
        "h.md", "markdown")
    assert [(doc.text[b.start:b.end], b.suppressions) for b in doc.blocks] == [
        ("Heat eases pain.", ()),
        ("Cold cures colds.", (("CA101", ""),)),
    ]


def test_a_long_page_reads_like_a_short_one():
    # Thousands of lines are parsed a window at a time; a link defined at the
    # bottom still resolves at the top, and a long code fence is still code.
    filler = "".join(f"Session {i} went well.\n\n" for i in range(3_000))
    fence = "```\n" + "print('Heat cures everything')\n" * 5_000 + "```\n\n"
    raw = "See [the pilot][pilot] for details.\n\n" + filler + fence + "Last line.\n\n[pilot]: https://example.org/p\n"
    doc = document_from_text(raw, "long.md", "markdown")
    texts = blocks_of(doc)
    assert texts[0] == "See the pilot for details."
    assert texts[1:-1] == [f"Session {i} went well." for i in range(3_000)]
    assert texts[-1] == "Last line."
    assert doc.line_col(doc.text.index("Last line.")) == (raw[:raw.index("Last line.")].count("\n") + 1, 1)


def test_a_paragraph_longer_than_one_inline_pass_keeps_every_word():
    sentences = [f"Dose {i} is *mild* and [well tolerated](https://example.org/{i})." for i in range(4_000)]
    raw = "\n".join(sentences) + "\n"
    (block,) = extract_markdown_blocks(raw)
    assert block.text == " ".join(f"Dose {i} is mild and well tolerated." for i in range(4_000))
    assert all(raw[offset] == char for char, offset in zip(block.content.text, block.content.offsets)
               if not char.isspace())


# --- hostile input: nesting and long runs of markup ---------------------------------
#
# Each case runs in a child process with a timeout, so a hang fails the test
# instead of stalling the suite.

_READ_PAGE = (
    "import sys\n"
    "from claimaudit.ingest import load_copy\n"
    "(doc,) = load_copy(sys.argv[1])\n"
    "sys.stdout.buffer.write(doc.text.encode('utf-8'))\n"
)


def text_read_in_a_child_process(tmp_path: Path, markdown: str) -> str:
    page = tmp_path / "page.md"
    page.write_text(markdown, encoding="utf-8")
    result = subprocess.run([sys.executable, "-c", _READ_PAGE, str(page)],
                            capture_output=True, timeout=60)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    return result.stdout.decode("utf-8")


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_quotes_nested_deeper_than_the_parser_follows_keep_their_text(tmp_path, depth):
    text = text_read_in_a_child_process(tmp_path, ">" * depth + " Heat eases knee pain.\n")
    assert text == "Heat eases knee pain."


def test_every_line_of_a_staircase_of_quotes_is_kept(tmp_path):
    lines = [">" * level + f" Step {level} helps." for level in range(1, 1_001)]
    text = text_read_in_a_child_process(tmp_path, "\n\n".join(lines) + "\n")
    assert all(f"Step {level} helps." in text for level in range(1, 1_001))


def test_a_list_nested_a_thousand_deep_keeps_every_item(tmp_path):
    lines = ["  " * level + f"- Item {level} eases pain." for level in range(1_000)]
    text = text_read_in_a_child_process(tmp_path, "\n".join(lines) + "\n")
    assert text.split("\n\n") == [f"Item {level} eases pain." for level in range(1_000)]


def test_deep_nesting_keeps_list_items_as_list_items():
    doc = document_from_text("- " * 500 + "Deep item.\n\n" + "> " * 500 + "- Quoted item.\n",
                             "d.md", "markdown")
    assert blocks_of(doc, "list-item") == ["Deep item.", "Quoted item."]


@pytest.mark.parametrize("run", ["`", "[", "*", "_", "<", "!["])
def test_a_run_of_twenty_thousand_markup_characters_is_read_as_text(tmp_path, run):
    text = text_read_in_a_child_process(tmp_path, f"Heat eases pain {run * 20_000} within a week.\n")
    assert text.startswith("Heat eases pain ") and text.endswith(" within a week.")
    assert text.count(run) == 20_000


def test_deeply_nested_emphasis_and_links_keep_their_words(tmp_path):
    opening, closing = "*_[" * 5_000, "](x)_*" * 5_000
    text = text_read_in_a_child_process(tmp_path, f"Heat {opening}eases{closing} pain.\n")
    assert text.startswith("Heat ") and "eases" in text and text.endswith("pain.")


# --- any input: no crash, every kept character traced back --------------------------

_MARKDOWN_PIECES = [
    "Heat", "eases", "pain", " ", "  ", "\t", "\n", "\n\n", "*", "**", "_", "~~", "`", "``", "[", "]",
    "(", ")", "![", "](", "<", ">", "> ", "- ", "1. ", "# ", "    ", "|", "|---|", "\\", "\\*", "&amp;",
    "&bogus;", "<em>", "</em>", "<div>", "<!-- x -->", "<https://example.org>", "[^1]", "[^1]: ",
    "[ref]: /u", "```", "---", "===", "\u00a0", "\u00e9", "\u65e5",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_MARKDOWN_PIECES), max_size=60))
def test_any_markdown_reads_without_error_and_maps_back(pieces):
    raw = "".join(pieces)
    for block in extract_markdown_blocks(raw):
        for char, offset in zip(block.content.text, block.content.offsets):
            assert 0 <= offset < len(raw)
            # Decoded entities sit at their ampersand; whitespace runs at their first character.
            assert char.isspace() or raw[offset] == char or raw[offset] == "&", (raw, block.text)
