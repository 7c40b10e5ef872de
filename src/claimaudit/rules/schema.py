"""The shape of a rule file, validated with pydantic (unknown keys are errors).

Only the loader imports this, when it parses rule files; the rules it returns
hold a plain copy (``spec.RuleSpec``).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from claimaudit import limits
from claimaudit.rules.spec import FAMILIES

Level = Literal["overstated", "unsupported"]



class Strict(BaseModel):
    # Schemas are built on first validation: a check served from the rule
    # cache never validates, so it never pays for building them.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class RuleDocs(Strict):
    what: str = Field(min_length=1)
    why: str = Field(min_length=1)
    example: str = Field(min_length=1)
    use_instead: str = Field(min_length=1)
    references: list[str] = Field(min_length=1)


class RuleExample(Strict):
    """One example: a claim held against evidence sentences.

    ``evidence`` is one summary or a list of summaries, each a source of its
    own; ``internal`` marks them as the business's own data sheets.
    """

    claim: str = Field(min_length=1)
    evidence: str | list[str] = ""
    internal: bool = False
    note: str = ""

    @field_validator("claim")
    @classmethod
    def bounded_claim(cls, value: str) -> str:
        # Reading a claim grows faster than its length; one sentence is what an example is.
        if len(value) > limits.value("max-claim-chars"):
            raise ValueError(limits.breach("max-claim-chars", len(value)).detail)
        return value


class RuleExamples(Strict):
    fail: list[RuleExample] = Field(min_length=1)
    passes: list[RuleExample] = Field(min_length=1, alias="pass")


class RuleFile(Strict):
    code: str = Field(pattern=r"^[A-Z]{2,4}\d{3,4}$")
    name: str = Field(pattern=r"^[a-z_]+(\.[a-z_]+)+$")
    family: str
    extends: str = Field(min_length=1)
    level: Level
    message: str = Field(min_length=1)
    suggestion: str = ""
    enabled: bool = True
    params: dict = Field(default_factory=dict)
    docs: RuleDocs
    examples: RuleExamples

    @field_validator("family")
    @classmethod
    def known_family(cls, value: str) -> str:
        # A house pack may add a family of its own; its name is a plain lower-case word.
        if value not in FAMILIES and not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", value):
            raise ValueError(f"family {value!r} is neither a built-in family ({', '.join(FAMILIES)}) "
                             "nor a lower-case word naming a house family")
        return value
