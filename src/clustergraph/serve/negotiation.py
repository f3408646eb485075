"""Content negotiation: the `Accept` header (with q-values and wildcards) or a format parameter.

An *offer* is a media type the server can write, with the short format name the writers know.
`choose` returns the offer the client prefers most (the server's order breaks ties), or None
when the client accepts none of them (the caller answers 406). `offer_for_parameters` reads the
`format` / `output` / `results` parameters clients send (SPARQLWrapper sends all three, Virtuoso
users `format`, Joseki's `output`), each value a short name (json, ttl, rdf+xml, json-ld...) or a
media type; the first value naming a format of the answer wins, and when none does the caller
falls back to `Accept`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "BOOLEAN_OFFERS",
    "DESCRIPTION_OFFERS",
    "FORMAT_PARAMETERS",
    "GRAPH_OFFERS",
    "HTML_OFFERS",
    "MAX_RANGES",
    "QUERY_GRAPH_OFFERS",
    "ROWS_OFFERS",
    "Offer",
    "choose",
    "offer_for_format",
    "offer_for_parameters",
    "parse_accept",
]


@dataclass(frozen=True)
class Offer:
    """A media type we can answer with (`media_type` is what the response says)."""

    accepts: str  # the media type matched against Accept (may be an alias)
    fmt: str  # the writer's name: json, xml, csv, tsv, turtle, ntriples, jsonld, rdfxml, ...
    media_type: str


def _offers(*items: tuple[str, str, str]) -> tuple[Offer, ...]:
    return tuple(Offer(*item) for item in items)


_TURTLE = "text/turtle; charset=utf-8"
_RDFXML = "application/rdf+xml"
#: SELECT rows and ASK booleans: SPARQL Results JSON and XML, CSV, TSV.
ROWS_OFFERS = _offers(
    ("application/sparql-results+json", "json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("text/csv", "csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values; charset=utf-8"),
    ("application/json", "json", "application/sparql-results+json"),
    ("application/xml", "xml", "application/sparql-results+xml"),
    ("text/xml", "xml", "application/sparql-results+xml"),
    ("text/javascript", "json", "application/sparql-results+json"),
    ("application/javascript", "json", "application/sparql-results+json"),
)
BOOLEAN_OFFERS = ROWS_OFFERS
#: A few triples, as the export writes them: `/id/...`, `/void` (Turtle, N-Triples, JSON-LD,
#: RDF/XML).
GRAPH_OFFERS = _offers(
    ("text/turtle", "turtle", _TURTLE),
    ("application/n-triples", "ntriples", "application/n-triples"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/rdf+xml", "rdfxml", _RDFXML),
    ("application/x-turtle", "turtle", _TURTLE),
    ("application/turtle", "turtle", _TURTLE),
    ("text/n3", "turtle", _TURTLE),  # Turtle is N3
    ("text/rdf+n3", "turtle", _TURTLE),
    ("application/n3", "turtle", _TURTLE),
    ("text/plain", "ntriples", "application/n-triples"),
    ("application/x-json+ld", "jsonld", "application/ld+json"),
    ("application/json", "jsonld", "application/ld+json"),
    ("application/xml", "rdfxml", _RDFXML),
    ("text/xml", "rdfxml", _RDFXML),
)
_QUADS = _offers(
    ("application/n-quads", "nquads", "application/n-quads"),
    ("application/trig", "trig", "application/trig; charset=utf-8"),
    ("application/rdf+json", "rdfjson", "application/rdf+json"),
    ("text/x-nquads", "nquads", "application/n-quads"),
)
#: The service description: every RDF syntax (Comunica asks for N-Quads first).
DESCRIPTION_OFFERS = (*GRAPH_OFFERS[:4], *_QUADS[:3], *GRAPH_OFFERS[4:], _QUADS[3])
#: CONSTRUCT and DESCRIBE answers: every RDF syntax, and CSV/TSV tables of subject, predicate,
#: object (YASGUI's menu offers them for graphs).
QUERY_GRAPH_OFFERS = (*DESCRIPTION_OFFERS, *ROWS_OFFERS[2:4])
HTML_OFFERS = _offers(
    ("text/html", "html", "text/html; charset=utf-8"),
    ("application/xhtml+xml", "html", "text/html; charset=utf-8"),
)

#: The parameters that name a format (SPARQLWrapper sends all three; Virtuoso reads `format`).
FORMAT_PARAMETERS = ("format", "output", "results")

#: The media ranges of an Accept header that are read; the rest is ignored, so choosing costs
#: the same however long the header.
MAX_RANGES = 64

#: Format names (besides full media types) -> the writer per kind of answer ("rows" for SELECT,
#: "boolean" for ASK, "graph" for CONSTRUCT and DESCRIBE). `xml` and `json` name RDF/XML and
#: JSON-LD for a graph, as SPARQLWrapper means them.
_NAMES: dict[str, dict[str, str]] = {
    "json": {"rows": "json", "boolean": "json", "graph": "jsonld"},
    "srj": {"rows": "json", "boolean": "json"},
    "xml": {"rows": "xml", "boolean": "xml", "graph": "rdfxml"},
    "srx": {"rows": "xml", "boolean": "xml"},
    "csv": {"rows": "csv", "boolean": "csv", "graph": "csv"},
    "tsv": {"rows": "tsv", "boolean": "tsv", "graph": "tsv"},
    **{n: {"graph": "turtle"} for n in ("turtle", "ttl", "n3")},
    **{n: {"graph": "ntriples"} for n in ("nt", "ntriples", "n-triples")},
    **{n: {"graph": "rdfxml"} for n in ("rdf", "rdf+xml", "rdfxml", "rdf/xml", "owl")},
    **{n: {"graph": "jsonld"} for n in ("json-ld", "jsonld")},
    **{n: {"graph": "nquads"} for n in ("nq", "nquads", "n-quads")},
    **{n: {"graph": "trig"} for n in ("trig",)},
    **{n: {"graph": "rdfjson"} for n in ("rdf+json", "rdfjson", "rdf/json")},
}
#: The names `offer_for_format` knows: a kind-independent short name for each writer.
_FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "json-ld": "jsonld", "srj": "json", "srx": "xml",
                   "rdf": "rdfxml", "rdf+xml": "rdfxml", "nq": "nquads", "rdf+json": "rdfjson"}


@dataclass(frozen=True)
class _Range:
    type: str
    subtype: str
    q: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches (-1: not at all; 0 */*; 1 type/*; 2 exact)."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else -1


def parse_accept(header: str | None) -> list[_Range]:
    """The media ranges of an Accept header (the first `MAX_RANGES`); an empty or missing header
    accepts anything."""
    ranges = []
    for part in (header or "").split(",", MAX_RANGES)[:MAX_RANGES]:
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if not media:
            continue
        if media == "*":
            media = "*/*"
        kind, sep, sub = media.partition("/")
        if not sep or not kind or not sub:
            continue
        q = 1.0
        for param in fields[1:]:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value.strip())))
                except ValueError:
                    q = 0.0
        ranges.append(_Range(kind, sub, q))
    return ranges or [_Range("*", "*", 1.0)]


def choose(header: str | None, offers: tuple[Offer, ...]) -> Offer | None:
    """The offer the Accept header prefers (highest q of its most specific range), or None."""
    ranges = parse_accept(header)
    best: tuple[float, int] | None = None
    chosen = None
    for offer in offers:
        specificity, q = -1, 0.0
        for r in ranges:
            level = r.matches(offer.accepts)
            if level > specificity:
                specificity, q = level, r.q
        if specificity < 0 or q <= 0:
            continue
        # Higher q first, then an exact match over a wildcard; ties keep the server's order.
        if best is None or (q, specificity) > best:
            best, chosen = (q, specificity), offer
    return chosen


def offer_for_format(name: str, offers: tuple[Offer, ...]) -> Offer | None:
    """The offer a `format` parameter names: a short name (json, ttl...) or a media type."""
    wanted = name.strip().lower()
    wanted = _FORMAT_ALIASES.get(wanted, wanted)
    for offer in offers:
        if wanted in (offer.fmt, offer.accepts):
            return offer
    return None


def _named(value: str, kind: str, offers: tuple[Offer, ...]) -> Offer | None:
    """The offer one format value names for `kind` (a short name or a media type), or None."""
    wanted = value.split(";", 1)[0].strip().lower()
    fmt = _NAMES.get(wanted, {}).get(kind)
    for offer in offers:
        if offer.fmt == fmt or offer.accepts == wanted:
            return offer
    return None


def offer_for_parameters(pairs: Iterable[tuple[str, str]], kind: str,
                         offers: tuple[Offer, ...]) -> Offer | None:
    """The offer the first `format`/`output`/`results` value naming a format of `kind` asks
    for (None: no such value; the caller reads `Accept`). Repeated values are no error.

    >>> offer_for_parameters([("format", "json-ld"), ("format", "application/ld+json")],
    ...                      "graph", QUERY_GRAPH_OFFERS).fmt
    'jsonld'
    >>> offer_for_parameters([("format", "turtle")], "rows", ROWS_OFFERS) is None
    True
    """
    for name, value in pairs:
        if name in FORMAT_PARAMETERS and value:
            offer = _named(value, kind, offers)
            if offer is not None:
                return offer
    return None
