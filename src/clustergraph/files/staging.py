"""Outputs staged beside their targets and swapped in as a set, with a marker proving them ours.

A `Staging` is a private temporary folder `.NAME.XXXXXXXX.tmp` in the folder of its targets
(renames are atomic only within one file system): `new/` holds what is being written, `old/`
keeps what the swap replaces until the swap is over, and the marker file `MARKER` names the
process writing it (its PID and host) and the targets. `swap` renames every new file or folder
into place with SIGINT and SIGTERM held off, and rolls back the renames already done when one
fails, so the targets are either all old or all new.

A process killed outright (SIGKILL, power loss) cannot clean up; `sweep_abandoned` removes the
staging folders it left, once their marker proves the writer is gone: a folder of ours (same
owner), holding a well-formed marker, written on this host by a PID no longer alive. An
unfinished swap is rolled back first (the old targets put back), so nothing of the user's is
lost. Anything else, however similar its name, is left alone.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = ["MARKER", "MARKER_FORMAT", "Staging", "swap", "sweep_abandoned"]

#: The file inside a staging folder that proves it ours, and its format.
MARKER = ".clustergraph-temporary"
MARKER_FORMAT = "clustergraph-temporary/1"
_MARKER_MAX_BYTES = 64 * 1024
#: Kinds of target: regular files, or folders swapped whole.
FILE, FOLDER = "file", "folder"


def folder_of(path: Path) -> Path:
    """The folder `path` is in ("." for a bare name)."""
    return path.parent if str(path.parent) else Path(".")


class Staging:
    """A staging folder beside targets `names` of one `folder` (see the module's docstring)."""

    def __init__(self, folder: Path, names: list[str], kind: str) -> None:
        self.folder = folder
        self.names = names
        self.kind = kind
        stem = names[0][:64]  # room for the random part and the suffix in a 255-byte name
        marker = (json.dumps({"format": MARKER_FORMAT, "pid": os.getpid(), "host": _host(),
                              "kind": kind, "targets": names}) + "\n").encode()
        self.path = Path(tempfile.mkdtemp(dir=folder, prefix=f".{stem}.", suffix=".tmp"))
        self.intact = True  # False once a failed rollback left old targets in `old/`
        try:
            # the marker first, in one write: a folder killed before it cannot be proved ours
            fd = os.open(self.path / MARKER, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                os.write(fd, marker)
            finally:
                os.close(fd)
            (self.path / "new").mkdir()
            (self.path / "old").mkdir()
        except BaseException:
            shutil.rmtree(self.path, ignore_errors=True)
            raise

    def new(self, name: str) -> Path:
        """Where the new `name` is written."""
        return self.path / "new" / name

    def old(self, name: str) -> Path:
        """Where the swap keeps the `name` it replaces."""
        return self.path / "old" / name

    def remove(self) -> None:
        """Delete the staging folder (not after a failed rollback: the old targets are in it)."""
        if self.intact:
            shutil.rmtree(self.path, ignore_errors=True)


def swap(stagings: Iterable[Staging], check: object = None) -> None:
    """Rename every staged target into place; on a failure, undo the renames done and re-raise.

    A file replaced keeps a hard link in `old/` (the target is never missing); a folder is moved
    there first. `check(path, kind)`, when given, is called on each target just before its
    rename (the refusal of links and devices, again). Call it with signals held off.
    """
    done: list[list[object]] = []  # [staging, name, kept the old one, placed the new one]
    try:
        for staging in stagings:
            for name in staging.names:
                target = staging.folder / name
                if callable(check):
                    check(target, staging.kind)
                kept = _keep_old(target, staging.old(name), staging.kind)
                done.append([staging, name, kept, False])
                os.replace(staging.new(name), target)
                done[-1][3] = True
    except BaseException:
        for staging, name, kept, placed in reversed(done):
            assert isinstance(staging, Staging) and isinstance(name, str)
            _undo(staging, name, bool(kept), bool(placed))
        raise


def _keep_old(target: Path, old: Path, kind: str) -> bool:
    """Keep the current `target` at `old` (a hard link for a file); False when there is none."""
    if not os.path.lexists(target):
        return False
    if kind == FILE:
        try:
            os.link(target, old, follow_symlinks=False)
            return True
        except OSError:
            pass  # a file system without hard links: moved aside instead
    os.replace(target, old)
    return True


def _undo(staging: Staging, name: str, kept: bool, placed: bool) -> None:
    """Undo one target's swap: take the new one back out, put the old one back."""
    target = staging.folder / name
    try:
        if placed:
            os.replace(target, staging.new(name))
        if kept and not os.path.lexists(target):
            os.replace(staging.old(name), target)
    except OSError:
        staging.intact = False  # the marker lets a later run finish the rollback


def sweep_abandoned(folder: Path) -> list[Path]:
    """Remove the staging folders in `folder` left by runs of ours that are gone; return them.

    An unfinished swap is rolled back first. Best effort: a folder it cannot prove abandoned,
    or cannot clean up, is left as it is, and no error is raised.
    """
    removed: list[Path] = []
    if os.name != "posix":  # no owner and no harmless liveness check (os.kill would end the process)
        return removed
    try:
        with os.scandir(folder) as entries:
            candidates = [Path(e.path) for e in entries if e.name.startswith(".") and e.name.endswith(".tmp")]
    except OSError:
        return removed
    for path in candidates:
        targets = _abandoned_targets(path)
        if targets is not None and _roll_back_abandoned(path, folder, targets):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed


def _abandoned_targets(path: Path) -> list[str] | None:
    """The targets of `path` if it is a staging folder of ours whose writer is gone, else None."""
    try:
        info = os.lstat(path)
        if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
            return None
        marker = os.lstat(path / MARKER)
        if not stat.S_ISREG(marker.st_mode) or marker.st_size > _MARKER_MAX_BYTES:
            return None
        doc = json.loads((path / MARKER).read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != MARKER_FORMAT:
        return None
    pid, host, targets = doc.get("pid"), doc.get("host"), doc.get("targets")
    if not isinstance(pid, int) or pid <= 0 or host != _host() or not isinstance(targets, list):
        return None
    if not all(isinstance(t, str) and t not in ("", ".", "..") and "/" not in t for t in targets):
        return None
    return None if _alive(pid) else targets


def _host() -> str:
    """This machine's name, in the marker: a PID means something on its own host only."""
    uname = getattr(os, "uname", None)
    return uname().nodename if uname is not None else os.environ.get("COMPUTERNAME", "")


def _alive(pid: int) -> bool:
    """Whether process `pid` exists (ours, or another user's)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # not ours to signal, but alive
    return True


def _roll_back_abandoned(path: Path, folder: Path, targets: list[str]) -> bool:
    """Put back the old targets of an unfinished swap (and any target left missing); True when
    nothing of the user's remains in `path`."""
    unfinished = any(os.path.lexists(path / "new" / t) for t in targets)
    try:
        for name in targets:
            old, target = path / "old" / name, folder / name
            if os.path.lexists(old) and (unfinished or not os.path.lexists(target)):
                if unfinished and os.path.lexists(target) and not os.path.lexists(path / "new" / name):
                    os.replace(target, path / "new" / name)  # ours, placed before the stop
                os.replace(old, target)
    except OSError:
        return False
    return True


#: The kind of a path that is not a regular file, by `stat.S_IFMT` of its `lstat`.
KINDS = {stat.S_IFLNK: "a symbolic link", stat.S_IFCHR: "a character device",
         stat.S_IFBLK: "a block device", stat.S_IFIFO: "a FIFO (named pipe)",
         stat.S_IFSOCK: "a socket", stat.S_IFDIR: "a folder", stat.S_IFREG: "a file"}


def kind_of(path: Path) -> str | None:
    """What stands at `path` ("a file", "a folder", "a symbolic link"...), None if nothing."""
    with contextlib.suppress(FileNotFoundError):
        return KINDS.get(stat.S_IFMT(os.lstat(path).st_mode), "an unknown kind of file")
    return None
