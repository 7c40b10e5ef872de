"""A house rule cannot crash, hang or exhaust the run.

Message templates, word lists and patterns are checked when the rule file is
loaded, and a bad one is exit 2 with one line naming the file, line and field.
Patterns run against a time budget per rule per run, so a catastrophic one
ends the run with exit 2 naming the rule and the limit instead of hanging it.
The reproducers run the installed console script, as CI does, with a timeout
that would catch a hang; the loader's other refusals are checked in-process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from claimaudit import limits
from claimaudit.claims.anatomy import analyse
from claimaudit.claims.detect import classify
from claimaudit.errors import InputError
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import rank_evidence, resolve_attribution
from claimaudit.rules.context import KINDS, RuleContext
from claimaudit.rules.examples import sources_from_text
from claimaudit.rules.loader import load_rule_file, load_rules
from claimaudit.rules.spec import fill_template

CLAIMAUDIT = shutil.which("claimaudit") or str(Path(sys.executable).with_name("claimaudit"))

HOUSE_RULE = """\
code: HS301
name: house.wonder_words
family: certainty
extends: existence
level: overstated
message: 'The claim says "{word}", which our style guide rules out.'
params:
  words: [wonder]
  patterns: ['\\brejuvenat\\w*']
docs:
  what: Words that promise wonders.
  why: Readers take them as a promise of results.
  example: "A wonder balm for tired skin."
  use_instead: Describe what the balm was shown to do.
  references:
    - "Our house style guide, section 4"
examples:
  fail:
    - claim: "This wonder balm softens dry hands."
      evidence: "The balm softened dry hands in a small trial."
  pass:
    - claim: "The balm softened dry hands in a small trial."
      evidence: "The balm softened dry hands in a small trial."
"""

PAGE = "Our wonder balm rejuvenates tired skin overnight.\n"


def house_rule(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "house-rules"
    folder.mkdir(exist_ok=True)
    (folder / "HS301.yaml").write_text(text, encoding="utf-8")
    return folder


def check(tmp_path: Path, rules: Path, page: str = PAGE, *, env: dict | None = None, cache: bool = False):
    (tmp_path / "page.md").write_text(page, encoding="utf-8")
    command = [CLAIMAUDIT, "check", "page.md", "--rules", str(rules), *([] if cache else ["--no-cache"])]
    return subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          env={**os.environ, **(env or {})})


def one_error_line(result) -> str:
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.mark.parametrize("template", ["{word.upper}", "{word[a]}", "{word:>1500000000}"])
def test_a_message_placeholder_that_is_not_plain_is_refused_at_load(tmp_path, template):
    rules = house_rule(tmp_path, HOUSE_RULE.replace("{word}", template))
    line = one_error_line(check(tmp_path, rules))
    assert "HS301.yaml:6: message:" in line
    assert "not a plain placeholder" in line


def test_a_placeholder_the_check_kind_does_not_fill_is_named_with_those_it_does(tmp_path):
    rules = house_rule(tmp_path, HOUSE_RULE.replace("{word}", "{figure}"))
    line = one_error_line(check(tmp_path, rules))
    assert "HS301.yaml:6: message: unknown placeholder {figure}" in line
    assert "{word}" in line


def test_an_invalid_pattern_is_refused_at_load_naming_file_line_and_item(tmp_path):
    text = HOUSE_RULE.replace("patterns: ['\\brejuvenat\\w*']", "patterns: ['\\bfine\\b', '(unclosed']")
    line = one_error_line(check(tmp_path, house_rule(tmp_path, text)))
    assert "HS301.yaml:9: params.patterns[1]: pattern '(unclosed': missing )" in line


def test_a_pattern_whose_repeats_would_take_gigabytes_is_refused_naming_the_limit(tmp_path):
    text = HOUSE_RULE.replace("patterns: ['\\brejuvenat\\w*']", "patterns: ['a{4294967294}']")
    line = one_error_line(check(tmp_path, house_rule(tmp_path, text)))
    assert "HS301.yaml:9: params.patterns[0]:" in line
    assert "max-rule-chars" in line and "CLAIMAUDIT_MAX_RULE_CHARS" in line


def test_a_rule_with_more_words_than_the_limit_is_refused_and_the_setting_raises_it(tmp_path):
    words = ", ".join(f"wonder{n}" for n in range(5_001))
    rules = house_rule(tmp_path, HOUSE_RULE.replace("words: [wonder]", f"words: [{words}]"))
    line = one_error_line(check(tmp_path, rules))
    assert "HS301.yaml:7: params:" in line
    assert "max-rule-words" in line and "CLAIMAUDIT_MAX_RULE_WORDS" in line
    raised = check(tmp_path, rules, env={"CLAIMAUDIT_MAX_RULE_WORDS": "6000"})
    assert raised.returncode == 1, raised.stderr
    assert "HS301" in raised.stdout


def test_a_word_with_regex_syntax_is_matched_as_written(tmp_path):
    rules = house_rule(tmp_path, HOUSE_RULE.replace("words: [wonder]", "words: ['glow(x', '[new]', wonder]"))
    result = check(tmp_path, rules, "Our glow(x serum clears acne in two weeks.\n\nThe [new] balm heals eczema.\n")
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert 'The claim says "glow(x"' in result.stdout
    assert 'The claim says "[new]"' in result.stdout


def test_a_catastrophic_pattern_ends_the_run_with_exit_2_naming_the_rule_and_the_limit(tmp_path):
    patterns = "[" + ", ".join(["'(a|aa)+$'"] * 10) + "]"
    text = HOUSE_RULE.replace("patterns: ['\\brejuvenat\\w*']", f"patterns: {patterns}")
    page = "\n\n".join(f"Our balm number {n} softens dry skin in {n + 2} days, aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"
                       for n in range(40)) + "\n"
    line = one_error_line(check(tmp_path, house_rule(tmp_path, text), page))
    assert "HS301.yaml:9: params.patterns[0]:" in line
    assert "rule HS301" in line and "'(a|aa)+$'" in line
    assert "max-regex-seconds" in line and "CLAIMAUDIT_MAX_REGEX_SECONDS" in line


def test_a_good_house_rule_fires_on_its_words_and_patterns_cold_and_warm(tmp_path):
    rules = house_rule(tmp_path, HOUSE_RULE)
    env = {"CLAIMAUDIT_CACHE_DIR": str(tmp_path / "cache")}
    page = "Our balm rejuvenates tired skin overnight.\n\nThis wonder cream clears acne in a week.\n"
    runs = [check(tmp_path, rules, page, env=env, cache=True) for _ in range(2)]
    for result in runs:
        assert result.returncode == 1, result.stderr
        assert 'HS301 The claim says "rejuvenates", which our style guide rules out.' in result.stdout
        assert 'HS301 The claim says "wonder", which our style guide rules out.' in result.stdout
    assert runs[0].stdout == runs[1].stdout
    assert any((tmp_path / "cache").iterdir()), "the second run should have had a rule cache to read"


def test_a_template_that_is_not_plain_is_shown_as_written_never_formatted():
    assert fill_template("{word:>1500000000}", {"word": "wonder"}) == "{word:>1500000000}"
    assert fill_template("{word.upper}", {"word": "wonder"}) == "{word.upper}"
    assert fill_template('Says "{word}"{{sic}}; {missing}', {"word": "wonder"}) == 'Says "wonder"{sic};'


# In-process: the same checks on the loader, for every shape of bad template and pattern.


def load_error(tmp_path: Path, text: str) -> str:
    with pytest.raises(InputError) as caught:
        load_rule_file(house_rule(tmp_path, text) / "HS301.yaml")
    return str(caught.value)


@pytest.mark.parametrize("template", ["{word!r}", "{0}", "{}", "{word:{word}}", "{ word }"])
def test_every_placeholder_that_is_not_plain_is_refused(tmp_path, template):
    message = load_error(tmp_path, HOUSE_RULE.replace("{word}", template))
    assert "HS301.yaml:6: message:" in message and "not a plain placeholder" in message


def test_a_lone_brace_in_a_suggestion_is_refused_with_its_line(tmp_path):
    message = load_error(tmp_path, HOUSE_RULE.replace("message:", "suggestion: 'Say {what the study found'\nmessage:"))
    assert "HS301.yaml:6: suggestion:" in message and "literal brace" in message


def test_escaped_braces_and_known_placeholders_load(tmp_path):
    text = HOUSE_RULE.replace('"{word}"', '"{word}" {{house style}}')
    assert load_rule_file(house_rule(tmp_path, text) / "HS301.yaml").code == "HS301"


@pytest.mark.parametrize("patterns, field, says", [
    ("['\\bfine\\b', '[z-a]']", "params.patterns[1]", "bad character range"),
    ("['']", "params.patterns[0]", "empty pattern"),
    ("['(?:glow)?']", "params.patterns[0]", "matches the empty string"),
    ("['(?x) wonder  # a comment']", "params.patterns[0]", "verbose mode"),
    ("['a{1000000}']", "params.patterns[0]", "max-rule-chars"),
    ("['(?:glow{1000}){1000}']", "params.patterns[0]", "max-rule-chars"),
])
def test_a_pattern_that_cannot_be_used_is_refused_with_its_field(tmp_path, patterns, field, says):
    message = load_error(tmp_path, HOUSE_RULE.replace("patterns: ['\\brejuvenat\\w*']", f"patterns: {patterns}"))
    assert f"HS301.yaml:9: {field}:" in message and says in message


def test_words_and_patterns_longer_in_all_than_the_limit_are_refused_at_params(tmp_path):
    text = HOUSE_RULE.replace("words: [wonder]", "words: [wonder, marvel, miracle, spellbinding]")
    with limits.override(max_rule_chars=40):
        message = load_error(tmp_path, text)
    assert "HS301.yaml:7: params: 45 characters is over the limit of 40 characters" in message
    assert "max-rule-chars" in message


def test_an_empty_word_is_refused_with_its_place_in_the_list(tmp_path):
    message = load_error(tmp_path, HOUSE_RULE.replace("words: [wonder]", "words: [wonder, '  ']"))
    assert "HS301.yaml:8: params.words[1]: an empty word" in message


def test_every_value_a_built_in_kind_fills_is_a_placeholder_a_house_rule_may_name():
    filled: dict[str, set[str]] = {}
    for rule in load_rules():
        for example in rule.spec.examples.fail:
            statement = analyse(example.claim)
            statement = replace(statement, claim_type=classify(statement)[0] or "efficacy", is_claim=True)
            index = SourceIndex.build(sources_from_text(example.evidence_list(), example.internal))
            resolution = resolve_attribution(statement, index)
            matches = rank_evidence([statement], index, [resolution])[0]
            for hit in rule.kind.check(RuleContext(statement, matches, index, resolution), rule.params):
                filled.setdefault(rule.kind.name, set()).update(hit.values)
                assert set(hit.values) <= set(rule.kind.fields), (rule.kind.name, sorted(hit.values))
    assert set(filled) == set(KINDS), sorted(set(KINDS) - set(filled))  # every kind fired on its examples


def test_a_word_with_a_long_gap_cannot_stall_the_search_on_long_white_space():
    # Each gap is one \s+: a run of them backtracks polynomially, which the
    # standard-library matcher would not stop.
    script = (
        "from claimaudit.rules.kinds.common import phrase_pattern\n"
        "words = ('wonder' + ' ' * 12 + 'balm', 'side   effects')\n"
        "assert phrase_pattern(words).search('wonder' + ' ' * 60 + 'cream') is None\n"
        "assert phrase_pattern(words).search('no side\\n effects').group(0) == 'side\\n effects'\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
