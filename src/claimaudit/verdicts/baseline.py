"""Baseline files: findings a team already knows about and has accepted for now.

A baseline is JSON::

    {
      "schema": "claimaudit-baseline",
      "version": 1,
      "entries": [
        {"claim": "3f2a9c...", "rule": "CA101", "document": "site/ms.html",
         "verdict": "overstated", "text": "the claim as it stood"}
      ]
    }

An entry is fingerprinted by the claim id (the document path and the claim's
normalised words, so it survives edits elsewhere on the page) and the rule
code. ``document``, ``verdict`` and ``text`` are there for the people reading
the file; ``document`` and ``text`` also let an entry match when the same page
is checked under another path spelling. Entries may carry more keys (a
reviewer's ``note`` or ``decision``); they are kept when the baseline is
rewritten. Entries are sorted, so the file only changes when findings do.
"""

from __future__ import annotations

import json
import os
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from claimaudit.errors import InputError
from claimaudit.files import read_utf8, write_atomic

SCHEMA_NAME = "claimaudit-baseline"
BASELINE_VERSION = 1
DEFAULT_BASELINE = ".claimaudit-baseline.json"
_CORE_KEYS = ("claim", "rule", "document", "verdict", "text")


def fingerprint(claim_id: str, rule: str) -> str:
    """The key a baseline entry is matched on."""
    return f"{claim_id}:{rule}"


def _normal_text(text: str) -> str:
    normal = unicodedata.normalize("NFKC", text).lower()
    normal = normal.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return " ".join(normal.split())


def _absolute(path: str, base: Path) -> str:
    if "://" in path:
        return path  # a page read from the web is named by its URL
    candidate = Path(path)
    if not candidate.is_absolute():
        candidate = base / candidate
    return os.path.normcase(os.path.realpath(candidate))


@dataclass
class BaselineEntry:
    claim: str
    rule: str
    document: str = ""
    verdict: str = ""
    text: str = ""
    extra: dict = field(default_factory=dict)  # keys other tools added (note, decision, ...)

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.claim, self.rule)

    def to_dict(self) -> dict:
        data = {"claim": self.claim, "rule": self.rule, "document": self.document,
                "verdict": self.verdict, "text": self.text}
        data.update({k: v for k, v in sorted(self.extra.items()) if k not in data})
        return data


@dataclass
class Baseline:
    """Known findings, matched by fingerprint or by document and claim text."""

    entries: list[BaselineEntry] = field(default_factory=list)
    path: Path | None = None

    def __post_init__(self) -> None:
        self._by_fingerprint = {e.fingerprint: e for e in self.entries}
        self._by_text: dict[tuple[str, str, str], BaselineEntry] = {}
        base = self.path.parent if self.path else Path(".")
        for entry in self.entries:
            if entry.document and entry.text:
                normal = _normal_text(entry.text)
                for folder in (base, Path(".")):
                    self._by_text.setdefault((_absolute(entry.document, folder), normal, entry.rule), entry)
        self.matched: set[str] = set()

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, claim_id: str, rule: str, document: str = "", text: str = "") -> BaselineEntry | None:
        """The entry for a finding, if the baseline knows it (and remember the match)."""
        entry = self._by_fingerprint.get(fingerprint(claim_id, rule))
        if entry is None and document and text:
            entry = self._by_text.get((_absolute(document, Path(".")), _normal_text(text), rule))
        if entry is not None:
            self.matched.add(entry.fingerprint)
        return entry

    def unmatched(self, documents: Iterable[str] | None = None) -> list[BaselineEntry]:
        """Entries no finding matched: fixed claims (only among ``documents`` if given)."""
        entries = [e for e in self.entries if e.fingerprint not in self.matched]
        if documents is None:
            return entries
        base = self.path.parent if self.path else Path(".")
        checked = {_absolute(d, Path(".")) for d in documents}
        return [e for e in entries
                if _absolute(e.document, base) in checked or _absolute(e.document, Path(".")) in checked]


def _entry_from(data: object, index: int, path: str) -> BaselineEntry:
    where = f"entries[{index}]"
    if not isinstance(data, dict):
        raise InputError("each entry must be an object", path=path, field=where)
    for key in ("claim", "rule"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            raise InputError("required key is missing or not a string", path=path, field=f"{where}.{key}")
    for key in ("document", "verdict", "text"):
        if key in data and not isinstance(data[key], str):
            raise InputError("must be a string", path=path, field=f"{where}.{key}")
    return BaselineEntry(
        claim=data["claim"].strip(), rule=data["rule"].strip(), document=data.get("document", ""),
        verdict=data.get("verdict", ""), text=data.get("text", ""),
        extra={k: v for k, v in data.items() if k not in _CORE_KEYS},
    )


def parse_baseline(text: str, path: str = "<baseline>") -> Baseline:
    from claimaudit.structured import load_json

    data = load_json(text, path)
    if not isinstance(data, dict) or not isinstance(data.get("entries"), list):
        raise InputError('a baseline is a JSON object with an "entries" list', path=path, line=1)
    if data.get("schema", SCHEMA_NAME) != SCHEMA_NAME:
        raise InputError(f"not a claimaudit baseline (schema {data.get('schema')!r})", path=path, field="schema")
    version = data.get("version", BASELINE_VERSION)
    if not isinstance(version, int) or version > BASELINE_VERSION:
        raise InputError(f"baseline version {version!r} is newer than this claimaudit understands "
                         f"({BASELINE_VERSION}); upgrade claimaudit", path=path, field="version")
    entries = [_entry_from(item, n, path) for n, item in enumerate(data["entries"])]
    return Baseline(entries=entries, path=Path(path))


def read_baseline(path: str | Path) -> Baseline:
    text = read_utf8(path, "baseline file", missing="create it with --write-baseline")
    return parse_baseline(text, str(path))


def _sort_key(entry: BaselineEntry) -> tuple:
    return (entry.document, entry.claim, entry.rule)


def render_baseline(entries: Iterable[BaselineEntry]) -> str:
    """The baseline file text: one entry per fingerprint, sorted, newline at the end."""
    unique: dict[str, BaselineEntry] = {}
    for entry in entries:
        unique.setdefault(entry.fingerprint, entry)
    data = {
        "schema": SCHEMA_NAME,
        "version": BASELINE_VERSION,
        "entries": [e.to_dict() for e in sorted(unique.values(), key=_sort_key)],
    }
    # default=str: a reviewer's date or other extra value is written as text, never a crash.
    return json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"


def document_for_baseline(document: str, baseline_path: str | os.PathLike[str]) -> str:
    """A document path written relative to the baseline's folder when it lies under it."""
    if "://" in document:
        return document  # a page read from the web is named by its URL
    folder = Path(baseline_path).resolve().parent
    try:
        return Path(document).resolve().relative_to(folder).as_posix()
    except ValueError:
        return Path(document).as_posix()


def write_baseline(path: str | Path, entries: Iterable[BaselineEntry]) -> Path:
    """Write the baseline so a reader never sees a half-written file."""
    return write_atomic(path, render_baseline(entries))
