"""The workbook's sign-off parts, as data for ``xlsx_report`` to lay out.

- :func:`signoff_columns` — the reviewer columns for the audit's sign-off roles
  (Decision, Comment, Reviewer, Date without roles; "<Role> decision",
  "<Role> comment", "<Role> reviewer", "<Role> date" for each role), each as
  the keyword arguments of ``xlsx_report.Column``, its value read from the
  decisions carried onto the claim;
- :func:`audit_trail_rows` — the Audit trail sheet: what the decisions are made
  on (each document's sha256, the pack's, the tool version, the roles), each
  claim's fingerprint by claim ID, and every decision carried into this audit.
  ``verdicts.review.read_review`` reads it back;
- :data:`REVIEW_STATUS_STYLES` and :data:`REVIEW_STATUS_LABELS` — the new
  review status "change-required" in the Claims sheet's colours and the
  Summary's words.

Nothing here imports openpyxl: the rows are plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Callable, cast

from claimaudit.model import AuditResult, Finding
from claimaudit.verdicts.review import (
    AUDIT_TRAIL_SHEET,
    NO_ROLES,
    SIGNOFF_FIELDS,
    TRAIL_CLAIMS_HEADER,
    TRAIL_DOCUMENTS_HEADER,
    TRAIL_HISTORY_COLUMNS,
    TRAIL_LABELS,
    TRAIL_MADE_ON_HEADER,
)
from claimaudit.verdicts.signoff import made_on

# The review status "change-required": coloured as a verdict that blocks, and named on the Summary.
REVIEW_STATUS_STYLES = {"change-required": ("FFC7CE", "9C0006")}
REVIEW_STATUS_LABELS = {"change-required": "change required (approved with change; copy unchanged)"}

_PLAIN_HEADERS = {"decision": "Decision", "comment": "Comment", "reviewer": "Reviewer", "date": "Date"}
# (width in digit widths, wrap, kind, number format), as xlsx_report's reviewer columns.
_FIELD_LAYOUT = {
    "decision": (13, True, "decision", ""),
    "comment": (13, True, "text", ""),
    "reviewer": (11, True, "text", ""),
    "date": (10, False, "date", "yyyy-mm-dd"),
}

TRAIL_TITLE = "Audit trail"
TRAIL_NOTE = ("What the decisions in this workbook are made on. A decision counts only with a reviewer name and "
              "a valid date (not in the future); \"Approve with change\" approves nothing until the copy changes.")
# Column widths of the Audit trail sheet (digit widths). Its widest table, the decisions, has
# fifteen columns; together they print one page wide at xlsx_report.READABLE_PRINT_SCALE on
# Letter (the hashes wrap over four lines rather than take a third of the page).
AUDIT_TRAIL_WIDTHS = (22, 17, 16, 26, 10, 11, 12, 10, 16, 7, 20, 17, 17, 8, 12)

# A row of the Audit trail sheet: its kind and its cells. Kinds: "title" (one cell, large and bold),
# "note" (one wrapped cell), "heading" (one bold cell), "header" (a header row, as the other sheets
# have), "row" (plain cells, long text wrapped) and "blank" (an empty row).
TrailRow = tuple[str, tuple[Any, ...]]


def role_header(role: str, field_name: str) -> str:
    """The column header of one field of one role: "Medical decision"; "Decision" without roles."""
    return f"{role} {field_name}" if role else _PLAIN_HEADERS[field_name]


Carried = dict[str, dict[str, dict[str, str]]]  # claim id → role (casefolded) → field → value


def _reader(values: Carried, role: str, field_name: str) -> Callable[[Any], str]:
    def value(row: Any) -> str:
        return values.get(row.id, {}).get(role.casefold(), {}).get(field_name, "")

    return value


def _signoff_values(findings: Sequence[Finding], roles: Sequence[str]) -> Carried:
    """Claim id → role (casefolded, "" without roles) → field → the carried value."""
    table: Carried = {}
    for finding in findings:
        review = finding.review
        if not review:
            continue
        if roles:
            table[finding.id] = {name.casefold(): {key: str(value) for key, value in values.items()}
                                 for name, values in (review.get("roles") or {}).items()}
        else:
            plain = {"decision": review.get("decision", ""), "comment": review.get("comment", ""),
                     "reviewer": review.get("reviewer", ""), "date": review.get("date", "")}
            table[finding.id] = {"": {key: str(value or "") for key, value in plain.items()}}
    return table


def signoff_columns(result: AuditResult) -> tuple[dict[str, Any], ...]:
    """The reviewer columns of the Claims sheet, role by role, as ``xlsx_report.Column`` keyword
    arguments: every one editable, "decision" and "date" kinds validated. A column's ``value``
    takes a ``ClaimRow`` and gives the decision carried onto that claim (matched by its id)."""
    roles = tuple(result.review_roles)
    values = _signoff_values(result.findings, roles)
    columns: list[dict[str, Any]] = []
    for role in roles or ("",):
        for field_name in SIGNOFF_FIELDS:
            width, wrap, kind, number_format = _FIELD_LAYOUT[field_name]
            header = role_header(role, field_name)
            columns.append({
                "header": header, "width": max(width, min(len(header), 16)), "wrap": wrap, "kind": kind,
                "number_format": number_format, "editable": True, "value": _reader(values, role, field_name),
            })
    return tuple(columns)


def signoff_headers(result: AuditResult) -> frozenset[str]:
    """The headers of the columns a reviewer fills in (they stay unlocked)."""
    return frozenset(column["header"] for column in signoff_columns(result))


def audit_trail_rows(result: AuditResult) -> list[TrailRow]:
    """The Audit trail sheet, row by row. Written locked: it is the record, not a form."""
    made = made_on(result)
    roles = tuple(result.review_roles)
    required = tuple(result.required_review_roles) or roles
    rows: list[TrailRow] = [("title", (TRAIL_TITLE,)), ("note", (TRAIL_NOTE,)), ("blank", ())]
    rows.append(("header", TRAIL_MADE_ON_HEADER))
    for key, value in (("tool_version", made["tool_version"]), ("pack_sha256", made["pack_sha256"]),
                       ("roles", ", ".join(roles) or NO_ROLES), ("required_roles", ", ".join(required) or NO_ROLES)):
        rows.append(("row", (TRAIL_LABELS[key], value)))
    rows += [("blank", ()), ("header", TRAIL_DOCUMENTS_HEADER)]
    rows += [("row", (path, sha)) for path, sha in made["documents"].items()]
    rows += [("blank", ()), ("heading", ("Each claim's fingerprint: its words and cited sources, which its "
                                         "approvals follow when a page is renamed or moved",)),
             ("header", TRAIL_CLAIMS_HEADER)]
    rows += [("row", (finding.id, finding.document, finding.fingerprint)) for finding in result.findings]
    if result.review:
        rows += [("blank", ()), ("heading", (f"Decisions up to {result.review.get('workbook', '')}, each with the "
                                             f"copy, pack and tool version of the workbook it was made in",)),
                 ("header", tuple(header for header, _ in TRAIL_HISTORY_COLUMNS))]
        for item in result.review.get("history", []):
            cells: list[object] = []
            for _, name in TRAIL_HISTORY_COLUMNS:
                cell = cast(Mapping[str, object], item).get(name, "")
                cells.append(("yes" if cell else "no") if name == "counts" else cell)
            rows.append(("row", tuple(cells)))
    return rows


__all__ = [
    "AUDIT_TRAIL_SHEET", "AUDIT_TRAIL_WIDTHS", "REVIEW_STATUS_LABELS", "REVIEW_STATUS_STYLES", "TrailRow",
    "audit_trail_rows", "role_header", "signoff_columns", "signoff_headers",
]
