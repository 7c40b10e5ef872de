"""Bibliographic exports and papers' PDFs as source packs.

A reviewer's references arrive as an export from a reference manager or
PubMed, not as hand-written summaries. Each of these is read as a pack:

* RIS (``.ris``, read with rispy);
* BibTeX (``.bib``, bibtexparser 2);
* PubMed XML, the efetch format (``.xml`` whose root is ``PubmedArticleSet``),
  parsed with defusedxml: entity declarations and external references are
  refused, no DTD is fetched, and the file size and nesting depth are bounded;
* MEDLINE (``.nbib``, and a ``.txt`` that starts ``PMID-``), PubMed's tagged format;
* CSL-JSON (``.csl.json``, or a ``.json`` list of CSL items (or ``{"items": [...]}``)
  told apart from our own JSON pack by the CSL keys: ``type``, ``title``,
  ``author``/``issued``, and no ``summary``).

A ``.txt`` that starts ``TY  -`` is read as RIS. A paper's PDF becomes one
source through :func:`claimaudit.ingest.pdf.read_pdf_source`.

Each record's abstract becomes the summary; its authors (surname and
initials), year, title, journal, DOI and PubMed id fill the Source's fields,
and its citation is written ``Surname A, Surname B, Surname C, et al. Title.
Journal. Year.`` A record without an abstract is kept, so that a citation of
it resolves, with an empty summary: the run warns about it and a claim citing
it is never supported (see :func:`claimaudit.ingest.sources.sources_without_text`).

Ids
---
An id is the first author's surname, ASCII-folded, lower-cased, letters only,
followed by the year: ``Müller-Schmidt H, 2020`` is ``mullerschmidt2020``.
Without an author the first significant word of the title stands in for the
surname (``heat2020``); without a year, ``nd`` stands in for it
(``smith2020``, ``smithnd``). A paper's PDF whose authors are not known is
named by its file name, slugged (``Knee trial (final).pdf`` is
``knee-trial-final``).

When records share an id, *every one of them* gets a letter, ``a``, ``b``...
in the order of their titles (then DOI, PubMed id, file and place in the
file): ``smith2020a``, ``smith2020b``. The first is lettered too, so that
adding a second Smith 2020 paper never quietly moves ``smith2020`` from one
paper to another: a claims table that named ``smith2020`` then fails to
resolve and says so. Ids are assigned over one pack file, or over one folder
of files at once, so they depend on what else the same file or folder holds
and on nothing else (not on the order of files or records). An id written by
hand in a YAML/JSON/CSV pack in the same folder is never changed: a
generated id that would clash with it is lettered instead.

A record's own key (a BibTeX key, a RIS ``ID``, a CSL ``id``) is not used as
its id, since exports from different tools disagree on keys, but it is kept
in :attr:`Source.keys`, so a claims table that names a source by that key
still finds it (as it does by DOI, PubMed id or "Smith 2020").
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimaudit import limits
from claimaudit.errors import InputError
from claimaudit.ingest.identifiers import PMID_PREFIX, normalise_doi
from claimaudit.model import Source

if TYPE_CHECKING:
    from xml.etree.ElementTree import Element

CITED_AUTHORS = 3  # authors named in a citation before "et al."
MAX_ID_STEM = 40

_YEAR = re.compile(r"(?<!\d)(1[6-9]\d\d|20\d\d)(?!\d)")
_INITIALS = re.compile(r"(?:[A-Z]\.?-?){1,4}")
_PARTICLES = frozenset({"van", "von", "de", "der", "den", "del", "della", "la", "le", "da", "di", "du", "dos",
                        "das", "ter", "ten", "op", "af", "al", "el", "bin", "ibn", "st", "st."})
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "2nd", "3rd"})
_TITLE_STOPWORDS = frozenset({
    "a", "an", "the", "of", "on", "in", "and", "or", "for", "to", "with", "at", "by", "from", "as", "is", "are",
    "do", "does", "can", "its", "their", "into", "versus", "vs", "after", "before", "during", "about",
})


# --- records ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    """An author: surname as written, and initials (empty for a group such as a consortium)."""

    surname: str
    initials: str = ""

    def cited(self) -> str:
        return f"{self.surname} {self.initials}".strip()


@dataclass
class Record:
    """One bibliographic record as read from an export, before it becomes a Source."""

    line: int  # where the record starts in its file (0: not known)
    number: int  # 1-based place of the record in its file
    authors: list[Person] = field(default_factory=list)
    title: str = ""
    journal: str = ""
    year: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    abstract: str = ""
    key: str = ""  # the record's own key in the export (BibTeX key, RIS ID, CSL id)
    retracted: str = ""  # how the export says the paper was retracted ("" when it does not)


def _clean(text: Any) -> str:
    return " ".join(str(text).split()) if text is not None else ""


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _letters(text: str) -> str:
    return "".join(ch for ch in _fold(text).lower() if "a" <= ch <= "z")


def year_in(text: str) -> str:
    match = _YEAR.search(text or "")
    return match.group(1) if match else ""


def initials_of(given: str) -> str:
    """``John A.`` -> ``JA``; ``Hans-Peter`` -> ``HP``; ``J.A.`` -> ``JA``."""
    letters = []
    for word in re.split(r"[\s.,]+", given):
        if word.lower() in _NAME_SUFFIXES:
            continue
        for part in word.split("-"):
            part = part.strip("{}()'\u2019")
            if part and part[0].isalpha() and part[0].isupper():
                letters.append(part[0])
    return "".join(letters)


def person(name: str) -> Person | None:
    """An author from how exports write one: ``Smith, John A.``, ``Smith JA``, ``John A. Smith``."""
    name = " ".join(name.split()).strip(" ,;")
    if not name:
        return None
    if "," in name:
        surname, _, given = name.partition(",")
        return Person(surname.strip(), initials_of(given))
    words = name.split()
    while len(words) > 1 and words[-1].lower().rstrip(".") in _NAME_SUFFIXES:  # "Smith JA Jr"
        words.pop()
    if len(words) == 1:
        return Person(words[0])
    if _INITIALS.fullmatch(words[-1]):  # MEDLINE style: "Smith JA", "van der Berg J"
        return Person(" ".join(words[:-1]), words[-1].replace(".", "").replace("-", ""))
    start = len(words) - 1
    while start > 0 and words[start - 1].lower() in _PARTICLES:
        start -= 1
    return Person(" ".join(words[start:]), initials_of(" ".join(words[:start])))


def citation_of(authors: Iterable[str], title: str, journal: str, year: str) -> str:
    """``Smith J, Jones K, Lee M, et al. Title. Journal. 2020.``"""
    names = list(authors)
    parts: list[str] = []
    if names:
        shown = ", ".join(names[:CITED_AUTHORS])
        parts.append(shown + (", et al" if len(names) > CITED_AUTHORS else ""))
    parts += [text.strip().rstrip(".").strip() for text in (title, journal, year) if text.strip()]
    return " ".join(p if p.endswith(("?", "!")) else p + "." for p in parts if p)


# A title as publishers and PubMed mark a retracted paper: "RETRACTED: ...", "[Retracted] ...".
_RETRACTED_TITLE = re.compile(r"^\s*(?:\[\s*retracted(?:\s+article)?\s*\]|retracted(?:\s+article)?\s*:)", re.IGNORECASE)
# How the citation of a retracted paper ends, so that every report and warning shows it.
RETRACTED_MARK = "[Retracted"


def retraction_of(record: Record) -> str:
    """How the record says its paper was retracted: what the export states, else its title."""
    if record.retracted:
        return record.retracted
    if _RETRACTED_TITLE.match(record.title):
        return "its title marks it retracted"
    return ""


def to_source(record: Record, path: str) -> Source:
    """The record as a Source without an id (see :func:`assign_ids`).

    A retracted paper keeps its place, so that a citation of it resolves, but not its abstract:
    its findings back no claim, and its citation says why."""
    authors = tuple(p.cited() for p in record.authors if p.surname)
    where = f"{path}:{record.line}" if record.line else f"{path}:record {record.number}"
    pmid = PMID_PREFIX.sub("", record.pmid).strip()
    retracted = retraction_of(record)
    citation = citation_of(authors, record.title, record.journal, record.year)
    if retracted:
        citation = f"{citation} {RETRACTED_MARK}: {retracted}]".strip()
    return Source(
        id="", summary="" if retracted else record.abstract.strip(),
        citation=citation,
        doi=normalise_doi(record.doi) if record.doi else "",
        pmid=pmid if pmid.isdigit() else "", url=record.url, origin=where,
        authors=authors, year=record.year, title=record.title, journal=record.journal,
        keys=(record.key,) if record.key else (),
    )


# --- ids -------------------------------------------------------------------------------


def surname_of(author: str) -> str:
    """The surname of an author as Source.authors writes one (``Smith JA`` -> ``Smith``)."""
    words = author.split()
    if len(words) > 1 and _INITIALS.fullmatch(words[-1]):
        return " ".join(words[:-1])
    return author.strip()


def slug(text: str) -> str:
    """A file name as an id: ASCII, lower case, words joined by hyphens."""
    return "-".join(re.findall(r"[a-z0-9]+", _fold(text).lower()))[:60].strip("-")


def base_id(source: Source, fallback: str = "") -> str:
    """The id before clashes are settled: first author's surname + year, or a stand-in."""
    stem = _letters(surname_of(source.authors[0]))[:MAX_ID_STEM] if source.authors else ""
    if not stem and fallback:
        return fallback
    if not stem:
        words = [_letters(w) for w in re.split(r"[\s\-/]+", source.title)]
        stem = next((w for w in words if w and w not in _TITLE_STOPWORDS), "")[:MAX_ID_STEM] or "source"
    return stem + (source.year or "nd")


def _letter(n: int) -> str:
    """0 -> a, 25 -> z, 26 -> aa."""
    text = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        text = chr(ord("a") + rest) + text
    return text


@dataclass
class Unnamed:
    """A source waiting for its id, and what it falls back on without an author."""

    source: Source
    fallback: str = ""  # a PDF's slugged file name
    place: tuple[str, int] = ("", 0)  # file and record number, the last tie-break


def assign_ids(items: list[Unnamed], taken: Iterable[str] = ()) -> None:
    """Give each source its id (module docstring, "Ids"), never one of ``taken``."""
    used = set(taken)
    groups: dict[str, list[Unnamed]] = {}
    for item in items:
        groups.setdefault(base_id(item.source, item.fallback), []).append(item)
    for base in sorted(groups):
        group = groups[base]
        if len(group) == 1 and base not in used:
            group[0].source.id = base
            used.add(base)
            continue
        group.sort(key=lambda i: (i.source.title.casefold(), i.source.doi.lower(), i.source.pmid, i.place))
        n = 0
        for item in group:
            while base + _letter(n) in used:
                n += 1
            item.source.id = base + _letter(n)
            used.add(item.source.id)
            n += 1


# --- reading each format -----------------------------------------------------------------


def _line_error(message: str, path: str, line: int | None) -> InputError:
    return InputError(message, path=path, line=line or None)


_RIS_TAG = re.compile(r"([A-Z][A-Z0-9])  -(?: |$)")


def read_ris(text: str, path: str) -> list[Record]:
    import rispy

    starts: list[int] = []
    open_at = 0
    for number, line in enumerate(text.split("\n"), start=1):
        tag = _RIS_TAG.match(line)
        if tag and tag.group(1) == "TY":
            if open_at:
                raise _line_error(f"the record started on line {open_at} has no end ('ER  - ') "
                                  "before this one starts", path, number)
            open_at = number
            starts.append(number)
        elif tag and tag.group(1) == "ER":
            if not open_at:
                raise _line_error("'ER  - ' ends a record that was never started ('TY  - ')", path, number)
            open_at = 0
        elif not open_at and line.strip():
            raise _line_error("text outside a record: a RIS record starts with 'TY  - ' and ends with 'ER  - '",
                              path, number)
    if open_at:
        raise _line_error("this record has no end ('ER  - ')", path, open_at)
    if not starts:
        raise _line_error("no RIS records (a record starts with a line like 'TY  - JOUR')", path, 1)
    entries = rispy.loads(text)
    if len(entries) != len(starts):
        raise _line_error(f"read {len(entries)} of {len(starts)} RIS records; the file is malformed", path, 1)
    records: list[Record] = []
    for number, (start, entry) in enumerate(zip(starts, entries), start=1):
        names = _ris_list(entry, "authors") or _ris_list(entry, "first_authors")
        pmid = _clean(entry.get("accession_number", ""))
        database = f"{entry.get('name_of_database', '')} {entry.get('database_provider', '')}".lower()
        records.append(Record(
            line=start, number=number,
            authors=[p for p in map(person, names) if p is not None],
            title=_clean(entry.get("title") or entry.get("primary_title") or ""),
            journal=_clean(entry.get("secondary_title") or entry.get("journal_name") or entry.get("alternate_title3")
                           or entry.get("alternate_title2") or entry.get("alternate_title1") or ""),
            year=year_in(_clean(entry.get("year") or entry.get("publication_year") or entry.get("date") or "")),
            doi=_clean(entry.get("doi", "")),
            pmid=pmid if pmid.isdigit() and ("pubmed" in database or "medline" in database) else "",
            url=next(iter(_ris_list(entry, "urls")), ""),
            abstract=_clean(entry.get("abstract") or entry.get("notes_abstract") or ""),
            key=_clean(entry.get("id", "")),
        ))
    return records


def _ris_list(entry: dict[str, Any], key: str) -> list[str]:
    value = entry.get(key) or []
    return [_clean(v) for v in (value if isinstance(value, list) else [value]) if _clean(v)]


def _quiet_bibtexparser() -> None:
    """bibtexparser logs each broken block to stderr; the error raised here says it once, on one line."""
    import logging

    logger = logging.getLogger("bibtexparser")
    if not logger.handlers:
        logger.addHandler(logging.NullHandler())
    logger.propagate = False


@lru_cache(maxsize=1)
def _latex_reader() -> Any:
    # Built once: making one sets up every macro pylatexenc knows, the most of its cost.
    from pylatexenc.latex2text import LatexNodes2Text

    return LatexNodes2Text()


def _latex(text: str) -> str:
    if "\\" not in text and "{" not in text and "$" not in text:
        return _clean(text)
    try:
        return _clean(_latex_reader().latex_to_text(text))
    except Exception:  # noqa: BLE001 - a field pylatexenc cannot read is kept as written
        return _clean(text.replace("{", "").replace("}", ""))


def read_bibtex(text: str, path: str) -> list[Record]:
    import bibtexparser
    from bibtexparser.middlewares.names import parse_single_name_into_parts, split_multiple_persons_names
    from bibtexparser.model import DuplicateBlockKeyBlock, ParsingFailedBlock

    _quiet_bibtexparser()
    library = bibtexparser.parse_string(text)
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, DuplicateBlockKeyBlock):
            raise _line_error(f"duplicate BibTeX key {block.key!r}", path, line)
        reason = getattr(block.error, "abort_reason", "") if isinstance(block, ParsingFailedBlock) else ""
        raise _line_error(f"malformed BibTeX entry: {_clean(reason or block.error) or 'cannot be read'}", path, line)
    if not library.entries:
        raise _line_error("no BibTeX entries (an entry looks like '@article{key, title = {...}, ...}')", path, 1)
    strings = {key.lower(): str(block.value) for key, block in library.strings_dict.items()}
    resolved = {entry.key.lower(): _bibtex_fields(entry, strings) for entry in library.entries}
    records: list[Record] = []
    for number, entry in enumerate(library.entries, start=1):
        fields = _with_crossref(resolved[entry.key.lower()], resolved)

        def value(*names: str) -> str:
            return next((_latex(str(fields[n])) for n in names if n in fields and str(fields[n]).strip()), "")

        authors: list[Person] = []
        raw_authors = str(fields.get("author", ""))
        for name in split_multiple_persons_names(raw_authors) if raw_authors.strip() else []:
            stripped = name.strip()
            if stripped.startswith("{") and stripped.endswith("}"):  # "{World Health Organization}"
                authors.append(Person(_latex(stripped[1:-1])))
                continue
            try:
                parts = parse_single_name_into_parts(stripped, strict=False)
            except Exception:  # noqa: BLE001 - a name bibtexparser cannot split is read as written
                found = person(_latex(stripped))
                if found is not None:
                    authors.append(found)
                continue
            surname = _latex(" ".join(parts.von + parts.last))
            if surname:
                authors.append(Person(surname, initials_of(_latex(" ".join(parts.first)))))
        records.append(Record(
            line=(entry.start_line or 0) + 1, number=number, authors=authors,
            title=value("title"), journal=value("journal", "journaltitle", "booktitle"),
            year=year_in(value("year", "date")), doi=value("doi"), pmid=value("pmid"), url=value("url"),
            abstract=value("abstract"), key=entry.key,
        ))
    return records


_BIBTEX_MONTHS = {name[:3]: name for name in (
    "january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
    "november", "december")}
# What an entry takes from the entry its ``crossref`` names, when it does not say itself: where
# and when it appeared. Never the abstract, authors or identifiers, which are the parent's own.
_CROSSREF_INHERITED = ("year", "date", "booktitle", "journal", "journaltitle", "publisher", "editor")


def _bibtex_fields(entry: Any, strings: dict[str, str]) -> dict[str, str]:
    """An entry's fields by lower-case name, ``#`` concatenations of strings and macros joined
    (bibtexparser resolves a lone macro, not a concatenation)."""
    enclosing = entry.parser_metadata.get("removed_enclosing", {})
    fields: dict[str, str] = {}
    for item in entry.fields:
        value = str(item.value)
        if enclosing.get(item.key) == "no-enclosing" and "#" in value:
            value = _concatenated(value, strings)
        fields[item.key.lower()] = value
    return fields


def _concatenated(raw: str, strings: dict[str, str]) -> str:
    """``zn # { lozenges} # jan``: each piece outside braces and quotes read, then joined."""
    pieces: list[str] = []
    current: list[str] = []
    level, quoted = 0, False
    for ch in raw:
        if ch == "{":
            level += 1
        elif ch == "}":
            level = max(level - 1, 0)
        elif ch == '"' and level == 0:
            quoted = not quoted
        if ch == "#" and level == 0 and not quoted:
            pieces.append("".join(current))
            current = []
        else:
            current.append(ch)
    pieces.append("".join(current))
    out: list[str] = []
    for piece in (p.strip() for p in pieces):
        if len(piece) >= 2 and (piece[0], piece[-1]) in {("{", "}"), ('"', '"')}:
            out.append(piece[1:-1])
        elif piece.lower() in strings:
            out.append(strings[piece.lower()])
        elif piece.lower() in _BIBTEX_MONTHS:
            out.append(_BIBTEX_MONTHS[piece.lower()].capitalize())
        else:
            out.append(piece)  # a number, or a macro nobody defined, as written
    return "".join(out)


def _with_crossref(fields: dict[str, str], entries: dict[str, dict[str, str]]) -> dict[str, str]:
    """The fields with what the ``crossref`` parent gives where the entry is silent."""
    parent = entries.get(fields.get("crossref", "").strip().lower())
    if parent is None or parent is fields:
        return fields
    merged = dict(fields)
    for name in _CROSSREF_INHERITED:
        if not str(merged.get(name, "")).strip() and str(parent.get(name, "")).strip():
            merged[name] = parent[name]
    if not str(merged.get("booktitle", "")).strip() and str(parent.get("title", "")).strip():
        merged["booktitle"] = parent["title"]
    return merged


_MEDLINE_FIELD = re.compile(r"([A-Z][A-Z0-9]{1,3}) *- ?(.*)")
_MEDLINE_LIST_TAGS = frozenset({"AU", "FAU", "CN", "AID", "LID"})
RETRACTED_TYPE = "retracted publication"  # PubMed's publication type for a paper since retracted


def _retraction(typed: bool, notices: list[str]) -> str:
    """What PubMed says of a retraction: the publication type, and where the notice is."""
    if not typed and not notices:
        return ""
    said = "PubMed lists it as a Retracted Publication" if typed else "PubMed links a retraction notice"
    where = "; ".join(dict.fromkeys(n for n in notices if n))
    return f"{said} (retraction in {where})" if where else said


def read_nbib(text: str, path: str) -> list[Record]:
    """MEDLINE (PubMed's tagged format): ``TAG - value`` lines, continued on lines indented by spaces,
    records apart by a blank line."""
    raw: list[tuple[int, dict[str, list[str]]]] = []
    current: dict[str, list[str]] | None = None
    last = ""
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            current = None
            continue
        if line[:1] == " " and current is not None and last:
            current[last][-1] += " " + line.strip()
            continue
        found = _MEDLINE_FIELD.fullmatch(line.rstrip())
        if not found or line.startswith(" "):
            raise _line_error("not a MEDLINE line: expected 'TAG - value' (as 'PMID- 12345678') "
                              "or a continuation indented by spaces", path, number)
        tag, value = found.group(1), found.group(2).strip()
        if current is None or (tag == "PMID" and "PMID" in current):
            current = {}
            raw.append((number, current))
        current.setdefault(tag, []).append(value)
        last = tag
    if not raw:
        raise _line_error("no MEDLINE records (a record starts with a line like 'PMID- 12345678')", path, 1)
    records: list[Record] = []
    for number, (start, tags) in enumerate(raw, start=1):
        def first(*names: str) -> str:
            return next((_clean(tags[n][0]) for n in names if tags.get(n)), "")

        names = tags.get("AU") or tags.get("FAU") or []
        authors = [p for p in map(person, names) if p is not None]
        authors += [Person(_clean(group)) for group in tags.get("CN", []) if not names and _clean(group)]
        doi = next((v.rsplit("[", 1)[0].strip() for v in tags.get("AID", []) + tags.get("LID", [])
                    if v.rstrip().endswith("[doi]")), "")
        records.append(Record(
            line=start, number=number, authors=authors, title=first("TI", "BTI"), journal=first("JT", "TA"),
            year=year_in(first("DP", "DEP")), doi=doi, pmid=first("PMID"), abstract=first("AB"),
            retracted=_retraction(any(_clean(t).lower() == RETRACTED_TYPE for t in tags.get("PT", [])),
                                  [_clean(v) for v in tags.get("RIN", [])]),
        ))
    return records


_PUBMED_ROOT = "PubmedArticleSet"
_PUBMED_RECORDS = ("PubmedArticle", "PubmedBookArticle")


def read_pubmed_xml(data: bytes, path: str) -> list[Record]:
    """PubMed's efetch XML. Parsed as a stream with defusedxml (no entities, no external
    references, no DTD fetched), each record dropped once read, the nesting depth bounded."""
    import defusedxml
    from defusedxml.ElementTree import iterparse
    from xml.etree.ElementTree import ParseError

    deepest = limits.int_value("max-depth")
    lines = _record_lines(data)
    records: list[Record] = []
    depth = 0
    root: Element | None = None
    try:
        for event, element in iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=False,
                                        forbid_entities=True, forbid_external=True):
            if event == "start":
                depth += 1
                if root is None:
                    root = element
                    if element.tag != _PUBMED_ROOT:
                        raise _line_error(f"not a PubMed XML export: the root element is <{element.tag}>, "
                                          f"expected <{_PUBMED_ROOT}> (PubMed's efetch XML)", path, 1)
                if depth > deepest:
                    limits.check("max-depth", depth, path=path)
                continue
            depth -= 1
            if element.tag in _PUBMED_RECORDS and depth == 1:
                number = len(records) + 1
                records.append(_pubmed_record(element, lines[number - 1] if len(lines) >= number else 0, number))
                if root is not None:
                    root.remove(element)  # a large export is never held whole
    except ParseError as error:
        at, column = getattr(error, "position", (None, None))
        raise _line_error(f"invalid XML: {_clean(str(error).split(':')[0])} (column {column})"
                          if column is not None else f"invalid XML: {_clean(str(error))}", path, at) from None
    except defusedxml.DefusedXmlException as error:
        raise _line_error(f"refused: the XML declares entities or external references ({type(error).__name__}); "
                          "a PubMed export has none", path, _line_of(data, rb"<!ENTITY")) from None
    if not records:
        raise _line_error("no PubMed records (<PubmedArticle>) in this export", path, 1)
    if len(lines) != len(records):
        for record in records:
            record.line = 0  # the record tags could not be placed; say "record N" instead
    return records


def _record_lines(data: bytes) -> list[int]:
    """The line each record's start tag is on, counted in one pass."""
    found: list[int] = []
    line, at = 1, 0
    for match in re.finditer(rb"<(?:PubmedArticle|PubmedBookArticle)[\s>]", data):
        line += data.count(b"\n", at, match.start())
        at = match.start()
        found.append(line)
    return found


def _line_of(data: bytes, pattern: bytes) -> int | None:
    match = re.search(pattern, data)
    return data.count(b"\n", 0, match.start()) + 1 if match else None


def _text(element: Element | None) -> str:
    return _clean("".join(element.itertext())) if element is not None else ""


def _pubmed_record(element: Element, line: int, number: int) -> Record:
    citation = element.find("MedlineCitation")
    if citation is None:
        citation = element.find("BookDocument")
    if citation is None:
        return Record(line=line, number=number)
    article = citation.find("Article")
    body = article if article is not None else citation
    abstract = [_text(part) for part in body.findall("Abstract/AbstractText")]
    if not any(abstract):
        abstract = [_text(part) for other in citation.findall("OtherAbstract")
                    if other.get("Language", "eng") == "eng" for part in other.findall("AbstractText")]
    authors: list[Person] = []
    lists = body.findall("AuthorList")
    chosen = next((a for a in lists if a.get("Type", "authors") == "authors"), None)
    for author in chosen.findall("Author") if chosen is not None else []:
        if author.get("ValidYN", "Y") != "Y":
            continue
        group = _text(author.find("CollectiveName"))
        last = _text(author.find("LastName"))
        if last:
            initials = _text(author.find("Initials")) or initials_of(_text(author.find("ForeName")))
            authors.append(Person(last, initials))
        elif group:
            authors.append(Person(group))
    journal = body.find("Journal")
    year = ""
    if journal is not None:
        date = journal.find("JournalIssue/PubDate")
        year = _text(date.find("Year")) if date is not None else ""
        year = year or year_in(_text(date.find("MedlineDate")) if date is not None else "")
    year = year_in(year) or year_in(_text(body.find("ArticleDate/Year"))) or year_in(_text(body.find("Book/PubDate/Year")))
    doi = next((_text(e) for e in body.findall("ELocationID")
                if e.get("EIdType") == "doi" and e.get("ValidYN", "Y") == "Y"), "")
    if not doi:
        doi = next((_text(e) for e in element.findall("PubmedData/ArticleIdList/ArticleId")
                    if e.get("IdType") == "doi"), "")
    title = _text(body.find("ArticleTitle")) or _text(body.find("Book/BookTitle"))
    if title.startswith("[") and title.endswith("]."):  # a translated title, as PubMed brackets it
        title = title[1:-2] + "."
    typed = any(_text(kind).lower() == RETRACTED_TYPE for kind in body.findall("PublicationTypeList/PublicationType"))
    notices = []
    for comment in citation.findall("CommentsCorrectionsList/CommentsCorrections"):
        if comment.get("RefType") == "RetractionIn":
            pmid_of_notice = _text(comment.find("PMID"))
            notices.append(" ".join(filter(None, (_text(comment.find("RefSource")),
                                                  f"PMID: {pmid_of_notice}" if pmid_of_notice else ""))))
    return Record(
        line=line, number=number, authors=authors, title=title,
        journal=_text(journal.find("Title")) or _text(journal.find("ISOAbbreviation")) if journal is not None else "",
        year=year, doi=doi, pmid=_text(citation.find("PMID")), abstract="\n\n".join(a for a in abstract if a),
        retracted=_retraction(typed, notices),
    )


# --- CSL-JSON ---------------------------------------------------------------------------------


def csl_items(data: Any) -> list[Any] | None:
    """The items of a CSL-JSON export, or None when ``data`` is not one.

    A CSL-JSON export is a list of items (or ``{"items": [...]}``), each with
    a ``type`` and at least one of ``title``, ``author``, ``issued``; our own
    pack's entries carry a ``summary`` and never a ``type``."""
    items = data.get("items") if isinstance(data, dict) and set(data) <= {"items"} else data
    if not isinstance(items, list) or not items:
        return None
    for item in items:
        if not isinstance(item, dict) or "summary" in item or "type" not in item:
            return None
        if not any(key in item for key in ("title", "author", "issued")):
            return None
    return items


def _csl_text(value: Any) -> str:
    if isinstance(value, list):
        value = value[0] if value else ""
    return _clean(value) if isinstance(value, (str, int)) else ""


def _csl_year(issued: Any) -> str:
    if isinstance(issued, dict):
        parts = issued.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            return year_in(str(parts[0][0]))
        return year_in(_csl_text(issued.get("raw") or issued.get("literal") or ""))
    return year_in(_csl_text(issued))


def read_csl(items: list[Any], lines: list[int], path: str) -> list[Record]:
    """CSL-JSON items (see :func:`csl_items`), each with the line it starts on (0: not known)."""
    records: list[Record] = []
    for number, (item, line) in enumerate(zip(items, lines), start=1):
        names = item.get("author") or []
        if not isinstance(names, list):
            raise _line_error(f"items[{number - 1}].author: expected a list of names", path, line)
        authors: list[Person] = []
        for name in names:
            if not isinstance(name, dict):
                raise _line_error(f"items[{number - 1}].author: each name is a mapping "
                                  "('family'/'given', or 'literal')", path, line)
            family = " ".join(filter(None, (_csl_text(name.get("non-dropping-particle")),
                                            _csl_text(name.get("family")))))
            if family:
                authors.append(Person(family, initials_of(_csl_text(name.get("given")))))
            elif _csl_text(name.get("literal")):
                authors.append(Person(_csl_text(name.get("literal"))))
        records.append(Record(
            line=line, number=number, authors=authors, title=_csl_text(item.get("title")),
            journal=_csl_text(item.get("container-title")), year=_csl_year(item.get("issued")),
            doi=_csl_text(item.get("DOI")), pmid=_csl_text(item.get("PMID")), url=_csl_text(item.get("URL")),
            abstract=_clean(_csl_text(item.get("abstract"))), key=_csl_text(item.get("id")),
        ))
    return records


# --- entry points ----------------------------------------------------------------------------


def sniff_text(text: str) -> str:
    """``"ris"`` or ``"nbib"`` when a text file is such an export, else ``""``."""
    first = next((line for line in text.split("\n", 50) if line.strip()), "")
    if re.match(r"PMID- ?\d", first):
        return "nbib"
    if _RIS_TAG.match(first) and first.startswith("TY"):
        return "ris"
    return ""


Reader = Callable[[str, str], list[Record]]
TEXT_READERS: dict[str, Reader] = {"ris": read_ris, "bib": read_bibtex, "nbib": read_nbib}


def read_export(path: Path, kind: str = "") -> list[Unnamed]:
    """A bibliographic export file's records as Sources awaiting ids."""
    from claimaudit.ingest.encoding import decode_bytes

    name = str(path)
    kind = kind or path.suffix.lower().lstrip(".")
    data = limits.read_bounded(path, name="max-export-bytes")
    if not data.strip():
        raise InputError("the source pack is empty", path=name)
    if kind == "xml":
        records = read_pubmed_xml(data, name)
    else:
        records = TEXT_READERS[kind](decode_bytes(data, name).text, name)
    return unnamed(records, name)


def unnamed(records: list[Record], name: str) -> list[Unnamed]:
    return [Unnamed(to_source(r, name), place=(name, r.number)) for r in records]


def read_paper(path: Path) -> Unnamed:
    """A paper's PDF as one source: its full text, page by page."""
    from claimaudit.ingest.pdf import read_pdf_source

    name = str(path)
    data = limits.read_bounded(path, name="max-document-bytes")
    source = _cached_paper(data, name, lambda: read_pdf_source(data, name))
    source.origin = source.origin or name
    if source.doi:
        source.doi = normalise_doi(source.doi)
    if source.authors and source.citation in ("", source.title):
        # Written as an export's record is, so "Zhao 2022" finds it the same way.
        source.citation = citation_of(source.authors, source.title, source.journal, source.year)
    return Unnamed(source, fallback=slug(path.stem) or "paper", place=(name, 0))


_PAPER_TEXT_FIELDS = ("id", "summary", "citation", "doi", "pmid", "url", "origin", "kind", "year", "title", "journal")
_PAPER_LIST_FIELDS = ("authors", "keys")


def _cached_paper(data: bytes, name: str, read: Callable[[], Source]) -> Source:
    """A paper's PDF read once: its text is kept in the cache, keyed by the file's name and
    the SHA-256 of its bytes (PDFium reads a page of a dense paper in about 10 ms)."""
    import hashlib
    from dataclasses import asdict

    from claimaudit.cache import cached_parse

    key = f"{name}\0{hashlib.sha256(data).hexdigest()}"
    def fresh() -> dict[str, Any]:
        # As JSON keeps it (lists, not tuples), or the cache would not store it.
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(read()).items()}

    fields = cached_parse("pdf-source", key, fresh, check=_paper_shape)
    return Source(**{**fields, **{f: tuple(fields[f]) for f in (*_PAPER_LIST_FIELDS, "pages")}})


def _paper_shape(data: Any, key: str) -> bool:
    """A cached paper as JSON: every field of a Source with its type, origin the file's name,
    and page starts that rise from 0 inside the text (an entry is untrusted like any input)."""
    name = key.split("\0", 1)[0]
    if not isinstance(data, dict) or set(data) != {*_PAPER_TEXT_FIELDS, *_PAPER_LIST_FIELDS, "pages"}:
        return False
    if not all(isinstance(data[f], str) for f in _PAPER_TEXT_FIELDS):
        return False
    if not all(isinstance(data[f], list) and all(isinstance(v, str) for v in data[f]) for f in _PAPER_LIST_FIELDS):
        return False
    pages = data["pages"]
    if not isinstance(pages, list) or not all(type(v) is int for v in pages):
        return False
    rising = all(a < b for a, b in zip(pages, pages[1:]))
    inside = not pages or (pages[0] == 0 and pages[-1] <= len(data["summary"]))
    return rising and inside and data["origin"] in ("", name) and data["kind"] == "summary"


def no_text_reason(source: Source) -> str:
    """What a source with no text lacks, in a reviewer's words."""
    where = source.origin.rsplit(":", 1)[0] if ":" in source.origin else source.origin
    mark = source.citation.rfind(RETRACTED_MARK)
    if mark >= 0 and source.citation.endswith("]"):
        return "retracted: " + source.citation[mark + len(RETRACTED_MARK):].strip(" :]")
    if source.pages or where.lower().endswith(".pdf"):
        return "no text"
    return "no abstract" if (source.authors or source.title or source.year) else "no text"
