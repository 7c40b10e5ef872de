"""``check --format json``: the JSON report of the contract, plus what the gate decided.

The report is exactly ``audit.json`` (same keys, same order) with one more
top-level key, ``check``: the fail-on level, whether the check failed, and
every gate item with its fingerprint and state (and the claims register's id
for the claim, where the copy is a register with ids). With a claims library,
``check.library`` counts the claims approved, deviating and expired; each
finding's own ``library`` says which (the library never fails the check).
"""

from __future__ import annotations

import json

from claimaudit.report.common import without_lone_surrogates

from claimaudit.verdicts.gate import GateItem, GateReport, as_gate_report, summary_line
from claimaudit.model import AuditResult

from .json_report import report_data


def _item(item: GateItem) -> dict:
    data = {
        "fingerprint": item.fingerprint,
        "id": item.claim_id,
        "rule": item.code,
        "name": item.rule,
        "document": item.document,
        "line": item.line,
        "column": item.column,
        "end_line": item.end_line,
        "end_column": item.end_column,
        "verdict": item.verdict,
        "state": item.state,
        "message": item.message,
    }
    if item.finding is not None and item.finding.register_id:
        data["register_id"] = item.finding.register_id
    return data


def check_data(report: GateReport) -> dict:
    data = {
        "fail_on": report.fail_on,
        "failed": report.failed,
        "baseline": report.baseline_path,
        "changed_since": report.changed_since,
        "counts": report.counts(),
        "summary": summary_line(report),
        "items": [_item(item) for item in report.items],
    }
    if any(f.library for f in report.result.findings):
        from claimaudit.report.common import library_counts

        data["library"] = library_counts(report.result.findings)
    return data


def render_check_json(report: GateReport | AuditResult) -> str:
    report = as_gate_report(report)
    data = report_data(report.result)
    data["check"] = check_data(report)
    return without_lone_surrogates(json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)) + "\n"
