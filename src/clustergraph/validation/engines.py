"""The two engines behind `validate`: clustergraph.shacl on Oxigraph, and pySHACL (the
reference and the fallback). Each returns its results as a SHACL report in an Oxigraph store."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from clustergraph.errors import InputError
from clustergraph.validation.describe import (
    Render,
    compact_detail,
    copy_cbd,
    default_message,
)
from clustergraph.validation.model import SH, _rdf_type
from clustergraph.validation.triples import Triples

if TYPE_CHECKING:
    import pyoxigraph

__all__ = ["oxigraph_report", "pyshacl_report"]


#: What an engine returns: the report triples (terms as the data writes them), the result nodes,
#: and each result's sh:value.
Report = tuple[Triples, list[Any], dict[Any, Any]]


def oxigraph_report(
    data: pyoxigraph.Store,
    shapes: pyoxigraph.Store,
    render: Render,
    lexical: Any = None,
    progress: Any = None,
) -> Report:
    """Run clustergraph.shacl; return its report (see `Report`)."""
    import pyoxigraph

    from clustergraph.shacl import Engine
    from clustergraph.shacl.terms import component_iri

    raw = Engine(data, shapes, lexical).validate(progress)
    written: dict[Any, Any] = {}
    out = Triples()
    nodes = []
    NN, Lit = pyoxigraph.NamedNode, pyoxigraph.Literal
    for r in raw:
        node = pyoxigraph.BlankNode()
        nodes.append(node)
        add = out.add
        add(pyoxigraph.Quad(node, _rdf_type(), NN(SH + "ValidationResult")))
        add(pyoxigraph.Quad(node, NN(SH + "focusNode"), r.focus))
        if isinstance(r.focus, pyoxigraph.BlankNode):
            copy_cbd(data, r.focus, out)
        add(pyoxigraph.Quad(node, NN(SH + "resultSeverity"), r.severity))
        component = NN(component_iri(r.component))
        add(pyoxigraph.Quad(node, NN(SH + "sourceConstraintComponent"), component))
        add(pyoxigraph.Quad(node, NN(SH + "sourceShape"), r.shape))
        if isinstance(r.shape, pyoxigraph.BlankNode):
            copy_cbd(shapes, r.shape, out)
        if r.path is not None:
            add(pyoxigraph.Quad(node, NN(SH + "resultPath"), r.path))
            if isinstance(r.path, pyoxigraph.BlankNode):
                copy_cbd(shapes, r.path, out)
        if r.value is not None:
            add(pyoxigraph.Quad(node, NN(SH + "value"), r.value))
            written[node] = r.value
            if isinstance(r.value, pyoxigraph.BlankNode):
                copy_cbd(data, r.value, out)
        messages = r.messages or [
            Lit(default_message(r.component, compact_detail(r.detail, render)))
        ]
        for m in messages:
            add(pyoxigraph.Quad(node, NN(SH + "resultMessage"), m))
    return out, nodes, written


def pyshacl_report(files: list[Path], shapes_file: Path, inference: str) -> Report:
    """Run pySHACL on an rdflib graph of the same files; return its report (see `Report`)."""
    import pyoxigraph
    import pyshacl
    from rdflib import Graph

    from clustergraph.load import load_files

    data_graph = load_files(files, keep_lexical=True)  # values as the data writes them
    shapes_graph = load_files([shapes_file], keep_lexical=True)
    from pyshacl.errors import ReportableRuntimeError

    try:
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
    store = Triples(triples)
    value_p = pyoxigraph.NamedNode(SH + "value")
    written = {t.subject: t.object for t in triples if t.predicate == value_p}
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
    return store, nodes, written
