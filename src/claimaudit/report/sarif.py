"""``check --format sarif``: SARIF 2.1.0 for code-scanning dashboards.

One run; the driver lists every active rule (and the gate's own CA002) with
its help text from the rule docs and a link to ``docs/rules.md``. Each gate
item is a result located at the claim, with a fingerprint of claim id and rule
so dashboards track it across edits. Failing items are ``error``; problems the
gate lets through are ``warning``; baselined items carry
``baselineState: unchanged`` and an external suppression, inline-suppressed
ones an in-source suppression with the written reason, so dashboards hide them.

A claims register's id and a claims library match ride along in each result's
properties (``registerId``, ``library``). A claim that deviates from approved
wording, or whose approval expired, is also a ``warning`` result of its own
(``library.deviates``, ``library.expired``): the library never fails the check,
but a dashboard shows the change.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from claimaudit.verdicts.gate import (
    BASELINED,
    FAILING,
    GATE_DOC_URL,
    MISSING_REASON_CODE,
    MISSING_REASON_LEVEL,
    MISSING_REASON_RULE,
    PROJECT_URL,
    RULES_DOC_URL,
    SUPPRESSED,
    GateItem,
    GateReport,
    as_gate_report,
    display_path,
)
from claimaudit.model import LIBRARY_DEVIATES, LIBRARY_EXPIRED, AuditResult, Finding
from claimaudit.rules.spec import readable_template

from .common import RuleInfo, attr, rule_info, text_of, without_lone_surrogates

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
FINGERPRINT_KEY = "claimaudit/v1"

MISSING_REASON_INFO = RuleInfo(
    code=MISSING_REASON_CODE,
    name=MISSING_REASON_RULE,
    family="suppression",
    level=MISSING_REASON_LEVEL,
    message="A suppression comment gives no reason.",
    what="An inline `claimaudit: disable` comment in the copy that switches a rule off without a reason=\"...\".",
    why="A waiver nobody explained cannot be reviewed later; the reason is the audit trail of why the claim "
        "was accepted as it stands.",
    example='<!-- claimaudit: disable CA101 -->',
    use_instead='<!-- claimaudit: disable CA101 reason="figure confirmed by the 2024 internal data sheet" -->',
    references=(GATE_DOC_URL,),
)


LIBRARY_INFOS = {
    "library.deviates": RuleInfo(
        code="library.deviates", name="library.deviates", family="library", level="",
        message="The claim deviates from the approved wording of a claims library entry.",
        what="Copy close to a claim in the claims library (--library) that changes its figure, qualifier, "
             "certainty, population, wording or cited sources.",
        why="Only the wording that was approved is approved; a changed claim needs review again.",
        example="Approved: “may reduce joint pain by 60%”; copy: “reduces joint pain by 70%”.",
        use_instead="The approved wording as it stands, or send the new wording for approval.",
        references=(GATE_DOC_URL,)),
    "library.expired": RuleInfo(
        code="library.expired", name="library.expired", family="library", level="",
        message="The claim is approved wording whose approval has expired.",
        what="Copy with the wording of a claims library entry whose expires_on date has passed.",
        why="An expired approval no longer covers the claim.",
        example="A claim approved until 2024-12-31, published in 2025.",
        use_instead="Renew the approval, or remove the claim.",
        references=(GATE_DOC_URL,)),
}
LIBRARY_STATUSES = (LIBRARY_DEVIATES, LIBRARY_EXPIRED)  # the library statuses that are a result of their own


def heading_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading (lower case, punctuation dropped, spaces to dashes)."""
    slug = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return slug.replace(" ", "-")


def rule_anchor(info: RuleInfo) -> str:
    # docs/rules.md titles each rule "## CA101 `figures.inflated`".
    return heading_anchor(f"{info.code} `{info.name}`" if info.name else info.code)


def _is_builtin(rule: object) -> bool:
    path = attr(rule, "path", "")
    if not path:
        return True
    try:
        from claimaudit.rules.loader import builtin_rules_dir

        return Path(path).resolve().is_relative_to(builtin_rules_dir().resolve())
    except Exception:  # noqa: BLE001 - a link is a nicety, never a reason to fail
        return False


def _help_text(info: RuleInfo) -> tuple[str, str]:
    # A rule's message is a template: shown only as words (‹figure›), where the rule says nothing else.
    parts = [(None, info.what or readable_template(info.message)), ("Why it matters", info.why),
             ("Example", info.example), ("Use instead", info.use_instead)]
    text_lines, markdown_lines = [], []
    for title, value in parts:
        value = " ".join(text_of(value).split())
        if not value:
            continue
        text_lines.append(f"{title}: {value}" if title else value)
        markdown_lines.append(f"**{title}.** {value}" if title else value)
    if info.references:
        text_lines.append("References: " + "; ".join(info.references))
        markdown_lines.append("**References.**\n" + "\n".join(f"- {ref}" for ref in info.references))
    return "\n".join(text_lines), "\n\n".join(markdown_lines)


def _sarif_level(verdict: str) -> str:
    return "error" if verdict == "unsupported" else "warning"


def _descriptor(info: RuleInfo, help_uri: str | None) -> dict:
    text, markdown = _help_text(info)
    short = " ".join((info.what or readable_template(info.message) or info.name or info.code).split())
    descriptor = {
        "id": info.code or info.name,
        "name": info.name or info.code,
        "shortDescription": {"text": short},
        "fullDescription": {"text": " ".join(f"{info.what} {info.why}".split()) or short},
        "help": {"text": text or short, "markdown": markdown or short},
        "defaultConfiguration": {"level": _sarif_level(info.level) if info.level else "warning"},
        "properties": {
            "family": info.family,
            "verdict": info.level,
            "tags": sorted({t for t in ("claimaudit", info.family) if t}),
        },
    }
    if help_uri:
        descriptor["helpUri"] = help_uri
    return descriptor


def _rule_table(report: GateReport) -> tuple[list[dict], dict[str, int]]:
    infos: dict[str, tuple[RuleInfo, str | None]] = {}
    for rule in report.result.rules or ():
        info = rule_info(rule)
        key = info.code or info.name
        if key and key not in infos:
            infos[key] = (info, f"{RULES_DOC_URL}#{rule_anchor(info)}" if _is_builtin(rule) else None)
    infos.setdefault(MISSING_REASON_CODE, (MISSING_REASON_INFO, GATE_DOC_URL))
    for finding in report.result.findings:
        status = finding.library.get("status", "")
        if status in LIBRARY_STATUSES:
            infos.setdefault(f"library.{status}", (LIBRARY_INFOS[f"library.{status}"], GATE_DOC_URL))
    for item in report.items:
        key = item.rule_key
        if key not in infos:
            # A rule that fired but is not among the loaded definitions still needs a descriptor.
            family = item.rule.split(".")[0] if "." in item.rule else ""
            infos[key] = (RuleInfo(code=key, name=item.rule or key, family=family, level=item.verdict, message="",
                                   what="", why="", example="", use_instead="", references=()), None)
    keys = sorted(infos)
    return [_descriptor(*infos[k]) for k in keys], {k: n for n, k in enumerate(keys)}


def artifact_uri(document: str) -> tuple[str, str | None]:
    """The artifact URI for a document and its base id (relative paths hang off %SRCROOT%)."""
    path = display_path(document)
    if "://" in path:
        return path, None  # copy read from the web: its address is already absolute
    if Path(path).is_absolute():
        return Path(path).as_uri(), None
    # The file name's own bytes, percent-encoded: a name that is not UTF-8 keeps its identity.
    return quote(os.fsencode(path), safe="/-._~!$&'()*+,;=:@"), "%SRCROOT%"


def _result(item: GateItem, index: dict[str, int], with_baseline: bool) -> dict:
    uri, base = artifact_uri(item.document)
    location = {"uri": uri}
    if base:
        location["uriBaseId"] = base
    region: dict[str, object] = {
        "startLine": max(1, item.line),
        "startColumn": max(1, item.column),
        "endLine": max(1, item.line, item.end_line),
        "endColumn": max(1, item.end_column) if item.end_line > item.line else max(1, item.column, item.end_column),
    }
    if item.text:
        region["snippet"] = {"text": item.text}
    message = " ".join(text_of(item.message).split()) or item.verdict
    claim = " ".join(text_of(item.text).split())
    text = f"{item.verdict}: {message}" + (f" Claim: \u201c{claim}\u201d" if claim else "")
    properties: dict[str, object] = {"claimId": item.claim_id, "verdict": item.verdict, "gate": item.state}
    finding = item.finding
    if finding is not None and finding.page is not None:
        properties["page"] = finding.page  # paged copy: startLine counts from the top of this page
    if finding is not None and finding.url:
        properties["url"] = finding.url
        if finding.fetched_at:
            properties["fetchedAt"] = finding.fetched_at
    if finding is not None and finding.suggestion and item.code != MISSING_REASON_CODE:
        properties["suggestion"] = finding.suggestion
    if finding is not None:
        properties.update(_register_and_library(finding))
    if finding is not None and finding.evidence:
        best = finding.evidence[0]
        closest: dict[str, object] = {"source": best.source, "text": best.text,
                                      "similarity": round(float(best.similarity), 3)}
        if best.page is not None:
            closest["page"] = best.page
        properties["closestEvidence"] = closest
    result = {
        "ruleId": item.rule_key,
        "ruleIndex": index[item.rule_key],
        "level": "error" if item.state == FAILING else "warning",
        "message": {"text": text},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: item.fingerprint},
        "properties": properties,
    }
    if with_baseline:
        result["baselineState"] = "unchanged" if item.state == BASELINED else "new"
    if item.state == BASELINED:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": "known finding listed in the baseline file"}]
    elif item.state == SUPPRESSED:
        result["suppressions"] = [{"kind": "inSource", "status": "accepted",
                                   "justification": item.justification or "suppressed in the copy"}]
    return result


def _register_and_library(finding: Finding) -> dict[str, object]:
    said: dict[str, object] = {}
    if finding.register_id:
        said["registerId"] = text_of(finding.register_id)
    if finding.library:
        match: dict[str, object] = {key: text_of(value) for key, value in finding.library.items()
                                    if key != "differences" and value}
        if finding.library.get("differences"):
            match["differences"] = [text_of(item) for item in finding.library.get("differences", [])]
        said["library"] = match
    return said


def _library_result(finding: Finding, index: dict[str, int]) -> dict:
    """A claim that deviates from approved wording, or whose approval expired, as a result of its own."""
    from claimaudit.report.common import library_message

    rule = f"library.{finding.library.get('status', '')}"
    uri, base = artifact_uri(finding.document)
    location: dict[str, str] = {"uri": uri}
    if base:
        location["uriBaseId"] = base
    region: dict[str, object] = {"startLine": max(1, finding.line), "startColumn": max(1, finding.column)}
    if finding.text:
        region["snippet"] = {"text": finding.text}
    claim = " ".join(text_of(finding.text).split())
    properties: dict[str, object] = {"claimId": finding.id, "verdict": finding.verdict}
    if finding.page is not None:
        properties["page"] = finding.page
    properties.update(_register_and_library(finding))
    return {
        "ruleId": rule,
        "ruleIndex": index[rule],
        "level": "warning",
        "message": {"text": " ".join(text_of(library_message(finding.library)).split())
                    + (f" Claim: \u201c{claim}\u201d" if claim else "")},
        "locations": [{"physicalLocation": {"artifactLocation": location, "region": region}}],
        "partialFingerprints": {FINGERPRINT_KEY: f"{finding.id}:{rule}"},
        "properties": properties,
    }


def sarif_data(report: GateReport) -> dict:
    rules, index = _rule_table(report)
    with_baseline = report.with_baseline
    version = text_of(report.result.tool_version)
    driver = {"name": "claimaudit", "informationUri": PROJECT_URL, "rules": rules}
    if version:
        driver = {"name": "claimaudit", "version": version, "semanticVersion": version,
                  "informationUri": PROJECT_URL, "rules": rules}
    invocation: dict[str, object] = {"executionSuccessful": True}
    if report.result.warnings:
        invocation["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": " ".join(text_of(w).split())}} for w in report.result.warnings
        ]
    run = {
        "tool": {"driver": driver},
        "invocations": [invocation],
        "columnKind": "unicodeCodePoints",
        "results": [_result(item, index, with_baseline) for item in report.items]
        + [_library_result(f, index) for f in report.result.findings
           if f.library.get("status") in LIBRARY_STATUSES],
        "properties": {"failOn": report.fail_on, "failed": report.failed, "counts": report.counts()},
    }
    return {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}


def render_sarif(report: GateReport | AuditResult) -> str:
    """The SARIF log as text: two-space indented, newline at the end, deterministic."""
    return without_lone_surrogates(json.dumps(sarif_data(as_gate_report(report)), ensure_ascii=False, indent=2)) + "\n"
