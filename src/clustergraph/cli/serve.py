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
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
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
@click.option("--data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Serve these RDF files (with the ontology) instead of the shipped data. Repeatable.")
def command(host: str, port: int, timeout: float, max_rows: int, max_body: int, workers: int,
            max_memory: int, data: tuple[Path, ...]) -> None:
    """Serve the graph: /sparql, /api/queries/NAME, /id/..., the query page at /, /void, /health.

    Read-only: updates, SERVICE, LOAD and FROM are refused. Stop with Ctrl-C.
    """
    for path in data:
        if not path.is_file():
            raise InputError(f"{path}: no such file")
    serve(ServeSettings(host=host, port=port, timeout=timeout, max_rows=max_rows,
                        max_body=max_body, workers=workers, max_memory=max_memory,
                        data=tuple(data)))
