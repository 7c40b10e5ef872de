"""The fields of one source-pack entry, validated with pydantic.

Kept apart from the readers so that a run whose pack was validated before
(and cached) never imports pydantic: ``claimaudit check`` starts faster.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, field_validator

from claimaudit.ingest.identifiers import PMID_PREFIX, normalise_doi


class SourceEntry(BaseModel):
    """One source as written in a pack."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str
    summary: str
    citation: str = ""
    doi: str = ""
    pmid: str = ""
    url: str = ""
    kind: Literal["summary", "internal"] = "summary"

    @field_validator("id", "pmid", mode="before")
    @classmethod
    def _numbers_as_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            return value
        if isinstance(value, int):
            return str(value)
        return value

    @field_validator("citation", "doi", "pmid", "url", mode="before")
    @classmethod
    def _empty_as_blank(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("id", "summary")
    @classmethod
    def _required_text(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be empty")
        return value

    @field_validator("doi")
    @classmethod
    def _doi(cls, value: str) -> str:
        return normalise_doi(value)

    @field_validator("pmid")
    @classmethod
    def _pmid(cls, value: str) -> str:
        value = PMID_PREFIX.sub("", value).strip()
        if value and not value.isdigit():
            raise ValueError("a PubMed id is digits only")
        return value
