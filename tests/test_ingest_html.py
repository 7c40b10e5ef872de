"""HTML pages: what counts as copy, block structure, and positions in the file."""

from pathlib import Path

import pytest

from claimaudit.ingest import document_from_text, load_copy

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
PAGE = FIXTURES / "clinic-page.html"


def file_position(path: Path, phrase: str, encoding: str = "utf-8") -> tuple[int, int]:
    """Where ``phrase`` first occurs in the file itself: 1-based line and column."""
    raw = path.read_bytes().decode(encoding).replace("\r\n", "\n")
    offset = raw.index(phrase)
    return raw.count("\n", 0, offset) + 1, offset - (raw.rfind("\n", 0, offset) + 1) + 1


def block_texts(doc, kind=None):
    return [doc.text[b.start:b.end] for b in doc.blocks if kind is None or b.kind == kind]


@pytest.fixture(scope="module")
def page():
    (doc,) = load_copy(PAGE)
    return doc


@pytest.mark.parametrize("code", [
    "tracking",                 # script
    "color: teal",              # style
])
def test_code_is_never_read(page, code):
    assert code not in page.text
    assert not any(code in aside.text for aside in page.set_aside)


@pytest.mark.parametrize("furniture, why", [
    ("About us", "navigation"),                             # nav inside the site header
    ("Home", "navigation"),                                 # breadcrumbs (class)
    ("Join our newsletter", "a page widget (marked 'newsletter')"),
    ("monthly tips", "a page widget (marked 'newsletter')"),
    ("We use cookies", "a page widget (marked 'cookie')"),  # cookie banner (id)
])
def test_navigation_and_widgets_are_set_aside_with_why(page, furniture, why):
    assert furniture not in page.text
    (aside,) = [a for a in page.set_aside if furniture in a.text]
    assert aside.reason == why


def test_set_aside_text_keeps_its_line(page):
    (menu,) = [a for a in page.set_aside if "About us" in a.text]
    assert page.raw_line_col(menu.raw_start) == file_position(PAGE, "Knee care</a></li>")


@pytest.mark.parametrize("text, scope", [
    ("Knee Care & Recovery | Larkspur Joint Clinic", "title"),
    ("Larkspur Joint Clinic", "header"),                     # site header, outside the nav
    ("Related posts you might like", "aside"),
    ("© 2024 Larkspur Joint Clinic. All rights reserved.", "footer"),
    ("Knee Care & Recovery", "heading"),
    ("Pain score fell by 2 points", "table"),
    ("A small trial reported less stiffness after three months.", "body"),
])
def test_every_region_of_the_page_is_read_with_its_scope(page, text, scope):
    by_text = {page.text[b.start:b.end]: b for b in page.blocks}
    assert by_text[text].scope == scope


def test_title_and_description_are_read_and_map_to_the_file():
    raw = ('<html><head><title>Knee gel &amp; more</title>\n'
           '<meta name="description" content="Our gel eases knee pain &amp; stiffness in 3 days.">\n'
           '<meta property="og:description" content="Our gel eases knee pain &amp; stiffness in 3 days.">\n'
           '</head><body><p>Sessions are short.</p></body></html>')
    doc = document_from_text(raw, "page.html", "html")
    by_text = {doc.text[b.start:b.end]: b for b in doc.blocks}
    assert by_text["Knee gel & more"].scope == "title"
    assert by_text["Our gel eases knee pain & stiffness in 3 days."].scope == "meta"
    at = doc.text.index("stiffness in 3 days")
    assert doc.raw[doc.raw_offset(at):doc.raw_offset(at) + 9] == "stiffness"
    assert doc.line_col(at) == (2, raw.split("\n")[1].index("stiffness") + 1)
    # The link-preview copy repeats the description: read once, the repeat listed.
    assert doc.text.count("Our gel eases") == 1
    assert [a.scope for a in doc.set_aside] == ["meta"]


def test_alt_text_is_a_block_after_the_paragraph_it_sits_in():
    raw = ('<p>Before and after\n<img src="k.jpg" alt="Knee &amp; hip pain gone in 7 days"> treatment.</p>\n'
           '<p>Next.</p><img src="logo.png" alt="">')
    doc = document_from_text(raw, "page.html", "html")
    assert block_texts(doc) == ["Before and after treatment.", "Knee & hip pain gone in 7 days", "Next."]
    alt = doc.blocks[1]
    assert alt.scope == "alt"
    at = doc.text.index("pain gone")
    assert doc.raw[doc.raw_offset(at):doc.raw_offset(at) + 9] == "pain gone"
    assert doc.line_col(at) == (2, raw.split("\n")[1].index("pain gone") + 1)


def test_widget_pasted_three_times_is_dropped_entirely(page):
    assert "Thanks for your interest" not in page.text
    reasons = [a.reason for a in page.set_aside if "Thanks for your interest" in a.text]
    assert reasons == ["a widget repeated across the page"] * 3


def test_headings_lists_and_cells_become_typed_blocks(page):
    assert block_texts(page, "heading") == [
        "Knee Care & Recovery", "What the treatment involves", "Evidence"]
    assert block_texts(page, "list-item") == [
        "A short assessment with a physiotherapist.", "Two injections, four weeks apart."]
    assert "Pain score fell by 2 points" in block_texts(page, "cell")


def test_blocks_know_their_section(page):
    by_text = {page.text[b.start:b.end]: b for b in page.blocks}
    assert by_text["Two injections, four weeks apart."].heading == "What the treatment involves"
    assert by_text["A small trial reported less stiffness after three months."].heading == "Evidence"


def test_blocks_are_separated_by_blank_lines(page):
    for before, after in zip(page.blocks, page.blocks[1:]):
        assert page.text[before.end:after.start] == "\n\n"


def test_entities_are_decoded(page):
    assert "Knee Care & Recovery" in page.text
    assert "adults — results vary" in page.text
    assert "save 10% on your first consultation" in page.text


def test_unclosed_paragraphs_still_split_into_blocks(page):
    texts = block_texts(page)
    assert "Recovery is usually quick" in texts
    assert "Most people return to desk work within a week." in texts


@pytest.mark.parametrize("phrase, anchor", [
    # anchor: how the phrase's start looks in the file
    ("Cartilage injections", "Cartilage injections"),
    ("results vary between patients", "results vary between patients"),
    ("after six weeks", "after <b>six weeks"),
    ("four weeks apart", "four weeks apart</em>"),
    ("Most people return", "Most people return"),
    ("Pain score fell", "Pain score fell"),
])
def test_line_and_column_point_into_the_original_file(page, phrase, anchor):
    assert page.line_col(page.text.index(phrase)) == file_position(PAGE, anchor)


def test_text_after_an_entity_maps_to_the_right_column(page):
    # "&mdash;" is seven characters in the file but one in the text.
    assert page.line_col(page.text.index("results vary")) == file_position(PAGE, "results vary")
    assert page.line_col(page.text.index("— results")) == file_position(PAGE, "&mdash;")


def test_suppression_comment_applies_to_the_next_block_only(page):
    by_text = {page.text[b.start:b.end]: b for b in page.blocks}
    target = by_text["In our audit, 4 of 10 patients walked further after six weeks."]
    assert target.suppressions == (
        ("CA101", "figure checked by the medical team"),
        ("figures.inflated", "figure checked by the medical team"),
    )
    others = [b for b in page.blocks if b is not target]
    assert all(b.suppressions == () for b in others)


def test_text_that_is_not_html_still_gives_a_document():
    doc = document_from_text("Just a sentence about knees.\n\nAnother one here.", "notes.html", "html")
    assert block_texts(doc) == ["Just a sentence about knees.", "Another one here."]
    assert doc.line_col(doc.text.index("Another")) == (3, 1)


def test_heading_repeated_in_the_navigation_maps_to_the_heading():
    raw = "<nav><a href='/k'>Knee care</a></nav>\n<h1>Knee care</h1>\n<p>Gentle help.</p>"
    doc = document_from_text(raw, "page.html", "html")
    assert doc.line_col(doc.text.index("Knee care")) == (2, 5)


def test_layout_wrapper_with_a_sidebar_class_keeps_its_copy_in_the_body():
    raw = ('<div class="content-with-sidebar"><p>Our injections rebuild cartilage in every knee '
           'within a month, as shown in our clinic.</p></div><div class="sidebar">Links</div>')
    doc = document_from_text(raw, "page.html", "html")
    scopes = {doc.text[b.start:b.end]: b.scope for b in doc.blocks}
    assert scopes["Our injections rebuild cartilage in every knee within a month, as shown in our clinic."] == "body"
    assert scopes["Links"] == "aside"


def test_article_header_and_footer_are_its_body_and_site_chrome_is_header_and_footer():
    raw = ("<header>Site name</header><article><header><h1>Hip pain</h1></header>"
           "<p>Heat may help.</p><footer>Source: Doe J. Heat and hips. 2019.</footer></article>"
           "<footer>Contact the site owner</footer><div role=\"complementary\">Tip of the week</div>")
    doc = document_from_text(raw, "page.html", "html")
    assert [(doc.text[b.start:b.end], b.scope) for b in doc.blocks] == [
        ("Site name", "header"), ("Hip pain", "heading"), ("Heat may help.", "body"),
        ("Source: Doe J. Heat and hips. 2019.", "body"), ("Contact the site owner", "footer"),
        ("Tip of the week", "aside"),
    ]


def test_a_claim_repeated_on_the_page_keeps_its_first_occurrence():
    raw = ("<p>Proven to halve knee pain.</p>\n<p>Details about sessions.</p>\n"
           "<p>Proven to halve knee pain.</p>")
    doc = document_from_text(raw, "page.html", "html")
    assert block_texts(doc) == ["Proven to halve knee pain.", "Details about sessions."]
    assert doc.line_col(doc.text.index("Proven")) == (1, 4)


def test_inline_and_custom_elements_stay_in_their_sentence():
    raw = "<p>Sessions are <my-tooltip>usually</my-tooltip> <strong>short</strong>.</p>"
    doc = document_from_text(raw, "page.html", "html")
    assert block_texts(doc) == ["Sessions are usually short."]


@pytest.mark.parametrize("html", [
    # A quote opens an attribute value only after "=": here the tag ends at the first ">".
    "<p>Walking <r '>eases'> stiff knees.</p>",
    # Markup-like text inside a title is text, as the parser reads it.
    "<html><head><title>Knee <b>guide</title></head><body><p>Walking eases stiff knees.</p></body></html>",
    # The empty comments end where the parser ends them.
    "<p>Walking<!-->eases stiff knees.</p>",
    # A numeric reference to a control character is kept, as the parser keeps it.
    "<p>Walk &#1; daily: walking eases stiff knees.</p>",
])
def test_odd_markup_keeps_every_word_at_its_place_in_the_file(html):
    doc = document_from_text(html, name="odd.html", media_type="html")
    at = doc.text.index("eases")
    assert doc.raw[doc.raw_offset(at):doc.raw_offset(at) + 5] == "eases"
