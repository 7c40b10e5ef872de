"""Research summaries inside the copy become sources; the marketing around them stays copy."""

from pathlib import Path

import pytest

from claimaudit.ingest import document_from_text, extract_cited_sources, load_copy
from claimaudit.ingest.cited import citation_id, reads_as_marketing

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
REAL_PAGE = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "stemedix-blog-page.txt"


def excluded(doc, phrase: str) -> bool:
    offset = doc.text.index(phrase)
    return any(span.start <= offset < span.end for span in doc.excluded)


@pytest.fixture()
def blog():
    (doc,) = load_copy(FIXTURES / "research-blog.txt")
    return doc, extract_cited_sources(doc)


def test_each_cited_summary_becomes_a_source(blog):
    doc, sources = blog
    assert [s.id for s in sources] == ["okafor2021", "vanderberg2022", "garcialopez2020"]
    okafor, berg, garcia = sources
    assert (okafor.doi, okafor.pmid) == ("10.5555/jrs.2021.0142", "31234567")
    assert (berg.doi, berg.url) == ("10.5555/ager.2022.077", "https://doi.org/10.5555/ager.2022.077")
    assert garcia.doi == "10.5555/sh.2020.3.41"
    assert okafor.citation.startswith("Okafor N, Lindqvist B")
    assert all(s.kind == "summary" for s in sources)


def test_summary_is_the_section_text_without_headings_or_citation(blog):
    _, sources = blog
    okafor = sources[0]
    assert okafor.summary.startswith("Swelling after knee surgery")
    assert "walking distance did not differ" in okafor.summary
    assert "Study Design" not in okafor.summary
    assert "Source:" not in okafor.summary
    assert "Falls were less frequent in six of the nine trials" in sources[1].summary


def test_origin_points_at_the_start_of_each_section(blog):
    doc, sources = blog
    assert [s.origin for s in sources] == [
        f"{doc.path}:1", f"{doc.path}:17", f"{doc.path}:42"]


def test_summaries_are_excluded_but_the_marketing_page_between_them_is_not(blog):
    doc, _ = blog
    for summary_text in ("Forty adults were randomly assigned", "Falls were less frequent",
                         "No serious side effects were recorded", "Source: Okafor N"):
        assert excluded(doc, summary_text)
    for copy_text in ("How Larkspur Clinic Helps You Move Again",
                      "we design recovery plans around your goals",
                      "proven to restore full mobility", "Call us on (555) 123-4567"):
        assert not excluded(doc, copy_text)


def test_extracting_twice_does_not_duplicate_exclusions(blog):
    doc, _ = blog
    before = list(doc.excluded)
    extract_cited_sources(doc)
    assert doc.excluded == before


def test_marketing_block_stops_a_section_when_titles_are_not_repeated():
    (doc,) = load_copy(FIXTURES / "research-blog.html")
    sources = extract_cited_sources(doc)
    assert [s.id for s in sources] == ["okafor2021", "garcialopez2020"]
    assert sources[1].url == "https://doi.org/10.5555/sh.2020.3.41"
    assert not excluded(doc, "restores full mobility in just three sessions")
    assert not excluded(doc, "Results You Can Feel")
    assert excluded(doc, "Heat Therapy for Chronic Back Pain")
    assert sources[1].summary.startswith("García-López and co-workers")


_DOUBLED_TITLE_PAGE = [
    ("Knee Study", "Knee Study", "Cold packs eased swelling in a small trial.",
     "Source: Ito H. Cold packs and knees. 2020."),
    ("Heat Therapy Explained", "Heat Therapy Explained", "Heat therapy cures arthritis in weeks."),
    ("Hip Study", "Hip Study", "Heat wraps gave modest relief in older adults.",
     "Source: Kaur S. Heat wraps for hips. 2021."),
]


def _as_text(articles):
    return "\n\n".join(part for article in articles for part in article)


def _as_markdown(articles):
    return "\n\n".join(f"# {a[0]}\n\n## {a[1]}\n\n" + "\n\n".join(a[2:]) for a in articles)


def _as_html(articles):
    return "\n".join(f"<h1>{a[0]}</h1>\n<h2>{a[1]}</h2>\n" + "".join(f"<p>{p}</p>" for p in a[2:])
                     for a in articles)


@pytest.mark.parametrize("render, media_type", [
    (_as_text, "text"), (_as_markdown, "markdown"), (_as_html, "html")])
def test_article_printed_with_a_doubled_title_starts_a_new_section(render, media_type):
    # The uncited explainer has no marketing voice; only its doubled title
    # shows that it is a separate article and not part of the hip summary.
    doc = document_from_text(render(_DOUBLED_TITLE_PAGE), "page", media_type)
    sources = extract_cited_sources(doc)
    assert [s.id for s in sources] == ["ito2020", "kaur2021"]
    assert sources[1].summary == "Heat wraps gave modest relief in older adults."
    assert not excluded(doc, "Heat therapy cures arthritis in weeks.")
    assert not excluded(doc, "Heat Therapy Explained")


def test_same_author_and_year_get_letter_suffixes():
    text = ("Smith J, Doe K. Heat and knees. 2020.\n\n"
            "Heat eased knee pain a little.\n\nSource: Smith J, Doe K. Heat and knees. 2020.\n\n"
            "Cold and knees\n\nCold eased swelling a little.\n\n"
            "Source: Smith J. Cold and knees. J Knee. 2020;2:1-9.\n")
    doc = document_from_text(text, "page.txt")
    assert [s.id for s in extract_cited_sources(doc)] == ["smith2020a", "smith2020b"]


def test_bare_source_label_takes_the_reference_in_the_next_block():
    text = ("Heat Wraps\n\nHeat use was linked to better comfort.\n\nReferences:\n\n"
            "Lee A, Park B. Heat wraps in practice. Pain Rep. 2019;4:e701. PMID: 30999999\n")
    doc = document_from_text(text, "page.txt")
    (source,) = extract_cited_sources(doc)
    assert (source.id, source.pmid) == ("lee2019", "30999999")
    assert excluded(doc, "Lee A, Park B")


def test_a_bibliography_of_several_references_is_not_one_summary():
    text = ("Our Therapy\n\nOur therapy is proven to work for everyone.\n\nReferences:\n\n"
            "Lee A. Heat wraps. 2019.\n\nKim B. Cold packs. 2018.\n")
    doc = document_from_text(text, "page.txt")
    assert extract_cited_sources(doc) == []
    assert not excluded(doc, "proven to work for everyone")


def test_a_citation_after_marketing_only_excludes_the_citation_line():
    text = ("Visit Us\n\nCall our team today on 555-010-2030 for a free consultation.\n\n"
            "Source: Lee A. Heat wraps in practice. 2019.\n")
    doc = document_from_text(text, "page.txt")
    assert extract_cited_sources(doc) == []
    assert not excluded(doc, "Call our team today")
    assert excluded(doc, "Source: Lee A.")


@pytest.mark.parametrize("citation, expected", [
    ("Tambe P, Undale V. Some title. Journal. 2024 Oct;127:107087.", "tambe2024"),
    ("Liu, Y., Zhao, C. et al. Some title. Stem Cell Res Ther 15, 343 (2024).", "liu2024"),
    ("Montoto-Meijide R, Díaz-Prado SM. Some title. 2023 Jul 20;24(14):11719.",
     "montotomeijide2023"),
    ("O’Neill K, Lee J. Title. 2010.", "oneill2010"),
    ("J. Smith and K. Jones (2019). Title.", "smith2019"),
    ("Van der Berg, A. Title. 2022. doi: 10.5555/x.1999.1", "vanderberg2022"),
    ("A Study Without Authors. 2021.", "source2021"),
])
def test_citation_ids(citation, expected):
    assert citation_id(citation) == expected


@pytest.mark.parametrize("text, marketing", [
    ("At Acme Clinic, we tailor care to you.", True),
    ("Contact us to learn more.", True),
    ("Email hello@acme.example for details.", True),
    ("Call 555-123-4567.", True),
    ("Our team and our doctors care.", True),
    ("The authors report that the cells survived for four weeks.", False),
    ("Researchers in the US enrolled 40 adults.", False),
])
def test_marketing_voice(text, marketing):
    assert reads_as_marketing(text) is marketing


@pytest.mark.skipif(not REAL_PAGE.exists(), reason="shared corpus not available")
def test_real_clinic_page_yields_its_four_research_summaries():
    (doc,) = load_copy(REAL_PAGE)
    sources = extract_cited_sources(doc)
    assert [(s.id, s.doi, s.pmid) for s in sources] == [
        ("tambe2024", "10.1016/j.parkreldis.2024.107087", "39142905"),
        ("liu2024", "10.1186/s13287-024-03914-x", ""),
        ("montotomeijide2023", "10.3390/ijms241411719", "37511478"),
        ("zhao2022", "10.1016/j.jot.2022.09.008", "36313533"),
    ]
    # every summary is excluded from auditing ...
    for source in sources:
        assert excluded(doc, source.summary[:80])
    # ... but the uncited MS marketing page between the second and third stays copy
    ms_title = doc.text.index("Multiple Sclerosis")
    assert doc.line_col(ms_title)[0] == 112
    assert not excluded(doc, "Multiple Sclerosis")
    for block in doc.blocks:
        text = doc.text[block.start:block.end]
        if "Stemedix" in text or "multiple sclerosis" in text.lower():
            assert not excluded(doc, text), text[:60]
    assert not any("Stemedix" in s.summary or "sclerosis" in s.summary.lower() for s in sources)
    # the sign-up widgets at the end are not copy either
    assert "Request Information Packet" not in doc.text
    assert "Subscribe To Our Newsletter" not in doc.text


def test_sources_collected_from_several_pages_have_unique_ids():
    from claimaudit.ingest import collect_cited_sources

    first = document_from_text(
        "Knee Study\n\nCold packs eased swelling.\n\nSource: Ito H. Cold packs. 2020. "
        "doi: 10.5555/a.1\n", "one.txt")
    second = document_from_text(
        "Knee Study Again\n\nThe same trial, retold.\n\nSource: Ito H. Cold packs. 2020. "
        "doi: 10.5555/a.1\n\nOther Study\n\nA different paper by the same author.\n\n"
        "Source: Ito H. Warm packs. 2020. doi: 10.5555/b.2\n", "two.txt")
    sources = collect_cited_sources([first, second])
    assert [(s.id, s.doi) for s in sources] == [
        ("ito2020a", "10.5555/a.1"), ("ito2020b", "10.5555/b.2")]
    # both pages still have their summaries excluded from auditing
    assert excluded(second, "The same trial, retold.")


def test_claims_tables_never_hold_cited_summaries(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("claim\nSource: Ito H. Cold packs. 2020.\n", encoding="utf-8")
    (doc,) = load_copy(path)
    assert extract_cited_sources(doc) == []
    assert doc.excluded == []
