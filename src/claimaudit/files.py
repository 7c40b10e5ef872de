"""Writing files so that nothing is lost: atomic replacement, shared by every writer.

This module imports only claimaudit.errors, so any stage may use it.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from claimaudit.errors import InputError


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(path: str | os.PathLike, data: bytes | str, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` so readers see either the old file or the new one.

    The bytes go to a temporary file in the same directory, which then replaces
    the target in one step; on any failure the temporary file is removed and the
    old file is left as it was. Text is encoded as UTF-8. ``mode`` sets the
    permissions (default: the old file's, or the umask's for a new one).
    """
    target = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else bytes(data)
    target.parent.mkdir(parents=True, exist_ok=True)
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except FileNotFoundError:
            mode = 0o666 & ~_current_umask()
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    return target


def read_utf8(path: str | os.PathLike, what: str, missing: str = "") -> str:
    """A UTF-8 text file the user named (a rule, config or baseline file).

    A missing or undecodable file is an InputError naming it; ``missing`` is a
    hint added to the not-found message.
    """
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} not found{f' ({missing})' if missing else ''}", path=str(path)) from None
    except UnicodeDecodeError as error:
        raise InputError(f"{what} is not UTF-8 text ({error.reason})", path=str(path)) from None
