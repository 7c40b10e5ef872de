"""The audit pipeline: claims → evidence → rules → verdicts, for a set of documents."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Callable, Protocol

from rapidfuzz import fuzz

from claimaudit import __version__, limits
from claimaudit.claims.anatomy import Statement, analyse
from claimaudit.claims.detect import Claim, find_claims
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import Match, Resolution, resolve_attribution
from claimaudit.model import (AlignedElement, AuditResult, ClaimAnalysis, Document, Evidence, Finding, InputProblem,
                              NotAudited, Reason, Source)
from claimaudit.rules.engine import Judgement, JudgementKey, judge
from claimaudit.rules.loader import Rule
from claimaudit.verdicts.aggregate import decide
from claimaudit.verdicts.confidence import verdict_confidence
from claimaudit.verdicts.ids import claim_fingerprint, claim_id

if TYPE_CHECKING:
    from claimaudit.evidence.meaning import Meaning


def _suppression_for(reason: Reason, suppressions) -> tuple[str, str] | None:
    for selector, why in suppressions:
        if selector in {reason.code, reason.rule, reason.family, "all"}:
            return selector, why
    return None


def _evidence_rows(matches: list[Match], index: SourceIndex) -> list[Evidence]:
    rows = []
    for m in matches:
        source = index.source(m.source_id)
        page = source.page_at(m.sentence.start) if source is not None else None
        rows.append(Evidence(m.source_id, m.sentence.text, round(m.similarity, 3), m.sentence.start,
                             m.sentence.end, page))
    return rows


@dataclass
class AuditContext:
    """What every batch of documents is judged against: the built source index and the rules.

    Built once per run; an executor shares it with its workers (inherited by
    forked processes, broadcast once to a Dask cluster)."""

    index: SourceIndex
    rules: list[Rule]
    # Judgements of claims already judged in this process's batches, by judgement_key.
    judged: dict[JudgementKey, Judgement] = field(default_factory=dict, repr=False, compare=False)

    def __getstate__(self) -> dict[str, object]:
        # Sent to other processes without what this one happened to judge.
        return {"index": self.index, "rules": self.rules, "judged": {}}


@dataclass
class BatchResult:
    """What judging a batch of documents found, in the batch's document order."""

    findings: list[Finding] = field(default_factory=list)
    not_audited: list[NotAudited] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    ambiguous: list[str] = field(default_factory=list)
    documents: int = 0  # how many documents the batch held, for progress


class Executor(Protocol):
    """Runs :func:`audit_batch` over batches of documents, yielding the results in batch order."""

    def run(self, context: AuditContext, batches: list[list[Document]]) -> Iterator[BatchResult]: ...


def prepare(sources: list[Source], rules: list[Rule], *, aliases: dict[str, tuple[str, ...]] | None = None,
            meaning: Meaning | None = None) -> AuditContext:
    """The shared part of a run: the pack cut into analysed sentences and indexed."""
    return AuditContext(SourceIndex.build(sources, aliases=aliases, meaning=meaning), list(rules))


def audit_documents(
    documents: list[Document],
    sources: list[Source],
    rules: list[Rule],
    *,
    on_document: Callable[[Document], None] | None = None,
    aliases: dict[str, tuple[str, ...]] | None = None,
    meaning: Meaning | None = None,
    executor: Executor | None = None,
    on_batch: Callable[[BatchResult], None] | None = None,
) -> AuditResult:
    """Judge every claim of the documents against the sources.

    Documents are judged in batches (all at once without an ``executor``); each
    batch is a pure function of its documents and the shared context, so the
    result is the same however the batches are run. ``on_batch`` sees each
    batch's findings as they are judged, in document order."""
    # A file named twice is one file: audited once, so that its claims are not reported twice.
    first: dict[str, Document] = {}
    for document in documents:
        first.setdefault(document.path, document)
    documents = list(first.values())
    context = prepare(sources, rules, aliases=aliases, meaning=meaning)
    if executor is None:
        results: Iterable[BatchResult] = [audit_batch(context, documents)] if documents else []
    else:
        results = executor.run(context, document_batches(documents))
    merged = BatchResult()
    done = 0
    for batch in results:
        merged.findings += batch.findings
        merged.not_audited += batch.not_audited
        merged.problems += batch.problems
        merged.ambiguous += batch.ambiguous
        if on_batch is not None:
            on_batch(batch)
        if on_document is not None:
            for document in documents[done:done + batch.documents]:
                on_document(document)
        done += batch.documents
    if merged.problems:
        skipped = {p.path for p in merged.problems}
        documents = [d for d in documents if d.path not in skipped]
    from claimaudit.ingest.sources import sources_without_text  # a source with no text is said, never silent

    return AuditResult(documents=documents, sources=list(sources), findings=merged.findings, rules=list(rules),
                       tool_version=__version__, problems=merged.problems, not_audited=merged.not_audited,
                       warnings=sources_without_text(sources) + list(dict.fromkeys(merged.ambiguous)))


BATCH_CLAIMS = 400


def batch_weight(document: Document) -> int:
    """About how many sentences a document holds, to cut batches of even work."""
    return max(1, len(document.text) // 120)


def document_batches(documents: list[Document], claims_per_batch: int = BATCH_CLAIMS) -> list[list[Document]]:
    """Documents cut into batches of about ``claims_per_batch`` sentences' worth of text, in order.

    Batches are large enough that a worker's round trip is small beside the work, and
    small enough that findings stream out as they are judged (executors that share
    batches among workers cut them finer)."""
    batches: list[list[Document]] = []
    current: list[Document] = []
    weight = 0
    for document in documents:
        current.append(document)
        weight += batch_weight(document)
        if weight >= claims_per_batch:
            batches.append(current)
            current, weight = [], 0
    if current:
        batches.append(current)
    return batches


def audit_batch(context: AuditContext, documents: list[Document]) -> BatchResult:
    """Find and judge every claim of a batch of documents: a pure function of its inputs."""
    index, rules = context.index, context.rules
    found: list[Claim] = []
    batch = BatchResult(documents=len(documents))
    most = limits.int_value("max-claims-per-document")
    for document in documents:
        claims, passed = find_claims(document)
        if len(claims) > most:
            # Time and memory grow with claims: a file over the limit is not
            # audited, and said so, rather than holding up or sinking the run.
            breach = limits.breach("max-claims-per-document", len(claims))
            batch.problems.append(InputProblem(document.path, breach.detail))
        else:
            found.extend(claims)
            batch.not_audited.extend(passed)
    if batch.problems:
        skipped = {p.path for p in batch.problems}
        documents = [d for d in documents if d.path not in skipped]
    resolutions = [resolve_attribution(c.statement, index, c.block.cited_sources) for c in found]
    judged = judge([c.statement for c in found], index, resolutions, rules, context.judged)

    findings = batch.findings
    seen: Counter = Counter()
    for claim, resolution, judgement in zip(found, resolutions, judged):
        reasons, matches = judgement.reasons, judgement.evidence
        # A suppression quiets the gate, never the verdict: the reviewer's
        # reports still say what the evidence supports.
        suppressed = []
        for reason in reasons:
            hit = _suppression_for(reason, claim.block.suppressions)
            if hit and (reason.code, hit[1]) not in suppressed:
                suppressed.append((reason.code, hit[1]))
        best = matches[0].similarity if matches else 0.0
        verdict, confidence, suggestion = decide(reasons, best)
        aligned = aligned_elements(judgement)
        # Confidence in support is how much of what the claim states was matched
        # (weighed with meaning by the trained head when the semantic extra is on).
        confidence = verdict_confidence(claim.statement.text, judgement, index, verdict == "supported", confidence)
        document = claim.document
        page, line, column = document.place(claim.start)
        for said, ids in resolution.ambiguous:
            where = f"{document.path}:{line}" + (f" ({document.page_kind} {page})" if page is not None else "")
            batch.ambiguous.append(f'{where}: "{said}" fits {len(ids)} sources ({", ".join(ids)}); the claim was held '
                             f"to each of them; name the one meant (its id, DOI or PMID)")
        key = (document.path, claim_id(document.path, claim.text))
        occurrence = seen[key]
        seen[key] += 1
        findings.append(
            Finding(
                id=claim_id(document.path, claim.text, occurrence),
                document=document.path,
                text=claim.text,
                start=claim.start,
                end=claim.end,
                line=line,
                column=column,
                verdict=verdict,
                confidence=confidence,
                claim_type=claim.claim_type,
                section=claim.block.heading,
                reasons=reasons,
                evidence=_evidence_rows(matches, index),
                suggestion=suggestion,
                suppressed=suppressed,
                analysis=describe(claim.statement),
                scope=claim.block.scope,
                alignment=aligned,
                page=page,
                url=document.url,
                fetched_at=document.fetched_at,
                cited=tuple(resolution.cited),
                fingerprint=claim_fingerprint(claim.text, resolution.cited),
                register_id=claim.block.register_id,
            )
        )
    rewritten = checked_rewrites([(f.text, f.suggestion) if f.verdict != "supported" else ("", "") for f in findings],
                                 resolutions, index, rules, context.judged)
    for finding, suggestion in zip(findings, rewritten):
        finding.suggestion = suggestion
    order: dict[str, int] = {}
    for position, document in enumerate(documents):
        order.setdefault(document.path, position)
    findings.sort(key=lambda f: (order.get(f.document, len(documents)), f.start))
    return batch


def aligned_elements(judgement: Judgement) -> list[AlignedElement]:
    """The alignment of every clause, as the reports show it."""
    compound = len(judgement.alignments) > 1
    return [
        AlignedElement(e.element.value, e.status.value, e.claim_words.strip(" ,.;:"), e.evidence_words,
                       alignment.source_id, clause if compound else "", e.meaning)
        for clause, alignment in judgement.alignments
        for e in alignment.elements
    ]


def checked_rewrite(claim_text: str, suggestion: str, index: SourceIndex, resolution: Resolution,
                    rules: list[Rule]) -> str:
    """A rewrite is offered only when the engine, against the same pack, finds it supported.

    Advice ("Remove the claim...") passes through; a rewritten sentence that still
    comes out flagged is replaced by why no rewrite is offered."""
    return checked_rewrites([(claim_text, suggestion)], [resolution], index, rules)[0]


def checked_rewrites(pairs: list[tuple[str, str]], resolutions: list[Resolution], index: SourceIndex,
                     rules: list[Rule], memo: dict[JudgementKey, Judgement] | None = None) -> list[str]:
    """:func:`checked_rewrite` for many (claim, suggestion) pairs, judged in one batch."""
    wanted = [n for n, (claim, suggestion) in enumerate(pairs) if is_rewrite(claim, suggestion)]
    statements = [replace(analyse(pairs[n][1]), claim_type="efficacy", is_claim=True) for n in wanted]
    judged = judge(statements, index, [resolutions[n] for n in wanted], rules, memo) if wanted else []
    out = [suggestion for _, suggestion in pairs]
    for n, judgement in zip(wanted, judged):
        reasons, matches = judgement.reasons, judgement.evidence
        verdict, _, _ = decide(reasons, matches[0].similarity if matches else 0.0)
        if verdict == "supported":
            continue
        suggestion = pairs[n][1]
        why = next((r.message for r in reasons if r.verdict == verdict), "")
        out[n] = (f"No rewrite offered: the closest rewrite (\"{suggestion}\") would still be {verdict}"
                  + (f" ({why.rstrip('.')})." if why else ".") + " Use the source's own wording, or remove the claim.")
    return out


def is_rewrite(claim_text: str, suggestion: str) -> bool:
    """A suggestion that restates the claim, as against advice about it."""
    if not suggestion or suggestion == claim_text:
        return False
    # A short claim with a scope put in front ("In animal studies, tea cures flu.") is still a rewrite.
    kept = claim_text.lower().rstrip(" .!")
    return fuzz.ratio(claim_text.lower(), suggestion.lower()) >= 60 or bool(kept) and kept in suggestion.lower()


def describe(statement: Statement) -> ClaimAnalysis:
    """What the engine read in a claim, for `explain` and the reports."""
    return {
        "strength": statement.level,
        "figures": [q.text for q in statement.quantities],
        "hedges": [c.text for c in statement.cues if c.kind == "hedge"],
        "boosters": [c.text for c in statement.cues if c.kind == "booster"],
        "negations": [c.text for c in statement.cues if c.kind == "negation"],
        "populations": sorted(statement.canon("populations")),
        "conditions": sorted(statement.canon("conditions")),
        "interventions": sorted(statement.canon("interventions")),
        "outcomes": sorted(statement.canon("outcomes")),
        "attribution": [n.get("text", "") for n in statement.attribution.named_sources]
        + [v[2] for v in statement.attribution.vague],
    }
