"""The IRIs and readable names the site's pages use (strings, built on `clustergraph.vocab`)."""

from __future__ import annotations

from clustergraph.vocab import CG_NS as CG
from clustergraph.vocab import DCTERMS as DCT
from clustergraph.vocab import ID_NS as ID_NS
from clustergraph.vocab import ORG, OWL, PREFIXES, RDF, RDFS, SKOS
from clustergraph.vocab import XSD as XSD

BASE = "https://w3id.org/clustergraph/"
ONTOLOGY_IRI = BASE + "ontology"
RDF_TYPE = RDF + "type"
SCHEMA = PREFIXES["schema"]
GEO = PREFIXES["geo"]
QUDT = PREFIXES["qudt"]

#: Label properties, best first.
LABEL_PROPERTIES = (SKOS + "prefLabel", RDFS + "label", DCT + "title", CG + "title", SCHEMA + "name",
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
    SCHEMA + "location": "location", QUDT + "numericValue": "value",
    QUDT + "unit": "unit", RDF_TYPE: "type",
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
    "statement": "Statements",
    "dataset": "Datasets",
}

#: Readable unit names (QUDT unit IRIs -> what a reader expects beside a number).
UNIT_LABELS = {
    "http://qudt.org/vocab/unit/NUM": "",
    "http://qudt.org/vocab/unit/TONNE": "t",
    "http://qudt.org/vocab/unit/PERCENT": "%",
    "http://qudt.org/vocab/currency/USD": "USD",
    "http://qudt.org/vocab/currency/EUR": "EUR",
    "http://qudt.org/vocab/currency/INR": "INR",
    "http://qudt.org/vocab/unit/GigaW": "GW",
    "http://qudt.org/vocab/unit/GigaW-HR": "GWh",
    "http://qudt.org/vocab/unit/HA": "ha",
}

#: Value qualifiers (cg:valueQualifier) as the words put before a number.
QUALIFIER_WORDS = {
    CG + "Approximately": "about",
    CG + "MoreThan": "more than",
    CG + "Nearly": "nearly",
    CG + "UpTo": "up to",
}


def kind_title(kind: str) -> str:
    """The title of the index page of one kind of resource."""
    return KINDS.get(kind, kind.replace("-", " ").capitalize() + "s")
