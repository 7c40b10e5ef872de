"""Office Open XML packages (.xlsx, .docx, .pptx) checked before any library unpacks them.

A package is a zip archive; a hostile one can list millions of parts, declare
gigabytes behind a few kilobytes, or hide its parts behind a password. Every
check here reads only the archive's directory, so the cost is bounded before
openpyxl, python-docx or python-pptx reads a byte of XML.
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from typing import BinaryIO
from zlib import error as zlib_error

from claimaudit import limits
from claimaudit.errors import InputError

OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted packages and the old binary formats
_END_OF_ARCHIVE = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_END = b"PK\x06\x06"
# A workbook has tens of parts and a long document a few hundred (images
# mostly); zipfile keeps an entry for each in memory, so the count is read
# from the archive's last record first.
MAX_PARTS = 10_000
# XML packs about 10:1 and a run of one repeated byte about 1,000:1.
# A part this large that packs this well holds no copy.
SUSPICIOUS_RATIO = 200
RATIO_CHECKED_FROM = 4 * 1024 * 1024
# What zipfile raises on an archive it cannot read.
ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError,
              RuntimeError, zlib_error)


@dataclass(frozen=True)
class Package:
    """How one kind of package is named in messages, and the limit on its unpacked size."""

    name: str  # "workbook", "Word document"
    suffix: str  # ".xlsx"
    content: str  # what a part holds, for the zip bomb message: "a sheet of copy", "a document"
    limit: str  # the limits.py name bounding the unpacked size


def declared_part_count(handle: BinaryIO) -> int | None:
    """How many parts the archive's end record lists, read without loading its directory."""
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    tail_size = min(size, 22 + 0xFFFF)  # the end record and the longest archive comment
    handle.seek(size - tail_size)
    tail = handle.read(tail_size)
    at = tail.rfind(_END_OF_ARCHIVE)
    if at < 0 or at + 22 > len(tail):
        return None  # zipfile says what is wrong
    count = int.from_bytes(tail[at + 10:at + 12], "little")
    locator = tail.rfind(_ZIP64_LOCATOR, 0, at)
    if count == 0xFFFF and locator >= 0 and locator + 20 <= at:
        # ZIP64 archives keep the real count in a record the locator points at;
        # a locator pointing outside the file leaves the damage for zipfile to name.
        offset = int.from_bytes(tail[locator + 8:locator + 16], "little")
        if offset > size - 56:
            return None
        handle.seek(offset)
        record = handle.read(56)
        if record.startswith(_ZIP64_END) and len(record) == 56:
            count = int.from_bytes(record[32:40], "little")
    return count


def checked_archive(handle: BinaryIO, where: str, package: Package) -> zipfile.ZipFile:
    """The archive opened, once its directory shows it unpacks within the limits; the caller closes it."""
    count = declared_part_count(handle)
    if count is not None and count > MAX_PARTS:
        raise InputError(f"cannot read this {package.name}: its zip archive lists {count:,} parts, "
                         f"more than the {MAX_PARTS:,} any {package.suffix} file needs", path=where)
    handle.seek(0)
    try:
        archive = zipfile.ZipFile(handle)
        parts = archive.infolist()
    except ZIP_ERRORS as error:
        raise InputError(f"cannot read this {package.name}: the zip archive is damaged ({one_line(error)})",
                         path=where) from None
    try:
        _check_parts(parts, where, package)
    except BaseException:
        archive.close()
        raise
    return archive


def _check_parts(parts: list[zipfile.ZipInfo], where: str, package: Package) -> None:
    if len(parts) > MAX_PARTS:
        raise InputError(f"cannot read this {package.name}: its zip archive holds {len(parts):,} parts, "
                         f"more than the {MAX_PARTS:,} any {package.suffix} file needs", path=where)
    unpacked = 0
    for part in parts:
        if part.flag_bits & 0x1:
            raise InputError(f"cannot read this {package.name}: its parts are password-protected; "
                             f"save it as {package.suffix} without a password", path=where)
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise InputError(f"cannot read this {package.name}: part {part.filename!r} uses compression "
                             f"method {part.compress_type}, which {package.suffix} files do not use", path=where)
        # zipfile never unpacks more than a part's declared size (it stops
        # there and fails the checksum), so the declared sizes bound the work.
        unpacked += part.file_size
        limits.check(package.limit, unpacked, path=where)
        if part.file_size >= RATIO_CHECKED_FROM and part.file_size > SUSPICIOUS_RATIO * max(part.compress_size, 1):
            raise InputError(
                f"cannot read this {package.name}: part {part.filename!r} unpacks {part.compress_size:,} bytes "
                f"into {part.file_size:,}, more than {SUSPICIOUS_RATIO}:1; {package.content} does not pack "
                "that tightly (a zip bomb?)", path=where)


def one_line(error: BaseException) -> str:
    """An exception as a short line: its type and its first 200 characters."""
    detail = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {detail}" if detail else type(error).__name__
