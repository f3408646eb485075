"""`clustergraph site OUT/`: build the static linked-data website."""

from __future__ import annotations

from pathlib import Path

import click

from clustergraph.cli.outputs import OutputPath
from clustergraph.site import build_site


@click.command("site")
@click.argument("out", type=OutputPath(dash=False, what="folder"))
@click.option("--data", "data", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Build from these RDF files (with the ontology) instead of the shipped data. Repeatable.")
@click.option("--host-url", default="https://clustergraph.github.io/clustergraph/", show_default=True,
              metavar="URL", help="Where the site will be served; the w3id.org rules redirect there.")
@click.option("--endpoint", default=None, metavar="URL",
              help="A SPARQL endpoint serving the graph, named in the dataset description.")
@click.option("--no-downloads", is_flag=True, help="Do not write the export files into downloads/.")
def command(out: str, data: tuple[Path, ...], host_url: str, endpoint: str | None, no_downloads: bool) -> None:
    """Build the static site into OUT/ (a new or empty folder, or a previous build, replaced whole).

    One page per resource at the path of its IRI (id/cluster/<slug>/index.html beside
    index.ttl and index.jsonld), index pages per kind, the technology tree, the ontology
    documentation, a map of all clusters (drawn offline: no tile server, no CDN), downloads
    with the VoID/DCAT description, and .htaccess / w3id.htaccess content-negotiation rules.
    Links end in index.html, so the site also works opened from disk (file://). A folder that
    is neither empty nor a previous build (it lists its files in .clustergraph-site.json) is
    refused, as is one that is or contains the current folder or the source files, and one that
    is not a real folder (a link to one, a file, a device, a FIFO, a socket). The site is built
    beside OUT and swapped in whole: a failure, Ctrl-C or SIGTERM leaves the previous build.

    \b
    Example:
      clustergraph site site/ && python -m http.server -d site 8000
    """
    result = build_site(out, data=list(data) or None, host_url=host_url, endpoint=endpoint,
                        downloads=not no_downloads)
    click.echo(f"built {out}: {result.pages} pages for {result.resources} resources, "
               f"{result.files} files", err=True)
