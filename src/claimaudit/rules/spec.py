"""A validated rule file as plain, frozen data.

``schema`` validates a rule file with pydantic; what the engine, the docs and
the rule cache hold afterwards is this plain copy, so a check served from the
rule cache runs without importing pydantic at all.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from claimaudit.rules.placeholders import WHEN_EMPTY, reads_as

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


# A template is parsed once into pieces: literal text, a placeholder, or an
# optional segment (``[ ({source})]``) whose pieces show only when every
# placeholder in it has a value.
Piece = tuple  # ("text", str) | ("field", name) | ("optional", tuple[Piece, ...])

# Quotes and brackets that wrap a value; an empty value goes with them.
WRAPPERS = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019", "(": ")", "[": "]"}
QUOTES = {'"': '"', "\u201c": "\u201d", "'": "'", "\u2018": "\u2019"}
# Punctuation that may follow a word directly; a space left before it by a dropped value goes.
CLOSING = ".,;:!?)]\u201d\u2019"


@lru_cache(maxsize=512)
def parse_template(template: str) -> tuple[Piece, ...]:
    """A message template as pieces (:class:`TemplateError` for one that is not plain).

    ``[`` and ``]`` around text that holds a placeholder make it optional;
    brackets around text with none are text, and ``[[`` and ``]]`` are always
    a literal bracket, as ``{{`` and ``}}`` are a literal brace.
    """
    template_fields(template)
    flat: list[tuple[str, str]] = []  # ("char", c), ("open", "["), ("close", "]"), ("field", name)
    for literal, name, _, _ in string.Formatter().parse(template):
        at = 0
        while at < len(literal):
            pair = literal[at:at + 2]
            if pair in ("[[", "]]"):
                flat.append(("char", pair[0]))
                at += 2
                continue
            char = literal[at]
            flat.append(("open" if char == "[" else "close" if char == "]" else "char", char))
            at += 1
        if name is not None:
            flat.append(("field", name))
    pieces: list[Piece] = []
    opened: int | None = None  # index in ``pieces`` where an open bracket stands
    for what, value in flat:
        if what == "field":
            pieces.append(("field", value))
        elif what == "close" and opened is not None:
            inside = tuple(pieces[opened + 1:])
            del pieces[opened:]
            if any(piece[0] == "field" for piece in inside):
                pieces.append(("optional", _joined(inside)))
            else:
                pieces.extend((("text", "["), *inside, ("text", "]")))
            opened = None
        else:
            if what == "open":
                opened = len(pieces)  # an earlier bracket left open is text
            pieces.append(("text", value))
    return _joined(tuple(pieces))


def _joined(pieces: tuple[Piece, ...]) -> tuple[Piece, ...]:
    """Neighbouring text pieces as one."""
    out: list[Piece] = []
    for piece in pieces:
        if piece[0] == "text" and out and out[-1][0] == "text":
            out[-1] = ("text", out[-1][1] + piece[1])
        elif piece[0] != "text" or piece[1]:
            out.append(piece)
    return tuple(out)


def _fields_in(pieces: tuple[Piece, ...]) -> list[str]:
    return [piece[1] for piece in pieces if piece[0] == "field"]


def fill_template(template: str, values: Mapping[str, object], when_empty: Mapping[str, str] | None = None) -> str:
    """A message with its placeholders filled, reading as a sentence whatever is empty.

    An optional segment shows only when every placeholder in it has a value.
    Elsewhere an empty value takes the words ``when_empty`` gives for it (by
    default those of :data:`claimaudit.rules.placeholders.WHEN_EMPTY`, which
    may name other values: ``its {element}``), unquoted; with none, it is
    dropped with the quotes or brackets around it and the space before it.
    A template that is not plain (only a rule built without the loader can
    hold one) is returned as written rather than formatted.
    """
    try:
        pieces = parse_template(template)
    except TemplateError:
        return template
    return _render(pieces, values, WHEN_EMPTY if when_empty is None else when_empty).strip()


def _render(pieces: tuple[Piece, ...], values: Mapping[str, object], when_empty: Mapping[str, str]) -> str:
    # Each part: ["text" | "value" | "stand-in" | "gap", its text]; only template text is ever trimmed.
    parts: list[list[str]] = []
    for piece in pieces:
        if piece[0] == "text":
            parts.append(["text", piece[1]])
        elif piece[0] == "optional":
            if all(_as_text(values.get(name, "")).strip() for name in _fields_in(piece[1])):
                parts.append(["value", _render(piece[1], values, {})])
            else:
                parts.append(["gap", ""])
        else:
            value = _as_text(values.get(piece[1], ""))
            if value.strip():
                parts.append(["value", value])
                continue
            stand_in = when_empty.get(piece[1], "")
            filled = fill_template(stand_in, values, {}) if stand_in else ""
            parts.append(["stand-in", filled] if filled else ["gap", ""])
    for at, (what, _) in enumerate(parts):
        if what in ("gap", "stand-in"):
            _close_up(parts, at)
    return "".join(text for _, text in parts)


def _close_up(parts: list[list[str]], at: int) -> None:
    """Tidy the template text around a dropped value (or words standing in for one):
    no empty quotes or brackets, no space before punctuation, no doubled space."""
    before = parts[at - 1] if at > 0 and parts[at - 1][0] == "text" else None
    after = parts[at + 1] if at + 1 < len(parts) and parts[at + 1][0] == "text" else None
    wrappers = WRAPPERS if parts[at][0] == "gap" else QUOTES
    # ("{word}") holds two wrappers, and both go.
    while before and after and before[1][-1:] in wrappers and after[1][:1] == wrappers[before[1][-1]]:
        before[1], after[1] = before[1][:-1], after[1][1:]
    if parts[at][0] != "gap":
        return
    # What follows the gap, whether template text or a value: only template text is trimmed.
    following = next((text for _, text in parts[at + 1:] if text), "")
    if before is None:
        if at == 0 and after is not None:
            after[1] = after[1].lstrip()
            after[1] = after[1][:1].upper() + after[1][1:]  # the message starts here now
        return
    if before[1][-1:].isspace() and (not following or following[0].isspace() or following[0] in CLOSING):
        before[1] = before[1].rstrip()
        if before[1][-1:] in (",", ";", ":") and following[:1] in (".", ",", ";", ":", "!", "?"):
            before[1] = before[1][:-1]


def readable_template(template: str) -> str:
    """A message template as a reader can read it, with no value at hand:
    each placeholder as words (``‹figure›``), optional segments shown plainly."""
    try:
        pieces = parse_template(template)
    except TemplateError:
        return template.replace("{", "\u2039").replace("}", "\u203a")
    text = ""
    for piece in _flattened(pieces):
        if piece[0] == "text":
            if text and text[-1] == "\u203a" and piece[1][:1].isalnum():
                text += " "
            text += piece[1]
        else:
            label = reads_as(piece[1])
            if text and not text[-1].isspace() and text[-1] not in "\"'(\u201c\u2018[" and not label[:1].isspace():
                label = " " + label
            text += label
    return " ".join(text.split())


def _flattened(pieces: tuple[Piece, ...]) -> list[Piece]:
    out: list[Piece] = []
    for piece in pieces:
        out.extend(_flattened(piece[1]) if piece[0] == "optional" else [piece])
    return out


def _as_text(value: object) -> str:
    if value is None:
        return ""  # no value, never the word "None"
    return value if isinstance(value, str) else str(value)
