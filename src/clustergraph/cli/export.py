"""`clustergraph export`: write the graph in RDF formats or as a table, deterministically."""

from __future__ import annotations

import os
from pathlib import Path

import click

from clustergraph.cli.outputs import OutputPath
from clustergraph.export import FORMATS, build_export_graph, export, export_all, parse_formats

FORMAT_NAMES = ["turtle", "ntriples", "nquads", "trig", "jsonld", "rdfxml", "csv", "tsv", "all"]


@click.command("export")
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    default=("turtle",),
    show_default=True,
    metavar="FORMAT[,FORMAT...]",
    help="One or more of " + ", ".join(FORMAT_NAMES) + " (repeatable or comma-separated).",
)
@click.option(
    "--out",
    "-o",
    default="-",
    show_default=True,
    type=OutputPath(),
    metavar="PATH|-",
    help="File to write, - for standard output, or a folder (FOLDER/) to write clustergraph.* and void.ttl "
         "into. A file's output is the file and its description OUT.void.ttl beside it (see --description), "
         "replaced together or not at all. An existing link, device, FIFO or socket is refused.",
)
@click.option(
    "--include",
    default="ontology,data",
    show_default=True,
    metavar="PARTS",
    help="Comma-separated parts to export: ontology, data, shapes.",
)
@click.option(
    "--data",
    "data",
    multiple=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Export these RDF files as the data part instead of the shipped data. Repeatable.",
)
@click.option(
    "--description",
    "description",
    default=None,
    type=OutputPath(),
    metavar="PATH|-",
    help="Where to write the VoID/DCAT description, - for standard output "
         "[default: OUT.void.ttl, or void.ttl in the folder].",
)
@click.option("--no-description", is_flag=True, help="Do not write the dataset description.")
@click.option(
    "--download-base",
    default=None,
    metavar="URL",
    help="URL the files will be published under, for the description's download links.",
)
@click.option(
    "--skolemize",
    is_flag=True,
    help="Replace blank nodes by IRIs under https://w3id.org/clustergraph/.well-known/genid/.",
)
def command(
    formats: tuple[str, ...],
    out: str,
    include: str,
    data: tuple[Path, ...],
    description: str | None,
    no_description: bool,
    download_base: str | None,
    skolemize: bool,
) -> None:
    """Export the graph: byte-identical output for identical input, written atomically.

    Turtle, N-Triples, N-Quads and TriG (one named graph per part), JSON-LD compacted against
    ontology/context.jsonld and embedding it, RDF/XML, and CSV/TSV with one row per industrial
    cluster. With a file, a VoID/DCAT description is written beside it (OUT.void.ttl, part of
    the output); into a folder (FOLDER/), only clustergraph.* and void.ttl are written and no
    other file is touched. Every file is written beside its target first and the set is swapped
    in at the end: a failure, a full disk, Ctrl-C or SIGTERM leaves the previous files whole.

    \b
    Examples:
      clustergraph export --format turtle --out clustergraph.ttl
      clustergraph export -f ntriples --include ontology,data,shapes > all.nt
      clustergraph export -f all --out release/
    """
    names = parse_formats(formats)
    graph = build_export_graph(include, data=list(data) or None, skolemize=skolemize)
    into_folder = out != "-" and (out.endswith(("/", os.sep)) or Path(out).is_dir())
    if len(names) > 1 or into_folder:
        if out == "-":
            raise click.UsageError("several formats need --out FOLDER")
        result = export_all(out, names, graph=graph, description=not no_description,
                            download_base=download_base)
        for fmt, path in result.files.items():
            click.echo(f"wrote {path} ({FORMATS[fmt].label}, {result.sizes[fmt]} bytes)", err=True)
    else:
        desc: str | bool | None = False if no_description else description
        result = export(names[0], out, graph=graph, description=desc, download_base=download_base)
        if out != "-":
            click.echo(f"wrote {out} ({FORMATS[names[0]].label}, {result.sizes[names[0]]} bytes, "
                       f"{result.triples} triples)", err=True)
    if result.description is not None:
        click.echo(f"wrote {result.description} (VoID/DCAT description)", err=True)
