"""Source packs: the cited-source summaries claims are held against.

A pack is YAML, JSON, CSV or XLSX (a list of sources, or ``{"sources": [...]}``)
or a folder of ``.md`` / ``.txt`` files, one source each, with the fields as
YAML front matter and the summary as the body. A YAML or JSON pack may also
hold a top-level ``aliases: {FlexiCur: [curcumin]}``: the names copy uses for
what the sources name otherwise (see ``evidence.aliases``). Every entry is validated and
every problem is reported as ``file:line: sources[i].field: what is wrong``,
so a reviewer can fix the pack without reading a traceback.

A pack may also be a bibliographic export (RIS, BibTeX, PubMed XML, MEDLINE,
CSL-JSON) or a paper's PDF, and a folder may hold any of these beside the
rest: see ``ingest.bibliography``, which also says how their ids are made.
"""

from __future__ import annotations

import bisect
import json
import json.scanner
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, TypedDict

from claimaudit.cache import cached_parse, source_pack_shape
from claimaudit.errors import InputError
from claimaudit.evidence.aliases import Aliases, LineOf, aliases_as_data, aliases_from_data, merge_aliases, \
    validate_aliases
from claimaudit.ingest.encoding import read_text
from claimaudit.model import Source

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from claimaudit.ingest.bibliography import Unnamed

# Read by claimaudit.ingest.bibliography, imported only when such a file is read.
BIBLIOGRAPHY_SUFFIXES = frozenset({".ris", ".bib", ".nbib", ".xml"})
PAPER_SUFFIXES = frozenset({".pdf"})

PACK_SUFFIXES = {".yaml", ".yml", ".json", ".csv", ".xlsx", *BIBLIOGRAPHY_SUFFIXES}
FOLDER_SOURCE_SUFFIXES = {".md", ".markdown", ".txt", *PAPER_SUFFIXES}
FIELDS = ("id", "summary", "citation", "doi", "pmid", "url", "kind")

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)(?:^(?:---|\.\.\.)[ \t]*$\n?)", re.DOTALL | re.MULTILINE)


@dataclass
class Located:
    """A raw entry and where its parts sit in the file (1-based lines; 0: not in a file)."""

    data: Any
    line: int
    field_lines: dict[str, int]


@dataclass
class SourcePack:
    """What a pack holds: its sources and the aliases it declares."""

    sources: list[Source]
    aliases: Aliases = field(default_factory=dict)


@dataclass
class Problem:
    line: int
    field: str
    message: str


def _describe(error: ErrorDetails) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return "field required"
    if kind == "extra_forbidden":
        return f"unknown field (the fields are: {', '.join(FIELDS)})"
    if kind == "string_type":
        return "must be text"
    if kind == "literal_error":
        return "must be 'summary' or 'internal'"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error.get("msg", "")))
    return str(error.get("msg", "invalid value")).lower()


def validate_entries(entries: list[Located], path: str, *, origin_path: str | None = None,
                     label: Callable[[int], str] = lambda i: f"sources[{i}]") -> list[Source]:
    """Validate located entries into Sources or raise one InputError listing every problem."""
    from pydantic import ValidationError

    from claimaudit.ingest.source_schema import SourceEntry

    problems: list[Problem] = []
    sources: list[Source] = []
    first_seen: dict[str, tuple[int, str]] = {}
    for index, entry in enumerate(entries):
        prefix = label(index)
        if not isinstance(entry.data, dict):
            problems.append(Problem(entry.line, prefix,
                                    "expected a mapping with at least 'id' and 'summary'"))
            continue
        data = {str(key): value for key, value in entry.data.items()}
        try:
            parsed = SourceEntry.model_validate(data)
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error.get("loc") else ""
                line = entry.field_lines.get(name, entry.line)
                field = f"{prefix}.{name}" if name else prefix
                problems.append(Problem(line, field, _describe(error)))
            continue
        id_line = entry.field_lines.get("id", entry.line)
        if parsed.id in first_seen:
            first_line, first_label = first_seen[parsed.id]
            where = f"line {first_line}" if first_line else first_label
            problems.append(Problem(id_line, f"{prefix}.id",
                                    f"duplicate id {parsed.id!r} (first used on {where})"))
            continue
        first_seen[parsed.id] = (id_line, prefix)
        sources.append(Source(
            id=parsed.id, summary=parsed.summary, citation=parsed.citation, doi=parsed.doi,
            pmid=parsed.pmid, url=parsed.url, kind=parsed.kind,
            origin=_where(origin_path or path, entry.line),
        ))
    if problems:
        raise_problems(problems, path)
    return sources


def _where(path: str, line: int) -> str:
    return f"{path}:{line}" if line else path


def raise_problems(problems: list[Problem], path: str) -> None:
    problems = sorted(problems, key=lambda p: p.line)
    first, rest = problems[0], problems[1:]
    detail = first.message
    if rest:
        # One line, as every error is: the other problems follow, each with its own line.
        detail += "".join(f"; also {_where(path, p.line)}: {p.field}: {p.message}" for p in rest)
    raise InputError(detail, path=path, line=first.line or None, field=first.field)


TOP_LEVEL_KEYS = ("sources", "aliases")


def _top_level_list(data: Any, path: str, line_of: Callable[[str], int]) -> Any:
    if isinstance(data, dict):
        unknown = [str(key) for key in data if key not in TOP_LEVEL_KEYS]
        if unknown:
            raise InputError(f"unknown top-level key {unknown[0]!r}; expected 'sources' (and optionally 'aliases')",
                             path=path, line=line_of(unknown[0]), field=unknown[0])
        if "sources" not in data:
            raise InputError("expected a 'sources' list", path=path, line=1)
        data = data["sources"]
    if data is None:
        raise InputError("the source pack is empty", path=path, line=1)
    if not isinstance(data, list):
        raise InputError("expected a list of sources (or a mapping with a 'sources' list)",
                         path=path, line=1, field="sources")
    return data


# --- YAML -----------------------------------------------------------------------


def _parse_yaml(text: str, path: str, line_offset: int = 0) -> tuple[Any, Any]:
    """The values (safe loader) and the same document with positions (round-trip), both bounded."""
    from claimaudit.structured import load_yaml, yaml_positions

    values = load_yaml(text, path, line_offset=line_offset)
    return values, yaml_positions(text, path, line_offset=line_offset)


def _yaml_key_line(node: Any, key: str, default: int, line_offset: int = 0) -> int:
    try:
        return node.lc.key(key)[0] + 1 + line_offset
    except (AttributeError, KeyError, TypeError):
        return default


def _top_level_aliases(data: Any, path: str, line_of: LineOf) -> Aliases:
    if not isinstance(data, dict) or "aliases" not in data:
        return {}
    return validate_aliases(data["aliases"], path=path, line_of=line_of)


def _yaml_alias_lines(positioned: Any) -> LineOf:
    top = _yaml_key_line(positioned, "aliases", 1)
    node = positioned.get("aliases") if isinstance(positioned, dict) else None

    def line_of(name: str, index: int | None) -> int:
        if not name or not isinstance(node, dict):
            return top
        line = _yaml_key_line(node, name, top)
        if index is not None:
            try:
                return node[name].lc.item(index)[0] + 1
            except (AttributeError, KeyError, TypeError, IndexError):
                return line
        return line

    return line_of


def _yaml_entries(text: str, path: str) -> tuple[list[Located], Aliases]:
    values, positioned = _parse_yaml(text, path)
    items = _top_level_list(values, path,
                            lambda key: _yaml_key_line(positioned, key, 1))
    positioned_items = positioned["sources"] if isinstance(positioned, dict) else positioned
    entries: list[Located] = []
    for index, item in enumerate(items):
        node = positioned_items[index]
        try:
            line = positioned_items.lc.item(index)[0] + 1
        except (AttributeError, KeyError, TypeError):
            line = 1
        field_lines: dict[str, int] = {}
        if isinstance(item, dict):
            field_lines = {str(key): _yaml_key_line(node, key, line) for key in item}
        entries.append(Located(item, line, field_lines))
    return entries, _top_level_aliases(values, path, _yaml_alias_lines(positioned))


# --- JSON -----------------------------------------------------------------------


class _PositionedDict(dict[str, Any]):
    start: int = 0


class _PositionedDecoder(json.JSONDecoder):
    """A JSON decoder that remembers where each object starts."""

    # The decoder's hooks that the pure-Python scanner calls; typeshed does not list them.
    # parse_object is json.decoder.JSONObject: ((text, end), strict, scan_once, hooks..., memo)
    # -> (the object, the end of it).
    parse_object: Callable[..., tuple[Any, int]]
    scan_once: Callable[[str, int], tuple[Any, int]]

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        plain_object = self.parse_object

        def parse_object(state: tuple[str, int], *args: Any, **kwargs: Any) -> tuple[_PositionedDict, int]:
            text, end = state
            value, new_end = plain_object(state, *args, **kwargs)
            located = _PositionedDict(value)
            located.start = end - 1
            return located, new_end

        self.parse_object = parse_object
        # typeshed lists only json.scanner.make_scanner (the C scanner, which never calls
        # parse_object); py_make_scanner, the pure-Python scanner that does, is missing from it.
        self.scan_once = json.scanner.py_make_scanner(self)  # type: ignore[attr-defined]


class _Lines:
    """Line numbers of offsets in one text: the line breaks are found once, then each look-up is a
    binary search, so naming the line of every field of a pack of thousands stays linear."""

    def __init__(self, text: str) -> None:
        self.breaks = [match.start() for match in re.finditer("\n", text)]

    def at(self, offset: int) -> int:
        return bisect.bisect_left(self.breaks, offset) + 1


def _json_entries(text: str, path: str) -> tuple[list[Located], Aliases]:
    from claimaudit.structured import load_json

    data = load_json(text, path, decoder=_PositionedDecoder)
    lines = _Lines(text)
    patterns: dict[str, re.Pattern[str]] = {}

    def key_line(container: Any, key: str, default: int) -> int:
        start = getattr(container, "start", 0)
        pattern = patterns.get(key)
        if pattern is None:
            pattern = patterns[key] = re.compile(r'"' + re.escape(key) + r'"\s*:')
        match = pattern.search(text, start)
        return lines.at(match.start()) if match else default

    items = _top_level_list(data, path, lambda key: key_line(data, key, 1))
    entries: list[Located] = []
    for item in items:
        line = lines.at(getattr(item, "start", 0))
        field_lines: dict[str, int] = {}
        if isinstance(item, dict):
            field_lines = {str(key): key_line(item, str(key), line) for key in item}
        entries.append(Located(dict(item) if isinstance(item, dict) else item, line, field_lines))
    table = data.get("aliases") if isinstance(data, dict) else None

    def alias_line(name: str, index: int | None) -> int:
        top = key_line(data, "aliases", 1)
        return key_line(table, name, top) if name and isinstance(table, dict) else top

    return entries, _top_level_aliases(data, path, alias_line)


# --- CSV / XLSX -------------------------------------------------------------------


def _table_entries(header: list[str], rows: list[tuple[int, list[str]]], path: str,
                   header_line: int) -> list[Located]:
    from claimaudit.ingest.table import normalise_header

    names = [normalise_header(h).replace(" ", "_") for h in header]
    for column, name in enumerate(names):
        if name and name not in FIELDS:
            raise InputError(f"unknown column {header[column].strip()!r} "
                             f"(the columns are: {', '.join(FIELDS)})",
                             path=path, line=header_line, field=header[column].strip())
    entries: list[Located] = []
    for line, values in rows:
        data: dict[str, str] = {}
        for column, name in enumerate(names):
            if not name:
                continue
            value = values[column].strip() if column < len(values) else ""
            if value or name in ("id", "summary"):
                data[name] = value
        entries.append(Located(data, line, {}))
    return entries


def _csv_entries(text: str, path: str) -> tuple[list[Located], Aliases]:
    from claimaudit.ingest.table import read_delimited

    rows = read_delimited(text)
    if not rows:
        raise InputError("the source pack is empty", path=path, line=1)
    header = [cell.text for cell in rows[0].cells]
    body = [(row.line, [cell.text for cell in row.cells]) for row in rows[1:]]
    return _table_entries(header, body, path, rows[0].line), {}


def _xlsx_entries(path: str) -> list[Located]:
    from claimaudit.ingest.table import read_workbook_rows

    rows, _sheet = read_workbook_rows(path, want=("id", "summary"))
    numbered = [(number, row) for number, row in enumerate(rows, start=1)
                if any(cell.strip() for cell in row)]
    if not numbered:
        raise InputError("the source pack is empty", path=path, line=1)
    header_line, header = numbered[0]
    return _table_entries(header, numbered[1:], path, header_line)


# --- folder of text files ------------------------------------------------------------


def _folder_file_source(path: Path) -> tuple[Located, str]:
    decoded = read_text(path)
    text = decoded.text
    front = _FRONT_MATTER.match(text)
    fields: dict[str, Any] = {}
    field_lines: dict[str, int] = {}
    body = text
    body_line = 1
    if front:
        values, positioned = _parse_yaml(front.group(1), str(path), line_offset=1)
        if values is not None and not isinstance(values, dict):
            raise InputError("front matter must be a mapping of fields", path=str(path), line=2)
        fields = dict(values or {})
        field_lines = {str(key): _yaml_key_line(positioned, key, 2, line_offset=1)
                       for key in fields}
        body = text[front.end():]
        body_line = text.count("\n", 0, front.end()) + 1
    summary = body.strip()
    if path.suffix.lower() in (".md", ".markdown") and summary:
        from claimaudit.ingest.markdown import extract_markdown_blocks

        summary = "\n\n".join(block.text for block in extract_markdown_blocks(body)
                              if block.kind != "heading" and not block.set_aside)
    if "summary" in fields and summary:
        raise InputError("the summary is given twice: in the front matter and as the body",
                         path=str(path), line=field_lines.get("summary", 2), field="summary")
    if summary:
        fields["summary"] = summary
        field_lines["summary"] = body_line
    fields.setdefault("id", path.stem)
    return Located(fields, 1, field_lines), str(path)


@dataclass
class _Gathered:
    """Sources read from one or more pack files: those with ids of their own, and those
    (bibliographic records, papers' PDFs) whose ids are made once all are read."""

    named: list[Source] = field(default_factory=list)
    unnamed: list[Unnamed] = field(default_factory=list)
    aliases: Aliases = field(default_factory=dict)

    def add(self, path: Path) -> None:
        kind = _generated_kind(path)
        if kind == "pdf":
            from claimaudit.ingest.bibliography import read_paper

            self.unnamed.append(read_paper(path))
        elif kind:
            self.unnamed.extend(_read_export(path, kind))
        elif path.suffix.lower() in PACK_SUFFIXES:
            pack = _file_pack(path)
            self.named.extend(pack.sources)
            self.aliases = merge_aliases(self.aliases, pack.aliases)
        else:
            entry, name = _folder_file_source(path)
            self.named.extend(validate_entries([entry], name, label=lambda i: "source"))

    def pack(self) -> SourcePack:
        """Every source with its id: generated ids never take one written in a pack."""
        seen: dict[str, str] = {}
        for source in self.named:
            if source.id in seen:
                path, line = _origin_parts(source.origin)
                raise InputError(f"duplicate id {source.id!r} (also defined in {seen[source.id]})",
                                 path=path, line=line, field="id")
            seen[source.id] = source.origin
        if self.unnamed:
            from claimaudit.ingest.bibliography import assign_ids

            assign_ids(self.unnamed, taken=seen)
        return SourcePack(self.named + [item.source for item in self.unnamed], self.aliases)


def _origin_parts(origin: str) -> tuple[str, int | None]:
    path, _, line = origin.rpartition(":")
    return (path, int(line)) if path and line.isdigit() else (origin, None)


def _gather_folder(folder: Path, gathered: _Gathered) -> None:
    files = sorted(p for p in folder.rglob("*")
                   if p.is_file() and not _hidden(p, folder)
                   and (p.suffix.lower() in FOLDER_SOURCE_SUFFIXES | PACK_SUFFIXES)
                   and not p.stem.lower().startswith("readme"))
    before = len(gathered.named) + len(gathered.unnamed)
    for file in files:
        gathered.add(file)
    if len(gathered.named) + len(gathered.unnamed) == before:
        raise InputError("no sources found in this folder (expected .md/.txt files with front "
                         "matter, .yaml/.json/.csv/.xlsx packs, bibliographic exports (.ris, .bib, "
                         ".nbib, PubMed .xml) or papers' PDFs)", path=str(folder))


def _hidden(path: Path, root: Path) -> bool:
    return any(part.startswith((".", "_")) for part in path.relative_to(root).parts)


# --- bibliographic exports and papers ------------------------------------------------------


def _generated_kind(path: Path) -> str:
    """The kind of a file whose sources get generated ids ("pdf", "ris", "bib", "nbib", "xml",
    "csl"), or "" for a pack that names its own sources."""
    suffix = path.suffix.lower()
    if suffix in PAPER_SUFFIXES:
        return "pdf"
    if suffix in BIBLIOGRAPHY_SUFFIXES:
        return suffix.lstrip(".")
    if path.name.lower().endswith(".csl.json"):
        return "csl"
    if suffix == ".json":
        text = read_text(path).text
        # Our own pack's entries carry a summary; a CSL item never does.
        if not re.search(r'"summary"\s*:', text) and _csl_shaped(text, str(path)):
            return "csl"
    if suffix == ".txt":
        # PubMed saves MEDLINE as .txt, and some tools save RIS so: the first lines tell.
        from claimaudit import limits

        from claimaudit.ingest.bibliography import sniff_text

        with limits.open_regular(path, name="max-export-bytes") as handle:
            head = handle.read(8192)
        return sniff_text(head.decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n"))
    return ""


def _csl_shaped(text: str, path: str) -> bool:
    from claimaudit.ingest.bibliography import csl_items
    from claimaudit.structured import load_json

    if not text.strip():
        return False
    return csl_items(load_json(text, path)) is not None


def _read_export(path: Path, kind: str) -> list[Unnamed]:
    from claimaudit.ingest import bibliography
    from claimaudit.structured import load_json

    if kind != "csl":
        return bibliography.read_export(path, kind)
    name = str(path)
    text = read_text(path).text
    if not text.strip():
        raise InputError("the source pack is empty", path=name)
    data = load_json(text, name)
    items = bibliography.csl_items(data)
    if items is None:
        raise InputError("expected CSL-JSON: a list of items (or {\"items\": [...]}), each with a 'type' and "
                         "a 'title', 'author' or 'issued'", path=name, line=1)
    lines = _item_lines(text, depth=1 if isinstance(data, list) else 2)
    if len(lines) != len(items):
        lines = [0] * len(items)
    return bibliography.unnamed(bibliography.read_csl(items, lines, name), name)


_JSON_STRING_OR_BRACKET = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[\]{}]')


def _item_lines(text: str, depth: int) -> list[int]:
    """The line each object at ``depth`` (the items of a top-level list: 1) starts on, in one pass.

    An export of thousands of items is read by the fast JSON decoder; only its strings and
    brackets are scanned again here, for the lines."""
    lines: list[int] = []
    level, line, at = 0, 1, 0
    for token in _JSON_STRING_OR_BRACKET.finditer(text):
        mark = token.group()
        if mark in "[{":
            if mark == "{" and level == depth:
                line += text.count("\n", at, token.start())
                at = token.start()
                lines.append(line)
            level += 1
        elif mark in "]}":
            level -= 1
    return lines


NO_TEXT_CONSEQUENCE = "claims citing it cannot be supported"


def sources_without_text(sources: list[Source]) -> list[str]:
    """A warning for each source that holds no text to show (a record with no abstract):
    it stays in the pack so that a citation of it resolves, and no claim citing it is supported."""
    empty = [source for source in sources if not source.summary.strip()]
    if not empty:
        return []
    from claimaudit.ingest.bibliography import no_text_reason

    return [f"{f'{source.origin} ({source.id})' if source.origin else source.id}: "
            f"{no_text_reason(source)}; {NO_TEXT_CONSEQUENCE}" for source in empty]


# --- entry points ---------------------------------------------------------------------


def _file_pack(path: Path) -> SourcePack:
    name = str(path)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        return SourcePack(_validated(_xlsx_entries(name), name))
    text = read_text(path).text
    if not text.strip():
        raise InputError("the source pack is empty", path=name)
    readers = {".yaml": _yaml_entries, ".yml": _yaml_entries, ".json": _json_entries}
    read_entries = readers.get(suffix, _csv_entries)
    # A pack read before is taken from the cache, so a check run on unchanged
    # sources needs neither the YAML parser nor the validator. Only packs that
    # validated are cached: a broken one is reported again on every run.
    data: _PackData = cached_parse("source-pack", f"{name}\0{suffix}\0{text}",
                                   lambda: _pack_data(*read_entries(text, name), name),
                                   check=source_pack_shape)
    return SourcePack([_source_from_data(item) for item in data["sources"]], aliases_from_data(data["aliases"]))


class _PackData(TypedDict):
    """A validated pack as JSON data, as the cache keeps it (``cache.source_pack_shape``)."""

    sources: list[dict[str, Any]]  # each the fields of a Source (dataclasses.asdict), tuples as lists
    aliases: dict[str, list[str]]


def _pack_data(entries: list[Located], aliases: Aliases, name: str) -> _PackData:
    # JSON has no tuples: Source's tuple fields are kept as lists, or the cache would refuse the pack.
    sources = [{key: list(value) if isinstance(value, tuple) else value for key, value in asdict(s).items()}
               for s in _validated(entries, name)]
    return {"sources": sources, "aliases": aliases_as_data(aliases)}


def _source_from_data(item: dict[str, Any]) -> Source:
    fields: dict[str, Any] = {key: tuple(value) if isinstance(value, list) else value for key, value in item.items()}
    return Source(**fields)


def _validated(entries: list[Located], name: str) -> list[Source]:
    if not entries:
        raise InputError("the source pack is empty", path=name, line=1)
    return validate_entries(entries, name)


def load_pack(path: str | Path) -> SourcePack:
    """Read a source pack file or folder: validated Sources and the pack's aliases."""
    return load_packs([path])


def load_packs(paths: Iterable[str | Path]) -> SourcePack:
    """Read several pack files and folders as one pack. The ids of bibliographic records and
    papers are settled over all of them, so the same author and year in two packs is lettered
    (``smith2020a``, ``smith2020b``) rather than given twice."""
    gathered = _Gathered()
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError("source pack not found", path=str(path))
        if path.is_dir():
            _gather_folder(path, gathered)
            continue
        if path.suffix.lower() not in PACK_SUFFIXES | FOLDER_SOURCE_SUFFIXES:
            raise InputError(f"unsupported source pack type {path.suffix or '(no extension)'!r}; "
                             f"expected {', '.join(sorted(PACK_SUFFIXES | PAPER_SUFFIXES))} or a folder",
                             path=str(path))
        gathered.add(path)
    return gathered.pack()


def load_sources(path: str | Path) -> list[Source]:
    """Read a source pack file or folder into validated Sources."""
    return load_pack(path).sources


def pack_from_data(data: Any, origin: str = "<sources>") -> SourcePack:
    """Validate an in-memory pack (a list of dicts, or ``{"sources": [...], "aliases": {...}}``)."""
    items = _top_level_list(data, origin, lambda key: 0)
    entries = [Located(item, 0, {}) for item in items]
    if not entries:
        raise InputError("no sources given", path=origin)
    sources = validate_entries(entries, origin)
    return SourcePack(sources, _top_level_aliases(data, origin, lambda name, index: None))


def sources_from_data(data: Any, origin: str = "<sources>") -> list[Source]:
    """Validate in-memory sources (a list of dicts, or ``{"sources": [...]}``)."""
    return pack_from_data(data, origin).sources
