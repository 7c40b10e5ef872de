"""Scope comparisons: population, condition, intervention, outcome, subgroup."""

from __future__ import annotations

from collections.abc import Set
from typing import TYPE_CHECKING

from claimaudit.evidence.rank import Match
from claimaudit.rules.context import Hit, RuleContext
from claimaudit.rules.kinds.common import find_phrases, lower_first, phrase_pattern

if TYPE_CHECKING:
    from claimaudit.rules.kinds.elements import AbsentParams, StrongerParams


def _first_term(statement, category: str, canonical: Set[str]):
    for term in statement.terms_of(category):
        if term.canonical in canonical:
            return term
    return None


def _pretty(canonicals) -> str:
    return ", ".join(sorted(c.replace("_", " ") for c in canonicals))


def population_shift(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """Evidence from animals or cells, claim about people or unscoped."""
    narrow, broad = set(params.narrow), set(params.broad)
    claim_pops = ctx.claim.canon("populations")
    if claim_pops & narrow:
        return []
    related = ctx.related
    if not related:
        return []
    backed_in_humans = False
    shifted = None
    for match in [m for m in related if m.similarity >= related[0].similarity - params.margin]:
        pops = match.statement.canon("populations")
        if not pops:
            pops = ctx.index.source_canon(match.source_id, "populations")
        if pops & broad and not (match.statement.canon("populations") & narrow):
            backed_in_humans = True
        elif pops & narrow and shifted is None:
            shifted = (match, pops & narrow)
    if backed_in_humans or shifted is None:
        return []
    match, populations = shifted
    term = _first_term(match.statement, "populations", populations)
    population = sorted(populations)[0]
    suggestion = params.prefix.get(population, "In preclinical studies, ") + lower_first(ctx.claim.text, ctx.index.word_forms)
    return [Hit({"population": _pretty(populations), "source": match.source_id},
                None, match, (term.start, term.end) if term else None, suggestion)]


def condition_shift(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """The effect was shown in another condition and carried over."""
    claim_conditions = ctx.claim.canon("conditions") - set(params.ignore)
    related = ctx.related
    if not claim_conditions or not related:
        return []
    others = None
    for match in related:
        source_conditions = match.statement.canon("conditions") | ctx.index.source_canon(match.source_id, "conditions")
        source_conditions -= set(params.ignore)
        if claim_conditions & source_conditions:
            return []
        if source_conditions and others is None:
            others = (match, source_conditions)
    if others is None:
        return []
    match, conditions = others
    claim_term = _first_term(ctx.claim, "conditions", claim_conditions)
    evidence_term = _first_term(match.statement, "conditions", conditions)
    return [Hit({"claim_condition": _pretty(claim_conditions), "evidence_condition": _pretty(conditions),
                 "source": match.source_id},
                (claim_term.start, claim_term.end) if claim_term else None, match,
                (evidence_term.start, evidence_term.end) if evidence_term else None)]


def intervention_mismatch(ctx: RuleContext, params: AbsentParams) -> list[Hit]:
    """The evidence is about another intervention than the claim's."""
    generic = set(params.generic)
    claim_specific = ctx.claim.canon("interventions") - generic
    related = ctx.related
    if not claim_specific or not related:
        return []
    other = None
    for match in related:
        source_interventions = (
            match.statement.canon("interventions") | ctx.index.source_canon(match.source_id, "interventions")
        ) - generic
        if claim_specific & source_interventions or _related_intervention(claim_specific, source_interventions):
            return []
        if source_interventions and other is None:
            other = (match, source_interventions)
    if other is None:
        return []
    match, interventions = other
    claim_term = _first_term(ctx.claim, "interventions", claim_specific)
    evidence_term = _first_term(match.statement, "interventions", interventions)
    return [Hit({"claim_intervention": _pretty(claim_specific), "evidence_intervention": _pretty(interventions),
                 "source": match.source_id},
                (claim_term.start, claim_term.end) if claim_term else None, match,
                (evidence_term.start, evidence_term.end) if evidence_term else None)]


def _related_intervention(claim: Set[str], evidence: Set[str]) -> bool:
    """Cell sources of one kind count as the same intervention family (MSC subtypes)."""
    def family(name: str) -> str:
        return "msc" if "msc" in name or name in {"mesenchymal_stem_cells"} else name
    return bool({family(c) for c in claim} & {family(e) for e in evidence})


def outcome_unmeasured(ctx: RuleContext, params: AbsentParams) -> list[Hit]:
    """The claim's outcome is measured by no source, in any condition."""
    if params.require_effect and not any(c.kind in {"causal", "correlational"} for c in ctx.claim.cues):
        return []
    measured = ctx.index.pack_canon("outcomes")
    for term in ctx.claim.terms_of("outcomes"):
        if term.canonical not in measured and not ctx.claim.negated_at(term.start, term.end):
            return [Hit({"outcome": term.text}, (term.start, term.end), ctx.best, None)]
    return []


def subgroup_generalised(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """A result for some participants stated for everyone, or for groups the
    study excluded."""
    everyone = find_phrases(params.everyone, ctx.claim.text)
    if not everyone:
        return []
    start, end, word = everyone[0]
    claim_tokens = set(ctx.claim.tokens)
    excluded = phrase_pattern(tuple(params.excluded))
    # Any sentence of the pack may exclude the group; only those the pattern finds anything in can.
    candidates = ctx.related_or_best() + [Match(ctx.index.sentences[row], 0.0)
                                          for row in ctx.index.rows_matching(excluded)]
    for match in candidates:
        found = excluded.search(match.statement.text)
        if found and len(claim_tokens & set(match.statement.tokens)) >= 2:
            return [Hit({"everyone": word, "subgroup": found.group(0), "source": match.source_id},
                        (start, end), match, (found.start(), found.end()),
                        ctx.claim.text[:start].rstrip() + "." if start > 10 else "")]
    for match in ctx.related_or_best():
        sub = find_phrases(params.subgroup, match.statement.text)
        if sub and word.lower() != "including":
            return [Hit({"everyone": word, "subgroup": sub[0][2], "source": match.source_id},
                        (start, end), match, (sub[0][0], sub[0][1]),
                        ctx.claim.text[:start] + sub[0][2] + ctx.claim.text[end:])]
    return []
