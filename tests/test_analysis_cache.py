"""The analyses `check` keeps between runs: same results warm or off, and a
cache file someone else could have written is never unpickled."""

from __future__ import annotations

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


def test_a_cache_file_others_can_write_is_not_loaded(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    check_json(monkeypatch, str(cache))
    store = next(cache.glob("analyses-*.pickle"))
    marker = tmp_path / "ran"

    class Planted:
        def __reduce__(self):
            return (Path.touch, (marker,))

    store.write_bytes(pickle.dumps({"x": Planted()}))
    os.chmod(store, 0o666)
    check_json(monkeypatch, str(cache))
    assert not marker.exists()
