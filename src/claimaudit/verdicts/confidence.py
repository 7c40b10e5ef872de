"""The confidence of a verdict, from how the evidence lines up with the claim.

With words alone, confidence in support is the share of the claim's stated
elements the evidence was shown to match. With the semantic extra, a small
trained head (:class:`claimaudit.evidence.meaning.Head`, fitted on Check-COVID
train by ``benchmarks/train_semantic.py``) weighs the same alignment with the
evidence's similarity in meaning, and gives the probability that the claim is
supported: the confidence of "supported" is that probability, the confidence of
a flag its complement, never below an even chance (the rules decided the verdict).
"""

from __future__ import annotations

from claimaudit.evidence.align import Status
from claimaudit.evidence.index import SourceIndex
from claimaudit.rules.engine import Judgement


def support_confidence(judgement: Judgement) -> float:
    shares = [alignment.matched_share for _, alignment in judgement.alignments]
    share = min(shares) if shares else 0.0
    return round(min(0.5 + 0.45 * share, 0.95), 3)


def head_features(claim_text: str, judgement: Judgement, index: SourceIndex, flagged: bool) -> dict[str, float]:
    """What the head weighs, each from 0 to 1 (see ``meaning.FEATURES``)."""
    alignments = [alignment for _, alignment in judgement.alignments]
    stated = [e for a in alignments for e in a.elements if e.status != Status.NOT_STATED]
    rows = tuple(m.sentence for a in alignments for m in a.evidence) or tuple(m.sentence for m in judgement.evidence)
    closeness = index.closeness(claim_text, rows) if index.meaning is not None and rows else 0.0
    return {
        "similarity": closeness,
        "words": min(max(judgement.evidence[0].similarity, 0.0), 1.0) if judgement.evidence else 0.0,
        "matched_share": min((a.matched_share for a in alignments), default=0.0),
        "core_shown": float(bool(alignments) and all(a.core_shown for a in alignments)),
        "flagged": float(flagged),
        "contradicted": float(any(e.status == Status.CONTRADICTED for e in stated)),
        "absent": sum(e.status == Status.ABSENT for e in stated) / len(stated) if stated else 1.0,
    }


def verdict_confidence(claim_text: str, judgement: Judgement, index: SourceIndex, supported: bool,
                       confidence: float) -> float:
    """The confidence to report: the head's when meaning is on, else ``confidence``
    (the rules' own, or :func:`support_confidence` for a supported claim)."""
    if index.meaning is None:
        return support_confidence(judgement) if supported else confidence
    features = head_features(claim_text, judgement, index, not supported)
    probability = index.meaning.settings.head.probability(features)
    # The rules decide the verdict; the head says how sure the evidence makes it,
    # from an even chance (0.5: the head leans the other way) up.
    return round(min(max(probability if supported else 1.0 - probability, 0.5), 0.99), 3)
