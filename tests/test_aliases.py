"""Product names in copy read as the names the sources use: `aliases` in a pack or the config."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimaudit.cache import alias_table_shape
from claimaudit.cli import main
from claimaudit.errors import InputError
from claimaudit.evidence.aliases import merge_aliases, resolve_aliases, validate_aliases

TURMERIC = "Curcumin eased pain in people with knee arthritis over eight weeks of a randomised trial."
RUNNERS = "Knee pain in adults who run was common in the survey, and stretching did not ease it."
SOURCES = f"""\
  - id: turmeric2021
    citation: "Example C, Sample D. A turmeric compound for sore knees. J Example Rheum. 2021;4:10-18."
    summary: {TURMERIC}
  - id: runners2019
    citation: "Other E. Habits of weekend runners. J Example Sport. 2019;2:1-5."
    summary: {RUNNERS}
"""
PACK_DATA = {"sources": [{"id": "turmeric2021", "summary": TURMERIC}, {"id": "runners2019", "summary": RUNNERS}]}
PACK = "sources:\n" + SOURCES
PACK_WITH_ALIASES = "aliases:\n  FlexiCur: [curcumin]\n  Joint Ease: curcumin\n" + PACK

CLAIM = "FlexiCur eased knee pain in adults."


@pytest.fixture(autouse=True)
def private_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def check(*args: str):
    result = CliRunner().invoke(main, ["check", *args])
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result


def top_evidence(site: Path, claim: str, *args: str) -> str:
    write(site / "page.md", f"# Our range\n\n{claim}\n")
    result = check("page.md", "-f", "json", *args)
    assert result.exit_code in (0, 1), result.output
    findings = [f for f in json.loads(result.output)["findings"] if f["text"] == claim]
    assert findings and findings[0]["evidence"], result.output
    return findings[0]["evidence"][0]["source"]


# --------------------------------------------------------------------------- ranking


def test_without_aliases_a_product_name_finds_no_evidence_about_its_ingredient(site):
    write(site / "pack.yaml", PACK)
    assert top_evidence(site, CLAIM, "--sources", "pack.yaml") == "runners2019"


def test_a_pack_alias_ranks_evidence_about_the_ingredient_first(site):
    write(site / "pack.yaml", PACK_WITH_ALIASES)
    assert top_evidence(site, CLAIM, "--sources", "pack.yaml") == "turmeric2021"


def test_a_multiword_alias_given_as_one_name_works(site):
    write(site / "pack.yaml", PACK_WITH_ALIASES)
    assert top_evidence(site, "Joint Ease eased knee pain in adults.", "--sources", "pack.yaml") == "turmeric2021"


def test_aliases_in_claimaudit_toml_do_the_same(site):
    write(site / "pack.yaml", PACK)
    write(site / ".claimaudit.toml", 'aliases = { FlexiCur = ["curcumin"] }\n')
    assert top_evidence(site, CLAIM, "--sources", "pack.yaml") == "turmeric2021"


def test_aliases_in_pyproject_do_the_same(site):
    write(site / "pack.yaml", PACK)
    write(site / "pyproject.toml", '[project]\nname = "shop"\n\n[tool.claimaudit.aliases]\n"Joint Ease" = "curcumin"\n')
    assert top_evidence(site, "Joint Ease eased knee pain in adults.", "--sources", "pack.yaml") == "turmeric2021"


def test_a_json_pack_and_a_folder_pack_carry_their_aliases(site):
    data = {"aliases": {"FlexiCur": ["curcumin"]}, **PACK_DATA}
    write(site / "pack.json", json.dumps(data, indent=2))
    assert top_evidence(site, CLAIM, "--sources", "pack.json") == "turmeric2021"
    write(site / "folder" / "pack.json", json.dumps(data, indent=2))
    assert top_evidence(site, CLAIM, "--sources", "folder") == "turmeric2021"


def test_the_python_api_takes_aliases_in_the_pack_or_as_an_argument():
    from claimaudit import audit

    pack = PACK_DATA
    plain = audit(CLAIM, pack).result.findings[0]
    given = audit(CLAIM, pack, aliases={"FlexiCur": ["curcumin"]}).result.findings[0]
    in_pack = audit(CLAIM, {**pack, "aliases": {"FlexiCur": "curcumin"}}).result.findings[0]
    assert plain.evidence[0].source == "runners2019"
    assert given.evidence[0].source == in_pack.evidence[0].source == "turmeric2021"
    with pytest.raises(InputError, match="aliases.FlexiCur"):
        audit(CLAIM, pack, aliases={"FlexiCur": []})


# --------------------------------------------------------------------------- bad input


BAD_PACKS = [
    ("aliases: [curcumin]\n", 1, "aliases: must be a mapping"),
    ("aliases:\n  FlexiCur: []\n", 2, "aliases.FlexiCur: must name at least one"),
    ("aliases:\n  FlexiCur:\n    - curcumin\n    - '  '\n", 4, "aliases.FlexiCur[1]: a source name must not be empty"),
    ("aliases:\n  FlexiCur: {a: b}\n", 2, "aliases.FlexiCur: must be a list"),
    ("aliases:\n  FlexiCur: [curcumin]\n  flexicur: [turmeric]\n", 3, "the name is given twice (also as 'FlexiCur')"),
    ("aliases:\n  FlexiCur: [12]\n", 2, "aliases.FlexiCur[0]: a source name must be text"),
    ("aliases:\n  '---': [curcumin]\n", 2, "needs at least one letter or digit"),
    (f"aliases:\n  {'x' * 300}: [curcumin]\n", 2, "a name is at most 200"),
]


@pytest.mark.parametrize("aliases, line, message", BAD_PACKS)
def test_bad_pack_aliases_exit_2_naming_the_file_line_and_field(site, aliases, line, message):
    write(site / "pack.yaml", aliases + PACK)
    write(site / "page.md", CLAIM + "\n")
    result = check("page.md", "--sources", "pack.yaml")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.output
    assert lines[0].startswith(f"claimaudit: error: pack.yaml:{line}: ") and message in lines[0]


@pytest.mark.parametrize("config, message", [
    ('aliases = { FlexiCur = ["curcumin", ""] }\n', "aliases.FlexiCur[1]: a source name must not be empty"),
    ('aliases = { FlexiCur = [3] }\n', "aliases.FlexiCur[0]"),
    ('aliases = ["curcumin"]\n', "aliases"),
    ('[aliases]\nFlexiCur = "curcumin"\nFLEXICUR = "turmeric"\n', "the name is given twice"),
])
def test_bad_config_aliases_exit_2_naming_the_config(site, config, message):
    write(site / "pack.yaml", PACK)
    write(site / ".claimaudit.toml", config)
    write(site / "page.md", CLAIM + "\n")
    result = check("page.md", "--sources", "pack.yaml")
    assert result.exit_code == 2, result.output
    assert ".claimaudit.toml:" in result.output and message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_too_many_aliases_is_a_limit_named_in_the_error(site, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_MAX_ALIASES", "3")
    write(site / "pack.yaml", "aliases:\n  FlexiCur: [curcumin]\n  Joint Ease: [curcumin, turmeric]\n" + PACK)
    write(site / "page.md", CLAIM + "\n")
    result = check("page.md", "--sources", "pack.yaml")
    assert result.exit_code == 2 and "pack.yaml:3" in result.output and "max-aliases" in result.output


# --------------------------------------------------------------------------- finding names


def test_resolve_aliases_finds_whole_names_in_any_case_longest_first():
    table = validate_aliases({"FlexiCur": ["curcumin", "turmeric extract"], "Joint Ease": "glucosamine",
                              "Joint Ease Plus": ["glucosamine", "chondroitin"]})
    text = "FLEXICUR's maker also sells Joint-Ease, JOINT EASE PLUS and FlexiCurX."
    spans = resolve_aliases(text, table)
    assert [(text[s:e], target) for s, e, target in spans] == [
        ("FLEXICUR", "curcumin"), ("Joint-Ease", "glucosamine"), ("JOINT EASE PLUS", "glucosamine")]
    assert resolve_aliases("Nothing named here.", table) == [] and resolve_aliases(text, {}) == []


def test_tables_merge_keeping_every_target_once():
    merged = merge_aliases({"flexicur": ("curcumin",)}, {"flexicur": ("Curcumin", "turmeric")}, None)
    assert merged == {"flexicur": ("curcumin", "turmeric")}


# --------------------------------------------------------------------------- the cache


def test_pack_aliases_survive_the_cache(tmp_path, monkeypatch):
    from claimaudit.ingest.sources import load_pack

    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(tmp_path / "cache"))
    pack = write(tmp_path / "pack.yaml", PACK_WITH_ALIASES)
    first = load_pack(pack)
    assert list((tmp_path / "cache").glob("source-pack-*.json"))
    second = load_pack(pack)
    assert first == second
    assert second.aliases == {"flexicur": ("curcumin",), "joint ease": ("curcumin",)}


def test_a_cached_alias_table_is_held_to_its_shape_and_to_the_file():
    content = PACK_WITH_ALIASES
    assert alias_table_shape({"flexicur": ["curcumin"]}, content)
    assert alias_table_shape({}, content)
    assert not alias_table_shape({"FlexiCur": ["curcumin"]}, content)  # not normalised
    assert not alias_table_shape({"flexicur": []}, content)
    assert not alias_table_shape({"flexicur": "curcumin"}, content)
    assert not alias_table_shape({"flexicur": ["ibuprofen"]}, content)  # a name the file does not give
    assert not alias_table_shape({"flexicur": ["curcumin"]}, PACK)  # a file without aliases


def test_a_warm_check_with_aliases_imports_no_validator_or_yaml_parser(tmp_path):
    write(tmp_path / "pack.yaml", PACK_WITH_ALIASES)
    write(tmp_path / ".claimaudit.toml", 'aliases = { "Joint Ease" = "curcumin" }\n')
    write(tmp_path / "page.md", f"# Our range\n\n{CLAIM}\n")
    code = (
        "import sys\n"
        "from claimaudit.cli import main\n"
        "try:\n"
        "    main(['check', 'page.md', '--sources', 'pack.yaml', '-f', 'json'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('pydantic', 'ruamel', 'ruamel.yaml', 'numpy') if m in sys.modules), file=sys.stderr)\n"
    )
    src = Path(__file__).resolve().parents[1] / "src"
    env = {"PYTHONPATH": str(src), "PATH": "/usr/bin:/bin", "CLAIMAUDIT_CACHE_DIR": str(tmp_path / "cache")}
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, env=env,
                           timeout=120) for _ in range(2)]
    cold, warm = runs
    assert "'pydantic'" in cold.stderr.splitlines()[-1]
    assert warm.stderr.splitlines()[-1] == "[]", warm.stderr[-2000:]
    findings = json.loads(warm.stdout)["findings"]
    assert [f["evidence"][0]["source"] for f in findings if f["text"] == CLAIM] == ["turmeric2021"]
