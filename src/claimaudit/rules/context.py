"""What a check kind sees of a claim, and what it reports back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from pydantic import BaseModel, ConfigDict

from claimaudit.claims.anatomy import Statement
from claimaudit.evidence.index import SourceIndex
from claimaudit.evidence.rank import Match, Resolution

# Below this blended similarity a source sentence is not about the claim.
RELATED = 0.38


@dataclass
class RuleContext:
    claim: Statement
    evidence: list[Match]
    index: SourceIndex
    resolution: Resolution

    @property
    def best(self) -> Match | None:
        return self.evidence[0] if self.evidence else None

    @property
    def related(self) -> list[Match]:
        return [m for m in self.evidence if m.similarity >= RELATED]

    def related_or_best(self, floor: float = 0.25) -> list[Match]:
        return [m for m in self.evidence if m.similarity >= floor]


@dataclass
class Hit:
    """One firing of a rule; ``values`` fill the rule's message template."""

    values: dict = field(default_factory=dict)
    claim_span: tuple[int, int] | None = None
    evidence: Match | None = None
    evidence_span: tuple[int, int] | None = None
    suggestion: str = ""
    level: str | None = None  # a kind may escalate or soften the rule's level


class Params(BaseModel):
    """Base for each kind's parameters; unknown keys are errors."""

    # Schemas are built on first validation: a check served from the rule
    # cache never validates, so it never pays for building them.
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


@dataclass(frozen=True)
class Kind:
    name: str
    check: Callable[[RuleContext, Params], list[Hit]]
    params: type[Params]
    doc: str


KINDS: dict[str, Kind] = {}


def kind(name: str, params: type[Params] = Params):
    """Register a check kind that rule files can name in ``extends:``."""

    def register(function: Callable[[RuleContext, Params], list[Hit]]):
        KINDS[name] = Kind(name, function, params, (function.__doc__ or "").strip())
        return function

    return register
