"""The entry point: `validate`, with the file lists and the stored-query syntax check."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError
from clustergraph.files import paths
from clustergraph.files.load import GraphSources, data_files_of, load_store, parse_file
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
    """The data files to validate: the given files (folders expanded), the shipped ones, or both
    (`GraphSources.of` says how)."""
    return data_files_of(data, with_shipped_data=with_shipped_data)


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
    data: GraphSources | Sequence[Path | str] | None = None,
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

    `data`: `GraphSources`, or files or folders, which replace the shipped data unless
    `with_shipped_data`. `shapes`, `ontology`: other files instead of the shipped ones.
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

    The steps: the options checked, the files loaded (`_Run`), the shapes checked against
    SHACL-for-SHACL, the data validated by the engine, the stored queries parsed, the report.

    >>> report = validate()  # the shipped data, ontology and shapes
    >>> report.conforms, report.count_by_severity()  # doctest: +ELLIPSIS
    (True, {'Violation': 0, 'Warning': ..., 'Info': ...})
    >>> print(report)  # doctest: +ELLIPSIS
    conforms (0 violations, ...)
    >>> validate(GraphSources.of()).count_by_severity() == report.count_by_severity()
    True
    """
    started = time.perf_counter()
    _check_options(inference, fail_on, engine, in_store)
    if in_store is not None:  # no data files: the store holds the data
        sources = replace(GraphSources.of(None, shapes=shapes, ontology=ontology), data=())
    else:
        sources = GraphSources.of(data, shapes=shapes, ontology=ontology,
                                  with_shipped_data=with_shipped_data)
    for required in (sources.shapes, sources.ontology):
        if not required.is_file():
            raise InputError(f"{required}: no such file")
    run = _Run(sources, data_names or {}, in_store, outgoing=engine != "pyshacl" and inference == "none")
    used = engine
    if not check_shapes or run.shapes_pass():
        used = run.validate_data(engine, inference, progress)
    if queries is not False:
        run.check_stored_queries(None if queries in (None, True) else list(queries))  # type: ignore[arg-type]
    report = run.report(fail_on, inference,
                        "in-store" if in_store is not None and used == "oxigraph" else used)
    report.seconds = time.perf_counter() - started
    log.info("validated %d files in %.3f s with %s: %s", len(run.graph_files), report.seconds, used,
             report)
    return report


def _check_options(inference: str, fail_on: str, engine: str, in_store: StoreSource | None) -> None:
    if inference not in INFERENCE:
        raise InputError(f"inference must be one of {', '.join(INFERENCE)}, not {inference!r}")
    if fail_on not in ("violation", "warning"):
        raise InputError(f"fail_on must be 'violation' or 'warning', not {fail_on!r}")
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    if in_store is not None and (engine == "pyshacl" or inference != "none"):
        raise Unsupported(f"engine {engine!r} with inference {inference!r} in the store")


class _Run:
    """One validation: the files loaded, and the results gathered step by step."""

    def __init__(self, sources: GraphSources, names: Mapping[Path, str], in_store: StoreSource | None,
                 *, outgoing: bool) -> None:
        self.sources = sources
        self.in_store = in_store
        self.graph_files = [*sources.data, sources.ontology]
        self.prefixes: dict[str, str] = {}
        self.shapes_store = load_graph_store([sources.shapes], prefixes=self.prefixes,
                                             keep_lexical=False).store
        refuse_network_sparql(self.shapes_store, sources.shapes, Render(self.prefixes).term)
        self.loaded = load_graph_store(self.graph_files, prefixes=self.prefixes,
                                       keep_outgoing=outgoing and in_store is None)
        self.data_store = self.loaded.store if in_store is None else in_store.graph(self.loaded.store)
        self.render = Render(self.prefixes)
        self.names = dict(names)
        self.data_locator = Locator([p for p in self.graph_files if p not in self.names])
        self.results: list[ValidationResult] = []
        #: What the report graph is made of, when it is asked for: (report, its results), and
        #: the triples of the stored queries' problems.
        self.parts: list[tuple[Report, list[ValidationResult]]] = []
        self.query_parts: list[tuple[TripleIndex, Any, ValidationResult]] = []

    def shown(self, path: Path) -> str:
        """How the report names a file: as given in `data_names`, or as the locator shows it."""
        return self.names.get(path) or self.data_locator.display_path(path)

    def collect(self, report: Report, graph: pyoxigraph.Store, locator: Locator, check: str) -> None:
        """Add a report's results, described in words and located."""
        described = report.describe(graph, locator, self.render, check)
        self.parts.append((report, described))
        self.results.extend(described)

    def shapes_pass(self) -> bool:
        """Check the shapes against SHACL-for-SHACL; False (and its results kept) if they fail."""
        meta_report = oxigraph_report(self.shapes_store, load_store([shacl_shacl_file()]), self.render)
        if not len(meta_report):
            return True
        self.collect(meta_report, self.shapes_store, Locator([self.sources.shapes]), "shapes")
        log.warning("the shapes do not pass SHACL-for-SHACL; the data was not validated")
        return False

    def validate_data(self, engine: str, inference: str, progress: Progress | None) -> str:
        """Validate the data with our engine or pySHACL; returns the engine used."""
        used = engine
        if engine == "auto":
            used = "oxigraph" if inference == "none" else "pyshacl"
        if used == "oxigraph":
            if inference != "none":
                raise InputError(
                    "the oxigraph engine does no inference; use engine='pyshacl' or 'auto'"
                )
            try:
                shapes_written = TripleIndex(parse_file(self.sources.shapes))  # literals as written
                data_report = oxigraph_report(self.data_store, shapes_written, self.render,
                                              self.loaded.lexical, progress, self.loaded.outgoing,
                                              self.in_store is not None)
            except Unsupported as exc:
                if self.in_store is not None:
                    raise
                if engine == "oxigraph":
                    raise InputError(
                        f"the oxigraph engine does not support {exc}; use engine='pyshacl'"
                    ) from None
                log.info("shapes use %s: validating with pySHACL", exc)
                used = "pyshacl"
        if used == "pyshacl":
            data_report = pyshacl_report(self.graph_files, self.sources.shapes, inference)
        self.collect(data_report, self.data_store, self.data_locator, "data")
        return used

    def check_stored_queries(self, files: list[Path | str] | None) -> None:
        """Parse the stored queries (None: the shipped ones); each that does not is a violation."""
        NN = pyoxigraph.NamedNode
        for path, line, column, message in check_queries(files):
            node = pyoxigraph.BlankNode()
            q_store = TripleIndex()
            for p, o in (
                (rdf_type(), NN(SH + "ValidationResult")),
                (NN(SH + "focusNode"), NN(path.resolve().as_uri())),
                (NN(SH + "resultSeverity"), NN(SH + "Violation")),
                (NN(SH + "sourceConstraintComponent"), NN(CHECK + "QuerySyntax")),
                (NN(SH + "resultMessage"), pyoxigraph.Literal(message)),
            ):
                q_store.add(pyoxigraph.Quad(node, p, o))
            result = ValidationResult(severity="Violation", focus_node=path.resolve().as_uri(),
                                      message=message, component="cgcheck:QuerySyntax",
                                      file=self.data_locator.display_path(path), line=line,
                                      column=column, check="query")
            self.results.append(result)
            self.query_parts.append((q_store, node, result))

    def report_graph(self) -> TripleIndex:
        """The SHACL validation report as triples (made only when asked for)."""
        store = TripleIndex()
        report_node = pyoxigraph.BlankNode()
        store.add(pyoxigraph.Quad(report_node, rdf_type(), pyoxigraph.NamedNode(SH + "ValidationReport")))
        for report, described in self.parts:
            report.add_to(store, report_node, described)
        for q_store, node, result in self.query_parts:
            store.extend(q_store)
            store.add(pyoxigraph.Quad(report_node, pyoxigraph.NamedNode(SH + "result"), node))
            add_location(store, node, result)
        return store

    def report(self, fail_on: str, inference: str, engine: str) -> ValidationReport:
        """The results, sorted by file, line, focus node and severity, as a `ValidationReport`."""
        order = {s: i for i, s in enumerate(SEVERITIES)}
        self.results.sort(key=lambda r: (r.file or "~", r.line or 0, r.focus_node,
                                         order.get(r.severity, 9), r.path or "", r.value or ""))
        shown_files = [self.shown(p) for p in self.graph_files]
        if self.in_store is not None:
            shown_files.insert(0, self.in_store.name)
        return ValidationReport(
            results=self.results,
            fail_on=fail_on,
            inference=inference,
            engine=engine,
            files=shown_files,
            warnings=[f"{self.shown(path)}: the file holds no triples" for path in self.loaded.empty_files],
            _report_builder=self.report_graph,
            _prefixes=self.prefixes,
        )
