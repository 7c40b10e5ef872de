"""Source packs: every format loads the same sources; broken packs say where and what."""

from pathlib import Path

import openpyxl
import pytest

from claimaudit.errors import InputError
from claimaudit.ingest import load_sources, sources_from_data

PACKS = Path(__file__).parent / "fixtures" / "ingest" / "packs"
BROKEN = PACKS / "broken"


def by_id(sources):
    return {source.id: source for source in sources}


def test_yaml_pack():
    sources = by_id(load_sources(PACKS / "sources.yaml"))
    okafor = sources["okafor2021"]
    assert okafor.doi == "10.5555/jrs.2021.0142"  # doi.org prefix removed
    assert okafor.pmid == "31234567"  # written as a number
    assert okafor.summary.startswith("Forty adults were randomised")
    assert okafor.kind == "summary"
    assert okafor.origin.endswith("sources.yaml:3")
    assert sources["larkspur-audit"].kind == "internal"


def test_json_pack():
    sources = by_id(load_sources(PACKS / "sources.json"))
    assert sources["okafor2021"].doi == "10.5555/jrs.2021.0142"  # "doi:" prefix removed
    assert sources["garcialopez2020"].pmid == "30000001"  # "PMID:" prefix removed
    assert sources["garcialopez2020"].url == "https://example.org/heat"
    assert sources["garcialopez2020"].origin.endswith("sources.json:8")


def test_csv_pack_with_a_multiline_summary():
    sources = by_id(load_sources(PACKS / "sources.csv"))
    assert sources["okafor2021"].summary.split() == (
        "Pain was slightly lower at day ten; walking distance did not differ.".split())
    assert sources["garcialopez2020"].origin.endswith("sources.csv:4")
    assert sources["garcialopez2020"].citation == ""


def test_folder_pack_uses_front_matter_and_body():
    sources = by_id(load_sources(PACKS / "folder"))
    assert set(sources) == {"okafor2021", "garcialopez2020"}  # README is not a source
    okafor = sources["okafor2021"]  # id from the file name
    assert okafor.citation == "Okafor N, et al. J Rehabil Sci. 2021."
    assert "Pain was slightly lower" in okafor.summary
    assert "**" not in okafor.summary
    assert sources["garcialopez2020"].summary == (
        "Daily heat use was associated with modest improvements in comfort.")


def test_xlsx_pack(tmp_path):
    path = tmp_path / "sources.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Summary", "PMID"])
    sheet.append(["okafor2021", "Pain was slightly lower at day ten.", 31234567])
    sheet.append(["garcialopez2020", "Heat use helped a little.", None])
    workbook.save(path)
    sources = by_id(load_sources(path))
    assert sources["okafor2021"].pmid == "31234567"
    assert sources["garcialopez2020"].origin.endswith("sources.xlsx:3")


def test_xlsx_pack_error_names_the_row(tmp_path):
    path = tmp_path / "sources.xlsx"
    workbook = openpyxl.Workbook()
    workbook.active.append(["id", "summary"])
    workbook.active.append(["okafor2021", "Pain was slightly lower."])
    workbook.active.append(["garcialopez2020", None])
    workbook.save(path)
    with pytest.raises(InputError) as caught:
        load_sources(path)
    assert str(caught.value).startswith(f"{path}:3: sources[1].summary: must not be empty")


@pytest.mark.parametrize("name, line, field, words", [
    ("bad-indent.yaml", 5, None, "invalid YAML"),
    ("missing-summary.yaml", 4, "sources[1].summary", "field required"),
    ("unknown-key.yaml", 4, "sources[0].journal", "unknown field"),
    ("duplicate-id.yaml", 6, "sources[2].id", "duplicate id 'okafor2021' (first used on line 2)"),
    ("missing-summary.json", 3, "sources[1].summary", "field required"),
    ("trailing-comma.json", 3, None, "invalid JSON"),
    ("unknown-column.csv", 1, "journal", "unknown column 'journal'"),
    ("empty-summary.csv", 3, "sources[1].summary", "must not be empty"),
    ("empty.yaml", 1, None, "empty"),
])
def test_broken_packs_name_file_line_and_field(name, line, field, words):
    path = BROKEN / name
    with pytest.raises(InputError) as caught:
        load_sources(path)
    error = caught.value
    assert (error.path, error.line, error.field) == (str(path), line, field)
    message = str(error)
    assert message.startswith(f"{path}:{line}: " + (f"{field}: " if field else ""))
    assert words in message


def test_every_problem_in_a_pack_is_listed(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("sources:\n  - id: a\n  - summary: no id\n    colour: red\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert f"{path}:2: sources[0].summary: field required" in message
    assert f"{path}:3: sources[1].id: field required" in message
    assert f"{path}:4: sources[1].colour: unknown field" in message


def test_bad_kind_and_pmid_are_reported(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("- id: a\n  summary: s\n  kind: blog\n- id: b\n  summary: s\n  pmid: abc\n",
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sources(path)
    message = str(caught.value)
    assert ":3: sources[0].kind: must be 'summary' or 'internal'" in message
    assert ":6: sources[1].pmid: a PubMed id is digits only" in message


def test_bare_list_and_null_optional_fields(tmp_path):
    path = tmp_path / "sources.yml"
    path.write_text("- id: a\n  summary: Heat may help.\n  doi:\n", encoding="utf-8")
    (source,) = load_sources(path)
    assert (source.id, source.doi) == ("a", "")


def test_unknown_top_level_key(tmp_path):
    path = tmp_path / "sources.yaml"
    path.write_text("version: 2\nsources: []\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown top-level key 'version'") as caught:
        load_sources(path)
    assert caught.value.line == 1


def test_front_matter_error_line_is_the_line_in_the_file(tmp_path):
    (tmp_path / "a.md").write_text("---\ndoi: 10.1/x\n  bad: indent\n---\nBody.\n",
                                   encoding="utf-8")
    with pytest.raises(InputError, match="invalid YAML") as caught:
        load_sources(tmp_path)
    assert (caught.value.path, caught.value.line) == (str(tmp_path / "a.md"), 3)


def test_duplicate_ids_across_folder_files_name_both_files(tmp_path):
    (tmp_path / "one.txt").write_text("---\nid: same\n---\nFirst.\n", encoding="utf-8")
    (tmp_path / "two.txt").write_text("---\nid: same\n---\nSecond.\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_sources(tmp_path)
    message = str(caught.value)
    assert "duplicate id 'same'" in message
    assert "one.txt" in message and "two.txt" in message


@pytest.mark.parametrize("make, words", [
    (lambda tmp: tmp / "missing.yaml", "not found"),
    (lambda tmp: (tmp / "pack.toml").write_text("x") and tmp / "pack.toml",
     "unsupported source pack type '.toml'"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "no sources found"),
])
def test_missing_unsupported_and_empty_packs(tmp_path, make, words):
    path = make(tmp_path)
    with pytest.raises(InputError, match=words) as caught:
        load_sources(path)
    assert caught.value.path == str(path)


def test_in_memory_sources_are_validated_the_same_way():
    sources = sources_from_data({"sources": [
        {"id": "a", "summary": "Heat may help.", "doi": "https://doi.org/10.1/abc"}]})
    assert sources[0].doi == "10.1/abc"
    with pytest.raises(InputError, match=r"sources\[0\]\.summary: field required"):
        sources_from_data([{"id": "a"}])


def test_a_bad_field_deep_in_a_large_json_pack_names_its_own_line(tmp_path):
    """Lines are found from one index of the pack's line breaks: the error for source 2,500 of
    3,000 names the line that source's bad field is on."""
    import json

    sources = [{"id": f"s{n:04d}", "citation": f"Author {n}. A study. J Example. 2020;{n}:1-2.",
                "summary": f"In {n} adults the tablet lowered blood pressure."} for n in range(3000)]
    sources[2500]["doi"] = 12345  # a DOI must be text
    path = tmp_path / "pack.json"
    text = json.dumps({"sources": sources}, indent=2)
    path.write_text(text, encoding="utf-8")
    expected = text[:text.index('"doi": 12345')].count("\n") + 1
    with pytest.raises(InputError) as caught:
        load_sources(path)
    assert caught.value.line == expected
    assert "doi" in str(caught.value)
