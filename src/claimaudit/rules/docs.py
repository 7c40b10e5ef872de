"""Rule documentation, generated from the rule files and the check kinds themselves.

Each check kind's options come from its ``Params`` dataclass: the name, type
and default of every field, and its meaning from the string written on the
line after the field (an attribute docstring)::

    @params
    class ExistenceParams(Params):
        words: list[str] = []
        \"\"\"Words or phrases that fire the rule when the claim holds one.\"\"\"

A new kind is documented as soon as its fields carry such a string.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import textwrap
import types
import typing
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from claimaudit.rules.context import KINDS, Kind
from claimaudit.rules.loader import Rule
from claimaudit.rules.placeholders import CATALOGUE
from claimaudit.rules.spec import FAMILIES, readable_template

SECTIONS = (("what", "What it flags"), ("why", "Why it matters"), ("example", "Example"),
            ("use_instead", "Use instead"))
# A default longer than this is cut in the options table (the rule files show it whole).
SHORT_VALUE = 80
UNDOCUMENTED = "(undocumented)"


@dataclass(frozen=True)
class Option:
    """One parameter of a check kind, as the docs show it."""

    name: str
    type: str
    required: bool
    default: Any
    meaning: str


def option_meanings(params_type: type) -> dict[str, str]:
    """The attribute docstring of each field of a Params class (and of the classes it extends)."""
    return _option_meanings(params_type)


@lru_cache(maxsize=None)
def _option_meanings(params_type: Any) -> dict[str, str]:
    meanings: dict[str, str] = {}
    for cls in reversed(params_type.__mro__):
        if cls is object:
            continue
        try:
            tree = ast.parse(textwrap.dedent(inspect.getsource(cls)))
        except (OSError, TypeError, SyntaxError):
            continue  # no source to read (a frozen or generated class): left undocumented
        body = tree.body[0].body if tree.body and isinstance(tree.body[0], ast.ClassDef) else []
        for node, following in zip(body, body[1:]):
            if (isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
                    and isinstance(following, ast.Expr) and isinstance(following.value, ast.Constant)
                    and isinstance(following.value.value, str)):
                meanings[node.target.id] = " ".join(following.value.value.split())
    return meanings


def type_name(hint: Any) -> str:
    """A field's type in the words a rule author reads (``list of text``)."""
    origin, arguments = typing.get_origin(hint), typing.get_args(hint)
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in arguments)
    if origin in (list, tuple, set, frozenset):
        if arguments and typing.get_origin(arguments[0]) is typing.Literal:
            return "list of any of " + ", ".join(str(a) for a in typing.get_args(arguments[0]))
        return "list of " + (type_name(arguments[0]) if arguments else "values")
    if origin is dict:
        key, value = arguments or (str, Any)
        return f"mapping of {type_name(key)} to {type_name(value)}"
    if origin in (typing.Union, types.UnionType):
        return " or ".join(type_name(a) for a in arguments if a is not type(None))
    return {str: "text", int: "whole number", float: "number", bool: "true or false"}.get(
        hint, getattr(hint, "__name__", str(hint)))


def kind_options(kind: Kind) -> list[Option]:
    """Every option of a check kind, in the order its Params class declares them."""
    params_type = kind.params
    if not dataclasses.is_dataclass(params_type):
        return []
    hints = typing.get_type_hints(params_type)
    meanings = option_meanings(params_type)
    options = []
    for item in dataclasses.fields(params_type):
        default: Any = None
        if item.default is not dataclasses.MISSING:
            default = item.default
        elif item.default_factory is not dataclasses.MISSING:
            default = item.default_factory()
        required = item.default is dataclasses.MISSING and item.default_factory is dataclasses.MISSING
        options.append(Option(item.name, type_name(hints.get(item.name, Any)), required, default,
                              meanings.get(item.name, UNDOCUMENTED)))
    return options


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, str):
        plain = value and value.strip() == value and not any(c in value for c in ",:[]{}#\"'|`\n")
        return value if plain else json.dumps(value, ensure_ascii=False)
    if value is None:
        return "null"
    return str(value)


def yaml_value(value: Any, most: int | None = None) -> str:
    """A value as it would be written inline in a rule file; past ``most``
    characters a list or mapping is cut short with an ellipsis."""
    if isinstance(value, (list, tuple, dict)):
        items = ([f"{_scalar(k)}: {yaml_value(v)}" for k, v in value.items()] if isinstance(value, dict)
                 else [yaml_value(v) for v in value])
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        whole = opening + ", ".join(items) + closing
        if most is None or len(whole) <= most:
            return whole
        shown: list[str] = []
        for item in items:
            if len(", ".join(shown + [item])) > most - 8:
                break
            shown.append(item)
        return f"{opening}{', '.join(shown)}, …{closing}"
    return _scalar(value)


def _default(option: Option) -> str:
    if option.required:
        return "required"
    shown = yaml_value(option.default, SHORT_VALUE)
    cut = f" ({len(option.default)} items)" if shown != yaml_value(option.default) else ""
    return _code(shown) + cut


def _code(text: str) -> str:
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def kind_anchor(name: str) -> str:
    return f"check-kind-{name}"


def _kind_link(name: str) -> str:
    return f"[`{name}`](#{kind_anchor(name)})"


def rule_options_markdown(rule: Rule) -> list[str]:
    """The options a rule sets, with their values, and which it leaves at the kind's defaults."""
    options = [o for o in kind_options(rule.kind) if o.name in rule.kind.options_for(rule.params)]
    if not options:
        return [f"**Options.** Check kind {_kind_link(rule.kind.name)} takes none.", ""]
    written = rule.spec.params
    lines = ["**Options.**"]
    lines += [f"- `{o.name}`: {_code(yaml_value(written[o.name]))}" for o in options if o.name in written]
    left = [f"`{o.name}`" for o in options if o.name not in written]
    if left:
        lines.append(f"- at the defaults of {_kind_link(rule.kind.name)}: {', '.join(left)}")
    lines.append("")
    return lines


def rule_markdown(rule: Rule, heading: str = "##") -> str:
    docs = rule.docs
    lines = [f"{heading} {rule.code} `{rule.name}`", "",
             f"Family: **{rule.family}** · verdict when it fires: **{rule.level}** · check kind: "
             f"{_kind_link(rule.spec.extends)}", ""]
    for key, title in SECTIONS:
        value = " ".join(str(getattr(docs, key)).split())
        lines += [f"**{title}.** {value}", ""]
    lines += [f"**Its message.** {readable_template(rule.message)}", ""]
    lines += rule_options_markdown(rule)
    lines.append("**References.**")
    lines += [f"- {ref}" for ref in docs.references]
    lines.append("")
    return "\n".join(lines)


def kind_markdown(kind: Kind, used_by: Sequence[str] = (), heading: str = "###") -> str:
    """One check kind: what it checks, its message placeholders and its options table."""
    lines = [f"{heading} Check kind `{kind.name}`", ""]
    if kind.doc:
        lines += [" ".join(kind.doc.split()), ""]
    if used_by:
        lines += [f"Built-in rules: {', '.join(used_by)}.", ""]
    if kind.fields:
        lines += [f"Message placeholders: {', '.join('`{' + f + '}`' for f in kind.fields)}.", ""]
    options = kind_options(kind)
    if not options:
        return "\n".join(lines + ["**Options.** None.", ""])
    lines += ["**Options.**", "", "| option | type | default | meaning |", "|---|---|---|---|"]
    for o in options:
        default = _default(o)
        patterns = " Each is a regular expression, checked when the rule loads." if o.name in kind.patterns else ""
        lines.append(f"| `{o.name}` | {_cell(o.type)} | {_cell(default)} | {_cell(o.meaning + patterns)} |")
    lines.append("")
    return "\n".join(lines)


def kinds_markdown(rules: list[Rule], kinds: dict[str, Kind] | None = None) -> str:
    """Every registered check kind, by name."""
    kinds = KINDS if kinds is None else kinds
    users: dict[str, list[str]] = {}
    for rule in sorted(rules, key=lambda r: r.code):
        users.setdefault(rule.kind.name, []).append(rule.code)
    lines = ["## Check kinds", "",
             "A rule names its check kind in `extends:` and sets the kind's options in `params:`; an option "
             "it leaves out keeps the default below. House rules use the same kinds.", ""]
    lines += [kind_markdown(kinds[name], users.get(name, [])) for name in sorted(kinds)]
    return "\n".join(lines)


def templates_markdown() -> str:
    """How a rule's message is written and filled, and every placeholder a kind fills."""
    lines = [
        "## Message templates", "",
        "A rule's `message` (and `suggestion`) is text with placeholders in braces, `{figure}`, that its check "
        "kind fills when the rule fires; a rule may name only those its kind (and choice of element) fills, "
        "which the rule file is checked for when it loads. Text in square brackets that holds a placeholder is "
        "optional: `where the source[ ({source})] reports` shows `where the source (S3) reports`, or `where the "
        "source reports` when the finding rests on no source. Write `{{`, `}}`, `[[` and `]]` for a literal "
        "brace or bracket.", "",
        "A message always reads as a sentence: outside an optional segment, an empty value takes the words below, "
        "or, where none are given, goes with the quotes or brackets around it and the space before it. A "
        "message left with no words at all is the rule's *What it flags*. The reports never show a template: "
        "where a rule is described without a finding, a placeholder reads as `‹figure›`.", "",
        "| placeholder | holds | where the hit leaves it empty |",
        "|---|---|---|",
    ]
    for item in CATALOGUE:
        empty = f"reads {_code(item.when_empty)}" if item.when_empty else "dropped, with its quotes or brackets"
        lines.append(f"| `{{{item.name}}}` | {_cell(item.meaning)} | {_cell(empty)} |")
    lines.append("")
    return "\n".join(lines)


def rules_page(rules: list[Rule]) -> str:
    """The whole docs/rules.md page."""
    lines = [
        "# Rules",
        "",
        "Generated from the rule files in `rules/` by `python -m claimaudit.rules.docs`; do not edit by hand.",
        "Switch a rule off with `--disable CODE` (or a dotted name, or a family), or in configuration.",
        "The options of each check kind are listed under [Check kinds](#check-kinds), and how a message is "
        "written under [Message templates](#message-templates).",
        "",
        "| code | name | family | verdict |",
        "|---|---|---|---|",
    ]
    ordered = sorted(rules, key=lambda r: (FAMILIES.index(r.family) if r.family in FAMILIES else 99, r.code))
    lines += [f"| {r.code} | `{r.name}` | {r.family} | {r.level} |" for r in ordered]
    lines.append("")
    lines += [rule_markdown(r) for r in ordered]
    lines.append(kinds_markdown(rules))
    lines.append(templates_markdown())
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    from claimaudit.rules.loader import load_rules

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules.md")
    target.write_text(rules_page(load_rules()), encoding="utf-8")
    print(f"wrote {target}")
