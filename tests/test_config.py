"""Project configuration: .claimaudit.toml or [tool.claimaudit], validated, with per-path overrides."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimaudit.config import RuleLayer, find_config, glob_matches, load_config, read_config
from claimaudit.errors import InputError


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_every_documented_key_from_claimaudit_toml(tmp_path):
    path = _write(tmp_path / ".claimaudit.toml", """
paths = ["site"]
exclude = ["site/legal/**"]
sources = "packs/sources.yaml"
rules = ["house-rules"]
disable = ["testimonials"]
enable = ["CA305"]
levels = { "figures.inflated" = "unsupported" }
fail-on = "unsupported"
baseline = ".claimaudit-baseline.json"

[[overrides]]
paths = ["site/blog/**/*.md"]
disable = ["CA202"]
fail_on = "overstated"
""")
    loaded = read_config(path)
    config = loaded.config
    assert config.sources == ["packs/sources.yaml"]  # one string reads as a one-item list
    assert config.levels == {"figures.inflated": "unsupported"}
    assert config.fail_on == "unsupported"
    assert config.overrides[0].fail_on == "overstated"
    assert loaded.directory == tmp_path


def test_reads_the_tool_table_of_pyproject(tmp_path):
    path = _write(tmp_path / "pyproject.toml", """
[project]
name = "site"

[tool.claimaudit]
sources = ["sources.yaml"]
fail-on = "overstated"
""")
    assert read_config(path).config.sources == ["sources.yaml"]


def test_an_unknown_key_is_an_error_naming_the_key_file_and_line(tmp_path):
    path = _write(tmp_path / "pyproject.toml", """
[project]
name = "site"

[tool.claimaudit]
sources = ["sources.yaml"]
fail_onn = "overstated"
""")
    with pytest.raises(InputError) as raised:
        read_config(path)
    error = raised.value
    assert error.path == str(path) and error.line == 7
    assert error.field == "tool.claimaudit.fail_onn"
    assert "unknown key" in str(error)


def test_an_unknown_key_inside_an_override_names_its_position(tmp_path):
    path = _write(tmp_path / ".claimaudit.toml", """
[[overrides]]
paths = ["blog/**"]

[[overrides]]
paths = ["news/**"]
disabel = ["CA101"]
""")
    with pytest.raises(InputError) as raised:
        read_config(path)
    assert raised.value.field == "overrides[1].disabel"
    assert raised.value.line == 7


def test_a_bad_value_says_what_is_allowed(tmp_path):
    path = _write(tmp_path / ".claimaudit.toml", 'fail-on = "supported"\n')
    with pytest.raises(InputError) as raised:
        read_config(path)
    assert raised.value.field == "fail-on" and raised.value.line == 1
    assert "'overstated' or 'unsupported'" in str(raised.value)


def test_broken_toml_is_an_error_with_its_line(tmp_path):
    path = _write(tmp_path / ".claimaudit.toml", 'sources = ["a.yaml"\nfail-on = 3\n')
    with pytest.raises(InputError) as raised:
        read_config(path)
    assert raised.value.path == str(path) and raised.value.line
    assert "invalid TOML" in str(raised.value)


def test_the_nearest_config_is_found_and_claimaudit_toml_wins_over_pyproject(tmp_path):
    _write(tmp_path / "pyproject.toml", '[tool.claimaudit]\nfail-on = "unsupported"\n')
    nested = tmp_path / "site" / "blog"
    nested.mkdir(parents=True)
    assert find_config(nested) == tmp_path / "pyproject.toml"
    _write(tmp_path / ".claimaudit.toml", 'fail-on = "overstated"\n')
    assert find_config(nested) == tmp_path / ".claimaudit.toml"


def test_a_pyproject_without_the_tool_table_is_not_a_config(tmp_path):
    _write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n')
    assert find_config(tmp_path) != tmp_path / "pyproject.toml"


def test_without_a_config_the_defaults_apply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    loaded = load_config(start=tmp_path / "nowhere")
    settings = loaded.settings_for("page.html")
    assert settings.fail_on == "overstated" and settings.layers == () and settings.sources is None


def test_an_explicit_config_that_does_not_exist_is_an_error(tmp_path):
    with pytest.raises(InputError, match="config file not found"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(("pattern", "path", "matches"), [
    ("blog/**", "blog/2024/post.md", True),
    ("blog/**/*.md", "blog/post.md", True),
    ("blog/*.md", "blog/2024/post.md", False),
    ("*.md", "deep/down/page.md", True),
    ("site/", "site/a/b.html", True),
    ("./site/*.html", "site/index.html", True),
    ("site/*.html", "other/site/index.html", False),
    ("page-[0-9].html", "page-7.html", True),
])
def test_glob_patterns(pattern, path, matches):
    assert glob_matches(pattern, path) is matches


def test_per_path_overrides_apply_in_order_and_the_command_line_wins(tmp_path, monkeypatch):
    _write(tmp_path / ".claimaudit.toml", """
disable = ["CA1001"]
fail-on = "overstated"
sources = ["all.yaml"]

[[overrides]]
paths = ["blog/**"]
disable = ["CA202"]
levels = { figures = "unsupported" }
fail-on = "unsupported"
sources = ["blog-sources.yaml"]

[[overrides]]
paths = ["blog/drafts/**"]
fail-on = "overstated"
""")
    monkeypatch.chdir(tmp_path)
    loaded = load_config()
    plain = loaded.settings_for("index.html")
    assert plain.fail_on == "overstated" and plain.sources is None
    assert [layer.disable for layer in plain.layers] == [("CA1001",)]

    blog = loaded.settings_for("blog/post.md")
    assert blog.fail_on == "unsupported"
    assert blog.sources == ("blog-sources.yaml",)
    assert [layer.disable for layer in blog.layers] == [("CA1001",), ("CA202",)]
    assert blog.layers[1].levels == (("figures", "unsupported"),)
    assert blog.layers[1].origin == "overrides[0]."

    assert loaded.settings_for("blog/drafts/new.md").fail_on == "overstated"

    cli = RuleLayer(enable=("CA1001",))
    from_cli = loaded.settings_for("blog/post.md", cli, cli_fail_on="overstated")
    assert from_cli.fail_on == "overstated"
    assert from_cli.layers[-1] == cli


def test_paths_in_the_config_are_relative_to_its_folder(tmp_path, monkeypatch):
    project = tmp_path / "project"
    _write(project / ".claimaudit.toml", 'sources = ["packs/s.yaml"]\n')
    (project / "site").mkdir()
    monkeypatch.chdir(project / "site")
    loaded = load_config()
    assert loaded.resolve("packs/s.yaml") == str(Path("..") / "packs" / "s.yaml")
    assert loaded.relative("page.html") == "site/page.html"


def test_a_configured_source_pack_that_is_missing_names_the_config_and_the_setting(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from claimaudit.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".claimaudit.toml").write_text('sources = "packs/"\n', encoding="utf-8")
    (tmp_path / "page.md").write_text("Curcumin eases knee pain.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "page.md"])
    assert result.exit_code == 2
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and line.startswith("claimaudit: error: ")
    assert line.endswith(".claimaudit.toml: sources: source pack 'packs/' not found")


@pytest.mark.parametrize("toml, named", [
    ('rules = ["house/"]\n', "rules: rule pack 'house/' not found"),
    ('[[overrides]]\npaths = ["*.md"]\nsources = ["other-pack/"]\n', "overrides[0].sources: source pack 'other-pack/' not found"),
])
def test_a_missing_pack_set_in_the_config_names_the_config_and_the_setting(toml, named, tmp_path, monkeypatch):
    from click.testing import CliRunner

    from claimaudit.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".claimaudit.toml").write_text(toml, encoding="utf-8")
    (tmp_path / "page.md").write_text("Curcumin eases knee pain.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["check", "page.md"])
    assert result.exit_code == 2
    line = result.output.strip()
    assert len(line.splitlines()) == 1 and line.endswith(".claimaudit.toml: " + named)
