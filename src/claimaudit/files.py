"""Writing files so that nothing is lost: atomic replacement, shared by every writer.

A single file goes to a temporary name in its folder and replaces the target in
one step. A set of reports (``audit.html``, ``audit.xlsx``, ``audit.json``) is
written the same way, all temporaries first, then every rename with SIGINT and
SIGTERM held back, so an interrupted run leaves either the old set or the new
one. Temporaries carry the writer's process id, so the next run can remove the
ones a killed process left behind.

This module imports only claimaudit.errors, so any stage may use it.
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
from pathlib import Path
from typing import BinaryIO, Callable, Mapping, TypeVar, Union

from claimaudit.errors import InputError

# What a file is written from: its text or bytes, or a function that writes it into the (binary)
# file it is given, so that a large report is streamed to disk rather than held in memory.
Payload = Union[bytes, str, Callable[[BinaryIO], None]]

_TEMPORARY = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[A-Za-z0-9_]+\.tmp$")


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _write_error(target: Path, error: OSError) -> InputError:
    """An OS error while writing, named by the file the user asked for, never the temporary."""
    return InputError(f"cannot write: {error.strerror or error}", path=str(target))


def _stage(target: Path, payload: bytes | Callable[[BinaryIO], None], mode: int | None) -> str:
    """Write ``payload`` to a new temporary beside ``target``; return its name."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InputError(f"cannot create the folder: {error.strerror or error}", path=str(target.parent)) from None
    if mode is None:
        try:
            mode = target.stat().st_mode & 0o777
        except OSError:
            mode = 0o666 & ~_current_umask()
    try:
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp")
    except OSError as error:
        raise _write_error(target, error) from None
    try:
        with os.fdopen(fd, "wb") as handle:
            if callable(payload):
                payload(handle)
            else:
                handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
    except BaseException as error:
        _remove(tmp_name)
        if isinstance(error, OSError):
            raise _write_error(target, error) from None
        raise
    return tmp_name


def _remove(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


def _payload(data: Payload) -> bytes | Callable[[BinaryIO], None]:
    if callable(data):
        return data
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def write_atomic(path: str | os.PathLike[str], data: Payload, mode: int | None = None) -> Path:
    """Write ``data`` to ``path`` so readers see either the old file or the new one.

    Text is encoded as UTF-8. ``mode`` sets the permissions (default: the old
    file's, or the umask's for a new one). A failure is an InputError naming
    ``path`` (a full disk, a read-only folder); the old file is left as it was.
    """
    target = Path(path)
    tmp_name = _stage(target, _payload(data), mode)
    try:
        os.replace(tmp_name, target)
    except BaseException as error:
        _remove(tmp_name)
        if isinstance(error, OSError):
            raise _write_error(target, error) from None
        raise
    return target


_PathName = TypeVar("_PathName", bound="str | os.PathLike[str]")


def write_atomic_set(files: Mapping[_PathName, Payload]) -> list[Path]:
    """Write several files as one set: all or none of them change.

    Every file is staged first; only when all are on disk are they renamed into
    place, with SIGINT and SIGTERM blocked for the few renames so that an
    interrupt cannot leave a mixed set. Stale temporaries of dead processes in
    the same folders are removed first.
    """
    targets = [Path(p) for p in files]
    for folder in {t.parent for t in targets}:
        remove_stale_temporaries(folder)
    staged: list[tuple[str, Path]] = []
    try:
        for target, data in zip(targets, files.values()):
            staged.append((_stage(target, _payload(data), None), target))
        blockable = hasattr(signal, "pthread_sigmask")
        held = {signal.SIGINT, signal.SIGTERM}
        if blockable:
            signal.pthread_sigmask(signal.SIG_BLOCK, held)
        try:
            for tmp_name, target in staged:
                try:
                    os.replace(tmp_name, target)
                except OSError as error:
                    raise _write_error(target, error) from None
        finally:
            if blockable:
                signal.pthread_sigmask(signal.SIG_UNBLOCK, held)
    finally:
        for tmp_name, _ in staged:
            if os.path.exists(tmp_name):
                _remove(tmp_name)
    return targets


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # it exists but belongs to someone else
    return True


def remove_stale_temporaries(folder: str | os.PathLike[str]) -> list[Path]:
    """Remove temporaries left in ``folder`` by writers that were killed (SIGKILL, power loss)."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMPORARY.match(entry.name)
        if match and entry.is_file(follow_symlinks=False) and not _alive(int(match["pid"])):
            try:
                os.unlink(entry.path)
                removed.append(Path(entry.path))
            except OSError:
                pass
    return removed


def read_utf8(path: str | os.PathLike[str], what: str, missing: str = "") -> str:
    """A UTF-8 text file the user named (a rule, config or baseline file).

    A missing, over-size, non-regular or undecodable file is an InputError
    naming it; ``missing`` is a hint added to the not-found message.
    """
    from claimaudit.limits import read_bounded

    path = Path(path)
    try:
        data = read_bounded(path)
    except InputError as error:
        if error.detail == "file not found":
            raise InputError(f"{what} not found{f' ({missing})' if missing else ''}", path=str(path)) from None
        raise
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError(f"{what} is not UTF-8 text ({error.reason})", path=str(path)) from None
