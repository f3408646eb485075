"""The linked-data pages of the graph: one renderer for the static site and for `clustergraph serve`.

The renderer (`clustergraph.site.render`)::

    from clustergraph.export import build_export_graph
    from clustergraph.site import LinkStyle, PageRenderer

    pages = PageRenderer(build_export_graph(), links=LinkStyle.server())   # or LinkStyle.relative()
    pages.render(iri) -> str | None        # the HTML page of one resource, None if no such resource
    pages.render_index(kind) -> str | None # "cluster", "country", "technology", ... None if unknown
    pages.render_home(), render_map(), render_ontology(), render_not_found()
    pages.path_of(iri) -> str | None       # the page's folder, e.g. "id/cluster/jubail-industrial-city"
    pages.search_index() -> list[dict]     # [{"label", "iri", "kind", "href"}] for clusters,
    pages.search_index_json() -> str       #   organisations, people and technologies (and their
                                           #   other names), sorted by label
    pages.assets() -> dict[str, bytes]     # every file the pages link to, by path: "assets/style.css",
                                           #   "assets/world.svg", "favicon.ico", "ontology/shapes.ttl", ...
    pages.render(clustergraph.export.description.DATASET_IRI)  # the dataset description, even if not in the data

`LinkStyle.relative()` writes relative links that end in `index.html`, so the static site works
from file:// as from any host; `LinkStyle.server(prefix="/", data_pattern="{page}?format={ext}")`
writes absolute paths (`/id/cluster/jubail-industrial-city`, `/assets/style.css`, the page's data
at `/id/cluster/jubail-industrial-city?format=ttl` or `...?format=jsonld`, `/id/cluster` for an
index, `/map`, `/ontology#Term`).

Pages are Jinja2 templates with autoescaping (`site/templates/`: a base layout and one template
per kind of page) filled with plain data by the views: purpose-built pages for a cluster, an
initiative (with its growth chart, an inline SVG), a country, a technology, an organisation and a
person; the generic statement table for everything else.

The static site (`build_site(out)`, `clustergraph.site.build`): one page per resource at the path
of its IRI (`id/{kind}/{slug}/index.html` beside `index.ttl` and `index.jsonld`), indexes per kind,
the technology tree, the ontology's documentation, a map, downloads, `.htaccess` and
`w3id.htaccess` (`clustergraph.site.htaccess`). A build lists what it wrote in a manifest
(`.clustergraph-site.json`); a folder that is neither empty nor such a build is refused, and a
previous build is replaced whole, atomically.

Modules: `vocab` (IRIs, names), `graph_index` (the graph indexed for pages), `links`, `present`
(terms to template data), `geomap` (projection, outlines, markers), `chart` (the growth chart),
`model` (what the pages are built from), `views/` (page contexts), `render`, `assets`, `htaccess`, `build`.
"""

from __future__ import annotations

from clustergraph.site.build import SiteResult, build_site
from clustergraph.site.geomap import MAP_HEIGHT, MAP_WIDTH, project
from clustergraph.site.graph_index import iri_to_path
from clustergraph.site.htaccess import htaccess, w3id_rules
from clustergraph.site.links import LinkStyle
from clustergraph.site.render import PageRenderer
from clustergraph.site.vocab import BASE

__all__ = ["BASE", "MAP_HEIGHT", "MAP_WIDTH", "LinkStyle", "PageRenderer", "SiteResult", "build_site",
           "htaccess", "iri_to_path", "project", "w3id_rules"]
