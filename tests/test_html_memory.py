"""The HTML report of a site is written as it is rendered, in bounded memory.

A site's audit has a hundred thousand claims or more. Its HTML report must not hold
a view of every claim, the page's data island and the whole page at once: the page
is rendered a block at a time into the file, the island streamed into it from rows
written as each claim's view was made. The bytes are exactly those of the page
rendered whole.
"""

from __future__ import annotations

import gc
import io
import random
import tracemalloc

import pytest
from report_samples import sample_result

from claimaudit.model import (
    VERDICTS,
    AlignedElement,
    AuditResult,
    Document,
    Evidence,
    Finding,
    NotAudited,
    Reason,
    Source,
)
from claimaudit.report import render_html, write_html
from claimaudit.report.common import sorted_findings
from claimaudit.report.html_report import SERVER_ROWS_LIMIT, WRITE_BLOCK, html_writer

PRODUCTS = ("the balm", "the lozenge", "the patch", "the drops", "the rinse", "the capsule")
EFFECTS = ("soothes dry skin", "eases a sore throat", "calms itching", "shortens a cold", "freshens breath",
           "supports restful sleep", "lowers swelling")


def site(claims: int, per_page: int = 12, seed: int = 11) -> AuditResult:
    """A site's audit built straight from findings, every claim worded differently."""
    rng = random.Random(seed)
    sources = [
        Source(id=f"ref{n:03d}", summary=f"Among {20 + n} volunteers, {PRODUCTS[n % 6]} {EFFECTS[n % 7]} "
                                         f"within {n % 9 + 2} days for {30 + n % 50}% of them.",
               citation=f"Writer {n}. A study of {PRODUCTS[n % 6]}. Notes on Care. 2021;{n}:3-7.")
        for n in range(60)
    ]
    documents: list[Document] = []
    findings: list[Finding] = []
    not_audited: list[NotAudited] = []
    for page in range(-(-claims // per_page)):
        count = min(per_page, claims - page * per_page)
        sentences = [f"On page {page}, {PRODUCTS[(page + k) % 6]} {EFFECTS[(page * 5 + k) % 7]} for "
                     f"{rng.randint(5, 99)}% of {rng.randint(2, 900)} users in {k + 1} days." for k in range(count)]
        text = "Our shop.\n" + "\n".join(sentences) + "\nAsk a pharmacist.\n"
        path = f"shop/aisle-{page % 9}/item-{page:05d}.html"
        documents.append(Document(path=path, text=text, raw=text, media_type="html"))
        not_audited += [NotAudited(path, "Our shop.", 1, "a heading, not a claim", scope="heading"),
                        NotAudited(path, "Ask a pharmacist.", count + 2, "advice, not a claim")]
        for k, sentence in enumerate(sentences):
            start = text.index(sentence)
            line, column = documents[-1].line_col(start)
            source = sources[(page * 13 + k) % len(sources)]
            verdict = VERDICTS[(page + k) % 3]
            reasons = [] if verdict == "supported" else [Reason(
                rule="figures.larger", code="CA101", verdict=verdict, family="figures",
                message=f"The share is larger than {source.id} found.",
                claim_span=(sentence.index(" for ") + 5, sentence.index("%") + 1), evidence_source=source.id)]
            findings.append(Finding(
                id=f"i{page:05d}-{k:02d}", document=path, text=sentence, start=start, end=start + len(sentence),
                line=line, column=column, verdict=verdict, confidence=round(rng.random(), 3), reasons=reasons,
                evidence=[Evidence(source=source.id, text=source.summary, similarity=round(rng.random(), 3),
                                   start=0, end=len(source.summary))],
                suggestion="" if verdict == "supported" else f"Give the share {source.id} found.",
                alignment=[AlignedElement("outcome", "matched", sentence.split()[4], EFFECTS[0], source.id)],
            ))
    return AuditResult(documents=documents, sources=sources, findings=findings, tool_version="0.1.0",
                       not_audited=not_audited)


class RecordingFile(io.BytesIO):
    """A binary file that keeps what was written, and the size of its largest single write."""

    def __init__(self) -> None:
        super().__init__()
        self.largest = 0
        self.writes = 0

    def write(self, data) -> int:  # type: ignore[override]
        self.largest = max(self.largest, len(data))
        self.writes += 1
        return super().write(data)


def streamed(result: AuditResult, **options) -> RecordingFile:
    handle = RecordingFile()
    html_writer(result, **options)(handle)
    return handle


@pytest.fixture(scope="module")
def big_site() -> AuditResult:
    return site(3000)


# --------------------------------------------------------------------------- the same bytes


@pytest.mark.parametrize("make, options", [
    (lambda: site(3000), {}),  # rows rendered by the page's script
    (lambda: site(240), {}),  # rows written into the page
    (lambda: site(600), {"server_rows_limit": 10_000}),  # written, above the usual limit
    (sample_result, {}),
    (lambda: site(0), {}),
], ids=["script-rows", "server-rows", "server-rows-raised-limit", "sample", "no-claims"])
def test_the_streamed_report_is_byte_for_byte_the_report_rendered_whole(make, options):
    result = make()
    assert streamed(result, **options).getvalue() == render_html(result, **options).encode("utf-8")


def test_write_html_writes_the_rendered_report(tmp_path, big_site):
    target = write_html(big_site, tmp_path / "audit.html")
    assert target.read_bytes() == render_html(big_site).encode("utf-8")


def test_text_that_is_not_utf_8_is_written_as_the_whole_page_writes_it(big_site):
    # A lone surrogate (an API caller's text) becomes U+FFFD wherever it falls, block boundary or not.
    big_site.findings[0].text = "A claim with a lone \ud800 surrogate."
    big_site.documents[-1].text = "\udfff" * (WRITE_BLOCK + 7)
    try:
        assert streamed(big_site).getvalue() == render_html(big_site).encode("utf-8")
    finally:
        big_site.findings[:] = site(3000).findings
        big_site.documents[:] = site(3000).documents


def test_a_template_of_ones_own_still_reads_every_claim_and_the_island_of_a_site(tmp_path, big_site):
    # Above the limit the views are made again as a template walks them, and the island,
    # read as data rather than written with |tojson, is parsed whole.
    (tmp_path / "_copy.html.j2").write_text(
        "<ol id='own-list'>{% for f in findings %}<li>{{ f.id }} {{ f.verdict }}</li>{% endfor %}</ol>\n"
        "<p id='own-count'>{{ findings|length }} {{ (findings|last).id }} {{ findings[1].id }}</p>\n"
        "<p id='own-island'>{{ data.claims.rows|length }} {{ data.strings[0] == '' }}</p>\n"
        "<p id='own-copies'>{% for doc in documents %}{{ doc.pieces|length > 0 }}{% endfor %}</p>\n",
        encoding="utf-8",
    )
    html = render_html(big_site, template_dirs=[tmp_path])
    findings = sorted_findings(big_site)  # the report's order
    assert html.count("<li>") == len(findings)
    assert f"<li>{findings[0].id} {findings[0].verdict}</li>" in html
    assert f"<p id='own-count'>{len(findings)} {findings[-1].id} {findings[1].id}</p>" in html
    assert f"<p id='own-island'>{len(findings)} True</p>" in html
    assert "False" not in html.split("<p id='own-copies'>")[1].split("</p>")[0]
    assert streamed(big_site, template_dirs=[tmp_path]).getvalue() == html.encode("utf-8")


# --------------------------------------------------------------------------- bounded work


def test_a_site_report_is_written_in_blocks_far_smaller_than_the_page(big_site):
    assert len(big_site.findings) > SERVER_ROWS_LIMIT
    handle = streamed(big_site)
    total = len(handle.getvalue())
    # A block is at most WRITE_BLOCK characters, four bytes each at the very most.
    assert handle.largest <= 4 * WRITE_BLOCK
    assert handle.largest * 20 < total


def _traced(work) -> tuple[object, int]:
    """What ``work()`` returns, and the most memory it held at once (as tracemalloc counts it)."""
    gc.collect()
    tracemalloc.start()
    try:
        return work(), tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_writing_a_site_report_takes_less_memory_per_claim_than_the_audit_result_itself():
    # Each claim's view is made, written into the island's rows and let go; neither the views
    # nor the island nor the page are held whole, so what writing the report adds to a run's
    # memory stays below what its result already holds (holding every view took five times that).
    smaller, smaller_result_memory = _traced(lambda: site(1000))
    larger, larger_result_memory = _traced(lambda: site(2000))
    _, smaller_writing = _traced(lambda: html_writer(smaller)(RecordingFile()))
    _, larger_writing = _traced(lambda: html_writer(larger)(RecordingFile()))
    per_claim_result = (larger_result_memory - smaller_result_memory) / 1000
    per_claim_writing = (larger_writing - smaller_writing) / 1000
    assert per_claim_writing < per_claim_result, (per_claim_writing, per_claim_result)
