"""Baseline files: known findings, fingerprinted by claim id and rule, written deterministically."""

from __future__ import annotations

import json

import pytest

from claimaudit.verdicts.baseline import (
    Baseline,
    BaselineEntry,
    document_for_baseline,
    parse_baseline,
    read_baseline,
    render_baseline,
    write_baseline,
)
from claimaudit.errors import InputError


def _entries():
    return [
        BaselineEntry("b2", "CA201", "site/b.html", "overstated", "Cells cure it."),
        BaselineEntry("a1", "CA101", "site/a.html", "unsupported", "Up to 90% better."),
        BaselineEntry("a1", "CA301", "site/a.html", "overstated", "Up to 90% better.",
                      extra={"note": "accepted by legal", "decision": "approved"}),
    ]


def test_render_is_sorted_deduplicated_and_byte_stable():
    text = render_baseline(_entries() + [_entries()[0]])
    assert text == render_baseline(list(reversed(_entries())))
    data = json.loads(text)
    assert data["schema"] == "claimaudit-baseline" and data["version"] == 1
    assert [(e["document"], e["claim"], e["rule"]) for e in data["entries"]] == [
        ("site/a.html", "a1", "CA101"), ("site/a.html", "a1", "CA301"), ("site/b.html", "b2", "CA201")]
    assert data["entries"][1]["note"] == "accepted by legal"
    assert text.endswith("}\n")


def test_write_then_read_round_trips_and_keeps_extra_keys(tmp_path):
    path = write_baseline(tmp_path / "nested" / "baseline.json", _entries())
    baseline = read_baseline(path)
    assert len(baseline) == 3
    assert baseline.find("a1", "CA301").extra == {"note": "accepted by legal", "decision": "approved"}
    assert baseline.find("a1", "CA999") is None


def test_unmatched_entries_are_the_fixed_ones(tmp_path):
    baseline = Baseline(_entries(), path=tmp_path / "baseline.json")
    baseline.find("a1", "CA101")
    assert {e.fingerprint for e in baseline.unmatched()} == {"a1:CA301", "b2:CA201"}


def test_bad_json_names_the_file_and_line(tmp_path):
    path = tmp_path / "baseline.json"
    path.write_text('{\n  "entries": [\n    {"claim": "a1", "rule": }\n  ]\n}\n', encoding="utf-8")
    with pytest.raises(InputError) as raised:
        read_baseline(path)
    assert raised.value.path == str(path) and raised.value.line == 3


@pytest.mark.parametrize(("data", "field"), [
    ({"entries": [{"rule": "CA101"}]}, "entries[0].claim"),
    ({"entries": [{"claim": "a", "rule": "CA1", "text": 5}]}, "entries[0].text"),
    ({"schema": "something-else", "entries": []}, "schema"),
    ({"version": 99, "entries": []}, "version"),
])
def test_invalid_entries_are_errors_naming_the_field(data, field):
    with pytest.raises(InputError) as raised:
        parse_baseline(json.dumps(data), "b.json")
    assert raised.value.field == field


def test_a_missing_baseline_says_how_to_create_one(tmp_path):
    with pytest.raises(InputError, match="--write-baseline"):
        read_baseline(tmp_path / "none.json")


def test_documents_are_written_relative_to_the_baseline_folder(tmp_path, monkeypatch):
    (tmp_path / "site").mkdir()
    monkeypatch.chdir(tmp_path / "site")
    assert document_for_baseline("page.html", tmp_path / "baseline.json") == "site/page.html"
