"""The change since the base revision, as triples added and removed (`clustergraph.validation.incremental.run`).

The changed files are read old (from git, canonicalized once and kept by blob id) and new (from
the work tree) as canonical N-Triples lines, blank nodes labelled by content and file; a line
removed from a changed file but still stated by a file that did not change is not removed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from clustergraph.files.load import rdf_format_for
from clustergraph.files.revisions import Repository
from clustergraph.validation.incremental.cache import (
    CacheEntry,
    base_lines,
    declared_prefixes,
    lexical_lines,
    scoped_lines,
)
from clustergraph.validation.incremental.lines import PatchedLines

__all__ = ["Delta", "lexical_after", "parse", "read_delta", "shared_after"]


@dataclass
class Delta:
    """The triples a change adds and removes, from the changed files old and new."""

    added: list[str]
    removed: list[str]
    old: dict[str, set[str]]
    new: dict[str, set[str]]
    contents: dict[str, bytes]
    prefixes: dict[str, str]


def read_delta(repo: Repository, entry: CacheEntry, changed: list[str], base: dict[str, str]) -> Delta:
    """The change to the files `changed` (their paths for git), from `base` (path -> blob id)."""
    old_by: dict[str, set[str]] = {}
    new_by: dict[str, set[str]] = {}
    contents: dict[str, bytes] = {}
    prefixes: dict[str, str] = {}
    for rel in changed:
        if rel in base:
            old_by[rel] = set(base_lines(entry.folder.parent, rel, base[rel], repo.read_blobs))
        work = repo.root / rel
        if work.is_file():
            contents[rel] = work.read_bytes()
            quick = edited_lines(rel, contents[rel], old_by[rel]) if rel in old_by else None
            new_by[rel] = quick if quick is not None else set(scoped_lines(rel, contents[rel]))
            for k, v in declared_prefixes(contents[rel]).items():
                prefixes.setdefault(k, v)
    old = set().union(*old_by.values())
    new = set().union(*new_by.values())
    unchanged = set(base) - set(changed)
    removed = sorted(ln for ln in old - new
                     if not any(f in unchanged for f in entry.shared.get(ln, ())))
    candidates = sorted(new - old)
    added = [ln for ln, t in zip(candidates, parse(candidates))
             if ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) not in entry.store]
    return Delta(added, removed, old_by, new_by, contents, prefixes)


def edited_lines(rel: str, content: bytes, old: set[str]) -> set[str] | None:
    """`scoped_lines` of an edited N-Triples file, canonicalizing only its lines that are not
    canonical lines of its old version (`old`); None when that shortcut does not apply (another
    syntax, blank nodes, or an error: the whole file is read again, for the error's line).

    An N-Triples line is one triple, whatever the lines around it; a line equal to a canonical
    line of the old version is that triple. Blank nodes are labelled from a file's whole
    content, so a file with any is canonicalized whole."""
    if b"_:" in content or rdf_format_for(rel) != ox.RdfFormat.N_TRIPLES or any("_:" in ln for ln in old):
        return None
    try:
        lines = set(content.decode("utf-8").split("\n"))
    except UnicodeDecodeError:
        return None
    other = [ln for ln in lines - old if ln.strip()]
    try:
        quads = ox.parse(("\n".join(other) + "\n").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)
        data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) if other else b""
    except (SyntaxError, ValueError, MemoryError):
        return None
    return (lines & old) | set((data or b"").decode("utf-8").splitlines())


def shared_after(entry: CacheEntry, delta: Delta) -> dict[str, list[str]] | None:
    """The lines stated in more than one file once the change is made; None when that is not
    known without reading the unchanged files (a new statement one of them already makes)."""
    changed = set(delta.old) | set(delta.new)
    shared = {ln: [f for f in files if f not in changed] for ln, files in entry.shared.items()}
    added = set(delta.added)
    for ln in set().union(*delta.new.values()) if delta.new else set():
        files = shared.get(ln)
        if files is None:
            if ln not in added and not any(ln in lines for lines in delta.old.values()):
                return None  # stated before by an unchanged file we did not read
            files = []
        shared[ln] = files + [rel for rel, lines in delta.new.items() if ln in lines]
    return {ln: files for ln, files in shared.items() if len(files) > 1}


def parse(lines: Sequence[str]) -> list[Any]:
    """The triples of N-Triples lines, in their order."""
    if not lines:
        return []
    return [q.triple for q in ox.parse(("\n".join(lines) + "\n").encode(), format=ox.RdfFormat.N_TRIPLES)]


def lexical_after(entry: CacheEntry, delta: Delta) -> Any:
    """The lines of rewritable literals once the change is made (a `PatchedLines` over the
    entry's, read where looked up)."""
    before = set().union(*delta.old.values())  # what the changed files stated is in entry.lexical
    added = lexical_lines(sorted(set().union(*delta.new.values()) - before))
    return PatchedLines(entry.lexical, lexical_lines(delta.removed), added)
