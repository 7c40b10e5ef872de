"""The HTML report: one self-contained file a reviewer can open, filter and print.

Templates live in ``templates/`` and can be overridden one by one from
user-supplied folders. Every piece of audited text reaches the page through
Jinja autoescaping; highlighting is done by cutting text into segments here in
Python, never by editing HTML strings.

Every report carries its data in one compact JSON island (``script#audit-data``,
see :class:`Island`): string tables and rows of indices. A report of up to
:data:`SERVER_ROWS_LIMIT` claims also has every row, detail and copy view
rendered here, so it reads and prints without script; above that the page's
script renders the claims table a page at a time, each detail when it is opened
and each document's copy when it is asked for, all from the island, with the
same markup the templates write. The list of text not audited follows the same
rule by its own length; the "by document" chart shows the documents with most
problems, and the list of claims per document is searched by the script.

The page is written as it is rendered (:func:`html_chunks`): each claim's view is
made, written into the island's rows and let go, and the island is streamed into
the page, so a site's report costs memory for its table of strings, not for its
claims' views or the page itself.
"""

from __future__ import annotations

import base64
import gc
import hashlib
import itertools
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, TypedDict, TypeVar, overload

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    pass_eval_context,
    select_autoescape,
)
from jinja2.nodes import EvalContext
from markupsafe import Markup

from claimaudit.model import (
    LIBRARY_STATUSES,
    VERDICT_RANK,
    VERDICTS,
    AuditResult,
    Document,
    Finding,
    LibraryMatch,
    ReviewState,
    Source,
    Span,
)
from claimaudit.rules.spec import readable_template

from .common import (
    TOOL_NAME,
    RuleBook,
    RuleInfo,
    best_evidence,
    clamp_span,
    counts_by_document,
    counts_by_family,
    counts_by_verdict,
    doi_url,
    excerpt,
    finding_families,
    page_kinds,
    place_label,
    pmid_url,
    round3,
    safe_url,
    scope_label,
    segment,
    shared_word_spans,
    sorted_findings,
    source_link,
    text_of,
    without_lone_surrogates,
    write_atomic,
)
from .json_report import NotAuditedRow, ToolData, not_audited_rows

MAIN_TEMPLATE = "report.html.j2"
STYLE_TEMPLATE = "report.css"
PRINT_STYLE_TEMPLATE = "report-print.css"  # a template of its own, so a team may override how it prints
SCRIPT_TEMPLATE = "report.js"

CHART_BAR_WIDTH = 240  # pixels for the largest bar

# Above this many claims the table's rows are rendered by the page's script from the
# island, a page at a time: a site's 12,000 rows rendered here would make a file of a
# hundred megabytes that a browser takes most of a minute to open. (The list of text
# not audited switches at the same number of its own rows.)
SERVER_ROWS_LIMIT = 300
PAGE_SIZE = 100  # rows on one page of a table the script renders
CHART_DOCUMENTS = 15  # documents in the "by document" chart: those with the most problems
DOCUMENT_ROWS = 25  # rows of the claims-per-document list written here; the script finds the rest

ISLAND_FORMAT = "claimaudit-report-island"
ISLAND_VERSION = 1

_HIGHLIGHT_CLASSES = {"fired": "hl-fired", "shared": "hl-shared"}
_CLOSING_TAG = re.compile(r"</(script|style)", re.IGNORECASE)


# --------------------------------------------------------------------------- view model


@dataclass
class TextPiece:
    """A run of text with the CSS classes (from a fixed set) that highlight it."""

    text: str
    classes: str = ""


@dataclass
class CopyPiece:
    """A run of a document's text: plain, or marked as (part of) one or more findings."""

    text: str
    verdict: str = ""  # the most severe verdict covering this run; "" when unmarked
    mark_id: str = ""  # set on the first run of the finding that owns this mark
    anchor_ids: list[str] = field(default_factory=list)  # other findings starting here
    title: str = ""
    row_id: str = ""  # table row the mark belongs to
    excluded: bool = False
    backlinks: list[tuple[str, int]] = field(default_factory=list)  # (row id, number)
    # The same, as 0-based claim numbers, for the island.
    owner: int = -1  # the claim whose verdict colours the run
    covering: list[int] = field(default_factory=list)
    starting: list[int] = field(default_factory=list)  # claims whose mark (first one) or anchor starts here
    ending: list[int] = field(default_factory=list)  # claims that end here: their backlinks


@dataclass
class BarItem:
    label: str
    value: int
    width: int
    y: int
    css: str = ""


@dataclass
class StackItem:
    label: str
    total: int
    y: int
    parts: list[tuple[str, int, int, int]]  # (verdict, value, x, width)
    width: int = 0

    @property
    def short_label(self) -> str:
        # Paths differ at their ends, so keep the end when the label must be cut.
        return self.label if len(self.label) <= 18 else "…" + self.label[-17:]


# What the templates read: the context of report.html.j2.


class EvidenceView(TypedDict):
    rank: int
    source: str
    citation: str
    link: str
    similarity: float
    text: str
    page: int | None  # the page of the source's PDF the sentence is on


class ReasonView(TypedDict):
    code: str
    name: str
    family: str
    verdict: str
    message: str
    use_instead: str


class RoleReviewView(TypedDict):
    role: str
    decision: str
    comment: str
    reviewer: str
    date: str


class ReviewView(TypedDict):
    status: str
    label: str
    decision: str  # with sign-off roles, the claim's outcome from the roles' counted decisions
    comment: str
    reviewer: str
    date: str
    note: str
    roles: list[RoleReviewView]  # each sign-off role's own decision, in the workbook's column order
    problems: list[str]  # decisions that do not count, with their cell and why


class SuppressedView(TypedDict):
    rule: str
    reason: str


class LibraryView(TypedDict):
    id: str
    status: str  # approved | deviates | expired
    label: str  # "library C-012: deviates"
    approved_text: str
    differences: list[str]
    approved_by: str
    approved_on: str
    expires_on: str


class AlignmentView(TypedDict):
    element: str
    status: str
    claim_words: str
    evidence_words: str
    source: str
    clause: str
    meaning: float | None  # matched by meaning (the semantic extra): the words' cosine similarity; None: by words


class FindingView(TypedDict):
    number: int
    dom_id: str
    id: str
    document: str
    document_index: int
    line: int
    column: int
    place: str  # "line 17, col 5", or "page 2, line 5, col 1" for paged copy
    url: str  # copy fetched from the web: its address, when it is a safe link
    fetched_at: str
    verdict: str
    confidence: float
    text: str
    claim_type: str
    section: str
    scope: str
    scope_label: str
    families: list[str]
    reasons: list[ReasonView]
    best: EvidenceView | None
    best_excerpt: str
    evidence: list[EvidenceView]
    claim_pieces: list[TextPiece]
    evidence_pieces: list[TextPiece]
    suggestion: str
    review: ReviewView
    suppressed: list[SuppressedView]
    alignment: list[AlignmentView]
    in_copy: bool  # whether the claim is marked in the copy shown below the table
    register_id: str  # a claims register's own id for the row ("C-001"), or ""
    library: LibraryView | None  # how the claim stands against the claims library


class DocumentView(TypedDict):
    path: str
    index: int  # in the claims-per-document list (and the document filter)
    dom_id: str
    claims: int
    url: str  # copy fetched from the web: its address, when it is a safe link
    fetched_at: str
    pages: int
    page_kind: str
    pieces: list[CopyPiece]


class SourceView(TypedDict):
    id: str
    citation: str
    doi: str
    doi_url: str
    pmid: str
    pmid_url: str
    url: str
    url_link: str
    kind: str
    used_by: int  # how many findings cite it as evidence


class ReferenceView(TypedDict):
    text: str
    url: str  # "" when the reference is not a safe link


class RuleView(TypedDict):
    code: str
    name: str
    family: str
    level: str
    message: str
    what: str
    why: str
    example: str
    use_instead: str
    references: list[ReferenceView]


class GoneView(TypedDict):
    id: str
    document: str
    line: str
    claim: str
    verdict: str
    decision: str
    comment: str
    reviewer: str
    date: str


class ReviewContext(TypedDict):
    workbook: str
    counts: dict[str, int]
    labels: dict[str, str]
    decisions: dict[str, int]
    undecided: int
    gone: list[GoneView]


class SkippedView(TypedDict):
    path: str
    reason: str


class ProblemView(TypedDict):
    path: str
    message: str


class NotAuditedView(NotAuditedRow):
    where: str  # the scope, as a reviewer would say it
    place: str  # "17", or "page 2, line 5" for paged copy


class DocumentRow(TypedDict):
    """One line of the claims-per-document list."""

    index: int
    path: str
    counts: dict[str, int]  # by verdict
    total: int
    copy_id: str  # the element id of its copy view, "" when its copy was not read


class ReportContext(TypedDict):
    tool: ToolData
    summary: dict[str, int]
    verdicts: list[str]
    by_verdict: dict[str, int]
    by_family: dict[str, int]
    by_document: dict[str, dict[str, int]]
    verdict_bars: list[BarItem]
    family_bars: list[BarItem]
    document_stacks: list[StackItem]  # the chart: every document, or the CHART_DOCUMENTS with most problems
    documents_charted_of: int  # how many documents there are in all
    document_rows: list[DocumentRow]  # the first DOCUMENT_ROWS of the claims-per-document list
    document_count: int
    server_rows: bool  # rows, details and copy written here; else the script renders them
    page_size: int
    families: list[str]
    document_paths: list[str]
    findings: Sequence[FindingView]  # above the server-rendered limit, made one at a time as they are read
    documents: Sequence[DocumentView]
    sources: list[SourceView]
    rules: list[RuleView]
    warnings: list[str]
    skipped: list[SkippedView]
    problems: list[ProblemView]
    review: ReviewContext | None
    not_audited: Sequence[NotAuditedView]
    not_audited_server: bool  # its rows written here; else the script renders them, a page at a time
    semantic_model: str  # the sentence model weighed beside the words (--semantic), or ""
    data: IslandData  # the page's data: the compact JSON island (Island), streamed as the page is written


def _dom_ids(findings: list[Finding]) -> list[str]:
    """Element ids for findings: their own id when it is safe and unique, else a number."""
    ids: list[str] = []
    seen: set[str] = set()
    for number, finding in enumerate(findings, 1):
        cleaned = re.sub(r"[^A-Za-z0-9_-]", "", text_of(finding.id))[:64]
        candidate = f"c-{cleaned}" if cleaned else f"n-{number}"
        if candidate in seen:
            candidate = f"{candidate}-{number}"
        seen.add(candidate)
        ids.append(candidate)
    return ids


def _pieces(text: str, spans: dict[str, list[tuple[int, int]]]) -> list[TextPiece]:
    layered = [(s, e, kind) for kind, pairs in spans.items() for s, e in pairs]
    pieces: list[TextPiece] = []
    for seg in segment(text, layered):
        # A rule's own words outrank words merely shared with the evidence.
        if "fired" in seg.labels:
            classes = _HIGHLIGHT_CLASSES["fired"]
        elif "shared" in seg.labels:
            classes = _HIGHLIGHT_CLASSES["shared"]
        else:
            classes = ""
        if pieces and pieces[-1].classes == classes:
            pieces[-1].text += seg.text
        else:
            pieces.append(TextPiece(seg.text, classes))
    return pieces


def _claim_and_evidence_pieces(finding: Finding) -> tuple[list[TextPiece], list[TextPiece]]:
    best = best_evidence(finding)
    evidence_text = best.text if best else ""
    shared_claim, shared_evidence = shared_word_spans(finding.text, evidence_text)
    fired_claim: list[tuple[int, int]] = []
    fired_evidence: list[tuple[int, int]] = []
    for reason in finding.reasons:
        span = clamp_span(reason.claim_span, len(finding.text))
        if span:
            fired_claim.append(span)
        # Evidence spans point into the best evidence; skip one meant for another source.
        if reason.evidence_source and best and reason.evidence_source != best.source:
            continue
        span = clamp_span(reason.evidence_span, len(evidence_text))
        if span:
            fired_evidence.append(span)
    return (
        _pieces(finding.text, {"fired": fired_claim, "shared": shared_claim}),
        _pieces(evidence_text, {"fired": fired_evidence, "shared": shared_evidence}),
    )


def _copy_pieces(text: str, excluded: Iterable[Span], findings: list[tuple[Finding, str, int]]) -> list[CopyPiece]:
    """Cut a document's text at finding and excluded-section boundaries."""
    # Labels: ("finding", its index in findings) or ("excluded", None).
    spans: list[tuple[int, int, tuple[str, int | None]]] = [
        (f.start, f.end, ("finding", i)) for i, (f, _, _) in enumerate(findings)]
    spans += [(span.start, span.end, ("excluded", None)) for span in excluded]
    segments = segment(text, spans)
    started: set[int] = set()
    ends_at: dict[int, list[int]] = {}
    for i, (f, _, _) in enumerate(findings):
        span = clamp_span((f.start, f.end), len(text))
        if span:
            ends_at.setdefault(span[1], []).append(i)
    pieces: list[CopyPiece] = []
    for seg in segments:
        covering = sorted(index for kind, index in seg.labels if kind == "finding" and index is not None)
        piece = CopyPiece(text=seg.text, excluded=any(lb[0] == "excluded" for lb in seg.labels))
        if covering:
            owner = max(covering, key=lambda i: (VERDICT_RANK.get(findings[i][0].verdict, 0), -i))
            piece.verdict = findings[owner][0].verdict
            piece.row_id = f"row-{findings[owner][1]}"
            piece.title = "; ".join(
                f"Claim {findings[i][2]}: {findings[i][0].verdict}" for i in covering
            )
            piece.owner = findings[owner][2] - 1
            piece.covering = [findings[i][2] - 1 for i in covering]
            fresh = [i for i in covering if i not in started]
            started.update(fresh)
            if fresh:
                piece.mark_id = f"mark-{findings[fresh[0]][1]}"
                piece.anchor_ids = [f"mark-{findings[i][1]}" for i in fresh[1:]]
                piece.starting = [findings[i][2] - 1 for i in fresh]
        ending = [i for i in ends_at.get(seg.end, [])
                  if clamp_span((findings[i][0].start, findings[i][0].end), len(text))]
        piece.backlinks = [(f"row-{findings[i][1]}", findings[i][2]) for i in ending]
        piece.ending = [findings[i][2] - 1 for i in ending]
        pieces.append(piece)
    return pieces


def _bars(counts: dict[str, int], css_for: Callable[[str], str] = lambda label: "") -> list[BarItem]:
    top = max(counts.values(), default=0) or 1
    return [
        BarItem(label, value, round(CHART_BAR_WIDTH * value / top), i * 26, css_for(label))
        for i, (label, value) in enumerate(counts.items())
    ]


def _stacks(table: dict[str, dict[str, int]]) -> list[StackItem]:
    top = max((sum(row.values()) for row in table.values()), default=0) or 1
    items: list[StackItem] = []
    for i, (label, row) in enumerate(table.items()):
        x = 0
        parts: list[tuple[str, int, int, int]] = []
        for verdict in VERDICTS:
            width = round(CHART_BAR_WIDTH * row.get(verdict, 0) / top)
            if row.get(verdict, 0):
                parts.append((verdict, row[verdict], x, width))
            x += width
        items.append(StackItem(label, sum(row.values()), i * 26, parts, x))
    return items


def _rule_view(info: RuleInfo) -> RuleView:
    return {
        "code": info.code,
        "name": info.name,
        "family": info.family,
        "level": info.level,
        "message": readable_template(info.message),  # a template reads as words, never {figure}
        "what": info.what,
        "why": info.why,
        "example": info.example,
        "use_instead": info.use_instead,
        "references": [{"text": ref, "url": safe_url(ref)} for ref in info.references],
    }


def _useful_suggestion(finding: Finding) -> str:
    """The suggested rewrite, unless it only repeats the claim."""
    suggestion = text_of(finding.suggestion)
    if " ".join(suggestion.split()).casefold() == " ".join(text_of(finding.text).split()).casefold():
        return ""
    return suggestion


_REVIEW_LABELS = {
    "carried": "decision carried",
    "changed": "reworded since review",
    "re-review": "verdict changed: re-review",
    "change-required": "approved with change: copy unchanged",
    "new": "new since review",
}


def _review_view(finding: Finding) -> ReviewView:
    review = finding.review or ReviewState()
    status = text_of(review.get("status"))
    roles: list[RoleReviewView] = []
    for role, values in (review.get("roles") or {}).items():
        values = values or {}
        roles.append({"role": text_of(role), "decision": text_of(values.get("decision")),
                      "comment": text_of(values.get("comment")), "reviewer": text_of(values.get("reviewer")),
                      "date": text_of(values.get("date"))})
    return {
        "status": status,
        "label": _REVIEW_LABELS.get(status, status),
        "decision": text_of(review.get("decision")),
        "comment": text_of(review.get("comment")),
        "reviewer": text_of(review.get("reviewer")),
        "date": text_of(review.get("date")),
        "note": text_of(review.get("note")),
        "roles": roles,
        "problems": [text_of(problem) for problem in review.get("problems") or () if text_of(problem)],
    }


def _review_context(result: AuditResult) -> ReviewContext | None:
    if not result.review:
        return None
    from claimaudit.verdicts.review import DECISIONS, review_counts

    decided = [text_of(f.review.get("decision")) for f in result.findings]
    return {
        "workbook": text_of(result.review.get("workbook")),
        "counts": review_counts(result),
        "labels": _REVIEW_LABELS,
        "decisions": {decision: decided.count(decision) for decision in DECISIONS},
        "undecided": decided.count(""),
        "gone": [
            {
                "id": text_of(item.get("id")),
                "document": text_of(item.get("document")),
                "line": text_of(item.get("line")),
                "claim": text_of(item.get("claim")),
                "verdict": text_of(item.get("verdict")),
                "decision": text_of(item.get("decision")),
                "comment": text_of(item.get("comment")),
                "reviewer": text_of(item.get("reviewer")),
                "date": text_of(item.get("date")),
            }
            for item in result.review.get("gone", [])
        ],
    }


_LIBRARY_STATUSES = LIBRARY_STATUSES


def _library_view(match: LibraryMatch | None) -> LibraryView | None:
    if not match:
        return None
    ident, status = text_of(match.get("id")), text_of(match.get("status"))
    if not ident and not status:
        return None
    label = " ".join(part for part in ("library", ident) if part) + (f": {status}" if status else "")
    return {
        "id": ident,
        "status": status,
        "label": label,
        "approved_text": text_of(match.get("approved_text")),
        "differences": [text_of(item) for item in match.get("differences") or () if text_of(item)],
        "approved_by": text_of(match.get("approved_by")),
        "approved_on": text_of(match.get("approved_on")),
        "expires_on": text_of(match.get("expires_on")),
    }


def _problems(row: dict[str, int]) -> int:
    return sum(value for verdict, value in row.items() if verdict != "supported")


def _charted(table: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Every document when they fit the chart, else those with the most problems (then claims)."""
    if len(table) <= CHART_DOCUMENTS:
        return table
    ranked = sorted(enumerate(table.items()), key=lambda item: (
        -_problems(item[1][1]), -sum(item[1][1].values()), item[0]))
    return dict(pair for _, pair in ranked[:CHART_DOCUMENTS])


def _finding_view(finding: Finding, number: int, dom_id: str, in_copy: bool, *, rulebook: RuleBook,
                  sources: dict[str, Source], doc_index: dict[str, int], kinds: dict[str, str]) -> FindingView:
    claim_pieces, evidence_pieces = _claim_and_evidence_pieces(finding)
    best = best_evidence(finding)
    evidence_views: list[EvidenceView] = []
    for rank, item in enumerate(finding.evidence, 1):
        source = sources.get(item.source)
        evidence_views.append({
            "rank": rank,
            "source": item.source,
            "citation": source.citation if source else "",
            "link": source_link(source),
            "similarity": round3(item.similarity),
            "text": item.text,
            "page": item.page,
        })
    reasons: list[ReasonView] = []
    for reason in finding.reasons:
        info = rulebook.get(reason.code, reason.rule)
        reasons.append({
            "code": reason.code,
            "name": rulebook.name_for(reason),
            "family": rulebook.family_for(reason),
            "verdict": reason.verdict,
            "message": reason.message,
            "use_instead": info.use_instead if info else "",
        })
    return {
        "number": number,
        "dom_id": dom_id,
        "id": finding.id,
        "document": finding.document,
        "document_index": doc_index.get(finding.document, 0),
        "line": finding.line,
        "column": finding.column,
        "place": place_label(finding.line, finding.column, finding.page, kinds.get(finding.document, "page")),
        "url": safe_url(finding.url),
        "fetched_at": text_of(finding.fetched_at),
        "verdict": finding.verdict,
        "confidence": round3(finding.confidence),
        "text": finding.text,
        "claim_type": finding.claim_type,
        "section": finding.section,
        "scope": text_of(finding.scope),
        "scope_label": scope_label(text_of(finding.scope)),
        "families": finding_families(finding, rulebook),
        "reasons": reasons,
        "best": evidence_views[0] if evidence_views else None,
        "best_excerpt": excerpt(best.text) if best else "",
        "evidence": evidence_views,
        "claim_pieces": claim_pieces,
        "evidence_pieces": evidence_pieces,
        "suggestion": _useful_suggestion(finding),
        "review": _review_view(finding),
        "suppressed": [{"rule": r, "reason": why} for r, why in finding.suppressed],
        "alignment": [
            {"element": text_of(a.element), "status": text_of(a.status), "claim_words": text_of(a.claim_words),
             "evidence_words": text_of(a.evidence_words), "source": text_of(a.source), "clause": text_of(a.clause),
             "meaning": None if a.meaning is None else round3(a.meaning)}
            for a in finding.alignment if a.status != "not stated"
        ],
        "in_copy": in_copy,
        "register_id": text_of(finding.register_id),
        "library": _library_view(finding.library),
    }


_View = TypeVar("_View")


class _Remade(Sequence[_View]):
    """Views made again each time they are read, one at a time.

    Above the server-rendered limit the templates only count a site's claims, documents
    and text not audited, and every view held at once would take gigabytes; a template
    of one's own that does walk them still gets each view, made as it is reached."""

    def __init__(self, count: int, make: Callable[[], Iterator[_View]]) -> None:
        self._count = count
        self._make = make

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[_View]:
        return self._make()

    @overload
    def __getitem__(self, index: int) -> _View: ...

    @overload
    def __getitem__(self, index: slice) -> list[_View]: ...

    def __getitem__(self, index: int | slice) -> _View | list[_View]:
        if isinstance(index, slice):
            return list(self)[index]
        position = index + self._count if index < 0 else index
        if not 0 <= position < self._count:
            raise IndexError(index)
        return next(itertools.islice(self._make(), position, None))

    def __reversed__(self) -> Iterator[_View]:
        return reversed(list(self))


def build_context(result: AuditResult, server_rows_limit: int = SERVER_ROWS_LIMIT) -> ReportContext:
    """Everything the templates need, with no markup in it.

    ``server_rows_limit``: the most claims whose rows, details and copy views are
    written into the page; a larger audit has them rendered by the page's script, and
    its views are made one at a time, each written into the island and let go (``data``
    is streamed as the page is written: :class:`IslandData`)."""
    rulebook = RuleBook(result.rules)
    findings = sorted_findings(result)
    dom_ids = _dom_ids(findings)
    sources = {source.id: source for source in result.sources}
    by_doc = counts_by_document(result)
    doc_index = {path: i for i, path in enumerate(by_doc)}
    kinds = page_kinds(result)
    server_rows = len(findings) <= server_rows_limit

    by_document: dict[str, list[tuple[Finding, str, int]]] = {}
    for number, (finding, dom_id) in enumerate(zip(findings, dom_ids, strict=True), 1):
        by_document.setdefault(finding.document, []).append((finding, dom_id, number))

    def document_view(i: int, doc: Document) -> DocumentView:
        return {
            "path": doc.path,
            "index": doc_index.get(doc.path, 0),
            "dom_id": f"doc-{i + 1}",
            "claims": len(by_document.get(doc.path, [])),
            "url": safe_url(doc.url),
            "fetched_at": text_of(doc.fetched_at),
            "pages": len(doc.pages),
            "page_kind": doc.page_kind,
            "pieces": _copy_pieces(doc.text, doc.excluded, by_document.get(doc.path, [])),
        }

    island = _IslandBuilder()
    # The copy is cut first, for which claims it marks; its runs wait in the island's spool
    # until the claims have named their strings (the strings are numbered in claim order).
    marked: set[int] = set()  # 0-based numbers of the claims marked in the copy
    document_views: list[DocumentView] = []
    for i, doc in enumerate(result.documents):
        doc_view = document_view(i, doc)
        for piece in doc_view["pieces"]:
            marked.update(piece.starting)
        island.add_copy(doc_view)
        if server_rows:
            document_views.append(doc_view)
        else:
            doc_view["pieces"] = []

    def finding_views() -> Iterator[FindingView]:
        for number, (finding, dom_id) in enumerate(zip(findings, dom_ids, strict=True), 1):
            yield _finding_view(finding, number, dom_id, number - 1 in marked, rulebook=rulebook, sources=sources,
                                doc_index=doc_index, kinds=kinds)

    kept_findings: list[FindingView] = []
    for view in finding_views():
        island.add_claim(view)
        if server_rows:
            kept_findings.append(view)
    island.name_copy_strings()

    rows = not_audited_rows(result)
    not_audited_count = len(rows)
    not_audited_server = not_audited_count <= server_rows_limit
    kept_not_audited: list[NotAuditedView] = []
    for row in rows:
        not_audited_view = _not_audited_view(row, kinds)
        island.add_not_audited(not_audited_view)
        if not_audited_server:
            kept_not_audited.append(not_audited_view)
    del rows

    used_by: dict[str, int] = {}
    for finding in findings:
        for source_id in dict.fromkeys(item.source for item in finding.evidence):
            used_by[source_id] = used_by.get(source_id, 0) + 1
    source_views: list[SourceView] = [
        {
            "id": source.id,
            "citation": source.citation,
            "doi": source.doi,
            "doi_url": doi_url(source.doi),
            "pmid": source.pmid,
            "pmid_url": pmid_url(source.pmid),
            "url": source.url,
            "url_link": safe_url(source.url),
            "kind": source.kind,
            "used_by": used_by.get(source.id, 0),
        }
        for source in result.sources
    ]

    copy_ids: dict[str, str] = {}
    for i, doc in enumerate(result.documents):
        copy_ids.setdefault(doc.path, f"doc-{i + 1}")
    document_rows: list[DocumentRow] = [
        {"index": i, "path": path, "counts": row, "total": sum(row.values()), "copy_id": copy_ids.get(path, "")}
        for i, (path, row) in enumerate(by_doc.items())
    ]
    island.set_documents(document_rows)

    by_verdict = counts_by_verdict(findings)
    by_family = counts_by_family(findings, rulebook)
    findings_seen: Sequence[FindingView] = (
        kept_findings if server_rows else _Remade(len(findings), finding_views))
    documents_seen: Sequence[DocumentView] = (
        document_views if server_rows else _Remade(len(result.documents), lambda: itertools.starmap(
            document_view, enumerate(result.documents))))
    not_audited_seen: Sequence[NotAuditedView] = (
        kept_not_audited if not_audited_server else _Remade(not_audited_count, lambda: (
            _not_audited_view(row, kinds) for row in not_audited_rows(result))))
    return {
        "tool": {"name": TOOL_NAME, "version": text_of(result.tool_version)},
        "summary": result.summary(),
        "verdicts": list(VERDICTS),
        "by_verdict": by_verdict,
        "by_family": by_family,
        "by_document": by_doc,
        "verdict_bars": _bars(by_verdict, css_for=lambda label: f"v-{label}"),
        "family_bars": _bars(by_family),
        "document_stacks": _stacks(_charted(by_doc)),
        "documents_charted_of": len(by_doc),
        "document_rows": document_rows[:DOCUMENT_ROWS],
        "document_count": len(by_doc),
        "server_rows": server_rows,
        "page_size": PAGE_SIZE,
        "families": sorted(by_family),
        "document_paths": list(by_doc),
        "findings": findings_seen,
        "documents": documents_seen,
        "sources": source_views,
        "rules": [_rule_view(info) for info in rulebook.fired(findings)],
        "warnings": [text_of(w) for w in result.warnings],
        "skipped": [{"path": text_of(item.path), "reason": text_of(item.reason)} for item in result.skipped],
        "problems": [{"path": text_of(f"{item.path}:{item.line}" if item.line else item.path),
                      "message": text_of(item.message)} for item in result.problems],
        "review": _review_context(result),
        "not_audited": not_audited_seen,
        "not_audited_server": not_audited_server,
        "semantic_model": text_of(result.semantic_model),
        "data": IslandData(island),
    }


# --------------------------------------------------------------------------- the island


class IslandTable(TypedDict):
    fields: list[str]
    rows: list[list[object]]


class Island(TypedDict):
    """The page's data: what the script filters, sorts and renders rows, details and copy from.

    Text that repeats (messages, evidence, words, paths, labels) is stored once in
    ``strings`` (index 0 is "") and named by its index; each table lists its
    ``fields`` and then ``rows`` of values in that order. See ``_IslandBuilder``."""

    format: str
    version: int
    strings: list[str]
    documents: IslandTable
    copies: IslandTable
    sources: IslandTable
    rules: IslandTable
    reviews: IslandTable
    libraries: IslandTable
    alignments: IslandTable
    claims: IslandTable
    not_audited: IslandTable


# The island's tables. A field named here holds an index into ``strings`` ("s"), a list
# of them ("s[]"), a row number in another table, a literal, or a list of small tuples.
# All text is as a reader of a server-written page gets it (line breaks as "\n", no NUL).
ISLAND_FIELDS: dict[str, tuple[str, ...]] = {
    # The claims-per-document list, in the order of the document filter. Literal path, counts;
    # copy: the row in "copies" (-1: its copy was not read).
    "documents": ("path", "supported", "overstated", "unsupported", "total", "copy"),
    # One document's copy, to build its view on demand. Literals but for url, fetched_at,
    # page_kind (s). pieces: runs of the text, each either its length (plain text) or
    # [length, excluded 0/1, owner claim, [claims covering it], [claims starting], [claims ending]];
    # lengths count UTF-16 code units, as the script's strings do.
    "copies": ("dom", "path", "claims", "url", "fetched_at", "pages", "page_kind", "text", "pieces"),
    "sources": ("id", "citation", "link"),  # all s
    "rules": ("code", "name", "family", "use_instead"),  # all s: a reason's rule, as the reader sees it
    # s but for roles: [[role s, decision s, comment s, reviewer s, date s]], and problems: s[].
    "reviews": ("status", "label", "decision", "comment", "reviewer", "date", "note", "roles", "problems"),
    "libraries": ("id", "status", "label", "approved_text", "differences", "approved_by", "approved_on",
                  "expires_on"),  # s, differences s[]
    "alignments": ("element", "status", "claim_words", "evidence_words", "source", "clause",
                   "meaning"),  # s; meaning: "0.83" (s index) or 0 when matched by words
    # One claim, in report order (its number is its row + 1). id, dom: literal; document: row in
    # "documents"; line, column, confidence, in_copy (0/1): literal; families: s[]; reasons:
    # [[rule row, verdict s, message s]]; evidence: [[source row, text s, similarity, its "%.2f" s,
    # page or null]] best first; claim_pieces, evidence_pieces: [length, kind, ...] over the claim
    # and the best evidence (or [text, kind, ...] where the runs do not join up to it), with kind
    # 0 plain, 1 words that fired a rule, 2 words claim and evidence share; suppressed: [[rule s,
    # reason s]]; alignment: rows of "alignments"; review, library: a row, or -1; the rest s.
    "claims": ("id", "dom", "document", "line", "column", "place", "url", "fetched_at", "verdict",
               "confidence", "confidence_text", "text", "in_copy", "claim_type", "section", "scope",
               "scope_label", "families", "reasons", "evidence", "excerpt", "claim_pieces",
               "evidence_pieces", "suggestion", "review", "suppressed", "alignment", "register_id",
               "library"),
    # Text read but not audited as a claim, in the order of its table. All s.
    "not_audited": ("document", "place", "text", "where", "reason"),
}

_PIECE_KINDS = {"": 0, _HIGHLIGHT_CLASSES["fired"]: 1, _HIGHLIGHT_CLASSES["shared"]: 2}


def _as_parsed(text: str) -> str:
    """Text as the HTML parser hands a server-written row to the reader: line breaks as
    line feeds, no NUL, a lone surrogate as U+FFFD (as the page is written: render_html).
    The island carries text so, and script-rendered rows read the same."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        text = text.replace("\x00", "")
    if not text.isascii():
        text = without_lone_surrogates(text)
    return text


def _utf16_length(text: str) -> int:
    """The length the page's script sees: characters beyond U+FFFF count twice."""
    if text.isascii():
        return len(text)
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


class _Interned:
    """A table of unique values: each added once, then named by its row number."""

    def __init__(self, first: tuple[object, ...] | None = None) -> None:
        self.rows: list[object] = []
        self._index: dict[object, int] = {}
        if first is not None:
            self.add(first)

    def add(self, value: object) -> int:
        found = self._index.get(value)
        if found is None:
            found = self._index[value] = len(self.rows)
            self.rows.append(value)
        return found


# As the environment's |tojson writes (make_environment): compact, ASCII, and safe inside <script>.
_JSON_OPTIONS: dict[str, Any] = {"sort_keys": False, "ensure_ascii": True, "separators": (",", ":")}
_JSON = json.JSONEncoder(**_JSON_OPTIONS)
_HTML_UNSAFE_IN_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "'": "\\u0027"})

WRITE_BLOCK = 1 << 16  # characters: the most of the page written in one piece
_SPOOL_IN_MEMORY = 1 << 18  # bytes of island rows held in memory before they go to a temporary file
_ROWS_PER_PIECE = 2048  # rows of a table held in memory as JSON text at once


def _json(value: object) -> str:
    return _JSON.encode(value).translate(_HTML_UNSAFE_IN_JSON)


def _json_rows(rows: Iterable[object]) -> Iterator[str]:
    """The rows of a table as JSON text, comma-separated, a few thousand rows a piece."""
    separator = ""
    items = iter(rows)
    while batch := list(itertools.islice(items, _ROWS_PER_PIECE)):
        yield separator + _json(batch)[1:-1]
        separator = ","


class _Spool:
    """JSON text of island rows, kept in a temporary file (in memory while small) until the table
    of strings that comes before them in the page is complete."""

    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY)
        self.size = 0

    def write(self, text: str) -> None:
        data = text.encode("ascii")  # the JSON is ASCII: every other character is escaped
        self._file.write(data)
        self.size += len(data)

    def add_row(self, row: object) -> None:
        self.write(("," if self.size else "") + _json(row))

    def read(self, start: int = 0, length: int | None = None) -> Iterator[str]:
        remaining = self.size - start if length is None else length
        self._file.seek(start)
        while remaining > 0:
            block = self._file.read(min(remaining, WRITE_BLOCK))
            if not block:
                break
            remaining -= len(block)
            yield block.decode("ascii")
        self._file.seek(0, os.SEEK_END)

    def close(self) -> None:
        self._file.close()


class _IslandBuilder:
    """The island (ISLAND_FIELDS says what each value is), built a view at a time.

    Strings are numbered as they are first met: the claims, then each document's copy, then the
    text not audited. Rows are written as JSON text as soon as they are built; a copy's row waits
    for the numbers of its three strings, which come after every claim's."""

    def __init__(self) -> None:
        self.strings = _Interned()
        self.strings.add("")
        self.sources, self.rules, self.reviews, self.libraries, self.alignments = (_Interned() for _ in range(5))
        self.claims, self.copies, self.not_audited = _Spool(), _Spool(), _Spool()
        self._copy_heads: list[tuple[str, str, int, str, str, int, str]] = []
        self._copy_spans: list[tuple[int, int]] = []  # where each copy's text and runs are in self.copies
        self._copy_starts: list[str] = []  # each copy's row up to its text, once its strings are named
        self._copy_of: dict[str, int] = {}
        self._documents: list[list[object]] = []

    def s(self, text: str) -> int:
        return self.strings.add(_as_parsed(text))

    def _pieces(self, whole: str, items: list[TextPiece]) -> list[int | str]:
        # Each run is parsed on its own in a server-written page; should that give other text
        # than the whole (a CR LF pair cut in two), the runs are given as text, not lengths.
        texts = [_as_parsed(piece.text) for piece in items]
        as_text = "".join(texts) != _as_parsed(whole)
        flat: list[int | str] = []
        for text, piece in zip(texts, items, strict=True):
            flat += [text if as_text else _utf16_length(text), _PIECE_KINDS.get(piece.classes, 0)]
        return flat

    def add_claim(self, f: FindingView) -> None:
        s = self.s
        review = f["review"]
        review_row = -1
        if any(review.values()):
            review_row = self.reviews.add((
                *(s(review[key]) for key in ("status", "label", "decision", "comment", "reviewer", "date", "note")),
                tuple((s(role["role"]), s(role["decision"]), s(role["comment"]), s(role["reviewer"]), s(role["date"]))
                      for role in review["roles"]),
                tuple(s(problem) for problem in review["problems"]),
            ))
        library = f["library"]
        library_row = -1
        if library:
            library_row = self.libraries.add((
                s(library["id"]), s(library["status"]), s(library["label"]), s(library["approved_text"]),
                tuple(s(item) for item in library["differences"]), s(library["approved_by"]),
                s(library["approved_on"]), s(library["expires_on"]),
            ))
        self.claims.add_row([
            _as_parsed(f["id"]), f["dom_id"], f["document_index"], f["line"], f["column"], s(f["place"]), s(f["url"]),
            s(f["fetched_at"]), s(f["verdict"]), f["confidence"], s("%.2f" % f["confidence"]), s(f["text"]),
            1 if f["in_copy"] else 0, s(f["claim_type"]), s(f["section"]), s(f["scope"]), s(f["scope_label"]),
            [s(family) for family in f["families"]],
            [[self.rules.add((s(r["code"]), s(r["name"]), s(r["family"]), s(r["use_instead"]))), s(r["verdict"]),
              s(r["message"])] for r in f["reasons"]],
            [[self.sources.add((s(e["source"]), s(e["citation"]), s(e["link"]))), s(e["text"]), e["similarity"],
              s("%.2f" % e["similarity"]), e["page"]] for e in f["evidence"]],
            s(f["best_excerpt"]), self._pieces(f["text"], f["claim_pieces"]),
            self._pieces(f["best"]["text"] if f["best"] else "", f["evidence_pieces"]), s(f["suggestion"]),
            review_row,
            [[s(item["rule"]), s(item["reason"])] for item in f["suppressed"]],
            [self.alignments.add((s(a["element"]), s(a["status"]), s(a["claim_words"]), s(a["evidence_words"]),
                                  s(a["source"]), s(a["clause"]),
                                  0 if a["meaning"] is None else s("%.2f" % a["meaning"])))
             for a in f["alignment"]],
            s(f["register_id"]), library_row,
        ])

    def add_copy(self, doc: DocumentView) -> None:
        """A document's copy: its text and runs are written now, its strings named later
        (name_copy_strings), after every claim's."""
        self._copy_of.setdefault(doc["path"], len(self._copy_heads))
        runs: list[object] = []
        texts = [_as_parsed(piece.text) for piece in doc["pieces"]]
        for text, piece in zip(texts, doc["pieces"], strict=True):
            length = _utf16_length(text)
            if piece.owner < 0 and not piece.excluded and not piece.ending:
                runs.append(length)
            else:
                runs.append([length, 1 if piece.excluded else 0, piece.owner, piece.covering, piece.starting,
                             piece.ending])
        start = self.copies.size
        self.copies.write(_json(["".join(texts), runs])[1:])  # the rest of the row: text, runs]
        self._copy_spans.append((start, self.copies.size - start))
        self._copy_heads.append((doc["dom_id"], _as_parsed(doc["path"]), doc["claims"], doc["url"],
                                 doc["fetched_at"], doc["pages"], doc["page_kind"]))

    def name_copy_strings(self) -> None:
        s = self.s
        for dom_id, path, claims, url, fetched_at, pages, page_kind in self._copy_heads:
            self._copy_starts.append(_json([dom_id, path, claims, s(url), s(fetched_at), pages, s(page_kind)])[:-1]
                                     + ",")
        self._copy_heads = []

    def add_not_audited(self, row: NotAuditedView) -> None:
        s = self.s
        self.not_audited.add_row([s(row["document"]), s(row["place"]), s(row["text"]), s(row["where"]),
                                  s(row["reason"])])

    def set_documents(self, document_rows: list[DocumentRow]) -> None:
        self._documents = [
            [_as_parsed(row["path"]), row["counts"].get("supported", 0), row["counts"].get("overstated", 0),
             row["counts"].get("unsupported", 0), row["total"], self._copy_of.get(row["path"], -1)]
            for row in document_rows]

    def _copy_rows(self) -> Iterator[str]:
        for i, (start, (at, length)) in enumerate(zip(self._copy_starts, self._copy_spans, strict=True)):
            yield ("," if i else "") + start
            yield from self.copies.read(at, length)

    def chunks(self) -> Iterator[str]:
        """The island as the page carries it, a piece at a time: the same text as ``|tojson``
        makes of it whole (Island)."""
        yield _json({"format": ISLAND_FORMAT, "version": ISLAND_VERSION})[:-1] + ',"strings":['
        yield from _json_rows(str(item) for item in self.strings.rows)
        yield "]"
        tables: list[tuple[str, Iterator[str]]] = [
            ("documents", _json_rows(self._documents)),
            ("copies", self._copy_rows()),
            ("sources", _json_rows(self.sources.rows)),
            ("rules", _json_rows(self.rules.rows)),
            ("reviews", _json_rows(self.reviews.rows)),
            ("libraries", _json_rows(self.libraries.rows)),
            ("alignments", _json_rows(self.alignments.rows)),
            ("claims", self.claims.read()),
            ("not_audited", self.not_audited.read()),
        ]
        for name, rows in tables:
            yield "," + _json(name) + ':{"fields":' + _json(list(ISLAND_FIELDS[name])) + ',"rows":['
            yield from rows
            yield "]}"
        yield "}"

    def close(self) -> None:
        for spool in (self.claims, self.copies, self.not_audited):
            spool.close()


class IslandData(Mapping[str, Any]):
    """The page's data island (an Island once parsed) as the templates see it.

    ``{{ data|tojson }}`` writes it a piece at a time as the page is written (html_chunks), so a
    site's island is never held whole; a template of one's own that reads it as a mapping gets
    it parsed whole."""

    def __init__(self, builder: _IslandBuilder) -> None:
        self._builder = builder
        self._parsed: dict[str, Any] | None = None
        self.placeholder = ""  # while the page streams: written where the island goes, then replaced

    def chunks(self) -> Iterator[str]:
        return self._builder.chunks()

    def _whole(self) -> dict[str, Any]:
        if self._parsed is None:
            self._parsed = json.loads("".join(self.chunks()))
        return self._parsed

    def __getitem__(self, key: str) -> Any:
        return self._whole()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._whole())

    def __len__(self) -> int:
        return len(self._whole())

    def close(self) -> None:
        self._builder.close()


def _not_audited_view(row: NotAuditedRow, kinds: dict[str, str]) -> NotAuditedView:
    page = row.get("page")
    place = str(row["line"]) if page is None else place_label(row["line"], None, page, kinds.get(row["document"], "page"))
    return {**row, "where": scope_label(row["scope"]), "place": place}


# --------------------------------------------------------------------------- rendering


def make_environment(template_dirs: Iterable[str | os.PathLike[str]] | None = ()) -> Environment:
    """A Jinja environment that prefers the user's templates over the packaged ones."""
    user_dirs = [os.fspath(d) for d in template_dirs or ()]
    loaders: list[BaseLoader] = [FileSystemLoader(user_dirs)] if user_dirs else []
    loaders.append(PackageLoader("claimaudit.report", "templates"))
    env = Environment(
        loader=ChoiceLoader(loaders),
        # Markup templates escape; the stylesheet and script are code, not markup.
        autoescape=select_autoescape(
            enabled_extensions=("html", "htm", "xml", "j2"),
            disabled_extensions=("css", "js"),
            default_for_string=True,
            default=True,
        ),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    # Compact: the island of a site's audit is megabytes of small numbers.
    env.policies["json.dumps_kwargs"] = dict(_JSON_OPTIONS)
    plain_tojson = env.filters["tojson"]

    @pass_eval_context
    def tojson(eval_ctx: EvalContext, value: Any, indent: int | None = None) -> Markup:
        if isinstance(value, IslandData):
            if indent is None:
                # Streaming, the island goes in where its placeholder is written.
                return Markup(value.placeholder or "".join(value.chunks()))
            value = dict(value)
        return plain_tojson(eval_ctx, value, indent)

    env.filters["tojson"] = tojson
    return env


def _inline_asset(env: Environment, name: str) -> Markup:
    """A packaged (or user-overridden) stylesheet or script, ready to inline."""
    code = env.get_template(name).render()
    if _CLOSING_TAG.search(code):
        raise ValueError(f"{name} must not contain a closing </script> or </style> tag")
    return Markup(code)  # our own code file, not audited text


def _csp_hash(code: str) -> str:
    digest = hashlib.sha256(code.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


@contextmanager
def _without_collector_pauses() -> Iterator[None]:
    """Hold the cyclic garbage collector while the page is built.

    An audit's result is millions of small objects that all live while the page is
    written; left on, the collector walks them again and again and takes half the
    time of the render."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _with_island(pieces: Iterable[str], island: IslandData) -> Iterator[str]:
    for piece in pieces:
        if island.placeholder not in piece:
            yield piece
            continue
        parts = piece.split(island.placeholder)
        yield parts[0]
        for part in parts[1:]:
            yield from island.chunks()
            yield part


def _in_blocks(pieces: Iterable[str]) -> Iterator[str]:
    """The pieces joined into blocks of at most WRITE_BLOCK characters."""
    held: list[str] = []
    size = 0
    for piece in pieces:
        if size + len(piece) > WRITE_BLOCK and held:
            yield "".join(held)
            held, size = [], 0
        if len(piece) > WRITE_BLOCK:
            for at in range(0, len(piece), WRITE_BLOCK):
                yield piece[at:at + WRITE_BLOCK]
            continue
        held.append(piece)
        size += len(piece)
    if held:
        yield "".join(held)


def html_chunks(result: AuditResult, template_dirs: Iterable[str | os.PathLike[str]] | None = (), *,
                server_rows_limit: int = SERVER_ROWS_LIMIT) -> Iterator[str]:
    """The report (render_html's text) a block of at most WRITE_BLOCK characters at a time.

    The page is rendered as it is read, and the island comes from the rows it was built into,
    so a site's report is never held whole, nor every claim's view at once."""
    env = make_environment(template_dirs)
    css = Markup(_inline_asset(env, STYLE_TEMPLATE) + "\n" + _inline_asset(env, PRINT_STYLE_TEMPLATE))
    js = _inline_asset(env, SCRIPT_TEMPLATE)
    # Only our own script and stylesheet may run, and nothing may be fetched.
    csp = (
        "default-src 'none'; "
        f"script-src {_csp_hash(js)}; "
        f"style-src {_csp_hash(css)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    template = env.get_template(MAIN_TEMPLATE)
    with _without_collector_pauses():
        context = build_context(result, server_rows_limit)
        island = context["data"]
        try:
            # Random, so that no audited text can stand in for it.
            island.placeholder = f"claimaudit-island-{secrets.token_hex(16)}"
            for block in _in_blocks(_with_island(template.generate(css=css, js=js, csp=csp, **context), island)):
                # Written out, a lone surrogate (from an API caller's text) would fail to encode as UTF-8.
                yield without_lone_surrogates(block)
        finally:
            island.close()


def render_html(result: AuditResult, template_dirs: Iterable[str | os.PathLike[str]] | None = (), *,
                server_rows_limit: int = SERVER_ROWS_LIMIT) -> str:
    """The whole report as one HTML document with its styles, script and data inlined.

    Up to ``server_rows_limit`` claims their rows are written into the page; above it
    the page's script renders them from the data island, a page at a time."""
    return "".join(html_chunks(result, template_dirs, server_rows_limit=server_rows_limit))


def html_writer(result: AuditResult, template_dirs: Iterable[str | os.PathLike[str]] | None = (), *,
                server_rows_limit: int = SERVER_ROWS_LIMIT) -> Callable[[BinaryIO], None]:
    """A function that writes the report into a binary file as it is rendered (for
    ``claimaudit.files.write_atomic`` and ``write_atomic_set``)."""

    def write(handle: BinaryIO) -> None:
        for block in html_chunks(result, template_dirs, server_rows_limit=server_rows_limit):
            handle.write(block.encode("utf-8"))

    return write


def write_html(result: AuditResult, path: str | os.PathLike[str],
               template_dirs: Iterable[str | os.PathLike[str]] | None = (), *,
               server_rows_limit: int = SERVER_ROWS_LIMIT) -> Path:
    return write_atomic(path, html_writer(result, template_dirs, server_rows_limit=server_rows_limit))
