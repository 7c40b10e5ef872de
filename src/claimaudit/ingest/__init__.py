"""Ingest: turn copy files and source packs into Documents and Sources.

``load_copy`` reads web pages (.html/.htm), Markdown, plain text and claims
tables (.csv/.xlsx) into :class:`~claimaudit.model.Document` objects whose
offsets map back to the original file. ``load_sources`` reads source packs.
``extract_cited_sources`` finds research summaries the copy carries itself.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Sequence

from claimaudit.errors import InputError
from claimaudit.ingest.cited import collect_cited_sources, extract_cited_sources
from claimaudit.ingest.encoding import decode_bytes, normalise_newlines, read_text
from claimaudit.ingest.html import extract_html_blocks, looks_like_html
from claimaudit.ingest.mapped import PendingBlock, build_document
from claimaudit.ingest.markdown import extract_markdown_blocks
from claimaudit.ingest.plain import extract_plain_blocks
from claimaudit.ingest.identifiers import normalise_doi
from claimaudit.ingest.sources import load_sources, sources_from_data
from claimaudit.ingest.table import extract_csv_blocks, load_xlsx_table
from claimaudit.model import Document, InputProblem, SkippedFile

if TYPE_CHECKING:
    from claimaudit.ingest.web import WebReader

__all__ = [
    "COPY_SUFFIXES",
    "CopyReading",
    "URL_PREFIXES",
    "collect_cited_sources",
    "document_from_text",
    "extract_cited_sources",
    "load_copy",
    "load_document",
    "literal_document",
    "load_document_bytes",
    "read_copy_paths",
    "load_sources",
    "normalise_doi",
    "problem_from",
    "sources_from_data",
]

# Copy in binary formats, read from bytes by a reader imported only when such a
# file is read: suffix -> (module, function(data: bytes, name: str) -> Document).
BINARY_READERS: dict[str, tuple[str, str]] = {
    ".pdf": ("claimaudit.ingest.pdf", "read_pdf_copy"),
    ".docx": ("claimaudit.ingest.word", "read_docx_copy"),
    ".pptx": ("claimaudit.ingest.slides", "read_pptx_copy"),
}

COPY_SUFFIXES = {".html", ".htm", ".md", ".markdown", ".txt", ".csv", ".xlsx", *BINARY_READERS}

_MEDIA_TYPES = {
    ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown",
    ".txt": "text", ".csv": "table", ".xlsx": "table",
}
_MEDIA_ALIASES = {"html": "html", "htm": "html", "markdown": "markdown", "md": "markdown",
                  "text": "text", "txt": "text", "plain": "text", "csv": "csv"}


def _blocks_for(raw: str, media_type: str, name: str) -> list[PendingBlock]:
    if media_type == "html":
        # A page with no markup at all reads better split on its blank lines.
        return extract_html_blocks(raw) if looks_like_html(raw) else extract_plain_blocks(raw)
    if media_type == "markdown":
        return extract_markdown_blocks(raw)
    if media_type == "csv":
        return extract_csv_blocks(raw, name)
    return extract_plain_blocks(raw)


def document_from_text(text: str, name: str = "<text>", media_type: str = "text") -> Document:
    """A Document from in-memory copy: ``media_type`` is "html", "markdown" or "text"."""
    kind = _MEDIA_ALIASES.get(media_type.lower())
    if kind is None:
        raise InputError(f"unknown media type {media_type!r}; expected html, markdown or text",
                         path=name)
    raw = normalise_newlines(text.lstrip("\ufeff"))
    blocks = _blocks_for(raw, kind, name)
    return build_document(name, raw, blocks, media_type="table" if kind == "csv" else kind,
                          encoding="utf-8")


def literal_document(text: str, index: int = 0) -> Document:
    """Copy given as text itself (``--text``, an API string): HTML when it starts with markup."""
    media = "html" if text.lstrip().startswith("<") else "text"
    return document_from_text(text, name=f"<text {index + 1}>", media_type=media)


def _binary_document(data: bytes, name: str, suffix: str) -> Document:
    import importlib

    module, function = BINARY_READERS[suffix]
    reader: Callable[[bytes, str], Document] = getattr(importlib.import_module(module), function)
    return reader(data, name)


def load_document(path: str | Path) -> Document:
    """One copy file as a Document."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in COPY_SUFFIXES:
        raise InputError(f"unsupported file type {suffix or '(no extension)'!r}; expected one of "
                         f"{', '.join(sorted(COPY_SUFFIXES))}", path=name)
    if not path.exists():
        raise InputError("file not found", path=name)
    if suffix in BINARY_READERS:
        from claimaudit import limits

        return _binary_document(limits.read_bounded(path, name="max-document-bytes"), name, suffix)
    if suffix == ".xlsx":
        raw, blocks = load_xlsx_table(path)
        return build_document(name, raw, blocks, media_type="table", encoding="xlsx")
    decoded = read_text(path)
    media = _MEDIA_TYPES[suffix]
    blocks = _blocks_for(decoded.text, "csv" if suffix == ".csv" else media, name)
    return build_document(name, decoded.text, blocks, media_type=media,
                          encoding=decoded.encoding)


def _folder_files(path: Path) -> tuple[list[Path], list[SkippedFile]]:
    """The copy files under a folder (sorted), and the files of other types passed over."""
    files: list[Path] = []
    skipped: list[SkippedFile] = []
    for item in sorted(path.rglob("*"), key=lambda p: p.relative_to(path).as_posix()):
        relative = item.relative_to(path)
        # Hidden files and folders (.git, .cache) and Office lock files are not copy.
        if any(part.startswith(".") for part in relative.parts) or item.name.startswith("~$"):
            continue
        if item.is_dir():
            continue
        if item.suffix.lower() in COPY_SUFFIXES and item.is_file():
            files.append(item)
        else:
            kind = item.suffix.lower() or "(no extension)"
            reason = (f"file type {kind} is not read" if item.is_file() or item.is_symlink()
                      else "not a regular file")
            skipped.append(SkippedFile(str(item), reason))
    return files, skipped


def load_copy(path: str | Path) -> list[Document]:
    """A copy file, or every copy file in a folder (recursively, sorted by path).

    Any file that cannot be read is an InputError; :func:`read_copy_paths`
    instead reads the rest and reports each problem.
    """
    reading = read_copy_paths([path])
    if reading.problems:
        problem = reading.problems[0]
        raise InputError(problem.message, path=problem.path, line=problem.line)
    return reading.documents


URL_PREFIXES = ("http://", "https://", "ftp://", "file://")


@dataclass
class CopyReading:
    """What reading the copy arguments gave: documents, files passed over, files that failed."""

    documents: list[Document] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)

    def extend(self, other: "CopyReading") -> None:
        self.documents.extend(other.documents)
        self.skipped.extend(other.skipped)
        self.problems.extend(other.problems)


def problem_from(error: InputError, fallback: str) -> InputProblem:
    """An InputError as a problem of one file, keeping its line and field."""
    if not error.path:
        return InputProblem(fallback, str(error))
    detail = f"{error.field}: {error.detail}" if error.field else error.detail
    return InputProblem(str(error.path), detail, error.line)


def read_copy_paths(paths: Sequence[str | Path], *, exclude: Callable[[str], bool] | None = None,
                    web: WebReader | None = None) -> CopyReading:
    """Read every copy path; a file that fails is recorded and the others are still read.

    A path that does not exist, a page that cannot be fetched, or a file type
    the tool does not read is a problem when it was named; inside a folder,
    files of other types are listed as skipped. ``exclude`` drops files
    (config ``exclude`` globs). http(s) URLs are fetched by ``web`` (by
    default a reader of their own, pages not saved).
    """
    reading = CopyReading()
    for given in paths:
        name = str(given)
        if name.lower().startswith(URL_PREFIXES):
            from claimaudit.ingest.web import read_url

            reading.extend(read_url(name, web))
            continue
        path = Path(given)
        if path.is_dir():
            files, skipped = _folder_files(path)
            found = len(files)
            if exclude is not None:
                files = [f for f in files if not exclude(str(f))]
                skipped = [s for s in skipped if not exclude(s.path)]
            reading.skipped.extend(skipped)
            if not files:
                kinds = sorted({Path(s.path).suffix.lower() or "(no extension)" for s in skipped})
                others = f"; passed over {len(skipped)} file(s) of other types ({', '.join(kinds)})" if skipped else ""
                excluded = f" that are not excluded (all {found} are)" if found else ""
                reading.problems.append(InputProblem(
                    name, f"no copy files{excluded} in this folder (looked for "
                          f"{', '.join(sorted(COPY_SUFFIXES))}){others}"))
                continue
        elif not path.exists() and not path.is_symlink():
            if path.suffix and not name.endswith(("/", "\\")):
                missing = "file not found"
            else:
                missing = "no such file or folder"
            if " " in name.strip():
                missing += "; to audit text given on the command line use --text"
            reading.problems.append(InputProblem(name, missing))
            continue
        else:
            if exclude is not None and exclude(name):
                continue
            files = [path]
        for file in files:
            try:
                reading.documents.append(load_document(file))
            except InputError as error:
                reading.problems.append(problem_from(error, str(file)))
    return reading


def load_document_bytes(data: bytes, name: str) -> Document:
    """One copy file's bytes (standard input) as a Document; ``name``'s suffix picks the reader."""
    suffix = Path(name).suffix.lower()
    if suffix and suffix not in COPY_SUFFIXES:
        raise InputError(f"unsupported file type {suffix!r}; expected one of "
                         f"{', '.join(sorted(COPY_SUFFIXES))}", path=name)
    if suffix in BINARY_READERS:
        return _binary_document(data, name, suffix)
    if suffix == ".xlsx":
        import tempfile

        with tempfile.TemporaryDirectory(prefix="claimaudit-stdin-") as folder:
            staged = Path(folder) / "stdin.xlsx"
            staged.write_bytes(data)
            try:
                raw, blocks = load_xlsx_table(staged)
            except InputError as error:
                raise InputError(error.detail, path=name, line=error.line, field=error.field) from None
        return build_document(name, raw, blocks, media_type="table", encoding="xlsx")
    decoded = decode_bytes(data, name)
    if not suffix:
        media = "html" if decoded.text.lstrip().startswith("<") and looks_like_html(decoded.text) else "text"
    else:
        media = _MEDIA_TYPES[suffix]
    blocks = _blocks_for(decoded.text, "csv" if suffix == ".csv" else media, name)
    return build_document(name, decoded.text, blocks, media_type=media, encoding=decoded.encoding)
