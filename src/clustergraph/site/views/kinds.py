"""Purpose-built resource pages: what a reader asks first about a cluster, an initiative, a
country, a technology, an organisation or a person, each statement with its sources beside it.

Each builder returns the page context (plain data) and says which properties and incoming
links it showed; `views_resource.finish` adds the rest, so nothing the graph states is lost.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from clustergraph.site import chart
from clustergraph.site.formats import date_text, date_value, quantity_text, when
from clustergraph.site.graph_index import broader_of, narrower_of
from clustergraph.site.views.resource import base_context, finish
from clustergraph.site.vocab import (
    CG,
    DCT,
    GEO,
    ORG,
    OWL,
    QUALIFIER_WORDS,
    QUDT,
    SCHEMA,
    SKOS,
    UNIT_LABELS,
)

if TYPE_CHECKING:
    from clustergraph.site.model import SiteModel
    from clustergraph.site.present import Citations

__all__ = ["BUILDERS", "applies"]

Context = dict[str, Any]


def applies(r: SiteModel, kind: str, iri: str) -> bool:
    """Whether the purpose-built page of `kind` fits the resource (by its type)."""
    required = {"cluster": CG + "IndustrialCluster", "initiative": CG + "Initiative", "country": CG + "Country",
                "technology": SKOS + "Concept"}.get(kind)
    return required is None or r.idx.has_type(iri, required)


def _sorted_links(r: SiteModel, iris: Any, here: str) -> list[dict[str, Any]]:
    return r.present.links_to(iris, here)


def _claims(r: SiteModel, subject: str, prop: str, here: str, cites: Citations) -> list[dict[str, Any]]:
    """The links of `subject`'s `prop` values, each with the marks of its own statement's sources."""
    values = sorted(r.idx.iris(subject, prop), key=lambda v: (r.idx.label(v).lower(), v))
    return [{**r.present.link(v, here), "marks": cites.of_claim(subject, prop, v)} for v in values]


def in_time_order(date: str | None) -> str:
    """A sort key for a date of any precision: a year or a month comes after the days it holds
    (where in the year it fell is unknown, so it is listed once the year's dated events are);
    no date comes last.

    >>> sorted(["2025", "2025-01-22", "2024-09", "2024-09-24"], key=in_time_order)
    ['2024-09-24', '2024-09', '2025-01-22', '2025']
    """
    return (date or "9999").ljust(10, "~")


def _by_date(r: SiteModel, iris: Any, prop: str) -> list[str]:
    return sorted(iris, key=lambda i: (in_time_order(r.idx.literal(i, prop)), r.idx.label(i).lower(), i))


# -- shared pieces -----------------------------------------------------------------------------


def figure_rows(r: SiteModel, observations: list[str], here: str, cites: Citations) -> list[Context]:
    """Figures and targets: metric, value in words with unit, date, target date, sources."""
    idx = r.idx
    rows = []
    for o in sorted(observations, key=lambda o: (idx.literal(o, CG + "asOf") or "", r.present.label(
            (idx.iris(o, CG + "metric") or [""])[0]).lower(), o)):
        unit = (idx.iris(o, QUDT + "unit") or [""])[0]
        qualifier = QUALIFIER_WORDS.get((idx.iris(o, CG + "valueQualifier") or [""])[0], "")
        value = idx.literal(o, QUDT + "numericValue") or ""
        target = (idx.literal(o, CG + "isTarget") or "") in ("true", "1")
        rows.append({
            "link": r.present.link(o, here), "metric": [r.present.link(m, here) for m in idx.iris(o, CG + "metric")],
            "value": quantity_text(value, UNIT_LABELS.get(unit, r.present.label(unit) if unit else ""), qualifier),
            "exact": value, "as_of": when(idx.literal(o, CG + "asOf")), "target": target,
            "target_date": when(idx.literal(o, CG + "targetDate")),
            "compared": [r.present.link(c, here) for c in idx.iris(o, CG + "comparableTo")],
            "reported_in": [r.present.link(e, here) for e in idx.iris(o, CG + "reportedIn")],
            "note": idx.literal(o, SKOS + "note") or "", "marks": cites.of(o)})
    return rows


def posts_of(r: SiteModel, posts: list[str], here: str, cites: Citations) -> list[Context]:
    """Posts with their title, holder, organisation, date and sources, oldest first."""
    idx = r.idx
    return [{"title": idx.literal(p, CG + "title") or idx.label(p), "link": r.present.link(p, here),
             "person": [r.present.link(h, here) for h in idx.iris(p, ORG + "heldBy")],
             "organisation": [r.present.link(o, here) for o in idx.iris(p, ORG + "postIn")],
             "as_of": when(idx.literal(p, CG + "asOf")), "note": idx.literal(p, SKOS + "note") or "",
             "marks": cites.of(p)} for p in _by_date(r, posts, CG + "asOf")]


def observations_about(r: SiteModel, iri: str) -> list[str]:
    """The metric observations about `iri` (`cg:about`), in IRI order."""
    return [o for o in r.idx.referrers(iri, CG + "about") if r.idx.has_type(o, CG + "MetricObservation")]


def memberships_of(r: SiteModel, cluster: str) -> list[str]:
    """The cluster memberships that name `cluster` as member, in IRI order."""
    return [m for m in r.idx.referrers(cluster, ORG + "member") if r.idx.has_type(m, CG + "ClusterMembership")]


def _technology_path(r: SiteModel, concept: str, here: str) -> list[dict[str, Any]]:
    """The chain of broader concepts above `concept`, top first (one chain: the first broader)."""
    chain: list[str] = []
    current = concept
    while True:
        parents = [p for p in broader_of(r.idx, current) if p not in chain and p != concept]
        if not parents:
            break
        current = parents[0]
        chain.insert(0, current)
    return [r.present.link(c, here) for c in chain]


def cluster_rows(r: SiteModel, clusters: list[str], here: str, via: dict[str, list[str]] | None = None) -> list[Context]:
    """Clusters as rows: link, country, technologies, year joined (and which technology led here)."""
    idx = r.idx
    rows = []
    for c in sorted(clusters, key=lambda c: (idx.label(c).lower(), c)):
        since = sorted(filter(None, (idx.literal(m, CG + "memberSince") for m in memberships_of(r, c))))
        rows.append({"cluster": r.present.link(c, here),
                     "country": [r.present.link(k, here) for k in idx.iris(c, CG + "country")],
                     "technologies": _sorted_links(r, idx.iris(c, CG + "technology"), here),
                     "since": when(since[0] if since else None),
                     "via": _sorted_links(r, (via or {}).get(c, []), here)})
    return rows


# -- the builders ------------------------------------------------------------------------------


def cluster_page(r: SiteModel, iri: str) -> Context:
    """A cluster: place, memberships, technologies, who leads it, key people and figures."""
    idx, present = r.idx, r.present
    page = base_context(r, iri)
    here, cites = page["here"], page["sources_cited"]
    geometry = idx.iris(iri, GEO + "hasGeometry")
    page["place"] = {
        "country": [present.link(c, here) for c in idx.iris(iri, CG + "country")],
        "region": idx.literal(iri, CG + "region") or "", "city": idx.literal(iri, CG + "city") or "",
        "location_note": idx.literal(iri, CG + "locationNote") or "",
        "approximate": any((idx.literal(g, CG + "approximate") or "") in ("true", "1") for g in geometry),
        "geometry_note": " ".join(filter(None, (idx.literal(g, SKOS + "note") for g in geometry))),
        "geometry_marks": cites.cite(s for g in geometry for s in idx.iris(g, DCT + "source")),
        "geometry": [present.link(g, here, "geometry") for g in geometry],
    }
    page["description_text"] = idx.literal(iri, CG + "focusDescription") or ""
    memberships = []
    for m in _by_date(r, memberships_of(r, iri), CG + "memberSince"):
        announced = idx.iris(m, CG + "announcedIn")
        memberships.append({
            "link": present.link(m, here), "initiative": [present.link(i, here) for i in idx.iris(m, ORG + "organization")],
            "since": when(idx.literal(m, CG + "memberSince")), "joined": when(idx.literal(m, CG + "joinDate")),
            "joined_marks": cites.cite(idx.iris(m, CG + "joinDateSource")),
            "announcement": [{"link": present.link(a, here), "date": when(idx.literal(a, DCT + "date"))}
                             for a in announced],
            "certainty": [present.link(c, here) for c in idx.iris(m, CG + "certainty")],
            "note": idx.literal(m, SKOS + "note") or "", "marks": cites.of(m)})
    page["memberships"] = memberships
    page["technologies"] = [{"link": present.link(t, here), "path": _technology_path(r, t, here),
                             "marks": cites.of_claim(iri, CG + "technology", t)}
                            for t in sorted(idx.iris(iri, CG + "technology"), key=lambda t: (idx.label(t).lower(), t))]
    page["tree_href"] = r.links.page(here, "id/technology")
    page["led_by"] = _claims(r, iri, CG + "ledBy", here, cites)
    page["members"] = _claims(r, iri, ORG + "hasMember", here, cites)
    page["linked_to"] = _claims(r, iri, ORG + "linkedTo", here, cites)
    people = []
    for person in sorted(idx.iris(iri, CG + "keyPerson"), key=lambda p: (idx.label(p).lower(), p)):
        people.append({"link": present.link(person, here), "marks": cites.of_claim(iri, CG + "keyPerson", person),
                       "posts": posts_of(r, idx.referrers(person, ORG + "heldBy"), here, cites)})
    page["people"] = people
    page["figures"] = figure_rows(r, observations_about(r, iri), here, cites)
    shown = {CG + p for p in ("country", "region", "city", "locationNote", "focusDescription", "technology",
                              "ledBy", "keyPerson")} | {ORG + "hasMember", ORG + "linkedTo", GEO + "hasGeometry"}
    return finish(r, page, shown=shown, shown_incoming={ORG + "member", CG + "about"})


def initiative_page(r: SiteModel, iri: str) -> Context:
    """An initiative: who runs it, its timeline of announcements, members, figures, growth charts."""
    idx, present = r.idx, r.present
    page = base_context(r, iri)
    here, cites = page["here"], page["sources_cited"]
    page["definition"] = idx.literal(iri, SKOS + "definition") or ""
    page["run_by"] = _claims(r, iri, CG + "runBy", here, cites)
    page["partners"] = _claims(r, iri, CG + "partner", here, cites)
    launch = idx.iris(iri, CG + "launchEvent")
    page["launch"] = [{"link": present.link(e, here), "date": when(idx.literal(e, DCT + "date")),
                       "place": _sorted_links(r, idx.iris(e, SCHEMA + "location"), here), "marks": cites.of(e)}
                      for e in launch]
    memberships = [m for m in idx.referrers(iri, ORG + "organization") if idx.has_type(m, CG + "ClusterMembership")]
    observations = observations_about(r, iri)
    by_event: dict[str, dict[str, list[str]]] = {}
    unannounced = []
    for m in memberships:
        events = idx.iris(m, CG + "announcedIn")
        if not events:
            unannounced.append(m)
        for e in events:
            by_event.setdefault(e, {"members": [], "figures": []})["members"].append(m)
    for o in observations:
        for e in idx.iris(o, CG + "reportedIn"):
            by_event.setdefault(e, {"members": [], "figures": []})["figures"].append(o)
    for e in launch:
        by_event.setdefault(e, {"members": [], "figures": []})

    def joined(ms: list[str]) -> list[Context]:
        rows = []
        for m in _by_date(r, ms, CG + "memberSince"):
            for c in idx.iris(m, ORG + "member"):
                rows.append({"cluster": present.link(c, here), "since": when(idx.literal(m, CG + "memberSince")),
                             "marks": cites.of(m)})
        return rows

    page["timeline"] = [{"link": present.link(e, here), "date": when(idx.literal(e, DCT + "date")),
                         "note": idx.literal(e, SKOS + "note") or "", "marks": cites.of(e),
                         "joined": joined(parts["members"]),
                         "figures": figure_rows(r, parts["figures"], here, cites)}
                        for e, parts in sorted(by_event.items(), key=lambda kv: (in_time_order(idx.literal(kv[0], DCT + "date")), kv[0]))]
    page["unannounced"] = joined(unannounced)
    page["figures"] = figure_rows(r, observations, here, cites)
    page["charts"] = growth_charts(r, iri, observations, memberships)
    page["member_count"] = len({c for m in memberships for c in idx.iris(m, ORG + "member")})
    shown = {SKOS + "definition", CG + "runBy", CG + "partner", CG + "launchEvent"}
    return finish(r, page, shown=shown, shown_incoming={ORG + "organization", CG + "about"})


def growth_charts(r: SiteModel, iri: str, observations: list[str], memberships: list[str]) -> list[chart.Panel]:
    """Members, countries and claimed cuts per announcement (not targets), as chart panels."""
    idx = r.idx

    def points(metric: str) -> list[chart.Point]:
        out = []
        for o in observations:
            if (idx.literal(o, CG + "isTarget") or "") in ("true", "1") or metric not in idx.iris(o, CG + "metric"):
                continue
            when = date_value(idx.literal(o, CG + "asOf"))
            value = idx.literal(o, QUDT + "numericValue")
            if when is None or value is None:
                continue
            sources = "; ".join(idx.label(s) for s in idx.iris(o, DCT + "source"))
            out.append(chart.Point(when, float(value), f"{date_text(idx.literal(o, CG + 'asOf'))}: "
                                   f"{quantity_text(value)} ({sources})"))
        return out

    declared = points(CG + "NumberOfClusters")
    dates = sorted({p.when for p in declared})
    since = [date_value(idx.literal(m, CG + "memberSince")) for m in memberships]
    named = [chart.Point(d, float(sum(1 for s in since if s is not None and s <= d + 1e-9)),
                         f"{sum(1 for s in since if s is not None and s <= d + 1e-9)} members named in this graph")
             for d in dates]
    countries = points(CG + "NumberOfCountries")
    cuts = points(CG + "EmissionReductionPotential")
    every = [p.when for p in declared + countries + cuts]
    if not every:
        return []
    span = (min(every), max(every))
    panels = [chart.panel("Member clusters", "clusters", [chart.Series("declared", "#0b5cad", declared),
                                                          chart.Series("named in this graph", "#2ca02c", named, dashed=True)], span),
              chart.panel("Countries", "countries", [chart.Series("declared", "#9467bd", countries)], span),
              chart.panel("Claimed emission cuts", "t CO2e a year", [chart.Series("claimed", "#d62728", cuts)], span)]
    return [p for p in panels if p is not None]


def country_page(r: SiteModel, iri: str) -> Context:
    """A country: its codes, its clusters (with a map), other resources there and figures."""
    idx = r.idx
    page = base_context(r, iri)
    here, cites = page["here"], page["sources_cited"]
    in_country = idx.referrers(iri, CG + "country")
    clusters = [c for c in in_country if idx.has_type(c, CG + "IndustrialCluster")]
    page["codes"] = [v for v in (idx.literal(iri, CG + "iso3166Alpha2"), idx.literal(iri, CG + "iso3166Alpha3")) if v]
    page["same_as"] = [r.present.link(s, here) for s in idx.iris(iri, OWL + "sameAs")]
    page["clusters"] = cluster_rows(r, clusters, here)
    page["others"] = [{"link": r.present.link(o, here), "types": [r.present.link(t, here) for t in idx.types.get(o, [])]}
                      for o in sorted(set(in_country) - set(clusters), key=lambda o: (idx.label(o).lower(), o))]
    page["local_map"] = r.local_map(here, clusters)
    page["figures"] = figure_rows(r, [o for o in idx.referrers(iri, CG + "comparableTo")], here, cites)
    shown = {CG + "iso3166Alpha2", CG + "iso3166Alpha3", OWL + "sameAs"}
    return finish(r, page, shown=shown, shown_incoming={CG + "country", CG + "comparableTo"})


def technology_page(r: SiteModel, iri: str) -> Context:
    """A technology: its place in the tree and the clusters pursuing it or a narrower one."""
    idx = r.idx
    page = base_context(r, iri)
    here = page["here"]
    page["definition"] = idx.literal(iri, SKOS + "definition") or ""
    page["path"] = _technology_path(r, iri, here)
    page["broader"] = _sorted_links(r, broader_of(idx, iri), here)
    page["narrower"] = _sorted_links(r, narrower_of(idx, iri), here)
    via: dict[str, list[str]] = {}
    todo, seen = [iri], set()
    while todo:
        concept = todo.pop()
        if concept in seen:
            continue
        seen.add(concept)
        todo.extend(narrower_of(idx, concept))
        for c in idx.referrers(concept, CG + "technology"):
            via.setdefault(c, [])
            if concept != iri:
                via[c].append(concept)
    clusters = [c for c in via if idx.has_type(c, CG + "IndustrialCluster")]
    others = sorted(set(via) - set(clusters))
    page["clusters"] = cluster_rows(r, clusters, here, via)
    page["other_pursuers"] = _sorted_links(r, others, here)
    page["local_map"] = r.local_map(here, clusters)
    page["tree_href"] = r.links.page(here, "id/technology", iri.rsplit("/", 1)[-1])
    shown = {SKOS + "definition", SKOS + "broader", SKOS + "narrower"}
    return finish(r, page, shown=shown, shown_incoming={CG + "technology", SKOS + "broader", SKOS + "narrower"})


def organization_page(r: SiteModel, iri: str) -> Context:
    """An organisation: what it leads, belongs to, runs or published, and its posts."""
    idx = r.idx
    page = base_context(r, iri)
    here, cites = page["here"], page["sources_cited"]
    def links(prop: str) -> list[dict[str, Any]]:
        """What points at the organisation with `prop`, each with its claim's own sources."""
        subjects = sorted(idx.referrers(iri, prop), key=lambda v: (idx.label(v).lower(), v))
        return [{**r.present.link(v, here), "marks": cites.of_claim(v, prop, iri)} for v in subjects]

    page["unit_of"] = _claims(r, iri, ORG + "unitOf", here, cites)
    page["roles"] = [{"label": label, "links": items} for label, items in (
        ("Leads", links(CG + "ledBy")), ("Member of", links(ORG + "hasMember")),
        ("Linked to", links(ORG + "linkedTo")), ("Runs", links(CG + "runBy")),
        ("Partner of", links(CG + "partner")), ("Units", links(ORG + "unitOf")),
        ("Organised", links(CG + "organizer"))) if items]
    page["posts"] = posts_of(r, idx.referrers(iri, ORG + "postIn"), here, cites)
    published = idx.referrers(iri, DCT + "publisher")
    page["published"] = [{"link": r.present.link(p, here), "issued": when(idx.literal(p, DCT + "issued"))}
                         for p in _by_date(r, published, DCT + "issued")]
    shown = {ORG + "unitOf"}
    incoming = {CG + "ledBy", ORG + "hasMember", ORG + "linkedTo", CG + "runBy", CG + "partner", ORG + "unitOf", CG + "organizer",
                ORG + "postIn", DCT + "publisher"}
    return finish(r, page, shown=shown, shown_incoming=incoming)


def person_page(r: SiteModel, iri: str) -> Context:
    """A person: posts, clusters they are a key person of, and quotations."""
    idx = r.idx
    page = base_context(r, iri)
    here, cites = page["here"], page["sources_cited"]
    page["posts"] = posts_of(r, idx.referrers(iri, ORG + "heldBy"), here, cites)
    page["clusters"] = _sorted_links(r, idx.referrers(iri, CG + "keyPerson"), here)
    page["quotations"] = [{"link": r.present.link(q, here), "text": idx.literal(q, SCHEMA + "text") or "",
                           "date": when(idx.literal(q, DCT + "date")),
                           "post": [r.present.link(p, here) for p in idx.iris(q, CG + "inPost")],
                           "marks": cites.of(q)} for q in _by_date(r, idx.referrers(iri, SCHEMA + "author"), DCT + "date")]
    return finish(r, page, shown=set(), shown_incoming={ORG + "heldBy", CG + "keyPerson", SCHEMA + "author"})


BUILDERS: dict[str, Callable[[SiteModel, str], Context]] = {
    "cluster": cluster_page, "initiative": initiative_page, "country": country_page,
    "technology": technology_page, "organization": organization_page, "person": person_page,
}
