"""Inline suppression comments: ``<!-- claimaudit: disable CA101,CA204 reason="..." -->``.

The comment applies to the next block of copy. Each listed code (or dotted
rule name) is paired with the same reason; a missing reason is ``""``.
"""

from __future__ import annotations

import re

_SUPPRESSION = re.compile(
    r"""^\s*claimaudit\s*:\s*disable\s+
        (?P<codes>[\w.\-]+(?:\s*,\s*[\w.\-]+)*)
        (?:\s+reason\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>\S+)))?
        \s*$""",
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)


def parse_suppression(comment: str) -> tuple[tuple[str, str], ...]:
    """The (code, reason) pairs a comment's inner text asks for; () if none."""
    match = _SUPPRESSION.match(comment)
    if not match:
        return ()
    reason = match.group("dq") or match.group("sq") or match.group("bare") or ""
    codes = [code.strip() for code in match.group("codes").split(",") if code.strip()]
    return tuple((code, reason.strip()) for code in codes)
