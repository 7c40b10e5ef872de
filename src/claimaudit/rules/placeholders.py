"""The values a check kind's hits fill into rule messages, and how each reads.

A kind declares which placeholders it fills (``kind(fields=...)`` and each
``Variant``'s ``fields``); this catalogue says what each one holds, how it is
shown where there is no value at hand (the "Rules that fired" section, the
docs), and what a message says where a hit leaves it empty. It is plain data,
imported by the message formatter, so it must stay free of heavy imports.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: str
    # Words a message shows where the hit leaves the value empty and the
    # placeholder stands outside an optional segment; they may name the hit's
    # other values ("its {element}"). Empty: the placeholder is dropped, with
    # the quotes or brackets around it.
    when_empty: str = ""
    # How the placeholder reads in a message shown without a hit ("‹figure›").
    label: str = ""

    @property
    def reads_as(self) -> str:
        return self.label or "\u2039" + self.name.replace("_", " ") + "\u203a"


CATALOGUE: tuple[Placeholder, ...] = (
    Placeholder("element", "the element of the claim the evidence leaves out or states otherwise (subject, "
                "outcome, direction, ...)"),
    Placeholder("elements", "every such element, separated by commas"),
    Placeholder("claim_words", "the claim's words for that element", when_empty="its {element}"),
    Placeholder("evidence_words", "the evidence's words for it, or the words that contradict the claim",
                when_empty="something else"),
    Placeholder("source", "the id of the source the finding rests on; empty where no source is about the claim"),
    Placeholder("closest", "a sentence (or a clause starting with a semicolon) on what the closest evidence holds; "
                "empty where there is nothing to add", label=" \u2039what the closest evidence holds\u203a"),
    Placeholder("quoted", "each element with the claim's words for it: subject \"...\" and outcome \"...\"",
                label="\u2039each element and the claim's words for it\u203a"),
    Placeholder("figure", "the claim's figure, time frame or quantifier"),
    Placeholder("source_figure", "the source's figure for the same quantity"),
    Placeholder("what", "what the source gives (a ceiling, a range) or what the testimonial rests on, in words"),
    Placeholder("claim_strength", "how strong a relationship the claim states (direct causal, ...)"),
    Placeholder("evidence_strength", "how strong a relationship its best evidence states"),
    Placeholder("hedge", "the source's hedge the claim drops (\"may\", \"associated with\"); empty where there is "
                "none"),
    Placeholder("removed", "a sentence naming the hedge the claim drops; empty where there is none",
                label=" \u2039the hedge the claim drops\u203a"),
    Placeholder("population", "the population of the evidence (animal, cells, ...)"),
    Placeholder("claim_condition", "the condition the claim names"),
    Placeholder("evidence_condition", "the condition the evidence was in"),
    Placeholder("claim_intervention", "the intervention the claim names"),
    Placeholder("evidence_intervention", "the intervention the evidence is about"),
    Placeholder("outcome", "the outcome no source measures"),
    Placeholder("named", "the source the claim names (author, journal, body, DOI)", when_empty="a source it names"),
    Placeholder("everyone", "the claim's words that extend a finding to everyone"),
    Placeholder("subgroup", "the evidence's words that limit it to some, or say who was excluded"),
    Placeholder("design", "the study design or size the claim speaks of"),
    Placeholder("source_design", "the design or size the sources describe"),
    Placeholder("kind", "the kind of evidence the claim invokes (\"clinically proven\")"),
    Placeholder("word", "the claim's word that fired the rule"),
    Placeholder("status", "what the sources make of a claimed status (\"contradicted by\", \"stated by no "
                "source\")"),
    Placeholder("source_words", "the sources' own safety wording; empty where none reports on safety",
                when_empty="nothing on it"),
    Placeholder("reported", "what the sources report on safety, as a clause (the sources (...) report \"...\")"),
)

PLACEHOLDERS: dict[str, Placeholder] = {p.name: p for p in CATALOGUE}

# What a message says in place of an empty value, by placeholder.
WHEN_EMPTY: dict[str, str] = {p.name: p.when_empty for p in CATALOGUE if p.when_empty}


def reads_as(name: str) -> str:
    """How a placeholder reads where no hit fills it: ``‹figure›``."""
    found = PLACEHOLDERS.get(name)
    return found.reads_as if found else Placeholder(name, "").reads_as
