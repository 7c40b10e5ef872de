"""Built-in rules are data over a few generic check kinds.

A kind with a selector (``element:``, ``elements:``, ``requires:``) offers
choices; what a rule picks decides which options it may set and which
placeholders its message may name, and a mistake there is one line naming the
file, line and field, like every other rule error.
"""

from __future__ import annotations

import dataclasses
import re
import subprocess
import typing
from pathlib import Path

import pytest

from claimaudit.errors import InputError
from claimaudit.rules.context import KINDS, Kind
from claimaudit.rules.docs import option_meanings, rule_markdown
from claimaudit.rules.examples import run_example
from claimaudit.rules.loader import builtin_rules_dir, parse_rule, parse_rule_packs, rule_files

from test_rule_safety import CLAIMAUDIT, one_error_line

BUILTIN = parse_rule_packs([rule_files(builtin_rules_dir())])
SELECTING = sorted(name for name, k in KINDS.items() if k.selector)

HOUSE_RULE = """\
code: HS401
name: house.animal_evidence
family: scope
extends: element_stronger
level: overstated
message: "The balm was tried in {population} ({source})."
params:
  element: population
  narrow: [animal]
docs:
  what: Animal evidence behind a claim about people.
  why: Skin that heals in mice may not heal in people.
  example: "The balm heals cracked heels."
  use_instead: Say the study was in animals.
  references: ["House style guide, section 7"]
examples:
  fail:
    - claim: "The balm heals cracked heels."
      evidence: "The balm healed skin wounds in mice."
  pass:
    - claim: "In mice, the balm healed skin wounds."
      evidence: "The balm healed skin wounds in mice."
"""


def load_error(text: str) -> str:
    with pytest.raises(InputError) as caught:
        parse_rule(text, "house/HS401.yaml")
    return str(caught.value)


def test_at_most_ten_check_kinds_serve_every_builtin_rule():
    used = {rule.kind.name for rule in BUILTIN}
    assert len(KINDS) <= 10, sorted(KINDS)
    assert used == set(KINDS), f"kinds no built-in rule uses: {sorted(set(KINDS) - used)}"


@pytest.mark.parametrize("name", SELECTING)
def test_the_selector_offers_exactly_the_choices_the_kind_has(name):
    kind = KINDS[name]
    hint = typing.get_type_hints(kind.params)[kind.selector]
    if typing.get_origin(hint) is list:
        hint = typing.get_args(hint)[0]
    assert list(typing.get_args(hint)) == [variant.name for variant in kind.variants]
    every = {f.name for f in dataclasses.fields(kind.params)}
    for variant in kind.variants:
        assert set(variant.options) <= every and set(variant.required) <= set(variant.options), variant.name
        assert set(variant.fields) <= set(kind.fields), variant.name


@pytest.mark.parametrize("name", SELECTING)
def test_each_option_is_documented_with_the_choices_that_take_it(name):
    kind = KINDS[name]
    meanings = option_meanings(kind.params)
    for option in dataclasses.fields(kind.params):
        meaning = meanings[option.name]
        takers = [variant.name for variant in kind.variants if option.name in variant.options]
        if option.name == kind.selector or option.name in kind.shared:
            assert not takers and not meaning.startswith("("), option.name
            continue
        assert takers, f"{name}: no choice takes option {option.name}"
        said = re.match(r"\(([^)]*)\) ", meaning)
        assert said and said.group(1).split(", ") == takers, (
            f"{name}: the docstring of {option.name} should start with ({', '.join(takers)})")


def _pick_rule(kind: Kind, choice: str) -> str:
    """A house rule picking one choice of a kind, with each option it requires set to a plain word."""
    variant = next(v for v in kind.variants if v.name == choice)
    hints = typing.get_type_hints(kind.params)
    lines = [f"  {kind.selector}: {'[' + choice + ']' if typing.get_origin(hints[kind.selector]) is list else choice}"]
    for option in variant.required:
        lines.append(f"  {option}: " + ("{widget: [gadget]}" if typing.get_origin(hints[option]) is dict else "[widget]"))
    message = " ".join("{" + f + "}" for f in variant.fields) or "Not shown."
    return (HOUSE_RULE.replace("extends: element_stronger", f"extends: {kind.name}")
            .replace("  element: population\n  narrow: [animal]", "\n".join(lines))
            .replace('"The balm was tried in {population} ({source})."', repr(message)))


@pytest.mark.parametrize("name, choice", [(n, v.name) for n in SELECTING for v in KINDS[n].variants])
def test_every_choice_of_every_kind_loads_in_a_house_rule_and_runs(name, choice):
    rule = parse_rule(_pick_rule(KINDS[name], choice), f"house/{name}-{choice}.yaml")
    assert [v.name for v in rule.kind.chosen(rule.params)] == [choice]
    reasons = run_example(rule, "The widget balm cut knee pain by 40% in every patient within 2 days, as "
                                "Smith et al. (2021) showed.", ["The balm eased knee pain by 12% over 8 weeks in mice."])
    assert all(r.message and "{" not in r.message for r in reasons)


def test_an_option_of_another_element_is_refused_naming_file_line_and_field():
    message = load_error(HOUSE_RULE.replace("  narrow: [animal]\n", "  narrow: [animal]\n  min_count: 5\n"))
    assert message == ("house/HS401.yaml:10: params.min_count: not an option of element: population "
                       "(it takes margin, narrow, broad, prefix)")


def test_an_option_the_chosen_element_needs_is_required():
    text = HOUSE_RULE.replace("  element: population\n  narrow: [animal]\n",
                              "  element: design\n  claimed: [large trials]\n  weak_in_source: [pilot]\n")
    message = load_error(text.replace("{population} ({source})", "{design}"))
    assert message == "house/HS401.yaml:7: params.strong_in_source: required field is missing for element: design"


def test_a_placeholder_another_element_fills_is_refused_with_those_this_one_fills():
    message = load_error(HOUSE_RULE.replace("{population}", "{figure}"))
    assert message == ("house/HS401.yaml:6: message: unknown placeholder {figure}; check kind element_stronger "
                       "with element: population fills {population}, {source}")


def test_an_element_the_kind_does_not_have_names_the_choices():
    message = load_error(HOUSE_RULE.replace("element: population", "element: popularity"))
    assert message.startswith("house/HS401.yaml:8: params.element:")
    assert "'figure'" in message and "'population'" in message and "\n" not in message


def test_a_rule_picking_several_elements_takes_the_options_and_placeholders_of_each():
    text = (HOUSE_RULE.replace("extends: element_stronger", "extends: element_absent")
            .replace("  element: population\n  narrow: [animal]", "  elements: [figure, comparator]\n  min_count: 3")
            .replace("{population} ({source})", "{figure}{closest} {claim_words}"))
    rule = parse_rule(text, "house/HS401.yaml")
    assert rule.kind.options_for(rule.params) == ("elements", "tolerance", "kinds", "min_count", "harms")
    refused = load_error(text.replace("  min_count: 3", "  min_count: 3\n  generic: [balm]"))
    assert refused.startswith("house/HS401.yaml:10: params.generic: not an option of elements: [figure, comparator]")


def test_a_rule_documents_only_the_options_of_its_choice():
    text = rule_markdown(parse_rule(HOUSE_RULE, "house/HS401.yaml"))
    assert "- `element`: `population`" in text and "- `narrow`: `[animal]`" in text
    defaults = next(line for line in text.splitlines() if line.startswith("- at the defaults of"))
    assert defaults.endswith("`margin`, `broad`, `prefix`")


def test_a_house_conditional_rule_needs_the_words_it_maps_somewhere_in_the_pack():
    text = (HOUSE_RULE.replace("extends: element_stronger", "extends: conditional")
            .replace("  element: population\n  narrow: [animal]",
                     "  requires: pack_words\n  pack_words: {dermatologist tested: [dermatologist, dermatologists]}")
            .replace("The balm was tried in {population} ({source}).", "No source backs {kind}."))
    rule = parse_rule(text, "house/HS401.yaml")
    claim = "Dermatologist tested: the balm softens cracked heels."
    fired = run_example(rule, claim, ["The balm softened cracked heels in 40 adults over four weeks."])
    assert [r.message for r in fired if r.code == "HS401"] == ["No source backs Dermatologist tested."]
    backed = run_example(rule, claim, ["Two dermatologists graded cracked heels in 40 adults who used the balm."])
    assert not [r for r in backed if r.code == "HS401"]


def test_a_mistaken_choice_ends_check_with_one_line(tmp_path: Path):
    folder = tmp_path / "house"
    folder.mkdir()
    (folder / "HS401.yaml").write_text(HOUSE_RULE.replace("  narrow: [animal]\n", "  narrow: [animal]\n  tolerance: 1\n"),
                                       encoding="utf-8")
    (tmp_path / "page.md").write_text("The balm heals cracked heels.\n", encoding="utf-8")
    result = subprocess.run([CLAIMAUDIT, "check", "page.md", "--rules", str(folder), "--no-cache"], cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    line = one_error_line(result)
    assert "HS401.yaml:10: params.tolerance: not an option of element: population" in line
