"""`clustergraph info`: a thin layer over `clustergraph.info.graph_info`."""

from __future__ import annotations

import json

import click

import clustergraph.info  # `clustergraph.info.graph_info` is looked up per call: tests replace it

__all__ = ["command"]


@click.command(name="info")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--ontology", type=click.Path(path_type=str), help="Ontology file instead of the shipped one."
)
@click.option(
    "--with-shipped-data", is_flag=True, help="Count PATHs together with the shipped data."
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True,
    help="Output: an aligned table, or JSON.",
)
def command(
    paths: tuple[str, ...], ontology: str | None, with_shipped_data: bool, fmt: str
) -> None:
    """Show what the graph holds (the shipped data, or PATHS): triples, resources per class,
    source documents and the ontology version."""
    info = clustergraph.info.graph_info(
        list(paths) or None, ontology=ontology, with_shipped_data=with_shipped_data
    )
    if fmt == "json":
        click.echo(json.dumps(info.to_dict(), indent=2, ensure_ascii=False))
    else:
        click.echo(info.table(), nl=False)
