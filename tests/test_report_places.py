"""Every report says where a claim stands in its original: the page and the line on it for a
PDF, the slide for a deck, the address and fetch time for a page read from the web, and the
page of a paper's PDF its evidence is on ("zhao2022, p. 2")."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import openpyxl
import pytest

from claimaudit.api import audit
from claimaudit.ingest import document_from_text
from claimaudit.report import render_html, render_xlsx
from claimaudit.report.check_text import render_check_text
from claimaudit.report.csv_export import render_claims_csv
from claimaudit.report.github import render_github
from claimaudit.report.sarif import render_sarif

SCHEMA = json.loads((Path(__file__).resolve().parents[1] / "src/claimaudit/report/schema/audit.schema.json")
                    .read_text(encoding="utf-8"))

PAPER_PAGES = (
    ["Warm compresses and knee stiffness", "Zhao L, Brandt K. Journal of Joint Care. 2022.",
     "Forty adults with stiff knees took part in this study."],
    ["Results", "Knee stiffness scores fell by 12% over six weeks with daily warm compresses.",
     "No adverse events were reported."],
)
LEAFLET_PAGES = (
    ["Warmth for stiff knees", "Our compress is easy to use at home."],
    ["What the study found", "Daily warm compresses cut knee stiffness by 40% in six weeks.",
     "Knee stiffness scores fell by 12% over six weeks with daily warm compresses."],
)
FETCHED_AT = "2026-11-30T09:15:00Z"
PAGE_URL = "https://clinic.example/knees"


def _pdf(path: Path, pages, author: str = "") -> Path:
    from fpdf import FPDF

    pdf = FPDF()
    if author:
        pdf.set_author(author)
    for lines in pages:
        pdf.add_page()
        pdf.set_font("helvetica", "B", 15)
        pdf.multi_cell(0, 8, lines[0], new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        pdf.set_font("helvetica", "", 11)
        for line in lines[1:]:
            pdf.multi_cell(0, 6, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    pdf.output(str(path))
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("places")
    paper = _pdf(folder / "zhao2022.pdf", PAPER_PAGES, author="Zhao L; Brandt K")
    leaflet = _pdf(folder / "leaflet.pdf", LEAFLET_PAGES)
    page = document_from_text("<html><body><p>Daily warm compresses cure arthritis.</p></body></html>",
                              name=PAGE_URL, media_type="html")
    page.url, page.fetched_at = PAGE_URL, FETCHED_AT
    return audit([leaflet, page], sources=paper).result


def _finding(result, start):
    return next(f for f in result.findings if f.text.startswith(start))


def test_the_json_gives_page_url_and_the_evidence_page_and_follows_the_schema(result):
    data = json.loads(audit.__globals__["Audit"](result).to_json())
    jsonschema.validate(data, SCHEMA)
    by_text = {f["text"]: f for f in data["findings"]}
    matched = by_text["Knee stiffness scores fell by 12% over six weeks with daily warm compresses."]
    assert (matched["page"], matched["line"], matched["verdict"]) == (2, 3, "supported")
    assert matched["evidence"][0]["page"] == 2
    inflated = by_text["Daily warm compresses cut knee stiffness by 40% in six weeks."]
    assert (inflated["page"], inflated["verdict"]) == (2, "overstated")
    web = by_text["Daily warm compresses cure arthritis."]
    assert (web["url"], web["fetched_at"]) == (PAGE_URL, FETCHED_AT) and "page" not in web
    documents = {d["path"]: d for d in data["documents"]}
    assert documents[PAGE_URL]["url"] == PAGE_URL and documents[PAGE_URL]["fetched_at"] == FETCHED_AT
    assert next(d for p, d in documents.items() if p.endswith("leaflet.pdf"))["pages"] == 2
    source = data["sources"][0]
    assert (source["id"], source["pages"], source["year"]) == ("zhao2022", 2, "2022")


def test_the_html_report_places_each_claim_and_links_the_fetched_page(result):
    html = render_html(result)
    assert "page 2, line 3, col 1" in html
    assert f'<a class="fetched" href="{PAGE_URL}"' in html and f"fetched {FETCHED_AT}" in html
    assert "zhao2022</a>, p.&nbsp;2" in html or "zhao2022, p.&nbsp;2" in html
    assert "(1 claim, 2 pages)" in html or "claims, 2 pages)" in html


def test_the_workbook_has_a_page_column_and_links_the_fetched_page(result):
    book = openpyxl.load_workbook(io.BytesIO(render_xlsx(result)))
    claims = book["Claims"]
    header = [cell.value for cell in claims[1]]
    assert header[header.index("Document") + 1] == "Page"
    rows = [dict(zip(header, (cell for cell in row))) for row in claims.iter_rows(min_row=2)]
    matched = next(r for r in rows if str(r["Claim"].value).startswith("Knee stiffness scores fell"))
    assert (matched["Page"].value, matched["Line"].value) == (2, 3)
    assert "p. 2" in matched["Source"].value
    web = next(r for r in rows if r["Document"].value == PAGE_URL)
    assert web["Document"].hyperlink.target == PAGE_URL
    evidence = [[cell.value for cell in row] for row in book["Evidence"].iter_rows(min_row=2)]
    assert any(", p. 2" in str(row[2]) for row in evidence)


def test_the_claims_register_adds_page_and_url_columns_only_when_needed(result):
    rows = list(csv.reader(io.StringIO(render_claims_csv(result).decode("utf-8-sig"))))
    assert rows[0][-2:] == ["Page", "URL"]
    by_claim = {row[rows[0].index("Claim")]: row for row in rows[1:]}
    assert by_claim["Daily warm compresses cut knee stiffness by 40% in six weeks."][-2] == "2"
    assert by_claim["Daily warm compresses cure arthritis."][-1] == PAGE_URL


def test_gate_outputs_carry_the_page_and_keep_web_pages_out_of_file_annotations(result):
    text = render_check_text(result)
    assert "[page 2]" in text
    sarif = json.loads(render_sarif(result))
    results = sarif["runs"][0]["results"]
    located = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    assert PAGE_URL in located and "uriBaseId" not in located[PAGE_URL]["locations"][0]["physicalLocation"][
        "artifactLocation"]
    assert any(r["properties"].get("page") == 2 for r in results)
    github = render_github(result)
    web_lines = [line for line in github.splitlines() if "cure arthritis" in line]
    assert web_lines and all("file=" not in line for line in web_lines)
    assert any(f"Where: {PAGE_URL}" in line for line in web_lines)


def test_explain_gives_the_page_of_each_evidence_sentence_in_a_papers_pdf(tmp_path):
    from click.testing import CliRunner

    from claimaudit.cli import main

    paper = _pdf(tmp_path / "zhao2022.pdf", PAPER_PAGES, author="Zhao L; Brandt K")
    outcome = CliRunner().invoke(main, ["explain", PAPER_PAGES[1][1], "--sources", str(paper)])
    assert outcome.exit_code == 0, outcome.output
    assert f"#1 zhao2022, p. 2 similarity 1.00 strength 0: {PAPER_PAGES[1][1]}" in outcome.output


def test_junit_names_the_page_of_a_claim_in_a_pdf(result):
    from claimaudit.report.junit import render_junit

    junit = render_junit(result)
    assert "page 2, line 2: Daily warm compresses cut knee stiffness by 40% in six weeks." in junit
    assert "[page 2]" in junit


def test_the_findings_frame_gives_whole_page_numbers_and_blanks(result):
    from claimaudit.api import Audit

    frame = Audit(result).findings
    assert str(frame["page"].dtype) == "Int64"
    pages = dict(zip(frame["text"], frame["page"]))
    assert pages["Daily warm compresses cut knee stiffness by 40% in six weeks."] == 2
    assert pages["Daily warm compresses cure arthritis."] is __import__("pandas").NA
