"""The fuzz campaign (benchmarks/fuzz.py) rebuilds every case from its seed, and counts a
hang, a segfault, a memory blow-up and an unexpected exception as what they are, with a
reproducer for each, instead of dying with the input that caused it."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def test_a_case_is_rebuilt_byte_for_byte_from_seed_category_and_index(tmp_path):
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(BENCHMARKS)!r})
        import fuzz
        from pathlib import Path
        fuzz.prepare()
        for n in (1, 2):
            folder = Path({str(tmp_path)!r}) / str(n)
            folder.mkdir()
            for category in ("copy.html", "pack.yaml", "rules", "review"):
                sub = folder / category
                sub.mkdir()
                fuzz.CATEGORIES[category][1](fuzz.case_rng(7, category, 3), sub)
    """)
    subprocess.run([sys.executable, "-c", script], check=True, timeout=120)
    first = sorted((p.relative_to(tmp_path / "1"), p.read_bytes()) for p in (tmp_path / "1").rglob("*") if p.is_file())
    second = sorted((p.relative_to(tmp_path / "2"), p.read_bytes()) for p in (tmp_path / "2").rglob("*") if p.is_file())
    assert first and first == second


@pytest.mark.skipif(sys.platform != "linux", reason="the campaign forks and reads /proc")
def test_campaign_counts_hangs_segfaults_blowups_and_tracebacks_with_reproducers(tmp_path):
    out = tmp_path / "out"
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(BENCHMARKS)!r})
        import fuzz

        def case(run):
            def build(rng, folder):
                path = folder / "input.txt"
                path.write_text("input")
                return fuzz.Case(path, run, run.__name__)
            return build

        def spins():
            while True:
                pass

        def blocks():
            os.mkfifo("fifo-never-written")
            open("fifo-never-written").read()

        def crashes():
            import ctypes
            ctypes.string_at(0)

        def hoards():
            return bytearray(3 << 30)

        def raises():
            raise KeyError("not an InputError")

        def refuses():
            from claimaudit.errors import InputError
            raise InputError("bad input", path="input.txt")

        fuzz.CATEGORIES = {{f.__name__: (1, case(f)) for f in (spins, blocks, crashes, hoards, raises, refuses)}}
        fuzz.HANG_SECONDS, fuzz.BLOCKED_SECONDS = 2, 4
        os.chdir({str(tmp_path)!r})
        sys.exit(fuzz.main(["--count", "6", "--jobs", "2", "--out", {str(out)!r}]))
    """)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=180)
    assert result.returncode == 1, result.stdout + result.stderr  # failures were found
    table = json.loads((out / "summary.json").read_text())["table"]
    assert table["spins"].get("hang") == 1
    assert table["blocks"].get("hang") == 1
    assert table["crashes"].get("segfault") == 1
    assert table["hoards"].get("memory") == 1
    assert table["raises"].get("traceback") == 1
    assert table["refuses"].get("clean") == 1 and table["refuses"].get("refused") == 1
    for name, kind in (("spins", "hang"), ("crashes", "segfault"), ("raises", "traceback")):
        case = json.loads(next((out / name).glob(f"*-{kind}/case.json")).read_text())
        assert case["replay"].endswith(f"--replay {name}:0")
    assert "KeyError" in next((out / "raises").glob("*/case.json")).read_text()
