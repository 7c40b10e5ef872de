"""What a check kind sees of a claim, and what it reports back."""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Callable

from claimaudit.claims.anatomy import Statement
from claimaudit.evidence.align import Alignment, align
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
    _alignment: Alignment | None = field(default=None, repr=False, compare=False)

    @property
    def alignment(self) -> Alignment:
        """The claim's frame held against the evidence that covers most of it (worked out once)."""
        if self._alignment is None:
            self._alignment = align(self.claim, self.evidence, self.index, self.resolution)
        return self._alignment

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
    decisive: bool = False  # see model.Reason.decisive


@dataclass(frozen=True)
class Params:
    """Base for each kind's parameters (declare them with :func:`params`).

    They are plain frozen dataclasses, validated by pydantic when a rule file
    is loaded (unknown keys are errors), so the kinds and the cached rules
    they belong to need no pydantic at run time.
    """

    __pydantic_config__ = {"extra": "forbid"}


def params(cls: type) -> type:
    """Make a ``Params`` subclass a frozen dataclass; list and dict defaults are copied per rule."""
    annotations = cls.__dict__.get("__annotations__", {})
    for name, value in list(vars(cls).items()):
        if name in annotations and isinstance(value, (list, dict, set)):
            setattr(cls, name, field(default_factory=partial(copy.deepcopy, value)))
    return dataclass(frozen=True)(cls)


@dataclass(frozen=True)
class Variant:
    """One value of a kind's selector option (an element to compare, a requirement
    to meet): the options it reads, those a rule must write, and the placeholders
    its hits fill."""

    name: str
    options: tuple[str, ...] = ()
    required: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()


Check = Callable[[RuleContext, Any], list[Hit]]


@dataclass(frozen=True)
class Kind:
    name: str
    check: Check
    params: type[Params]
    doc: str
    # The placeholders its hits fill: a rule's message may name only these.
    fields: tuple[str, ...] = ()
    # Parameters that hold lists of user regular expressions (the rest are words).
    patterns: tuple[str, ...] = ()
    # The option that picks what the kind compares (``element``, ``requires``), and
    # the choices it offers; a rule may then set only the options of its choices.
    selector: str = ""
    variants: tuple[Variant, ...] = ()
    # Options every choice takes.
    shared: tuple[str, ...] = ()

    def chosen(self, params: object) -> tuple[Variant, ...]:
        """The variants a rule's parameters pick (none for a kind without a selector)."""
        if not self.selector:
            return ()
        value = getattr(params, self.selector)
        names = [value] if isinstance(value, str) else list(value)
        by_name = {variant.name: variant for variant in self.variants}
        return tuple(by_name[name] for name in dict.fromkeys(names) if name in by_name)

    def options_for(self, params: object) -> tuple[str, ...]:
        """The options a rule with these parameters may set."""
        every = tuple(f.name for f in dataclasses.fields(self.params))
        if not self.selector:
            return every
        taken = {self.selector, *self.shared}
        for variant in self.chosen(params):
            taken.update(variant.options)
        return tuple(name for name in every if name in taken)

    def fields_for(self, params: object) -> tuple[str, ...]:
        """The placeholders the hits of a rule with these parameters fill."""
        if not self.selector:
            return self.fields
        return tuple(dict.fromkeys(name for variant in self.chosen(params) for name in variant.fields))


KINDS: dict[str, Kind] = {}


def kind(name: str, params: type[Params] = Params, *, fields: tuple[str, ...] = (),
         patterns: tuple[str, ...] = (), selector: str = "", variants: tuple[Variant, ...] = (),
         shared: tuple[str, ...] = ()) -> Callable[[Check], Check]:
    """Register a check kind that rule files can name in ``extends:``.

    ``fields`` are the keys of every :class:`Hit`'s ``values``; ``patterns``
    names the parameters that are lists of regular expressions. A kind with a
    ``selector`` offers ``variants`` (its fields are then theirs together).
    """
    if variants:
        fields = tuple(dict.fromkeys([*fields, *(f for variant in variants for f in variant.fields)]))

    def register(function: Check) -> Check:
        KINDS[name] = Kind(name, function, params, (function.__doc__ or "").strip(), tuple(fields),
                           tuple(patterns), selector, tuple(variants), tuple(shared))
        return function

    return register
