"""The entry point: `validate`, with the file lists and the stored-query syntax check."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError
from clustergraph.files import paths
from clustergraph.files.load import expand_paths, load_store, parse_file
from clustergraph.files.locate import Locator
from clustergraph.shacl.engine import Progress
from clustergraph.shacl.terms import Unsupported
from clustergraph.validation.backends import Report, oxigraph_report, pyshacl_report
from clustergraph.validation.describe import Render, add_location
from clustergraph.validation.index import TripleIndex
from clustergraph.validation.loading import load_graph_store, refuse_network_sparql
from clustergraph.validation.model import (
    CHECK,
    ENGINES,
    INFERENCE,
    SEVERITIES,
    SH,
    ValidationReport,
    ValidationResult,
    rdf_type,
)

__all__ = ["StoreSource", "check_queries", "data_sources", "shacl_shacl_file", "validate"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoreSource:
    """A data graph held elsewhere (an endpoint's), for `validate(in_store=...)`."""

    name: str
    """How the report names it (the endpoint's address)."""
    graph: Callable[[Any], Any]
    """Given the loaded ontology (a `pyoxigraph.Store`), the store the engine reads: the
    graph with the ontology's triples added (`EndpointGraph`)."""


def shacl_shacl_file() -> Path:
    """The SHACL-for-SHACL shapes graph (W3C SHACL, appendix C), as shipped with pySHACL.

    Found without importing pySHACL, which keeps the check fast.
    """
    spec = find_spec("pyshacl")
    if spec is None or not spec.submodule_search_locations:
        raise InputError("pyshacl is not installed; it is needed for the shapes-for-shapes check")
    return Path(next(iter(spec.submodule_search_locations))) / "assets" / "shacl-shacl.ttl"


def data_sources(
    data: Sequence[Path | str] | None = None, *, with_shipped_data: bool = False
) -> list[Path]:
    """The data files to validate: the given files (folders expanded), the shipped ones, or both.

    With `with_shipped_data`, a shipped file is left out when a given file has the same name
    (so a changed copy of `data/clusters.ttl` replaces the shipped one instead of doubling it).
    """
    given = expand_paths(data) if data else []
    if given and not with_shipped_data:
        return given
    names = {p.name for p in given}
    resolved = {p.resolve() for p in given}
    shipped = [p for p in paths.data_files() if p.name not in names and p.resolve() not in resolved]
    return given + shipped


# -- stored queries ---------------------------------------------------------------------------


def check_queries(
    files: Sequence[Path | str] | None = None,
) -> list[tuple[Path, int | None, int | None, str]]:
    """Parse every stored query; return (file, line, column, message) for each that does not.

    Queries are parsed by Oxigraph (the engine that runs them) against an empty store and never
    read from: SELECT, CONSTRUCT and DESCRIBE queries are not evaluated. grlc-style parameters
    (`?_name`) are plain variables and parse as such.
    """
    problems: list[tuple[Path, int | None, int | None, str]] = []
    store = pyoxigraph.Store()
    for path in paths.query_files() if files is None else [Path(f) for f in files]:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            problems.append((path, None, None, f"cannot read: {exc}"))
            continue
        try:
            store.query(text)
        except SyntaxError as exc:
            message = str(exc)
            m = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
            if m:
                problems.append(
                    (path, int(m.group(1)), int(m.group(2)), f"SPARQL syntax error: {m.group(3)}")
                )
            else:
                problems.append((path, None, None, f"SPARQL syntax error: {message}"))
        except (
            OSError,
            RuntimeError,
            ValueError,
        ) as exc:  # evaluation of an ASK on the empty store
            log.debug("query %s parsed, evaluation on an empty store failed: %s", path, exc)
    return problems


# -- the entry point --------------------------------------------------------------------------


def validate(
    data: Sequence[Path | str] | None = None,
    *,
    shapes: Path | str | None = None,
    ontology: Path | str | None = None,
    with_shipped_data: bool = False,
    inference: str = "none",
    fail_on: str = "violation",
    engine: str = "auto",
    check_shapes: bool = True,
    queries: Sequence[Path | str] | None | bool = None,
    progress: Progress | None = None,
    data_names: Mapping[Path, str] | None = None,
    in_store: StoreSource | None = None,
) -> ValidationReport:
    """Validate data files (default: the shipped data) against the ontology and SHACL shapes.

    `data`: files or folders; replaces the shipped data unless `with_shipped_data`.
    `shapes`, `ontology`: other files instead of the shipped ones.
    `inference`: 'none' (default: the ontology is merged into the data graph, so subclasses
    count), 'rdfs' or 'owlrl'. `fail_on`: 'violation' or 'warning'.
    `engine`: 'auto', 'oxigraph' or 'pyshacl'. `check_shapes`: run SHACL-for-SHACL on the shapes.
    `queries`: stored query files to syntax-check (default: the shipped ones; False: none).
    `progress(done, total, focus_nodes)`: told after each shape the data is validated against.
    `data_names`: data files that stand for something else (an endpoint's graph), shown by
    that name and never pointed at with file:line.
    `in_store`: validate a graph held elsewhere (an endpoint's) instead of data files, with
    the oxigraph engine and no inference; it raises `Unsupported` where that cannot be done.
    Raises `InputError` (and its `RDFSyntaxError`) for files that are missing or do not parse.

    >>> report = validate()  # the shipped data, ontology and shapes
    >>> report.conforms, report.count_by_severity()  # doctest: +ELLIPSIS
    (True, {'Violation': 0, 'Warning': ..., 'Info': ...})
    >>> print(report)  # doctest: +ELLIPSIS
    conforms (0 violations, ...)
    """
    started = time.perf_counter()
    if inference not in INFERENCE:
        raise InputError(f"inference must be one of {', '.join(INFERENCE)}, not {inference!r}")
    if fail_on not in ("violation", "warning"):
        raise InputError(f"fail_on must be 'violation' or 'warning', not {fail_on!r}")
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    shapes_path = Path(shapes) if shapes is not None else paths.shapes_file()
    ontology_path = Path(ontology) if ontology is not None else paths.ontology_file()
    if in_store is not None and (engine == "pyshacl" or inference != "none"):
        raise Unsupported(f"engine {engine!r} with inference {inference!r} in the store")
    data_files = [] if in_store else data_sources(data, with_shipped_data=with_shipped_data)
    for required in (shapes_path, ontology_path):
        if not required.is_file():
            raise InputError(f"{required}: no such file")
    graph_files = [*data_files, ontology_path]

    prefixes: dict[str, str] = {}
    shapes_store = load_graph_store([shapes_path], prefixes=prefixes, keep_lexical=False).store
    render = Render(prefixes)
    refuse_network_sparql(shapes_store, shapes_path, render.term)
    loaded = load_graph_store(
        graph_files,
        prefixes=prefixes,
        keep_outgoing=engine != "pyshacl" and inference == "none" and in_store is None,
    )
    data_store = loaded.store if in_store is None else in_store.graph(loaded.store)
    render = Render(prefixes)
    names = dict(data_names or {})
    data_locator = Locator([p for p in graph_files if p not in names])

    def shown(path: Path) -> str:
        return names.get(path) or data_locator.display_path(path)

    shown_files = [shown(p) for p in graph_files]
    if in_store is not None:
        shown_files.insert(0, in_store.name)

    warnings = [f"{shown(path)}: the file holds no triples" for path in loaded.empty_files]
    shapes_locator = Locator([shapes_path])

    results: list[ValidationResult] = []
    #: What the report graph is made of, when it is asked for: (report, its results), and the
    #: triples of the stored queries' problems.
    parts: list[tuple[Report, list[ValidationResult]]] = []
    query_parts: list[tuple[TripleIndex, Any, ValidationResult]] = []

    def collect(report: Report, graph: pyoxigraph.Store, locator: Locator, check: str) -> None:
        described = report.describe(graph, locator, render, check)
        parts.append((report, described))
        results.extend(described)

    def report_graph() -> TripleIndex:
        store = TripleIndex()
        report_node = pyoxigraph.BlankNode()
        store.add(
            pyoxigraph.Quad(report_node, rdf_type(), pyoxigraph.NamedNode(SH + "ValidationReport"))
        )
        for report, described in parts:
            report.add_to(store, report_node, described)
        for q_store, node, result in query_parts:
            store.extend(q_store)
            store.add(pyoxigraph.Quad(report_node, pyoxigraph.NamedNode(SH + "result"), node))
            add_location(store, node, result)
        return store

    shapes_ok = True
    if check_shapes:
        meta_shapes = load_store([shacl_shacl_file()])
        meta_report = oxigraph_report(shapes_store, meta_shapes, render)
        if len(meta_report):
            shapes_ok = False
            collect(meta_report, shapes_store, shapes_locator, "shapes")
            log.warning("the shapes do not pass SHACL-for-SHACL; the data was not validated")

    used = engine
    if shapes_ok:
        if engine == "auto":
            used = "oxigraph" if inference == "none" else "pyshacl"
        if used == "oxigraph":
            if inference != "none":
                raise InputError(
                    "the oxigraph engine does no inference; use engine='pyshacl' or 'auto'"
                )
            try:
                shapes_written = TripleIndex(parse_file(shapes_path))  # literals as written
                data_report = oxigraph_report(
                    data_store,
                    shapes_written,
                    render,
                    loaded.lexical,
                    progress,
                    loaded.outgoing,
                    in_store is not None,
                )
            except Unsupported as exc:
                if in_store is not None:
                    raise
                if engine == "oxigraph":
                    raise InputError(
                        f"the oxigraph engine does not support {exc}; use engine='pyshacl'"
                    ) from None
                log.info("shapes use %s: validating with pySHACL", exc)
                used = "pyshacl"
        if used == "pyshacl":
            data_report = pyshacl_report(graph_files, shapes_path, inference)
        collect(data_report, data_store, data_locator, "data")

    if queries is not False:
        query_files = None if queries in (None, True) else list(queries)  # type: ignore[arg-type]
        for path, line, column, message in check_queries(query_files):
            node = pyoxigraph.BlankNode()
            q_store = TripleIndex()
            NN = pyoxigraph.NamedNode
            for p, o in (
                (rdf_type(), NN(SH + "ValidationResult")),
                (NN(SH + "focusNode"), NN(path.resolve().as_uri())),
                (NN(SH + "resultSeverity"), NN(SH + "Violation")),
                (NN(SH + "sourceConstraintComponent"), NN(CHECK + "QuerySyntax")),
                (NN(SH + "resultMessage"), pyoxigraph.Literal(message)),
            ):
                q_store.add(pyoxigraph.Quad(node, p, o))
            results.append(
                ValidationResult(
                    severity="Violation",
                    focus_node=path.resolve().as_uri(),
                    message=message,
                    component="cgcheck:QuerySyntax",
                    file=data_locator.display_path(path),
                    line=line,
                    column=column,
                    check="query",
                )
            )
            query_parts.append((q_store, node, results[-1]))

    order = {s: i for i, s in enumerate(SEVERITIES)}
    results.sort(
        key=lambda r: (
            r.file or "~",
            r.line or 0,
            r.focus_node,
            order.get(r.severity, 9),
            r.path or "",
            r.value or "",
        )
    )
    report = ValidationReport(
        results=results,
        fail_on=fail_on,
        inference=inference,
        engine="in-store" if in_store is not None and used == "oxigraph" else used,
        files=shown_files,
        warnings=warnings,
        _report_builder=report_graph,
        _prefixes=prefixes,
    )
    report.seconds = time.perf_counter() - started
    log.info(
        "validated %d files in %.3f s with %s: %s", len(graph_files), report.seconds, used, report
    )
    return report
