"""`clustergraph diff`: what a change does to the graph, a thin layer over `clustergraph.diff`."""

from __future__ import annotations

import click

from clustergraph.diff import GRAPH_PATHS, diff, format_diff

__all__ = ["command"]


@click.command(name="diff")
@click.argument("old")
@click.argument("new", required=False)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="text for a terminal, markdown for a pull request comment or $GITHUB_STEP_SUMMARY, "
    "json for tools.",
)
@click.option(
    "--exit-code",
    is_flag=True,
    help="Exit with 1 when the graphs differ and 0 when they do not (like git diff --exit-code).",
)
@click.option(
    "--path",
    "graph_paths",
    multiple=True,
    metavar="FOLDER",
    help="A folder (or file) of the graph, relative to the repository's top, read for a git "
    "revision and for the work tree. Repeatable. [default: ontology, data]",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Show at most this many resources in text and markdown (0: all).",
)
def command(
    old: str, new: str | None, fmt: str, exit_code: bool, graph_paths: tuple[str, ...], limit: int
) -> None:
    """Show what changes from the graph OLD to the graph NEW, statement by statement, grouped
    by resource with its label: statements added and removed, resources new and gone.

    OLD and NEW are each a file, a folder, a git revision (main, HEAD~1: the graph folders at
    that revision, read without touching the work tree) or REV:PATH (main:data/clusters.ttl).
    Without NEW, the work tree's graph folders. A path that exists wins over a revision of the
    same name. Blank nodes are compared by structure and prefixes do not count, so reordering a
    file, renaming a prefix or relabelling blank nodes shows no change.

    Exit codes: 0 (also when the graphs differ, unless --exit-code: then 1), 2 bad input.

    \b
    Examples:
      clustergraph diff main                    # main vs. the work tree
      clustergraph diff HEAD~1 HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"
      clustergraph diff old.ttl new.ttl --format json
    """
    result = diff(old, new, graph_paths=graph_paths or GRAPH_PATHS)
    click.echo(format_diff(result, fmt, limit=limit), nl=False)
    raise click.exceptions.Exit(1 if exit_code and result.changed else 0)
