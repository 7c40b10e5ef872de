"""Plain-text copy: encodings, inferred structure, widget removal, positions."""

from pathlib import Path

import pytest

from claimaudit.errors import InputError
from claimaudit.ingest import document_from_text, load_copy
from claimaudit.ingest.encoding import decode_bytes

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def file_position(path: Path, phrase: str, encoding: str) -> tuple[int, int]:
    raw = path.read_bytes().decode(encoding).replace("\r\n", "\n")
    offset = raw.index(phrase)
    return raw.count("\n", 0, offset) + 1, offset - (raw.rfind("\n", 0, offset) + 1) + 1


def blocks_of(doc, kind=None):
    return [doc.text[b.start:b.end] for b in doc.blocks if kind is None or b.kind == kind]


# --- encodings ------------------------------------------------------------------


@pytest.mark.parametrize("name, true_encoding, phrase, accepted", [
    ("latin1-page.txt", "latin-1", "réduire la douleur", {"cp1252", "iso8859-1"}),
    ("utf16-bom-page.txt", "utf-16", "“instant relief”", {"utf-16"}),
    ("cp1252-page.txt", "cp1252", "“the gentle fix” – it may help", {"cp1252"}),
])
def test_encoding_is_detected_and_text_is_exact(name, true_encoding, phrase, accepted):
    path = FIXTURES / name
    (doc,) = load_copy(path)
    assert phrase in doc.text
    assert doc.encoding in accepted
    assert doc.line_col(doc.text.index(phrase)) == file_position(path, phrase, true_encoding)


def test_crlf_files_keep_their_line_numbers():
    path = FIXTURES / "cp1252-page.txt"
    assert b"\r\n" in path.read_bytes()
    (doc,) = load_copy(path)
    assert doc.line_col(doc.text.index("Results differ")) == (5, 1)
    assert "\r" not in doc.text


def test_smart_quotes_are_not_mistaken_for_latin1_control_codes():
    (doc,) = load_copy(FIXTURES / "cp1252-page.txt")
    assert "Clinic’s Promise" in doc.text
    assert not any("\x80" <= ch <= "\x9f" for ch in doc.text)


def test_binary_file_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "photo.txt"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(InputError, match="cannot detect the text encoding") as caught:
        load_copy(path)
    assert caught.value.path == str(path)


def test_lone_carriage_returns_count_as_line_breaks():
    decoded = decode_bytes(b"Old Mac line one.\r\rSecond paragraph.", "old.txt")
    assert decoded.text == "Old Mac line one.\n\nSecond paragraph."


def test_utf8_with_bom_loses_the_bom(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffWarm baths may help.".encode("utf-8"))
    (doc,) = load_copy(path)
    assert doc.text == "Warm baths may help."
    assert doc.line_col(0) == (1, 1)


# --- structure -------------------------------------------------------------------


def test_short_unpunctuated_lines_are_headings():
    doc = document_from_text(
        "Why Heat Helps\n\nHeat relaxes tight muscles. It may ease stiffness.\n\n"
        "Results vary.\n\nBenefits include:\n", "t.txt")
    assert blocks_of(doc, "heading") == ["Why Heat Helps"]
    assert blocks_of(doc, "paragraph") == [
        "Heat relaxes tight muscles. It may ease stiffness.", "Results vary.", "Benefits include:"]


def test_wrapped_lines_join_into_one_paragraph_and_bullets_split():
    doc = document_from_text(
        "The programme includes\nthree parts:\n  • stretching\n  • strength work that\n"
        "    builds slowly\n  - rest days\n", "t.txt")
    assert blocks_of(doc, "paragraph") == ["The programme includes three parts:"]
    assert blocks_of(doc, "list-item") == ["stretching", "strength work that builds slowly",
                                            "rest days"]
    assert doc.line_col(doc.text.index("builds slowly")) == (5, 5)


def test_title_printed_twice_in_a_row_is_one_heading():
    (doc,) = load_copy(FIXTURES / "research-blog.txt")
    headings = blocks_of(doc, "heading")
    assert headings.count("Cold Water Immersion After Knee Surgery") == 1
    # long titles count too when they are printed twice
    assert "Heat Therapy for Chronic Back Pain in Office Workers Over a Twelve Month Period" in headings


def test_sign_up_and_information_widgets_are_removed():
    (doc,) = load_copy(FIXTURES / "research-blog.txt")
    for widget in ("Subscribe To Our Newsletter", "mailing list", "Successfully Subscribed",
                   "Request Information Packet", "FREE information packet",
                   "Thanks for your interest"):
        assert widget not in doc.text


def test_a_paragraph_repeated_twice_is_kept_once():
    doc = document_from_text(
        "Heat may ease stiffness in some adults.\n\nOther text here.\n\n"
        "Heat may ease stiffness in some adults.\n", "t.txt")
    assert blocks_of(doc) == ["Heat may ease stiffness in some adults.", "Other text here."]


def test_a_claim_repeated_around_the_page_is_not_mistaken_for_a_widget():
    text = "\n\n".join([
        "Our wraps cure back pain for good.", "Details on fabrics.",
        "Our wraps cure back pain for good.", "Care instructions follow.",
        "Our wraps cure back pain for good.",
    ])
    doc = document_from_text(text, "t.txt")
    assert blocks_of(doc).count("Our wraps cure back pain for good.") == 1


def test_widget_group_repeated_three_times_is_dropped_entirely():
    widget = "Get our brochure\n\nWe will post you a brochure with all our prices!\n\nThank you!"
    text = "Heat may ease stiffness.\n\n" + "\n\n".join([widget] * 3)
    doc = document_from_text(text, "t.txt")
    assert blocks_of(doc) == ["Heat may ease stiffness."]


def test_line_and_column_in_a_long_plain_page():
    path = FIXTURES / "research-blog.txt"
    (doc,) = load_copy(path)
    for phrase in ("walking distance did not differ", "Falls were less frequent",
                   "Our approach is proven", "No serious side effects"):
        assert doc.line_col(doc.text.index(phrase)) == file_position(path, phrase, "utf-8")


def test_suppression_comment_in_plain_text_applies_to_the_next_paragraph():
    doc = document_from_text(
        "Intro.\n\n<!-- claimaudit: disable CA101 reason=\"checked\" -->\n"
        "We treated 900 patients.\n\n<!-- an editor's note -->\n\nLast line.\n", "t.txt")
    assert blocks_of(doc) == ["Intro.", "We treated 900 patients.", "Last line."]
    assert [b.suppressions for b in doc.blocks] == [(), (("CA101", "checked"),), ()]
    assert doc.line_col(doc.text.index("We treated")) == (4, 1)
