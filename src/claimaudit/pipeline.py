"""The audit pipeline: claims → evidence → rules → verdicts, for a set of documents."""

from __future__ import annotations

from collections import Counter
from typing import Callable

from claimaudit import __version__, limits
from claimaudit.claims.detect import Claim, claim_parts, find_claims
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import Match, rank_evidence, resolve_attribution
from claimaudit.model import AuditResult, Document, Evidence, Finding, InputProblem, Reason, Source
from claimaudit.rules.engine import evaluate, evaluate_parts
from claimaudit.rules.loader import Rule
from claimaudit.verdicts.aggregate import decide
from claimaudit.verdicts.ids import claim_id


def _suppression_for(reason: Reason, suppressions) -> tuple[str, str] | None:
    for selector, why in suppressions:
        if selector in {reason.code, reason.rule, reason.family, "all"}:
            return selector, why
    return None


def _evidence_rows(matches: list[Match]) -> list[Evidence]:
    return [
        Evidence(m.source_id, m.sentence.text, round(m.similarity, 3), m.sentence.start, m.sentence.end)
        for m in matches
    ]


def audit_documents(
    documents: list[Document],
    sources: list[Source],
    rules: list[Rule],
    *,
    on_document: Callable[[Document], None] | None = None,
) -> AuditResult:
    index = SourceIndex.build(sources)
    found: list[Claim] = []
    problems: list[InputProblem] = []
    most = limits.int_value("max-claims-per-document")
    for document in documents:
        claims, _ = find_claims(document)
        if len(claims) > most:
            # Time and memory grow with claims: a file over the limit is not
            # audited, and said so, rather than holding up or sinking the run.
            breach = limits.breach("max-claims-per-document", len(claims))
            problems.append(InputProblem(document.path, breach.detail))
        else:
            found.extend(claims)
        if on_document:
            on_document(document)
    if problems:
        skipped = {p.path for p in problems}
        documents = [d for d in documents if d.path not in skipped]
    statements = [c.statement for c in found]
    resolutions = [resolve_attribution(c.statement, index, c.block.cited_sources) for c in found]
    ranked = rank_evidence(statements, index, resolutions)
    # A compound claim is judged clause by clause; all clauses are ranked in one batch.
    parts = [claim_parts(c.statement) for c in found]
    flat = [(i, part) for i, claim_part in enumerate(parts) for part in claim_part]
    part_ranked = rank_evidence([part.statement for _, part in flat], index, [resolutions[i] for i, _ in flat])
    ranked_parts: dict[int, list] = {}
    for (i, _), matches in zip(flat, part_ranked):
        ranked_parts.setdefault(i, []).append(matches)

    findings: list[Finding] = []
    seen: Counter = Counter()
    for n, (claim, matches, resolution) in enumerate(zip(found, ranked, resolutions)):
        if parts[n]:
            reasons, matches = evaluate_parts(parts[n], ranked_parts[n], index, resolution, rules, claim.text)
        else:
            reasons = evaluate(claim.statement, matches, index, resolution, rules)
        # A suppression quiets the gate, never the verdict: the reviewer's
        # reports still say what the evidence supports.
        suppressed = []
        for reason in reasons:
            hit = _suppression_for(reason, claim.block.suppressions)
            if hit and (reason.code, hit[1]) not in suppressed:
                suppressed.append((reason.code, hit[1]))
        best = matches[0].similarity if matches else 0.0
        verdict, confidence, suggestion = decide(reasons, best)
        document = claim.document
        line, column = document.line_col(claim.start)
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
                evidence=_evidence_rows(matches),
                suggestion=suggestion,
                suppressed=suppressed,
                analysis=describe(claim.statement),
            )
        )
    findings.sort(key=lambda f: (documents_order(documents, f.document), f.start))
    return AuditResult(documents=documents, sources=list(sources), findings=findings, rules=list(rules),
                       tool_version=__version__, problems=problems)


def documents_order(documents: list[Document], path: str) -> int:
    for i, document in enumerate(documents):
        if document.path == path:
            return i
    return len(documents)


def describe(statement) -> dict:
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
