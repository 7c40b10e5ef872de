"""DOI and PubMed id spellings, reduced to the bare identifier."""

from __future__ import annotations

import re

_DOI_PREFIX = re.compile(r"^\s*(?:https?://(?:dx\.)?doi\.org/|doi\s*:\s*)", re.IGNORECASE)
PMID_PREFIX = re.compile(r"^\s*pmid\s*:?\s*", re.IGNORECASE)


def normalise_doi(value: str) -> str:
    """``https://doi.org/10.1/x`` and ``doi: 10.1/x`` both become ``10.1/x``."""
    return _DOI_PREFIX.sub("", value.strip()).strip().rstrip(".")
