"""The check kind ``conditional``: a claim that says something of a certain
sort needs the sources to show something in particular.

``requires:`` names what must be shown; each requirement is its own function
and reads only the options listed for it.
"""

from __future__ import annotations

from typing import Literal

from claimaudit.rules.context import RELATED, Check, Hit, Params, RuleContext, Variant, kind, params
from claimaudit.rules.kinds import status, support

Requirement = Literal["pack_words", "status", "unqualified", "internal_source", "survey_source"]


@params
class ConditionalParams(Params):
    requires: Requirement
    """What the sources must show for a claim the rule applies to: pack_words, status, unqualified, internal_source
    or survey_source (see the kind's description)."""
    claim_types: list[str] = []
    """Only claims of these types are checked (figure, efficacy, safety, regulatory, establishment, comparative,
    business, testimonial, mechanism, general); empty: all."""
    pack_words: dict[str, list[str]] = {}
    """(pack_words) A word or phrase the claim may use ("clinically proven"), and the words one of which some source
    in the pack must then hold; a rule must list them."""
    words: list[str] = []
    """(status, unqualified) The words in the claim the requirement is about: a status it claims ("FDA approved"), an
    absolute it states ("no side effects"); a rule must list them."""
    denials: list[str] = ["not approved", "no approved", "none are approved", "has not approved",
                          "have not been approved", "has not been approved", "not been approved",
                          "unapproved", "not cleared", "not licensed", "not authorized", "not authorised",
                          "no stem cell product", "no product", "not fda-approved", "not fda approved"]
    """(status) Words that deny an approval, in the claim (then it claims none) or in a source (then it contradicts
    one)."""
    qualified: list[str] = []
    """(unqualified) Qualified words in the evidence ("well tolerated", "no serious") that the absolute overstates; a
    rule must list them."""
    level_without_evidence: str = "unsupported"
    """(unqualified) The verdict when no source says anything about it."""
    min_similarity: float = RELATED
    """(internal_source) An internal data sheet at least this similar (0 to 1) to the claim can substantiate it."""
    tolerance: float = 0.05
    """(internal_source, survey_source) Relative difference the claim's figures may have from the source's (0.05:
    5%)."""
    related_similarity: float = 0.3
    """(survey_source) Evidence at least this similar makes the testimonial an exaggeration of a real (usually
    modest) finding rather than a claim with nothing behind it."""
    survey_words: list[str] = ["survey", "questionnaire", "panel", "poll", "respondents", "reviews"]
    """(survey_source) Words that mark a source as a record of what customers said; a testimonial whose figures match
    one is reported, not invented."""


CONDITIONAL_VARIANTS = (
    Variant("pack_words", ("pack_words",), required=("pack_words",), fields=("kind",)),
    Variant("status", ("words", "denials"), required=("words",), fields=("word", "status", "source")),
    Variant("unqualified", ("words", "qualified", "level_without_evidence"), required=("words", "qualified"),
            fields=("word", "source_words", "source", "reported")),
    Variant("internal_source", ("min_similarity", "tolerance")),
    Variant("survey_source", ("related_similarity", "survey_words", "tolerance"), fields=("what",)),
)

_REQUIREMENTS: dict[str, Check] = {
    "pack_words": support.evidence_kind_missing,
    "status": status.regulatory_status,
    "unqualified": status.safety_absolute,
    "internal_source": support.business_unsubstantiated,
    "survey_source": support.testimonial,
}


@kind("conditional", ConditionalParams, selector="requires", variants=CONDITIONAL_VARIANTS, shared=("claim_types",))
def conditional(ctx: RuleContext, params: ConditionalParams) -> list[Hit]:
    """A claim (of the `claim_types`, if given) that needs the sources to show something, and they do not.
    `pack_words`: the claim uses a word of `pack_words` ("clinically proven") and no source in the pack holds any of
    the words it needs (fills `{kind}`). `status`: the claim states an approval, clearance or licence (`words`) that
    no source states, or that a source denies (`{word}`, `{status}`, `{source}`). `unqualified`: the claim states an
    absolute (`words`, "no side effects") that the sources qualify ("well tolerated") or do not state at all
    (`{word}`, `{source_words}`, `{source}`, `{reported}`). `internal_source`: no internal data sheet at least
    `min_similarity` like the claim states its figures, as an own-business claim needs (fills none).
    `survey_source`: a testimonial offered as proof, unless a survey in the pack reports its figures; overstated
    where related evidence exists (`{what}`)."""
    if params.claim_types and ctx.claim.claim_type not in params.claim_types:
        return []
    return _REQUIREMENTS[params.requires](ctx, params)
