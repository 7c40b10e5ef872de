"""Certainty, relationship and negation cues, read from lexicons kept as data.

``find_cues`` marks hedges ("may", "suggests"), boosters ("proven",
"completely"), negations with their scope (ConText style: a trigger negates
the words after it, or before it for triggers like "was ruled out", up to a
terminator such as "but" or a comma), correlational cues ("associated with")
and causal cues ("reduces", "is effective").

The lexicons live in ``data/cues.yaml``; users may merge their own files with
``load_cues(extra_paths=...)``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import InputError
from ._lazy import TextPattern, compile_pattern, lazy_regex, unicode_pattern

# The word lists shipped with the package (installed as plain files beside the code).
DATA = Path(__file__).resolve().parent / "data"

CUE_KINDS = ("hedge", "booster", "negation", "correlational", "causal")
_PHRASE_KINDS = ("hedge", "booster", "correlational", "causal")
# Keys a kind's section may hold in a lexicon file.
_SECTION_KEYS = {"correlational": ("phrases", "verbs", "comparisons")}


@dataclass(frozen=True)
class Cue:
    """A cue word or phrase and the stretch of text it bears on.

    ``kind`` is one of :data:`CUE_KINDS`. ``scope_start``/``scope_end`` cover
    the words the cue governs: for a negation the negated words, for a hedge
    or booster the words it qualifies; for a relationship cue its own span.
    ``lemma`` is the lexicon entry that matched ("reduce" for "reduced") and
    ``group`` says how: "verb" or "phrase"; correlational cues that compare
    groups ("higher among", "3 times more") are "comparison"; negations are
    "pre" or "post".
    """

    kind: str
    text: str
    start: int
    end: int
    scope_start: int
    scope_end: int
    lemma: str = ""
    group: str = ""


# Tokens follow Unicode's idea of a word (the ``regex`` engine's ``\w``), so text with
# combining accents or superscripts tokenises as a reader sees it.
# A run of hyphens ("--", typed for a dash) is one token, read as the dash "—".
_TOKEN_RE = unicode_pattern(r"\w+(?:['’]\w+)*|-{2,}|[^\w\s\-]")


@lru_cache(maxsize=4096)
def tokens(text: str) -> tuple[tuple[str, int, int], ...]:
    """Lower-cased word and symbol tokens with offsets; a single hyphen separates words, a double one
    is a dash."""
    return tuple((m.group(0).lower().replace("’", "'") if m.group(0)[0] != "-" else "—", m.start(), m.end())
                 for m in _TOKEN_RE.finditer(text))


def phrase_lengths(phrases: Iterable[str], *, by_last: bool = False) -> dict[str, tuple[int, ...]]:
    """Word counts of the phrases keyed by their first (or last) word, longest first.

    Lets phrase lookups try only the lengths that can match at a position.
    """
    lengths: dict[str, set[int]] = {}
    for phrase in phrases:
        words = phrase.split(" ")
        lengths.setdefault(words[-1] if by_last else words[0], set()).add(len(words))
    return {word: tuple(sorted(ns, reverse=True)) for word, ns in lengths.items()}


_PLAIN_PHRASE_RE = re.compile(r"[a-z0-9]+(?: [a-z0-9]+)*")


def normalise_phrase(text: str) -> str:
    """A phrase as its lower-case tokens joined by single spaces ("Well-Tolerated" -> "well tolerated")."""
    lowered = text.lower()
    if _PLAIN_PHRASE_RE.fullmatch(lowered):
        return lowered  # most lexicon entries are plain words: no need to tokenise them
    return " ".join(t for t, _, _ in tokens(text))


_normalise_form = normalise_phrase


@dataclass(eq=False)
class CueLexicon:
    """Compiled cue lexicons.

    Phrases are looked up token by token in ``forms`` (normalised form ->
    [(kind, lemma, group)]), which keeps loading fast however long the lists
    grow; the few entries given as regular expressions are kept in ``regexes``
    as (kind, pattern, group, words): ``words`` are strings one of which the
    lower-cased text must hold for the pattern to be tried (empty: always).
    Negation triggers use the kinds ``negation_pre``, ``negation_post`` and
    ``negation_pseudo``.
    """

    forms: dict[str, list[tuple[str, str, str]]]
    regexes: list[tuple[str, TextPattern, str, tuple[str, ...]]]
    lengths: dict[str, tuple[int, ...]]
    terminators: TextPattern  # where a negation's scope stops
    window: int = 8

    def entries(self, kind: str) -> list[str]:
        """The normalised forms listed for a kind."""
        return sorted(f for f, items in self.forms.items() if any(k == kind for k, _, _ in items))


def _regular_forms(word: str) -> set[str]:
    forms = {word}
    if word.endswith(("s", "x", "z", "ch", "sh")):
        forms.add(word + "es")
    elif word.endswith("y") and word[-2:-1] not in "aeiou":
        forms.add(word[:-1] + "ies")
    else:
        forms.add(word + "s")
    if word.endswith("e"):
        forms.add(word + "d")
    elif word.endswith("y") and word[-2:-1] not in "aeiou":
        forms.add(word[:-1] + "ied")
    else:
        forms.add(word + "ed")
    if word.endswith("ie"):
        forms.add(word[:-2] + "ying")
    elif word.endswith("e") and not word.endswith("ee"):
        forms.add(word[:-1] + "ing")
    else:
        forms.add(word + "ing")
    return forms


def inflect(verb: str, irregular: dict[str, list[str]] | None = None) -> set[str]:
    """Every form of a (possibly multi-word) verb: "lead to" -> "led to", "leads to" ..."""
    head, _, rest = verb.strip().partition(" ")
    irregular = irregular or {}
    heads = {head, *irregular[head]} if head in irregular else _regular_forms(head)
    return {f"{h} {rest}".strip() for h in heads}


def _terminator_pattern(term: str) -> str:
    body = re.escape(term).replace(r"\ ", r"\s+")
    if term[:1].isalnum():
        return rf"(?<!\w){body}(?!\w)"
    return body


def _parse_yaml(path: Path | str, text: str) -> Any:
    from claimaudit.structured import load_yaml

    return load_yaml(text, str(path))


def _read_yaml(path: Path | str, text: str | None = None) -> dict:
    from claimaudit.cache import cached_parse, lexicon_shape

    if text is None:
        from claimaudit.files import read_utf8

        # Bounded like every user file: a pipe or a huge file is an error, not a hang.
        text = read_utf8(path, "cue lexicon")
    # Parsed lexicons are cached by their text: parsing them is most of a one-page check's start-up.
    data = cached_parse("lexicon", text, lambda: _parse_yaml(path, text), check=lexicon_shape)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise InputError("a cue lexicon must be a mapping of cue kinds", path=str(path))
    return data


def _entries(section: object, path: str, where: str) -> list[str | dict[str, Any]]:
    if section is None:
        return []
    if not isinstance(section, list):
        raise InputError("expected a list of phrases", path=path, field=where)
    for item in section:
        if not (isinstance(item, str) or (isinstance(item, dict) and isinstance(item.get("regex"), str))):
            raise InputError(f"entry {item!r} is neither a phrase nor {{regex: ...}}", path=path, field=where)
        if isinstance(item, dict):
            words = item.get("words", [])
            if set(item) - {"regex", "words"} or not isinstance(words, list) or \
                    not all(isinstance(w, str) and w for w in words):
                raise InputError(f"entry {item!r}: a pattern takes 'regex' and an optional list of 'words'",
                                 path=path, field=where)
    return section


def _merge(base: dict, extra: dict, path: str) -> None:
    """Add an extra lexicon's entries to ``base`` (both in the YAML layout)."""
    for kind, section in extra.items():
        if kind == "irregular":
            if not isinstance(section, dict):
                raise InputError("expected a mapping of verb to forms", path=path, field="irregular")
            base.setdefault("irregular", {}).update(section)
            continue
        if kind == "remove":
            base.setdefault("remove", []).extend(_entries(section, path, "remove"))
            continue
        if kind not in _PHRASE_KINDS and kind != "negation":
            raise InputError(f"unknown cue kind {kind!r} (expected one of {', '.join(CUE_KINDS)})",
                             path=path, field=kind)
        if not isinstance(section, dict):
            raise InputError("expected a mapping with 'phrases' and/or 'verbs'", path=path, field=kind)
        target = base.setdefault(kind, {})
        for key, value in section.items():
            if key == "window":
                if not isinstance(value, int) or value < 1:
                    raise InputError("window must be a positive whole number", path=path, field=f"{kind}.window")
                target[key] = value
                continue
            allowed = ("pre", "post", "pseudo", "terminators") if kind == "negation" else _SECTION_KEYS.get(
                kind, ("phrases", "verbs"))
            if key not in allowed:
                raise InputError(f"unknown key {key!r} (expected {', '.join(allowed)})", path=path,
                                 field=f"{kind}.{key}")
            target.setdefault(key, []).extend(_entries(value, path, f"{kind}.{key}"))


def _build(data: dict) -> CueLexicon:
    irregular = {k: [_normalise_form(f) for f in v] for k, v in (data.get("irregular") or {}).items()}
    removed = {_normalise_form(r) for r in data.get("remove") or [] if isinstance(r, str)}
    forms: dict[str, list[tuple[str, str, str]]] = {}
    regexes: list[tuple[str, TextPattern, str, tuple[str, ...]]] = []

    def add(kind: str, form: str, lemma: str, group: str) -> None:
        items = forms.setdefault(form, [])
        if not any(k == kind for k, _, _ in items):
            items.append((kind, lemma, group))

    def collect(kind: str, phrases: list, verbs: list, group: str = "") -> None:
        # phrases first: a form listed as a phrase ("benefits") keeps that reading
        for phrase in phrases:
            if isinstance(phrase, dict):
                try:
                    pattern = compile_pattern(phrase["regex"], re.IGNORECASE)
                except re.error as exc:
                    raise InputError(f"bad regular expression {phrase['regex']!r}: {exc}", field=kind) from exc
                words = tuple(w.lower() for w in phrase.get("words") or ())
                regexes.append((kind, pattern, group or "phrase", words))
                continue
            key = _normalise_form(phrase)
            if key and key not in removed:
                add(kind, key, key, group or "phrase")
        for verb in verbs:
            lemma = _normalise_form(verb)
            if lemma in removed:
                continue
            for form in inflect(lemma, irregular):
                add(kind, form, lemma, group or "verb")

    for kind in _PHRASE_KINDS:
        section = data.get(kind) or {}
        collect(kind, section.get("phrases") or [], section.get("verbs") or [])
        if section.get("comparisons"):
            collect(kind, section["comparisons"], [], "comparison")
    negation = data.get("negation") or {}
    collect("negation_pre", negation.get("pre") or [], [], "pre")
    collect("negation_post", negation.get("post") or [], [], "post")
    collect("negation_pseudo", negation.get("pseudo") or [], [], "pseudo")
    terminator_alts = [_terminator_pattern(t) for t in negation.get("terminators") or [] if isinstance(t, str)]
    # sentence ends always close a scope
    terminator_alts.append(r"[.!?](?=\s|$)")
    return CueLexicon(forms=forms, regexes=regexes, lengths=phrase_lengths(forms),
                      window=int(negation.get("window", 8)),
                      terminators=compile_pattern("|".join(terminator_alts), re.IGNORECASE))


def _builtin_text() -> str:
    return (DATA / "cues.yaml").read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def _load(extra_paths: tuple[str, ...]) -> CueLexicon:
    data = _read_yaml("cues.yaml (built in)", _builtin_text())
    for path in extra_paths:
        _merge(data, _read_yaml(path), str(path))
    return _build(data)


def load_cues(extra_paths: str | Path | Iterable[str | Path] = ()) -> CueLexicon:
    """The built-in cue lexicon, with any extra YAML lexicons merged in."""
    if isinstance(extra_paths, (str, Path)):
        extra_paths = (extra_paths,)
    return _load(tuple(str(p) for p in extra_paths))


_WORD_RE = unicode_pattern(r"\w+(?:[-'’]\w+)*")


def _forward_scope(text: str, end: int, lexicon: CueLexicon) -> tuple[int, int]:
    stop = len(text)
    term = lexicon.terminators.search(text, end)
    if term:
        stop = term.start()
    scope_end = end
    for count, word in enumerate(_WORD_RE.finditer(text, end, stop)):
        if count >= lexicon.window:
            break
        scope_end = word.end()
    start = end
    while start < scope_end and text[start].isspace():
        start += 1
    return start, scope_end


def _backward_scope(text: str, start: int, lexicon: CueLexicon) -> tuple[int, int]:
    floor = 0
    for term in lexicon.terminators.finditer(text, 0, start):
        floor = term.end()
    words = list(_WORD_RE.finditer(text, floor, start))[-lexicon.window:]
    if not words:
        return start, start
    return words[0].start(), words[-1].end()


_MONTH_CONTEXT_RE = lazy_regex(
    r"(?:\b(?:in|on|of|since|until|by|from|during|early|late|mid|between|and|to)[\s-]+May\b|\bMay[\s,]+\d)"
)
_PREVIOUS_WORD_RE = lazy_regex(r"([A-Z][\w'’-]*)\s+$")


def _inside_proper_name(text: str, start: int, end: int) -> bool:
    """ "the American Heart Association": a capitalised cue word that is part of a name."""
    word = text[start:end]
    if not word[:1].isupper() or " " in word or word.isupper():
        return False
    if word.lower() not in ("association", "associations", "society", "link", "links"):
        return False
    return _PREVIOUS_WORD_RE.search(text[max(0, start - 40):start]) is not None


def _all_matches(text: str, lexicon: CueLexicon) -> dict[str, list[tuple[int, int, str, str]]]:
    """Longest phrase matches per kind, as (start, end, lemma, group)."""
    found: dict[str, list[tuple[int, int, str, str]]] = {}
    toks = tokens(text)
    words = [t for t, _, _ in toks]
    for i in range(len(toks)):
        seen_kinds: set[str] = set()
        for n in lexicon.lengths.get(words[i], ()):
            if i + n > len(toks):
                continue
            items = lexicon.forms.get(" ".join(words[i:i + n]))
            if not items:
                continue
            for kind, lemma, group in items:
                if kind in seen_kinds:
                    continue
                seen_kinds.add(kind)
                found.setdefault(kind, []).append((toks[i][1], toks[i + n - 1][2], lemma, group))
    lowered = text.lower()
    for kind, pattern, group, needs in lexicon.regexes:
        if needs and not any(word in lowered for word in needs):
            continue
        for m in pattern.finditer(text):
            if m.end() > m.start():
                found.setdefault(kind, []).append((m.start(), m.end(), _normalise_form(m.group(0)), group))
    for kind, matches in found.items():
        kept: list[tuple[int, int, str, str]] = []
        for match in sorted(matches, key=lambda m: (m[0], -(m[1] - m[0]))):
            if kept and match[0] < kept[-1][1]:
                continue
            kept.append(match)
        found[kind] = kept
    return found


@lru_cache(maxsize=8192)
def _find_cues_cached(text: str, lexicon: CueLexicon) -> tuple[Cue, ...]:
    cues: list[Cue] = []
    found = _all_matches(text, lexicon)
    correlational = found.get("correlational", [])
    # a causal word inside a correlational phrase ("reduced risk") is not causal
    found["causal"] = [
        m for m in found.get("causal", [])
        if not any(c[0] <= m[0] and m[1] <= c[1] and (c[1] - c[0]) > (m[1] - m[0]) for c in correlational)
    ]
    for kind in _PHRASE_KINDS:
        for s, e, lemma, group in found.get(kind, []):
            if _inside_proper_name(text, s, e):
                continue
            if group == "verb" and text[s:e].isupper() and e - s > 1:
                continue  # an acronym such as "HELP" names a programme, it is not the verb
            if kind == "hedge" and text[s:e] == "May" and _MONTH_CONTEXT_RE.search(text[max(0, s - 12):e + 6]):
                continue  # "in May 2021", "May 3": the month
            scope = _forward_scope(text, e, lexicon) if kind in ("hedge", "booster") else (s, e)
            cues.append(Cue(kind, text[s:e], s, e, scope[0], scope[1], lemma, group or "phrase"))

    pseudo = found.get("negation_pseudo", [])
    negations = [(s, e, lemma, "pre") for s, e, lemma, _ in found.get("negation_pre", [])]
    negations += [(s, e, lemma, "post") for s, e, lemma, _ in found.get("negation_post", [])]
    negations.sort(key=lambda m: (m[0], -(m[1] - m[0])))
    kept: list[tuple[int, int, str, str]] = []
    for s, e, lemma, group in negations:
        if any(s < pe and ps < e for ps, pe, _, _ in pseudo):
            continue
        if kept and s < kept[-1][1]:
            # "was not observed" (post) and "not" (pre) overlap: keep the longer
            if e - s > kept[-1][1] - kept[-1][0]:
                kept[-1] = (s, e, lemma, group)
            continue
        kept.append((s, e, lemma, group))
    for s, e, lemma, group in kept:
        scope = _forward_scope(text, e, lexicon) if group == "pre" else _backward_scope(text, s, lexicon)
        cues.append(Cue("negation", text[s:e], s, e, scope[0], scope[1], lemma, group))
    cues.sort(key=lambda c: (c.start, -c.end, c.kind))
    return tuple(cues)


def find_cues(text: str, lexicon: CueLexicon | None = None) -> list[Cue]:
    """Every hedge, booster, negation, correlational and causal cue in ``text``."""
    return list(_find_cues_cached(text, lexicon or load_cues()))


def negated_spans(cues: list[Cue]) -> list[tuple[int, int]]:
    """The stretches of text that some negation governs."""
    return [(c.scope_start, c.scope_end) for c in cues if c.kind == "negation" and c.scope_end > c.scope_start]


def is_negated(cues: list[Cue], start: int, end: int) -> bool:
    """Whether the words in ``[start, end)`` fall inside a negation's scope."""
    return any(s <= start and end <= e for s, e in negated_spans(cues))
