"""A validated rule file as plain, frozen data.

``schema`` validates a rule file with pydantic; what the engine, the docs and
the rule cache hold afterwards is this plain copy, so a check served from the
rule cache runs without importing pydantic at all.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

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


# --- message templates --------------------------------------------------------------


class TemplateError(ValueError):
    """A message template the engine will not fill; the message says why."""


def shortened(text: str, most: int = 60) -> str:
    """A rule's word, pattern or template cut to fit an error line."""
    return text if len(text) <= most else text[: most - 3] + "..."


def template_fields(template: str) -> tuple[str, ...]:
    """The placeholder names of a rule's message or suggestion.

    Only plain ``{name}`` placeholders are allowed: ``{word.x}`` or
    ``{word[0]}`` would reach into the value, and a format spec
    (``{word:>1500000000}``) can ask for any amount of memory.
    """
    try:
        parts = list(string.Formatter().parse(template))
    except ValueError as error:
        raise TemplateError(f"{error} (write {{{{ or }}}} for a literal brace)") from None
    names: list[str] = []
    for _, name, spec, conversion in parts:
        if name is None:
            continue
        written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
        if not name.isidentifier() or conversion or spec:
            raise TemplateError(f"{shortened(written)} is not a plain placeholder: write {{name}}, with no "
                                f"attribute, index, conversion or format (and {{{{ or }}}} for a literal brace)")
        if name not in names:
            names.append(name)
    return tuple(names)


@lru_cache(maxsize=512)
def _placeholders(template: str) -> tuple[str, ...] | None:
    try:
        return template_fields(template)
    except TemplateError:
        return None


def fill_template(template: str, values: dict) -> str:
    """A message with its placeholders filled; a missing value is left empty.

    A template that is not plain (only a rule built without the loader can
    hold one) is returned as written rather than formatted.
    """
    names = _placeholders(template)
    if names is None:
        return template
    filled = {name: _as_text(values.get(name, "")) for name in names}
    return template.format_map(filled).strip()


def _as_text(value: object) -> str:
    return value if isinstance(value, str) else str(value)
