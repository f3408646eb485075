"""Sorted lines kept on disk in checked chunks, read only where a prefix is looked up.

The incremental cache (`clustergraph.validation.incremental.cache`, `clustergraph.validation.incremental.report`)
keeps large sorted line files: the data's literals as written (`lexical.nt`), which block holds
each (shape, focus node) (`pairs.txt`), where each resource with results is shown
(`where.txt`). A judged change looks up a few prefixes in each; reading, checking and
splitting the whole file (tens of MB at a million triples) cost more than the rest of the run.
So each file is written in chunks of about `CHUNK_BYTES`, with an index beside it
(`<name>.idx`: each chunk's first line, end offset and checksum); the index's own checksum is
kept by the caller. A lookup reads and checks only the chunks that can hold the prefix; a
damaged chunk raises ValueError when it is read, a file cut short when it is opened.

    >>> import tempfile
    >>> scratch = tempfile.TemporaryDirectory()
    >>> folder = Path(scratch.name)
    >>> found = ["<a> 1", "<b> 1", "<b> 2", "<c> 1"]
    >>> crc = SortedLines.write(folder, "pairs.txt", found, chunk_bytes=8)  # the index's checksum
    >>> SortedLines(folder, "pairs.txt", crc).starting("<b> ")
    ['<b> 1', '<b> 2']
    >>> scratch.cleanup()
"""

from __future__ import annotations

import json
import os
import zlib
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

__all__ = ["CHUNK_BYTES", "ListLines", "PatchedLines", "SortedLines"]

#: About how many bytes a chunk holds (a chunk ends at a line's end).
CHUNK_BYTES = 1 << 15


class SortedLines:
    """A sorted line file written by `SortedLines.write`, opened read-only."""

    def __init__(self, folder: Path, name: str, index_crc: int) -> None:
        """Open `folder/name` with its index, checked against `index_crc` (ValueError if not;
        also when the file's size is not the one indexed)."""
        self.path = folder / name
        data = (folder / f"{name}.idx").read_bytes()
        if zlib.crc32(data) != index_crc:
            raise ValueError(f"{folder / name}.idx: damaged")
        index = json.loads(data)
        self._first: list[str] = index["first"]
        self._ends: list[int] = index["ends"]
        self._crc: list[int] = index["crc"]
        if not len(self._first) == len(self._ends) == len(self._crc):
            raise ValueError(f"{self.path}.idx: damaged")
        size = self.path.stat().st_size
        if size != (self._ends[-1] if self._ends else 0):
            raise ValueError(f"{self.path}: damaged ({size} bytes, {self._ends[-1:]} indexed)")
        self._chunks: dict[int, list[str]] = {}

    @staticmethod
    def write(folder: Path, name: str, lines: Iterable[str], chunk_bytes: int = CHUNK_BYTES) -> int:
        """Write sorted `lines` (without newlines) as `folder/name` and its index; return the
        index's checksum (for the caller to keep)."""
        first: list[str] = []
        ends: list[int] = []
        crcs: list[int] = []
        end = 0
        with open(folder / name, "wb") as out:
            chunk: list[str] = []
            size = 0

            def flush() -> None:
                nonlocal end, chunk, size
                data = "".join(ln + "\n" for ln in chunk).encode("utf-8")
                out.write(data)
                end += len(data)
                first.append(chunk[0])
                ends.append(end)
                crcs.append(zlib.crc32(data))
                chunk, size = [], 0

            previous: str | None = None
            for line in lines:
                if "\n" in line or (previous is not None and line < previous):
                    raise ValueError("SortedLines.write: lines must be sorted and hold no newline")
                previous = line
                chunk.append(line)
                size += len(line) + 1
                if size >= chunk_bytes:
                    flush()
            if chunk:
                flush()
        data = json.dumps({"first": first, "ends": ends, "crc": crcs}).encode("utf-8")
        (folder / f"{name}.idx").write_bytes(data)
        return zlib.crc32(data)

    def _chunk(self, k: int) -> list[str]:
        """The lines of chunk `k`, read and checked once."""
        if k not in self._chunks:
            start = self._ends[k - 1] if k else 0
            with open(self.path, "rb") as f:
                data = os.pread(f.fileno(), self._ends[k] - start, start)
            if zlib.crc32(data) != self._crc[k]:
                raise ValueError(f"{self.path}: chunk {k} damaged")
            lines = data.decode("utf-8").split("\n")
            lines.pop()  # after the last newline
            if not lines or lines[0] != self._first[k]:
                raise ValueError(f"{self.path}: chunk {k} damaged")
            self._chunks[k] = lines
        return self._chunks[k]

    def starting(self, prefix: str) -> list[str]:
        """The lines that start with `prefix`, in order (only the chunks that may hold them read)."""
        first = self._first
        k = bisect_left(first, prefix) - 1  # chunk k starts before prefix; k + 1 does not
        found: list[str] = []
        if k >= 0:
            _extend_starting(found, self._chunk(k), prefix)
        k += 1
        while k < len(first) and first[k].startswith(prefix):
            _extend_starting(found, self._chunk(k), prefix)
            k += 1
        return found

    def all(self) -> list[str]:
        """Every line, each chunk checked."""
        return [ln for k in range(len(self._first)) for ln in self._chunk(k)]


def _extend_starting(found: list[str], lines: Sequence[str], prefix: str) -> None:
    """Add to `found` the lines of sorted `lines` that start with `prefix` (by bisection)."""
    i = bisect_left(lines, prefix)
    while i < len(lines) and lines[i].startswith(prefix):
        found.append(lines[i])
        i += 1


class ListLines:
    """Sorted lines in memory, looked up as a `SortedLines` is."""

    def __init__(self, lines: Sequence[str]) -> None:
        self._lines = lines

    def starting(self, prefix: str) -> list[str]:
        """The lines that start with `prefix`, in order."""
        found: list[str] = []
        _extend_starting(found, self._lines, prefix)
        return found

    def all(self) -> list[str]:
        """Every line."""
        return list(self._lines)


class PatchedLines:
    """Kept sorted lines with some removed and some added, looked up as a `SortedLines` is."""

    def __init__(self, base: Any, removed: Iterable[str], added: Iterable[str]) -> None:
        self._base = base
        self._removed = set(removed)
        self._added = ListLines(sorted(set(added)))

    def starting(self, prefix: str) -> list[str]:
        """The lines that start with `prefix`, in order."""
        kept = [ln for ln in self._base.starting(prefix) if ln not in self._removed]
        return sorted(set(kept).union(self._added.starting(prefix)))

    def all(self) -> list[str]:
        """Every line (the base read whole)."""
        kept = (ln for ln in self._base.all() if ln not in self._removed)
        return sorted(set(kept).union(self._added.all()))
