"""Rule documentation, generated from the rule files themselves."""

from __future__ import annotations

from claimaudit.rules.loader import Rule
from claimaudit.rules.spec import FAMILIES

SECTIONS = (("what", "What it flags"), ("why", "Why it matters"), ("example", "Example"),
            ("use_instead", "Use instead"))


def rule_markdown(rule: Rule, heading: str = "##") -> str:
    docs = rule.docs
    lines = [f"{heading} {rule.code} `{rule.name}`", "",
             f"Family: **{rule.family}** · verdict when it fires: **{rule.level}** · check kind: `{rule.spec.extends}`", ""]
    for key, title in SECTIONS:
        value = " ".join(str(getattr(docs, key)).split())
        lines += [f"**{title}.** {value}", ""]
    lines.append("**References.**")
    lines += [f"- {ref}" for ref in docs.references]
    lines.append("")
    return "\n".join(lines)


def rules_page(rules: list[Rule]) -> str:
    """The whole docs/rules.md page."""
    lines = [
        "# Rules",
        "",
        "Generated from the rule files in `rules/` by `python -m claimaudit.rules.docs`; do not edit by hand.",
        "Switch a rule off with `--disable CODE` (or a dotted name, or a family), or in configuration.",
        "",
        "| code | name | family | verdict |",
        "|---|---|---|---|",
    ]
    ordered = sorted(rules, key=lambda r: (FAMILIES.index(r.family) if r.family in FAMILIES else 99, r.code))
    lines += [f"| {r.code} | `{r.name}` | {r.family} | {r.level} |" for r in ordered]
    lines.append("")
    lines += [rule_markdown(r) for r in ordered]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover
    import sys
    from pathlib import Path

    from claimaudit.rules.loader import load_rules

    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules.md")
    target.write_text(rules_page(load_rules()), encoding="utf-8")
    print(f"wrote {target}")
