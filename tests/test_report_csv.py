"""The CSV claims register opens safely in a spreadsheet and keeps every claim."""

from __future__ import annotations

import csv
import io

from report_samples import FORMULA, SCRIPT, sample_result

from claimaudit.report import render_claims_csv, write_claims_csv
from claimaudit.report.csv_export import CSV_COLUMNS, neutralise


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_register_starts_with_a_byte_order_mark_for_excel():
    data = render_claims_csv(sample_result())
    assert data.startswith(b"\xef\xbb\xbfID,Document,")


def test_register_has_one_row_per_claim_in_report_order():
    register = rows(render_claims_csv(sample_result()))
    assert list(register[0]) == list(CSV_COLUMNS)
    assert len(register) == 11
    assert register[0]["ID"] == "site-0114"
    assert register[0]["Confidence"] == "0.823"
    assert register[0]["Similarity"] == "0.710"
    assert register[0]["Source link"] == "https://doi.org/10.1000/jen.2021.045"


def test_cells_that_a_spreadsheet_would_run_are_neutralised():
    register = rows(render_claims_csv(sample_result()))
    claims = [row["Claim"] for row in register]
    assert "'" + FORMULA + " Our therapy doubles mobility." in claims
    assert "'+1+1 more patients walk unaided after treatment." in claims
    assert "'-2 days of recovery time on average at our clinic." in claims
    assert "'@SUM(A1) clinically proven results." in claims
    assert "'\tSupports nerve repair in laboratory cells." in claims
    assert "'\rApproved by regulators for MS." in claims
    suggestions = [row["Suggestion"] for row in register]
    assert "'" + FORMULA in suggestions and "'@SUM(A1)" in suggestions
    for row in register:
        for name, value in row.items():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (name, value)


def test_ordinary_text_and_unicode_pass_through_untouched():
    register = rows(render_claims_csv(sample_result()))
    texts = {row["Claim"] for row in register}
    assert any(SCRIPT in t and "改善" in t for t in texts)
    assert "Treatment is completely safe with no side effects." in texts
    assert neutralise("plain words") == "plain words"


def test_written_register_is_identical_across_runs(tmp_path):
    write_claims_csv(sample_result(), tmp_path / "a.csv")
    write_claims_csv(sample_result(), tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


REGISTER_HEADER_BEFORE_SCOPE = (
    "ID,Document,Line,Column,Claim,Verdict,Confidence,Rules,Reasons,Best evidence,Source,Source link,"
    "Similarity,Suggestion,Decision,Comment,Reviewer,Date"
)


def test_scope_is_one_column_after_the_existing_ones_and_says_where_each_claim_stood():
    from claimaudit.model import NotAudited

    result = sample_result()
    safety = next(f for f in result.findings if f.text == "Treatment is completely safe with no side effects.")
    safety.scope = "heading"
    # Skipped text belongs to the JSON, workbook and HTML report: the register stays one row per claim.
    result.not_audited = [NotAudited("site/ms-care.html", "Book a call today.", 3, "a call to action")]
    data = render_claims_csv(result)
    assert data.decode("utf-8-sig").splitlines()[0] == REGISTER_HEADER_BEFORE_SCOPE + ",Scope"
    register = rows(data)
    assert len(register) == len(result.findings) == 11
    scopes = {row["Claim"]: row["Scope"] for row in register}
    assert scopes["Treatment is completely safe with no side effects."] == "heading"
    assert set(scopes.values()) == {"body", "heading"}
    assert "Book a call today." not in data.decode("utf-8-sig")
