"""The VoID/DCAT dataset description written with every export."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, VOID

from clustergraph.export import FORMATS, build_export_graph, export, export_all
from clustergraph.export.description import DATASET_IRI, describe, description_bytes
from clustergraph.version import __version__

DS = URIRef(DATASET_IRI)
IANA = Namespace("https://www.iana.org/assignments/media-types/")
CG = Namespace("https://w3id.org/clustergraph/ontology#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")  # DCAT 3 (dcat:version), as plain namespaces
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")

SAMPLE = """
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
<https://w3id.org/clustergraph/id/cluster/a> a cg:IndustrialCluster ; skos:prefLabel "A"@en .
<https://w3id.org/clustergraph/id/cluster/b> a cg:IndustrialCluster ; skos:prefLabel "B"@en .
<https://w3id.org/clustergraph/id/country/NL> a cg:Country ; skos:prefLabel "Netherlands"@en .
<https://w3id.org/clustergraph/id/dataset/clustergraph> dcterms:title "clustergraph (test)"@en ;
    dcterms:issued "2026-01-02"^^<http://www.w3.org/2001/XMLSchema#date> .
"""


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Graph]:
    folder = tmp_path_factory.mktemp("release")
    data = folder / "sample.ttl"
    data.write_text(SAMPLE, encoding="utf-8")
    out = folder / "out"
    export_all(out, include="data", data=[data], endpoint="http://127.0.0.1:7878/query")
    graph = Graph()
    graph.parse(out / "void.ttl", format="turtle")
    return out, graph


def test_dataset_is_typed_titled_licensed_and_versioned(release) -> None:
    _, g = release
    assert (DS, RDF.type, DCAT.Dataset) in g and (DS, RDF.type, VOID.Dataset) in g
    assert g.value(DS, DCTERMS.title) == Literal("clustergraph (test)", lang="en")  # the data's own
    assert g.value(DS, DCTERMS.description) is not None
    assert g.value(DS, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert g.value(DS, DCAT.version) == Literal(__version__)
    assert g.value(DS, DCTERMS.issued) == Literal("2026-01-02", datatype=XSD.date)
    assert g.value(DS, DCTERMS.modified) is not None
    assert g.value(DS, DCTERMS.publisher) is not None


def test_statistics_and_partitions(release) -> None:
    _, g = release
    assert int(g.value(DS, VOID.triples)) == 8
    assert int(g.value(DS, VOID.entities)) == 4
    partitions = {g.value(p, VOID["class"]): int(g.value(p, VOID.entities))
                  for p in g.objects(DS, VOID.classPartition)}
    assert partitions == {CG.IndustrialCluster: 2, CG.Country: 1}
    props = {g.value(p, VOID.property): int(g.value(p, VOID.triples))
             for p in g.objects(DS, VOID.propertyPartition)}
    assert props[URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")] == 3
    assert props[RDF.type] == 3
    assert sum(props.values()) == 8


def test_one_distribution_per_format_with_media_type_and_true_byte_size(release) -> None:
    out, g = release
    dists = list(g.objects(DS, DCAT.distribution))
    files = {}
    for d in dists:
        if (d, DCAT.downloadURL, None) in g:
            url = str(g.value(d, DCAT.downloadURL))
            files[url.rsplit("/", 1)[1]] = d
    assert sorted(files) == sorted(f"clustergraph{f.suffix}" for f in FORMATS.values())
    for name, d in files.items():
        fmt = next(f for f in FORMATS.values() if name.endswith(f.suffix))
        assert g.value(d, DCAT.mediaType) == IANA[fmt.media_type]
        assert int(g.value(d, DCAT.byteSize)) == (out / name).stat().st_size, name


def test_sparql_endpoint_when_served(release) -> None:
    _, g = release
    assert g.value(DS, VOID.sparqlEndpoint) == URIRef("http://127.0.0.1:7878/query")
    service = next(g.subjects(RDF.type, DCAT.DataService))
    assert g.value(service, DCAT.endpointURL) == URIRef("http://127.0.0.1:7878/query")
    assert g.value(service, DCAT.servesDataset) == DS


def test_single_export_writes_description_beside_file(tmp_path: Path) -> None:
    data = tmp_path / "s.ttl"
    data.write_text(SAMPLE, encoding="utf-8")
    result = export("turtle", tmp_path / "g.ttl", include="data", data=[data])
    assert result.description == tmp_path / "g.ttl.void.ttl"
    g = Graph().parse(result.description, format="turtle")
    (dist,) = g.objects(DS, DCAT.distribution)
    assert int(g.value(dist, DCAT.byteSize)) == (tmp_path / "g.ttl").stat().st_size
    assert (DS, VOID.sparqlEndpoint, None) not in g


def test_description_is_byte_stable(tmp_path: Path) -> None:
    data = tmp_path / "s.ttl"
    data.write_text(SAMPLE, encoding="utf-8")
    graph = build_export_graph("data", data=[data])
    one = description_bytes(describe(graph, distributions={"turtle": ("x.ttl", 10)}))
    two = description_bytes(describe(build_export_graph("data", data=[data]),
                                     distributions={"turtle": ("x.ttl", 10)}))
    assert one == two
