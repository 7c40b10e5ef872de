"""Reading copy files as text: byte-order marks, detection, line endings.

Copy arrives from CMS exports, Word "save as text" and old Windows tools, so
the encoding is detected rather than assumed: a byte-order mark wins, then
strict UTF-8, then a charset the file declares (an HTML ``<meta charset>``),
then charset-normalizer's statistical guess. A file that none of these can
read, or that decodes to control-character noise, is refused with a clear
message instead of being audited as garbage.

A declared charset is only a hint: one Python does not know, or knows as
something other than a page encoding ("undefined", "unicode_escape", "hex"),
is passed over and the bytes are detected as if nothing was declared.
Files are read through :func:`claimaudit.limits.read_bounded`, so a pipe, a
device or a file over the ``max-input-bytes`` limit is refused before it is
read whole.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass
from pathlib import Path

from claimaudit import limits
from claimaudit.errors import InputError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)

# Control characters that never occur in real copy (tab, newlines and form
# feed do). Their presence means the bytes were not text in this encoding.
_NOISE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
_C1_CONTROLS = re.compile(r"[\x80-\x9f]")

UNDETECTABLE = "cannot detect the text encoding (is this a binary file?)"

# Codecs Python has that no page is written in: "undefined" fails on every
# byte, the escape codecs read backslashes as markup, punycode and idna are
# for host names, and browsers refuse UTF-7.
_NOT_PAGE_ENCODINGS = frozenset({
    "undefined", "unicode-escape", "raw-unicode-escape", "punycode", "idna", "utf-7",
})
# A <meta> that declares UTF-16 or UTF-32 is wrong by construction (the tag
# itself was read as ASCII bytes); browsers ignore it, and so do we.
_NOT_DECLARABLE = frozenset({"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"})


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR become LF: one line break stays one line break, so
    line numbers match what an editor shows for the original file."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _canonical(encoding: str) -> str:
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        return encoding


def _looks_like_text(text: str) -> bool:
    if not text:
        return True
    noise = len(_NOISE.findall(text)) + len(_C1_CONTROLS.findall(text))
    # A stray ESC or BEL in a short page is still text; binary is noisy throughout.
    return noise == 0 or (noise <= 2 or noise / len(text) < 0.001) and "\x00" not in text


def _try(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except (UnicodeError, LookupError):
        return None


def page_encoding(name: str, *, declared: bool = False) -> str | None:
    """The codec for an encoding name, or None when it names no encoding a page is written in.

    ``declared``: the name comes from the file's own ``<meta charset>``.
    """
    try:
        codec = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    # bytes-to-bytes and str-to-str transforms (hex, base64, rot13) say so here
    if not getattr(codec, "_is_text_encoding", True) or codec.name in _NOT_PAGE_ENCODINGS:
        return None
    if declared and codec.name in _NOT_DECLARABLE:
        return None
    return codec.name


def decode_bytes(data: bytes, path: str) -> DecodedText:
    """Decode a file's bytes; raise InputError naming ``path`` if impossible."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            text = _try(data, encoding)
            if text is None:
                raise InputError(f"{UNDETECTABLE}: the {encoding} byte-order mark "
                                 "does not match the content", path=path)
            text = text.lstrip("\ufeff")
            return DecodedText(normalise_newlines(text), _canonical(encoding.replace("-sig", "")))

    if b"\x00" not in data:
        text = _try(data, "utf-8")
        if text is not None:
            if not _looks_like_text(text):
                raise InputError(UNDETECTABLE, path=path)
            return DecodedText(normalise_newlines(text), "utf-8")

        declared = _DECLARED_CHARSET.search(data[:4096])
        name = page_encoding(declared.group(1).decode("ascii", "replace"), declared=True) if declared else None
        if name is not None:
            text = _try(data, name)
            if text is not None and _looks_like_text(text):
                return DecodedText(normalise_newlines(text), name)

    # Imported here: detection is only needed for files that are not UTF-8, and the
    # import is a noticeable share of a one-page `check`.
    import charset_normalizer

    best = charset_normalizer.from_bytes(data).best()
    detected = page_encoding(best.encoding) if best is not None else None
    text = _try(data, detected) if detected is not None else None
    if detected is None or text is None:
        raise InputError(UNDETECTABLE, path=path)
    # Windows-1252 is what browsers read for "latin-1" and what most western
    # single-byte files really are; report it whenever it reads the same.
    if detected != "utf-8" and not detected.startswith(("utf-16", "utf-32")):
        as_cp1252 = _try(data, "cp1252")
        if as_cp1252 is not None and (as_cp1252 == text or _C1_CONTROLS.search(text)):
            text, detected = as_cp1252, "cp1252"
    if not _looks_like_text(text):
        raise InputError(UNDETECTABLE, path=path)
    return DecodedText(normalise_newlines(text), detected)


def read_text(path: str | Path) -> DecodedText:
    """Read and decode a text file within the ``max-input-bytes`` limit.

    A missing file, a folder, a pipe or device, or a file over the limit is an
    InputError naming the file.
    """
    return decode_bytes(limits.read_bounded(path), str(path))
