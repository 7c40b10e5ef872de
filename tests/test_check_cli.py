"""`claimaudit check` end to end: exit codes, config, baseline, suppressions, --changed-since, outputs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimaudit.cli import main

SOURCES = """\
sources:
  - id: knee2022
    citation: "Example A, Sample B. Injections for knee osteoarthritis. J Example Orthop. 2022;3:1-9."
    summary: >
      In a small study of 30 adults with knee osteoarthritis, knee pain was lower
      six months after the injections than before them. There was no control group,
      and two participants reported mild swelling at the injection site.
"""

SUPPORTED = "In a small study of 30 adults with knee osteoarthritis, knee pain was lower six months after the injections."
CURE = "Our injections cure knee osteoarthritis in every patient."
UNRELATED = "Nine out of ten patients walk without pain after one visit."


def page(*paragraphs: str, title: str = "Knee care") -> str:
    body = "\n".join(p if p.startswith("<!--") else f"<p>{p}</p>" for p in paragraphs)
    return f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n<body><main>\n<h1>{title}</h1>\n{body}\n</main></body></html>\n"


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))
    monkeypatch.delenv("NO_COLOR", raising=False)


@pytest.fixture
def site(tmp_path, monkeypatch):
    (tmp_path / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str):
    result = CliRunner().invoke(main, ["check", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<verdict>overstated|unsupported) (?P<code>CA\d+) (?P<message>.+)$")


def finding_lines(output: str) -> list[re.Match]:
    return [m for m in map(LINE.match, output.splitlines()) if m]


# --------------------------------------------------------------------------- exit codes and text


def test_a_page_with_an_overstated_claim_fails_with_exit_1(site):
    write(site / "knee.html", page(SUPPORTED, CURE, "Call us today to book a visit."))
    result = run("knee.html", "--sources", "sources.yaml")
    assert result.exit_code == 1, result.output
    lines = finding_lines(result.output)
    assert lines and {m["path"] for m in lines} == {"knee.html"}
    assert {int(m["line"]) for m in lines} == {6}  # the line of the cure claim in the file
    assert result.output.rstrip().splitlines()[-1].startswith("2 claims in 1 document: 1 supported")


def test_a_page_whose_claims_are_all_supported_passes_with_exit_0(site):
    write(site / "knee.html", page(SUPPORTED, "Call us today to book a visit."))
    result = run("knee.html", "--sources", "sources.yaml")
    assert result.exit_code == 0, result.output
    assert finding_lines(result.output) == []
    assert "Nothing fails the check (fail-on overstated)" in result.output


def test_input_errors_exit_2_with_a_clear_message(site):
    result = run("missing.html", "--sources", "sources.yaml")
    assert result.exit_code == 2
    assert "missing.html" in result.output and "Traceback" not in result.output
    assert run().exit_code == 2  # nothing to check
    assert run("knee.html", "--format", "pdf").exit_code == 2
    assert run("knee.html", "-f", "json", "-f", "sarif").exit_code == 2  # two formats on stdout


def test_bad_config_exits_2_naming_the_key(site):
    write(site / "knee.html", page(CURE))
    write(site / ".claimaudit.toml", 'sources = ["sources.yaml"]\nfial-on = "overstated"\n')
    result = run("knee.html")
    assert result.exit_code == 2
    assert ".claimaudit.toml:2: fial-on: unknown key" in result.output


def test_a_config_selector_that_matches_no_rule_names_the_config_key(site):
    write(site / "knee.html", page(CURE))
    write(site / ".claimaudit.toml", 'sources = ["sources.yaml"]\n[[overrides]]\npaths = ["*.html"]\ndisable = ["no.such_rule"]\n')
    result = run("knee.html")
    assert result.exit_code == 2
    assert "overrides[0].disable" in result.output and "no.such_rule" in result.output


# --------------------------------------------------------------------------- config


def _codes(site, *args) -> set[str]:
    data = json.loads(run(*args, "--format", "json").output)
    return {item["rule"] for item in data["check"]["items"] if item["state"] == "failing"}


def test_config_supplies_sources_paths_and_fail_on_and_flags_win(site):
    write(site / "site" / "knee.html", page(SUPPORTED, CURE))
    write(site / ".claimaudit.toml", 'paths = ["site"]\nsources = ["sources.yaml"]\nfail-on = "unsupported"\n')
    data = json.loads(run("--format", "json").output)
    assert data["documents"] == [{"path": "site/knee.html", "claims": 2}]
    assert data["sources"][0]["id"] == "knee2022"
    assert data["check"]["fail_on"] == "unsupported"
    assert json.loads(run("--format", "json", "--fail-on", "overstated").output)["check"]["fail_on"] == "overstated"


def test_rules_switched_off_in_config_can_be_switched_back_on_from_the_command_line(site):
    write(site / "knee.html", page(CURE))
    fired = _codes(site, "knee.html", "--sources", "sources.yaml")
    assert fired
    write(site / ".claimaudit.toml", f'sources = ["sources.yaml"]\ndisable = {json.dumps(sorted(fired))}\n')
    assert run("knee.html").exit_code == 0
    back_on = sorted(fired)[0]
    assert back_on in _codes(site, "knee.html", "--enable", back_on)


def test_per_path_overrides_change_the_rules_for_matching_files_only(site):
    write(site / "blog" / "post.html", page(CURE))
    write(site / "shop" / "knee.html", page(CURE))
    fired = _codes(site, "blog", "--sources", "sources.yaml")
    write(site / ".claimaudit.toml", f"""
sources = ["sources.yaml"]
[[overrides]]
paths = ["blog/**"]
disable = {json.dumps(sorted(fired))}
""")
    data = json.loads(run("blog", "shop", "--format", "json").output)
    failing = {item["document"] for item in data["check"]["items"] if item["state"] == "failing"}
    assert failing == {"shop/knee.html"}


def test_levels_raise_a_rule_to_unsupported(site):
    write(site / "knee.html", page(CURE))
    data = json.loads(run("knee.html", "--sources", "sources.yaml", "--format", "json").output)
    overstated = sorted({i["rule"] for i in data["check"]["items"] if i["verdict"] == "overstated"})
    assert overstated, "the cure claim should have an overstated reason"
    data = json.loads(run("knee.html", "--sources", "sources.yaml", "--format", "json",
                          "--level", f"{overstated[0]}=unsupported").output)
    assert {i["verdict"] for i in data["check"]["items"] if i["rule"] == overstated[0]} == {"unsupported"}


# --------------------------------------------------------------------------- baseline


def test_a_baseline_silences_known_findings_across_unrelated_edits_but_not_new_ones(site):
    write(site / "knee.html", page(SUPPORTED, CURE))
    write_result = run("knee.html", "--sources", "sources.yaml", "--baseline", "known.json", "--write-baseline")
    assert write_result.exit_code == 0
    entries = json.loads((site / "known.json").read_text(encoding="utf-8"))["entries"]
    assert entries and {e["document"] for e in entries} == {"knee.html"}
    assert {e["text"] for e in entries} == {CURE}

    passing = run("knee.html", "--sources", "sources.yaml", "--baseline", "known.json")
    assert passing.exit_code == 0, passing.output
    assert "known from the baseline" in passing.output

    # An unrelated edit above the claim moves it down the page: still known.
    write(site / "knee.html", page("Book online or call the clinic.", SUPPORTED, CURE))
    assert run("knee.html", "--sources", "sources.yaml", "--baseline", "known.json").exit_code == 0

    # A new problem claim is not in the baseline and fails.
    write(site / "knee.html", page(SUPPORTED, CURE, UNRELATED))
    failing = run("knee.html", "--sources", "sources.yaml", "--baseline", "known.json")
    assert failing.exit_code == 1
    assert {m["line"] for m in finding_lines(failing.output)} == {"7"}


def test_writing_the_baseline_is_deterministic_and_keeps_reviewer_notes(site):
    write(site / "knee.html", page(CURE))
    run("knee.html", "--sources", "sources.yaml", "--write-baseline")
    path = site / ".claimaudit-baseline.json"
    first = path.read_text(encoding="utf-8")
    data = json.loads(first)
    data["entries"][0]["note"] = "accepted in review 12"
    path.write_text(json.dumps(data), encoding="utf-8")
    run("knee.html", "--sources", "sources.yaml", "--write-baseline")
    rewritten = json.loads(path.read_text(encoding="utf-8"))
    assert rewritten["entries"][0]["note"] == "accepted in review 12"
    del rewritten["entries"][0]["note"]
    assert json.dumps(rewritten, ensure_ascii=False, indent=2) + "\n" == first


def test_rewriting_the_baseline_accepts_findings_whose_carried_decision_would_not_count(site):
    """--write-baseline accepts what it records: an entry carrying "Approve with change" from a
    review (which approves nothing) loses that decision, keeps its note, and the check passes."""
    write(site / "knee.html", page(CURE))
    run("knee.html", "--sources", "sources.yaml", "--write-baseline")
    path = site / ".claimaudit-baseline.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    for entry in data["entries"]:
        entry.update(decision="Approve with change", reviewer="Ann Lee", date="2025-03-01", note="shorten it")
    path.write_text(json.dumps(data), encoding="utf-8")
    assert run("knee.html", "--sources", "sources.yaml", "--baseline", str(path)).exit_code == 1
    run("knee.html", "--sources", "sources.yaml", "--write-baseline")
    rewritten = json.loads(path.read_text(encoding="utf-8"))
    assert all("decision" not in e and e["note"] == "shorten it" for e in rewritten["entries"])
    assert run("knee.html", "--sources", "sources.yaml", "--baseline", str(path)).exit_code == 0


def test_the_config_names_the_baseline(site):
    write(site / "knee.html", page(CURE))
    write(site / ".claimaudit.toml", 'sources = ["sources.yaml"]\nbaseline = "ci/baseline.json"\n')
    assert run("knee.html", "--write-baseline").exit_code == 0
    assert (site / "ci" / "baseline.json").is_file()
    assert run("knee.html").exit_code == 0


def test_a_broken_baseline_is_an_input_error(site):
    write(site / "knee.html", page(CURE))
    write(site / "known.json", "{not json")
    result = run("knee.html", "--sources", "sources.yaml", "--baseline", "known.json")
    assert result.exit_code == 2 and "known.json:1" in result.output


# --------------------------------------------------------------------------- suppressions


def test_a_suppression_without_a_reason_is_reported(site):
    write(site / "knee.html", page(SUPPORTED, "<!-- claimaudit: disable all -->", CURE))
    result = run("knee.html", "--sources", "sources.yaml")
    assert result.exit_code == 1
    lines = finding_lines(result.output)
    assert [m["code"] for m in lines] == ["CA002"]
    assert "gives no reason" in lines[0]["message"]


def test_a_suppression_with_a_reason_silences_the_claim(site):
    write(site / "knee.html", page(SUPPORTED, '<!-- claimaudit: disable all reason="wording approved by medical-legal, ticket 7" -->', CURE))
    result = run("knee.html", "--sources", "sources.yaml")
    assert result.exit_code == 0, result.output
    assert "suppressed in the copy" in result.output
    sarif = json.loads(run("knee.html", "--sources", "sources.yaml", "-f", "sarif").output)
    justifications = {s["justification"] for r in sarif["runs"][0]["results"] for s in r.get("suppressions", [])}
    assert justifications == {"wording approved by medical-legal, ticket 7"}


def test_markdown_suppressions_work_too(site):
    write(site / "knee.md", f"# Knee care\n\n{SUPPORTED}\n\n<!-- claimaudit: disable all -->\n{CURE}\n")
    result = run("knee.md", "--sources", "sources.yaml")
    assert [m["code"] for m in finding_lines(result.output)] == ["CA002"]


# --------------------------------------------------------------------------- changed since


def git(cwd: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.org",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.org")
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True, env=env).stdout


needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@needs_git
def test_changed_since_fails_only_claims_on_changed_lines(site):
    git(site, "init", "-q")
    write(site / "knee.html", page(SUPPORTED, CURE))
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "first")
    untouched = run("knee.html", "--sources", "sources.yaml", "--changed-since", "HEAD")
    assert untouched.exit_code == 0, untouched.output
    assert "not on lines changed since HEAD" in untouched.output

    write(site / "knee.html", page(SUPPORTED, CURE, UNRELATED))
    changed = run("knee.html", "--sources", "sources.yaml", "--changed-since", "HEAD")
    assert changed.exit_code == 1
    assert {m["line"] for m in finding_lines(changed.output)} == {"7"}

    write(site / "new.html", page(CURE))  # untracked: every line is new
    assert any(m["path"] == "new.html" for m in finding_lines(
        run("knee.html", "new.html", "--sources", "sources.yaml", "--changed-since", "HEAD").output))


@needs_git
def test_changed_since_an_unknown_revision_is_an_input_error(site):
    git(site, "init", "-q")
    write(site / "knee.html", page(CURE))
    result = run("knee.html", "--sources", "sources.yaml", "--changed-since", "no-such-branch")
    assert result.exit_code == 2 and "no-such-branch" in result.output


# --------------------------------------------------------------------------- outputs


def test_formats_can_go_to_files_while_another_prints(site):
    write(site / "knee.html", page(CURE))
    result = run("knee.html", "--sources", "sources.yaml", "-f", "github", "-f", "sarif=out/claimaudit.sarif",
                 "-f", "junit=out/junit.xml")
    assert result.exit_code == 1
    assert result.output.startswith("::error file=knee.html,line=5,")
    assert json.loads((site / "out" / "claimaudit.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"
    assert (site / "out" / "junit.xml").read_text(encoding="utf-8").startswith("<?xml")


def test_only_files_requested_still_prints_the_text_report(site):
    write(site / "knee.html", page(CURE))
    result = run("knee.html", "--sources", "sources.yaml", "-f", "sarif=claimaudit.sarif")
    assert finding_lines(result.output)


def test_check_never_imports_the_report_or_validation_libraries(site):
    # A first run validates the rules, the pack and the config with pydantic
    # and ruamel.yaml and caches the result; from then on a pre-commit check
    # needs neither, nor numpy, nor the report libraries.
    write(site / "knee.html", page(SUPPORTED, CURE))
    src = Path(__file__).resolve().parents[1] / "src"
    env = dict(os.environ, PYTHONPATH=str(src), CLAIMAUDIT_CACHE_DIR=str(site / ".cache"))
    command = [sys.executable, "-X", "importtime", "-m", "claimaudit", "check", "knee.html",
               "--sources", "sources.yaml", "-f", "sarif"]
    runs = [subprocess.run(command, capture_output=True, text=True, cwd=site, env=env) for _ in range(2)]
    for completed in runs:
        assert completed.returncode == 1, completed.stderr[-2000:]
    first, second = ({line.rsplit("|", 1)[-1].strip() for line in completed.stderr.splitlines()
                      if line.startswith("import time:")} for completed in runs)
    assert "claimaudit" in second
    assert {"pydantic", "ruamel.yaml"} <= first
    assert not second & {"pandas", "openpyxl", "jinja2", "numpy", "pydantic", "ruamel.yaml"}
    assert runs[0].stdout == runs[1].stdout
