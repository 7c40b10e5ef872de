"""``check --format junit``: JUnit XML, one test case per claim, for CI test dashboards.

Each document is a test suite and each claim a test case named by its line
and words. A claim with a failing finding fails (one ``<failure>`` listing
every failing rule); a claim whose problems are all waived (baselined, not on
a changed line) is ``skipped`` with the reason; every other claim passes, with
any milder problems noted in ``system-out``.

A claims register's id for the claim leads its test case name ("C-001, line 4:
..."), and its standing in a claims library is noted in ``system-out``: the
library never fails a test case.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from claimaudit.verdicts.gate import BASELINED, FAILING, OUTSIDE_CHANGES, GateItem, GateReport, as_gate_report, display_path
from claimaudit.model import AuditResult, Finding

from .common import sorted_findings
from .places import page_kinds, place_label

# Characters XML 1.0 cannot carry at all, even escaped.
_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_NAME_LIMIT = 100


def xml_text(value: object) -> str:
    return _ILLEGAL_XML.sub("\ufffd", "" if value is None else str(value))


def _one_line(value: str) -> str:
    return " ".join(xml_text(value).split())


def _case_name(line: int, text: str, page: int | None = None, page_kind: str = "page",
               register_id: str = "") -> str:
    words = _one_line(text)
    if len(words) > _NAME_LIMIT:
        words = words[: _NAME_LIMIT - 1].rstrip() + "\u2026"
    where = place_label(line, None, page, page_kind)
    if register_id:
        where = f"{_one_line(register_id)}, {where}"
    return f"{where}: {words}" if words else where


def _describe(item: GateItem) -> str:
    return f"{item.verdict} {item.code or '-'} {_one_line(item.message)}"


def _case(suite: ET.Element, document: str, line: int, text: str, items: list[GateItem],
          claim_verdict: str, page: int | None = None, page_kind: str = "page",
          finding: Finding | None = None) -> tuple[bool, bool]:
    # Paged copy counts lines from the top of each page: the page goes with the line.
    on_page = f" [{page_kind} {page}]" if page is not None else ""
    case = ET.SubElement(suite, "testcase", {
        "classname": xml_text(display_path(document)),
        "name": _case_name(line, text, page, page_kind, finding.register_id if finding is not None else ""),
        "file": xml_text(display_path(document)), "line": str(line), "time": "0",
    })
    failing = [i for i in items if i.state == FAILING]
    waived = [i for i in items if i.state in (BASELINED, OUTSIDE_CHANGES)]
    if failing:
        first = failing[0]
        failure = ET.SubElement(case, "failure", {
            "message": _describe(first) + (f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""),
            "type": xml_text(first.code or first.verdict),
        })
        body = [f"{display_path(document)}:{i.line}:{i.column}: {_describe(i)}{on_page}" for i in failing]
        body.append(f"claim: {_one_line(text)}")
        finding = first.finding
        if finding is not None and finding.suggestion:
            body.append(f"instead: {_one_line(finding.suggestion)}")
        failure.text = xml_text("\n".join(body))
    elif waived and len(waived) == len([i for i in items if i.state != "suppressed"]):
        why = "known from the baseline" if any(i.state == BASELINED for i in waived) else "not on a changed line"
        ET.SubElement(case, "skipped", {"message": xml_text(f"{why}: " + "; ".join(_describe(i) for i in waived))})
    notes = [f"{i.state}: {_describe(i)}" for i in items if i.state != FAILING]
    if claim_verdict:
        notes.insert(0, f"verdict: {claim_verdict}")
    if finding is not None and finding.register_id:
        notes.append(f"register id: {_one_line(finding.register_id)}")
    if finding is not None and finding.library:
        from claimaudit.report.common import library_message

        notes.append(f"library: {_one_line(library_message(finding.library))}")
    if notes:
        out = ET.SubElement(case, "system-out")
        out.text = xml_text("\n".join(notes))
    return bool(failing), bool(not failing and case.find("skipped") is not None)


def render_junit(report: GateReport | AuditResult) -> str:
    report = as_gate_report(report)
    by_claim = report.items_by_claim()
    root = ET.Element("testsuites", {"name": "claimaudit"})
    suites: dict[str, tuple[ET.Element, list[int]]] = {}
    documents = list(dict.fromkeys([d.path for d in report.result.documents]
                                   + [f.document for f in report.result.findings]))
    for path in documents:
        suite = ET.SubElement(root, "testsuite", {"name": xml_text(display_path(path))})
        suites[path] = (suite, [0, 0, 0])
    seen: set[str] = set()
    kinds = page_kinds(report.result)

    def count(path: str, failed: bool, skipped: bool) -> None:
        tally = suites[path][1]
        tally[0] += 1
        tally[1] += failed
        tally[2] += skipped

    for finding in sorted_findings(report.result):
        seen.add(finding.id)
        failed, skipped = _case(suites[finding.document][0], finding.document, finding.line, finding.text,
                                by_claim.get(finding.id, []), finding.verdict, finding.page,
                                kinds.get(finding.document, "page"), finding)
        count(finding.document, failed, skipped)
    for claim_id, items in by_claim.items():
        # Gate items with no claim of their own (a reasonless suppression above a block without claims).
        if claim_id in seen:
            continue
        first = items[0]
        if first.document not in suites:
            suite = ET.SubElement(root, "testsuite", {"name": xml_text(display_path(first.document))})
            suites[first.document] = (suite, [0, 0, 0])
        failed, skipped = _case(suites[first.document][0], first.document, first.line, first.text, items, "")
        count(first.document, failed, skipped)
    totals = [0, 0, 0]
    for suite, (tests, failures, skips) in suites.values():
        suite.set("tests", str(tests))
        suite.set("failures", str(failures))
        suite.set("errors", "0")
        suite.set("skipped", str(skips))
        suite.set("time", "0")
        totals = [totals[0] + tests, totals[1] + failures, totals[2] + skips]
    root.set("tests", str(totals[0]))
    root.set("failures", str(totals[1]))
    root.set("errors", "0")
    root.set("skipped", str(totals[2]))
    root.set("time", "0")
    ET.indent(root, space="  ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
