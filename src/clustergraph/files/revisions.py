"""Reading RDF files from git revisions without touching the work tree.

`git ls-tree`, `git cat-file` and `git diff --name-only` are the only git commands used; nothing
is checked out, so the work tree and the index stay as they are. Paths are relative to the
repository's top folder.

    >>> import subprocess, tempfile
    >>> scratch = tempfile.TemporaryDirectory()
    >>> top = Path(scratch.name)
    >>> def git(*args):
    ...     subprocess.run(["git", "-C", str(top), "-c", "user.name=A", "-c", "user.email=a@example.org",
    ...                     "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)
    >>> (top / "data").mkdir()
    >>> _ = (top / "data" / "a.ttl").write_text("<urn:x:a> <urn:x:p> 1 .\\n")
    >>> git("init", "-q"); git("add", "."); git("commit", "-q", "-m", "first")
    >>> repo = Repository.find(top / "data")
    >>> repo.files("HEAD", ["data"])  # the RDF files there: (path, blob id)  # doctest: +ELLIPSIS
    [('data/a.ttl', '...')]
    >>> [(path, blob)] = repo.files("HEAD", ["data"])
    >>> repo.read_blobs([blob])[blob]
    b'<urn:x:a> <urn:x:p> 1 .\\n'
    >>> _ = (top / "data" / "b.ttl").write_text("")
    >>> repo.changed_paths("HEAD", ["data"])
    {'data/b.ttl'}
    >>> scratch.cleanup()
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from clustergraph.errors import InputError
from clustergraph.files.load import rdf_format_for

__all__ = ["Repository", "is_rdf_name"]

_NOT_GRAPH = {"context.jsonld"}  # a JSON-LD context holds no triples: it is not part of the graph


def is_rdf_name(name: str) -> bool:
    """True for a file name with an RDF suffix we read (a JSON-LD context file excepted)."""
    if PurePosixPath(name).name in _NOT_GRAPH:
        return False
    try:
        rdf_format_for(name)
    except InputError:
        return False
    return True


@dataclass(frozen=True)
class Repository:
    """A git repository, addressed by its top folder."""

    root: Path

    @classmethod
    def find(cls, start: Path | str) -> Repository | None:
        """The repository holding `start`, or None when it is not in one (or git is missing)."""
        try:
            done = subprocess.run(
                ["git", "-C", str(start), "rev-parse", "--show-toplevel"],
                capture_output=True, check=False,
            )
        except OSError:
            return None
        if done.returncode != 0:
            return None
        return cls(Path(done.stdout.decode().strip()))

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        """Run one git command in the repository; its standard output, or an InputError."""
        done = subprocess.run(
            ["git", "-C", str(self.root), *args], input=stdin, capture_output=True, check=False
        )
        if done.returncode != 0:
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
            raise InputError(f"git {' '.join(args[:2])}: {detail[-1] if detail else 'failed'}")
        return done.stdout

    def has_revision(self, rev: str) -> bool:
        """True when `rev` names a commit (or a tree) in this repository."""
        done = subprocess.run(
            ["git", "-C", str(self.root), "rev-parse", "--verify", "--quiet", f"{rev}^{{tree}}"],
            capture_output=True, check=False,
        )
        return done.returncode == 0

    def tree_id(self, rev: str) -> str:
        """The id of the tree of a revision (equal trees: equal content)."""
        return self.git("rev-parse", "--verify", f"{rev}^{{tree}}").decode().strip()

    def relative(self, path: Path | str) -> str:
        """A path as git names it: relative to the top folder, with forward slashes."""
        resolved = Path(path).resolve()
        try:
            return resolved.relative_to(self.root.resolve()).as_posix()
        except ValueError:
            raise InputError(f"{path}: not inside the git repository {self.root}") from None

    def _ls_tree(self, rev: str, specs: Sequence[str]) -> list[tuple[str, str, str]]:
        """(name, kind, id) of the entries `git ls-tree` lists for the path specs."""
        if not specs:
            return []
        out = self.git("ls-tree", "-z", rev, "--", *specs)
        entries = []
        for record in out.split(b"\0"):
            if record:
                meta, _, name = record.decode("utf-8").partition("\t")
                _mode, kind, object_id = meta.split()
                entries.append((name, kind, object_id))
        return entries

    def files(self, rev: str, paths: Iterable[str]) -> list[tuple[str, str]]:
        """(path, blob id) of the RDF files at `rev`: each path a file, or a folder whose RDF
        files directly inside it are taken (like `clustergraph validate FOLDER`). Sorted."""
        wanted = {p.rstrip("/") for p in paths}
        found: dict[str, str] = {}
        folders = []
        for name, kind, object_id in self._ls_tree(rev, sorted(wanted)):
            if name not in wanted:
                continue
            if kind == "blob":
                found[name] = object_id
            elif kind == "tree":
                folders.append(name + "/")
        for name, kind, object_id in self._ls_tree(rev, folders):
            if kind == "blob" and is_rdf_name(name):
                found[name] = object_id
        return sorted(found.items())

    def read_blobs(self, ids: Sequence[str]) -> dict[str, bytes]:
        """The content of blobs by id, in one `git cat-file --batch`."""
        if not ids:
            return {}
        unique = list(dict.fromkeys(ids))
        out = self.git("cat-file", "--batch", stdin=("\n".join(unique) + "\n").encode())
        blobs: dict[str, bytes] = {}
        pos = 0
        for object_id in unique:
            end = out.index(b"\n", pos)
            header = out[pos:end].split()
            if len(header) < 3:
                raise InputError(f"git cat-file: {object_id} is missing")
            size = int(header[2])
            blobs[object_id] = out[end + 1 : end + 1 + size]
            pos = end + 1 + size + 1
        return blobs

    def changed_paths(self, rev: str, paths: Sequence[str]) -> set[str]:
        """Paths under `paths` whose work-tree content differs from `rev` (new files included)."""
        specs = ["--", *paths]
        changed = self.git("diff", "--name-only", "-z", "--no-renames", rev, *specs)
        untracked = self.git("ls-files", "-z", "--others", "--exclude-standard", *specs)
        return {p.decode("utf-8") for p in (changed + b"\0" + untracked).split(b"\0") if p}

    def hash_files(self, paths: Sequence[str]) -> dict[str, str]:
        """The blob ids the work-tree files would have (`git hash-object`)."""
        if not paths:
            return {}
        out = self.git("hash-object", "--", *paths).decode().split()
        return dict(zip(paths, out))
