"""The check kinds over the elements of a claim: ``element_absent``,
``element_stronger`` and ``element_contradicted``.

Each names the element(s) of the claim it compares with the evidence
(``elements:`` or ``element:``); each element's comparison is its own
function, and reads only the options listed for it. The core elements
(subject, outcome, direction) and the comparator, population and condition
are read from the claim's alignment with its evidence; the others compare
figures, terms and wording directly.
"""

from __future__ import annotations

from typing import Literal

from claimaudit.evidence.align import Status
from claimaudit.rules.context import RELATED, Check, Hit, Params, RuleContext, Variant, kind, params
from claimaudit.rules.kinds import certainty, figures, scope, support
from claimaudit.rules.kinds.alignment import ALIGNED, ALIGNMENT_FIELDS, alignment_hits

# The figure kinds held against their sources unless a rule says otherwise.
FIGURE_KINDS = ["percent", "ratio", "count", "multiplier", "money", "plain"]


# --- element_absent -----------------------------------------------------------------

AbsentElement = Literal["subject", "outcome", "direction", "comparator", "population", "condition", "figure",
                        "intervention", "measured_outcome", "attribution"]


@params
class AbsentParams(Params):
    elements: list[AbsentElement] = ["subject", "outcome", "direction"]
    """The elements of the claim looked at, in order: subject, outcome, direction, comparator, population, condition
    (from the alignment), figure, intervention, measured_outcome, attribution (see the kind's description)."""
    tolerance: float = 0.05
    """(figure) Relative difference two figures may have and still be the same figure (0.05: 5%, for rounding)."""
    kinds: list[str] = FIGURE_KINDS
    """(figure) The kinds of figure in the claim that are checked (percent, ratio, count, multiplier, money, plain,
    duration)."""
    min_count: float = 10
    """(figure) Counts below this are incidental ("two injections") unless a source gives a counterpart."""
    harms: list[str] = figures.HARMS
    """(figure) Words that make a figure a rate of harm (side effects, relapses), where a smaller figure is the
    stronger claim."""
    generic: list[str] = ["stem_cell_therapy", "regenerative_medicine", "cell_therapy"]
    """(intervention) Interventions (canonical names) too general to tell one treatment from another; they never
    mismatch."""
    require_effect: bool = True
    """(measured_outcome) Check only claims that state an effect (a causal or correlational verb)."""


_ALIGNED_VARIANTS = tuple(Variant(name, fields=ALIGNMENT_FIELDS) for name in ALIGNED)

ABSENT_VARIANTS = _ALIGNED_VARIANTS + (
    Variant("figure", ("tolerance", "kinds", "min_count", "harms"), fields=("figure", "closest")),
    Variant("intervention", ("generic",), fields=("claim_intervention", "evidence_intervention", "source")),
    Variant("measured_outcome", ("require_effect",), fields=("outcome",)),
    Variant("attribution", fields=("named",)),
)

_ABSENT: dict[str, Check] = {
    "figure": figures.figure_absent,
    "intervention": scope.intervention_mismatch,
    "measured_outcome": scope.outcome_unmeasured,
    "attribution": support.attributed_source_missing,
}


def _first_hits(ctx: RuleContext, elements: list[str], checks: dict[str, Check], params: object,
                status: Status, guard: bool = False) -> list[Hit]:
    """The hits of the first listed element that has any; the aligned elements are looked at together, where the
    first of them is listed."""
    aligned = [name for name in elements if name in ALIGNED]
    for name in dict.fromkeys(elements):
        if name in ALIGNED:
            if name != aligned[0]:
                continue
            hits = alignment_hits(ctx, aligned, {status}, guard)
        else:
            hits = checks[name](ctx, params)
        if hits:
            return hits
    return []


@kind("element_absent", AbsentParams, selector="elements", variants=ABSENT_VARIANTS)
def element_absent(ctx: RuleContext, params: AbsentParams) -> list[Hit]:
    """An element the claim asserts that its evidence does not state. `subject`, `outcome`, `direction`,
    `comparator`, `population`, `condition`: the element is absent from the evidence that covers the rest of the
    claim best (fills `{element}`, `{elements}`, `{claim_words}`, `{evidence_words}`, `{source}`, `{closest}`,
    `{quoted}`).
    `figure`: a figure no source states, for that quantity or at all (`{figure}`, `{closest}`). `intervention`: the
    related evidence is about another intervention than the claim's (`{claim_intervention}`,
    `{evidence_intervention}`, `{source}`). `measured_outcome`: an outcome no source measures, in any condition
    (`{outcome}`). `attribution`: a source the claim names (author, journal, body, DOI) that is not in the pack
    (`{named}`)."""
    return _first_hits(ctx, list(params.elements), _ABSENT, params, Status.ABSENT)


# --- element_stronger ---------------------------------------------------------------

StrongerElement = Literal["figure", "qualifier", "time_frame", "certainty", "population", "condition", "subgroup",
                          "design", "quantifier"]


@params
class StrongerParams(Params):
    element: StrongerElement
    """The element of the claim held against its evidence: figure, qualifier, time_frame, certainty, population,
    condition, subgroup, design or quantifier (see the kind's description)."""
    tolerance: float = 0.05
    """(figure, qualifier, time_frame) Relative difference two figures or time frames may have and still be the same
    (0.05: 5%, for rounding)."""
    kinds: list[str] = FIGURE_KINDS
    """(figure, qualifier) The kinds of figure in the claim that are checked (percent, ratio, count, multiplier, money,
    plain, duration)."""
    min_count: float = 10
    """(figure) Counts below this are incidental ("two injections") unless a source gives a counterpart."""
    harms: list[str] = figures.HARMS
    """(figure) Words that make a figure a rate of harm (side effects, relapses), where a smaller figure is the
    stronger claim."""
    quantifiers: dict[str, float] = {"most": 50, "the majority of": 50, "a majority of": 50,
                                     "more than half": 50, "over half": 50, "nearly all": 90,
                                     "almost all": 90, "virtually all": 90, "the vast majority": 80}
    """(figure) Words that state a share of people, with the share (percent) they stand for."""
    ceiling: list[str] = ["up_to"]
    """(qualifier) Qualifiers in the source that mark a figure as a ceiling, not a typical result (up_to)."""
    typical: list[str] = ["exact", "over", "at_least", "about"]
    """(qualifier) Claim qualifiers that present a figure as typical or as a floor (exact, over, at_least, about)."""
    average_words: list[str] = ["average", "on average", "mean", "median", "typical", "typically"]
    """(qualifier) Words near a source figure that make it the typical result."""
    long_words: dict[str, float] = {"for life": 36500, "lifelong": 36500, "for good": 36500, "permanently": 36500,
                                    "permanent": 36500, "forever": 36500, "for years": 730, "for months": 60,
                                    "long-term": 365, "long term": 365, "lasting": 180, "stays off": 365,
                                    "stay off": 365}
    """(time_frame) Durability words and the time (days) they promise."""
    short_words: dict[str, float] = {"first night": 1, "first day": 1, "overnight": 1, "instantly": 1,
                                     "immediately": 1, "right away": 1, "from day one": 1, "within days": 5,
                                     "in days": 5, "within hours": 1, "single session": 1, "after one session": 1,
                                     "first session": 1, "first use": 1, "first application": 1}
    """(time_frame) Speed words and the time (days) they promise."""
    min_days: float = 1
    """(time_frame) Only time frames of at least this many days are compared ("19 minutes faster" is an amount)."""
    min_similarity: float = figures.TIMEFRAME_SIMILARITY
    """(time_frame) Evidence at least this similar to the claim is searched for time frames (looser than for figures:
    the shared outcome is often all two sentences have in common)."""
    min_gap: int = 1
    """(certainty) How many certainty levels (0 hedged to 3 proven) the claim must stand above its evidence to
    fire."""
    min_claim_level: int = 2
    """(certainty) Claims less certain than this level (0 to 3) are left alone."""
    margin: float = 0.1
    """(certainty, population) Evidence within this much of the best match's similarity counts as equally about the
    claim; for certainty the most certain of it decides."""
    narrow: list[str] = ["animal", "cells", "in_vitro", "preclinical"]
    """(population) Populations (canonical names) that evidence about people cannot be taken from."""
    broad: list[str] = ["human"]
    """(population) Populations (canonical names) a claim about people names."""
    prefix: dict[str, str] = {
        "animal": "In animal studies, ",
        "cells": "In laboratory cell studies, ",
        "in_vitro": "In laboratory cell studies, ",
        "preclinical": "In preclinical studies, ",
    }
    """(population) The words a suggested rewrite starts with, for each narrow population."""
    ignore: list[str] = []
    """(condition) Conditions (canonical names) left out of the comparison."""
    everyone: list[str] = ["every patient", "all patients", "everyone", "every person", "all people",
                           "anyone", "all users", "every user", "all customers", "every customer",
                           "all of our patients", "each patient", "every participant", "all participants",
                           "every skin type", "all skin types", "any age", "all ages", "whatever the stage",
                           "at any stage", "every stage", "including"]
    """(subgroup) Words in the claim that extend a finding to everyone."""
    subgroup: list[str] = ["some patients", "some participants", "a subset", "a subgroup", "subgroup",
                           "a minority", "a few patients", "several patients", "most patients", "many patients",
                           "some people", "some users", "in those with", "among those with", "responders",
                           "a portion of", "some of the", "only in", "only when", "only if", "only those",
                           "within the first"]
    """(subgroup) Words in the evidence that limit a finding to some of the people studied."""
    excluded: list[str] = ["excluded", "were not included", "was not included", "not eligible", "ineligible",
                           "were not studied", "was not studied", "did not include"]
    """(subgroup) Words in the evidence that say groups were left out of the study."""
    claimed: list[str] = []
    """(design) Study designs the claim may boast of ("clinical trials", "double-blind"); a rule must list them."""
    strong_in_source: list[str] = []
    """(design) Words in a source that describe such a design ("randomised", "placebo-controlled"); a rule must list
    them."""
    weak_in_source: list[str] = []
    """(design) Words in a source that describe a weaker design ("pilot", "open-label"); with them a strong word does
    not count. A rule must list them."""
    sizes: dict[str, float] = {}
    """(design) Size words and the fewest participants they stand for: "large trials" needs a study that large,
    however well designed."""
    participants: list[str] = ["participants", "patients", "people", "persons", "adults", "children", "women",
                               "men", "subjects", "volunteers", "users", "members", "listeners", "individuals",
                               "workers", "employees", "nurses", "veterans", "seniors", "elderly", "runners",
                               "infants", "adolescents", "teenagers", "students", "athletes", "residents",
                               "customers", "testers", "cases", "smokers", "pregnancies", "mothers", "babies"]
    """(design) Words that make a count a count of study participants ("62 women")."""


STRONGER_VARIANTS = (
    Variant("figure", ("tolerance", "kinds", "min_count", "harms", "quantifiers"),
            fields=("figure", "source_figure", "source")),
    Variant("qualifier", ("tolerance", "kinds", "ceiling", "typical", "average_words"),
            fields=("figure", "source_figure", "what", "source")),
    Variant("time_frame", ("tolerance", "long_words", "short_words", "min_days", "min_similarity"),
            fields=("figure", "source_figure", "source")),
    Variant("certainty", ("min_gap", "min_claim_level", "margin"),
            fields=("claim_strength", "evidence_strength", "hedge", "removed", "source")),
    Variant("population", ("margin", "narrow", "broad", "prefix"), fields=("population", "source")),
    Variant("condition", ("ignore",), fields=("claim_condition", "evidence_condition", "source")),
    Variant("subgroup", ("everyone", "subgroup", "excluded"), fields=("everyone", "subgroup", "source")),
    Variant("design", ("claimed", "strong_in_source", "weak_in_source", "sizes", "participants"),
            required=("claimed", "strong_in_source", "weak_in_source"), fields=("design", "source_design", "source")),
    Variant("quantifier", fields=ALIGNMENT_FIELDS),
)


def _quantifier(ctx: RuleContext, params: object) -> list[Hit]:
    """The claim's "every", "all", "only" or "the majority", which the evidence that covers it does not use."""
    if not ctx.alignment.core_shown:
        return []
    return alignment_hits(ctx, ["quantifier"], {Status.WEAKER})


_STRONGER: dict[str, Check] = {
    "figure": figures.figure_inflated,
    "qualifier": figures.figure_qualifier,
    "time_frame": figures.timeframe_stretched,
    "certainty": certainty.strength_exceeds,
    "population": scope.population_shift,
    "condition": scope.condition_shift,
    "subgroup": scope.subgroup_generalised,
    "design": support.design_overclaimed,
    "quantifier": _quantifier,
}


@kind("element_stronger", StrongerParams, selector="element", variants=STRONGER_VARIANTS)
def element_stronger(ctx: RuleContext, params: StrongerParams) -> list[Hit]:
    """An element of the claim that goes beyond its evidence. `figure`: a figure larger than the source's for the
    same quantity (or, for a rate of harm, smaller), and "most" for a minority (fills `{figure}`, `{source_figure}`,
    `{source}`). `qualifier`: a source's "up to" or range stated as a typical or guaranteed figure, or a claim's "up
    to" the source reached only in a few (`{figure}`, `{source_figure}`, `{what}`, `{source}`). `time_frame`: a time
    frame or horizon stretched beyond the source's, or a speed of benefit shortened below it (`{figure}`,
    `{source_figure}`, `{source}`). `certainty`: a stronger relationship than the best evidence states, which hedges
    or only correlates (`{claim_strength}`, `{evidence_strength}`, `{hedge}`, `{removed}`, `{source}`).
    `population`: evidence from animals or cells, claim about people or unscoped (`{population}`, `{source}`).
    `condition`: an effect shown in another condition and carried over (`{claim_condition}`, `{evidence_condition}`,
    `{source}`). `subgroup`: a result for some participants stated for everyone, or for groups the study excluded
    (`{everyone}`, `{subgroup}`, `{source}`). `design`: a study design or size the sources do not describe
    (`{design}`, `{source_design}`, `{source}`). `quantifier`: "every", "all", "only" or "the majority" in the claim
    where the evidence that covers it uses no such word and gives no share (`{element}`, `{elements}`,
    `{claim_words}`, `{evidence_words}`, `{source}`, `{closest}`, `{quoted}`)."""
    return _STRONGER[params.element](ctx, params)


# --- element_contradicted -----------------------------------------------------------

ContradictedElement = Literal["subject", "outcome", "direction", "comparator", "population", "condition", "finding"]


@params
class ContradictedParams(Params):
    elements: list[ContradictedElement] = ["subject", "outcome", "direction"]
    """The elements of the claim looked at, in order: subject, outcome, direction, comparator, population, condition
    (from the alignment), finding (see the kind's description)."""
    failures: list[str] = []
    """(finding) Words in the evidence that report a failed result ("did not improve", "no better than placebo"); a
    rule must list them."""
    min_similarity: float = RELATED
    """(finding) Evidence less similar than this (0 to 1) is not held against the claim."""
    superiority: list[str] = ["outperforms", "outperform", "better than", "superior to", "more effective than",
                              "works better", "beats", "faster than", "stronger than", "more than any"]
    """(finding) Words in the claim that win a comparison ("outperforms"), contradicted by evidence of no
    difference."""
    no_difference: list[str] = ["no significant difference", "not statistically significant", "did not differ",
                                "not significantly different", "similar", "comparable", "no better than",
                                "non-inferior", "noninferior", "no difference"]
    """(finding) Words in the evidence that report no difference between the groups compared."""
    min_shared: int = 2
    """(finding) Negated evidence must share at least this many content words with the claim."""
    opposites: list[list[list[str]]] = support.OPPOSITES
    """(finding) Pairs of opposite direction words: a claim word swapped for its opposite reverses a finding ("more
    likely" for "less likely")."""
    min_shared_for_flip: int = 3
    """(finding) A swapped word only reverses a finding the two sentences otherwise share: at least this many content
    words."""
    flip_margin: float = 0.1
    """(finding) Only evidence within this much of the best match's similarity is checked for a reversal."""
    not_results: list[str] = ["excluded", "exclude", "without", "not included", "not blinded", "no control",
                              "not randomised", "not randomized", "no placebo"]
    """(finding) Negations that describe the study, not its result ("were excluded", "without a control group")."""


CONTRADICTED_VARIANTS = _ALIGNED_VARIANTS + (
    Variant("finding", ("failures", "min_similarity", "superiority", "no_difference", "min_shared", "opposites",
                        "min_shared_for_flip", "flip_margin", "not_results"),
            required=("failures",), fields=("evidence_words", "source")),
)


@kind("element_contradicted", ContradictedParams, selector="elements", variants=CONTRADICTED_VARIANTS)
def element_contradicted(ctx: RuleContext, params: ContradictedParams) -> list[Hit]:
    """An element the evidence states the other way. `subject`, `outcome`, `direction`, `comparator`, `population`,
    `condition`: the aligned evidence says the opposite, or no change where the claim says better (fills
    `{element}`, `{elements}`, `{claim_words}`, `{evidence_words}`, `{source}`, `{closest}`, `{quoted}`).
    `finding`: the evidence about the claim negates it: a failed endpoint, a negated effect, a finding in the
    opposite direction, or no difference where the claim says better; or the claim denies what the evidence
    affirms (`{evidence_words}`, `{source}`)."""
    return _first_hits(ctx, list(params.elements), {"finding": support.contradicted}, params, Status.CONTRADICTED,
                       guard=True)
