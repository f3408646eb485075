"""Validate only what a change since a git revision can affect; the verdict of a full run.

The first run for a base revision validates the base graph fully and keeps it on disk
(`clustergraph.incremental_cache`, keyed by the base files' blob ids and the shapes). Later runs
read only the files that changed since (from git and the work tree), work out the triples added
and removed (blank nodes compared by structure), apply them to a copy of the kept store, and
evaluate again only the focus nodes the changed triples can reach through what each shape reads
(`clustergraph.dependencies`); every other result is the kept one. A change to the shapes or
the ontology, a changed `rdfs:subClassOf`, or shapes that fail SHACL-for-SHACL make it a full
run (`clustergraph.validation.validate`), said in the report.

    >>> from clustergraph.incremental import validate_changed_since
    >>> judged = validate_changed_since("HEAD")
    >>> judged.report.conforms, judged.mode, judged.evaluated
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clustergraph import paths
from clustergraph.errors import InputError
from clustergraph.incremental_cache import (
    CacheEntry,
    build_entry,
    cache_key,
    declared_prefixes,
    default_cache_dir,
    scoped_lines,
)
from clustergraph.revisions import Repository, is_rdf_name

if TYPE_CHECKING:
    from clustergraph.validation import ValidationReport, ValidationResult

log = logging.getLogger(__name__)

__all__ = ["Judged", "validate_changed_since"]

SH = "http://www.w3.org/ns/shacl#"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"


@dataclass
class Judged:
    """A change judged: the report (equal to a full run's) and how it was reached."""

    report: ValidationReport
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
    from clustergraph.validation import data_sources

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
    folders = sorted({repo.relative(Path(p)) for p in (data or [paths.data_dir()]) if Path(p).is_dir()})
    if with_shipped_data or not data:
        folders.append(repo.relative(paths.data_dir()))
    return _Inputs(repo, rev, data_files, ontology_path, shapes_path,
                   [repo.relative(p) for p in data_files], repo.relative(ontology_path),
                   repo.relative(shapes_path), sorted(set(folders)))


def _base_files(inputs: _Inputs, changed: set[str]) -> list[tuple[str, str]]:
    """(path, blob id) of the base graph: the current files that exist at the base revision,
    and the files deleted since from the folders validated; data first, then the ontology."""
    wanted = list(inputs.data_rels)
    wanted += [p for p in sorted(changed) if p not in wanted and is_rdf_name(p)
               and any(p.rpartition("/")[0] == f for f in inputs.folders)]
    blobs = dict(inputs.repo.files(inputs.rev, [*wanted, inputs.ontology_rel]))
    return [(p, blobs[p]) for p in [*wanted, inputs.ontology_rel] if p in blobs]


# ---------------------------------------------------------------------------------------------
# Rendering raw results as a contributor reads them (as clustergraph.validation does)
# ---------------------------------------------------------------------------------------------


class _Renderer:
    def __init__(self, data: Any, shapes: Any, prefixes: dict[str, str]) -> None:
        from clustergraph.validation import _Render

        self.data, self.shapes, self.render = data, shapes, _Render(prefixes)

    def __call__(self, raw: Any) -> dict[str, Any]:
        import re

        import pyoxigraph as ox

        from clustergraph.validation import _compact_detail, _default_message, _describe_shape, _label, _owner

        render = self.render
        messages = list(raw.messages) or [
            ox.Literal(_default_message(raw.component, _compact_detail(raw.detail, render)))]
        messages.sort(key=lambda m: (m.language not in (None, "en"), m.value))
        message = messages[0].value
        fillers = {"value": raw.value, "this": raw.focus, "focusNode": raw.focus}
        if "{" in message:
            message = re.sub(r"\{[$?](value|this|focusNode)\}", lambda m: render.term(fillers[m.group(1)])
                             if fillers[m.group(1)] is not None else m.group(0), message)
        owner = _owner(self.data, raw.focus) if isinstance(raw.focus, ox.BlankNode) else None
        target = owner if owner is not None else raw.focus
        shape = raw.shape
        return {
            "severity": raw.severity.value.rsplit("#", 1)[-1],
            "focus_node": raw.focus.value if isinstance(raw.focus, ox.NamedNode) else f"_:{raw.focus.value}",
            "message": message,
            "focus_label": _label(self.data, raw.focus),
            "path": render.path(self.shapes, raw.path) if raw.path is not None else None,
            "value": render.term(raw.value) if raw.value is not None else None,
            "component": render.term(ox.NamedNode(SH + raw.component)),
            "source_shape": _describe_shape(self.shapes, shape, render)
            if isinstance(shape, ox.BlankNode) else render.term(shape),
            "owner": owner.value if owner is not None else None,
            "target": target.value if isinstance(target, ox.NamedNode) else None,
        }


def _render_all(store: Any, shapes: Any, raw: dict[str, dict[str, list[Any]]],
                prefixes: dict[str, str]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    renderer = _Renderer(store, shapes, prefixes)
    return {shape: {focus: [renderer(r) for r in found] for focus, found in by_focus.items()}
            for shape, by_focus in raw.items()}


# ---------------------------------------------------------------------------------------------
# The change: triples added and removed
# ---------------------------------------------------------------------------------------------


def _delta(inputs: _Inputs, entry: CacheEntry, changed: list[str],
           base: dict[str, str]) -> tuple[list[str], list[str], dict[str, str]]:
    """(added, removed) canonical lines, and the prefixes the changed files declare."""
    import pyoxigraph as ox

    blobs = inputs.repo.read_blobs([base[p] for p in changed if p in base])
    old: set[str] = set()
    new: set[str] = set()
    prefixes: dict[str, str] = {}
    for rel in changed:
        if rel in base:
            old.update(scoped_lines(rel, blobs[base[rel]]))
        work = inputs.repo.root / rel
        if work.is_file():
            content = work.read_bytes()
            new.update(scoped_lines(rel, content))
            for k, v in declared_prefixes(content).items():
                prefixes.setdefault(k, v)
    unchanged = set(base) - set(changed)
    removed = sorted(ln for ln in old - new
                     if not any(f in unchanged for f in entry.shared.get(ln, ())))
    candidates = sorted(new - old)
    present = _parse(candidates)
    added = [ln for ln, t in zip(candidates, present)
             if ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) not in entry.store]
    return added, removed, prefixes


def _parse(lines: Sequence[str]) -> list[Any]:
    import pyoxigraph as ox

    if not lines:
        return []
    return [q.triple for q in ox.parse(("\n".join(lines) + "\n").encode(), format=ox.RdfFormat.N_TRIPLES)]


# ---------------------------------------------------------------------------------------------
# Which focus nodes the change reaches, and their evaluation
# ---------------------------------------------------------------------------------------------


def _reached(entry: CacheEntry, stores: Sequence[Any], triples: Sequence[Any]) -> dict[str, set[Any] | None]:
    """shape -> the focus nodes the changed triples can reach (None: all of them)."""
    from clustergraph.dependencies import walk_back

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
    import pyoxigraph as ox

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
    import pyoxigraph as ox

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
              renderer: _Renderer) -> tuple[list[dict[str, Any]], int]:
    """Every result of the new graph: the kept ones, and those of the reached pairs anew."""
    from clustergraph.shacl import Engine

    engine = Engine(store, entry.shapes)
    shape_nodes = {str(s): s for s in engine.shapes_with_targets()}
    results: list[dict[str, Any]] = []
    evaluated = 0
    supers: dict[Any, set[str]] = {}
    for shape, by_focus in entry.results.items():
        if shape in reached:
            done = reached[shape]
            names = {str(n) for n in done or ()}
            by_focus = {} if done is None else {f: r for f, r in by_focus.items() if f not in names}
        for found in by_focus.values():
            results.extend(found)
    for shape, nodes in reached.items():
        node = shape_nodes[shape]
        if nodes is None:
            focus = engine.focus_nodes(node)
        else:
            deps = entry.dependencies[shape]
            focus = sorted((n for n in nodes if _is_focus(store, deps, n, supers)), key=str)
        evaluated += len(focus)
        if focus:
            results.extend(renderer(r) for r in engine.evaluate(node, focus))
    return results, evaluated


# ---------------------------------------------------------------------------------------------
# The report
# ---------------------------------------------------------------------------------------------


def _locate(results: list[dict[str, Any]], entry: CacheEntry, inputs: _Inputs, changed: set[str],
            order: list[str]) -> list[ValidationResult]:
    """ValidationResults with the file and line where each resource is defined now."""
    from clustergraph.locate import Locator, subject_lines
    from clustergraph.validation import ValidationResult

    display = Locator([], relative_to=Path.cwd()).display_path
    fresh: dict[str, dict[str, int]] = {}
    out = []
    for r in results:
        where = None
        iri = r.get("target")
        if iri is not None:
            for rel in order:
                if rel in changed:
                    if rel not in fresh:
                        path = inputs.repo.root / rel
                        fresh[rel] = subject_lines(path) if path.is_file() else {}
                    if iri in fresh[rel]:
                        where = (rel, fresh[rel][iri])
                        break
                    continue
                if "rel" in r and r["rel"] not in changed:  # kept: where it was first defined at base
                    hit = r["line"] if r["rel"] == rel else None
                else:
                    hit = next((line for f, line in entry.subjects.get(iri, []) if f == rel), None)
                if hit is not None:
                    where = (rel, hit)
                    break
        fields = {k: v for k, v in r.items() if k not in ("target", "rel", "line")}
        out.append(ValidationResult(**fields, file=display(inputs.repo.root / where[0]) if where else None,
                                    line=where[1] if where else None))
    return out


def _with_locations(rendered: dict[str, dict[str, list[dict[str, Any]]]],
                    subjects: dict[str, list[list[Any]]], order: list[str]) -> None:
    rank = {rel: i for i, rel in enumerate(order)}
    for by_focus in rendered.values():
        for found in by_focus.values():
            for r in found:
                places = sorted(subjects.get(r.get("target") or "", []), key=lambda p: rank.get(p[0], 1 << 30))
                r["rel"], r["line"] = (places[0][0], places[0][1]) if places else (None, None)


def _query_results(display: Any) -> list[ValidationResult]:
    from clustergraph.validation import ValidationResult, check_queries

    return [ValidationResult(severity="Violation", focus_node=path.resolve().as_uri(), message=message,
                             component="cgcheck:QuerySyntax", file=display(path), line=line,
                             column=column, check="query")
            for path, line, column, message in check_queries()]


def _report(results: list[ValidationResult], fail_on: str, files: list[str], engine: str) -> ValidationReport:
    from clustergraph.validation import SEVERITIES, ValidationReport

    order = {s: i for i, s in enumerate(SEVERITIES)}
    results.sort(key=lambda r: (r.file or "~", r.line or 0, r.focus_node, order.get(r.severity, 9),
                                r.path or "", r.value or ""))
    return ValidationReport(results=results, fail_on=fail_on, inference="none", engine=engine, files=files)


# ---------------------------------------------------------------------------------------------
# The entry point
# ---------------------------------------------------------------------------------------------


def validate_changed_since(
    rev: str,
    data: Sequence[Path | str] | None = None,
    *,
    shapes: Path | str | None = None,
    ontology: Path | str | None = None,
    with_shipped_data: bool = False,
    fail_on: str = "violation",
    queries: bool = True,
    cache_dir: Path | str | None = None,
) -> Judged:
    """Validate the work tree's graph (the files `clustergraph.validation.validate` would take)
    by judging only what changed since the git revision `rev`; the report equals a full run's.

    `cache_dir`: where base graphs are kept (default `default_cache_dir()`). Raises InputError
    when the files are not in a git repository or `rev` is not a revision there.
    """
    import pyoxigraph as ox

    from clustergraph.validation import validate

    started = time.perf_counter()
    inputs = _inputs(rev, data, shapes, ontology, with_shipped_data)
    repo = inputs.repo
    watched = [*inputs.folders, *inputs.data_rels, inputs.ontology_rel, inputs.shapes_rel]
    changed = repo.changed_paths(rev, sorted(set(watched)))
    reason = ""
    if inputs.shapes_rel in changed:
        reason = f"the shapes changed since {rev}"
    elif inputs.ontology_rel in changed:
        reason = f"the ontology changed since {rev}"

    def full(why: str) -> Judged:
        report = validate(data, shapes=shapes, ontology=ontology, with_shipped_data=with_shipped_data,
                          fail_on=fail_on, queries=None if queries else False)
        return Judged(report, "full", why, sorted(changed))

    if reason:
        return full(reason)
    base = _base_files(inputs, changed)
    shapes_blob = repo.files(rev, [inputs.shapes_rel])
    if not shapes_blob:
        return full(f"the shapes are not in {rev}")
    folder = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    key_folder = folder / cache_key(base, shapes_blob[0][1])
    built = False
    order = inputs.graph_rels
    if not (key_folder / "meta.json").is_file():
        blobs = repo.read_blobs([b for _, b in base] + [shapes_blob[0][1]])
        meta_ok = _shapes_pass(blobs[shapes_blob[0][1]])
        if not meta_ok:
            return full("the shapes do not pass SHACL-for-SHACL")

        def render(store: Any, shapes_store: Any, raw: Any, subjects: Any) -> Any:
            prefixes: dict[str, str] = declared_prefixes(blobs[shapes_blob[0][1]])
            for _, b in base:
                for k, v in declared_prefixes(blobs[b]).items():
                    prefixes.setdefault(k, v)
            rendered = _render_all(store, shapes_store, raw, prefixes)
            _with_locations(rendered, subjects, order)
            return rendered

        build_entry(key_folder, [(rel, b, blobs[b]) for rel, b in base], blobs[shapes_blob[0][1]], render)
        built = True
    entry = CacheEntry(key_folder)
    base_map = dict(base)
    graph_changed = sorted(p for p in changed if p in base_map or p in inputs.data_rels)
    added, removed, new_prefixes = _delta(inputs, entry, graph_changed, base_map)
    delta = _parse(added) + _parse(removed)
    if any(t.predicate.value == SUBCLASS for t in delta):
        return full(f"rdfs:subClassOf changed since {rev}")
    prefixes = dict(entry.meta["prefixes"])
    for k, v in new_prefixes.items():
        prefixes.setdefault(k, v)
    with tempfile.TemporaryDirectory(prefix="graph-", dir=key_folder.parent) as scratch:
        copy = Path(scratch) / "graph"
        entry.store.backup(str(copy))
        store = ox.Store(str(copy))
        for t in _parse(removed):
            store.remove(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
        for t in _parse(added):
            store.add(ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()))
        reached = _reached(entry, [entry.store, store], delta)
        renderer = _Renderer(store, entry.shapes, prefixes)
        rendered, evaluated = _evaluate(entry, store, reached, renderer)
        touched = {t.subject.value for t in delta if isinstance(t.subject, ox.NamedNode)}
        for r in rendered:  # labels of resources whose statements changed
            if r["focus_node"] in touched:
                r["focus_label"] = _relabel(store, r["focus_node"])
        del store
    display = _display
    results = _locate(rendered, entry, inputs, set(graph_changed), order)
    if queries:
        results += _query_results(display)
    files = [display(repo.root / rel) for rel in order]
    report = _report(results, fail_on, files, "oxigraph")
    report.seconds = time.perf_counter() - started
    return Judged(report, "incremental",
                  f"{len(graph_changed)} file(s) changed since {rev}: {len(added)} triples added, "
                  f"{len(removed)} removed, {evaluated} focus nodes evaluated again",
                  graph_changed, len(added), len(removed), evaluated, built)


def _display(path: Path) -> str:
    from clustergraph.locate import Locator

    return Locator([]).display_path(path)


def _relabel(store: Any, iri: str) -> str | None:
    import pyoxigraph as ox

    from clustergraph.validation import _label

    return _label(store, ox.NamedNode(iri))


def _shapes_pass(shapes_content: bytes) -> bool:
    """True when the shapes pass SHACL-for-SHACL (otherwise the data is not validated)."""
    import pyoxigraph as ox

    from clustergraph.incremental_cache import load_lines
    from clustergraph.load import load_store
    from clustergraph.shacl import Engine
    from clustergraph.validation import shacl_shacl_file

    shapes = ox.Store()
    load_lines(shapes, scoped_lines("shapes.ttl", shapes_content))
    return not Engine(shapes, load_store([shacl_shacl_file()])).validate()
