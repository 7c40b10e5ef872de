"""The pre-publish gate: which findings fail ``claimaudit check`` and why the others do not.

An audit says what each claim is; the gate decides what blocks a release.
Each reason a rule gave becomes a :class:`GateItem`, fingerprinted by claim id
and rule code, in one of these states:

- ``failing``: at or above ``--fail-on``, new, and (with ``--changed-since``) on a changed line;
- ``baselined``: known from the baseline file;
- ``outside-changes``: not on a line changed since the ``--changed-since`` revision;
- ``below-threshold``: a problem, but milder than ``--fail-on``;
- ``suppressed``: switched off in the copy with a reason.

A suppression comment without a reason is reported as its own item,
``CA002 suppression.missing_reason``, at the ``overstated`` level, so an
unexplained waiver fails the default gate until someone writes down why.

Everything here is pure: an :class:`~claimaudit.model.AuditResult` and the
gate's options in, a :class:`GateReport` out, for the renderers in
``claimaudit.report`` (text, json, sarif, github, junit).
"""

from __future__ import annotations

import codecs
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Mapping, TypedDict

from claimaudit.model import VERDICT_RANK, AuditResult, Document, Finding, Reason

if TYPE_CHECKING:
    from claimaudit.changes import ChangedLines
    from claimaudit.verdicts.baseline import Baseline, BaselineEntry

FAILING = "failing"
BASELINED = "baselined"
OUTSIDE_CHANGES = "outside-changes"
BELOW_THRESHOLD = "below-threshold"
SUPPRESSED = "suppressed"
STATES = (FAILING, BASELINED, OUTSIDE_CHANGES, BELOW_THRESHOLD, SUPPRESSED)

MISSING_REASON_CODE = "CA002"
MISSING_REASON_RULE = "suppression.missing_reason"
MISSING_REASON_LEVEL = "overstated"

PROJECT_URL = "https://github.com/claimaudit/claimaudit"
RULES_DOC_URL = f"{PROJECT_URL}/blob/main/docs/rules.md"
GATE_DOC_URL = f"{PROJECT_URL}/blob/main/README.md#the-pre-publish-gate"


@dataclass
class GateItem:
    """One (claim, rule) pair and what the gate made of it."""

    claim_id: str
    document: str
    line: int
    column: int
    end_line: int
    end_column: int
    code: str
    rule: str
    message: str
    verdict: str  # the level this reason reached
    state: str
    text: str = ""  # the claim
    claim_verdict: str = ""
    finding: Finding | None = None
    reason: Reason | None = None
    justification: str = ""  # the reason written in a suppression comment

    @property
    def rule_key(self) -> str:
        """The rule half of the fingerprint: the code, else the name, else the verdict."""
        return self.code or self.rule or self.verdict

    @property
    def fingerprint(self) -> str:
        return f"{self.claim_id}:{self.rule_key}"

    @property
    def failing(self) -> bool:
        return self.state == FAILING


@dataclass
class GateReport:
    """An audit judged by the gate."""

    result: AuditResult
    items: list[GateItem]
    fail_on: str = "overstated"
    fail_on_by_document: dict[str, str] = field(default_factory=dict)
    baseline_path: str | None = None
    with_baseline: bool = False
    changed_since: str | None = None
    stale_baseline: int = 0  # baseline entries of checked documents that no longer occur

    @property
    def failing(self) -> list[GateItem]:
        return [item for item in self.items if item.failing]

    @property
    def failed(self) -> bool:
        return any(item.failing for item in self.items)

    def fail_on_for(self, document: str) -> str:
        return self.fail_on_by_document.get(document, self.fail_on)

    def items_by_claim(self) -> dict[str, list[GateItem]]:
        grouped: dict[str, list[GateItem]] = {}
        for item in self.items:
            grouped.setdefault(item.claim_id, []).append(item)
        return grouped

    def counts(self) -> dict[str, int]:
        summary = self.result.summary()
        states = Counter(item.state for item in self.items)
        return {
            "claims": summary["claims"],
            "documents": len(self.result.documents),
            "documents_without_claims": len(self.result.documents_without_claims()),
            "supported": summary["supported"],
            "overstated": summary["overstated"],
            "unsupported": summary["unsupported"],
            "failing": states[FAILING],
            "failing_claims": len({i.claim_id for i in self.items if i.failing}),
            "baselined": states[BASELINED],
            "outside_changes": states[OUTSIDE_CHANGES],
            "below_threshold": states[BELOW_THRESHOLD],
            "suppressed": states[SUPPRESSED],
            "stale_baseline": self.stale_baseline,
        }


def _plural(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else (plural or word + 's')}"


def summary_line(report: GateReport) -> str:
    """One line for a human: what was checked, what fails, what was let through and why."""
    c = report.counts()
    per_path = set(report.fail_on_by_document.values()) - {report.fail_on}
    fail_on = report.fail_on + (" (with per-path settings)" if per_path else "")
    empty = f" ({c['documents_without_claims']} with no claims)" if c["documents_without_claims"] else ""
    head = (f"{_plural(c['claims'], 'claim')} in {_plural(c['documents'], 'document')}{empty}: "
            f"{c['supported']} supported, {c['overstated']} overstated, {c['unsupported']} unsupported.")
    if c["failing"]:
        verdict = (f"{_plural(c['failing'], 'finding')} on {_plural(c['failing_claims'], 'claim')} "
                   f"fail{'s' if c['failing'] == 1 else ''} the check (fail-on {fail_on})")
    else:
        verdict = f"Nothing fails the check (fail-on {fail_on})"
    notes = []
    if c["baselined"]:
        notes.append(f"{c['baselined']} known from the baseline")
    if c["outside_changes"]:
        notes.append(f"{c['outside_changes']} not on lines changed since {report.changed_since}")
    if c["below_threshold"]:
        notes.append(f"{c['below_threshold']} below fail-on")
    if c["suppressed"]:
        notes.append(f"{c['suppressed']} suppressed in the copy")
    if c["stale_baseline"]:
        notes.append(f"{_plural(c['stale_baseline'], 'baseline entry', 'baseline entries')} no longer "
                     f"found (refresh with --write-baseline)")
    return f"{head} {verdict}" + (f"; {'; '.join(notes)}." if notes else ".")


def display_path(document: str) -> str:
    """A document path as reports show it: relative to the working folder when under it, with ``/``."""
    if "://" in document:
        return document  # a page read from the web is named by its URL
    path = Path(document)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(Path.cwd().resolve())
        except (ValueError, OSError):
            pass
    return path.as_posix()


# --------------------------------------------------------------------------- evaluation


def _end_of(finding: Finding, document: Document | None) -> tuple[int, int]:
    """Line and column where a claim ends, counted as its start is: from the top of its page
    in paged copy (a PDF page, a slide), else from the top of the file."""
    if document is not None:
        try:
            page, line, column = document.place(max(finding.end, finding.start))
        except (ValueError, IndexError):
            pass
        else:
            # A claim running onto the next page has no end on the page its start is counted on.
            if page == finding.page:
                return line, column
    return finding.line, finding.column + len(finding.text)


def _lines_are_the_files(document: Document | None) -> bool:
    """Whether a document's line numbers are lines of the file git compares.

    Copy converted from a binary format (PDF, Word, PowerPoint, a workbook) is
    named by its format rather than a text encoding; its lines are lines of the
    extracted text, which no line of a git diff of the file corresponds to.
    """
    if document is None:
        return True
    try:
        codecs.lookup(document.encoding)
    except LookupError:
        return False
    return True


def _has_no_earlier_version(path: str) -> bool:
    """Copy that is no file of a repository (a page read from the web, --text, standard input
    without --stdin-filename): nothing to compare it with, so every line of it is new."""
    return "://" in path or (path.startswith("<") and path.endswith(">"))


def _on_changed_lines(changed: ChangedLines, item: GateItem, document: Document | None) -> bool:
    if _has_no_earlier_version(item.document):
        return True
    if not _lines_are_the_files(document):
        # Any change to the file may have changed any claim in it; ChangedLines keys files so.
        return os.path.normcase(os.path.realpath(item.document)) in changed.files
    return changed.touches(item.document, item.line, item.end_line)


def _field(rule: object, key: str) -> str:
    value = rule.get(key) if isinstance(rule, Mapping) else getattr(rule, key, None)
    return str(value) if value else ""


def _rule_lookup(rules: Iterable[object] | None) -> dict[str, tuple[str, str, str]]:
    """code or name → (code, name, level) for the loaded rule definitions."""
    table: dict[str, tuple[str, str, str]] = {}
    for rule in rules or ():
        code, name, level = (_field(rule, key) for key in ("code", "name", "level"))
        for key in (code, name):
            if key:
                table.setdefault(key, (code, name, level))
    return table


def _problem_reasons(finding: Finding) -> list[Reason | None]:
    """One reason per rule code (the worst), or ``[None]`` for a flag with no reason.

    Reasons switched off by a suppression comment are left out: they are
    reported as suppressed items instead.
    """
    by_code: dict[str, Reason] = {}
    silenced = {code for code, _ in finding.suppressed}
    for reason in finding.reasons:
        if reason.code in silenced:
            continue
        key = reason.code or reason.rule or reason.verdict
        kept = by_code.get(key)
        if kept is None or VERDICT_RANK.get(reason.verdict, 0) > VERDICT_RANK.get(kept.verdict, 0):
            by_code[key] = reason
    reasons: list[Reason | None] = [r for r in by_code.values() if VERDICT_RANK.get(r.verdict, 0) > 0]
    if not reasons and finding.verdict != "supported" and not silenced:
        return [None]
    return reasons


# (owner, selectors, block start): the owner is the claim the suppressions are on, or the
# document of a block that holds no claim.
_Missing = tuple[Finding | Document, list[str], int]


def _missing_reasons(result: AuditResult, findings: list[Finding]) -> dict[str, _Missing]:
    """Suppressions written without a reason, per claim: (claim or document, selectors, block start)."""
    missing: dict[str, _Missing] = {}
    by_document: dict[str, list[Finding]] = {}
    for finding in findings:
        by_document.setdefault(finding.document, []).append(finding)
    for document in result.documents:
        for block in document.blocks:
            selectors = [sel for sel, why in block.suppressions if not (why or "").strip()]
            if not selectors:
                continue
            inside = [f for f in by_document.get(document.path, []) if block.start <= f.start < block.end]
            if inside:
                key = inside[0].id
                entry = missing.setdefault(key, (inside[0], [], block.start))
            else:
                from claimaudit.verdicts.ids import claim_id

                key = claim_id(document.path, document.text[block.start:block.end])
                entry = missing.setdefault(key, (document, [], block.start))
            entry[1].extend(s for s in selectors if s not in entry[1])
    for finding in findings:
        codes = [code for code, why in finding.suppressed if not (why or "").strip()]
        if codes and finding.id not in missing:
            missing[finding.id] = (finding, codes, finding.start)
    return missing


class _ClaimPlace(TypedDict):
    """The fields every gate item of one claim shares."""

    claim_id: str
    document: str
    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    claim_verdict: str
    finding: Finding


def evaluate_gate(
    result: AuditResult,
    fail_on: str = "overstated",
    *,
    fail_on_by_document: Mapping[str, str] | None = None,
    baseline: Baseline | None = None,
    changed: ChangedLines | None = None,
) -> GateReport:
    """Judge every finding of ``result``.

    ``baseline`` is a :class:`claimaudit.verdicts.baseline.Baseline` (or None);
    ``changed`` a :class:`claimaudit.changes.ChangedLines` (or None: every line counts).
    """
    per_document = dict(fail_on_by_document or {})
    documents = {d.path: d for d in result.documents}
    rules = _rule_lookup(result.rules)
    order = {d.path: i for i, d in enumerate(result.documents)}
    findings = sorted(result.findings,
                      key=lambda f: (order.get(f.document, len(order)), f.document, f.start, f.end, f.id))

    if baseline is not None:
        baseline.note_run((finding.id, finding.document) for finding in findings)

    def judge(item: GateItem) -> GateItem:
        if baseline is not None and baseline.find(item.claim_id, item.rule_key, item.document, item.text,
                                                  item.finding.fingerprint if item.finding else "",
                                                  item.claim_verdict):
            item.state = BASELINED
            return item
        why = baseline.why_not_baselined(item.claim_id, item.rule_key) if baseline is not None else ""
        if why:
            item.message = f"{item.message} ({why})"
        if changed is not None and not _on_changed_lines(changed, item, documents.get(item.document)):
            item.state = OUTSIDE_CHANGES
        elif VERDICT_RANK.get(item.verdict, 0) < VERDICT_RANK[per_document.get(item.document, fail_on)]:
            item.state = BELOW_THRESHOLD
        else:
            item.state = FAILING
        return item

    missing = _missing_reasons(result, findings)
    items: list[GateItem] = []
    placed: set[str] = set()

    def add_missing(key: str) -> None:
        owner, selectors, start = missing[key]
        placed.add(key)
        finding: Finding | None = None
        claim_verdict: str
        if isinstance(owner, Finding):
            finding = owner
            line, column, text, claim_verdict = finding.line, finding.column, finding.text, finding.verdict
            end_line, end_column = _end_of(finding, documents.get(finding.document))
            path = finding.document
        else:
            _, line, column = owner.place(start)
            end_line, end_column, text, claim_verdict = line, column, "", ""
            path = owner.path
        listed = ", ".join(selectors)
        example = selectors[0] if len(selectors) == 1 else listed.replace(" ", "")
        items.append(judge(GateItem(
            claim_id=key, document=path, line=line, column=column, end_line=end_line, end_column=end_column,
            code=MISSING_REASON_CODE, rule=MISSING_REASON_RULE,
            message=f"suppression of {listed} gives no reason; write "
                    f'<!-- claimaudit: disable {example} reason="why this claim is acceptable" -->',
            verdict=MISSING_REASON_LEVEL, state="", text=text, claim_verdict=claim_verdict, finding=finding,
        )))

    for finding in findings:
        end_line, end_column = _end_of(finding, documents.get(finding.document))
        base = _ClaimPlace(claim_id=finding.id, document=finding.document, line=finding.line,
                           column=finding.column, end_line=end_line, end_column=end_column, text=finding.text,
                           claim_verdict=finding.verdict, finding=finding)
        # A block-level diagnostic for a block without claims goes where that block starts.
        for key, (owner, _, start) in list(missing.items()):
            if (key not in placed and isinstance(owner, Document) and owner.path == finding.document
                    and start <= finding.start):
                add_missing(key)
        for reason in _problem_reasons(finding):
            if reason is None:
                items.append(judge(GateItem(code="", rule="", message=f"{finding.verdict}, and no rule gave a reason",
                                            verdict=finding.verdict, state="", **base)))
                continue
            items.append(judge(GateItem(code=reason.code or reason.rule, rule=reason.rule or "",
                                        message=reason.message, verdict=reason.verdict, state="",
                                        reason=reason, **base)))
        if finding.id in missing and finding.id not in placed:
            add_missing(finding.id)
        for code, why in finding.suppressed:
            if not (why or "").strip():
                continue
            known_code, name, level = rules.get(code, ("", "", ""))
            items.append(GateItem(code=known_code or code, rule=name, message=f"suppressed in the copy: {why.strip()}",
                                  verdict=level if level in VERDICT_RANK else "overstated", state=SUPPRESSED,
                                  justification=why.strip(), **base))
    for key in missing:
        if key not in placed:
            add_missing(key)

    stale = 0
    if baseline is not None:
        stale = len(baseline.unmatched(documents=[d.path for d in result.documents] or None))
    return GateReport(
        result=result, items=items, fail_on=fail_on, fail_on_by_document=per_document,
        baseline_path=str(baseline.path) if baseline is not None and baseline.path else None,
        with_baseline=baseline is not None,
        changed_since=getattr(changed, "revision", None), stale_baseline=stale,
    )


def as_gate_report(value: GateReport | AuditResult, fail_on: str = "overstated") -> GateReport:
    """A renderer's input: a GateReport as is, or an AuditResult judged with defaults."""
    if isinstance(value, GateReport):
        return value
    return evaluate_gate(value, fail_on)


def baseline_entries(report: GateReport, baseline_path: str | os.PathLike[str]) -> list[BaselineEntry]:
    """Baseline entries for every problem in ``report`` (failing or not), for ``--write-baseline``."""
    from claimaudit.verdicts.baseline import BaselineEntry, document_for_baseline

    entries: list[BaselineEntry] = []
    for item in report.items:
        if item.state == SUPPRESSED:
            continue
        entries.append(BaselineEntry(
            claim=item.claim_id, rule=item.rule_key,
            document=document_for_baseline(item.document, baseline_path),
            verdict=item.verdict, text=item.text,
        ))
    return entries
