"""`clustergraph validate-changed REV`: judge only what changed since a git revision.

A thin layer over `clustergraph.incremental.validate_changed_since`; its verdict and report are
those of `clustergraph validate` with the same files and options.
"""

from __future__ import annotations

import click

__all__ = ["command"]


@click.command(name="validate-changed")
@click.argument("rev")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--shapes", type=click.Path(path_type=str), help="SHACL shapes file instead of the shipped one.")
@click.option("--ontology", type=click.Path(path_type=str), help="Ontology file instead of the shipped one.")
@click.option("--with-shipped-data", is_flag=True, help="Validate PATHs together with the shipped data.")
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning"]),
    default="violation",
    show_default=True,
    help="The least severe result that makes validation fail (infos never do).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit", "github", "turtle"]),
    default="text",
    show_default=True,
    help="As for clustergraph validate (turtle: the report without the result details).",
)
@click.option("--no-queries", is_flag=True, help="Skip the syntax check of the stored queries.")
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=str),
    envvar="CLUSTERGRAPH_CACHE_DIR",
    help="Where the validated base graphs are kept [default: ~/.cache/clustergraph/validate].",
)
def command(
    rev: str,
    paths: tuple[str, ...],
    shapes: str | None,
    ontology: str | None,
    with_shipped_data: bool,
    fail_on: str,
    fmt: str,
    no_queries: bool,
    cache_dir: str | None,
) -> None:
    """Validate the graph judging only what changed since the git revision REV.

    Only the focus nodes the change can reach are validated again; every other result is the
    one kept from the base revision's run (the first run for a base builds it, a full run). A
    change to the shapes or the ontology makes it a full run. The verdict and the report are a
    full run's. Exit codes as for clustergraph validate: 0 conforms, 1 does not, 2 bad input.
    """
    from clustergraph.incremental import validate_changed_since
    from clustergraph.report import format_report

    judged = validate_changed_since(
        rev, list(paths) or None, shapes=shapes, ontology=ontology,
        with_shipped_data=with_shipped_data, fail_on=fail_on, queries=not no_queries,
        cache_dir=cache_dir,
    )
    click.echo(format_report(judged.report, fmt), nl=False)
    click.echo(f"{judged.mode} run: {judged.reason}", err=True)
    raise click.exceptions.Exit(judged.report.exit_code)
