"""Which lines changed since a git revision, for ``check --changed-since REV``.

Compares the working tree (committed, staged and unstaged edits) with
``REV`` using ``git diff --unified=0``; files git does not track yet count as
changed on every line. Line numbers are those of the file as it is now.
"""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from claimaudit.errors import InputError

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", "\\": "\\", '"': '"'}


def _unquote(path: str) -> str:
    """A path as git prints it: bare, or C-quoted when it holds unusual characters."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    body, out, i = path[1:-1], bytearray(), 0
    while i < len(body):
        ch = body[i]
        if ch == "\\" and i + 1 < len(body):
            nxt = body[i + 1]
            if re.fullmatch(r"[0-7]{3}", body[i + 1:i + 4]):
                out.append(int(body[i + 1:i + 4], 8))
                i += 4
                continue
            out += _ESCAPES.get(nxt, nxt).encode("utf-8")
            i += 2
            continue
        out += ch.encode("utf-8")
        i += 1
    return out.decode("utf-8", "surrogateescape")


def _strip_prefix(path: str) -> str | None:
    path = _unquote(path.strip())
    if path == "/dev/null":
        return None
    return path[2:] if path[:2] in ("a/", "b/") else path


def parse_unified_diff(text: str) -> dict[str, set[int] | None]:
    """Changed line numbers per file (new-side paths) from ``git diff --unified=0``.

    ``None`` for a file means every line counts as changed (a binary file, or
    one git reports without hunks). Deleted files are left out.
    """
    changed: dict[str, set[int] | None] = {}
    current: str | None = None
    header_path: str | None = None
    for line in text.splitlines():
        if line.startswith("diff --git "):
            current = None
            parts = line[len("diff --git "):]
            # "a/x b/x" (no spaces in names) is the common case; quoted names are handled by +++.
            match = re.match(r'(?:"(?:[^"\\]|\\.)*"|\S+) ("(?:[^"\\]|\\.)*"|\S+)$', parts)
            header_path = _strip_prefix(match.group(1)) if match else None
        elif line.startswith("+++ "):
            current = _strip_prefix(line[4:])
            if current is not None:
                changed.setdefault(current, set())
        elif line.startswith("Binary files ") and header_path:
            if not line.endswith("/dev/null differ"):
                changed[header_path] = None
        elif line.startswith("@@") and current is not None:
            hunk = _HUNK.match(line)
            if not hunk:
                continue
            start = int(hunk.group(1))
            count = int(hunk.group(2)) if hunk.group(2) is not None else 1
            lines = changed.get(current)
            if lines is not None:
                lines.update(range(start, start + count))
    return changed


@dataclass
class ChangedLines:
    """Changed lines per file, keyed by absolute path."""

    root: Path
    revision: str
    files: dict[str, set[int] | None] = field(default_factory=dict)

    def touches(self, document: str, first_line: int, last_line: int | None = None) -> bool:
        """Whether any line from ``first_line`` to ``last_line`` of ``document`` changed."""
        key = _key(document)
        if key not in self.files:
            return False
        lines = self.files[key]
        if lines is None:
            return True
        last = max(first_line, last_line or first_line)
        return any(n in lines for n in range(first_line, last + 1))


def _key(path: str | os.PathLike[str]) -> str:
    return os.path.normcase(os.path.realpath(path))


def _git(args: list[str], cwd: Path) -> str:
    try:
        completed = subprocess.run(
            ["git", "-c", "core.quotepath=off", *args], cwd=cwd, capture_output=True, check=False,
        )
    except FileNotFoundError:
        raise InputError("--changed-since needs git, and git is not installed") from None
    if completed.returncode != 0:
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise _GitError(detail[-1] if detail else f"git {' '.join(args)} failed")
    return completed.stdout.decode("utf-8", "surrogateescape")


class _GitError(Exception):
    pass


def changed_lines(revision: str, cwd: str | Path | None = None) -> ChangedLines:
    """Lines changed in the working tree since ``revision``, with untracked files whole."""
    folder = Path(cwd or Path.cwd())
    try:
        root = Path(_git(["rev-parse", "--show-toplevel"], folder).strip())
    except _GitError:
        raise InputError("--changed-since needs a git repository, and this folder is not in one",
                         path=str(folder)) from None
    try:
        _git(["rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"], root)
    except _GitError:
        raise InputError(f"unknown git revision {revision!r}", field="--changed-since") from None
    try:
        diff = _git(["diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-renames", revision, "--"], root)
        untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], root)
    except _GitError as error:
        raise InputError(f"git diff against {revision!r} failed: {error}", field="--changed-since") from None
    files: dict[str, set[int] | None] = {}
    for path, lines in parse_unified_diff(diff).items():
        files[_key(root / path)] = lines
    for path in filter(None, untracked.split("\0")):
        files[_key(root / path)] = None
    return ChangedLines(root=root, revision=revision, files=files)
