"""Shared pieces of the property tests: the generators, strategies and a hang guard.

The generators live in ``benchmarks/fuzz_inputs.py`` (the fuzz campaign draws
from the same ones); here hypothesis feeds them a seeded ``Random`` so every
run of the suite sees the same examples. Sizes stay moderate: extreme depths
and sizes, which could crash the interpreter rather than fail a test, are the
campaign's job.
"""

from __future__ import annotations

import importlib.util
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "fuzz_inputs.py"
_SPEC = importlib.util.spec_from_file_location("fuzz_inputs", _PATH)
inputs = importlib.util.module_from_spec(_SPEC)
sys.modules.setdefault("fuzz_inputs", inputs)  # dataclasses look their module up by name
_SPEC.loader.exec_module(inputs)

# Deterministic in CI: no example database, examples derived from the test itself.
FUZZ = settings(
    database=None,
    derandomize=True,
    deadline=None,
    max_examples=100,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture, HealthCheck.large_base_example],
)

# A hang fails the example instead of stalling the suite; far above any real parse.
HANG_GUARD_SECONDS = 30


class Hang(Exception):
    pass


@contextmanager
def finishes(seconds: int = HANG_GUARD_SECONDS) -> Iterator[None]:
    """Fail with ``Hang`` when the body runs past ``seconds`` (Python code only)."""
    def expire(signum, frame):
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


seeded_random = st.randoms(use_true_random=False)

# Text with the characters that break readers: controls, bidi, markup, entities, surrogates aside.
awkward_text = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(list("<>&;#[]{}`*_>|-=+@\\\"'\n\r\t\x00\x07\x1b\u202e\u2066\ufeff")),
    ),
    max_size=300,
)


def mutated(data: bytes, rnd) -> bytes:
    """Valid bytes, sometimes with a few random edits."""
    return inputs.mutate(data, rnd) if rnd.random() < 0.5 else data
