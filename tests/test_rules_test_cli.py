"""`claimaudit rules test DIR`: a house-rule author runs the examples in their own rule files."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from claimaudit.cli import main

TRIAL = "Curcumin eased knee pain in a trial of 120 adults."


def house_rule(code: str = "HS001", name: str = "house.miracle_words", *, fail: list[str] | None = None,
               passes: list[str] | None = None, extra: str = "") -> str:
    fail = fail if fail is not None else ["FlexiCur is a miracle for sore joints."]
    passes = passes if passes is not None else [TRIAL]

    def examples(claims: list[str]) -> str:
        return "".join(f'    - claim: "{claim}"\n      evidence: "{TRIAL}"\n' for claim in claims)

    return (
        f"code: {code}\n"
        f"name: {name}\n"
        "family: certainty\n"
        "extends: existence\n"
        "level: overstated\n"
        "message: 'Avoid \"{word}\": it promises more than any study can show.'\n"
        "params:\n"
        "  words: [miracle, wonder cure]\n"
        f"{extra}"
        "docs:\n"
        "  what: Words that promise a miracle.\n"
        "  why: They promise more than any evidence shows.\n"
        "  example: \"A miracle for joints.\"\n"
        "  use_instead: Say what was measured.\n"
        "  references: [\"House style guide, section 2\"]\n"
        "examples:\n"
        "  fail:\n" + examples(fail) +
        "  pass:\n" + examples(passes)
    )


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def rules_test(*args: str):
    result = CliRunner().invoke(main, ["rules", "test", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_every_example_as_written_exits_0_and_lists_each_with_its_verdict(tmp_path):
    write(tmp_path / "house" / "HS001.yaml", house_rule())
    write(tmp_path / "house" / "style" / "HS002.yaml",
          house_rule("HS002", "house.wonder_words", fail=["Our wonder cure eased knee pain."]))
    result = rules_test(str(tmp_path / "house"))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("HS001 house.miracle_words (") and lines[0].endswith("2 examples as written")
    assert any(line.split()[:4] == ["ok", "fail", "example", "1"] and "overstated" in line
               and "FlexiCur is a miracle for sore joints." in line for line in lines)
    assert any(line.split()[:5] == ["ok", "pass", "example", "1", "supported"] for line in lines)
    assert any(line.startswith("HS002 house.wonder_words") for line in lines)
    assert lines[-1] == "2 rule(s), 4 example(s): 4 passed, 0 failed"
    assert "\x1b[" not in result.output  # no colour off a terminal


def test_an_example_that_comes_out_otherwise_exits_1_with_its_verdict_and_reasons(tmp_path):
    wrong_pass = "Our wonder cure eased knee pain in 120 adults."
    wrong_fail = "Curcumin eased knee pain in adults."
    write(tmp_path / "HS001.yaml", house_rule(fail=["FlexiCur is a miracle for sore joints.", wrong_fail],
                                              passes=[TRIAL, wrong_pass]))
    result = rules_test(str(tmp_path))
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("2 of 4 examples not as written")
    failed_pass = next(i for i, line in enumerate(lines) if wrong_pass in line)
    assert lines[failed_pass].split()[:5] == ["FAILED", "pass", "example", "2", "overstated"]
    assert lines[failed_pass + 1].strip() == ('HS001 fired but should not: Avoid "wonder cure": it promises more '
                                              'than any study can show.')
    failed_fail = next(i for i, line in enumerate(lines) if wrong_fail in line)
    assert lines[failed_fail].split()[:4] == ["FAILED", "fail", "example", "2"]
    assert lines[failed_fail + 1].strip() == "HS001 should fire on this claim but did not"
    assert lines[failed_fail + 2].strip().startswith("other reasons:")
    assert lines[-1] == "1 rule(s), 4 example(s): 2 passed, 2 failed"


def test_colour_is_used_only_when_asked_or_on_a_terminal(tmp_path):
    write(tmp_path / "HS001.yaml", house_rule(passes=[TRIAL, "A wonder cure for knees."]))
    assert "\x1b[" in rules_test(str(tmp_path), "--color").output
    assert "\x1b[" not in rules_test(str(tmp_path), "--no-color").output


def test_text_from_the_rule_file_reaches_the_terminal_escaped(tmp_path):
    write(tmp_path / "HS001.yaml", house_rule(passes=[TRIAL, "A wonder cure\\e[2J for knees."]))
    result = rules_test(str(tmp_path))
    assert result.exit_code == 1
    assert "\x1b" not in result.output and "wonder cure\\x1b[2J for knees" in result.output


@pytest.mark.parametrize("text, where", [
    (house_rule(extra="  colour: red\n"), "HS001.yaml:9: params.colour: unknown key"),
    (house_rule().replace("[miracle, wonder cure]", "[miracle, '']"), "HS001.yaml:8: params.words[1]"),
    (house_rule().replace("level: overstated", "level: dire"), "HS001.yaml:5: level"),
    ("code: [unclosed\n", "HS001.yaml:"),
])
def test_a_bad_rule_file_exits_2_with_one_line_naming_it(tmp_path, text, where):
    write(tmp_path / "HS001.yaml", text)
    result = rules_test(str(tmp_path))
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimaudit: error: ") and where in lines[0], result.output


def test_two_rules_with_one_name_are_refused(tmp_path):
    write(tmp_path / "HS001.yaml", house_rule())
    write(tmp_path / "HS002.yaml", house_rule("HS002"))
    result = rules_test(str(tmp_path))
    assert result.exit_code == 2 and "HS002.yaml" in result.output and "already used by HS001" in result.output


def test_a_missing_or_empty_folder_exits_2(tmp_path):
    missing = rules_test(str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "nowhere: rule pack not found" in missing.output
    (tmp_path / "empty").mkdir()
    empty = rules_test(str(tmp_path / "empty"))
    assert empty.exit_code == 2 and "empty: no rule files" in empty.output


def test_a_single_rule_file_may_be_named(tmp_path):
    rule = write(tmp_path / "HS001.yaml", house_rule())
    result = rules_test(str(rule))
    assert result.exit_code == 0 and result.output.startswith("HS001 house.miracle_words")


def test_a_house_pack_may_add_a_family_of_its_own(tmp_path):
    text = house_rule().replace("family: certainty\n", "family: house_style\n")
    write(tmp_path / "rules" / "HS001.yaml", text)
    result = rules_test(str(tmp_path / "rules"))
    assert result.exit_code == 0, result.output


def test_a_family_name_that_is_not_a_plain_word_is_refused_on_one_line(tmp_path):
    text = house_rule().replace("family: certainty\n", "family: 'House Style!'\n")
    write(tmp_path / "rules" / "HS001.yaml", text)
    result = rules_test(str(tmp_path / "rules"))
    assert result.exit_code == 2
    assert "family" in result.output and len(result.output.strip().splitlines()) == 1
