"""Writing files and folders atomically: write beside the target, then rename into place.

A reader (or a release diff) sees either the previous output or the complete new one, never a
half-written one: if the writer fails, is interrupted (Ctrl-C, SIGTERM) or the disk fills, the
targets are untouched and nothing is left beside them. Renaming is atomic on POSIX file
systems when source and target are in the same folder, which is why the temporaries are staged
beside the target (`clustergraph.files.staging`: a private folder whose marker lets a later
run remove it if the process was killed outright).

Several files (an export's formats and description) are replaced as a set (`atomic_files`): all
are written first, then swapped in with signals held off, the swap's renames undone if one
fails. A folder is built whole and swapped in (`atomic_directory`).

    from clustergraph.files.atomic import atomic_write
    with atomic_write("out/clustergraph.ttl") as fh:
        fh.write(b"...")
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO

from clustergraph.errors import InputError, file_error
from clustergraph.files.signals import signals_held
from clustergraph.files.staging import (
    FILE,
    FOLDER,
    Staging,
    folder_of,
    kind_of,
    swap,
    sweep_abandoned,
)

__all__ = [
    "atomic_directory",
    "atomic_files",
    "atomic_write",
    "check_output_name",
    "refuse_other_than_file",
    "refuse_other_than_folder",
    "sweep_abandoned",
    "write_bytes_atomic",
    "write_chunks_atomic",
]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _fsync(path: Path, flags: int = os.O_RDONLY) -> None:
    with contextlib.suppress(OSError):  # not every platform or file system allows it on a folder
        fd = os.open(path, flags)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def check_output_name(path: Path | str) -> None:
    """Raise `InputError` when the name of an output holds a control character (a newline, a
    tab...): almost always a quoting mistake, and a name no listing or log shows faithfully.

    >>> check_output_name("a\\nb.ttl")
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: 'a\\nb.ttl': the name holds a control character ('\\n'); refusing to write it (choose a name without one)
    """
    text = str(path)
    bad = next((c for c in text if ord(c) < 32 or ord(c) == 127), None)
    if bad is not None:
        raise InputError(f"{text!r}: the name holds a control character ({bad!r}); "
                         "refusing to write it (choose a name without one)")


def refuse_other_than_file(path: Path) -> None:
    """Raise `InputError` when `path` exists and is not a regular file: a link, a device, a FIFO,
    a socket or a folder is never replaced, written through or renamed over. A name holding a
    control character is refused too (`check_output_name`).

    >>> refuse_other_than_file(Path("/dev/null"))
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: /dev/null: is a character device, not a file; refusing to write it (name a file)
    """
    check_output_name(path)
    kind = _kind(path)
    if kind not in (None, "a file"):
        raise InputError(f"{path}: is {kind}, not a file; refusing to write it (name a file)")


def refuse_other_than_folder(path: Path) -> None:
    """Raise `InputError` when `path` exists and is not a real folder (a link to one, a file, a
    device, a FIFO or a socket): a folder output replaces only a folder.

    >>> refuse_other_than_folder(Path("/dev/null"))
    Traceback (most recent call last):
    ...
    clustergraph.errors.InputError: /dev/null: is a character device, not a folder; refusing to replace it (name a folder)
    """
    check_output_name(path)
    kind = _kind(path)
    if kind not in (None, "a folder"):
        raise InputError(f"{path}: is {kind}, not a folder; refusing to replace it (name a folder)")


def _kind(path: Path) -> str | None:
    try:
        return kind_of(path)
    except OSError as exc:
        raise file_error(path, exc, "write") from None


def _check_at_swap(path: Path, kind: str) -> None:
    """The refusal again, just before the rename: nothing put in the target's place meanwhile."""
    (refuse_other_than_file if kind == FILE else refuse_other_than_folder)(path)


@contextlib.contextmanager
def _staged(targets: Sequence[Path], kind: str, *, fsync: bool, sweep: bool) -> Iterator[list[Path]]:
    """Stage `targets` (one staging folder per folder they are in); yield where to write each;
    on success swap them all in, on any failure (or interrupt) remove what was staged."""
    if len({os.path.abspath(t) for t in targets}) != len(targets):
        raise InputError(f"{', '.join(map(str, targets))}: the same file named twice as an output")
    by_folder: dict[Path, list[str]] = {}
    for target in targets:
        by_folder.setdefault(folder_of(target), []).append(target.name)
    stagings: list[Staging] = []
    try:
        for folder, names in by_folder.items():
            with _naming(folder / names[0], "write", any_file=True):
                folder.mkdir(parents=True, exist_ok=True)
                if sweep:
                    sweep_abandoned(folder)
                with signals_held():  # a signal comes once the folder is in `stagings`' care
                    stagings.append(Staging(folder, names, kind))
                if kind == FOLDER:
                    os.mkdir(stagings[-1].new(names[0]), 0o777)
        where = {(s.folder, n): s.new(n) for s in stagings for n in s.names}
        try:
            yield [where[folder_of(t), t.name] for t in targets]
        except OSError as exc:
            raise _about_target(exc, targets, where) from exc
        for target in targets:
            staged = where[folder_of(target), target.name]
            if kind == FILE:
                with _naming(target, "write", staged):
                    _set_mode(staged, target)
                    if fsync:
                        _fsync(staged)
        with signals_held(), _naming(targets[0], "replace", any_file=True):
            swap(stagings, _check_at_swap)
            if fsync:
                for staging in stagings:
                    _fsync(staging.folder)
        for staging in stagings:  # what was replaced: interrupted here, the line below finishes it
            staging.remove()
    except BaseException:
        with signals_held():  # a second Ctrl-C does not leave half of it
            for staging in stagings:
                staging.remove()
        raise


def _set_mode(staged: Path, target: Path) -> None:
    """Give the new file the permissions of the one it replaces, or the usual ones for a new
    file (0666 minus the umask), not the 0600 of a temporary file."""
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    os.chmod(staged, mode)


def _about_target(exc: OSError, targets: Sequence[Path], where: dict[tuple[Path, str], Path]) -> BaseException:
    """An OSError raised while writing the staged files, as an `InputError` naming the target
    it was about (a staged file's name means nothing to the user); another file's error as is."""
    staged = {str(p): (folder, name) for (folder, name), p in where.items()}
    if exc.filename is None:
        shown: Path = targets[0] if len(targets) == 1 else folder_of(targets[0])
        return file_error(shown, exc, "write")
    found = next((v for k, v in staged.items() if str(exc.filename).startswith(k)), None)
    if found is None:
        return exc
    return file_error(found[0] / found[1], exc, "write")


@contextlib.contextmanager
def atomic_files(paths: Sequence[Path | str], *, fsync: bool = True, sweep: bool = True) -> Iterator[list[Path]]:
    """Replace several files as a set: yield a temporary path for each (in a staging folder beside
    it) to write; on success all are swapped in together, else none is.

    Every target is refused before anything is written if it exists and is not a regular file.
    The swap runs with SIGINT and SIGTERM held off and its renames are undone if one fails; an
    OSError while writing (no space left...) becomes an `InputError` naming the target. `sweep`:
    first remove the staging folders that killed runs of ours left beside the targets.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with atomic_files([Path(tmp, "a.txt"), Path(tmp, "b.txt")]) as (a, b):
    ...         _ = a.write_text("A"), b.write_text("B")
    ...     print(sorted(p.name for p in Path(tmp).iterdir()))
    ['a.txt', 'b.txt']
    """
    targets = [Path(p) for p in paths]
    for target in targets:
        refuse_other_than_file(target)
    with _staged(targets, FILE, fsync=fsync, sweep=sweep) as staged:
        yield staged


@contextlib.contextmanager
def atomic_write(path: Path | str, *, fsync: bool = True, sweep: bool = False) -> Iterator[IO[bytes]]:
    """Open a binary temporary file beside `path`; on success rename it to `path`.

    On any exception (including KeyboardInterrupt and SIGTERM's `Terminated`) the temporary file
    is removed and `path` keeps its previous content. The new file gets the permissions of the
    file it replaces, or the usual ones for a new file. An OSError on the way (permission denied,
    read-only, no space) becomes an `InputError` naming `path`.
    """
    path = Path(path)
    refuse_other_than_file(path)
    with _staged([path], FILE, fsync=fsync, sweep=sweep) as (staged,), _naming(path, "write", staged), \
            open(staged, "xb") as fh:
        yield fh
        fh.flush()
        if fsync:
            os.fsync(fh.fileno())


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
def atomic_directory(path: Path | str, *, sweep: bool = True) -> Iterator[Path]:
    """Build a folder under a temporary name beside `path`, then swap it in whole.

    Yields the temporary folder to fill. On success an existing `path` is moved aside, the new
    folder renamed into place and the old one deleted, with SIGINT and SIGTERM held off (the
    first rename is undone if the second fails), so `path` is always the old or the new complete
    folder. On failure or interrupt the temporary folder is removed and `path` untouched. An
    existing `path` that is not a real folder (a link to one, a file, a device...) is refused.
    """
    path = Path(path)
    refuse_other_than_folder(path)
    with _staged([path], FOLDER, fsync=True, sweep=sweep) as (staged,):
        os.chmod(staged, 0o777 & ~_umask())
        yield staged

