"""Reports that stream: audit.json written finding by finding, and audit.jsonl beside it.

A site audit of thousands of pages must not hold its whole JSON report in memory
twice over; the report's bytes stay what they always were, and audit.jsonl gives
one finding per line, each exactly the finding object of audit.json.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from claimaudit.errors import InputError
from claimaudit.files import write_atomic_set
from claimaudit.model import Finding, InputProblem, SkippedFile
from claimaudit.report.common import without_lone_surrogates
from claimaudit.report.json_report import (JudgedJournal, json_chunks, json_lines, render_json, render_json_lines,
                                           report_data, writer)
from claimaudit.pipeline import BatchResult

from report_samples import sample_result

CLAIMAUDIT = shutil.which("claimaudit") or str(Path(sys.executable).with_name("claimaudit"))

# Two pages of our own words, so findings come from more than one document and their order shows.
FIRST_PAGE = """<html><body><main>
<h1>Joint care</h1>
<p>In a 10-week trial, adults who took the tablet reported 15% less hip stiffness than those on placebo.</p>
<p>Our tablet cures hip stiffness forever.</p>
<p>Every patient walks further after one dose.</p>
</main></body></html>
"""
SECOND_PAGE = """<html><body><main>
<h1>Sleep clinic</h1>
<p>Our programme doubles deep sleep in all adults with insomnia.</p>
<p>Clinically proven to end snoring — “guaranteed” ✓.</p>
</main></body></html>
"""
NO_CLAIMS_PAGE = """<html><body><main><h1>Visit us</h1><p>Parking is free on Sundays.</p></main></body></html>
"""
PACK = """sources:
  - id: hip2022
    citation: "Sample B, et al. Hip Letters. 2022."
    summary: >
      In a 10-week randomised trial of 90 adults with hip stiffness, those taking the
      tablet reported 15% less stiffness than those on placebo.
"""

COMPACT = {"ensure_ascii": False, "separators": (",", ":")}


def run_audit(folder: Path, *args: object, preexec_fn=None) -> subprocess.CompletedProcess:
    return subprocess.run([CLAIMAUDIT, "audit", *map(str, args)], cwd=folder, capture_output=True, timeout=120,
                          env={**os.environ, "CLAIMAUDIT_CACHE_DIR": "off"}, preexec_fn=preexec_fn)


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "a-joints.html").write_text(FIRST_PAGE, encoding="utf-8")
    (tmp_path / "site" / "b-sleep.html").write_text(SECOND_PAGE, encoding="utf-8")
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    return tmp_path


def one_shot_json(result) -> str:
    """The JSON report as it was made before it streamed: one dumps of the whole document."""
    return without_lone_surrogates(json.dumps(report_data(result), ensure_ascii=False, indent=2)) + "\n"


def rich_result():
    """The sample result with every optional part a finding or the report can carry."""
    result = sample_result()
    first, second = result.findings[0], result.findings[1]
    first.page, first.url, first.fetched_at = 3, "https://clinic.example/ms", "2025-01-02T03:04:05Z"
    first.cited, first.fingerprint, first.register_id = ("rodent2019",), "0123456789abcdef", "C-007"
    first.library = {"id": "C-001", "status": "deviates", "approved_text": "Lowered markers in rats.",
                     "differences": ["figure 60% not approved"], "approved_by": "R. Reviewer"}
    second.review = {"status": "carried", "decision": "Approve", "reviewer": "A. Person", "date": "2025-01-02"}
    result.review = {"workbook": "reviewed.xlsx", "gone": []}
    result.library_used = {"file": "library.yaml", "as_of": "2025-01-02", "claims": 4}
    result.semantic_model = "a-sentence-model"
    result.skipped = [SkippedFile("site/logo.svg", "not a copy type")]
    result.problems = [InputProblem("site/broken.pdf", "not a PDF", 2)]
    # A file name that is not UTF-8, read from a folder: a lone surrogate, which no UTF-8 file can hold.
    result.findings[2].document = result.documents[0].path = "site/caf\udce9.html"
    return result


def many_findings(count: int):
    """The sample result with its findings repeated until there are ``count`` of them."""
    result = sample_result()
    originals = result.findings
    result.findings = [dataclasses.replace(originals[n % len(originals)], id=f"claim-{n:06d}",
                                           start=originals[n % len(originals)].start + n)
                       for n in range(count)]
    return result


class RecordingFile(io.RawIOBase):
    """A binary file that keeps only the size of what was written to it, and of its largest single write."""

    def __init__(self) -> None:
        self.total = 0
        self.largest = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.total += len(data)
        self.largest = max(self.largest, len(data))
        return len(data)


# --------------------------------------------------------------------------- the same bytes as before


@pytest.mark.parametrize("make", [sample_result, rich_result, lambda: dataclasses.replace(sample_result(), findings=[])],
                         ids=["sample", "every-optional-field", "no-findings"])
def test_the_streamed_json_report_is_byte_identical_to_one_dumps_of_the_whole_report(make):
    result = make()
    assert render_json(result) == one_shot_json(result)
    written = io.BytesIO()
    writer(lambda: json_chunks(result))(written)
    assert written.getvalue() == one_shot_json(result).encode("utf-8")


def test_each_json_line_is_the_compact_finding_object_of_the_json_report_in_its_order():
    result = rich_result()
    report = json.loads(render_json(result))
    lines = render_json_lines(result).encode("utf-8").split(b"\n")
    assert lines[-1] == b""  # every line ends with a newline, the last too
    lines = lines[:-1]
    assert len(lines) == len(report["findings"]) == len(result.findings)
    for line, finding in zip(lines, report["findings"], strict=True):
        assert json.loads(line) == finding
        assert line == json.dumps(finding, **COMPACT).encode("utf-8")
    assert [json.loads(line)["id"] for line in lines] == [finding["id"] for finding in report["findings"]]
    assert all("review" in json.loads(line) for line in lines)
    assert any("library" in json.loads(line) and "page" in json.loads(line) for line in lines)


def test_every_json_line_validates_against_the_line_schema_which_is_the_finding_of_the_report_schema():
    jsonschema = pytest.importorskip("jsonschema")
    from referencing import Registry, Resource

    folder = Path(__file__).resolve().parents[1] / "src" / "claimaudit" / "report" / "schema"
    report_schema = json.loads((folder / "audit.schema.json").read_text(encoding="utf-8"))
    line_schema = json.loads((folder / "audit-line.schema.json").read_text(encoding="utf-8"))
    registry = Registry().with_resource(report_schema["$id"], Resource.from_contents(report_schema))
    validator = jsonschema.Draft202012Validator(line_schema, registry=registry)
    lines = render_json_lines(rich_result()).splitlines()
    assert lines
    for line in lines:
        validator.validate(json.loads(line))
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({"id": "not a finding"})


# --------------------------------------------------------------------------- bounded work


def test_the_json_writers_never_build_the_whole_report_in_memory():
    result = many_findings(3000)
    for chunks in (json_chunks, json_lines):
        recorded = RecordingFile()
        writer(lambda: chunks(result))(recorded)
        largest_finding = max(len(json.dumps(item, ensure_ascii=False, indent=4).encode("utf-8"))
                              for item in report_data(result)["findings"])
        # One write holds at most one finding (or one of the small parts around the findings).
        assert recorded.largest <= largest_finding + 64, chunks.__name__
        assert recorded.largest * 500 < recorded.total, chunks.__name__


# --------------------------------------------------------------------------- the command writes both, as one set


def test_audit_writes_json_lines_beside_the_json_report_one_line_per_finding(site):
    done = run_audit(site, "site", "-s", "pack.yaml", "-o", "out", "-f", "json")
    assert done.returncode == 0, done.stderr.decode()
    out = site / "out"
    assert sorted(p.name for p in out.iterdir()) == ["audit.json", "audit.jsonl"]
    report = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    raw = (out / "audit.jsonl").read_bytes()
    assert raw.endswith(b"\n")
    lines = raw.split(b"\n")[:-1]
    assert len(report["findings"]) >= 4
    assert [json.loads(line) for line in lines] == report["findings"]
    assert lines == [json.dumps(finding, **COMPACT).encode("utf-8") for finding in report["findings"]]
    documents = [json.loads(line)["document"] for line in lines]
    assert documents == sorted(documents)  # a-joints.html's claims first, as in audit.json
    assert "“guaranteed” ✓" in raw.decode("utf-8")  # UTF-8 kept, as in audit.json


def test_the_default_formats_include_json_lines(site):
    done = run_audit(site, "site", "-s", "pack.yaml", "-o", "out")
    assert done.returncode == 0, done.stderr.decode()
    assert sorted(p.name for p in (site / "out").iterdir()) == ["audit.html", "audit.json", "audit.jsonl",
                                                                "audit.xlsx"]


def test_no_json_lines_without_json(site):
    done = run_audit(site, "site", "-s", "pack.yaml", "-o", "out", "-f", "html")
    assert done.returncode == 0, done.stderr.decode()
    assert sorted(p.name for p in (site / "out").iterdir()) == ["audit.html"]


def test_a_run_without_claims_writes_an_empty_json_lines_file(tmp_path):
    (tmp_path / "visit.html").write_text(NO_CLAIMS_PAGE, encoding="utf-8")
    (tmp_path / "out").mkdir()
    # A stale file from an earlier run must not pass for this run's findings.
    (tmp_path / "out" / "audit.jsonl").write_text('{"id":"old"}\n', encoding="utf-8")
    done = run_audit(tmp_path, "visit.html", "-o", "out", "-f", "json")
    assert done.returncode == 0, done.stderr.decode()
    assert json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))["findings"] == []
    assert (tmp_path / "out" / "audit.jsonl").read_bytes() == b""


def test_json_lines_are_byte_identical_across_runs(site):
    for out in ("first", "second"):
        done = run_audit(site, "site", "-s", "pack.yaml", "-o", out, "-f", "json")
        assert done.returncode == 0, done.stderr.decode()
    for name in ("audit.json", "audit.jsonl"):
        assert (site / "first" / name).read_bytes() == (site / "second" / name).read_bytes(), name


def test_a_run_that_cannot_write_its_reports_leaves_the_old_set_and_no_half_file(site):
    done = run_audit(site, "site", "-s", "pack.yaml", "-o", "out", "-f", "json")
    assert done.returncode == 0, done.stderr.decode()
    old = {p.name: p.read_bytes() for p in (site / "out").iterdir()}
    (site / "site" / "c-more.html").write_text(FIRST_PAGE.replace("Joint care", "More joint care"), encoding="utf-8")

    def small_files():
        # Writes past 2 KiB fail with EFBIG, as a full disk fails with ENOSPC.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (2048, 2048))

    failed = run_audit(site, "site", "-s", "pack.yaml", "-o", "out", "-f", "json", preexec_fn=small_files)
    err = failed.stderr.decode()
    assert failed.returncode == 2, err
    assert "cannot write" in err and "Traceback" not in err and ".tmp" not in err
    assert {p.name: p.read_bytes() for p in (site / "out").iterdir()} == old  # no temporary, no half file


def test_a_streamed_report_that_fails_half_way_changes_nothing_in_the_set(tmp_path):
    (tmp_path / "audit.json").write_text("old json", encoding="utf-8")
    (tmp_path / "audit.jsonl").write_text("old lines\n", encoding="utf-8")
    result = many_findings(50)

    def lines_then_failure():
        yield from list(json_lines(result))[:10]
        raise InputError("the copy changed while the report was written")

    with pytest.raises(InputError, match="copy changed"):
        write_atomic_set({tmp_path / "audit.json": writer(lambda: json_chunks(result)),
                          tmp_path / "audit.jsonl": writer(lines_then_failure)})
    assert (tmp_path / "audit.json").read_text(encoding="utf-8") == "old json"
    assert (tmp_path / "audit.jsonl").read_text(encoding="utf-8") == "old lines\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json", "audit.jsonl"]


# --------------------------------------------------------------------------- written as they are judged


def test_findings_are_journalled_as_each_batch_is_judged_and_the_journal_goes_when_the_run_ends(tmp_path):
    result = many_findings(30)
    seen: list[list[str]] = []
    with JudgedJournal(tmp_path / "out" / "audit.jsonl") as journal:
        for start in range(0, 30, 10):
            journal(BatchResult(findings=result.findings[start:start + 10], documents=1))
            seen.append(journal.path.read_text(encoding="utf-8").splitlines())
        assert journal.path.name.startswith(".audit.jsonl.") and journal.path.name.endswith(".tmp")
    assert [len(lines) for lines in seen] == [10, 20, 30]
    assert [json.loads(line)["id"] for line in seen[-1]] == [f.id for f in result.findings]
    assert list((tmp_path / "out").iterdir()) == []  # the final audit.jsonl comes with the report set


def test_a_finding_keeps_no_attributes_beyond_its_fields():
    finding = sample_result().findings[0]
    with pytest.raises(AttributeError):
        finding.ad_hoc = "no"  # type: ignore[attr-defined]
    assert isinstance(finding, Finding)
