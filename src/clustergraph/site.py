"""The static linked-data site: one page per resource at the path of its IRI, and indexes.

`build_site(out)` writes plain files that any static host can serve, built from the same export
graph and the same per-resource serialiser as `clustergraph export`:

* `id/{kind}/{slug}/index.html` beside `index.ttl` and `index.jsonld` for every resource, with
  labels, every link to another resource as a link, sources with their addresses, inverse links,
  a small map for located clusters, and schema.org JSON-LD for search engines;
* `id/{kind}/index.html` listing each kind (clusters as a table, technologies as the SKOS tree);
* `ontology/` documenting every class and property (definition, domain, range), with the
  ontology, shapes and JSON-LD context files; `map/` with all clusters coloured by technology;
* `downloads/` with every export format and `void.ttl`, the dataset description, also at
  `id/dataset/clustergraph/`;
* `.htaccess` (Apache, content negotiation inside the site) and `w3id.htaccess` (the rules for
  https://w3id.org/clustergraph/ that send browsers to HTML and machines to Turtle or JSON-LD).

Maps are drawn here, in Python, as SVG from Natural Earth outlines (world-atlas, vendored in
`site_assets/vendor/`): no tile server, no CDN, no JavaScript, and they work from file:// too.
The site is built in a temporary folder and swapped in whole (`atomic_directory`).
"""

from __future__ import annotations

import html
import json
import logging
import math
import posixpath
import re
import shutil
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from clustergraph.errors import InputError

__all__ = ["BASE", "build_site", "SiteResult", "iri_to_path", "project", "htaccess", "w3id_rules"]

log = logging.getLogger(__name__)

BASE = "https://w3id.org/clustergraph/"
ID_NS = BASE + "id/"
ONTOLOGY_IRI = BASE + "ontology"
CG = ONTOLOGY_IRI + "#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
DCT = "http://purl.org/dc/terms/"
SCHEMA = "https://schema.org/"
GEO = "http://www.opengis.net/ont/geosparql#"
ORG = "http://www.w3.org/ns/org#"
XSD = "http://www.w3.org/2001/XMLSchema#"

#: Label properties, best first.
_LABELS = (SKOS + "prefLabel", RDFS + "label", DCT + "title", CG + "title", SCHEMA + "name",
           "http://xmlns.com/foaf/0.1/name")

#: Readable names of the other vocabularies' properties our pages show.
PROPERTY_LABELS = {
    SKOS + "prefLabel": "name", SKOS + "altLabel": "also called", SKOS + "definition": "definition",
    SKOS + "note": "note", SKOS + "editorialNote": "editorial note", SKOS + "broader": "broader",
    SKOS + "narrower": "narrower", SKOS + "inScheme": "in scheme", SKOS + "topConceptOf": "top concept of",
    SKOS + "hasTopConcept": "top concepts", RDFS + "label": "label", RDFS + "comment": "comment",
    DCT + "source": "source", DCT + "title": "title", DCT + "issued": "issued", DCT + "date": "date",
    DCT + "publisher": "publisher", DCT + "creator": "creator", DCT + "license": "licence",
    DCT + "description": "description", DCT + "modified": "modified", DCT + "created": "created",
    GEO + "hasGeometry": "geometry", GEO + "asWKT": "coordinates (WKT)", OWL + "sameAs": "same as",
    ORG + "member": "member", ORG + "organization": "organisation", ORG + "hasMember": "has member",
    ORG + "heldBy": "held by", ORG + "postIn": "post in", ORG + "role": "role", ORG + "unitOf": "unit of",
    SCHEMA + "url": "address", SCHEMA + "text": "text", SCHEMA + "author": "author",
    SCHEMA + "location": "location", "http://qudt.org/schema/qudt/numericValue": "value",
    "http://qudt.org/schema/qudt/unit": "unit", RDF_TYPE: "type",
    "http://purl.org/vocab/vann/preferredNamespacePrefix": "preferred prefix",
    "http://purl.org/vocab/vann/preferredNamespaceUri": "namespace",
    OWL + "versionIRI": "version IRI", OWL + "versionInfo": "version", RDFS + "seeAlso": "see also",
}

#: Index pages: kind (first segment after id/) -> title. Other kinds get a title from their name.
KINDS = {
    "cluster": "Industrial clusters",
    "country": "Countries",
    "technology": "Technologies",
    "organization": "Organisations",
    "person": "People",
    "report": "Reports",
    "candidate": "Candidate clusters",
    "initiative": "Initiatives",
    "membership": "Memberships",
    "event": "Events",
    "place": "Places",
    "post": "Posts",
    "quotation": "Quotations",
    "observation": "Metric observations",
    "source": "Sources",
    "dataset": "Datasets",
}

#: Colours of the top technology concepts on the maps, in the order the scheme lists them.
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b",
           "#e377c2", "#bcbd22", "#f2c500", "#393b79", "#637939", "#843c39", "#5254a3")
NO_TECH = "#444444"


@dataclass
class SiteResult:
    """What `build_site` wrote."""

    out: Path
    pages: int
    resources: int
    files: int


@cache
def iri_to_path(iri: str) -> tuple[str, str] | None:
    """The site folder (relative, no slashes at the ends) and fragment of one of our IRIs.

    None for IRIs outside https://w3id.org/clustergraph/ or that are no safe path.
    """
    if not iri.startswith(BASE):
        return None
    rest, _, fragment = iri[len(BASE):].partition("#")
    parts = rest.split("/")
    if rest and any(p in ("", ".", "..") or not re.fullmatch(r"[A-Za-z0-9._~%!$&'()*+,;=:@-]+", p)
                    for p in parts):
        return None
    return rest, fragment


def _rel(from_dir: str, to_dir: str, fragment: str = "") -> str:
    """A relative link from one site folder to another (ending with a slash)."""
    here = from_dir.split("/") if from_dir else []
    there = to_dir.split("/") if to_dir else []
    common = 0
    for a, b in zip(here, there):
        if a != b:
            break
        common += 1
    rel = "/".join([".."] * (len(here) - common) + there[common:])
    link = "./" if not rel else rel + "/"
    return link + (f"#{fragment}" if fragment else "")


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


# ---------------------------------------------------------------------------------------------
# Maps: Natural Earth outlines (world-atlas TopoJSON) in the Natural Earth I projection, as SVG
# ---------------------------------------------------------------------------------------------

MAP_SCALE = 175.0
MAP_WIDTH = 2 * 2.7353 * MAP_SCALE
MAP_HEIGHT = 2 * 1.4224 * MAP_SCALE


def project(lon: float, lat: float) -> tuple[float, float]:
    """Natural Earth I projection (Šavrič et al. 2011) to SVG coordinates of the world map.

    Longitudes beyond ±180 continue the same formula (used to draw rings that cross 180°).
    """
    lam, phi = math.radians(lon), math.radians(lat)
    p2 = phi * phi
    p4 = p2 * p2
    x = lam * (0.8707 - 0.131979 * p2 + p4 * (-0.013791 + p4 * (0.003971 * p2 - 0.001529 * p4)))
    y = phi * (1.007226 + p2 * (0.015085 + p4 * (-0.044475 + 0.028874 * p2 - 0.005916 * p4)))
    return MAP_WIDTH / 2 + x * MAP_SCALE, MAP_HEIGHT / 2 - y * MAP_SCALE


def _vendor(*parts: str) -> Any:
    return files("clustergraph").joinpath("site_assets", "vendor", *parts)


@cache
def _country_paths() -> tuple[tuple[str, str], ...]:
    """(name, SVG path data) of every country of world-atlas's 1:110m outlines."""
    topo = json.loads(_vendor("world-atlas", "countries-110m.json").read_text(encoding="utf-8"))
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> str:
        points: list[tuple[float, float]] = []
        for i in indexes:
            arc = arcs[i] if i >= 0 else arcs[~i][::-1]
            points.extend(arc if not points else arc[1:])
        crosses = any(abs(a[0] - b[0]) > 180 for a, b in zip(points, points[1:]))
        if not crosses or min(lat for _, lat in points) < -60:  # Antarctica wraps the pole: as is
            shifts = [0.0]
        else:
            # a ring across the antimeridian (Russia, Fiji): unwrap it east of 180 degrees and draw
            # it twice, once on each side; the map's frame clips what falls outside
            points = [(lon + 360 if lon < 0 else lon, lat) for lon, lat in points]
            shifts = [0.0, -360.0]
        return "".join(
            "M" + "L".join("{:.1f},{:.1f}".format(*project(lon + shift, lat)) for lon, lat in points) + "Z"
            for shift in shifts)

    out = []
    for geom in topo["objects"]["countries"]["geometries"]:
        polys = geom.get("arcs") or []
        if geom["type"] == "Polygon":
            polys = [polys]
        elif geom["type"] != "MultiPolygon":
            continue
        d = "".join(ring(r) for poly in polys for r in poly)
        out.append((geom.get("properties", {}).get("name", ""), d))
    return tuple(out)


def favicon_ico() -> bytes:
    """A 16×16 icon (a PNG inside an ICO) for hosts and browsers that ask for /favicon.ico."""
    import struct
    import zlib

    rows = []
    for y in range(16):
        row = bytearray([0])
        for x in range(16):
            d = math.hypot(x - 7.5, y - 7.5)
            row += bytes((44, 160, 44, 255)) if d < 3.2 else bytes((15, 42, 67, 255)) if d < 7.5 else bytes(4)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 16, 16, 8, 6, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + chunk(b"IEND", b""))
    return struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", 16, 16, 0, 0, 1, 32, len(png), 22) + png


def world_svg() -> str:
    """The world's countries as a standalone SVG document (assets/world.svg)."""
    paths = "".join(f'<path d="{d}"><title>{_e(name)}</title></path>' for name, d in _country_paths())
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {MAP_WIDTH:.0f} {MAP_HEIGHT:.0f}" '
            f'width="{MAP_WIDTH:.0f}" height="{MAP_HEIGHT:.0f}">'
            f'<rect width="100%" height="100%" fill="#eaf2f8"/>'
            f'<g fill="#d9d4c7" stroke="#ffffff" stroke-width="0.5">{paths}</g></svg>\n')


# ---------------------------------------------------------------------------------------------
# The graph, indexed for pages
# ---------------------------------------------------------------------------------------------


@dataclass
class _Index:
    """Everything the pages need, gathered in one pass over the sorted triples."""

    out: dict[Any, list[tuple[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))

    def label(self, iri: str) -> str:
        found = self.labels.get(iri)
        if found:
            return found
        tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
        return tail or iri

    def first(self, subject: Any, prop: str) -> Any:
        for p, o in self.out.get(subject, ()):
            if p == prop:
                return o
        return None

    def values(self, subject: Any, prop: str) -> list[Any]:
        return [o for p, o in self.out.get(subject, ()) if p == prop]


def _index(triples: Iterable[Any]) -> _Index:
    import pyoxigraph as ox

    idx = _Index()
    ranks: dict[str, tuple[int, int]] = {}
    for t in triples:
        s, p, o = t.subject, t.predicate.value, t.object
        key = s.value if isinstance(s, ox.NamedNode) else s
        idx.out[key].append((p, o))
        if isinstance(o, ox.NamedNode):
            if p == RDF_TYPE:
                idx.types[key if isinstance(key, str) else str(key)].append(o.value)
            elif isinstance(key, str):
                idx.incoming[o.value].append((key, p))
        elif isinstance(o, ox.Literal) and p in _LABELS and isinstance(key, str):
            lang = o.language or ""
            rank = (_LABELS.index(p), 0 if lang == "en" else 1 if lang == "" else 2)
            if key not in ranks or rank < ranks[key]:
                ranks[key] = rank
                idx.labels[key] = o.value
    return idx


# ---------------------------------------------------------------------------------------------
# HTML
# ---------------------------------------------------------------------------------------------

_CSS = """
:root { --fg:#1d2630; --muted:#5b6773; --line:#dde3e8; --accent:#0b5cad; --bg:#ffffff; }
* { box-sizing: border-box; }
body { margin:0; font:16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color:var(--fg); background:var(--bg); }
header.site { background:#0f2a43; color:#fff; padding:.6rem 1.2rem; display:flex; gap:1.2rem; flex-wrap:wrap; align-items:baseline; }
header.site a { color:#fff; text-decoration:none; }
header.site a.brand { font-weight:700; font-size:1.15rem; margin-right:1rem; }
main { max-width:72rem; margin:0 auto; padding:1rem 1.2rem 3rem; }
a { color:var(--accent); }
h1 { margin:.6rem 0 .2rem; font-size:1.8rem; }
.iri { color:var(--muted); font-size:.9rem; word-break:break-all; }
.types a, .badge { display:inline-block; background:#eef3f8; border-radius:.8rem; padding:0 .6rem; margin:.1rem .2rem .1rem 0; font-size:.85rem; text-decoration:none; }
table { border-collapse:collapse; width:100%; margin:.6rem 0 1.2rem; }
th, td { text-align:left; vertical-align:top; padding:.35rem .5rem; border-bottom:1px solid var(--line); }
th { width:14rem; font-weight:600; color:var(--muted); }
table.list th { width:auto; }
.lit-meta { color:var(--muted); font-size:.8rem; margin-left:.3rem; }
ul.values { margin:0; padding-left:1.1rem; }
.formats a { margin-right:.8rem; }
.map svg { width:100%; height:auto; border:1px solid var(--line); border-radius:.3rem; background:#eaf2f8; }
.minimap { float:right; width:22rem; max-width:45%; margin:0 0 1rem 1rem; }
.legend span { display:inline-block; margin:.1rem .8rem .1rem 0; font-size:.85rem; }
.legend i { display:inline-block; width:.8rem; height:.8rem; border-radius:50%; margin-right:.3rem; vertical-align:-.05rem; }
ul.tree { list-style:none; padding-left:1.2rem; } ul.tree > li { margin:.15rem 0; }
.count { color:var(--muted); font-size:.85rem; }
dl.term { margin:.2rem 0 1.4rem; } dl.term dt { font-weight:600; color:var(--muted); float:left; width:8rem; clear:left; } dl.term dd { margin-left:8.5rem; }
section.term { border-top:1px solid var(--line); padding-top:.4rem; }
footer { color:var(--muted); font-size:.85rem; border-top:1px solid var(--line); margin-top:2rem; padding-top:.6rem; }
"""


class _Site:
    """Writes the pages; knows which IRIs have a page so it only ever links to existing ones."""

    def __init__(self, out: Path, graph: Any, idx: _Index, ontology: _Index, *, endpoint: str | None) -> None:
        self.out = out
        self.graph = graph
        self.idx = idx
        self.onto = ontology
        self.endpoint = endpoint
        self.pages: set[str] = set()
        self.written = 0
        self.colours: dict[str, str] = {}
        self.focus: dict[str, str] = {}
        self.context = None
        self.clusters_without_focus = 0

    # -- links -----------------------------------------------------------------------------------

    def has_page(self, iri: str) -> bool:
        where = iri_to_path(iri)
        if where is None:
            return False
        path, fragment = where
        if path == "ontology":
            return not fragment or fragment in self.onto_terms
        return path in self.pages

    def href(self, iri: str, here: str) -> str | None:
        where = iri_to_path(iri)
        if where is not None and self.has_page(iri):
            return _rel(here, where[0], where[1])
        if iri.startswith(("http://", "https://")) and not iri.startswith(BASE):
            return iri
        return None

    def link(self, iri: str, here: str, text: str | None = None) -> str:
        label = text if text is not None else self.label(iri)
        target = self.href(iri, here)
        if target is None:
            return f'<span title="{_e(iri)}">{_e(label)}</span>'
        external = ' rel="external"' if target == iri else ""
        return f'<a href="{_e(target)}"{external}>{_e(label)}</a>'

    def label(self, iri: str) -> str:
        if iri in self.idx.labels:
            return self.idx.labels[iri]
        if iri in self.onto.labels:
            return self.onto.labels[iri]
        if iri in PROPERTY_LABELS:
            return PROPERTY_LABELS[iri]
        if iri.startswith(BASE) and self.has_page(iri):
            return self.idx.label(iri)
        from clustergraph.namespaces import PREFIXES

        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and len(iri) > len(ns) and prefix != "cgid":
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    # -- files -----------------------------------------------------------------------------------

    def write(self, rel_path: str, content: str | bytes) -> None:
        path = self.out / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, str):
            content = content.encode("utf-8")
        path.write_bytes(content)
        self.written += 1

    def page(self, here: str, title: str, body: str, *, head: str = "", description: str = "") -> None:
        root = _rel(here, "")
        nav = "".join(
            f'<a href="{_rel(here, p)}">{_e(t)}</a>'
            for p, t in (("id/cluster", "Clusters"), ("map", "Map"), ("id/country", "Countries"),
                         ("id/technology", "Technologies"), ("id/organization", "Organisations"),
                         ("id/person", "People"), ("id/report", "Reports"), ("ontology", "Ontology"),
                         ("downloads", "Downloads"))
            if p in self.pages or p in ("map", "ontology", "downloads")
        )
        desc = f'<meta name="description" content="{_e(description)}">' if description else ""
        doc = (
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_e(title)} · clustergraph</title>\n{desc}\n"
            f'<link rel="stylesheet" href="{root}assets/style.css">\n'
            f'<link rel="icon" href="{root}assets/favicon.svg" type="image/svg+xml">\n{head}</head>\n<body>\n'
            f'<header class="site"><a class="brand" href="{root}">clustergraph</a>{nav}</header>\n'
            f"<main>\n{body}\n<footer>clustergraph: an open, sourced knowledge graph of industrial "
            f'clusters in the energy transition. Data under <a href="https://creativecommons.org/licenses/by/4.0/" '
            f'rel="external license">CC BY 4.0</a>. Map outlines: Natural Earth (public domain) via '
            f'world-atlas (<a href="{root}assets/vendor/world-atlas/LICENSE">ISC</a>).</footer>\n'
            "</main>\n</body>\n</html>\n"
        )
        self.write(posixpath.join(here, "index.html") if here else "index.html", doc)

    # -- values ----------------------------------------------------------------------------------

    def value_html(self, value: Any, here: str, depth: int = 0) -> str:
        import pyoxigraph as ox

        if isinstance(value, ox.NamedNode):
            return self.link(value.value, here)
        if isinstance(value, ox.BlankNode):
            if depth > 3:
                return "…"
            return self.table(self.idx.out.get(value, []), here, depth + 1)
        text = _e(value.value)
        if value.datatype.value in (GEO + "wktLiteral",):
            text = f"<code>{text}</code>"
        if value.value.startswith(("http://", "https://")) and " " not in value.value:
            text = f'<a href="{_e(value.value)}" rel="external">{text}</a>'
        meta = ""
        if value.language and value.language != "en":
            meta = value.language
        elif not value.language and value.datatype.value not in (XSD + "string",):
            meta = self.label(value.datatype.value)
        return text + (f'<span class="lit-meta">{_e(meta)}</span>' if meta else "")

    def table(self, pairs: Sequence[tuple[str, Any]], here: str, depth: int = 0,
              skip: Iterable[str] = ()) -> str:
        grouped: dict[str, list[Any]] = defaultdict(list)
        skipped = set(skip)
        for p, o in pairs:
            if p not in skipped:
                grouped[p].append(o)
        rows = []
        for p in sorted(grouped, key=lambda p: (p != RDF_TYPE, self.label(p).lower())):
            vals = [self.value_html(o, here, depth) for o in grouped[p]]
            cell = vals[0] if len(vals) == 1 else '<ul class="values">' + "".join(f"<li>{v}</li>" for v in vals) + "</ul>"
            rows.append(f"<tr><th>{self.link(p, here)}</th><td>{cell}</td></tr>")
        return '<table class="props">' + "".join(rows) + "</table>"

    # -- schema.org ------------------------------------------------------------------------------

    def schema_org(self, iri: str, types: list[str]) -> dict[str, Any]:
        import pyoxigraph as ox

        kind = (iri_to_path(iri) or ("", ""))[0].split("/")[1] if iri.startswith(ID_NS) else ""
        schema_type = {"cluster": "Place", "candidate": "Place", "country": "Country", "place": "Place",
                       "organization": "Organization", "initiative": "Organization", "person": "Person",
                       "report": "Report", "event": "Event", "source": "CreativeWork",
                       "technology": "DefinedTerm", "quotation": "Quotation",
                       "dataset": "Dataset"}.get(kind, "Thing")
        doc: dict[str, Any] = {"@context": "https://schema.org", "@type": schema_type, "@id": iri,
                               "name": self.idx.label(iri), "url": iri}
        desc = (self.idx.first(iri, CG + "focusDescription") or self.idx.first(iri, SKOS + "definition")
                or self.idx.first(iri, DCT + "description"))
        if isinstance(desc, ox.Literal):
            doc["description"] = desc.value
        same = [o.value for o in self.idx.values(iri, OWL + "sameAs") if isinstance(o, ox.NamedNode)]
        if same:
            doc["sameAs"] = same
        point = self.point(iri)
        if point is not None:
            doc["geo"] = {"@type": "GeoCoordinates", "latitude": point[1], "longitude": point[0]}
        country = self.idx.first(iri, CG + "country")
        if isinstance(country, ox.NamedNode):
            doc["containedInPlace" if schema_type == "Place" else "location"] = {
                "@type": "Country", "name": self.idx.label(country.value), "@id": country.value}
        url = self.idx.first(iri, SCHEMA + "url")
        if url is not None:
            doc["url"] = url.value
        return doc

    # -- geometry --------------------------------------------------------------------------------

    def point(self, iri: str) -> tuple[float, float] | None:
        import pyoxigraph as ox

        from clustergraph.export import _WKT_POINT

        candidates = list(self.idx.values(iri, GEO + "asWKT"))
        for g in self.idx.values(iri, GEO + "hasGeometry"):
            key = g.value if isinstance(g, ox.NamedNode) else g
            candidates.extend(self.idx.values(key, GEO + "asWKT"))
        for wkt in sorted(c.value for c in candidates if isinstance(c, ox.Literal)):
            m = _WKT_POINT.match(wkt)
            if m:
                lon, lat = float(m.group(1)), float(m.group(2))
                if -180 <= lon <= 180 and -90 <= lat <= 90:
                    return lon, lat
        return None

    def marker(self, iri: str, here: str, radius: float = 4.0) -> str:
        point = self.point(iri)
        if point is None:
            return ""
        x, y = project(*point)
        colour = self.colours.get(self.focus.get(iri, ""), NO_TECH)
        focus = self.label(self.focus[iri]) if iri in self.focus else "no technology given"
        circle = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius}" fill="{colour}" stroke="#fff" '
                  f'stroke-width="1"><title>{_e(self.idx.label(iri))} — {_e(focus)}</title></circle>')
        target = self.href(iri, here)
        return f'<a href="{_e(target)}">{circle}</a>' if target else circle

    def map_svg(self, here: str, clusters: Sequence[str], *, inline_world: bool = True,
                view: tuple[float, float, float, float] | None = None, radius: float = 4.0) -> str:
        vx, vy, vw, vh = view or (0.0, 0.0, MAP_WIDTH, MAP_HEIGHT)
        world_href = _rel(here, "assets") + "world.svg"
        world = f'<image href="{world_href}" x="0" y="0" width="{MAP_WIDTH:.0f}" height="{MAP_HEIGHT:.0f}"/>'
        markers = "".join(self.marker(c, here, radius) for c in clusters)
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{vx:.1f} {vy:.1f} {vw:.1f} {vh:.1f}" '
                f'role="img" aria-label="map of industrial clusters">{world}{markers}</svg>')

    def legend(self) -> str:
        used = Counter(self.focus.values())
        items = [f'<span><i style="background:{self.colours[t]}"></i>{_e(self.label(t))} '
                 f'<span class="count">({used[t]})</span></span>' for t in self.colours if used[t]]
        untagged = self.clusters_without_focus
        if untagged:
            items.append(f'<span><i style="background:{NO_TECH}"></i>no technology given '
                         f'<span class="count">({untagged})</span></span>')
        return '<p class="legend">' + "".join(items) + "</p>"


def _kind(iri: str) -> str:
    return iri[len(ID_NS):].split("/", 1)[0]


def _technology_focus(idx: _Index, clusters: list[str]) -> tuple[list[str], dict[str, str]]:
    """Top technology concepts (scheme order) and each cluster's focus among them."""
    import pyoxigraph as ox

    tops: list[str] = []
    for iri, types in sorted(idx.types.items()):
        if SKOS + "ConceptScheme" in types and iri.startswith(ID_NS + "technology/"):
            tops.extend(o.value for o in idx.values(iri, SKOS + "hasTopConcept") if isinstance(o, ox.NamedNode))
    for iri, pairs in idx.out.items():
        if isinstance(iri, str) and iri.startswith(ID_NS + "technology/"):
            for p, o in pairs:
                if p == SKOS + "topConceptOf" and iri not in tops:
                    tops.append(iri)
    tops = sorted(set(tops), key=lambda t: (tops.index(t)))

    def top_of(concept: str, seen: frozenset[str] = frozenset()) -> str | None:
        if concept in tops:
            return concept
        for b in idx.values(concept, SKOS + "broader"):
            if isinstance(b, ox.NamedNode) and b.value not in seen:
                found = top_of(b.value, seen | {concept})
                if found:
                    return found
        for parent, p in idx.incoming.get(concept, ()):
            if p == SKOS + "narrower" and parent not in seen:
                found = top_of(parent, seen | {concept})
                if found:
                    return found
        return None

    focus = {}
    for c in clusters:
        counts: Counter[str] = Counter()
        for t in idx.values(c, CG + "technology"):
            if isinstance(t, ox.NamedNode):
                top = top_of(t.value)
                if top:
                    counts[top] += 1
        if counts:
            best = max(counts.values())
            focus[c] = next(t for t in tops if counts.get(t) == best)
    return tops, focus


# ---------------------------------------------------------------------------------------------
# Building
# ---------------------------------------------------------------------------------------------


def build_site(
    out: Path | str,
    *,
    include: Iterable[str] | str = ("ontology", "data"),
    data: Sequence[Path | str] | None = None,
    graph: Any = None,
    host_url: str = "https://clustergraph.github.io/clustergraph/",
    endpoint: str | None = None,
    downloads: bool = True,
) -> SiteResult:
    """Build the static site into `out` (replaced whole, atomically).

    `host_url`: where the site will be served; the w3id rules redirect there.
    `endpoint`: a SPARQL endpoint serving the graph, named in the dataset description.
    `downloads`: also write every export format into `downloads/`.
    """
    from clustergraph.atomic import atomic_directory
    from clustergraph.export import build_export_graph

    eg = graph if graph is not None else build_export_graph(include, data=data)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: is a file; the site needs a folder")
    if not host_url.endswith("/"):
        host_url += "/"
    with atomic_directory(out) as tmp:
        result = _build(tmp, eg, host_url=host_url, endpoint=endpoint, downloads=downloads)
    result.out = out
    return result


def _build(out: Path, eg: Any, *, host_url: str, endpoint: str | None, downloads: bool) -> SiteResult:
    import pyoxigraph as ox

    from clustergraph import paths
    from clustergraph.dataset import DATASET_IRI, describe
    from clustergraph.export import (
        build_export_graph,
        cluster_table,
        export_all,
        load_context,
        resource_triples,
        serialize_triples,
    )

    triples = eg.triples()
    idx = _index(triples)
    onto_graph = build_export_graph("ontology")
    onto = _index(onto_graph.triples())
    site = _Site(out, eg, idx, onto, endpoint=endpoint)
    site.onto_terms = {iri[len(CG):] for iri in onto.out if isinstance(iri, str) and iri.startswith(CG)}
    context = load_context()

    resources = sorted(k for k in idx.out if isinstance(k, str) and k.startswith(ID_NS)
                       and iri_to_path(k) is not None)
    kinds: dict[str, list[str]] = defaultdict(list)
    for iri in resources:
        kinds[_kind(iri)].append(iri)
        site.pages.add(iri_to_path(iri)[0])  # type: ignore[index]
    for kind in kinds:
        site.pages.add(f"id/{kind}")
    site.pages.add("id/dataset/clustergraph")

    clusters = sorted(iri for iri in resources if CG + "IndustrialCluster" in idx.types.get(iri, ()))
    tops, site.focus = _technology_focus(idx, clusters)
    site.colours = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(tops)}
    site.clusters_without_focus = sum(1 for c in clusters if c not in site.focus)

    # static assets
    site.write("assets/style.css", _CSS.lstrip())
    site.write("assets/favicon.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16">'
               '<circle cx="8" cy="8" r="7" fill="#0f2a43"/><circle cx="8" cy="8" r="3" fill="#2ca02c"/></svg>\n')
    site.write("assets/world.svg", world_svg())
    site.write("favicon.ico", favicon_ico())
    vendor = out / "assets" / "vendor" / "world-atlas"
    vendor.mkdir(parents=True, exist_ok=True)
    for name in ("LICENSE", "package.json"):
        shutil.copyfile(str(_vendor("world-atlas", name)), vendor / name)
    site.written += 2

    # downloads and the dataset description
    sizes: dict[str, int] = {}
    if downloads:
        result = export_all(out / "downloads", graph=eg, endpoint=endpoint)
        sizes = dict(result.sizes)
        site.written += len(result.files) + 1
    distributions = {f: (f"clustergraph{_suffix(f)}", n) for f, n in sizes.items()}
    description = describe(eg, distributions=distributions, endpoint=endpoint)

    # one page per resource, with its Turtle and JSON-LD
    for iri in resources:
        here = iri_to_path(iri)[0]  # type: ignore[index]
        own = resource_triples(eg, iri)
        site.write(f"{here}/index.ttl", serialize_triples(own, "turtle"))
        site.write(f"{here}/index.jsonld", serialize_triples(own, "jsonld", context=context))
        _resource_page(site, iri, here)

    # the dataset description as a resource of its own (unless the data describes it already)
    ds_here = "id/dataset/clustergraph"
    site.write(f"{ds_here}/index.ttl", serialize_triples(description, "turtle"))
    site.write(f"{ds_here}/index.jsonld", serialize_triples(description, "jsonld", context=context))
    ds_index = _index(description)
    _dataset_page(site, ds_index, ds_here, sizes)

    # indexes
    for kind, members in sorted(kinds.items()):
        _kind_page(site, kind, members, clusters, tops, cluster_table)
    if "dataset" not in kinds:
        _kind_page(site, "dataset", [DATASET_IRI], clusters, tops, cluster_table)
    _map_page(site, clusters)
    _ontology_page(site, onto_graph, paths)
    _downloads_page(site, sizes)
    _home_page(site, kinds, clusters, eg)
    site.write("404.html", "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Not found · "
               "clustergraph</title></head><body><h1>Not found</h1><p>No clustergraph page has this "
               "address.</p></body></html>\n")
    site.write(".htaccess", htaccess())
    site.write("w3id.htaccess", w3id_rules(host_url))
    site.write(".nojekyll", "")
    del ox
    return SiteResult(out=out, pages=sum(1 for _ in out.rglob("index.html")), resources=len(resources),
                      files=site.written)


def _suffix(fmt: str) -> str:
    from clustergraph.export import FORMATS

    return FORMATS[fmt].suffix


def _resource_page(site: _Site, iri: str, here: str) -> None:
    idx = site.idx
    title = idx.label(iri)
    types = idx.types.get(iri, [])
    type_links = "".join(site.link(t, here) for t in types)
    body = [f"<h1>{_e(title)}</h1>", f'<p class="iri">{_e(iri)}</p>']
    if type_links:
        body.append(f'<p class="types">{type_links}</p>')
    point = site.point(iri)
    if point is not None:
        x, y = project(*point)
        w, h = 240.0, 150.0
        vx = min(max(x - w / 2, 0), MAP_WIDTH - w)
        vy = min(max(y - h / 2, 0), MAP_HEIGHT - h)
        body.append(f'<figure class="map minimap">{site.map_svg(here, [iri], view=(vx, vy, w, h), radius=5)}'
                    f'<figcaption class="count">{point[1]:.2f}, {point[0]:.2f} · '
                    f'<a href="{_rel(here, "map")}">all clusters</a></figcaption></figure>')
    body.append(site.table(idx.out.get(iri, []), here, skip=(RDF_TYPE,)))
    # sources, with their addresses
    sources = [o.value for o in idx.values(iri, DCT + "source") if hasattr(o, "value") and
               isinstance(o.value, str) and o.value.startswith("http")]
    if sources:
        items = []
        for s in sorted(set(sources), key=lambda s: idx.label(s).lower()):
            urls = [u.value for u in idx.values(s, SCHEMA + "url")]
            addr = "".join(f' — <a href="{_e(u)}" rel="external">{_e(u)}</a>' for u in sorted(urls))
            items.append(f"<li>{site.link(s, here)}{addr}</li>")
        body.append("<h2>Sources</h2><ul>" + "".join(items) + "</ul>")
    incoming = idx.incoming.get(iri, [])
    if incoming:
        rows = defaultdict(list)
        for s, p in incoming:
            rows[p].append(s)
        parts = []
        for p in sorted(rows, key=lambda p: site.label(p).lower()):
            subjects = sorted(set(rows[p]), key=lambda s: idx.label(s).lower())
            shown = subjects[:200]
            more = f"<li>… and {len(subjects) - 200} more</li>" if len(subjects) > 200 else ""
            parts.append(f"<tr><th>{site.link(p, here)} of</th><td><ul class=\"values\">"
                         + "".join(f"<li>{site.link(s, here)}</li>" for s in shown) + more + "</ul></td></tr>")
        body.append("<h2>Referenced by</h2><table class=\"props\">" + "".join(parts) + "</table>")
    body.append('<p class="formats">This resource as data: <a href="index.ttl" type="text/turtle">Turtle</a>'
                '<a href="index.jsonld" type="application/ld+json">JSON-LD</a></p>')
    schema = json.dumps(site.schema_org(iri, types), ensure_ascii=False, indent=1).replace("</", "<\\/")
    head = ('<link rel="alternate" type="text/turtle" href="index.ttl">\n'
            '<link rel="alternate" type="application/ld+json" href="index.jsonld">\n'
            f'<script type="application/ld+json">\n{schema}\n</script>\n')
    desc = idx.first(iri, CG + "focusDescription") or idx.first(iri, SKOS + "definition")
    site.page(here, title, "\n".join(body), head=head, description=getattr(desc, "value", ""))


def _dataset_page(site: _Site, ds: _Index, here: str, sizes: dict[str, int]) -> None:
    from clustergraph.dataset import DATASET_IRI

    saved, site.idx = site.idx, ds
    try:
        body = [f"<h1>{_e(ds.label(DATASET_IRI))}</h1>", f'<p class="iri">{_e(DATASET_IRI)}</p>',
                "<p>The VoID and DCAT description of the dataset: statistics, partitions and distributions.</p>",
                site.table(ds.out.get(DATASET_IRI, []), here),
                '<p class="formats">As data: <a href="index.ttl">Turtle</a><a href="index.jsonld">JSON-LD</a></p>']
        head = ('<link rel="alternate" type="text/turtle" href="index.ttl">\n'
                '<link rel="alternate" type="application/ld+json" href="index.jsonld">\n')
        site.page(here, "Dataset description", "\n".join(body), head=head)
    finally:
        site.idx = saved


def _kind_page(site: _Site, kind: str, members: list[str], clusters: list[str], tops: list[str],
               cluster_table: Any) -> None:
    here = f"id/{kind}"
    title = KINDS.get(kind, kind.replace("-", " ").capitalize() + "s")
    idx = site.idx
    body = [f"<h1>{_e(title)}</h1>", f'<p class="count">{len(members)} resources</p>']
    if kind == "cluster":
        rows = {r["iri"]: r for r in cluster_table(site.graph.store())}
        trs = []
        for iri in sorted(members, key=lambda i: idx.label(i).lower()):
            r = rows.get(iri)
            if r is None:
                continue
            trs.append(f"<tr><td>{site.link(iri, here)}</td><td>{_e(r['country'])}</td>"
                       f"<td>{_e(r['technologies'])}</td><td>{_e(r['year_joined'])}</td>"
                       f"<td>{len(r['sources'].split('; ')) if r['sources'] else 0}</td></tr>")
        body.append('<table class="list"><tr><th>Cluster</th><th>Country</th><th>Technologies</th>'
                    "<th>Joined</th><th>Sources</th></tr>" + "".join(trs) + "</table>")
        body.append(f'<p>See them <a href="{_rel(here, "map")}">on the map</a>, or download the '
                    f'<a href="{_rel(here, "downloads")}">table as CSV</a>.</p>')
        others = [i for i in members if i not in rows]
        if others:
            body.append("<h2>Other resources</h2><ul>" + "".join(
                f"<li>{site.link(i, here)}</li>" for i in sorted(others, key=lambda i: idx.label(i).lower()))
                + "</ul>")
    elif kind == "technology":
        body.append(_technology_tree(site, here, members, tops))
    else:
        items = "".join(f"<li>{site.link(i, here)}</li>" for i in sorted(members, key=lambda i: idx.label(i).lower()))
        body.append(f"<ul>{items}</ul>")
    site.page(here, title, "\n".join(body))


def _technology_tree(site: _Site, here: str, members: list[str], tops: list[str]) -> str:
    import pyoxigraph as ox

    idx = site.idx
    children: dict[str, set[str]] = defaultdict(set)
    has_parent: set[str] = set()
    concepts = [m for m in members if SKOS + "Concept" in idx.types.get(m, ())]
    for c in concepts:
        for b in idx.values(c, SKOS + "broader"):
            if isinstance(b, ox.NamedNode):
                children[b.value].add(c)
                has_parent.add(c)
        for n in idx.values(c, SKOS + "narrower"):
            if isinstance(n, ox.NamedNode):
                children[c].add(n.value)
                has_parent.add(n.value)
    uses = Counter(t.value for c, pairs in idx.out.items() for p, t in pairs if p == CG + "technology"
                   and isinstance(t, ox.NamedNode))
    roots = [t for t in tops if t in concepts] + sorted(
        (c for c in concepts if c not in has_parent and c not in tops), key=lambda c: idx.label(c).lower())

    def item(c: str, seen: frozenset[str]) -> str:
        colour = site.colours.get(c)
        dot = f'<i style="background:{colour}"></i>' if colour else ""
        n = uses.get(c, 0)
        count = f' <span class="count">({n} cluster{"s" if n != 1 else ""})</span>' if n else ""
        definition = idx.first(c, SKOS + "definition")
        sub = sorted(children.get(c, set()) - seen, key=lambda x: idx.label(x).lower())
        inner = ('<ul class="tree">' + "".join(item(s, seen | {s}) for s in sub) + "</ul>") if sub else ""
        title = f' title="{_e(definition.value)}"' if definition is not None else ""
        return f'<li{title}><span class="legend">{dot}</span>{site.link(c, here)}{count}{inner}</li>'

    schemes = [m for m in members if SKOS + "ConceptScheme" in idx.types.get(m, ())]
    head = "".join(f"<p>Scheme: {site.link(s, here)}</p>" for s in schemes)
    return head + '<ul class="tree">' + "".join(item(r, frozenset({r})) for r in roots) + "</ul>"


def _map_page(site: _Site, clusters: list[str]) -> None:
    here = "map"
    located = [c for c in clusters if site.point(c) is not None]
    unplaced = [c for c in clusters if site.point(c) is None]
    body = ["<h1>Map of industrial clusters</h1>",
            f'<p class="count">{len(located)} of {len(clusters)} clusters have a location; '
            "colour shows each cluster's main technology focus.</p>",
            site.legend(), f'<figure class="map">{site.map_svg(here, located)}</figure>']
    if unplaced:
        body.append("<h2>Clusters without a single location</h2><ul>"
                    + "".join(f"<li>{site.link(c, here)}</li>" for c in unplaced) + "</ul>")
    site.page(here, "Map", "\n".join(body), description="A map of industrial clusters in the energy transition.")


def _ontology_page(site: _Site, onto_graph: Any, paths: Any) -> None:
    import pyoxigraph as ox

    from clustergraph.export import serialize_triples

    here = "ontology"
    onto = site.onto
    site.write("ontology/clustergraph.ttl", paths.ontology_file().read_bytes())
    site.write("ontology/index.ttl", paths.ontology_file().read_bytes())
    site.write("ontology/context.jsonld", paths.context_file().read_bytes())
    site.write("ontology/index.jsonld", serialize_triples(onto_graph.triples(), "jsonld"))
    if paths.shapes_file().exists():
        site.write("ontology/shapes.ttl", paths.shapes_file().read_bytes())

    def terms_of(*kinds: str) -> list[str]:
        return sorted((i for i, ts in onto.types.items() if i.startswith(CG) and any(k in ts for k in kinds)),
                      key=lambda i: i[len(CG):].lower())

    def links(iris: Iterable[Any]) -> str:
        return ", ".join(site.link(o.value, here) if isinstance(o, ox.NamedNode) else "(an expression)"
                         for o in iris)

    def section(iri: str) -> str:
        name = iri[len(CG):]
        rows = [("IRI", f"<code>{_e(iri)}</code>")]
        kinds = [t for t in onto.types.get(iri, [])]
        rows.append(("type", links(ox.NamedNode(t) for t in kinds)))
        for label, prop in (("definition", SKOS + "definition"), ("comment", RDFS + "comment"),
                            ("subclass of", RDFS + "subClassOf"), ("subproperty of", RDFS + "subPropertyOf"),
                            ("domain", RDFS + "domain"), ("range", RDFS + "range"),
                            ("in scheme", SKOS + "inScheme"), ("disjoint with", OWL + "disjointWith"),
                            ("inverse of", OWL + "inverseOf")):
            vals = onto.values(iri, prop)
            if not vals:
                continue
            if isinstance(vals[0], ox.Literal):
                rows.append((label, "<br>".join(_e(v.value) for v in vals)))
            else:
                rows.append((label, links(vals)))
        dl = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in rows)
        return (f'<section class="term" id="{_e(name)}"><h3>{_e(onto.label(iri))} '
                f'<span class="count">cg:{_e(name)}</span></h3><dl class="term">{dl}</dl></section>')

    classes = terms_of(OWL + "Class")
    props = terms_of(OWL + "ObjectProperty", OWL + "DatatypeProperty", OWL + "AnnotationProperty")
    others = sorted((i for i in onto.out if isinstance(i, str) and i.startswith(CG) and i not in classes
                     and i not in props), key=lambda i: i[len(CG):].lower())
    header = onto.out.get(ONTOLOGY_IRI, [])
    toc = lambda items: ", ".join(f'<a href="#{_e(i[len(CG):])}">{_e(i[len(CG):])}</a>' for i in items)  # noqa: E731
    body = [f"<h1>{_e(onto.label(ONTOLOGY_IRI))}</h1>", f'<p class="iri">{_e(ONTOLOGY_IRI)}</p>',
            site.table(header, here, skip=(RDF_TYPE,)),
            '<p class="formats">Files: <a href="clustergraph.ttl">ontology (Turtle)</a>'
            '<a href="context.jsonld">JSON-LD context</a>'
            + ('<a href="shapes.ttl">SHACL shapes</a>' if paths.shapes_file().exists() else "") + "</p>",
            f"<h2>Classes</h2><p>{toc(classes)}</p>", *[section(c) for c in classes],
            f"<h2>Properties</h2><p>{toc(props)}</p>", *[section(p) for p in props],
            f"<h2>Closed lists and other terms</h2><p>{toc(others)}</p>", *[section(o) for o in others]]
    head = '<link rel="alternate" type="text/turtle" href="clustergraph.ttl">\n'
    site.page(here, "Ontology", "\n".join(body), head=head,
              description="The clustergraph ontology: every class and property.")


def _downloads_page(site: _Site, sizes: dict[str, int]) -> None:
    from clustergraph.export import FORMATS

    here = "downloads"
    rows = "".join(
        f'<tr><td><a href="clustergraph{FORMATS[f].suffix}">clustergraph{FORMATS[f].suffix}</a></td>'
        f"<td>{_e(FORMATS[f].label)}</td><td><code>{_e(FORMATS[f].media_type)}</code></td><td>{n:,} bytes</td></tr>"
        for f, n in sizes.items())
    body = ["<h1>Downloads</h1>",
            "<p>The whole graph (ontology and data) in every format, byte-identical between builds of the "
            'same data; described in <a href="void.ttl">void.ttl</a> (VoID and DCAT, also '
            f'<a href="{_rel(here, "id/dataset/clustergraph")}">as a page</a>).</p>',
            '<table class="list"><tr><th>File</th><th>Format</th><th>Media type</th><th>Size</th></tr>'
            + rows + "</table>"]
    site.page(here, "Downloads", "\n".join(body))


def _home_page(site: _Site, kinds: dict[str, list[str]], clusters: list[str], eg: Any) -> None:
    located = [c for c in clusters if site.point(c) is not None]
    order = list(KINDS)
    items = "".join(
        f'<li><a href="{_rel("", "id/" + k)}">{_e(KINDS.get(k, k.capitalize()))}</a> '
        f'<span class="count">({len(v)})</span></li>'
        for k, v in sorted(kinds.items(), key=lambda kv: (order.index(kv[0]) if kv[0] in order else 99, kv[0])))
    body = ["<h1>clustergraph</h1>",
            "<p>An open, sourced knowledge graph of industrial clusters in the energy transition: the "
            "clusters, their countries, locations and clean technologies, the initiatives they belong to, "
            "the organisations and people behind them, each claim with its source.</p>",
            f'<p class="count">{len(eg):,} triples · {len(clusters)} industrial clusters</p>',
            site.legend(), f'<figure class="map">{site.map_svg("", located)}</figure>',
            f"<h2>Browse</h2><ul>{items}</ul>",
            '<h2>Data</h2><ul><li><a href="ontology/">The ontology</a>, its classes and properties</li>'
            '<li><a href="downloads/">Downloads</a> in Turtle, N-Triples, N-Quads, TriG, JSON-LD, RDF/XML, CSV, TSV</li>'
            '<li><a href="id/dataset/clustergraph/">Dataset description</a> (VoID, DCAT)</li></ul>']
    head = ('<link rel="alternate" type="text/turtle" href="downloads/clustergraph.ttl">\n'
            if (site.out / "downloads" / "clustergraph.ttl").exists() else "")
    site.page("", "Industrial clusters in the energy transition", "\n".join(body), head=head,
              description="An open, sourced knowledge graph of industrial clusters in the energy transition.")


# ---------------------------------------------------------------------------------------------
# Content negotiation rules
# ---------------------------------------------------------------------------------------------

_TYPES = (("ttl", "text/turtle"), ("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
          ("nq", "application/n-quads"), ("trig", "application/trig"), ("rdf", "application/rdf+xml"),
          ("csv", "text/csv"), ("tsv", "text/tab-separated-values"), ("svg", "image/svg+xml"))

#: (Accept pattern, file) pairs, first match wins; a browser (text/html) always gets HTML.
NEGOTIATION = (
    (r"text/turtle|application/x-turtle", "index.ttl"),
    (r"application/ld\+json|application/json", "index.jsonld"),
)


def htaccess() -> str:
    """Apache rules for the site itself: media types, and Turtle/JSON-LD for machines that ask."""
    lines = ["# clustergraph site: media types and content negotiation (Apache 2.4, mod_rewrite, mod_headers)",
             "Options -MultiViews", "DirectoryIndex index.html", "ErrorDocument 404 /404.html", ""]
    lines += [f"AddType {media}; charset=utf-8 .{ext}" if media.startswith("text/")
              else f"AddType {media} .{ext}" for ext, media in _TYPES]
    lines += ["", "<IfModule mod_headers.c>", "  Header append Vary Accept", "</IfModule>", "",
              "RewriteEngine on"]
    for accept, target in NEGOTIATION:
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} ({accept})",
                  "RewriteCond %{HTTP_ACCEPT} !text/html",
                  f"RewriteCond %{{REQUEST_FILENAME}}/{target} -f",
                  f"RewriteRule ^(.*?)/?$ $1/{target} [L]"]
    lines += ["RewriteCond %{HTTP_ACCEPT} (text/turtle|application/x-turtle)",
              "RewriteCond %{HTTP_ACCEPT} !text/html",
              "RewriteRule ^ontology/?$ ontology/clustergraph.ttl [L]", ""]
    return "\n".join(lines)


def w3id_rules(host_url: str) -> str:
    """The rules for https://w3id.org/clustergraph/ (a `.htaccess` in the w3id.org repository).

    /clustergraph/id/... answers 303 See Other: browsers to the page, machines asking for
    Turtle or JSON-LD to the resource's file; the ontology likewise; everything else is
    redirected to the same path on the host.
    """
    host = host_url.rstrip("/")
    lines = ["# https://w3id.org/clustergraph/ -> " + host_url,
             "# Browsers get HTML; clients asking for Turtle or JSON-LD (and not HTML) get the data.",
             "Options +FollowSymLinks", "RewriteEngine on", ""]
    for accept, target in NEGOTIATION:
        lines += [f"RewriteCond %{{HTTP_ACCEPT}} ({accept})", "RewriteCond %{HTTP_ACCEPT} !text/html",
                  f"RewriteRule ^id/(.+?)/?$ {host}/id/$1/{target} [R=303,L]"]
    lines += ["RewriteRule ^id/(.+?)/?$ " + host + "/id/$1/ [R=303,L]", ""]
    lines += ["RewriteCond %{HTTP_ACCEPT} (text/turtle|application/x-turtle)", "RewriteCond %{HTTP_ACCEPT} !text/html",
              f"RewriteRule ^ontology/?$ {host}/ontology/clustergraph.ttl [R=303,L]",
              "RewriteCond %{HTTP_ACCEPT} (application/ld\\+json|application/json)",
              "RewriteCond %{HTTP_ACCEPT} !text/html",
              f"RewriteRule ^ontology/?$ {host}/ontology/index.jsonld [R=303,L]",
              f"RewriteRule ^ontology/?$ {host}/ontology/ [R=303,L]", "",
              f"RewriteRule ^(.*)$ {host}/$1 [R=302,L]", ""]
    return "\n".join(lines)
