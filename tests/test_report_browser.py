"""The HTML report in a real browser: filters, sorting, jumps, keyboard, print, offline.

Needs the ``playwright`` package and a Chromium binary (Debian's ``chromium``);
skipped when either is missing.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from browser_support import CHROMIUM, browser, needs_chromium  # noqa: F401  (browser is a fixture)
from report_samples import sample_result

from claimaudit.report import write_html


pytestmark = needs_chromium


@pytest.fixture(scope="module")
def report_url(tmp_path_factory):
    path = tmp_path_factory.mktemp("html") / "audit.html"
    write_html(sample_result(), path)
    return path.as_uri()


@pytest.fixture
def page(browser, report_url):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.problems = []
    page.requests = []
    page.on("pageerror", lambda error: page.problems.append(str(error)))
    page.on("console", lambda msg: msg.type == "error" and page.problems.append(msg.text))
    page.on("request", lambda request: page.requests.append(request.url))
    page.goto(report_url)
    yield page
    page.close()


def visible_verdicts(page) -> list[str]:
    return page.eval_on_selector_all(
        "tbody.finding:not([hidden])", "bodies => bodies.map(b => b.dataset.verdict)"
    )


def status(page) -> str:
    return page.locator("#filter-status").inner_text()


def test_page_runs_its_script_without_errors_or_network(page, report_url):
    assert status(page) == "Showing 11 of 11 claims."
    assert page.problems == []  # a CSP refusal would show up here
    assert page.requests == [report_url]


def test_filter_by_verdict(page):
    page.select_option("#filter-verdict", "unsupported")
    assert visible_verdicts(page) == ["unsupported"] * 5
    assert status(page) == "Showing 5 of 11 claims."
    page.select_option("#filter-verdict", "")
    assert len(visible_verdicts(page)) == 11


def test_filter_by_family_and_document_combine(page):
    page.select_option("#filter-family", "scope")
    assert len(visible_verdicts(page)) == 2
    page.select_option("#filter-document", "1")  # claims/deck.csv
    assert visible_verdicts(page) == ["overstated"]
    page.click("#filter-reset")
    assert status(page) == "Showing 11 of 11 claims."


def test_free_text_filter_searches_claims_reasons_and_evidence(page):
    page.fill("#filter-text", "hyperlink")
    assert visible_verdicts(page) == ["unsupported"]
    page.fill("#filter-text", "fever headache")  # words from the evidence, in any order
    assert visible_verdicts(page) == ["overstated"]
    page.fill("#filter-text", "no such words anywhere")
    assert visible_verdicts(page) == []
    assert status(page) == "Showing 0 of 11 claims."


def test_sort_by_confidence_both_ways(page):
    def confidences():
        return [float(t) for t in page.locator("tbody.finding tr.main td.score:nth-child(8)")
                .all_inner_texts()]

    button = page.locator("button.sort[data-sort=confidence]")
    button.click()
    assert confidences() == sorted(confidences())
    assert button.locator("xpath=..").get_attribute("aria-sort") == "ascending"
    button.click()
    assert confidences() == sorted(confidences(), reverse=True)
    assert button.locator("xpath=..").get_attribute("aria-sort") == "descending"
    assert page.locator("th[aria-sort=none]").count() == 8


def test_sort_by_verdict_groups_the_worst_last(page):
    page.click("button.sort[data-sort=verdict]")
    order = visible_verdicts(page)
    assert order == ["supported"] * 3 + ["overstated"] * 3 + ["unsupported"] * 5


def wait_for_focus(page, element_id: str) -> None:
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.id === id", arg=element_id
    )


def _in_viewport(page, selector: str) -> bool:
    return page.eval_on_selector(
        selector,
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
    )


def test_clicking_a_claim_jumps_to_it_in_the_copy_and_back(page):
    link = page.locator("#row-c-claims-0157 a.to-copy")
    link.click()
    wait_for_focus(page, "mark-c-claims-0157")
    assert page.url.endswith("#mark-c-claims-0157")
    assert _in_viewport(page, "#mark-c-claims-0157")
    assert page.locator("#mark-c-claims-0157").inner_text().startswith("@SUM(A1)")

    page.click("a.backref[href='#row-c-claims-0157']")
    wait_for_focus(page, "row-c-claims-0157")
    assert page.url.endswith("#row-c-claims-0157")
    assert _in_viewport(page, "#row-c-claims-0157")


def test_jumping_to_a_filtered_out_row_clears_the_filters(page):
    page.select_option("#filter-verdict", "supported")
    page.click("a.backref[href='#row-c-claims-0000']")  # an unsupported claim
    wait_for_focus(page, "row-c-claims-0000")
    assert status(page) == "Showing 11 of 11 claims."


def test_keyboard_opens_details_and_moves_between_rows(page):
    first = page.locator("tbody.finding tr.main").first
    first.focus()
    page.keyboard.press("Enter")
    detail = page.locator("#detail-c-site-0114")
    assert detail.is_visible()
    assert page.locator("#row-c-site-0114 .toggle-details").get_attribute("aria-expanded") == "true"
    assert detail.locator(".hl-fired").first.inner_text() == "up to 60%"
    page.keyboard.press("Enter")
    assert not detail.is_visible()
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "row-c-site-0185"
    page.keyboard.press("End")
    assert page.evaluate("document.activeElement.id") == "row-c-claims-0237"


def test_details_button_toggles_the_side_by_side_view(page):
    button = page.locator("#row-c-site-0338 .toggle-details")
    button.click()
    panes = page.locator("#detail-c-site-0338 .pane")
    assert panes.count() == 2 and panes.nth(1).is_visible()
    assert "mild fever and headache" in panes.nth(1).locator(".hl-fired").inner_text()


def test_print_view_hides_the_controls(page):
    page.emulate_media(media="print")
    assert not page.locator(".filters").is_visible()
    assert page.locator("#claims-table").is_visible()


def test_screenshot_of_the_report(page, tmp_path):
    shot = tmp_path / "report.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert shot.stat().st_size > 10_000



def test_readme_screenshot_script_writes_a_png(tmp_path):
    script = Path(__file__).resolve().parents[1] / "benchmarks" / "screenshot.py"
    html = tmp_path / "audit.html"
    write_html(sample_result(), html)
    out = tmp_path / "docs" / "report.png"
    command = [sys.executable, str(script), "--html", str(html), "--out", str(out),
               "--chromium", CHROMIUM]
    completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    missing = subprocess.run(
        [sys.executable, str(script), "--html", str(tmp_path / "missing.html")],
        capture_output=True, text=True, timeout=60,
    )
    assert missing.returncode == 2 and "not found" in missing.stderr
