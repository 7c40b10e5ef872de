"""Regular expressions compiled on first use, so importing the package stays cheap.

Patterns are compiled with the standard ``re`` engine when it accepts them:
it compiles the long word alternations the lexicons produce about three
times faster than ``regex``. Patterns that need ``regex`` (``\\p{L}``,
variable-length look-behind) fall back to it, since ``re`` refuses them. The
one difference the engines do not announce is what ``\\w`` covers: ``regex``
follows Unicode (combining accents are part of a word, "²" and "¾" are not),
``re`` follows ``str.isalnum``. The tokenisers and the digit finder, where
that decides what a word or a number is, are :class:`UnicodePattern`: they
run on ``re`` for text in which the two engines agree character for character
(nearly all copy) and on ``regex`` otherwise, which is then imported.
"""

from __future__ import annotations

import re
import unicodedata
import warnings
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Iterator, TypeAlias

if TYPE_CHECKING:
    import regex

# What either engine compiles and matches: the two modules' objects answer the same calls.
TextPattern: TypeAlias = "re.Pattern[str] | regex.Pattern[str]"
TextMatch: TypeAlias = "re.Match[str] | regex.Match[str]"

# Syntax that ``re`` might read differently instead of refusing it.
_REGEX_ONLY = ("[[:", "(?V", "(?r", "(?|", "\\p{", "\\P{", "\\m", "\\M", "\\L<", "(?&", "(?R", "{e<")


def compile_pattern(source: str, flags: int = 0, engine: str = "auto") -> TextPattern:
    r"""``re.compile`` when the standard engine can take the pattern unchanged, else ``regex.compile``.

    ``flags`` are the shared values (``IGNORECASE``, ``MULTILINE``, ``DOTALL``,
    ``VERBOSE``), which both modules number alike. ``engine="regex"`` keeps a
    pattern on ``regex``: the engines disagree on whether ``\w`` covers
    superscripts and vulgar fractions ("m²", "¾"), which matters where a
    digit's neighbours decide what it is; ``engine="re"`` keeps one on ``re``.
    """
    if engine == "re":
        return re.compile(source, flags)
    if engine != "regex" and not any(marker in source for marker in _REGEX_ONLY):
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            try:
                return re.compile(source, flags)
            except (re.error, Warning, ValueError, OverflowError):
                pass
    import regex  # imported on first need: it costs more to import than most patterns cost to compile

    try:
        return regex.compile(source, flags)
    except regex.error as exc:
        raise re.error(str(exc), source) from exc


class LazyPattern:
    """Stands in for a compiled pattern until it is first used."""

    __slots__ = ("_source", "_flags", "_engine", "_compiled")

    def __init__(self, source: str, flags: int = 0, engine: str = "auto") -> None:
        self._source = source
        self._flags = flags
        self._engine = engine
        self._compiled: TextPattern | None = None

    def compiled(self) -> TextPattern:
        if self._compiled is None:
            self._compiled = compile_pattern(self._source, self._flags, self._engine)
        return self._compiled

    # The methods callers use, spelled out: attribute look-up through
    # ``__getattr__`` costs more than the match itself on short strings.
    def match(self, *args: Any, **kwargs: Any) -> TextMatch | None:
        return self.compiled().match(*args, **kwargs)

    def fullmatch(self, *args: Any, **kwargs: Any) -> TextMatch | None:
        return self.compiled().fullmatch(*args, **kwargs)

    def search(self, *args: Any, **kwargs: Any) -> TextMatch | None:
        return self.compiled().search(*args, **kwargs)

    def finditer(self, *args: Any, **kwargs: Any) -> Iterator[TextMatch]:
        return self.compiled().finditer(*args, **kwargs)

    def findall(self, *args: Any, **kwargs: Any) -> list[Any]:
        return self.compiled().findall(*args, **kwargs)

    def sub(self, *args: Any, **kwargs: Any) -> str:
        return self.compiled().sub(*args, **kwargs)

    def split(self, *args: Any, **kwargs: Any) -> list[str | Any]:
        return self.compiled().split(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.compiled(), name)


def lazy_regex(source: str, flags: int = 0, engine: str = "auto") -> LazyPattern:
    return LazyPattern(source, flags, engine)


# Character categories on which ``re`` and ``regex`` agree for \w, \d, \s and letters
# (checked over every code point): letters (but not letter numbers such as "Ⅻ"),
# decimal digits, spaces, punctuation, and math, currency and modifier symbols.
_AGREEING_CATEGORIES = frozenset({"Lu", "Ll", "Lt", "Lm", "Lo", "Nd", "Zs", "Zl", "Zp", "Pd", "Ps", "Pe", "Pi",
                                  "Pf", "Po", "Sm", "Sc", "Sk"})
# ASCII separators that ``re`` counts as white space and ``regex`` does not
_DISAGREEING_ASCII = re.compile(r"[\x1c-\x1f]")


@lru_cache(maxsize=4096)
def _agreeing_char(char: str) -> bool:
    return unicodedata.category(char) in _AGREEING_CATEGORIES


@lru_cache(maxsize=8192)
def engines_agree(text: str) -> bool:
    """Whether ``re`` and ``regex`` read every character of ``text`` alike."""
    if text.isascii():
        return not _DISAGREEING_ASCII.search(text)
    return all((char.isascii() and not _DISAGREEING_ASCII.match(char)) or _agreeing_char(char) for char in set(text))


class UnicodePattern:
    """A pattern whose classes must follow Unicode (``regex``), run on ``re`` where that is the same.

    ``re_source`` is the same pattern written for ``re`` when ``source`` uses
    syntax ``re`` lacks (``\\p{L}`` becomes ``[^\\W\\d_]``); by default the
    source is shared.
    """

    __slots__ = ("_fast", "_unicode")

    def __init__(self, source: str, flags: int = 0, re_source: str | None = None) -> None:
        self._fast = LazyPattern(re_source or source, flags)
        self._unicode = LazyPattern(source, flags, engine="regex")

    def _for(self, text: str) -> LazyPattern:
        return self._fast if engines_agree(text) else self._unicode

    def match(self, text: str, *args: Any, **kwargs: Any) -> TextMatch | None:
        return self._for(text).match(text, *args, **kwargs)

    def fullmatch(self, text: str, *args: Any, **kwargs: Any) -> TextMatch | None:
        return self._for(text).fullmatch(text, *args, **kwargs)

    def search(self, text: str, *args: Any, **kwargs: Any) -> TextMatch | None:
        return self._for(text).search(text, *args, **kwargs)

    def finditer(self, text: str, *args: Any, **kwargs: Any) -> Iterator[TextMatch]:
        return self._for(text).finditer(text, *args, **kwargs)

    def findall(self, text: str, *args: Any, **kwargs: Any) -> list[Any]:
        return self._for(text).findall(text, *args, **kwargs)


def unicode_pattern(source: str, flags: int = 0, re_source: str | None = None) -> UnicodePattern:
    return UnicodePattern(source, flags, re_source)
