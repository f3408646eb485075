"""Contexts of resource pages: what every one has, and the generic statement view.

Every resource page ends with what the purpose-built sections did not show ("Other statements",
"Referenced by"), its numbered sources with their addresses and links to its data, so a page
never loses a statement of the graph.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clustergraph.site.graph_index import kind_of
from clustergraph.site.present import Citations
from clustergraph.site.vocab import CG, DCT, ID_NS, OWL, RDF_TYPE, SCHEMA, SKOS

if TYPE_CHECKING:
    from clustergraph.site.model import SiteModel

__all__ = ["base_context", "finish", "generic_page", "schema_org"]

#: schema.org type of each kind of resource, for the JSON-LD search engines read.
SCHEMA_TYPES = {"cluster": "Place", "candidate": "Place", "country": "Country", "place": "Place",
                "organization": "Organization", "initiative": "Organization", "person": "Person",
                "report": "Report", "event": "Event", "source": "CreativeWork", "technology": "DefinedTerm",
                "quotation": "Quotation", "dataset": "Dataset"}


def generic_page(r: SiteModel, iri: str) -> dict[str, Any]:
    """The generic view: every statement in a table, grouped by property."""
    page = base_context(r, iri)
    page["statements"] = r.present.table(r.idx.out.get(iri, []), page["here"], skip=(RDF_TYPE,))
    return finish(r, page, shown=set(p for p, _ in r.idx.out.get(iri, [])), shown_incoming=set())


def base_context(r: SiteModel, iri: str) -> dict[str, Any]:
    """What every resource page has: title, IRI, types, other names, minimap, data links, sources."""
    here = r.path_of(iri)
    assert here is not None
    idx = r.idx
    cites = Citations(r.present, here)
    page: dict[str, Any] = {
        "iri": iri, "heading": idx.label(iri), "here": here,
        "types": [{**r.present.link(t, here), "marks": cites.of_claim(iri, RDF_TYPE, t)}
                  for t in idx.types.get(iri, [])],
        "also_called": sorted({o.value for o in idx.values(iri, SKOS + "altLabel")}),
        "data": {"ttl": r.links.data(here, "ttl"), "jsonld": r.links.data(here, "jsonld")},
        "sources_cited": cites, "minimap": None, "map_href": r.links.page(here, "map"),
    }
    page["own_marks"] = page["sources_cited"].of(iri)
    point = idx.point(iri)
    if point is not None:
        page["minimap"] = r.local_map(here, [iri])
        page["coordinates"] = f"{point[1]:.2f}, {point[0]:.2f}"
    return page


def finish(r: SiteModel, page: dict[str, Any], *, shown: set[str], shown_incoming: set[str]) -> dict[str, Any]:
    """Add what the sections did not show, the sources, the schema.org description and the title."""
    iri, here = page["iri"], page["here"]
    idx = r.idx
    hidden = shown | {RDF_TYPE, SKOS + "prefLabel", SKOS + "altLabel", DCT + "source", CG + "citation"}
    page["rest"] = r.present.table(idx.out.get(iri, []), here, skip=hidden)
    page["referenced"] = r.present.referenced_by(iri, here, skip=shown_incoming)
    page["sources_cited"].of(iri)
    page["citations"] = citations_of(r, iri, here, page["sources_cited"])
    page["sources"] = page.pop("sources_cited").entries()
    desc = idx.literal(iri, CG + "focusDescription") or idx.literal(iri, SKOS + "definition") or ""
    page.setdefault("description", desc)
    page["title"] = page["heading"]
    page["schema"] = schema_org(r, iri)
    page["alternates"] = [{"type": "text/turtle", "href": page["data"]["ttl"]},
                          {"type": "application/ld+json", "href": page["data"]["jsonld"]}]
    return page


def citations_of(r: SiteModel, iri: str, here: str, cites: Citations) -> list[dict[str, Any]]:
    """The claim's citations (`claim#source`), each anchored by its fragment: the source, its
    number on the page and its words (with the gloss), or the note saying none can be read."""
    idx = r.idx
    out = []
    for citation in sorted(idx.iris(iri, CG + "citation")):
        sources = idx.iris(citation, DCT + "source")
        out.append({"id": citation.partition("#")[2], "marks": cites.cite(sources),
                    "source": [r.present.link(s, here) for s in sources],
                    "words": idx.literal(citation, CG + "citedText") or "",
                    "gloss": idx.literal(citation, CG + "gloss") or "",
                    "note": idx.literal(citation, SKOS + "note") or ""})
    return out


def schema_org(r: SiteModel, iri: str) -> dict[str, Any]:
    """A schema.org description of the resource, embedded as JSON-LD for search engines."""
    idx = r.idx
    schema_type = SCHEMA_TYPES.get(kind_of(iri), "Thing") if iri.startswith(ID_NS) else "Thing"
    doc: dict[str, Any] = {"@context": "https://schema.org", "@type": schema_type, "@id": iri,
                           "name": idx.label(iri), "url": iri}
    desc = (idx.literal(iri, CG + "focusDescription") or idx.literal(iri, SKOS + "definition")
            or idx.literal(iri, DCT + "description"))
    if desc:
        doc["description"] = desc
    same = idx.iris(iri, OWL + "sameAs")
    if same:
        doc["sameAs"] = same
    point = idx.point(iri)
    if point is not None:
        doc["geo"] = {"@type": "GeoCoordinates", "latitude": point[1], "longitude": point[0]}
    country = idx.iris(iri, CG + "country")
    if country:
        doc["containedInPlace" if schema_type == "Place" else "location"] = {
            "@type": "Country", "name": idx.label(country[0]), "@id": country[0]}
    url = idx.first(iri, SCHEMA + "url")
    if url is not None:
        doc["url"] = url.value
    return doc
