"""The embedded stores a `Session` queries: the files loaded into Oxigraph (the default) or
rdflib, and a query run on either, with errors in the user's words."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError, QueryError
from clustergraph.files.load import load_files, load_store, parse_file, rdf_format_for, to_rdflib
from clustergraph.query.catalogue import undeclared_prefixes
from clustergraph.query.results import Rows, Triples
from clustergraph.vocab import PREFIXES

__all__ = ["DEFAULT_ENGINE", "ENGINES", "from_rdflib", "load_embedded", "run_embedded", "syntax_error"]

log = logging.getLogger(__name__)

#: The embedded engines; the default was picked by benchmarks/bench_queries.py.
ENGINES = ("oxigraph", "rdflib")
DEFAULT_ENGINE = "oxigraph"

Result = Rows | Triples | bool


def load_embedded(files: Sequence[Path], *, graphs: Sequence[str] = (), engine: str = DEFAULT_ENGINE) -> Any:
    """The files in a store of `engine` (a pyoxigraph Store or an rdflib Dataset), every triple
    in its default graph; with `graphs`, only the triples of those named graphs."""
    if graphs:
        return _load_named_graphs(files, graphs, engine)
    if engine == "oxigraph":
        return _load_oxigraph(files)
    # rdflib's SPARQL engine: ~0.2 s to import, only for engine='rdflib'
    import rdflib.plugins.sparql as rdflib_sparql

    # Never let rdflib fetch a graph named in FROM / FROM NAMED (we refuse those anyway).
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    # rdflib: ~0.1 s to import, only for engine='rdflib'
    from rdflib import Dataset

    # A dataset (so GRAPH patterns work) with every triple in its default graph, the
    # same layout as the Oxigraph store.
    with warnings.catch_warnings():
        # rdflib 7.6 warns about its own use of Dataset.default_context
        warnings.simplefilter("ignore", DeprecationWarning)
        return load_files(files, graph=Dataset(default_union=False))


def run_embedded(store: Any, text: str, engine: str = DEFAULT_ENGINE) -> Result:
    """Run a (checked) query on an embedded store of `engine`."""
    if engine == "oxigraph":
        return _run_oxigraph(store, text)
    return _run_rdflib(store, text)


def _run_oxigraph(store: Any, text: str) -> Result:
    try:
        result = store.query(text, use_default_graph_as_union=False)
        if isinstance(result, pyoxigraph.QuerySolutions):
            return Rows.from_solutions(result)
        if isinstance(result, pyoxigraph.QueryTriples):
            return Triples.from_iterable(result)
        return bool(result)
    except SyntaxError as exc:
        raise syntax_error(text, exc.msg or str(exc)) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"the query failed: {exc}") from None


def _run_rdflib(store: Any, text: str) -> Result:
    # pyparsing comes with rdflib's parser: only when that parser ran
    from pyparsing import ParseException

    graph = store
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = graph.query(text)
            if result.type == "SELECT":
                result.bindings  # noqa: B018 - evaluate now, inside the filter
    except ParseException as exc:
        raise syntax_error(text, str(exc)) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for a bad query
        if undeclared_prefixes(text):  # rdflib parses it, then fails on the prefix
            raise syntax_error(text, str(exc)) from None
        raise QueryError(f"the query failed: {type(exc).__name__}: {exc}") from None
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return Triples.from_iterable(
            pyoxigraph.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o))
            for s, p, o in result
        )
    columns = tuple(str(v) for v in result.vars or ())
    terms = tuple(
        tuple(None if row[i] is None else from_rdflib(row[i]) for i in range(len(columns)))
        for row in result
    )
    return Rows(columns, terms)


def syntax_error(text: str, detail: str) -> QueryError:
    """The error for a query that does not parse: an undeclared prefix is named (with its
    namespace when it is one of ours); any other error keeps the parser's words, line and column."""
    prefixes = undeclared_prefixes(text)
    if not prefixes:
        return QueryError(f"the query does not parse: {detail}")
    declarations = " ".join(f"PREFIX {p} <{PREFIXES.get(p[:-1], '...')}>" for p in prefixes)
    names = ", ".join(repr(p) for p in prefixes)
    subject = f"prefix {names} is" if len(prefixes) == 1 else f"prefixes {names} are"
    return QueryError(
        f"the query does not parse: {subject} not declared; "
        f"add {declarations} at the start of the query"
    )


def _named_graph_triples(files: Sequence[Path], graphs: Sequence[str]) -> list[Any]:
    """The triples of the named graphs `graphs` in the files; an `InputError` names a graph
    that no file holds, with the graphs they do hold."""
    wanted = {pyoxigraph.NamedNode(g) for g in graphs}
    found: set[Any] = set()
    triples = []
    for path in files:
        for quad in parse_file(path):
            if isinstance(quad.graph_name, pyoxigraph.NamedNode):
                found.add(quad.graph_name)
                if quad.graph_name in wanted:
                    triples.append(quad.triple)
    missing = [g for g in graphs if pyoxigraph.NamedNode(g) not in found]
    if missing:
        held = (
            "they hold " + ", ".join(sorted(str(g) for g in found))
            if found
            else "they hold no named graph (Turtle and N-Triples files never do; TriG and "
            "N-Quads files may): --graph selects a named graph of an --endpoint or of --data "
            "files such as an export in TriG"
        )
        raise InputError(f"no named graph <{missing[0]}> in the loaded files; {held}")
    return triples


def _load_named_graphs(files: Sequence[Path], graphs: Sequence[str], engine: str) -> Any:
    """A store whose default graph holds the triples of the named graphs `graphs` of the files."""
    triples = _named_graph_triples(files, graphs)
    if engine == "oxigraph":
        store = pyoxigraph.Store()
        store.extend(pyoxigraph.Quad(t.subject, t.predicate, t.object) for t in triples)
        return store
    # rdflib: ~0.1 s to import, only for engine='rdflib'
    from rdflib import Dataset

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = Dataset(default_union=False)
        for t in triples:
            dataset.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return dataset


def _load_oxigraph(files: Sequence[Path]) -> Any:
    """An in-memory Oxigraph store with every file in its default graph.

    Turtle and N-Triples files go through Oxigraph's bulk loader (about twice as fast on large
    files); any other syntax, and any file the bulk loader refuses, through `load_store`, whose
    errors name the file, line and column.
    """
    bulk = {pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.N_TRIPLES}
    if all(rdf_format_for(f) in bulk for f in files):
        store = pyoxigraph.Store()
        try:
            for f in files:
                store.bulk_load(
                    path=str(f), format=rdf_format_for(f), base_iri=Path(f).resolve().as_uri()
                )
            return store
        except (SyntaxError, OSError, ValueError, MemoryError):  # MemoryError: an oversized token
            log.debug("bulk load failed; loading again to report the error precisely")
    return load_store(files)


def from_rdflib(term: Any) -> Any:
    """One rdflib term as its pyoxigraph equivalent."""
    # rdflib: ~0.1 s to import, only for engine='rdflib'
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    raise QueryError(f"unsupported RDF term in a result: {term!r}")
