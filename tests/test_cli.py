"""The command line as users and CI run it: exit codes, outputs, errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimaudit.cli import main

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures" / "cli"
EXAMPLE_PAGE = REPO / "examples" / "clinic-page.html"
EXAMPLE_SOURCES = REPO / "examples" / "sources.yaml"
CORPUS_PAGE = REPO.parent / "shared" / "corpus" / "stemedix-blog-page.txt"


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def test_check_passes_a_page_whose_claims_are_all_supported():
    result = run("check", FIXTURES / "supported-page.md", "--sources", FIXTURES / "sources.yaml")
    assert result.exit_code == 0, result.output
    assert "0 overstated, 0 unsupported" in result.output


def test_check_fails_the_example_page_and_points_at_lines():
    result = run("check", EXAMPLE_PAGE, "--sources", EXAMPLE_SOURCES)
    assert result.exit_code == 1
    first = result.output.splitlines()[0]
    path, line, column, rest = first.split(":", 3)
    assert path.endswith("clinic-page.html") and int(line) > 1 and int(column) >= 1
    assert rest.split()[0] in {"overstated", "unsupported"} and rest.split()[1].startswith("CA")


def test_fail_on_unsupported_ignores_overstated_claims(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Daily walking reduces the risk of dementia in older adults.\n", encoding="utf-8")
    pack = tmp_path / "pack.yaml"
    pack.write_text(
        "sources:\n  - id: a\n    summary: Daily walking was associated with a lower risk of dementia in older adults.\n",
        encoding="utf-8",
    )
    assert run("check", page, "-s", pack).exit_code == 1
    assert run("check", page, "-s", pack, "--fail-on", "unsupported").exit_code == 0


def test_malformed_source_pack_exits_2_naming_file_line_and_field():
    result = run("check", FIXTURES / "supported-page.md", "--sources", FIXTURES / "broken-pack.yaml")
    assert result.exit_code == 2
    assert "broken-pack.yaml:4" in result.output
    assert "summary" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "args, expected",
    [
        (["check", "missing-page.html"], "missing-page.html: file not found"),
        (["check", "page.odt"], "unsupported file type"),
        (["audit", "page.md", "--sources", "nowhere.yaml"], "nowhere.yaml"),
    ],
)
def test_bad_input_is_one_clear_error(tmp_path, monkeypatch, args, expected):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "page.odt").write_bytes(b"PK\x03\x04")
    (tmp_path / "page.md").write_text("Our cream reduces wrinkles by 40%.\n", encoding="utf-8")
    result = run(*args)
    assert result.exit_code == 2
    assert expected in result.output
    assert "Traceback" not in result.output


def test_audit_writes_the_three_reports_and_json_is_byte_identical(tmp_path):
    first, second = tmp_path / "one", tmp_path / "two"
    for out in (first, second):
        result = run("audit", EXAMPLE_PAGE, "--sources", EXAMPLE_SOURCES, "--out", out)
        assert result.exit_code == 0, result.output
    for name in ("audit.html", "audit.xlsx", "audit.json"):
        assert (first / name).stat().st_size > 0
    assert (first / "audit.json").read_bytes() == (second / "audit.json").read_bytes()
    report = json.loads((first / "audit.json").read_text(encoding="utf-8"))
    assert report["summary"]["claims"] == len(report["findings"])
    assert {f["verdict"] for f in report["findings"]} == {"supported", "overstated", "unsupported"}


@pytest.mark.skipif(not CORPUS_PAGE.exists(), reason="shared corpus not beside the checkout")
def test_real_clinic_page_without_sources_uses_its_own_citations(tmp_path):
    result = run("audit", CORPUS_PAGE, "--out", tmp_path)
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "audit.json").read_text(encoding="utf-8"))
    assert len(report["sources"]) == 4
    verdicts = {}
    for finding in report["findings"]:
        for fragment in ("by up to 60%", "over 70% of MS patients", "heal naturally"):
            if fragment in finding["text"]:
                verdicts[fragment] = finding["verdict"]
    assert set(verdicts) == {"by up to 60%", "over 70% of MS patients", "heal naturally"}
    assert all(v in {"unsupported", "overstated"} for v in verdicts.values()), verdicts
    assert verdicts["over 70% of MS patients"] == "unsupported"
    check = run("check", CORPUS_PAGE)
    assert check.exit_code == 1


def test_check_json_format_is_the_contract_report():
    result = run("check", EXAMPLE_PAGE, "--sources", EXAMPLE_SOURCES, "--format", "json")
    report = json.loads(result.output)
    assert report["schema_version"] == 1
    assert report["tool"]["name"] == "claimaudit"
    assert result.exit_code == 1


def test_python_dash_m_runs_the_cli():
    completed = subprocess.run([sys.executable, "-m", "claimaudit", "--version"], capture_output=True, text=True)
    assert completed.returncode == 0
    assert "claimaudit" in completed.stdout


def test_rules_list_and_show_come_from_the_rule_files():
    listing = run("rules", "list")
    assert listing.exit_code == 0
    assert "CA101" in listing.output and "figures.absent" in listing.output
    shown = run("rules", "show", "CA201")
    for heading in ("What it flags", "Why it matters", "Example", "Use instead", "References"):
        assert heading in shown.output


FLEXICUR_CLAIM = "FlexiCur reduced knee pain more than placebo in adults."
CURCUMIN_SOURCES = """\
sources:
  - id: tan2021
    citation: "Tan R, Ode L. Curcumin for sore knees. Joint Notes. 2021;4:1-8."
    summary: >
      In a randomised trial of 120 adults with knee osteoarthritis, curcumin reduced knee pain
      more than placebo after 8 weeks. Stomach upset was rare.
  - id: berg2019
    citation: "Berg S. Magnesium at bedtime. Sleep Letters. 2019;2:3-6."
    summary: Magnesium taken at night did not change how long older adults slept.
"""
SUBJECT_ABSENT = 'no cited source states the claim\'s subject "FlexiCur"'


def _top_evidence(output: str) -> str:
    return next(line for line in output.splitlines() if line.strip().startswith("#1 "))


def test_explain_reads_a_product_name_through_the_packs_aliases(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plain.yaml").write_text(CURCUMIN_SOURCES, encoding="utf-8")
    (tmp_path / "aliased.yaml").write_text("aliases:\n  FlexiCur: [curcumin]\n" + CURCUMIN_SOURCES, encoding="utf-8")
    without = run("explain", FLEXICUR_CLAIM, "--sources", "plain.yaml")
    assert SUBJECT_ABSENT in without.output  # the product name alone is about nothing in the pack
    result = run("explain", FLEXICUR_CLAIM, "--sources", "aliased.yaml")
    assert result.exit_code == 0, result.output
    assert SUBJECT_ABSENT not in result.output
    assert "FlexiCur = curcumin" in result.output
    top = _top_evidence(result.output)
    assert "tan2021" in top and "curcumin reduced knee pain" in top
    assert "Verdict: supported" in result.output


def test_explain_reads_aliases_from_the_config(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "plain.yaml").write_text(CURCUMIN_SOURCES, encoding="utf-8")
    (tmp_path / ".claimaudit.toml").write_text('aliases = { FlexiCur = ["curcumin"] }\n', encoding="utf-8")
    result = run("explain", FLEXICUR_CLAIM, "--sources", "plain.yaml")
    assert result.exit_code == 0, result.output
    assert SUBJECT_ABSENT not in result.output
    assert "curcumin reduced knee pain" in _top_evidence(result.output)
    # --config names the file instead of the nearest one.
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    named = run("explain", FLEXICUR_CLAIM, "--sources", "../plain.yaml", "--config", "../.claimaudit.toml")
    assert SUBJECT_ABSENT not in named.output
    assert "curcumin reduced knee pain" in _top_evidence(named.output)


def test_explain_with_a_bad_alias_in_the_config_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".claimaudit.toml").write_text("aliases = { FlexiCur = [] }\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["explain", FLEXICUR_CLAIM, "-e", "Curcumin eased knee pain in adults."])
    assert result.exit_code == 2
    assert ".claimaudit.toml" in result.output and "FlexiCur" in result.output
    assert "Traceback" not in result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1


def test_explain_shows_each_element_of_the_claim_against_its_evidence(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "aliased.yaml").write_text("aliases:\n  FlexiCur: [curcumin]\n" + CURCUMIN_SOURCES, encoding="utf-8")
    result = run("explain", "FlexiCur works as well as ibuprofen for knee pain.", "--sources", "aliased.yaml")
    assert result.exit_code == 0, result.output
    section = result.output.split("Element by element", 1)[1]
    assert "subject: matched - claim: FlexiCur; evidence: curcumin (tan2021)" in section
    assert "comparator: absent - claim: ibuprofen" in section
    assert "Verdict: overstated" in section
