"""Writing files and folders atomically: write to a temporary name beside the target, then rename.

A reader (or a release diff) sees either the previous file or the complete new one, never a
half-written one: if the writer fails or the process is killed half-way, the target is untouched.
Renaming is atomic on POSIX file systems when source and target are in the same folder, which is
why the temporary file is created beside the target.

    from clustergraph.files.atomic import atomic_write
    with atomic_write("out/clustergraph.ttl") as fh:
        fh.write(b"...")
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

from clustergraph.errors import InputError, file_error

__all__ = ["atomic_directory", "atomic_write", "refuse_other_than_file", "write_bytes_atomic", "write_chunks_atomic"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system allows it
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_write(path: Path | str, *, fsync: bool = True) -> Iterator[IO[bytes]]:
    """Open a binary temporary file beside `path`; on success rename it to `path`.

    On any exception (including KeyboardInterrupt) the temporary file is removed and `path` keeps
    its previous content. The new file gets the permissions of the file it replaces, or the usual
    ones for a new file (0666 minus the umask), not the 0600 of a temporary file. An OSError on
    the way (permission denied, read-only, no space) becomes an `InputError` naming `path`.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    refuse_other_than_file(path)
    with _naming(path, "write", any_file=True):
        folder.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        with _naming(path, "write", tmp), os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            if fsync:
                os.fsync(fh.fileno())
        with _naming(path, "write", tmp):
            try:
                mode = path.stat().st_mode & 0o7777
            except FileNotFoundError:
                mode = 0o666 & ~_umask()
            os.chmod(tmp, mode)
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    if fsync:
        _fsync_dir(folder)


#: What a path that is not a regular file is, by `stat.S_IFMT` of its `lstat`.
_KINDS = {stat.S_IFLNK: "a symbolic link", stat.S_IFCHR: "a character device",
          stat.S_IFBLK: "a block device", stat.S_IFIFO: "a FIFO (named pipe)",
          stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder"}


def refuse_other_than_file(path: Path) -> None:
    """Raise `InputError` when `path` exists and is not a regular file: a link, a device, a FIFO,
    a socket or a folder is never replaced, written through or renamed over.

    >>> refuse_other_than_file(Path("/dev/null"))
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: /dev/null: is a character device, not a file; refusing to write it (name a file)
    """
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise file_error(path, exc, "write") from None
    kind = _KINDS.get(stat.S_IFMT(mode))
    if kind is not None:
        raise InputError(f"{path}: is {kind}, not a file; refusing to write it (name a file)")


@contextlib.contextmanager
def _naming(path: Path, action: str, *also: Path, any_file: bool = False) -> Iterator[None]:
    """Turn an OSError about `path` (or its temporary stand-in `also`) into an `InputError`.

    An OSError about another file passes through unchanged (it names its own file), unless
    `any_file`: making the folder and the temporary file beside `path` is all about `path`.
    """
    try:
        yield
    except OSError as exc:
        ours = (path, path.parent, *also)
        if not any_file and exc.filename is not None and Path(exc.filename) not in ours:
            raise
        raise file_error(path, exc, action) from exc


def write_bytes_atomic(path: Path | str, data: bytes, *, fsync: bool = True) -> int:
    """Write `data` to `path` atomically; returns the number of bytes written."""
    with atomic_write(path, fsync=fsync) as fh:
        fh.write(data)
    return len(data)


def write_chunks_atomic(path: Path | str, chunks: Iterable[bytes], *, fsync: bool = True) -> int:
    """Write an iterable of byte chunks to `path` atomically; returns the bytes written.

    The chunks are produced while writing, so a large file need not be held in memory; an
    exception raised by the iterable leaves `path` as it was.
    """
    size = 0
    with atomic_write(path, fsync=fsync) as fh:
        for chunk in chunks:
            fh.write(chunk)
            size += len(chunk)
    return size


@contextlib.contextmanager
def atomic_directory(path: Path | str) -> Iterator[Path]:
    """Build a folder under a temporary name beside `path`, then swap it in.

    Yields the temporary folder to fill. On success, an existing `path` is moved aside, the new
    folder renamed into place and the old one deleted, so `path` is always either the old or the
    new complete folder (two renames; a crash between them leaves the old folder under
    `.{name}.old-*` beside it). On failure the temporary folder is removed and `path` untouched.
    """
    path = Path(path)
    parent = path.parent if str(path.parent) else Path(".")
    with _naming(path, "write", any_file=True):
        parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}.", suffix=".tmp"))
    try:
        os.chmod(tmp, 0o777 & ~_umask())
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    old: Path | None = None
    try:
        with _naming(path, "replace", tmp):
            if path.exists():
                old = Path(tempfile.mkdtemp(dir=parent, prefix=f".{path.name}.old-"))
                os.rmdir(old)
                os.replace(path, old)
            os.replace(tmp, path)
    except BaseException:
        if old is not None and not path.exists():
            os.replace(old, path)  # put the previous folder back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(parent)
