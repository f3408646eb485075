"""`clustergraph publish`: load the graph into a remote store, replacing its default graph (or a
named graph) atomically."""

from __future__ import annotations

from pathlib import Path

import click

from clustergraph.http.settings import BACKOFF, MAX_RETRY_AFTER, RETRIES
from clustergraph.publish import GraphStore, publish

ENV_PUBLISH_ENDPOINT = "CLUSTERGRAPH_PUBLISH_ENDPOINT"


@click.command("publish")
@click.option("--endpoint", required=True, envvar=ENV_PUBLISH_ENDPOINT, metavar="URL",
              help=f"Base URL of the store (its services are found by --layout) [env: {ENV_PUBLISH_ENDPOINT}].")
@click.option("--layout", type=click.Choice(["oxigraph", "virtuoso"]), default="oxigraph", show_default=True,
              help="The store's services: oxigraph (/store, /query, /update) or virtuoso "
                   "(/sparql-graph-crud-auth, /sparql-auth; queries without a graph read all graphs).")
@click.option("--graph", "graph", default=None, metavar="IRI",
              help="Named graph to replace [default: the default graph; on Virtuoso "
                   "https://w3id.org/clustergraph/graph/clustergraph, which it reads by default].")
@click.option("--store-url", default=None, metavar="URL", help="Graph Store Protocol URL, if not ENDPOINT/store.")
@click.option("--query-url", default=None, metavar="URL", help="SPARQL query URL, if not ENDPOINT/query.")
@click.option("--update-url", default=None, metavar="URL", help="SPARQL update URL, if not ENDPOINT/update.")
@click.option("--include", default="ontology,data", show_default=True, metavar="PARTS",
              help="Comma-separated parts to publish: ontology, data, shapes.")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Publish these RDF files as the data part instead of the shipped data. Repeatable.")
@click.option("--retries", type=click.IntRange(min=0), default=RETRIES, show_default=True,
              help="Retries of each request on transient errors (connection cut, time-out, 429, 5xx).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=120.0, show_default=True,
              help="Seconds each attempt of a request may take, all of it: connecting, sending, "
                   "receiving the answer (a store that trickles is cut then). A request takes at "
                   "most (RETRIES + 1) x TIMEOUT plus the waits between attempts "
                   f"({BACKOFF:g} s, doubled each time, or what Retry-After asks, up to "
                   f"{MAX_RETRY_AFTER:g} s).")
@click.option("--progress/--no-progress", default=None,
              help="Show a progress bar [default: when standard error is a terminal].")
def command(endpoint: str, layout: str, graph: str | None, store_url: str | None, query_url: str | None,
            update_url: str | None, include: str, data: tuple[Path, ...], retries: int,
            timeout: float, progress: bool | None) -> None:
    """Publish the graph to a SPARQL store through the Graph Store Protocol, atomically.

    Loads the store's default graph (where `clustergraph query --endpoint` looks) unless --graph
    names one. Uploads into a staging graph, checks its triple count, then replaces the target
    in one SPARQL Update (MOVE), so readers see the old graph or the new one, never half.
    Credentials: CLUSTERGRAPH_ENDPOINT_USER and CLUSTERGRAPH_ENDPOINT_PASSWORD (basic, or
    Digest when the store asks) or CLUSTERGRAPH_ENDPOINT_TOKEN (bearer). Redirects (3xx) are
    not followed: nothing is sent where they point. Exit code 4 when the store fails, times out
    or redirects.

    \b
    Examples:
      clustergraph publish --endpoint http://127.0.0.1:7878
      clustergraph publish --endpoint http://127.0.0.1:8890 --layout virtuoso
    """
    store = GraphStore.from_env(endpoint, layout=layout, store_url=store_url, query_url=query_url,
                                update_url=update_url, retries=retries, timeout=timeout)
    result = publish(store, graph=graph, include=include, data=list(data) or None,
                     progress=progress)
    where = f"<{result.graph}>" if result.graph else "the default graph"
    click.echo(f"published {result.triples} triples to {where} at {result.endpoint} "
               f"({result.bytes_sent} bytes, {result.requests} requests, {result.seconds:.1f} s)", err=True)
