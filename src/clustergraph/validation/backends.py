"""The two engines behind `validate`: clustergraph.shacl on Oxigraph, and pySHACL (the
reference and the fallback). Each returns its results as a `Report`, which describes them
and, when asked, puts them into the SHACL report graph."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError
from clustergraph.files.load import load_files
from clustergraph.shacl import Engine
from clustergraph.shacl.terms import RawResult, component_iri
from clustergraph.validation.describe import (
    LABELS,
    Render,
    ResultTerms,
    add_location,
    closed_hint,
    compact_detail,
    copy_cbd,
    default_message,
    describe_result,
    result_of,
    with_hint,
)
from clustergraph.validation.index import TripleIndex
from clustergraph.validation.model import SH, ValidationResult, rdf_type
from clustergraph.validation.offline import network_closed
from clustergraph.validation.pyshacl_patterns import bounded_patterns

__all__ = ["RawReport", "Report", "StoredReport", "oxigraph_report", "pyshacl_report"]


class StoredReport:
    """A SHACL report held as triples (pySHACL's): the result nodes, and each one's sh:value
    as the data writes it."""

    def __init__(self, store: TripleIndex, nodes: list[Any], written: dict[Any, Any],
                 shapes: Callable[[], Any] | None = None) -> None:
        self.store, self.nodes, self.written = store, nodes, written
        self._shapes = shapes  # the shapes as a store, made when a hint needs them

    def __len__(self) -> int:
        return len(self.nodes)

    def describe(
        self, graph: Any, locator: Any, render: Render, check: str
    ) -> list[ValidationResult]:
        """Each result as a `ValidationResult`, in the order of `nodes`; a property a closed
        shape does not allow gets the nearest allowed one (pySHACL's report holds no shapes)."""
        results = [
            result_of(self.store, node, graph, locator, render, check, self.written.get(node))
            for node in self.nodes
        ]
        closed = pyoxigraph.NamedNode(SH + "ClosedConstraintComponent")
        memo: dict[Any, Any] = {}
        shapes = None
        for i, node in enumerate(self.nodes):
            if self._shapes is None or not any(self.store.quads_for_pattern(
                    node, pyoxigraph.NamedNode(SH + "sourceConstraintComponent"), closed, None)):
                continue
            shapes = self._shapes() if shapes is None else shapes
            terms = {name: next((q.object for q in self.store.quads_for_pattern(
                node, pyoxigraph.NamedNode(SH + name), None, None)), None)
                for name in ("sourceShape", "resultPath")}
            hint = closed_hint(shapes, terms["sourceShape"], terms["resultPath"], render, memo)
            results[i] = dataclasses.replace(results[i], message=with_hint(results[i].message, hint))
        return results

    def add_to(self, report: TripleIndex, report_node: Any, results: list[ValidationResult]) -> None:
        """Put the results into a report graph, as results of `report_node`, with locations."""
        report.extend(q for q in self.store)
        has_result = pyoxigraph.NamedNode(SH + "result")
        for node, result in zip(self.nodes, results, strict=True):
            report.add(pyoxigraph.Quad(report_node, has_result, node))
            add_location(report, node, result)


class RawReport:
    """The results of clustergraph.shacl as the engine gives them; their triples are made
    only when a report graph is asked for."""

    def __init__(self, raw: list[RawResult], data: Any, shapes: Any, render: Render) -> None:
        self.raw, self.data, self.shapes, self.render = raw, data, shapes, render

    def __len__(self) -> int:
        return len(self.raw)

    def _messages(self, r: RawResult) -> list[Any]:
        return r.messages or [
            pyoxigraph.Literal(default_message(r.component, compact_detail(r.detail, self.render)))
        ]

    def describe(
        self, graph: Any, locator: Any, render: Render, check: str
    ) -> list[ValidationResult]:
        """Each result as a `ValidationResult`, in the engine's order."""
        memo: dict[Any, str] = {}
        keep_values = getattr(graph, "keep_values", None)
        if keep_values is not None:  # a store behind a network: the focus nodes' labels at once
            keep_values([r.focus for r in self.raw], LABELS)
        return [
            describe_result(
                ResultTerms(
                    focus=r.focus,
                    severity=r.severity,
                    messages=self._messages(r),
                    path=r.path,
                    value=r.value,
                    component=pyoxigraph.NamedNode(component_iri(r.component)),
                    shape=r.shape,
                ),
                self.shapes,
                graph,
                locator,
                render,
                check,
                memo,
            )
            for r in self.raw
        ]

    def add_to(self, report: TripleIndex, report_node: Any, results: list[ValidationResult]) -> None:
        """Put the results into a report graph, as results of `report_node`, with locations;
        blank nodes they name come with their triples."""
        NN = pyoxigraph.NamedNode
        Quad, BlankNode = pyoxigraph.Quad, pyoxigraph.BlankNode
        add = report.add
        has_result = NN(SH + "result")
        for r, result in zip(self.raw, results, strict=True):
            node = BlankNode()
            add(Quad(report_node, has_result, node))
            add(Quad(node, rdf_type(), NN(SH + "ValidationResult")))
            add(Quad(node, NN(SH + "focusNode"), r.focus))
            if isinstance(r.focus, BlankNode):
                copy_cbd(self.data, r.focus, report)
            add(Quad(node, NN(SH + "resultSeverity"), r.severity))
            add(Quad(node, NN(SH + "sourceConstraintComponent"), NN(component_iri(r.component))))
            add(Quad(node, NN(SH + "sourceShape"), r.shape))
            if isinstance(r.shape, BlankNode):
                copy_cbd(self.shapes, r.shape, report)
            if r.path is not None:
                add(Quad(node, NN(SH + "resultPath"), r.path))
                if isinstance(r.path, BlankNode):
                    copy_cbd(self.shapes, r.path, report)
            if r.value is not None:
                add(Quad(node, NN(SH + "value"), r.value))
                if isinstance(r.value, BlankNode):
                    copy_cbd(self.data, r.value, report)
            for m in self._messages(r):
                add(Quad(node, NN(SH + "resultMessage"), m))
            add_location(report, node, result)


#: What an engine returns.
Report = StoredReport | RawReport


def oxigraph_report(
    data: pyoxigraph.Store,
    shapes: Any,
    render: Render,
    lexical: Any = None,
    progress: Any = None,
    outgoing: Any = None,
    remote: bool = False,
) -> RawReport:
    """Run clustergraph.shacl on the data; its results (see `RawReport`). `lexical`, `outgoing`:
    see `clustergraph.shacl.Engine`; `remote`: the data is a store behind a network, where
    every look-up is a query (an `EndpointGraph`)."""
    if remote:  # its look-ups by subject are `get` calls, and few class checks one by one
        engine = Engine(data, shapes, None, data, instance_set_after=8)
    else:
        engine = Engine(data, shapes, lexical, outgoing)
    return RawReport(engine.validate(progress), data, shapes, render)


def pyshacl_report(files: list[Path], shapes_file: Path, inference: str) -> StoredReport:
    """Run pySHACL on an rdflib graph of the same files; return its report."""
    # pySHACL (with rdflib): ~0.24 s to import (python -X importtime); only for its engine
    import pyshacl
    from pyshacl.errors import ReportableRuntimeError
    from rdflib import Graph

    data_graph = load_files(files, keep_lexical=True)  # values as the data writes them
    shapes_graph = load_files([shapes_file], keep_lexical=True)

    try:
        # sh:pattern with our time limit (shacl.patterns); rdflib's network closed (offline)
        with bounded_patterns(), network_closed(shapes_file):
            _conforms, report_graph, _text = pyshacl.validate(
                data_graph,
                shacl_graph=shapes_graph,
                inference=inference,
                inplace=True,
                allow_warnings=True,
                allow_infos=True,
            )
    except (ReportableRuntimeError, NotImplementedError) as exc:  # shapes it cannot load or run
        raise InputError(
            f"{shapes_file}: pySHACL cannot validate with these shapes: {exc}"
        ) from None
    # A failure (pySHACL's ValidationFailure, e.g. for SPARQL that SHACL forbids) comes back in
    # place of the report graph, which it is not.
    if not isinstance(report_graph, Graph):
        raise InputError(f"{shapes_file}: pySHACL cannot validate with these shapes: {_text}")
    nt = report_graph.serialize(format="nt", encoding="utf-8")
    triples = list(pyoxigraph.parse(nt, format=pyoxigraph.RdfFormat.N_TRIPLES))
    store = TripleIndex(triples)
    value_p = pyoxigraph.NamedNode(SH + "value")
    written = {t.subject: t.object for t in triples if t.predicate == value_p}
    nodes = [
        q.object
        for q in store.quads_for_pattern(None, pyoxigraph.NamedNode(SH + "result"), None, None)
    ]
    for q in list(
        store.quads_for_pattern(
            None, rdf_type(), pyoxigraph.NamedNode(SH + "ValidationReport"), None
        )
    ):
        for t in list(store.quads_for_pattern(q.subject, None, None, None)):
            store.remove(t)
    def shapes_store() -> TripleIndex:
        text = shapes_graph.serialize(format="nt", encoding="utf-8")
        return TripleIndex(pyoxigraph.parse(text, format=pyoxigraph.RdfFormat.N_TRIPLES))

    return StoredReport(store, nodes, written, shapes_store)
