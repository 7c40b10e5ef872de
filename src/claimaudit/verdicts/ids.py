"""Stable claim ids: the key a reviewer's decision and a baseline entry follow."""

from __future__ import annotations

import hashlib
import re
import unicodedata

SPACES = re.compile(r"\s+")


def normal_words(text: str) -> str:
    """A claim's words with case, spacing, curly quotes and compatibility forms evened out."""
    normal = unicodedata.normalize("NFKC", text).lower()
    normal = normal.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
    return SPACES.sub(" ", normal).strip()


def claim_fingerprint(text: str, cited: tuple[str, ...] | list[str] = ()) -> str:
    """The key an approval follows: the claim's normalised words and the sources it cites.

    Unlike :func:`claim_id` it leaves out the document, so a page renamed or
    moved keeps its approvals; citing other sources makes it another claim.
    """
    key = normal_words(text) + "\n" + ";".join(sorted({c.strip().lower() for c in cited if c.strip()}))
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def claim_id(document: str, text: str, occurrence: int = 0) -> str:
    """A stable id: the document and the claim's normalised words.

    Reflowing whitespace, changing case or curly quotes does not change it, so
    a reviewer's decision follows the claim from one audit to the next.
    """
    normal = normal_words(text)
    key = f"{document}\n{normal}\n{occurrence}" if occurrence else f"{document}\n{normal}"
    return hashlib.sha1(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]
