"""Bounds on what one run reads, so hostile input fails fast instead of hanging.

Every limit has a name, a default and an environment variable that raises it.
A breach is an :class:`~claimaudit.errors.InputError` (exit code 2) whose
message names the file, the limit and the setting to change, for example::

    page.html: 52,428,800 bytes is over the limit of 16,777,216
    (max-input-bytes; raise it with CLAIMAUDIT_MAX_INPUT_BYTES)

Limits are read from the environment each time they are asked for, so a test
or an embedding program can change them with ``os.environ`` or :func:`override`.
``[tool.claimaudit.limits]`` in the config sets them for a project (the
command line applies it through :func:`override` before any file is read).

This module imports only claimaudit.errors, so any stage may use it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Iterator, Mapping

from claimaudit.errors import InputError


@dataclass(frozen=True)
class Limit:
    name: str
    default: float
    unit: str
    what: str

    @property
    def variable(self) -> str:
        return "CLAIMAUDIT_" + self.name.upper().replace("-", "_")


LIMITS: dict[str, Limit] = {limit.name: limit for limit in (
    Limit("max-input-bytes", 16 * 1024 * 1024, "bytes",
          "size of one copy file, source pack, rule file, config file or baseline"),
    Limit("max-workbook-bytes", 64 * 1024 * 1024, "bytes",
          "uncompressed size of one .xlsx workbook"),
    Limit("max-document-bytes", 128 * 1024 * 1024, "bytes",
          "size of one PDF, Word (.docx) or PowerPoint (.pptx) file, copy or source"),
    Limit("max-pages", 5_000, "pages", "pages of one PDF or slides of one deck"),
    Limit("max-pdf-seconds", 120.0, "seconds", "time PDFium may take to read the text of one PDF"),
    Limit("max-pdf-memory", 2 * 1024 * 1024 * 1024, "bytes", "memory PDFium may use to read one PDF"),
    Limit("max-export-bytes", 128 * 1024 * 1024, "bytes",
          "size of one bibliographic export (RIS, BibTeX, PubMed XML, MEDLINE) read as a source pack"),
    Limit("max-workbook-rows", 50_000, "rows", "rows of one workbook sheet"),
    Limit("max-workbook-cells", 500_000, "cells", "cells of one .xlsx workbook"),
    Limit("max-depth", 64, "levels", "nesting depth of YAML, JSON, TOML, HTML lists, Markdown quotes, "
          "or Word and PowerPoint tables, text boxes and groups"),
    Limit("max-number-digits", 64, "digits", "digits of one number in a pack, rule, config or baseline"),
    Limit("max-rule-words", 5_000, "words", "words and patterns in one rule file"),
    Limit("max-claims-per-document", 10_000, "claims", "one copy file"),
    Limit("max-regex-seconds", 2.0, "seconds", "total time one rule's patterns may take in one run"),
    Limit("max-rule-chars", 200_000, "characters",
          "characters of one rule file's words and patterns, a pattern's counted repeats written out"),
    Limit("max-aliases", 1_000, "names", "alias names and their targets in one source pack or config"),
    Limit("max-claim-chars", 2_000, "characters", "one claim given by hand (to explain, or as a rule example)"),
    Limit("max-fetch-seconds", 30.0, "seconds",
          "time one web request may take, from connecting to the last byte"),
    Limit("max-redirects", 5, "redirects", "redirects followed for one web address"),
    Limit("max-dask-connect-seconds", 10.0, "seconds",
          "time to reach a Dask scheduler (--dask) and find a worker on it"),
    Limit("max-jobs", 64, "worker processes", "a run on this machine (--jobs)"),
)}

_overrides: dict[str, float] = {}


def parse_setting(name: str, setting: float | int | str) -> float:
    """A limit's value from a config table: a positive number, or for sizes "64MB"."""
    limit = LIMITS[name]
    if isinstance(setting, str):
        return _parse(setting, limit, f"limits.{name}")
    number = float(setting)
    if not 0 < number < float("inf"):
        raise InputError(f"limits.{name} must be a positive number of {limit.unit}, not {setting!r}")
    return number


def _parse(value: str, limit: Limit, where: str | None = None) -> float:
    where = where or limit.variable
    text = value.strip().replace("_", "").replace(",", "")
    scale = 1
    units = {"k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2, "g": 1024 ** 3, "gb": 1024 ** 3}
    if limit.unit == "bytes":
        lowered = text.lower()
        for suffix in sorted(units, key=len, reverse=True):
            if lowered.endswith(suffix):
                scale, text = units[suffix], text[: -len(suffix)].strip()
                break
    try:
        number = float(text) * scale
    except ValueError:
        raise InputError(f"{where}={value!r} is not a number of {limit.unit}") from None
    if not number > 0 or number == float("inf"):
        raise InputError(f"{where}={value!r} must be a positive number of {limit.unit}")
    return number


def value(name: str) -> float:
    """The limit in force: an override, else the environment, else the default."""
    limit = LIMITS[name]
    if name in _overrides:
        return _overrides[name]
    configured = os.environ.get(limit.variable)
    if configured:
        return _parse(configured, limit)
    return limit.default


def int_value(name: str) -> int:
    return int(value(name))


def set_limits(settings: Mapping[str, float | int | str]) -> None:
    """Apply limits from a config table (``max-input-bytes = "64MB"``); unknown names are errors."""
    for name, setting in settings.items():
        if name not in LIMITS:
            raise InputError(f"unknown limit {name!r}; known limits: {', '.join(LIMITS)}")
        _overrides[name] = parse_setting(name, setting)


@contextmanager
def override(**settings: float) -> Iterator[None]:
    """Temporarily set limits by Python name (``max_input_bytes=1000``)."""
    saved = dict(_overrides)
    try:
        for key, setting in settings.items():
            _overrides[key.replace("_", "-")] = float(setting)
        yield
    finally:
        _overrides.clear()
        _overrides.update(saved)


def _amount(number: float, unit: str) -> str:
    if unit == "seconds":
        return f"{number:g} s"
    return f"{int(number):,} {unit}"


def breach(name: str, found: float | None = None, *, path: str | None = None, line: int | None = None,
           field: str | None = None) -> InputError:
    """The error for going over a limit: what was found, the limit, and how to raise it."""
    limit = LIMITS[name]
    allowed = value(name)
    seen = f"{_amount(found, limit.unit)} is over" if found is not None else "over"
    return InputError(
        f"{seen} the limit of {_amount(allowed, limit.unit)} for the {limit.what} "
        f"{hint(name)}",
        path=path, line=line, field=field)


def check(name: str, found: float, *, path: str | None = None, line: int | None = None,
          field: str | None = None) -> None:
    """Raise :func:`breach` when ``found`` is over the limit."""
    if found > value(name):
        raise breach(name, found, path=path, line=line, field=field)


def open_regular(path: str | os.PathLike[str], *, name: str = "max-input-bytes", what: str = "file") -> BinaryIO:
    """The file opened for reading, refused unless it is a regular file within limit ``name``.

    A FIFO, a device or ``/dev/zero`` behind a link would block or never end;
    they are refused before a byte is read (the open itself does not wait).
    """
    import stat

    where = os.fspath(path)
    try:
        fd = os.open(where, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except FileNotFoundError:
        raise InputError("file not found", path=where) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=where) from None
    except PermissionError:
        raise InputError("permission denied", path=where) from None
    except OSError as error:
        raise InputError(f"cannot be read: {error.strerror or error}", path=where) from None
    try:
        # Before fdopen, which refuses a folder with an OSError of its own.
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise InputError("is a folder, not a file", path=where)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"is not a regular file (a pipe, socket or device); save the {what} to a file",
                             path=where)
        check(name, info.st_size, path=where)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def read_bounded(path: str | os.PathLike[str], *, name: str = "max-input-bytes") -> bytes:
    """A file's bytes, refusing anything that is not a regular file or is over the size limit.

    The size is checked on the open handle and again while reading, so a file
    that grows is caught too.
    """
    where = os.fspath(path)
    limit = int_value(name)
    with open_regular(where, name=name) as handle:
        try:
            data = handle.read(limit + 1)
        except OSError as error:
            raise InputError(f"cannot be read: {error.strerror or error}", path=where) from None
    check(name, len(data), path=where)
    return data


def hint(name: str) -> str:
    """How to raise a limit, as error messages say it."""
    return f"({name}; raise it with {LIMITS[name].variable} or `limits.{name}` in .claimaudit.toml)"
