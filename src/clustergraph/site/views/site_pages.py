"""Contexts of the site's own pages: home, indexes per kind, technology tree, map, ontology,
downloads and the dataset description. Plain data for the templates; no HTML here."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from clustergraph.export import FORMATS, cluster_table
from clustergraph.export.description import DATASET_IRI, describe
from clustergraph.site.graph_index import GraphIndex, index_triples, narrower_of
from clustergraph.site.present import Presenter
from clustergraph.site.vocab import CG, KINDS, ONTOLOGY_IRI, OWL, RDF_TYPE, RDFS, SKOS, kind_title

if TYPE_CHECKING:
    from clustergraph.site.model import SiteModel

__all__ = ["dataset_page", "downloads_page", "home_page", "kind_page", "map_page", "ontology_page"]


def _by_label(r: SiteModel, iris: Any) -> list[str]:
    return sorted(iris, key=lambda i: (r.idx.label(i).lower(), i))


def kind_page(r: SiteModel, kind: str) -> dict[str, Any]:
    """The index of one kind: clusters as a table, technologies as the tree, others as a list."""
    here = f"id/{kind}"
    members = r.kinds[kind]
    context: dict[str, Any] = {"here": here, "title": kind_title(kind), "kind": kind, "count": len(members),
                               "rows": [], "tree": [], "schemes": [], "items": [], "others": []}
    link = r.present.link
    if kind == "cluster":
        rows = {row["iri"]: row for row in cluster_table(r.graph.store())}
        for iri in _by_label(r, members):
            row = rows.get(iri)
            if row is None:
                context["others"].append(link(iri, here))
                continue
            context["rows"].append({"cluster": link(iri, here), "country": row["country"],
                                    "technologies": row["technologies"], "joined": row["year_joined"],
                                    "sources": len(row["sources"].split("; ")) if row["sources"] else 0})
        context["map_href"] = r.links.page(here, "map")
        context["downloads_href"] = r.links.page(here, "downloads") if "downloads" in r.present.pages else None
    elif kind == "technology":
        context["tree"], context["schemes"] = technology_tree(r, here, members)
    else:
        context["items"] = [link(i, here) for i in _by_label(r, members)]
    return context


def technology_tree(r: SiteModel, here: str, members: list[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The SKOS tree of the technologies (nested nodes) and the schemes they are in."""
    idx = r.idx
    concepts = [m for m in members if idx.has_type(m, SKOS + "Concept")]
    known = set(concepts)
    children = {c: [n for n in narrower_of(idx, c) if n in known] for c in concepts}
    has_parent = {n for kids in children.values() for n in kids}
    uses = Counter(t for c in r.clusters for t in idx.iris(c, CG + "technology"))
    roots = [t for t in r.tops if t in known] + _by_label(r, (c for c in concepts if c not in has_parent
                                                             and c not in r.tops))

    def node(c: str, seen: frozenset[str]) -> dict[str, Any]:
        kids = _by_label(r, (k for k in children.get(c, []) if k not in seen))
        return {"link": r.present.link(c, here), "anchor": c.rsplit("/", 1)[-1], "colour": r.colours.get(c),
                "clusters": uses.get(c, 0), "definition": idx.literal(c, SKOS + "definition") or "",
                "children": [node(k, seen | {k}) for k in kids]}

    schemes = [r.present.link(m, here) for m in members if idx.has_type(m, SKOS + "ConceptScheme")]
    return [node(t, frozenset({t})) for t in roots], schemes


def map_page(r: SiteModel) -> dict[str, Any]:
    """The map of every located cluster, its legend, and the clusters without a location."""
    here = "map"
    located = [c for c in r.clusters if r.idx.point(c) is not None]
    return {"here": here, "title": "Map", "description": "A map of industrial clusters in the energy transition.",
            "located": len(located), "total": len(r.clusters), "legend": r.legend(),
            "map": r.map_view(here, located),
            "unplaced": [r.present.link(c, here) for c in r.clusters if r.idx.point(c) is None]}


def home_page(r: SiteModel, *, triples: int | None = None) -> dict[str, Any]:
    """The home page: counts, the map, and a link to the index of each kind."""
    here = ""
    order = list(KINDS)
    browse = [{"href": r.links.page(here, f"id/{k}"), "text": kind_title(k), "count": len(v)}
              for k, v in sorted(r.kinds.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0]))]
    located = [c for c in r.clusters if r.idx.point(c) is not None]
    has = r.present.pages.__contains__
    return {"here": here, "title": "Industrial clusters in the energy transition",
            "description": "An open, sourced knowledge graph of industrial clusters in the energy transition.",
            "triples": triples if triples is not None else len(r.graph), "clusters": len(r.clusters),
            "legend": r.legend(), "map": r.map_view(here, located), "browse": browse,
            "ontology_href": r.links.page(here, "ontology"),
            "downloads_href": r.links.page(here, "downloads") if has("downloads") else None,
            "dataset_href": r.links.page(here, "id/dataset/clustergraph"),
            "alternates": [{"type": "text/turtle", "href": r.links.file(here, "downloads/clustergraph.ttl")}]
            if has("downloads") else []}


def downloads_page(r: SiteModel, sizes: dict[str, int]) -> dict[str, Any]:
    """The downloads: one file per written format (`sizes`: format name -> bytes)."""
    here = "downloads"
    files = [{"name": f"clustergraph{FORMATS[f].suffix}", "label": FORMATS[f].label,
              "media_type": FORMATS[f].media_type, "size": f"{n:,}"} for f, n in sizes.items()]
    return {"here": here, "title": "Downloads", "files": files,
            "dataset_href": r.links.page(here, "id/dataset/clustergraph")}


def dataset_page(r: SiteModel) -> dict[str, Any]:
    """The VoID/DCAT description, shown with the generic statement table."""
    here = "id/dataset/clustergraph"
    triples = r.dataset_triples if r.dataset_triples is not None else describe(r.graph, endpoint=r.endpoint)
    ds: GraphIndex = index_triples(triples)
    local = Presenter(ds, r.onto, r.links, r.present.pages, r.present.onto_terms)
    return {"here": here, "title": "Dataset description", "heading": ds.label(DATASET_IRI), "iri": DATASET_IRI,
            "rows": local.table(ds.out.get(DATASET_IRI, []), here),
            "data": {"ttl": r.links.data(here, "ttl"), "jsonld": r.links.data(here, "jsonld")}}


def ontology_page(r: SiteModel, *, shapes: bool = True) -> dict[str, Any]:
    """Every class, property and other term of the ontology, with definition, domain and range."""
    here = "ontology"
    onto = r.onto
    present = r.present

    def terms_of(*kinds: str) -> list[str]:
        return sorted((i for i, ts in onto.types.items() if i.startswith(CG) and any(k in ts for k in kinds)),
                      key=lambda i: i[len(CG):].lower())

    def values(vals: list[Any]) -> dict[str, Any]:
        if isinstance(vals[0], ox.Literal):
            return {"texts": [v.value for v in vals], "links": []}
        return {"texts": [], "links": [present.link(v.value, here) if isinstance(v, ox.NamedNode)
                                       else {"text": "(an expression)", "href": None, "title": "", "external": False}
                                       for v in vals]}

    def section(iri: str) -> dict[str, Any]:
        rows = [{"label": "type", "texts": [], "links": [present.link(t, here) for t in onto.types.get(iri, [])]}]
        for label, prop in (("definition", SKOS + "definition"), ("comment", RDFS + "comment"),
                            ("subclass of", RDFS + "subClassOf"), ("subproperty of", RDFS + "subPropertyOf"),
                            ("domain", RDFS + "domain"), ("range", RDFS + "range"),
                            ("in scheme", SKOS + "inScheme"), ("disjoint with", OWL + "disjointWith"),
                            ("inverse of", OWL + "inverseOf")):
            vals = onto.values(iri, prop)
            if vals:
                rows.append({"label": label, **values(vals)})
        return {"name": iri[len(CG):], "iri": iri, "label": onto.label(iri), "rows": rows}

    classes = terms_of(OWL + "Class")
    props = terms_of(OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty")
    others = sorted((i for i in onto.out if isinstance(i, str) and i.startswith(CG) and i not in classes
                     and i not in props), key=lambda i: i[len(CG):].lower())
    groups = defaultdict(list)
    for name, items in (("Classes", classes), ("Properties", props), ("Closed lists and other terms", others)):
        groups[name] = [section(i) for i in items]
    return {"here": here, "title": "Ontology", "description": "The clustergraph ontology: every class and property.",
            "heading": onto.label(ONTOLOGY_IRI), "iri": ONTOLOGY_IRI,
            "rows": present.table(onto.out.get(ONTOLOGY_IRI, []), here, skip=(RDF_TYPE,)),
            "groups": dict(groups), "shapes": shapes,
            "alternates": [{"type": "text/turtle", "href": r.links.file(here, "ontology/clustergraph.ttl")}],
            "files": {"ontology": r.links.file(here, "ontology/clustergraph.ttl"),
                      "context": r.links.file(here, "ontology/context.jsonld"),
                      "shapes": r.links.file(here, "ontology/shapes.ttl")}}
