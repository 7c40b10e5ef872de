"""``check --format text``: one ``path:line:col: verdict CODE message`` line per failing finding.

Findings are grouped by file (a blank line between files) and followed by a
one-line summary. Colour is added only when the caller says the output is a
terminal. With ``verbose`` the claim, its closest evidence and the suggested
rewrite follow each line, and findings that do not fail are listed too.

A claims register's own id for the claim (``[C-001]``) and its standing in a
claims library (``[library C-012: approved]``) follow the message. Claims that
deviate from approved wording, or whose approval expired, are listed after the
findings, failing or not, in the same ``path:line:col:`` form (``library`` in
place of the verdict, the library id in place of the rule): the library never
changes a verdict or the exit code, but a reviewer must see the change.
"""

from __future__ import annotations

from claimaudit.terminal import printable
from claimaudit.verdicts.gate import FAILING, GateItem, GateReport, as_gate_report, display_path, summary_line
from claimaudit.model import LIBRARY_APPROVED, AuditResult, Finding

from .places import cited_page, page_kinds

_COLOURS = {"unsupported": "31", "overstated": "33", "supported": "32"}
_STATE_NOTES = {
    "baselined": "known from the baseline",
    "outside-changes": "not on a changed line",
    "below-threshold": "below fail-on",
    "suppressed": "suppressed",
}


def one_line(text: str) -> str:
    """Text with every run of whitespace made one space, and control characters shown as escapes."""
    return printable(" ".join(str(text or "").split()), keep_newlines=False)


def _paint(text: str, code: str, colour: bool) -> str:
    return f"\x1b[{code}m{text}\x1b[0m" if colour else text


def _line(item: GateItem, colour: bool, kinds: dict[str, str]) -> str:
    verdict = _paint(item.verdict, _COLOURS.get(item.verdict, "0"), colour)
    location = _paint(f"{one_line(display_path(item.document))}:{item.line}:{item.column}:", "1", colour)
    code = one_line(item.code or "-")
    note = "" if item.state == FAILING else f" ({_STATE_NOTES.get(item.state, item.state)})"
    # Paged copy counts lines from the top of each page: the page goes with the line.
    page = item.finding.page if item.finding is not None else None
    where = f" [{kinds.get(item.document, 'page')} {page}]" if page is not None else ""
    tags = _tags(item.finding)
    return f"{location} {verdict} {code} {one_line(item.message)}{where}{tags}{note}"


def _tags(finding: Finding | None) -> str:
    """`` [C-001]`` for a register id, `` [library C-012: approved]`` for a library match."""
    if finding is None:
        return ""
    tags = f" [{one_line(finding.register_id)}]" if finding.register_id else ""
    if finding.library:
        tags += f" [library {one_line(finding.library.get('id', ''))}: {one_line(finding.library.get('status', ''))}]"
    return tags


def library_lines(result: AuditResult, colour: bool, kinds: dict[str, str], verbose: bool = False) -> list[str]:
    """One line per claim that deviates from approved wording or whose approval expired (with
    ``verbose``, approved ones too), then the library's count line; nothing without a match."""
    matched = [f for f in result.findings if f.library]
    if not matched:
        return []
    from claimaudit.report.common import library_line, library_message

    out = []
    for finding in matched:
        if finding.library.get("status") == LIBRARY_APPROVED and not verbose:
            continue
        location = _paint(f"{one_line(display_path(finding.document))}:{finding.line}:{finding.column}:", "1", colour)
        where = f" [{kinds.get(finding.document, 'page')} {finding.page}]" if finding.page is not None else ""
        register = f" [{one_line(finding.register_id)}]" if finding.register_id else ""
        status = _paint("library", "35", colour)
        out.append(f"{location} {status} {one_line(finding.library.get('id', ''))} "
                   f"{one_line(library_message(finding.library, with_id=False))}{where}{register}")
    out.append(one_line(library_line(result)))
    return out


def _details(item: GateItem) -> list[str]:
    lines = []
    if item.text:
        lines.append(f"    claim: {one_line(item.text)}")
    finding = item.finding
    if finding is not None and finding.evidence and item.code != "CA002":
        best = finding.evidence[0]
        lines.append(f"    closest evidence ({one_line(best.source)}{cited_page(best.page)}, "
                     f"similarity {best.similarity:.2f}): {one_line(best.text)}")
    if finding is not None and finding.suggestion and item.code != "CA002":
        lines.append(f"    instead: {one_line(finding.suggestion)}")
    if finding is not None and finding.library.get("approved_text") and item.code != "CA002":
        lines.append(f"    approved wording ({one_line(finding.library.get('id', ''))}): "
                     f"{one_line(finding.library.get('approved_text', ''))}")
    return lines


def render_check_text(report: GateReport | AuditResult, *, colour: bool = False, verbose: bool = False) -> str:
    report = as_gate_report(report)
    shown = [item for item in report.items if item.failing or verbose]
    kinds = page_kinds(report.result)
    out: list[str] = []
    current = None
    for item in shown:
        if current is not None and item.document != current:
            out.append("")
        current = item.document
        out.append(_line(item, colour, kinds))
        if verbose:
            out.extend(_details(item))
    if shown:
        out.append("")
    library = library_lines(report.result, colour, kinds, verbose)
    if library:
        out += [*library, ""]
    for warning in report.result.warnings:
        out.append(f"warning: {one_line(warning)}")
    summary = one_line(summary_line(report))
    out.append(_paint(summary, "31" if report.failed else "32", colour) if colour else summary)
    return "\n".join(out) + "\n"
