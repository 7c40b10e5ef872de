"""Product names in copy and the names the sources use for the same thing.

Copy says "FlexiCur"; the trial summaries say "curcumin". A source pack's
top-level ``aliases: {FlexiCur: [curcumin]}`` (or ``aliases`` in
``[tool.claimaudit]``) says so, and the engine then reads "FlexiCur" as
"curcumin" when it looks for evidence and resolves a claim's subject.

An alias table is ``dict[str, tuple[str, ...]]``: the copy name, lower-cased
with its spaces collapsed, mapped to the source names (as written, first one
preferred). A name matches whole words, case-insensitively, and a name of
several words ("Joint Ease") matches them with any spaces, hyphens or
apostrophes between them.

This module is pure Python and imports only claimaudit.errors and
claimaudit.limits, so validating aliases never needs pydantic or a parser.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Mapping, Union

from claimaudit import limits
from claimaudit.errors import InputError

Aliases = dict[str, tuple[str, ...]]
# Where a problem sits: ``line_of(name, index)`` for the name (index None) or one of its targets.
LineOf = Callable[[str, Union[int, None]], Union[int, None]]

# A product or ingredient name, not a paragraph: longer names are a mistake.
MAX_NAME_CHARS = 200
LIMIT = "max-aliases"

_WORD = re.compile(r"\w+")
# Between the words of a multiword name: spaces, hyphens or apostrophes only.
_JOIN = re.compile(r"[\s\-'\u2019]+")
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

EXAMPLE = "e.g. {FlexiCur: [curcumin]}"


def normalise_name(name: str) -> str:
    """The key a copy name is stored under: lower case, spaces collapsed."""
    return " ".join(name.split()).lower()


def _no_line(name: str, index: int | None) -> int | None:
    return None


def _field(prefix: str, name: str, index: int | None = None) -> str:
    shown = f".{name}" if name.isidentifier() else f"[{name!r}]"
    return f"{prefix}{shown}" + (f"[{index}]" if index is not None else "")


def _text_problem(value: Any, what: str) -> str | None:
    if not isinstance(value, str):
        return f"{what} must be text, not {type(value).__name__}"
    if not value.strip():
        return f"{what} must not be empty"
    if len(value) > MAX_NAME_CHARS:
        return f"{what} is {len(value):,} characters; a name is at most {MAX_NAME_CHARS}"
    if _UNPRINTABLE.search(value):
        return f"{what} must be one line of printable text"
    if not _WORD.search(value):
        return f"{what} needs at least one letter or digit"
    return None


def validate_aliases(data: Any, *, path: str | None = None, line_of: LineOf = _no_line,
                     field: str = "aliases") -> Aliases:
    """An alias table from written data (``{name: [target, ...]}``), or an
    :class:`InputError` naming the file, line and field of the first problem.

    A single target may be written without its list. Names that differ only
    in case or spacing are the same name and may be given once.
    """
    def refuse(message: str, name: str | None = None, index: int | None = None) -> InputError:
        if name is None:
            return InputError(message, path=path, line=line_of("", None), field=field)
        return InputError(message, path=path, line=line_of(name, index), field=_field(field, name, index))

    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise refuse(f"must be a mapping of names used in copy to the names the sources use, {EXAMPLE}")
    table: Aliases = {}
    written: dict[str, str] = {}
    count = 0
    for name, targets in data.items():
        problem = _text_problem(name, "an alias name")
        if problem:
            raise refuse(problem, str(name))
        key = normalise_name(name)
        if key in written:
            raise refuse(f"the name is given twice (also as {written[key]!r})", name)
        written[key] = name
        if isinstance(targets, str):
            targets = [targets]
        if not isinstance(targets, (list, tuple)):
            raise refuse(f"must be a list of the names the sources use, {EXAMPLE}", name)
        if not targets:
            raise refuse("must name at least one name the sources use", name)
        cleaned: list[str] = []
        for index, target in enumerate(targets):
            problem = _text_problem(target, "a source name")
            if problem:
                raise refuse(problem, name, index)
            target = " ".join(target.split())
            if target.lower() not in (t.lower() for t in cleaned):
                cleaned.append(target)
        count += 1 + len(cleaned)
        if count > limits.value(LIMIT):
            raise limits.breach(LIMIT, count, path=path, line=line_of(name, None), field=field)
        table[key] = tuple(cleaned)
    return table


def aliases_as_data(aliases: Aliases) -> dict[str, list[str]]:
    """The table as JSON data (lists, not tuples), for the cache."""
    return {name: list(targets) for name, targets in aliases.items()}


def aliases_from_data(data: Any) -> Aliases:
    """A cached table read back: it must be exactly what validation makes of
    itself (normalised keys, cleaned targets, within the limits), else ValueError."""
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise ValueError("not an alias table")
    table = validate_aliases(data)
    if aliases_as_data(table) != data:
        raise ValueError("not a normalised alias table")
    return table


def merge_aliases(*tables: Mapping[str, tuple[str, ...]] | None) -> Aliases:
    """Several tables as one: a name in more than one keeps every target, in order."""
    merged: dict[str, list[str]] = {}
    for table in tables:
        for name, targets in (table or {}).items():
            known = merged.setdefault(name, [])
            for target in targets:
                if target.lower() not in (t.lower() for t in known):
                    known.append(target)
    return {name: tuple(targets) for name, targets in merged.items()}


# --- finding names in text ------------------------------------------------------------


@dataclass(frozen=True)
class AliasMatcher:
    """An alias table ready to scan text: names as word sequences, looked up by first word."""

    by_first_word: dict[str, tuple[tuple[tuple[str, ...], str, str], ...]]
    longest: int

    def find(self, text: str) -> list[tuple[int, int, str, str]]:
        """``(start, end, key, first target)`` of every name in ``text``, ``key``
        being the name's key in the table: leftmost, then longest, not overlapping."""
        if not self.by_first_word:
            return []
        words = [(m.start(), m.end(), m.group(0).lower()) for m in _WORD.finditer(text)]
        found: list[tuple[int, int, str, str]] = []
        i = 0
        while i < len(words):
            candidates = self.by_first_word.get(words[i][2])
            hit = None
            for name_words, key, target in candidates or ():
                size = len(name_words)
                if i + size > len(words):
                    continue
                if all(words[i + k][2] == name_words[k] for k in range(1, size)) and all(
                        _JOIN.fullmatch(text, words[i + k - 1][1], words[i + k][0]) for k in range(1, size)):
                    hit = (words[i][0], words[i + size - 1][1], key, target, size)
                    break  # candidates are longest first
            if hit:
                found.append(hit[:4])
                i += hit[4]
            else:
                i += 1
        return found


@lru_cache(maxsize=32)
def _matcher(items: tuple[tuple[str, tuple[str, ...]], ...]) -> AliasMatcher:
    grouped: dict[str, list[tuple[tuple[str, ...], str, str]]] = {}
    longest = 0
    for name, targets in items:
        name_words = tuple(w.lower() for w in _WORD.findall(name))
        if not name_words or not targets:
            continue
        longest = max(longest, len(name_words))
        grouped.setdefault(name_words[0], []).append((name_words, name, targets[0]))
    return AliasMatcher({first: tuple(sorted(entries, key=lambda e: -len(e[0])))
                         for first, entries in grouped.items()}, longest)


def alias_matcher(aliases: Mapping[str, tuple[str, ...]] | AliasMatcher) -> AliasMatcher:
    if isinstance(aliases, AliasMatcher):
        return aliases
    return _matcher(tuple(sorted((name, tuple(targets)) for name, targets in aliases.items())))


def resolve_aliases(text: str, aliases: Mapping[str, tuple[str, ...]] | AliasMatcher) -> list[tuple[int, int, str]]:
    """Where ``text`` names a product by an alias: ``(start, end, first target)``
    for each name, in order ("FlexiCur eased pain" -> ``[(0, 8, "curcumin")]``)."""
    if not aliases:
        return []
    return [(start, end, target) for start, end, _name, target in alias_matcher(aliases).find(text)]


def as_source_names(text: str, aliases: Mapping[str, tuple[str, ...]] | AliasMatcher) -> str:
    """``text`` with every alias name replaced by its first target, as the sources would say it."""
    spans = resolve_aliases(text, aliases)
    if not spans:
        return text
    out: list[str] = []
    last = 0
    for start, end, target in spans:
        out += [text[last:start], target]
        last = end
    out.append(text[last:])
    return "".join(out)
