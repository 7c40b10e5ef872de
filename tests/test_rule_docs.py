"""The generated rule docs: every check kind documents its options, and every rule the values it sets."""

from __future__ import annotations

import pytest

from claimaudit.rules.context import KINDS, Hit, Params, kind, params
from claimaudit.rules.docs import UNDOCUMENTED, kind_markdown, kind_options, rule_markdown, rules_page
from claimaudit.rules.loader import load_rules, parse_rule


@params
class _GlowParams(Params):
    words: list[str] = ["radiant", "luminous", "glowing"]
    """Words that promise a glow."""
    min_weeks: int = 4
    """Fewest weeks of use a glow claim may promise."""
    margin: float = 0.5
    """How far apart two ratings may be."""
    tone: str = ""
    """The tone of voice asked for; empty: any."""


def _glow(ctx, options) -> list[Hit]:
    return []


@pytest.fixture
def glow_kind():
    """A check kind that exists only for the test, as a new kind would be added."""
    kind("glow_for_docs_test", _GlowParams, fields=("word",))(_glow)
    try:
        yield KINDS["glow_for_docs_test"]
    finally:
        KINDS.pop("glow_for_docs_test", None)


GLOW_RULE = """\
code: HS101
name: house.glow_words
family: certainty
extends: glow_for_docs_test
level: overstated
message: 'The claim promises "{word}".'
params:
  words: [radiant, "lit from within"]
  margin: 0.25
docs:
  what: Glow words.
  why: They promise a look no study measured.
  example: "Radiant skin in a week."
  use_instead: Say what was measured.
  references: ["House style guide"]
examples:
  fail:
    - claim: "Radiant skin in a week."
  pass:
    - claim: "Skin felt softer after four weeks."
"""


@pytest.mark.parametrize("name", sorted(KINDS))
def test_every_option_of_every_check_kind_says_what_it_means(name):
    for option in kind_options(KINDS[name]):
        assert option.meaning and option.meaning != UNDOCUMENTED, (
            f"check kind {name}: option {option.name} needs a one-line docstring under its field")
        assert option.type


def test_a_new_kind_gets_an_options_table_from_its_params_class(glow_kind):
    text = kind_markdown(glow_kind)
    assert text.startswith("### Check kind `glow_for_docs_test`")
    assert "| `words` | list of text | `[radiant, luminous, glowing]` | Words that promise a glow. |" in text
    assert "| `min_weeks` | whole number | `4` | Fewest weeks of use a glow claim may promise. |" in text
    assert "| `margin` | number | `0.5` |" in text and '| `tone` | text | `""` |' in text
    assert "Message placeholders: `{word}`." in text


def test_a_rule_lists_the_options_it_sets_and_those_left_at_their_defaults(glow_kind):
    text = rule_markdown(parse_rule(GLOW_RULE, "HS101.yaml"))
    assert '- `words`: `[radiant, lit from within]`' in text
    assert "- `margin`: `0.25`" in text
    assert ("- at the defaults of [`glow_for_docs_test`](#check-kind-glow_for_docs_test): `min_weeks`, `tone`"
            in text)


def test_the_page_documents_every_kind_a_builtin_rule_uses():
    rules = load_rules()
    page = rules_page(rules)
    for rule in rules:
        assert f"### Check kind `{rule.kind.name}`" in page
        assert f"## {rule.code} `{rule.name}`" in page
    assert page.count("**Options.**") >= len(rules) + len({r.kind.name for r in rules})


def test_long_defaults_are_cut_in_the_table_with_their_size():
    @params
    class _Many(Params):
        words: list[str] = [f"word{n}" for n in range(40)]
        """Many words."""

    kind("many_for_docs_test", _Many)(_glow)
    try:
        text = kind_markdown(KINDS["many_for_docs_test"])
    finally:
        KINDS.pop("many_for_docs_test", None)
    row = next(line for line in text.splitlines() if line.startswith("| `words`"))
    assert "…]` (40 items)" in row and "word39" not in row
