"""The export graph indexed for pages: what each resource states, what points at it, labels, types.

One pass over the sorted triples of an `ExportGraph` gives a `GraphIndex`; the page views read
only this index, never the store, so a page renders in microseconds and the same index serves
the static site and the server.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import pyoxigraph as ox

from clustergraph.export import WKT_POINT
from clustergraph.site.vocab import BASE, CG, GEO, ID_NS, LABEL_PROPERTIES, RDF_TYPE, SKOS

__all__ = ["GraphIndex", "index_triples", "iri_to_path", "kind_of", "technology_focus"]

_SAFE_SEGMENT = re.compile(r"[A-Za-z0-9._~%!$&'()*+,;=:@-]+")


@cache
def iri_to_path(iri: str) -> tuple[str, str] | None:
    """The site folder (relative, no slashes at the ends) and fragment of one of our IRIs.

    None for IRIs outside https://w3id.org/clustergraph/ or that are no safe path.
    """
    if not iri.startswith(BASE):
        return None
    rest, _, fragment = iri[len(BASE):].partition("#")
    parts = rest.split("/")
    if rest and any(p in ("", ".", "..") or not _SAFE_SEGMENT.fullmatch(p) for p in parts):
        return None
    return rest, fragment


def kind_of(iri: str) -> str:
    """The kind of one of our resources: the first segment after id/ ("cluster", "country", ...)."""
    return iri[len(ID_NS):].split("/", 1)[0] if iri.startswith(ID_NS) else ""


@dataclass
class GraphIndex:
    """Everything the pages need, gathered in one pass over the sorted triples.

    Subjects are IRI strings or pyoxigraph blank nodes; objects are pyoxigraph terms.
    """

    out: dict[Any, list[tuple[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    incoming: dict[str, list[tuple[str, str]]] = field(default_factory=lambda: defaultdict(list))
    labels: dict[str, str] = field(default_factory=dict)
    types: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    by_link: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def label(self, iri: str) -> str:
        """The best label of `iri`, or the last segment of the IRI."""
        found = self.labels.get(iri)
        if found:
            return found
        tail = re.split(r"[/#]", iri.rstrip("/#"))[-1]
        return tail or iri

    def first(self, subject: Any, prop: str) -> Any:
        """The first value of `prop` on `subject` (a pyoxigraph term), or None."""
        for p, o in self.out.get(subject, ()):
            if p == prop:
                return o
        return None

    def values(self, subject: Any, prop: str) -> list[Any]:
        """Every value of `prop` on `subject` (pyoxigraph terms), in the graph's order."""
        return [o for p, o in self.out.get(subject, ()) if p == prop]

    def iris(self, subject: Any, prop: str) -> list[str]:
        """The IRI values of `prop` on `subject` (literals and blank nodes left out)."""
        return [o.value for o in self.values(subject, prop) if _is_iri(o)]

    def literal(self, subject: Any, prop: str) -> str | None:
        """The lexical form of the first literal value of `prop`, English first."""
        literals = [o for o in self.values(subject, prop) if _is_literal(o)]
        literals.sort(key=lambda o: 0 if o.language == "en" else 1 if not o.language else 2)
        return literals[0].value if literals else None

    def referrers(self, obj: str, prop: str) -> list[str]:
        """The subjects that point at `obj` with `prop`, in IRI order."""
        found = self.by_link.get((obj, prop))
        return sorted(set(found)) if found else []

    def has_type(self, iri: str, cls: str) -> bool:
        """True when `iri` has the rdf:type `cls` (stated, not inferred)."""
        return cls in self.types.get(iri, ())

    def point(self, iri: str) -> tuple[float, float] | None:
        """(longitude, latitude) of a resource's WKT point (its own or its geometry's)."""
        candidates = list(self.values(iri, GEO + "asWKT"))
        for g in self.values(iri, GEO + "hasGeometry"):
            candidates.extend(self.values(g.value if _is_iri(g) else g, GEO + "asWKT"))
        for wkt in sorted(c.value for c in candidates if _is_literal(c)):
            m = WKT_POINT.match(wkt)
            if m:
                lon, lat = float(m.group(1)), float(m.group(2))
                if -180 <= lon <= 180 and -90 <= lat <= 90:
                    return lon, lat
        return None


def _is_iri(term: Any) -> bool:
    return isinstance(term, ox.NamedNode)


def _is_literal(term: Any) -> bool:
    return isinstance(term, ox.Literal)


def index_triples(triples: Iterable[Any]) -> GraphIndex:
    """Index pyoxigraph triples (in the export's sorted order, so the index is deterministic)."""
    idx = GraphIndex()
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
                idx.by_link[(o.value, p)].append(key)
        elif isinstance(o, ox.Literal) and p in LABEL_PROPERTIES and isinstance(key, str):
            lang = o.language or ""
            rank = (LABEL_PROPERTIES.index(p), 0 if lang == "en" else 1 if lang == "" else 2)
            if key not in ranks or rank < ranks[key]:
                ranks[key] = rank
                idx.labels[key] = o.value
    return idx


def technology_focus(idx: GraphIndex, clusters: list[str]) -> tuple[list[str], dict[str, str]]:
    """Top technology concepts (scheme order) and each cluster's focus among them."""
    tops: list[str] = []
    for iri, types in sorted(idx.types.items()):
        if SKOS + "ConceptScheme" in types and iri.startswith(ID_NS + "technology/"):
            tops.extend(idx.iris(iri, SKOS + "hasTopConcept"))
    for iri, pairs in idx.out.items():
        if isinstance(iri, str) and iri.startswith(ID_NS + "technology/"):
            if any(p == SKOS + "topConceptOf" for p, _ in pairs) and iri not in tops:
                tops.append(iri)
    tops = sorted(set(tops), key=tops.index)

    def top_of(concept: str, seen: frozenset[str] = frozenset()) -> str | None:
        if concept in tops:
            return concept
        for parent in broader_of(idx, concept):
            if parent not in seen:
                found = top_of(parent, seen | {concept})
                if found:
                    return found
        return None

    focus = {}
    for c in clusters:
        counts: Counter[str] = Counter()
        for t in idx.iris(c, CG + "technology"):
            top = top_of(t)
            if top:
                counts[top] += 1
        if counts:
            best = max(counts.values())
            focus[c] = next(t for t in tops if counts.get(t) == best)
    return tops, focus


def broader_of(idx: GraphIndex, concept: str) -> list[str]:
    """The broader concepts of `concept`, stated either way (skos:broader or skos:narrower)."""
    found = set(idx.iris(concept, SKOS + "broader"))
    found.update(idx.referrers(concept, SKOS + "narrower"))
    return sorted(found)


def narrower_of(idx: GraphIndex, concept: str) -> list[str]:
    """The narrower concepts of `concept`, stated either way."""
    found = set(idx.iris(concept, SKOS + "narrower"))
    found.update(idx.referrers(concept, SKOS + "broader"))
    return sorted(found)
