"""A validated rule file as plain, frozen data.

``schema`` validates a rule file with pydantic; what the engine, the docs and
the rule cache hold afterwards is this plain copy, so a check served from the
rule cache runs without importing pydantic at all.
"""

from __future__ import annotations

from dataclasses import dataclass

FAMILIES = (
    "evidence",
    "figures",
    "certainty",
    "scope",
    "safety",
    "regulatory",
    "establishment",
    "contradiction",
    "design",
    "business",
    "testimonials",
)


@dataclass(frozen=True)
class RuleDocs:
    what: str
    why: str
    example: str
    use_instead: str
    references: tuple[str, ...]


@dataclass(frozen=True)
class RuleExample:
    """One example: a claim held against evidence sentences.

    ``evidence`` is one summary or a list of summaries, each a source of its
    own; ``internal`` marks them as the business's own data sheets.
    """

    claim: str
    evidence: str | tuple[str, ...] = ""
    internal: bool = False
    note: str = ""

    def evidence_list(self) -> list[str]:
        if isinstance(self.evidence, str):
            return [self.evidence] if self.evidence.strip() else []
        return [e for e in self.evidence if e.strip()]


@dataclass(frozen=True)
class RuleExamples:
    fail: tuple[RuleExample, ...]
    passes: tuple[RuleExample, ...]


@dataclass(frozen=True)
class RuleSpec:
    code: str
    name: str
    family: str
    extends: str
    level: str
    message: str
    suggestion: str
    enabled: bool
    params: dict
    docs: RuleDocs
    examples: RuleExamples

    @classmethod
    def from_data(cls, data: dict) -> "RuleSpec":
        """From a validated rule file (``schema.RuleFile.model_dump()``)."""
        def example(item: dict) -> RuleExample:
            evidence = item["evidence"]
            return RuleExample(**{**item, "evidence": evidence if isinstance(evidence, str) else tuple(evidence)})

        docs = data["docs"]
        examples = data["examples"]
        return cls(**{
            **data,
            "docs": RuleDocs(**{**docs, "references": tuple(docs["references"])}),
            "examples": RuleExamples(fail=tuple(example(e) for e in examples["fail"]),
                                     passes=tuple(example(e) for e in examples["passes"])),
        })
