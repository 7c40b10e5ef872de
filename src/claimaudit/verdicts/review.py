"""The review round trip: carry a reviewer's decisions from one audit to the next.

A reviewer fills in the Decision, Comment, Reviewer and Date columns of the
Claims sheet in ``audit.xlsx`` (with sign-off roles configured, each role has
its own "<Role> decision", "<Role> comment", "<Role> reviewer" and
"<Role> date" columns). A decision counts only with a reviewer name and a valid
date (``verdicts.signoff``); one without is kept and shown, but approves
nothing. Auditing again with ``--review`` reads that workbook and puts each
decision back on the same claim, matched by its claim id, else by its
fingerprint (its words and cited sources, in any document: a page renamed or
moved keeps its decisions), else as a rewording in the same document, and
marks what happened to it:

- ``carried``: the claim and its verdict are as they were when reviewed;
- ``re-review``: the claim is the same but its verdict changed;
- ``changed``: the claim was reworded (same document, text still very similar);
- ``change-required``: "Approve with change" was decided and the claim still
  reads as it did: the copy must change before it can be approved;
- ``new``: the claim was not in the reviewed workbook.

Reviewed claims that no longer occur are listed as gone. A decision carried onto
a changed or re-review claim keeps its Decision and Comment but not its Reviewer
and Date: it applied to other wording or another verdict, so it counts again
only once a reviewer confirms it with their name and the date.

"Approve with change" never approves: it asks for a change. Once the copy
changed as asked, the reviewer approves the new wording with "Approve". A claim
is approved when every required role has a counted "Approve" and no role
rejected it, asked for a source or asked for a change.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterable, Iterator, cast

from rapidfuzz import fuzz, process, utils

from claimaudit.errors import InputError
from claimaudit.model import AuditResult, Finding, GoneClaim, ReviewState, RoleReview, TrailDecision
from claimaudit.verdicts.signoff import MadeOn, review_date, reviewer_problem, trail_key

if TYPE_CHECKING:
    from claimaudit.ingest.table import OpenWorkbook
    from claimaudit.verdicts.baseline import BaselineEntry

APPROVE, APPROVE_WITH_CHANGE, REJECT, NEEDS_SOURCE = (
    "Approve", "Approve with change", "Reject", "Needs source",
)
DECISIONS = (APPROVE, APPROVE_WITH_CHANGE, REJECT, NEEDS_SOURCE)
# Decisions that approve the claim as it reads: "Approve with change" asks for a change first.
APPROVED = frozenset({APPROVE})

CARRIED, CHANGED, REREVIEW, CHANGE_REQUIRED, NEW = "carried", "changed", "re-review", "change-required", "new"
REVIEW_STATUSES = (CARRIED, CHANGED, REREVIEW, CHANGE_REQUIRED, NEW)
# Statuses whose carried decision waits for a reviewer to confirm it.
NEEDS_CONFIRMATION = frozenset({CHANGED, REREVIEW})

# What a reviewed claim comes to, over all its decisions and roles.
OUTCOME_APPROVED, OUTCOME_CHANGE, OUTCOME_REJECTED, OUTCOME_SOURCE, OUTCOME_OPEN = (
    "approved", "change-required", "rejected", "needs-source", "open",
)
OUTCOMES = (OUTCOME_APPROVED, OUTCOME_CHANGE, OUTCOME_REJECTED, OUTCOME_SOURCE, OUTCOME_OPEN)
_OUTCOME_OF = {REJECT: OUTCOME_REJECTED, NEEDS_SOURCE: OUTCOME_SOURCE, APPROVE_WITH_CHANGE: OUTCOME_CHANGE}
_DECISION_OF = {OUTCOME_APPROVED: APPROVE, OUTCOME_CHANGE: APPROVE_WITH_CHANGE, OUTCOME_REJECTED: REJECT,
                OUTCOME_SOURCE: NEEDS_SOURCE, OUTCOME_OPEN: ""}

# rapidfuzz ratio (0-100) above which a reworded claim is taken to be the reviewed one.
SIMILAR_CLAIM = 85.0

CLAIMS_SHEET = "Claims"
AUDIT_TRAIL_SHEET = "Audit trail"
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
    "fingerprint": ("fingerprint",),
    "decision": ("decision",),
    "comment": ("comment", "comments"),
    "reviewer": ("reviewer",),
    "date": ("date",),
    "status": ("review status",),
    "note": ("review note",),
}
# The columns each sign-off role has, as "<Role> decision" and so on.
ROLE_FIELDS = {"decision": ("decision",), "comment": ("comment", "comments"), "reviewer": ("reviewer",),
               "date": ("date",)}
SIGNOFF_FIELDS = ("decision", "comment", "reviewer", "date")
UNKNOWN_DECISIONS_SHOWN = 3


def _header_key(value: object) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def column_letter(index: int) -> str:
    """The spreadsheet letter of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    number = index + 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


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


def _file_name(path: str) -> str:
    return PurePosixPath(path.replace("\\", "/")).name


def _comparable(text: str) -> str:
    """A claim's words as the workbook and the copy both give them: the characters a cell
    cannot hold (control characters, shown as U+FFFD) dropped, then case, spacing and quotes
    evened out as a fingerprint evens them."""
    from claimaudit.verdicts.ids import normal_words

    return normal_words(_CELL_UNSAFE.sub(" ", text))


_CELL_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")


def _page_still_there(document: str, audited_by_name: dict[str, list[str]]) -> bool:
    """Whether the page a row was reviewed on is still there, outside this audit: a file that
    exists and was not audited now. A page audited now lost the claim (its own claims matched
    by id first); a page read from the web cannot be looked for, and is taken as moved."""
    if not document or "://" in document:
        return False
    if any(_same_document(document, audited) for audited in audited_by_name.get(_file_name(document), ())):
        return False
    try:
        return Path(document).is_file()
    except (OSError, ValueError):
        return False


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


# --------------------------------------------------------------------------- reading


@dataclass
class Signoff:
    """One decision on a claim: the reviewer columns of one role (role "" without roles)."""

    role: str = ""
    decision: str = ""
    comment: str = ""
    reviewer: str = ""
    date: str = ""  # YYYY-MM-DD when the Date cell holds a valid date, else the cell as typed
    cell: str = ""  # the Decision cell, "M7"
    date_problem: str = ""  # why the Date cell holds no valid date ("" when it does)
    # The fields whose cells hold a formula (=TODAY()): a value computed, not a sign-off typed.
    formulas: tuple[str, ...] = ()

    @property
    def written(self) -> bool:
        return bool(self.decision or self.comment or self.reviewer or self.date)

    @property
    def why_not(self) -> str:
        """Why this decision does not count: "without a reviewer name" ("" when it counts)."""
        if not self.decision:
            return ""
        if self.formulas:
            cells = " and ".join(self.formulas)
            return f"with a formula in its {cells} cell{'s' if len(self.formulas) > 1 else ''}; type the value"
        nobody = reviewer_problem(self.reviewer)
        if nobody and self.date_problem == "without a date":
            return f"{nobody} or a date"
        return nobody or self.date_problem

    def problem(self) -> str:
        """``M7: Approve without a reviewer name`` (with the role when there are roles)."""
        role = f" ({self.role})" if self.role else ""
        return f"{self.cell}{role}: {self.decision} {self.why_not}"


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
    status: str = ""  # review status the row already carried (a second-round workbook)
    note: str = ""
    fingerprint: str = ""  # the claim's words and cited sources, hashed ("" in older workbooks)
    # One per sign-off role, in the workbook's column order; one with role "" without roles.
    signoffs: list[Signoff] = field(default_factory=lambda: [Signoff()])
    # The roles whose approval the claim needs; ("",) without roles.
    required: tuple[str, ...] = ("",)

    @property
    def has_roles(self) -> bool:
        return any(s.role for s in self.signoffs)

    @property
    def reviewed(self) -> bool:
        """Whether a reviewer wrote anything on this row."""
        return any(s.written for s in self.signoffs)

    def awaiting(self, signoff: Signoff) -> bool:
        """A decision carried onto a changed claim that no reviewer has confirmed yet."""
        return self.status in NEEDS_CONFIRMATION and bool(signoff.decision) and not signoff.reviewer

    @property
    def awaiting_confirmation(self) -> bool:
        return any(self.awaiting(s) for s in self.signoffs)

    def counts(self, signoff: Signoff) -> bool:
        """Whether a decision counts: made, confirmed, by a named reviewer, on a valid date."""
        return bool(signoff.decision) and not self.awaiting(signoff) and not signoff.why_not

    @property
    def counted(self) -> list[Signoff]:
        return [s for s in self.signoffs if self.counts(s)]

    @property
    def not_counted(self) -> list[Signoff]:
        """Decisions made (not merely carried, awaiting confirmation) that do not count."""
        return [s for s in self.signoffs if s.decision and not self.awaiting(s) and s.why_not]

    @property
    def outcome(self) -> str:
        return claim_outcome(self)

    @property
    def approved(self) -> bool:
        return self.outcome == OUTCOME_APPROVED

    @property
    def change_required(self) -> bool:
        return self.outcome == OUTCOME_CHANGE

    # The claim-level view. Without roles these are the row's own cells; with roles the
    # decision is the claim's outcome and the others join the roles' cells.

    @property
    def decision(self) -> str:
        if not self.has_roles:
            return self.signoffs[0].decision
        return _DECISION_OF[self.outcome]

    @property
    def comment(self) -> str:
        if not self.has_roles:
            return self.signoffs[0].comment
        return "; ".join(f"{s.role}: {s.comment}" for s in self.signoffs if s.comment)

    @property
    def reviewer(self) -> str:
        if not self.has_roles:
            return self.signoffs[0].reviewer
        return ", ".join(f"{s.reviewer} ({s.role})" for s in self.signoffs if s.reviewer)

    @property
    def date(self) -> str:
        if not self.has_roles:
            return self.signoffs[0].date
        return max((s.date for s in self.counted), default="")

    @property
    def approved_by(self) -> str:
        """Who approved the claim ("" unless it is approved): names, with their roles."""
        if not self.approved:
            return ""
        return ", ".join(f"{s.reviewer} ({s.role})" if s.role else s.reviewer for s in self.counted)

    @property
    def approved_on(self) -> str:
        """The date the claim became approved: its last counted approval ("" unless approved)."""
        return max((s.date for s in self.counted), default="") if self.approved else ""


def claim_outcome(row: ReviewRow) -> str:
    """What a reviewed claim comes to: any counted Reject, Needs source or Approve with change
    (from any role) decides it; otherwise it is approved when every required role approved."""
    counted = row.counted
    decided = {s.decision for s in counted}
    for decision in (REJECT, NEEDS_SOURCE, APPROVE_WITH_CHANGE):
        if decision in decided:
            return _OUTCOME_OF[decision]
    approvals = {s.role.casefold() for s in counted if s.decision in APPROVED}
    if row.required and all(role.casefold() in approvals for role in row.required):
        return OUTCOME_APPROVED
    return OUTCOME_OPEN


@dataclass
class ReviewedWorkbook:
    path: str
    rows: list[ReviewRow] = field(default_factory=list)
    roles: tuple[str, ...] = ()  # sign-off roles found in the header, in column order
    required_roles: tuple[str, ...] = ()  # those whose approval a claim needs
    # What the decisions were made on, from the Audit trail sheet (empty in older workbooks).
    made_on: MadeOn = field(default_factory=lambda: MadeOn(tool_version="", pack_sha256="", documents={}))
    history: list[TrailDecision] = field(default_factory=list)  # earlier rounds' decisions
    sheet: str = CLAIMS_SHEET

    @property
    def name(self) -> str:
        return Path(self.path).name

    def require(self, roles: Iterable[str]) -> None:
        """Also require ``roles`` (those the project's config requires) wherever this workbook has
        their columns: the Audit trail's Required roles, edited by hand, cannot lower them."""
        present = {role.casefold(): role for role in self.roles}
        current = {role.casefold() for role in self.required_roles}
        added = [present[key] for key in dict.fromkeys(" ".join(r.split()).casefold() for r in roles)
                 if key in present and key not in current]
        if not added:
            return
        self.required_roles = self.required_roles + tuple(added)
        for row in self.rows:
            row.required = self.required_roles


@dataclass
class _Layout:
    """Where the fields stand in a Claims sheet's header: 0-based column indexes."""

    columns: dict[str, int]
    roles: dict[str, dict[str, int]]  # role as written → its fields' columns (each role has a decision)
    # A sign-off field (or ID) headed twice: (header as written, first column, second column).
    twice: list[tuple[str, int, int]] = field(default_factory=list)

    @property
    def role_names(self) -> tuple[str, ...]:
        return tuple(self.roles)


def _layout(header: tuple) -> _Layout:
    """Field name → column, by header name (the first of duplicates wins), and the roles'
    columns: a role is any "<Role> decision" header."""
    found: dict[str, int] = {}
    role_fields: dict[str, dict[str, int]] = {}
    role_names: dict[str, str] = {}
    twice: list[tuple[str, int, int]] = []
    for index, value in enumerate(header):
        key = _header_key(value)
        name = next((name for name, aliases in COLUMN_ALIASES.items() if key in aliases), None)
        if name is not None:
            first = found.setdefault(name, index)
            if first != index and name in _ONCE:
                twice.append((" ".join(str(value).split()), first, index))
            continue
        for role_field, suffixes in ROLE_FIELDS.items():
            suffix = next((s for s in suffixes if key.endswith(" " + s)), None)
            if suffix is None:
                continue
            written = " ".join(str(value).split())
            role = written[: len(written) - len(suffix) - 1].strip()
            role_names.setdefault(role.casefold(), role)
            first = role_fields.setdefault(role.casefold(), {}).setdefault(role_field, index)
            if first != index and role_field in _ONCE:
                twice.append((written, first, index))
            break
    roles = {role_names[key]: fields for key, fields in role_fields.items() if "decision" in fields}
    return _Layout(found, roles, twice)


# Fields a second column would silently lose: the other column's decision, name or date
# could say something else ("Reject" beside "Approve"), so a second one is refused.
_ONCE = frozenset({"id", "decision", "reviewer", "date"})


def _usable(layout: _Layout) -> bool:
    return "id" in layout.columns and ("decision" in layout.columns or bool(layout.roles))


def _claims_sheet(workbook: "OpenWorkbook", path: Path) -> tuple[str, _Layout, Iterator[tuple[int, list]]]:
    """The sheet's title, its columns and the rows below the header of the Claims sheet.

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
        layout = _layout(header)
        if _usable(layout):
            return str(ws.title), layout, rows
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
    layout = _layout(first_header)
    missing = [label for name, label in (("id", "ID"), ("decision", "Decision")) if name not in layout.columns
               and not (name == "decision" and layout.roles)]
    raise InputError(f"not a claimaudit workbook: the {CLAIMS_SHEET!r} sheet has no {', '.join(missing)} column "
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


def _signoff_indexes(layout: _Layout) -> set[int]:
    """The 0-based columns of every Decision, Reviewer and Date cell (of every role)."""
    groups = list(layout.roles.values()) or [layout.columns]
    return {where[name] for where in groups for name in ("decision", "reviewer", "date") if name in where}


_FORMULA_START = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?f[\s>/]")


def _formula_cells(workbook: "OpenWorkbook", title: str, wanted: set[int]) -> set[tuple[int, int | None]]:
    """(row number, 0-based column) of the cells in ``wanted`` columns of sheet ``title`` that
    hold a formula. Read with cached values, as a workbook is, =TODAY() would pass for the day
    it was last opened; a sign-off is typed, not computed. The sheet's XML is walked again only
    when it holds a formula at all (its size passed the limits on the first walk)."""
    from openpyxl.worksheet._reader import CELL_TAG, ROW_TAG
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse
    from openpyxl.utils.cell import column_index_from_string, coordinate_from_string

    sheet = next((ws for ws in workbook.sheets if ws.title == title), None)
    if sheet is None or not wanted:
        return set()
    source = sheet._get_source()
    try:
        tail = b""
        while chunk := source.read(1 << 20):
            if _FORMULA_START.search(tail + chunk):
                break
            tail = chunk[-64:]
        else:
            return set()
    finally:
        source.close()
    formula_tag = f"{{{SHEET_MAIN_NS}}}f"
    found: set[tuple[int, int | None]] = set()
    source = sheet._get_source()
    try:
        row = column = 0
        for event, element in iterparse(source, events=("start", "end")):
            if event == "start":
                if element.tag == ROW_TAG:
                    reference = element.get("r")
                    row = int(float(reference)) if reference else row + 1
                    column = 0
                continue
            if element.tag == CELL_TAG:
                reference = element.get("r")
                try:
                    column = column_index_from_string(coordinate_from_string(reference)[0]) if reference \
                        else column + 1
                except ValueError:
                    column += 1
                if column - 1 in wanted and element.find(formula_tag) is not None:
                    found.add((row, column - 1))
                element.clear()
            elif element.tag == ROW_TAG:
                element.clear()
    except Exception as error:  # the first walk read this sheet; never count what a second could not
        raise InputError(f"cannot read this sheet's formulas ({type(error).__name__})", path=workbook.path,
                         field=f"sheet {title[:60]!r}") from None
    finally:
        source.close()
    return found


def _visible(text: str) -> str:
    """``text`` without invisible format characters (zero-width spaces, joiners, a byte-order
    mark, soft hyphens): spacing a reviewer cannot see, forgiven as other spacing is."""
    return "".join(char for char in text if unicodedata.category(char) != "Cf")


def _foreign_letters(text: str) -> str:
    """Letters of another script in a decision that should be plain English ("А" for "A"),
    named so a reviewer sees why a decision that looks right is refused."""
    found = dict.fromkeys(char for char in text if char.isalpha() and not char.isascii())
    return ", ".join(f"{char} ({unicodedata.name(char, f'U+{ord(char):04X}')})" for char in list(found)[:3])


def match_decision(value: object) -> tuple[str, str]:
    """A Decision cell as ``(decision, "")``, forgiving case and spacing; ``("", text)`` when
    the cell holds something that is no decision. Look-alike letters of another script are
    never forgiven: "Аpprove" with a Cyrillic А is no decision."""
    text = " ".join(_visible(_cell_text(value)).split())
    if not text:
        return "", ""
    for decision in DECISIONS:
        if text.casefold() == decision.casefold():
            return decision, ""
    return "", text


def _unknown_decisions(bad: list[tuple[str, str]], sheet: str, path: Path) -> InputError:
    cell, text = bad[0]
    shown = text if len(text) <= 60 else text[:59] + "…"
    foreign = _foreign_letters(text)
    lookalike = f" (it holds {foreign}: a look-alike, not a plain letter)" if foreign else ""
    more = ""
    if len(bad) > 1:
        others = ", ".join(cell for cell, _ in bad[1:1 + UNKNOWN_DECISIONS_SHOWN])
        more = f" (and {len(bad) - 1} more: {others}{', ...' if len(bad) - 1 > UNKNOWN_DECISIONS_SHOWN else ''})"
    return InputError(f'unknown decision "{shown}"{lookalike}; use one of: {", ".join(DECISIONS)}{more}',
                      path=str(path), field=f"{sheet}!{cell}")


def read_review(path: str | Path) -> ReviewedWorkbook:
    """Read the Claims sheet of a workbook a reviewer filled in, and its Audit trail sheet.

    Columns are found by their header names, so a reviewer may reorder or add
    columns. Rows without an ID are skipped unless a reviewer wrote on them. A
    Decision cell that holds no decision (case and spacing are forgiven) is an
    InputError naming its cell; a missing reviewer or an invalid date is not an
    error, but the decision does not count.
    """
    # Imported here: the report renderers import this module for its counts.
    from claimaudit.ingest.table import open_workbook

    path = Path(path)
    if not path.exists():
        raise InputError("reviewed workbook not found", path=str(path))
    with open_workbook(path) as workbook:
        sheet, layout, body = _claims_sheet(workbook, path)
        if layout.twice:
            header, first, second = layout.twice[0]
            raise InputError(f'two columns are headed "{header}" ({column_letter(first)} and '
                             f"{column_letter(second)}); keep one, so no decision is left unread",
                             path=str(path), field=f"{sheet}!{column_letter(second)}1")
        formulas = _formula_cells(workbook, sheet, _signoff_indexes(layout))
        columns = layout.columns
        roles = layout.role_names
        # A role's columns, or the plain Decision/Comment/Reviewer/Date ones.
        signoff_columns = ({role: layout.roles[role] for role in roles} if roles
                           else {"": {name: columns[name] for name in SIGNOFF_FIELDS if name in columns}})
        stray_decision = columns.get("decision") if roles else None
        rows: list[ReviewRow] = []
        first_row: dict[str, int] = {}
        bad: list[tuple[str, str]] = []
        for number, values in body:
            def get(index: int | None, values: list[object] = values) -> object:
                return values[index] if index is not None and index < len(values) else None

            if stray_decision is not None and _cell_text(get(stray_decision)):
                raise InputError(f"a Decision column beside the sign-off roles' columns ({', '.join(roles)}): "
                                 f"write each decision in its role's column",
                                 path=str(path), field=f"{sheet}!{column_letter(stray_decision)}{number}")
            signoffs = []
            for role, where in signoff_columns.items():
                decision_index = where.get("decision")
                decision, unknown = match_decision(get(decision_index))
                if unknown:
                    bad.append((f"{column_letter(decision_index or 0)}{number}", unknown))
                date_value = get(where.get("date"))
                date, date_problem = review_date(date_value)
                computed = tuple(label for name, label in (("decision", "Decision"), ("reviewer", "Reviewer"),
                                                           ("date", "Date"))
                                 if (number, where.get(name)) in formulas)
                signoffs.append(Signoff(
                    role=role, decision=decision, comment=_cell_text(get(where.get("comment"))),
                    reviewer=_cell_text(get(where.get("reviewer"))),
                    date=date, date_problem=date_problem,
                    cell=f"{column_letter(decision_index or 0)}{number}", formulas=computed,
                ))
            page = get(columns.get("page"))
            document = _cell_text(get(columns.get("document")))
            if "document" not in columns and _cell_page(page) is None:
                document = _cell_text(page)  # a "Page" column naming the document, as older workbooks had
            item = ReviewRow(
                id=_cell_text(get(columns.get("id"))),
                row=number,
                document=document,
                line=_cell_line(get(columns.get("line")), path, number),
                claim=_cell_text(get(columns.get("claim"))),
                verdict=_cell_text(get(columns.get("verdict"))).lower(),
                page=_cell_page(page),
                rules=tuple(code for code in (c.strip() for c in _cell_text(get(columns.get("rules"))).split(","))
                            if code),
                status=_cell_text(get(columns.get("status"))).lower(),
                note=_cell_text(get(columns.get("note"))),
                fingerprint=_cell_text(get(columns.get("fingerprint"))).lower(),
                signoffs=signoffs,
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
        if bad:
            raise _unknown_decisions(bad, sheet, path)
        trail = _read_trail(workbook, path)
    required = _required(roles, trail.required_roles if trail else None)
    for item in rows:
        item.required = required
        if not item.fingerprint and trail is not None:
            item.fingerprint = trail.fingerprints.get(item.id, "")
    reviewed = ReviewedWorkbook(path=str(path), rows=rows, roles=roles, required_roles=tuple(r for r in required if r),
                                sheet=sheet)
    if trail is not None:
        reviewed.made_on = trail.made_on
        reviewed.history = trail.history
    return reviewed


def _required(roles: tuple[str, ...], recorded: tuple[str, ...] | None) -> tuple[str, ...]:
    """The roles a claim needs: as the workbook's Audit trail records them, else every role.

    A recorded role whose columns a reviewer deleted stays required: nobody can approve for it,
    not even in a plain Decision column put in place of the roles' columns.
    """
    if not roles:
        return recorded or ("",)
    if not recorded:
        return roles
    present = {role.casefold(): role for role in roles}
    return tuple(present.get(role.casefold(), role) for role in recorded)


# --------------------------------------------------------------------------- the Audit trail sheet

TRAIL_LABELS = {
    "tool_version": "Tool version",
    "pack_sha256": "Source pack sha256",
    "roles": "Sign-off roles",
    "required_roles": "Required roles",
}
TRAIL_MADE_ON_HEADER = ("Made on", "Value")
TRAIL_DOCUMENTS_HEADER = ("Document", "Copy sha256")
TRAIL_CLAIMS_HEADER = ("Claim ID", "Document", "Fingerprint")
# The history table: (header, TrailDecision key).
TRAIL_HISTORY_COLUMNS = (
    ("Claim ID", "claim_id"), ("Fingerprint", "fingerprint"), ("Document", "document"), ("Claim", "claim"),
    ("Role", "role"), ("Decision", "decision"), ("Reviewer", "reviewer"), ("Date", "date"),
    ("Comment", "comment"), ("Counts", "counts"), ("Why not counted", "why_not"),
    ("Copy sha256", "copy_sha256"), ("Pack sha256", "pack_sha256"), ("Tool version", "tool_version"),
    ("Workbook", "workbook"),
)
NO_ROLES = "none (one Decision column)"


@dataclass
class _Trail:
    made_on: MadeOn
    required_roles: tuple[str, ...] | None
    history: list[TrailDecision]
    fingerprints: dict[str, str]  # claim id → fingerprint


def split_roles(text: str) -> tuple[str, ...]:
    if not text or text == NO_ROLES:
        return ()
    return tuple(name for name in (" ".join(part.split()) for part in text.split(",")) if name)


_SHA256 = re.compile(r"[0-9a-f]{64}")


def _sha(text: str) -> str:
    """A sha256 as the trail gives it, or "" for anything that is none: never claim a hash that
    was not computed."""
    text = text.strip().lower()
    return text if _SHA256.fullmatch(text) else ""


def _history_counts(item: dict[str, str]) -> bool:
    """Whether an earlier round's decision counted: as the trail says, and only if it holds up
    now (a decision, a reviewer name, a valid date), so an edited "yes" counts nothing."""
    if item["counts"].strip().casefold() != "yes":
        return False
    decision, _ = match_decision(item["decision"])
    return bool(decision) and not reviewer_problem(item["reviewer"]) and not review_date(item["date"])[1]


def _read_trail(workbook: "OpenWorkbook", path: Path) -> _Trail | None:
    """What the decisions were made on, and the earlier rounds' decisions, from the Audit trail sheet."""
    sheet = next((ws for ws in workbook.sheets if ws.title == AUDIT_TRAIL_SHEET), None)
    if sheet is None:
        return None
    made: MadeOn = {"tool_version": "", "pack_sha256": "", "documents": {}}
    required: tuple[str, ...] | None = None
    history: list[TrailDecision] = []
    fingerprints: dict[str, str] = {}
    section = ""
    history_columns: dict[str, int] = {}
    by_label = {label.casefold(): key for key, label in TRAIL_LABELS.items()}
    for _, values in workbook.rows(sheet):
        cells = [_cell_text(value) for value in values]
        first = cells[0].casefold() if cells else ""
        second = cells[1].casefold() if len(cells) > 1 else ""
        if (first, second) == tuple(h.casefold() for h in TRAIL_MADE_ON_HEADER):
            section = "made"
            continue
        if (first, second) == tuple(h.casefold() for h in TRAIL_DOCUMENTS_HEADER):
            section = "documents"
            continue
        if first == TRAIL_HISTORY_COLUMNS[0][0].casefold() and second == TRAIL_HISTORY_COLUMNS[1][0].casefold():
            section = "history"
            history_columns = {cell.casefold(): n for n, cell in enumerate(cells)}
            continue
        if (first, second) == tuple(h.casefold() for h in TRAIL_CLAIMS_HEADER[:2]):
            section = "claims"
            continue
        if not any(cells):
            continue
        if section == "made" and first in by_label:
            key = by_label[first]
            value = cells[1] if len(cells) > 1 else ""
            if key == "required_roles":
                required = split_roles(value)
            elif key == "tool_version":
                made["tool_version"] = value
            elif key == "pack_sha256":
                made["pack_sha256"] = _sha(value)
        elif section == "documents" and cells[0] and len(cells) > 1 and _sha(cells[1]):
            made["documents"][cells[0]] = _sha(cells[1])
        elif section == "claims" and cells[0] and len(cells) > 2:
            fingerprints.setdefault(cells[0], cells[2].lower())
        elif section == "history":
            def cell(header: str, cells: list[str] = cells) -> str:
                index = history_columns.get(header.casefold())
                return cells[index] if index is not None and index < len(cells) else ""

            item = {key: cell(header) for header, key in TRAIL_HISTORY_COLUMNS}
            for key in ("copy_sha256", "pack_sha256"):
                item[key] = _sha(item[key])
            entry: TrailDecision = {**item, "counts": _history_counts(item)}  # type: ignore[typeddict-item]
            if entry["decision"]:
                history.append(entry)
    return _Trail(made, required, history, fingerprints)


# --------------------------------------------------------------------------- applying


def _signed(row: ReviewRow) -> str:
    """Who decided what and when, for a note: "Approve by Ann Lee on 2025-03-01"."""
    return "; ".join(_signed_one(s) for s in row.signoffs if s.decision) or "commented"


def _signed_one(signoff: Signoff) -> str:
    parts = [f"{signoff.role}: {signoff.decision}" if signoff.role else signoff.decision]
    if signoff.reviewer:
        parts.append(f"by {signoff.reviewer}")
    if signoff.date:
        parts.append(f"on {signoff.date}")
    return " ".join(parts)


def _state(status: str, row: ReviewRow | None, finding: Finding, note: str = "",
           keep_signature: bool = True) -> ReviewState:
    roles: dict[str, RoleReview] = {}
    if row is not None and row.has_roles:
        for s in row.signoffs:
            roles[s.role] = {"decision": s.decision, "comment": s.comment,
                             "reviewer": s.reviewer if keep_signature else "",
                             "date": s.date if keep_signature else ""}
    return {
        "status": status,
        "decision": row.decision if row else "",
        "comment": row.comment if row else "",
        "reviewer": row.reviewer if row and keep_signature else "",
        "date": row.date if row and keep_signature else "",
        "note": note,
        "previous_id": row.id if row and row.id != finding.id else "",
        "previous_verdict": row.verdict if row and row.verdict and row.verdict != finding.verdict else "",
        "previous_document": "",
        "roles": roles,
        "problems": [],
    }


def _sign_here(row: ReviewRow) -> str:
    return "your role's Reviewer and Date columns" if row.has_roles else "Reviewer and the date in Date"


def _confirm(row: ReviewRow) -> str:
    return f"Confirm or change the decision, then put your name in {_sign_here(row)}."


def _not_counted_note(row: ReviewRow, workbook: str) -> tuple[str, list[str]]:
    problems = [s.problem() for s in row.not_counted]
    if not problems:
        return "", []
    return f"Not counted in {workbook}: {'; '.join(problems)}.", problems


def _join(*notes: str) -> str:
    return " ".join(note for note in notes if note)


def _exact(finding: Finding, row: ReviewRow, workbook: str) -> ReviewState:
    if row.awaiting_confirmation:
        # Still unconfirmed from an earlier round: keep asking, with the earlier note.
        return _state(row.status, row, finding, row.note)
    if not row.reviewed:
        return _state("", None, finding)
    uncounted, problems = _not_counted_note(row, workbook)
    new_rules = _new_rules(finding, row)
    if row.verdict != finding.verdict:
        # A blank Verdict cell says nothing of what was reviewed: the decision cannot be carried as made.
        was = (f"Verdict changed from {row.verdict} to {finding.verdict} since the review" if row.verdict
               else f"The reviewed workbook does not say which verdict was reviewed (its Verdict cell is blank); "
                    f"the claim is {finding.verdict} now")
        note = f"{was} ({_signed(row)}). {_confirm(row)}"
        state = _state(REREVIEW, row, finding, note, keep_signature=False)
    elif new_rules and any(s.decision in APPROVED for s in row.counted):
        # An approval weighed the problems the workbook listed; one found since was never weighed.
        note = (f"Flagged since the review by {', '.join(new_rules)}, which the reviewer did not see "
                f"({_signed(row)}). {_confirm(row)}")
        state = _state(REREVIEW, row, finding, note, keep_signature=False)
    elif row.change_required:
        asked = [s for s in row.counted if s.decision == APPROVE_WITH_CHANGE]
        note = (f"{'; '.join(_signed_one(s) for s in asked)}: the claim still reads as it did, so it is "
                f"not approved. Change the copy as asked, then audit again; once it reads as agreed, "
                f"approve it with {APPROVE}.")
        state = _state(CHANGE_REQUIRED, row, finding, _join(note, uncounted))
    else:
        state = _state(CARRIED, row, finding, uncounted)
    state["problems"] = problems
    return state


def _new_rules(finding: Finding, row: ReviewRow) -> list[str]:
    """Rule codes that flag the claim now but were not in the reviewed workbook's Rules cell."""
    from claimaudit.model import VERDICT_RANK

    silenced = {code for code, _ in finding.suppressed}
    listed = {code.casefold() for code in row.rules}
    codes = dict.fromkeys(reason.code for reason in finding.reasons
                          if reason.code and reason.code not in silenced and VERDICT_RANK.get(reason.verdict, 0) > 0)
    return [code for code in codes if code.casefold() not in listed]


def _reworded(finding: Finding, row: ReviewRow) -> ReviewState:
    if not row.reviewed:
        return _state(CHANGED, None, finding, f"Reworded since the reviewed workbook; it read: “{row.claim}”.")
    asked_change = any(s.decision == APPROVE_WITH_CHANGE for s in row.signoffs)
    then = (f"If the change asked for is made, set Decision to {APPROVE}; then put your name in {_sign_here(row)}."
            if asked_change else _confirm(row))
    note = f"Reworded since the review ({_signed(row)}); it read: “{row.claim}”. {then}"
    return _state(CHANGED, row, finding, note, keep_signature=False)


def _gone(row: ReviewRow) -> GoneClaim:
    return {
        "id": row.id, "document": row.document, "line": row.line, "claim": row.claim,
        "verdict": row.verdict, "decision": row.decision, "comment": row.comment,
        "reviewer": row.reviewer, "date": row.date, "page": row.page,
    }


def _roles_note(row: ReviewRow, roles: tuple[str, ...]) -> str:
    """What of a row's decisions the new workbook's columns cannot show (the roles changed)."""
    if not row.reviewed or not roles:
        return ""
    if not row.has_roles:
        return (f"Decided before sign-off roles were set ({_signed(row)}); each role now decides "
                f"in its own columns.")
    kept = {role.casefold() for role in roles}
    dropped = [s for s in row.signoffs if s.written and s.role.casefold() not in kept]
    if not dropped:
        return ""
    return f"Decided by roles no longer configured: {', '.join(_signed_one(s) for s in dropped)}."


def apply_review(result: AuditResult, reviewed: ReviewedWorkbook) -> AuditResult:
    """Put the reviewer's decisions on the findings of ``result`` (in place) and return it."""
    workbook = reviewed.name
    by_id = {row.id: row for row in reviewed.rows}
    matched: set[str] = set()
    pending: list[Finding] = []
    for finding in result.findings:
        row = by_id.get(finding.id)
        if row is None:
            pending.append(finding)
            continue
        matched.add(row.id)
        finding.review = _exact(finding, row, workbook)

    # The same words citing the same sources in another document: a page renamed or moved. A row
    # of a page with the same file name is taken first (the page moved to another folder), then
    # any, in sheet order; each row once. Queues keep this linear when a claim repeats on every page.
    # A row follows its claim only when its page is gone (or audited now without the claim): a
    # claim copied to a second page while the first is still there was never reviewed there. The
    # row's words must be the claim's too, so a fingerprint edited in the Audit trail moves nothing.
    audited_by_name: dict[str, list[str]] = {}
    for document in result.documents:
        audited_by_name.setdefault(_file_name(document.path), []).append(document.path)
    by_fingerprint: dict[tuple[str, str], deque[ReviewRow]] = {}
    by_name: dict[tuple[str, str, str], deque[ReviewRow]] = {}
    copied_from: dict[tuple[str, str], ReviewRow] = {}
    for row in reviewed.rows:
        if row.fingerprint and row.id not in matched:
            words = _comparable(row.claim)
            if _page_still_there(row.document, audited_by_name):
                copied_from.setdefault((row.fingerprint, words), row)
                continue
            by_fingerprint.setdefault((row.fingerprint, words), deque()).append(row)
            by_name.setdefault((row.fingerprint, words, _file_name(row.document)), deque()).append(row)

    def take(queue: deque[ReviewRow] | None) -> ReviewRow | None:
        while queue:
            row = queue.popleft()
            if row.id not in matched:
                return row
        return None

    unplaced: list[Finding] = []
    copies: dict[int, ReviewRow] = {}
    for finding in pending:
        row = None
        if finding.fingerprint:
            words = _comparable(finding.text)
            row = (take(by_name.get((finding.fingerprint, words, _file_name(finding.document))))
                   or take(by_fingerprint.get((finding.fingerprint, words))))
            original = copied_from.get((finding.fingerprint, words))
            if row is None and original is not None and original.reviewed:
                copies[id(finding)] = original
        if row is None:
            unplaced.append(finding)
            continue
        matched.add(row.id)
        state = _exact(finding, row, workbook)
        if state.get("status") and row.document and not _same_document(row.document, finding.document):
            state["previous_document"] = row.document
            state["note"] = _join(f"Moved from {row.document}.", state.get("note", ""))
        finding.review = state
    pending = unplaced

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
        finding.review = (_exact(finding, row, workbook) if _same_words(finding.text, row.claim)
                          else _reworded(finding, row))
    for f_index, finding in enumerate(pending):
        if f_index not in taken_findings:
            original = copies.get(id(finding))
            note = "" if original is None else (
                f"The same claim was reviewed on {original.document} ({_signed(original)}), which is still "
                f"there: a decision covers the page it was made on, so decide on this page too.")
            finding.review = _state(NEW, None, finding, note)

    if result.review_roles:
        rows_by_id = {row.id: row for row in reviewed.rows}
        for finding in result.findings:
            row = rows_by_id.get(finding.review.get("previous_id") or finding.id)
            extra = _roles_note(row, result.review_roles) if row is not None and finding.review.get("status") else ""
            if extra:
                finding.review["note"] = _join(finding.review.get("note", ""), extra)

    result.review = {
        "workbook": workbook,
        "gone": [_gone(row) for row in reviewed.rows if row.reviewed and row.id not in matched],
        "history": trail_history(reviewed),
        "not_counted": [problem for row in reviewed.rows for problem in (s.problem() for s in row.not_counted)],
    }
    return result


def apply_review_file(result: AuditResult, path: str | Path) -> AuditResult:
    return apply_review(result, read_review(path))


# --------------------------------------------------------------------------- the record of decisions


def decision_entries(reviewed: ReviewedWorkbook) -> list[dict]:
    """Every decision made in ``reviewed``'s Claims sheet, with what it was made on and whether
    it counts. Decisions carried onto a changed claim and not yet confirmed are left out: they
    were made in an earlier round, which the history records."""
    made = reviewed.made_on
    entries = []
    for row in reviewed.rows:
        for signoff in row.signoffs:
            if not signoff.decision or row.awaiting(signoff):
                continue
            counts = row.counts(signoff)
            entries.append({
                "claim_id": row.id, "fingerprint": row.fingerprint, "document": row.document, "page": row.page,
                "line": row.line, "claim": row.claim, "role": signoff.role, "decision": signoff.decision,
                "reviewer": signoff.reviewer, "date": signoff.date, "comment": signoff.comment,
                "cell": signoff.cell, "counts": counts, "why_not": "" if counts else signoff.why_not,
                "copy_sha256": made["documents"].get(row.document, ""), "pack_sha256": made["pack_sha256"],
                "tool_version": made["tool_version"], "workbook": reviewed.name,
            })
    return entries


def trail_history(reviewed: ReviewedWorkbook) -> list[TrailDecision]:
    """The earlier rounds' decisions, then those first made in ``reviewed``: the next audit trail."""
    history: list[TrailDecision] = [item.copy() for item in reviewed.history]
    seen = {trail_key(item) for item in reviewed.history}
    for entry in decision_entries(reviewed):
        item = cast(TrailDecision, {key: entry[key] for _, key in TRAIL_HISTORY_COLUMNS})
        key = trail_key(item)
        if key not in seen:
            seen.add(key)
            history.append(item)
    return history


# --------------------------------------------------------------------------- counts for the reports


def review_counts(result: AuditResult) -> dict[str, int]:
    """How many findings got each review status, and how many reviewed claims are gone."""
    counts = {status: 0 for status in REVIEW_STATUSES}
    for finding in result.findings:
        status = finding.review.get("status", "")
        if status in counts:
            counts[status] += 1
    counts["gone"] = len(result.review.get("gone", ()))
    return counts


NOT_COUNTED_SHOWN = 8
NOT_COUNTED_RULE = "a decision counts only with a reviewer name and a valid date"


def review_lines(result: AuditResult) -> list[str]:
    """The audit's console summary of the review: the counts, then each decision that does not count."""
    counts = review_counts(result)
    line = (f"review from {result.review.get('workbook', '')}: {counts[CARRIED]} carried, "
            f"{counts[REREVIEW]} to re-review (verdict changed), {counts[CHANGED]} reworded, "
            f"{counts[NEW]} new, {counts['gone']} gone")
    if counts[CHANGE_REQUIRED]:
        line += f", {counts[CHANGE_REQUIRED]} approved with change but not changed (change-required)"
    lines = [line]
    not_counted = result.review.get("not_counted", [])
    if not_counted:
        lines.append(f"{len(not_counted)} decision(s) in {result.review.get('workbook', '')} do not count "
                     f"({NOT_COUNTED_RULE}):")
        lines += [f"  {problem}" for problem in not_counted[:NOT_COUNTED_SHOWN]]
        if len(not_counted) > NOT_COUNTED_SHOWN:
            lines.append(f"  and {len(not_counted) - NOT_COUNTED_SHOWN} more; see `claimaudit review summary`")
    return lines


def review_line(result: AuditResult) -> str:
    """One line for the audit's console summary."""
    return review_lines(result)[0]


# --------------------------------------------------------------------------- summary


@dataclass
class ReviewSummary:
    path: str
    rows: list[ReviewRow]
    roles: tuple[str, ...] = ()
    required_roles: tuple[str, ...] = ()

    @property
    def decided(self) -> list[ReviewRow]:
        """Claims with a counted outcome (approved, change required, rejected, needs source)."""
        return [row for row in self.rows if row.outcome != OUTCOME_OPEN]

    def with_decision(self, *decisions: str) -> list[ReviewRow]:
        return [row for row in self.decided if row.decision in decisions]

    @property
    def to_confirm(self) -> list[ReviewRow]:
        return [row for row in self.rows if row.awaiting_confirmation]

    @property
    def not_counted(self) -> list[ReviewRow]:
        return [row for row in self.rows if row.not_counted]

    @property
    def undecided(self) -> list[ReviewRow]:
        """Open claims nobody has written a decision on (or only decisions that do not count)."""
        return [row for row in self.rows if row.outcome == OUTCOME_OPEN and not row.awaiting_confirmation]

    def by_reviewer(self) -> dict[str, dict[str, int]]:
        table: dict[str, dict[str, int]] = {}
        for row in self.rows:
            for signoff in row.counted:
                counts = table.setdefault(signoff.reviewer, {d: 0 for d in DECISIONS})
                counts[signoff.decision] += 1
        return dict(sorted(table.items()))

    def by_role(self) -> dict[str, dict[str, int]]:
        """Per role: counted decisions of each kind, decisions that do not count, and claims open."""
        table: dict[str, dict[str, int]] = {}
        for role in self.roles:
            counts = {d: 0 for d in DECISIONS} | {"not counted": 0, "to confirm": 0, "open": 0}
            for row in self.rows:
                signoff = next((s for s in row.signoffs if s.role == role), None)
                if signoff is None or not signoff.decision:
                    counts["open"] += 1
                elif row.awaiting(signoff):
                    counts["to confirm"] += 1
                elif row.counts(signoff):
                    counts[signoff.decision] += 1
                else:
                    counts["not counted"] += 1
            table[role] = counts
        return table

    def to_dict(self) -> dict:
        def item(row: ReviewRow) -> dict:
            data: dict[str, object] = {"id": row.id, "document": row.document, "page": row.page, "line": row.line, "claim": row.claim,
                    "verdict": row.verdict, "decision": row.decision, "comment": row.comment,
                    "reviewer": row.reviewer, "date": row.date, "status": row.status, "outcome": row.outcome}
            if row.has_roles:
                data["roles"] = {s.role: {"decision": s.decision, "comment": s.comment, "reviewer": s.reviewer,
                                          "date": s.date, "counts": row.counts(s)} for s in row.signoffs}
            return data

        return {
            "workbook": self.path,
            "claims": len(self.rows),
            "roles": list(self.roles),
            "required_roles": list(self.required_roles),
            "decisions": {d: len(self.with_decision(d)) for d in DECISIONS},
            "outcomes": {outcome: sum(1 for row in self.rows if row.outcome == outcome) for outcome in OUTCOMES},
            "open": len(self.undecided) + len(self.to_confirm),
            "by_reviewer": self.by_reviewer(),
            "by_role": self.by_role(),
            "decided": [item(row) for row in self.decided],
            "to_confirm": [item(row) for row in self.to_confirm],
            "not_counted": [{"id": row.id, "cell": s.cell, "role": s.role, "decision": s.decision,
                             "reviewer": s.reviewer, "date": s.date, "why": s.why_not, "problem": s.problem()}
                            for row in self.not_counted for s in row.not_counted],
            "undecided": [item(row) for row in self.undecided],
        }


def summarise(reviewed: ReviewedWorkbook) -> ReviewSummary:
    return ReviewSummary(reviewed.path, list(reviewed.rows), reviewed.roles, reviewed.required_roles)


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


def _who(row: ReviewRow, signoffs: list[Signoff]) -> str:
    if not row.has_roles:
        signoff = row.signoffs[0]
        return " ".join(part for part in (signoff.reviewer, signoff.date) if part) or "no reviewer named"
    return ", ".join(f"{s.role}: {s.reviewer} {s.date}".strip() for s in signoffs)


def render_summary(summary: ReviewSummary) -> str:
    """Who approved what and what is still open, as plain text."""
    lines = [f"{summary.path}: {len(summary.rows)} claims"]
    if summary.roles:
        lines[0] += (f"; sign-off roles {', '.join(summary.roles)} "
                     f"(required: {', '.join(summary.required_roles) or 'none'})")
    for decision in DECISIONS:
        lines.append(f"  {decision + ':':<21}{len(summary.with_decision(decision)):>4}")
    open_count = len(summary.undecided) + len(summary.to_confirm)
    lines.append(f"  {'Open:':<21}{open_count:>4}  ({len(summary.undecided)} without a decision that counts, "
                 f"{len(summary.to_confirm)} to confirm after a change)")
    if summary.roles:
        lines += ["", "By role:"]
        for role, counts in summary.by_role().items():
            done = ", ".join(f"{n} {d.lower()}" for d, n in counts.items() if n) or "nothing yet"
            lines.append(f"  {role}: {done}")
    reviewers = summary.by_reviewer()
    if reviewers:
        lines += ["", "By reviewer:"]
        for reviewer, counts in reviewers.items():
            done = ", ".join(f"{n} {d.lower()}" for d, n in counts.items() if n)
            lines.append(f"  {reviewer}: {done}")
    sections = (
        ("Approved", (APPROVE,), ()),
        ("Approved with change: not approved until the copy changes", (APPROVE_WITH_CHANGE,), (APPROVE_WITH_CHANGE,)),
        ("Rejected or waiting for a source", (REJECT, NEEDS_SOURCE), (REJECT, NEEDS_SOURCE)),
    )
    for title, decisions, deciding in sections:
        rows = summary.with_decision(*decisions)
        if rows:
            lines += ["", f"{title}:"]
            for row in rows:
                signoffs = [s for s in row.counted if not deciding or s.decision in deciding]
                comment = f"  — {_short(row.comment, 60)}" if row.comment else ""
                lines.append(f"  {row.decision} ({_who(row, signoffs)})  {_where(row)}  {_short(row.claim)}{comment}")
    if summary.not_counted:
        lines += ["", f"Not counted ({NOT_COUNTED_RULE}):"]
        for row in summary.not_counted:
            for signoff in row.not_counted:
                lines.append(f"  {signoff.problem()}  {_where(row)}  {_short(row.claim, 60)}")
    if summary.to_confirm:
        lines += ["", "To confirm (the claim or its verdict changed after the decision):"]
        for row in summary.to_confirm:
            was = ", ".join(_signed_one(s) for s in row.signoffs if row.awaiting(s))
            lines.append(f"  {row.status}: was {was}  {_where(row)}  {_short(row.claim)}")
    if summary.undecided:
        verdicts = Counter(row.verdict or "unknown" for row in summary.undecided)
        split = ", ".join(f"{verdicts[v]} {v}" for v in ("unsupported", "overstated", "supported", "unknown")
                          if verdicts[v])
        lines += ["", f"Still open (no decision that counts): {split}"]
        for row in summary.undecided:
            waiting = ""
            if summary.roles:
                approved = {s.role.casefold() for s in row.counted if s.decision in APPROVED}
                missing = [role for role in summary.required_roles if role.casefold() not in approved]
                waiting = f"  (waiting for {', '.join(missing)})" if missing else ""
            lines.append(f"  {row.verdict or '-':<11}  {_where(row)}  {_short(row.claim)}{waiting}")
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------- baseline


def baseline_entries(reviewed: ReviewedWorkbook, baseline_path: str | Path) -> list[BaselineEntry]:
    """Baseline entries for every approved claim: one per rule that flagged it.

    Only a claim approved as it reads is baselined: a decision without a
    reviewer name or a valid date, one awaiting confirmation, and "Approve with
    change" (the copy must change first) approve nothing. Each entry carries
    ``approval``, the claim's fingerprint, so ``check`` finds it in a page that
    was renamed or moved. A claim approved while it was supported has no rule to
    baseline; one flagged without a rule code is keyed by its verdict, as
    ``check`` does.
    """
    from claimaudit.verdicts.baseline import BaselineEntry, document_for_baseline

    entries: list[BaselineEntry] = []
    for row in reviewed.rows:
        if not row.approved:
            continue
        keys = list(row.rules) or ([row.verdict] if row.verdict and row.verdict != "supported" else [])
        extra: dict[str, object] = {key: value for key, value in (
            ("approval", row.fingerprint), ("decision", APPROVE), ("reviewer", row.approved_by),
            ("date", row.approved_on), ("note", row.comment)) if value}
        if row.has_roles:
            extra["signoff"] = {s.role: {"decision": s.decision, "reviewer": s.reviewer, "date": s.date}
                                for s in row.counted}
        for key in keys:
            entries.append(BaselineEntry(
                claim=row.id, rule=key,
                document=document_for_baseline(row.document, baseline_path) if row.document else "",
                verdict=row.verdict, text=row.claim, extra=dict(extra),
            ))
    return entries


def write_review_baseline(reviewed: ReviewedWorkbook, path: str | Path, merge: bool = False) -> tuple[Path, int]:
    """Write the approved claims as a baseline for ``claimaudit check``.

    With ``merge`` the entries already in ``path`` are kept for claims this
    workbook does not speak for (other pages, other audits). For its own claims
    the workbook's decisions replace them: an old approval of a claim now
    rejected, asked to change, or not yet confirmed is dropped, as is an old
    entry that does not count (an "Approve with change" or an unsigned approval
    from a baseline written before sign-off held). Returns the path and the
    entry count.
    """
    from claimaudit.verdicts.baseline import document_for_baseline, read_baseline, write_baseline

    entries = baseline_entries(reviewed, path)
    if merge and Path(path).exists():
        ids = {row.id for row in reviewed.rows}
        fingerprints = {row.fingerprint for row in reviewed.rows if row.fingerprint}
        documents = {document_for_baseline(row.document, path) for row in reviewed.rows if row.document}
        folder = Path(path).parent

        def elsewhere(document: str) -> bool:
            """A page outside this workbook that is still there: its approvals stay its own."""
            if document in documents or not document or "://" in document:
                return False
            return (folder / document).is_file() or Path(document).is_file()

        def spoken_for(entry: BaselineEntry) -> bool:
            # By id; or an approval whose claim this workbook holds, which `check` would follow
            # onto it (its page is in this workbook without it, or gone).
            return entry.claim in ids or (entry.approval in fingerprints and not elsewhere(entry.document))

        entries += [entry for entry in read_baseline(path).entries
                    if not entry.why_not_counted and not spoken_for(entry)]
    written = write_baseline(path, entries)
    return written, len({entry.fingerprint for entry in entries})
