"""The HTML report of a whole site: one compact data island, rows rendered a page at a time.

A small audit's report has every row, detail and copy view written into the page;
above ``SERVER_ROWS_LIMIT`` claims the page's script renders them from the data
island. Both must read the same, so the same audit is rendered both ways here and
compared row by row in Chromium. The large results are built directly from
findings (as ``report_samples`` does), not by auditing a thousand pages.

Needs ``playwright`` (like the other browser tests); the tests in Chromium are
skipped when Debian's ``chromium`` is missing.
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path

import pytest
from browser_support import browser, needs_chromium  # noqa: F401  (browser is a fixture)
from report_samples import SCRIPT, sample_result
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from claimaudit.model import (
    VERDICTS,
    AlignedElement,
    AuditResult,
    Document,
    Evidence,
    Finding,
    NotAudited,
    Reason,
    Source,
)
from claimaudit.report import render_html, write_html
from claimaudit.report.html_report import (
    CHART_DOCUMENTS,
    DOCUMENT_ROWS,
    ISLAND_FIELDS,
    ISLAND_FORMAT,
    ISLAND_VERSION,
    PAGE_SIZE,
    SERVER_ROWS_LIMIT,
)

# What a script-rendered report may weigh per claim, beyond a fixed allowance for the
# page's code and summary. The 1,000-page benchmark site comes to about 600 bytes a claim
# (benchmarks/speed.py --only report); every row written out came to 8,000.
BYTES_PER_CLAIM = 1_200
FIXED_BYTES = 250_000

OUTCOMES = ("inflammation", "pain", "fatigue", "mobility", "sleep", "joint stiffness", "relapse rates")
VERBS = ("reduces", "cures", "improves", "may ease", "reverses")


# --------------------------------------------------------------------------- audits to render


def site_result(claims: int, per_document: int = 20, seed: int = 5) -> AuditResult:
    """A site's audit built from findings: ``claims`` claims over pages of ``per_document``."""
    rng = random.Random(seed)
    sources = [
        Source(id=f"study{n:02d}", summary=f"In {10 + n} adults, the therapy lowered {OUTCOMES[n % 7]} by {n + 5}%.",
               citation=f"Author {n}. A trial of the therapy. Journal of Trials. 2020;{n}:1-9.",
               doi=f"10.5555/trial.{n}")
        for n in range(40)
    ]
    documents: list[Document] = []
    findings: list[Finding] = []
    not_audited: list[NotAudited] = []
    for d in range(-(-claims // per_document)):
        count = min(per_document, claims - d * per_document)
        sentences = []
        for k in range(count):
            outcome = OUTCOMES[(d + k) % len(OUTCOMES)]
            sentences.append(f"Page {d} claim {k}: the therapy {VERBS[(d * 3 + k) % 5]} {outcome} "
                             f"by {rng.randint(10, 90)}% in everyone.")
        text = "Welcome to the clinic.\n" + "\n".join(sentences) + "\nBook a visit today.\n"
        path = f"site/section-{d % 6}/page-{d:04d}.html"
        documents.append(Document(path=path, text=text, raw=text, media_type="html"))
        not_audited += [
            NotAudited(path, "Welcome to the clinic.", 1, "a greeting, not a claim"),
            NotAudited(path, "Book a visit today.", count + 2, "a call to action"),
            NotAudited(path, f"Opening hours for page {d}", count + 3, "a topic heading", scope="heading"),
            NotAudited(path, "Home | Treatments | Contact", 1, "navigation", scope="header"),
        ]
        for k, sentence in enumerate(sentences):
            start = text.index(sentence)
            line, column = documents[-1].line_col(start)
            source = sources[(d * 7 + k) % len(sources)]
            verdict = VERDICTS[(d + 2 * k) % 3]
            evidence = [Evidence(source=source.id, text=source.summary, similarity=round(rng.random(), 3),
                                 start=0, end=len(source.summary))]
            reasons = [] if verdict == "supported" else [Reason(
                rule="figures.inflated", code="CA101", verdict=verdict, family="figures",
                message=f"The claim's figure is larger than {source.id}'s.",
                claim_span=(sentence.index("by "), sentence.index("%") + 1), evidence_source=source.id)]
            findings.append(Finding(
                id=f"p{d:04d}-{k:02d}", document=path, text=sentence, start=start, end=start + len(sentence),
                line=line, column=column, verdict=verdict, confidence=round(rng.random(), 3),
                reasons=reasons, evidence=evidence, suggestion="" if verdict == "supported" else
                f"Quote {source.id}'s own figure.",
                alignment=[AlignedElement("outcome", "matched", sentence.split()[5], OUTCOMES[0], source.id)],
            ))
    return AuditResult(documents=documents, sources=sources, findings=findings, tool_version="0.1.0",
                       not_audited=not_audited)


def reviewed_sample() -> AuditResult:
    """The renderer sample with every optional part of a row filled in somewhere."""
    result = sample_result()
    by_id = {f.id: f for f in result.findings}
    result.review = {"workbook": "reviewed.xlsx", "gone": []}
    by_id["site-0114"].review = {"status": "carried", "decision": "Reject", "comment": "Too strong.",
                                 "reviewer": "Dana Reviewer", "date": "2025-05-06", "note": ""}
    by_id["site-0185"].review = {"status": "re-review", "decision": "Approve", "comment": "",
                                 "reviewer": "Dana Reviewer", "date": "2025-05-06",
                                 "note": "The verdict was overstated when this was approved."}
    by_id["claims-0000"].review = {"status": "new", "decision": "", "comment": "", "reviewer": "", "date": "",
                                   "note": ""}
    by_id["site-0114"].register_id = "C-001"
    by_id["site-0114"].library = {"id": "C-012", "status": "deviates", "approved_text":
                                  "Stem cells cut inflammation by up to 20% in some patients.",
                                  "differences": ["figure 20% → 60%", f"population {SCRIPT}"],
                                  "approved_by": "Legal team", "approved_on": "2024-03-01"}
    by_id["site-0185"].register_id = "C-002"
    by_id["site-0185"].library = {"id": "C-013", "status": "approved", "approved_by": "Medical",
                                  "approved_on": "2024-04-02", "expires_on": "2027-01-01"}
    by_id["claims-0157"].library = {"id": "C-020", "status": "expired", "approved_on": "2022-01-01",
                                    "expires_on": "2024-01-01"}
    by_id["site-0114"].alignment = [
        AlignedElement("outcome", "matched", "inflammation", "inflammation", "rodent2021"),
        AlignedElement("population", "contradicted", "every patient", "rats", "rodent2021", clause="first"),
        AlignedElement("figure", "weaker", "up to 60%", "20-30%", "rodent2021", meaning=0.625),
    ]
    by_id["site-0338"].url = "https://example.org/ms-care?a=1&b=<2>"
    by_id["site-0338"].fetched_at = "2025-01-02T03:04:05Z"
    paged = by_id["site-0114"]
    paged.evidence = [replace(paged.evidence[0], page=3), *paged.evidence[1:]]
    # A character beyond U+FFFF counts twice in the page's script: offsets must still line up.
    text = "Our 🙂 clinic heals 😀 everyone in a day. Book now.\n"
    claim = "clinic heals 😀 everyone in a day."
    start = text.index(claim)
    result.documents.append(Document(path="site/emoji.html", text=text, raw=text, media_type="html"))
    result.findings.append(Finding(
        id="emoji-1", document="site/emoji.html", text=claim, start=start, end=start + len(claim), line=1,
        column=start + 1, verdict="unsupported", confidence=0.625, claim_type="efficacy",
        reasons=[Reason(rule="certainty.boosted", code="CA201", message="No source says 😀 heals.",
                        verdict="unsupported", claim_span=(claim.index("heals"), claim.index("heals") + 5))],
        register_id="C-003",
    ))
    result.not_audited = [
        NotAudited("site/ms-care.html", "Call us today on 555-0100.", 9, "a call to action"),
        NotAudited("site/emoji.html", "Book now.", 1, f"a call to action {SCRIPT}"),
        NotAudited("claims/deck.csv", "Our clinic", 2, "a topic heading", scope="heading"),
    ]
    return result


def island_of(html: str) -> dict:
    return json.loads(HTMLParser(html).css_first("script#audit-data").text())


# --------------------------------------------------------------------------- the page without a browser


@pytest.fixture(scope="module")
def large_html() -> str:
    return render_html(site_result(2_000))


def test_a_large_audit_stays_within_a_byte_budget_proportional_to_its_claims(large_html):
    size = len(large_html.encode("utf-8"))
    assert size < FIXED_BYTES + 2_000 * BYTES_PER_CLAIM, f"{size:,} bytes for 2,000 claims"


def test_a_large_audit_leaves_its_rows_details_and_copy_to_the_script(large_html):
    tree = HTMLParser(large_html)
    table = tree.css_first("#claims-table")
    assert table.attributes["data-rows"] == "script"
    assert int(table.attributes["data-page-size"]) == PAGE_SIZE
    assert not tree.css("tbody.finding") and not tree.css("tr.detail")
    assert not tree.css("article.document") and tree.css_first("#copy-view") is not None
    assert tree.css_first("#not-audited-table").attributes["data-rows"] == "script"
    assert not tree.css("#not-audited-rows tr")
    assert len(tree.css("nav.pager[data-for=claims-table]")) == 2
    island = island_of(large_html)
    assert len(island["claims"]["rows"]) == 2_000
    assert "Showing 2000 of 2000 claims." in tree.css_first("#filter-status").text()


def test_a_small_audit_keeps_every_row_in_the_page_and_the_same_island():
    result = sample_result()
    tree = HTMLParser(render_html(result))
    assert tree.css_first("#claims-table").attributes["data-rows"] == "server"
    assert len(tree.css("tbody.finding")) == len(result.findings) <= SERVER_ROWS_LIMIT
    assert len(tree.css("article.document")) == len(result.documents)
    assert not tree.css("nav.pager")
    island = island_of(render_html(result))
    assert island == island_of(render_html(result, server_rows_limit=0))


def test_the_island_is_versioned_and_names_its_fields(large_html):
    island = island_of(large_html)
    assert island["format"] == ISLAND_FORMAT and island["version"] == ISLAND_VERSION
    assert island["strings"][0] == ""
    for name, fields in ISLAND_FIELDS.items():
        assert island[name]["fields"] == list(fields)
        assert all(len(row) == len(fields) for row in island[name]["rows"])


def test_repeated_text_is_stored_once(large_html):
    island = island_of(large_html)
    strings = island["strings"]
    assert len(strings) == len(set(strings))
    # 2,000 claims cite 40 sources: each source's sentence and citation is there once.
    assert len(island["sources"]["rows"]) == 40
    at = island["claims"]["fields"].index("evidence")
    evidence_texts = {item[1] for row in island["claims"]["rows"] for item in row[at]}
    assert len(evidence_texts) == 40


def test_the_island_carries_hostile_text_as_data():
    html = render_html(reviewed_sample())
    block = HTMLParser(html).css_first("script#audit-data")
    assert block.attributes["type"] == "application/json"
    assert "<" not in block.text() and "</script" not in html.split('id="audit-data">', 1)[1].split("</script>")[0]
    island = json.loads(block.text())
    strings = island["strings"]
    text_at = island["claims"]["fields"].index("text")
    texts = {strings[row[text_at]] for row in island["claims"]["rows"]}
    assert f"Patients say {SCRIPT} they feel reborn — “sehr gut” ✓ 改善 & more." in texts
    assert f"population {SCRIPT}" in strings


def test_the_document_chart_shows_the_pages_with_most_problems_and_counts_the_rest(large_html):
    tree = HTMLParser(large_html)
    chart = tree.css_first("#chart-document-title").parent
    assert len(chart.css("text.chart-label")) == CHART_DOCUMENTS
    assert "the 15 with the most problems" in chart.parent.css_first("figcaption").text()
    assert tree.css_first(".chart-note").text().startswith(f"and {100 - CHART_DOCUMENTS} more documents")
    result = site_result(2_000)
    problems = {}
    for finding in result.findings:
        problems[finding.document] = problems.get(finding.document, 0) + (finding.verdict != "supported")
    charted = [title.text().split(":")[0] for title in chart.css("rect > title")]
    worst = max(problems.values())
    assert problems[charted[0]] == worst
    assert min(problems[path] for path in charted) >= sorted(problems.values(), reverse=True)[CHART_DOCUMENTS - 1]


def test_the_list_of_documents_starts_in_the_page_and_offers_a_search(large_html):
    tree = HTMLParser(large_html)
    rows = tree.css("#document-rows tr")
    assert len(rows) == DOCUMENT_ROWS
    assert rows[0].css_first("th a").attributes["href"] == "#doc-1"
    assert tree.css_first("#document-search").attributes["type"] == "search"
    island = island_of(large_html)
    assert len(island["documents"]["rows"]) == 100


def test_register_ids_and_library_matches_show_in_rows_and_details():
    tree = HTMLParser(render_html(reviewed_sample()))
    row = tree.css_first("#row-c-site-0114")
    ids = row.css_first(".claim-ids").text()
    assert "C-001" in ids and "library C-012: deviates" in ids and "figure 20% → 60%" in ids
    assert SCRIPT in ids and not row.css(".claim-ids script")
    detail = tree.css_first("#detail-c-site-0114").text()
    assert "Claims library" in detail
    assert "approved by Legal team on 2024-03-01" in detail
    assert "Approved wording: Stem cells cut inflammation by up to 20% in some patients." in detail
    assert "register id C-001" in detail
    assert "library C-013: approved" in tree.css_first("#row-c-site-0185 .claim-ids").text()
    assert "expires on 2027-01-01" in tree.css_first("#detail-c-site-0185").text()
    expired = tree.css_first("#row-c-claims-0157 .claim-ids")
    assert expired.text() == "library C-020: expired"
    assert "expired on 2024-01-01" in tree.css_first("#detail-c-claims-0157").text()
    assert tree.css_first("#row-c-site-0338 .claim-ids") is None


def test_user_templates_still_override_a_large_report(tmp_path, large_html):
    (tmp_path / "_summary.html.j2").write_text(
        "<header><h1>Our site audit</h1><p>{{ summary.claims }} claims</p></header>\n", encoding="utf-8")
    html = render_html(site_result(2_000), template_dirs=[tmp_path])
    tree = HTMLParser(html)
    assert tree.css_first("h1").text() == "Our site audit"
    assert tree.css_first("#claims-table").attributes["data-rows"] == "script"


# --------------------------------------------------------------------------- in Chromium

def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.problems = []
    page.requests = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(url)
    return page


# The element's tags, attributes and text, whitespace between elements aside: the
# templates indent their markup, the script does not. (A jump's passing highlight aside too.)
SIGNATURE = """element => {
  const copy = element.cloneNode(true);
  copy.normalize();
  copy.classList.remove("flash");
  const out = [];
  const walk = node => {
    if (node.nodeType === Node.ELEMENT_NODE) {
      const attributes = Array.from(node.attributes).map(a => a.name + "=" + a.value).sort();
      out.push("<" + node.tagName.toLowerCase() + " " + attributes.join(" ") + ">");
      node.childNodes.forEach(walk);
      out.push("</" + node.tagName.toLowerCase() + ">");
    } else if (node.nodeType === Node.TEXT_NODE && node.data.trim()) {
      out.push(node.data.replace(/\\s+/g, " ").trim());
    }
  };
  walk(copy);
  return out;
}"""


def rows_as_read(page, result_ids: list[str]) -> list[dict]:
    """Each claim's row and opened details: what a reader sees, and the markup behind it."""
    read = []
    for dom in result_ids:
        page.click(f"#row-{dom} button.toggle-details")
        row, detail = page.locator(f"#row-{dom}"), page.locator(f"#detail-{dom}")
        assert detail.is_visible()
        read.append({
            "body": page.eval_on_selector(f"#finding-{dom}", "b => Array.from(b.attributes).map(a => a.name + '=' + a.value).sort()"),
            "row text": row.inner_text(), "row markup": row.evaluate(SIGNATURE),
            "detail text": detail.inner_text(), "detail markup": detail.evaluate(SIGNATURE),
        })
    return read


@pytest.fixture(scope="module")
def both_ways(tmp_path_factory):
    """The reviewed sample written with its rows in the page, and with the script rendering them."""
    folder = tmp_path_factory.mktemp("both")
    result = reviewed_sample()
    server, script = folder / "server.html", folder / "script.html"
    write_html(result, server)
    write_html(result, script, server_rows_limit=0)
    return result, server.as_uri(), script.as_uri()


@needs_chromium
def test_rows_the_script_renders_read_like_the_rows_written_in_the_page(browser, both_ways):
    result, server_url, script_url = both_ways
    server, script = open_page(browser, server_url), open_page(browser, script_url)
    try:
        dom_ids = server.eval_on_selector_all("tbody.finding", "bodies => bodies.map(b => b.id.slice(8))")
        assert len(dom_ids) == len(result.findings)
        assert script.eval_on_selector_all("tbody.finding", "bodies => bodies.map(b => b.id.slice(8))") == dom_ids
        expected, actual = rows_as_read(server, dom_ids), rows_as_read(script, dom_ids)
        for dom, want, got in zip(dom_ids, expected, actual, strict=True):
            for part in want:
                assert got[part] == want[part], f"{dom}: {part} differs"
        assert "library C-012: deviates" in actual[0]["row text"]
        assert server.problems == [] and script.problems == []
    finally:
        server.close()
        script.close()


@needs_chromium
def test_copy_the_script_builds_reads_like_the_copy_written_in_the_page(browser, both_ways):
    result, server_url, script_url = both_ways
    server, script = open_page(browser, server_url), open_page(browser, script_url)
    try:
        assert script.locator("article.document").count() == 0
        for number in range(1, len(result.documents) + 1):
            dom = f"doc-{number}"
            script.evaluate("id => { location.hash = '#' + id; }", dom)
            script.wait_for_selector(f"#{dom}")
            assert script.locator("article.document").count() == 1  # one document at a time
            want, got = server.locator(f"#{dom}"), script.locator(f"#{dom}")
            assert got.inner_text() == want.inner_text()
            assert got.evaluate(SIGNATURE) == want.evaluate(SIGNATURE)
        assert "😀" in script.locator("#doc-3 mark").inner_text()
        assert script.problems == []
    finally:
        server.close()
        script.close()


@needs_chromium
def test_text_not_audited_the_script_lists_reads_like_the_list_written_in_the_page(browser, tmp_path):
    result = reviewed_sample()
    server, script = tmp_path / "server.html", tmp_path / "script.html"
    write_html(result, server)
    write_html(result, script, server_rows_limit=0)
    pages = [open_page(browser, path.as_uri()) for path in (server, script)]
    try:
        want, got = (page.locator("#not-audited-rows") for page in pages)
        assert got.locator("tr").count() == want.locator("tr").count() == 3
        assert got.inner_text() == want.inner_text()
        assert got.evaluate(SIGNATURE) == want.evaluate(SIGNATURE)
        assert pages[1].problems == []
    finally:
        for page in pages:
            page.close()


@pytest.fixture(scope="module")
def large_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("site") / "audit.html"
    write_html(site_result(2_000), path)
    return path.as_uri()


@pytest.fixture
def site(browser, large_url):
    page = open_page(browser, large_url)
    yield page
    page.close()


def shown_numbers(page) -> list[int]:
    return [int(n) for n in page.locator("tbody.finding tr.main td.num").all_inner_texts()]


def status(page) -> str:
    return page.locator("#filter-status").inner_text()


@needs_chromium
def test_a_large_report_opens_on_its_first_page_offline_and_without_errors(site, large_url):
    assert status(site) == "Showing 2000 of 2000 claims."
    assert shown_numbers(site) == list(range(1, PAGE_SIZE + 1))
    assert site.locator("nav.pager[data-for=claims-table] .page-status").first.inner_text() == "Claims 1–100 of 2000"
    assert site.locator("nav.pager[data-for=claims-table] .page-count").first.inner_text() == "20"
    assert site.problems == [] and site.requests == [large_url]


@needs_chromium
def test_page_controls_turn_the_pages(site):
    site.locator("nav.pager[data-for=claims-table] [data-page=next]").first.click()
    assert shown_numbers(site) == list(range(101, 201))
    site.locator("nav.pager[data-for=claims-table] [data-page=last]").last.click()
    assert shown_numbers(site) == list(range(1901, 2001))
    assert site.locator("nav.pager[data-for=claims-table] [data-page=next]").first.is_disabled()
    page_number = site.locator("nav.pager[data-for=claims-table] .page-number").first
    page_number.fill("7")
    page_number.dispatch_event("change")
    assert shown_numbers(site)[0] == 601
    site.locator("nav.pager[data-for=claims-table] [data-page=first]").first.click()
    assert shown_numbers(site)[0] == 1


@needs_chromium
def test_the_keyboard_moves_on_to_the_next_page_and_back(site):
    last = site.locator("tbody.finding tr.main").last
    last.focus()
    site.keyboard.press("ArrowDown")
    assert shown_numbers(site)[0] == 101
    assert site.evaluate("document.activeElement.querySelector('td.num').textContent") == "101"
    site.keyboard.press("ArrowUp")
    assert site.evaluate("document.activeElement.querySelector('td.num').textContent") == "100"
    site.keyboard.press("PageDown")
    assert site.evaluate("document.activeElement.querySelector('td.num').textContent") == "101"
    site.keyboard.press("Enter")
    detail = site.locator("tr.detail:not([hidden])")
    assert detail.count() == 1 and "Claim 101" in detail.inner_text()


@needs_chromium
def test_filters_and_sorting_run_over_every_claim_not_just_the_page(site):
    result = site_result(2_000)
    site.select_option("#filter-verdict", "overstated")
    overstated = sum(f.verdict == "overstated" for f in result.findings)
    assert status(site) == f"Showing {overstated} of 2000 claims."
    verdicts = site.eval_on_selector_all("tbody.finding", "bodies => bodies.map(b => b.dataset.verdict)")
    assert verdicts == ["overstated"] * PAGE_SIZE
    site.click("#filter-reset")
    site.click("button.sort[data-sort=confidence]")
    lowest = sorted(f.confidence for f in result.findings)[:PAGE_SIZE]
    shown = [float(t) for t in site.locator("tbody.finding tr.main td.score:nth-child(8)").all_inner_texts()]
    assert shown == [float(f"{c:.2f}") for c in lowest]
    site.fill("#filter-text", "no such words")
    assert status(site) == "Showing 0 of 2000 claims."
    site.fill("#filter-text", "p0057-13")
    assert status(site) == "Showing 1 of 2000 claims."
    site.fill("#filter-text", "")
    site.select_option("#filter-document", "42")
    assert status(site) == "Showing 20 of 2000 claims."
    assert set(site.eval_on_selector_all("tbody.finding", "bodies => bodies.map(b => b.dataset.document)")) == {"42"}


@needs_chromium
def test_a_claims_copy_is_built_when_asked_for_and_leads_back_to_its_row(site):
    assert site.locator("article.document").count() == 0
    site.locator("nav.pager[data-for=claims-table] [data-page=next]").first.click()
    site.locator("nav.pager[data-for=claims-table] [data-page=next]").first.click()
    link = site.locator("tbody.finding a.to-copy").nth(5)  # claim 206: page 10, its 6th claim
    target = link.get_attribute("href").lstrip("#")
    link.click()
    site.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=target)
    assert site.locator("article.document").count() == 1
    assert site.locator("article.document h3").inner_text().startswith("site/section-4/page-0010.html")
    row = target.replace("mark-", "row-", 1)
    site.locator("nav.pager[data-for=claims-table] [data-page=first]").first.click()  # the row is no longer on the page
    site.click(f"a.backref[href='#{row}']")
    site.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=row)
    assert site.locator(f"#{row} td.num").inner_text() == "206"


@needs_chromium
def test_following_a_link_to_a_filtered_out_claim_clears_the_filters(site):
    site.select_option("#filter-verdict", "supported")
    site.evaluate("location.hash = '#mark-c-p0003-01'")
    site.wait_for_selector("#mark-c-p0003-01")
    site.click("a.backref[href='#row-c-p0003-01']")
    site.wait_for_function("() => document.activeElement && document.activeElement.id === 'row-c-p0003-01'")
    assert status(site) == "Showing 2000 of 2000 claims."


@needs_chromium
def test_the_list_of_documents_finds_any_document_and_opens_its_copy(site):
    assert site.locator("#document-rows tr").count() == DOCUMENT_ROWS
    site.fill("#document-search", "page-0099")
    rows = site.locator("#document-rows tr")
    assert rows.count() == 1 and rows.first.inner_text().startswith("site/section-3/page-0099.html")
    assert site.locator("#document-status").inner_text() == "1 of 100 documents match “page-0099”."
    rows.first.locator("a").click()
    site.wait_for_selector("#doc-100")
    assert site.locator("#doc-100 h3").inner_text().startswith("site/section-3/page-0099.html (20 claims)")
    site.fill("#document-search", "section-2")
    assert site.locator("#document-status").inner_text() == "17 of 100 documents match “section-2”."
    assert site.locator("#document-rows tr").count() == 17
    site.fill("#document-search", "")
    site.locator("nav.pager[data-for=document-rows] [data-page=next]").click()
    first = site.locator("#document-rows tr").first.inner_text()
    assert first.startswith(f"site/section-{DOCUMENT_ROWS % 6}/page-{DOCUMENT_ROWS:04d}.html")


@needs_chromium
def test_the_text_not_audited_comes_a_page_at_a_time_and_can_be_searched(site):
    rows = site.locator("#not-audited-rows tr")
    assert rows.count() == PAGE_SIZE
    assert site.locator("nav.pager[data-for=not-audited-rows] .page-status").inner_text() == \
        "Pieces of text 1–100 of 400"
    site.fill("#not-audited-search", "opening hours 42")
    assert rows.count() == 1 and "Opening hours for page 42" in rows.first.inner_text()
    assert site.locator("#not-audited-status").inner_text() == "1 of 400 pieces of text match “opening hours 42”."
    site.fill("#not-audited-search", "navigation")
    assert site.locator("#not-audited-status").inner_text().startswith("100 of 400")
    assert rows.count() == PAGE_SIZE
    assert site.locator("nav.pager[data-for=not-audited-rows] [data-page=next]").is_disabled()


@needs_chromium
def test_a_printed_large_report_says_which_claims_it_holds(site):
    note = site.locator("#claims-page-note")
    assert not note.is_visible()  # on screen the page controls say it
    site.select_option("#filter-verdict", "unsupported")
    unsupported = sum(f.verdict == "unsupported" for f in site_result(2_000).findings)
    site.emulate_media(media="print")
    assert not site.locator("nav.pager").first.is_visible()
    assert site.locator("#claims-table tbody.finding").count() == PAGE_SIZE
    assert note.inner_text() == (f"Claims 1–100 of the {unsupported} that match the filters (2000 in the audit) "
                                 "are shown here; the JSON report and the workbook list every claim.")


def test_a_large_report_holds_each_claim_once_and_its_copy_once(large_html):
    """No row is written out: a claim's text is in the island's strings and its page's copy, no more."""
    assert large_html.count("Page 57 claim 13:") == 2


def test_script_rendered_reports_keep_the_strict_content_security_policy(large_html):
    tree = HTMLParser(large_html)
    policy = tree.css_first('meta[http-equiv="Content-Security-Policy"]').attributes["content"]
    assert "default-src 'none'" in policy and "script-src 'sha256-" in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    code = [s for s in tree.css("script") if "type" not in s.attributes][0].text()
    assert "innerHTML" not in code and "insertAdjacentHTML" not in code and "eval(" not in code
