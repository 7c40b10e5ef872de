"""The command line: ``claimaudit audit``, ``check``, ``rules`` and ``explain``.

Heavy modules are imported inside the commands that need them, so the
pre-publish ``check`` starts fast.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from claimaudit import __version__
from claimaudit.errors import InputError

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
FAIL_ON = {"overstated": {"overstated", "unsupported"}, "unsupported": {"unsupported"}}
AUDIT_FORMATS = ("html", "xlsx", "json", "csv")


class InputErrorGroup(click.Group):
    """Turns bad input into one clear line on stderr and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except InputError as error:
            click.echo(f"claimaudit: error: {error}", err=True)
            ctx.exit(EXIT_INPUT)
        except (OSError, UnicodeError) as error:
            where = getattr(error, "filename", None)
            detail = getattr(error, "strerror", None) or str(error)
            click.echo(f"claimaudit: error: {where + ': ' if where else ''}{detail}", err=True)
            ctx.exit(EXIT_INPUT)


def _split_formats(value: str, allowed: tuple[str, ...]) -> list[str]:
    formats = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in formats if f not in allowed]
    if unknown or not formats:
        raise click.BadParameter(f"unknown format {', '.join(unknown) or value!r}; choose from {', '.join(allowed)}")
    return formats


def _run_audit(copy, sources, rules, disable, on_document=None):
    from claimaudit.api import audit

    return audit([Path(c) for c in copy], [Path(s) for s in sources] or None, rules=list(rules), disable=list(disable), on_document=on_document)


common_options = [
    click.argument("copy", nargs=-1, required=True, type=click.Path(path_type=str)),
    click.option("--sources", "-s", multiple=True, type=click.Path(path_type=str),
                 help="Source pack (YAML, JSON, CSV, XLSX or a folder of .md files). Repeatable. "
                      "Without it, the Source:/Reference: sections of the copy are used."),
    click.option("--rules", "-r", "rules", multiple=True, type=click.Path(path_type=str),
                 help="Extra rule pack (a folder of rule files, or one file). Repeatable."),
    click.option("--disable", multiple=True, metavar="RULE",
                 help="Switch a rule off by code, dotted name or family. Repeatable."),
]


def with_common(function):
    for option in reversed(common_options):
        function = option(function)
    return function


@click.group(cls=InputErrorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimaudit")
def main() -> None:
    """Audit promotional claims against the research they cite."""


@main.command()
@with_common
@click.option("--out", "-o", default="reports", show_default=True, type=click.Path(path_type=str),
              help="Folder for audit.html, audit.xlsx and audit.json.")
@click.option("--format", "-f", "formats", default="html,xlsx,json", show_default=True,
              help=f"Comma-separated outputs: {', '.join(AUDIT_FORMATS)}.")
@click.option("--templates", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder of HTML templates that override the built-in ones.")
def audit(copy, sources, rules, disable, out, formats, templates):
    """Audit COPY (pages, copy decks, claims tables or folders) and write the reports."""
    from rich.console import Console
    from rich.progress import Progress

    from claimaudit.report import write_claims_csv, write_html, write_json, write_xlsx

    wanted = _split_formats(formats, AUDIT_FORMATS)
    console = Console(stderr=False)
    if len(copy) > 1 or any(Path(c).is_dir() for c in copy):
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Auditing", total=None)
            result = _run_audit(copy, sources, rules, disable, on_document=lambda d: progress.advance(task))
    else:
        result = _run_audit(copy, sources, rules, disable)
    out_dir = Path(out)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = {
        "json": (write_json, {}), "html": (write_html, {"template_dirs": list(templates)}),
        "xlsx": (write_xlsx, {}), "csv": (write_claims_csv, {}),
    }
    written = []
    for fmt in wanted:
        writer, extra = writers[fmt]
        path = out_dir / f"audit.{fmt}" if fmt != "csv" else out_dir / "claims.csv"
        writer(result.result, path, **extra)
        written.append(path)
    _print_summary(console, result.result, written)


def _print_summary(console, result, written) -> None:
    from rich.table import Table

    summary = result.summary()
    table = Table(title="claimaudit", show_header=True, header_style="bold")
    for column in ("claims", "supported", "overstated", "unsupported"):
        table.add_column(column, justify="right")
    table.add_row(*(str(summary[c]) for c in ("claims", "supported", "overstated", "unsupported")))
    console.print(table)
    console.print(f"{len(result.documents)} document(s) audited against {len(result.sources)} source(s).")
    for warning in result.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    flagged = [f for f in result.findings if f.verdict != "supported"][:8]
    for finding in flagged:
        colour = "red" if finding.verdict == "unsupported" else "yellow"
        text = finding.text if len(finding.text) < 110 else finding.text[:107] + "..."
        console.print(f"[{colour}]{finding.verdict:>11}[/{colour}] {finding.document}:{finding.line}  {text}",
                      markup=True, highlight=False)
    for path in written:
        console.print(f"wrote {path}")


@main.command()
@with_common
@click.option("--fail-on", type=click.Choice(["overstated", "unsupported"]), default="overstated",
              show_default=True, help="Lowest verdict that fails the check.")
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def check(copy, sources, rules, disable, fail_on, fmt):
    """Pre-publish gate: exit 1 when a claim is overstated or unsupported."""
    result = _run_audit(copy, sources, rules, disable).result
    failing = FAIL_ON[fail_on]
    if fmt == "json":
        from claimaudit.report import render_json

        sys.stdout.write(render_json(result))
    else:
        _print_check_text(result)
    failed = any(f.verdict in failing for f in result.findings)
    sys.exit(EXIT_FINDINGS if failed else EXIT_OK)


def _print_check_text(result) -> None:
    colour = sys.stdout.isatty()
    for finding in result.findings:
        if finding.verdict == "supported":
            continue
        reason = next((r for r in finding.reasons if r.verdict == finding.verdict), finding.reasons[0] if finding.reasons else None)
        code = reason.code if reason else "-"
        message = reason.message if reason else ""
        verdict = click.style(finding.verdict, fg="red" if finding.verdict == "unsupported" else "yellow") if colour else finding.verdict
        click.echo(f"{finding.document}:{finding.line}:{finding.column}: {verdict} {code} {message}")
    summary = result.summary()
    click.echo(
        f"{summary['claims']} claims: {summary['supported']} supported, "
        f"{summary['overstated']} overstated, {summary['unsupported']} unsupported"
    )


@main.group()
def rules() -> None:
    """List and document the rules."""


@rules.command("list")
@click.option("--rules", "-r", "extra", multiple=True, type=click.Path(path_type=str), help="Extra rule pack.")
def rules_list(extra):
    """One line per rule: code, name, level, family."""
    from claimaudit.rules.loader import load_rules

    for rule in load_rules(list(extra)):
        click.echo(f"{rule.code:<7} {rule.name:<40} {rule.level:<12} {rule.family}")


@rules.command("show")
@click.argument("selector")
@click.option("--rules", "-r", "extra", multiple=True, type=click.Path(path_type=str), help="Extra rule pack.")
def rules_show(selector, extra):
    """What a rule flags, why it matters, an example and what to write instead."""
    from claimaudit.rules.docs import rule_markdown
    from claimaudit.rules.loader import load_rules

    matches = [r for r in load_rules(list(extra)) if r.matches(selector)]
    if not matches:
        raise InputError(f"no rule matches {selector!r}; see `claimaudit rules list`")
    for rule in matches:
        click.echo(rule_markdown(rule))


@main.command()
@click.argument("claim")
@click.option("--evidence", "-e", multiple=True, help="Evidence text (each one a source). Repeatable.")
@click.option("--sources", "-s", multiple=True, type=click.Path(path_type=str), help="Source pack instead of --evidence.")
@click.option("--rules", "-r", "extra", multiple=True, type=click.Path(path_type=str), help="Extra rule pack.")
def explain(claim, evidence, sources, extra):
    """Show step by step how the engine reads CLAIM and which rules fire."""
    from claimaudit.explain import explain_claim

    click.echo(explain_claim(claim, list(evidence), list(sources), list(extra)))


if __name__ == "__main__":  # pragma: no cover
    main()
