"""The findings model shared by every pipeline stage.

Plain dataclasses with no knowledge of rendering: the stages fill them in,
the renderers in ``claimaudit.report`` read them.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Literal, NotRequired, TypedDict

Verdict = Literal["supported", "overstated", "unsupported"]
VERDICTS: tuple[Verdict, ...] = ("supported", "overstated", "unsupported")
VERDICT_RANK = {"supported": 0, "overstated": 1, "unsupported": 2}


@dataclass(frozen=True)
class Span:
    """A half-open character range ``[start, end)`` into some text."""

    start: int
    end: int

    def shift(self, offset: int) -> "Span":
        return Span(self.start + offset, self.end + offset)


@dataclass
class Block:
    """A run of copy text that sentences are cut from.

    ``start``/``end`` are offsets into :attr:`Document.text`. ``heading`` is the
    nearest heading above the block, so findings can be grouped by section.
    ``kind`` is ``"paragraph"``, ``"heading"``, ``"list-item"`` or ``"cell"``.
    ``cited_sources`` lists source ids a claims-table row names.
    """

    start: int
    end: int
    kind: str = "paragraph"
    heading: str = ""
    cited_sources: tuple[str, ...] = ()
    suppressions: tuple[tuple[str, str], ...] = ()  # (rule code or name, reason)
    # A claims register's own id for the row ("C-001"), kept in every output.
    register_id: str = ""
    # Where the text stood on the page: one of SCOPES. A heading's scope is
    # "heading" and a table cell's "table" unless a region (header, footer,
    # aside) holds them.
    scope: str = "body"


# Where a piece of copy can stand; `[tool.claimaudit] skip-scopes` names them
# ("notes" is for the speaker notes of slides, which later readers give).
SCOPES: tuple[str, ...] = ("body", "heading", "title", "meta", "alt", "header", "footer", "aside", "table", "notes")


@dataclass(frozen=True)
class SetAside:
    """Text read from a file but kept out of the copy to audit, and why
    (navigation, a sign-up widget, a repeat). ``raw_start`` is its offset in
    :attr:`Document.raw`."""

    text: str
    raw_start: int
    reason: str
    scope: str = "body"


@dataclass
class Document:
    """Copy extracted from one input file.

    ``text`` is the extracted plain text that finding offsets point into.
    ``origin`` maps offsets in ``text`` back to offsets in ``raw`` (the decoded
    original file), piecewise: ``origin[i] = (text_offset, raw_offset)`` marks
    that text from ``text_offset`` on corresponds to raw from ``raw_offset`` on.
    """

    path: str
    text: str
    raw: str
    blocks: list[Block] = field(default_factory=list)
    origin: list[tuple[int, int]] = field(default_factory=lambda: [(0, 0)])
    media_type: str = "text"
    encoding: str = "utf-8"
    # Sections of the copy that were recognised as cited-source summaries and
    # turned into sources; they are not audited as copy.
    excluded: list[Span] = field(default_factory=list)
    # Text read but not copy to audit (navigation, widgets, repeats), listed
    # in the reports' "not audited" section.
    set_aside: list[SetAside] = field(default_factory=list)
    # Scopes the config leaves out (`skip-scopes`): their text is listed as
    # not audited rather than audited.
    skip_scopes: frozenset[str] = frozenset()
    # Paged originals (PDF pages, PPTX slides): the offset in ``raw`` where each
    # page starts, page 1 first; empty for copy without pages. Lines are then
    # counted from the top of their page.
    pages: list[int] = field(default_factory=list)
    page_kind: str = "page"  # what a page is called in the reports: "page" or "slide"
    # Copy read from the web: the address it was fetched from (after redirects)
    # and when, as an ISO 8601 UTC time.
    url: str = ""
    fetched_at: str = ""

    # Lookup tables built on first use, so that placing every claim of a long
    # page costs a binary search each rather than a scan of the whole file.
    _origin_keys: tuple[int, list[int]] | None = field(default=None, init=False, repr=False, compare=False)
    _line_starts: tuple[int, list[int]] | None = field(default=None, init=False, repr=False, compare=False)

    def raw_offset(self, text_offset: int) -> int:
        if self._origin_keys is None or self._origin_keys[0] != len(self.origin):
            self._origin_keys = (len(self.origin), [t for t, _ in self.origin])
        i = bisect.bisect_right(self._origin_keys[1], text_offset) - 1
        t0, r0 = self.origin[max(i, 0)]
        return r0 + (text_offset - t0)

    def line_col(self, text_offset: int) -> tuple[int, int]:
        """1-based line and column in the original file for a text offset."""
        return self.raw_line_col(self.raw_offset(text_offset))

    def page_of(self, text_offset: int) -> int | None:
        """The 1-based page (or slide) a text offset stands on; None for copy without pages."""
        if not self.pages:
            return None
        return max(bisect.bisect_right(self.pages, self.raw_offset(text_offset)), 1)

    def place(self, text_offset: int) -> tuple[int | None, int, int]:
        """Page (None without pages), line and column of a text offset in the original.

        With pages, the line is counted from the top of its page, as a reviewer
        holding the printed page counts it."""
        return self.raw_place(self.raw_offset(text_offset))

    def raw_place(self, raw_offset: int) -> tuple[int | None, int, int]:
        """:meth:`place` for an offset into ``raw``."""
        line, column = self.raw_line_col(raw_offset)
        if not self.pages:
            return None, line, column
        if column > 1 and self.raw[raw_offset - column + 1:raw_offset - column + 2] == "\f":
            column -= 1  # the form feed that opens a page is not a character on it
        page = max(bisect.bisect_right(self.pages, raw_offset), 1)
        first_line, _ = self.raw_line_col(self.pages[page - 1])
        return page, line - first_line + 1, column

    def raw_line_col(self, raw_offset: int) -> tuple[int, int]:
        """1-based line and column in the original file for an offset into ``raw``."""
        raw_off = min(max(raw_offset, 0), len(self.raw))
        if self._line_starts is None or self._line_starts[0] != len(self.raw):
            starts = [0]
            find = self.raw.find
            at = find("\n")
            while at != -1:
                starts.append(at + 1)
                at = find("\n", at + 1)
            self._line_starts = (len(self.raw), starts)
        starts = self._line_starts[1]
        line = bisect.bisect_right(starts, raw_off)
        return line, raw_off - starts[line - 1] + 1


@dataclass
class Source:
    """One cited source: its citation and the summary claims are held against."""

    id: str
    summary: str
    citation: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    origin: str = ""  # file (and line) the source was read from
    kind: str = "summary"  # "summary", or "internal" for own-business data sheets
    # Bibliographic detail, where the pack gives it (an export from a reference
    # manager or PubMed, a paper's PDF): used to resolve "Smith et al. 2020".
    authors: tuple[str, ...] = ()  # surnames first: "Smith J"
    year: str = ""
    title: str = ""
    journal: str = ""
    # Other names the pack gives this source (a BibTeX key, a RIS ID): a claims
    # table's source column may name it by them.
    keys: tuple[str, ...] = ()
    # A source read from a paged original (a paper's PDF): the offset in
    # ``summary`` where each page starts, page 1 first; empty otherwise.
    pages: tuple[int, ...] = ()

    def page_at(self, offset: int) -> int | None:
        """The 1-based page of the original an offset into ``summary`` stands on."""
        if not self.pages:
            return None
        return max(bisect.bisect_right(self.pages, offset), 1)


@dataclass
class Sentence:
    """A sentence (or clause) with its offsets into the text it was cut from."""

    text: str
    start: int
    end: int


# The hot records (a site audit holds hundreds of thousands of them) keep their fields in
# slots rather than a dict each: about half the memory, and no attribute outside the fields.
@dataclass(slots=True)
class Evidence:
    """A source sentence ranked against a claim."""

    source: str
    text: str
    similarity: float
    start: int = 0  # offsets into the source summary
    end: int = 0
    page: int | None = None  # the page of the source's original (a paper's PDF) the sentence is on


@dataclass(slots=True)
class Reason:
    """Why a rule fired: rule, message and the spans in claim and evidence."""

    rule: str  # dotted rule name, e.g. "figures.inflated"
    code: str  # stable code, e.g. "CA101"
    message: str
    verdict: Verdict
    family: str = ""
    claim_span: tuple[int, int] | None = None  # offsets into the claim text
    evidence_span: tuple[int, int] | None = None  # offsets into evidence_text
    evidence_source: str = ""
    evidence_text: str = ""  # the source sentence the rule compared against
    suggestion: str = ""
    # A "support not shown" reason that holds even where another rule found evidence
    # about the claim: what acts in the claim is not what acts in the evidence.
    decisive: bool = False


class ClaimAnalysis(TypedDict, total=False):
    """What the engine read in a claim (``pipeline.describe``), for `explain` and the reports.

    Empty for a finding made without the engine (a test, an API caller)."""

    strength: int  # claim strength level, 0-3
    figures: list[str]
    hedges: list[str]
    boosters: list[str]
    negations: list[str]
    populations: list[str]  # canonical term names
    conditions: list[str]
    interventions: list[str]
    outcomes: list[str]
    attribution: list[str]  # the words that name the claim's support


class ReviewState(TypedDict, total=False):
    """A reviewer's earlier decision carried onto one finding (claimaudit.verdicts.review).

    Empty when no reviewed workbook was given; every key is set when one was."""

    status: str  # one of verdicts.review.REVIEW_STATUSES, or "" (reviewed row left blank)
    decision: str
    comment: str
    reviewer: str
    date: str
    note: str
    previous_id: str  # the id the claim had in the reviewed workbook, when it changed
    previous_verdict: str  # the verdict it had there, when it changed
    previous_document: str  # the document it stood in there, when the page was renamed or moved
    # With sign-off roles: each role's own decision (Medical, Legal, ...); the keys above then
    # hold the claim's combined decision.
    roles: dict[str, RoleReview]
    problems: list[str]  # decisions that do not count, and why ("M7: Approve without a reviewer name")


class RoleReview(TypedDict):
    """One sign-off role's decision on a claim."""

    decision: str
    comment: str
    reviewer: str
    date: str


# How a claim stands against a claims library (LibraryMatch.status).
LIBRARY_APPROVED, LIBRARY_DEVIATES, LIBRARY_EXPIRED = "approved", "deviates", "expired"
LIBRARY_STATUSES: tuple[str, ...] = (LIBRARY_APPROVED, LIBRARY_DEVIATES, LIBRARY_EXPIRED)


class LibraryMatch(TypedDict, total=False):
    """How a claim stands against a library of claims already approved (``--library``).

    Empty when no library was given or no library claim is near this one."""

    id: str  # the library claim's id, "C-012"
    status: str  # "approved" | "deviates" | "expired"
    approved_text: str  # the approved wording
    differences: list[str]  # what the copy changes: a figure, a qualifier, a population, the certainty
    approved_by: str
    approved_on: str
    expires_on: str


class GoneClaim(TypedDict):
    """A reviewed claim that no longer occurs in the copy, with the decision it had."""

    id: str
    document: str
    line: int | None
    claim: str
    verdict: str
    decision: str
    comment: str
    reviewer: str
    date: str
    page: NotRequired[int | None]  # paged copy: the page or slide ``line`` counts from


class TrailDecision(TypedDict):
    """One decision in the audit trail: who decided what on which claim, and on what it was made."""

    claim_id: str
    fingerprint: str
    document: str
    claim: str
    role: str  # "" without sign-off roles
    decision: str
    reviewer: str
    date: str
    comment: str
    counts: bool
    why_not: str  # why it does not count ("" when it does)
    copy_sha256: str  # of the document's text in the workbook the decision was made in
    pack_sha256: str
    tool_version: str
    workbook: str  # the file name of that workbook


class AppliedReview(TypedDict, total=False):
    """Set on an audit when a reviewed workbook was applied; empty otherwise."""

    workbook: str  # the workbook's file name
    gone: list[GoneClaim]
    # Every decision made in the reviewed workbook and the rounds before it (the audit trail).
    history: list[TrailDecision]
    not_counted: list[str]  # the reviewed workbook's decisions that do not count, with cell and why


@dataclass(frozen=True, slots=True)
class AlignedElement:
    """How far the evidence goes for one element of a claim (``evidence.align``):
    ``status`` is matched, weaker, absent, contradicted or not stated."""

    element: str  # subject, outcome, direction, comparator, population, condition
    status: str
    claim_words: str = ""
    evidence_words: str = ""
    source: str = ""  # the source whose sentences were held against the claim
    clause: str = ""  # the clause it belongs to, for a claim judged clause by clause
    meaning: float | None = None  # matched by meaning (the semantic extra): the words' cosine similarity; None: by words


@dataclass(slots=True)
class Finding:
    """One claim and its verdict."""

    id: str
    document: str
    text: str
    start: int
    end: int
    line: int
    column: int
    verdict: Verdict
    confidence: float
    claim_type: str = "efficacy"
    section: str = ""
    reasons: list[Reason] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    suggestion: str = ""
    suppressed: list[tuple[str, str]] = field(default_factory=list)
    analysis: ClaimAnalysis = field(default_factory=lambda: ClaimAnalysis())  # what the engine extracted
    # A reviewer's earlier decision carried into this audit (claimaudit.verdicts.review).
    review: ReviewState = field(default_factory=lambda: ReviewState())
    scope: str = "body"  # where the claim stood: one of SCOPES
    alignment: list[AlignedElement] = field(default_factory=list)  # element by element, against the evidence
    # Paged copy (PDF, PPTX): the page or slide, and ``line`` counts from its top.
    page: int | None = None
    url: str = ""  # copy fetched from the web: its address
    fetched_at: str = ""  # and when it was fetched (ISO 8601, UTC)
    # The source ids the claim cites (a claims table's source column, citations in its text).
    cited: tuple[str, ...] = ()
    # The claim's normalised words and cited sources, hashed: the key approvals follow, so a
    # page renamed or moved keeps them (``id`` also holds the document path).
    fingerprint: str = ""
    register_id: str = ""  # a claims register's own id for the row ("C-001")
    library: LibraryMatch = field(default_factory=lambda: LibraryMatch())


@dataclass(frozen=True, slots=True)
class NotAudited:
    """Text that was read but judged not to be a claim, and why (a call to
    action, navigation, a topic heading...), so a reviewer sees what was skipped."""

    document: str
    text: str
    line: int
    reason: str
    scope: str = "body"
    column: int = 1
    page: int | None = None  # paged copy: the page or slide ``line`` counts from


@dataclass(frozen=True)
class SkippedFile:
    """A file in a folder that was not read, and why (a type the tool does not read)."""

    path: str
    reason: str


@dataclass(frozen=True)
class InputProblem:
    """A file that could not be read; the rest of the run went on without it.

    ``message`` says what is wrong, with the field or cell where known;
    ``line`` is the line (or row) of the file when known.
    """

    path: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


@dataclass
class AuditResult:
    """Everything one audit produced, ready for any renderer."""

    documents: list[Document]
    sources: list[Source]
    findings: list[Finding]
    # The rule definitions that were active: loaded rules (claimaudit.rules.loader.Rule), or
    # any object or mapping with their fields (code, name, family, level, message, docs), which
    # the renderers read by name.
    rules: list[object] = field(default_factory=list)
    tool_version: str = ""
    warnings: list[str] = field(default_factory=list)
    # Set when a reviewed workbook was applied (claimaudit.verdicts.review): the workbook
    # it came from and the reviewed claims that no longer occur ("gone").
    review: AppliedReview = field(default_factory=lambda: AppliedReview())
    # Files that were passed over (types not read) or could not be read. A run
    # with problems still reports what it read, then exits 2.
    skipped: list[SkippedFile] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    # Everything read but not audited as a claim, in document order then by place.
    not_audited: list[NotAudited] = field(default_factory=list)
    # The sentence model the run used beside the words (the semantic extra); "" for words alone.
    semantic_model: str = ""
    # Set when a claims library was applied (``--library``): its file name, the date its approvals
    # were judged on (ISO) and how many claims it holds, so the report can be reproduced.
    library_used: dict[str, str | int] = field(default_factory=dict)
    # Sign-off roles (`review-roles`): each has its own decision columns in the workbook; a
    # claim is approved when every required role approved it. Empty: one Decision column.
    review_roles: tuple[str, ...] = ()
    required_review_roles: tuple[str, ...] = ()

    def documents_without_claims(self) -> list[str]:
        """Paths of the documents read in which no claim was found, in document order."""
        with_claims = {f.document for f in self.findings}
        return [d.path for d in self.documents if d.path not in with_claims]

    def summary(self) -> dict[str, int]:
        counts = {"claims": len(self.findings)}
        for verdict in VERDICTS:
            counts[verdict] = sum(1 for f in self.findings if f.verdict == verdict)
        return counts
