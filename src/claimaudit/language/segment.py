"""Sentences and clauses with exact offsets into the text they come from.

``split_sentences`` uses syntok for the sentence boundaries inside running
prose (it knows "et al.", "e.g.", "Dr.", decimals) and adds the line-level
structure syntok does not see: list items and headings on their own lines are
sentences of their own, while a paragraph hard-wrapped over several lines
stays one sentence.

``split_clauses`` cuts a compound assertion ("X reduced relapses and improved
mobility") into the clauses that each assert an effect.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..model import Sentence
from ._lazy import lazy_regex

# "- item", "* item", "• item", "1. item", "2) item", "a) item"
_BULLET_RE = lazy_regex(
    r"[ \t]*(?:[-*•‣◦▪▫●○■□–—→✓✔]|\(?\d{1,3}[.)]|\(?[a-z][)])[ \t]+(?=\S)"
)
_TERMINAL_PUNCT = ".!?:;…"
# Words that cannot end a heading, so a line ending in one is prose wrapped over lines.
_CONTINUATION_WORDS = frozenset(
    """a an the and or but of to in on at by for with from as than that which who whose is are was were be
    been has have had not no its their our your this these those such into onto via per if when while
    because although though whereas including e.g i.e et al vs""".split()
)
# Abbreviations after which syntok sometimes ends a sentence that goes on.
_ABBREVIATIONS = frozenset(
    """fig figs vs dr drs prof approx ref refs eq eqs no nos vol cf ca st mr mrs jr sr dept univ est
    incl resp sec ch pp p e.g i.e""".split()
)
_WORDISH_RE = lazy_regex(r"[\w.]+")
_LAST_WORD_RE = lazy_regex(r"([\w.]+)\.\s*$")


def _lines(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Non-empty lines of ``text[start:end]`` as (start, end) without the newline."""
    spans = []
    pos = start
    while pos < end:
        newline = text.find("\n", pos, end)
        line_end = end if newline < 0 else newline
        if text[pos:line_end].strip():
            spans.append((pos, line_end))
        pos = line_end + 1
    return spans


def _is_heading_like(line: str, next_line: str) -> bool:
    """A line without closing punctuation followed by a line that starts a new unit."""
    stripped = line.rstrip()
    if not stripped or stripped[-1] in _TERMINAL_PUNCT + ",":
        return False
    nxt = next_line.lstrip()
    if not nxt or not (nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "\"'“‘(["):
        return False
    last_word = _WORDISH_RE.findall(stripped.lower())
    if last_word and last_word[-1].rstrip(".") in _CONTINUATION_WORDS:
        return False
    return len(stripped.split()) <= 20


def _units(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Runs of text that no sentence may cross: paragraphs, list items, headings."""
    units: list[tuple[int, int]] = []
    lines = _lines(text, start, end)
    current: tuple[int, int] | None = None
    previous_text = ""
    for line_start, line_end in lines:
        line = text[line_start:line_end]
        bullet = _BULLET_RE.match(line)
        blank_before = current is not None and "\n" in text[current[1]:line_start] and \
            text[current[1]:line_start].count("\n") >= 2
        starts_new = (
            current is None
            or blank_before
            or bullet is not None
            or previous_text.rstrip().endswith(":")
            or _is_heading_like(previous_text, line)
        )
        content_start = line_start + (bullet.end() if bullet else 0)
        if starts_new or current is None:
            if current is not None:
                units.append(current)
            current = (content_start, line_end)
        else:
            current = (current[0], line_end)
        previous_text = line
    if current is not None:
        units.append(current)
    return units


def _syntok_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    # imported on first use: syntok (and the ``regex`` engine it loads) is most of this package's import time
    import syntok.segmenter as syntok_segmenter

    chunk = text[start:end]
    spans = []
    for paragraph in syntok_segmenter.analyze(chunk):
        for sentence in paragraph:
            if not sentence:
                continue
            first, last = sentence[0], sentence[-1]
            spans.append((start + first.offset, start + last.offset + len(last.value)))
    return spans


def _merge_abbreviation_splits(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Re-join sentences that syntok cut right after an abbreviation like "Fig."."""
    merged: list[tuple[int, int]] = []
    for span in spans:
        if merged:
            prev_start, prev_end = merged[-1]
            m = _LAST_WORD_RE.search(text, prev_start, prev_end)
            if m and m.group(1).lower() in _ABBREVIATIONS and text[prev_end:span[0]].strip() == "":
                merged[-1] = (prev_start, span[1])
                continue
        merged.append(span)
    return merged


def _strip(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@lru_cache(maxsize=1024)
def _split_cached(text: str, start: int, end: int) -> tuple[tuple[int, int], ...]:
    spans: list[tuple[int, int]] = []
    for unit_start, unit_end in _units(text, start, end):
        unit_spans = _merge_abbreviation_splits(text, _syntok_spans(text, unit_start, unit_end))
        for s, e in unit_spans:
            s, e = _strip(text, s, e)
            if e > s:
                spans.append((s, e))
    return tuple(spans)


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[start:end]``, with offsets into ``text``.

    Each sentence's ``text`` equals ``text[sentence.start:sentence.end]`` and
    has no surrounding whitespace. List markers ("- ", "1. ") are left out.
    """
    end = len(text) if end is None else end
    return [Sentence(text[s:e], s, e) for s, e in _split_cached(text, start, end)]


# --- clauses -----------------------------------------------------------------

_CLAUSE_SPLIT_RE = lazy_regex(
    r"\s*;\s*|,?\s+(?:and|while|as\s+well\s+as|whilst|and\s+also)\s+", re.IGNORECASE
)


def _effect_verbs() -> frozenset[str]:
    from .cues import load_cues

    lexicon = load_cues()
    return frozenset(form for form, items in lexicon.forms.items()
                     if any(kind == "causal" and group == "verb" for kind, _, group in items) and " " not in form)


@lru_cache(maxsize=1)
def _verbs() -> frozenset[str]:
    return _effect_verbs()


_CLAUSE_WORD_RE = lazy_regex(r"\w+(?:['’]\w+)*|[^\w\s]")
# Finite auxiliaries and modals: "... and is safe", "... and can restore sleep".
_AUXILIARIES = frozenset(
    """is are was were has have had does did do can could may might will would should must""".split()
)
# Words that may stand between "and" and its verb: "and also restores", "and then helps".
_BEFORE_VERB = frozenset("""also then even further often still now so""".split())
# Words after which a form ending in -s or -ed is a noun or a modifier, not a verb with an object.
_AFTER_NOUN = frozenset(
    """in of on at for with from to by as than and or but nor during after before over under between among
    across within without into per via versus vs while whereas when if that which who""".split()
)
_OBJECT_STARTERS = frozenset(
    """the a an your their his her its our my this these those them it you us him me people patients
    skin hair teeth muscles joints cartilage bones""".split()
)
_NOT_THIRD_PERSON = frozenset("""this thus its his hers us yes less plus always perhaps whereas across as""".split())


def _words(text: str) -> list[str]:
    return [w.lower() for w in _CLAUSE_WORD_RE.findall(text)]


def _is_verb_at(words: list[str], i: int) -> bool:
    """Whether ``words[i]`` reads as a finite verb: an effect verb, an auxiliary,
    or a third-person "-s" form (or an "-ed" form) with an object after it.

    "and regrows cartilage" and "and gives you energy" are verbs; "aches and
    pains", "pain and stiffness", "and related symptoms" are not.
    """
    word = words[i]
    if word in _verbs() or word in _AUXILIARIES:
        return True
    following = next((w for w in words[i + 1:] if not w.endswith("ly")), ".")
    if not following[:1].isalnum() or following in _AFTER_NOUN:
        return False
    if word.endswith("ed") and len(word) > 4:
        return following in _OBJECT_STARTERS
    return (len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is", "ics"))
            and word not in _NOT_THIRD_PERSON and word.isalpha())


def _has_effect_verb(text: str) -> bool:
    """Whether a stretch has a verb of its own: an effect verb, an auxiliary, or a
    finite verb after its first word ("the serum heals scars")."""
    verbs = _verbs()
    words = _words(text)
    return any(w in verbs or w in _AUXILIARIES for w in words) or any(
        _is_verb_at(words, i) for i in range(1, len(words)))


def _starts_with_verb(text: str) -> bool:
    """ "... and (also) restores sleep": the words after a conjunction open a new predicate."""
    words = _words(text)
    i = 0
    while i < len(words) and (words[i] in _BEFORE_VERB or (words[i].endswith("ly") and len(words[i]) > 4)):
        i += 1
    return i < len(words) and _is_verb_at(words, i)


def split_clauses(sentence_text: str) -> list[tuple[int, int]]:
    """Spans of the clauses a compound assertion makes.

    Splits at ";" and at "and", "while", "as well as" only when both sides
    make an assertion: the left holds a verb of effect or an auxiliary, and
    the right one too or opens with a finite verb ("X reduced relapses and
    improved mobility", "... and regrows cartilage", "... and gives you
    energy"); a list of outcomes after one verb ("reduced pain and fatigue",
    "eases aches and pains") stays whole. A sentence that makes one claim
    comes back as a single span.
    """
    text = sentence_text
    cuts: list[tuple[int, int]] = []
    depth = 0
    paren_ranges: list[tuple[int, int]] = []
    open_at = 0
    for i, ch in enumerate(text):
        if ch in "([":
            if depth == 0:
                open_at = i
            depth += 1
        elif ch in ")]" and depth:
            depth -= 1
            if depth == 0:
                paren_ranges.append((open_at, i))
    for m in _CLAUSE_SPLIT_RE.finditer(text):
        if any(a <= m.start() <= b for a, b in paren_ranges):
            continue
        cuts.append(m.span())
    if not cuts:
        return [_strip(text, 0, len(text))] if text.strip() else []
    spans: list[tuple[int, int]] = []
    start = 0
    for cut_start, cut_end in cuts:
        left = text[start:cut_start]
        right_end = next((c[0] for c in cuts if c[0] >= cut_end), len(text))
        right = text[cut_end:right_end]
        is_semicolon = text[cut_start:cut_end].strip() == ";"
        if is_semicolon or (_has_effect_verb(left) and (_has_effect_verb(right) or _starts_with_verb(right))):
            spans.append(_strip(text, start, cut_start))
            start = cut_end
    spans.append(_strip(text, start, len(text)))
    return [(s, e) for s, e in spans if e > s]
