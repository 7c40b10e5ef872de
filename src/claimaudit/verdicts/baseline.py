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
is checked under another path spelling. An entry written from a reviewer's
approval (``claimaudit review baseline``) carries ``approval``: the claim's
fingerprint (its normalised words and cited sources, no path), so the approval
still matches when the page is renamed or moved. Entries may carry more keys (a
reviewer's ``note`` or ``decision``); they are kept when the baseline is
rewritten. Entries are sorted, so the file only changes when findings do.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from claimaudit.errors import InputError
from claimaudit.files import read_utf8, write_atomic
from claimaudit.verdicts.ids import normal_words

SCHEMA_NAME = "claimaudit-baseline"
BASELINE_VERSION = 1
DEFAULT_BASELINE = ".claimaudit-baseline.json"
_CORE_KEYS = ("claim", "rule", "document", "verdict", "text")


def fingerprint(claim_id: str, rule: str) -> str:
    """The key a baseline entry is matched on."""
    return f"{claim_id}:{rule}"


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

    @property
    def approval(self) -> str:
        """The fingerprint of the claim a reviewer approved ("" for an entry not written from an approval)."""
        value = self.extra.get("approval")
        return value.strip().lower() if isinstance(value, str) else ""

    @property
    def from_review(self) -> bool:
        """Whether the entry records a reviewer's approval (not merely a known finding)."""
        decision = self.extra.get("decision")
        return bool(self.approval) or (isinstance(decision, str) and " ".join(decision.split()).casefold() == "approve")

    @property
    def why_not_counted(self) -> str:
        """Why an entry written from a reviewer's decision does not count ("" when it does).

        An entry lists a known finding (``check --write-baseline``) and counts, whatever
        notes it carries. One whose ``decision`` is a review decision counts only as an
        "Approve" with a reviewer name and a valid date: a baseline written before sign-off
        held may carry "Approve with change" or an unnamed approval, and those never let a
        claim through. A ``decision`` that is no review decision ("accepted by legal") is a
        team's own note.
        """
        decision = self.extra.get("decision")
        if not isinstance(decision, str):
            return ""
        decision = " ".join(decision.split()).casefold()
        if decision == "approve with change":
            return '"Approve with change" approves nothing until the copy changes'
        if decision in ("reject", "needs source"):
            return f'a decision of "{decision.capitalize()}" is no approval'
        if decision != "approve":
            return ""
        from claimaudit.verdicts.signoff import review_date, reviewer_problem

        reviewer = self.extra.get("reviewer")
        nobody = reviewer_problem(reviewer if isinstance(reviewer, str) else "")
        if nobody:
            return f"the approval was given {nobody}"
        date = self.extra.get("date")
        _, problem = review_date(date if isinstance(date, str) else None)
        return f"the approval was given {problem}" if problem else ""

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
        # Entries from a review that do not count (see BaselineEntry.why_not_counted) match nothing.
        self.not_counted: dict[str, BaselineEntry] = {}
        counted: list[BaselineEntry] = []
        for entry in self.entries:
            if entry.why_not_counted:
                self.not_counted.setdefault(entry.fingerprint, entry)
            else:
                counted.append(entry)
        self._by_fingerprint = {e.fingerprint: e for e in counted}
        self._by_approval: dict[tuple[str, str], list[BaselineEntry]] = {}
        for entry in counted:
            if entry.approval:
                self._by_approval.setdefault((entry.approval, entry.rule), []).append(entry)
        # The run being judged (note_run): its claim ids and documents.
        self._run_claims: set[str] = set()
        self._run_documents: set[str] = set()
        # An approved claim followed to another page: its claim id → the claim id it now covers.
        self._followed: dict[str, str] = {}
        # (claim id, rule) → the approval given on a page that is still there, for the message.
        self.copies: dict[tuple[str, str], BaselineEntry] = {}
        # (claim id, rule) → the approval given while the claim had another verdict, and its verdict now.
        self.verdict_changed: dict[tuple[str, str], tuple[BaselineEntry, str]] = {}
        self._by_text: dict[tuple[str, str, str], BaselineEntry] = {}
        base = self.path.parent if self.path else Path(".")
        for entry in counted:
            if entry.document and entry.text:
                normal = normal_words(entry.text)
                for folder in (base, Path(".")):
                    self._by_text.setdefault((_absolute(entry.document, folder), normal, entry.rule), entry)
        self.matched: set[str] = set()

    def __len__(self) -> int:
        return len(self.entries)

    def find(self, claim_id: str, rule: str, document: str = "", text: str = "",
             claim_fingerprint: str = "", claim_verdict: str = "") -> BaselineEntry | None:
        """The entry for a finding, if the baseline knows it (and remember the match).

        By claim id and rule; else, for an approval, by the claim's fingerprint and
        rule in any document (a renamed or moved page); else by document and text.
        An approval given while the claim had another verdict than ``claim_verdict``
        covers it no longer: the reviewer weighed another finding.
        """
        entry = self._find(claim_id, rule, document, text, claim_fingerprint)
        if (entry is not None and claim_verdict and entry.verdict and entry.verdict != claim_verdict
                and entry.from_review):
            self.verdict_changed[(claim_id, rule)] = (entry, claim_verdict)
            return None
        if entry is not None:
            self.matched.add(entry.fingerprint)
        return entry

    def _find(self, claim_id: str, rule: str, document: str, text: str,
              claim_fingerprint: str) -> BaselineEntry | None:
        entry = self._by_fingerprint.get(fingerprint(claim_id, rule))
        if entry is None and claim_fingerprint:
            entry = self._follow(claim_id, rule, claim_fingerprint, text)
        if entry is None and document and text:
            entry = self._by_text.get((_absolute(document, Path(".")), normal_words(text), rule))
            # An approval names the claim it was given to: words retyped in its entry (or in the
            # workbook's Claim cell) never make it another claim's.
            if entry is not None and entry.approval and claim_fingerprint and entry.approval != claim_fingerprint:
                entry = None
        return entry

    def note_run(self, claims: Iterable[tuple[str, str]]) -> None:
        """The (claim id, document) of every claim of the run about to be judged, so an approval
        follows its claim only off a page that no longer holds it (see :meth:`find`)."""
        for claim_id, document in claims:
            self._run_claims.add(claim_id)
            self._run_documents.add(_absolute(document, Path(".")))

    def _page_still_there(self, entry: BaselineEntry) -> bool:
        """Whether the page an approval was given on still holds its claim, for all we can tell:
        the claim is in this run where it was, or the page is a file not checked now. A page
        checked now without the claim lost it; a page read from the web is taken as moved."""
        if entry.claim in self._run_claims:
            return True
        if not entry.document or "://" in entry.document:
            return False
        base = self.path.parent if self.path else Path(".")
        places = {_absolute(entry.document, folder) for folder in (base, Path("."))}
        if places & self._run_documents:
            return False
        return any(os.path.isfile(place) for place in places)

    def _follow(self, claim_id: str, rule: str, claim_fingerprint: str, text: str) -> BaselineEntry | None:
        """An approval given on another page, followed to this claim when that page was renamed
        or moved: the same words citing the same sources, the page it was given on gone, and
        each approved claim followed to one claim only. A copy on a second page while the first
        is still there was never reviewed there (remembered in ``copies`` for the message)."""
        words = normal_words(text)
        for entry in self._by_approval.get((claim_fingerprint, rule), ()):
            # The words must be the entry's too: a fingerprint edited by hand approves nothing else.
            if not entry.text or normal_words(entry.text) != words:
                continue
            if self._followed.get(entry.claim, claim_id) != claim_id:
                continue
            if self._page_still_there(entry):
                self.copies.setdefault((claim_id, rule), entry)
                continue
            self._followed[entry.claim] = claim_id
            self.copies.pop((claim_id, rule), None)
            return entry
        return None

    def why_not_baselined(self, claim_id: str, rule: str) -> str:
        """Why an entry for this finding does not let it through ("" when there is none)."""
        entry = self.not_counted.get(fingerprint(claim_id, rule))
        if entry is not None:
            return f"its baseline entry does not count: {entry.why_not_counted}"
        changed = self.verdict_changed.get((claim_id, rule))
        if changed is not None:
            return (f"approved while it was {changed[0].verdict}; it is {changed[1]} now, so review it again")
        entry = self.copies.get((claim_id, rule))
        if entry is not None:
            return (f"the same claim was approved on {entry.document}, which is still there: an approval "
                    f"covers the page it was given on, so approve this page too")
        return ""

    def unmatched(self, documents: Iterable[str] | None = None) -> list[BaselineEntry]:
        """Entries no finding matched: fixed claims (only among ``documents`` if given)."""
        entries = [e for e in self.entries if e.fingerprint not in self.matched and not e.why_not_counted]
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
    for key in ("document", "verdict", "text", "approval"):
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
