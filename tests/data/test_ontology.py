"""The ontology: a complete header, a label and a definition for every term, and the closed
namespace in the code kept equal to the terms the ontology defines."""

from __future__ import annotations

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SKOS

from clustergraph import __version__
from clustergraph.files import paths
from clustergraph.vocab import CG, CG_NS

ONTOLOGY_IRI = URIRef("https://w3id.org/clustergraph/ontology")


@pytest.fixture(scope="module")
def ontology() -> Graph:
    from clustergraph.files.load import load_files

    return load_files([paths.ontology_file()])


def our_terms(ontology: Graph) -> list[URIRef]:
    return sorted(
        {s for s in ontology.subjects() if isinstance(s, URIRef) and str(s).startswith(CG_NS)}
    )


def classes_and_properties(ontology: Graph) -> list[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return [t for t in our_terms(ontology) if any((t, RDF.type, k) in ontology for k in kinds)]


def test_header_says_what_the_ontology_is(ontology):
    for prop in (OWL.versionIRI, OWL.versionInfo, DCTERMS.title, DCTERMS.description,
                 DCTERMS.license, DCTERMS.creator, DCTERMS.modified):
        assert ontology.value(ONTOLOGY_IRI, prop) is not None, f"ontology header lacks {prop}"
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )


def test_ontology_version_is_the_package_version(ontology):
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionInfo)) == __version__
    assert str(ontology.value(ONTOLOGY_IRI, OWL.versionIRI)).endswith("/" + __version__)


def test_every_class_and_property_is_typed_declared(ontology):
    assert len(classes_and_properties(ontology)) >= 60


@pytest.mark.parametrize("term", [pytest.param(t, id=t.split("#")[1]) for t in
                                  sorted(set(CG_NS + n for n in dir(CG)))])
def test_every_term_has_an_english_label_and_definition(term, ontology):
    term = URIRef(term)
    labels = [o for o in ontology.objects(term, RDFS.label) if isinstance(o, Literal)]
    definitions = [o for o in ontology.objects(term, SKOS.definition) if isinstance(o, Literal)]
    assert any(label.language == "en" for label in labels), f"{term} has no rdfs:label@en"
    assert any(d.language == "en" for d in definitions), f"{term} has no skos:definition@en"


def test_closed_namespace_lists_exactly_the_ontology_terms(ontology):
    in_code = {CG_NS + name for name in dir(CG)}
    in_ontology = {str(t) for t in our_terms(ontology)}
    assert in_code == in_ontology, (
        f"only in namespaces.py: {sorted(in_code - in_ontology)}; "
        f"only in the ontology: {sorted(in_ontology - in_code)}"
    )


def test_domains_and_ranges_name_declared_classes(ontology):
    declared = {s for s in ontology.subjects(RDF.type, OWL.Class)}
    datatypes = {RDF.langString} | {o for o in ontology.objects(None, RDFS.range)
                                     if str(o).startswith("http://www.w3.org/2001/XMLSchema#")}
    for prop in classes_and_properties(ontology):
        for cls in ontology.objects(prop, RDFS.domain):
            assert cls in declared, f"domain of {prop} is undeclared class {cls}"
        for cls in ontology.objects(prop, RDFS.range):
            assert cls in declared or cls in datatypes, f"range of {prop} is undeclared {cls}"


def test_closed_lists_are_concept_schemes_whose_members_are_typed(ontology):
    for scheme, cls in ((CG.CertaintyScheme, CG.Certainty), (CG.ValueQualifierScheme, CG.ValueQualifier),
                        (CG.MetricScheme, CG.Metric)):
        members = set(ontology.objects(scheme, SKOS.hasTopConcept))
        assert members, scheme
        for member in members:
            assert (member, RDF.type, cls) in ontology, member
            assert (member, SKOS.inScheme, scheme) in ontology, member
