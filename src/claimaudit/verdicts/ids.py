"""Stable claim ids: the key a reviewer's decision and a baseline entry follow."""

from __future__ import annotations

import hashlib
import re
import unicodedata

SPACES = re.compile(r"\s+")


def claim_id(document: str, text: str, occurrence: int = 0) -> str:
    """A stable id: the document and the claim's normalised words.

    Reflowing whitespace, changing case or curly quotes does not change it, so
    a reviewer's decision follows the claim from one audit to the next.
    """
    normal = unicodedata.normalize("NFKC", text).lower()
    normal = normal.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    normal = SPACES.sub(" ", normal).strip()
    key = f"{document}\n{normal}\n{occurrence}" if occurrence else f"{document}\n{normal}"
    return hashlib.sha1(key.encode("utf-8")).hexdigest()[:16]
