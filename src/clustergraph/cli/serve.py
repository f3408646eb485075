"""`clustergraph serve`: the read-only SPARQL endpoint, query page and linked-data pages."""

from __future__ import annotations

from pathlib import Path

import click

from clustergraph.errors import InputError
from clustergraph.serve.run import serve
from clustergraph.serve.settings import ServeSettings


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind; the loopback unless you say otherwise.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="TCP port to listen on (0: any free port, printed when the server is up).")
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds one query may run before it is stopped (503).")
@click.option("--max-rows", type=click.IntRange(min=1), default=10_000, show_default=True,
              help="Most rows or triples in one answer; longer answers are cut and say so.")
@click.option("--max-body", type=click.IntRange(min=1), default=100_000, show_default=True,
              help="Largest request body in bytes (413 beyond).")
@click.option("--workers", type=click.IntRange(1, 64), default=2, show_default=True,
              help="Query processes: a slow query holds one while the others answer.")
@click.option("--max-memory", type=click.IntRange(min=256), default=2048, show_default=True,
              help="Megabytes of memory per query process; a query that needs more is stopped (503).")
@click.option("--header-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to send a request's line and headers, from the connection or the "
                   "previous answer; an idle connection is closed then, a partial request gets 408.")
@click.option("--body-timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to send a request's whole body once its headers are in (408 beyond).")
@click.option("--max-connections", type=click.IntRange(min=1), default=4096, show_default=True,
              help="Open connections; past this the one idle longest is closed to make room.")
@click.option("--max-concurrent", type=click.IntRange(min=1), default=512, show_default=True,
              help="Requests answered at once, all clients together (503 beyond); idle "
                   "connections do not count.")
@click.option("--max-concurrent-per-client", type=click.IntRange(min=1), default=128,
              show_default=True,
              help="Requests answered at once for one client address (429 beyond).")
@click.option("--trust-proxy", is_flag=True, default=False,
              help="Behind a reverse proxy: take the scheme, host, port and path prefix clients "
                   "used from X-Forwarded-Proto/-Host/-Port/-Prefix (so the service description "
                   "and links name the public address) and the client's address from "
                   "X-Forwarded-For. Only when every request comes through that proxy: "
                   "otherwise any client can set them.")
@click.option("--data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Serve these RDF files (with the ontology) instead of the shipped data. Repeatable.")
@click.option("--plain-default-graph", is_flag=True,
              help="The default graph holds only the triples the files put there (those outside "
                   "any graph of a TriG or N-Quads file), not the union of all graphs.")
def command(host: str, port: int, timeout: float, max_rows: int, max_body: int, workers: int,
            max_memory: int, header_timeout: float, body_timeout: float, max_connections: int,
            max_concurrent: int, max_concurrent_per_client: int, trust_proxy: bool,
            data: tuple[Path, ...], plain_default_graph: bool) -> None:
    """Serve the graph: /sparql, /api/queries/NAME, /id/..., the query page at /, /void, /health.

    Read-only: updates, SERVICE and LOAD are refused (FROM selects graphs held
    here and fetches nothing). Stop with Ctrl-C.

    \b
    The dataset: each file in its named graph (TriG and N-Quads keep theirs;
    the ontology in https://w3id.org/clustergraph/graph/ontology, the data in
    https://w3id.org/clustergraph/graph/data); the default graph is the union
    of all graphs unless --plain-default-graph. default-graph-uri,
    named-graph-uri, FROM and FROM NAMED select graphs held here; one not held
    is an empty graph. Relative IRIs in a query resolve against
    https://w3id.org/clustergraph/id/.

    \b
    Limits besides the options (each answer is JSON {"error": ...} naming it):
      request line over 64 KiB: 414
      header fields over 32 KiB, or more than 100 of them: 431
      a query the SPARQL check refuses (nested too deep, SERVICE, an update): 400
      an address whose queries stopped 3 workers (a crash or the time limit)
        within 60 s: its queries are refused for 60 s (429, Retry-After)
      a kept-alive connection idle for 5 s: closed
    Limits per client count the address a connection comes from: behind a
    reverse proxy, every client has the proxy's unless --trust-proxy is given.
    """
    for path in data:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
    serve(ServeSettings(host=host, port=port, timeout=timeout, max_rows=max_rows,
                        max_body=max_body, workers=workers, max_memory=max_memory,
                        data=tuple(data), header_timeout=header_timeout,
                        body_timeout=body_timeout, max_connections=max_connections,
                        max_concurrent=max_concurrent,
                        max_concurrent_per_client=max_concurrent_per_client,
                        trust_proxy=trust_proxy,
                        union_default_graph=not plain_default_graph))
