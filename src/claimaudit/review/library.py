"""A claims library: the claims a compliance team has already approved, held against the copy.

The library is a file (``--library FILE``): CSV or XLSX with the columns
``id, claim, sources, approved_by, approved_on, expires_on`` (``sources`` holds
source ids separated by ``;``; ``expires_on`` may be left out), or YAML with
the same keys, as a list or under ``claims:``. Other columns are kept as they
are. Each claim of an audit is marked with how it stands against the library
(``Finding.library``):

- ``approved``: the copy has the approved wording (case, spacing, quotes and a
  closing full stop aside) and, when the library names sources, cites them;
- ``expired``: the same, but the approval's ``expires_on`` is before the audit
  date (``--as-of``, default today);
- ``deviates``: the copy is close to an approved claim about the same subject
  but not the same: the differences say what changed (a figure, a qualifier,
  the certainty, a negation, the population, condition or outcome, other
  words, the sources cited). Close wording with no such difference (reordered
  clauses, punctuation, word endings) deviates too, never silently approved:
  only the wording that was approved is approved.

The library never changes a verdict: an approval is not evidence. A library
claim approved after the audit date was not yet in force and is not matched.

``claimaudit review library`` builds or updates the library from a reviewed
workbook: each claim approved there (Decision "Approve", with a reviewer and a
date) is added with the next free id, or renews the entry with its wording.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from claimaudit.errors import InputError
from claimaudit.model import (
    LIBRARY_APPROVED,
    LIBRARY_DEVIATES,
    LIBRARY_EXPIRED,
    LIBRARY_STATUSES,
    AuditResult,
    Finding,
    LibraryMatch,
)
from claimaudit.verdicts.ids import normal_words
from claimaudit.verdicts.signoff import reviewer_problem

if TYPE_CHECKING:
    from claimaudit.claims.anatomy import Statement
    from claimaudit.language import Cue, Quantity, Term
    from claimaudit.verdicts.review import ReviewedWorkbook

APPROVED, DEVIATES, EXPIRED = LIBRARY_APPROVED, LIBRARY_DEVIATES, LIBRARY_EXPIRED
STATUSES = LIBRARY_STATUSES

# The columns (keys) of a library, in the order they are written.
COLUMNS = ("id", "claim", "sources", "approved_by", "approved_on", "expires_on")
# Every library claim needs these: an approval without who gave it and when does not count.
REQUIRED = ("id", "claim", "approved_by", "approved_on")
# Header spellings a person might type, after case, spaces and underscores are evened out.
COLUMN_NAMES = {
    "id": ("id", "claim id"),
    "claim": ("claim", "claim text", "approved claim", "approved wording"),
    "sources": ("sources", "source", "source id", "source ids"),
    "approved_by": ("approved by", "approver"),
    "approved_on": ("approved on", "approval date", "date approved"),
    "expires_on": ("expires on", "expires", "expiry", "expiry date", "expiration date"),
}
SUFFIXES = {".csv": "csv", ".xlsx": "xlsx", ".yaml": "yaml", ".yml": "yaml"}

# rapidfuzz token_sort_ratio (0-100) from which copy is taken for a changed
# version of an approved claim. Token order is ignored, so moving a clause
# costs nothing; a changed figure, a dropped "may" and another population in a
# ten-word claim still score about 80, an unrelated claim about 40.
CLOSE_WORDING = 75.0
# Candidates looked at per claim, best first, before the subject test picks one.
CANDIDATES = 8
# Wording changes listed one by one before the rest are counted.
WORDING_CHANGES_SHOWN = 5

DEFAULT_ID_PREFIX, DEFAULT_ID_WIDTH = "C-", 3
_NUMBERED_ID = re.compile(r"^(.*?)(\d+)$")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_SOURCE_SEPARATOR = re.compile(r"[;\n]+")
_WORD = re.compile(r"[\w%]+(?:['’.,\-][\w%]+)*")
# Words whose coming or going alone is no change a reviewer must weigh ("may" → "is proven to").
_FUNCTION_WORDS = frozenset("a an the is are was were be been being to of that this it its and or as can "
                            "by in on at for with from".split())


# --------------------------------------------------------------------------- the library


@dataclass
class LibraryClaim:
    """One approved claim."""

    id: str
    claim: str
    sources: tuple[str, ...] = ()
    approved_by: str = ""
    approved_on: dt.date = dt.date.min
    expires_on: dt.date | None = None
    line: int | None = None  # the CSV line or worksheet row it was read from (None from YAML)
    extra: dict[str, Any] = field(default_factory=dict)  # other columns, kept as they are

    @property
    def key(self) -> str:
        return wording_key(self.claim)


@dataclass
class Library:
    path: str
    claims: list[LibraryClaim] = field(default_factory=list)
    extra_columns: list[str] = field(default_factory=list)  # other columns, in the file's order


# Quotation marks of every style, as straight quotes: the style is typography, not wording.
_QUOTE_STYLES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
                               "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u00ab": '"',
                               "\u00bb": '"', "\u2033": '"'})


def wording_key(text: str) -> str:
    """A claim's words as approval compares them: case, spacing, quote style, quotation marks
    around the whole claim and one closing full stop evened out. An ellipsis ("...") is kept:
    it says the claim goes on."""
    key = normal_words(text).translate(_QUOTE_STYLES).strip()
    while True:
        before = key
        if key.endswith(".") and not key.endswith(".."):
            key = key[:-1].rstrip()
        if len(key) >= 2 and key[0] == key[-1] and key[0] in "\"'" and key[0] not in key[1:-1]:
            key = key[1:-1].strip()
        if key == before:
            return key


def parse_date(value: object, *, path: str | None = None, line: int | None = None,
               field_name: str | None = None) -> dt.date | None:
    """A date from a cell, a YAML value or an option: ``YYYY-MM-DD`` (a time after it is dropped).

    None for a blank; anything else is an InputError naming the file, row and field.
    """
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = " ".join(str(value).split())
    if not text:
        return None
    match = _DATE.fullmatch(text)
    shown = text if len(text) <= 40 else text[:37] + "..."
    if match is None:
        raise InputError(f"{shown!r} is not a date; write it as YYYY-MM-DD", path=path, line=line,
                         field=field_name)
    try:
        return dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise InputError(f"{shown!r} is not a date: there is no such day", path=path, line=line,
                         field=field_name) from None


def _field_for(header: str) -> str | None:
    from claimaudit.ingest.table import normalise_header

    key = normalise_header(header)
    for name, spellings in COLUMN_NAMES.items():
        if key in spellings:
            return name
    return None


def _source_ids(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        parts = [str(item) for item in value if item is not None]
    else:
        parts = _SOURCE_SEPARATOR.split(str(value))
    return tuple(dict.fromkeys(part.strip() for part in parts if part.strip()))


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split())


# A row as read: its line (None when unknown), its values by field, and where a field stands.
Locate = Callable[[int, str], "int | None"]


@dataclass
class _Rows:
    rows: list[tuple[int | None, dict[str, Any]]]
    extra_columns: list[str]
    header_line: int | None = None
    locate: Locate | None = None  # (row index, field) → line, for YAML where a key has its own line


def load_library(path: str | Path) -> Library:
    """Read and check a claims library; any fault is an InputError naming the file, row and field."""
    path = Path(path)
    where = str(path)
    kind = SUFFIXES.get(path.suffix.lower())
    if kind is None:
        given = path.suffix or "a file without a suffix"
        raise InputError(f"a claims library is a .csv, .xlsx or .yaml file, not {given}", path=where)
    if not path.exists():
        raise InputError("claims library not found", path=where)
    if kind == "yaml":
        read = _yaml_rows(path)
    elif kind == "xlsx":
        read = _xlsx_rows(path)
    else:
        read = _csv_rows(path)
    return _library(where, read)


def _table_rows(header: Sequence[str], body: Iterable[tuple[int, Sequence[str]]], path: str,
                header_line: int) -> _Rows:
    fields: list[str | None] = []
    extra: list[str] = []
    seen: set[str] = set()
    for column in header:
        name = _field_for(column) if column.strip() else None
        label = " ".join(column.split())
        if name is None and label and label not in seen:
            extra.append(label)
            fields.append(label)
        elif name is not None and name in seen:
            raise InputError(f"two columns are {name}; keep one", path=path, line=header_line, field=label)
        else:
            fields.append(name)
        if name or label:
            seen.add(name or label)
    for name in ("id", "claim"):
        if name not in seen:
            found = ", ".join(repr(" ".join(h.split())) for h in header if h.strip()) or "none"
            raise InputError(f"a claims library needs the columns {', '.join(REQUIRED)} (and may have sources, "
                             f"expires_on); there is no {name} column (the columns found are: {found})",
                             path=path, line=header_line, field=name)
    for name in ("approved_by", "approved_on"):
        if name not in seen:
            raise InputError(f"a claims library records who approved each claim and when; there is no {name} "
                             f"column", path=path, line=header_line, field=name)
    rows: list[tuple[int | None, dict[str, Any]]] = []
    for line, values in body:
        record = {name: values[n] if n < len(values) else "" for n, name in enumerate(fields) if name}
        if any(str(value).strip() for value in record.values()):
            rows.append((line, record))
    return _Rows(rows, extra, header_line)


def _csv_rows(path: Path) -> _Rows:
    from claimaudit.ingest.encoding import read_text
    from claimaudit.ingest.table import read_delimited

    rows = read_delimited(read_text(path).text)
    if not rows:
        raise InputError("the claims library is empty: give a header row with id, claim, sources, approved_by, "
                         "approved_on", path=str(path), line=1)
    header = [_restored(cell.text) for cell in rows[0].cells]
    body = [(row.line, [_restored(cell.text) for cell in row.cells]) for row in rows[1:]]
    return _table_rows(header, body, str(path), rows[0].line)


def _xlsx_rows(path: Path) -> _Rows:
    from claimaudit.ingest.table import read_workbook_rows

    rows, _sheet = read_workbook_rows(path, want=COLUMN_NAMES["claim"])
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    if not numbered:
        raise InputError("the claims library is empty: give a header row with id, claim, sources, approved_by, "
                         "approved_on", path=str(path), line=1)
    header_line, header = numbered[0]
    return _table_rows(header, numbered[1:], str(path), header_line)


def _yaml_rows(path: Path) -> _Rows:
    from claimaudit.files import read_utf8
    from claimaudit.structured import load_yaml, yaml_positions

    where = str(path)
    text = read_utf8(path, "claims library")
    data = load_yaml(text, where)
    entries = data.get("claims", data) if isinstance(data, dict) else data
    if data is None or entries is None:
        entries = []
    if not isinstance(entries, list):
        raise InputError("a YAML claims library is a list of claims, or a mapping with a `claims:` list",
                         path=where, line=1)
    positions: list[Any] = []
    written: list[dict[str, str]] = []  # per claim: field → the key as the file spells it

    def locate(index: int, name: str) -> int | None:
        # The round-trip reader knows lines; it is slower, so it reads the file only to place an error.
        if not positions:
            found = yaml_positions(text, where)
            positions.append(found.get("claims") if hasattr(found, "get") and "claims" in found else found)
        node = positions[0]
        key = written[index].get(name, name) if index < len(written) else name
        try:
            entry = node[index]
            if key and hasattr(entry, "lc") and key in entry:
                return int(entry.lc.key(key)[0]) + 1
            return int(node.lc.item(index)[0]) + 1
        except (AttributeError, IndexError, KeyError, TypeError):
            return None

    rows: list[tuple[int | None, dict[str, Any]]] = []
    extra: list[str] = []
    for index, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise InputError("each library claim is a mapping with id, claim, sources, approved_by, approved_on",
                             path=where, line=locate(index, ""))
        record: dict[str, Any] = {}
        spelled: dict[str, str] = {}
        for key, value in entry.items():
            name = _field_for(str(key))
            if name is None:
                label = str(key)
                if label not in extra:
                    extra.append(label)
                record[label] = value
            else:
                record[name] = value
                spelled[name] = key
        rows.append((None, record))
        written.append(spelled)
    return _Rows(rows, extra, None, locate)


def _id_key(claim_id: str) -> str:
    """An id as two ids are told apart: case, spacing and compatibility forms ("Ｃ-001") aside."""
    import unicodedata

    return " ".join(unicodedata.normalize("NFKC", claim_id).casefold().split())


def _library(path: str, read: _Rows) -> Library:
    claims: list[LibraryClaim] = []
    first_row: dict[str, int] = {}  # id → the index of the row that gave it first
    for index, (line, record) in enumerate(read.rows):
        def place(name: str, line: int | None = line, index: int = index) -> int | None:
            return read.locate(index, name) if read.locate is not None else line

        def bad(message: str, name: str) -> InputError:
            return InputError(message, path=path, line=place(name), field=name)

        for name in ("id", "claim", "approved_by"):
            value = record.get(name)
            if isinstance(value, bool) or not isinstance(value, (str, int, float, type(None))):
                raise bad(f"{name} must be text, not {type(value).__name__}", name)
        claim_id = _text(record.get("id"))
        claim = _text(record.get("claim"))
        if not claim_id:
            raise bad("this library claim has no id; give every claim an id (C-001)", "id")
        if not claim:
            raise bad(f"library claim {claim_id} has no wording; write the approved claim in the claim column",
                      "claim")
        seen = first_row.get(_id_key(claim_id))
        if seen is not None:
            first = place("id", read.rows[seen][0], seen)
            shown = f" (first on line {first})" if first else ""
            raise bad(f"id {claim_id} is given twice{shown}; keep one row per id", "id")
        first_row[_id_key(claim_id)] = index
        approved_by = _text(record.get("approved_by"))
        if not approved_by:
            raise bad(f"library claim {claim_id} does not say who approved it; an approval without a name does "
                      f"not count", "approved_by")
        nobody = reviewer_problem(approved_by)
        if nobody:
            raise bad(f"library claim {claim_id} is approved {nobody}; an approval without a name does not count",
                      "approved_by")
        approved_on = parse_date(record.get("approved_on"), path=path, line=place("approved_on"),
                                 field_name="approved_on")
        if approved_on is None:
            raise bad(f"library claim {claim_id} does not say when it was approved (YYYY-MM-DD)", "approved_on")
        expires_on = parse_date(record.get("expires_on"), path=path, line=place("expires_on"),
                                field_name="expires_on")
        if expires_on is not None and expires_on < approved_on:
            raise bad(f"library claim {claim_id} expires ({expires_on}) before it was approved ({approved_on})",
                      "expires_on")
        sources = record.get("sources")
        if sources is not None and not isinstance(sources, (str, list, tuple, int, float)):
            raise bad("sources must be source ids separated by ';', or a list of them", "sources")
        claims.append(LibraryClaim(
            id=claim_id, claim=claim, sources=_source_ids(sources), approved_by=approved_by,
            approved_on=approved_on, expires_on=expires_on, line=line,
            extra={name: record[name] for name in read.extra_columns if name in record},
        ))
    return Library(path=path, claims=claims, extra_columns=list(read.extra_columns))


# --------------------------------------------------------------------------- matching


def _analysis(text: str) -> Statement:
    from claimaudit.claims.anatomy import analyse

    return analyse(text)


def _actors(statement: Statement) -> frozenset[str]:
    """What acts in a claim: the particular words of its subject and of the agent it names (the
    frame reader's guess at either can miss, so both count), and its interventions."""
    from claimaudit.claims.frame import frame_of, specific_words

    frame = frame_of(statement)
    return specific_words(frame.agent) | specific_words(frame.subject) | statement.canon("interventions")


def _same_subject(copy: Statement, approved: Statement) -> bool:
    """Whether two claims are about the same thing, as far as either names one: a claim about
    ginger is no version of the approved claim about curcumin, however alike the words."""
    mine, theirs = _actors(copy), _actors(approved)
    return not (mine and theirs and not mine & theirs)


class LibraryIndex:
    """The library's claims in force on a date, ready to be matched against copy."""

    def __init__(self, library: Library, as_of: dt.date):
        from rapidfuzz import utils

        self.library = library
        self.as_of = as_of
        # A claim approved after the audit date was not approved at that date.
        self.claims = [claim for claim in library.claims if claim.approved_on <= as_of]
        self.by_key: dict[str, list[LibraryClaim]] = {}
        for claim in self.claims:
            self.by_key.setdefault(claim.key, []).append(claim)
        self._processed = [utils.default_process(claim.claim) for claim in self.claims]

    def match(self, text: str, cited: Sequence[str] = ()) -> LibraryMatch:
        """How one claim of the copy stands against the library; empty when no library claim is near it."""
        exact = self.by_key.get(wording_key(text))
        if exact:
            same_sources = [claim for claim in exact if _source_difference(claim.sources, cited) is None]
            if same_sources:
                in_date = [claim for claim in same_sources if not self.expired(claim)]
                chosen = (in_date or same_sources)[0]
                return _match(chosen, EXPIRED if self.expired(chosen) else APPROVED)
            return _match(exact[0], DEVIATES, [_source_difference(exact[0].sources, cited) or ""])
        candidate = self._closest(text)
        if candidate is None:
            return LibraryMatch()
        return _match(candidate, DEVIATES, differences(candidate.claim, text, candidate.sources, cited))

    def expired(self, claim: LibraryClaim) -> bool:
        return claim.expires_on is not None and claim.expires_on < self.as_of

    def _closest(self, text: str) -> LibraryClaim | None:
        if not self.claims:
            return None
        from rapidfuzz import fuzz, process, utils

        query = utils.default_process(text)
        found = process.extract(query, self._processed, scorer=fuzz.token_sort_ratio, processor=None,
                                score_cutoff=CLOSE_WORDING, limit=CANDIDATES)
        if not found:
            return None
        copy = _analysis(text)
        # Best score first; among equals, the library's own order.
        for _, _, n in sorted(found, key=lambda hit: (-hit[1], hit[2])):
            claim = self.claims[n]
            if _same_subject(copy, _analysis(claim.claim)):
                return claim
        return None


def _match(claim: LibraryClaim, status: str, found: list[str] | None = None) -> LibraryMatch:
    match = LibraryMatch(id=claim.id, status=status, approved_text=claim.claim, approved_by=claim.approved_by,
                         approved_on=claim.approved_on.isoformat())
    if found:
        match["differences"] = [item for item in found if item]
    if claim.expires_on is not None:
        match["expires_on"] = claim.expires_on.isoformat()
    return match


def apply_library(result: AuditResult, library: Library, as_of: dt.date | None = None) -> AuditResult:
    """Mark every finding of ``result`` (in place) with how it stands against ``library``; verdicts are
    left as they are."""
    day = as_of or dt.date.today()
    index = LibraryIndex(library, day)
    for finding in result.findings:
        finding.library = index.match(finding.text, finding.cited)
    result.library_used = {"file": Path(library.path).name, "as_of": day.isoformat(), "claims": len(library.claims)}
    return result


# --------------------------------------------------------------------------- differences


Span = tuple[int, int]


def _covered(spans: list[Span], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _figure_key(q: Quantity) -> tuple:
    return (q.kind, q.unit, q.value, q.low, q.high, q.denominator, q.qualifier)


def _figures(approved: Statement, copy: Statement, out: list[str], left_spans: list[Span],
             right_spans: list[Span]) -> None:
    left, right = list(approved.quantities), list(copy.quantities)
    for q in list(left):
        same = next((r for r in right if _figure_key(r) == _figure_key(q)), None)
        if same is not None:
            left.remove(q)
            right.remove(same)
            left_spans.append((q.start, q.end))
            right_spans.append((same.start, same.end))
    for q in list(left):
        changed = next((r for r in right if (r.kind, r.unit) == (q.kind, q.unit)), None)
        if changed is not None:
            left.remove(q)
            right.remove(changed)
            out.append(f"figure {q.text} → {changed.text}")
            left_spans.append((q.start, q.end))
            right_spans.append((changed.start, changed.end))
    for q in left:
        out.append(f"figure {q.text} removed")
        left_spans.append((q.start, q.end))
    for r in right:
        out.append(f"figure {r.text} added")
        right_spans.append((r.start, r.end))


def _phrase_key(text: str) -> str:
    from claimaudit.language import stem

    return " ".join(stem(word) for word in _WORD.findall(text.lower()))


def _paired(label: str, left: Sequence[Cue | Term], right: Sequence[Cue | Term], out: list[str],
            left_spans: list[Span], right_spans: list[Span]) -> bool:
    """Words of one kind (hedges, populations...) compared as written; whether any differ."""
    left, right = list(left), list(right)
    for item in list(left):
        same = next((r for r in right if _phrase_key(r.text) == _phrase_key(item.text)), None)
        if same is not None:
            left.remove(item)
            right.remove(same)
            left_spans.append((item.start, item.end))
            right_spans.append((same.start, same.end))
    left_spans.extend((item.start, item.end) for item in left)
    right_spans.extend((item.start, item.end) for item in right)
    if len(left) == len(right) == 1:
        out.append(f"{label} “{left[0].text}” → “{right[0].text}”")
    else:
        out.extend(f"{label} “{item.text}” removed" for item in left)
        out.extend(f"{label} “{item.text}” added" for item in right)
    return bool(left or right)


def _certainty(approved: Statement, copy: Statement, out: list[str], left_spans: list[Span],
               right_spans: list[Span]) -> None:
    """A change of claim strength no hedge, booster or negation accounts for ("linked to" → "reduces")."""
    from claimaudit.language import LEVEL_NAMES

    def deciding(statement: Statement) -> list[Cue]:
        return [c for c in statement.strength.cues if c.kind not in ("hedge", "booster", "negation")]

    def said(statement: Statement, cues: list[Cue]) -> str:
        words = ", ".join(dict.fromkeys(c.text for c in cues))
        name = LEVEL_NAMES.get(statement.level, str(statement.level))
        return f"“{words}” ({name})" if words else name

    ours, theirs = deciding(approved), deciding(copy)
    out.append(f"certainty {said(approved, ours)} → {said(copy, theirs)}")
    left_spans.extend((c.start, c.end) for c in ours)
    right_spans.extend((c.start, c.end) for c in theirs)


def _wording(approved: str, copy: str, left_spans: list[Span], right_spans: list[Span]) -> list[str]:
    """Changed words that no difference already named accounts for."""
    from claimaudit.language import stem

    def words(text: str) -> list[tuple[str, str, int, int]]:
        return [(stem(m.group().lower()), m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]

    left, right = words(approved), words(copy)
    matcher = SequenceMatcher(None, [w[0] for w in left], [w[0] for w in right], autojunk=False)
    removed: list[tuple[tuple[str, ...], str]] = []
    added: list[tuple[tuple[str, ...], str]] = []
    changed: list[str] = []

    def loose(items: list[tuple[str, str, int, int]], spans: list[Span]) -> bool:
        return any(w[1] not in _FUNCTION_WORDS and not _covered(spans, w[2], w[3]) for w in items)

    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        ours, theirs = left[i1:i2], right[j1:j2]
        if not (loose(ours, left_spans) or loose(theirs, right_spans)):
            continue
        was = approved[ours[0][2]:ours[-1][3]] if ours else ""
        now = copy[theirs[0][2]:theirs[-1][3]] if theirs else ""
        if ours and theirs:
            changed.append(f"wording “{was}” → “{now}”")
        elif ours:
            removed.append((tuple(w[0] for w in ours), was))
        else:
            added.append((tuple(w[0] for w in theirs), now))
    moved: list[str] = []
    for stems, was in list(removed):
        again = next((item for item in added if item[0] == stems), None)
        if again is not None:
            removed.remove((stems, was))
            added.remove(again)
            moved.append(f"words “{again[1]}” moved")
    found = (changed + [f"words “{was}” removed" for _, was in removed]
             + [f"words “{now}” added" for _, now in added] + moved)
    if len(found) > WORDING_CHANGES_SHOWN:
        rest = len(found) - WORDING_CHANGES_SHOWN + 1
        found = found[:WORDING_CHANGES_SHOWN - 1] + [f"and {rest} more wording changes"]
    return found


def _source_difference(approved: Sequence[str], cited: Sequence[str]) -> str | None:
    """``cites X instead of Y`` when the library names sources the copy does not cite as they are."""
    if not approved:
        return None
    if {s.strip().casefold() for s in approved} == {c.strip().casefold() for c in cited if c.strip()}:
        return None
    now = ", ".join(dict.fromkeys(c for c in cited if c.strip())) or "no source"
    return f"cites {now} instead of {', '.join(approved)}"


def differences(approved: str, copy: str, approved_sources: Sequence[str] = (),
                cited: Sequence[str] = ()) -> list[str]:
    """What ``copy`` changes in the approved wording, in plain words, approved side first:
    ``figure 60% → 70%``, ``qualifier “may” removed``, ``population “adults” → “children”``."""
    ours, theirs = _analysis(approved), _analysis(copy)
    out: list[str] = []
    left: list[Span] = []
    right: list[Span] = []
    _figures(ours, theirs, out, left, right)
    softened = _paired("qualifier", ours.cues_of("hedge"), theirs.cues_of("hedge"), out, left, right)
    softened |= _paired("certainty", ours.cues_of("booster"), theirs.cues_of("booster"), out, left, right)
    softened |= _paired("negation", ours.cues_of("negation"), theirs.cues_of("negation"), out, left, right)
    if not softened and ours.level != theirs.level:
        _certainty(ours, theirs, out, left, right)
    for label, category in (("population", "populations"), ("condition", "conditions"), ("outcome", "outcomes"),
                            ("intervention", "interventions")):
        _paired(label, ours.terms_of(category), theirs.terms_of(category), out, left, right)
    out += _wording(approved, copy, left, right)
    if not out and wording_key(approved) != wording_key(copy):
        out.append("wording differs only in punctuation or word endings")
    cites = _source_difference(approved_sources, cited)
    if cites:
        out.append(cites)
    return out


# --------------------------------------------------------------------------- building from a review


@dataclass
class LibraryUpdate:
    """What ``review library`` did to a library."""

    library: Library
    added: list[str] = field(default_factory=list)  # ids of new claims
    renewed: list[str] = field(default_factory=list)  # ids whose approval a reviewer gave again
    unsigned: int = 0  # approvals without a reviewer or a date: not taken
    unknown_sources: int = 0  # approvals of claims whose cited sources the workbook does not show: not taken


def _library_key(claim: str, sources: Sequence[str]) -> tuple[str, frozenset[str]]:
    return wording_key(claim), frozenset(source.strip().casefold() for source in sources if source.strip())


def id_style(claims: Sequence[LibraryClaim]) -> tuple[str, int, int]:
    """The prefix, digit count and next number of the library's own ids ("C-", 3, 13)."""
    numbered = [(m[1], len(m[2]), int(m[2])) for m in (_NUMBERED_ID.match(c.id) for c in claims) if m]
    if not numbered:
        return DEFAULT_ID_PREFIX, DEFAULT_ID_WIDTH, 1
    prefixes = Counter(prefix for prefix, _, _ in numbered)
    top = max(prefixes.values())
    # The most used prefix; between equals, the one the highest number has.
    prefix = max((p for p in prefixes if prefixes[p] == top),
                 key=lambda p: max(n for q, _, n in numbered if q == p))
    width = max(w for p, w, _ in numbered if p == prefix)
    return prefix, width, max(n for p, _, n in numbered if p == prefix) + 1


@dataclass
class _SourcesShown:
    """What a reviewed workbook shows of the sources beside one claim."""

    cited: tuple[str, ...] | None = None  # a column of cited source ids (Cited, Sources), when there is one
    candidates: tuple[str, ...] = ()  # the best evidence's source, then every source on the Evidence sheet


# Sources tried together when working out which ones a claim cites from its fingerprint.
MOST_CITED_TRIED = 3
CANDIDATES_TRIED = 12


def _label_id(label: str) -> str:
    return label.split(": ", 1)[0].strip()


def _workbook_sources(path: str) -> dict[int, _SourcesShown]:
    """The sources each row of a reviewed workbook's Claims sheet shows, by row number.

    A column of cited source ids (Cited, Sources) says what the claim cites. The
    Source column names only the best evidence, which the claim may not cite at
    all; it and the claim's rows on the Evidence sheet are candidates, which
    :func:`_cited_sources` checks against the claim's fingerprint.
    """
    from claimaudit.ingest.table import cell_text, find_column, normalise_header, open_workbook, split_source_ids
    from claimaudit.verdicts.review import CLAIMS_SHEET

    found: dict[int, _SourcesShown] = {}
    ids_by_row: dict[str, int] = {}
    with open_workbook(path) as workbook:
        sheets = workbook.sheets
        ordered = [ws for ws in sheets if ws.title == CLAIMS_SHEET] + [ws for ws in sheets if ws.title != CLAIMS_SHEET]
        for sheet in ordered:
            rows = workbook.rows(sheet)
            first = next(rows, None)
            header = [cell_text(v) for v in first[1]] if first is not None and first[0] == 1 else []
            # "Decision", or one per sign-off role ("Medical decision").
            if not any(normalise_header(h).endswith("decision") for h in header):
                rows.close()
                continue
            cited = find_column(header, ("cited", "cited sources", "cites", "sources", "source ids"))
            best = find_column(header, ("source",))
            ids = find_column(header, ("id", "claim id"))

            def text(index: int | None, values: list) -> str:
                return cell_text(values[index]).strip() if index is not None and index < len(values) else ""

            for number, values in rows:
                shown = _SourcesShown()
                if cited is not None:
                    shown.cited = split_source_ids(text(cited, values))
                label = text(best, values)
                shown.candidates = (_label_id(label),) if label else ()
                found[number] = shown
                if text(ids, values):
                    ids_by_row[text(ids, values)] = number
            break
        evidence = next((ws for ws in sheets if ws.title == "Evidence"), None)
        if evidence is not None and ids_by_row:
            rows = workbook.rows(evidence)
            first = next(rows, None)
            header = [cell_text(v) for v in first[1]] if first is not None and first[0] == 1 else []
            claim_column, source_column = find_column(header, ("claim id",)), find_column(header, ("source",))
            if claim_column is None or source_column is None:
                rows.close()
            else:
                for _, values in rows:
                    claim_row = ids_by_row.get(cell_text(values[claim_column]).strip()
                                               if claim_column < len(values) else "")
                    label = cell_text(values[source_column]).strip() if source_column < len(values) else ""
                    if claim_row is not None and label:
                        shown = found[claim_row]
                        shown.candidates = tuple(dict.fromkeys(shown.candidates + (_label_id(label),)))
    return found


def _cited_sources(row: Any, shown: _SourcesShown | None) -> tuple[str, ...] | None:
    """The sources a reviewed claim cites: those of which its words and sources give its
    fingerprint (none, the cited column's, or a few of the sources shown beside it). Without
    a fingerprint (a workbook older than fingerprints), the cited column's, else none. None
    when nothing shown gives the fingerprint: the workbook does not say what the claim cites."""
    from itertools import combinations

    from claimaudit.verdicts.ids import claim_fingerprint

    shown = shown or _SourcesShown()
    if not row.fingerprint:
        return shown.cited or ()
    tried: list[tuple[str, ...]] = [shown.cited] if shown.cited is not None else []
    candidates = shown.candidates[:CANDIDATES_TRIED]
    tried.append(())
    for size in range(1, min(MOST_CITED_TRIED, len(candidates)) + 1):
        tried.extend(combinations(candidates, size))
    for sources in tried:
        if claim_fingerprint(row.claim, sources) == row.fingerprint:
            return tuple(sources)
    return None


def update_library(library: Library, reviewed: ReviewedWorkbook) -> LibraryUpdate:
    """Add the claims approved in a reviewed workbook to ``library`` (in place).

    A claim counts when the workbook approves it (``ReviewRow.approved``: every
    required role's decision is "Approve", by a named reviewer on a valid date;
    "Approve with change" approves other wording than the row holds, so never
    counts). Who approved and when are the row's ``approved_by`` and
    ``approved_on`` (the last counted approval). The sources are those the
    claim cites, as its fingerprint proves them (never merely the best
    evidence the workbook shows); a claim whose cited sources the workbook does
    not show is not taken. A claim already in the library with the same
    wording and sources has its approval renewed: who and when; an expiry on
    or before the new approval date belonged to the old approval and is
    dropped. An older approval never replaces a newer one. Other claims get
    the next free id.
    """
    update = LibraryUpdate(library)
    sources_by_row = _workbook_sources(reviewed.path)
    # One library claim per wording and sources: the same words citing other sources are
    # another claim, as they are for an approval's fingerprint.
    by_key: dict[tuple[str, frozenset[str]], LibraryClaim] = {}
    for claim in library.claims:
        by_key.setdefault(_library_key(claim.claim, claim.sources), claim)
    taken = {_id_key(claim.id) for claim in library.claims}
    prefix, width, number = id_style(library.claims)
    for row in sorted(reviewed.rows, key=lambda r: r.row):
        if not (row.approved and row.claim.strip()):
            continue
        approved_by = " ".join(str(getattr(row, "approved_by", "") or "").split())
        approved_on = parse_date(getattr(row, "approved_on", "") or None, path=reviewed.path, line=row.row,
                                 field_name="Date")
        if not approved_by or approved_on is None:
            update.unsigned += 1  # the workbook's own rules should never let these through; never counted
            continue
        cited = _cited_sources(row, sources_by_row.get(row.row))
        if cited is None:
            update.unknown_sources += 1  # what the approval covered cannot be told: never guessed
            continue
        sources = cited
        existing = by_key.get(_library_key(row.claim, sources))
        if existing is not None:
            if approved_on < existing.approved_on:
                continue
            renewed = (approved_by, approved_on, existing.sources)
            if renewed != (existing.approved_by, existing.approved_on, existing.sources):
                existing.approved_by, existing.approved_on, existing.sources = renewed
                if existing.expires_on is not None and existing.expires_on <= approved_on:
                    existing.expires_on = None
                if existing.id not in update.added and existing.id not in update.renewed:
                    update.renewed.append(existing.id)
            continue
        while _id_key(f"{prefix}{number:0{width}d}") in taken:
            number += 1
        claim = LibraryClaim(id=f"{prefix}{number:0{width}d}", claim=" ".join(row.claim.split()), sources=sources,
                             approved_by=approved_by, approved_on=approved_on)
        taken.add(_id_key(claim.id))
        library.claims.append(claim)
        by_key[_library_key(claim.claim, claim.sources)] = claim
        update.added.append(claim.id)
    return update


# --------------------------------------------------------------------------- writing


def _columns(library: Library) -> list[str]:
    return list(COLUMNS) + [name for name in library.extra_columns if name not in COLUMNS]


def _cells(claim: LibraryClaim, columns: list[str]) -> list[str]:
    values = {
        "id": claim.id, "claim": claim.claim, "sources": "; ".join(claim.sources), "approved_by": claim.approved_by,
        "approved_on": claim.approved_on.isoformat(),
        "expires_on": claim.expires_on.isoformat() if claim.expires_on else "",
    }
    return [values[name] if name in values else _text(claim.extra.get(name)) for name in columns]


# A spreadsheet runs a cell that starts so as a formula; the CSV library marks such text with an
# apostrophe, as spreadsheets do, and reading takes it off again.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def _neutralised(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _restored(value: str) -> str:
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_TRIGGERS) else value


def _render_csv(library: Library) -> str:
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    columns = _columns(library)
    writer.writerow([_neutralised(name) for name in columns])
    for claim in library.claims:
        writer.writerow([_neutralised(value) for value in _cells(claim, columns)])
    return buffer.getvalue()


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return json.dumps(value.isoformat())
    # A JSON value is YAML too: quoted strings, numbers, lists and mappings in flow style.
    return json.dumps(value, ensure_ascii=False, default=str)


def _render_yaml(library: Library) -> str:
    lines = ["# A claimaudit claims library: claims approved, by whom and when.", "claims:"]
    for claim in library.claims:
        lines.append(f"  - id: {_yaml_scalar(claim.id)}")
        lines.append(f"    claim: {_yaml_scalar(claim.claim)}")
        lines.append(f"    sources: {_yaml_scalar(list(claim.sources))}")
        lines.append(f"    approved_by: {_yaml_scalar(claim.approved_by)}")
        lines.append(f"    approved_on: {claim.approved_on.isoformat()}")
        if claim.expires_on is not None:
            lines.append(f"    expires_on: {claim.expires_on.isoformat()}")
        for name in library.extra_columns:
            if name in claim.extra and name not in COLUMNS:
                lines.append(f"    {_yaml_scalar(name)}: {_yaml_scalar(claim.extra[name])}")
    if not library.claims:
        lines[-1] = "claims: []"
    return "\n".join(lines) + "\n"


_FIXED_TIME = dt.datetime(2000, 1, 1)
_ZIP_TIME = (2000, 1, 1, 0, 0, 0)


def _render_xlsx(library: Library) -> bytes:
    import zipfile

    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.worksheets[0]
    sheet.title = "Library"
    columns = _columns(library)
    widths = {"id": 10, "claim": 70, "sources": 24, "approved_by": 18, "approved_on": 13, "expires_on": 13}
    def put(row: int, values: list[str]) -> None:
        for n, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=n)
            cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value) or None
            if value:
                cell.data_type = "s"  # text as typed, never a formula however it starts

    put(1, columns)
    for n, name in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=n)
        cell.font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(n)].width = widths.get(name, 20)
    for number, claim in enumerate(library.claims, start=2):
        put(number, _cells(claim, columns))
    for row in sheet.iter_rows(min_row=2, min_col=2, max_col=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    book.properties.creator = "claimaudit"
    book.properties.created = _FIXED_TIME
    book.properties.modified = _FIXED_TIME
    raw = io.BytesIO()
    # Workbook.save() would stamp the time of writing as the modified date.
    from openpyxl.writer.excel import ExcelWriter

    with zipfile.ZipFile(raw, "w", zipfile.ZIP_STORED) as archive:
        ExcelWriter(book, archive).save()
    # openpyxl stamps each zip entry with the time of writing: fixed, so the same library gives the same bytes.
    stable = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw.getvalue())) as source, \
            zipfile.ZipFile(stable, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            target.writestr(entry, source.read(info.filename))
    return stable.getvalue()


def render_library(library: Library, kind: str) -> str | bytes:
    if kind == "xlsx":
        return _render_xlsx(library)
    if kind == "yaml":
        return _render_yaml(library)
    return _render_csv(library)


def write_library(library: Library, path: str | Path) -> Path:
    """Write the library atomically, as CSV, XLSX or YAML by the file's suffix."""
    from claimaudit.files import write_atomic

    kind = SUFFIXES.get(Path(path).suffix.lower())
    if kind is None:
        raise InputError("write the claims library as a .csv, .xlsx or .yaml file", path=str(path))
    return write_atomic(path, render_library(library, kind))


def build_library(workbook: str | Path, library_path: str | Path, out: str | Path | None = None,
                  required_roles: Sequence[str] = ()) -> LibraryUpdate:
    """``claimaudit review library``: read a reviewed workbook, add its approvals to the library
    at ``library_path`` (a new one when the file does not exist) and write it to ``out``
    (default: ``library_path``). ``required_roles``: those the project requires, required too
    wherever the workbook has their columns."""
    from claimaudit.verdicts.review import read_review

    target = Path(out) if out is not None else Path(library_path)
    if SUFFIXES.get(target.suffix.lower()) is None:
        raise InputError("write the claims library as a .csv, .xlsx or .yaml file", path=str(target))
    library_file = Path(library_path)
    if library_file.exists():
        library = load_library(library_file)
    elif SUFFIXES.get(library_file.suffix.lower()) is None:
        raise InputError("a claims library is a .csv, .xlsx or .yaml file", path=str(library_file))
    else:
        library = Library(path=str(library_file))
    reviewed = read_review(workbook)
    reviewed.require(required_roles)
    update = update_library(library, reviewed)
    write_library(library, target)
    return update
