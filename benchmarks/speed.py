"""How fast the pre-publish gate is.

1. ``claimaudit check`` on one page, timed from process start to exit (the
   time a pre-commit hook or CI step waits), as the median of repeated runs:
   on the bundled example page with its source pack, and on the real clinic
   page ``../shared/corpus/stemedix-blog-page.txt`` (read where it lies, never
   copied into the project) with the sources it cites itself. Each is timed
   three ways: unchanged since the last check (warm caches); with one claim
   edited before every run (a figure raised by one in a temporary copy, the
   pre-commit case); and with an empty cache (first run). Python bytecode is
   compiled as it is for an installed package. CPU time (user + system) is
   reported beside wall time: on a busy machine it is the steadier figure.
2. Audit throughput in claims per second on a synthetic site of 1,000 pages
   held against a 500-source pack, both generated here from templates.
3. Which heavy libraries a warm ``check`` process imported (it should need
   none of pandas, openpyxl, jinja2, numpy, pydantic and ruamel.yaml).
4. With ``--semantic`` (the ``claimaudit[semantic]`` extra): the same page
   checks with ``--semantic`` (target: warm under 1 s), the site audit with
   meaning on, and the model's own cost: load time, and milliseconds to embed
   a claim and a source sentence.
5. The reports of that synthetic site (``--only report``): the HTML report's
   size and write time, the time headless Chromium takes to open it (from
   navigation to the load event, and to the first page of claims rendered),
   the JSON report's size and the workbook's write time.

    python benchmarks/speed.py [--runs 7] [--pages 1000] [--sources 500]
                               [--only page,site,imports,model,report] [--semantic] [--json FILE]

Targets: under 0.5 s for one page (1 s with --semantic); the 1,000-page site's
HTML report under 15 MB and open in Chromium in under 5 s, its workbook
written in under 5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(REPO / "src"))

EXAMPLE_PAGE = REPO / "examples" / "clinic-page.html"
EXAMPLE_SOURCES = REPO / "examples" / "sources.yaml"
REAL_PAGE = REPO.parent / "shared" / "corpus" / "stemedix-blog-page.txt"
HEAVY = ("pandas", "openpyxl", "jinja2", "numpy", "pydantic", "ruamel.yaml")
TARGET_SECONDS = 0.5
SEMANTIC_TARGET_SECONDS = 1.0
HTML_TARGET_MB = 15
OPEN_TARGET_SECONDS = 5.0
WORKBOOK_TARGET_SECONDS = 5.0


def _environment(cache_dir: str) -> dict:
    env = dict(os.environ)
    env["CLAIMAUDIT_CACHE_DIR"] = cache_dir
    env["PYTHONPATH"] = str(REPO / "src") + os.pathsep + env.get("PYTHONPATH", "")
    env.pop("NO_COLOR", None)
    # An installed claimaudit has its bytecode compiled; a checkout run with
    # PYTHONDONTWRITEBYTECODE would recompile every module on every run.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_check(arguments: list[str], runs: int, cache_dir: str, cold: bool,
               before_run=None, semantic: bool = False) -> dict:
    """Median wall time of ``python -m claimaudit check ARGS`` from start to exit."""
    command = [sys.executable, "-m", "claimaudit", "check", *arguments, "--format", "json"]
    if semantic:
        command.append("--semantic")
    times, cpu, exit_code, claims = [], [], None, None
    for run in range(runs):
        if before_run is not None:
            before_run(run)
        folder = tempfile.mkdtemp(prefix="claimaudit-cold-") if cold else cache_dir
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        completed = subprocess.run(command, capture_output=True, env=_environment(folder), cwd=REPO)
        times.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
        exit_code = completed.returncode
        if exit_code not in (0, 1):
            raise SystemExit(f"check failed ({exit_code}): {completed.stderr.decode(errors='replace')}")
        claims = json.loads(completed.stdout)["summary"]["claims"]
    return {"median_s": round(statistics.median(times), 3), "min_s": round(min(times), 3),
            "max_s": round(max(times), 3), "cpu_median_s": round(statistics.median(cpu), 3),
            "runs": runs, "claims": claims, "exit_code": exit_code}


FIGURE = re.compile(r"\b\d+(?=%)")


def figure_editor(original: Path, copy: Path):
    """Before run N, write ``copy`` as ``original`` with its Nth percentage raised by one.

    This is what a pre-commit hook meets: the page changed since the last
    check, in one claim, and everything else was seen before.
    """
    text = original.read_text(encoding="utf-8")
    spots = list(FIGURE.finditer(text))
    if not spots:
        raise SystemExit(f"no percentage to edit in {original}")

    def edit(run: int) -> None:
        spot = spots[run % len(spots)]
        copy.write_text(text[:spot.start()] + str(int(spot.group()) + 1) + text[spot.end():], encoding="utf-8")

    return edit


def bench_pages(runs: int, semantic: bool = False) -> dict:
    pages = {"example page": (EXAMPLE_PAGE, ["--sources", str(EXAMPLE_SOURCES)])}
    if REAL_PAGE.is_file():
        pages["stemedix page"] = (REAL_PAGE, [])
    results = {}
    with tempfile.TemporaryDirectory(prefix="claimaudit-cache-") as cache, \
            tempfile.TemporaryDirectory(prefix="claimaudit-edit-") as scratch:
        for name, (page, extra) in pages.items():
            arguments = [str(page), *extra]
            time_check(arguments, 1, cache, cold=False, semantic=semantic)  # fill the cache
            edited = Path(scratch) / page.name
            edit = figure_editor(page, edited)
            edit(0)
            time_check([str(edited), *extra], 1, cache, cold=False, semantic=semantic)  # the edited copy's first sight
            results[name] = {
                "warm cache": time_check(arguments, runs, cache, cold=False, semantic=semantic),
                "one claim edited": time_check([str(edited), *extra], runs, cache, cold=False,
                                               before_run=lambda run: edit(run + 1), semantic=semantic),
                "cold cache": time_check(arguments, max(3, runs // 2), cache, cold=True, semantic=semantic),
            }
    return results


def bench_imports() -> dict:
    """Heavy modules the check process loads (python -X importtime)."""
    with tempfile.TemporaryDirectory(prefix="claimaudit-cache-") as cache:
        command = [sys.executable, "-X", "importtime", "-m", "claimaudit", "check", str(EXAMPLE_PAGE),
                   "--sources", str(EXAMPLE_SOURCES), "--format", "sarif"]
        subprocess.run(command, capture_output=True, env=_environment(cache), cwd=REPO)  # fill the cache
        completed = subprocess.run(command, capture_output=True, env=_environment(cache), cwd=REPO)
    loaded = set()
    for line in completed.stderr.decode(errors="replace").splitlines():
        if line.startswith("import time:"):
            name = line.rsplit("|", 1)[-1].strip()
            loaded.add(name)
    return {name: name in loaded for name in HEAVY}


# --------------------------------------------------------------------------- synthetic site

SUBJECTS = ["Mesenchymal stem cells", "Our cell therapy", "Umbilical cord cells", "Exosome infusions",
            "Platelet-rich plasma", "The infusion protocol", "Adipose-derived cells", "Our regenerative programme"]
CONDITIONS = ["multiple sclerosis", "knee osteoarthritis", "Parkinson's disease", "spinal cord injury",
              "rheumatoid arthritis", "chronic back pain", "type 2 diabetes", "heart failure", "COPD", "lupus"]
OUTCOMES = ["inflammation", "pain scores", "walking distance", "relapse rates", "fatigue", "joint stiffness",
            "cartilage thickness", "blood glucose", "exercise capacity", "quality of life"]
VERBS_CLAIM = ["reduces", "cures", "reverses", "improves", "eliminates", "may reduce", "can improve", "lowers"]
VERBS_SOURCE = ["was associated with lower", "reduced", "did not significantly change", "modestly improved",
                "was linked to better"]
POPULATIONS = ["in mice", "in rats", "in 24 adults", "in a small pilot study of 12 patients",
               "in cultured cells", "in 120 patients in a randomized trial"]
SAFETY_LINES = ["Mild headache was reported by 3 of 24 participants.", "No serious adverse events occurred.",
                "The authors called for larger controlled trials."]
FILLER = ["Book a consultation today.", "Our friendly team is here to help.", "Call us to learn more.",
          "Read our latest news.", "Parking is available on site."]


def make_sources(count: int, rng: random.Random) -> list[dict]:
    sources = []
    for n in range(count):
        condition, outcome = rng.choice(CONDITIONS), rng.choice(OUTCOMES)
        subject = rng.choice(SUBJECTS).lower().replace("our ", "")
        figure = rng.randint(5, 60)
        summary = (
            f"This study examined {subject} {rng.choice(POPULATIONS)} with {condition}. "
            f"Treatment {rng.choice(VERBS_SOURCE)} {outcome} by {figure}% after {rng.randint(2, 12)} weeks. "
            f"{rng.choice(SAFETY_LINES)}"
        )
        sources.append({"id": f"src{n:04d}", "citation": f"Synthetic Author {n}. Synthetic Journal. 2024;{n}.",
                        "summary": summary})
    return sources


def make_page(n: int, rng: random.Random) -> str:
    paragraphs = []
    for _ in range(rng.randint(3, 5)):
        subject, condition, outcome = rng.choice(SUBJECTS), rng.choice(CONDITIONS), rng.choice(OUTCOMES)
        claims = [
            f"{subject} {rng.choice(VERBS_CLAIM)} {outcome} in people with {condition}.",
            f"Patients saw {outcome} improve by up to {rng.randint(20, 95)}% within {rng.randint(1, 6)} months.",
            rng.choice(["The treatment is completely safe with no side effects.",
                        "Studies show lasting results for most patients.",
                        f"Research in {condition} suggests a possible benefit."]),
        ]
        paragraphs.append(f"<p>{' '.join(claims)} {rng.choice(FILLER)}</p>")
    return (f"<!DOCTYPE html><html><head><title>Page {n}</title></head><body><main>"
            f"<h1>Treatment page {n}</h1>{''.join(paragraphs)}</main></body></html>\n")


def bench_model() -> dict:
    """The semantic model's own cost: load, and embedding one claim and a batch of source sentences."""
    from claimaudit.cache import disabled
    from claimaudit.evidence.meaning import Meaning

    rng = random.Random(11)
    with disabled():
        started = time.perf_counter()
        model = Meaning()
        model.vectors("query", ["warm-up"])
        load_s = time.perf_counter() - started
        claims = [make_page(n, rng).split("<p>")[1].split(". ")[0] + "." for n in range(20)]
        times = []
        for claim in claims:
            started = time.perf_counter()
            model.vectors("query", [claim])
            times.append(time.perf_counter() - started)
        sentences = [s["summary"] for s in make_sources(40, rng)]
        started = time.perf_counter()
        model.vectors("passage", sentences)
        batch_s = time.perf_counter() - started
    return {"load_s": round(load_s, 3), "ms_per_claim": round(1000 * statistics.median(times), 1),
            "ms_per_source_text": round(1000 * batch_s / len(sentences), 1)}


def audit_site(pages: int, source_count: int, seed: int = 7, semantic: bool = False) -> tuple[object, dict]:
    """The synthetic site audited: its result, and how long reading and auditing took."""
    from claimaudit.api import read_copy, read_sources
    from claimaudit.pipeline import audit_documents
    from claimaudit.rule_cache import load_rule_set, select_rules

    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="claimaudit-site-") as folder:
        site = Path(folder) / "site"
        site.mkdir()
        for n in range(pages):
            (site / f"page-{n:04d}.html").write_text(make_page(n, rng), encoding="utf-8")
        pack = Path(folder) / "sources.json"
        pack.write_text(json.dumps({"sources": make_sources(source_count, rng)}), encoding="utf-8")
        started = time.perf_counter()
        documents = read_copy([str(site)])
        sources = read_sources([str(pack)], documents)
        rules = select_rules(load_rule_set([]))
        read_s = time.perf_counter() - started
        started = time.perf_counter()
        meaning = None
        if semantic:
            from claimaudit.evidence.meaning import Meaning

            meaning = Meaning()
        result = audit_documents(documents, sources, rules, meaning=meaning)
        audit_s = time.perf_counter() - started
    claims = len(result.findings)
    return result, {"pages": pages, "sources": source_count, "claims": claims, "read_s": round(read_s, 2),
                    "audit_s": round(audit_s, 2), "claims_per_s": round(claims / audit_s, 1) if audit_s else None,
                    "pages_per_s": round(pages / (read_s + audit_s), 1)}


def bench_site(pages: int, source_count: int, seed: int = 7, semantic: bool = False) -> dict:
    return audit_site(pages, source_count, seed, semantic)[1]


def open_in_chromium(html: Path) -> dict:
    """Seconds from navigation to the load event, and to the first page of claims rendered,
    in the headless Chromium the browser tests use; {} when Playwright or Chromium is missing."""
    sys.path.insert(0, str(REPO / "tests"))
    try:
        from browser_support import CHROMIUM, CHROMIUM_ARGS
        from playwright.sync_api import sync_playwright
    except BaseException as missing:  # pytest.importorskip raises its own Skipped, not ImportError
        print(f"report: not opened in Chromium ({missing})")
        return {}
    if not os.path.exists(CHROMIUM):
        print(f"report: not opened in Chromium ({CHROMIUM} is missing)")
        return {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            problems: list[str] = []
            page.on("pageerror", lambda error: problems.append(str(error)))
            started = time.perf_counter()
            page.goto(html.as_uri(), wait_until="load", timeout=600_000)
            load_s = time.perf_counter() - started
            page.wait_for_function(
                "() => document.querySelector('#claims-table tbody.finding tr.main') &&"
                " /^Showing \\d+ of \\d+ claims/.test(document.getElementById('filter-status').textContent)",
                timeout=600_000)
            ready_s = time.perf_counter() - started
            rows = page.locator("#claims-table tbody.finding").count()
        finally:
            browser.close()
    if problems:
        raise SystemExit(f"the report's script failed in Chromium: {problems[0]}")
    return {"load_s": round(load_s, 2), "first_page_s": round(ready_s, 2), "rows_rendered": rows}


def bench_reports(result) -> dict:
    """Write the site's HTML, JSON and workbook reports; time them and open the HTML in Chromium."""
    from claimaudit.report import write_html, write_json, write_xlsx

    figures: dict = {"claims": len(result.findings)}
    with tempfile.TemporaryDirectory(prefix="claimaudit-reports-") as folder:
        out = Path(folder)
        for name, write in (("html", write_html), ("json", write_json), ("xlsx", write_xlsx)):
            started = time.perf_counter()
            write(result, out / f"audit.{name}")
            figures[f"{name}_write_s"] = round(time.perf_counter() - started, 2)
            figures[f"{name}_mb"] = round((out / f"audit.{name}").stat().st_size / 1e6, 2)
        figures["chromium"] = open_in_chromium(out / "audit.html")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--sources", type=int, default=500)
    parser.add_argument("--only", default="page,site,imports")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--semantic", action="store_true", help="time the checks and the site with --semantic")
    args = parser.parse_args()
    wanted = {part.strip() for part in args.only.split(",")}
    figures: dict = {}
    target = SEMANTIC_TARGET_SECONDS if args.semantic else TARGET_SECONDS
    if args.semantic and "model" in wanted | {"page"}:
        figures["semantic model"] = model = bench_model()
        print(f"semantic model: loads in {model['load_s']:.3f} s; {model['ms_per_claim']} ms to embed a claim, "
              f"{model['ms_per_source_text']} ms per source text in a batch")
    if "page" in wanted:
        figures["check one page"] = bench_pages(args.runs, semantic=args.semantic)
        for name, modes in figures["check one page"].items():
            for mode, row in modes.items():
                flag = "ok" if row["median_s"] < target else f"over the {target} s target"
                print(f"check{' --semantic' if args.semantic else ''} {name:<14} {mode:<10} median {row['median_s']:.3f} s "
                      f"(min {row['min_s']:.3f}, max {row['max_s']:.3f}, CPU {row['cpu_median_s']:.3f}, "
                      f"{row['runs']} runs, "
                      f"{row['claims']} claims) {flag}")
    if "imports" in wanted:
        figures["heavy imports in check"] = bench_imports()
        print("heavy modules imported by check: " + ", ".join(
            f"{name} {'YES' if loaded else 'no'}" for name, loaded in figures["heavy imports in check"].items()))
    if wanted & {"site", "report"}:
        result, row = audit_site(args.pages, args.sources, semantic=args.semantic)
        figures["synthetic site"] = row
        print(f"site{' (--semantic)' if args.semantic else ''}: {row['pages']} pages, {row['sources']} sources, {row['claims']} claims: read {row['read_s']} s, "
              f"audit {row['audit_s']} s = {row['claims_per_s']} claims/s ({row['pages_per_s']} pages/s overall)")
        if "report" in wanted:
            figures["site reports"] = reports = bench_reports(result)
            opened = reports["chromium"]

            def verdict(ok: bool, target: str) -> str:
                return "ok" if ok else f"over the {target} target"

            print(f"report html: {reports['html_mb']} MB written in {reports['html_write_s']} s "
                  f"({verdict(reports['html_mb'] < HTML_TARGET_MB, f'{HTML_TARGET_MB} MB')})")
            if opened:
                print(f"report html in Chromium: load event {opened['load_s']} s, first page of claims "
                      f"{opened['first_page_s']} s, {opened['rows_rendered']} rows rendered "
                      f"({verdict(opened['first_page_s'] < OPEN_TARGET_SECONDS, f'{OPEN_TARGET_SECONDS} s')})")
            print(f"report json: {reports['json_mb']} MB written in {reports['json_write_s']} s")
            print(f"report xlsx: {reports['xlsx_mb']} MB written in {reports['xlsx_write_s']} s "
                  f"({verdict(reports['xlsx_write_s'] < WORKBOOK_TARGET_SECONDS, f'{WORKBOOK_TARGET_SECONDS} s')})")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
