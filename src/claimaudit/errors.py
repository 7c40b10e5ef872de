"""Errors that reach the user as one clear message and exit code 2."""

from __future__ import annotations


class InputError(Exception):
    """Bad input: a missing file, an undecodable file, a broken pack or rule.

    The message names the file, the line where known, and what is wrong.
    """

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None,
                 field: str | None = None):
        self.path = path
        self.line = line
        self.field = field
        self.detail = message
        super().__init__(self.format())

    def format(self) -> str:
        where = ""
        if self.path:
            where = str(self.path)
            if self.line:
                where += f":{self.line}"
            where += ": "
        what = f"{self.field}: " if self.field else ""
        return f"{where}{what}{self.detail}"
