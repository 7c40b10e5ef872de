"""Text that is safe to print: no terminal control sequences from untrusted input.

Copy, source ids, summaries, file names and house-rule messages are untrusted.
Printed raw, an ESC can recolour or rewrite a CI log, a BEL rings, and a bidi
override can make a line read differently from what it says. Every console,
text and GitHub output passes untrusted strings through :func:`printable`,
which shows such characters as visible escapes (``\\x1b``, ``\\u202e``).

This module imports nothing from claimaudit, so any stage may use it.
"""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, C1 controls, the Unicode direction
# marks, embeddings, overrides and isolates, and lone surrogates (the bytes of a
# file name that is not UTF-8, which a UTF-8 console cannot print).
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _escape(match: "re.Match[str]") -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object, *, keep_newlines: bool = True) -> str:
    """``text`` with every control or direction character shown as an escape."""
    value = _UNSAFE.sub(_escape, str(text))
    if not keep_newlines:
        value = value.replace("\n", "\\n")
    return value


def has_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character :func:`printable` would escape."""
    return _UNSAFE.search(text) is not None
