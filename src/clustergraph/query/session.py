"""Where queries run: a `Session` the user holds.

Embedded (the default): an in-process store loaded once, on first use, from the shipped
ontology and data (or files you give), and kept for every later query of the session. The engine
is Oxigraph through pyoxigraph, chosen by measurement (see benchmarks/bench_queries.py);
rdflib's own store is available as ``engine="rdflib"`` for comparison.

Remote: ``Session(endpoint=URL)`` sends the same queries to any SPARQL 1.1 endpoint (see
`clustergraph.query.remote`).

Either way a stored query's parameters are bound the same way, as a VALUES block of validated
RDF terms (`clustergraph.query.catalogue.bind_query`), so embedded and remote stores get the same text.
In embedded mode a query that would reach the network or the file system (SERVICE, FROM,
FROM NAMED, LOAD or any update) is refused before it runs.

Named graphs: `graphs` (``--graph IRI``) makes those named graphs the query's default graph, sent
to an endpoint as the protocol's ``default-graph-uri``; embedded, the store then holds only the
triples of those named graphs of the loaded files (TriG or N-Quads), and a graph that none of the
files holds is refused. Without it every loaded triple is in the default graph.

    >>> from clustergraph import Session
    >>> session = Session()
    >>> rows = session.query("clusters-by-country", country="country/IN")
    >>> rows.columns[:2], len(rows) > 0
    (('cluster', 'clusterLabel'), True)
"""

from __future__ import annotations

import difflib
import logging
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError, QueryError
from clustergraph.files.load import (
    GraphSources,
    load_files,
    load_store,
    parse_file,
    rdf_format_for,
    to_rdflib,
)
from clustergraph.query.catalogue import (
    ID_PREFIX,
    Catalogue,
    StoredQuery,
    check_safe,
    load_catalogue,
    query_form,
    term_to_sparql,
    undeclared_prefixes,
)
from clustergraph.query.parameters import is_absolute_iri
from clustergraph.query.results import Rows, Triples
from clustergraph.vocab import PREFIXES

__all__ = ["DEFAULT_ENGINE", "ENGINES", "Session", "default_files", "run_query", "run_sparql"]

log = logging.getLogger(__name__)

#: The embedded engines; the default was picked by benchmarks/bench_queries.py.
ENGINES = ("oxigraph", "rdflib")
DEFAULT_ENGINE = "oxigraph"

Result = Rows | Triples | bool


def default_files() -> list[Path]:
    """The files the embedded store loads by default: the ontology, then `data/*.ttl`."""
    return GraphSources().graph_files()


class Session:
    """Runs stored and ad-hoc queries, embedded or against a remote endpoint.

    `files`: the RDF files of the embedded store, or `GraphSources` (its ontology and data;
    default: `default_files()`); `engine`:
    ``"oxigraph"`` (default) or ``"rdflib"``; `endpoint`: a SPARQL endpoint URL, which makes the
    session remote (then `timeout`, `retries` and the credentials in the environment apply,
    see `clustergraph.query.remote.RemoteEndpoint`); `queries`: a folder of stored queries (default:
    the shipped catalogue); `graphs`: named graphs to query as the default graph (see the
    module's docs).
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        files: GraphSources | Sequence[Path | str] | None = None,
        engine: str = DEFAULT_ENGINE,
        timeout: float = 60.0,
        retries: int = 3,
        queries: Path | str | None = None,
        graphs: Sequence[str] = (),
    ) -> None:
        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
        self.engine = engine
        if isinstance(files, GraphSources):
            files = files.graph_files()
        self.files = tuple(Path(f) for f in files) if files is not None else None
        self._queries_folder = queries
        self._catalogue: Catalogue | None = None
        self._store: Any = None
        self._checked: set[str] = set()
        self.load_seconds: float | None = None
        self.graphs = tuple(_check_graph_iri(g) for g in graphs)
        self.remote = None
        if endpoint:
            # the HTTP client: ~0.03 s to import (python -X importtime), only for an endpoint
            from clustergraph.query.remote import RemoteEndpoint

            self.remote = RemoteEndpoint.from_env(
                endpoint, timeout=timeout, retries=retries, default_graphs=self.graphs
            )

    def __repr__(self) -> str:
        where = f"endpoint={self.remote.url!r}" if self.remote else f"engine={self.engine!r}"
        return f"<Session {where}>"

    # -- the catalogue -----------------------------------------------------------------------

    @property
    def catalogue(self) -> Catalogue:
        """The stored queries (read once per session)."""
        if self._catalogue is None:
            self._catalogue = load_catalogue(self._queries_folder)
        return self._catalogue

    # -- the embedded store ------------------------------------------------------------------

    @property
    def store(self) -> Any:
        """The embedded store (a pyoxigraph Store or an rdflib Dataset), loaded on first use."""
        if self._store is None:
            self.load()
        return self._store

    def load(self) -> None:
        """Load the embedded store now (otherwise the first query does)."""
        files = list(self.files) if self.files is not None else default_files()
        start = time.perf_counter()
        if self.graphs:
            self._store = _load_named_graphs(files, self.graphs, self.engine)
        elif self.engine == "oxigraph":
            self._store = _load_oxigraph(files)
        else:
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
                self._store = load_files(files, graph=Dataset(default_union=False))
        self.load_seconds = time.perf_counter() - start
        log.info("loaded %d files into %s in %.2f s", len(files), self.engine, self.load_seconds)

    # -- running -----------------------------------------------------------------------------

    def query(
        self, name: str | StoredQuery, params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> Result:
        """Run a stored query by name with parameters (a mapping, keywords, or both)."""
        stored = name if isinstance(name, StoredQuery) else self.catalogue[name]
        values = {**(params or {}), **kwargs}
        text = stored.bound_text(values)
        if self.remote is None and stored.text not in self._checked:
            check_safe(stored.text)
            self._checked.add(stored.text)
        # The bound text is the checked text plus one VALUES block of validated terms.
        return self._run(text, stored.form, checked=True)

    def resource_hints(
        self, name: str | StoredQuery, params: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> list[str]:
        """For each IRI parameter naming no resource of the embedded graph, a hint naming the
        closest IRIs of the same kind (``country/ES`` for ``country/XX``). Remote: none (the
        endpoint's graph is not ours to search). The query runs either way: these are warnings.
        """
        if self.remote is not None:
            return []
        stored = name if isinstance(name, StoredQuery) else self.catalogue[name]
        terms = stored.bindings({**(params or {}), **kwargs})
        hints = []
        for parameter in stored.parameters:
            term = terms.get(parameter.variable)
            if parameter.kind != "iri" or term is None:
                continue
            iri = term_to_sparql(term)
            if self._run(f"ASK {{ {{ {iri} ?p ?o }} UNION {{ ?s ?p {iri} }} }}", "ASK", checked=True):
                continue
            hints.append(f"parameter {parameter.name!r}: {self._missing_resource(term.value)}")
        return hints

    def _missing_resource(self, iri: str) -> str:
        namespace = iri[: max(iri.rfind("/"), iri.rfind("#")) + 1]
        rows = self._run(
            "SELECT DISTINCT ?s WHERE { ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "
            f"{term_to_sparql(pyoxigraph.Literal(namespace))})) }}",
            "SELECT",
            checked=True,
        )
        assert isinstance(rows, Rows)
        candidates = [str(row[0].value) for row in rows.terms if row[0] is not None]
        missing = f"no resource <{iri}> in the graph"
        if not candidates:
            return f"{missing}, nor any other resource whose IRI starts with <{namespace}>"
        closest = _closest(iri[len(namespace) :], candidates, namespace)
        more = ", ..." if len(closest) == HINT_SIZE < len(candidates) else ""
        return f"{missing}; did you mean {', '.join(closest)}{more}?"

    def sparql(self, text: str) -> Result:
        """Run an ad-hoc query (SELECT, CONSTRUCT, DESCRIBE or ASK)."""
        if self.remote is None:
            check_safe(text)
        return self._run(text, query_form(text), checked=True)

    def _run(self, text: str, form: str, *, checked: bool) -> Result:
        if self.remote is not None:
            return self.remote.run(text, form)
        if not checked:
            check_safe(text)
        if self.engine == "oxigraph":
            return self._run_oxigraph(text)
        return self._run_rdflib(text)

    def _run_oxigraph(self, text: str) -> Result:
        store = self.store
        try:
            result = store.query(text, use_default_graph_as_union=False)
            if isinstance(result, pyoxigraph.QuerySolutions):
                return Rows.from_solutions(result)
            if isinstance(result, pyoxigraph.QueryTriples):
                return Triples.from_iterable(result)
            return bool(result)
        except SyntaxError as exc:
            raise _syntax_error(text, exc.msg or str(exc)) from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"the query failed: {exc}") from None

    def _run_rdflib(self, text: str) -> Result:
        # pyparsing comes with rdflib's parser: only when that parser ran
        from pyparsing import ParseException

        graph = self.store
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                result = graph.query(text)
                if result.type == "SELECT":
                    result.bindings  # noqa: B018 - evaluate now, inside the filter
        except ParseException as exc:
            raise _syntax_error(text, str(exc)) from None
        except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for a bad query
            if undeclared_prefixes(text):  # rdflib parses it, then fails on the prefix
                raise _syntax_error(text, str(exc)) from None
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


#: How many close IRIs a hint names.
HINT_SIZE = 5
#: How alike two local names must be (difflib's ratio) to be close; when none is, the hint names
#: the first `HINT_SIZE` IRIs of the kind.
CLOSE_ENOUGH = 0.6


def _closest(local: str, candidates: Sequence[str], namespace: str) -> list[str]:
    """Up to `HINT_SIZE` candidates whose local part is most like `local`, as short forms."""

    def likeness(candidate: str) -> float:
        other = candidate[len(namespace) :].lower()
        return difflib.SequenceMatcher(None, local.lower(), other).ratio()

    scored = sorted((-likeness(c), c) for c in candidates)
    close = [c for score, c in scored if -score >= CLOSE_ENOUGH]
    ranked = (close or [c for _, c in scored])[:HINT_SIZE]
    return [c.removeprefix(ID_PREFIX) if c.startswith(ID_PREFIX) else f"<{c}>" for c in ranked]


def _syntax_error(text: str, detail: str) -> QueryError:
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


def _check_graph_iri(iri: str) -> str:
    try:
        if is_absolute_iri(iri):
            return pyoxigraph.NamedNode(iri).value
    except ValueError:
        pass
    raise InputError(
        f"--graph {iri!r} is not an absolute IRI, such as "
        "https://w3id.org/clustergraph/graph/clustergraph"
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


def run_query(
    name: str,
    params: Mapping[str, Any] | None = None,
    *,
    endpoint: str | None = None,
    **kwargs: Any,
) -> Result:
    """Run one stored query in a new session (hold a `Session` to run several)."""
    return Session(endpoint).query(name, params, **kwargs)


def run_sparql(text: str, *, endpoint: str | None = None) -> Result:
    """Run one ad-hoc query in a new session (hold a `Session` to run several)."""
    return Session(endpoint).sparql(text)
