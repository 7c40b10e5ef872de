"""The HTML report: one self-contained file a reviewer can open, filter and print.

Templates live in ``templates/`` and can be overridden one by one from
user-supplied folders. Every piece of audited text reaches the page through
Jinja autoescaping; highlighting is done by cutting text into segments here in
Python, never by editing HTML strings.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypedDict

from jinja2 import (
    BaseLoader,
    ChoiceLoader,
    Environment,
    FileSystemLoader,
    PackageLoader,
    StrictUndefined,
    select_autoescape,
)
from markupsafe import Markup

from claimaudit.model import VERDICT_RANK, VERDICTS, AuditResult, Finding, ReviewState, Span

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
    write_atomic,
)
from .json_report import NotAuditedRow, ReportData, ToolData, not_audited_rows, report_data

MAIN_TEMPLATE = "report.html.j2"
STYLE_TEMPLATE = "report.css"
PRINT_STYLE_TEMPLATE = "report-print.css"  # a template of its own, so a team may override how it prints
SCRIPT_TEMPLATE = "report.js"

CHART_BAR_WIDTH = 240  # pixels for the largest bar

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


class ReviewView(TypedDict):
    status: str
    label: str
    decision: str
    comment: str
    reviewer: str
    date: str
    note: str


class SuppressedView(TypedDict):
    rule: str
    reason: str


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


class DocumentView(TypedDict):
    path: str
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


class ReportContext(TypedDict):
    tool: ToolData
    summary: dict[str, int]
    verdicts: list[str]
    by_verdict: dict[str, int]
    by_family: dict[str, int]
    by_document: dict[str, dict[str, int]]
    verdict_bars: list[BarItem]
    family_bars: list[BarItem]
    document_stacks: list[StackItem]
    families: list[str]
    document_paths: list[str]
    findings: list[FindingView]
    documents: list[DocumentView]
    sources: list[SourceView]
    rules: list[RuleView]
    warnings: list[str]
    skipped: list[SkippedView]
    problems: list[ProblemView]
    review: ReviewContext | None
    not_audited: list[NotAuditedView]
    semantic_model: str  # the sentence model weighed beside the words (--semantic), or ""
    data: ReportData  # the JSON report, embedded for the page's script


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
            fresh = [i for i in covering if i not in started]
            started.update(fresh)
            if fresh:
                piece.mark_id = f"mark-{findings[fresh[0]][1]}"
                piece.anchor_ids = [f"mark-{findings[i][1]}" for i in fresh[1:]]
        piece.backlinks = [
            (f"row-{findings[i][1]}", findings[i][2]) for i in ends_at.get(seg.end, [])
            if clamp_span((findings[i][0].start, findings[i][0].end), len(text))
        ]
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
        "message": info.message,
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
    "new": "new since review",
}


def _review_view(finding: Finding) -> ReviewView:
    review = finding.review or ReviewState()
    status = text_of(review.get("status"))
    return {
        "status": status,
        "label": _REVIEW_LABELS.get(status, status),
        "decision": text_of(review.get("decision")),
        "comment": text_of(review.get("comment")),
        "reviewer": text_of(review.get("reviewer")),
        "date": text_of(review.get("date")),
        "note": text_of(review.get("note")),
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


def build_context(result: AuditResult) -> ReportContext:
    """Everything the templates need, with no markup in it."""
    rulebook = RuleBook(result.rules)
    findings = sorted_findings(result)
    dom_ids = _dom_ids(findings)
    sources = {source.id: source for source in result.sources}
    doc_index = {path: i for i, path in enumerate(counts_by_document(result))}

    kinds = page_kinds(result)
    finding_views: list[FindingView] = []
    for number, (finding, dom_id) in enumerate(zip(findings, dom_ids, strict=True), 1):
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
        finding_views.append({
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
            "in_copy": False,
        })

    documents: list[DocumentView] = []
    by_document: dict[str, list[tuple[Finding, str, int]]] = {}
    for view, finding in zip(finding_views, findings, strict=True):
        by_document.setdefault(finding.document, []).append(
            (finding, view["dom_id"], view["number"])
        )
    for i, doc in enumerate(result.documents):
        documents.append({
            "path": doc.path,
            "dom_id": f"doc-{i + 1}",
            "claims": len(by_document.get(doc.path, [])),
            "url": safe_url(doc.url),
            "fetched_at": text_of(doc.fetched_at),
            "pages": len(doc.pages),
            "page_kind": doc.page_kind,
            "pieces": _copy_pieces(doc.text, doc.excluded, by_document.get(doc.path, [])),
        })
    marked = {
        mark_id
        for doc in documents
        for piece in doc["pieces"]
        for mark_id in [piece.mark_id, *piece.anchor_ids]
        if mark_id
    }
    for view in finding_views:
        view["in_copy"] = f"mark-{view['dom_id']}" in marked

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

    by_verdict = counts_by_verdict(findings)
    by_family = counts_by_family(findings, rulebook)
    by_doc = counts_by_document(result)
    return {
        "tool": {"name": TOOL_NAME, "version": text_of(result.tool_version)},
        "summary": result.summary(),
        "verdicts": list(VERDICTS),
        "by_verdict": by_verdict,
        "by_family": by_family,
        "by_document": by_doc,
        "verdict_bars": _bars(by_verdict, css_for=lambda label: f"v-{label}"),
        "family_bars": _bars(by_family),
        "document_stacks": _stacks(by_doc),
        "families": sorted(by_family),
        "document_paths": list(by_doc),
        "findings": finding_views,
        "documents": documents,
        "sources": source_views,
        "rules": [_rule_view(info) for info in rulebook.fired(findings)],
        "warnings": [text_of(w) for w in result.warnings],
        "skipped": [{"path": text_of(item.path), "reason": text_of(item.reason)} for item in result.skipped],
        "problems": [{"path": text_of(f"{item.path}:{item.line}" if item.line else item.path),
                      "message": text_of(item.message)} for item in result.problems],
        "review": _review_context(result),
        "not_audited": [_not_audited_view(row, kinds) for row in not_audited_rows(result)],
        "semantic_model": text_of(result.semantic_model),
        "data": report_data(result),
    }


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
    env.policies["json.dumps_kwargs"] = {"sort_keys": False, "ensure_ascii": True}
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


def render_html(result: AuditResult, template_dirs: Iterable[str | os.PathLike[str]] | None = ()) -> str:
    """The whole report as one HTML document with its styles, script and data inlined."""
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
    context = build_context(result)
    return env.get_template(MAIN_TEMPLATE).render(css=css, js=js, csp=csp, **context)


def write_html(result: AuditResult, path: str | os.PathLike[str],
               template_dirs: Iterable[str | os.PathLike[str]] | None = ()) -> Path:
    return write_atomic(path, render_html(result, template_dirs))
