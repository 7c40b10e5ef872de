"""The JSON report: the stable, machine-readable form of an audit (contract.md).

Key order is fixed by construction and lists are sorted, so the same audit
always serialises to the same bytes.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, BinaryIO, NotRequired, TypedDict

from claimaudit.model import (
    AlignedElement,
    AuditResult,
    Document,
    Evidence,
    Finding,
    GoneClaim,
    LibraryMatch,
    NotAudited,
    Source,
)

if TYPE_CHECKING:
    from claimaudit.pipeline import BatchResult

from .common import (
    TOOL_NAME,
    without_lone_surrogates,
    RuleBook,
    claim_counts_by_document,
    round3,
    sorted_findings,
    text_of,
    write_atomic,
)

SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- the report's shape (contract.md)


class ToolData(TypedDict):
    name: str
    version: str


class DocumentData(TypedDict):
    path: str
    claims: int
    url: NotRequired[str]  # copy fetched from the web: the address read (after redirects)
    fetched_at: NotRequired[str]
    pages: NotRequired[int]  # paged copy: its pages, or slides


def document_fields(document: Document | None) -> dict[str, str | int]:
    """What the report says of a document beyond its path: only what is set."""
    fields: dict[str, str | int] = {}
    if document is None:
        return fields
    if document.url:
        fields["url"] = text_of(document.url)
    if document.fetched_at:
        fields["fetched_at"] = text_of(document.fetched_at)
    if document.pages:
        fields["pages"] = len(document.pages)
    return fields


class SourceData(TypedDict):
    id: str
    citation: str
    doi: str
    pmid: str
    url: str
    kind: str
    # Only where the pack gives them (a bibliographic export, a paper's PDF).
    authors: NotRequired[list[str]]
    year: NotRequired[str]
    title: NotRequired[str]
    journal: NotRequired[str]
    pages: NotRequired[int]  # a source read from a paper's PDF: its pages


class SummaryData(TypedDict):
    claims: int
    supported: int
    overstated: int
    unsupported: int


class ReasonData(TypedDict):
    rule: str
    code: str
    message: str
    claim_span: list[int] | None
    evidence_span: list[int] | None
    verdict: str
    family: str
    evidence_source: str
    suggestion: str


class EvidenceData(TypedDict):
    source: str
    text: str
    similarity: float
    start: int
    end: int
    page: NotRequired[int]  # the page of the source's PDF the sentence is on


class AlignmentData(TypedDict):
    element: str
    status: str
    claim_words: str
    evidence_words: str
    source: str
    clause: NotRequired[str]  # only for a claim judged clause by clause
    meaning: NotRequired[float]  # only for an element matched by meaning (the semantic extra): the words' cosine


class SuppressedData(TypedDict):
    rule: str
    reason: str


class ReviewData(TypedDict):
    status: str
    decision: str
    comment: str
    reviewer: str
    date: str
    note: str
    previous_id: str
    previous_verdict: str


class FindingData(TypedDict):
    id: str
    document: str
    text: str
    start: int
    end: int
    line: int
    column: int
    verdict: str
    confidence: float
    claim_type: str
    section: str
    scope: str
    reasons: list[ReasonData]
    evidence: list[EvidenceData]
    suggestion: str
    alignment: list[AlignmentData]
    suppressed: list[SuppressedData]
    page: NotRequired[int]  # paged copy (PDF page, PPTX slide); `line` then counts from its top
    url: NotRequired[str]  # copy fetched from the web
    fetched_at: NotRequired[str]
    review: NotRequired[ReviewData]  # only when decisions were carried from a reviewed workbook
    fingerprint: NotRequired[str]  # normalised words + cited sources: the key approvals follow
    cited: NotRequired[list[str]]  # the source ids the claim cites
    register_id: NotRequired[str]  # a claims register's own id for the row
    library: NotRequired["LibraryData"]


class LibraryData(TypedDict):
    id: str
    status: str  # approved | deviates | expired
    approved_text: NotRequired[str]
    differences: NotRequired[list[str]]
    approved_by: NotRequired[str]
    approved_on: NotRequired[str]
    expires_on: NotRequired[str]


class RuleData(TypedDict):
    code: str
    name: str
    family: str
    level: str


class NotAuditedRow(TypedDict):
    document: str
    text: str
    line: int
    reason: str
    scope: str
    page: NotRequired[int]


class SkippedData(TypedDict):
    path: str
    reason: str


class ProblemData(TypedDict):
    path: str
    line: int | None
    message: str


class ReviewBlock(TypedDict):
    workbook: str
    counts: dict[str, int]
    gone: list[GoneClaim]


class SemanticData(TypedDict):
    model: str


class LibraryRunData(TypedDict):
    file: str
    as_of: str  # ISO date the approvals and expiries were judged on
    claims: int


class ReportData(TypedDict):
    schema_version: int
    tool: ToolData
    documents: list[DocumentData]
    sources: list[SourceData]
    summary: SummaryData
    findings: list[FindingData]
    rules: list[RuleData]
    warnings: list[str]
    not_audited: list[NotAuditedRow]
    # Only when the run weighed meaning beside the words (--semantic): the sentence model it used.
    semantic: NotRequired[SemanticData]
    # Only when a claims library was applied (--library).
    library: NotRequired[LibraryRunData]
    # These appear only when there is something to list.
    skipped: NotRequired[list[SkippedData]]
    problems: NotRequired[list[ProblemData]]
    review: NotRequired[ReviewBlock]
    # Only in `check --format json` (report.check_json): what the gate decided.
    check: NotRequired[dict[str, object]]


def _span(span: tuple[int, int] | None) -> list[int] | None:
    if span is None:
        return None
    try:
        return [int(span[0]), int(span[1])]
    except (TypeError, ValueError, IndexError):
        return None


REVIEW_KEYS = ("status", "decision", "comment", "reviewer", "date", "note", "previous_id",
               "previous_verdict")
GONE_KEYS = ("id", "document", "line", "claim", "verdict", "decision", "comment", "reviewer", "date")


def _review(finding: Finding) -> ReviewData:
    review = finding.review
    # In REVIEW_KEYS order.
    return {
        "status": text_of(review.get("status")),
        "decision": text_of(review.get("decision")),
        "comment": text_of(review.get("comment")),
        "reviewer": text_of(review.get("reviewer")),
        "date": text_of(review.get("date")),
        "note": text_of(review.get("note")),
        "previous_id": text_of(review.get("previous_id")),
        "previous_verdict": text_of(review.get("previous_verdict")),
    }


def _review_block(result: AuditResult) -> ReviewBlock:
    from claimaudit.verdicts.review import review_counts

    return {
        "workbook": text_of(result.review.get("workbook")),
        "counts": review_counts(result),
        "gone": [
            # In GONE_KEYS order.
            {
                "id": text_of(item.get("id")),
                "document": text_of(item.get("document")),
                "line": item.get("line"),
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


def _aligned(item: AlignedElement) -> AlignmentData:
    aligned: AlignmentData = {
        "element": text_of(item.element),
        "status": text_of(item.status),
        "claim_words": text_of(item.claim_words),
        "evidence_words": text_of(item.evidence_words),
        "source": text_of(item.source),
    }
    if item.clause:
        aligned["clause"] = text_of(item.clause)
    if item.meaning is not None:
        aligned["meaning"] = round3(item.meaning)
    return aligned


def _evidence(item: Evidence) -> EvidenceData:
    row: EvidenceData = {
        "source": text_of(item.source),
        "text": text_of(item.text),
        "similarity": round3(item.similarity),
        "start": int(item.start),
        "end": int(item.end),
    }
    if item.page is not None:
        row["page"] = int(item.page)
    return row


def _source(source: Source) -> SourceData:
    row: SourceData = {
        "id": text_of(source.id),
        "citation": text_of(source.citation),
        "doi": text_of(source.doi),
        "pmid": text_of(source.pmid),
        "url": text_of(source.url),
        "kind": text_of(source.kind),
    }
    if source.authors:
        row["authors"] = [text_of(a) for a in source.authors]
    if source.year:
        row["year"] = text_of(source.year)
    if source.title:
        row["title"] = text_of(source.title)
    if source.journal:
        row["journal"] = text_of(source.journal)
    if source.pages:
        row["pages"] = len(source.pages)
    return row


def _finding(finding: Finding, rulebook: RuleBook) -> FindingData:
    data = _finding_fields(finding, rulebook)
    # Only copy with pages, or read from the web, says where; other JSON is unchanged.
    if finding.page is not None:
        data["page"] = int(finding.page)
    if finding.url:
        data["url"] = text_of(finding.url)
    if finding.fetched_at:
        data["fetched_at"] = text_of(finding.fetched_at)
    if finding.fingerprint:
        data["fingerprint"] = text_of(finding.fingerprint)
    if finding.cited:
        data["cited"] = [text_of(source) for source in finding.cited]
    if finding.register_id:
        data["register_id"] = text_of(finding.register_id)
    if finding.library:
        data["library"] = library_fields(finding.library)
    return data


def library_fields(match: LibraryMatch) -> LibraryData:
    """The library match as the report states it: id and status first, then what is known."""
    data: LibraryData = {"id": text_of(match.get("id")), "status": text_of(match.get("status"))}
    for key in ("approved_text", "approved_by", "approved_on", "expires_on"):
        if match.get(key):
            data[key] = text_of(match.get(key))
    if match.get("differences"):
        data["differences"] = [text_of(item) for item in match.get("differences", [])]
    return data


def _finding_fields(finding: Finding, rulebook: RuleBook) -> FindingData:
    return {
        "id": text_of(finding.id),
        "document": text_of(finding.document),
        "text": text_of(finding.text),
        "start": int(finding.start),
        "end": int(finding.end),
        "line": int(finding.line),
        "column": int(finding.column),
        "verdict": text_of(finding.verdict),
        "confidence": round3(finding.confidence),
        "claim_type": text_of(finding.claim_type),
        "section": text_of(finding.section),
        "scope": text_of(finding.scope) or "body",
        "reasons": [
            {
                "rule": text_of(reason.rule),
                "code": text_of(reason.code),
                "message": text_of(reason.message),
                "claim_span": _span(reason.claim_span),
                "evidence_span": _span(reason.evidence_span),
                "verdict": text_of(reason.verdict),
                "family": rulebook.family_for(reason),
                "evidence_source": text_of(reason.evidence_source),
                "suggestion": text_of(reason.suggestion),
            }
            for reason in finding.reasons
        ],
        "evidence": [_evidence(item) for item in finding.evidence],
        "suggestion": text_of(finding.suggestion),
        "alignment": [_aligned(item) for item in finding.alignment],
        "suppressed": [
            {"rule": text_of(rule), "reason": text_of(why)} for rule, why in finding.suppressed
        ],
    }


def not_audited_rows(result: AuditResult) -> list[NotAuditedRow]:
    """What was read but not audited as a claim, with why: by document (input order), then place."""
    order = {doc.path: i for i, doc in enumerate(result.documents)}
    items = sorted(
        result.not_audited,
        key=lambda n: (order.get(n.document, len(order)), text_of(n.document), n.page or 0, int(n.line), int(n.column),
                       text_of(n.text), text_of(n.reason)),
    )
    return [_not_audited(n) for n in items]


def _not_audited(item: NotAudited) -> NotAuditedRow:
    row: NotAuditedRow = {"document": text_of(item.document), "text": text_of(item.text), "line": int(item.line),
                          "reason": text_of(item.reason), "scope": text_of(item.scope) or "body"}
    if item.page is not None:
        row["page"] = int(item.page)
    return row


def report_data(result: AuditResult) -> ReportData:
    """The JSON report as plain Python data, in its serialised key order."""
    rulebook, findings, head, tail = _report_parts(result)
    data = {**head, "findings": [finding_data(finding, rulebook, result) for finding in findings], **tail}
    return data  # type: ignore[return-value]


def finding_data(finding: Finding, rulebook: RuleBook, result: AuditResult) -> FindingData:
    """One finding as the report holds it (in ``findings`` of audit.json, and a line of audit.jsonl)."""
    data = _finding(finding, rulebook)
    # Review fields appear only when decisions were carried, so a plain audit's JSON is unchanged.
    if result.review:
        data["review"] = _review(finding)
    return data


def _report_parts(result: AuditResult) -> tuple[RuleBook, list[Finding], dict[str, object], dict[str, object]]:
    """What the report holds around its findings: the rule book they are read with, the findings in
    report order, and the keys before and after ``findings``, each in serialised order."""
    rulebook = RuleBook(result.rules)
    findings = sorted_findings(result)
    summary = result.summary()
    by_path = {document.path: document for document in result.documents}
    head: dict[str, object] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": TOOL_NAME, "version": text_of(result.tool_version)},
        "documents": [
            {"path": path, "claims": count, **document_fields(by_path.get(path))}
            for path, count in claim_counts_by_document(result).items()
        ],
        "sources": [_source(source) for source in result.sources],
        "summary": {
            "claims": summary["claims"],
            "supported": summary["supported"],
            "overstated": summary["overstated"],
            "unsupported": summary["unsupported"],
        },
    }
    tail: dict[str, object] = {
        "rules": [
            {"code": info.code, "name": info.name, "family": info.family, "level": info.level}
            for info in rulebook.fired(findings)
        ],
        "warnings": [text_of(w) for w in result.warnings],
        "not_audited": not_audited_rows(result),
    }
    # Only a run that used the sentence model says so, so a rule-only audit's JSON is unchanged.
    if result.semantic_model:
        tail["semantic"] = {"model": text_of(result.semantic_model)}
    if result.library_used:
        # The date approvals were judged on: with it, the same library gives the same statuses.
        tail["library"] = {
            "file": text_of(result.library_used.get("file")),
            "as_of": text_of(result.library_used.get("as_of")),
            "claims": int(result.library_used.get("claims", 0)),
        }
    # Like the review fields, these appear only when there is something to list.
    if result.skipped:
        tail["skipped"] = [{"path": text_of(item.path), "reason": text_of(item.reason)} for item in result.skipped]
    if result.problems:
        tail["problems"] = [{"path": text_of(item.path), "line": item.line, "message": text_of(item.message)}
                            for item in result.problems]
    if result.review:
        tail["review"] = _review_block(result)
    return rulebook, findings, head, tail


# Nesting in audit.json: a value of the report's object, and a finding inside its `findings` list.
_TOP_INDENT = "\n  "
_FINDING_INDENT = "\n    "


def _indented(value: object, indent: str) -> str:
    # A raw newline in json.dumps output only ever separates items (newlines inside strings
    # are escaped), so indenting after each one nests the value exactly as one big dumps would.
    return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", indent)


def json_chunks(result: AuditResult) -> Iterator[str]:
    """The JSON report text in pieces of at most one finding each, for writing it as it is made.

    Joined, the pieces are exactly ``json.dumps(report_data(result), indent=2, ensure_ascii=False)``
    plus a newline, with lone surrogates as U+FFFD; the whole report is never held at once."""
    rulebook, findings, head, tail = _report_parts(result)
    yield "{"
    for key, value in head.items():
        yield without_lone_surrogates(f"\n  {json.dumps(key)}: {_indented(value, _TOP_INDENT)},")
    if not findings:
        yield '\n  "findings": []'
    else:
        yield '\n  "findings": ['
        separator = _FINDING_INDENT
        for finding in findings:
            yield without_lone_surrogates(separator + _indented(finding_data(finding, rulebook, result),
                                                                _FINDING_INDENT))
            separator = "," + _FINDING_INDENT
        yield "\n  ]"
    for key, value in tail.items():
        yield without_lone_surrogates(f",\n  {json.dumps(key)}: {_indented(value, _TOP_INDENT)}")
    yield "\n}\n"


def json_lines(result: AuditResult) -> Iterator[str]:
    """audit.jsonl: one line per finding, each the finding object audit.json holds, compact, in report order."""
    rulebook, findings, _, _ = _report_parts(result)
    for finding in findings:
        yield finding_line(finding_data(finding, rulebook, result))


def finding_line(data: FindingData) -> str:
    """A finding's line of JSON lines: compact separators, UTF-8 characters kept, keys in report order."""
    return without_lone_surrogates(json.dumps(data, ensure_ascii=False, separators=(",", ":"))) + "\n"


def render_json(result: AuditResult) -> str:
    """The JSON report text: two-space indented, UTF-8 characters kept, newline at the end.

    A lone surrogate (a file name that is not UTF-8, read from a folder) becomes U+FFFD,
    as in every report: no UTF-8 file can hold one."""
    return "".join(json_chunks(result))


def render_json_lines(result: AuditResult) -> str:
    return "".join(json_lines(result))


def writer(chunks: Callable[[], Iterable[str]]) -> Callable[[BinaryIO], None]:
    """A function that writes the pieces to a binary file as UTF-8, one piece at a time
    (for :func:`claimaudit.files.write_atomic_set`, which stages each report set file)."""

    def write(handle: BinaryIO) -> None:
        for chunk in chunks():
            handle.write(chunk.encode("utf-8"))

    return write


def write_json(result: AuditResult, path: str | os.PathLike) -> Path:
    return write_atomic(path, writer(lambda: json_chunks(result)))


def write_json_lines(result: AuditResult, path: str | os.PathLike) -> Path:
    return write_atomic(path, writer(lambda: json_lines(result)))


class JudgedJournal:
    """audit.jsonl's findings written as they are judged, while the run goes on.

    Each batch's findings go, one line each, to a temporary beside ``target``
    (``.audit.jsonl.<pid>.judged.tmp``) as the batch comes back, so a long run
    shows its progress on disk and holds nothing more for it in memory. The lines
    are the findings as the engine judged them: before the claims library and
    carried review decisions mark them and before groups of files with other
    settings are merged into document order. audit.jsonl itself is written from
    the finished result with the rest of the report set; the journal is then
    removed (and if the process is killed, the next run sweeps it away as a
    stale temporary)."""

    def __init__(self, target: str | os.PathLike) -> None:
        self.target = Path(target)
        self.path = self.target.parent / f".{self.target.name}.{os.getpid()}.judged.tmp"
        self._handle: BinaryIO | None = None
        # The run's rule definitions are not known batch by batch: a reason's family is its own.
        self._rulebook = RuleBook(None)

    def __enter__(self) -> "JudgedJournal":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def __call__(self, batch: BatchResult) -> None:
        from claimaudit.errors import InputError

        if self._handle is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise InputError(f"cannot create the folder: {error.strerror or error}",
                                 path=str(self.path.parent)) from None
        try:
            if self._handle is None:
                self._handle = open(self.path, "wb")
            for finding in batch.findings:
                self._handle.write(finding_line(_finding(finding, self._rulebook)).encode("utf-8"))
            self._handle.flush()
        except OSError as error:
            raise InputError(f"cannot write: {error.strerror or error}", path=str(self.target)) from None

    def close(self) -> None:
        if self._handle is None:
            return
        handle, self._handle = self._handle, None
        try:
            handle.close()
        except OSError:
            pass  # a write that failed already said so (a full disk); the journal goes regardless
        try:
            os.unlink(self.path)
        except OSError:
            pass
