"""Cited-source summaries found inside the copy itself.

Clinic blogs often carry research summaries, each closing with a line such
as ``Source: Tambe P, et al. ... doi: 10.1016/...``. Without a source pack,
those summaries are the only evidence available: each becomes a
:class:`~claimaudit.model.Source` and its section is excluded from auditing.

Where a summary *starts* decides what gets audited, so the start is chosen
conservatively. A section runs back from its citation line, but never
past:

* the previous citation line or the start of the document;
* the start of the last article before it: a title printed twice in a row,
  as blog exports do for each post;
* a block that reads as the publisher's own marketing (we/our addressing the
  reader, the business's name, a call to action, a phone number or email).
  The section then starts at the first heading after that block.

Everything outside the sections stays copy, so a marketing page sitting
between two summaries is still audited.

Source ids are the first author's surname and the year, lower-cased ASCII
with hyphens, apostrophes and spaces removed (``Montoto-Meijide R ... 2023``
becomes ``montotomeijide2023``); clashes get ``a``, ``b``... suffixes.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass

import regex

from claimaudit.model import Block, Document, Source, Span

_CITATION_LINE = regex.compile(r"^\s*(?:sources?|references?)\s*:\s*", regex.IGNORECASE)
_REFERENCE_LIKE = regex.compile(
    r"\b(?:19|20)\d{2}\b|\b10\.\d{4,9}/|\bPMID\b|https?://|\bet\s+al\b", regex.IGNORECASE)

DOI_PATTERN = regex.compile(r"\b10\.\d{4,9}/[^\s\"<>]+")
PMID_PATTERN = regex.compile(r"\bPMID\s*:?\s*(\d{4,9})\b", regex.IGNORECASE)
URL_PATTERN = regex.compile(r"https?://[^\s<>\"]+")
_YEAR = regex.compile(r"(?<!\d)(?<!\d[./])(?:19|20)\d{2}(?!\d)(?![./]\d)")
_TRAILING_PUNCTUATION = ".,;:)]}>'\""

_LEADING_NUMBER = regex.compile(r"^\s*(?:\[\d+\]|\d+[.)])\s*")
_LEADING_INITIALS = regex.compile(r"^(?:\p{Lu}\.\s*(?:-\s*\p{Lu}\.\s*)?)+")
_FIRST_AUTHOR = regex.compile(
    r"^(?P<name>(?:(?i:van|von|de|der|den|la|le|da|di|del|du|dos|das)\s+)*"
    r"\p{Lu}[\p{L}'\u2019\-]+)"
    r"(?=\s*,|\s+\p{Lu}{1,3}\b\.?|\s+et\s+al\b|\s+(?:and|&)\s|\s*\(|\s*\.\s)")

# --- what the publisher says about itself ------------------------------------------

_FIRST_PERSON_PLURAL = regex.compile(
    r"\b(?:[Ww]e|WE|[Oo]urs?|OURS?|[Oo]urselves|[Ww]e['\u2019](?:re|ve|ll|d)|us)\b")
_SECOND_PERSON = regex.compile(r"\b(?:you|your|yours|yourself)\b", regex.IGNORECASE)
_CALL_TO_ACTION = regex.compile(
    r"""\b(?:contact\ us | call\ (?:us|today|now) | schedule\ (?:a|an|your)
      | book\ (?:a|an|your) | request\ (?:a|an|your)?\s*(?:free\ )?(?:consultation|appointment|information)
      | free\ consultation | sign\ up | subscribe | get\ started
      | take\ the\ first\ step | reach\ out | visit\ (?:us|our) | don['\u2019]t\ wait
      | act\ now | get\ in\ touch)\b""",
    regex.IGNORECASE | regex.VERBOSE,
)
_PHONE = regex.compile(r"(?<!\d)(?:\+?\d{1,2}[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]\d{4}(?!\d)")
_EMAIL = regex.compile(r"[\w.+-]+@([\w-]+)\.[\w.-]+")
_NAME = r"\p{Lu}[\p{L}\d&'\u2019.-]*(?:\s\p{Lu}[\p{L}\d&'\u2019.-]*){0,3}"
_BUSINESS_PATTERNS = (
    regex.compile(rf"\bAt\s+(?P<name>{_NAME}),?\s+(?:we|our)\b"),
    regex.compile(rf"\b(?:Choose|Choosing|Contact|Call)\s+(?P<name>{_NAME})\b"),
    regex.compile(rf"\b(?P<name>{_NAME})\s+(?:offers|provides|specializes|specialises)\b"),
)
_NOT_A_BUSINESS = frozenset({
    "the", "this", "these", "that", "our", "we", "us", "it", "they", "research", "studies",
    "researchers", "patients", "stem", "first", "today", "now", "a", "an",
})


@dataclass
class _Citation:
    first: int  # index of the block with the citation line
    last: int  # last block of the citation (a bare "Sources:" takes the next block)
    text: str


def _block_text(doc: Document, block: Block) -> str:
    return doc.text[block.start:block.end]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _strip_trailing(text: str) -> str:
    return text.rstrip(_TRAILING_PUNCTUATION)


# --- citation parsing ------------------------------------------------------------------


def first_author_surname(citation: str) -> str:
    """The first author's surname as an id stem, or "" if none is recognisable."""
    text = _LEADING_NUMBER.sub("", citation.strip())
    text = _LEADING_INITIALS.sub("", text)
    match = _FIRST_AUTHOR.match(text)
    if not match:
        return ""
    folded = _fold(match.group("name")).lower()
    return "".join(ch for ch in folded if ch.isalnum() and ch.isascii())


def citation_year(citation: str) -> str:
    cleaned = URL_PATTERN.sub(" ", DOI_PATTERN.sub(" ", citation))
    match = _YEAR.search(cleaned)
    return match.group(0) if match else ""


def find_doi(text: str) -> str:
    match = DOI_PATTERN.search(text)
    return _strip_trailing(match.group(0)) if match else ""


def find_pmid(text: str) -> str:
    match = PMID_PATTERN.search(text)
    return match.group(1) if match else ""


def find_url(text: str) -> str:
    match = URL_PATTERN.search(text)
    return _strip_trailing(match.group(0)) if match else ""


def citation_id(citation: str) -> str:
    return (first_author_surname(citation) or "source") + citation_year(citation)


def _dedupe_ids(ids: list[str]) -> list[str]:
    counts = Counter(ids)
    used: Counter[str] = Counter()
    result = []
    for base in ids:
        if counts[base] > 1:
            result.append(base + chr(ord("a") + used[base]))
            used[base] += 1
        else:
            result.append(base)
    return result


# --- reading the page -------------------------------------------------------------------


def find_business_names(text: str) -> set[str]:
    """Names the publisher uses for itself ("At Acme Clinic, we ...")."""
    candidates: set[str] = set()
    for pattern in _BUSINESS_PATTERNS:
        for match in pattern.finditer(text):
            name = match.group("name").rstrip(".")
            if name.split()[0].lower() not in _NOT_A_BUSINESS:
                candidates.add(name)
    for match in _EMAIL.finditer(text):
        candidates.add(match.group(1))
    names = set()
    for name in candidates:
        occurrences = len(regex.findall(rf"\b{regex.escape(name)}\b", text, regex.IGNORECASE))
        if occurrences >= 2 and len(name) >= 3:
            names.add(name)
    return names


def reads_as_marketing(text: str, business_names: Collection[str] = frozenset()) -> bool:
    """The publisher speaking for itself: contact details, a call to action,
    its own name, or "we/our" addressed to the reader."""
    if _PHONE.search(text) or _EMAIL.search(text) or _CALL_TO_ACTION.search(text):
        return True
    if any(regex.search(rf"\b{regex.escape(name)}\b", text, regex.IGNORECASE)
           for name in business_names):
        return True
    own_voice = len(_FIRST_PERSON_PLURAL.findall(text))
    return own_voice >= 2 or (own_voice >= 1 and bool(_SECOND_PERSON.search(text)))


def _normalised(text: str) -> str:
    return " ".join(regex.sub(r"<[^>]*>|^[#=\-\s]+$|^#+\s*", " ", text,
                              flags=regex.MULTILINE).split()).casefold()


def is_repeated_title(doc: Document, block: Block) -> bool:
    """A heading printed twice in a row in the original file: an article start."""
    if block.kind != "heading" or block.end <= block.start:
        return False
    title = _normalised(_block_text(doc, block))
    raw_end = doc.raw_offset(block.end - 1) + 1
    following = doc.raw[raw_end:raw_end + 4 * len(title) + 400]
    # blank lines and a setext underline may sit between the two copies
    following = regex.sub(r"\A(?:[ \t]*[=\-]*[ \t]*\n)+", "", following)
    return bool(title) and _normalised(following).startswith(title)


def _find_citations(doc: Document) -> list[_Citation]:
    blocks = doc.blocks
    citations: list[_Citation] = []
    index = 0
    while index < len(blocks):
        text = _block_text(doc, blocks[index])
        match = _CITATION_LINE.match(text)
        if not match:
            index += 1
            continue
        rest = text[match.end():].strip()
        if rest:
            citations.append(_Citation(index, index, rest))
            index += 1
            continue
        # A bare "Source:" with the reference in the next block. Two or more
        # references are a bibliography for the page, not one summarised paper.
        following = []
        cursor = index + 1
        while (cursor < len(blocks) and blocks[cursor].kind != "heading"
               and _REFERENCE_LIKE.search(_block_text(doc, blocks[cursor]))):
            following.append(cursor)
            cursor += 1
        if len(following) == 1:
            citations.append(_Citation(index, following[0],
                                       _block_text(doc, blocks[following[0]]).strip()))
        index = max(cursor, index + 1)
    return citations


def _section_start(doc: Document, citation: _Citation, floor: int,
                   business_names: set[str]) -> int:
    blocks = doc.blocks
    start = floor
    for index in range(citation.first - 1, floor - 1, -1):
        if is_repeated_title(doc, blocks[index]):
            start = index
            break
    for index in range(citation.first - 1, start - 1, -1):
        if reads_as_marketing(_block_text(doc, blocks[index]), business_names):
            heading = next((h for h in range(index + 1, citation.first)
                            if blocks[h].kind == "heading"), None)
            return heading if heading is not None else index + 1
    return start


def extract_cited_sources(doc: Document) -> list[Source]:
    """Turn the copy's own cited summaries into Sources and exclude them from auditing.

    Appends one Span per summary (section plus its citation) to
    ``doc.excluded``; a citation whose section holds no summary text is still
    excluded, since a reference line is not a claim of the copy.
    """
    if doc.media_type == "table":
        return []  # a claims table holds claims, never the summaries themselves
    citations = _find_citations(doc)
    if not citations:
        return []
    business_names = find_business_names(doc.text)
    blocks = doc.blocks
    found: list[tuple[str, Source, Span]] = []
    spans: list[Span] = []
    floor = 0
    for citation in citations:
        start = _section_start(doc, citation, floor, business_names)
        body = [blocks[i] for i in range(start, citation.first) if blocks[i].kind != "heading"]
        if body:
            summary = "\n\n".join(_block_text(doc, block) for block in body)
            span = Span(blocks[start].start, blocks[citation.last].end)
            line = doc.line_col(blocks[start].start)[0]
            text = citation.text
            found.append((citation_id(text), Source(
                id="", summary=summary, citation=text, doi=find_doi(text),
                pmid=find_pmid(text), url=find_url(text),
                origin=f"{doc.path}:{line}", kind="summary"), span))
        else:
            spans.append(Span(blocks[citation.first].start, blocks[citation.last].end))
        floor = citation.last + 1

    sources = []
    for new_id, (_, source, span) in zip(_dedupe_ids([base for base, _, _ in found]), found):
        source.id = new_id
        sources.append(source)
        spans.append(span)
    for span in sorted(spans, key=lambda s: s.start):
        if span not in doc.excluded:
            doc.excluded.append(span)
    return sources


def _same_paper(a: Source, b: Source) -> bool:
    if a.doi or b.doi:
        return a.doi == b.doi
    return a.citation == b.citation


def collect_cited_sources(docs: list[Document]) -> list[Source]:
    """Cited sources from several documents, with ids unique across all of them.

    The same paper summarised on two pages (same DOI, or the same citation
    when there is no DOI) is kept once, from the first page. Ids follow the
    single-page rule over the whole set: clashing author-year ids all get
    letter suffixes in order of appearance.
    """
    papers: list[Source] = []
    for doc in docs:
        for source in extract_cited_sources(doc):
            if not any(_same_paper(paper, source) for paper in papers):
                papers.append(source)
    for paper, new_id in zip(papers, _dedupe_ids([citation_id(p.citation) for p in papers])):
        paper.id = new_id
    return papers
