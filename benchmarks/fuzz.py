"""Fuzz campaign: thousands of generated inputs through every reader, the API and the CLI.

Each input is drawn from our own generators (``benchmarks/fuzz_inputs.py``)
with ``random.Random(f"{seed}/{category}/{index}")``, so any case is rebuilt
from its seed, category and index alone. Most inputs run in-process, each in a
forked child with an address-space limit and a watchdog, so a hang, a blow-up
or a segfault is measured instead of ending the campaign. A few hundred go
through the console script (``claimaudit check`` / ``audit``). Both kinds are
stopped after 20 s of CPU time (so a busy machine does not turn slow inputs
into hangs) or 60 s of waiting without using the CPU (a FIFO, a lock).

A clean exit is a normal result or a refusal (``InputError`` in-process, exit
2 from the console script); the "(refused)" column counts the refusals.
What counts as a failure:

- traceback: any exception but ``InputError`` (in-process), or "Traceback" on
  stderr, or an exit code other than 0, 1 or 2 (console script);
- hang: the input used over 20 s of CPU, or waited 60 s without using it;
- memory: peak resident memory over 1 GB, or a MemoryError;
- segfault: the process died of SIGSEGV, SIGBUS or SIGABRT (exit 139 / -11);
- unescaped output: ESC, BEL or a bidi override from the input reached text or
  GitHub output, hostile markup reached the HTML report unescaped, or copy
  text became a formula cell in the workbook;
- bad result: a property broke (text offsets that do not map back into the
  raw file, JSON that differs between two runs of one input, a cache file
  that changed a verdict);
- unnamed error: an exit-2 message that does not name the file it is about.

Every failure leaves a reproducer folder under ``--out``: the input files, the
traceback or stack, and ``case.json`` with the command that replays it::

    python benchmarks/fuzz.py [--seed 1] [--count 10000] [--category NAME[,NAME]] [--jobs 2] [--out DIR]
    python benchmarks/fuzz.py --replay rules:123 [--seed 1]   # run one case in the foreground
"""

from __future__ import annotations

import argparse
import copy as copying
import faulthandler
import json
import os
import random
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import traceback
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))

import fuzz_inputs as gen  # noqa: E402

HANG_SECONDS = 20  # CPU seconds: the measure that does not depend on how busy the machine is
BLOCKED_SECONDS = 60  # wall seconds for an input that waits without using the CPU (a FIFO, a lock)
MEMORY_LIMIT_BYTES = 1 << 30  # "peak memory over 1 GB"
HEADROOM_BYTES = 2 << 30  # address space a child may add before allocations fail
SEGFAULT_SIGNALS = {signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT, signal.SIGILL, signal.SIGFPE}
OUTCOMES = ("clean", "traceback", "hang", "memory", "segfault", "unescaped", "bad result", "unnamed error")

FIXED_PACK = {"sources": [
    {"id": "s1", "citation": "Doe J et al. J Test. 2021;1:1-9.",
     "summary": "Daily walking was associated with a lower risk of dementia in 41% of 2,000 older adults."},
    {"id": "s2", "citation": "Roe A. Skin Res. 2020;3:4-5.",
     "summary": "The cream may help eczema flares heal faster in some adults, a small trial of 20 people suggests."},
    {"id": "s3", "summary": "Omega-3 intake was linked to slightly less memory loss in mice."},
]}
FIXED_PAGE = ("<h1>Walking</h1><p>Daily walking reduces the risk of dementia by 41%.</p>"
              "<p>The cream heals eczema flares overnight.</p><p>Omega-3 cures memory loss in 95% of people.</p>")
# Claims that make a slow pattern slow: long runs of one letter with no match at the end.
REGEX_STRESS_PAGE = "\n\n".join(
    f"Patients in trial {n} said the cure was {'a' * (20 + n % 12)}! Results were {'x' * (15 + n % 9)} in {n}% of cases."
    for n in range(40))


@dataclass
class Case:
    """A generated input: where its main file is, and how to run it."""

    main: Path
    run: Callable[[], "Report"]
    note: str = ""


@dataclass
class Report:
    """What one input did, beyond returning or raising InputError."""

    bad: list[str] = field(default_factory=list)  # property violations
    unescaped: list[str] = field(default_factory=list)
    unnamed: str = ""  # the InputError text when it names no file
    outcome: str = ""  # set for console-script runs: clean/traceback/hang/memory/segfault
    detail: str = ""
    peak_rss: int = 0


# --- shared state, built once in the parent before forking -----------------------------------

_STATE: dict[str, object] = {}


def prepare() -> None:
    """Import everything and load the built-in rules once, so each fork starts warm."""
    from claimaudit import api
    from claimaudit.rules.loader import load_rules
    import charset_normalizer  # noqa: F401
    import openpyxl  # noqa: F401
    import pydantic  # noqa: F401
    import ruamel.yaml  # noqa: F401
    import claimaudit.config  # noqa: F401
    import claimaudit.config_schema  # noqa: F401
    import claimaudit.report.check_text  # noqa: F401
    import claimaudit.report.github  # noqa: F401
    import claimaudit.report.html_report  # noqa: F401
    import claimaudit.report.xlsx_report  # noqa: F401
    import claimaudit.verdicts.baseline  # noqa: F401
    import claimaudit.verdicts.review  # noqa: F401

    rules = load_rules()
    _STATE["rules"] = rules
    base = api.audit(FIXED_PAGE, sources=FIXED_PACK, loaded_rules=rules)
    _STATE["base"] = base.result
    _STATE["ids"] = [f.id for f in base.result.findings]


def _rules():
    return _STATE["rules"]


# --- checks shared by the runners -----------------------------------------------------------

_TERMINAL_HOSTILE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u202a-\u202e\u2066-\u2069]")


def hostile_terminal(text: str) -> list[str]:
    """Terminal controls and bidi overrides in output meant for a terminal or a CI log."""
    return sorted({repr(ch) for ch in _TERMINAL_HOSTILE.findall(text)})


def offsets_violations(doc) -> list[str]:
    """Block bounds within the text; sampled characters map back to the same character in raw."""
    problems = []
    text, raw = doc.text, doc.raw
    for block in doc.blocks:
        if not 0 <= block.start <= block.end <= len(text):
            problems.append(f"block [{block.start}, {block.end}) outside text of {len(text)}")
            break
    # Only characters inside blocks come from the file (the separators between blocks do not);
    # raw_offset is a linear scan of the map per call, so a few hundred samples keep this cheap.
    inside = [i for block in doc.blocks for i in range(block.start, block.end)]
    step = max(1, len(inside) // 300)
    for i in inside[::step]:
        ch = text[i]
        at = doc.raw_offset(i)
        if not 0 <= at <= len(raw):
            problems.append(f"text offset {i} maps to raw {at}, outside 0..{len(raw)}")
            break
        if ch.isalnum() and at < len(raw) and raw[at] != ch and raw[at] != "&" and doc.media_type != "table":
            problems.append(f"text[{i}]={ch!r} maps to raw[{at}]={raw[at]!r}")
            break
    return problems


def report_checks(result, rng: random.Random, full: bool) -> Report:
    """Text and GitHub output escape terminal controls; HTML and xlsx hold no live copy."""
    from claimaudit.report.check_text import render_check_text
    from claimaudit.report.github import render_github

    report = Report()
    for name, rendered in (("text", render_check_text(result, verbose=True)), ("github", render_github(result))):
        found = hostile_terminal(rendered)
        if found:
            report.unescaped.append(f"{name} output holds {', '.join(found)}")
    if full:
        from claimaudit.report.html_report import render_html
        from claimaudit.report.xlsx_report import render_xlsx

        html = render_html(result)
        for marker in gen.INJECTION_MARKERS:
            if marker in html:
                report.unescaped.append(f"HTML report holds raw {marker!r}")
        report.unescaped += formula_cells(render_xlsx(result))
    return report


def formula_cells(xlsx: bytes) -> list[str]:
    """Formula cells in a report workbook: the report writes none, so any came from the input."""
    import io

    found = []
    with zipfile.ZipFile(io.BytesIO(xlsx)) as zf:
        for name in zf.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = zf.read(name).decode("utf-8", "replace")
                for cell in re.finditer(r'<c r="([A-Z]+\d+)"[^>]*>\s*<f[ >]([^<]{0,60})', xml):
                    found.append(f"workbook {name} cell {cell.group(1)} is a formula: ={cell.group(2)}")
    return found


def named(error: Exception, path: Path) -> str:
    """The error text when it names neither the file nor its folder."""
    text = str(error)
    if path.name in text or path.parent.name in text:
        return ""
    return text


def audit_path(path: Path, rng: random.Random) -> Report:
    from claimaudit import api
    from claimaudit.ingest import load_copy

    report = Report()
    for doc in load_copy(path):
        report.bad += offsets_violations(doc)
    result = api.audit(str(path), sources=FIXED_PACK, loaded_rules=_rules())
    first = result.to_json()
    full = rng.random() < 0.08
    if full:
        again = api.audit(str(path), sources=FIXED_PACK, loaded_rules=_rules()).to_json()
        if again != first:
            report.bad.append("the JSON differs between two runs of the same input")
    checked = report_checks(result.result, rng, full)
    report.unescaped += checked.unescaped
    return report


def with_sources(sources) -> Report:
    from claimaudit import api

    result = api.audit(FIXED_PAGE, sources=sources, loaded_rules=_rules())
    report = Report()
    report.unescaped += report_checks(result.result, random.Random(0), False).unescaped
    return report


# --- categories ---------------------------------------------------------------------------------

def _mode(rng: random.Random) -> str:
    roll = rng.random()
    return "valid" if roll < 0.45 else "mutated" if roll < 0.7 else "structure" if roll < 0.88 else "text"


def _text_file(rng: random.Random, folder: Path, name: str, make: Callable, hostile_make: Callable) -> tuple[Path, str]:
    mode = _mode(rng)
    if mode == "structure":
        text = hostile_make(rng)
    else:
        text = make(rng, 0.1 if mode != "text" else 0.8)
    data = gen.encode(text, rng) if rng.random() < 0.2 else text.encode("utf-8", "surrogatepass")
    if mode == "mutated":
        data = gen.mutate(data, rng)
    path = folder / name
    path.write_bytes(data)
    return path, mode


def copy_case(suffix: str, make: Callable, hostile_make: Callable):
    def build(rng: random.Random, folder: Path) -> Case:
        path, mode = _text_file(rng, folder, "page" + suffix, make, hostile_make)
        return Case(path, lambda: audit_path(path, rng), mode)
    return build


def _workbook(rng: random.Random, path: Path, headers: list[str], make) -> str:
    """Write a workbook drawn in one of the modes (a bomb, hostile text, or a broken zip); return the mode."""
    mode = _mode(rng)
    if mode == "structure":
        data = gen.bomb_workbook(rng, headers) if rng.random() < 0.25 else make(rng, 0.9)
    else:
        data = make(rng, 0.8 if mode == "text" else 0.1)
        if mode == "mutated":
            data = gen.broken_zip(data, rng)
    path.write_bytes(data)
    return mode


def copy_xlsx(rng: random.Random, folder: Path) -> Case:
    path = folder / "claims.xlsx"
    mode = _workbook(rng, path, ["Claim", "Source"], gen.claims_workbook)
    return Case(path, lambda: audit_path(path, rng), mode)


def encoding_case(rng: random.Random, folder: Path) -> Case:
    from claimaudit.ingest.encoding import decode_bytes, read_text

    data = gen.encoding_case(rng)
    path = folder / rng.choice(["page.txt", "page.html", "page.md"])
    path.write_bytes(data)

    def run() -> Report:
        report = Report()
        decoded = decode_bytes(data, str(path))
        if "\r" in decoded.text:
            report.bad.append("decoded text still holds a carriage return")
        if read_text(path) != decoded:
            report.bad.append("read_text and decode_bytes disagree")
        report.bad += audit_path(path, rng).bad
        return report
    return Case(path, run, "bytes")


def pack_case(suffix: str, make: Callable, hostile_make: Callable):
    def build(rng: random.Random, folder: Path) -> Case:
        path, mode = _text_file(rng, folder, "pack" + suffix, make, hostile_make)
        return Case(path, lambda: load_and_use_pack(path), mode)
    return build


def load_and_use_pack(path: Path) -> Report:
    from claimaudit.ingest import load_sources

    sources = load_sources(path)
    return with_sources(sources) if sources else Report()


def pack_xlsx(rng: random.Random, folder: Path) -> Case:
    path = folder / "pack.xlsx"
    mode = _workbook(rng, path, ["id", "summary"], gen.sources_workbook)
    return Case(path, lambda: load_and_use_pack(path), mode)


def pack_folder(rng: random.Random, folder: Path) -> Case:
    pack = folder / "pack"
    pack.mkdir()
    mode = _mode(rng)
    for n in range(rng.randint(0, 5)):
        sub = pack / rng.choice(["", "", "nested", ".hidden"])
        sub.mkdir(exist_ok=True)
        name = rng.choice([f"s{n}.md", f"s{n}.md", f"s{n}.txt", f"s{n}.markdown", f"s{n}.pdf", f"S{n}.MD"])
        data = gen.front_matter_file(rng, n, 0.8 if mode == "text" else 0.1).encode("utf-8", "surrogatepass")
        if mode == "mutated":
            data = gen.mutate(data, rng)
        elif mode == "structure" and rng.random() < 0.5:
            data = ("---\n" + gen.hostile_yaml(rng, "id") + "---\n" + gen.sentence(rng)).encode()
        (sub / name).write_bytes(data)
    if mode == "structure" and rng.random() < 0.3:
        special = pack / rng.choice(["fifo.md", "zero.md"])
        if special.name == "fifo.md":
            os.mkfifo(special)
        else:
            special.symlink_to("/dev/zero")
    return Case(pack, lambda: load_and_use_pack(pack), mode)


def rules_case(rng: random.Random, folder: Path) -> Case:
    from claimaudit.rules.loader import load_rules

    rules_dir = folder / "rules"
    rules_dir.mkdir()
    mode = _mode(rng)
    text = gen.hostile_rule(rng) if mode == "structure" else gen.rule_file(rng, 0.9 if mode == "text" else 0.3)
    data = text.encode("utf-8", "surrogatepass")
    if mode == "mutated":
        data = gen.mutate(data, rng)
    path = rules_dir / "XX101.yaml"
    path.write_bytes(data)

    def run() -> Report:
        from claimaudit import api

        extra = load_rules([rules_dir], include_builtin=False)
        codes = {rule.code for rule in extra}
        active = [rule for rule in _rules() if rule.code not in codes] + extra
        result = api.audit(REGEX_STRESS_PAGE + "\n\n" + gen.paragraph(rng, 0.5), sources=FIXED_PACK, loaded_rules=active)
        report = Report()
        report.unescaped += report_checks(result.result, rng, False).unescaped
        return report
    return Case(path, run, mode)


def config_case(name: str, make: Callable):
    def build(rng: random.Random, folder: Path) -> Case:
        from claimaudit.config import glob_matches, read_config

        mode = _mode(rng)
        text = make(rng, 0.9 if mode in ("structure", "text") else 0.15)
        data = text.encode("utf-8", "surrogatepass")
        if mode == "mutated":
            data = gen.mutate(data, rng)
        path = folder / name
        path.write_bytes(data)

        def run() -> Report:
            loaded = read_config(path)
            config = loaded.config
            patterns = list(config.paths) + list(config.exclude) + [p for o in config.overrides for p in o.paths]
            for pattern in patterns:
                for candidate in ("page.html", "site/a/b.md", "[x].md", "a" * 200):
                    glob_matches(pattern, candidate)
            return Report()
        return Case(path, run, mode)
    return build


def baseline_case(rng: random.Random, folder: Path) -> Case:
    from claimaudit.verdicts.baseline import read_baseline

    mode = _mode(rng)
    data = gen.baseline_text(rng, 0.9 if mode in ("structure", "text") else 0.15).encode("utf-8", "surrogatepass")
    if mode == "mutated":
        data = gen.mutate(data, rng)
    path = folder / "baseline.json"
    path.write_bytes(data)

    def run() -> Report:
        baseline = read_baseline(path)
        for entry in baseline.entries[:20]:
            baseline.find(entry.claim, entry.rule, entry.document, entry.text)
        baseline.unmatched(["page.html"])
        return Report()
    return Case(path, run, mode)


def review_case(rng: random.Random, folder: Path) -> Case:
    from claimaudit.verdicts.review import apply_review, read_review, render_summary, review_line, summarise

    mode = _mode(rng)
    ids = list(_STATE["ids"])
    if mode == "structure":
        data = gen.bomb_workbook(rng, gen.REVIEW_HEADER) if rng.random() < 0.2 else gen.review_workbook(rng, ids, 0.9)
    else:
        data = gen.review_workbook(rng, ids, 0.8 if mode == "text" else 0.1)
        if mode == "mutated":
            data = gen.broken_zip(data, rng)
    path = folder / "reviewed.xlsx"
    path.write_bytes(data)

    def run() -> Report:
        reviewed = read_review(path)
        render_summary(summarise(reviewed))
        result = apply_review(copying.deepcopy(_STATE["base"]), reviewed)
        review_line(result)
        report = Report()
        report.unescaped += report_checks(result, rng, rng.random() < 0.2).unescaped
        return report
    return Case(path, run, mode)


SPECIAL_KINDS = ("fifo", "dev-zero", "folder", "empty", "giant", "bomb")


def special_case(rng: random.Random, folder: Path) -> Case:
    """Files that are not regular files, or far too big, in every role."""
    from claimaudit.config import read_config
    from claimaudit.ingest import load_copy, load_sources
    from claimaudit.rules.loader import load_rule_file
    from claimaudit.verdicts.baseline import read_baseline
    from claimaudit.verdicts.review import read_review

    role, name, reader = rng.choice([
        ("copy", "page.html", load_copy), ("copy", "page.md", load_copy), ("copy", "page.txt", load_copy),
        ("copy", "claims.csv", load_copy), ("copy", "claims.xlsx", load_copy), ("pack", "pack.yaml", load_sources),
        ("pack", "pack.json", load_sources), ("pack", "pack.xlsx", load_sources), ("pack", "pack.csv", load_sources),
        ("rules", "XX101.yaml", load_rule_file), ("config", ".claimaudit.toml", read_config),
        ("config", "pyproject.toml", read_config), ("baseline", "baseline.json", read_baseline),
        ("review", "reviewed.xlsx", read_review),
    ])
    kind = rng.choice(SPECIAL_KINDS)
    path = folder / name
    if kind == "fifo":
        os.mkfifo(path)
    elif kind == "dev-zero":
        path.symlink_to(rng.choice(["/dev/zero", "/dev/urandom", "/dev/null"]))
    elif kind == "folder":
        path.mkdir()
    elif kind == "empty":
        path.write_bytes(rng.choice([b"", b"\n", b"\xef\xbb\xbf", b"   \n\t"]))
    elif kind == "giant":
        line = (gen.sentence(rng) + " ").encode() * 100
        with path.open("wb") as out:
            for _ in range(rng.choice([1_000, 3_000, 6_000]) if not name.endswith(".xlsx") else 1):
                out.write(line if rng.random() < 0.9 else b"\n" + line)
    else:
        header = {"copy": ["Claim"], "pack": ["id", "summary"], "review": gen.REVIEW_HEADER}.get(role, ["x"])
        path.write_bytes(gen.bomb_workbook(rng, header))

    def run() -> Report:
        reader(path)
        return Report()
    return Case(path, run, f"{role}:{kind}")


# --- console script --------------------------------------------------------------------------

CLAIMAUDIT = str(Path(sys.executable).with_name("claimaudit"))


def run_measured(command: list[str], cwd: Path, env: dict[str, str], stdin: bytes | None = None) -> dict:
    """Run a command with a memory cap; return its exit code, output, peak RSS and whether it hung."""
    def limit() -> None:
        os.setsid()
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES * 4, MEMORY_LIMIT_BYTES * 4))
        resource.setrlimit(resource.RLIMIT_CPU, (HANG_SECONDS, HANG_SECONDS + 2))

    out_path, err_path = cwd / ".stdout", cwd / ".stderr"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=out, stderr=err,
                                   stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                   preexec_fn=limit)
        if stdin is not None:
            try:
                process.stdin.write(stdin)
                process.stdin.close()
            except BrokenPipeError:
                pass
        start = time.monotonic()
        hung = False
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - start > BLOCKED_SECONDS:
                hung = True
                os.killpg(process.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.02)
        process.returncode = os.waitstatus_to_exitcode(status)
    return {"rc": process.returncode, "stdout": out_path.read_bytes().decode("utf-8", "replace"),
            "stderr": err_path.read_bytes().decode("utf-8", "replace"), "rss": usage.ru_maxrss * 1024,
            "hung": hung, "seconds": time.monotonic() - start}


def classify_cli(run: dict, check_terminal: bool, names: list[str]) -> Report:
    report = Report(peak_rss=run["rss"])
    rc = run["rc"]
    detail = f"exit {rc}\n--- stderr\n{run['stderr'][-4000:]}\n--- stdout\n{run['stdout'][-2000:]}"
    if run["hung"] or rc in (-signal.SIGXCPU, -signal.SIGKILL):
        report.outcome = "hang"
    elif rc in (-signal.SIGSEGV, -signal.SIGBUS, -signal.SIGABRT, 139, 134, 135):
        report.outcome = "segfault"
    elif run["rss"] > MEMORY_LIMIT_BYTES or "MemoryError" in run["stderr"]:
        report.outcome = "memory"
    elif ("Traceback" in run["stderr"] or "Traceback" in run["stdout"] or "internal error" in run["stderr"]
          or rc not in (0, 1, 2)):
        report.outcome = "traceback"
    else:
        report.outcome = "clean"
    report.detail = detail
    if check_terminal and report.outcome == "clean":
        found = hostile_terminal(run["stdout"] + run["stderr"])
        if found:
            report.unescaped.append(f"console output holds {', '.join(found)}")
    if rc == 2 and report.outcome == "clean" and names:
        message = run["stderr"].strip()
        if not any(name in message for name in names) and not _FILE_NAME.search(message):
            report.unnamed = message.splitlines()[0] if message else "(no message)"
    return report


_FILE_NAME = re.compile(r"[\w.-]+\.(?:html?|md|markdown|txt|csv|xlsx|ya?ml|json|toml)\b")


def file_arguments(command: list[str]) -> list[str]:
    """The names of the files a command was given (an exit-2 message should name one)."""
    names = [Path(arg.rstrip("/")).name for arg in command[2:] if not arg.startswith("-") and arg not in (".", "")]
    return [name for name in names if name not in ("text", "github", "json", "sarif", "junit", "out")
            and "," not in name] + ["stdin", "<stdin>"]


def cli_inputs(rng: random.Random, folder: Path) -> tuple[list[str], str]:
    """A copy file, a source pack and sometimes rules, config and a baseline for one CLI run."""
    args: list[str] = []
    kind = rng.choice(["html", "html", "md", "txt", "csv", "xlsx"])
    hostile = 0.6 if rng.random() < 0.6 else 0.05
    if kind == "xlsx":
        (folder / "page.xlsx").write_bytes(gen.claims_workbook(rng, hostile))
    else:
        make = {"html": gen.html_page, "md": gen.markdown_page, "txt": gen.text_page, "csv": gen.csv_table}[kind]
        data = make(rng, hostile).encode("utf-8", "surrogatepass")
        if rng.random() < 0.15:
            data = gen.mutate(data, rng)
        (folder / f"page.{kind}").write_bytes(data)
    copy_arg = f"page.{kind}"
    roll = rng.random()
    if roll < 0.03:
        copy_arg = rng.choice(["sitee/", "https://clinic.example/ms", "missing.html", "x"])
    elif roll < 0.06:
        copy_arg = "."
    args.append(copy_arg)
    pack_kind = rng.choice(["yaml", "yaml", "json", "csv", "xlsx", "folder", "none"])
    hostile_pack = 0.5 if rng.random() < 0.3 else 0.05
    if pack_kind == "xlsx":
        (folder / "pack.xlsx").write_bytes(gen.sources_workbook(rng, hostile_pack))
    elif pack_kind == "folder":
        (folder / "pack").mkdir()
        for n in range(rng.randint(1, 3)):
            (folder / "pack" / f"s{n}.md").write_text(gen.front_matter_file(rng, n, hostile_pack), "utf-8", "surrogatepass")
    elif pack_kind != "none":
        make = {"yaml": gen.yaml_pack, "json": gen.json_pack, "csv": gen.csv_pack}[pack_kind]
        (folder / f"pack.{pack_kind}").write_text(make(rng, hostile_pack), "utf-8", "surrogatepass")
    if pack_kind != "none":
        args += ["-s", "pack" if pack_kind == "folder" else f"pack.{pack_kind}"]
    if rng.random() < 0.2:
        (folder / "house").mkdir()
        (folder / "house" / "XX101.yaml").write_text(gen.rule_file(rng, 0.4), "utf-8", "surrogatepass")
        args += ["-r", "house"]
    note = f"{kind}+{pack_kind}"
    return args, note


def cli_check(rng: random.Random, folder: Path) -> Case:
    args, note = cli_inputs(rng, folder)
    fmt = rng.choice(["text", "text", "github", "github", "json", "sarif", "junit"])
    extra = ["-f", fmt] + (["--no-color"] if rng.random() < 0.5 else []) + (["-v"] if rng.random() < 0.3 else [])
    if rng.random() < 0.15:
        (folder / ".claimaudit.toml").write_text(gen.config_body(rng, 0.3), "utf-8", "surrogatepass")
        extra += ["--config", ".claimaudit.toml"]
    if rng.random() < 0.1:
        (folder / "baseline.json").write_text(gen.baseline_text(rng, 0.3), "utf-8", "surrogatepass")
        extra += ["--baseline", "baseline.json"]
    stdin = None
    roll = rng.random()
    if roll < 0.05:
        stdin = gen.paragraph(rng, 0.5).encode("utf-8", "surrogatepass")
        args[0] = "-"
        if rng.random() < 0.5:
            extra += ["--stdin-filename", rng.choice(["draft.md", "page.html", "notes.txt", "x.pdf", "", "\u202e.md"])]
    elif roll < 0.1:
        # A command-line argument cannot carry a NUL byte; the process would never start.
        args[0:1] = ["--text", gen.paragraph(rng, 0.6).replace("\0", "")]
    if rng.random() < 0.1:
        extra.append("--no-cache")
    corrupt_cache = rng.random() < 0.15
    command = [CLAIMAUDIT, "check", *args, *extra]

    def run() -> Report:
        env = dict(os.environ)
        env.pop("NO_COLOR", None)
        if corrupt_cache:
            cache = folder / ".cache"
            env["CLAIMAUDIT_CACHE_DIR"] = str(cache)
            first = run_measured(command, folder, env, stdin)
            plant_cache(cache, random.Random(rng.random()))
            second = run_measured(command, folder, env, stdin)
            report = classify_cli(second, fmt in ("text", "github"), file_arguments(command))
            if report.outcome == "clean" and first["rc"] in (0, 1) and (
                    first["rc"], strip_timing(first["stdout"])) != (second["rc"], strip_timing(second["stdout"])):
                report.bad.append("a planted cache file changed the result:\n--- before\n" + first["stdout"][-1500:]
                                  + "\n--- after\n" + second["stdout"][-1500:])
            return report
        return classify_cli(run_measured(command, folder, env, stdin), fmt in ("text", "github"), file_arguments(command))
    return Case(folder, run, note + (" cache" if corrupt_cache else "") + " " + " ".join(command[1:]))


def strip_timing(text: str) -> str:
    return re.sub(r"\d+(\.\d+)?\s*(ms|s)\b", "T", text)


def plant_cache(cache: Path, rng: random.Random) -> None:
    """Replace cache files with wrong shapes, planted data, a FIFO or a link to /dev/zero."""
    for path in sorted(cache.rglob("*")) if cache.exists() else []:
        if not path.is_file():
            continue
        roll = rng.random()
        path.unlink()
        if roll < 0.1:
            os.mkfifo(path)
        elif roll < 0.2:
            path.symlink_to("/dev/zero")
        else:
            path.write_bytes(rng.choice([b"[]", b"{}", b"null", b'"x"', b"1e400", b"[" * 5000, b"\x80\x04K.",
                                         b'{"sources": []}', json.dumps({"id": "s1", "summary": 3}).encode(),
                                         gen.random_bytes(rng, 64)]))


def cli_audit(rng: random.Random, folder: Path) -> Case:
    roll = rng.random()
    if roll < 0.25:
        return cli_audit_interrupted(rng, folder)
    if roll < 0.35:
        return cli_other(rng, folder)
    args, note = cli_inputs(rng, folder)
    formats = rng.choice(["html,xlsx,json", "html,xlsx,json,csv", "json", "html", "xlsx,csv"])
    extra = ["-o", "out", "-f", formats]
    if rng.random() < 0.15:
        (folder / "reviewed.xlsx").write_bytes(gen.review_workbook(rng, [], 0.4))
        extra += ["--review", "reviewed.xlsx"]
    if rng.random() < 0.1:
        (folder / ".claimaudit.toml").write_text(gen.config_body(rng, 0.2), "utf-8", "surrogatepass")
        extra += ["--config", ".claimaudit.toml"]
    command = [CLAIMAUDIT, "audit", *args, *extra]

    def run() -> Report:
        env = dict(os.environ)
        result = run_measured(command, folder, env)
        report = classify_cli(result, True, file_arguments(command))
        out = folder / "out"
        if report.outcome == "clean" and out.is_dir():
            html = out / "audit.html"
            if html.is_file():
                text = html.read_text("utf-8", "replace")
                for marker in gen.INJECTION_MARKERS:
                    if marker in text:
                        report.unescaped.append(f"audit.html holds raw {marker!r}")
            workbook = out / "audit.xlsx"
            if workbook.is_file():
                try:
                    report.unescaped += formula_cells(workbook.read_bytes())
                except zipfile.BadZipFile:
                    report.bad.append("audit.xlsx is not a zip file")
            stale = [p.name for p in out.iterdir() if ".tmp" in p.name]
            if stale:
                report.bad.append(f"temporary files left behind: {stale}")
        return report
    return Case(folder, run, note + " " + " ".join(command[1:]))


def cli_other(rng: random.Random, folder: Path) -> Case:
    """The other commands that read untrusted input: review summary/baseline and explain."""
    (folder / "reviewed.xlsx").write_bytes(gen.review_workbook(rng, [], 0.4))
    (folder / "pack.yaml").write_text(gen.yaml_pack(rng, 0.3), "utf-8", "surrogatepass")
    command = [CLAIMAUDIT] + rng.choice([
        ["review", "summary", "reviewed.xlsx"],
        ["review", "baseline", "reviewed.xlsx", "--help"] if rng.random() < 0.1 else ["review", "baseline", "reviewed.xlsx"],
        ["explain", gen.sentence(rng, 0.7).replace("\0", ""), "-s", "pack.yaml"],
        ["explain", gen.sentence(rng, 0.7).replace("\0", ""), "-e", gen.paragraph(rng, 0.5).replace("\0", "")],
    ])

    def run() -> Report:
        return classify_cli(run_measured(command, folder, dict(os.environ)), True, file_arguments(command))
    return Case(folder, run, " ".join(command[1:])[:200])


def cli_audit_interrupted(rng: random.Random, folder: Path) -> Case:
    """A valid page and pack, so the interrupted run gets as far as writing its reports."""
    page = "".join(gen.html_page(rng, 0.02) for _ in range(rng.randint(1, 6)))
    (folder / "page.html").write_text(page, "utf-8", "surrogatepass")
    (folder / "pack.json").write_text(json.dumps(FIXED_PACK), "utf-8")
    command = [CLAIMAUDIT, "audit", "page.html", "-s", "pack.json", "-o", "out", "-f", "html,xlsx,json,csv"]
    sig = rng.choice([signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
    delay = rng.uniform(0.3, 2.5)
    return Case(folder, lambda: interrupted_audit(command, folder, dict(os.environ), sig, delay),
                f"interrupted by {sig.name} after {delay:.1f} s: " + " ".join(command[1:]))


MARKER_CLAIM = "Zebra tonic cures 99% of knee arthritis overnight."


def interrupted_audit(command: list[str], folder: Path, env: dict[str, str], sig: signal.Signals, delay: float) -> Report:
    """Audit once, change the copy, interrupt a second audit, then audit again.

    After the interrupted run the reports are all old or all new (never a mix),
    and after the next run no temporary file is left."""
    report = Report()
    first = run_measured(command, folder, env)
    if first["rc"] != 0:
        return classify_cli(first, True, file_arguments(command))
    copies = [folder / arg for arg in command[2:] if (folder / arg).is_file() and arg.startswith("page.")
              and arg.endswith((".html", ".md", ".txt"))]
    if not copies:
        return classify_cli(first, True, file_arguments(command))
    with copies[0].open("a", encoding="utf-8") as page:
        page.write(f"\n\n{MARKER_CLAIM}\n" if not copies[0].name.endswith(".html") else f"<p>{MARKER_CLAIM}</p>")
    process = subprocess.Popen(command, cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               start_new_session=True)
    time.sleep(delay)
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass
    try:
        _, stderr = process.communicate(timeout=BLOCKED_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        report.outcome = "hang"
        report.detail = f"the audit did not stop within {BLOCKED_SECONDS} s of {sig.name}"
        return report
    stderr_text = stderr.decode("utf-8", "replace")
    if "Traceback" in stderr_text:
        report.outcome = "traceback"
        report.detail = f"exit {process.returncode} after {sig.name}\n--- stderr\n{stderr_text[-4000:]}"
        return report
    out = folder / "out"
    holds = {}
    allowed = {0, 2, 130, 143, -signal.SIGINT, -signal.SIGTERM, -signal.SIGKILL}
    if process.returncode not in allowed:
        report.bad.append(f"exit {process.returncode} after {sig.name}")
    for name in ("audit.html", "audit.json", "claims.csv"):
        if (out / name).is_file():
            holds[name] = "Zebra tonic" in (out / name).read_text("utf-8", "replace")
    if (out / "audit.xlsx").is_file():
        try:
            with zipfile.ZipFile(out / "audit.xlsx") as workbook:
                holds["audit.xlsx"] = any(b"Zebra tonic" in workbook.read(n) for n in workbook.namelist())
        except zipfile.BadZipFile:
            report.bad.append(f"audit.xlsx is not a workbook after {sig.name}")
    if len(set(holds.values())) > 1:
        report.bad.append(f"a mixed set of reports after {sig.name} at {delay:.1f} s: "
                          + ", ".join(f"{n} {'new' if new else 'old'}" for n, new in sorted(holds.items())))
    after = run_measured(command, folder, env)
    report.outcome = classify_cli(after, True, file_arguments(command)).outcome
    if report.outcome != "clean":
        report.detail = f"the run after {sig.name}: exit {after['rc']}\n{after['stderr'][-3000:]}"
    stale = [p.name for p in out.iterdir() if ".tmp" in p.name] if out.is_dir() else []
    if stale:
        report.bad.append(f"temporary files left after the run that followed {sig.name}: {stale}")
    report.outcome = report.outcome or "clean"
    return report


# --- the category table ------------------------------------------------------------------------

CATEGORIES: dict[str, tuple[int, Callable[[random.Random, Path], Case]]] = {
    "copy.html": (1000, copy_case(".html", gen.html_page, gen.hostile_html)),
    "copy.md": (1000, copy_case(".md", gen.markdown_page, gen.hostile_markdown)),
    "copy.txt": (600, copy_case(".txt", gen.text_page, gen.hostile_text)),
    "copy.csv": (600, copy_case(".csv", gen.csv_table, gen.hostile_csv)),
    "copy.xlsx": (600, copy_xlsx),
    "encoding": (700, encoding_case),
    "pack.yaml": (700, pack_case(".yaml", gen.yaml_pack, gen.hostile_yaml)),
    "pack.json": (600, pack_case(".json", gen.json_pack, gen.hostile_json)),
    "pack.csv": (400, pack_case(".csv", gen.csv_pack, gen.hostile_csv)),
    "pack.xlsx": (400, pack_xlsx),
    "pack.md-folder": (400, pack_folder),
    "rules": (800, rules_case),
    "config.toml": (500, config_case(".claimaudit.toml", gen.config_body)),
    "config.pyproject": (300, config_case("pyproject.toml", gen.pyproject_body)),
    "baseline": (400, baseline_case),
    "review": (500, review_case),
    "special": (200, special_case),
    "cli.check": (200, cli_check),
    "cli.audit": (100, cli_audit),
}


def schedule(count: int, categories: list[str], seed: int) -> list[tuple[str, int]]:
    """``count`` (category, index) pairs split by weight and shuffled with the seed."""
    weights = {name: CATEGORIES[name][0] for name in categories}
    total = sum(weights.values())
    shares = {name: count * weight // total for name, weight in weights.items()}
    for name in sorted(weights, key=lambda n: -weights[n])[: count - sum(shares.values())]:
        shares[name] += 1
    plan = [(name, index) for name, share in shares.items() for index in range(share)]
    random.Random(seed).shuffle(plan)
    return plan


def case_rng(seed: int, category: str, index: int) -> random.Random:
    return random.Random(f"{seed}/{category}/{index}")


# --- running one input -----------------------------------------------------------------------------

def traceback_signature(text: str, most_recent_first: bool = False) -> str:
    frames = re.findall(r'File "([^"]+)", line (\d+),? in (\S+)', text)
    ours = [f for f in frames if "claimaudit" in f[0] and "benchmarks" not in f[0]] or frames
    if not ours:
        return ""
    path, line, function = ours[0] if most_recent_first else ours[-1]
    short = path.split("site-packages/")[-1].split("src/")[-1]
    return f"{short}:{line} in {function}"


def exception_line(detail: str) -> str:
    """The ``Type: message`` line of a traceback (the message cut to one line)."""
    found = re.findall(r"^([A-Za-z_][\w.]*(?:Error|Exception|Exit|Interrupt|Warning|Iteration)\b.*)$", detail, re.M)
    return (found[-1] if found else detail.strip().splitlines()[-1] if detail.strip() else "")[:120]


def run_child(category: str, index: int, seed: int, folder: Path, result_fd: int) -> None:
    """In the forked child: build the case, run it under the limits, write one JSON line."""
    with open(folder / ".stack.txt", "w") as stack:
        faulthandler.enable(file=stack)
        log = os.open(folder / ".output.txt", os.O_WRONLY | os.O_CREAT, 0o644)
        os.dup2(log, 1)
        os.dup2(log, 2)
        outcome: dict[str, object] = {}
        try:
            rng = case_rng(seed, category, index)
            try:
                case = CATEGORIES[category][1](rng, folder)
            except Exception:
                outcome = {"status": "generator error", "detail": traceback.format_exc()[-4000:]}
                case = None
            if case is not None:
                if not category.startswith("cli."):  # a console-script run times its own processes
                    # The watchdog dumps the stack of a hang (even one inside C code) and ends the child.
                    # Over 20 s of CPU: SIGXCPU dumps the stack (even inside C code), SIGKILL follows.
                    # A child blocked without using the CPU is stopped by the wall-clock watchdog.
                    faulthandler.register(signal.SIGXCPU, file=stack)
                    used = int(time.process_time())
                    resource.setrlimit(resource.RLIMIT_CPU, (used + HANG_SECONDS, used + HANG_SECONDS + 2))
                    faulthandler.dump_traceback_later(BLOCKED_SECONDS, exit=True, file=stack)
                    signal.alarm(BLOCKED_SECONDS + 5)
                    vm = _vm_size()
                    resource.setrlimit(resource.RLIMIT_AS, (vm + HEADROOM_BYTES, vm + HEADROOM_BYTES))
                outcome["note"] = case.note
                (folder / ".note").write_text(f"{case.note}\n{case.main}", "utf-8", "surrogateescape")
                outcome["main"] = str(case.main.relative_to(folder)) if case.main != folder else "."
                start = time.monotonic()
                outcome.update(execute(case))
                outcome["seconds"] = round(time.monotonic() - start, 3)
        except BaseException:
            outcome = {"status": "traceback", "detail": traceback.format_exc()[-4000:]}
        data = json.dumps(outcome, default=str).encode()[:60_000]
        os.write(result_fd, data)


def execute(case: Case) -> dict[str, object]:
    from claimaudit.errors import InputError

    try:
        report = case.run()
    except InputError as error:
        text = named(error, case.main)
        return {"status": "clean", "input_error": str(error)[:500], "unnamed": text[:500]}
    except MemoryError:
        return {"status": "memory", "detail": traceback.format_exc()[-4000:]}
    except RecursionError:
        return {"status": "traceback", "detail": "RecursionError\n" + traceback.format_exc()[-4000:]}
    except Exception:
        return {"status": "traceback", "detail": traceback.format_exc()[-4000:]}
    status = report.outcome or "clean"
    exit_code = re.match(r"exit (-?\d+)", report.detail or "")
    return {"status": status, "detail": report.detail, "bad": report.bad, "unescaped": report.unescaped,
            "unnamed": report.unnamed, "rss": report.peak_rss, "exit": int(exit_code.group(1)) if exit_code else None}


def _vm_size() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    return 1 << 30


@dataclass
class Running:
    pid: int
    read_fd: int
    category: str
    index: int
    folder: Path
    started: float
    chunks: list[bytes] = field(default_factory=list)


@dataclass
class Finished:
    category: str
    index: int
    outcomes: list[str]  # every failure kind this input showed; ["clean"] when none
    signature: str
    record: dict


def finish(job: Running, status_code: int, usage, seed: int) -> Finished:
    raw = b"".join(job.chunks)
    try:
        record = json.loads(raw) if raw else {}
    except ValueError:
        record = {"status": "traceback", "detail": "unreadable child result: " + raw[:200].decode("utf-8", "replace")}
    elapsed = time.monotonic() - job.started
    note_file = job.folder / ".note"
    if note_file.exists() and "note" not in record:
        record["note"], _, record["main"] = note_file.read_text("utf-8", "replace").partition("\n")
    stack_file = job.folder / ".stack.txt"
    stack = stack_file.read_text("utf-8", "replace") if stack_file.exists() else ""
    rss = max(usage.ru_maxrss * 1024, int(record.get("rss") or 0))
    record["peak_rss_mb"] = round(rss / 2 ** 20, 1)
    record["elapsed"] = round(elapsed, 2)
    outcomes: list[str] = []
    signature = ""
    signalled = os.WTERMSIG(status_code) if os.WIFSIGNALED(status_code) else 0
    record["cpu_seconds"] = round(usage.ru_utime + usage.ru_stime, 2)
    if not raw and ("Timeout (" in stack or signalled in (signal.SIGXCPU, signal.SIGKILL, signal.SIGALRM)):
        outcomes.append("hang")
        record["detail"] = f"over {HANG_SECONDS} s of CPU or blocked {BLOCKED_SECONDS} s\n{stack[-6000:]}"
        signature = traceback_signature(stack, most_recent_first=True)
    elif signalled in SEGFAULT_SIGNALS and not raw:
        outcomes.append("segfault")
        record["detail"] = f"killed by {signal.Signals(signalled).name}\n{stack[-4000:]}"
        signature = traceback_signature(stack, most_recent_first=True)
    elif not raw:
        outcomes.append("memory" if "MemoryError" in stack else "segfault")
        record["detail"] = f"child ended without a result (status {status_code})\n{stack[-4000:]}"
        signature = traceback_signature(stack, most_recent_first=True)
    else:
        status = record.get("status", "traceback")
        if status == "generator error":
            outcomes.append("generator error")
        elif status != "clean":
            outcomes.append(status)
            detail = str(record.get("detail", ""))
            signature = traceback_signature(detail)
            if status == "traceback" and detail.startswith("exit "):  # a console-script run
                first = next((line for line in detail.split("--- stderr\n", 1)[-1].splitlines() if line.strip()), "")
                signature = re.sub(r"\d+", "N", first)[:120]
            elif status == "traceback":
                signature = f"{exception_line(detail)} @ {signature}"
        if rss > MEMORY_LIMIT_BYTES and "memory" not in outcomes:
            outcomes.append("memory")
        if record.get("unescaped"):
            outcomes.append("unescaped")
            signature = signature or str(record["unescaped"][0])[:120]
        if record.get("bad"):
            outcomes.append("bad result")
            signature = signature or str(record["bad"][0])[:120]
        if record.get("unnamed"):
            outcomes.append("unnamed error")
            signature = signature or re.sub(r"\d+", "N", str(record["unnamed"]))[:120]
    if not signature and outcomes:
        signature = str(record.get("note", ""))[:80]
    return Finished(job.category, job.index, outcomes or ["clean"], signature, record)


def spawn(category: str, index: int, seed: int, work: Path) -> Running:
    folder = work / f"{category}-{index}"
    if folder.exists():
        shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    read_fd, write_fd = os.pipe()
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_fd)
            os.setpgid(0, 0)
            run_child(category, index, seed, folder, write_fd)
        finally:
            os._exit(0)
    os.close(write_fd)
    os.set_blocking(read_fd, False)
    return Running(pid, read_fd, category, index, folder, time.monotonic())


def drain(job: Running) -> None:
    while True:
        try:
            chunk = os.read(job.read_fd, 65536)
        except BlockingIOError:
            return
        if not chunk:
            return
        job.chunks.append(chunk)


def save_reproducer(done: Finished, job: Running, out: Path, seed: int) -> Path:
    target = out / done.category / f"{done.index:05d}-{done.outcomes[0].replace(' ', '-')}"
    if target.exists():
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(job.folder, target, symlinks=True, ignore=_skip_specials)
    info = dict(done.record)
    info.update({"category": done.category, "index": done.index, "seed": seed, "outcomes": done.outcomes,
                 "signature": done.signature,
                 "replay": f"python benchmarks/fuzz.py --seed {seed} --replay {done.category}:{done.index}"})
    (target / "case.json").write_text(json.dumps(info, indent=2, default=str), "utf-8")
    return target


def _skip_specials(folder: str, names: list[str]) -> list[str]:
    skipped = []
    for name in names:
        path = os.path.join(folder, name)
        try:
            mode = os.lstat(path).st_mode
        except OSError:
            continue
        if stat.S_ISFIFO(mode):
            skipped.append(name)
            Path(path + ".is-a-fifo").touch()
        elif stat.S_ISREG(mode) and os.path.getsize(path) > 20 * 2 ** 20:
            skipped.append(name)
            Path(path + ".too-big-to-keep").write_text(f"{os.path.getsize(path)} bytes; rebuild with --replay\n")
    return skipped


def campaign(args: argparse.Namespace) -> int:
    categories = args.category.split(",") if args.category else list(CATEGORIES)
    unknown = [c for c in categories if c not in CATEGORIES]
    if unknown:
        sys.exit(f"unknown category {', '.join(unknown)}; known: {', '.join(CATEGORIES)}")
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="claimaudit-fuzz-"))
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="claimaudit-fuzz-work-"))
    os.environ["CLAIMAUDIT_CACHE_DIR"] = str(work / ".cache")
    os.environ.pop("NO_COLOR", None)
    prepare()
    plan = schedule(args.count, categories, args.seed)
    print(f"fuzz: {len(plan)} inputs, seed {args.seed}, {args.jobs} jobs, reproducers in {out}", flush=True)
    table: dict[str, Counter] = defaultdict(Counter)
    groups: dict[tuple[str, str, str], list[str]] = defaultdict(list)
    running: dict[int, Running] = {}
    queue = list(reversed(plan))
    started = time.monotonic()
    done_count = 0
    while queue or running:
        while queue and len(running) < args.jobs:
            category, index = queue.pop()
            job = spawn(category, index, args.seed, work)
            running[job.pid] = job
        for job in running.values():
            drain(job)
            if time.monotonic() - job.started > BLOCKED_SECONDS * (2 if job.category.startswith("cli.") else 1) + 30:
                try:
                    os.killpg(job.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        pid, status_code, usage = os.wait4(-1, os.WNOHANG)
        if not pid:
            time.sleep(0.002)
            continue
        job = running.pop(pid)
        drain(job)
        os.close(job.read_fd)
        try:
            os.killpg(pid, signal.SIGKILL)  # console-script grandchildren of a hung child
        except (ProcessLookupError, PermissionError):
            pass
        done = finish(job, status_code, usage, args.seed)
        row = table[done.category]
        row["inputs"] += 1
        row["seconds"] += time.monotonic() - job.started
        for outcome in done.outcomes:
            row[outcome] += 1
        if done.record.get("input_error") or (done.category.startswith("cli.") and done.record.get("exit") == 2):
            row["refused"] += 1
        if done.outcomes != ["clean"]:
            where = save_reproducer(done, job, out, args.seed)
            for outcome in done.outcomes:
                groups[(done.category, outcome, done.signature)].append(str(where))
        shutil.rmtree(job.folder, ignore_errors=True)
        done_count += 1
        if done_count % 500 == 0:
            print(f"  {done_count}/{len(plan)} inputs, {time.monotonic() - started:.0f} s", flush=True)
    elapsed = time.monotonic() - started
    shutil.rmtree(work, ignore_errors=True)
    print_table(table, elapsed)
    print_groups(groups)
    summary = {"seed": args.seed, "count": len(plan), "seconds": round(elapsed, 1),
               "table": {c: {k: round(n, 1) for k, n in v.items()} for c, v in sorted(table.items())},
               "groups": [{"category": c, "outcome": o, "signature": s, "count": len(paths), "reproducers": paths[:5]}
                          for (c, o, s), paths in sorted(groups.items(), key=lambda kv: -len(kv[1]))]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2), "utf-8")
    print(f"\nsummary and reproducers: {out}")
    failures = sum(v for row in table.values() for k, v in row.items()
                   if k not in ("inputs", "clean", "refused", "generator error", "seconds"))
    return 1 if failures else 0


COLUMNS = ("inputs", "clean", "refused", "traceback", "hang", "memory", "segfault", "unescaped", "bad result",
           "unnamed error")


def print_table(table: dict[str, Counter], elapsed: float) -> None:
    headers = ("category", "inputs", "clean exits", "(refused)", "tracebacks", "hangs >20s", "memory >1GB",
               "segfaults", "unescaped", "bad result", "no file named", "mean s")
    def mean(row: Counter) -> str:
        return f"{row['seconds'] / row['inputs']:.2f}" if row["inputs"] else "-"
    rows = [[name] + [str(table[name][c]) for c in COLUMNS] + [mean(table[name])] for name in sorted(table)]
    total = Counter()
    for name in table:
        total.update(table[name])
    rows.append(["total"] + [str(total[c]) for c in COLUMNS] + [mean(total)])
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print(f"\nfuzz results ({elapsed:.0f} s)")
    print("  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths))))
    for row in rows:
        print("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths))))
    generator = total["generator error"]
    if generator:
        print(f"({generator} inputs could not be generated: a bug in the fuzzer, not counted above)")


def print_groups(groups: dict[tuple[str, str, str], list[str]]) -> None:
    if not groups:
        return
    print("\nfailures by cause (category, kind, where: count, first reproducer)")
    for (category, outcome, signature), paths in sorted(groups.items(), key=lambda kv: (kv[0][1], -len(kv[1]))):
        print(f"  {category:16} {outcome:13} {signature[:110]}: {len(paths)}  {paths[0]}")


def replay(args: argparse.Namespace) -> int:
    """Run one case in the foreground and show what happened, with the full traceback."""
    category, _, index = args.replay.partition(":")
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="claimaudit-fuzz-replay-"))
    out.mkdir(parents=True, exist_ok=True)
    prepare()
    case = CATEGORIES[category][1](case_rng(args.seed, category, int(index)), out)
    print(f"case {category}:{index} ({case.note}) in {out}, main input {case.main}")
    from claimaudit.errors import InputError

    start = time.monotonic()
    try:
        report = case.run()
    except InputError as error:
        print(f"InputError (clean): {error}")
    else:
        print(json.dumps({"outcome": report.outcome or "returned", "bad": report.bad, "unescaped": report.unescaped,
                          "unnamed": report.unnamed, "detail": report.detail}, indent=2))
    print(f"{time.monotonic() - start:.2f} s")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--category", default="", help=f"comma-separated; one or more of: {', '.join(CATEGORIES)}")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", default="", help="folder for reproducers and summary.json (default: a new temp folder)")
    parser.add_argument("--replay", default="", metavar="CATEGORY:INDEX", help="run one case in the foreground")
    args = parser.parse_args(argv)
    return replay(args) if args.replay else campaign(args)


if __name__ == "__main__":
    sys.exit(main())
