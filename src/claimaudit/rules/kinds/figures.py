"""Figure comparisons: absent, inflated, qualifier dropped, time stretched.

Every figure in a claim is first *aligned* with the figures of its related
evidence: the same kind of quantity (a share of people, a count of the same
thing, an amount in the same unit) is its counterpart. A figure whose
counterpart says the same amount is matched; one larger than its counterpart
is inflated; one with no counterpart and found nowhere in the pack is absent.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

import regex

from claimaudit.evidence.rank import Match
from claimaudit.language import Quantity
from claimaudit.rules.context import Hit, RuleContext
from claimaudit.rules.kinds.common import (
    ABOUT_TOLERANCE,
    BOUND_SLACK,
    _days,
    as_percent,
    close,
    comparable,
    figures,
    find_phrases,
    is_scale,
    is_year,
    replace_span,
    same_figure,
    same_quantity,
    same_range,
)
from claimaudit.rules.spec import fill_template

if TYPE_CHECKING:
    from claimaudit.evidence.index import SourceIndex
    from claimaudit.rules.kinds.elements import AbsentParams, StrongerParams

    FigureParams = Union[AbsentParams, StrongerParams]

# Outcomes where a smaller figure is the stronger claim (an adverse-event rate).
HARMS = ["side effect", "side effects", "adverse", "sensitivity", "irritation", "complication",
         "complications", "soreness", "swelling", "redness", "peeling", "headache", "headaches", "nausea",
         "returned", "returns", "relapse", "relapses", "deaths", "infection", "infections", "discomfort",
         "dropouts", "dropped out", "stomach upset"]


@dataclass
class Aligned:
    """A claim figure and what the related evidence says for the same quantity."""

    quantity: Quantity
    status: str  # matched | inflated | understated | differs | absent
    match: Match | None = None
    counterpart: Quantity | None = None


def _value(q) -> float:
    pct = as_percent(q)
    if pct is not None:
        return pct
    if q.kind == "duration":
        return _days(q) or q.value
    return q.value


def _bounds(q) -> tuple[float, float]:
    if q.kind == "percent" and q.is_range:
        return q.low, q.high
    if q.kind in {"count", "plain", "money", "multiplier"} and q.is_range:
        return q.low, q.high
    value = _value(q)
    return value, value


# A harm that "went down" is a benefit: larger is then the stronger claim.
CHANGE_WORDS = regex.compile(
    r"\b(?:went\s+down|fell|falls?|reduc\w*|decreas\w*|improv\w*|eas(?:ed|es)|lower\w*|cuts?|drop\w*|"
    r"reliev\w*|resolv\w*|disappear\w*|prevent\w*)\b", regex.IGNORECASE)


def _is_harm(ctx: RuleContext, q, harms: list[str]) -> bool:
    if not find_phrases(harms, ctx.claim.text) or CHANGE_WORDS.search(ctx.claim.text):
        return False
    before = ctx.claim.text[max(0, q.start - 4):q.start].lower()
    # "cut side effects by 40%" is a reduction (bigger is stronger), not a rate.
    return not before.rstrip().endswith("by")


def _claim_figures(ctx: RuleContext, params: FigureParams) -> list:
    return figures(ctx.claim, set(params.kinds))


# The similarity at which the time_frame comparison reads an evidence sentence's time frames.
TIMEFRAME_SIMILARITY = 0.28


def _evidence_frames(ctx: RuleContext) -> bool:
    return any(q.kind == "duration" for m in ctx.related_or_best(TIMEFRAME_SIMILARITY)
               for q in m.statement.quantities)


def align(ctx: RuleContext, params: FigureParams) -> list[Aligned]:
    """Each claim figure with its counterpart in the related evidence."""
    out: list[Aligned] = []
    related = ctx.related
    claim_text = ctx.claim.text
    for q in _claim_figures(ctx, params):
        candidates = [(m, eq) for m in related for eq in m.statement.quantities
                      if comparable(q, eq) and same_quantity(claim_text, q, m.statement.text, eq)]
        same = next(((m, eq) for m, eq in candidates if same_figure(q, eq, params.tolerance)), None)
        if same:
            out.append(Aligned(q, "matched", *same))
            continue
        if q.kind == "duration" and ((_days(q) or 0) < 1 or _evidence_frames(ctx)):
            continue  # a time frame the evidence gives differently is the time_frame comparison's to judge
        if not candidates:
            anywhere = any(same_quantity(claim_text, q, ctx.index.sentences[row].text, eq)
                           for row, eq in figure_twins(ctx.index, q, params.tolerance))
            small = q.kind in {"count", "plain"} and q.value < params.min_count
            if anywhere or small:
                out.append(Aligned(q, "matched", ctx.best))
                continue
            # The same number counting something else ("3 days" against "three trials");
            # a ratio's number is not its amount, so it has no such twin.
            other = next(((m, eq) for m in related for eq in m.statement.quantities
                          if eq.value == q.value and not is_year(eq) and "ratio" not in {q.kind, eq.kind}),
                         None)
            if q.kind == "duration" and other is None:
                # A time frame no source gives is common and often harmless
                # ("a two-week course"); it is held only against a coincident number.
                out.append(Aligned(q, "matched", ctx.best))
                continue
            out.append(Aligned(q, "absent", *(other or (ctx.best,))))
            continue
        claimed = _value(q)
        match, eq = min(candidates, key=lambda c: (abs(_value(c[1]) - claimed), -c[0].similarity))
        low, high = _bounds(eq)
        harm = _is_harm(ctx, q, params.harms)
        tol = params.tolerance
        status = "matched"
        if q.qualifier in {"under", "nearly"}:
            if low > claimed * (1 + tol):
                status = "understated" if harm else "differs"
        elif q.qualifier in {"over", "at_least"}:
            if high < claimed * (1 - tol):
                status = "differs" if harm else "inflated"
        elif claimed > high * (1 + tol) and not (as_percent(q) is not None and claimed - high <= 1.0):
            status = "differs" if harm else "inflated"
        elif claimed < low * (1 - tol) and not (as_percent(q) is not None and low - claimed <= 1.0):
            status = "understated" if harm else "differs"
        out.append(Aligned(q, status, match, eq))
    return out


# The closest evidence for a figure no source states, as a clause its message may add.
CLOSEST_ELSEWHERE = '{source} has "{source_figure}", which measures something else'
CLOSEST_DIFFERS = 'for that quantity {source} gives "{source_figure}"'


def _closest(template: str, match: Match, eq: Quantity) -> str:
    return "; " + fill_template(template, {"source": match.source_id, "source_figure": eq.text},
                                {"source": "a source"})


def figure_absent(ctx: RuleContext, params: FigureParams) -> list[Hit]:
    """A figure in the claim that no source states, for that quantity or at all."""
    hits = []
    for item in align(ctx, params):
        q, eq, match = item.quantity, item.counterpart, item.match
        # A counterpart always comes with the evidence that holds it.
        if item.status == "absent" and eq is not None and match is not None:
            hits.append(Hit({"figure": q.text, "closest": _closest(CLOSEST_ELSEWHERE, match, eq)},
                            (q.start, q.end), match, (eq.start, eq.end)))
        elif item.status == "absent":
            hits.append(Hit({"figure": q.text, "closest": ""}, (q.start, q.end), match, None))
        elif item.status == "differs" and eq is not None and match is not None:
            hits.append(Hit({"figure": q.text, "closest": _closest(CLOSEST_DIFFERS, match, eq)},
                            (q.start, q.end), match, (eq.start, eq.end),
                            replace_span(ctx.claim.text, q.start, q.end, eq.text)))
    return hits[:1]


QUANTIFIED_PEOPLE = r"(?:\s+(?:of\s+)?(?:the\s+|our\s+|all\s+)?[\p{L}-]+){0,2}?\s+(?:patients|participants|people|users|members|customers|clients|adults|women|men|children|subjects|volunteers|respondents)\b"


def _quantifier_hits(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """ "Most participants" where the best evidence gives a minority share."""
    best = ctx.related[0] if ctx.related else None
    if best is None:
        return []
    claim_values = {round(_value(q), 3) for q in ctx.claim.quantities}
    for start, end, word in find_phrases(list(params.quantifiers), ctx.claim.text):
        if not regex.match(QUANTIFIED_PEOPLE, ctx.claim.text[end:], regex.IGNORECASE):
            continue
        floor = params.quantifiers.get(word.lower(), 50)
        shares = [(eq, share) for eq in best.statement.quantities
                  if (share := as_percent(eq)) is not None and round(_value(eq), 3) not in claim_values]
        if shares and all(share < floor for _, share in shares):
            eq = shares[0][0]
            return [Hit({"figure": word, "source_figure": eq.text, "source": best.source_id},
                        (start, end), best, (eq.start, eq.end),
                        replace_span(ctx.claim.text, start, end, eq.text + " of"))]
    return []


def figure_inflated(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """A figure larger than the source's figure for the same quantity (or, for
    an adverse-event rate, smaller), and "most" for a minority."""
    for item in align(ctx, params):
        q, eq, match = item.quantity, item.counterpart, item.match
        if item.status in {"inflated", "understated"} and eq is not None and match is not None:
            return [Hit({"figure": q.text, "source_figure": eq.text, "source": match.source_id},
                        (q.start, q.end), match, (eq.start, eq.end),
                        replace_span(ctx.claim.text, q.start, q.end, eq.text))]
    return _quantifier_hits(ctx, params)


def _qualifier_hit(ctx, q, match, eq, what, suggestion_text):
    return Hit({"figure": q.text, "source_figure": eq.text, "what": what, "source": match.source_id},
               (q.start, q.end), match, (eq.start, eq.end),
               replace_span(ctx.claim.text, q.start, q.end, suggestion_text))


def figure_qualifier(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """A source's "up to" or range stated as a typical or guaranteed figure, or
    a claim's "up to" that the source reached only in a few."""
    averages = regex.compile(r"\b(?:" + "|".join(regex.escape(w) for w in params.average_words) + r")\b"
                             if params.average_words else r"(?!x)x", regex.IGNORECASE)
    for q in figures(ctx.claim, set(params.kinds)):
        for match in ctx.related:
            quantities = [eq for eq in match.statement.quantities if comparable(q, eq)]
            for eq in quantities:
                if same_range(q, eq) or is_scale(eq):
                    continue
                if (eq.qualifier in params.ceiling and q.qualifier in params.typical
                        and same_figure(q, eq, params.tolerance)):
                    return [_qualifier_hit(ctx, q, match, eq, f'"{eq.text}" (a ceiling)', eq.text)]
                if (eq.high is not None and eq.is_range and not q.is_range and eq.low != eq.high
                        and q.qualifier in params.typical and close(_value(q), eq.high, params.tolerance)):
                    return [_qualifier_hit(ctx, q, match, eq, f'the range "{eq.text}", not its top', eq.text)]
            if q.qualifier == "up_to":
                ceiling = next((eq for eq in quantities if same_figure(q, eq, params.tolerance)), None)
                typical = [eq for eq in quantities if eq is not ceiling and _value(eq) < _value(q) * (1 - params.tolerance)
                           and averages.search(match.statement.text[max(0, eq.start - 30):eq.end + 5])]
                if ceiling is not None and typical:
                    eq = typical[0]
                    return [_qualifier_hit(ctx, q, match, eq,
                                           f'"{eq.text}" on average, and "{ceiling.text}" only at best',
                                           f"on average {eq.text}")]
    return []


def figure_twins(index: SourceIndex, q: Quantity, tolerance: float) -> list[tuple[int, Quantity]]:
    """Every figure of the pack that states the same amount as ``q`` (and is not a year), with its
    sentence's row, in pack order. Worked out once per pack for each amount a claim states."""
    key = ("figure twins", q.value, q.unit, q.kind, q.qualifier, q.denominator, tolerance)
    return index.pack_fact(key, lambda: [(row, eq) for row, eq in _near_figures(index, q, tolerance)
                                         if same_figure(q, eq, tolerance) and not is_year(eq)])


def _margin(q: Quantity, tolerance: float) -> float:
    """The relative margin within which same_figure can find an amount the same as ``q``'s: the
    tolerance, wider for an "about" figure, a bound ("over 30%") or a time frame (10%)."""
    margin = max(tolerance, 0.1)
    if q.qualifier in {"about", "nearly"}:
        margin = max(margin, ABOUT_TOLERANCE)
    if q.qualifier in {"over", "at_least", "under", "nearly"}:
        margin = max(margin, BOUND_SLACK)
    return margin


def _near_figures(index: SourceIndex, q: Quantity, tolerance: float) -> list[tuple[int, Quantity]]:
    """The pack's figures that could state the same amount as ``q``: a superset of those that do,
    found by amount in the tables same_figure compares by, rather than by comparing with every figure."""
    import bisect

    entries, tables, always = index.pack_fact("figure tables", lambda: _figure_tables(index))
    margin = _margin(q, tolerance)
    # (table, amount) pairs same_figure compares q by: a time frame by days; a share as a
    # percentage (and its bound by its value); any figure by value among figures of its kind.
    looked: list[tuple[str, float | None]] = []
    if q.kind == "duration":
        looked.append(("days", _days(q)))
    else:
        if as_percent(q) is not None:
            looked += [("percent", as_percent(q)), ("percent", q.value)]
        kinds = {q.kind} | ({"count", "plain"} if q.kind in {"count", "plain"} else set())
        looked += [(f"value:{kind}", q.value) for kind in sorted(kinds)]
    if margin >= 0.9 or any(amount is None or not amount > 0 for _, amount in looked):
        return entries
    chosen = set(always)
    for name, amount in looked:
        values, rows = tables.get(name, ([], []))
        assert amount is not None
        low, high = amount * (1 - margin) - 1.5, amount / (1 - margin) + 1.5
        chosen.update(rows[bisect.bisect_left(values, low):bisect.bisect_right(values, high)])
    return [entries[n] for n in sorted(chosen)]


def _figure_tables(index: SourceIndex) -> tuple[list[tuple[int, Quantity]], dict[str, tuple[list[float], list[int]]],
                                                 list[int]]:
    """The pack's figures (row, figure) in pack order; for each way same_figure compares figures (in days,
    as a percentage, by value among one kind) the amounts sorted with the entry each belongs to; and the
    entries always compared (ranges, and amounts not above zero)."""
    entries = [(row, eq) for row, sentence in enumerate(index.sentences) for eq in sentence.statement.quantities]
    amounts: dict[str, list[tuple[float, int]]] = {}
    always: list[int] = []
    for n, (_, eq) in enumerate(entries):
        views = [("days", _days(eq)), ("percent", as_percent(eq)), (f"value:{eq.kind}", eq.value)]
        if eq.low is not None or eq.high is not None or any(v is not None and not v > 0 for _, v in views):
            always.append(n)
        for name, amount in views:
            if amount is not None:
                amounts.setdefault(name, []).append((amount, n))
    tables = {name: ([v for v, _ in sorted(found)], [n for _, n in sorted(found)]) for name, found in amounts.items()}
    return entries, tables, always


def _frames(statement, min_days: float) -> list[Quantity]:
    return [q for q in statement.quantities if q.kind == "duration" and (_days(q) or 0) >= min_days]


def _day_count(q: Quantity) -> float:
    """A time frame's days (every duration has them)."""
    return _days(q) or 0.0


def _pack_frames(ctx: RuleContext, params: StrongerParams) -> list[tuple[Match, Quantity]]:
    """Time frames of evidence about the claim: its related sentences, else any
    sentence sharing the claim's rarest content words."""
    out = [(m, q) for m in ctx.related_or_best(params.min_similarity) for q in _frames(m.statement, params.min_days)]
    if out:
        return out
    tokens = sorted(ctx.claim.token_set, key=lambda t: (-ctx.index.idf.get(t, 0.0), t))[:3]
    rows = sorted({row for token in tokens for row in ctx.index.postings.get(token, ())})
    for row in rows:
        sentence = ctx.index.sentences[row]
        out.extend((Match(sentence, 0.0), q) for q in _frames(sentence.statement, params.min_days))
    return out


def timeframe_stretched(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """A time frame or horizon stretched beyond the source's, or a speed of
    benefit shortened below it."""
    claim_frames = _frames(ctx.claim, params.min_days)
    related = ctx.related_or_best(params.min_similarity)
    evidence_frames = [(m, q) for m in related for q in _frames(m.statement, params.min_days)]
    for q in claim_frames:
        if not evidence_frames or any(same_figure(q, e, params.tolerance) for _, e in evidence_frames):
            continue
        match, e = min(evidence_frames, key=lambda me: (abs(_day_count(me[1]) - _day_count(q)), -me[0].similarity))
        before = ctx.claim.text[max(0, q.start - 8):q.start].lower()
        # "within two weeks", "in a week": how soon the benefit comes.
        faster = (q.qualifier in {"under", "up_to"} or "within" in q.text.lower()
                  or before.rstrip().endswith(("in", "within")))
        if (faster and _day_count(q) < _day_count(e)) or (not faster and _day_count(q) > _day_count(e)):
            return [Hit({"figure": q.text, "source_figure": e.text, "source": match.source_id},
                        (q.start, q.end), match, (e.start, e.end),
                        replace_span(ctx.claim.text, q.start, q.end, e.text))]
    # Forecast horizons ("by 2040"); a start date ("since 2019") is not a horizon to bring forward.
    claim_horizons = [q for q in ctx.claim.quantities if q.kind == "horizon" and q.qualifier == "up_to"]
    for match in related:
        for q in claim_horizons:
            for e in (x for x in match.statement.quantities if x.kind == "horizon" and x.qualifier == "up_to"):
                if q.value < e.value and abs(q.value - e.value) < 100:
                    return [Hit({"figure": q.text, "source_figure": e.text, "source": match.source_id},
                                (q.start, q.end), match, (e.start, e.end),
                                replace_span(ctx.claim.text, q.start, q.end, e.text))]
    if claim_frames:
        return []
    long_found = find_phrases(list(params.long_words), ctx.claim.text)
    short_found = find_phrases(list(params.short_words), ctx.claim.text)
    if not long_found and not short_found:
        return []
    frames = _pack_frames(ctx, params)
    if not frames:
        return []
    for start, end, word in long_found:
        if ctx.claim.negated_at(start, end):
            continue
        promised = params.long_words.get(word.lower(), 365)
        match, e = max(frames, key=lambda me: (_day_count(me[1]), me[0].similarity))
        if _day_count(e) < promised * (1 - params.tolerance):
            return [Hit({"figure": word, "source_figure": e.text, "source": match.source_id},
                        (start, end), match, (e.start, e.end),
                        replace_span(ctx.claim.text, start, end, f"for {e.text}"))]
    for start, end, word in short_found:
        promised = params.short_words.get(word.lower(), 1)
        match, e = min(frames, key=lambda me: (_day_count(me[1]), -me[0].similarity))
        if _day_count(e) > promised * (1 + params.tolerance):
            return [Hit({"figure": word, "source_figure": e.text, "source": match.source_id},
                        (start, end), match, (e.start, e.end),
                        replace_span(ctx.claim.text, start, end, f"after {e.text}"))]
    return []
