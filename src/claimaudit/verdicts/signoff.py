"""What makes a sign-off hold: a named reviewer, a real date, and a record of what was signed.

A reviewer's decision counts only with a reviewer name and a valid date
(:func:`reviewer_problem`, :func:`review_date`). The workbook an audit writes
records what its decisions are made on (:func:`made_on`): the sha256 of each
document's text as read, of the source pack, and the tool version. The review
record (``review.json``, :func:`review_record`) lists every decision in a
reviewed workbook with who, what, when, the role, those hashes, and whether it
counts (and why not).

Pure Python with no heavy imports: ``review summary`` and ``check`` paths may use it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from typing import TYPE_CHECKING, Iterable, Sequence, TypedDict

if TYPE_CHECKING:
    from claimaudit.model import AuditResult, Document, Source, TrailDecision
    from claimaudit.verdicts.review import ReviewedWorkbook

RECORD_SCHEMA = "claimaudit-review"
RECORD_VERSION = 1

# The earliest date a review of copy by this tool could carry; an earlier one is a typing slip
# or Excel's zero date (1899-12-30) in an emptied cell.
EARLIEST_REVIEW_DATE = dt.date(2000, 1, 1)
# A reviewer east of the machine running the audit may already be on tomorrow's date.
TIME_ZONE_SLACK = dt.timedelta(days=1)

# What people type when they mean "nobody": not a name a decision can stand on. Compared with
# the letters and digits alone, so "T.B.D.", "n.a." and "x x" are caught as "tbd", "na" and "xx".
PLACEHOLDER_NAMES = frozenset({"na", "none", "nobody", "tbd", "tba", "tbc", "todo", "unknown", "x", "xx", "xxx",
                               "reviewer", "reviewername", "name", "yourname", "namehere", "me", "null", "nil",
                               "anonymous", "anon", "someone", "pending", "unassigned", "test", "notapplicable"})

_MONTHS = {
    "jan": 1, "january": 1, "feb": 2, "february": 2, "mar": 3, "march": 3, "apr": 4, "april": 4,
    "may": 5, "jun": 6, "june": 6, "jul": 7, "july": 7, "aug": 8, "august": 8, "sep": 9, "sept": 9,
    "september": 9, "oct": 10, "october": 10, "nov": 11, "november": 11, "dec": 12, "december": 12,
}
_TIME = r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})" + _TIME)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[\s./-]*([a-z]+)\.?,?[\s./-]*(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.?[\s./-]*(\d{1,2})(?:st|nd|rd|th)?,?[\s./-]*(\d{4})")
_ALL_NUMBERS = re.compile(r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
DATE_EXAMPLE = "2025-03-01"


def reviewer_problem(name: str) -> str:
    """Why a Reviewer cell names nobody ("" when it names someone)."""
    name = " ".join(name.split())
    if not name:
        return "without a reviewer name"
    letters = [char for char in name.casefold() if char.isalpha()]
    bare = "".join(char for char in name.casefold() if char.isalnum())
    # One letter over and over ("xx", "x x", "aaa") names nobody either.
    if len(letters) < 2 or len(set(letters)) < 2 or bare in PLACEHOLDER_NAMES:
        return f"with {_quoted(name)} for a reviewer name"
    return ""


def _quoted(text: str, limit: int = 40) -> str:
    text = " ".join(text.split())
    return '"' + (text if len(text) <= limit else text[: limit - 1] + "…") + '"'


def _checked(day: dt.date, today: dt.date) -> tuple[str, str]:
    iso = day.isoformat()
    if day > today + TIME_ZONE_SLACK:
        return iso, f"dated in the future ({iso})"
    if day < EARLIEST_REVIEW_DATE:
        return iso, f"dated {iso}, which is no review date"
    return iso, ""


def _calendar(year: int, month: int, day: int, typed: str, today: dt.date) -> tuple[str, str]:
    try:
        return _checked(dt.date(year, month, day), today)
    except ValueError:
        return typed, f"with {_quoted(typed)}, which is no day of the calendar"


def _readings(text: str) -> str:
    """The ISO dates an all-number date could mean, day first or month first: "2024-11-30"."""
    parts = [int(part) for part in re.split(r"[-/.]", text)]
    if len(parts) != 3 or parts[2] < 1000:
        return DATE_EXAMPLE
    first, second, year = parts
    found: list[str] = []
    for month, day in ((second, first), (first, second)):
        try:
            iso = dt.date(year, month, day).isoformat()
        except ValueError:
            continue
        if iso not in found:
            found.append(iso)
    return " or ".join(found) or DATE_EXAMPLE


def review_date(value: object, today: dt.date | None = None) -> tuple[str, str]:
    """A Date cell as ``(text, problem)``: ``YYYY-MM-DD`` and "" when it holds a valid date.

    Valid: a date cell, or text in ISO form (2026-11-30) or with the month in
    words (30 Nov 2026, November 30, 2026). All-number forms other than ISO
    (30/11/2026, 11/30/2026) read differently in different countries and are
    refused, as are words ("next week") and dates in the future. Otherwise
    ``text`` is the cell as typed and ``problem`` says why it does not count.
    """
    today = today or dt.date.today()
    if value is None or (isinstance(value, str) and not value.strip()):
        return "", "without a date"
    if isinstance(value, dt.datetime):
        return _checked(value.date(), today)
    if isinstance(value, dt.date):
        return _checked(value, today)
    if isinstance(value, bool) or not isinstance(value, str):
        typed = str(value)
        if isinstance(value, float) and value.is_integer():
            typed = str(int(value))
        return typed, f"with {_quoted(typed)} in its Date cell, which is no date; write it as {DATE_EXAMPLE}"
    typed = " ".join(value.split())
    text = typed.lower()
    found = _YEAR_FIRST.fullmatch(text)
    if found:
        return _calendar(int(found.group(1)), int(found.group(3)), int(found.group(4)), typed, today)
    for pattern, order in ((_DAY_MONTH_YEAR, "dmy"), (_MONTH_DAY_YEAR, "mdy")):
        found = pattern.fullmatch(text)
        if not found:
            continue
        day_text, month_text = (found.group(1), found.group(2)) if order == "dmy" else (found.group(2), found.group(1))
        month = _MONTHS.get(month_text)
        if month is not None:
            return _calendar(int(found.group(3)), month, int(day_text), typed, today)
    if _ALL_NUMBERS.fullmatch(text):
        return typed, (f"with the date {_quoted(typed)}, in a form that reads differently in different countries; "
                       f"write it as YYYY-MM-DD ({_readings(text)})")
    return typed, f"with {_quoted(typed)} for a date; write it as {DATE_EXAMPLE}"


# --------------------------------------------------------------------------- what a decision is made on


class MadeOn(TypedDict):
    """What the decisions in one workbook were made on."""

    tool_version: str
    pack_sha256: str
    documents: dict[str, str]  # document path → sha256 of its text as read


def _sha256(text: str) -> str:
    # surrogatepass: text read from a file never holds a lone surrogate, but a hash must never fail.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def document_sha256(document: Document) -> str:
    """The sha256 of a document's text as read (``Document.raw``)."""
    return _sha256(document.raw)


def pack_sha256(sources: Iterable[Source]) -> str:
    """The sha256 of the source pack: each source's id, citation and text, as canonical JSON."""
    items = sorted(({"citation": s.citation, "id": s.id, "text": s.summary} for s in sources),
                   key=lambda item: (item["id"], item["citation"], item["text"]))
    return _sha256(json.dumps(items, ensure_ascii=False, sort_keys=True, separators=(",", ":")))


def made_on(result: AuditResult) -> MadeOn:
    return {
        "tool_version": result.tool_version,
        "pack_sha256": pack_sha256(result.sources),
        "documents": {document.path: document_sha256(document) for document in result.documents},
    }


def clean_roles(names: Iterable[str]) -> tuple[str, ...]:
    """Role names with spacing evened out, each once (case-insensitively), in the order given."""
    seen: set[str] = set()
    roles: list[str] = []
    for name in names:
        name = " ".join(str(name).split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            roles.append(name)
    return tuple(roles)


def role_problem(name: str) -> str:
    """Why a configured role name cannot head a workbook column ("" when it can)."""
    name = " ".join(name.split())
    if not name:
        return "a role name is empty"
    if len(name) > 40:
        return f"role name {_quoted(name)} is longer than 40 characters"
    if any(char in name for char in ",;!'\"[]*?:/\\") or not name[0].isalnum():
        return (f"role name {_quoted(name)} holds a character a workbook column cannot be named by "
                "(use letters, digits, spaces, - and &)")
    return ""


def required_roles(roles: Sequence[str], required: Sequence[str] | None) -> tuple[str, ...]:
    """The required roles in the order of ``roles``: those named (matched case-insensitively), else all."""
    if required is None:
        return tuple(roles)
    wanted = {" ".join(name.split()).casefold() for name in required}
    return tuple(role for role in roles if role.casefold() in wanted)


# --------------------------------------------------------------------------- review.json


def _decision_key(item: dict) -> tuple:
    return (item["document"], item["page"] if item["page"] is not None else 0, item["line"] or 0,
            item["claim_id"], item["role"])


def review_record(reviewed: ReviewedWorkbook, result: AuditResult | None = None) -> dict:
    """Every decision in ``reviewed``: who decided what and when, in which role, on what copy,
    and whether it counts (with why not); the earlier rounds from its Audit trail sheet.

    With ``result`` (``audit --review``), each decision also says what became of its claim in
    that audit (carried, changed, re-review, change-required, or gone) and the record names
    what the new audit was made on. Deterministic: sorted, no clock.
    """
    from claimaudit.verdicts.review import claim_outcome, decision_entries

    made = reviewed.made_on
    now: dict[str, tuple[str, str]] = {}
    if result is not None:
        for finding in result.findings:
            state = finding.review
            previous = state.get("previous_id") or finding.id
            if state.get("status"):
                now[previous] = (finding.id, state.get("status", ""))
        for gone in result.review.get("gone", []):
            now[gone["id"]] = ("", "gone")
    decisions = []
    for entry in decision_entries(reviewed):
        item = {
            "claim_id": entry["claim_id"], "fingerprint": entry["fingerprint"], "document": entry["document"],
            "page": entry.get("page"), "line": entry.get("line"), "claim": entry["claim"],
            "role": entry["role"], "decision": entry["decision"], "reviewer": entry["reviewer"],
            "date": entry["date"], "comment": entry["comment"], "cell": entry.get("cell", ""),
            "counts": entry["counts"], "why_not": entry["why_not"],
            "copy_sha256": entry["copy_sha256"], "pack_sha256": entry["pack_sha256"],
            "tool_version": entry["tool_version"],
        }
        if result is not None:
            new_id, status = now.get(entry["claim_id"], ("", ""))
            item["now"] = {"claim_id": new_id, "status": status}
        decisions.append(item)
    decisions.sort(key=_decision_key)
    claims = []
    outcomes: dict[str, int] = {}
    for row in sorted(reviewed.rows, key=lambda r: (r.document, r.page or 0, r.line or 0, r.id)):
        outcome = claim_outcome(row)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        claims.append({"id": row.id, "fingerprint": row.fingerprint, "document": row.document, "page": row.page,
                       "line": row.line, "verdict": row.verdict, "outcome": outcome})
    record: dict = {
        "schema": RECORD_SCHEMA,
        "version": RECORD_VERSION,
        "workbook": reviewed.name,
        "made_on": {
            "tool_version": made["tool_version"], "pack_sha256": made["pack_sha256"],
            "documents": [{"path": path, "sha256": sha} for path, sha in sorted(made["documents"].items())],
        },
        "roles": list(reviewed.roles),
        "required_roles": list(reviewed.required_roles),
        "counts": {
            "claims": len(reviewed.rows),
            "decisions": len(decisions),
            "counted": sum(1 for d in decisions if d["counts"]),
            "not_counted": sum(1 for d in decisions if not d["counts"]),
            **{name: outcomes.get(name, 0) for name in ("approved", "change-required", "rejected",
                                                           "needs-source", "open")},
        },
        "decisions": decisions,
        "claims": claims,
        "history": [dict(item) for item in reviewed.history],
    }
    if result is not None:
        applied = made_on(result)
        record["audit"] = {
            "tool_version": applied["tool_version"], "pack_sha256": applied["pack_sha256"],
            "documents": [{"path": path, "sha256": sha} for path, sha in sorted(applied["documents"].items())],
        }
    return record


def render_review_record(reviewed: ReviewedWorkbook, result: AuditResult | None = None) -> str:
    return json.dumps(review_record(reviewed, result), ensure_ascii=False, indent=2) + "\n"


def trail_key(item: TrailDecision) -> tuple:
    """What makes two trail entries the same decision (the same decision carried to a later round)."""
    return (item["fingerprint"] or item["claim_id"], item["role"].casefold(), item["decision"],
            item["reviewer"], item["date"], item["comment"])
