"""The JSON report honours the contract other tools rely on, byte for byte."""

from __future__ import annotations

import json
import os
from importlib import resources

import jsonschema
import pytest

from claimaudit.errors import InputError
from report_samples import SCRIPT, sample_result

from claimaudit.model import AuditResult
from claimaudit.report import render_json, report_data, write_atomic, write_json

CONTRACT_TOP_KEYS = ["schema_version", "tool", "documents", "sources", "summary", "findings"]
CONTRACT_FINDING_KEYS = [
    "id", "document", "text", "start", "end", "line", "column",
    "verdict", "confidence", "reasons", "evidence", "suggestion",
]


@pytest.fixture(scope="module")
def schema():
    text = resources.files("claimaudit.report").joinpath("schema/audit.schema.json").read_text()
    return json.loads(text)


@pytest.fixture
def report():
    return json.loads(render_json(sample_result()))


def test_report_validates_against_the_published_schema(schema, report):
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(report)


def test_schema_rejects_a_report_missing_a_contract_field(schema, report):
    del report["findings"][0]["evidence"][0]["similarity"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(report)


def test_contract_fields_come_first_in_contract_order(report):
    assert [k for k in report if k in CONTRACT_TOP_KEYS] == CONTRACT_TOP_KEYS
    assert list(report)[: len(CONTRACT_TOP_KEYS)] == CONTRACT_TOP_KEYS
    finding_keys = [k for k in report["findings"][0] if k in CONTRACT_FINDING_KEYS]
    assert finding_keys == CONTRACT_FINDING_KEYS
    assert list(report["tool"]) == ["name", "version"]
    assert list(report["summary"]) == ["claims", "supported", "overstated", "unsupported"]
    assert list(report["sources"][0])[:4] == ["id", "citation", "doi", "pmid"]
    reason = report["findings"][0]["reasons"][0]
    assert list(reason)[:5] == ["rule", "code", "message", "claim_span", "evidence_span"]


def test_summary_and_document_counts_add_up(report):
    findings = report["findings"]
    assert report["summary"] == {
        "claims": 11,
        "supported": sum(f["verdict"] == "supported" for f in findings),
        "overstated": sum(f["verdict"] == "overstated" for f in findings),
        "unsupported": sum(f["verdict"] == "unsupported" for f in findings),
    }
    assert report["documents"] == [
        {"path": "site/ms-care.html", "claims": 5},
        {"path": "claims/deck.csv", "claims": 6},
    ]


def test_findings_are_ordered_by_document_then_position(report):
    order = {"site/ms-care.html": 0, "claims/deck.csv": 1}
    keys = [(order[f["document"]], f["start"]) for f in report["findings"]]
    assert keys == sorted(keys)


def test_offsets_still_point_at_the_claim_in_the_document_text(report):
    texts = {doc.path: doc.text for doc in sample_result().documents}
    for finding in report["findings"]:
        assert texts[finding["document"]][finding["start"]:finding["end"]] == finding["text"]


def test_scores_are_rounded_to_three_decimals(report):
    first = report["findings"][0]
    assert first["confidence"] == 0.823  # 0.8234 in the result
    for finding in report["findings"]:
        assert round(finding["confidence"], 3) == finding["confidence"]
        for item in finding["evidence"]:
            assert round(item["similarity"], 3) == item["similarity"]


def test_spans_are_pairs_or_null(report):
    reasons = [r for f in report["findings"] for r in f["reasons"]]
    assert reasons[0]["claim_span"] == [43, 52]
    assert any(r["evidence_span"] is None for r in reasons)


def test_reason_family_falls_back_to_the_rule_definition(report):
    by_code = {r["code"]: r for f in report["findings"] for r in f["reasons"]}
    assert by_code["CA201"]["family"] == "certainty"  # reason left it blank
    assert by_code["CA901"]["family"] == "business"  # rule not loaded at all


def test_text_is_kept_verbatim_and_unicode_is_not_escaped():
    text = render_json(sample_result())
    assert "改善" in text and "“sehr gut”" in text
    report = json.loads(text)
    assert any(SCRIPT in f["text"] for f in report["findings"])
    assert any(f["text"].startswith("\r") for f in report["findings"])


def test_output_is_byte_identical_across_runs(tmp_path):
    first, second = render_json(sample_result()), render_json(sample_result())
    assert first == second
    assert first.endswith("}\n")
    write_json(sample_result(), tmp_path / "a.json")
    write_json(sample_result(), tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_output_holds_no_absolute_paths_or_timestamps():
    text = render_json(sample_result())
    assert os.getcwd() not in text
    assert "origin" not in json.loads(text)["sources"][0]  # the file a source came from
    for marker in ("/tmp/", "/home/", "/root/", "T00:00", "created", "generated_at"):
        assert marker not in text


def test_an_audit_with_nothing_found_is_still_a_valid_report(schema):
    empty = AuditResult(documents=[], sources=[], findings=[], tool_version="0.1.0")
    report = json.loads(render_json(empty))
    jsonschema.Draft202012Validator(schema).validate(report)
    assert report["summary"] == {"claims": 0, "supported": 0, "overstated": 0, "unsupported": 0}


def test_report_data_matches_the_serialised_report():
    result = sample_result()
    assert json.loads(render_json(result)) == report_data(result)


# --------------------------------------------------------------------------- atomic writes


def test_write_creates_missing_folders_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "reports" / "nested" / "audit.json"
    write_json(sample_result(), target)
    assert json.loads(target.read_text(encoding="utf-8"))["schema_version"] == 1
    assert os.listdir(target.parent) == ["audit.json"]


def test_failed_replace_keeps_the_old_report_and_cleans_up(tmp_path, monkeypatch):
    target = tmp_path / "audit.json"
    target.write_text("previous report\n", encoding="utf-8")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", broken_replace)
    # The error names the report the user asked for, never the hidden temporary.
    with pytest.raises(InputError, match=r"audit\.json: cannot write: disk full"):
        write_json(sample_result(), target)
    assert target.read_text(encoding="utf-8") == "previous report\n"
    assert os.listdir(tmp_path) == ["audit.json"]


def test_failed_render_never_touches_the_old_report(tmp_path):
    target = tmp_path / "audit.json"
    target.write_text("previous report\n", encoding="utf-8")
    broken = sample_result()
    broken.findings[0].start = "not a number"
    with pytest.raises((TypeError, ValueError)):
        write_json(broken, target)
    assert target.read_text(encoding="utf-8") == "previous report\n"
    assert os.listdir(tmp_path) == ["audit.json"]


def test_write_atomic_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    target = tmp_path / "shared.json"
    target.write_text("{}", encoding="utf-8")
    target.chmod(0o640)
    write_atomic(target, b"[]")
    assert target.read_bytes() == b"[]"
    assert target.stat().st_mode & 0o777 == 0o640


def test_rules_loaded_from_rule_files_are_understood():
    from claimaudit.report.common import RuleBook
    from claimaudit.rules.schema import RuleFile
    from claimaudit.rules.spec import RuleSpec

    spec = RuleSpec.from_data(RuleFile.model_validate({
        "code": "CA999", "name": "figures.made_up", "family": "figures", "extends": "figure",
        "level": "unsupported", "message": "A figure no source gives.",
        "docs": {"what": "Invented numbers.", "why": "Readers trust numbers.",
                 "example": "Works for 97%.", "use_instead": "Drop the number.",
                 "references": ["https://example.org/guide"]},
        "examples": {"fail": [{"claim": "Works for 97%."}], "pass": [{"claim": "Works."}]},
    }).model_dump())
    info = RuleBook([spec]).get("CA999")
    assert (info.name, info.family, info.level) == ("figures.made_up", "figures", "unsupported")
    assert info.use_instead == "Drop the number."
    assert info.references == ("https://example.org/guide",)
