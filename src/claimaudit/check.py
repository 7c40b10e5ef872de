"""The one orchestration behind ``claimaudit audit`` and ``claimaudit check``.

The command line, the config file and its per-path overrides decide, for each
copy file, which rules are on, at which level, which source pack applies and
what fails the check. Files that share those settings are audited together;
the results are merged into one :class:`~claimaudit.model.AuditResult` in the
order the files were given.
"""

from __future__ import annotations

import datetime
import os

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from claimaudit.config import DocumentSettings, LoadedConfig, RuleLayer
from claimaudit.errors import InputError
from claimaudit.model import AuditResult, Document, InputProblem, SkippedFile, Source

if TYPE_CHECKING:
    from claimaudit.evidence.meaning import Meaning
    from claimaudit.ingest.sources import SourcePack
    from claimaudit.ingest.web import WebOptions
    from claimaudit.pipeline import BatchResult, Executor
    from claimaudit.rules.loader import Rule

NO_SOURCES_WARNING = "no sources were given and the copy cites none: every claim is unsupported"


@dataclass
class CheckOptions:
    """What the command line asked for; empty values defer to the config."""

    copy: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    disable: list[str] = field(default_factory=list)
    enable: list[str] = field(default_factory=list)
    levels: dict[str, str] = field(default_factory=dict)
    fail_on: str | None = None
    use_cache: bool = True
    texts: list[str] = field(default_factory=list)  # --text: literal copy
    stdin: tuple[str, bytes] | None = None  # COPY "-": (name for findings, bytes read)
    on_document: Callable[[Document], None] | None = None
    semantic: bool = False  # --semantic; the config's `semantic = true` switches it on too
    web: WebOptions | None = None  # --sitemap, --crawl and how pages are fetched; None: no copy from the web
    library: str | None = None  # --library: a claims library of approved claims to mark the findings against
    as_of: datetime.date | None = None  # --as-of: the date approvals are judged on (default: today)
    jobs: int | None = None  # --jobs: worker processes (default: the cores available); sizes --dask local
    dask: str | None = None  # --dask: a Dask scheduler's address, or "local" for a LocalCluster
    claims_per_batch: int | None = None  # how finely the documents are cut into batches (default: the pipeline's)
    on_batch: Callable[[BatchResult], None] | None = None  # sees each batch's findings as they are judged

    def rule_layer(self) -> RuleLayer:
        return RuleLayer(tuple(self.disable), tuple(self.enable), tuple(sorted(self.levels.items())))


@dataclass
class CheckRun:
    result: AuditResult
    fail_on: str
    fail_on_by_document: Mapping[str, str]


def copy_paths(options: CheckOptions, config: LoadedConfig) -> list[str]:
    sites = options.web is not None and bool(options.web.sitemaps or options.web.crawls)
    if options.copy or options.texts or options.stdin or sites:
        return [c for c in options.copy if c != "-"]
    if config.config.paths:
        return [config.resolve(p) for p in config.config.paths]
    where = f" (or `paths` in {config.path})" if config.path else " (or set `paths` in .claimaudit.toml)"
    raise InputError(f"nothing to check: name the copy files or folders on the command line{where}")


@dataclass
class _Inputs:
    documents: list[Document]
    skipped: list[SkippedFile]
    problems: list[InputProblem]


def _read_inputs(options: CheckOptions, config: LoadedConfig) -> _Inputs:
    from claimaudit.ingest import literal_document, load_document_bytes, problem_from, read_copy_paths

    paths = copy_paths(options, config)
    exclude = _copy_exclusion(paths, options, config)
    if options.web is None:
        reading = read_copy_paths(paths, exclude=exclude)
    else:
        from claimaudit.ingest.web import WebReader

        with WebReader(options.web) as web:
            reading = read_copy_paths(paths, exclude=exclude, web=web)
            reading.extend(web.read_sites())
    documents = list(reading.documents)
    problems = list(reading.problems)
    if options.stdin is not None:
        name, data = options.stdin
        try:
            documents.append(load_document_bytes(data, name))
        except InputError as error:
            problems.append(problem_from(error, name))
    documents += [literal_document(text, n) for n, text in enumerate(options.texts)]
    for document in documents:
        document.skip_scopes = frozenset(config.config.skip_scopes)  # listed as not audited
    return _Inputs(documents, reading.skipped, problems)


def _real(path: str) -> str:
    return os.path.normcase(os.path.realpath(path))


def _copy_exclusion(paths: list[str], options: CheckOptions, config: LoadedConfig) -> Callable[[str], bool]:
    """The config's `exclude`, and the run's sources met in a folder of copy.

    A folder of copy may hold the sources too (`paths = ["site"]`, `sources =
    ["site/refs"]`): a paper's PDF or a summary there is evidence, and audited as
    copy it would fail the check on claims no one made. A file named on the
    command line is audited as asked.
    """
    written = list(options.sources) or [config.resolve(p) for p in config.config.sources]
    for override in config.config.overrides:
        written += [config.resolve(p) for p in override.sources or ()]
    sources = {_real(p) for p in written if "://" not in p}
    folders = tuple(p.rstrip(os.sep) + os.sep for p in sources if os.path.isdir(p))
    named = {_real(p) for p in paths if "://" not in p and not os.path.isdir(p)}

    def excluded(path: str) -> bool:
        if config.excluded(path):
            return True
        if not sources:
            return False
        real = _real(path)
        return real not in named and (real in sources or real.startswith(folders))

    return excluded


def _merge(results: list[AuditResult], documents: list[Document]) -> AuditResult:
    order = {d.path: i for i, d in enumerate(documents)}
    findings = [f for r in results for f in r.findings]
    findings.sort(key=lambda f: (order.get(f.document, len(order)), f.start))
    sources: dict[str, Source] = {}
    # Keyed by code; a rule definition without one stands for itself.
    rules: dict[str | int, object] = {}
    warnings: list[str] = []
    problems = [p for r in results for p in r.problems]
    unread = {p.path for p in problems}
    documents = [d for d in documents if d.path not in unread]
    for result in results:
        for source in result.sources:
            sources.setdefault(source.id, source)
        for rule in result.rules:
            rules.setdefault(getattr(rule, "code", id(rule)), rule)
        warnings += [w for w in result.warnings if w not in warnings]
    from claimaudit import __version__

    version = results[0].tool_version if results else __version__
    return AuditResult(documents=documents, sources=list(sources.values()), findings=findings,
                       rules=sorted(rules.values(), key=lambda r: getattr(r, "code", "")),
                       tool_version=version, warnings=warnings, problems=problems,
                       not_audited=sorted((n for r in results for n in r.not_audited),
                                          key=lambda n: order.get(n.document, len(order))))


def run_check(options: CheckOptions, config: LoadedConfig) -> CheckRun:
    """Read the copy, apply the settings per file, audit, and merge."""
    from claimaudit import cache

    from claimaudit.executors import executor_for

    # use_cache=False reads and writes no cache entry of any kind, as --no-cache.
    with cache.disabled(not options.use_cache), \
            executor_for(options.jobs, options.dask, claims_per_batch=options.claims_per_batch) as executor:
        return _run_check(options, config, executor)


def _run_check(options: CheckOptions, config: LoadedConfig, executor: Executor | None = None) -> CheckRun:
    from claimaudit import __version__
    from claimaudit.api import read_pack
    from claimaudit.evidence.aliases import merge_aliases
    from claimaudit.claims.anatomy import persistent_analyses
    from claimaudit.pipeline import audit_documents
    from claimaudit.rule_cache import load_rule_set, select_rules

    settings_config = config.config
    # Before any copy is read, so a missing extra fails at once; one model for every group of files.
    meaning = meaning_for(options.semantic, config)
    library = None
    if options.library:
        from claimaudit.review.library import load_library

        library = load_library(options.library)  # before the copy, so a bad library fails fast
    inputs = _read_inputs(options, config)
    documents = inputs.documents
    if not documents:
        if not inputs.problems:
            raise InputError("nothing to check: every copy file named is excluded by the config's `exclude`",
                             path=str(config.path) if config.path else None)
        result = AuditResult(documents=[], sources=[], findings=[], tool_version=__version__,
                             skipped=inputs.skipped, problems=inputs.problems)
        result.warnings += unread_warnings(result)
        return CheckRun(result, options.fail_on or settings_config.fail_on or "overstated", {})
    rule_packs = options.rules or _configured_paths(config, settings_config.rules, "rules", "rule pack")
    all_rules = load_rule_set(rule_packs, use_cache=options.use_cache)
    cli_layer = options.rule_layer()
    settings: dict[str, DocumentSettings] = {
        d.path: config.settings_for(d.path, cli_layer, options.fail_on) for d in documents
    }

    groups: dict[tuple[tuple[RuleLayer, ...], tuple[str, ...] | None], list[Document]] = {}
    for document in documents:
        chosen = settings[document.path]
        groups.setdefault((chosen.layers, chosen.sources), []).append(document)

    run_pack_paths = options.sources or _configured_paths(config, settings_config.sources, "sources", "source pack")
    run_pack: SourcePack | None = None
    active_by_layers: dict[tuple[RuleLayer, ...], list[Rule]] = {}
    results: list[AuditResult] = []
    for (layers, pack_paths), group in groups.items():
        if layers not in active_by_layers:
            active_by_layers[layers] = select_rules(all_rules, layers)
        if pack_paths is not None:
            n = settings[group[0].path].sources_override
            if n is not None:
                _configured_paths(config, settings_config.overrides[n].sources or [], f"overrides[{n}].sources",
                                  "source pack")
            source_pack = read_pack(list(pack_paths), group)
        else:
            if run_pack is None:
                # Sources cited inside the copy are pooled over every file, as `audit` does.
                run_pack = read_pack(list(run_pack_paths) or None, documents)
            source_pack = run_pack
        pack = source_pack.sources
        with persistent_analyses(options.use_cache):
            result = audit_documents(group, pack, active_by_layers[layers], on_document=options.on_document,
                                     aliases=merge_aliases(config.aliases, source_pack.aliases), meaning=meaning,
                                     executor=executor, on_batch=options.on_batch)
        if not pack:
            result.warnings.append(NO_SOURCES_WARNING)
        results.append(result)
    fail_on_by_document = {path: s.fail_on for path, s in settings.items()}
    default = options.fail_on or settings_config.fail_on or "overstated"
    merged = _merge(results, documents)
    merged.skipped = inputs.skipped
    merged.problems = inputs.problems + merged.problems
    merged.warnings += unread_warnings(merged)
    if meaning is not None:
        merged.semantic_model = meaning.settings.model
    if library is not None:
        from claimaudit.review.library import apply_library

        # After judging: the library marks findings, it never changes a verdict.
        apply_library(merged, library, options.as_of)
    return CheckRun(merged, default, fail_on_by_document)


def _configured_paths(config: LoadedConfig, written: list[str], key: str, what: str) -> list[str]:
    """Paths from a config setting, resolved; a missing one names the config file and the setting,
    since the reader may never have typed that path."""
    resolved = [config.resolve(value) for value in written]
    for given, path in zip(written, resolved):
        if not os.path.exists(path):
            raise InputError(f"{what} {given!r} not found", path=str(config.path) if config.path else None,
                             field=f"{config.prefix}{key}")
    return resolved


def unread_warnings(result: AuditResult) -> list[str]:
    """Warnings naming the files in which no claim was found and the file types passed over,
    so that neither passes unnoticed."""
    from pathlib import Path

    warnings = [f"{path}: no claims found in its text" for path in result.documents_without_claims()]
    pages = [item for item in result.skipped if item.path.lower().startswith(("http://", "https://"))]
    files = [item for item in result.skipped if item not in pages]
    if files:
        kinds: dict[str, int] = {}
        for item in files:
            kind = Path(item.path).suffix.lower() or "(no extension)"
            kinds[kind] = kinds.get(kind, 0) + 1
        listed = ", ".join(f"{kind} ({n})" for kind, n in sorted(kinds.items()))
        warnings.append(f"passed over {len(files)} file(s) of types not read: {listed}")
    if pages:
        reasons: dict[str, int] = {}
        for item in pages:
            reasons[item.reason] = reasons.get(item.reason, 0) + 1
        listed = "; ".join(f"{reason} ({n})" for reason, n in sorted(reasons.items()))
        warnings.append(f"passed over {len(pages)} linked or listed page(s): {listed}")
    return [w for w in warnings if w not in result.warnings]


def meaning_for(flag: bool, config: LoadedConfig) -> Meaning | None:
    """The sentence model when ``--semantic`` (``flag``) or the config's ``semantic = true``
    asks for it, else None.

    The module is imported only here, so the rule-only path loads nothing new.
    A missing extra switched on by the config names the config file and key: the
    reader may not know that the file switches it on.
    """
    if not (flag or config.config.semantic):
        return None
    from claimaudit.evidence.meaning import INSTALL_HINT, Meaning, SemanticUnavailable

    try:
        return Meaning()
    except SemanticUnavailable:
        if flag or config.path is None:
            raise
        raise SemanticUnavailable(f"switched on here, but the optional sentence model is not installed: "
                                  f"{INSTALL_HINT}", path=str(config.path), line=config.line_of("semantic"),
                                  field=f"{config.prefix}semantic") from None
