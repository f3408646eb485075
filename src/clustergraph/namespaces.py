"""Namespaces: our vocabulary as a closed namespace (a typo is an error), the IRIs of our
resources, and the prefixes every graph we write binds."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import (
    DCAT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SH,
    SKOS,
    VOID,
    XSD,
    ClosedNamespace,
)

__all__ = [
    "CG",
    "CG_NS",
    "ID",
    "GEO",
    "QUDT",
    "UNIT",
    "CUR",
    "SCHEMA",
    "WD",
    "PREFIXES",
    "bind_prefixes",
    "resource_iri",
]

CG_NS = "https://w3id.org/clustergraph/ontology#"
ID_NS = "https://w3id.org/clustergraph/id/"

#: Every term the ontology defines; tests keep this list and ontology/clustergraph.ttl equal.
CG = ClosedNamespace(
    CG_NS,
    [
        # classes
        "Announcement", "CandidateCluster", "Certainty", "ClusterMembership", "Company",
        "Country", "Event", "GovernmentBody", "IndustrialCluster", "IndustryAssociation",
        "Initiative", "InternationalOrganization", "Launch", "MediaOrganization", "Meeting",
        "Metric", "MetricObservation", "NonProfitOrganization", "Organization", "Person",
        "Place", "PortOrClusterAuthority", "Post", "Quotation", "Report", "ResearchInstitute",
        "SourceDocument", "University", "ValueQualifier",
        # properties
        "about", "announcedIn", "approximate", "asOf", "candidateFor", "candidateReason",
        "certainty", "city", "comparableTo", "country", "focusDescription", "hostedBy",
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
        "HydrogenProductionTarget", "EmissionsAvoided",
    ],
)

ID = Namespace(ID_NS)
GEO = Namespace("http://www.opengis.net/ont/geosparql#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
CUR = Namespace("http://qudt.org/vocab/currency/")
SCHEMA = Namespace("https://schema.org/")
WD = Namespace("http://www.wikidata.org/entity/")

#: The prefixes of every file we write, in a fixed order.
PREFIXES: dict[str, str] = {
    "cg": CG_NS,
    "cgid": ID_NS,
    "dcat": str(DCAT),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "geo": str(GEO),
    "org": str(ORG),
    "owl": str(OWL),
    "prov": str(PROV),
    "qudt": str(QUDT),
    "unit": str(UNIT),
    "cur": str(CUR),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "schema": str(SCHEMA),
    "sh": str(SH),
    "skos": str(SKOS),
    "void": str(VOID),
    "wd": str(WD),
    "xsd": str(XSD),
}


def bind_prefixes(graph: Graph) -> Graph:
    """Bind our prefixes on a graph (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def resource_iri(kind: str, slug: str) -> str:
    """The IRI of one of our resources: `https://w3id.org/clustergraph/id/{kind}/{slug}`."""
    return f"{ID_NS}{kind}/{slug}"
