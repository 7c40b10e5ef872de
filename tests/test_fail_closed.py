"""The gate fails closed: nothing it cannot read passes, and every exit code means one thing.

These run the installed console script, as CI and pre-commit do, so exit codes,
signals and what reaches the terminal are the real ones.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimaudit.cli import main
from claimaudit.files import remove_stale_temporaries, write_atomic_set

REPO = Path(__file__).resolve().parents[1]
EXAMPLE_PAGE = REPO / "examples" / "clinic-page.html"
EXAMPLE_SOURCES = REPO / "examples" / "sources.yaml"
CLAIMAUDIT = shutil.which("claimaudit") or str(Path(sys.executable).with_name("claimaudit"))

PAGE = """<html><body><main>
<h1>Knee comfort</h1>
<p>In a 12-week trial, adults who took the capsule reported 20% less knee pain than those on placebo.</p>
<p>Our capsule cures arthritis for good.</p>
</main></body></html>
"""
PACK = """sources:
  - id: knee2023
    citation: "Example A, et al. Knee J. 2023."
    summary: >
      In a 12-week randomised trial of 120 adults with knee osteoarthritis, those taking the
      capsule reported 20% less knee pain than those on placebo.
"""


def cli(*args, cwd=None, stdin=None, env=None, timeout=120, preexec_fn=None):
    return subprocess.run([CLAIMAUDIT, *map(str, args)], cwd=cwd, input=stdin, capture_output=True,
                          timeout=timeout, env={**os.environ, **(env or {})}, preexec_fn=preexec_fn)


@pytest.fixture()
def site(tmp_path):
    (tmp_path / "page.html").write_text(PAGE, encoding="utf-8")
    (tmp_path / "pack.yaml").write_text(PACK, encoding="utf-8")
    return tmp_path


def assert_one_clear_error(result, *names: str) -> str:
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err)
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    for name in names:
        assert name in lines[0], lines[0]
    return lines[0]


# --------------------------------------------------------------------------- arguments are paths


@pytest.mark.parametrize("argument, says", [
    ("sitee/", "no such file or folder"),
    ("x", "no such file or folder"),
    ("missing-page.html", "file not found"),
    ("ftp://clinic.example/ms", "only http:// and https://"),
    ("Our serum erases wrinkles", "use --text"),
])
def test_an_argument_that_is_not_a_readable_path_exits_2_naming_it(site, argument, says):
    for command in ("check", "audit"):
        result = cli(command, argument, "-s", "pack.yaml", cwd=site)
        line = assert_one_clear_error(result, argument, says)
        assert "0 claims" not in result.stdout.decode() + line


def test_standard_input_is_read_when_asked_for_with_a_name(site):
    result = cli("check", "-", "--stdin-filename", "draft.html", "-s", "pack.yaml", cwd=site,
                 stdin=PAGE.encode())
    out = result.stdout.decode()
    assert result.returncode == 1, result.stderr.decode()
    assert out.startswith("draft.html:")
    assert "cures" in out or "CA20" in out


def test_standard_input_markdown_is_read_as_markdown(site):
    draft = "# Knee comfort\n\nOur capsule **cures** arthritis for good.\n"
    result = cli("check", "-", "--stdin-filename", "notes/draft.md", "-s", "pack.yaml", cwd=site,
                 stdin=draft.encode(), env={"NO_COLOR": "1"})
    assert result.returncode == 1
    first = result.stdout.decode().splitlines()[0]
    assert first.startswith("notes/draft.md:3:")


def test_stdin_filename_without_a_dash_is_a_usage_error(site):
    result = cli("check", "page.html", "--stdin-filename", "x.md", cwd=site)
    assert result.returncode == 2
    assert "'-'" in result.stderr.decode()


def test_literal_text_is_audited_only_with_text(site):
    result = cli("check", "--text", "Our capsule cures arthritis for good.", "-s", "pack.yaml", cwd=site)
    assert result.returncode == 1, result.stderr.decode()
    assert "<text 1>:1:1:" in result.stdout.decode()


def test_a_file_with_no_claims_says_so_and_check_warns(site):
    (site / "hello.md").write_text("# Welcome\n\nCall us on 0100 000 000.\n", encoding="utf-8")
    result = cli("check", "hello.md", "page.html", "-s", "pack.yaml", cwd=site, env={"NO_COLOR": "1"})
    out = result.stdout.decode()
    assert "warning: hello.md: no claims found in its text" in out
    assert "in 2 documents (1 with no claims)" in out.splitlines()[-1]


def test_a_check_that_read_no_document_exits_2(site):
    (site / "empty").mkdir()
    (site / "empty" / "brochure.odt").write_bytes(b"PK\x03\x04")
    result = cli("check", "empty", "-s", "pack.yaml", cwd=site)
    assert_one_clear_error(result, "empty", "no copy files", ".odt")


# --------------------------------------------------------------------------- one bad file does not hide the rest


def test_one_unreadable_file_is_reported_the_rest_are_audited_and_the_run_exits_2(site):
    folder = site / "site"
    folder.mkdir()
    shutil.copy(site / "page.html", folder / "a-page.html")
    (folder / "b-broken.md").write_bytes(b"\xff\xfe\x00\xd8\x00\xd8")  # a byte-order mark the bytes contradict
    (folder / "c-page.md").write_text("Our capsule cures arthritis for good.\n", encoding="utf-8")
    (folder / "leaflet.odt").write_bytes(b"PK\x03\x04")
    (folder / "draft.pages").write_bytes(b"PK\x03\x04")

    result = cli("check", "site", "-s", "pack.yaml", "-f", "json", cwd=site)
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert [d["path"] for d in report["documents"]] == ["site/a-page.html", "site/c-page.md"]
    assert [p["path"] for p in report["problems"]] == ["site/b-broken.md"]
    assert {item["path"] for item in report["skipped"]} == {"site/leaflet.odt", "site/draft.pages"}
    err = result.stderr.decode()
    assert "site/b-broken.md" in err and "Traceback" not in err

    out = site / "reports"
    result = cli("audit", "site", "-s", "pack.yaml", "-o", out, "-f", "json,html", cwd=site)
    assert result.returncode == 2
    assert "site/b-broken.md" in result.stderr.decode()
    written = json.loads((out / "audit.json").read_text(encoding="utf-8"))
    assert written["problems"][0]["path"] == "site/b-broken.md"
    html = (out / "audit.html").read_text(encoding="utf-8")
    assert "Files that could not be read" in html and "site/leaflet.odt" in html


# --------------------------------------------------------------------------- audit and check agree


def test_audit_reads_the_config_as_check_does_and_takes_repeated_formats(site):
    (site / ".claimaudit.toml").write_text(
        'sources = ["pack.yaml"]\ndisable = ["certainty", "establishment"]\n', encoding="utf-8")
    checked = cli("check", "page.html", "-f", "json", cwd=site)
    audited = cli("audit", "page.html", "-o", "out", "-f", "html", "-f", "json", cwd=site)
    assert audited.returncode == 0, audited.stderr.decode()
    assert sorted(p.name for p in (site / "out").iterdir()) == ["audit.html", "audit.json", "audit.jsonl"]
    from_check = json.loads(checked.stdout)
    from_audit = json.loads((site / "out" / "audit.json").read_text(encoding="utf-8"))
    assert from_check["summary"] == from_audit["summary"]
    fired = {reason["rule"].split(".")[0] for f in from_audit["findings"] for reason in f["reasons"]}
    assert not fired & {"certainty", "establishment"}


def test_the_console_says_how_many_more_flagged_claims_there_are(tmp_path):
    result = cli("audit", EXAMPLE_PAGE, "-s", EXAMPLE_SOURCES, "-o", tmp_path / "out", "-f", "json",
                 env={"COLUMNS": "200"})
    out = result.stdout.decode()
    flagged = json.loads((tmp_path / "out" / "audit.json").read_text(encoding="utf-8"))["summary"]
    more = flagged["overstated"] + flagged["unsupported"] - 8
    assert more > 0 and f"and {more} more flagged claim(s)" in out


# --------------------------------------------------------------------------- exit codes


def test_an_unexpected_exception_is_exit_2_with_a_hint_and_debug_shows_the_traceback(site, monkeypatch):
    import claimaudit.check

    def broken(*args, **kwargs):
        raise RuntimeError("the engine tripped")

    monkeypatch.setattr(claimaudit.check, "run_check", broken)
    monkeypatch.chdir(site)
    runner = CliRunner()
    result = runner.invoke(main, ["check", "page.html", "-s", "pack.yaml"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "claimaudit: internal error: RuntimeError: the engine tripped; rerun with --debug" in result.output
    assert "Traceback" not in result.output
    result = runner.invoke(main, ["--debug", "check", "page.html", "-s", "pack.yaml"], catch_exceptions=False)
    assert result.exit_code == 2
    assert "Traceback" in result.output and "the engine tripped" in result.output


def _big_site(root: Path, pages: int = 60) -> Path:
    folder = root / "big"
    folder.mkdir()
    for n in range(pages):
        body = "\n".join(
            f"<p>In trial {n}-{k}, the capsule cut knee pain by {10 + k}% within {k + 2} weeks in adults.</p>"
            for k in range(25))
        (folder / f"page-{n:03}.html").write_text(f"<html><body><main>{body}</main></body></html>",
                                                  encoding="utf-8")
    return folder


@pytest.mark.parametrize("signum, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_run_exits_with_the_signal_code_and_no_traceback(site, signum, code):
    _big_site(site, pages=600)
    process = subprocess.Popen([CLAIMAUDIT, "audit", "big", "-s", "pack.yaml", "-o", "out", "-f", "json"],
                               cwd=site, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "CLAIMAUDIT_CACHE_DIR": "off"})
    time.sleep(1.5)
    process.send_signal(signum)
    _, err = process.communicate(timeout=120)
    if process.returncode == 0:  # the machine was fast enough to finish first
        pytest.skip("the audit ended before the signal")
    assert process.returncode == code, err.decode()
    assert "Traceback" not in err.decode()


# --------------------------------------------------------------------------- reports are written as a set


def test_an_interrupt_never_leaves_a_mixed_report_set(site):
    _big_site(site, pages=25)
    out = site / "out"
    out.mkdir()
    old = {"audit.json": "old json\n", "audit.html": "old html\n", "claims.csv": "old csv\n"}
    outcomes = set()
    for attempt in range(8):
        for name, text in old.items():
            (out / name).write_text(text, encoding="utf-8")
        process = subprocess.Popen([CLAIMAUDIT, "audit", "big", "-s", "pack.yaml", "-o", "out",
                                    "-f", "json,html,csv"], cwd=site, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, env={**os.environ, "CLAIMAUDIT_CACHE_DIR": "off"})
        # Staggered so that some signals land while reports are being written.
        time.sleep(0.6 + attempt * 0.35)
        process.send_signal(signal.SIGTERM if attempt % 2 else signal.SIGINT)
        process.wait(timeout=120)
        contents = {name: (out / name).read_text(encoding="utf-8") for name in old}
        is_old = [contents[name] == old[name] for name in old]
        assert all(is_old) or not any(is_old), (attempt, is_old)
        outcomes.add("old" if all(is_old) else "new")
        assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_temporaries_of_a_killed_writer_are_removed_by_the_next_run(tmp_path):
    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True)
    dead_pid = int(finished.stdout)
    stale = tmp_path / f".audit.html.{dead_pid}.abc123.tmp"
    stale.write_text("half a report", encoding="utf-8")
    mine = tmp_path / f".audit.json.{os.getpid()}.xyz.tmp"
    mine.write_text("being written", encoding="utf-8")
    write_atomic_set({tmp_path / "audit.html": "<p>new</p>", tmp_path / "audit.json": "{}"})
    assert not stale.exists()
    assert mine.exists()  # a live writer's temporary is left alone
    assert remove_stale_temporaries(tmp_path) == []


def test_a_set_whose_second_file_cannot_be_staged_changes_nothing(tmp_path):
    (tmp_path / "audit.json").write_text("old", encoding="utf-8")
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where a folder should be", encoding="utf-8")
    from claimaudit.errors import InputError

    with pytest.raises(InputError, match="blocked"):
        write_atomic_set({tmp_path / "audit.json": "new", blocked / "audit.html": "<p>new</p>"})
    assert (tmp_path / "audit.json").read_text(encoding="utf-8") == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["audit.json", "blocked"]


# --------------------------------------------------------------------------- write errors name the report


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_out_folder_names_the_report_not_a_temporary(site):  # pragma: no cover - non-root only
    out = site / "out"
    out.mkdir()
    out.chmod(0o500)
    result = cli("audit", "page.html", "-s", "pack.yaml", "-o", out, "-f", "html")
    line = assert_one_clear_error(result, "audit.html")
    assert ".tmp" not in line


def test_a_full_disk_is_exit_2_naming_the_report(site):
    def small_files():
        # Writes past 64 KiB fail with EFBIG, as a full disk fails with ENOSPC.
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

    result = cli("audit", EXAMPLE_PAGE, "-s", EXAMPLE_SOURCES, "-o", site / "out", "-f", "html",
                 env={"CLAIMAUDIT_CACHE_DIR": "off"}, preexec_fn=small_files)
    err = result.stderr.decode()
    assert result.returncode == 2, err
    assert "out/audit.html: cannot write:" in err
    assert "Traceback" not in err and ".tmp" not in err
    assert not list((site / "out").glob(".*.tmp"))


def test_a_file_name_the_system_cannot_write_names_the_out_folder(site):
    (site / "out").write_text("a file, not a folder", encoding="utf-8")
    result = cli("audit", "page.html", "-s", "pack.yaml", "-o", "out", "-f", "json", cwd=site)
    assert_one_clear_error(result, "out")


# --------------------------------------------------------------------------- nothing reaches the terminal raw


# Written as character references, as a page would smuggle them past an editor.
HOSTILE = ("<html><body><main><p>Our capsule &#27;[2J&#27;]0;owned&#7;cures arthritis &#x202e;evil&#x202c; "
           "for good [/note] [see note] [bold]really[/bold].</p></main></body></html>")


def test_control_characters_and_markup_from_copy_are_shown_not_acted_on(site):
    (site / "hostile.html").write_text(HOSTILE + "\n", encoding="utf-8")
    for fmt in ("text", "github"):
        result = cli("check", "hostile.html", "-s", "pack.yaml", "-f", fmt, "-v", "--no-color", cwd=site) \
            if fmt == "text" else cli("check", "hostile.html", "-s", "pack.yaml", "-f", fmt, cwd=site)
        out = result.stdout.decode()
        assert result.returncode == 1, result.stderr.decode()
        for raw in ("\x1b", "\x07", "\u202e", "\u202c"):
            assert raw not in out, (fmt, raw)
        assert "\\x1b" in out and "\\u202e" in out
    result = cli("audit", "hostile.html", "-s", "pack.yaml", "-o", "out", "-f", "json", cwd=site,
                 env={"COLUMNS": "400"})
    out = result.stdout.decode()
    assert result.returncode == 0, result.stderr.decode()
    assert "[/note]" in out and "[see note]" in out and "[bold]really[/bold]" in out
    assert "\x1b]0;" not in out and "\x07" not in out


def test_a_hostile_file_name_is_escaped_in_the_error(site):
    name = "bad\x1b[31mname.md"
    (site / name).write_bytes(b"\xff\xfe\x00\xd8\x00\xd8")
    result = cli("check", name, "-s", "pack.yaml", cwd=site)
    err = result.stderr.decode()
    assert result.returncode == 2
    assert "\x1b" not in err and "bad\\x1b[31mname.md" in err


# --------------------------------------------------------------------------- limits set from the config


def test_a_file_with_more_claims_than_the_limit_is_reported_and_the_rest_audited(site):
    register = "claim\n" + "".join(f"Walking eases back pain in {n}% of adults.\n" for n in range(30))
    (site / "register.csv").write_text(register, encoding="utf-8")
    result = cli("check", "register.csv", "page.html", "-s", "pack.yaml", "-f", "json", cwd=site,
                 env={"CLAIMAUDIT_MAX_CLAIMS_PER_DOCUMENT": "20"})
    assert result.returncode == 2
    report = json.loads(result.stdout)
    assert [d["path"] for d in report["documents"]] == ["page.html"]
    assert "max-claims-per-document" in report["problems"][0]["message"]
    err = result.stderr.decode()
    assert "register.csv: 30 claims is over the limit of 20 claims" in err


def test_limits_can_be_set_in_the_config_with_units(site):
    (site / ".claimaudit.toml").write_text('[limits]\nmax-input-bytes = "1KB"\n', encoding="utf-8")
    (site / "long.md").write_text("Walking eases back pain in adults. " * 60, encoding="utf-8")
    result = cli("check", "long.md", "-s", "pack.yaml", cwd=site)
    assert_one_clear_error(result, "long.md", "over the limit of 1,024 bytes", "max-input-bytes")
    (site / ".claimaudit.toml").write_text('[limits]\nmax-input-bites = 5\n', encoding="utf-8")
    result = cli("check", "page.html", "-s", "pack.yaml", cwd=site)
    assert_one_clear_error(result, ".claimaudit.toml", "max-input-bites")


def test_a_pack_with_several_problems_is_still_one_line(site):
    (site / "two.yaml").write_text("sources:\n  - id: a\n  - id: b\n    summary: fine\n  - summary: no id\n",
                                   encoding="utf-8")
    result = cli("check", "page.html", "-s", "two.yaml", cwd=site)
    line = assert_one_clear_error(result, "two.yaml:2")
    assert "also two.yaml:5" in line and "\\n" not in line


FINALISER_SIGNAL = """
import os, signal, time
from claimaudit import cli

class Finalised:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)

def command():
    Finalised()  # the signal arrives while Python runs this finaliser
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        pass
    print("the command ran to its end")

cli.main = command
cli.run()
"""


def test_a_sigterm_raised_inside_a_finaliser_still_stops_the_run_with_143(tmp_path):
    script = tmp_path / "finaliser_signal.py"
    script.write_text(FINALISER_SIGNAL, encoding="utf-8")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 143, done.stderr
    assert "ran to its end" not in done.stdout
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
