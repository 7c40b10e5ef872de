"""How fast copy and sources are read in every format, and an audit against a folder of papers.

    python benchmarks/formats.py            # every figure (about a minute)
    python benchmarks/formats.py --papers 20 --paper-pages 10

Prints, for each format, the extraction speed in pages per second (a PDF page, a Word
page of about 450 words, a slide, a fetched web page; records per second for
bibliographic exports), then the time to audit the bundled clinic page against a folder
of generated papers as PDFs: cold (nothing cached, every PDF read and every sentence
analysed) and warm (the run after). Every file is generated here from our own words;
fpdf2, python-docx and python-pptx come with the `test` extra.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(HERE))

from pdf_readers import leaflet  # noqa: E402
from speed import CONDITIONS, OUTCOMES, POPULATIONS, SAFETY_LINES, SUBJECTS, VERBS_SOURCE, make_page  # noqa: E402

WORD_PAGE_PARAGRAPHS = 11  # with a heading, about 450 words: a printed page


def median_seconds(work: Callable[[], object], runs: int) -> float:
    work()  # imports and first-use costs are not the format's speed
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def varied_sentence(rng: random.Random) -> str:
    subject = rng.choice(SUBJECTS).lower().replace("our ", "")
    return rng.choice([
        f"Treatment with {subject} {rng.choice(VERBS_SOURCE)} {rng.choice(OUTCOMES)} by {rng.randint(3, 70)}% "
        f"{rng.choice(POPULATIONS)} with {rng.choice(CONDITIONS)} after {rng.randint(2, 52)} weeks.",
        f"Of the {rng.randint(20, 400)} participants, {rng.randint(1, 19)} left the study early and "
        f"{rng.randint(1, 9)} reported {rng.choice(['headache', 'nausea', 'fatigue', 'a rash', 'dizziness'])}.",
        f"The difference in {rng.choice(OUTCOMES)} between groups was {rng.randint(1, 30)} points "
        f"(95% CI {rng.randint(1, 5)} to {rng.randint(6, 40)}).",
        rng.choice(SAFETY_LINES),
        f"These findings in {rng.choice(CONDITIONS)} need confirmation in larger randomized trials "
        f"lasting at least {rng.randint(6, 24)} months.",
    ])


# --------------------------------------------------------------------------- generated files


def paper_pdf(number: int, pages: int, rng: random.Random) -> bytes:
    """A paper as a journal sets it: title, authors, DOI and abstract, two columns of 9-point
    text to fill ``pages`` pages, a reference list at the end."""
    from fpdf import FPDF

    surname = rng.choice(["Okafor", "Lindgren", "Moreau", "Tanaka", "Alvarez", "Brennan", "Kowalski", "Haddad"])
    year = rng.randint(2012, 2025)
    pdf = FPDF()
    pdf.set_creation_date(datetime(2026, 1, 1, tzinfo=timezone.utc))
    pdf.set_author(f"{surname} A, Reyes B")
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    title = f"Study {number} of {rng.choice(OUTCOMES)} in {rng.choice(CONDITIONS)}"
    pdf.set_title(title)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 9)
    journal = f"{surname} A, Reyes B. Synthetic Journal of Medicine. {year}. doi:10.5555/sjm.{year}.{number:03d}"
    pdf.multi_cell(0, 5, journal, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 5, "Abstract. " + " ".join(varied_sentence(rng) for _ in range(6)), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    # fpdf2 lays the columns out when the block closes: about sixteen such paragraphs fill a page.
    with pdf.text_columns(ncols=2, gutter=8) as columns:
        for _ in range(pages * 16):
            columns.write(" ".join(varied_sentence(rng) for _ in range(5)) + "\n\n")
    pdf.set_font("Helvetica", "B", 11)
    pdf.multi_cell(0, 6, "References", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    for ref in range(12):
        reference = f"{ref + 1}. Author {ref} et al. Another study of {rng.choice(OUTCOMES)}. 2019."
        pdf.multi_cell(0, 4, reference, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def word_draft(pages: int, rng: random.Random) -> bytes:
    import docx

    document = docx.Document()
    for page in range(pages):
        document.add_heading(f"Section {page + 1}", level=2)
        for _ in range(WORD_PAGE_PARAGRAPHS):
            document.add_paragraph(" ".join(varied_sentence(rng) for _ in range(2)))
        if page % 5 == 0:
            table = document.add_table(rows=3, cols=2)
            for row in table.rows:
                for cell in row.cells:
                    cell.text = varied_sentence(rng)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def slide_deck(slides: int, rng: random.Random) -> bytes:
    import pptx

    deck = pptx.Presentation()
    for n in range(slides):
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = f"Finding {n + 1}"
        frame = slide.placeholders[1].text_frame
        frame.text = varied_sentence(rng)
        for _ in range(4):
            frame.add_paragraph().text = varied_sentence(rng)
        slide.notes_slide.notes_text_frame.text = varied_sentence(rng)
    buffer = io.BytesIO()
    deck.save(buffer)
    return buffer.getvalue()


def ris_export(records: int, rng: random.Random) -> str:
    lines = []
    for n in range(records):
        lines += ["TY  - JOUR", f"AU  - Author{n % 97}, A.", f"PY  - {2000 + n % 25}",
                  f"TI  - Study {n} of {rng.choice(OUTCOMES)}", "JO  - Synthetic Journal",
                  f"DO  - 10.5555/ris.{n}", f"AB  - {' '.join(varied_sentence(rng) for _ in range(5))}", "ER  - ", ""]
    return "\n".join(lines)


def pubmed_export(records: int, rng: random.Random) -> str:
    from xml.sax.saxutils import escape

    parts = ['<?xml version="1.0"?>\n<PubmedArticleSet>']
    for n in range(records):
        abstract = escape(" ".join(varied_sentence(rng) for _ in range(5)))
        parts.append(
            f"<PubmedArticle><MedlineCitation><PMID>{40000000 + n}</PMID><Article>"
            f"<Journal><Title>Synthetic Journal</Title><JournalIssue><PubDate><Year>{2000 + n % 25}</Year>"
            f"</PubDate></JournalIssue></Journal><ArticleTitle>Study {n}</ArticleTitle>"
            f"<Abstract><AbstractText>{abstract}</AbstractText></Abstract>"
            f"<AuthorList><Author><LastName>Author{n % 97}</LastName><Initials>A</Initials></Author></AuthorList>"
            f"</Article></MedlineCitation></PubmedArticle>")
    parts.append("</PubmedArticleSet>\n")
    return "\n".join(parts)


# --------------------------------------------------------------------------- measurements


def bench_extraction(runs: int) -> list[tuple[str, str, float, str]]:
    # Reading itself is measured, not the cache that spares a second read of the same file.
    os.environ["CLAIMAUDIT_CACHE_DIR"] = "off"
    from claimaudit.ingest.pdf import read_pdf_copy, read_pdf_source
    from claimaudit.ingest.slides import read_pptx_copy
    from claimaudit.ingest.word import read_docx_copy

    rng = random.Random(12)
    rows = []
    leave = leaflet(50).data  # benchmarks/pdf_readers.py: headings, paragraphs, a running header, page numbers
    seconds = median_seconds(lambda: read_pdf_copy(leave, "leave.pdf"), runs)
    rows.append(("PDF leave-piece (copy)", "50 pages", 50 / seconds, "pages/s"))
    paper = paper_pdf(1, 20, rng)
    seconds = median_seconds(lambda: read_pdf_source(paper, "paper.pdf"), runs)
    rows.append(("PDF paper, 2 columns (source)", "20 pages", 20 / seconds, "pages/s"))
    draft = word_draft(50, rng)
    seconds = median_seconds(lambda: read_docx_copy(draft, "draft.docx"), runs)
    rows.append(("Word draft (copy)", "50 pages", 50 / seconds, "pages/s"))
    deck = slide_deck(50, rng)
    seconds = median_seconds(lambda: read_pptx_copy(deck, "deck.pptx"), runs)
    rows.append(("Slide deck (copy)", "50 slides", 50 / seconds, "slides/s"))
    rows.append(bench_web(40))
    with tempfile.TemporaryDirectory(prefix="claimaudit-formats-") as folder:
        from claimaudit.ingest.sources import load_sources

        for name, text in (("refs.ris", ris_export(1000, rng)), ("refs.xml", pubmed_export(1000, rng))):
            path = Path(folder) / name
            path.write_text(text, encoding="utf-8")
            seconds = median_seconds(partial(load_sources, path), max(1, runs // 2))
            rows.append((f"{'RIS' if name.endswith('.ris') else 'PubMed XML'} export (source)",
                         "1,000 records", 1000 / seconds, "records/s"))
    return rows


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def bench_web(pages: int) -> tuple[str, str, float, str]:
    """A crawl of a generated site served on 127.0.0.1, with no delay between requests."""
    from claimaudit.ingest.web import WebOptions, WebReader

    rng = random.Random(5)
    with tempfile.TemporaryDirectory(prefix="claimaudit-site-") as folder:
        root = Path(folder)
        for n in range(pages):
            links = "".join(f'<a href="/page{m}.html">page {m}</a>' for m in (n + 1, n + 2) if m < pages)
            (root / f"page{n}.html").write_text(make_page(n, rng).replace("</main>", f"{links}</main>"), "utf-8")
        (root / "robots.txt").write_text("User-agent: *\nAllow: /\n", encoding="utf-8")
        server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=folder))
        threading.Thread(target=server.serve_forever, daemon=True).start()
        start = f"http://127.0.0.1:{server.server_address[1]}/page0.html"
        try:
            def crawl() -> None:
                with WebReader(WebOptions(crawls=(start,), max_pages=pages, delay=0.0)) as reader:
                    reading = reader.read_sites()
                    assert len(reading.documents) == pages, reading.problems

            seconds = median_seconds(crawl, 3)
        finally:
            server.shutdown()
    return ("Web pages, crawled on 127.0.0.1", f"{pages} pages", pages / seconds, "pages/s")


def bench_paper_folder(papers: int, pages: int) -> dict[str, float]:
    """`claimaudit audit` of the clinic page against a folder of papers as PDFs: cold, then warm."""
    rng = random.Random(20)
    with tempfile.TemporaryDirectory(prefix="claimaudit-papers-") as folder:
        shelf = Path(folder) / "papers"
        shelf.mkdir()
        for number in range(papers):
            (shelf / f"paper{number:02d}.pdf").write_bytes(paper_pdf(number, pages, rng))
        cache = Path(folder) / "cache"
        command = [sys.executable, "-m", "claimaudit", "audit", str(REPO / "examples" / "clinic-page.html"),
                   "--sources", str(shelf), "--out", str(Path(folder) / "out"), "--format", "json"]
        env = {**os.environ, "CLAIMAUDIT_CACHE_DIR": str(cache), "PYTHONPATH": str(REPO / "src")}
        timings = {}
        for label in ("cold", "warm"):
            started = time.perf_counter()
            done = subprocess.run(command, env=env, capture_output=True, text=True)
            timings[label] = time.perf_counter() - started
            if done.returncode != 0:
                raise SystemExit(f"audit failed: {done.stderr.strip()}")
        import json

        report = json.loads((Path(folder) / "out" / "audit.json").read_text(encoding="utf-8"))
        timings["sources"] = len(report["sources"])
        timings["claims"] = report["summary"]["claims"]
        timings["pages"] = float(papers * pages)
        return timings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5, help="timed runs per format (median)")
    parser.add_argument("--papers", type=int, default=20, help="papers in the PDF folder")
    parser.add_argument("--paper-pages", type=int, default=10, help="pages of each paper")
    args = parser.parse_args(argv)

    print(f"{'format':34} {'input':>13} {'speed':>10}")
    for name, size, speed, unit in bench_extraction(args.runs):
        print(f"{name:34} {size:>13} {speed:>10,.0f} {unit}")
    timings = bench_paper_folder(args.papers, args.paper_pages)
    print(f"\naudit of examples/clinic-page.html ({timings['claims']:.0f} claims) against {args.papers} papers "
          f"as PDFs ({timings['pages']:.0f} pages, {timings['sources']:.0f} sources):")
    print(f"  cold (every PDF read, every sentence analysed): {timings['cold']:.2f} s")
    print(f"  warm (the run after, from the cache):          {timings['warm']:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
