"""The dataset description (VoID and DCAT) written with every export and into the site.

`describe()` builds it as sorted Oxigraph triples: title, description, licence, version, issued and
modified dates, publisher, statistics (triples, entities, classes and properties, a partition per
class and per property), one `dcat:Distribution` per written format with its media type and byte
size, and the SPARQL endpoint when one is given. Facts the data states about
`https://w3id.org/clustergraph/id/dataset/clustergraph` (title, licence, publisher, dates) win over
the defaults here. Blank nodes get labels derived from what they describe, so the file is
byte-stable between runs.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import os
import urllib.parse
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from clustergraph.export.formats import FORMATS
from clustergraph.export.resource import serialize_triples
from clustergraph.files.atomic import write_bytes_atomic
from clustergraph.version import __version__
from clustergraph.vocab import DCAT, DCTERMS, FOAF, OWL, RDF, VOID, XSD

if TYPE_CHECKING:
    from clustergraph.export.graph import ExportGraph

__all__ = ["DATASET_IRI", "DOWNLOAD_BASE", "describe", "describe_dataset", "description_bytes", "write_description"]

DATASET_IRI = "https://w3id.org/clustergraph/id/dataset/clustergraph"
#: Where the site publishes the export files.
DOWNLOAD_BASE = "https://w3id.org/clustergraph/downloads/"
ONTOLOGY_IRI = "https://w3id.org/clustergraph/ontology"

_IANA = "https://www.iana.org/assignments/media-types/"

#: Facts about the dataset that the data may state, copied into the description.
_COPIED = (f"{DCTERMS}title", f"{DCTERMS}description", f"{DCTERMS}license", f"{DCTERMS}publisher",
           f"{DCTERMS}issued", f"{DCTERMS}modified", f"{DCTERMS}creator", f"{DCAT}keyword",
           f"{DCAT}landingPage", f"{DCTERMS}rights", f"{DCAT}contactPoint")


def _today() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return _dt.datetime.fromtimestamp(int(epoch), tz=_dt.timezone.utc).date().isoformat()
    return _dt.date.today().isoformat()


def _bnode(kind: str, key: str) -> ox.BlankNode:
    return ox.BlankNode(f"{kind}{hashlib.sha256(key.encode('utf-8')).hexdigest()[:16]}")


def describe(
    graph: ExportGraph,
    *,
    distributions: Mapping[str, tuple[str | None, int]] | None = None,
    download_base: str | None = None,
    endpoint: str | None = None,
    issued: str | None = None,
    modified: str | None = None,
) -> list[ox.Triple]:
    """The VoID/DCAT description of `graph`, as sorted triples.

    `distributions`: format name -> (file name or None, byte size), one dcat:Distribution each;
    `download_base`: the URL the file names are relative to (default DOWNLOAD_BASE);
    `endpoint`: the SPARQL endpoint serving the graph, if any.
    """
    store = graph.store()
    ds = ox.NamedNode(DATASET_IRI)
    triples: list[ox.Triple] = []

    def add(s: Any, p: str, o: Any) -> None:
        triples.append(ox.Triple(s, ox.NamedNode(p), o))

    def lit(value: Any, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
        if lang:
            return ox.Literal(str(value), language=lang)
        if datatype:
            return ox.Literal(str(value), datatype=ox.NamedNode(datatype))
        return ox.Literal(str(value))

    stated: dict[str, list[Any]] = {}
    for q in store.quads_for_pattern(ds, None, None, ox.DefaultGraph()):
        if q.predicate.value in _COPIED:
            stated.setdefault(q.predicate.value, []).append(q.object)
    onto: dict[str, Any] = {}
    for q in store.quads_for_pattern(ox.NamedNode(ONTOLOGY_IRI), None, None, ox.DefaultGraph()):
        onto.setdefault(q.predicate.value, q.object)

    add(ds, f"{RDF}type", ox.NamedNode(f"{DCAT}Dataset"))
    add(ds, f"{RDF}type", ox.NamedNode(f"{VOID}Dataset"))
    for p, objs in stated.items():
        for o in objs:
            add(ds, p, o)
    if f"{DCTERMS}title" not in stated:
        add(ds, f"{DCTERMS}title", lit("clustergraph", lang="en"))
    if f"{DCTERMS}description" not in stated:
        add(ds, f"{DCTERMS}description", lit(
            "An open, sourced knowledge graph of industrial clusters in the energy transition: "
            "the clusters, their countries, locations and clean technologies, the initiatives they "
            "belong to, the organisations and people behind them, each claim with its source.",
            lang="en"))
    if f"{DCTERMS}license" not in stated:
        add(ds, f"{DCTERMS}license", onto.get(f"{DCTERMS}license",
                                           ox.NamedNode("https://creativecommons.org/licenses/by/4.0/")))
    if f"{DCTERMS}publisher" not in stated:
        publisher = _bnode("pub", "clustergraph developers")
        add(ds, f"{DCTERMS}publisher", publisher)
        add(publisher, f"{RDF}type", ox.NamedNode(f"{FOAF}Organization"))
        add(publisher, f"{FOAF}name", lit("The clustergraph developers"))
    date_issued = issued or (None if f"{DCTERMS}issued" in stated else
                             (onto[f"{DCTERMS}created"].value if f"{DCTERMS}created" in onto else _today()))
    date_modified = modified or (None if f"{DCTERMS}modified" in stated else
                                 (onto[f"{DCTERMS}modified"].value if f"{DCTERMS}modified" in onto else _today()))
    if date_issued:
        add(ds, f"{DCTERMS}issued", lit(date_issued, f"{XSD}date"))
    if date_modified:
        add(ds, f"{DCTERMS}modified", lit(date_modified, f"{XSD}date"))
    add(ds, f"{DCAT}version", lit(__version__))
    add(ds, f"{OWL}versionInfo", lit(__version__))
    add(ds, f"{VOID}uriSpace", lit("https://w3id.org/clustergraph/id/"))
    add(ds, f"{VOID}vocabulary", ox.NamedNode(f"{ONTOLOGY_IRI}#"))
    if f"{DCAT}landingPage" not in stated:
        add(ds, f"{DCAT}landingPage", ox.NamedNode("https://w3id.org/clustergraph/"))

    def count(query: str) -> int:
        row = next(iter(store.query(query)))
        return int(row[0].value)

    xsd_int = f"{XSD}integer"
    add(ds, f"{VOID}triples", lit(len(graph), xsd_int))
    add(ds, f"{VOID}entities", lit(count(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o FILTER(isIRI(?s)) }"), xsd_int))
    add(ds, f"{VOID}distinctSubjects", lit(count("SELECT (COUNT(DISTINCT ?s) AS ?n) { ?s ?p ?o }"), xsd_int))
    add(ds, f"{VOID}distinctObjects", lit(count("SELECT (COUNT(DISTINCT ?o) AS ?n) { ?s ?p ?o }"), xsd_int))
    classes = [(r["c"], int(r["n"].value)) for r in store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c")]
    properties = [(r["p"], int(r["n"].value)) for r in store.query(
        "SELECT ?p (COUNT(*) AS ?n) { ?s ?p ?o } GROUP BY ?p")]
    add(ds, f"{VOID}classes", lit(len(classes), xsd_int))
    add(ds, f"{VOID}properties", lit(len(properties), xsd_int))
    for cls, n in classes:
        part = _bnode("class", cls.value)
        add(ds, f"{VOID}classPartition", part)
        add(part, f"{VOID}class", cls)
        add(part, f"{VOID}entities", lit(n, xsd_int))
    for prop, n in properties:
        part = _bnode("prop", prop.value)
        add(ds, f"{VOID}propertyPartition", part)
        add(part, f"{VOID}property", prop)
        add(part, f"{VOID}triples", lit(n, xsd_int))

    base = download_base if download_base is not None else DOWNLOAD_BASE
    for fmt, (file_name, size) in sorted((distributions or {}).items()):
        info = FORMATS[fmt]
        dist = ox.NamedNode(f"{DATASET_IRI}/distribution/{fmt}")
        add(ds, f"{DCAT}distribution", dist)
        add(dist, f"{RDF}type", ox.NamedNode(f"{DCAT}Distribution"))
        add(dist, f"{DCTERMS}title", lit(f"clustergraph as {info.label}", lang="en"))
        media = ox.NamedNode(_IANA + info.media_type)
        add(dist, f"{DCAT}mediaType", media)
        add(dist, f"{DCTERMS}format", media)
        add(dist, f"{DCAT}byteSize", lit(size, f"{XSD}nonNegativeInteger"))
        add(dist, f"{DCTERMS}license", next(t.object for t in triples if t.subject == ds
                                         and t.predicate.value == f"{DCTERMS}license"))
        if file_name:
            url = ox.NamedNode(base + urllib.parse.quote(file_name))  # "my file.ttl" -> my%20file.ttl
            add(dist, f"{DCAT}downloadURL", url)
            add(dist, f"{DCAT}accessURL", url)
            if info.rdf:
                add(ds, f"{VOID}dataDump", url)
    if endpoint:
        service = ox.NamedNode(f"{DATASET_IRI}/service/sparql")
        add(ds, f"{VOID}sparqlEndpoint", ox.NamedNode(endpoint))
        add(ds, f"{DCAT}distribution", ox.NamedNode(f"{DATASET_IRI}/distribution/sparql"))
        dist = ox.NamedNode(f"{DATASET_IRI}/distribution/sparql")
        add(dist, f"{RDF}type", ox.NamedNode(f"{DCAT}Distribution"))
        add(dist, f"{DCAT}accessURL", ox.NamedNode(endpoint))
        add(dist, f"{DCAT}accessService", service)
        add(service, f"{RDF}type", ox.NamedNode(f"{DCAT}DataService"))
        add(service, f"{DCAT}endpointURL", ox.NamedNode(endpoint))
        add(service, f"{DCAT}servesDataset", ds)
        add(service, f"{DCTERMS}conformsTo", ox.NamedNode("https://www.w3.org/TR/sparql11-protocol/"))
    unique = {(str(t.subject), str(t.predicate), str(t.object)): t for t in triples}
    return [unique[k] for k in sorted(unique)]


def description_bytes(triples: list[Any], fmt: str = "turtle") -> bytes:
    """The description in Turtle (or another RDF format of `export.serialize_triples`)."""
    return serialize_triples(triples, fmt)


def write_description(graph: ExportGraph, path: Path | str, **kwargs: Any) -> Path:
    """Describe `graph` (see `describe`) and write it to `path` atomically, as Turtle (JSON-LD
    when the path ends in `.jsonld`); returns the path."""
    path = Path(path)
    fmt = "jsonld" if path.suffix == ".jsonld" else "turtle"
    write_bytes_atomic(path, description_bytes(describe(graph, **kwargs), fmt))
    return path
describe_dataset = describe
