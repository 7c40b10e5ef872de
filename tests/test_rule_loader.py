"""A broken rule file is reported with its file, line and field; rules can be
switched off and given another level; the docs page matches the rule files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from claimaudit.cli import main
from claimaudit.errors import InputError
from claimaudit.rules.docs import rules_page
from claimaudit.rules.loader import load_rule_file, load_rules

REPO = Path(__file__).resolve().parents[1]

GOOD_RULE = """\
code: XX101
name: house.no_miracles
family: certainty
extends: existence
level: overstated
message: 'The claim says "{word}".'
params:
  words: [miracle]
docs:
  what: Miracle talk.
  why: Nothing is a miracle.
  example: "A miracle cream."
  use_instead: Say what the study measured.
  references:
    - "House style guide, section 2"
examples:
  fail:
    - claim: "This miracle cream clears acne."
      evidence: "The cream cleared acne in some adults."
  pass:
    - claim: "The cream cleared acne in some adults."
      evidence: "The cream cleared acne in some adults."
"""


def write(tmp_path: Path, text: str, name: str = "XX101.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_for(tmp_path: Path, text: str) -> InputError:
    path = write(tmp_path, text)
    with pytest.raises(InputError) as caught:
        load_rule_file(path)
    return caught.value


def test_a_good_rule_file_loads(tmp_path):
    rule = load_rule_file(write(tmp_path, GOOD_RULE))
    assert (rule.code, rule.name, rule.level) == ("XX101", "house.no_miracles", "overstated")


def test_bad_yaml_names_file_and_line(tmp_path):
    error = error_for(tmp_path, GOOD_RULE.replace("level: overstated", "level: [overstated"))
    assert error.path.endswith("XX101.yaml")
    assert error.line == 6  # the parser notices the unclosed bracket on the next line
    assert "invalid YAML" in str(error)
    assert str(error).startswith(f"{error.path}:")


def test_unknown_key_names_line_and_field(tmp_path):
    error = error_for(tmp_path, GOOD_RULE.replace("level: overstated\n", "level: overstated\nseverity: high\n"))
    assert (error.line, error.field) == (6, "severity")
    assert "unknown key" in str(error)


def test_missing_docs_section_names_the_section(tmp_path):
    error = error_for(tmp_path, GOOD_RULE.replace("  why: Nothing is a miracle.\n", ""))
    assert error.field == "docs.why"
    assert error.line == 9  # the docs: key, where the section belongs
    assert "required field is missing" in str(error)


def test_missing_pass_example_names_the_field(tmp_path):
    text = GOOD_RULE.split("  pass:")[0]
    error = error_for(tmp_path, text)
    assert error.field == "examples.pass"
    assert error.line == 16  # the examples: key, where pass belongs
    assert f"{error.path}:16: examples.pass:" in str(error)


def test_unknown_check_kind_lists_the_known_ones(tmp_path):
    error = error_for(tmp_path, GOOD_RULE.replace("extends: existence", "extends: telepathy"))
    assert (error.line, error.field) == (4, "extends")
    assert "unknown check kind 'telepathy'" in str(error)
    assert "element_stronger" in str(error)


def test_bad_param_names_line_and_field(tmp_path):
    error = error_for(tmp_path, GOOD_RULE.replace("  words: [miracle]", "  words: [miracle]\n  loudness: 11"))
    assert (error.line, error.field) == (9, "params.loudness")
    assert "unknown key" in str(error)


def test_param_of_the_wrong_type_names_its_field(tmp_path):
    error = error_for(tmp_path, GOOD_RULE.replace("  words: [miracle]", "  words: 3"))
    assert error.field == "params.words"
    assert error.line == 8


def test_user_rule_pack_adds_rules_and_disable_removes_them(tmp_path):
    write(tmp_path, GOOD_RULE)
    assert "XX101" in {r.code for r in load_rules([tmp_path])}
    assert "XX101" not in {r.code for r in load_rules([tmp_path], disable=["house.no_miracles"])}
    assert not any(r.family == "figures" for r in load_rules(disable=["figures"]))


def test_levels_change_a_rules_verdict():
    rules = {r.code: r for r in load_rules(levels={"CA201": "unsupported"})}
    assert rules["CA201"].level == "unsupported"
    with pytest.raises(InputError, match="must be overstated or unsupported"):
        load_rules(levels={"CA201": "fine"})
    with pytest.raises(InputError, match="no rule matches 'CA999'"):
        load_rules(disable=["CA999"])


def test_explain_honours_disable_and_level():
    args = ["explain", "Daily walking reduces the risk of dementia.",
            "-e", "Daily walking was associated with a lower risk of dementia in older adults."]
    plain = CliRunner().invoke(main, args)
    assert "Verdict: overstated" in plain.output
    raised = CliRunner().invoke(main, [*args, "--level", "CA201=unsupported"])
    assert "Verdict: unsupported" in raised.output
    off = CliRunner().invoke(main, [*args, "--disable", "certainty"])
    assert "Verdict: supported" in off.output
    bad = CliRunner().invoke(main, [*args, "--level", "CA201=maybe"])
    assert bad.exit_code == 2


def test_audit_takes_level_and_disable(tmp_path):
    import json

    page = tmp_path / "page.md"
    page.write_text("The lotion heals eczema flares in adults.\n", encoding="utf-8")
    pack = tmp_path / "sources.yaml"
    pack.write_text("sources:\n  - id: lee2020\n    summary: The lotion may help eczema flares heal faster in adults.\n",
                    encoding="utf-8")
    base = ["audit", str(page), "--sources", str(pack), "--format", "json"]
    outcome = CliRunner().invoke(main, [*base, "--out", str(tmp_path / "a"), "--level", "certainty=unsupported"])
    assert outcome.exit_code == 0, outcome.output
    finding = json.loads((tmp_path / "a" / "audit.json").read_text())["findings"][0]
    assert finding["verdict"] == "unsupported"
    outcome = CliRunner().invoke(main, [*base, "--out", str(tmp_path / "b"), "--disable", "certainty"])
    assert outcome.exit_code == 0, outcome.output
    finding = json.loads((tmp_path / "b" / "audit.json").read_text())["findings"][0]
    assert finding["verdict"] == "supported"


def test_rules_show_prints_every_docs_section():
    outcome = CliRunner().invoke(main, ["rules", "show", "CA101"])
    assert outcome.exit_code == 0
    for title in ("What it flags", "Why it matters", "Example", "Use instead", "References"):
        assert title in outcome.output
    assert "figures.absent" in outcome.output


def test_rules_show_unknown_rule_is_an_input_error():
    outcome = CliRunner().invoke(main, ["rules", "show", "CA999"])
    assert outcome.exit_code == 2
    assert "no rule matches 'CA999'" in outcome.output


def test_docs_rules_md_is_up_to_date():
    committed = REPO / "docs" / "rules.md"
    assert committed.is_file(), "docs/rules.md is missing; run: python -m claimaudit.rules.docs docs/rules.md"
    assert committed.read_text(encoding="utf-8") == rules_page(load_rules()), (
        "docs/rules.md is out of date with rules/; regenerate it with: python -m claimaudit.rules.docs docs/rules.md"
    )
