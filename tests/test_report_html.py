"""The HTML report is safe to open, self-contained, complete and points at the right words."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re

import pytest
from jinja2 import UndefinedError
from report_samples import SCRIPT, sample_result
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from claimaudit.model import AuditResult, Document, Finding
from claimaudit.report import render_html, write_html
from claimaudit.report.html_report import make_environment


@pytest.fixture(scope="module")
def html() -> str:
    return render_html(sample_result())


@pytest.fixture(scope="module")
def tree(html) -> HTMLParser:
    return HTMLParser(html)


def as_parsed(text: str) -> str:
    """Text as any HTML parser hands it back: carriage returns become line feeds."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def finding_bodies(tree):
    return tree.css("tbody.finding")


def copy_text(tree, doc_index: int) -> str:
    """The copy as a reader sees it, without the little links back to the table."""
    node = tree.css(".document .copy-text")[doc_index]
    clone = HTMLParser(node.html)
    for backref in clone.css("a.backref"):
        backref.decompose()
    return clone.css_first(".copy-text").text(deep=True)


# --------------------------------------------------------------------------- safety


def test_hostile_text_is_escaped_not_executed(html, tree):
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    scripts = tree.css("script")
    assert len(scripts) == 2  # the data block and our own code
    assert all("alert(1)" not in s.text() or s.attributes.get("type") == "application/json"
               for s in scripts)


def test_no_link_uses_a_script_url(tree):
    hrefs = [a.attributes.get("href") or "" for a in tree.css("[href]")]
    assert hrefs
    unsafe = ("javascript:", "data:", "vbscript:")
    assert not [h for h in hrefs if h.strip().lower().startswith(unsafe)]
    # The unsafe source URL is shown as text only.
    assert "javascript:alert(1)" in tree.css_first("#sources").text()


def test_embedded_data_round_trips_hostile_text(tree):
    block = tree.css_first("script#audit-data")
    assert block.attributes["type"] == "application/json"
    assert "</script" not in block.text().lower()
    island = json.loads(block.text())  # the page's data island
    text_at = island["claims"]["fields"].index("text")
    texts = {island["strings"][row[text_at]] for row in island["claims"]["rows"]}
    assert texts == {as_parsed(f.text) for f in sample_result().findings}


def test_report_is_self_contained(html, tree):
    assert not tree.css("link[rel=stylesheet]") and not tree.css("link")
    assert not tree.css("script[src]") and not tree.css("img[src]") and not tree.css("iframe")
    for node in tree.css("[src]"):
        assert not node.attributes["src"].startswith(("http:", "https:", "//"))
    assert "@import" not in html and "url(" not in tree.css_first("style").text()
    assert "@media print" in tree.css_first("style").text()


def test_content_security_policy_allows_only_the_inline_code(tree):
    policy = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert "default-src 'none'" in policy

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()

    code = [s for s in tree.css("script") if "type" not in s.attributes][0].text()
    style = tree.css_first("style").text()
    assert f"script-src 'sha256-{digest(code)}'" in policy
    assert f"style-src 'sha256-{digest(style)}'" in policy
    # Inline handlers would be blocked by that policy, so there must be none.
    assert not [n for n in tree.css("*") if any(a.startswith("on") for a in n.attributes)]
    assert not tree.css("[style]")


def test_user_template_values_are_escaped_too(tmp_path):
    (tmp_path / "_summary.html.j2").write_text(
        "<header><h1>Our audit</h1><p class='version'>{{ tool.version }}</p></header>\n",
        encoding="utf-8",
    )
    result = sample_result()
    result.tool_version = SCRIPT
    html = render_html(result, template_dirs=[tmp_path])
    assert "<h1>Our audit</h1>" in html
    assert "<script>alert" not in html
    # Everything not overridden still comes from the packaged templates.
    assert 'id="claims-table"' in html


# --------------------------------------------------------------------------- completeness


def test_header_counts_verdicts_families_and_documents(tree):
    counts = {
        node.css_first(".count-label").text(): int(node.css_first(".count-number").text())
        for node in tree.css(".counts .count")
    }
    assert counts == {"supported": 3, "overstated": 3, "unsupported": 5}
    titles = " ".join(t.text() for t in tree.css("svg > title"))
    assert "unsupported 5" in titles and "establishment 2" in titles
    assert "claims/deck.csv 6" in titles
    assert len(tree.css("svg rect")) >= 3
    assert tree.css_first(".meta").text().startswith("claimaudit 0.1.0")


def test_every_finding_has_a_row_with_its_verdict_and_text(tree):
    result = sample_result()
    bodies = finding_bodies(tree)
    assert len(bodies) == len(result.findings)
    by_text = {as_parsed(f.text): f for f in result.findings}
    for body in bodies:
        claim = body.css_first(".claim-text").text()
        finding = by_text[claim]
        assert body.attributes["data-verdict"] == finding.verdict
        assert body.css_first(".badge").text() == finding.verdict


def test_rows_show_rule_code_name_message_evidence_and_scores(tree):
    first = finding_bodies(tree)[0].css_first("tr.main")
    reasons = first.css_first("td.reasons").text()
    assert "CA101" in reasons and "figures.inflated" in reasons
    assert "60% is larger than the source's 20-30%." in reasons
    assert "rodent2021" in first.css_first("td.evidence").text()
    scores = [td.text().strip() for td in first.css("td.score")]
    assert scores == ["0.71", "0.82"]
    assert "In rat studies" in first.css_first("td.suggestion").text()


def test_sources_link_to_doi_and_pubmed_only_when_valid(tree):
    links = [a.attributes["href"] for a in tree.css("#sources a")]
    assert "https://doi.org/10.1000/jen.2021.045" in links
    assert "https://pubmed.ncbi.nlm.nih.gov/31234567/" in links
    assert "https://example.org/outcomes?year=2023&kind=recovery" in links
    assert not any("not-a-pmid" in link for link in links)


def test_fired_rules_are_explained_even_when_their_definition_is_missing(tree):
    rules = tree.css_first("#rules").text()
    for code in ("CA101", "CA201", "CA301", "CA401", "CA501", "CA601", "CA901", "CA1001"):
        assert code in rules
    assert "Quote the source's own figure" in rules


def test_filters_offer_every_verdict_family_and_document(tree):
    def options(select_id):
        return [o.attributes["value"] for o in tree.css(f"#{select_id} option")]

    assert options("filter-verdict") == ["", "supported", "overstated", "unsupported"]
    assert set(options("filter-family")) == {
        "", "business", "certainty", "establishment", "figures", "regulatory", "safety",
        "scope", "testimonials",
    }
    assert options("filter-document") == ["", "0", "1"]
    families = finding_bodies(tree)[0].attributes["data-families"].split()
    assert families == ["figures", "scope"]


# --------------------------------------------------------------------------- highlighting


def test_copy_is_shown_whole_with_each_claim_marked_in_its_verdict_colour(tree):
    result = sample_result()
    for index, doc in enumerate(result.documents):
        assert copy_text(tree, index) == as_parsed(doc.text)
    rows = {b.css_first("tr.main").attributes["id"]: b for b in finding_bodies(tree)}
    for body in rows.values():
        link = body.css_first("a.to-copy")
        mark = tree.css_first(link.attributes["href"])
        assert mark.tag == "mark"
        assert mark.text() == body.css_first(".claim-text").text()
        assert f"v-{body.attributes['data-verdict']}" in mark.attributes["class"]


def test_copy_links_back_to_each_table_row(tree):
    backrefs = tree.css("a.backref")
    assert len(backrefs) == 11
    for backref in backrefs:
        row = tree.css_first(backref.attributes["href"])
        assert row is not None and row.tag == "tr" and "main" in row.attributes["class"]


def test_details_highlight_the_words_that_fired_and_the_shared_words(tree):
    detail = finding_bodies(tree)[0].css_first("tr.detail")
    claim_pane, evidence_pane = detail.css(".pane .passage")
    assert [s.text() for s in claim_pane.css(".hl-fired")] == ["up to 60%", "every patient"]
    assert "inflammation" in [s.text() for s in claim_pane.css(".hl-shared")]
    assert [s.text() for s in evidence_pane.css(".hl-fired")] == ["In rats", "20-30%"]
    assert "inflammation" in [s.text() for s in evidence_pane.css(".hl-shared")]
    # Highlighting never changes the text itself.
    assert claim_pane.text() == sample_result().findings[-1].text


def test_hostile_span_is_highlighted_as_text(tree):
    body = [b for b in finding_bodies(tree) if SCRIPT in b.css_first(".claim-text").text()][0]
    fired = body.css_first("tr.detail .hl-fired")
    assert fired.text() == SCRIPT
    assert not fired.css("script")


def overlapping_result() -> AuditResult:
    text = "Alpha beta gamma delta. Epsilon zeta."
    doc = Document(path="page.txt", text=text, raw=text)

    def finding(fid, start, end, verdict):
        return Finding(id=fid, document="page.txt", text=text[start:end], start=start, end=end,
                       line=1, column=start + 1, verdict=verdict, confidence=0.5)

    return AuditResult(
        documents=[doc], sources=[],
        findings=[
            finding("outer", 0, 23, "overstated"),
            finding("inner", 6, 16, "unsupported"),
            finding("same-start", 0, 10, "supported"),
            finding("bad-offsets", 500, 600, "unsupported"),
        ],
        tool_version="0.1.0",
    )


def test_overlapping_claims_each_get_a_target_and_the_text_survives():
    tree = HTMLParser(render_html(overlapping_result()))
    assert copy_text(tree, 0) == "Alpha beta gamma delta. Epsilon zeta."
    for fid in ("outer", "inner", "same-start"):
        target = tree.css_first(f"#mark-c-{fid}")
        assert target is not None, fid
    # The most severe verdict wins where claims overlap.
    inner = tree.css_first("#mark-c-inner")
    assert "v-unsupported" in inner.attributes["class"] and inner.text().startswith("beta")
    # A finding whose offsets miss the text keeps its row but offers no jump.
    row = tree.css_first("#row-c-bad-offsets")
    assert row is not None and row.css_first("a.to-copy") is None
    ids = [n.attributes["id"] for n in tree.css("[id]")]
    assert len(ids) == len(set(ids))


def test_excluded_summaries_are_shown_but_set_apart():
    result = overlapping_result()
    from claimaudit.model import Span

    result.documents[0].excluded = [Span(24, 37)]
    tree = HTMLParser(render_html(result))
    assert tree.css_first(".copy-text .excluded").text() == "Epsilon zeta."


# --------------------------------------------------------------------------- usability


def test_rows_are_focusable_and_controls_are_real_buttons(tree):
    for body in finding_bodies(tree):
        row = body.css_first("tr.main")
        assert row.attributes["tabindex"] == "0"
        toggle = body.css_first(".toggle-details")
        assert toggle.tag == "button" and toggle.attributes["type"] == "button"
        assert toggle.attributes["aria-expanded"] == "false"
        assert tree.css_first("#" + toggle.attributes["aria-controls"]) is not None
    sorters = tree.css("th button.sort")
    assert len(sorters) == 9
    assert all(b.attributes["type"] == "button" for b in sorters)
    assert {b.attributes["data-sort"] for b in sorters} >= {"verdict", "claim", "confidence"}


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_colour_pairs_meet_wcag_aa_contrast(tree):
    css = tree.css_first("style").text()
    colours = dict(re.findall(r"--([a-z-]+):\s*(#[0-9a-fA-F]{6})", css))
    pairs = [name[:-3] for name in colours if name.endswith("-fg")]
    assert {"supported", "overstated", "unsupported", "mark-overstated", "fired"} <= set(pairs)
    for name in pairs:
        light, dark = sorted((_luminance(colours[f"{name}-fg"]), _luminance(colours[f"{name}-bg"])))
        ratio = (dark + 0.05) / (light + 0.05)
        assert ratio >= 4.5, f"{name}: contrast {ratio:.2f}"


# --------------------------------------------------------------------------- files


def test_render_is_deterministic(tmp_path):
    assert render_html(sample_result()) == render_html(sample_result())
    write_html(sample_result(), tmp_path / "a.html")
    write_html(sample_result(), tmp_path / "b.html")
    assert (tmp_path / "a.html").read_bytes() == (tmp_path / "b.html").read_bytes()


def test_broken_template_leaves_the_old_report_in_place(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "_claims.html.j2").write_text("{{ no_such_variable.anything }}", encoding="utf-8")
    target = tmp_path / "out" / "audit.html"
    target.parent.mkdir()
    target.write_text("old report", encoding="utf-8")
    with pytest.raises(UndefinedError):
        write_html(sample_result(), target, template_dirs=[templates])
    assert target.read_text(encoding="utf-8") == "old report"
    assert os.listdir(target.parent) == ["audit.html"]


def test_autoescaping_is_on_for_html_and_j2_templates():
    env = make_environment()
    assert env.autoescape("report.html.j2") and env.autoescape("x.html") and env.autoescape(None)
    assert not env.autoescape("report.js") and not env.autoescape("report.css")


def test_empty_audit_renders_a_readable_page():
    tree = HTMLParser(render_html(AuditResult(documents=[], sources=[], findings=[])))
    assert "No claims were found" in tree.body.text()
    assert "No sources were provided" in tree.body.text()


def test_evidence_span_for_another_source_is_not_drawn_on_the_best_evidence():
    result = sample_result()
    first = next(f for f in result.findings if f.id == "site-0114")
    first.reasons[0].evidence_source = "safety2022"  # span no longer belongs to evidence[0]
    tree = HTMLParser(render_html(result))
    evidence_pane = tree.css_first("#detail-c-site-0114 .pane:nth-child(2) .passage")
    assert [s.text() for s in evidence_pane.css(".hl-fired")] == ["In rats"]


def test_unsupported_claims_show_their_closest_evidence(tree):
    heading = tree.css_first("#detail-c-site-0185 .pane:nth-child(2) h3").text()
    assert heading.startswith("Closest evidence: rodent2021")
    heading = tree.css_first("#detail-c-site-0114 .pane:nth-child(2) h3").text()
    assert heading.startswith("Best evidence: rodent2021")
