"""What every page is built from: the graph indexed for pages, its links, its clusters and the
colours of their technologies. The views (`clustergraph.site.views`) read a `SiteModel`;
`clustergraph.site.render.PageRenderer` is one that also renders the pages."""

from __future__ import annotations

from collections import defaultdict
from functools import cached_property
from typing import Any

from clustergraph.export.description import DATASET_IRI
from clustergraph.export.graph import build_export_graph
from clustergraph.site.geomap import (
    MAP_HEIGHT,
    MAP_WIDTH,
    NO_TECH,
    PALETTE,
    MapView,
    Marker,
    focus_box,
    legend_items,
    project,
)
from clustergraph.site.graph_index import index_triples, iri_to_path, kind_of, technology_focus
from clustergraph.site.links import LinkStyle
from clustergraph.site.present import Presenter
from clustergraph.site.vocab import CG, ID_NS

__all__ = ["SiteModel"]


class SiteModel:
    """One export graph prepared for pages, linked in one `LinkStyle`.

    `export_graph`: an `ExportGraph` (`clustergraph.export.build_export_graph()`).
    `links`: `LinkStyle.relative()` for the static site, `LinkStyle.server()` for a server.
    `ontology_graph`: the ontology's export graph (default: the shipped ontology).
    `downloads`: link to a downloads page (the static site has one).
    `endpoint`: a SPARQL endpoint named in the dataset description.
    """

    def __init__(self, export_graph: Any, *, links: LinkStyle | None = None, ontology_graph: Any = None,
                 downloads: bool = False, endpoint: str | None = None) -> None:
        self.graph = export_graph
        self.links = links or LinkStyle.relative()
        self.endpoint = endpoint
        self.onto_graph = ontology_graph if ontology_graph is not None else build_export_graph("ontology")
        self.idx = index_triples(export_graph.triples())
        self.onto = index_triples(self.onto_graph.triples())
        onto_terms = {i[len(CG):] for i in self.onto.out if isinstance(i, str) and i.startswith(CG)}
        # a hash IRI (a claim's citation, `claim#source`) is part of its claim's page, not a page
        self.resources: list[str] = sorted(
            k for k in self.idx.out if isinstance(k, str) and k.startswith(ID_NS) and "#" not in k
            and iri_to_path(k) is not None)
        self._resource_set = frozenset(self.resources)
        self.kinds: dict[str, list[str]] = defaultdict(list)
        for iri in self.resources:
            self.kinds[kind_of(iri)].append(iri)
        if "dataset" not in self.kinds:
            self.kinds["dataset"].append(DATASET_IRI)
        pages = {iri_to_path(i)[0] for i in self.resources}  # type: ignore[index]
        pages |= {f"id/{k}" for k in self.kinds} | {"id/dataset/clustergraph", "map", "ontology", ""}
        if downloads:
            pages.add("downloads")
        self.present = Presenter(self.idx, self.onto, self.links, pages, onto_terms)
        self.clusters = sorted(i for i in self.resources if self.idx.has_type(i, CG + "IndustrialCluster"))
        self.tops, self.focus = technology_focus(self.idx, self.clusters)
        self.colours = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(self.tops)}
        #: The dataset description's triples (`clustergraph.export.description.describe`); computed when None.
        self.dataset_triples: list[Any] | None = None

    def path_of(self, iri: str) -> str | None:
        """The site folder of the page of `iri` (e.g. "id/country/SA"), None if it has none."""
        where = iri_to_path(iri)
        if where is None or where[1] or where[0] not in self.present.pages:
            return None
        return where[0]

    # -- shared by the views ------------------------------------------------------------------------

    @cached_property
    def unfocused(self) -> int:
        """How many clusters have no technology focus (no top technology concept)."""
        return sum(1 for c in self.clusters if c not in self.focus)

    def legend(self) -> list[dict[str, Any]]:
        """The map legend: colour, technology and number of clusters, for each colour in use."""
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
