"""``check --format github``: GitHub Actions workflow commands that annotate the pull request.

Failing findings become ``::error`` annotations at the claim; problems the gate
lets through because they are milder than ``--fail-on`` become ``::warning``.
Baselined, suppressed and unchanged-line findings stay quiet. Failing findings
come first because GitHub shows only the first few annotations of each kind per
step (upload the SARIF output for the full list). The summary line ends the output.

A claim that deviates from the approved wording of a claims library, or whose
approval expired, gets a ``::warning`` of its own: the library never fails the
check, but the pull request shows the change. A claims register's id and the
library match are named in each annotation's message.
"""

from __future__ import annotations

from claimaudit.terminal import printable
from claimaudit.verdicts.gate import BELOW_THRESHOLD, FAILING, GateItem, GateReport, as_gate_report, display_path, summary_line
from claimaudit.model import AuditResult, Finding


def escape_data(value: str) -> str:
    """Escape a workflow command's message (after the ``::``); control characters are shown, never sent."""
    return printable(str(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(value: str) -> str:
    """Escape a workflow command property value (``file=``, ``title=`` ...)."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _command(kind: str, item: GateItem) -> str:
    where = display_path(item.document)
    # GitHub places an annotation on a file of the repository; a page read from the
    # web is none, so its annotation names the address in its message instead.
    in_repository = "://" not in where
    properties = {
        "file": where,
        "line": str(max(1, item.line)),
        "col": str(max(1, item.column)),
    } if in_repository else {}
    if in_repository and item.end_line >= item.line:
        properties["endLine"] = str(max(1, item.end_line))
        if item.end_line == item.line and item.end_column > item.column:
            properties["endColumn"] = str(item.end_column)
    properties["title"] = " ".join(p for p in ("claimaudit", item.code, item.rule, f"({item.verdict})") if p)
    head = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    message = " ".join(str(item.message).split())
    claim = " ".join(str(item.text).split())
    body = f"{item.verdict}: {message}" + (f"\nClaim: {claim}" if claim else "")
    page = item.finding.page if item.finding is not None else None
    if not in_repository or page is not None:
        body += f"\nWhere: {where}" + (f", page {page}" if page is not None else "") + f", line {max(1, item.line)}"
    if item.finding is not None and item.finding.suggestion and item.code != "CA002":
        body += f"\nInstead: {' '.join(item.finding.suggestion.split())}"
    body += _register_and_library(item.finding)
    return f"::{kind} {head}::{escape_data(body)}"


def _register_and_library(finding: Finding | None) -> str:
    if finding is None:
        return ""
    said = f"\nRegister id: {' '.join(finding.register_id.split())}" if finding.register_id else ""
    if finding.library:
        said += f"\nLibrary: {finding.library.get('id', '')} {finding.library.get('status', '')}"
    return said


def _library_command(finding: Finding) -> str:
    """A ``::warning`` at a claim that deviates from approved wording or whose approval expired."""
    from claimaudit.report.common import library_message

    match = finding.library
    where = display_path(finding.document)
    in_repository = "://" not in where
    properties = {"file": where, "line": str(max(1, finding.line)), "col": str(max(1, finding.column))} \
        if in_repository else {}
    properties["title"] = f"claimaudit library {match.get('id', '')} ({match.get('status', '')})"
    head = ",".join(f"{key}={escape_property(value)}" for key, value in properties.items())
    body = library_message(match) + f"\nClaim: {' '.join(finding.text.split())}"
    if match.get("approved_text"):
        body += f"\nApproved: {' '.join(str(match.get('approved_text')).split())}"
    if not in_repository or finding.page is not None:
        body += f"\nWhere: {where}" + (f", page {finding.page}" if finding.page is not None else "") + \
            f", line {max(1, finding.line)}"
    if finding.register_id:
        body += f"\nRegister id: {' '.join(finding.register_id.split())}"
    return f"::warning {head}::{escape_data(body)}"


def render_github(report: GateReport | AuditResult) -> str:
    report = as_gate_report(report)
    lines = [_command("error", item) for item in report.items if item.state == FAILING]
    lines += [_command("warning", item) for item in report.items if item.state == BELOW_THRESHOLD]
    lines += [_library_command(f) for f in report.result.findings
              if f.library.get("status") in ("deviates", "expired")]
    lines += [f"::warning title=claimaudit::{escape_data(' '.join(str(w).split()))}" for w in report.result.warnings]
    lines.append(printable(summary_line(report), keep_newlines=False))
    return "\n".join(lines) + "\n"
