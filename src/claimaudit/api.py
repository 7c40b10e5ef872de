"""The Python API: ``audit(copy, sources=...)`` returning findings and renderers."""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from claimaudit.errors import InputError
from claimaudit.ingest import (
    COPY_SUFFIXES,
    URL_PREFIXES,
    CopyReading,
    collect_cited_sources,
    literal_document,
    read_copy_paths,
    sources_from_data,
)
from claimaudit.ingest.sources import SourcePack, load_packs, pack_from_data
from claimaudit.model import AuditResult, Document, InputProblem, Source
from claimaudit.pipeline import Executor, audit_documents
from claimaudit.rules.loader import Rule, load_rules

if TYPE_CHECKING:
    from claimaudit.ingest.web import WebReader

FINDING_COLUMNS = [
    "id", "document", "line", "column", "start", "end", "text", "verdict", "confidence",
    "claim_type", "section", "rules", "reasons", "evidence_source", "evidence", "similarity", "suggestion",
    "scope", "page", "url", "fetched_at", "evidence_page",
    "fingerprint", "register_id", "library_id", "library_status",
]
# Text that was read but judged not to be a claim: the rows of the JSON report's `not_audited`.
NOT_AUDITED_COLUMNS = ["document", "text", "line", "reason", "scope"]


def _is_literal_copy(value: str) -> bool:
    """Whether an in-memory string is copy rather than a path.

    Copy has a line break, starts with markup, or reads as words; anything
    else is taken as a path, so a mistyped file name is an error, not a page
    of one word that passes.
    """
    if "\n" in value or value.lstrip().startswith("<"):
        return True
    if Path(value).exists() or value.lower().startswith(URL_PREFIXES):
        return False
    return bool(re.search(r"\s", value.strip())) and Path(value).suffix.lower() not in COPY_SUFFIXES


def read_copy_inputs(copy: Any, web: WebReader | None = None) -> CopyReading:
    """Documents from paths, folders, URLs (fetched by ``web``), in-memory text or Document objects,
    with every problem kept."""
    items = [copy] if isinstance(copy, (str, Path, Document)) else list(copy)
    reading = CopyReading()
    for n, item in enumerate(items):
        if isinstance(item, Document):
            reading.documents.append(item)
        elif isinstance(item, str) and _is_literal_copy(item):
            reading.documents.append(literal_document(item, n))
        elif isinstance(item, (str, Path)):
            reading.extend(read_copy_paths([item], web=web))
        else:
            raise InputError(f"cannot audit a {type(item).__name__}; pass a path, text or a Document")
    return reading


def _addresses(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def raise_problems(problems: list[InputProblem]) -> None:
    """One InputError for every file that could not be read (the first named, the count of the rest)."""
    if not problems:
        return
    first = problems[0]
    more = f" (and {len(problems) - 1} more unreadable file(s))" if len(problems) > 1 else ""
    raise InputError(first.message + more, path=first.path, line=first.line)


def _read_documents(reading: CopyReading) -> list[Document]:
    raise_problems(reading.problems)
    if not reading.documents:
        raise InputError("nothing to audit: no copy was given")
    return reading.documents


def read_copy(copy: Any) -> list[Document]:
    """Documents from paths, folders, in-memory text or Document objects; any unreadable file is an error."""
    return _read_documents(read_copy_inputs(copy))


def read_sources(sources: Any, documents: list[Document]) -> list[Source]:
    """Sources from packs, dicts or Source objects; from the copy when none are given."""
    return read_pack(sources, documents).sources


def read_pack(sources: Any, documents: list[Document]) -> SourcePack:
    """Sources and the packs' aliases from packs, dicts or Source objects; from the copy when none are given."""
    from claimaudit.evidence.aliases import merge_aliases

    if sources is None or (isinstance(sources, (list, tuple)) and not sources):
        return SourcePack(collect_cited_sources(documents))
    items = sources if isinstance(sources, (list, tuple)) else [sources]
    if isinstance(sources, dict):
        items = [sources]
    found: list[Source] = []
    aliases: dict[str, tuple[str, ...]] = {}
    paths: list[Any] = []
    for item in items:
        if isinstance(item, Source):
            found.append(item)
        elif isinstance(item, dict) and "sources" in item:
            pack = pack_from_data(item, origin="<python>")
            found.extend(pack.sources)
            aliases = merge_aliases(aliases, pack.aliases)
        elif isinstance(item, dict):
            found.extend(sources_from_data([item], origin="<python>"))
        else:
            paths.append(item)
    if paths:
        # Read as one, so records of the same author and year in two packs get letters, not one id twice.
        pack = load_packs(paths)
        found.extend(pack.sources)
        aliases = merge_aliases(aliases, pack.aliases)
    seen: dict[str, Source] = {}
    for source in found:
        if source.id in seen:
            raise InputError(f"source id {source.id!r} is given twice ({seen[source.id].origin or 'first'} and {source.origin or 'again'})")
        seen[source.id] = source
    return SourcePack(found, aliases)


@dataclass
class Audit:
    """The result of an audit, with the findings as a DataFrame and renderers."""

    result: AuditResult

    @property
    def findings(self):
        import pandas as pd

        rows = []
        for f in self.result.findings:
            best = f.evidence[0] if f.evidence else None
            rows.append({
                "id": f.id, "document": f.document, "line": f.line, "column": f.column,
                "start": f.start, "end": f.end, "text": f.text, "verdict": f.verdict,
                "confidence": f.confidence, "claim_type": f.claim_type, "section": f.section,
                "rules": ", ".join(r.code for r in f.reasons),
                "reasons": " | ".join(r.message for r in f.reasons),
                "evidence_source": best.source if best else "",
                "evidence": best.text if best else "",
                "similarity": best.similarity if best else 0.0,
                "suggestion": f.suggestion,
                "scope": f.scope or "body",
                # Paged copy: the page or slide `line` counts from; None elsewhere.
                "page": f.page,
                "url": f.url,
                "fetched_at": f.fetched_at,
                "evidence_page": best.page if best else None,
                # The key approvals follow; a claims register's own id; how a claims library sees it.
                "fingerprint": f.fingerprint,
                "register_id": f.register_id,
                "library_id": f.library.get("id", ""),
                "library_status": f.library.get("status", ""),
            })
        frame = pd.DataFrame(rows, columns=FINDING_COLUMNS)
        # Whole page numbers with blanks where there is none (plain pages), not 2.0 and NaN.
        return frame.astype({"page": "Int64", "evidence_page": "Int64"})

    @property
    def not_audited(self):
        """Every piece of text that was read but not audited as a claim, and why
        (a call to action, navigation, a scope the config leaves out...), as a
        DataFrame with the JSON report's rows, in its order."""
        import pandas as pd

        from claimaudit.report.json_report import not_audited_rows

        rows = not_audited_rows(self.result)
        # As in the JSON, a page column only where paged copy (a PDF, a deck) was read.
        paged = ["page"] if any("page" in row for row in rows) else []
        frame = pd.DataFrame(rows, columns=NOT_AUDITED_COLUMNS + paged)
        return frame.astype({"page": "Int64"}) if paged else frame

    @property
    def summary(self) -> dict[str, int]:
        return self.result.summary()

    def to_json(self, path=None) -> str:
        from claimaudit.report import render_json, write_json

        if path is not None:
            write_json(self.result, path)
        return render_json(self.result)

    def to_html(self, path, template_dirs=()) -> None:
        from claimaudit.report import write_html

        write_html(self.result, path, template_dirs=template_dirs)

    def to_excel(self, path) -> None:
        from claimaudit.report import write_xlsx

        write_xlsx(self.result, path)


def audit(
    copy: Any,
    sources: Any = None,
    *,
    rules: Iterable[str | Path] = (),
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
    levels: dict[str, str] | None = None,
    loaded_rules: list[Rule] | None = None,
    on_document=None,
    aliases: dict[str, Any] | None = None,
    semantic: bool = False,
    sitemap: str | Iterable[str] = (),
    crawl: str | Iterable[str] = (),
    max_pages: int = 50,
    delay: float = 1.0,
    fetched: str | Path | None = None,
    library: str | Path | Any = None,
    as_of: Any = None,
    jobs: int = 1,
    dask: str | None = None,
    executor: Executor | None = None,
) -> Audit:
    """Audit copy against its sources.

    ``copy``: a path, folder, http(s) URL, text, or a list of them. ``sitemap``:
    sitemap URLs whose pages are audited too; ``crawl``: start URLs of sites
    whose pages (same host, breadth first) are audited, at most ``max_pages``
    from each; ``delay``: seconds between two requests to one host;
    ``fetched``: a folder where every fetched page is saved with a record of
    its URL, status, headers and fetch time (default: not saved). ``sources``: a source
    pack path, a dict ``{"sources": [...], "aliases": {...}}``, a list of source
    dicts, or None to use the citations inside the copy. ``rules``: extra rule
    packs. ``aliases``: names copy uses for what the sources name otherwise,
    ``{"FlexiCur": ["curcumin"]}``, added to the packs' own. ``semantic``: weigh
    meaning beside the words with the optional sentence model; without the
    ``claimaudit[semantic]`` extra installed it raises ``SemanticUnavailable``
    (an ``InputError``) naming the extra. ``library``: a claims library of
    approved claims (a .csv, .xlsx or .yaml path, or a loaded
    ``claimaudit.review.library.Library``); each finding's ``library`` then says
    whether it is the approved wording, deviates from it or its approval
    expired on ``as_of`` (a date or ``YYYY-MM-DD``; default today). Verdicts
    are not changed by it. ``jobs``: worker processes on this machine (forked)
    that judge the documents (default 1: this process). ``dask``: a Dask
    scheduler's address, or ``"local"`` for a LocalCluster of ``jobs`` workers
    (default the cores available; its workers start as new interpreters, so the
    calling script's ``__main__`` must be importable); it needs the
    ``claimaudit[dask]`` extra. ``executor``: any
    :class:`claimaudit.pipeline.Executor`, instead of ``jobs`` and ``dask``. The
    result is the same however the work is run.
    """
    from claimaudit.evidence.aliases import merge_aliases, validate_aliases
    from claimaudit.executors import executor_for

    # An executor made here is closed here; one given by the caller stays the caller's.
    owned = executor_for(None if dask is not None and jobs == 1 else jobs, dask) if executor is None else None
    run_by = executor if executor is not None else owned

    given_aliases = validate_aliases(aliases, path="<python>")
    approved = None
    if library is not None:
        from claimaudit.review.library import Library, load_library, parse_date

        approved = library if isinstance(library, Library) else load_library(library)
        as_of = parse_date(as_of, field_name="as_of")
    meaning = None
    if semantic:
        # Imported only when asked for: the rule-only path loads nothing new.
        from claimaudit.evidence.meaning import Meaning

        meaning = Meaning()
    from claimaudit.ingest.web import WebOptions, WebReader

    options = WebOptions(sitemaps=_addresses(sitemap), crawls=_addresses(crawl), max_pages=max_pages, delay=delay,
                         fetched_dir=str(fetched) if fetched is not None else None)
    with WebReader(options) as web:
        reading = read_copy_inputs(copy, web=web)
        reading.extend(web.read_sites())
    documents = _read_documents(reading)
    source_pack = read_pack(sources, documents)
    pack = source_pack.sources
    active = loaded_rules if loaded_rules is not None else load_rules(
        list(rules), disable=list(disable), enable=list(enable), levels=levels
    )
    for rule in active:
        # Each call is a run of its own: rules shared across calls get their whole pattern time.
        rule.pattern_run.spent = 0.0
    with owned if owned is not None else nullcontext():
        result = audit_documents(documents, pack, active, on_document=on_document,
                                 aliases=merge_aliases(given_aliases, source_pack.aliases), meaning=meaning,
                                 executor=run_by)
    if meaning is not None:
        result.semantic_model = meaning.settings.model
    raise_problems(result.problems)
    if approved is not None:
        from claimaudit.review.library import apply_library

        apply_library(result, approved, as_of)
    result.skipped = list(reading.skipped)
    if not pack:
        result.warnings.append("no sources were given and the copy cites none: every claim is unsupported")
    return Audit(result)
