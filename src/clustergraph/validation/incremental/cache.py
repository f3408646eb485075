"""The validated base graph kept on disk, so that a change is judged without a full run.

An entry is a folder under the cache folder, named by a key: a hash of the base graph's files
(their paths and git blob ids), the shapes and this code's format. It holds the base graph in
an Oxigraph store (`graph/`), the shapes as canonical N-Triples, what each shape reads
(`clustergraph.validation.incremental.dependencies`), the results of every (shape, focus node) that has results,
rendered as a contributor reads them, in blocks per file (`clustergraph.validation.incremental.report`),
where each subject is defined, and the triples stated in
more than one file. An entry is built in a temporary folder and renamed into place, so a reader
sees a complete entry or none; it is never modified afterwards.
"""

from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import re
import time
import zlib
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import InputError, RDFSyntaxError
from clustergraph.files.locate import subject_lines
from clustergraph.shacl import Engine
from clustergraph.validation.incremental.dependencies import ShapeDependencies, compile_shapes
from clustergraph.validation.incremental.lines import ListLines, SortedLines
from clustergraph.validation.index import TripleIndex
from clustergraph.validation.loading import LexicalForms, may_rewrite
from clustergraph.version import __version__

log = logging.getLogger(__name__)

__all__ = [
    "CacheEntry",
    "FORMAT",
    "build_entry",
    "cache_key",
    "default_cache_dir",
    "derive_entry",
    "prune",
    "scoped_lines",
    "store_flushes",
    "write_subjects",
]

FORMAT = "clustergraph-incremental-6"
_PREFIX_DECL = re.compile(rb"(?im)^[ \t]*@?prefix[ \t]+([\w.-]*):[ \t]*<([^>\s]*)>")
#: A line that may start a prefix declaration (searched fast: it starts with a newline).
_MAY_DECLARE = re.compile(rb"\n[ \t]*[@pP]")
_MAY_DECLARE_FIRST = re.compile(rb"[ \t]*[@pP]")


def default_cache_dir() -> Path:
    """`$XDG_CACHE_HOME/clustergraph/validate` (`~/.cache/clustergraph/validate`)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "clustergraph" / "validate"


def cache_key(files: Sequence[tuple[str, str]], shapes_blob: str) -> str:
    """The key of the base graph made of `files` ((path, blob id)) checked with these shapes."""
    text = json.dumps([FORMAT, __version__, shapes_blob, sorted(files)])
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def declared_prefixes(content: bytes) -> dict[str, str]:
    """The prefixes a Turtle file declares (first declaration wins)."""
    found: dict[str, str] = {}
    if _MAY_DECLARE_FIRST.match(content) is None and _MAY_DECLARE.search(content) is None:
        return found  # N-Triples: none (and the full pattern is slow)
    for name, ns in _PREFIX_DECL.findall(content):
        found.setdefault(name.decode(), ns.decode())
    return found


def scoped_lines(rel: str, content: bytes) -> list[str]:
    """Canonical N-Triples lines of one file, its blank nodes labelled from their content and
    its path (so that blank nodes of two files never merge, and do not change with other files)."""
    # Only when a file changed (a run that finds none imports neither; python -X importtime):
    # tempfile with shutil, ~5 ms (see `run._scratch`); the clustergraph.export package, ~15 ms.
    from clustergraph.export import canonical_lines
    from clustergraph.files.scratch import scratch_folder

    scope = "f" + hashlib.sha256(rel.encode()).hexdigest()[:8]
    with scratch_folder("clustergraph-inc-") as tmp:
        path = Path(tmp) / Path(rel).name
        path.write_bytes(content)
        try:
            lines = canonical_lines([path])
        except RDFSyntaxError as exc:
            raise RDFSyntaxError(rel, exc.line, exc.column, exc.detail) from None
        except InputError as exc:
            raise InputError(str(exc).replace(str(path), rel)) from None
    return [re.sub(r"(^| )_:b", rf"\1_:{scope}b", ln) if "_:" in ln else ln for ln in lines]


def base_lines(root: Path, rel: str, blob: str, read_blobs: Callable[[list[str]], dict[str, bytes]]) -> list[str]:
    """`scoped_lines` of a file at the base revision (by blob id), kept under `root/lines/` with
    a checksum (read from git and canonicalized once; a damaged copy is made again)."""
    kept = root / "lines" / (hashlib.sha256(f"{FORMAT} {rel} {blob}".encode()).hexdigest()[:32] + ".nt")
    try:
        crc, _, body = kept.read_bytes().partition(b"\n")
        if crc and int(crc) == zlib.crc32(body):
            return body.decode("utf-8").splitlines()
    except (OSError, ValueError):
        pass
    # Only to write (files.atomic imports tempfile and shutil: see `scoped_lines`).
    from clustergraph.files.atomic import write_bytes_atomic

    lines = scoped_lines(rel, read_blobs([blob])[blob])
    body = "".join(ln + "\n" for ln in lines).encode("utf-8")
    kept.parent.mkdir(parents=True, exist_ok=True)
    write_bytes_atomic(kept, str(zlib.crc32(body)).encode() + b"\n" + body, fsync=False)
    return lines


def load_lines(store: Any, lines: Sequence[str]) -> None:
    """Load N-Triples lines into a store."""
    if lines:
        store.bulk_load(("\n".join(lines) + "\n").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES)


_TYPED_OBJECT = re.compile(r'"\^\^<([^<>"]+)> \.$')


def lexical_lines(lines: Sequence[str]) -> list[str]:
    """The lines whose literal the store may rewrite (`"20.0"^^xsd:decimal` kept as `"20"`)."""
    out = []
    for line in lines:
        match = _TYPED_OBJECT.search(line)
        if match and may_rewrite(match.group(1)):
            out.append(line)
    return out


def lexical_forms(lines: Any) -> Any:
    """The data's literals as written (a `LexicalForms`), from sorted N-Triples lines looked up
    by prefix (a `clustergraph.validation.incremental.lines` `SortedLines`, `ListLines` or `PatchedLines`);
    the lines of a subject are read and parsed when the engine first asks about it."""

    class _OnDemand(LexicalForms):
        def __init__(self) -> None:
            super().__init__()
            self._seen: set[str] = set()

        def get(self, subject: Any, predicate: Any) -> list[Any] | None:
            token = str(subject) + " "
            if token not in self._seen:
                self._seen.add(token)
                found = lines.starting(token)
                if found:
                    for q in ox.parse(("\n".join(found) + "\n").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES):
                        self.add(q.subject, q.predicate, q.object)
            return super().get(subject, predicate)

        def covers(self, predicate: Any) -> bool:
            return True  # not known before the subject's lines are read

    return _OnDemand()


@dataclass
class CacheEntry:
    """An entry, opened read-only."""

    folder: Path
    _subject_indexes: dict[str, dict[str, int]] = field(default_factory=dict, repr=False)

    @cached_property
    def meta(self) -> dict[str, Any]:
        """`meta.json`: the format, the files (path, blob id), the prefixes, the checksums."""
        return json.loads((self.folder / "meta.json").read_text())

    @cached_property
    def store(self) -> Any:
        """The base graph's Oxigraph store, opened read-only."""
        return ox.Store.read_only(str(self.folder / "graph"))

    def _read(self, name: str) -> bytes:
        """A file of the entry, checked against the checksum in meta.json (ValueError if not)."""
        data = (self.folder / name).read_bytes()
        if zlib.crc32(data) != self.meta["crc"][name]:
            raise ValueError(f"{self.folder / name}: damaged")
        return data

    @cached_property
    def shapes(self) -> Any:
        """The shapes graph, checked, as a `TripleIndex`."""
        # Literals as written: a store would rewrite them (see clustergraph.validation.index).
        return TripleIndex(ox.parse(self._read("shapes.nt"), format=ox.RdfFormat.N_TRIPLES))

    @cached_property
    def lexical(self) -> Any:
        """The lines of literals the store may have rewritten, as the data writes them: a
        `SortedLines`, read by chunks where looked up (each chunk checked when read)."""
        return SortedLines(self.folder, "lexical.nt", self.meta["crc"]["lexical.nt.idx"])

    @cached_property
    def dependencies(self) -> dict[str, ShapeDependencies]:
        """What each shape with targets reads (by its N-Triples text), checked."""
        data = json.loads(self._read("dependencies.json"))
        return {k: ShapeDependencies.from_json(v) for k, v in data.items()}

    @cached_property
    def shared(self) -> dict[str, list[str]]:
        """Lines stated in more than one file -> those files."""
        return json.loads(self._read("shared.json"))  # type: ignore[no-any-return]

    def first_place(self, iri: str, among: Callable[[str], bool]) -> tuple[str, int] | None:
        """(file, line) of the first statement about `iri` in the entry's files `among` takes,
        reading their subject indexes in order only as far as needed."""
        for rel, blob in self.files():
            if not among(rel):
                continue
            index = self.subjects_of(blob)
            if iri in index:
                return rel, index[iri]
        return None

    def subjects_of(self, blob: str) -> dict[str, int]:
        """The subject index of one of the entry's file contents (by blob id), checked."""
        if blob not in self._subject_indexes:
            self._subject_indexes[blob] = read_subjects(subjects_file(self.folder.parent, blob))
        return self._subject_indexes[blob]

    def files(self) -> list[tuple[str, str]]:
        """(path, blob id) of the base graph's files, in validation order."""
        return [(rel, blob) for rel, blob in self.meta["files"]]

    def complete(self) -> bool:
        """True for an entry of this format with everything in place (else it is built anew)."""
        try:
            if self.meta.get("format") != FORMAT:
                return False
            needed = [self.folder / n for n in ("graph", "shapes.nt", "dependencies.json", "index.json", "shared.json")]
            needed += [subjects_file(self.folder.parent, blob) for _, blob in self.files()]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        return all(p.exists() for p in needed)


def build_entry(
    folder: Path,
    files: Sequence[tuple[str, str, bytes]],
    shapes_content: bytes,
    keep_results: Any,
) -> CacheEntry:
    """Validate the base graph fully and keep what a later change needs, atomically in `folder`.

    `files`: (path, blob id, content) of the data graph (data and ontology, in validation order);
    `keep_results(folder, store, shapes, raw_by_pair, subjects)` writes the results into the
    entry being built (`clustergraph.validation.incremental.report`).
    """
    from clustergraph.files.atomic import atomic_directory  # only to build (see `scoped_lines`)

    shapes_lines = scoped_lines("shapes.ttl", shapes_content)
    counts: Counter[str] = Counter()
    per_file: list[tuple[str, list[str]]] = []
    for rel, _blob, content in files:
        lines = scoped_lines(rel, content)
        per_file.append((rel, lines))
        counts.update(lines)
    shared = {ln: [] for ln, n in counts.items() if n > 1}
    for rel, lines in per_file:
        for ln in lines:
            if ln in shared:
                shared[ln].append(rel)
    del counts
    with atomic_directory(folder) as tmp:
        kept = ox.Store(str(tmp / "graph"))
        store = ox.Store()  # the evaluation runs in memory: SPARQL is several times faster there
        for _rel, lines in per_file:
            load_lines(kept, lines)
            load_lines(store, lines)
        kept.optimize()  # compacted once: else every copy opened later compacts in the background
        kept.flush()
        del kept
        shapes = TripleIndex(
            ox.parse(("\n".join(shapes_lines) + "\n").encode(), format=ox.RdfFormat.N_TRIPLES)
        )
        written = sorted({ln for _rel, lines in per_file for ln in lexical_lines(lines)})
        engine = Engine(store, shapes, lexical_forms(ListLines(written)))
        targets = engine.shapes_with_targets()
        raw: dict[str, dict[str, list[Any]]] = {}
        for shape in targets:
            found = engine.evaluate_each(shape, engine.focus_nodes(shape))
            if found:
                raw[str(shape)] = {str(focus): results for focus, results in found.items()}
        subjects: dict[str, list[list[Any]]] = {}
        for rel, blob, content in files:
            for iri, line in write_subjects(folder.parent, blob, rel, content).items():
                subjects.setdefault(iri, []).append([rel, line])
        keep_results(tmp, store, shapes, raw, subjects)
        deps = compile_shapes(shapes, targets)
        prefixes: dict[str, str] = declared_prefixes(shapes_content)
        for _rel, _blob, content in files:
            for k, v in declared_prefixes(content).items():
                prefixes.setdefault(k, v)
        crc = _write_parts(tmp, {
            "shapes.nt": "\n".join(shapes_lines) + "\n",
            "dependencies.json": json.dumps({k: v.to_json() for k, v in deps.items()}),
            "shared.json": json.dumps(shared),
        })
        crc["lexical.nt.idx"] = SortedLines.write(tmp, "lexical.nt", written)
        meta = {"format": FORMAT, "files": [[rel, blob] for rel, blob, _ in files],
                "prefixes": prefixes, "crc": crc}
        (tmp / "meta.json").write_text(json.dumps(meta))
        del store, engine
        gc.collect()
    return CacheEntry(folder)


def _write_parts(folder: Path, parts: dict[str, str]) -> dict[str, int]:
    """Write the files (name -> text); return their checksums."""
    crc = {}
    for name, text in parts.items():
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        crc[name] = zlib.crc32(data)
    return crc


def subjects_file(root: Path, blob: str) -> Path:
    """Where the subject index of one file content (by blob id) is kept, shared by entries."""
    return root / "subjects" / f"{blob}.json"


def write_subjects(root: Path, blob: str, rel: str, content: bytes) -> dict[str, int]:
    """Index where each subject of a file is first stated (kept by blob id); return it."""
    target = subjects_file(root, blob)
    try:
        return read_subjects(target)
    except (OSError, ValueError):
        pass  # not there yet, or damaged: made again
    # Only for a file content not indexed yet (tempfile and shutil: see `scoped_lines`).
    from clustergraph.files.atomic import write_bytes_atomic
    from clustergraph.files.scratch import scratch_folder

    with scratch_folder("clustergraph-inc-") as scratch:
        path = Path(scratch) / Path(rel).name
        path.write_bytes(content)
        index = subject_lines(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    body = json.dumps(index).encode()
    write_bytes_atomic(target, str(zlib.crc32(body)).encode() + b"\n" + body, fsync=False)
    return index


def read_subjects(path: Path) -> dict[str, int]:
    """A subject index written by `write_subjects`, checked (ValueError when damaged)."""
    crc, _, body = path.read_bytes().partition(b"\n")
    if not crc.isdigit() or int(crc) != zlib.crc32(body):
        raise ValueError(f"{path}: damaged")
    return json.loads(body)  # type: ignore[no-any-return]


def derive_entry(base: CacheEntry, folder: Path, store_dir: Path, files: Sequence[tuple[str, str]],
                 keep_results: Any, shared: dict[str, list[str]],
                 prefixes: dict[str, str], lexical: Sequence[str] = ()) -> None:
    """Keep a judged change as an entry of its own (its store moved in), atomically;
    `keep_results(folder)` writes its results there; `lexical`: its lines of literals the store
    may have rewritten (see `lexical_lines`), sorted."""
    from clustergraph.files.atomic import atomic_directory  # only to keep (see `scoped_lines`)

    with atomic_directory(folder) as tmp:
        os.replace(store_dir, tmp / "graph")
        crc = {}
        for name in ("shapes.nt", "dependencies.json"):
            (tmp / name).write_bytes(base._read(name))
            crc[name] = base.meta["crc"][name]
        keep_results(tmp)
        crc.update(_write_parts(tmp, {"shared.json": json.dumps(shared)}))
        crc["lexical.nt.idx"] = SortedLines.write(tmp, "lexical.nt", lexical)
        meta = {"format": FORMAT, "files": [list(f) for f in files], "prefixes": prefixes, "crc": crc,
                "flushes": store_flushes(base)}
        (tmp / "meta.json").write_text(json.dumps(meta))


def store_flushes(base: CacheEntry) -> int:
    """How many flushes since it was compacted the store of an entry derived from `base` has
    (its base's and one more); 0: it is to be compacted (`Store.optimize`) before it is kept.

    RocksDB compacts a store once it has four flushes' small files, in the background of every
    run that opens a copy of it (a quarter of a second of CPU at a million triples); so every
    `_OPTIMIZE_AFTER`-th entry of a line of derived entries is compacted (2 s at a million)."""
    flushes = int(base.meta.get("flushes", 0)) + 1
    return 0 if flushes >= _OPTIMIZE_AFTER else flushes


_OPTIMIZE_AFTER = 3


def prune(root: Path, keep: int) -> None:
    """Delete all but the `keep` most recently used entries (of this format or an earlier one),
    all but the `_KEPT_LINES` most recent base lines, and the subject indexes no kept entry
    names but the `KEPT_SUBJECTS` most recent: only what this module writes (an entry is a
    folder whose meta.json names one of our formats; a kept file is named by a hash)."""
    entries = []
    for meta in root.glob("*/meta.json"):
        try:
            data = json.loads(meta.read_text())
            if str(data.get("format", "")).startswith(_FORMAT_FAMILY):
                entries.append((meta.stat().st_mtime, meta.parent, data))
        except (OSError, ValueError, AttributeError):
            continue
    entries.sort(key=lambda e: e[0], reverse=True)
    for _, folder, _data in entries[keep:]:
        import shutil  # only when there is something to delete

        shutil.rmtree(folder, ignore_errors=True)
    named: set[str] = set()
    for _, _folder, data in entries[:keep]:
        try:
            named.update(f"{blob}.json" for _rel, blob in data.get("files", []))
        except (TypeError, ValueError):
            continue
    _keep_newest(root / "lines", _KEPT_LINES_NAME, _KEPT_LINES, set())
    _keep_newest(root / "subjects", _SUBJECTS_NAME, KEPT_SUBJECTS, named)


def _keep_newest(folder: Path, name: re.Pattern[str], most: int, spared: set[str]) -> None:
    """In `folder`, delete the files named as `name` matches, but the `most` newest, `spared`,
    and those written in the last `_GRACE_SECONDS` (another run may be building an entry)."""
    found = []
    try:
        with os.scandir(folder) as listing:
            for item in listing:
                if item.name not in spared and name.fullmatch(item.name) and item.is_file(follow_symlinks=False):
                    found.append((item.stat(follow_symlinks=False).st_mtime, item.path))
    except OSError:
        return
    recent = time.time() - _GRACE_SECONDS
    for mtime, path in sorted(found, reverse=True)[most:]:
        if mtime < recent:
            Path(path).unlink(missing_ok=True)


_FORMAT_FAMILY = "clustergraph-incremental-"
#: How many files' base lines `prune` keeps (those of the most recently changed files).
_KEPT_LINES = 64
_KEPT_LINES_NAME = re.compile(r"[0-9a-f]{32}\.nt")
#: How many subject indexes that no kept entry names `prune` keeps (the newest: of files
#: changed lately, made again when read after all).
KEPT_SUBJECTS = 64
_SUBJECTS_NAME = re.compile(r"(?:[0-9a-f]{40}(?:[0-9a-f]{24})?|sha256:[0-9a-f]{64})\.json")
_GRACE_SECONDS = 3600
