"""The review round trip: carry a reviewer's decisions from one audit to the next.

A reviewer fills in the Decision, Comment, Reviewer and Date columns of the
Claims sheet in ``audit.xlsx``. Auditing again with ``--review`` reads that
workbook and puts each decision back on the same claim, matched by its stable
claim id, and marks what happened to it:

- ``carried``: the claim and its verdict are as they were when reviewed;
- ``re-review``: the claim is the same but its verdict changed;
- ``changed``: the claim was reworded (same document, text still very similar);
- ``new``: the claim was not in the reviewed workbook.

Reviewed claims that no longer occur are listed as gone. A decision carried onto
a changed or re-review claim keeps its Decision and Comment but not its Reviewer
and Date: it applied to other wording or another verdict, so it counts again
only once a reviewer confirms it by putting their name in the Reviewer column.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterator

from rapidfuzz import fuzz, process, utils

from claimaudit.errors import InputError
from claimaudit.model import AuditResult, Finding, GoneClaim, ReviewState

if TYPE_CHECKING:
    from claimaudit.ingest.table import OpenWorkbook
    from claimaudit.verdicts.baseline import BaselineEntry

APPROVE, APPROVE_WITH_CHANGE, REJECT, NEEDS_SOURCE = (
    "Approve", "Approve with change", "Reject", "Needs source",
)
DECISIONS = (APPROVE, APPROVE_WITH_CHANGE, REJECT, NEEDS_SOURCE)
APPROVED = frozenset({APPROVE, APPROVE_WITH_CHANGE})

CARRIED, CHANGED, REREVIEW, NEW = "carried", "changed", "re-review", "new"
REVIEW_STATUSES = (CARRIED, CHANGED, REREVIEW, NEW)
# Statuses whose carried decision waits for a reviewer to confirm it.
NEEDS_CONFIRMATION = frozenset({CHANGED, REREVIEW})

# rapidfuzz ratio (0-100) above which a reworded claim is taken to be the reviewed one.
SIMILAR_CLAIM = 85.0

CLAIMS_SHEET = "Claims"
# Header names in the Claims sheet, with the spellings a reviewer might retype.
COLUMN_ALIASES = {
    "id": ("id", "claim id"),
    "document": ("document",),
    # The page or slide a claim of paged copy stands on. Before copy had pages a
    # reviewer might retype "Page" for the document; such a column holds no numbers.
    "page": ("page", "slide"),
    "line": ("line",),
    "claim": ("claim",),
    "verdict": ("verdict",),
    "rules": ("rules",),
    "decision": ("decision",),
    "comment": ("comment", "comments"),
    "reviewer": ("reviewer",),
    "date": ("date",),
    "status": ("review status",),
    "note": ("review note",),
}
REQUIRED_COLUMNS = ("id", "decision")


def _header_key(value: object) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_date(value: object) -> str:
    """A Date cell as ``YYYY-MM-DD`` when it holds a date, else its text as typed."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        from openpyxl.utils.datetime import from_excel

        try:
            return _cell_date(from_excel(value))
        except (ValueError, OverflowError, TypeError):
            return _cell_text(value)
    return _cell_text(value)


def _same_document(reviewed: str, audited: str) -> bool:
    """Whether two spellings of a path name the same page: equal, or one ends with the other.

    The audit may run from another folder than the reviewed one did
    ("examples/page.html" then, "page.html" now).
    """
    if not reviewed:
        return True
    a = PurePosixPath(reviewed.replace("\\", "/")).parts
    b = PurePosixPath(audited.replace("\\", "/")).parts
    a = tuple(part for part in a if part != ".")
    b = tuple(part for part in b if part != ".")
    shorter, longer = sorted((a, b), key=len)
    return bool(shorter) and longer[len(longer) - len(shorter):] == shorter


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


# --------------------------------------------------------------------------- reading


@dataclass
class ReviewRow:
    """One row of a reviewed Claims sheet."""

    id: str
    row: int  # the row number in the sheet, for messages
    document: str = ""
    line: int | None = None  # paged copy: counted from the top of ``page``
    claim: str = ""
    verdict: str = ""
    page: int | None = None  # the page or slide of paged copy
    rules: tuple[str, ...] = ()
    decision: str = ""
    comment: str = ""
    reviewer: str = ""
    date: str = ""
    status: str = ""  # review status the row already carried (a second-round workbook)
    note: str = ""

    @property
    def reviewed(self) -> bool:
        """Whether a reviewer wrote anything on this row."""
        return bool(self.decision or self.comment or self.reviewer or self.date)

    @property
    def awaiting_confirmation(self) -> bool:
        """A decision carried onto a changed claim that no reviewer has confirmed yet."""
        return self.status in NEEDS_CONFIRMATION and bool(self.decision) and not self.reviewer

    @property
    def approved(self) -> bool:
        return self.decision in APPROVED and not self.awaiting_confirmation


@dataclass
class ReviewedWorkbook:
    path: str
    rows: list[ReviewRow] = field(default_factory=list)


def _columns(header: tuple) -> dict[str, int]:
    """Field name → 0-based column index, by header name; the first of duplicates wins."""
    found: dict[str, int] = {}
    for index, value in enumerate(header):
        key = _header_key(value)
        for name, aliases in COLUMN_ALIASES.items():
            if key in aliases and name not in found:
                found[name] = index
    return found


def _claims_sheet(workbook: "OpenWorkbook", path: Path) -> tuple[dict[str, int], Iterator[tuple[int, list]]]:
    """The columns and the rows below the header of the Claims sheet.

    In a workbook without a Claims sheet, the first sheet whose header row
    has ID and Decision columns.
    """
    sheets = workbook.sheets
    claims = [ws for ws in sheets if ws.title == CLAIMS_SHEET]
    first_header: tuple = ()
    for ws in claims or sheets:
        rows = workbook.rows(ws)
        first = next(rows, None)
        header = tuple(first[1]) if first is not None and first[0] == 1 else ()
        columns = _columns(header)
        if all(name in columns for name in REQUIRED_COLUMNS):
            return columns, rows
        rows.close()
        if ws is (claims or sheets)[0]:
            first_header = header
    if not claims:
        names = ", ".join(str(ws.title)[:60] for ws in sheets[:20]) + (", ..." if len(sheets) > 20 else "")
        raise InputError(
            f"not a claimaudit workbook: no {CLAIMS_SHEET!r} sheet with ID and Decision columns "
            f"(sheets: {names})",
            path=str(path),
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in _columns(first_header)]
    labels = ", ".join({"id": "ID", "decision": "Decision"}[name] for name in missing)
    raise InputError(f"not a claimaudit workbook: the {CLAIMS_SHEET!r} sheet has no {labels} column "
                     f"in its header row", path=str(path), line=1)


# A line number past this is no line of a copy file the size limits let through.
_MAX_LINE = 2 ** 31 - 1


def _cell_line(value: object, path: Path, row: int) -> int | None:
    """The Line column as a line number; blank or text (a reviewer's note) is no line."""
    if value is None or isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            raise InputError(f"{value!r} is not a line number", path=str(path), line=row, field="Line")
        value = int(value)
    if not 1 <= value <= _MAX_LINE:
        shown = str(value) if abs(value) < 10 ** 20 else f"a number of {len(str(abs(value)))} digits"
        raise InputError(f"{shown} is not a line number", path=str(path), line=row, field="Line")
    return value


def _cell_page(value: object) -> int | None:
    """The Page column as a page number; blank or anything but a whole number above 0 is no page."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        return None
    return int(value) if 1 <= value <= _MAX_LINE else None


def _decision(value: object, path: Path, row: int) -> str:
    text = " ".join(_cell_text(value).split())
    if not text:
        return ""
    for decision in DECISIONS:
        if text.lower() == decision.lower():
            return decision
    raise InputError(f"unknown decision {text!r}; use one of: {', '.join(DECISIONS)}",
                     path=str(path), line=row, field="Decision")


def read_review(path: str | Path) -> ReviewedWorkbook:
    """Read the Claims sheet of a workbook a reviewer filled in.

    Columns are found by their header names, so a reviewer may reorder or add
    columns. Rows without an ID are skipped unless a reviewer wrote on them.
    """
    # Imported here: the report renderers import this module for its counts.
    from claimaudit.ingest.table import open_workbook

    path = Path(path)
    if not path.exists():
        raise InputError("reviewed workbook not found", path=str(path))
    with open_workbook(path) as workbook:
        columns, body = _claims_sheet(workbook, path)
        rows: list[ReviewRow] = []
        first_row: dict[str, int] = {}
        for number, values in body:
            def get(name: str, values: list[object] = values) -> object:
                index = columns.get(name)
                return values[index] if index is not None and index < len(values) else None

            page = get("page")
            document = _cell_text(get("document"))
            if "document" not in columns and _cell_page(page) is None:
                document = _cell_text(page)  # a "Page" column naming the document, as older workbooks had
            item = ReviewRow(
                id=_cell_text(get("id")),
                row=number,
                document=document,
                line=_cell_line(get("line"), path, number),
                claim=_cell_text(get("claim")),
                verdict=_cell_text(get("verdict")).lower(),
                page=_cell_page(page),
                rules=tuple(code for code in (c.strip() for c in _cell_text(get("rules")).split(",")) if code),
                decision=_decision(get("decision"), path, number),
                comment=_cell_text(get("comment")),
                reviewer=_cell_text(get("reviewer")),
                date=_cell_date(get("date")),
                status=_cell_text(get("status")).lower(),
                note=_cell_text(get("note")),
            )
            if not item.id:
                if item.reviewed:
                    raise InputError("this row has a decision but no claim ID; copy the ID back "
                                     "from the workbook claimaudit wrote", path=str(path), line=number, field="ID")
                continue
            if item.id in first_row:
                raise InputError(f"claim ID {item.id} is on rows {first_row[item.id]} and {number}; "
                                 f"keep one row per claim", path=str(path), line=number, field="ID")
            first_row[item.id] = number
            rows.append(item)
    return ReviewedWorkbook(path=str(path), rows=rows)


# --------------------------------------------------------------------------- applying


def _signed(row: ReviewRow) -> str:
    """Who decided what and when, for a note: "Approve by Ann Lee on 2025-03-01"."""
    parts = [row.decision or "commented"]
    if row.reviewer:
        parts.append(f"by {row.reviewer}")
    if row.date:
        parts.append(f"on {row.date}")
    return " ".join(parts)


def _state(status: str, row: ReviewRow | None, finding: Finding, note: str = "",
           keep_signature: bool = True) -> ReviewState:
    return {
        "status": status,
        "decision": row.decision if row else "",
        "comment": row.comment if row else "",
        "reviewer": row.reviewer if row and keep_signature else "",
        "date": row.date if row and keep_signature else "",
        "note": note,
        "previous_id": row.id if row and row.id != finding.id else "",
        "previous_verdict": row.verdict if row and row.verdict and row.verdict != finding.verdict else "",
    }


_CONFIRM = "Confirm or change the decision, then put your name in Reviewer and the date in Date."


def _exact(finding: Finding, row: ReviewRow) -> ReviewState:
    if row.awaiting_confirmation:
        # Still unconfirmed from an earlier round: keep asking, with the earlier note.
        return _state(row.status, row, finding, row.note, keep_signature=False)
    if not row.reviewed:
        return _state("", None, finding)
    if row.verdict and row.verdict != finding.verdict:
        note = (f"Verdict changed from {row.verdict} to {finding.verdict} since the review "
                f"({_signed(row)}). {_CONFIRM}")
        return _state(REREVIEW, row, finding, note, keep_signature=False)
    return _state(CARRIED, row, finding)


def _reworded(finding: Finding, row: ReviewRow) -> ReviewState:
    if not row.reviewed:
        return _state(CHANGED, None, finding, f"Reworded since the reviewed workbook; it read: “{row.claim}”.")
    note = f"Reworded since the review ({_signed(row)}); it read: “{row.claim}”. {_CONFIRM}"
    state = _state(CHANGED, row, finding, note, keep_signature=False)
    return state


def _gone(row: ReviewRow) -> GoneClaim:
    return {
        "id": row.id, "document": row.document, "line": row.line, "claim": row.claim,
        "verdict": row.verdict, "decision": row.decision, "comment": row.comment,
        "reviewer": row.reviewer, "date": row.date,
    }


def apply_review(result: AuditResult, reviewed: ReviewedWorkbook) -> AuditResult:
    """Put the reviewer's decisions on the findings of ``result`` (in place) and return it."""
    by_id = {row.id: row for row in reviewed.rows}
    matched: set[str] = set()
    pending: list[Finding] = []
    for finding in result.findings:
        row = by_id.get(finding.id)
        if row is None:
            pending.append(finding)
            continue
        matched.add(row.id)
        finding.review = _exact(finding, row)

    # Reworded claims: pair the closest (finding, row) first, each used once.
    left = [row for row in reviewed.rows if row.id not in matched and row.claim]
    pairs = []
    if pending and left:
        scores = process.cdist([f.text for f in pending], [row.claim for row in left], scorer=fuzz.ratio,
                               processor=utils.default_process, score_cutoff=SIMILAR_CLAIM)
        for f_index, r_index in zip(*scores.nonzero()):
            finding, row = pending[f_index], left[r_index]
            if not _same_document(row.document, finding.document):
                continue
            pairs.append((-float(scores[f_index, r_index]), int(f_index), int(r_index)))
    taken_findings: set[int] = set()
    taken_rows: set[int] = set()
    for _, f_index, r_index in sorted(pairs):
        if f_index in taken_findings or r_index in taken_rows:
            continue
        taken_findings.add(f_index)
        taken_rows.add(r_index)
        finding, row = pending[f_index], left[r_index]
        matched.add(row.id)
        # The same words under another spelling of the page's path are the same claim.
        finding.review = _exact(finding, row) if _same_words(finding.text, row.claim) else _reworded(finding, row)
    for f_index, finding in enumerate(pending):
        if f_index not in taken_findings:
            finding.review = _state(NEW, None, finding)

    result.review = {
        "workbook": Path(reviewed.path).name,
        "gone": [_gone(row) for row in reviewed.rows if row.reviewed and row.id not in matched],
    }
    return result


def apply_review_file(result: AuditResult, path: str | Path) -> AuditResult:
    return apply_review(result, read_review(path))


def review_counts(result: AuditResult) -> dict[str, int]:
    """How many findings got each review status, and how many reviewed claims are gone."""
    counts = {status: 0 for status in REVIEW_STATUSES}
    for finding in result.findings:
        status = finding.review.get("status", "")
        if status in counts:
            counts[status] += 1
    counts["gone"] = len(result.review.get("gone", ()))
    return counts


def review_line(result: AuditResult) -> str:
    """One line for the audit's console summary."""
    counts = review_counts(result)
    line = (f"review from {result.review.get('workbook', '')}: {counts[CARRIED]} carried, "
            f"{counts[REREVIEW]} to re-review (verdict changed), {counts[CHANGED]} reworded, "
            f"{counts[NEW]} new, {counts['gone']} gone")
    return line


# --------------------------------------------------------------------------- summary


@dataclass
class ReviewSummary:
    path: str
    rows: list[ReviewRow]

    @property
    def decided(self) -> list[ReviewRow]:
        return [row for row in self.rows if row.decision and not row.awaiting_confirmation]

    def with_decision(self, *decisions: str) -> list[ReviewRow]:
        return [row for row in self.decided if row.decision in decisions]

    @property
    def to_confirm(self) -> list[ReviewRow]:
        return [row for row in self.rows if row.awaiting_confirmation]

    @property
    def undecided(self) -> list[ReviewRow]:
        return [row for row in self.rows if not row.decision]

    def by_reviewer(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for row in self.decided:
            counts = table.setdefault(row.reviewer or "(no reviewer named)", {d: 0 for d in DECISIONS})
            counts[row.decision] += 1
        return dict(sorted(table.items()))

    def to_dict(self) -> dict:
        def item(row: ReviewRow) -> dict:
            return {"id": row.id, "document": row.document, "page": row.page, "line": row.line, "claim": row.claim,
                    "verdict": row.verdict, "decision": row.decision, "comment": row.comment,
                    "reviewer": row.reviewer, "date": row.date, "status": row.status}

        return {
            "workbook": self.path,
            "claims": len(self.rows),
            "decisions": {d: len(self.with_decision(d)) for d in DECISIONS},
            "open": len(self.undecided) + len(self.to_confirm),
            "by_reviewer": self.by_reviewer(),
            "decided": [item(row) for row in self.decided],
            "to_confirm": [item(row) for row in self.to_confirm],
            "undecided": [item(row) for row in self.undecided],
        }


def summarise(reviewed: ReviewedWorkbook) -> ReviewSummary:
    return ReviewSummary(reviewed.path, list(reviewed.rows))


def _where(row: ReviewRow) -> str:
    if row.document and row.line:
        if row.page is not None:
            kind = "slide" if PurePosixPath(row.document.lower()).suffix == ".pptx" else "page"
            return f"{row.document}, {kind} {row.page}, line {row.line}"
        return f"{row.document}:{row.line}"
    return row.document or row.id


def _short(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_summary(summary: ReviewSummary) -> str:
    """Who approved what and what is still open, as plain text."""
    lines = [f"{summary.path}: {len(summary.rows)} claims"]
    for decision in DECISIONS:
        lines.append(f"  {decision + ':':<21}{len(summary.with_decision(decision)):>4}")
    open_count = len(summary.undecided) + len(summary.to_confirm)
    lines.append(f"  {'Open:':<21}{open_count:>4}  ({len(summary.undecided)} without a decision, "
                 f"{len(summary.to_confirm)} to confirm after a change)")
    reviewers = summary.by_reviewer()
    if reviewers:
        lines += ["", "By reviewer:"]
        for reviewer, counts in reviewers.items():
            done = ", ".join(f"{n} {d.lower()}" for d, n in counts.items() if n)
            lines.append(f"  {reviewer}: {done}")
    for title, decisions in (("Approved", (APPROVE, APPROVE_WITH_CHANGE)),
                             ("Rejected or waiting for a source", (REJECT, NEEDS_SOURCE))):
        rows = summary.with_decision(*decisions)
        if rows:
            lines += ["", f"{title}:"]
            for row in rows:
                who = " ".join(part for part in (row.reviewer, row.date) if part) or "no reviewer named"
                comment = f"  — {_short(row.comment, 60)}" if row.comment else ""
                lines.append(f"  {row.decision} ({who})  {_where(row)}  {_short(row.claim)}{comment}")
    if summary.to_confirm:
        lines += ["", "To confirm (the claim or its verdict changed after the decision):"]
        for row in summary.to_confirm:
            lines.append(f"  {row.status}: was {row.decision}  {_where(row)}  {_short(row.claim)}")
    if summary.undecided:
        verdicts = Counter(row.verdict or "unknown" for row in summary.undecided)
        split = ", ".join(f"{verdicts[v]} {v}" for v in ("unsupported", "overstated", "supported", "unknown")
                          if verdicts[v])
        lines += ["", f"Still open (no decision): {split}"]
        for row in summary.undecided:
            lines.append(f"  {row.verdict or '-':<11}  {_where(row)}  {_short(row.claim)}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- baseline


def baseline_entries(reviewed: ReviewedWorkbook, baseline_path: str | Path) -> list[BaselineEntry]:
    """Baseline entries for every approved claim: one per rule that flagged it.

    A claim approved while it was supported has no rule to baseline; one
    flagged without a rule code is keyed by its verdict, as ``check`` does.
    """
    from claimaudit.verdicts.baseline import BaselineEntry, document_for_baseline

    entries: list[BaselineEntry] = []
    for row in reviewed.rows:
        if not row.approved:
            continue
        keys = list(row.rules) or ([row.verdict] if row.verdict and row.verdict != "supported" else [])
        extra = {key: value for key, value in (("decision", row.decision), ("reviewer", row.reviewer),
                                                ("date", row.date), ("note", row.comment)) if value}
        for key in keys:
            entries.append(BaselineEntry(
                claim=row.id, rule=key,
                document=document_for_baseline(row.document, baseline_path) if row.document else "",
                verdict=row.verdict, text=row.claim, extra=dict(extra),
            ))
    return entries


def write_review_baseline(reviewed: ReviewedWorkbook, path: str | Path, merge: bool = False) -> tuple[Path, int]:
    """Write the approved claims as a baseline for ``claimaudit check``.

    With ``merge`` the entries already in ``path`` are kept (approvals replace
    entries with the same fingerprint). Returns the path and the entry count.
    """
    from claimaudit.verdicts.baseline import read_baseline, write_baseline

    entries = baseline_entries(reviewed, path)
    if merge and Path(path).exists():
        entries += read_baseline(path).entries
    written = write_baseline(path, entries)
    return written, len({entry.fingerprint for entry in entries})
