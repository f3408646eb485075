"""Validate the data a SPARQL 1.1 endpoint holds, through queries only.

The graph (the endpoint's default graph, or the named graph given, sent as the protocol's
`default-graph-uri`) is validated in the store that holds it: the engine reads it through
`EndpointGraph` (the focus nodes' triples fetched in batches, the SPARQL constraints run by
the store), with the ontology's triples added as a local run merges them. The report is that of
a local run of the same triples, without file:line locations, and says `engine: in-store`.
Requests go through `clustergraph.query.remote.RemoteEndpoint` (timeouts, retries, credentials from
the environment). Nothing is written to the endpoint.

Where that cannot be done, the graph is copied here with one CONSTRUCT query, parsed with the
same guards as a local file and validated as one, and the report says why: a graph with blank
nodes (SPARQL cannot name one in a later query), shapes that need pySHACL (inference, or
features our engine lacks) or `$shapesGraph`.

A store that gives only the first rows of a long answer (Virtuoso's ResultSetMaxRows) is found
out before anything runs (`answer_limit`), and asked in parts; a copy it cuts short is an
`EndpointError`.

SHACL-SPARQL constraints see the store's graph only: if they ask about the ontology's triples,
load the ontology into the store too. A store that rewrites typed literals (Oxigraph turns
`"4.0"^^xsd:decimal` into `"4"`) hands out the rewritten form, and that is what the report shows.
"""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph

from clustergraph.errors import EndpointError, InputError, RDFSyntaxError
from clustergraph.files.load import GraphSources
from clustergraph.files.scratch import scratch_folder
from clustergraph.shacl import Unsupported
from clustergraph.validation.model import ValidationReport
from clustergraph.validation.run import StoreSource, validate

if TYPE_CHECKING:
    from clustergraph.query.remote import RemoteEndpoint

__all__ = ["graph_query", "validate_endpoint"]

log = logging.getLogger(__name__)


def graph_query(graph: str | None = None) -> str:
    """The CONSTRUCT query reading every triple of the default graph, or of the named graph."""
    pattern = "?s ?p ?o"
    if graph is not None:
        try:
            term = pyoxigraph.NamedNode(graph)
        except ValueError as exc:
            raise InputError(f"--graph {graph!r} is not an IRI: {exc}") from None
        pattern = f"GRAPH {term} {{ ?s ?p ?o }}"
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}"


def validate_endpoint(
    url: str,
    *,
    graph: str | None = None,
    timeout: float = 600.0,
    kept_nodes: int = 20_000,
    sources: GraphSources | None = None,
    **options: Any,
) -> ValidationReport:
    """Validate the graph held by the SPARQL endpoint at `url` (see the module's docs).

    `timeout`: seconds per request. `kept_nodes`: how many nodes' triples are kept here at
    most (what bounds the memory a validation in the store takes). `options` are those of
    `clustergraph.validation.validate` (shapes, ontology, engine, ...), except the data, which
    is the endpoint's. `sources`: `GraphSources` whose shapes and ontology are used (its data
    files are not: the endpoint holds the data). Raises `EndpointError` when the endpoint fails.

    It needs a running endpoint, so the example is not run here::

        report = validate_endpoint("http://localhost:7878/query")  # its default graph
        report.conforms, report.count_by_severity()
        report.engine    # 'in-store', or that of the copy's run (its reason in report.warnings)
        report = validate_endpoint("http://localhost:7878/query", graph="https://example.org/g",
                                   kept_nodes=5_000)  # a named graph, less memory
    """
    # The HTTP client (query.remote, which endpoint_graph imports): ~0.03 s to import
    # (python -X importtime) that `clustergraph validate` of files does without.
    from clustergraph.query.remote import RemoteEndpoint
    from clustergraph.validation.endpoint_graph import EndpointGraph, answer_limit

    if options.get("data") or options.get("with_shipped_data"):
        raise InputError("validate either files or an endpoint, not both")
    if sources is not None:
        options = {**options, "shapes": sources.shapes, "ontology": sources.ontology}
    graph_query(graph)  # refuses a --graph that is no IRI
    if kept_nodes < 1:
        raise InputError(f"kept_nodes must be at least 1, not {kept_nodes}")
    endpoint = RemoteEndpoint.from_env(
        url, timeout=timeout, default_graphs=() if graph is None else (graph,)
    )
    name = url if graph is None else f"{url} (graph <{graph}>)"
    empty = endpoint.solutions("ASK { ?s ?p ?o }", "ASK") is False
    limit = answer_limit(endpoint)
    in_store = StoreSource(
        name, lambda ontology: EndpointGraph(endpoint, ontology, keep=kept_nodes, row_limit=limit)
    )
    try:
        report = validate(in_store=in_store, **options)
        if empty:  # as a local run says of an empty file
            report.warnings.insert(0, f"{name}: the graph holds no triples")
        return report
    except Unsupported as exc:
        reason = f"validating in the store needs what it cannot give ({exc})"
    log.info("%s: %s; copying the graph", name, reason)
    report = _validate_copy(endpoint, graph, name, options)
    report.warnings.insert(0, f"{name}: {reason}, so the graph was copied here and validated")
    return report


def _validate_copy(
    endpoint: RemoteEndpoint, graph: str | None, name: str, options: dict[str, Any]
) -> ValidationReport:
    """Copy the graph with one CONSTRUCT and validate the copy as a local file."""
    whole = dataclasses.replace(endpoint, default_graphs=())  # the query names the graph
    body, content_type = whole.fetch(graph_query(graph), "CONSTRUCT", whole=True)
    _check_whole(whole, graph, name, body, content_type)
    suffix = ".nt" if "n-triples" in content_type else ".ttl"
    with scratch_folder("clustergraph-endpoint-") as folder:
        copy = Path(folder) / f"endpoint{suffix}"
        copy.write_bytes(body)
        try:
            return validate([copy], data_names={copy: name}, **options)
        except RDFSyntaxError as exc:
            raise EndpointError(f"{name} sent triples that do not parse: {exc.detail}") from None


def _check_whole(
    endpoint: RemoteEndpoint, graph: str | None, name: str, body: bytes, content_type: str
) -> None:
    """Raise `EndpointError` when the copy holds fewer triples than the endpoint counts in the
    graph: it cut its answer (Virtuoso cuts a CONSTRUCT at ResultSetMaxRows, silently)."""
    pattern = graph_query(graph).split("WHERE", 1)[1]
    counted = endpoint.solutions(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {pattern} }}"
    )
    assert not isinstance(counted, bool)
    held = int(next(iter(counted))["n"].value)
    fmt = pyoxigraph.RdfFormat.N_TRIPLES if "n-triples" in content_type else None
    try:
        got = sum(1 for _ in pyoxigraph.parse(body, format=fmt or pyoxigraph.RdfFormat.TURTLE))
    except SyntaxError:
        return  # validate() says where it does not parse
    if got < held:
        raise EndpointError(
            f"{name} gave {got} of the {held} triples it holds: it cuts its answers; raise "
            "its limit on the rows of an answer (Virtuoso: ResultSetMaxRows)"
        )
