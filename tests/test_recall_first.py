"""Recall comes first: whatever asserts something is audited, wherever it stands on
the page, and whatever is passed over is listed with why."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from claimaudit.api import audit
from claimaudit.claims.anatomy import analyse
from claimaudit.claims.detect import CLAIM_TYPES, classify, find_claims
from claimaudit.config import read_config
from claimaudit.errors import InputError
from claimaudit.ingest import document_from_text
from claimaudit.model import NotAudited
from claimaudit.report import render_html, render_json, render_xlsx

# A page written for these tests: a hair serum sold by a made-up shop.
PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <title>Gleamroot Scalp Serum | Gleamroot Hair Studio</title>
  <meta name="description" content="Gleamroot serum regrows thinning hair in 6 weeks.">
</head>
<body>
  <nav><a href="/">Home</a> <a href="/shop">Shop</a> <a href="/contact">Contact</a></nav>
  <header>
    <p>Loved by 20,000 customers across the UK.</p>
  </header>
  <main>
    <h1>Clinically proven to regrow hair</h1>
    <p>Welcome to the Gleamroot studio.</p>
    <h2>Our services</h2>
    <p>Rosemary cures baldness.</p>
    <p>Not sure which bottle suits you?</p>
    <p><img src="before-after.jpg" alt="Hair regrown on the crown after 8 weeks of Gleamroot"></p>
    <p><img src="logo.png" alt="Gleamroot logo"></p>
    <p>Order your first bottle today.</p>
    <p>Free delivery on orders over £40.</p>
    <table>
      <tr><th>Week</th><th>What users saw</th></tr>
      <tr><td>Week 6</td><td>New growth at the hairline in most users</td></tr>
    </table>
  </main>
  <aside><p>Trichologists recommend Gleamroot over every other serum.</p></aside>
  <footer>
    <p>Gleamroot has no side effects, even on sensitive scalps.</p>
    <p>Call 555-0190 or email hello@gleamroot.example.com.</p>
    <p>&copy; 2025 Gleamroot Ltd. All rights reserved.</p>
  </footer>
</body>
</html>
"""

PACK = {"sources": [{
    "id": "rosemary2020",
    "citation": "Example A, et al. Rosemary oil and scalp hair. J Example Dermatol. 2020.",
    "summary": "In a 6-month trial of 100 adults with thinning hair, rosemary oil increased hair count "
               "about as much as 2% minoxidil. Scalp itching was the most common side effect.",
}]}


def _page(tmp_path: Path, name: str = "serum.html", text: str = PAGE) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    return audit([str(_page(tmp_path_factory.mktemp("page")))], PACK).result


def _finding(result, words: str):
    (finding,) = [f for f in result.findings if words in f.text]
    return finding


def _passed(result, words: str) -> NotAudited:
    (item,) = [n for n in result.not_audited if words in n.text]
    return item


# --- what is a claim -------------------------------------------------------------------


@pytest.mark.parametrize("text, claim_type", [
    ("Turmeric cures cancer.", "efficacy"),            # three words, still a claim
    ("Clinically proven to regrow hair", "establishment"),  # a heading without a verb of its own
    ("Safe for children", "safety"),
    ("No side effects", "safety"),
    ("Follina thickens hair in women too.", "efficacy"),  # a verb no cue list knows
    ("Backed by large studies in thousands of runners.", "establishment"),
    ("See new growth in 12 days.", "figure"),          # an imperative that promises a result
    ("Sessions are led in small groups.", "general"),  # an assertion of no narrower kind
])
def test_anything_that_asserts_is_a_claim_whatever_its_length_or_verb(text, claim_type):
    assert classify(analyse(text)) == (claim_type, "")


@pytest.mark.parametrize("text, why", [
    ("Book your consultation today.", "a call to action"),
    ("Call us on 555-0101 or email hello@example.com.", "a call to action"),
    ("Our studio, 14 Mill Road, Springfield.", "contact details"),
    ("Free delivery on orders over £40", "ordering, delivery or opening details"),
    ("We are open Monday to Saturday, 9am to 5pm.", "ordering, delivery or opening details"),
    ("Welcome to the Gleamroot studio.", "a greeting"),
    ("Is it right for my scalp?", "a question"),
    ("Is it right for my scalp", "a question"),
    ("© 2025 Gleamroot Ltd. All rights reserved.", "legal boilerplate (copyright, cookies, privacy, terms)"),
    ("We use cookies to improve your experience.", "legal boilerplate (copyright, cookies, privacy, terms)"),
    ("Home · Shop · About · Contact", "navigation"),
    ("Our services", "a topic or label with no predicate"),
    ("Knee pain", "a topic or label with no predicate"),
    ("Conditions we treat", "a topic or label with no predicate"),
    ("How it works", "a topic heading (an indirect question)"),
    ("Food supplements should not replace a varied, balanced diet.", "a disclaimer"),
    ("Massage six drops into the scalp each evening and leave it on overnight.", "an instruction"),
])
def test_only_positive_non_claims_are_passed_over_with_why(text, why):
    assert classify(analyse(text)) == ("", why)


def test_a_how_heading_that_states_an_effect_is_a_claim():
    assert classify(analyse("How Gleamroot cures baldness"))[0] == "efficacy"


def test_an_assertion_of_no_narrower_kind_is_a_general_claim():
    assert "general" in CLAIM_TYPES
    doc = document_from_text("Sessions are led in small groups.", "page.txt")
    (claim,), _ = find_claims(doc)
    assert claim.claim_type == "general"


# --- where claims stand ----------------------------------------------------------------


@pytest.mark.parametrize("words, scope", [
    ("regrows thinning hair in 6 weeks", "meta"),
    ("Loved by 20,000 customers", "header"),
    ("Clinically proven to regrow hair", "heading"),
    ("Rosemary cures baldness.", "body"),
    ("Hair regrown on the crown after 8 weeks", "alt"),
    ("New growth at the hairline", "table"),
    ("Trichologists recommend Gleamroot", "aside"),
    ("no side effects, even on sensitive scalps", "footer"),
])
def test_claims_are_found_wherever_they_stand_and_keep_their_scope(result, words, scope):
    finding = _finding(result, words)
    assert finding.scope == scope
    assert finding.verdict in {"overstated", "unsupported"}  # nothing here is backed by the pack


def test_claim_lines_point_into_the_file(result):
    lines = PAGE.splitlines()
    for words in ("regrows thinning hair", "Hair regrown on the crown", "no side effects"):
        finding = _finding(result, words)
        assert words in lines[finding.line - 1]


@pytest.mark.parametrize("words, why, scope", [
    ("Gleamroot Scalp Serum | Gleamroot Hair Studio", "a page title with no predicate", "title"),
    ("Home Shop Contact", "navigation", "body"),
    ("Welcome to the Gleamroot studio.", "a greeting", "body"),
    ("Our services", "a topic heading with no predicate", "heading"),
    ("Not sure which bottle suits you?", "a question", "body"),
    ("Gleamroot logo", "an image description with no predicate", "alt"),
    ("Order your first bottle today.", "an instruction", "body"),
    ("Free delivery on orders over £40.", "ordering, delivery or opening details", "body"),
    ("Week 6", "a table label with no predicate", "table"),
    ("Call 555-0190", "a call to action", "footer"),
    ("All rights reserved.", "legal boilerplate (copyright, cookies, privacy, terms)", "footer"),
])
def test_everything_passed_over_is_listed_with_why_and_where(result, words, why, scope):
    item = _passed(result, words)
    assert (item.reason, item.scope) == (why, scope)
    assert item.document.endswith("serum.html")
    assert words.split()[0] in PAGE.splitlines()[item.line - 1]


def test_nothing_is_both_a_claim_and_passed_over(result):
    claimed = {f.text for f in result.findings}
    assert not claimed & {n.text for n in result.not_audited}


def test_markdown_headings_and_alt_text_are_audited():
    page = ("# Clinically proven to regrow hair\n\n## Our services\n\n"
            "![Thicker hair after 8 weeks of Gleamroot](photo.jpg)\n\nWe run a small studio.\n")
    doc = document_from_text(page, "page.md", "markdown")
    claims, passed = find_claims(doc)
    assert [(c.text, c.block.scope) for c in claims] == [
        ("Clinically proven to regrow hair", "heading"),
        ("Thicker hair after 8 weeks of Gleamroot", "alt"),
        ("We run a small studio.", "body"),
    ]
    assert [(n.text, n.reason, n.line) for n in passed] == [
        ("Our services", "a topic heading with no predicate", 3)]


def test_a_claims_table_row_is_a_claim_by_its_authors_say_so(tmp_path):
    path = tmp_path / "claims.csv"
    path.write_text("claim\nOur services\nGleamroot regrows hair.\n", encoding="utf-8")
    result = audit([str(path)], PACK).result
    assert [(f.text, f.scope) for f in result.findings] == [
        ("Our services", "body"), ("Gleamroot regrows hair.", "body")]


# --- the reports -----------------------------------------------------------------------


def test_json_lists_not_audited_and_the_scope_of_each_finding(result):
    data = json.loads(render_json(result))
    assert {f["scope"] for f in data["findings"]} >= {"meta", "header", "heading", "body", "alt", "table",
                                                      "aside", "footer"}
    rows = data["not_audited"]
    assert rows and all(list(row) == ["document", "text", "line", "reason", "scope"] for row in rows)
    assert [row["line"] for row in rows] == sorted(row["line"] for row in rows)
    title = next(row for row in rows if row["scope"] == "title")
    assert title == {"document": title["document"], "text": "Gleamroot Scalp Serum | Gleamroot Hair Studio",
                     "line": 4, "reason": "a page title with no predicate", "scope": "title"}


def test_json_matches_its_schema(result):
    jsonschema = pytest.importorskip("jsonschema")
    schema_path = Path(__file__).resolve().parents[1] / "src" / "claimaudit" / "report" / "schema" / "audit.schema.json"
    jsonschema.validate(json.loads(render_json(result)), json.loads(schema_path.read_text(encoding="utf-8")))


HOSTILE = '=HYPERLINK("http://example.com","click") <script>alert(1)</script>'


def _with_hostile_not_audited(result):
    from dataclasses import replace

    return replace(result, not_audited=[*result.not_audited,
                                        NotAudited(result.documents[0].path, HOSTILE, 3, "a call to action")])


def test_html_report_has_a_not_audited_section_that_escapes_the_text(result):
    html = render_html(_with_hostile_not_audited(result))
    section = html[html.index('<section id="not-audited"'):]
    section = section[:section.index("</section>")]
    assert "Not audited" in section
    assert "Gleamroot Scalp Serum | Gleamroot Hair Studio" in section
    assert "a page title with no predicate" in section
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in section


def test_workbook_has_a_not_audited_sheet_whose_text_is_never_a_formula(result, tmp_path):
    path = tmp_path / "audit.xlsx"
    path.write_bytes(render_xlsx(_with_hostile_not_audited(result)))
    book = openpyxl.load_workbook(path)
    ws = book["Not audited"]
    assert [c.value for c in ws[1]] == ["Document", "Line", "Text", "Where", "Why not audited"]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(rows) == len(result.not_audited) + 1
    assert ("Gleamroot Scalp Serum | Gleamroot Hair Studio", "page title", "a page title with no predicate") in {
        (row[2], row[3], row[4]) for row in rows}
    hostile = [c for row in ws.iter_rows(min_row=2) for c in row if c.value == HOSTILE]
    assert hostile and all(c.data_type == "s" for c in hostile)
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = archive.read(name).decode("utf-8")
                assert "<f>" not in xml and "<f " not in xml, name


# --- config: leaving scopes out ----------------------------------------------------------


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "claimaudit", *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


def test_skip_scopes_lists_the_text_of_a_scope_left_out(tmp_path):
    _page(tmp_path)
    (tmp_path / "sources.json").write_text(json.dumps(PACK), encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[tool.claimaudit]\nskip-scopes = ["footer", "aside"]\n',
                                             encoding="utf-8")
    run = _run(["check", "serum.html", "--sources", "sources.json", "--format", "json"], tmp_path)
    assert run.returncode == 1, run.stderr
    data = json.loads(run.stdout)
    assert not {"footer", "aside"} & {f["scope"] for f in data["findings"]}
    left_out = [row for row in data["not_audited"] if row["reason"].startswith("scope ")]
    assert {(row["text"], row["reason"]) for row in left_out} >= {
        ("Gleamroot has no side effects, even on sensitive scalps.", "scope footer left out by config"),
        ("Trichologists recommend Gleamroot over every other serum.", "scope aside left out by config"),
    }
    assert "Rosemary cures baldness." in {f["text"] for f in data["findings"]}


def test_skip_scopes_reads_as_a_list_from_one_string(tmp_path):
    path = tmp_path / ".claimaudit.toml"
    path.write_text('skip-scopes = "footer"\n', encoding="utf-8")
    assert read_config(path).config.skip_scopes == ["footer"]


def test_an_unknown_scope_is_an_error_naming_file_line_and_field(tmp_path):
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.claimaudit]\nskip-scopes = ["footer", "sidebar"]\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_config(path)
    error = raised.value
    assert (error.path, error.line, error.field) == (str(path), 2, "tool.claimaudit.skip-scopes")
    assert "'sidebar'" in error.detail and "footer" in error.detail
    _page(tmp_path)
    run = _run(["check", "serum.html"], tmp_path)
    assert run.returncode == 2
    assert run.stderr.count("\n") == 1 and "pyproject.toml:2" in run.stderr and "skip-scopes" in run.stderr
    assert "Traceback" not in run.stderr


# --- determinism -------------------------------------------------------------------------


def test_not_audited_is_byte_identical_across_runs(tmp_path):
    _page(tmp_path)
    (tmp_path / "sources.json").write_text(json.dumps(PACK), encoding="utf-8")
    outputs = []
    for n in range(2):
        run = _run(["audit", "serum.html", "--sources", "sources.json", "--out", f"out{n}", "--format", "json",
                    "--no-cache"], tmp_path)
        assert run.returncode == 0, run.stderr
        outputs.append((tmp_path / f"out{n}" / "audit.json").read_bytes())
    assert outputs[0] == outputs[1]
    assert json.loads(outputs[0])["not_audited"]


def test_a_statement_that_cites_a_link_is_audited_while_contact_lines_are_not():
    page = """<html><body><main>
<p>Zinc lozenges shortened colds by two days in adults (https://doi.org/10.5555/zinc.1).</p>
<p>Our cream eased knee pain in most users, see www.knee-study.example for the trial.</p>
<p>Our website: www.clinic.example</p>
<p>Phone 555-123-4567, or write to info@clinic.example.</p>
</main></body></html>"""
    result = json.loads(audit(page, sources=[{"id": "zinc", "summary": "Zinc lozenges shortened colds by about "
                                                                       "one day in a trial of adults."}]).to_json())
    audited = {f["text"]: f["verdict"] for f in result["findings"]}
    assert audited["Zinc lozenges shortened colds by two days in adults (https://doi.org/10.5555/zinc.1)."] \
        != "supported"
    assert any(text.startswith("Our cream eased knee pain") for text in audited)
    contact = {n["text"] for n in result["not_audited"] if n["reason"] == "contact details"}
    assert contact == {"Our website: www.clinic.example", "Phone 555-123-4567, or write to info@clinic.example."}
