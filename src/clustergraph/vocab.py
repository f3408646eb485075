"""Every namespace we use, once: IRIs as plain strings (no rdflib import, so a command that only
needs a string starts fast), our vocabulary as an rdflib `ClosedNamespace` (a typo is an error),
the prefixes every graph we write binds, and the IRI of the JSON-LD context.

>>> from clustergraph.vocab import SH, XSD, resource_iri
>>> SH + "Violation"
'http://www.w3.org/ns/shacl#Violation'
>>> resource_iri("cluster", "jubail-industrial-city")
'https://w3id.org/clustergraph/id/cluster/jubail-industrial-city'
>>> from clustergraph.vocab import CG
>>> str(CG.IndustrialCluster)
'https://w3id.org/clustergraph/ontology#IndustrialCluster'
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rdflib import Graph

__all__ = [
    "CG", "CG_NS", "CG_TERMS", "ID", "ID_NS", "GEO", "QUDT", "UNIT", "CUR", "SCHEMA", "WD",
    "SH", "XSD", "RDF", "RDFS", "OWL", "SKOS", "DCTERMS", "DCAT", "FOAF", "ORG", "PROV", "VOID",
    "INTEGER_TYPES", "CONTEXT_IRI", "PREFIXES", "bind_prefixes", "resource_iri",
]

CG_NS = "https://w3id.org/clustergraph/ontology#"
ID_NS = "https://w3id.org/clustergraph/id/"
#: The IRI our JSON-LD context is published at (never fetched: the context is embedded).
CONTEXT_IRI = "https://w3id.org/clustergraph/ontology/context.jsonld"

SH = "http://www.w3.org/ns/shacl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCTERMS = "http://purl.org/dc/terms/"
DCAT = "http://www.w3.org/ns/dcat#"
FOAF = "http://xmlns.com/foaf/0.1/"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
VOID = "http://rdfs.org/ns/void#"

#: Local names of xsd:integer and the datatypes derived from it.
INTEGER_TYPES = frozenset({
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedLong", "unsignedInt", "unsignedShort",
    "unsignedByte",
})

#: Every term the ontology defines; tests keep this list and ontology/clustergraph.ttl equal.
CG_TERMS: tuple[str, ...] = (
    # classes
    "Announcement", "CandidateCluster", "Certainty", "Citation", "ClusterMembership", "Company",
    "Country", "Event", "GovernmentBody", "IndustrialCluster", "IndustryAssociation",
    "Initiative", "InternationalOrganization", "Launch", "MediaOrganization", "Meeting",
    "Metric", "MetricObservation", "NonProfitOrganization", "Organization", "Person",
    "Place", "PortOrClusterAuthority", "Post", "Quotation", "Report", "ResearchInstitute",
    "SourceDocument", "Statement", "University", "ValueQualifier",
    # properties
    "about", "announcedIn", "approximate", "asOf", "candidateFor", "candidateReason",
    "certainty", "citation", "citedText", "city", "comparableTo", "country", "focusDescription",
    "gloss", "hostedBy",
    "inPost", "iso3166Alpha2", "iso3166Alpha3", "joinDate", "joinDateCertainty",
    "joinDateSource", "keyPerson", "launchEvent", "ledBy", "ledBySource", "locationNote",
    "memberSince", "membershipsComplete", "metric",
    "onBehalfOf", "organizer", "partOfEvent", "partner", "possiblySameAs", "region",
    "reportedIn", "reportsOn", "runBy", "targetDate", "technology", "title",
    "valueQualifier", "isTarget",
    # closed lists
    "CertaintyScheme", "Confirmed", "SelfReported", "Inferred", "Uncertain",
    "ValueQualifierScheme", "Approximately", "MoreThan", "Nearly", "UpTo",
    "MetricScheme", "NumberOfClusters", "NumberOfNewClusters", "NumberOfCountries",
    "NumberOfOrganizations", "EmissionReductionPotential", "AnnualEmissions",
    "GDPContribution", "JobsSupported", "EmissionReductionTarget", "CarbonCaptureCapacity",
    "HydrogenProductionTarget", "EmissionsAvoided", "ProductionCapacity", "ManufacturingCapacity",
    "BatteryCapacity", "PowerCapacity", "LandArea", "WasteRecyclingRate", "Investment",
)

#: Namespaces for which `clustergraph.vocab.NAME` gives an rdflib `Namespace` (made on first use).
_RDFLIB_NAMESPACES: dict[str, str] = {
    "ID": ID_NS,
    "GEO": "http://www.opengis.net/ont/geosparql#",
    "QUDT": "http://qudt.org/schema/qudt/",
    "UNIT": "http://qudt.org/vocab/unit/",
    "CUR": "http://qudt.org/vocab/currency/",
    "SCHEMA": "https://schema.org/",
    "WD": "http://www.wikidata.org/entity/",
}

#: The prefixes of every file we write, in a fixed order.
PREFIXES: dict[str, str] = {
    "cg": CG_NS,
    "cgid": ID_NS,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "geo": _RDFLIB_NAMESPACES["GEO"],
    "org": ORG,
    "owl": OWL,
    "prov": PROV,
    "qudt": _RDFLIB_NAMESPACES["QUDT"],
    "unit": _RDFLIB_NAMESPACES["UNIT"],
    "cur": _RDFLIB_NAMESPACES["CUR"],
    "rdf": RDF,
    "rdfs": RDFS,
    "schema": _RDFLIB_NAMESPACES["SCHEMA"],
    "sh": SH,
    "skos": SKOS,
    "void": VOID,
    "wd": _RDFLIB_NAMESPACES["WD"],
    "xsd": XSD,
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind our prefixes on an rdflib graph (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def resource_iri(kind: str, slug: str) -> str:
    """The IRI of one of our resources: `https://w3id.org/clustergraph/id/{kind}/{slug}`."""
    return f"{ID_NS}{kind}/{slug}"


@cache
def _rdflib_term(name: str) -> Any:
    # rdflib costs ~0.1 s to import (python -X importtime): only the names below need it.
    from rdflib import Namespace
    from rdflib.namespace import ClosedNamespace

    if name == "CG":
        return ClosedNamespace(CG_NS, list(CG_TERMS))
    return Namespace(_RDFLIB_NAMESPACES[name])


def __getattr__(name: str) -> Any:
    """`CG` (closed) and `ID`, `GEO`, `QUDT`, `UNIT`, `CUR`, `SCHEMA`, `WD` as rdflib namespaces."""
    if name == "CG" or name in _RDFLIB_NAMESPACES:
        return _rdflib_term(name)
    raise AttributeError(f"module 'clustergraph.vocab' has no attribute {name!r}")
