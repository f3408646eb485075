"""One resource's triples, and a few triples serialised: what the site, the server and the
dataset description share."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import InputError
from clustergraph.export.graph import ExportGraph
from clustergraph.export.jsonld import jsonld_chunks
from clustergraph.export.rdf import oxigraph_chunks, triples_of, types_first

__all__ = ["resource_triples", "serialize_triples"]


def resource_triples(graph: ExportGraph, iri: str) -> list[ox.Triple]:
    """The triples describing one resource: its own, those of its hash IRIs (`iri#…`: a claim's
    citations), and those of the blank nodes they lead to (with the export's canonical labels,
    so that every run writes the same)."""
    index = graph.by_subject()
    out: list[ox.Triple] = []
    todo: list[Any] = [ox.NamedNode(iri), *graph.parts_of(iri)]
    seen: set[Any] = set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for triple in index.get(subject, ()):
            out.append(triple)
            if isinstance(triple.object, ox.BlankNode):
                todo.append(triple.object)
    out.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return out


def serialize_triples(triples: Sequence[Any], fmt: str, *, context: dict[str, Any] | None = None) -> bytes:
    """A few (sorted) triples as Turtle, N-Triples, JSON-LD or RDF/XML; the site uses this."""
    if fmt == "jsonld":
        return b"".join(jsonld_chunks(triples, context=context))
    if fmt == "ntriples":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    oxfmt = {"turtle": ox.RdfFormat.TURTLE, "rdfxml": ox.RdfFormat.RDF_XML}.get(fmt)
    if oxfmt is None:
        raise InputError(f"cannot write a resource as {fmt!r}")
    lines = sorted(str(t) + " ." for t in triples)
    return b"".join(oxigraph_chunks(triples_of(types_first(lines)), oxfmt, fmt))


