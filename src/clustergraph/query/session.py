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

The dataset (embedded; see `clustergraph.query.dataset`): each file loads into its named graph
(TriG and N-Quads keep theirs; the ontology into ``https://w3id.org/clustergraph/graph/ontology``,
data files into ``.../graph/data``), and the default graph is the union of all graphs unless
``union_default_graph=False``. `graphs` (``--graph IRI``) makes those named graphs the query's
default graph, as the protocol's ``default-graph-uri`` (which is what an endpoint is sent); a
graph the loaded files do not hold is refused. Relative IRIs in a query resolve against
`base_iri`, by default the dataset's ``https://w3id.org/clustergraph/id/`` (an endpoint is sent
``BASE <base_iri>`` before a text that needs it, as stores resolve against their own address).

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
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError
from clustergraph.files.load import (
    GraphSources,
)
from clustergraph.query.catalogue import (
    ID_PREFIX,
    Catalogue,
    StoredQuery,
    check_safe,
    load_catalogue,
    query_form,
    term_to_sparql,
)
from clustergraph.query.dataset import BASE_IRI, DataFile, QueryDataset, check_held, held_graphs
from clustergraph.query.embedded import DEFAULT_ENGINE, ENGINES, load_embedded, run_embedded, with_base
from clustergraph.query.parameters import is_absolute_iri
from clustergraph.query.results import Rows, Triples

__all__ = ["DEFAULT_ENGINE", "ENGINES", "Session", "default_files", "run_query", "run_sparql"]

log = logging.getLogger(__name__)


Result = Rows | Triples | bool


def default_files() -> list[Path]:
    """The files the embedded store loads by default: the ontology, then `data/*.ttl`."""
    return GraphSources().graph_files()


class Session:
    """Runs stored and ad-hoc queries, embedded or against a remote endpoint.

    `files`: the RDF files of the embedded store, or `GraphSources` (its ontology and data;
    default: `default_files()`); a file may be given with its graph, ``(path, iri)``, or
    ``(path, None)`` for the default graph; `engine`:
    ``"oxigraph"`` (default) or ``"rdflib"``; `endpoint`: a SPARQL endpoint URL, which makes the
    session remote (then `timeout`, `retries` and the credentials in the environment apply,
    see `clustergraph.query.remote.RemoteEndpoint`); `queries`: a folder of stored queries (default:
    the shipped catalogue); `graphs`: named graphs to query as the default graph;
    `union_default_graph`: False for a plain default graph (only what the files put there);
    `base_iri`: what relative IRIs in a query resolve against (None: none; see the module's docs).
    """

    def __init__(
        self,
        endpoint: str | None = None,
        *,
        files: GraphSources | Sequence[DataFile] | None = None,
        engine: str = DEFAULT_ENGINE,
        timeout: float = 60.0,
        retries: int = 3,
        queries: Path | str | None = None,
        graphs: Sequence[str] = (),
        union_default_graph: bool = True,
        base_iri: str | None = BASE_IRI,
    ) -> None:
        if engine not in ENGINES:
            raise InputError(f"unknown engine {engine!r} (known: {', '.join(ENGINES)})")
        self.engine = engine
        self._ontology: Path | None = None
        if isinstance(files, GraphSources):
            self._ontology = files.ontology
            files = files.graph_files()
        self.files: tuple[DataFile, ...] | None = (
            tuple(f if isinstance(f, tuple) else Path(f) for f in files) if files is not None else None
        )
        self.union_default_graph = union_default_graph
        self.base_iri = base_iri
        self._queries_folder = queries
        self._catalogue: Catalogue | None = None
        self._store: Any = None
        self._checked: set[str] = set()
        self.load_seconds: float | None = None
        self.graphs = tuple(_check_graph_iri(g) for g in graphs)
        self.dataset = QueryDataset.of(self.graphs, (), base_iri)
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
        store = load_embedded(files, engine=self.engine, union=self.union_default_graph,
                              ontology=self._ontology)
        check_held(store, self.graphs)
        self._store = store
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
            return self.remote.run(with_base(text, self.base_iri), form)
        if not checked:
            check_safe(text)
        return run_embedded(self.store, text, self.engine, self.dataset)

    def named_graphs(self) -> list[str]:
        """The IRIs of the named graphs of the embedded store (loaded on first use), sorted."""
        if self.remote is not None:
            raise InputError("the named graphs of a remote endpoint are not listed here")
        return held_graphs(self.store)



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
