"""All the cores of one machine (--jobs) and a Dask cluster (--dask): the same report as one process."""

from __future__ import annotations

import itertools
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import claimaudit
from claimaudit.executors import DaskCluster, InProcess, ProcessPool, executor_for
from claimaudit.pipeline import document_batches
from claimaudit.api import read_copy

distributed = pytest.importorskip("distributed")

# Small batches, so that a few pages make several batches for the workers to share.
BATCH = "25"

TREATMENTS = ["Our ginger tonic", "The hydration patch", "Cold-water therapy", "Our sleep programme",
              "The posture brace", "Red-light sessions", "The fibre blend", "Our breathing course"]
OUTCOMES = ["joint stiffness", "evening fatigue", "morning headaches", "lower-back pain", "restless sleep",
            "mild anxiety", "bloating", "dry skin"]
PEOPLE = ["office workers", "adults over sixty", "amateur runners", "new parents", "night-shift nurses",
          "students before exams"]


def _page(n: int) -> str:
    treatment, outcome = TREATMENTS[n % len(TREATMENTS)], OUTCOMES[(n * 3) % len(OUTCOMES)]
    people = PEOPLE[(n * 5) % len(PEOPLE)]
    claims = [
        f"{treatment} reduced {outcome} by {10 + n % 40}% in {people} within {2 + n % 9} weeks.",
        f"{treatment} cures {outcome} for good.",
        f"Clinical studies prove that {treatment.lower()} works for everyone.",
        f"In a small trial, {people} reported less {outcome} after {3 + n % 5} weeks.",
        f"{treatment} is completely safe, with no side effects at all.",
        f"Nine out of ten {people} would recommend it to a friend.",
    ]
    body = "".join(f"<p>{claim} Call us to book a first visit.</p>" for claim in claims[n % 3:] + claims[:n % 3])
    return f"<!DOCTYPE html><html><head><title>Page {n}</title></head><body><main><h1>Care page {n}</h1>{body}" \
           "</main></body></html>"


def _pack() -> dict:
    sources = []
    for n in range(36):
        treatment, outcome = TREATMENTS[n % len(TREATMENTS)], OUTCOMES[(n * 7) % len(OUTCOMES)]
        people = PEOPLE[n % len(PEOPLE)]
        summary = (f"A randomised trial of {treatment.lower()} in {20 + n * 3} {people}. "
                   f"{treatment} reduced {outcome} by {5 + n % 30}% after {4 + n % 6} weeks compared with usual care. "
                   f"{'Two participants reported mild nausea.' if n % 4 == 0 else 'No serious harms were seen.'}")
        sources.append({"id": f"ref{n:02d}", "citation": f"Invented Author {n}. Made-up Journal. 2023;{n}.",
                        "summary": summary})
    return {"sources": sources}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """A folder with 24 pages of copy (pages/) and a pack of 36 sources (pack.json)."""
    root = tmp_path_factory.mktemp("site")
    (root / "pages").mkdir()
    for n in range(24):
        (root / "pages" / f"page-{n:02d}.html").write_text(_page(n), encoding="utf-8")
    (root / "pack.json").write_text(json.dumps(_pack(), indent=1), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def cluster():
    """One real LocalCluster for the module: two worker processes on 127.0.0.1."""
    import logging

    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None, silence_logs=logging.ERROR) as local:
        yield local


RUNS = itertools.count()


def cli(site: Path, command: str, *extra: str) -> list[str]:
    out = ["--out", f"reports-{next(RUNS)}"] if command == "audit" else []
    return [sys.executable, "-m", "claimaudit.cli", command, "pages", "--sources", "pack.json", "--no-cache",
            "--format", "json", *out, *extra]


def audit_cli(site: Path, *extra: str, command: str = "audit", env: dict | None = None,
              timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(cli(site, command, *extra), cwd=site, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})})


def report_of(site: Path, result: subprocess.CompletedProcess) -> bytes:
    assert result.returncode == 0, result.stderr
    out = result.args[result.args.index("--out") + 1]
    return (site / out / "audit.json").read_bytes()


def one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def test_the_site_makes_several_batches(site):
    documents = read_copy([site / "pages"])
    assert len(document_batches(documents, int(BATCH))) >= 4


def test_jobs_and_a_local_dask_cluster_write_the_same_json_as_one_process(site):
    one = report_of(site, audit_cli(site, "--jobs", "1"))
    assert json.loads(one)["summary"]["claims"] >= 100
    assert report_of(site, audit_cli(site, "--jobs", "1", "--batch-claims", BATCH)) == one
    assert report_of(site, audit_cli(site, "--jobs", "2", "--batch-claims", BATCH)) == one
    assert report_of(site, audit_cli(site, "--dask", "local", "--jobs", "2", "--batch-claims", BATCH)) == one


def test_check_on_all_cores_gives_the_same_findings_and_exit_code(site):
    one = audit_cli(site, "--jobs", "1", command="check")
    two = audit_cli(site, "--jobs", "2", "--batch-claims", BATCH, command="check")
    assert one.returncode == two.returncode == 1, (one.stderr, two.stderr)
    assert one.stdout == two.stdout


def test_the_api_gives_the_same_json_from_worker_processes_and_from_a_cluster(site, cluster):
    pages, pack = site / "pages", site / "pack.json"
    in_order: list[str] = []
    one = claimaudit.audit(pages, pack, on_document=lambda d: in_order.append(d.path)).to_json()
    assert len(in_order) == 24
    assert claimaudit.audit(pages, pack, jobs=2).to_json() == one
    seen: list[str] = []
    forked = claimaudit.audit(pages, pack, executor=ProcessPool(2, claims_per_batch=int(BATCH)),
                              on_document=lambda d: seen.append(d.path))
    assert forked.to_json() == one
    assert seen == in_order, "progress reports every document, in order"
    on_cluster = DaskCluster(cluster.scheduler_address, claims_per_batch=int(BATCH))
    with on_cluster:
        assert claimaudit.audit(pages, pack, executor=on_cluster).to_json() == one
    assert claimaudit.audit(pages, pack, dask=cluster.scheduler_address).to_json() == one


def test_the_cli_runs_on_a_cluster_started_elsewhere_by_its_address(site, cluster):
    one = report_of(site, audit_cli(site, "--jobs", "1"))
    assert report_of(site, audit_cli(site, "--dask", cluster.scheduler_address, "--batch-claims", BATCH)) == one


@pytest.mark.parametrize("jobs", ["0", "-3", "two", "1.5", ""])
def test_a_bad_number_of_jobs_is_one_line_and_exit_2(site, jobs):
    line = one_error_line(audit_cli(site, "--jobs", jobs, timeout=60))
    assert "--jobs" in line and "worker processes" in line


def test_a_mistyped_huge_number_of_jobs_forks_nothing_and_names_the_limit(site):
    line = one_error_line(audit_cli(site, "--jobs", "99999", timeout=60))
    assert "--jobs" in line and "max-jobs" in line and "CLAIMAUDIT_MAX_JOBS" in line


def test_jobs_beside_a_cluster_address_is_refused(site):
    line = one_error_line(audit_cli(site, "--jobs", "2", "--dask", "tcp://127.0.0.1:8786", timeout=60))
    assert "--jobs sizes --dask local" in line


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_scheduler_is_one_line_naming_it_and_exit_2(site):
    address = f"tcp://127.0.0.1:{_free_port()}"
    result = audit_cli(site, "--dask", address, env={"CLAIMAUDIT_MAX_DASK_CONNECT_SECONDS": "2"}, timeout=60)
    line = one_error_line(result)
    assert address in line and "cannot connect" in line and "max-dask-connect-seconds" in line


def test_a_server_that_is_not_a_scheduler_is_one_line_within_the_limit_not_a_hang(site):
    # A real server on 127.0.0.1 that takes the connection and never answers, as a web server
    # or anything else at a mistyped port might.
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        address = f"tcp://127.0.0.1:{listener.getsockname()[1]}"
        result = audit_cli(site, "--dask", address, env={"CLAIMAUDIT_MAX_DASK_CONNECT_SECONDS": "2"}, timeout=60)
    line = one_error_line(result)
    assert address in line and "never answered as a Dask scheduler" in line


HOUSE_RULE = """\
code: HS777
name: house.stretched_vowels
family: certainty
extends: existence
level: overstated
message: 'The claim says "{word}".'
params:
  words: [sooo]
  patterns: ['(o|oo)+$']
docs:
  what: Copy that drags its vowels.
  why: It reads as shouting.
  example: "Sooo good."
  use_instead: Write the word once.
  references:
    - "Our house style notes"
examples:
  fail:
    - claim: "This balm is sooo good for dry hands."
      evidence: "The balm softened dry hands in a small trial."
  pass:
    - claim: "The balm softened dry hands in a small trial."
      evidence: "The balm softened dry hands in a small trial."
"""


def test_a_rule_that_fails_in_a_worker_gives_the_same_one_line_as_one_process(site, tmp_path):
    # A pattern that backtracks without end on every page: judging stops at the
    # regex time limit, in a worker process as in the parent.
    rules = tmp_path / "house"
    rules.mkdir()
    (rules / "HS777.yaml").write_text(HOUSE_RULE, encoding="utf-8")
    pages = tmp_path / "slow-pages"
    pages.mkdir()
    for n in range(12):
        (pages / f"p{n:02d}.md").write_text(
            "\n\n".join(f"Our balm number {n}-{k} softens dry skin in {k + 2} days, {'o' * 40}!" for k in range(8))
            + "\n", encoding="utf-8")
    env = {"CLAIMAUDIT_MAX_REGEX_SECONDS": "0.3"}

    def run(*extra: str) -> str:
        command = [sys.executable, "-m", "claimaudit.cli", "check", str(pages), "--rules", str(rules),
                   "--no-cache", *extra]
        return one_error_line(subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120,
                                             env={**os.environ, **env}))

    one = run("--jobs", "1")
    assert "rule HS777" in one and "max-regex-seconds" in one
    assert run("--jobs", "2", "--batch-claims", "10") == one
    assert run("--dask", "local", "--jobs", "2", "--batch-claims", "10") == one


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(c) for c in (task / "children").read_text().split())
    return found


def alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"


def start_busy_run(tmp_path: Path, *extra: str) -> tuple[subprocess.Popen, set[int]]:
    """A --jobs 2 check whose workers stay busy (a pattern that backtracks for 30 s of processor time)."""
    rules = tmp_path / "house"
    rules.mkdir()
    (rules / "HS777.yaml").write_text(HOUSE_RULE, encoding="utf-8")
    pages = tmp_path / "pages"
    pages.mkdir()
    for n in range(6):
        (pages / f"p{n}.md").write_text(f"Our balm number {n} softens dry skin in two days, {'o' * 60}!\n",
                                        encoding="utf-8")
    command = [sys.executable, "-m", "claimaudit.cli", "check", str(pages), "--rules", str(rules), "--no-cache",
               "--jobs", "2", "--batch-claims", "1", *extra]
    run = subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                           env={**os.environ, "CLAIMAUDIT_MAX_REGEX_SECONDS": "30"})
    deadline = time.monotonic() + 60
    while len(workers := children(run.pid)) < 2:
        assert run.poll() is None and time.monotonic() < deadline, run.communicate()
        time.sleep(0.05)
    time.sleep(0.5)  # the workers have taken their first batch
    return run, workers


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_a_worker_that_is_killed_stops_the_run_with_exit_2_naming_it(tmp_path):
    run, workers = start_busy_run(tmp_path)
    os.kill(min(workers), signal.SIGKILL)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 2, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in stderr, stderr
    assert "worker process" in lines[0] and "SIGKILL" in lines[0] and "the run was stopped" in lines[0]
    assert not any(alive(pid) for pid in workers)


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads the process tree from /proc")
def test_ctrl_c_ends_the_run_with_exit_130_and_leaves_no_worker_behind(tmp_path):
    run, workers = start_busy_run(tmp_path)
    os.kill(run.pid, signal.SIGINT)
    _, stderr = run.communicate(timeout=60)
    assert run.returncode == 130, stderr
    assert stderr.strip() == "claimaudit: interrupted"
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(alive(pid) for pid in workers)


def test_a_one_page_check_neither_forks_nor_imports_a_process_pool_or_dask(tmp_path):
    (tmp_path / "page.md").write_text("Our balm softens dry skin in two days.\n", encoding="utf-8")
    script = (
        "import sys, json\n"
        "from claimaudit.cli import main\n"
        "try:\n"
        "    main(['check', 'page.md', '--no-cache', '--jobs', '4'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "heavy = ['concurrent.futures.process', 'multiprocessing.pool', 'dask', 'distributed']\n"
        "print(json.dumps([name for name in heavy if name in sys.modules]))\n")
    result = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [], result.stderr


def test_one_batch_and_one_job_stay_in_this_process():
    assert isinstance(executor_for(1), InProcess)
    assert isinstance(executor_for(None, None), (InProcess, ProcessPool))
    assert isinstance(executor_for(3, "local"), DaskCluster) and executor_for(3, "local").workers == 3
