"""From fired rules and evidence strength to one verdict with a confidence."""

from __future__ import annotations

from claimaudit.model import VERDICT_RANK, Reason, Verdict

DEFAULT_SUGGESTION = {
    "unsupported": "Remove the claim, or add a source to the pack that states it.",
}

# Reasons that say "nothing in the sources is about this claim". They are a
# fallback: once another rule has pointed at a source sentence that is about
# the claim, they no longer hold.
FALLBACK_FAMILIES = {"evidence"}


def effective_reasons(reasons: list[Reason]) -> list[Reason]:
    """The reasons that decide the verdict: fallbacks ("support not shown")
    drop out when another rule found evidence about the claim and says how the
    claim goes beyond it, unless the evidence is about something else acting."""
    grounded = any(r.family not in FALLBACK_FAMILIES and r.evidence_span is not None and r.evidence_text
                   for r in reasons)
    if not grounded:
        return list(reasons)
    return [r for r in reasons if r.family not in FALLBACK_FAMILIES or r.decisive]


def decide(reasons: list[Reason], best_similarity: float) -> tuple[Verdict, float, str]:
    """The worst verdict any deciding rule reached; supported when none fired.

    Confidence grows with agreeing reasons for a flag, and with evidence
    similarity for a supported claim.
    """
    reasons = effective_reasons(reasons)
    if not reasons:
        confidence = 0.5 + 0.5 * min(max(best_similarity, 0.0), 1.0)
        return "supported", round(min(confidence, 0.99), 3), ""
    verdict: Verdict = max((r.verdict for r in reasons), key=lambda v: VERDICT_RANK[v])
    agreeing = [r for r in reasons if r.verdict == verdict]
    families = {r.family for r in agreeing}
    confidence = 0.6 + 0.1 * min(len(families), 3) + 0.05 * min(len(agreeing) - len(families), 2)
    suggestion = next((r.suggestion for r in agreeing if r.suggestion), "")
    if not suggestion:
        suggestion = next((r.suggestion for r in reasons if r.suggestion), DEFAULT_SUGGESTION.get(verdict, ""))
    return verdict, round(min(confidence, 0.95), 3), suggestion
