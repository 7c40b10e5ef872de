"""The gate's decisions: what fails `claimaudit check`, and what is let through and why."""

from __future__ import annotations

from pathlib import Path

from report_samples import sample_result

from claimaudit.verdicts.baseline import Baseline, BaselineEntry
from claimaudit.changes import ChangedLines
from claimaudit.verdicts.gate import (
    BASELINED,
    BELOW_THRESHOLD,
    FAILING,
    MISSING_REASON_CODE,
    OUTSIDE_CHANGES,
    SUPPRESSED,
    baseline_entries,
    evaluate_gate,
    summary_line,
)
from claimaudit.model import AuditResult, Block, Document, Finding, Reason


def _item(report, claim_text_start: str, code: str):
    return next(i for i in report.items if i.text.startswith(claim_text_start) and i.code == code)


def test_every_rule_on_a_flagged_claim_is_a_gate_item_and_supported_claims_are_not():
    report = evaluate_gate(sample_result())
    flagged = [f for f in report.result.findings if f.verdict != "supported"]
    assert {i.claim_id for i in report.items if i.state != SUPPRESSED} == {f.id for f in flagged}
    inflated = _item(report, "Mesenchymal", "CA101")
    assert inflated.fingerprint == f"{inflated.claim_id}:CA101"
    assert (inflated.line, inflated.column) == (4, 1)
    assert inflated.end_column == 1 + len(inflated.text)  # one past the claim's last character
    assert report.failed


def test_fail_on_unsupported_lets_overstated_findings_through_but_counts_them():
    report = evaluate_gate(sample_result(), "unsupported")
    assert _item(report, "Mesenchymal", "CA101").state == BELOW_THRESHOLD
    assert _item(report, "A review", "CA601").state == FAILING
    assert report.counts()["below_threshold"] == 4  # CA101, CA301 twice, CA401
    assert report.failed


def test_per_document_fail_on_applies_to_that_document_only():
    report = evaluate_gate(sample_result(), "overstated",
                           fail_on_by_document={"claims/deck.csv": "unsupported"})
    assert _item(report, "+1+1", "CA301").state == BELOW_THRESHOLD
    assert _item(report, "Treatment is completely", "CA401").state == FAILING


def test_a_result_with_only_supported_claims_passes():
    result = sample_result()
    result.findings = [f for f in result.findings if f.verdict == "supported"]
    report = evaluate_gate(result)
    assert not report.failed
    assert "Nothing fails the check" in summary_line(report)


def test_baselined_findings_do_not_fail_and_fixed_ones_are_reported_stale():
    result = sample_result()
    known = _item(evaluate_gate(result), "Mesenchymal", "CA101")
    baseline = Baseline([
        BaselineEntry(claim=known.claim_id, rule="CA101", document="site/ms-care.html", text=known.text),
        BaselineEntry(claim="gone-claim", rule="CA201", document="site/ms-care.html", text="An old claim."),
        BaselineEntry(claim="other-page", rule="CA201", document="site/other.html", text="Not checked now."),
    ])
    report = evaluate_gate(result, baseline=baseline)
    assert _item(report, "Mesenchymal", "CA101").state == BASELINED
    # The other rule on the same claim is new: it still fails.
    assert _item(report, "Mesenchymal", "CA301").state == FAILING
    # Only entries of documents checked this time can be called fixed.
    assert report.stale_baseline == 1
    assert "known from the baseline" in summary_line(report)


def test_baseline_matches_by_document_and_text_when_the_claim_id_differs():
    result = sample_result()
    claim = _item(evaluate_gate(result), "Treatment is completely", "CA401")
    baseline = Baseline([BaselineEntry(claim="id-from-another-path-spelling", rule="CA401",
                                       document="site/ms-care.html", text="  treatment IS completely safe with no side effects. ")])
    report = evaluate_gate(result, baseline=baseline)
    assert _item(report, "Treatment is completely", "CA401").state == BASELINED
    assert claim.claim_id != "id-from-another-path-spelling"


def test_only_findings_on_changed_lines_fail_with_changed_since(tmp_path):
    result = sample_result()
    changed = ChangedLines(root=Path("."), revision="main",
                           files={str(Path("site/ms-care.html").resolve()): {6}})
    report = evaluate_gate(result, changed=changed)
    assert _item(report, "Treatment is completely", "CA401").state == FAILING
    assert _item(report, "Mesenchymal", "CA101").state == OUTSIDE_CHANGES
    assert _item(report, "+1+1", "CA301").state == OUTSIDE_CHANGES  # file not in the diff at all
    counts = report.counts()
    assert counts["claims"] == 11 and counts["failing"] == 1
    assert "not on lines changed since main" in summary_line(report)


def test_inline_suppression_with_a_reason_is_kept_as_suppressed_not_failing():
    report = evaluate_gate(sample_result())
    suppressed = [i for i in report.items if i.state == SUPPRESSED]
    assert len(suppressed) == 1
    assert suppressed[0].code == "CA201"  # the dotted name in the comment resolves to the rule's code
    assert suppressed[0].justification == "reviewed by legal, ticket 42"


def _page_with_suppressions() -> AuditResult:
    text = "Cells cure arthritis.\nOur clinic is the best.\nThird paragraph with no claims.\n"
    document = Document(path="page.md", text=text, raw=text, media_type="markdown", blocks=[
        Block(0, 21, suppressions=(("CA203", ""),)),
        Block(22, 45, suppressions=(("certainty", "approved by the medical-legal review"),)),
        Block(46, 78, suppressions=(("CA101", ""),)),
    ])
    findings = [
        Finding(id="c1", document="page.md", text="Cells cure arthritis.", start=0, end=21, line=1, column=1,
                verdict="overstated", confidence=0.7,
                reasons=[Reason(rule="certainty.boosted", code="CA201", message="Too sure.", verdict="overstated")],
                suppressed=[("CA203", "")]),
        Finding(id="c2", document="page.md", text="Our clinic is the best.", start=22, end=45, line=2, column=1,
                verdict="supported", confidence=0.8, suppressed=[("CA201", "approved by the medical-legal review")]),
    ]
    return AuditResult(documents=[document], sources=[], findings=findings)


def test_a_suppression_without_a_reason_is_itself_reported_and_fails_the_default_gate():
    report = evaluate_gate(_page_with_suppressions())
    missing = [i for i in report.items if i.code == MISSING_REASON_CODE]
    assert [(i.claim_id, i.line) for i in missing][0] == ("c1", 1)
    assert "CA203" in missing[0].message and 'reason="' in missing[0].message
    assert missing[0].state == FAILING
    # A reasonless comment above a block without claims is reported at that block.
    assert missing[1].line == 3 and "CA101" in missing[1].message
    # With a reason, nothing is reported for the second block.
    assert not [i for i in missing if i.claim_id == "c2"]


def test_missing_reason_is_an_overstated_level_finding_so_fail_on_unsupported_lets_it_through():
    report = evaluate_gate(_page_with_suppressions(), "unsupported")
    assert {i.state for i in report.items if i.code == MISSING_REASON_CODE} == {BELOW_THRESHOLD}


def test_baseline_entries_cover_every_problem_with_paths_relative_to_the_baseline(tmp_path):
    report = evaluate_gate(sample_result())
    entries = baseline_entries(report, tmp_path / "baseline.json")
    assert len(entries) == len([i for i in report.items if i.state != SUPPRESSED])
    assert {e.fingerprint for e in entries} == {i.fingerprint for i in report.items if i.state != SUPPRESSED}
    assert all(e.text and e.verdict for e in entries)
