"""The exceptions clustergraph raises for problems a user can fix.

Each carries what went wrong in words a user can act on and the exit code the command line
uses for it. Anything else that escapes is an internal error (exit code 3).
"""

from __future__ import annotations

import errno
from pathlib import Path

__all__ = [
    "ClustergraphError",
    "InputError",
    "file_error",
    "RDFSyntaxError",
    "ParameterError",
    "QueryError",
    "UnsafeQueryError",
    "EndpointError",
    "CutAnswer",
]


class ClustergraphError(Exception):
    """Base class: a problem with the user's input or environment, not a bug."""

    exit_code: int = 2

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InputError(ClustergraphError, ValueError):
    """A file or argument that cannot be used (missing, unreadable, of an unknown format)."""


#: The reason shown for an OSError on a file, by errno; others show the system's own words.
_FILE_ERROR_REASONS = {
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "read-only file system",
    errno.ENOSPC: "no space left on the device",
    errno.EDQUOT: "disk quota exceeded",
    errno.ENOENT: "no such file or folder",
    errno.ENOTDIR: "a folder on the way is a file",
    errno.EEXIST: "a folder on the way is a file",
    errno.EISDIR: "is a folder, not a file",
}


def file_error(path: Path | str, exc: OSError, action: str) -> InputError:
    """An `InputError` for an OSError on a file the user named: `PATH: cannot ACTION: reason`."""
    reason = _FILE_ERROR_REASONS.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()
    return InputError(f"{path}: cannot {action}: {reason}")


class RDFSyntaxError(InputError):
    """An RDF file that does not parse; knows the file, line and column (1-based)."""

    def __init__(self, path: Path | str, line: int | None, column: int | None, detail: str) -> None:
        self.path = str(path)
        self.line = line
        self.column = column
        self.detail = detail
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {detail}")


class ParameterError(ClustergraphError, ValueError):
    """A query parameter that is missing, unknown or of the wrong type; names the parameter."""

    def __init__(self, name: str, detail: str) -> None:
        self.name = name
        self.detail = detail
        super().__init__(f"parameter {name!r}: {detail}")


class QueryError(ClustergraphError, ValueError):
    """A SPARQL query that does not parse or cannot be run."""


class UnsafeQueryError(QueryError):
    """A query that would reach the network or the file system in embedded mode."""


class EndpointError(ClustergraphError):
    """A remote SPARQL endpoint that is down, refuses, times out or answers with an error."""

    exit_code = 4


class CutAnswer(EndpointError):
    """An endpoint that answered with only the first rows: it says so (Virtuoso's
    `X-SPARQL-MaxRows` header, from its ResultSetMaxRows), or the answer is as long as the
    longest it gives."""

    def __init__(self, message: str, rows: int) -> None:
        super().__init__(message)
        self.rows = rows
