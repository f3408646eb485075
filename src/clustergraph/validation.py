"""Validate the graph: the data against the SHACL shapes, the shapes against SHACL-for-SHACL,
and every stored query for syntax.

    >>> import clustergraph as cg
    >>> report = cg.validate()                                  # the shipped graph
    >>> report = cg.validate(["my-cluster.ttl"], with_shipped_data=True)
    >>> report.conforms, report.count_by_severity()
    (True, {'Violation': 0, 'Warning': 1, 'Info': 0})
    >>> for r in report.results: print(r.location, r.focus_label, r.path, r.message)

The data graph is the ontology merged with the data (so `sh:targetClass` follows the
ontology's `rdfs:subClassOf`), without further inference unless asked (`inference="rdfs"` or
`"owlrl"`, which pySHACL carries out). Validation runs on Oxigraph with `clustergraph.shacl`;
shapes using a feature it does not implement, and any inference, go to pySHACL instead
(`engine="pyshacl"` forces it). Conformance is computed from severities: with
`fail_on="violation"` (the default) only violations fail; with `fail_on="warning"` warnings do too;
infos never do.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clustergraph import paths
from clustergraph.errors import InputError
from clustergraph.load import expand_paths, load_store

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

__all__ = [
    "INFERENCE",
    "SEVERITIES",
    "ValidationReport",
    "ValidationResult",
    "check_queries",
    "data_sources",
    "shacl_shacl_file",
    "validate",
]

log = logging.getLogger(__name__)

#: Severities from most to least severe (the local names of sh:Violation, sh:Warning, sh:Info).
SEVERITIES = ("Violation", "Warning", "Info")
INFERENCE = ("none", "rdfs", "owlrl")
ENGINES = ("auto", "oxigraph", "pyshacl")

SH = "http://www.w3.org/ns/shacl#"
CHECK = "https://w3id.org/clustergraph/check#"
_LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "https://schema.org/name",
    "http://xmlns.com/foaf/0.1/name",
)
_STANDARD_PREFIXES = {
    "sh": SH,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "cgcheck": CHECK,
    "cg": "https://w3id.org/clustergraph/ontology#",
    "cgid": "https://w3id.org/clustergraph/id/",
}


@dataclass(frozen=True)
class ValidationResult:
    """One problem found, in words and places a contributor can act on."""

    severity: str
    """'Violation', 'Warning' or 'Info'."""
    focus_node: str
    """The resource with the problem: its IRI, or `_:id` for a blank node."""
    message: str
    focus_label: str | None = None
    """The resource's label (skos:prefLabel, rdfs:label, …), if it has one."""
    path: str | None = None
    """The property path, prefixed as in the files (`cg:country`), or None for a node check."""
    value: str | None = None
    """The offending value in Turtle syntax, or None (for example for a missing value)."""
    component: str = ""
    """The SHACL constraint component, prefixed (`sh:MinCountConstraintComponent`)."""
    source_shape: str = ""
    """The shape that found the problem: its prefixed IRI, or a description of a blank node."""
    file: str | None = None
    """The file where the resource is defined (relative to the current folder when under it)."""
    line: int | None = None
    """The line of its first statement there."""
    column: int | None = None
    """The column, for syntax errors in stored queries."""
    check: str = "data"
    """What was checked: 'data', 'shapes' (SHACL-for-SHACL) or 'query' (stored query syntax)."""
    owner: str | None = None
    """For a blank-node focus: the named resource it hangs from."""

    @property
    def location(self) -> str | None:
        """`file:line` (or just the file) where to fix it, if known."""
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class ValidationReport:
    """The outcome of `validate`: conformance, counts per severity, the results, and the
    standard SHACL validation report (as Turtle, or as an rdflib Graph)."""

    results: list[ValidationResult]
    fail_on: str = "violation"
    inference: str = "none"
    engine: str = "oxigraph"
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    _report_store: Any = field(default=None, repr=False)
    _prefixes: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def conforms(self) -> bool:
        """True when no result is at least as severe as `fail_on`."""
        failing = SEVERITIES[: SEVERITIES.index(self.fail_on.capitalize()) + 1]
        return not any(r.severity in failing for r in self.results)

    def count_by_severity(self) -> dict[str, int]:
        counts = dict.fromkeys(SEVERITIES, 0)
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return counts

    @property
    def exit_code(self) -> int:
        """0 when the graph conforms, 1 when it does not (what the command line returns)."""
        return 0 if self.conforms else 1

    def to_turtle(self) -> str:
        """The W3C SHACL validation report graph, in Turtle (`sh:conforms` follows `fail_on`)."""
        import pyoxigraph

        store = self._report_store if self._report_store is not None else pyoxigraph.Store()
        self._set_conforms(store)
        prefixes = {**_STANDARD_PREFIXES, **self._prefixes}
        data = pyoxigraph.serialize(
            (q.triple for q in store), format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes
        )
        return (data or b"").decode("utf-8")

    @property
    def graph(self) -> rdflib.Graph:
        """The SHACL validation report as an rdflib Graph."""
        from rdflib import Graph

        return Graph().parse(data=self.to_turtle(), format="turtle")

    def _set_conforms(self, store: pyoxigraph.Store) -> None:
        import pyoxigraph

        report_type = pyoxigraph.NamedNode(SH + "ValidationReport")
        conforms_p = pyoxigraph.NamedNode(SH + "conforms")
        for q in list(store.quads_for_pattern(None, _rdf_type(), report_type, None)):
            for old in list(store.quads_for_pattern(q.subject, conforms_p, None, None)):
                store.remove(old)
            store.add(pyoxigraph.Quad(q.subject, conforms_p, pyoxigraph.Literal(self.conforms)))

    def to_dict(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "fail_on": self.fail_on,
            "inference": self.inference,
            "engine": self.engine,
            "counts": self.count_by_severity(),
            "files": list(self.files),
            "results": [r.to_dict() for r in self.results],
        }

    def __str__(self) -> str:
        counts = ", ".join(
            f"{n} {k.lower()}{'s' if n != 1 else ''}" for k, n in self.count_by_severity().items()
        )
        return f"{'conforms' if self.conforms else 'does not conform'} ({counts})"


# -- helpers ----------------------------------------------------------------------------------


def _rdf_type() -> pyoxigraph.NamedNode:
    import pyoxigraph

    return pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


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


class _Render:
    """Turn Oxigraph terms into short Turtle-like text with the files' own prefixes."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(
            ((ns, name) for name, ns in {**_STANDARD_PREFIXES, **prefixes}.items() if ns),
            key=lambda item: -len(item[0]),
        )

    def iri(self, iri: str) -> str:
        for ns, name in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns) :]
                if all(c.isalnum() or c in "_-./" for c in local) and not local.endswith("."):
                    return f"{name}:{local}"
        return f"<{iri}>"

    def term(self, term: Any) -> str:
        import pyoxigraph

        if isinstance(term, pyoxigraph.NamedNode):
            return self.iri(term.value)
        if isinstance(term, pyoxigraph.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, pyoxigraph.Literal):
            text = term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            if term.language:
                return f'"{text}"@{term.language}'
            if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
                return f'"{text}"'
            return f'"{text}"^^{self.iri(term.datatype.value)}'
        return str(term)

    def path(self, store: pyoxigraph.Store, term: Any) -> str:
        """A SHACL path (possibly a blank-node structure) in SPARQL property-path syntax."""
        import pyoxigraph

        if isinstance(term, pyoxigraph.NamedNode):
            return self.iri(term.value)

        def one(p: str) -> Any:
            for q in store.quads_for_pattern(term, pyoxigraph.NamedNode(p), None, None):
                return q.object
            return None

        items = _read_list(store, term)
        if items is not None:
            return "/".join(self.path(store, i) for i in items)
        for name, fmt in (
            ("inversePath", "^{}"),
            ("zeroOrMorePath", "{}*"),
            ("oneOrMorePath", "{}+"),
            ("zeroOrOnePath", "{}?"),
        ):
            inner = one(SH + name)
            if inner is not None:
                text = self.path(store, inner)
                return fmt.format(text if isinstance(inner, pyoxigraph.NamedNode) else f"({text})")
        alternative = one(SH + "alternativePath")
        if alternative is not None:
            return "|".join(self.path(store, i) for i in (_read_list(store, alternative) or []))
        return self.term(term)


def _read_list(store: pyoxigraph.Store, head: Any) -> list[Any] | None:
    import pyoxigraph

    first = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
    rest = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
    nil = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")
    items: list[Any] = []
    node = head
    while node != nil:
        firsts = [q.object for q in store.quads_for_pattern(node, first, None, None)]
        if not firsts:
            return None
        items.append(firsts[0])
        rests = [q.object for q in store.quads_for_pattern(node, rest, None, None)]
        if not rests:
            return None
        node = rests[0]
    return items


def _label(store: pyoxigraph.Store, node: Any) -> str | None:
    import pyoxigraph

    if not isinstance(node, (pyoxigraph.NamedNode, pyoxigraph.BlankNode)):
        return None
    for p in _LABELS:
        best = None
        for q in store.quads_for_pattern(node, pyoxigraph.NamedNode(p), None, None):
            lit = q.object
            if isinstance(lit, pyoxigraph.Literal):
                if lit.language in (None, "en") or (lit.language or "").startswith("en-"):
                    return lit.value
                best = best or lit.value
        if best:
            return best
    return None


def _owner(store: pyoxigraph.Store, node: Any) -> Any:
    """The nearest named resource that a blank node hangs from (within a few steps), or None."""
    import pyoxigraph

    seen = {node}
    frontier = [node]
    for _ in range(6):
        nxt = []
        for n in frontier:
            for q in store.quads_for_pattern(None, None, n, None):
                s = q.subject
                if isinstance(s, pyoxigraph.NamedNode):
                    return s
                if s not in seen:
                    seen.add(s)
                    nxt.append(s)
        frontier = nxt
    return None


def _copy_cbd(src: pyoxigraph.Store, node: Any, dest: pyoxigraph.Store) -> None:
    """Copy the blank-node closure of `node` (its triples, and those of blank objects) into dest."""
    import pyoxigraph

    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for q in src.quads_for_pattern(n, None, None, None):
            dest.add(pyoxigraph.Quad(q.subject, q.predicate, q.object))
            if isinstance(q.object, pyoxigraph.BlankNode):
                todo.append(q.object)


# -- engines ----------------------------------------------------------------------------------


def _default_message(component: str, detail: str) -> str:
    name = component.removesuffix("ConstraintComponent")
    return f"{name}: {detail}" if detail else name


def _oxigraph_report(
    data: pyoxigraph.Store, shapes: pyoxigraph.Store, render: _Render
) -> list[tuple[pyoxigraph.Store, list[Any]]]:
    """Run clustergraph.shacl; return report triples in a store and the result nodes."""
    import pyoxigraph

    from clustergraph.shacl import Engine

    raw = Engine(data, shapes).validate()
    out = pyoxigraph.Store()
    nodes = []
    NN, Lit = pyoxigraph.NamedNode, pyoxigraph.Literal
    for r in raw:
        node = pyoxigraph.BlankNode()
        nodes.append(node)
        add = out.add
        add(pyoxigraph.Quad(node, _rdf_type(), NN(SH + "ValidationResult")))
        add(pyoxigraph.Quad(node, NN(SH + "focusNode"), r.focus))
        if isinstance(r.focus, pyoxigraph.BlankNode):
            _copy_cbd(data, r.focus, out)
        add(pyoxigraph.Quad(node, NN(SH + "resultSeverity"), r.severity))
        add(pyoxigraph.Quad(node, NN(SH + "sourceConstraintComponent"), NN(SH + r.component)))
        add(pyoxigraph.Quad(node, NN(SH + "sourceShape"), r.shape))
        if isinstance(r.shape, pyoxigraph.BlankNode):
            _copy_cbd(shapes, r.shape, out)
        if r.path is not None:
            add(pyoxigraph.Quad(node, NN(SH + "resultPath"), r.path))
            if isinstance(r.path, pyoxigraph.BlankNode):
                _copy_cbd(shapes, r.path, out)
        if r.value is not None:
            add(pyoxigraph.Quad(node, NN(SH + "value"), r.value))
            if isinstance(r.value, pyoxigraph.BlankNode):
                _copy_cbd(data, r.value, out)
        messages = r.messages or [
            Lit(_default_message(r.component, _compact_detail(r.detail, render)))
        ]
        for m in messages:
            add(pyoxigraph.Quad(node, NN(SH + "resultMessage"), m))
    return [(out, nodes)]


def _compact_detail(detail: str, render: _Render) -> str:
    import re

    return re.sub(r"<([^<>\s]+)>", lambda m: render.iri(m.group(1)), detail)


def _pyshacl_report(
    files: list[Path], shapes_file: Path, inference: str
) -> tuple[pyoxigraph.Store, list[Any]]:
    """Run pySHACL on an rdflib graph of the same files; return its report as an Oxigraph store."""
    import pyoxigraph
    import pyshacl

    from clustergraph.load import load_files

    data_graph = load_files(files)
    shapes_graph = load_files([shapes_file])
    _conforms, report_graph, _text = pyshacl.validate(
        data_graph,
        shacl_graph=shapes_graph,
        inference=inference,
        inplace=True,
        allow_warnings=True,
        allow_infos=True,
    )
    store = pyoxigraph.Store()
    nt = report_graph.serialize(format="nt", encoding="utf-8")
    store.extend(pyoxigraph.parse(nt, format=pyoxigraph.RdfFormat.N_TRIPLES))
    nodes = [
        q.object
        for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(SH + "result"), None, None)
    ]
    for q in list(
        store.quads_for_pattern(
            None, _rdf_type(), pyoxigraph.NamedNode(SH + "ValidationReport"), None
        )
    ):
        for t in list(store.quads_for_pattern(q.subject, None, None, None)):
            store.remove(t)
    return store, nodes


# -- stored queries ---------------------------------------------------------------------------


def check_queries(
    files: Sequence[Path | str] | None = None,
) -> list[tuple[Path, int | None, int | None, str]]:
    """Parse every stored query; return (file, line, column, message) for each that does not.

    Queries are parsed by Oxigraph (the engine that runs them) against an empty store and never
    read from: SELECT, CONSTRUCT and DESCRIBE queries are not evaluated. grlc-style parameters
    (`?_name`) are plain variables and parse as such.
    """
    import re

    import pyoxigraph

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
) -> ValidationReport:
    """Validate data files (default: the shipped data) against the ontology and SHACL shapes.

    `data`: files or folders; replaces the shipped data unless `with_shipped_data`.
    `shapes`, `ontology`: other files instead of the shipped ones.
    `inference`: 'none' (default: the ontology is merged into the data graph, so subclasses
    count), 'rdfs' or 'owlrl'. `fail_on`: 'violation' or 'warning'.
    `engine`: 'auto', 'oxigraph' or 'pyshacl'. `check_shapes`: run SHACL-for-SHACL on the shapes.
    `queries`: stored query files to syntax-check (default: the shipped ones; False: none).
    Raises `InputError` (and its `RDFSyntaxError`) for files that are missing or do not parse.
    """
    import pyoxigraph

    started = time.perf_counter()
    if inference not in INFERENCE:
        raise InputError(f"inference must be one of {', '.join(INFERENCE)}, not {inference!r}")
    if fail_on not in ("violation", "warning"):
        raise InputError(f"fail_on must be 'violation' or 'warning', not {fail_on!r}")
    if engine not in ENGINES:
        raise InputError(f"engine must be one of {', '.join(ENGINES)}, not {engine!r}")
    shapes_path = Path(shapes) if shapes is not None else paths.shapes_file()
    ontology_path = Path(ontology) if ontology is not None else paths.ontology_file()
    data_files = data_sources(data, with_shipped_data=with_shipped_data)
    for required in (shapes_path, ontology_path):
        if not required.is_file():
            raise InputError(f"{required}: no such file")
    graph_files = [*data_files, ontology_path]

    from clustergraph.locate import Locator

    prefixes: dict[str, str] = {}
    shapes_store = load_store([shapes_path], prefixes=prefixes)
    data_store = load_store(graph_files, prefixes=prefixes)
    render = _Render(prefixes)
    data_locator = Locator(graph_files)
    shapes_locator = Locator([shapes_path])

    report_store = pyoxigraph.Store()
    report_node = pyoxigraph.BlankNode()
    report_store.add(
        pyoxigraph.Quad(report_node, _rdf_type(), pyoxigraph.NamedNode(SH + "ValidationReport"))
    )
    results: list[ValidationResult] = []

    def collect(
        store: pyoxigraph.Store,
        nodes: list[Any],
        graph: pyoxigraph.Store,
        locator: Locator,
        check: str,
    ) -> None:
        report_store.extend(q for q in store)
        for node in nodes:
            report_store.add(
                pyoxigraph.Quad(report_node, pyoxigraph.NamedNode(SH + "result"), node)
            )
            result = _result(store, node, graph, locator, render, check)
            results.append(result)
            _add_location(report_store, node, result)

    shapes_ok = True
    if check_shapes:
        meta_shapes = load_store([shacl_shacl_file()])
        ((meta_store, meta_nodes),) = _oxigraph_report(shapes_store, meta_shapes, render)
        if meta_nodes:
            shapes_ok = False
            collect(meta_store, meta_nodes, shapes_store, shapes_locator, "shapes")
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
            from clustergraph.shacl import Unsupported

            try:
                ((store, nodes),) = _oxigraph_report(data_store, shapes_store, render)
            except Unsupported as exc:
                if engine == "oxigraph":
                    raise InputError(
                        f"the oxigraph engine does not support {exc}; use engine='pyshacl'"
                    ) from None
                log.info("shapes use %s: validating with pySHACL", exc)
                used = "pyshacl"
        if used == "pyshacl":
            store, nodes = _pyshacl_report(graph_files, shapes_path, inference)
        collect(store, nodes, data_store, data_locator, "data")

    if queries is not False:
        query_files = None if queries in (None, True) else list(queries)  # type: ignore[arg-type]
        for path, line, column, message in check_queries(query_files):
            node = pyoxigraph.BlankNode()
            q_store = pyoxigraph.Store()
            NN = pyoxigraph.NamedNode
            for p, o in (
                (_rdf_type(), NN(SH + "ValidationResult")),
                (NN(SH + "focusNode"), NN(path.resolve().as_uri())),
                (NN(SH + "resultSeverity"), NN(SH + "Violation")),
                (NN(SH + "sourceConstraintComponent"), NN(CHECK + "QuerySyntax")),
                (NN(SH + "resultMessage"), pyoxigraph.Literal(message)),
            ):
                q_store.add(pyoxigraph.Quad(node, p, o))
            report_store.extend(q for q in q_store)
            report_store.add(pyoxigraph.Quad(report_node, NN(SH + "result"), node))
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
            _add_location(report_store, node, results[-1])

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
        engine=used,
        files=[data_locator.display_path(p) for p in graph_files],
        _report_store=report_store,
        _prefixes=prefixes,
    )
    report.seconds = time.perf_counter() - started
    log.info(
        "validated %d files in %.3f s with %s: %s", len(graph_files), report.seconds, used, report
    )
    return report


def _add_location(store: pyoxigraph.Store, node: Any, result: ValidationResult) -> None:
    """Say where to fix a result, beside the standard terms: cgcheck:file and cgcheck:line."""
    import pyoxigraph

    if result.file is not None:
        store.add(
            pyoxigraph.Quad(
                node, pyoxigraph.NamedNode(CHECK + "file"), pyoxigraph.Literal(result.file)
            )
        )
    if result.line is not None:
        store.add(
            pyoxigraph.Quad(
                node, pyoxigraph.NamedNode(CHECK + "line"), pyoxigraph.Literal(result.line)
            )
        )


def _result(
    store: pyoxigraph.Store,
    node: Any,
    graph: pyoxigraph.Store,
    locator: Any,
    render: _Render,
    check: str,
) -> ValidationResult:
    import pyoxigraph

    def one(name: str) -> Any:
        for q in store.quads_for_pattern(node, pyoxigraph.NamedNode(SH + name), None, None):
            return q.object
        return None

    focus = one("focusNode")
    severity_term = one("resultSeverity")
    severity = severity_term.value.rsplit("#", 1)[-1] if severity_term is not None else "Violation"
    messages: list[Any] = [
        q.object
        for q in store.quads_for_pattern(
            node, pyoxigraph.NamedNode(SH + "resultMessage"), None, None
        )
    ]
    messages.sort(key=lambda m: (m.language not in (None, "en"), m.value))
    path = one("resultPath")
    value = one("value")
    component = one("sourceConstraintComponent")
    shape = one("sourceShape")
    owner = None
    target = focus
    if isinstance(focus, pyoxigraph.BlankNode):
        owner = _owner(graph, focus)
        target = owner
    where = locator.find(target.value) if isinstance(target, pyoxigraph.NamedNode) else None
    if isinstance(shape, pyoxigraph.BlankNode):
        shape_text = _describe_shape(store, shape, render)
    else:
        shape_text = render.term(shape) if shape is not None else ""
    message = messages[0].value if messages else ""
    if (
        "{" in message
    ):  # fill in {$value} and {$this}, which pySHACL leaves as they are outside SPARQL
        import re

        fillers = {"value": value, "this": focus, "focusNode": focus}
        message = re.sub(
            r"\{[$?](value|this|focusNode)\}",
            lambda m: (
                render.term(fillers[m.group(1)]) if fillers[m.group(1)] is not None else m.group(0)
            ),
            message,
        )
    return ValidationResult(
        severity=severity,
        focus_node=focus.value if isinstance(focus, pyoxigraph.NamedNode) else f"_:{focus.value}",
        focus_label=_label(graph, focus),
        message=message,
        path=render.path(store, path) if path is not None else None,
        value=render.term(value) if value is not None else None,
        component=render.term(component) if component is not None else "",
        source_shape=shape_text,
        file=where.file if where else None,
        line=where.line if where else None,
        check=check,
        owner=owner.value if owner is not None else None,
    )


def _describe_shape(store: pyoxigraph.Store, shape: Any, render: _Render) -> str:
    """A blank-node shape in a few words: the property shape of its path."""
    import pyoxigraph

    for q in store.quads_for_pattern(shape, pyoxigraph.NamedNode(SH + "path"), None, None):
        return f"property shape of {render.path(store, q.object)}"
    return "a blank-node shape"
