"""One renderer for every HTML page of the graph: the static site and `clustergraph serve`.

    renderer = PageRenderer(export_graph, links=LinkStyle.server())
    renderer.render("https://w3id.org/clustergraph/id/cluster/jubail-industrial-city")  # HTML or None

Pages are Jinja2 templates (`site/templates/`, autoescaping on) filled with plain data built by
the views (`views_resource`, `views_site`); no HTML is assembled in Python.
"""

from __future__ import annotations

import json
from collections import defaultdict
from functools import cached_property
from typing import Any

from clustergraph.site.geomap import (
    MAP_HEIGHT,
    MAP_WIDTH,
    NO_TECH,
    PALETTE,
    MapView,
    Marker,
    country_paths,
    focus_box,
    legend_items,
    project,
)
from clustergraph.site.graph_index import index_triples, iri_to_path, kind_of, technology_focus
from clustergraph.site.links import LinkStyle
from clustergraph.site.present import Presenter
from clustergraph.site.vocab import CG, ID_NS

__all__ = ["PageRenderer", "SEARCH_KINDS"]

#: The kinds of resource the search index holds.
SEARCH_KINDS = ("cluster", "organization", "person", "technology")

#: The navigation bar: (site folder, text); shown when the renderer has that page.
NAV = (("id/cluster", "Clusters"), ("map", "Map"), ("id/initiative", "Initiatives"),
       ("id/country", "Countries"), ("id/technology", "Technologies"), ("id/organization", "Organisations"),
       ("id/person", "People"), ("id/report", "Reports"), ("ontology", "Ontology"), ("downloads", "Downloads"))


def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("clustergraph.site", "templates"),
        autoescape=jinja2.select_autoescape(("html", "svg", "xml"), default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
        auto_reload=False)
    env.filters["tojson_script"] = lambda value: json.dumps(value, ensure_ascii=False, indent=1).replace("</", "<\\/")
    return env


class PageRenderer:
    """The HTML pages of one export graph, linked in one `LinkStyle`.

    `export_graph`: an `ExportGraph` (`clustergraph.export.build_export_graph()`).
    `links`: `LinkStyle.relative()` for the static site, `LinkStyle.server()` for a server.
    `ontology_graph`: the ontology's export graph (default: the shipped ontology).
    `downloads`: link to a downloads page (the static site has one).
    `endpoint`: a SPARQL endpoint named in the dataset description.
    """

    def __init__(self, export_graph: Any, *, links: LinkStyle | None = None, ontology_graph: Any = None,
                 downloads: bool = False, endpoint: str | None = None) -> None:
        from clustergraph.export import build_export_graph

        self.graph = export_graph
        self.links = links or LinkStyle.relative()
        self.endpoint = endpoint
        self.onto_graph = ontology_graph if ontology_graph is not None else build_export_graph("ontology")
        self.idx = index_triples(export_graph.triples())
        self.onto = index_triples(self.onto_graph.triples())
        onto_terms = {i[len(CG):] for i in self.onto.out if isinstance(i, str) and i.startswith(CG)}
        self.resources: list[str] = sorted(
            k for k in self.idx.out if isinstance(k, str) and k.startswith(ID_NS) and iri_to_path(k) is not None)
        self._resource_set = frozenset(self.resources)
        self.kinds: dict[str, list[str]] = defaultdict(list)
        for iri in self.resources:
            self.kinds[kind_of(iri)].append(iri)
        if "dataset" not in self.kinds:
            from clustergraph.dataset import DATASET_IRI

            self.kinds["dataset"].append(DATASET_IRI)
        pages = {iri_to_path(i)[0] for i in self.resources}  # type: ignore[index]
        pages |= {f"id/{k}" for k in self.kinds} | {"id/dataset/clustergraph", "map", "ontology", ""}
        if downloads:
            pages.add("downloads")
        self.present = Presenter(self.idx, self.onto, self.links, pages, onto_terms)
        self.clusters = sorted(i for i in self.resources if self.idx.has_type(i, CG + "IndustrialCluster"))
        self.tops, self.focus = technology_focus(self.idx, self.clusters)
        self.colours = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(self.tops)}
        self.env = _environment()
        #: The dataset description's triples (`clustergraph.dataset.describe`); computed when None.
        self.dataset_triples: list[Any] | None = None

    # -- the pages ----------------------------------------------------------------------------------

    def path_of(self, iri: str) -> str | None:
        """The site folder of the page of `iri` (e.g. "id/country/SA"), None if it has none."""
        where = iri_to_path(iri)
        if where is None or where[1] or where[0] not in self.present.pages:
            return None
        return where[0]

    def render(self, iri: str) -> str | None:
        """The HTML page of one resource; None if the graph has no such resource."""
        from clustergraph.dataset import DATASET_IRI
        from clustergraph.site import views_kinds, views_resource, views_site

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
        from clustergraph.site import views_site

        if kind not in self.kinds:
            return None
        return self._page("kind.html", views_site.kind_page(self, kind))

    def render_home(self, *, triples: int | None = None) -> str:
        from clustergraph.site import views_site

        return self._page("home.html", views_site.home_page(self, triples=triples))

    def render_map(self) -> str:
        from clustergraph.site import views_site

        return self._page("map.html", views_site.map_page(self))

    def render_ontology(self, *, shapes: bool = True) -> str:
        from clustergraph.site import views_site

        return self._page("ontology.html", views_site.ontology_page(self, shapes=shapes))

    def render_downloads(self, sizes: dict[str, int]) -> str:
        from clustergraph.site import views_site

        return self._page("downloads.html", views_site.downloads_page(self, sizes))

    def render_not_found(self) -> str:
        return self.env.get_template("404.html").render()

    def world_svg(self) -> str:
        """The world's countries as a standalone SVG document (assets/world.svg)."""
        return self.env.get_template("world.svg").render(
            width=f"{MAP_WIDTH:.0f}", height=f"{MAP_HEIGHT:.0f}", countries=country_paths())

    def assets(self) -> dict[str, bytes]:
        """The files every page refers to, by site path: style sheet, icons, the world map."""
        from clustergraph.site import assets

        files = assets.static_files()
        files["assets/world.svg"] = self.world_svg().encode("utf-8")
        return files

    def search_index(self) -> list[dict[str, str]]:
        """Clusters, organisations, people and technologies by name: [{"label", "iri", "kind", "href"}].

        Also-known-as names are entries of their own; sorted by label. `href` is the page's
        address from the site's root ("" folder).
        """
        from clustergraph.site.vocab import SKOS

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

    # -- shared by the views ------------------------------------------------------------------------

    @cached_property
    def unfocused(self) -> int:
        return sum(1 for c in self.clusters if c not in self.focus)

    def legend(self) -> list[dict[str, Any]]:
        labels = {t: self.present.label(t) for t in self.colours}
        return legend_items(self.colours, self.focus, labels, self.unfocused)

    def map_view(self, here: str, clusters: list[str], *, box: tuple[float, float, float, float] | None = None,
                 radius: float = 4.0) -> MapView:
        """A map of `clusters` (those with a location) for the page in folder `here`."""
        markers = []
        for c in clusters:
            point = self.idx.point(c)
            if point is None:
                continue
            x, y = project(*point)
            focus = self.focus.get(c)
            title = f"{self.idx.label(c)} — {self.present.label(focus) if focus else 'no technology given'}"
            markers.append(Marker(x=round(x, 1), y=round(y, 1), colour=self.colours.get(focus or "", NO_TECH),
                                  title=title, href=self.present.href(c, here)))
        return MapView(box=box or (0.0, 0.0, MAP_WIDTH, MAP_HEIGHT),
                       world_href=self.links.file(here, "assets/world.svg"), markers=tuple(markers), radius=radius)

    def local_map(self, here: str, clusters: list[str], *, radius: float = 5.0) -> MapView | None:
        """A map zoomed on the located ones of `clusters`; None if none has a location."""
        points = [p for p in (self.idx.point(c) for c in clusters) if p is not None]
        if not points:
            return None
        return self.map_view(here, clusters, box=focus_box(points), radius=radius)

    def _page(self, template: str, context: dict[str, Any]) -> str:
        here = context["here"]
        nav = [{"href": self.links.page(here, folder), "text": text} for folder, text in NAV
               if folder in self.present.pages]
        return self.env.get_template(template).render(
            nav=nav, home=self.links.page(here, ""), css=self.links.file(here, "assets/style.css"),
            icon=self.links.file(here, "assets/favicon.svg"),
            licence=self.links.file(here, "assets/vendor/world-atlas/LICENSE"),
            page=context, **context)
