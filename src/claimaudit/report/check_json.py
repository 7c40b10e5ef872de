"""``check --format json``: the JSON report of the contract, plus what the gate decided.

The report is exactly ``audit.json`` (same keys, same order) with one more
top-level key, ``check``: the fail-on level, whether the check failed, and
every gate item with its fingerprint and state.
"""

from __future__ import annotations

import json

from claimaudit.verdicts.gate import GateItem, GateReport, as_gate_report, summary_line
from claimaudit.model import AuditResult

from .json_report import report_data


def _item(item: GateItem) -> dict:
    return {
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


def check_data(report: GateReport) -> dict:
    return {
        "fail_on": report.fail_on,
        "failed": report.failed,
        "baseline": report.baseline_path,
        "changed_since": report.changed_since,
        "counts": report.counts(),
        "summary": summary_line(report),
        "items": [_item(item) for item in report.items],
    }


def render_check_json(report: GateReport | AuditResult) -> str:
    report = as_gate_report(report)
    data = report_data(report.result)
    data["check"] = check_data(report)
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n"
