"""Domain terms in text: populations, conditions, interventions, outcomes, study designs,
safety and regulatory wording; plus the content words evidence matching compares.

The vocabularies live in ``data/vocab.yaml``; users extend them with their own
YAML files through ``load_vocabulary(extra_paths=...)``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import InputError
from ._lazy import lazy_regex, unicode_pattern
from .cues import DATA, _read_yaml, normalise_phrase, phrase_lengths, tokens
from .numbers import normalise_number_words

__all__ = [
    "CATEGORIES", "Term", "Terms", "Vocabulary", "content_tokens", "extract_terms", "load_vocabulary",
    "normalise_number_words", "stem",
]

CATEGORIES = ("populations", "conditions", "interventions", "outcomes", "designs", "safety", "regulatory")
_ACRONYM_RE = lazy_regex(r"^[A-Z0-9][A-Za-z0-9]{0,5}$")


@dataclass(frozen=True)
class Term:
    """A vocabulary term found in text: its category, canonical id and where it stands."""

    category: str
    canonical: str
    text: str
    start: int
    end: int


@dataclass
class Terms:
    """Terms found in one text, by category, each list in reading order."""

    populations: list[Term] = field(default_factory=list)
    conditions: list[Term] = field(default_factory=list)
    interventions: list[Term] = field(default_factory=list)
    outcomes: list[Term] = field(default_factory=list)
    designs: list[Term] = field(default_factory=list)
    safety: list[Term] = field(default_factory=list)
    regulatory: list[Term] = field(default_factory=list)

    def __getitem__(self, category: str) -> list[Term]:
        if category not in CATEGORIES:
            raise KeyError(category)
        return getattr(self, category)

    def canonical(self, category: str) -> list[str]:
        """Distinct canonical ids found in a category, in order of first mention."""
        return list(dict.fromkeys(t.canonical for t in self[category]))

    def all(self) -> list[Term]:
        return sorted((t for c in CATEGORIES for t in self[c]), key=lambda t: (t.start, t.category))


@dataclass(frozen=True)
class _Alias:
    category: str
    canonical: str
    exact_case: str  # the alias as written when it must match in capitals ("MS"), else ""


@dataclass(eq=False)
class Vocabulary:
    """Compiled vocabularies: names, parents and an alias index keyed by normalised tokens."""

    names: dict[str, dict[str, str]]  # category -> canonical -> display name
    parents: dict[str, dict[str, str]]  # category -> canonical -> parent canonical
    index: dict[str, list[_Alias]]
    lengths: dict[str, tuple[int, ...]]

    def name(self, category: str, canonical: str) -> str:
        return self.names.get(category, {}).get(canonical, canonical)

    def ancestors(self, category: str, canonical: str) -> list[str]:
        """Broader terms above ``canonical``, nearest first (MSC -> stem cell therapy)."""
        chain: list[str] = []
        current = self.parents.get(category, {}).get(canonical)
        while current and current not in chain and current != canonical:
            chain.append(current)
            current = self.parents.get(category, {}).get(current)
        return chain

    def is_a(self, category: str, canonical: str, broader: str) -> bool:
        """Whether ``canonical`` is ``broader`` or lies beneath it."""
        return canonical == broader or broader in self.ancestors(category, canonical)

    def canonical_ids(self, category: str) -> list[str]:
        return sorted(self.names.get(category, {}))


_normalise = normalise_phrase


def _plural(alias: str) -> str | None:
    last = alias.split()[-1] if alias.split() else ""
    if len(last) < 4 or last.endswith("s") or not last.isalpha() or last.isupper():
        return None
    if last.endswith("y") and last[-2] not in "aeiou":
        return alias[: -1] + "ies"
    return alias + "s"


def _merge(base: dict, extra: dict, path: str) -> None:
    for category, entries in extra.items():
        if category not in CATEGORIES:
            raise InputError(f"unknown vocabulary category {category!r} (expected one of {', '.join(CATEGORIES)})",
                             path=path, field=category)
        if not isinstance(entries, dict):
            raise InputError("expected a mapping of canonical ids to entries", path=path, field=category)
        target = base.setdefault(category, {})
        for canonical, entry in entries.items():
            where = f"{category}.{canonical}"
            if not isinstance(entry, dict):
                raise InputError("expected a mapping with 'aliases' (and optional 'name', 'parent')",
                                 path=path, field=where)
            unknown = set(entry) - {"name", "aliases", "parent"}
            if unknown:
                raise InputError(f"unknown key(s) {', '.join(sorted(map(str, unknown)))}", path=path, field=where)
            aliases = entry.get("aliases") or []
            if not isinstance(aliases, list) or not all(isinstance(a, (str, int, float)) for a in aliases):
                raise InputError("aliases must be a list of words or phrases", path=path, field=where)
            existing = target.setdefault(str(canonical), {"aliases": []})
            existing["aliases"] = list(existing.get("aliases") or []) + [str(a) for a in aliases]
            for key in ("name", "parent"):
                if entry.get(key):
                    existing[key] = str(entry[key])


def _build(data: dict) -> Vocabulary:
    names: dict[str, dict[str, str]] = {}
    parents: dict[str, dict[str, str]] = {}
    index: dict[str, list[_Alias]] = {}
    for category in CATEGORIES:
        for canonical, entry in (data.get(category) or {}).items():
            names.setdefault(category, {})[canonical] = entry.get("name") or canonical.replace("_", " ")
            if entry.get("parent"):
                parents.setdefault(category, {})[canonical] = entry["parent"]
            aliases = [canonical.replace("_", " ")] if not entry.get("aliases") else []
            aliases += list(entry.get("aliases") or [])
            for alias in aliases:
                alias = alias.strip()
                exact = alias if _ACRONYM_RE.match(alias) and sum(c.isupper() for c in alias) >= 2 else ""
                forms = [alias]
                plural = None if exact else _plural(alias)
                if plural:
                    forms.append(plural)
                for form in forms:
                    key = _normalise(form)
                    if not key:
                        continue
                    items = index.setdefault(key, [])
                    item = _Alias(category, canonical, exact)
                    if item not in items:
                        items.append(item)
    return Vocabulary(names=names, parents=parents, index=index, lengths=phrase_lengths(index))


def _builtin_text() -> str:
    return (DATA / "vocab.yaml").read_text(encoding="utf-8")


@lru_cache(maxsize=16)
def _load(extra_paths: tuple[str, ...]) -> Vocabulary:
    data: dict = {}
    _merge(data, _read_yaml("vocab.yaml (built in)", _builtin_text()), "vocab.yaml (built in)")
    for path in extra_paths:
        _merge(data, _read_yaml(path), str(path))
    return _build(data)


def load_vocabulary(extra_paths: str | Path | Iterable[str | Path] = ()) -> Vocabulary:
    """The built-in vocabularies with any extra YAML vocabularies merged in."""
    if isinstance(extra_paths, (str, Path)):
        extra_paths = (extra_paths,)
    return _load(tuple(str(p) for p in extra_paths))


def _acronym_stands_alone(text: str, start: int, end: int) -> bool:
    """ "MS" in "MS patients" or "MS-related", not in "AD-MSCs" or "IL-6"."""
    before = text[start - 2:start] if start >= 2 else text[:start]
    after = text[end:end + 2]
    if before.endswith("-") and before[:1].isalnum():
        return False
    if after.startswith("-") and after[1:2] and (after[1].isupper() or after[1].isdigit()):
        return False
    return True


@lru_cache(maxsize=4096)
def _extract_cached(text: str, vocabulary: Vocabulary) -> Terms:
    toks = tokens(text)
    words = [t for t, _, _ in toks]
    found: dict[str, list[Term]] = {c: [] for c in CATEGORIES}
    for i in range(len(toks)):
        seen: set[str] = set()
        for n in vocabulary.lengths.get(words[i], ()):
            if i + n > len(toks):
                continue
            items = vocabulary.index.get(" ".join(words[i:i + n]))
            if not items:
                continue
            start, end = toks[i][1], toks[i + n - 1][2]
            surface = text[start:end]
            for item in items:
                if item.category in seen:
                    continue
                if item.exact_case and (surface != item.exact_case or not _acronym_stands_alone(text, start, end)):
                    continue
                seen.add(item.category)
                found[item.category].append(Term(item.category, item.canonical, surface, start, end))
    # "tumor" inside "tumor formation" names an outcome, not the condition
    spans = [(t.start, t.end) for c, ts in found.items() if c != "conditions" for t in ts]
    found["conditions"] = [t for t in found["conditions"]
                           if not any(s <= t.start and t.end <= e and (e - s) > (t.end - t.start) for s, e in spans)]
    terms = Terms()
    for category, matches in found.items():
        kept: list[Term] = []
        for term in sorted(matches, key=lambda t: (t.start, -(t.end - t.start))):
            if kept and term.start < kept[-1].end:
                continue
            kept.append(term)
        setattr(terms, category, kept)
    return terms


def extract_terms(text: str, vocabulary: Vocabulary | None = None) -> Terms:
    """Every vocabulary term in ``text``, longest match first within a category."""
    return _extract_cached(text, vocabulary or load_vocabulary())


# --- content tokens ----------------------------------------------------------

_STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further had hadn't has hasn't have haven't having he her here hers herself him
    himself his how i if in into is isn't it it's its itself let's me more most my myself nor of off on once
    only or other ought our ours ourselves out over own same she should shouldn't so some such than that
    that's the their theirs them themselves then there there's these they this those through to too under
    until up very was wasn't we were weren't what when where which while who whom why will with won't would
    wouldn't you your yours yourself yourselves also however thus therefore may might must shall us via
    per within without upon whether et al e.g i.e etc""".split()
)
_WORD_RE = unicode_pattern(r"[\p{L}\p{N}]+(?:['’][\p{L}]+)?", re_source=r"[^\W_]+(?:['’][^\W\d_]+)?")


@lru_cache(maxsize=16384)
def stem(word: str) -> str:
    """A light stem, so that plurals and -ing/-ed forms compare alike.

    "reduces", "reduced", "reducing" and "reduce" all give "reduc";
    "studies" and "study" give "studi".
    """
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies") and len(w) > 4:
        w = w[:-3] + "i"
    elif w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 3 and any(v in w[: -len(suffix)] for v in "aeiouy"):
            w = w[: -len(suffix)]
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if w.endswith("ment") and len(w) > 7:
        w = w[:-4]
    if w.endswith("e") and len(w) > 3:
        w = w[:-1]
    if w.endswith("y") and len(w) > 3:
        w = w[:-1] + "i"
    return w


def content_tokens(text: str) -> list[str]:
    """Lower-case, stemmed content words of ``text`` with stopwords removed.

    Numbers written in words become digits first, so "two weeks" and
    "2 weeks" give the same tokens.
    """
    return list(_content_tokens_cached(text))


@lru_cache(maxsize=8192)
def _content_tokens_cached(text: str) -> tuple[str, ...]:
    text = normalise_number_words(text)
    out = []
    for m in _WORD_RE.finditer(text):
        word = m.group(0).lower().replace("’", "'")
        if word in _STOPWORDS:
            continue
        out.append(stem(word))
    return tuple(out)
