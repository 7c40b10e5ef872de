"""Check kinds for figures: absent, inflated, qualifier dropped, time stretched."""

from __future__ import annotations

from claimaudit.rules.context import Hit, Params, RuleContext, kind
from claimaudit.rules.kinds.common import (
    as_percent,
    comparable,
    figures,
    find_phrases,
    replace_span,
    same_figure,
)


class FigureParams(Params):
    tolerance: float = 0.05
    kinds: list[str] = ["percent", "ratio", "count", "multiplier", "money"]
    min_count: float = 10


def _claim_figures(ctx: RuleContext, params: FigureParams) -> list:
    found = []
    for q in figures(ctx.claim, set(params.kinds)):
        if q.kind == "count" and q.value < params.min_count:
            continue
        found.append(q)
    return found


@kind("figure_absent", FigureParams)
def figure_absent(ctx: RuleContext, params: FigureParams) -> list[Hit]:
    """A figure in the claim that no source in the pack states."""
    hits = []
    for q in _claim_figures(ctx, params):
        matched = any(
            same_figure(q, eq, params.tolerance)
            for sentence in ctx.index.sentences
            for eq in sentence.statement.quantities
        )
        if not matched:
            best = ctx.best
            hits.append(Hit({"figure": q.text}, (q.start, q.end), best, None))
    return hits


@kind("figure_inflated", FigureParams)
def figure_inflated(ctx: RuleContext, params: FigureParams) -> list[Hit]:
    """A figure larger than the source's figure for the same quantity."""
    hits = []
    for q in _claim_figures(ctx, params):
        if q.qualifier in {"under", "nearly"}:
            continue
        claim_value = as_percent(q) if as_percent(q) is not None else q.value
        for match in ctx.related:
            candidates = [eq for eq in match.statement.quantities if comparable(q, eq)]
            if not candidates or any(same_figure(q, eq, params.tolerance) for eq in candidates):
                continue
            eq = min(candidates, key=lambda e: abs((as_percent(e) or e.value) - claim_value))
            evidence_value = as_percent(eq) if as_percent(eq) is not None else (eq.high or eq.value)
            if evidence_value is not None and as_percent(eq) is not None and getattr(eq, "high", None):
                evidence_value = max(evidence_value, eq.high)
            if claim_value > evidence_value * (1 + params.tolerance):
                suggestion = replace_span(ctx.claim.text, q.start, q.end, eq.text)
                hits.append(
                    Hit({"figure": q.text, "source_figure": eq.text, "source": match.source_id},
                        (q.start, q.end), match, (eq.start, eq.end), suggestion)
                )
                break
    return hits


class QualifierParams(Params):
    tolerance: float = 0.05
    # Qualifiers in the source that mark a figure as a ceiling, not a typical result.
    ceiling: list[str] = ["up_to", "under", "nearly"]
    # Claim qualifiers that present a figure as typical or as a floor.
    typical: list[str] = ["exact", "over", "at_least", "about"]


@kind("figure_qualifier", QualifierParams)
def figure_qualifier(ctx: RuleContext, params: QualifierParams) -> list[Hit]:
    """A source's "up to" or range stated as a typical or guaranteed figure."""
    hits = []
    for q in figures(ctx.claim):
        for match in ctx.related:
            for eq in match.statement.quantities:
                if not comparable(q, eq):
                    continue
                ceiling = eq.qualifier in params.ceiling and same_figure(q, eq, params.tolerance)
                eq_high = getattr(eq, "high", None)
                eq_low = getattr(eq, "low", None)
                collapsed = (
                    eq_high is not None and eq_low is not None and eq_high != eq_low
                    and getattr(q, "high", None) in (None, q.value)
                    and abs(q.value - eq_high) <= max(abs(eq_high) * params.tolerance, 1e-9)
                )
                if (ceiling and q.qualifier in params.typical) or collapsed:
                    what = "a range's top" if collapsed else f'"{eq.text}" (a ceiling)'
                    suggestion = replace_span(ctx.claim.text, q.start, q.end, eq.text)
                    hits.append(Hit({"figure": q.text, "source_figure": eq.text, "what": what,
                                     "source": match.source_id},
                                    (q.start, q.end), match, (eq.start, eq.end), suggestion))
                    return hits
    return hits


class TimeframeParams(Params):
    tolerance: float = 0.1
    long_words: list[str] = ["months", "years", "long-term", "long term", "lasting", "permanent",
                             "permanently", "for good", "lifelong"]
    short_limit_days: float = 60
    # Time frames compare across looser matches than figures: the shared
    # outcome is often all two sentences have in common.
    min_similarity: float = 0.28


def _days(q) -> float | None:
    days = getattr(q, "days", None)
    return days() if callable(days) else days


@kind("timeframe_stretched", TimeframeParams)
def timeframe_stretched(ctx: RuleContext, params: TimeframeParams) -> list[Hit]:
    """A time frame or horizon stretched beyond the source's."""
    claim_durations = [q for q in ctx.claim.quantities if q.kind == "duration" and _days(q)]
    claim_horizons = [q for q in ctx.claim.quantities if q.kind == "horizon"]
    for match in ctx.related_or_best(params.min_similarity):
        ev_durations = [q for q in match.statement.quantities if q.kind == "duration" and _days(q)]
        ev_horizons = [q for q in match.statement.quantities if q.kind == "horizon"]
        for q in claim_durations:
            if ev_durations and not any(abs(_days(q) - _days(e)) <= params.tolerance * max(_days(e), 1)
                                        for e in ev_durations):
                e = min(ev_durations, key=lambda x: abs(_days(x) - _days(q)))
                faster = q.qualifier in {"under"} or "within" in q.text.lower()
                if (faster and _days(q) < _days(e)) or (not faster and _days(q) > _days(e)):
                    return [Hit({"figure": q.text, "source_figure": e.text, "source": match.source_id},
                                (q.start, q.end), match, (e.start, e.end),
                                replace_span(ctx.claim.text, q.start, q.end, e.text))]
        for q in claim_horizons:
            for e in ev_horizons:
                if q.value < e.value and abs(q.value - e.value) < 100:
                    return [Hit({"figure": q.text, "source_figure": e.text, "source": match.source_id},
                                (q.start, q.end), match, (e.start, e.end),
                                replace_span(ctx.claim.text, q.start, q.end, e.text))]
        if not claim_durations and ev_durations and all(_days(e) <= params.short_limit_days for e in ev_durations):
            for start, end, word in find_phrases(params.long_words, ctx.claim.text):
                e = ev_durations[0]
                return [Hit({"figure": word, "source_figure": e.text, "source": match.source_id},
                            (start, end), match, (e.start, e.end))]
    return []

