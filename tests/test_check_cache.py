"""The compiled-rule cache and layered rule settings behind the fast `check`."""

from __future__ import annotations

import shutil

import pytest

from claimaudit.cache import cached_parse
from claimaudit.config import RuleLayer
from claimaudit.errors import InputError
from claimaudit.rule_cache import load_rule_set, select_rules
from claimaudit.rules.loader import builtin_rules_dir, load_rules


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(folder))
    return folder


def _a_builtin_rule_file():
    return sorted(builtin_rules_dir().rglob("*.yaml"))[0]


def test_the_second_load_comes_from_the_cache_and_matches_the_files(cache):
    first = load_rule_set()
    pickles = list(cache.glob("rules-*.pickle"))
    assert len(pickles) == 1
    second = load_rule_set()
    assert [(r.code, r.name, r.level, r.message) for r in second] == [(r.code, r.name, r.level, r.message) for r in first]
    assert [r.code for r in select_rules(second)] == [r.code for r in load_rules()]


def test_a_corrupt_cache_is_ignored(cache):
    load_rule_set()
    for pickle_file in cache.glob("rules-*.pickle"):
        pickle_file.write_bytes(b"not a pickle")
    assert load_rule_set()


def test_editing_a_rule_file_invalidates_the_cache(cache, tmp_path):
    pack = tmp_path / "pack"
    pack.mkdir()
    original = _a_builtin_rule_file()
    copy = pack / original.name
    shutil.copy(original, copy)
    before = {r.code: r.message for r in load_rule_set([pack])}
    code = copy.stem
    copy.write_text(_with_message(copy.read_text(encoding="utf-8"), "Changed wording for the test."),
                    encoding="utf-8")
    after = {r.code: r.message for r in load_rule_set([pack])}
    assert after[code] == "Changed wording for the test." != before[code]


def _with_message(text: str, message: str) -> str:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("message:"))
    end = start + 1
    while end < len(lines) and lines[end].startswith((" ", "\t")):
        end += 1
    return "\n".join(lines[:start] + [f'message: "{message}"'] + lines[end:]) + "\n"


def test_the_cache_can_be_switched_off(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert load_rule_set()
    assert not (tmp_path / "xdg").exists()


def test_an_unwritable_cache_folder_does_not_break_loading(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", str(blocker / "cache"))
    assert load_rule_set()


def test_later_layers_win(cache):
    rules = load_rule_set()
    code = rules[0].code
    config = RuleLayer(disable=(code,), path="cfg.toml")
    cli = RuleLayer(enable=(code,))
    assert code in {r.code for r in select_rules(rules, [config, cli])}
    assert code not in {r.code for r in select_rules(rules, [RuleLayer(enable=(code,), path="c"), RuleLayer(disable=(code,))])}


def test_levels_are_applied_to_copies_so_the_cached_rules_stay_untouched(cache):
    rules = load_rule_set()
    target = next(r for r in rules if r.level == "overstated")
    changed = select_rules(rules, [RuleLayer(levels=((target.code, "unsupported"),))])
    assert next(r for r in changed if r.code == target.code).level == "unsupported"
    assert target.level == "overstated"


def test_a_selector_matching_no_rule_names_where_it_was_written(cache):
    rules = load_rule_set()
    with pytest.raises(InputError) as raised:
        select_rules(rules, [RuleLayer(disable=("nope",), origin="tool.claimaudit.", path="pyproject.toml")])
    assert raised.value.path == "pyproject.toml" and raised.value.field == "tool.claimaudit.disable"
    with pytest.raises(InputError) as raised:
        select_rules(rules, [RuleLayer(levels=(("nope", "unsupported"),))])
    assert raised.value.field == "--level"


def _a_mapping(data, text):
    return isinstance(data, dict)


def test_parsed_data_is_cached_by_its_text(cache):
    calls = []

    def parse():
        calls.append(1)
        return {"hedges": ["may", "might"]}

    assert cached_parse("sample", "text one", parse, check=_a_mapping) == {"hedges": ["may", "might"]}
    assert cached_parse("sample", "text one", parse, check=_a_mapping) == {"hedges": ["may", "might"]}
    assert len(calls) == 1
    cached_parse("sample", "text two", parse, check=_a_mapping)
    assert len(calls) == 2


def test_data_json_cannot_hold_exactly_is_not_cached(cache):
    calls = []

    def parse():
        calls.append(1)
        return {"pair": (1, 2)}

    cached_parse("sample", "tuple text", parse, check=_a_mapping)
    assert cached_parse("sample", "tuple text", parse, check=_a_mapping) == {"pair": (1, 2)}
    assert len(calls) == 2


def test_data_that_fails_its_check_is_returned_but_not_cached(cache):
    calls = []

    def parse():
        calls.append(1)
        return ["not", "a", "mapping"]

    assert cached_parse("sample", "list text", parse, check=_a_mapping) == ["not", "a", "mapping"]
    cached_parse("sample", "list text", parse, check=_a_mapping)
    assert len(calls) == 2
    assert not list(cache.glob("sample-*"))


def test_a_corrupt_parse_cache_is_ignored(cache):
    cached_parse("sample", "some text", lambda: {"a": 1}, check=_a_mapping)
    for path in cache.glob("sample-*.json"):
        path.write_text("{broken", encoding="utf-8")
    assert cached_parse("sample", "some text", lambda: {"a": 2}, check=_a_mapping) == {"a": 2}


def test_a_source_pack_read_again_comes_from_the_cache_and_an_edit_is_seen(cache, tmp_path):
    from claimaudit.ingest import load_sources

    pack = tmp_path / "pack.yaml"
    pack.write_text("sources:\n  - id: lind2022\n    summary: Oat balm eased itch in 40 adults.\n"
                    "    doi: https://doi.org/10.1/oat\n", encoding="utf-8")
    first = load_sources(pack)
    assert list(cache.glob("source-pack-*.json"))
    assert load_sources(pack) == first
    assert first[0].doi == "10.1/oat" and first[0].origin == f"{pack}:2"
    pack.write_text(pack.read_text(encoding="utf-8").replace("40 adults", "60 adults"), encoding="utf-8")
    assert load_sources(pack)[0].summary == "Oat balm eased itch in 60 adults."


def test_a_broken_source_pack_is_reported_on_every_run(cache, tmp_path):
    from claimaudit.ingest import load_sources

    pack = tmp_path / "pack.yaml"
    pack.write_text("sources:\n  - id: lind2022\n    sumary: misspelt field\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError) as error:
            load_sources(pack)
        assert "pack.yaml:3: sources[0].sumary: unknown field" in str(error.value)
    assert not list(cache.glob("source-pack-*.json"))


def test_a_config_read_again_is_the_same_and_a_broken_one_is_reported_every_time(cache, tmp_path):
    from claimaudit.config import read_config

    config = tmp_path / ".claimaudit.toml"
    config.write_text('sources = "pack.yaml"\nfail-on = "unsupported"\n'
                      '[[overrides]]\npaths = ["blog/**"]\ndisable = ["CA202"]\n', encoding="utf-8")
    first, second = read_config(config).config, read_config(config).config
    assert first == second
    assert (second.sources, second.fail_on, second.overrides[0].disable) == (["pack.yaml"], "unsupported", ["CA202"])
    config.write_text('fail-on = "sometimes"\n', encoding="utf-8")
    for _ in range(2):
        with pytest.raises(InputError) as error:
            read_config(config)
        assert error.value.field == "fail_on" or "fail" in str(error.value)
