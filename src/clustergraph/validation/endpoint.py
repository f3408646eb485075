"""Validate the data a SPARQL 1.1 endpoint holds, through queries only.

The endpoint's graph (its default graph, or the named graph given) is read with one CONSTRUCT
query through `clustergraph.remote.RemoteEndpoint` (timeouts, retries, credentials from the
environment), parsed with the same guards as a local file, merged with the ontology as a local
run is, and validated by the same engine: the report is that of a local run of the same
triples, without file:line locations. Nothing is written to the endpoint.

Note: the triples are fetched and validated here; the constraints are not evaluated inside the
store. A store that rewrites typed literals (Oxigraph turns `"4.0"^^xsd:decimal` into `"4"`)
hands out the rewritten form, and that is what the report shows.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from clustergraph.errors import EndpointError, InputError, RDFSyntaxError
from clustergraph.validation.model import ValidationReport

__all__ = ["graph_query", "validate_endpoint"]


def graph_query(graph: str | None = None) -> str:
    """The CONSTRUCT query reading every triple of the default graph, or of the named graph."""
    pattern = "?s ?p ?o"
    if graph is not None:
        import pyoxigraph

        try:
            term = pyoxigraph.NamedNode(graph)
        except ValueError as exc:
            raise InputError(f"--graph {graph!r} is not an IRI: {exc}") from None
        pattern = f"GRAPH {term} {{ ?s ?p ?o }}"
    return f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {pattern} }}"


def validate_endpoint(
    url: str, *, graph: str | None = None, timeout: float = 600.0, **options: Any
) -> ValidationReport:
    """Validate the graph held by the SPARQL endpoint at `url` (see the module's docs).

    `options` are those of `clustergraph.validation.validate` (shapes, ontology, engine, ...),
    except the data, which is the endpoint's. Raises `EndpointError` when the endpoint fails.
    """
    from clustergraph.remote import RemoteEndpoint
    from clustergraph.validation.run import validate

    if options.get("data") or options.get("with_shipped_data"):
        raise InputError("validate either files or an endpoint, not both")
    endpoint = RemoteEndpoint.from_env(url, timeout=timeout)
    body, content_type = endpoint.fetch(graph_query(graph), "CONSTRUCT")
    name = url if graph is None else f"{url} (graph <{graph}>)"
    suffix = ".nt" if "n-triples" in content_type else ".ttl"
    with tempfile.TemporaryDirectory(prefix="clustergraph-endpoint-") as folder:
        copy = Path(folder) / f"endpoint{suffix}"
        copy.write_bytes(body)
        try:
            return validate([copy], data_names={copy: name}, **options)
        except RDFSyntaxError as exc:
            raise EndpointError(f"{name} sent triples that do not parse: {exc.detail}") from None
