"""Regular expressions compiled on first use, so importing the package stays cheap."""

from __future__ import annotations

import regex


class LazyPattern:
    """Stands in for a compiled ``regex`` pattern until it is first used."""

    __slots__ = ("_source", "_flags", "_compiled")

    def __init__(self, source: str, flags: int = 0):
        self._source = source
        self._flags = flags
        self._compiled = None

    def compiled(self) -> regex.Pattern:
        if self._compiled is None:
            self._compiled = regex.compile(self._source, self._flags)
        return self._compiled

    def __getattr__(self, name: str):
        return getattr(self.compiled(), name)


def lazy_regex(source: str, flags: int = 0) -> LazyPattern:
    return LazyPattern(source, flags)
