"""Hostile text and hostile addresses through every report a reviewer files, read back by the
tools a reviewer uses: the workbook (openpyxl, our own reviewed-workbook reader, the review
round trip), the CSV register, and the HTML report with its rows written in the page and with
its rows rendered by the page's script (in Chromium). Sign-off roles and decisions that do not
count reach the HTML report, on screen and on paper.

The browser and print tests need ``playwright`` and Chromium, as the other browser tests do.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import zipfile
from copy import deepcopy
from pathlib import Path

import openpyxl
import pytest
from browser_support import browser, needs_chromium  # noqa: F401  (browser is a fixture)
from openpyxl.utils import get_column_letter
from report_samples import sample_result
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from claimaudit.model import AuditResult, Evidence, Reason, Source
from claimaudit.report import render_claims_csv, render_html, render_xlsx, write_html, write_xlsx
from claimaudit.report.csv_export import neutralise
from claimaudit.report.xlsx_report import EXCEL_CELL_LIMIT, READABLE_PRINT_SCALE, print_scale
from claimaudit.verdicts.review import apply_review, read_review

ROOT = Path(__file__).resolve().parents[1]
ROLES = ("Medical", "Legal", "Regulatory")
SIGNED = "2025-03-01"

# Text that a spreadsheet would run, that breaks XML or HTML, that XML 1.0 cannot hold, or that
# is legal but odd. Each becomes the start of a claim (and its suggestion, reason and register id).
HOSTILE_TEXTS = (
    "=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n=1+1", "＝1+1", "＋1", "－1", "＠SUM(A1)",
    'a < b > c & d "q" \'s\' ]]> <![CDATA[x]]>', "</t></is></c><c><f>1+1</f></c>",
    "</script><script>alert(1)</script> <!-- <script>",
    "nul\x00 bell\x07 escape\x1b", "lone \ud800 high and \udfff low", "not characters \ufffe\uffff",
    "line\u2028separator\u2029paragraph", "emoji 😀🚀 and 𝔘", "next\u0085line", " spaced out ",
)
# What a cell keeps of each: line breaks as line feeds, what XML cannot hold as U+FFFD.
KEPT = {
    "\r=1+1": "\n=1+1",
    "nul\x00 bell\x07 escape\x1b": "nul\ufffd bell\ufffd escape\ufffd",
    "lone \ud800 high and \udfff low": "lone \ufffd high and \ufffd low",
    "not characters \ufffe\uffff": "not characters \ufffd\ufffd",
}
HOSTILE_URLS = (
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "file:///etc/passwd", "data:text/html,<script>alert(1)</script>",
    "https://example.org/a\"b'c<d>", "http://example.org/?q=1&r=<2>", " javascript:alert(1)",
    "https:alert(1)", "vbscript:msgbox(1)",
)
SAFE_URLS = {"https://example.org/a\"b'c<d>", "http://example.org/?q=1&r=<2>"}
ODD_SOURCE_ID = "it's \"odd\"!A1"


def hostile_result() -> AuditResult:
    """The renderer sample with one claim per hostile text, each in every free-text field."""
    result = sample_result()
    template = next(f for f in result.findings if f.id == "site-0114")
    page = result.documents[0]
    result.sources.append(Source(id=ODD_SOURCE_ID, summary="The odd source's summary.",
                                 citation="=HYPERLINK(\"http://x\",\"y\")", url="javascript:alert(2)"))
    findings = []
    for number, text in enumerate(HOSTILE_TEXTS):
        finding = deepcopy(template)
        finding.id = f"hostile-{number:02d}"
        finding.text = f"{text} claim {number}"
        finding.suggestion = text
        finding.register_id = text
        finding.reasons[0].message = text
        finding.url = HOSTILE_URLS[number % len(HOSTILE_URLS)]
        finding.start = finding.end = number  # placed at the top of the page: no mark in its copy
        finding.document = page.path
        findings.append(finding)
    findings[1].evidence = [Evidence(source=ODD_SOURCE_ID, text="=1+1 the odd source's sentence.", similarity=0.5)]
    result.findings = findings
    return result


def kept(text: str) -> str:
    return KEPT.get(text, text)


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def headers(ws) -> dict[str, int]:
    return {cell.value: cell.column for cell in ws[1]}


def rows_by_id(ws) -> dict[str, int]:
    column = headers(ws)["ID"]
    return {ws.cell(row=r, column=column).value: r for r in range(2, ws.max_row + 1)}


def fill(source: Path, target: Path, cells: dict[str, dict[str, object]]) -> Path:
    """Play the reviewer: write cells by claim ID and column header, as text where text, and save."""
    book = openpyxl.load_workbook(source)
    ws = book["Claims"]
    columns, rows = headers(ws), rows_by_id(ws)
    for claim_id, values in cells.items():
        for name, value in values.items():
            cell = ws.cell(row=rows[claim_id], column=columns[name])
            cell.value = value
            if isinstance(value, str):
                cell.data_type = "s"  # as typed: "=..." or a date typed as text stays text
    book.save(target)
    return target


# --------------------------------------------------------------------------- the workbook


def test_hostile_text_is_stored_as_text_and_every_reader_reads_it_back(tmp_path):
    result = hostile_result()
    path = write_xlsx(result, tmp_path / "audit.xlsx")
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name
    book = openpyxl.load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate)
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate)
    ws = book["Claims"]
    columns, rows = headers(ws), rows_by_id(ws)
    for number, text in enumerate(HOSTILE_TEXTS):
        row = rows[f"hostile-{number:02d}"]
        assert ws.cell(row=row, column=columns["Claim"]).value == f"{kept(text)} claim {number}"
        assert ws.cell(row=row, column=columns["Suggestion"]).value == kept(text)
        assert ws.cell(row=row, column=columns["Register ID"]).value == kept(text)
        assert kept(text) in ws.cell(row=row, column=columns["Reasons"]).value

    # Our own reader takes the workbook back, and a reviewer's decisions come back to the same claims.
    decisions = {f"hostile-{number:02d}": {"Decision": "Approve", "Reviewer": "Ann Lee", "Date": SIGNED,
                                           "Comment": kept(text)}
                 for number, text in enumerate(HOSTILE_TEXTS)}
    reviewed = read_review(fill(path, tmp_path / "reviewed.xlsx", decisions))
    claims = {row.id: row.claim for row in reviewed.rows}
    for number, text in enumerate(HOSTILE_TEXTS):
        assert claims[f"hostile-{number:02d}"] == f"{kept(text)} claim {number}".strip()
    carried = apply_review(hostile_result(), reviewed)
    for finding in carried.findings:
        assert finding.review["status"] == "carried", finding.id
        assert finding.review["decision"] == "Approve" and finding.review["reviewer"] == "Ann Lee"


def test_a_cell_of_characters_beyond_u_ffff_keeps_to_excels_limit():
    """Excel counts a cell's characters in UTF-16 units: an emoji is two of them."""
    result = hostile_result()
    result.findings[0].suggestion = "😀" * 20_000  # 20,000 characters, 40,000 units
    result.findings[1].suggestion = "a" * 40_000
    ws = load(render_xlsx(result))["Claims"]
    column, rows = headers(ws)["Suggestion"], rows_by_id(ws)
    for claim_id in ("hostile-00", "hostile-01"):
        value = ws.cell(row=rows[claim_id], column=column).value
        units = len(value.encode("utf-16-le")) // 2
        assert EXCEL_CELL_LIMIT - 2 <= units <= EXCEL_CELL_LIMIT and value.endswith("…"), (claim_id, units)
    assert ws.cell(row=rows["hostile-00"], column=column).value[:-1] == "😀" * ((EXCEL_CELL_LIMIT - 1) // 2)
    assert ws.row_dimensions[rows["hostile-00"]].height == 409  # as tall as Excel takes a row, no taller


def test_only_web_addresses_become_links_and_one_too_long_for_excel_stays_text():
    result = hostile_result()
    too_long = "https://example.org/track?" + "a" * 2_100
    result.findings[-1].url = too_long
    ws = load(render_xlsx(result))["Claims"]
    document = headers(ws)["Document"]
    linked = {}
    for finding in result.findings:
        row = rows_by_id(ws)[finding.id]
        link = ws.cell(row=row, column=document).hyperlink
        linked[finding.url] = link.target if link is not None else None
    for url, target in linked.items():
        if url in SAFE_URLS:
            assert target == url
        else:
            assert target is None, url
    assert linked[too_long] is None  # Excel refuses a link of more than 2,079 characters
    row_of = rows_by_id(ws)
    looks = {finding.url: ws.cell(row=row_of[finding.id], column=document).font.underline for finding in result.findings}
    assert looks[too_long] is None and looks["http://example.org/?q=1&r=<2>"] == "single"


def test_a_sheet_holds_no_more_links_than_excel_takes():
    """A site of 33,000 claims, each with its page's address and its source: 66,000 links."""
    from test_report_site import site_result

    result = site_result(33_000, per_document=200)
    for finding in result.findings:
        finding.url = f"https://example.org/{finding.document}"
    with zipfile.ZipFile(io.BytesIO(render_xlsx(result))) as archive:
        claims = archive.read("xl/worksheets/sheet2.xml").decode("utf-8")
    assert claims.count("<hyperlink ") == 65_530
    # The cells past the last link do not look like links.
    styles = re.findall(r'<c r="B\d+" s="(\d+)"', claims)
    assert styles[1] != styles[-1]


def test_the_source_cell_links_to_its_own_row_on_sources_whatever_its_id_says():
    book = load(render_xlsx(hostile_result()))
    ws, sources = book["Claims"], book["Sources"]
    row = rows_by_id(ws)["hostile-01"]
    cell = ws.cell(row=row, column=headers(ws)["Source"])
    assert cell.value == f"{ODD_SOURCE_ID}: =HYPERLINK(\"http://x\",\"y\")"
    sheet, _, target = cell.hyperlink.location.rpartition("!")
    assert sheet == "'Sources'" and sources[target].value == ODD_SOURCE_ID
    odd_row = int(target[1:])
    assert sources.cell(row=odd_row, column=5).hyperlink is None  # its javascript: address is text
    assert sources.cell(row=odd_row, column=5).value == "javascript:alert(2)"


def reviewed_round(tmp_path: Path, cells: dict[str, dict[str, object]], roles: tuple[str, ...] = ()):
    """Audit, the reviewer's pass over the workbook, and the next audit with their decisions."""
    first = sample_result()
    first.review_roles = first.required_review_roles = roles
    workbook = write_xlsx(first, tmp_path / "first.xlsx")
    reviewed = read_review(fill(workbook, tmp_path / "reviewed.xlsx", cells))
    second = sample_result()
    second.review_roles = second.required_review_roles = roles
    return apply_review(second, reviewed)


@pytest.mark.parametrize("typed", ["20250301", "2025-W10-1", "1999-12-31"])
def test_a_date_that_did_not_count_is_carried_as_typed_and_still_does_not_count(tmp_path, typed):
    second = reviewed_round(tmp_path, {
        "site-0114": {"Decision": "Approve", "Reviewer": "Ann Lee", "Date": typed},
        "site-0185": {"Decision": "Approve", "Reviewer": "Ann Lee", "Date": SIGNED},
    })
    path = write_xlsx(second, tmp_path / "second.xlsx")
    ws = openpyxl.load_workbook(path)["Claims"]
    assert ws.cell(row=rows_by_id(ws)["site-0114"], column=headers(ws)["Date"]).value == typed
    outcome = {row.id: row.outcome for row in read_review(path).rows}
    assert outcome["site-0114"] == "open"  # no reviewer corrected the date: still not approved
    assert outcome["site-0185"] == "approved"


def test_the_audit_trail_prints_one_page_wide_at_a_readable_scale_and_holds_no_formula(tmp_path):
    second = reviewed_round(tmp_path, {
        "claims-0000": {"Medical decision": "Approve", "Medical reviewer": "Dr Mina Osei", "Medical date": SIGNED,
                        "Medical comment": "=HYPERLINK(\"http://x\",\"y\")"},
        "site-0114": {"Legal decision": "Reject", "Legal reviewer": "Tom Hale", "Legal date": SIGNED},
    }, roles=ROLES)
    path = write_xlsx(second, tmp_path / "second.xlsx")
    ws = openpyxl.load_workbook(path)["Audit trail"]
    widths = [ws.column_dimensions[get_column_letter(i)].width for i in range(1, ws.max_column + 1)]
    assert ws.max_column == 15  # the table of decisions
    assert print_scale(widths) >= READABLE_PRINT_SCALE
    assert ws.page_setup.orientation == "landscape" and int(ws.page_setup.fitToWidth) == 1
    values = [cell.value for row in ws.iter_rows() for cell in row if cell.value is not None]
    assert '=HYPERLINK("http://x","y") Our therapy doubles mobility.' in values
    assert "=HYPERLINK(\"http://x\",\"y\")" in values
    assert all(cell.data_type != "f" for row in ws.iter_rows() for cell in row)
    # The trail still reads back: the next round knows who decided what.
    reviewed = read_review(path)
    assert {(item["claim_id"], item["role"], item["decision"]) for item in reviewed.history} >= {
        ("claims-0000", "Medical", "Approve"), ("site-0114", "Legal", "Reject")}


def test_the_signoff_workbook_validates_locks_and_filters_every_roles_columns():
    result = hostile_result()
    result.review_roles = result.required_review_roles = ROLES
    ws = load(render_xlsx(result))["Claims"]
    names = headers(ws)
    last = len(result.findings) + 1
    reviewer_columns = {f"{role} {field}" for role in ROLES for field in ("decision", "comment", "reviewer", "date")}
    assert reviewer_columns <= set(names) and "Decision" not in names
    assert ws.auto_filter.ref == f"A1:{get_column_letter(len(names))}{last}"
    ranges = {dv.type: {str(r) for r in dv.sqref.ranges} for dv in ws.data_validations.dataValidation}
    for kind, field in (("list", "decision"), ("date", "date")):
        assert ranges[kind] == {f"{get_column_letter(names[f'{role} {field}'])}2:"
                                f"{get_column_letter(names[f'{role} {field}'])}{last}" for role in ROLES}
    for row in ws.iter_rows(min_row=2):
        for name, cell in zip(names, row, strict=True):
            assert cell.protection.locked is (name not in reviewer_columns), (name, cell.coordinate)


_DIGEST = """
import hashlib, sys
sys.path.insert(0, "tests")
from test_report_adversarial import hostile_result, ROLES
from claimaudit.report import render_html, render_xlsx
result = hostile_result()
result.review_roles = result.required_review_roles = ROLES
print(hashlib.sha256(render_xlsx(result)).hexdigest(), hashlib.sha256(render_html(result).encode()).hexdigest())
"""


def test_the_same_audit_gives_the_same_bytes_whatever_the_hash_seed():
    digests = set()
    for seed in ("0", "1", "4242"):
        done = subprocess.run([sys.executable, "-c", _DIGEST], cwd=ROOT, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "PYTHONHASHSEED": seed})
        assert done.returncode == 0, done.stderr
        digests.add(done.stdout.strip())
    assert len(digests) == 1


# --------------------------------------------------------------------------- the CSV register


def test_the_csv_register_neutralises_every_formula_start_and_survives_lone_surrogates():
    for start in ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠"):
        assert neutralise(f"{start}1+1") == f"'{start}1+1"
    text = render_claims_csv(hostile_result()).decode("utf-8-sig")
    assert "lone \ufffd high and \ufffd low claim 15" in text
    assert "'＝1+1 claim 7" in text


# --------------------------------------------------------------------------- the HTML report


def island_of(html: str) -> dict:
    return json.loads(HTMLParser(html).css_first("script#audit-data").text())


@pytest.mark.parametrize("limit", [300, 0], ids=["rows-in-page", "rows-by-script"])
def test_hostile_text_stays_data_in_the_page_and_the_island(tmp_path, limit):
    result = hostile_result()
    path = write_html(result, tmp_path / "audit.html", server_rows_limit=limit)  # lone surrogates and all
    html = path.read_text(encoding="utf-8")
    island_text = html.split('<script type="application/json" id="audit-data">', 1)[1].split("</script>", 1)[0]
    assert island_text.isascii() and "<" not in island_text and "\\u2028" in island_text
    strings = island_of(html)["strings"]
    assert "</script><script>alert(1)</script> <!-- <script> claim 13" in strings
    assert "lone \ufffd high and \ufffd low claim 15" in strings  # as the page's own rows read
    assert "nul bell\x07 escape\x1b claim 14" in strings  # NUL dropped, as the HTML parser drops it
    tree = HTMLParser(html)
    assert len(tree.css("script")) == 2 and not tree.css("img")
    for link in tree.css("a[href]"):
        href = link.attributes["href"]
        assert href.startswith(("#", "https://", "http://")), href
    if limit:
        texts = [node.text() for node in tree.css("p.claim-text")]
        assert "lone \ufffd high and \ufffd low claim 15" in texts


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.problems, page.requests, page.dialogs = [], [], []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda message: page.problems.append(f"{message.type}: {message.text}"))
    page.on("request", lambda request: page.requests.append(request.url))
    page.on("dialog", lambda dialog: (page.dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(url)
    return page


def web_links_only(page) -> list[str]:
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    return [href for href in hrefs if not href.startswith(("#", "https://", "http://"))]


@needs_chromium
@pytest.mark.parametrize("limit", [300, 0], ids=["rows-in-page", "rows-by-script"])
def test_hostile_findings_render_as_text_with_no_script_no_dialog_and_no_request(browser, tmp_path, limit):
    path = write_html(hostile_result(), tmp_path / "audit.html", server_rows_limit=limit)
    page = open_page(browser, path.as_uri())
    try:
        for button in page.query_selector_all("button.toggle-details"):
            button.click()
        page.evaluate("() => { location.hash = '#doc-1'; }")
        page.wait_for_selector("#doc-1")
        assert page.locator("tr.detail:not([hidden])").count() == len(HOSTILE_TEXTS)
        assert page.locator("p.claim-text", has_text="</script><script>alert(1)</script>").count() == 1
        assert page.locator("a", has_text="javascript:alert(1)").count() == 0
        assert web_links_only(page) == []
        assert page.eval_on_selector_all("script", "s => s.length") == 2
        assert page.problems == [] and page.dialogs == []
        assert [url for url in page.requests if not url.startswith("file:")] == []
    finally:
        page.close()


@needs_chromium
def test_the_script_links_only_web_addresses_whatever_the_island_says(browser, tmp_path):
    """The island is data beside the page's script: an address in it that is not http(s) is text."""
    html = render_html(sample_result(), server_rows_limit=0)
    island = island_of(html)
    strings = island["strings"]
    link_at = island["sources"]["fields"].index("link")
    doi = island["sources"]["rows"][0][link_at]
    url_at = island["claims"]["fields"].index("url")
    strings[doi] = "javascript:alert(1)"
    strings.append("javascript:alert(2)")
    for row in island["claims"]["rows"]:
        row[url_at] = len(strings) - 1
    tampered = html.replace(HTMLParser(html).css_first("script#audit-data").text(),
                            json.dumps(island).replace("<", "\\u003c"))
    path = tmp_path / "audit.html"
    path.write_text(tampered, encoding="utf-8")
    page = open_page(browser, path.as_uri())
    try:
        for button in page.query_selector_all("button.toggle-details"):
            button.click()
        assert page.locator("tr.detail:not([hidden])").count() == len(sample_result().findings)
        assert web_links_only(page) == [] and page.problems == []
    finally:
        page.close()


# --------------------------------------------------------------------------- sign-off in the HTML


def signed_off_sample(tmp_path: Path) -> AuditResult:
    """The sample, reviewed by three roles: a claim two roles approved (one without a name), a
    claim every role approved, a decision without a name without roles' columns elsewhere."""
    cells = {
        "site-0114": {"Medical decision": "Approve", "Medical reviewer": "Dr Mina Osei", "Medical date": SIGNED,
                      "Medical comment": "Figures checked.", "Legal decision": "Approve", "Legal date": SIGNED},
        "site-0185": {f"{role} {field}": value for role, name in zip(ROLES, ("Dr Mina Osei", "Tom Hale", "Ruth Kim"))
                      for field, value in (("decision", "Approve"), ("reviewer", name), ("date", SIGNED))},
        "claims-0157": {"Regulatory decision": "Reject", "Regulatory reviewer": "Ruth Kim",
                        "Regulatory date": "next week"},
    }
    return reviewed_round(tmp_path, cells, roles=ROLES)


def test_each_roles_decision_and_each_decision_that_does_not_count_is_in_the_page(tmp_path):
    result = signed_off_sample(tmp_path)
    tree = HTMLParser(render_html(result))
    state = " ".join(tree.css_first("#row-c-site-0114 .review-state").text(separator=" ").split())
    assert "Medical: Approve" in state and "Legal: Approve" in state
    assert "1 decision does not count" in state
    detail = " ".join(tree.css_first("#detail-c-site-0114").text(separator=" ").split())
    assert "Medical : Approve by Dr Mina Osei on 2025-03-01: Figures checked." in detail
    assert "Legal : Approve on 2025-03-01" in detail
    assert "Regulatory : no decision yet" in detail
    assert "(Legal): Approve without a reviewer name" in detail
    approved = " ".join(tree.css_first("#row-c-site-0185 .review-state").text(separator=" ").split())
    assert approved.startswith("Approve") and "does not count" not in approved
    rejected = " ".join(tree.css_first("#detail-c-claims-0157").text(separator=" ").split())
    assert "(Regulatory): Reject with" in rejected and "next week" in rejected


@needs_chromium
def test_sign_off_reads_the_same_in_rows_the_script_renders(browser, tmp_path):
    from test_report_site import rows_as_read  # the both-ways comparison of the site tests

    result = signed_off_sample(tmp_path)
    server, script = tmp_path / "server.html", tmp_path / "script.html"
    write_html(result, server)
    write_html(result, script, server_rows_limit=0)
    pages = [open_page(browser, path.as_uri()) for path in (server, script)]
    try:
        dom_ids = ["c-site-0114", "c-site-0185", "c-claims-0157"]
        want, got = (rows_as_read(page, dom_ids) for page in pages)
        for dom, expected, actual in zip(dom_ids, want, got, strict=True):
            for part in expected:
                assert actual[part] == expected[part], f"{dom}: {part} differs"
        assert "Legal: Approve" in got[0]["row text"] and "1 decision does not count" in got[0]["row text"]
        assert "Regulatory: no decision yet" in got[0]["detail text"]
        assert pages[0].problems == [] and pages[1].problems == []
    finally:
        for page in pages:
            page.close()


# --------------------------------------------------------------------------- on paper


def with_many_reasons(result: AuditResult) -> AuditResult:
    """Five more reasons on every claim. The sample's CJK and check mark are swapped for as many
    Latin letters: pdfium reads a page set in their fallback font back at one point a letter."""
    for item in [*result.documents, *result.findings]:
        item.text = item.text.replace("✓ 改善", "v ok")
    for document in result.documents:
        document.raw = document.text
    for finding in result.findings:
        for number in range(5):
            finding.reasons.append(Reason(
                rule="scope.population", code=f"CA30{number}", verdict="overstated", family="scope",
                message=f"Reason {number + 1}: the evidence was gathered in another population than the one "
                        f"the claim names, so it cannot be shown to cover it."))
    return result


@needs_chromium
def test_a_signed_off_report_with_many_reasons_prints_each_claim_whole_and_readable(browser, tmp_path):
    from test_report_print import MIN_PRINTED_POINTS, PAPERS, flat, print_report, printed_tokens, table_pages

    html = write_html(with_many_reasons(signed_off_sample(tmp_path)), tmp_path / "audit.html")
    for paper in PAPERS:
        printout = print_report(browser, html, paper, tmp_path / f"{paper}.pdf")
        pages = [flat(printout.claim_columns[i]) for i in table_pages(printout)]
        assert [claim for claim in printout.claims if not any(flat(claim) in text for text in pages)] == []
        assert min(printout.font_sizes) >= MIN_PRINTED_POINTS - 0.01
        broken = {token for text in printout.pages for token in printed_tokens(text)
                  if token not in printout.vocabulary}
        assert broken == set()
        printed = flat(" ".join(printout.pages))
        assert "Medical: Approve" in printed and "1 decision does not count" in printed


@needs_chromium
def test_a_large_report_printed_says_which_claims_the_paper_holds(browser, tmp_path):
    from test_report_print import read_pdf
    from test_report_site import site_result

    path = write_html(site_result(450), tmp_path / "audit.html")
    page = browser.new_page()
    try:
        page.goto(path.as_uri())
        page.wait_for_selector("#claims-table tbody.finding")
        page.pdf(path=str(tmp_path / "audit.pdf"), format="A4")
    finally:
        page.close()
    printed = re.sub(r"\s+", " ", " ".join(read_pdf(tmp_path / "audit.pdf").pages))
    assert ("Claims 1–100 of the 450 are shown here; the JSON report and the workbook list every claim."
            in printed)
    assert "Previous" not in printed  # the page controls stay off paper
