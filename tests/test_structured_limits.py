"""Structured files the user gives (packs, rules, configs, baselines) are read within bounds.

Issue 9's reproducers F1 (a pack or rule nested 100,000 deep crashed the C
YAML loader), F3 (deep nesting and huge numbers in every format), F5 (glob
patterns with `[` in the config), F6 (a control character in a rule file) and
F7 (YAML aliases that expand to gigabytes) run through the installed console
script: each must end with exit 2 and one line on stderr that names the file.
The loaders of ``claimaudit.structured`` are tested directly below.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from claimaudit import limits
from claimaudit.config import glob_matches, glob_problem, load_config
from claimaudit.errors import InputError
from claimaudit.language.cues import load_cues
from claimaudit.structured import load_json, load_toml, load_yaml, yaml_positions

CLAIMAUDIT = shutil.which("claimaudit") or str(Path(sys.executable).with_name("claimaudit"))

PAGE = """<html><body><main>
<p>The balm soothes sore shoulders after a long day of desk work.</p>
</main></body></html>
"""
PACK = """sources:
  - id: balm2022
    summary: In a small trial, office workers who used the balm reported slightly less shoulder soreness.
"""
RULE_HEAD = """code: XX901
name: house.too_strong
family: house
extends: element_stronger
level: overstated
message: "Stronger than the evidence."
"""
DEEP_FLOW = "[" * 100_000 + "]" * 100_000


def _laughs(indent: str = "") -> str:
    """Nine levels of aliases, each naming the one before nine times: 9**9 strings once expanded."""
    lines = [f'{indent}l0: &l0 ["ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha", "ha"]']
    for level in range(1, 9):
        lines.append(f"{indent}l{level}: &l{level} [" + ", ".join([f"*l{level - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _run(cwd: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    environment = {**os.environ, "CLAIMAUDIT_CACHE_DIR": str(cwd / ".cache"), **(env or {})}
    return subprocess.run([CLAIMAUDIT, *args], cwd=cwd, capture_output=True, text=True, timeout=60,
                          env=environment)


def _site(tmp_path: Path, files: dict[str, str]) -> Path:
    site = tmp_path / "site"
    for name, text in {"page.html": PAGE, **files}.items():
        target = site / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return site


# name -> (files, arguments after `check page.html`, file named in the message, words in it)
CASES = {
    # F1 / F3: source packs
    "pack-yaml-100000-deep": ({"d.yaml": f"sources: {DEEP_FLOW}\n"}, ["-s", "d.yaml"],
                              "d.yaml:1:", "nested too deeply"),
    "pack-yaml-indented-3000-deep": ({"d.yaml": "".join(" " * n + "level:\n" for n in range(3000))},
                                     ["-s", "d.yaml"], "d.yaml:65:", "nested too deeply"),
    "pack-json-2000-deep": ({"d.json": "[" * 2000 + "]" * 2000}, ["-s", "d.json"],
                            "d.json:1:", "nested too deeply"),
    "pack-json-5000-digit-id": ({"d.json": '[\n  {"id": ' + "7" * 5000 + ', "summary": "A balm trial."}\n]\n'},
                                ["-s", "d.json"], "d.json:2:", "number too long"),
    "pack-yaml-5000-digit-id": ({"d.yaml": "sources:\n  - id: " + "7" * 5000 + "\n    summary: A balm trial.\n"},
                                ["-s", "d.yaml"], "d.yaml:2:", "number too long"),
    "pack-folder-front-matter-deep": ({"pack/balm.md": f"---\nid: balm\ndoi: {DEEP_FLOW}\n---\nA balm trial.\n"},
                                      ["-s", "pack"], "balm.md:3:", "nested too deeply"),
    # F7: aliases in a pack
    "pack-yaml-aliases": ({"d.yaml": _laughs() + "sources: *l8\n"}, ["-s", "d.yaml"],
                          "d.yaml:2:", "aliases"),
    # F1 / F3 / F6 / F7: rule files
    "rule-100000-deep": ({"house/XX901.yaml": RULE_HEAD + f"params: {DEEP_FLOW}\n"}, ["-r", "house"],
                         "XX901.yaml:7:", "nested too deeply"),
    "rule-5000-digit-number": ({"house/XX901.yaml": RULE_HEAD + "params:\n  min_gap: " + "1" * 5000 + "\n"},
                               ["-r", "house"], "XX901.yaml:8:", "number too long"),
    "rule-control-character": ({"house/XX901.yaml": RULE_HEAD.replace("Stronger than", "Stronger\x1b than")},
                               ["-r", "house"], "XX901.yaml:6:", "control character U+001B"),
    "rule-billion-laughs": ({"house/XX901.yaml": RULE_HEAD + "params:\n  min_gap: 1\n" + _laughs("  ")},
                            ["-r", "house"], "XX901.yaml:10:", "aliases"),
    # F3: baselines
    "baseline-5000-deep": ({"base.json": '{"entries": ' + "[" * 5000 + "]" * 5000 + "}"},
                           ["--baseline", "base.json"], "base.json:1:", "nested too deeply"),
    "baseline-5000-digit-version": ({"base.json": '{\n"version": ' + "1" * 5000 + ',\n"entries": []}'},
                                    ["--baseline", "base.json"], "base.json:2:", "number too long"),
    # F3: configs
    "claimaudit-toml-deep-paths": ({".claimaudit.toml": "paths = " + "[" * 5000 + "]" * 5000 + "\n"}, [],
                                   ".claimaudit.toml:1:", "nested too deeply"),
    "claimaudit-toml-5000-digit-int": ({".claimaudit.toml": 'fail_on = "overstated"\nx = ' + "3" * 5000 + "\n"}, [],
                                       ".claimaudit.toml:2:", "number too long"),
    "pyproject-deep-paths": ({"pyproject.toml": "[tool.claimaudit]\npaths = " + "[" * 5000 + "]" * 5000 + "\n"},
                             [], "pyproject.toml:2:", "nested too deeply"),
    "pyproject-5000-digit-int": ({"pyproject.toml": "[tool.claimaudit]\nx = " + "3" * 5000 + "\n"}, [],
                                 "pyproject.toml:2:", "number too long"),
    # F5: a glob class that cannot match what it says
    "config-reversed-glob-range": ({".claimaudit.toml": 'exclude = ["drafts/**", "[z-a]"]\n'}, [],
                                   ".claimaudit.toml:1: exclude[1]:", "[z-a]"),
}


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_structured_file_is_one_line_exit_2(tmp_path, name):
    files, arguments, where, words = CASES[name]
    site = _site(tmp_path, files)
    result = _run(site, "check", "page.html", *arguments)
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert where in lines[0]
    assert words in lines[0]


def test_control_character_in_a_source_pack_is_one_line_exit_2(tmp_path):
    site = _site(tmp_path, {"d.yaml": PACK.replace("a small trial", "a small\x07 trial")})
    result = _run(site, "check", "page.html", "-s", "d.yaml")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "d.yaml" in lines[0]


def test_audit_reads_packs_within_the_same_bounds(tmp_path):
    site = _site(tmp_path, {"d.yaml": f"sources: {DEEP_FLOW}\n"})
    result = _run(site, "audit", "page.html", "-s", "d.yaml", "-o", "out")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "d.yaml:1: nested too deeply" in result.stderr
    assert not (site / "out").exists()


@pytest.mark.parametrize("pattern", ["[]", "[", "a]b", "[!]"])
def test_glob_with_a_bracket_that_forms_no_class_is_read_literally(tmp_path, pattern):
    site = _site(tmp_path, {".claimaudit.toml": f"exclude = [{pattern!r}]\n".replace("'", '"'),
                            "d.yaml": PACK})
    result = _run(site, "check", "page.html", "-s", "d.yaml")
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    assert "1 claim in 1 document" in result.stdout


def test_glob_with_many_stars_ends(tmp_path):
    # With a backtracking regex, thirty stars against a long name that almost
    # matches would run for longer than the universe has existed.
    name = "a" * 200 + ".html"
    site = _site(tmp_path, {".claimaudit.toml": 'exclude = ["' + "*a" * 30 + '*b"]\n', name: PAGE,
                            "d.yaml": PACK})
    result = _run(site, "check", name, "-s", "d.yaml")
    assert result.returncode in (0, 1), result.stderr
    assert "1 claim in 1 document" in result.stdout


def test_raising_max_depth_past_the_parser_still_fails_cleanly(tmp_path):
    # The scan is told to allow a million levels; the YAML loader must then
    # stop with an error, not overflow the C stack.
    site = _site(tmp_path, {"d.yaml": f"sources: {DEEP_FLOW}\n"})
    result = _run(site, "check", "page.html", "-s", "d.yaml", env={"CLAIMAUDIT_MAX_DEPTH": "1000000"})
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and "d.yaml" in result.stderr
    assert "nested too deeply" in result.stderr


# --------------------------------------------------------------------------- the loaders


def _error(load, text: str, path: str = "f") -> InputError:
    with pytest.raises(InputError) as raised:
        load(text, path)
    return raised.value


def _nested_block(levels: int) -> str:
    """A YAML mapping ``levels`` deep, one key per line, each indented one more space."""
    return "".join(" " * n + "k:\n" for n in range(levels - 1)) + " " * (levels - 1) + "k: 1\n"


def test_yaml_depth_just_under_the_limit_loads_and_one_more_fails():
    depth = limits.int_value("max-depth")
    assert load_yaml("a: " + "[" * (depth - 1) + "]" * (depth - 1), "f") is not None
    assert _error(load_yaml, "a: " + "[" * depth + "]" * depth).line == 1
    assert load_yaml(_nested_block(depth), "f")["k"]["k"] is not None
    error = _error(load_yaml, _nested_block(depth + 1))
    assert (error.line, "nested too deeply" in error.detail, "max-depth" in error.detail) == (depth + 1, True, True)


def test_yaml_depth_limit_follows_the_setting():
    with limits.override(max_depth=100):
        assert load_yaml("a: " + "[" * 90 + "]" * 90, "f") is not None
    with limits.override(max_depth=8):
        assert _error(load_yaml, _nested_block(9)).line == 9


def test_yaml_sequences_under_keys_at_the_same_indent_count_as_levels():
    text = "a:\n- b:\n  - c:\n    - 1\n"  # a map, a list, a map, a list, a map, a list: six levels
    assert load_yaml(text, "f") == {"a": [{"b": [{"c": [1]}]}]}
    with limits.override(max_depth=5):
        assert _error(load_yaml, text).line == 4


def test_brackets_stars_and_quotes_inside_text_are_not_structure():
    text = (
        "summary: Pain fell by *half* [1] in [the [first [week\n"
        "quoted: 'it''s [[[[[[[[ *not* an alias'\n"
        'double: "a \\" [[[[[[[[[[ still text"\n'
        "folded: >\n  [[[[[[[[[[[[ *x\n  {{{{{{{{{{\n"
        "plain: starts here\n  [[[[[[[[[[ and goes on\n"
        "flow: [a, 'b ]]]]]]]]', \"c [[[[[[\", d*e]  # [[[[[[ a comment\n"
    )
    with limits.override(max_depth=4):
        data = load_yaml(text, "f")
    assert data["summary"] == "Pain fell by *half* [1] in [the [first [week"
    assert data["flow"] == ["a", "b ]]]]]]]]", "c [[[[[[", "d*e"]
    assert data["plain"] == "starts here [[[[[[[[[[ and goes on"


# Text that looks like YAML structure: brackets, stars, quotes, colons, comments.
_TRICKY_TEXT = st.sampled_from([
    "plain", "it's [a] *b* {c} #d", "line one\nline [two", "key: value", "- dash", "'q'", '"dq"', "&anchor",
    "*star", "0x1F", "", "x: [y", "a\n\n[b\n  c", "[1], [2]", "ü {", "#hash", "tab\tthen [",
])
_SCALARS = st.one_of(_TRICKY_TEXT, st.integers(-10**6, 10**6), st.none(), st.booleans())
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.one_of(_TRICKY_TEXT, st.text("k[]: #*", min_size=1, max_size=4)),
                                            inner, max_size=3)),
    max_leaves=12)


def _depth(data) -> int:
    if isinstance(data, dict):
        return 1 + max(map(_depth, data.values()), default=0)
    if isinstance(data, list):
        return 1 + max(map(_depth, data), default=0)
    return 0


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=_DOCUMENTS, flow=st.sampled_from([False, None, True]), width=st.sampled_from([20, 4096]),
       sequence_indent=st.sampled_from([(2, 0), (4, 2)]))
def test_yaml_scan_finds_the_line_of_the_level_over_the_limit(data, flow, width, sequence_indent):
    import io

    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    writer = YAML(typ="rt", pure=True)
    writer.default_flow_style = flow
    writer.width = width
    writer.indent(mapping=2, sequence=sequence_indent[0], offset=sequence_indent[1])
    buffer = io.StringIO()
    writer.dump(data, buffer)
    text = buffer.getvalue()
    # The writer folds some text its own way and now and then writes what no
    # reader accepts: compare with a plain read of what it wrote.
    try:
        expected = YAML(typ="safe").load(text)
    except YAMLError:
        assume(False)
    depth = max(_depth(expected), 1)
    with limits.override(max_depth=depth):
        assert load_yaml(text, "f") == expected
    if depth > 1:
        with limits.override(max_depth=depth - 1):
            assert _error(load_yaml, text).line is not None, text


def test_yaml_aliases_are_refused_with_their_line_and_anchors_alone_are_fine():
    assert load_yaml("a: &first [1, 2]\nb: 3\n", "f") == {"a": [1, 2], "b": 3}
    assert _error(load_yaml, "a: &first [1, 2]\nb: *first\n").line == 2
    assert _error(load_yaml, "a: &x text\nb: [1, *x]\n").line == 2
    assert _error(load_yaml, "base: &base {k: 1}\nother:\n  <<: *base\n").line == 3
    assert "aliases" in _error(load_yaml, _laughs()).detail


def test_yaml_long_numbers_are_refused_but_long_digit_text_is_not():
    digits = limits.int_value("max-number-digits")
    assert load_yaml("n: " + "9" * digits, "f") == {"n": int("9" * digits)}
    error = _error(load_yaml, "a: 1\nn: " + "9" * (digits + 1))
    assert (error.line, "number too long" in error.detail, "max-number-digits" in error.detail) == (2, True, True)
    assert _error(load_yaml, "n: [1, " + "9" * 5000 + "]").line == 1
    assert load_yaml("n: '" + "9" * 5000 + "'", "f") == {"n": "9" * 5000}
    assert load_yaml("n: call 0800 " + "9" * 100, "f") == {"n": "call 0800 " + "9" * 100}


def test_yaml_control_character_names_line_and_column():
    error = _error(load_yaml, "a: 1\nb: x\x00y\n")
    assert error.line == 2
    assert "U+0000 (column 5)" in error.detail


def test_yaml_errors_keep_the_line_after_front_matter_offset():
    with pytest.raises(InputError) as raised:
        load_yaml("a: 1\nb: *nowhere\n", "page.md", line_offset=1)
    assert raised.value.line == 3


def test_yaml_positions_is_bounded_like_load_yaml():
    assert yaml_positions("a:\n  b: 1\n", "f").lc.key("a") == (0, 0)
    assert _error(yaml_positions, f"a: {DEEP_FLOW}").line == 1
    assert "aliases" in _error(yaml_positions, "a: &x 1\nb: *x\n").detail


def test_yaml_syntax_error_is_one_input_error_with_line():
    error = _error(load_yaml, "a: 1\nb: [1, 2\n", "pack.yaml")
    assert str(error).startswith("pack.yaml:")
    assert "invalid YAML" in error.detail


def test_json_depth_just_under_the_limit_loads_and_one_more_fails():
    depth = limits.int_value("max-depth")
    assert load_json("[" * depth + "]" * depth, "f") is not None
    error = _error(load_json, '{"a": "[[[[",\n "b": ' + "[" * depth + "]" * depth + "}")
    assert error.line == 2


def test_json_numbers_out_of_bounds_are_refused_with_their_line():
    digits = limits.int_value("max-number-digits")
    assert load_json("[" + "9" * digits + "]", "f") == [int("9" * digits)]
    assert _error(load_json, "[1,\n" + "9" * 5000 + "]").line == 2
    assert _error(load_json, '{"a": "' + "9" * 5000 + '",\n "b": -' + "9" * 70 + "}").line == 2
    for constant in ("NaN", "Infinity", "-Infinity", "1e400"):
        error = _error(load_json, '{"x": 1,\n "y": ' + constant + "}")
        assert (error.line, constant in error.detail) == (2, True)


def test_json_syntax_error_names_line_and_column():
    error = _error(load_json, '{"a": 1,\n "b": 2,}', "base.json")
    assert (error.path, error.line) == ("base.json", 2)
    assert "invalid JSON" in error.detail and "column" in error.detail


def test_toml_depth_just_under_the_limit_loads_and_one_more_fails():
    depth = limits.int_value("max-depth")
    # The top-level table is one level, so an array can open depth - 1 more.
    assert load_toml("x = 1\npaths = " + "[" * (depth - 1) + "]" * (depth - 1), "f")["x"] == 1
    assert _error(load_toml, "x = 1\npaths = " + "[" * depth + "]" * depth).line == 2
    assert _error(load_toml, "[" + ".".join(["t"] * depth) + "]\nx = 1\n").line == 1
    assert _error(load_toml, ".".join(["t"] * (depth + 1)) + " = 1\n").line == 1


def test_toml_strings_and_comments_do_not_count():
    text = 'a = "[[[[[[[[[[[[[[[[[[[[[["\n# [[[[[[[[[[[[[[[\nb = """\n[[[[[[[[[[[[[[[\n"""\nc = [1, 2]\n'
    with limits.override(max_depth=3):
        assert load_toml(text, "f")["c"] == [1, 2]


def test_toml_long_numbers_are_refused_with_their_line():
    assert _error(load_toml, "a = 1\nb = " + "4" * 5000).line == 2
    assert _error(load_toml, "a = 1\nb = 0x" + "f" * 5000).line == 2
    assert load_toml('b = "' + "4" * 5000 + '"', "f")["b"] == "4" * 5000


def test_oversized_text_is_refused_before_parsing():
    with limits.override(max_input_bytes=1000):
        error = _error(load_yaml, "a: " + "x" * 2000)
    assert "max-input-bytes" in error.detail


def test_pyproject_whose_tool_key_is_not_a_table_reads_as_no_settings(tmp_path):
    (tmp_path / "pyproject.toml").write_text("tool = 3\n", encoding="utf-8")
    assert load_config(tmp_path / "pyproject.toml").config.exclude == []


def test_user_lexicon_is_read_within_bounds(tmp_path):
    lexicon = tmp_path / "extra-cues.yaml"
    lexicon.write_text("booster:\n  phrases: " + "[" * 500 + "]" * 500 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_cues(str(lexicon))
    assert (raised.value.path, raised.value.line) == (str(lexicon), 2)


# --------------------------------------------------------------------------- globs


def test_reversed_class_range_is_a_config_error_naming_key_and_pattern(tmp_path):
    config = tmp_path / ".claimaudit.toml"
    config.write_text('fail_on = "overstated"\n\n[[overrides]]\npaths = ["news/[9-0]*.md"]\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        load_config(config)
    error = raised.value
    assert (error.path, error.line, error.field) == (str(config), 4, "overrides[0].paths[0]")
    assert "'news/[9-0]*.md'" in error.detail and "9-0" in error.detail


def test_glob_classes_and_literal_brackets():
    assert glob_problem("[a-z]*.md") is None
    assert glob_problem("[]") is None
    assert "z-a" in glob_problem("[z-a]")
    assert glob_matches("[]", "[]")
    assert glob_matches("[]a]x.md", "]x.md")
    assert glob_matches("[!a]x.md", "bx.md") and not glob_matches("[!a]x.md", "ax.md")
    assert not glob_matches("a[/]b", "a/b")  # a class never crosses a folder
    assert not glob_matches("[z-a]", "m")


def test_globs_with_many_stars_match_as_with_few():
    assert glob_matches("*a*b*c*d*.md", "xaybzcwd.md")
    assert not glob_matches("*a*b*c*d*.md", "xaybzc/wd.md")
    assert glob_matches("**/*a*b*c*.html", "blog/2024/abc.html")
    assert glob_matches("docs/**/*x*y*z*", "docs/a/b/xyz")
    assert not glob_matches("**/x*y*z*q", "x/y/z/q")
    assert glob_matches("**/" + "*a" * 10 + "*", "deep/path/" + "a" * 12)
