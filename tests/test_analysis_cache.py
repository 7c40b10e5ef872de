"""The analyses `check` keeps between runs: same results warm or off, and a
cache file someone else could have written is never unpickled, and a
planted one names only claimaudit's data classes, so it runs no code."""

from __future__ import annotations

import hashlib
import json
import os
import pickle
from pathlib import Path

from click.testing import CliRunner

from claimaudit.cli import main

REPO = Path(__file__).resolve().parents[1]
PAGE = REPO / "examples" / "clinic-page.html"
SOURCES = REPO / "examples" / "sources.yaml"


def check_json(monkeypatch, cache: str) -> str:
    monkeypatch.setenv("CLAIMAUDIT_CACHE_DIR", cache)
    result = CliRunner().invoke(main, ["check", str(PAGE), "-s", str(SOURCES), "--format", "json"])
    assert result.exit_code == 1, result.output
    return result.output


def test_warm_cache_gives_the_same_report_as_no_cache(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    uncached = check_json(monkeypatch, "off")
    first = check_json(monkeypatch, str(cache))
    assert list(cache.glob("analyses-*.pickle")), "the first run stores its analyses"
    warm = check_json(monkeypatch, str(cache))
    assert uncached == first == warm


def _forge(entry: Path, payload: bytes) -> None:
    """Replace an entry's data, with a header whose checksum fits it."""
    header = json.loads(entry.read_bytes().split(b"\n", 1)[0])
    header.update(sha256=hashlib.sha256(payload).hexdigest(), bytes=len(payload))
    entry.write_bytes(json.dumps(header, sort_keys=True).encode() + b"\n" + payload)


class Planted:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_cache_file_others_can_write_is_not_loaded(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    expected = check_json(monkeypatch, str(cache))
    store = next(cache.glob("analyses-*.pickle"))
    marker = tmp_path / "ran"
    _forge(store, pickle.dumps({"x": Planted(marker)}))
    os.chmod(store, 0o666)
    assert check_json(monkeypatch, str(cache)) == expected
    assert not marker.exists()


def test_a_planted_pickle_runs_no_code_even_from_a_private_file(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    expected = check_json(monkeypatch, str(cache))
    store = next(cache.glob("analyses-*.pickle"))
    marker = tmp_path / "ran"
    _forge(store, pickle.dumps({"x": Planted(marker)}))
    os.chmod(store, 0o600)
    assert check_json(monkeypatch, str(cache)) == expected
    assert not marker.exists()
