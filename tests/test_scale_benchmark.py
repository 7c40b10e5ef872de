"""The site-scale benchmark's generator: the same site for a seed, varied copy, packs that nest (no timings)."""

import importlib.util
import random
import re
import sys
from pathlib import Path

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "scale.py"
_SPEC = importlib.util.spec_from_file_location("scale_benchmark", _PATH)
benchmark = importlib.util.module_from_spec(_SPEC)
sys.modules[_SPEC.name] = benchmark  # its dataclasses look their module up by name
_SPEC.loader.exec_module(benchmark)


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_seed_gives_the_same_site_and_pack_and_another_seed_a_different_one(tmp_path):
    benchmark.write_site(tmp_path / "first", 12, 30, seed=5)
    benchmark.write_site(tmp_path / "again", 12, 30, seed=5)
    benchmark.write_site(tmp_path / "other", 12, 30, seed=6)
    first = _files(tmp_path / "first")
    assert len(first) == 13  # twelve pages and the pack
    assert first == _files(tmp_path / "again")
    assert first != _files(tmp_path / "other")


def test_a_smaller_pack_is_the_start_of_a_larger_one_with_unique_ids():
    small, large = benchmark.make_pack(40, seed=3).entries(), benchmark.make_pack(400, seed=3).entries()
    assert small == large[:40]
    assert len({entry["id"] for entry in large}) == 400
    for entry in large[:20]:
        assert re.search(r"\b(19|20)\d\d;", entry["citation"])  # a year, as a citation gives it
        assert 2 <= entry["summary"].count(". ") + 1 <= 5
        assert re.search(r"\d", entry["summary"])


def test_generated_claims_are_mostly_distinct_and_cite_authors_of_the_pack():
    rng = random.Random(9)
    pack = benchmark.make_pack(300, seed=9)
    free = [benchmark.free_claim(rng) for _ in range(2000)]
    assert len(set(free)) / len(free) > 0.95
    records = [rng.choice(pack.records) for _ in range(500)]
    made = [benchmark.claim_from_source(record, rng) for record in records]
    assert len(set(made)) / len(made) > 0.95
    cited = [(record, text) for record, text in zip(records, made) if "et al" in text or "[" in text]
    assert cited
    assert all(record.surname in text and str(record.year) in text for record, text in cited)
