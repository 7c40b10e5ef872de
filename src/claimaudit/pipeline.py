"""The audit pipeline: claims → evidence → rules → verdicts, for a set of documents."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Callable

from dataclasses import replace

from rapidfuzz import fuzz

from claimaudit import __version__, limits
from claimaudit.claims.anatomy import Statement, analyse
from claimaudit.claims.detect import Claim, find_claims
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import Match, Resolution, resolve_attribution
from claimaudit.model import (AlignedElement, AuditResult, ClaimAnalysis, Document, Evidence, Finding, InputProblem,
                              Reason, Source)
from claimaudit.rules.engine import Judgement, judge
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


def audit_documents(
    documents: list[Document],
    sources: list[Source],
    rules: list[Rule],
    *,
    on_document: Callable[[Document], None] | None = None,
    aliases: dict[str, tuple[str, ...]] | None = None,
    meaning: Meaning | None = None,
) -> AuditResult:
    index = SourceIndex.build(sources, aliases=aliases, meaning=meaning)
    found: list[Claim] = []
    not_audited: list = []  # NotAudited: text read but not a claim, with why
    problems: list[InputProblem] = []
    most = limits.int_value("max-claims-per-document")
    for document in documents:
        claims, passed = find_claims(document)
        if len(claims) > most:
            # Time and memory grow with claims: a file over the limit is not
            # audited, and said so, rather than holding up or sinking the run.
            breach = limits.breach("max-claims-per-document", len(claims))
            problems.append(InputProblem(document.path, breach.detail))
        else:
            found.extend(claims)
            not_audited.extend(passed)
        if on_document:
            on_document(document)
    if problems:
        skipped = {p.path for p in problems}
        documents = [d for d in documents if d.path not in skipped]
    resolutions = [resolve_attribution(c.statement, index, c.block.cited_sources) for c in found]
    judged = judge([c.statement for c in found], index, resolutions, rules)

    findings: list[Finding] = []
    ambiguous: list[str] = []
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
            ambiguous.append(f'{where}: "{said}" fits {len(ids)} sources ({", ".join(ids)}); the claim was held '
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
                                 resolutions, index, rules)
    for finding, suggestion in zip(findings, rewritten):
        finding.suggestion = suggestion
    findings.sort(key=lambda f: (documents_order(documents, f.document), f.start))
    from claimaudit.ingest.sources import sources_without_text  # a source with no text is said, never silent

    return AuditResult(documents=documents, sources=list(sources), findings=findings, rules=list(rules),
                       tool_version=__version__, problems=problems, not_audited=not_audited,
                       warnings=sources_without_text(sources) + list(dict.fromkeys(ambiguous)))


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
                     rules: list[Rule]) -> list[str]:
    """:func:`checked_rewrite` for many (claim, suggestion) pairs, judged in one batch."""
    wanted = [n for n, (claim, suggestion) in enumerate(pairs) if is_rewrite(claim, suggestion)]
    statements = [replace(analyse(pairs[n][1]), claim_type="efficacy", is_claim=True) for n in wanted]
    judged = judge(statements, index, [resolutions[n] for n in wanted], rules) if wanted else []
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


def documents_order(documents: list[Document], path: str) -> int:
    for i, document in enumerate(documents):
        if document.path == path:
            return i
    return len(documents)


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
