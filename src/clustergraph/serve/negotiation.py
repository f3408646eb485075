"""Content negotiation: the `Accept` header (with q-values and wildcards) or a `format` parameter.

An *offer* is a media type the server can write, with the short format name the writers know.
`choose` returns the offer the client prefers most (the server's order breaks ties), or None
when the client accepts none of them (the caller answers 406).
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "BOOLEAN_OFFERS",
    "GRAPH_OFFERS",
    "HTML_OFFERS",
    "MAX_RANGES",
    "ROWS_OFFERS",
    "Offer",
    "choose",
    "offer_for_format",
    "parse_accept",
]


@dataclass(frozen=True)
class Offer:
    """A media type we can answer with (`media_type` is what the response says)."""

    accepts: str  # the media type matched against Accept (may be an alias)
    fmt: str  # the writer's name: json, xml, csv, tsv, turtle, ntriples, jsonld, html, records
    media_type: str


def _offers(*items: tuple[str, str, str]) -> tuple[Offer, ...]:
    return tuple(Offer(*item) for item in items)


ROWS_OFFERS = _offers(
    ("application/sparql-results+json", "json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "xml", "application/sparql-results+xml"),
    ("text/csv", "csv", "text/csv; charset=utf-8"),
    ("text/tab-separated-values", "tsv", "text/tab-separated-values; charset=utf-8"),
    ("application/json", "json", "application/sparql-results+json"),
    ("application/xml", "xml", "application/sparql-results+xml"),
    ("text/xml", "xml", "application/sparql-results+xml"),
)
BOOLEAN_OFFERS = tuple(o for o in ROWS_OFFERS if o.fmt in ("json", "xml"))
GRAPH_OFFERS = _offers(
    ("text/turtle", "turtle", "text/turtle; charset=utf-8"),
    ("application/n-triples", "ntriples", "application/n-triples"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/x-turtle", "turtle", "text/turtle; charset=utf-8"),
    ("text/plain", "ntriples", "application/n-triples"),
    ("application/json", "jsonld", "application/ld+json"),
)
HTML_OFFERS = _offers(
    ("text/html", "html", "text/html; charset=utf-8"),
    ("application/xhtml+xml", "html", "text/html; charset=utf-8"),
)

#: The media ranges of an Accept header that are read; the rest is ignored, so choosing costs
#: the same however long the header.
MAX_RANGES = 64

#: ?format= names (besides full media types).
_FORMAT_ALIASES = {"ttl": "turtle", "nt": "ntriples", "json-ld": "jsonld", "srj": "json", "srx": "xml"}


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
