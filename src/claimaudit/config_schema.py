"""The ``[tool.claimaudit]`` keys and their types, validated with pydantic.

``config.read_config`` imports this only when a config file has not been
validated before, so a cached run of ``claimaudit check`` never pays for
pydantic. ``validate`` returns plain data that ``config.CheckConfig`` is
built from.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationInfo, field_validator

FailOn = Literal["overstated", "unsupported"]
Level = Literal["overstated", "unsupported"]


def _kebab(name: str) -> str:
    return name.replace("_", "-")


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=_kebab, populate_by_name=True,
                              defer_build=True)

    @field_validator("*", mode="before")
    @classmethod
    def one_string_is_a_list(cls, value, info):
        # `sources = "pack.yaml"` reads as naturally as a one-item list.
        if isinstance(value, str) and cls.model_fields[info.field_name].annotation in _LIST_TYPES:
            return [value]
        return value


class PathOverrideSchema(_Settings):
    """Settings for the copy files matching ``paths`` (glob patterns)."""

    paths: list[str] = Field(min_length=1)
    sources: list[str] | None = None
    disable: list[str] = Field(default_factory=list)
    enable: list[str] = Field(default_factory=list)
    levels: dict[str, Level] = Field(default_factory=dict)
    fail_on: FailOn | None = None


class CheckConfigSchema(_Settings):
    """The whole ``[tool.claimaudit]`` table."""

    paths: list[str] = Field(default_factory=list)
    exclude: list[str] = Field(default_factory=list)
    sources: list[str] = Field(default_factory=list)
    rules: list[str] = Field(default_factory=list)
    disable: list[str] = Field(default_factory=list)
    enable: list[str] = Field(default_factory=list)
    levels: dict[str, Level] = Field(default_factory=dict)
    fail_on: FailOn | None = None
    baseline: str | None = None
    overrides: list[PathOverrideSchema] = Field(default_factory=list)
    limits: dict[str, float | str] = Field(default_factory=dict)
    skip_scopes: list[str] = Field(default_factory=list)  # scopes not audited, as Vale's IgnoredScopes
    aliases: dict[str, list[str]] = Field(default_factory=dict)  # see evidence.aliases
    semantic: StrictBool = False  # the semantic extra; strict, so "yes" or 1 is an error, not a switch
    # Sign-off roles, each with its own decision columns in the workbook (verdicts.review);
    # a claim is approved when every required role approved it (default: every role).
    review_roles: list[str] = Field(default_factory=list)
    required_review_roles: list[str] | None = None

    @field_validator("review_roles", "required_review_roles")
    @classmethod
    def usable_role_names(cls, value: list[str] | None) -> list[str] | None:
        from claimaudit.verdicts.signoff import role_problem

        seen: set[str] = set()
        for name in value or ():
            problem = role_problem(name)
            if problem:
                raise ValueError(problem)
            key = " ".join(name.split()).casefold()
            if key in seen:
                raise ValueError(f"role {name.strip()!r} is named twice")
            seen.add(key)
        return value

    @field_validator("required_review_roles")
    @classmethod
    def required_roles_are_roles(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return value
        written = info.data.get("review_roles") or []
        roles = {" ".join(name.split()).casefold() for name in written}
        if not roles and value:
            raise ValueError("names roles, but review-roles sets none")
        if roles and not value:
            raise ValueError("names no role: a claim would be approved with no sign-off; leave the key out "
                             "to require every role")
        for name in value:
            if " ".join(name.split()).casefold() not in roles:
                raise ValueError(f"{name.strip()!r} is not one of review-roles ({', '.join(written)})")
        return value

    @field_validator("aliases", mode="before")
    @classmethod
    def one_name_is_a_list(cls, value):
        # `FlexiCur = "curcumin"` reads as naturally as a one-item list.
        if isinstance(value, dict):
            return {name: [target] if isinstance(target, str) else target for name, target in value.items()}
        return value

    @field_validator("skip_scopes")
    @classmethod
    def known_scopes(cls, value: list[str]) -> list[str]:
        from claimaudit.model import SCOPES

        for scope in value:
            if scope not in SCOPES:
                raise ValueError(f"unknown scope {scope!r}; known scopes: {', '.join(SCOPES)}")
        return value

    @field_validator("limits")
    @classmethod
    def known_limits(cls, value: dict[str, float | str]) -> dict[str, float]:
        from claimaudit.errors import InputError
        from claimaudit.limits import LIMITS, parse_setting

        parsed = {}
        for name, setting in value.items():
            if name not in LIMITS:
                raise ValueError(f"unknown limit {name!r}; known limits: {', '.join(LIMITS)}")
            try:
                parsed[name] = parse_setting(name, setting)
            except InputError as error:
                raise ValueError(error.detail) from None
        return parsed


_LIST_TYPES = (list[str], list[str] | None)


def validate(data: Any) -> dict:
    """The table's settings under their Python names, or pydantic's ValidationError."""
    return CheckConfigSchema.model_validate(data).model_dump()
