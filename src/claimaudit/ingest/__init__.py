"""Ingest: turn copy files and source packs into Documents and Sources.

``load_copy`` reads web pages (.html/.htm), Markdown, plain text and claims
tables (.csv/.xlsx) into :class:`~claimaudit.model.Document` objects whose
offsets map back to the original file. ``load_sources`` reads source packs.
``extract_cited_sources`` finds research summaries the copy carries itself.
"""

from __future__ import annotations

from pathlib import Path

from claimaudit.errors import InputError
from claimaudit.ingest.cited import collect_cited_sources, extract_cited_sources
from claimaudit.ingest.encoding import normalise_newlines, read_text
from claimaudit.ingest.html import extract_html_blocks, looks_like_html
from claimaudit.ingest.mapped import PendingBlock, build_document
from claimaudit.ingest.markdown import extract_markdown_blocks
from claimaudit.ingest.plain import extract_plain_blocks
from claimaudit.ingest.identifiers import normalise_doi
from claimaudit.ingest.sources import load_sources, sources_from_data
from claimaudit.ingest.table import extract_csv_blocks, load_xlsx_table
from claimaudit.model import Document

__all__ = [
    "COPY_SUFFIXES",
    "collect_cited_sources",
    "document_from_text",
    "extract_cited_sources",
    "load_copy",
    "load_document",
    "load_sources",
    "normalise_doi",
    "sources_from_data",
]

COPY_SUFFIXES = {".html", ".htm", ".md", ".markdown", ".txt", ".csv", ".xlsx"}

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
    if suffix == ".xlsx":
        raw, blocks = load_xlsx_table(path)
        return build_document(name, raw, blocks, media_type="table", encoding="xlsx")
    decoded = read_text(path)
    media = _MEDIA_TYPES[suffix]
    blocks = _blocks_for(decoded.text, "csv" if suffix == ".csv" else media, name)
    return build_document(name, decoded.text, blocks, media_type=media,
                          encoding=decoded.encoding)


def load_copy(path: str | Path) -> list[Document]:
    """A copy file, or every copy file in a folder (recursively, sorted by path)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(
            (p for p in path.rglob("*")
             if p.is_file() and p.suffix.lower() in COPY_SUFFIXES
             and not p.name.startswith("~$")  # Office lock files next to open workbooks
             and not any(part.startswith(".") for part in p.relative_to(path).parts)),
            key=lambda p: p.relative_to(path).as_posix())
        if not files:
            raise InputError(f"no copy files in this folder (looked for "
                             f"{', '.join(sorted(COPY_SUFFIXES))})", path=str(path))
        return [load_document(file) for file in files]
    if not path.exists():
        raise InputError("file not found", path=str(path))
    return [load_document(path)]
