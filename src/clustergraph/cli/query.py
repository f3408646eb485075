"""`clustergraph queries`, `clustergraph query NAME` and `clustergraph sparql QUERY_OR_FILE`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from clustergraph.cli.terminal import WIDE_HELP, table_width
from clustergraph.errors import InputError, ParameterError
from clustergraph.files.paths import ontology_file
from clustergraph.http.settings import endpoint_url_problem
from clustergraph.query.catalogue import ID_PREFIX, load_catalogue
from clustergraph.query.results import Rows, Triples
from clustergraph.query.session import Session, default_files

ROW_FORMATS = ["table", "csv", "tsv", "json", "markdown"]
RDF_FORMATS = ["turtle", "ntriples", "jsonld"]
ENV_ENDPOINT = "CLUSTERGRAPH_ENDPOINT"


def _endpoint_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Refuse an --endpoint that is no http(s) URL as a usage error (exit 2) naming the option."""
    problem = endpoint_url_problem(value) if value else None
    if problem:
        raise click.BadParameter(problem, ctx=ctx, param=param)
    return value


def _where_options(func: Any) -> Any:
    func = click.option(
        "--graph",
        "graphs",
        multiple=True,
        metavar="IRI",
        help="Query this named graph as the default graph (the protocol's default-graph-uri, "
        "which is what an --endpoint is sent). Embedded, each file is in its graph: TriG and "
        "N-Quads keep theirs, the ontology is in https://w3id.org/clustergraph/graph/ontology and "
        "the data in .../graph/data; without --graph the default graph is their union. "
        "Repeatable (their merge).",
    )(func)
    func = click.option(
        "--timeout",
        type=click.FloatRange(min=0.1),
        default=60.0,
        show_default=True,
        help="Seconds to wait for a remote endpoint.",
    )(func)
    func = click.option(
        "--data",
        "data",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="Query these RDF files (with the ontology) instead of the shipped data. Repeatable.",
    )(func)
    func = click.option(
        "--endpoint",
        envvar=ENV_ENDPOINT,
        metavar="URL",
        callback=_endpoint_url,
        help=f"Send the query to this SPARQL endpoint instead of the embedded store [env: {ENV_ENDPOINT}].",
    )(func)
    func = click.option(
        "--wide",
        is_flag=True,
        help=WIDE_HELP,
    )(func)
    func = click.option(
        "--format",
        "fmt",
        type=click.Choice(ROW_FORMATS + RDF_FORMATS),
        default=None,
        help="Output: table (default), csv, tsv, json, markdown for rows; turtle (default), "
        "ntriples, jsonld for CONSTRUCT/DESCRIBE.",
    )(func)
    return func


def _session(
    endpoint: str | None, data: tuple[Path, ...], timeout: float, graphs: tuple[str, ...]
) -> Any:
    if endpoint and data:
        raise click.UsageError(
            "--data and --endpoint cannot be combined: the endpoint has its own data"
        )
    files = [ontology_file(), *data] if data else default_files()
    return Session(endpoint or None, files=files, timeout=timeout, graphs=graphs)


def _print(result: Any, fmt: str | None, wide: bool = False) -> None:
    if isinstance(result, Rows):
        if fmt in RDF_FORMATS:
            raise click.UsageError(
                f"--format {fmt} is for CONSTRUCT/DESCRIBE; rows take {', '.join(ROW_FORMATS)}"
            )
        click.echo(result.format(fmt or "table", width=table_width(wide)), nl=False)
    elif isinstance(result, Triples):
        if fmt in ROW_FORMATS:
            raise click.UsageError(
                f"--format {fmt} is for rows; RDF takes {', '.join(RDF_FORMATS)}"
            )
        click.echo(result.serialize(fmt or "turtle"), nl=False)
    else:
        if fmt == "json":
            click.echo("true" if result else "false")
        else:
            click.echo("yes" if result else "no")


def _parse_params(items: tuple[str, ...]) -> dict[str, str]:
    values: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise ParameterError(name or item, f"write parameters as NAME=VALUE (got {item!r})")
        if name in values:
            raise ParameterError(name, "given more than once")
        values[name] = value
    return values


@click.command("queries")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "markdown"]),
    default="table",
    show_default=True,
    help="Output format of the catalogue.",
)
@click.option("--tag", default=None, help="Only queries with this tag.")
def queries_command(fmt: str, tag: str | None) -> None:
    """List the stored queries: name, summary, parameters with types and defaults."""
    _list_catalogue(fmt, tag)


def _list_catalogue(fmt: str, tag: str | None) -> None:
    catalogue = load_catalogue()
    entries = [q for q in catalogue if tag is None or tag in q.tags]
    if fmt == "json":
        data = [
            {
                "name": q.name,
                "summary": q.summary,
                "description": q.description,
                "tags": list(q.tags),
                "form": q.form,
                "parameters": [
                    {
                        "name": p.name,
                        "type": p.type_name,
                        "required": p.required,
                        "default": p.default,
                        "values": list(p.enum),
                        "bounds": _json_bounds(p),
                    }
                    for p in q.parameters
                ],
            }
            for q in entries
        ]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return

    def params_text(q: Any) -> str:
        parts = []
        for p in q.parameters:
            text = f"{p.name}:{p.type_name}"
            if p.default is not None:
                text += f"={_short(p.default)}"
            elif not p.required:
                text += " (optional)"
            if p.bounds is not None:
                text += f" ({p.bounds.text})"
            parts.append(text)
        return ", ".join(parts) or "-"

    if fmt == "markdown":
        click.echo("| query | summary | parameters |")
        click.echo("|---|---|---|")
        for q in entries:
            click.echo(f"| `{q.name}` | {q.summary} | {params_text(q)} |")
        return
    width = max((len(q.name) for q in entries), default=4)
    for q in entries:
        click.echo(f"{q.name.ljust(width)}  {q.summary}")
        click.echo(f"{'':{width}}  parameters: {params_text(q)}")
    click.echo(
        f"\n{len(entries)} queries. Run one with: clustergraph query NAME --param name=value"
    )


def _json_bounds(parameter: Any) -> dict[str, int | float]:
    """A parameter's bounds by XSD facet name, as JSON numbers ({} when unbounded)."""
    if parameter.bounds is None:
        return {}
    return {
        facet: int(value) if value == value.to_integral_value() else float(value)
        for facet, value in parameter.bounds.facets().items()
    }


def _short(value: str) -> str:
    return value.removeprefix(ID_PREFIX)


@click.command("query")
@click.argument("name", required=False)
@click.option(
    "--param",
    "-p",
    "params",
    multiple=True,
    metavar="NAME=VALUE",
    help="A parameter value, e.g. -p country=country/IN. Repeatable.",
)
@_where_options
@click.option(
    "--show-query", is_flag=True, help="Print the query with its parameters bound, and stop."
)
def query_command(
    name: str | None,
    params: tuple[str, ...],
    fmt: str | None,
    wide: bool,
    endpoint: str | None,
    data: tuple[Path, ...],
    timeout: float,
    graphs: tuple[str, ...],
    show_query: bool,
) -> None:
    """Run the stored query NAME (see `clustergraph queries`) and print its rows.

    IRI parameters take a full IRI or a short form of our resources: country/IN stands for
    https://w3id.org/clustergraph/id/country/IN. Give an optional parameter as NAME= to leave it unbound.
    Embedded, an IRI naming no resource of the graph gets a warning with the closest IRIs.
    Without NAME, lists the stored queries (as `clustergraph queries`).
    """
    if name is None:
        if params or show_query:
            raise click.UsageError("name the stored query to run (clustergraph query NAME)")
        _list_catalogue("json" if fmt == "json" else "markdown" if fmt == "markdown" else "table", None)
        return
    values = _parse_params(params)
    stored = load_catalogue()[name]
    if show_query:
        click.echo(stored.bound_text(values), nl=False)
        return
    stored.bindings(values)  # check the parameters before loading anything
    session = _session(endpoint, data, timeout, graphs)
    for hint in session.resource_hints(stored, values):
        click.echo(f"clustergraph: warning: {hint}", err=True)
    _print(session.query(stored, values), fmt, wide)


@click.command("sparql")
@click.argument("query_or_file")
@_where_options
def sparql_command(
    query_or_file: str,
    fmt: str | None,
    wide: bool,
    endpoint: str | None,
    data: tuple[Path, ...],
    timeout: float,
    graphs: tuple[str, ...],
) -> None:
    """Run an ad-hoc SPARQL query: its text, a .rq/.sparql file, or - for standard input.

    In the embedded store SERVICE and updates are refused, and so is a query nested
    too deep; FROM and FROM NAMED select graphs of the store and fetch nothing (one
    not held is an empty graph). Relative IRIs resolve against
    https://w3id.org/clustergraph/id/: <country/IN> is our resource.
    """
    if query_or_file == "-":
        text = sys.stdin.read()
    elif "{" not in query_or_file and Path(query_or_file).suffix in (".rq", ".sparql", ".txt"):
        path = Path(query_or_file)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
    else:
        text = query_or_file
    session = _session(endpoint, data, timeout, graphs)
    _print(session.sparql(text), fmt, wide)
