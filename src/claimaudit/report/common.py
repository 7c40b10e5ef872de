"""Helpers shared by every renderer: ordering, counting, links, spans, atomic writes.

Renderers only read an :class:`~claimaudit.model.AuditResult`; nothing here
knows how findings were made.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import quote, urlsplit

import regex

from claimaudit.files import write_atomic  # noqa: F401  (re-exported for the renderers)

from .places import cited_page, page_kinds, place_label  # noqa: F401  (re-exported for the renderers)
from claimaudit.model import (
    LIBRARY_APPROVED,
    LIBRARY_DEVIATES,
    LIBRARY_EXPIRED,
    LIBRARY_STATUSES,
    VERDICT_RANK,
    VERDICTS,
    AuditResult,
    Evidence,
    Finding,
    LibraryMatch,
    Reason,
    Source,
)

TOOL_NAME = "claimaudit"

# Where a claim or a piece of text stood, as a reviewer would say it.
SCOPE_LABELS = {
    "body": "page copy", "heading": "heading", "title": "page title", "meta": "page description",
    "alt": "image alt text", "header": "page header", "footer": "page footer", "aside": "sidebar",
    "table": "table", "notes": "speaker notes",
}


def scope_label(scope: str) -> str:
    return SCOPE_LABELS.get(scope or "body", text_of(scope))


# Words too common to count as "shared" between a claim and its evidence.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers him his how i if in into is
    it its itself just may me might more most must my no nor not now of off on once only
    or other our ours out over own same she should so some such than that the their theirs
    them then there these they this those through to too under until up very was we were
    what when where which while who whom why will with would you your yours
    """.split()
)

_WORD = regex.compile(r"[\p{L}\p{N}][\p{L}\p{N}'’\-]*")


# --------------------------------------------------------------------------- access


def attr(obj: object, name: str, default: Any = None) -> Any:
    """Read ``name`` from a rule definition that may be an object or a mapping.

    Rule definitions come in any shape (``AuditResult.rules``), so the value is whatever it holds."""
    if obj is None:
        return default
    if isinstance(obj, Mapping):
        value = obj.get(name, default)
    else:
        value = getattr(obj, name, default)
    return default if value is None else value


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_lone_surrogates(text: str) -> str:
    """``text`` with every lone surrogate as U+FFFD: no UTF-8 file can hold one, and a report
    given text that holds one (an API caller's, a file name that was not UTF-8) must still be written."""
    return _LONE_SURROGATE.sub("\ufffd", text) if _LONE_SURROGATE.search(text) else text


def text_of(value: object) -> str:
    """Any value as display text; ``None`` becomes the empty string."""
    if value is None:
        return ""
    return value if isinstance(value, str) else str(value)


def round3(value: float | str | None) -> float:
    """A score rounded to three decimals; non-numbers and NaN become 0.0."""
    if value is None:
        return 0.0
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.0
    if not math.isfinite(number):
        return 0.0
    return round(number, 3)


# --------------------------------------------------------------------------- ordering


def sorted_findings(result: AuditResult) -> list[Finding]:
    """Findings in report order: by document (input order), then by position."""
    doc_order = {doc.path: i for i, doc in enumerate(result.documents)}
    unknown = len(doc_order)
    return sorted(
        result.findings,
        key=lambda f: (doc_order.get(f.document, unknown), f.document, f.start, f.end, f.id),
    )


def claim_counts_by_document(result: AuditResult) -> dict[str, int]:
    counts = Counter(f.document for f in result.findings)
    paths = list(dict.fromkeys(doc.path for doc in result.documents))
    # A finding whose document was not passed in still gets a row, so counts add up.
    known = set(paths)
    paths += sorted(p for p in counts if p not in known)
    return {path: counts.get(path, 0) for path in paths}


# --------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class RuleInfo:
    """What a reader needs to know about one rule, whichever shape it was loaded in."""

    code: str
    name: str
    family: str
    level: str
    message: str
    what: str
    why: str
    example: str
    use_instead: str
    references: tuple[str, ...]


def rule_info(rule: object) -> RuleInfo:
    docs = attr(rule, "docs")
    references = attr(docs, "references", ()) or ()
    if isinstance(references, str):
        references = (references,)
    return RuleInfo(
        code=text_of(attr(rule, "code", "")),
        name=text_of(attr(rule, "name", "")),
        family=text_of(attr(rule, "family", "")),
        level=text_of(attr(rule, "level", "")),
        message=text_of(attr(rule, "message", "")),
        what=text_of(attr(docs, "what", "")),
        why=text_of(attr(docs, "why", "")),
        example=text_of(attr(docs, "example", "")),
        use_instead=text_of(attr(docs, "use_instead", "")),
        references=tuple(text_of(r) for r in references),
    )


class RuleBook:
    """Looks up loaded rule definitions by code or by dotted name."""

    def __init__(self, rules: Iterable[object] | None) -> None:
        self._by_key: dict[str, RuleInfo] = {}
        for rule in rules or ():
            info = rule_info(rule)
            for key in (info.code, info.name):
                if key and key not in self._by_key:
                    self._by_key[key] = info

    def get(self, code: str = "", name: str = "") -> RuleInfo | None:
        return self._by_key.get(code) or self._by_key.get(name)

    def name_for(self, reason: Reason) -> str:
        info = self.get(reason.code, reason.rule)
        return (info.name if info and info.name else "") or reason.rule

    def family_for(self, reason: Reason) -> str:
        if reason.family:
            return reason.family
        info = self.get(reason.code, reason.rule)
        if info and info.family:
            return info.family
        # Dotted rule names start with their family ("figures.inflated").
        return reason.rule.split(".", 1)[0] if "." in reason.rule else ""

    def fired(self, findings: Iterable[Finding]) -> list[RuleInfo]:
        """Every rule that fired at least once, known or not, ordered by code then name."""
        seen: dict[tuple[str, str], RuleInfo] = {}
        for finding in findings:
            for reason in finding.reasons:
                info = self.get(reason.code, reason.rule)
                if info is None:
                    info = RuleInfo(
                        code=reason.code, name=reason.rule, family=self.family_for(reason),
                        level=reason.verdict, message="", what="", why="", example="",
                        use_instead="", references=(),
                    )
                seen.setdefault((info.code, info.name), info)
        return [seen[key] for key in sorted(seen)]


def finding_families(finding: Finding, rulebook: RuleBook) -> list[str]:
    families: list[str] = []
    for reason in finding.reasons:
        family = rulebook.family_for(reason)
        if family and family not in families:
            families.append(family)
    return families


# --------------------------------------------------------------------------- counts


def counts_by_verdict(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.verdict for f in findings)
    return {verdict: counts.get(verdict, 0) for verdict in VERDICTS}


def counts_by_family(findings: Iterable[Finding], rulebook: RuleBook) -> dict[str, int]:
    """Findings per rule family; a finding counts once for each family that fired on it."""
    counts: Counter[str] = Counter()
    for finding in findings:
        counts.update(finding_families(finding, rulebook))
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def counts_by_document(result: AuditResult) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {path: {v: 0 for v in VERDICTS} for path in claim_counts_by_document(result)}
    for finding in result.findings:
        if finding.verdict in VERDICT_RANK:
            table[finding.document][finding.verdict] += 1
    return table


# --------------------------------------------------------------------------- links


def safe_url(url: str) -> str:
    """``url`` when it is an http(s) address, else ``""`` (no ``javascript:`` links)."""
    url = text_of(url).strip()
    if not url or any(ch.isspace() or ord(ch) < 32 for ch in url):
        return ""
    parts = urlsplit(url)
    if parts.scheme.lower() in ("http", "https") and parts.netloc:
        return url
    return ""


def doi_url(doi: str) -> str:
    doi = text_of(doi).strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix):]
    if not doi.startswith("10.") or any(ch.isspace() for ch in doi):
        return ""
    return "https://doi.org/" + quote(doi, safe="/:;()._-<>[]")


def pmid_url(pmid: str) -> str:
    pmid = text_of(pmid).strip()
    if not pmid.isascii() or not pmid.isdigit():
        return ""
    return f"https://pubmed.ncbi.nlm.nih.gov/{pmid}/"


def source_link(source: Source | None) -> str:
    """The best link to a source: its DOI, else PubMed, else its own http(s) URL."""
    if source is None:
        return ""
    return doi_url(source.doi) or pmid_url(source.pmid) or safe_url(source.url)


def source_label(source_id: str, sources: Mapping[str, Source]) -> str:
    source = sources.get(source_id)
    if source and source.citation:
        return f"{source_id}: {source.citation}"
    return source_id


# --------------------------------------------------------------------------- evidence


def best_evidence(finding: Finding) -> Evidence | None:
    return finding.evidence[0] if finding.evidence else None


def reason_label(reason: Reason, rulebook: RuleBook) -> str:
    name = rulebook.name_for(reason)
    head = " ".join(part for part in (reason.code, name) if part)
    return f"{head}: {reason.message}" if head else reason.message


# --------------------------------------------------------------------------- spans


Label = TypeVar("Label")


@dataclass(frozen=True)
class Segment(Generic[Label]):
    """A run of text carrying the set of labels that cover it."""

    text: str
    start: int
    end: int
    labels: frozenset[Label] = frozenset()


def clamp_span(span: tuple[int, int] | None, length: int) -> tuple[int, int] | None:
    """A valid ``(start, end)`` inside ``[0, length]``, or ``None`` when unusable."""
    if span is None:
        return None
    try:
        start, end = int(span[0]), int(span[1])
    except (TypeError, ValueError, IndexError):
        return None
    start, end = max(0, min(start, length)), max(0, min(end, length))
    return (start, end) if start < end else None


def segment(text: str, spans: Iterable[tuple[int, int, Label]]) -> list[Segment[Label]]:
    """Cut ``text`` at every span boundary; each piece lists the labels covering it.

    Spans may overlap or nest. Pieces come back in order and join to ``text``.
    """
    usable: list[tuple[int, int, Label]] = []
    for start, end, label in spans:
        clamped = clamp_span((start, end), len(text))
        if clamped:
            usable.append((clamped[0], clamped[1], label))
    cuts = sorted({0, len(text), *(s for s, _, _ in usable), *(e for _, e, _ in usable)})
    # A sweep over the cuts: spans open and close as it passes them, so a page
    # with thousands of claims costs one pass, not a scan of every span per piece.
    opening: dict[int, list[Label]] = {}
    closing: dict[int, list[Label]] = {}
    for start, end, label in usable:
        opening.setdefault(start, []).append(label)
        closing.setdefault(end, []).append(label)
    active: Counter[Label] = Counter()
    labels: frozenset[Label] = frozenset()
    pieces: list[Segment[Label]] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        changed = False
        for label in closing.get(start, ()):
            active[label] -= 1
            if not active[label]:
                del active[label]
            changed = True
        for label in opening.get(start, ()):
            active[label] += 1
            changed = True
        if changed:
            labels = frozenset(active)
        pieces.append(Segment(text[start:end], start, end, labels))
    return pieces


def content_words(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, lowercased word)`` for every word that is not a stopword."""
    words: list[tuple[int, int, str]] = []
    for match in _WORD.finditer(text):
        word = match.group().lower().strip("'’-")
        if len(word) >= 3 or word.isdigit():
            if word not in STOPWORDS:
                words.append((match.start(), match.end(), word))
    return words


def shared_word_spans(
    claim: str, evidence: str
) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """Spans of the content words that claim and evidence have in common, in each text."""
    claim_words = content_words(claim)
    evidence_words = content_words(evidence)
    common = {w for _, _, w in claim_words} & {w for _, _, w in evidence_words}
    return (
        [(s, e) for s, e, w in claim_words if w in common],
        [(s, e) for s, e, w in evidence_words if w in common],
    )


def excerpt(text: str, limit: int = 240) -> str:
    text = " ".join(text_of(text).split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip() + "…"


# --------------------------------------------------------------------------- writing


# --------------------------------------------------------------------------- register rows


@dataclass(frozen=True)
class ClaimRow:
    """One finding flattened for a spreadsheet or CSV register."""

    id: str
    document: str
    line: int
    column: int
    claim: str
    verdict: str
    confidence: float
    rules: str
    reasons: str
    best_evidence: str
    source: str
    source_link: str
    similarity: float | None
    suggestion: str
    # A reviewer's decision carried from a reviewed workbook (empty otherwise).
    review_status: str = ""
    review_note: str = ""
    decision: str = ""
    comment: str = ""
    reviewer: str = ""
    date: str = ""
    page: int | None = None  # paged copy: the page or slide ``line`` counts from
    url: str = ""  # copy fetched from the web: the address read
    source_id: str = ""  # the id of the source the best evidence comes from
    register_id: str = ""  # a claims register's own id for the row ("C-001")
    library: str = ""  # the claims-library match in words (library_label), "" without one


def library_counts(findings: Iterable[Finding]) -> dict[str, int]:
    counts = Counter(f.library.get("status", "") for f in findings if f.library)
    return {status: counts[status] for status in LIBRARY_STATUSES}


def library_line(result: AuditResult) -> str:
    """One line for a summary: how many claims match approved wording, deviate from it or have
    an expired approval; empty when no claim is near the library."""
    counts = library_counts(result.findings)
    if not any(counts.values()):
        return ""
    return (f"Claims library: {counts[LIBRARY_APPROVED]} approved, {counts[LIBRARY_DEVIATES]} deviating from approved wording, "
            f"{counts[LIBRARY_EXPIRED]} with an expired approval.")


def library_message(match: LibraryMatch, *, with_id: bool = True) -> str:
    """The library status of one claim in words, for a line of check output."""
    claim_id = match.get("id", "")
    status = match.get("status", "")
    named = f" {claim_id}" if with_id else ""
    if status == LIBRARY_DEVIATES:
        found = "; ".join(match.get("differences", [])) or "wording differs"
        return f"deviates from approved wording{named}: {found}"
    if status == LIBRARY_EXPIRED:
        return f"approved wording{named}, but its approval expired on {match.get('expires_on', '')}"
    if status == LIBRARY_APPROVED:
        by, on = match.get("approved_by", ""), match.get("approved_on", "")
        signed = f" (approved by {by} on {on})" if by and on else ""
        return f"approved wording{named}{signed}"
    return ""


def library_tag(match: LibraryMatch) -> str:
    """``library C-012: deviates``, to put beside a finding."""
    return f"library {match.get('id', '')}: {match.get('status', '')}" if match else ""


def library_label(match: LibraryMatch) -> str:
    """A claims-library match in a register cell's words: ``C-012 approved``,
    ``C-012 deviates: figure 70% → 60%``, ``C-012 expired 2026-01-31``; "" without a match."""
    if not match:
        return ""
    head = " ".join(part for part in (text_of(match.get("id")), text_of(match.get("status"))) if part)
    status = text_of(match.get("status"))
    if status == "deviates":
        differences = "; ".join(text_of(item) for item in match.get("differences") or () if item)
        return f"{head}: {differences}" if differences else f"{head} from the approved wording"
    if status == "expired" and match.get("expires_on"):
        return f"{head} {text_of(match.get('expires_on'))}"
    return head


_REVIEW_FIELDS = (
    ("review_status", "status"), ("review_note", "note"), ("decision", "decision"),
    ("comment", "comment"), ("reviewer", "reviewer"), ("date", "date"),
)


def claim_rows(result: AuditResult) -> list[ClaimRow]:
    rulebook = RuleBook(result.rules)
    sources = {source.id: source for source in result.sources}
    rows: list[ClaimRow] = []
    for finding in sorted_findings(result):
        best = best_evidence(finding)
        rows.append(ClaimRow(
            id=text_of(finding.id),
            document=text_of(finding.document),
            line=int(finding.line),
            column=int(finding.column),
            claim=text_of(finding.text),
            verdict=text_of(finding.verdict),
            confidence=round3(finding.confidence),
            rules=", ".join(
                dict.fromkeys(r.code or rulebook.name_for(r) for r in finding.reasons)
            ),
            reasons="\n".join(reason_label(r, rulebook) for r in finding.reasons),
            best_evidence=text_of(best.text) if best else "",
            source=source_label(best.source, sources) + cited_page(best.page) if best else "",
            source_link=source_link(sources.get(best.source)) if best else "",
            similarity=round3(best.similarity) if best else None,
            suggestion=text_of(finding.suggestion),
            page=finding.page,
            url=text_of(finding.url),
            source_id=text_of(best.source) if best else "",
            register_id=text_of(finding.register_id),
            library=library_label(finding.library),
            **{key: text_of(finding.review.get(field_name)) for key, field_name in _REVIEW_FIELDS},
        ))
    return rows
