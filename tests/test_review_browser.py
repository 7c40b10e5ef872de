"""The real example's report in a real browser, with a reviewer's decisions carried into it.

Whatever the engine decides about ``examples/``, the page must filter, sort and
jump correctly and show the carried decisions. Needs ``playwright`` and
Debian's ``chromium``; skipped when either is missing.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import openpyxl
import pytest
from browser_support import browser, needs_chromium  # noqa: F401  (browser is a fixture)

from claimaudit import audit
from claimaudit.report import write_html, write_xlsx
from claimaudit.verdicts.review import apply_review, read_review

REPO = Path(__file__).resolve().parents[1]
REMOVED_CLAIM = "Our clinic has the shortest waiting list in the country."

pytestmark = needs_chromium


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    """The example audited twice: the second time with a reviewer's workbook from the first."""
    folder = tmp_path_factory.mktemp("example")
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        first = audit(["examples/clinic-page.html"], sources="examples/sources.yaml").result
        second = audit(["examples/clinic-page.html"], sources="examples/sources.yaml").result
    finally:
        os.chdir(cwd)
    write_xlsx(first, folder / "audit.xlsx")
    book = openpyxl.load_workbook(folder / "audit.xlsx")
    ws = book["Claims"]
    column = {cell.value: cell.column for cell in ws[1]}
    flagged = [r for r in range(2, ws.max_row + 1) if ws.cell(r, column["Verdict"]).value != "supported"]
    approve, reject, verdict_moved = flagged[:3]
    for row, decision in ((approve, "Approve"), (reject, "Reject"), (verdict_moved, "Approve")):
        ws.cell(row, column["Decision"]).value = decision
        ws.cell(row, column["Reviewer"]).value = "Dana Reviewer"
        ws.cell(row, column["Date"]).value = dt.date(2025, 5, 6)
    ws.cell(verdict_moved, column["Verdict"]).value = "supported"  # the reviewer saw another verdict
    ws.append({column["ID"]: "0000removed0000", column["Claim"]: REMOVED_CLAIM,
               column["Document"]: "examples/clinic-page.html", column["Decision"]: "Approve",
               column["Reviewer"]: "Dana Reviewer"})
    book.save(folder / "reviewed.xlsx")
    apply_review(second, read_review(folder / "reviewed.xlsx"))
    write_html(second, folder / "audit.html")
    return second, (folder / "audit.html").as_uri()


@pytest.fixture
def page(browser, example):
    _, url = example
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.problems = []
    page.requests = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(url)
    yield page
    page.close()


def visible(page, attribute: str) -> list[str]:
    return page.eval_on_selector_all(
        "tbody.finding:not([hidden])", f"bodies => bodies.map(b => b.getAttribute('{attribute}'))"
    )


def test_real_report_runs_offline_without_errors(page, example):
    result, url = example
    total = len(result.findings)
    assert page.locator("#filter-status").inner_text() == f"Showing {total} of {total} claims."
    assert page.problems == [] and page.requests == [url]


def test_real_report_filters_by_each_verdict(page, example):
    result, _ = example
    for verdict, count in result.summary().items():
        if verdict == "claims":
            continue
        page.select_option("#filter-verdict", verdict)
        assert visible(page, "data-verdict") == [verdict] * count


def test_real_report_sorts_by_similarity(page):
    page.click("button.sort[data-sort=similarity]")
    cells = page.locator("tbody.finding tr.main td.score:nth-child(7)").all_inner_texts()
    numbers = [float(c) if c != "–" else -1.0 for c in cells]
    assert numbers == sorted(numbers)


def test_real_report_jumps_from_each_claim_to_the_copy_and_back(page, example):
    result, _ = example
    links = page.locator("a.to-copy")
    assert links.count() == len(result.findings)  # every claim is marked in the copy
    last = links.nth(links.count() - 1)
    target = last.get_attribute("href").lstrip("#")
    last.click()
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=target)
    row = target.replace("mark-", "row-", 1)
    page.click(f"a.backref[href='#{row}']")
    page.wait_for_function("id => document.activeElement && document.activeElement.id === id", arg=row)


def test_carried_decisions_show_and_filter(page, example):
    result, _ = example
    page.select_option("#filter-review", "decision:Approve")
    assert visible(page, "data-decision") == ["Approve", "Approve"]
    page.select_option("#filter-review", "status:re-review")
    assert visible(page, "data-review") == ["re-review"]
    body = page.locator("tbody.finding:not([hidden])")
    assert "verdict changed: re-review" in body.locator("td.verdict").inner_text()
    page.select_option("#filter-review", "decision:")
    undecided = len([f for f in result.findings if not f.review["decision"]])
    assert len(visible(page, "data-decision")) == undecided
    page.click("#filter-reset")
    assert page.locator("#filter-review").input_value() == ""


def test_reviewed_claims_that_are_gone_are_listed(page):
    gone = page.locator("#gone table.gone tbody tr")
    assert gone.count() == 1
    assert REMOVED_CLAIM in gone.inner_text() and "Dana Reviewer" in gone.inner_text()
    assert page.locator(".review-summary a[href='#gone']").inner_text() == "1 no longer in the copy"
