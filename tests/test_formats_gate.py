"""PDF, Word, PowerPoint and web copy through the rest of the tool: the review round trip,
the baseline, `check --changed-since`, the CI formats, the config, the pre-commit hook and the API.

Every document here is made by the test itself (fpdf2, python-docx, python-pptx), in our own words;
web pages come from a real HTTP server on 127.0.0.1.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import subprocess
import threading
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from docx import Document as WordDocument
from fpdf import FPDF
from pptx import Presentation
from pptx.util import Inches

from claimaudit import audit
from claimaudit.cli import main
from claimaudit.report import write_xlsx
from claimaudit.verdicts.review import apply_review_file, read_review, render_summary, summarise

REPO = Path(__file__).resolve().parents[1]

PACK = """\
sources:
  - id: reed2020
    citation: "Reed J, Amos K. Cold packs after ankle sprains. J Made-up Sports Med. 2020;2:5-11."
    summary: >
      Sixty adults with a sprained ankle used a cold pack or no pack for three days.
      Swelling on day three was a little lower with the cold pack.
      Pain scores did not differ between the groups.
"""
HELPED = "A cold pack lowered ankle swelling a little in a small trial [reed2020]."
HEALS = "The cold pack heals every sprained ankle overnight."
ALWAYS = "Athletes are guaranteed to be back on the pitch the next day."
ALWAYS_REWORDED = "Athletes are guaranteed to be back on the pitch by the next day."


def leave_piece(pages: list[list[str]], compress: bool = True) -> bytes:
    pdf = FPDF()
    pdf.compress = compress
    for paragraphs in pages:
        pdf.add_page()
        pdf.set_font("Helvetica", "B", 15)
        pdf.multi_cell(0, 8, "Ankle care at Northfield Clinic", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(3)
        pdf.set_font("Helvetica", "", 11)
        for paragraph in paragraphs:
            pdf.multi_cell(0, 6, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(3)
    return bytes(pdf.output())


def word_draft(path: Path, *paragraphs: str) -> None:
    draft = WordDocument()
    draft.add_heading("Ankle care draft", 1)
    for paragraph in paragraphs:
        draft.add_paragraph(paragraph)
    draft.save(str(path))


def slide_deck(path: Path, body: str, notes: str) -> None:
    deck = Presentation()
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Ankle care"
    slide.shapes.add_textbox(Inches(1), Inches(2), Inches(7), Inches(1)).text_frame.text = body
    slide.notes_slide.notes_text_frame.text = notes
    deck.save(str(path))


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def folder(tmp_path, monkeypatch):
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def check(*args: str):
    result = CliRunner().invoke(main, ["check", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def check_items(*args: str) -> list[dict]:
    result = check(*args, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)["check"]["items"]


# --------------------------------------------------------------------------- review round trip


def _reviewed_workbook(folder: Path, layout: str) -> Path:
    """The Claims sheet of a PDF audit with a decision on the second page's claims, laid out as a
    reviewer may leave it: as written, with the Page column moved first, or with it deleted."""
    result = audit(["leave.pdf"], sources="pack.yaml").result
    write_xlsx(result, "audit.xlsx")
    workbook = openpyxl.load_workbook("audit.xlsx")
    ws = workbook["Claims"]
    headers = [cell.value for cell in ws[1]]
    assert "Page" in headers  # claims of a PDF stand on pages
    column = {name: n for n, name in enumerate(headers, 1)}
    for row in range(2, ws.max_row + 1):
        claim = ws.cell(row=row, column=column["Claim"]).value
        if claim == HEALS:
            ws.cell(row=row, column=column["Decision"]).value = "Reject"
            ws.cell(row=row, column=column["Comment"]).value = "No cure wording in a leave-piece."
            ws.cell(row=row, column=column["Reviewer"]).value = "Priya Nair"
        elif claim == ALWAYS:
            ws.cell(row=row, column=column["Decision"]).value = "Approve with change"
            ws.cell(row=row, column=column["Reviewer"]).value = "Priya Nair"
    if layout == "page first":
        ws.move_range(f"A1:{openpyxl.utils.get_column_letter(ws.max_column)}{ws.max_row}", cols=1)
        page_letter = openpyxl.utils.get_column_letter(column["Page"] + 1)
        ws.move_range(f"{page_letter}1:{page_letter}{ws.max_row}", cols=-(column["Page"]))
    elif layout == "page deleted":
        ws.delete_cols(column["Page"])
    workbook.save("reviewed.xlsx")
    return folder / "reviewed.xlsx"


@pytest.mark.parametrize("layout", ["as written", "page first", "page deleted"])
def test_a_decision_on_a_pdf_claim_follows_it_wherever_the_page_column_stands(folder, layout):
    (folder / "leave.pdf").write_bytes(leave_piece([[HELPED], [HEALS, ALWAYS]]))
    reviewed = _reviewed_workbook(folder, layout)
    # The next draft moves the cure claim to page 1, rewords one claim and drops nothing else.
    (folder / "leave.pdf").write_bytes(leave_piece([[HELPED, HEALS], [ALWAYS_REWORDED]]))
    result = apply_review_file(audit(["leave.pdf"], sources="pack.yaml").result, reviewed)
    by_text = {f.text: f for f in result.findings}

    heals = by_text[HEALS]
    assert heals.page == 1
    assert heals.review["status"] == "carried"
    assert heals.review["decision"] == "Reject" and heals.review["reviewer"] == "Priya Nair"
    reworded = by_text[ALWAYS_REWORDED]
    assert reworded.review["status"] == "changed"  # matched on the same document, not taken for new
    assert reworded.review["decision"] == "Approve with change"
    assert by_text[HELPED].review["status"] == ""
    assert result.review["gone"] == []


@pytest.mark.parametrize("layout", ["as written", "page first"])
def test_a_reviewed_pdf_claim_that_is_gone_names_its_document_and_the_summary_its_page(folder, layout):
    (folder / "leave.pdf").write_bytes(leave_piece([[HELPED], [HEALS, ALWAYS]]))
    reviewed = _reviewed_workbook(folder, layout)
    (folder / "leave.pdf").write_bytes(leave_piece([[HELPED], ["Ask at the front desk about our opening hours."]]))
    result = apply_review_file(audit(["leave.pdf"], sources="pack.yaml").result, reviewed)
    gone = {item["claim"]: item for item in result.review["gone"]}
    assert set(gone) == {HEALS, ALWAYS}
    assert {item["document"] for item in gone.values()} == {"leave.pdf"}

    rows = {row.claim: row for row in read_review(reviewed).rows}
    assert rows[HEALS].page == 2 and rows[HEALS].document == "leave.pdf"
    summary = render_summary(summarise(read_review(reviewed)))
    assert f"leave.pdf, page 2, line {rows[HEALS].line}" in summary


def test_a_page_column_naming_the_document_as_older_workbooks_did_is_still_the_document(folder):
    (folder / "leave.pdf").write_bytes(leave_piece([[HELPED], [HEALS]]))
    result = audit(["leave.pdf"], sources="pack.yaml").result
    heals = next(f for f in result.findings if f.text == HEALS)
    workbook = openpyxl.Workbook()
    ws = workbook.active
    ws.title = "Claims"
    ws.append(["ID", "Page", "Line", "Claim", "Verdict", "Decision"])
    ws.append([heals.id, "leave.pdf", 3, HEALS, heals.verdict, "Reject"])
    workbook.save("old.xlsx")
    (row,) = read_review("old.xlsx").rows
    assert row.document == "leave.pdf" and row.page is None
    assert apply_review_file(result, "old.xlsx").findings[1].review["decision"] == "Reject"


# --------------------------------------------------------------------------- baseline


def test_baselined_pdf_and_word_findings_pass_until_a_claim_is_reworded_not_when_it_moves_page(folder):
    (folder / "copy").mkdir()
    (folder / "copy/leave.pdf").write_bytes(leave_piece([[HELPED], [HEALS, ALWAYS]]))
    word_draft(folder / "copy/draft.docx", HEALS)
    assert check("copy", "-s", "pack.yaml").exit_code == 1
    written = check("copy", "-s", "pack.yaml", "--write-baseline", "--baseline", "known.json")
    assert written.exit_code == 0, written.output
    entries = json.loads((folder / "known.json").read_text(encoding="utf-8"))["entries"]
    assert {entry["document"] for entry in entries} == {"copy/leave.pdf", "copy/draft.docx"}
    assert check("copy", "-s", "pack.yaml", "--baseline", "known.json").exit_code == 0

    (folder / "copy/leave.pdf").write_bytes(leave_piece([[HELPED, ALWAYS], [HEALS]]))
    moved = check("copy", "-s", "pack.yaml", "--baseline", "known.json")
    assert moved.exit_code == 0, moved.output

    (folder / "copy/leave.pdf").write_bytes(leave_piece([[HELPED, ALWAYS_REWORDED], [HEALS]]))
    reworded = check("copy", "-s", "pack.yaml", "--baseline", "known.json")
    assert reworded.exit_code == 1
    failing = [line for line in reworded.output.splitlines() if line.startswith("copy/")]
    assert failing and all(line.startswith("copy/leave.pdf:") and "[page 1]" in line for line in failing)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def web_page(folder):
    site = folder / "www"
    site.mkdir()
    (site / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
    (site / "ankle.html").write_text(f"<html><body><main><h1>Ankles</h1><p>{HEALS}</p></main></body></html>",
                                     encoding="utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/ankle.html"
    finally:
        server.shutdown()
        server.server_close()


def test_a_baselined_web_page_is_named_by_its_address_and_then_passes(folder, web_page):
    assert check(web_page, "-s", "pack.yaml", "--write-baseline", "--baseline", "known.json").exit_code == 0
    entries = json.loads((folder / "known.json").read_text(encoding="utf-8"))["entries"]
    assert entries and {entry["document"] for entry in entries} == {web_page}
    assert check(web_page, "-s", "pack.yaml", "--baseline", "known.json").exit_code == 0


# --------------------------------------------------------------------------- --changed-since


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd,
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repository(folder):
    git(folder, "init", "-q")
    # Uncompressed, the PDF has no NUL byte, so git compares it line by line as if it were text.
    (folder / "leave.pdf").write_bytes(leave_piece([[HELPED], [HEALS, ALWAYS]], compress=False))
    word_draft(folder / "draft.docx", HEALS)
    git(folder, "add", "-A")
    git(folder, "commit", "-q", "-m", "copy")
    return folder


def test_an_unchanged_pdf_and_word_draft_are_not_on_changed_lines(repository):
    items = check_items("leave.pdf", "draft.docx", "-s", "pack.yaml", "--changed-since", "HEAD")
    assert items and {item["state"] for item in items} == {"outside-changes"}


def test_a_changed_pdf_is_changed_throughout_even_when_git_compares_it_as_text(repository):
    (repository / "leave.pdf").write_bytes(leave_piece([[HELPED], [HEALS, ALWAYS_REWORDED]], compress=False))
    assert "@@" in git(repository, "diff", "--unified=0", "HEAD", "--", "leave.pdf")  # a text diff of PDF syntax
    items = check_items("leave.pdf", "draft.docx", "-s", "pack.yaml", "--changed-since", "HEAD")
    pdf_states = {item["state"] for item in items if item["document"] == "leave.pdf"}
    word_states = {item["state"] for item in items if item["document"] == "draft.docx"}
    assert pdf_states == {"failing"}
    assert word_states == {"outside-changes"}


def test_a_changed_word_draft_is_changed_throughout(repository):
    word_draft(repository / "draft.docx", HEALS, "Ask at the front desk about our opening hours.")
    items = check_items("leave.pdf", "draft.docx", "-s", "pack.yaml", "--changed-since", "HEAD")
    assert {item["state"] for item in items if item["document"] == "draft.docx"} == {"failing"}
    assert {item["state"] for item in items if item["document"] == "leave.pdf"} == {"outside-changes"}


def test_a_web_page_has_no_earlier_version_so_all_of_it_counts_as_changed(repository, web_page):
    result = check(web_page, "-s", "pack.yaml", "--changed-since", "HEAD")
    assert result.exit_code == 1, result.output
    assert "not on lines changed" not in result.output


# --------------------------------------------------------------------------- CI formats


def test_sarif_and_github_end_a_claim_on_a_later_page_on_that_page(folder):
    (folder / "leave.pdf").write_bytes(leave_piece([[HELPED], [HEALS, ALWAYS]]))
    result = check("leave.pdf", "-s", "pack.yaml", "-f", "sarif=out.sarif", "-f", "github")
    assert result.exit_code == 1
    sarif = json.loads((folder / "out.sarif").read_text(encoding="utf-8"))
    regions = {}
    for item in sarif["runs"][0]["results"]:
        region = item["locations"][0]["physicalLocation"]["region"]
        regions[region["snippet"]["text"]] = (item["properties"]["page"], region)
    for claim, page in ((HEALS, 2), (ALWAYS, 2)):
        found_page, region = regions[claim]
        assert found_page == page
        # Each claim is one printed line: it ends on the line it starts on, counted on its own page.
        assert region["endLine"] == region["startLine"], (claim, region)
        assert region["endColumn"] == region["startColumn"] + len(claim)
    annotations = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    heals = [line for line in annotations if "heals every" in line]
    assert heals and all("endLine=" + re.search(r"line=(\d+)", line).group(1) in line for line in heals)
    assert all("page 2" in line for line in heals)


def test_junit_and_github_name_a_web_page_by_its_address(folder, web_page):
    result = check(web_page, "-s", "pack.yaml", "-f", "junit=out.xml", "-f", "github")
    assert result.exit_code == 1
    junit = (folder / "out.xml").read_text(encoding="utf-8")
    assert f'file="{web_page}"' in junit
    errors = [line for line in result.stdout.splitlines() if line.startswith("::error")]
    assert errors and all("file=" not in line.split("::")[1] and web_page in line for line in errors)


# --------------------------------------------------------------------------- config and the hook


def test_skip_scopes_leaves_out_a_decks_notes_and_exclude_globs_leave_out_pdfs_in_folders(folder):
    (folder / "site/print").mkdir(parents=True)
    (folder / "site/print/leave.pdf").write_bytes(leave_piece([[HEALS]]))
    slide_deck(folder / "site/deck.pptx", HELPED, "Tell them it heals every sprained ankle overnight.")
    (folder / ".claimaudit.toml").write_text(
        'sources = ["pack.yaml"]\nskip-scopes = ["notes"]\nexclude = ["**/print/*.pdf"]\n', encoding="utf-8")
    items = check_items("site")
    assert {item["document"] for item in items} <= {"site/deck.pptx"}
    report = audit(["site"], sources="pack.yaml").result
    assert any(f.scope == "notes" for f in report.findings)  # without the config the notes are audited


def test_papers_in_a_sources_folder_inside_the_copy_folder_are_evidence_not_copy(folder):
    (folder / "site/refs").mkdir(parents=True)
    (folder / "site/leave.pdf").write_bytes(leave_piece([[HEALS]]))
    (folder / "site/refs/reed.pdf").write_bytes(leave_piece([[
        "Sixty adults with a sprained ankle used a cold pack or no pack for three days.",
        "Swelling on day three was a little lower with the cold pack.",
    ]]))
    (folder / ".claimaudit.toml").write_text('paths = ["site"]\nsources = ["site/refs"]\n', encoding="utf-8")
    items = check_items()
    assert items and {item["document"] for item in items} == {"site/leave.pdf"}
    # Named on the command line, the paper is audited as asked.
    assert {item["document"] for item in check_items("site/refs/reed.pdf")} == {"site/refs/reed.pdf"}


def test_the_pre_commit_hook_takes_every_copy_format_claimaudit_reads_as_documents():
    (hook,) = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert "types" not in hook and "types_or" not in hook
    pattern = re.compile(hook["files"])
    taken = ["site/index.html", "about.HTM", "blog/post.md", "notes.markdown", "print/leave.pdf",
             "drafts/Copy.DOCX", "decks/launch.pptx"]
    left = ["sources.yaml", "pack.json", "data.csv", "claims.xlsx", "readme.txt", "leave.pdf.orig", "page.html~"]
    assert [name for name in taken if not pattern.search(name)] == []
    assert [name for name in left if pattern.search(name)] == []


# --------------------------------------------------------------------------- API


def test_the_api_audits_every_format_against_paper_pdfs_and_a_ris_export(folder):
    (folder / "papers").mkdir()
    (folder / "papers/reed.pdf").write_bytes(leave_piece([[
        "Sixty adults with a sprained ankle used a cold pack or no pack for three days.",
    ], [
        "Swelling on day three was a little lower with the cold pack.",
    ]]))
    (folder / "refs.ris").write_text(
        "TY  - JOUR\nAU  - Amos, Kit\nPY  - 2019\nTI  - Compression after sprains\nJO  - Made-up Sports Med\n"
        "AB  - Compression bandages did not change ankle swelling on day three.\nER  - \n", encoding="utf-8")
    (folder / "leave.pdf").write_bytes(leave_piece([["Swelling on day three was a little lower with the cold pack."],
                                                   [HEALS]]))
    word_draft(folder / "draft.docx", HEALS)
    slide_deck(folder / "deck.pptx", HELPED, ALWAYS)
    result = audit(["leave.pdf", "draft.docx", "deck.pptx"], sources=["papers", "refs.ris"])
    findings = result.findings
    assert {"page", "url", "evidence_page"} <= set(findings.columns)
    rows = {(row.document, row.text): row for row in findings.itertuples()}
    assert rows[("leave.pdf", HEALS)].page == 2
    assert rows[("deck.pptx", ALWAYS)].page == 1
    assert rows[("draft.docx", HEALS)].page is pd.NA  # Word has no pages
    supported = rows[("leave.pdf", "Swelling on day three was a little lower with the cold pack.")]
    assert supported.verdict == "supported" and supported.evidence_page == 2
    assert {"page"} <= set(result.not_audited.columns)
