"""CSV and TSV: one row per industrial cluster, for spreadsheets."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from clustergraph.export.graph import ExportGraph

if TYPE_CHECKING:
    import pyoxigraph

CSV_COLUMNS = ("name", "country", "iso_code", "technologies", "year_joined",
               "latitude", "longitude", "sources", "iri")

WKT_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$", re.IGNORECASE
)

_TABLE_PREFIXES = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""


def _en_label(var: str, out: str) -> str:
    return (f"OPTIONAL {{ {var} skos:prefLabel ?{out}_p FILTER(langMatches(lang(?{out}_p), 'en')) }} "
            f"OPTIONAL {{ {var} rdfs:label ?{out}_r FILTER(langMatches(lang(?{out}_r), 'en') || lang(?{out}_r) = '') }} "
            f"BIND(COALESCE(?{out}_p, ?{out}_r) AS ?{out})")


def cluster_table(store: pyoxigraph.Store) -> list[dict[str, str]]:
    """One row per `cg:IndustrialCluster` (candidates excluded), ordered by name then IRI.

    Columns: CSV_COLUMNS. Lists (technologies, sources) are sorted and joined with "; ".
    """

    def select(body: str) -> list[dict[str, str]]:
        results = store.query(_TABLE_PREFIXES + body)
        names = [v.value for v in results.variables]
        return [{n: (sol[n].value if sol[n] is not None else "") for n in names} for sol in results]

    clusters: dict[str, dict[str, Any]] = {}
    for r in select(f"SELECT ?c ?name WHERE {{ ?c a cg:IndustrialCluster . {_en_label('?c', 'name')} }}"):
        row = clusters.setdefault(r["c"], {"names": set(), "countries": set(), "iso": set(),
                                           "tech": set(), "years": set(), "points": set(),
                                           "sources": set()})
        if r["name"]:
            row["names"].add(r["name"])
    for r in select(
        "SELECT ?c ?k ?kl ?iso WHERE { ?c a cg:IndustrialCluster ; cg:country ?k . "
        f"{_en_label('?k', 'kl')} OPTIONAL {{ ?k cg:iso3166Alpha2 ?iso }} }}"
    ):
        clusters[r["c"]]["countries"].add(r["kl"] or r["k"])
        if r["iso"]:
            clusters[r["c"]]["iso"].add(r["iso"])
    for r in select(
        "SELECT ?c ?t ?tl WHERE { ?c a cg:IndustrialCluster ; cg:technology ?t . "
        f"{_en_label('?t', 'tl')} }}"
    ):
        clusters[r["c"]]["tech"].add(r["tl"] or r["t"])
    for r in select(
        "SELECT ?c ?since WHERE { ?c a cg:IndustrialCluster . ?m org:member ?c ; cg:memberSince ?since }"
    ):
        clusters[r["c"]]["years"].add(r["since"][:4])
    for r in select("SELECT ?c ?wkt WHERE { ?c a cg:IndustrialCluster ; geo:hasGeometry/geo:asWKT ?wkt }"):
        m = WKT_POINT.match(r["wkt"])
        if m:
            clusters[r["c"]]["points"].add((m.group(2), m.group(1)))
    for r in select(
        "SELECT ?c ?s ?url WHERE { ?c a cg:IndustrialCluster ; dcterms:source ?s . "
        "OPTIONAL { ?s schema:url ?url } }"
    ):
        clusters[r["c"]]["sources"].add(r["url"] or r["s"])
    table = []
    for iri, row in clusters.items():
        point = sorted(row["points"])[0] if row["points"] else ("", "")
        table.append({
            "name": sorted(row["names"])[0] if row["names"] else "",
            "country": "; ".join(sorted(row["countries"])),
            "iso_code": "; ".join(sorted(row["iso"])),
            "technologies": "; ".join(sorted(row["tech"], key=lambda s: (s.lower(), s))),
            "year_joined": min(row["years"]) if row["years"] else "",
            "latitude": point[0],
            "longitude": point[1],
            "sources": "; ".join(sorted(row["sources"])),
            "iri": iri,
        })
    table.sort(key=lambda r: (r["name"].casefold(), r["name"], r["iri"]))
    return table


def _table_chunks(graph: ExportGraph, delimiter: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(cluster_table(graph.store()))
    yield buffer.getvalue().encode("utf-8")


def chunks_csv(graph: ExportGraph) -> Iterator[bytes]:
    """The cluster table (`cluster_table`) as CSV with a header row."""
    return _table_chunks(graph, ",")


def chunks_tsv(graph: ExportGraph) -> Iterator[bytes]:
    """The cluster table (`cluster_table`) as tab-separated values with a header row."""
    return _table_chunks(graph, "\t")
