"""One renderer for every HTML page of the graph: the static site and `clustergraph serve`.

    renderer = PageRenderer(export_graph, links=LinkStyle.server())
    renderer.render("https://w3id.org/clustergraph/id/cluster/jubail-industrial-city")  # HTML or None

Pages are Jinja2 templates (`site/templates/`, autoescaping on) filled with plain data built by
the views (`clustergraph.site.views`); no HTML is assembled in Python.
"""

from __future__ import annotations

import json
from typing import Any

from clustergraph.export.description import DATASET_IRI
from clustergraph.site import assets
from clustergraph.site.geomap import MAP_HEIGHT, MAP_WIDTH, country_paths
from clustergraph.site.graph_index import kind_of
from clustergraph.site.model import SiteModel
from clustergraph.site.views import kinds as views_kinds
from clustergraph.site.views import resource as views_resource
from clustergraph.site.views import site_pages as views_site
from clustergraph.site.vocab import SKOS

__all__ = ["PageRenderer", "SEARCH_KINDS"]

#: The kinds of resource the search index holds.
SEARCH_KINDS = ("cluster", "organization", "person", "technology")

#: The navigation bar: (site folder, text); shown when the renderer has that page.
NAV = (("id/cluster", "Clusters"), ("map", "Map"), ("id/initiative", "Initiatives"),
       ("id/country", "Countries"), ("id/technology", "Technologies"), ("id/organization", "Organisations"),
       ("id/person", "People"), ("id/report", "Reports"), ("ontology", "Ontology"), ("downloads", "Downloads"))


def _environment() -> Any:
    # jinja2: ~50 ms to import (python -X importtime), so `import clustergraph.site` (the site and
    # serve commands, their --help) does not pay for it until a page is rendered
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clustergraph.site", "templates"),
        autoescape=jinja2.select_autoescape(("html", "svg", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False)
    env.filters["tojson_script"] = lambda value: json.dumps(value, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return env


class PageRenderer(SiteModel):
    """The HTML pages of one export graph (see `SiteModel` for the arguments)."""

    def __init__(self, export_graph: Any, **kwargs: Any) -> None:
        super().__init__(export_graph, **kwargs)
        self.env = _environment()

    # -- the pages ----------------------------------------------------------------------------------

    def render(self, iri: str) -> str | None:
        """The HTML page of one resource; None if the graph has no such resource."""
        if iri == DATASET_IRI and iri not in self.idx.out:
            return self._page("dataset.html", views_site.dataset_page(self))
        if iri not in self._resource_set:
            return None
        kind = kind_of(iri)
        build = views_kinds.BUILDERS.get(kind)
        if build is not None and views_kinds.applies(self, kind, iri):
            return self._page(f"{kind}.html", build(self, iri))
        return self._page("resource.html", views_resource.generic_page(self, iri))

    def render_index(self, kind: str) -> str | None:
        """The index page of one kind ("cluster", "technology", ...); None for an unknown kind."""
        if kind not in self.kinds:
            return None
        return self._page("kind.html", views_site.kind_page(self, kind))

    def render_home(self, *, triples: int | None = None) -> str:
        """The home page (`triples`: the number shown; default: the graph's size)."""
        return self._page("home.html", views_site.home_page(self, triples=triples))

    def render_map(self) -> str:
        """The map of every located cluster."""
        return self._page("map.html", views_site.map_page(self))

    def render_ontology(self, *, shapes: bool = True) -> str:
        """The ontology's documentation (`shapes`: link to the SHACL shapes file)."""
        return self._page("ontology.html", views_site.ontology_page(self, shapes=shapes))

    def render_downloads(self, sizes: dict[str, int]) -> str:
        """The downloads page: one file per format, `sizes` being format name -> bytes."""
        return self._page("downloads.html", views_site.downloads_page(self, sizes))

    def render_not_found(self) -> str:
        """The "not found" page (404.html)."""
        return self.env.get_template("404.html").render()

    def world_svg(self) -> str:
        """The world's countries as a standalone SVG document (assets/world.svg)."""
        return self.env.get_template("world.svg").render(
            width=f"{MAP_WIDTH:.0f}", height=f"{MAP_HEIGHT:.0f}", countries=country_paths())

    def assets(self) -> dict[str, bytes]:
        """The files every page refers to, by site path: style sheet, icons, the world map."""
        files = assets.static_files()
        files["assets/world.svg"] = self.world_svg().encode("utf-8")
        return files

    def search_index(self) -> list[dict[str, str]]:
        """Clusters, organisations, people and technologies by name: [{"label", "iri", "kind", "href"}].

        Also-known-as names are entries of their own; sorted by label. `href` is the page's
        address from the site's root ("" folder).
        """
        entries = set()
        for kind in SEARCH_KINDS:
            for iri in self.kinds.get(kind, ()):
                names = {self.idx.label(iri)} | {o.value for o in self.idx.values(iri, SKOS + "altLabel")
                                                 if hasattr(o, "language")}
                for name in names:
                    entries.add((name, iri, kind))
        return [{"label": name, "iri": iri, "kind": kind, "href": self.present.href(iri, "") or iri}
                for name, iri, kind in sorted(entries, key=lambda e: (e[0].casefold(), e[1]))]

    def search_index_json(self) -> str:
        """`search_index()` as JSON text."""
        return json.dumps(self.search_index(), ensure_ascii=False, indent=0)

    def _page(self, template: str, context: dict[str, Any]) -> str:
        here = context["here"]
        nav = [{"href": self.links.page(here, folder), "text": text} for folder, text in NAV
               if folder in self.present.pages]
        return self.env.get_template(template).render(
            nav=nav, home=self.links.page(here, ""), css=self.links.file(here, "assets/style.css"),
            icon=self.links.file(here, "assets/favicon.svg"),
            licence=self.links.file(here, "assets/vendor/world-atlas/LICENSE"),
            page=context, **context)
