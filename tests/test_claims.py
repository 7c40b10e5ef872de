"""Which sentences are claims, what kind, and how a compound claim splits."""

from __future__ import annotations

import pytest

from claimaudit.claims.anatomy import analyse
from claimaudit.claims.detect import claim_parts, classify
from claimaudit.rules.kinds.common import figures


@pytest.mark.parametrize("text, why", [
    ("Take two tablets with water each morning.", "an instruction"),
    ("Apply a thin layer to clean skin before bed.", "an instruction"),
    ("Home · Our clinic · Treatments · Contact", "navigation"),
    ("Opening hours: Monday to Saturday, 9 am to 5 pm.", "page furniture (a labelled detail)"),
    ("These statements have not been evaluated by the FDA.", "a disclaimer"),
    ("Individual results vary and depend on how often you train.", "a disclaimer"),
    ("Is the balm right for your skin?", "a question"),
    ("Welcome to the Glowra skin studio.", "a greeting"),
    ("Book a free skin check online.", "a call to action"),
    ("Free delivery on orders over £25", "ordering, delivery or opening details"),
    ("© 2025 Glowra Ltd. All rights reserved.", "legal boilerplate (copyright, cookies, privacy, terms)"),
    ("Our treatments", "a topic or label with no predicate"),
])
def test_furniture_and_directions_are_not_claims(text, why):
    assert classify(analyse(text)) == ("", why)


@pytest.mark.parametrize("text, claim_type", [
    # Product names no vocabulary knows still make claims.
    ("Glowra completely reverses sun damage.", "efficacy"),
    ("Veltrix insoles regrow worn cartilage.", "efficacy"),
    ("The results last for years.", "efficacy"),
    ("Zentro is the best-selling toothpaste in Canada.", "business"),
    ("Sessions are led by chartered physiotherapists.", "business"),
    ("Podiatrists recommend Stridefit insoles more than any other brand.", "establishment"),
    ("Users tell us they sleep through the night from the first week.", "testimonial"),
    ("Members say they never feel tired after lunch.", "testimonial"),
    ("Stridefit is FDA-approved for flat feet.", "regulatory"),
    ("Stridefit insoles have no side effects.", "safety"),
    # Short, verbless or with a verb no cue list knows: still claims.
    ("Glowra heals scars.", "efficacy"),
    ("Dermatologist recommended", "general"),
    ("Glowra plumps fine lines.", "efficacy"),
])
def test_claims_are_found_and_typed(text, claim_type):
    assert classify(analyse(text)) == (claim_type, "")


def test_a_disclaimer_beside_a_claim_leaves_the_claim():
    claim_type, why_not = classify(analyse("Glowra clears acne in a week; results may vary."))
    assert claim_type and not why_not


def test_a_year_is_not_a_figure():
    statement = analyse("A 2019 review of 14 trials found the balm soothed itching.")
    assert [q.text for q in figures(statement)] == ["14 trials"]


def test_hundred_percent_as_an_intensifier_is_not_a_figure():
    assert figures(analyse("The balm is 100% natural and soothes itching.")) == []
    assert [q.text for q in figures(analyse("Itching eased in 100% of the adults tested."))] == ["100%"]


def test_compound_claim_splits_into_clauses_that_keep_their_subject():
    sentence = "The balm soothed itching and reduced redness in adults with eczema."
    parts = claim_parts(analyse(sentence))
    assert [sentence[p.start:p.end] for p in parts] == ["The balm soothed itching",
                                                        "reduced redness in adults with eczema."]
    second = parts[1]
    assert second.statement.text == "The balm reduced redness in adults with eczema."
    # A span in the clause's own text maps back to the words in the sentence.
    word = second.statement.text.index("redness")
    assert sentence[slice(*second.to_sentence((word, word + len("redness"))))] == "redness"


def test_a_list_of_outcomes_after_one_verb_stays_one_claim():
    assert claim_parts(analyse("The balm reduced itching and redness in adults with eczema.")) == []
