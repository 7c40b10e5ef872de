"""Where a claim or a piece of evidence stands in its original, in the words a reviewer uses.

Kept apart from ``common`` so that `check`'s text output can say it without
loading what the full reports need.
"""

from __future__ import annotations

from claimaudit.model import AuditResult


def place_label(line: int, column: int | None = None, page: int | None = None, page_kind: str = "page") -> str:
    """Where a claim stands in the original, as a reviewer holding it counts:
    "line 17, col 5", or "page 2, line 5, col 1" for paged copy (a slide for a deck)."""
    where = f"line {line}" if column is None else f"line {line}, col {column}"
    return f"{page_kind or 'page'} {page}, {where}" if page is not None else where


def page_kinds(result: AuditResult) -> dict[str, str]:
    """What a page is called in each paged document ("page", "slide"), by path."""
    return {d.path: d.page_kind for d in result.documents if d.pages}


def cited_page(page: int | None) -> str:
    """The page of a source's original a sentence is on, as a citation gives it: ", p. 4"."""
    return f", p. {page}" if page is not None else ""
