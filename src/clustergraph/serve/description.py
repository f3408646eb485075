"""The SPARQL 1.1 Service Description of `/sparql` (https://www.w3.org/TR/sparql11-service-description/).

A GET of `/sparql` without a query whose `Accept` prefers RDF gets it (Turtle, N-Triples,
N-Quads, TriG, JSON-LD, RDF/XML, RDF/JSON): the service names the address the client used as
`sd:endpoint`, SPARQL 1.1 Query as its language, every result format it writes, the union
default graph (`sd:UnionDefaultGraph`) unless the server serves a plain default graph, the
dataset (its default graph and each named graph, with their triple counts as `void:triples`:
the query workers count them with `SIZES_QUERY`, once), and its limits in an `rdfs:comment`
(the Service Description vocabulary has no terms for them; none is made up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from clustergraph.export.description import DATASET_IRI
from clustergraph.serve.writers import write_triples
from clustergraph.vocab import RDF, RDFS, VOID, XSD

if TYPE_CHECKING:
    from clustergraph.serve.settings import ServeSettings

__all__ = ["RESULT_FORMATS", "SD", "SIZES_QUERY", "GraphSizes", "service_description",
           "write_description"]

SD = "http://www.w3.org/ns/sparql-service-description#"
_FORMATS_NS = "http://www.w3.org/ns/formats/"
#: Every format `/sparql` answers in (W3C's format IRIs, https://www.w3.org/ns/formats/).
RESULT_FORMATS = tuple(_FORMATS_NS + name for name in (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG", "RDF_JSON",
))
_SIMPLE_ENTAILMENT = "http://www.w3.org/ns/entailment/Simple"


#: The triples of the default graph (the row without ?g; distinct, as the union of graphs may
#: hold a triple twice) and of each named graph.
SIZES_QUERY = """SELECT ?g (COUNT(*) AS ?n) WHERE {
  { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } } UNION { GRAPH ?g { ?s ?p ?o } }
} GROUP BY ?g"""


@dataclass(frozen=True)
class GraphSizes:
    """The dataset as the store holds it: the default graph's triples (None: not counted) and
    each named graph's IRI with its triples (None: not counted)."""

    default: int | None = None
    named: tuple[tuple[str, int | None], ...] = field(default_factory=tuple)

    @classmethod
    def from_results(cls, results: dict[str, Any]) -> GraphSizes:
        """The sizes from `SIZES_QUERY`'s answer in SPARQL Results JSON."""
        default, named = None, []
        for row in results["results"]["bindings"]:
            count = int(row["n"]["value"])
            if "g" in row:
                named.append((row["g"]["value"], count))
            else:
                default = count
        return cls(default, tuple(sorted(named)))


def _limits(settings: ServeSettings) -> str:
    return (f"Read-only: SPARQL 1.1 Query only; updates, SERVICE and LOAD are refused (400), and "
            f"FROM / FROM NAMED select graphs held here, never fetched. Limits: a query runs at "
            f"most {settings.timeout:g} s (then 503); an answer holds at most {settings.max_rows} "
            f"rows or triples (cut there, with the header X-Result-Truncated); a request body "
            f"holds at most {settings.max_body} bytes (413).")


def service_description(endpoint: str, settings: ServeSettings, graphs: GraphSizes,
                        void: str) -> list[Any]:
    """The description's triples (sorted): `endpoint` is the address clients used for /sparql,
    `graphs` the graphs the store holds, `void` the address of the VoID/DCAT description."""
    service, dataset, default = ox.NamedNode(endpoint), ox.BlankNode("dataset"), ox.BlankNode("default")
    triples: list[Any] = []

    def add(s: Any, p: str, o: Any) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def iri(value: str) -> ox.NamedNode:
        return ox.NamedNode(value)

    add(service, RDF + "type", iri(SD + "Service"))
    add(service, SD + "endpoint", service)
    add(service, SD + "supportedLanguage", iri(SD + "SPARQL11Query"))
    for fmt in RESULT_FORMATS:
        add(service, SD + "resultFormat", iri(fmt))
    if settings.union_default_graph:
        add(service, SD + "feature", iri(SD + "UnionDefaultGraph"))
    add(service, SD + "defaultEntailmentRegime", iri(_SIMPLE_ENTAILMENT))
    add(service, RDFS + "label", ox.Literal("clustergraph SPARQL endpoint (read-only)", language="en"))
    add(service, RDFS + "comment", ox.Literal(_limits(settings), language="en"))
    add(service, RDFS + "seeAlso", iri(void))
    add(service, SD + "defaultDataset", dataset)
    add(dataset, RDF + "type", iri(SD + "Dataset"))
    add(dataset, RDFS + "seeAlso", iri(DATASET_IRI))
    add(dataset, SD + "defaultGraph", default)
    def size(node: Any, count: int | None) -> None:
        if count is not None:
            add(node, VOID + "triples", ox.Literal(str(count), datatype=iri(XSD + "integer")))

    add(default, RDF + "type", iri(SD + "Graph"))
    size(default, graphs.default)
    for n, (name, count) in enumerate(graphs.named):
        entry, graph = ox.BlankNode(f"named{n}"), ox.BlankNode(f"graph{n}")
        add(dataset, SD + "namedGraph", entry)
        add(entry, RDF + "type", iri(SD + "NamedGraph"))
        add(entry, SD + "name", iri(name))
        add(entry, SD + "graph", graph)
        add(graph, RDF + "type", iri(SD + "Graph"))
        size(graph, count)
    triples.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return triples


#: The prefixes of the description in Turtle and TriG.
_PREFIXES = {"sd": SD, "formats": _FORMATS_NS, "void": VOID, "rdfs": RDFS, "xsd": XSD}


def write_description(fmt: str, triples: Sequence[Any]) -> bytes:
    """The description in one RDF format: Turtle and TriG with the description's own prefixes,
    the others by `clustergraph.serve.writers`."""
    syntax = {"turtle": ox.RdfFormat.TURTLE, "trig": ox.RdfFormat.TRIG}.get(fmt)
    if syntax is not None:
        return ox.serialize(triples, format=syntax, prefixes=_PREFIXES) or b""
    return write_triples(fmt, triples)
