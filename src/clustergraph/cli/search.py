"""`clustergraph search TEXT`: a thin layer over `clustergraph.serve.search.search_names`."""

from __future__ import annotations

import json
from pathlib import Path

import click

from clustergraph.cli.terminal import WIDE_HELP, table_width
from clustergraph.query.catalogue import ID_PREFIX
from clustergraph.query.table import text_table
from clustergraph.serve.search import KIND_NAMES, search_names

__all__ = ["command"]


@click.command(name="search")
@click.argument("text")
@click.option("--limit", type=click.IntRange(1, 1000), default=20, show_default=True,
              help="Show at most this many matches.")
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Search these RDF files (with the ontology) instead of the shipped data. "
              "Repeatable.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="Output: an aligned table, or JSON as /api/search gives it.")
@click.option("--wide", is_flag=True, help=WIDE_HELP)
def command(text: str, limit: int, data: tuple[Path, ...], fmt: str, wide: bool) -> None:
    """Find clusters, organisations, people and technologies by any of their names (case and
    accents ignored; names that start with TEXT first), as the server's search box does.

    Exit code 1 when nothing matches.
    """
    hits = search_names(text, data=list(data) or None, limit=limit)
    if fmt == "json":
        click.echo(json.dumps([hit.to_json() for hit in hits], indent=2, ensure_ascii=False))
    else:
        rows = [[hit.label, KIND_NAMES.get(hit.kind, hit.kind),
                 "" if hit.matched == hit.label else hit.matched,
                 hit.iri.removeprefix(ID_PREFIX)] for hit in hits]
        click.echo(text_table(["name", "kind", "matched name", "resource"], rows, table_width(wide)),
                   nl=False)
    if not hits:
        raise SystemExit(1)
