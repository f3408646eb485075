"""Validate only what a change since a git revision can affect; the verdict of a full run.

The first run for a base revision validates the base graph fully and keeps it on disk
(`clustergraph.validation.incremental.cache`, keyed by the base files' blob ids and the shapes). Later runs
read only the files that changed since (from git and the work tree), work out the triples added
and removed (blank nodes compared by structure), apply them to a copy of the kept store, and
evaluate again only the focus nodes the changed triples can reach through what each shape reads
(`clustergraph.validation.incremental.dependencies`); every other result is the kept one. A change to the shapes or
the ontology, a changed `rdfs:subClassOf`, or shapes that fail SHACL-for-SHACL make it a full
run (`clustergraph.validation.validate`), said in the report.

See `validate_changed_since` for an example.
"""

from __future__ import annotations

import contextlib
import gc
import hashlib
import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import InputError
from clustergraph.files import paths
from clustergraph.files.load import GraphSources, load_store
from clustergraph.files.locate import Locator
from clustergraph.files.revisions import Repository, is_rdf_name
from clustergraph.files.signals import signals_held
from clustergraph.shacl import Engine
from clustergraph.validation.describe import term_label
from clustergraph.validation.formats import summary_line
from clustergraph.validation.formats import text as text_report
from clustergraph.validation.incremental.cache import (
    CacheEntry,
    build_entry,
    cache_key,
    declared_prefixes,
    default_cache_dir,
    derive_entry,
    lexical_forms,
    load_lines,
    prune,
    scoped_lines,
    store_flushes,
    write_subjects,
)
from clustergraph.validation.incremental.delta import (
    Delta,
    lexical_after,
    parse,
    read_delta,
    shared_after,
)
from clustergraph.validation.incremental.dependencies import walk_back
from clustergraph.validation.incremental.report import (
    KeptResults,
    Located,
    Renderer,
    all_blocks,
    blocks_of,
    counts_of,
    fast_text,
    flatten,
    merge_blocks,
    render_all,
    report_of,
    to_result,
    write_blocks,
)
from clustergraph.validation.model import SEVERITIES, ValidationReport, ValidationResult
from clustergraph.validation.run import check_queries, data_sources, shacl_shacl_file, validate

log = logging.getLogger(__name__)

__all__ = ["Judged", "validate_changed_since"]

SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"

#: shape (N-Triples) -> focus node (N-Triples) -> its results, rendered (dicts of ValidationResult
#: fields, with `target`: the resource whose file and line they show, `rel` and `line`: those).
Results = dict[str, dict[str, list[dict[str, Any]]]]


@dataclass
class Judged:
    """A change judged: the report (equal to a full run's) and how it was reached."""

    mode: str
    """'incremental' or 'full'."""
    reason: str = ""
    """Why a full run, or what the incremental run looked at."""
    changed_files: list[str] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    evaluated: int = 0
    """(shape, focus node) pairs evaluated again."""
    cache_built: bool = False
    exit_code: int = 0
    """What the command line returns: 0 when the graph conforms, 1 when it does not."""
    make_report: Callable[[], ValidationReport] | None = field(default=None, repr=False)
    text_parts: list[bytes] | None = field(default=None, repr=False)
    """The report in the text format (UTF-8, in parts), when written without building `report`."""

    @cached_property
    def report(self) -> ValidationReport:
        """The report, built on first use (for a large graph: tens of thousands of results)."""
        assert self.make_report is not None
        return self.make_report()

    def text(self) -> str:
        """The report as `clustergraph validate --format text` prints it."""
        return b"".join(self.text_bytes()).decode("utf-8")

    def text_bytes(self) -> list[bytes]:
        """`text()` in UTF-8, in parts to write one after the other (the kept ones as read)."""
        if self.text_parts is not None:
            return self.text_parts
        return [text_report(self.report).encode("utf-8")]


def _done(report: ValidationReport, mode: str, reason: str, changed: list[str]) -> Judged:
    judged = Judged(mode, reason, changed, exit_code=report.exit_code)
    judged.report = report  # type: ignore[misc]  # cached_property: set once, here
    return judged


# ---------------------------------------------------------------------------------------------
# Inputs: the files of the graph, in the work tree and at the base revision
# ---------------------------------------------------------------------------------------------


@dataclass
class _Inputs:
    repo: Repository
    rev: str
    data: list[Path]
    ontology: Path
    shapes: Path
    data_rels: list[str]
    ontology_rel: str
    shapes_rel: str
    folders: list[str]

    @property
    def graph_rels(self) -> list[str]:
        return [*self.data_rels, self.ontology_rel]


def _inputs(rev: str, data: Sequence[Path | str] | None, shapes: Path | str | None,
            ontology: Path | str | None, with_shipped_data: bool) -> _Inputs:
    shapes_path = Path(shapes) if shapes is not None else paths.shapes_file()
    ontology_path = Path(ontology) if ontology is not None else paths.ontology_file()
    for required in (shapes_path, ontology_path):
        if not required.is_file():
            raise InputError(f"{required}: no such file")
    data_files = data_sources(data, with_shipped_data=with_shipped_data)
    repo = Repository.find(data_files[0].resolve().parent if data_files else Path.cwd())
    if repo is None:
        raise InputError("--changed-since needs the data in a git repository")
    if not repo.has_revision(rev):
        raise InputError(f"--changed-since: {rev!r} is not a revision of {repo.root}")
    given = [Path(p) for p in data or []]
    if with_shipped_data or not data:
        given.append(paths.data_dir())
    folders = sorted({r for p in given if p.is_dir() and not _outside(r := _rel(repo, p))})
    return _Inputs(repo, rev, data_files, ontology_path, shapes_path,
                   [_rel(repo, p) for p in data_files], _rel(repo, ontology_path),
                   _rel(repo, shapes_path), folders)


def _rel(repo: Repository, path: Path) -> str:
    """A file's name for git (relative to the top folder), or its absolute path when it is
    outside the repository (the shipped ontology of an installed package): then it is the same
    file at every revision."""
    try:
        return repo.relative(path)
    except InputError:
        return str(path.resolve())


def _outside(rel: str) -> bool:
    return rel.startswith("/")


def _content_id(rel: str) -> str:
    return "sha256:" + hashlib.sha256(Path(rel).read_bytes()).hexdigest()


def _contents(repo: Repository, files: Sequence[tuple[str, str]]) -> dict[str, bytes]:
    """Content by id: git blobs from the repository, files outside it from disk."""
    found = {i: Path(rel).read_bytes() for rel, i in files if _outside(rel)}
    return {**found, **repo.read_blobs([i for rel, i in files if not _outside(rel)])}


def _base_files(inputs: _Inputs, changed: set[str]) -> list[tuple[str, str]]:
    """(path, blob id) of the base graph: the current files that exist at the base revision,
    and the files deleted since from the folders validated; data first, then the ontology."""
    wanted = list(inputs.data_rels)
    wanted += [p for p in sorted(changed) if p not in wanted and is_rdf_name(p)
               and any(p.rpartition("/")[0] == f for f in inputs.folders)]
    wanted.append(inputs.ontology_rel)
    blobs = dict(inputs.repo.files(inputs.rev, [p for p in wanted if not _outside(p)]))
    blobs.update({p: _content_id(p) for p in wanted if _outside(p)})
    return [(p, blobs[p]) for p in wanted if p in blobs]


# ---------------------------------------------------------------------------------------------
# Which focus nodes the change reaches, and their evaluation
# ---------------------------------------------------------------------------------------------


def _reached(entry: CacheEntry, stores: Sequence[Any], triples: Sequence[Any]) -> dict[str, set[Any] | None]:
    """shape -> the focus nodes the changed triples can reach (None: all of them)."""
    by_predicate: dict[str | None, list[tuple[str, Any]]] = {}
    for shape, deps in entry.dependencies.items():
        for access in deps.accesses:
            by_predicate.setdefault(access.predicate, []).append((shape, access))
    reached: dict[str, set[Any] | None] = {}
    for t in triples:
        for shape, access in by_predicate.get(t.predicate.value, []) + by_predicate.get(None, []):
            if reached.get(shape, set()) is None:
                continue
            here, there = (t.subject, t.object) if access.forward else (t.object, t.subject)
            if access.other is not None and str(there) != access.other:
                continue
            if access.back is None:
                reached[shape] = None
                continue
            found = reached.setdefault(shape, set())
            for store in stores:
                found |= walk_back(store, here, access.back)  # type: ignore[operator]
    return reached


def _is_focus(store: Any, deps: Any, node: Any, supers: dict[Any, set[str]]) -> bool:
    if isinstance(node, ox.Literal):
        return str(node) in deps.nodes
    if str(node) in deps.nodes:
        return True
    if deps.classes:
        for q in store.quads_for_pattern(node, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), None, ox.DefaultGraph()):
            if supers_of(store, q.object, supers) & set(deps.classes):
                return True
    for p in deps.subjects_of:
        if next(iter(store.quads_for_pattern(node, ox.NamedNode(p), None, ox.DefaultGraph())), None) is not None:
            return True
    return any(next(iter(store.quads_for_pattern(None, ox.NamedNode(p), node, ox.DefaultGraph())), None)
               is not None for p in deps.objects_of)


def supers_of(store: Any, cls: Any, cache: dict[Any, set[str]]) -> set[str]:
    """The class and its superclasses (rdfs:subClassOf, transitively), as IRIs."""
    if isinstance(cls, ox.Literal):
        return set()
    if cls not in cache:
        found, todo = {cls}, [cls]
        while todo:
            for q in store.quads_for_pattern(todo.pop(), ox.NamedNode(SUBCLASS), None, ox.DefaultGraph()):
                if q.object not in found and not isinstance(q.object, ox.Literal):
                    found.add(q.object)
                    todo.append(q.object)
        cache[cls] = {c.value for c in found if isinstance(c, ox.NamedNode)}
    return cache[cls]


def _evaluate(entry: CacheEntry, store: Any, reached: dict[str, set[Any] | None],
              renderer: Renderer, lexical: Any) -> tuple[Results, int]:
    """shape -> focus node -> results, of the focus nodes the change reached (evaluated anew)."""
    engine = Engine(store, entry.shapes, lexical_forms(lexical))
    shape_nodes = {str(s): s for s in engine.shapes_with_targets()}
    results: Results = {}
    evaluated = 0
    supers: dict[Any, set[str]] = {}
    for shape, nodes in reached.items():
        node = shape_nodes[shape]
        if nodes is None:
            focus = engine.focus_nodes(node)
        else:
            deps = entry.dependencies[shape]
            focus = sorted((n for n in nodes if _is_focus(store, deps, n, supers)), key=str)
        evaluated += len(focus)
        for f, found in engine.evaluate_each(node, focus).items():
            results.setdefault(shape, {})[str(f)] = [renderer(r) for r in found]
    return results, evaluated


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def _query_results(display: Any) -> list[ValidationResult]:
    return [ValidationResult(severity="Violation", focus_node=path.resolve().as_uri(), message=message,
                             component="cgcheck:QuerySyntax", file=display(path), line=line,
                             column=column, check="query")
            for path, line, column, message in check_queries()]


# ---------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------


def validate_changed_since(
    rev: str,
    data: GraphSources | Sequence[Path | str] | None = None,
    *,
    shapes: Path | str | None = None,
    ontology: Path | str | None = None,
    with_shipped_data: bool = False,
    fail_on: str = "violation",
    queries: bool = True,
    cache_dir: Path | str | None = None,
    keep: int = 3,
    text_only: bool = False,
) -> Judged:
    """Validate the work tree's graph (the files `clustergraph.validation.validate` would take)
    by judging only what changed since the git revision `rev`; the report equals a full run's.

    `cache_dir`: where validated graphs are kept (default `default_cache_dir()`); the judged
    work tree is kept too (so that after a commit, the new HEAD is known), `keep` entries in
    all. `text_only`: only `Judged.text()` will be read, so the kept results of the files the
    change does not touch are not read (nor checked) unless `Judged.report` is asked for.
    Raises InputError when the files are not in a git repository or `rev` is not there.
    `data` may be `GraphSources`: its files, as a list of data files with its shapes and ontology.

    A new cluster, committed, then given a region (the shipped ontology and shapes, outside
    this repository, are the same at every revision):

    >>> import subprocess, tempfile
    >>> scratch = tempfile.TemporaryDirectory()
    >>> top, cache = Path(scratch.name) / "repo", Path(scratch.name) / "cache"
    >>> (top / "data").mkdir(parents=True)
    >>> mine = top / "data" / "my-cluster.ttl"
    >>> _ = mine.write_text('''@prefix cg: <https://w3id.org/clustergraph/ontology#> .
    ... @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    ... <https://w3id.org/clustergraph/id/cluster/my-cluster> a cg:IndustrialCluster ;
    ...     skos:prefLabel "My cluster"@en .
    ... ''')
    >>> for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "A cluster"]):
    ...     _ = subprocess.run(["git", "-C", str(top), "-c", "user.name=A", "-c", "user.email=a@example.org",
    ...                         "-c", "commit.gpgsign=false", *args], check=True, capture_output=True)
    >>> with mine.open("a") as f:
    ...     _ = f.write('<https://w3id.org/clustergraph/id/cluster/my-cluster> cg:region "Somewhere"@en .\\n')
    >>> judged = validate_changed_since("HEAD", [top / "data"], cache_dir=cache, queries=False)
    >>> judged.mode, judged.cache_built, judged.evaluated    # the base was validated and kept
    ('incremental', True, 1)
    >>> print(judged.reason)
    1 file(s) changed since HEAD: 1 triples added, 0 removed, 1 focus nodes evaluated again
    >>> judged.report.conforms, judged.report.count_by_severity()["Violation"]
    (False, 5)
    >>> scratch.cleanup()
    """
    started = time.perf_counter()
    if isinstance(data, GraphSources):
        data, shapes, ontology = list(data.data), data.shapes, data.ontology
    inputs = _inputs(rev, data, shapes, ontology, with_shipped_data)
    watched = [*inputs.folders, *inputs.data_rels, inputs.ontology_rel, inputs.shapes_rel]
    changed = inputs.repo.changed_paths(rev, sorted({p for p in watched if not _outside(p)}))

    def full(why: str) -> Judged:
        report = validate(data, shapes=shapes, ontology=ontology, with_shipped_data=with_shipped_data,
                          fail_on=fail_on, queries=None if queries else False)
        return _done(report, "full", why, sorted(changed))

    shapes_blob = (_content_id(inputs.shapes_rel) if _outside(inputs.shapes_rel)
                   else dict(inputs.repo.files(rev, [inputs.shapes_rel])).get(inputs.shapes_rel))
    if inputs.shapes_rel in changed or shapes_blob is None:
        return full(f"the shapes changed since {rev}")
    if inputs.ontology_rel in changed:
        return full(f"the ontology changed since {rev}")
    base = _base_files(inputs, changed)
    root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    entry = CacheEntry(root / cache_key(base, shapes_blob))
    built = not entry.complete()
    if built:
        if not _build(inputs, entry.folder, base, shapes_blob):
            return full("the shapes do not pass SHACL-for-SHACL")
        entry = CacheEntry(entry.folder)
    try:
        judged = _judge_change(inputs, entry, base, changed, shapes_blob, root, fail_on, queries, text_only)
    except (ValueError, KeyError, TypeError, OSError) as exc:  # a damaged entry: never trusted
        if built:
            raise
        log.warning("the kept base %s is damaged (%s): built again", entry.folder, exc)
        _discard(entry.folder)
        return validate_changed_since(rev, data, shapes=shapes, ontology=ontology,
                                      with_shipped_data=with_shipped_data, fail_on=fail_on,
                                      queries=queries, cache_dir=root, keep=keep, text_only=text_only)
    if isinstance(judged, str):
        return full(judged)
    prune(root, keep)
    judged.cache_built = built
    log.info("judged in %.2f s", time.perf_counter() - started)
    return judged


@contextmanager
def _scratch(root: Path) -> Iterator[Path]:
    """A new folder in `root`, removed afterwards (as `tempfile.TemporaryDirectory` does, without
    importing `tempfile` and `shutil` at every run)."""
    folder = root / f"graph-{os.getpid()}-{time.time_ns()}"
    made = False
    try:
        with signals_held():  # made and removed whole, whenever a signal comes (files.scratch)
            folder.mkdir()
            made = True
        yield folder
    finally:
        # A store closing late may remove some of its own files while this walk runs.
        with signals_held(), contextlib.suppress(FileNotFoundError):
            if made:
                _remove_tree(folder)


def _remove_tree(folder: Path) -> None:
    """Remove `folder` and what is in it, tolerating files that vanish meanwhile."""
    for top, dirs, files in os.walk(folder, topdown=False):
        for name in files + [d for d in dirs if os.path.islink(os.path.join(top, d))]:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(os.path.join(top, name))
        for name in dirs:
            if not os.path.islink(os.path.join(top, name)):
                os.rmdir(os.path.join(top, name))
    os.rmdir(folder)


def _discard(folder: Path) -> None:
    import shutil  # only for a damaged entry (see `_scratch`)

    shutil.rmtree(folder, ignore_errors=True)


def _judge_change(inputs: _Inputs, entry: CacheEntry, base: list[tuple[str, str]], changed: set[str],
                  shapes_blob: str, root: Path, fail_on: str, queries: bool, text_only: bool) -> Judged | str:
    """The change judged against a complete entry (or why it needs a full run)."""
    rev = inputs.rev
    os.utime(entry.folder / "meta.json")  # used now: the last to be pruned
    kept = KeptResults(entry.folder)
    kept.check(results=not text_only)
    base_map = dict(base)
    graph_changed = sorted(p for p in changed if p in base_map or p in inputs.data_rels)
    delta = read_delta(inputs.repo, entry, graph_changed, base_map)
    triples = parse(delta.added) + parse(delta.removed)
    if any(t.predicate.value == SUBCLASS for t in triples):
        return f"rdfs:subClassOf changed since {rev}"
    work_blobs = {**base_map, **inputs.repo.hash_files(sorted(delta.contents))}
    prefixes = {**delta.prefixes, **entry.meta["prefixes"]}
    order = inputs.graph_rels
    shown = _shown(inputs.repo.root, order)
    touched_files = set(delta.old) | set(delta.new)
    rank = {rel: i for i, rel in enumerate(order)}

    def first_unchanged(iri: str, after: int, before: int) -> tuple[str, int] | None:
        return entry.first_place(iri, lambda rel: rel not in touched_files and after <= rank.get(rel, -1) < before)

    fresh = {rel: write_subjects(root, work_blobs[rel], rel, content) for rel, content in delta.contents.items()}
    new_subjects = {iri for rel, index in fresh.items()
                    for iri in (index.keys() - entry.subjects_of(base_map[rel]).keys() if rel in base_map else index)}
    at = Located(touched_files, fresh, new_subjects, rank, first_unchanged)
    new_files = [(rel, work_blobs[rel]) for rel in order]
    new_folder = root / cache_key(new_files, shapes_blob)
    shared = None if CacheEntry(new_folder).complete() else shared_after(entry, delta)
    with _scratch(root) as scratch:
        lexical = lexical_after(entry, delta)
        results, evaluated, reached, labels = _judge(entry, Path(scratch) / "graph", delta, triples, prefixes,
                                                   lexical, keep=shared is not None)
        dropped = {shape: None if nodes is None else {str(n) for n in nodes} for shape, nodes in reached.items()}
        blocks = merge_blocks(kept, flatten(results), dropped, at, set(labels), labels.get, shown)
        if shared is not None:  # the new state is kept too (once)
            derive_entry(entry, new_folder, Path(scratch) / "graph", new_files,
                         lambda tmp: _write_blocks(tmp, blocks, shown, kept), shared, prefixes, lexical.all())
    return _judged_report(kept, blocks, shown, inputs, fail_on, queries,
                          f"{len(graph_changed)} file(s) changed since {rev}: {len(delta.added)} triples added, "
                          f"{len(delta.removed)} removed, {evaluated} focus nodes evaluated again",
                          graph_changed, len(delta.added), len(delta.removed), evaluated)


def _write_blocks(tmp: Path, blocks: Any, shown: dict[str, str], kept: Any) -> None:
    write_blocks(tmp, blocks, shown, kept_from=kept)


def _judged_report(kept: Any, blocks: Any, shown: dict[str, str], inputs: _Inputs, fail_on: str,
                   queries: bool, reason: str, changed: list[str], added: int, removed: int,
                   evaluated: int) -> Judged:
    """The judgement: its text report written from the blocks, its full report on demand."""
    query_results = _query_results(_display) if queries else []
    files = [shown[rel] for rel in inputs.graph_rels]
    counts = counts_of(kept, blocks)
    for r in query_results:
        counts[r.severity] = counts.get(r.severity, 0) + 1
    failing = SEVERITIES[: SEVERITIES.index(fail_on.capitalize()) + 1]
    conforms = not any(counts.get(s) for s in failing)

    def make_report() -> ValidationReport:
        results = [to_result(r, shown) for found in all_blocks(kept, blocks).values() for r in found]
        return report_of(results + query_results, fail_on, files, "oxigraph")

    text = None
    if not query_results:
        text = fast_text(kept, blocks, shown,
                         summary_line(counts, conforms, fail_on, "none", len(files), "oxigraph"))
    return Judged("incremental", reason, changed, added, removed, evaluated,
                  exit_code=0 if conforms else 1, make_report=make_report, text_parts=text)


def _shown(top: Path, rels: Sequence[str]) -> dict[str, str]:
    """Each file's name as the report shows it."""
    locator = Locator([])
    folders: dict[Path, str | None] = {}
    shown = {}
    for rel in rels:
        path = top / rel
        if path.is_symlink():
            shown[rel] = locator.display_path(path)
            continue
        if path.parent not in folders:  # the files of one folder are shown alike: ask once
            probe = locator.display_path(path)
            folders[path.parent] = probe[: -len(path.name)] if probe.endswith(path.name) else None
        prefix = folders[path.parent]
        shown[rel] = prefix + path.name if prefix is not None else locator.display_path(path)
    return shown


def _build(inputs: _Inputs, folder: Path, base: list[tuple[str, str]], shapes_blob: str) -> bool:
    """Validate the base graph fully into a new entry; False if the shapes fail SHACL-for-SHACL."""
    blobs = _contents(inputs.repo, [*base, (inputs.shapes_rel, shapes_blob)])
    if not _shapes_pass(blobs[shapes_blob]):
        return False
    shown = _shown(inputs.repo.root, inputs.graph_rels)

    def keep(tmp: Path, store: Any, shapes_store: Any, raw: Any, subjects: Any) -> None:
        prefixes = declared_prefixes(blobs[shapes_blob])
        for _, b in base:
            prefixes = {**declared_prefixes(blobs[b]), **prefixes}
        rendered = flatten(render_all(store, shapes_store, raw, prefixes))
        rank = {rel: i for i, rel in enumerate(inputs.graph_rels)}
        for r in rendered:
            places = sorted(subjects.get(r.get("target") or "", []), key=lambda p: rank.get(p[0], 1 << 30))
            r["rel"], r["line"] = (places[0][0], places[0][1]) if places else (None, None)
        write_blocks(tmp, blocks_of(rendered, shown), shown)

    build_entry(folder, [(rel, b, blobs[b]) for rel, b in base], blobs[shapes_blob], keep)
    return True


def _judge(entry: CacheEntry, copy: Path, delta: Delta, triples: list[Any], prefixes: dict[str, str],
           lexical: Any, *, keep: bool) -> tuple[Results, int, dict[str, set[Any] | None], dict[str, str | None]]:
    """Apply the change to a copy of the kept store at `copy` and evaluate what it reaches:
    (the results of the reached focus nodes, how many, the reached, the labels of the
    resources whose statements changed). `keep`: the copy is written out, to be kept."""
    entry.store.backup(str(copy))
    store = ox.Store(str(copy))
    for t in parse(delta.removed):
        store.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
    for t in parse(delta.added):
        store.add(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
    reached = _reached(entry, [entry.store, store], triples)
    results, evaluated = _evaluate(entry, store, reached, Renderer(store, entry.shapes, prefixes), lexical)
    touched = {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    labels = {iri: _relabel(store, iri) for iri in touched}
    if keep:
        if store_flushes(entry) == 0:
            store.optimize()
        store.flush()
    del store
    # The copy is closed before it is moved into an entry of its own or its folder is removed
    # (objects of the evaluation may still hold it in a cycle; then a later run found the kept
    # base "damaged" about once in six runs).
    gc.collect()
    return results, evaluated, reached, labels


def _display(path: Path) -> str:
    return Locator([]).display_path(path)


def _relabel(store: Any, iri: str) -> str | None:
    return term_label(store, ox.NamedNode(iri))


def _shapes_pass(shapes_content: bytes) -> bool:
    """True when the shapes pass SHACL-for-SHACL (otherwise the data is not validated)."""
    shapes = ox.Store()
    load_lines(shapes, scoped_lines("shapes.ttl", shapes_content))
    return not Engine(shapes, load_store([shacl_shacl_file()])).validate()
