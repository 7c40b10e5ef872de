"""The claims register as CSV, safe to open in Excel or LibreOffice.

Spreadsheet programs run a cell that starts with ``=``, ``+``, ``-`` or ``@``
as a formula (and skip a leading tab, carriage return or line feed before doing
so; in some locales the full-width ``＝＋－＠`` count too), so audited text that
starts that way is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

from claimaudit.model import AuditResult

from .common import claim_rows, sorted_findings, without_lone_surrogates, write_atomic

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")

CSV_COLUMNS = (
    "ID", "Document", "Line", "Column", "Claim", "Verdict", "Confidence", "Rules", "Reasons",
    "Best evidence", "Source", "Source link", "Similarity", "Suggestion",
    "Decision", "Comment", "Reviewer", "Date", "Scope",
)
# Appended only when some claim stands in paged copy, or in copy read from the web,
# so a register of plain pages keeps its columns.
PAGE_COLUMN = "Page"
URL_COLUMN = "URL"
# Inserted only when used, as in the workbook: a register's own ids right after ID, the
# claims-library status right after Verdict.
REGISTER_ID_COLUMN = "Register ID"
LIBRARY_COLUMN = "Library"


def neutralise(value: str) -> str:
    """Text that a spreadsheet will show as typed instead of evaluating."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def render_claims_csv(result: AuditResult) -> bytes:
    """The register as UTF-8 bytes with a byte-order mark, so Excel reads the accents."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    rows = claim_rows(result)
    paged = any(row.page is not None for row in rows)
    fetched = any(row.url for row in rows)
    registered = any(row.register_id for row in rows)
    in_library = any(row.library for row in rows)
    header = list(CSV_COLUMNS)
    if in_library:
        header.insert(header.index("Verdict") + 1, LIBRARY_COLUMN)
    if registered:
        header.insert(header.index("ID") + 1, REGISTER_ID_COLUMN)
    writer.writerow(header + [PAGE_COLUMN] * paged + [URL_COLUMN] * fetched)
    # claim_rows flattens sorted_findings in that same order: each row beside its finding.
    for row, finding in zip(rows, sorted_findings(result), strict=True):
        extra: list[object] = []
        if paged:
            extra.append("" if row.page is None else row.page)
        if fetched:
            extra.append(neutralise(row.url))
        writer.writerow([
            neutralise(row.id),
            *([neutralise(row.register_id)] if registered else []),
            neutralise(row.document),
            row.line,
            row.column,
            neutralise(row.claim),
            neutralise(row.verdict),
            *([neutralise(row.library)] if in_library else []),
            f"{row.confidence:.3f}",
            neutralise(row.rules),
            neutralise(row.reasons),
            neutralise(row.best_evidence),
            neutralise(row.source),
            row.source_link,
            "" if row.similarity is None else f"{row.similarity:.3f}",
            neutralise(row.suggestion),
            neutralise(row.decision),
            neutralise(row.comment),
            neutralise(row.reviewer),
            neutralise(row.date),
            neutralise(finding.scope or "body"),
            *extra,
        ])
    return without_lone_surrogates(buffer.getvalue()).encode("utf-8-sig")


def write_claims_csv(result: AuditResult, path: str | os.PathLike) -> Path:
    return write_atomic(path, render_claims_csv(result))
