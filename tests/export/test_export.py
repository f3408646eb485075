"""`clustergraph export`: deterministic files that parse back, in a second parser, to the same graph."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic, to_isomorphic

from clustergraph.cli import main
from clustergraph.export import (
    CSV_COLUMNS,
    FORMATS,
    GRAPH_NS,
    build_context,
    build_export_graph,
    cluster_table,
    export_all,
    jsonld_document_loader,
    load_context,
    serialize,
)
from clustergraph.files.load import GraphSources

RDF_FORMATS = [name for name, f in FORMATS.items() if f.rdf]

#: A small graph with what exports find hard: blank nodes (nested, twins, shared), quotes, line
#: breaks and tabs in literals, non-English tags, datatypes, a candidate that is no cluster.
SAMPLE = r"""
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
@prefix schema: <https://schema.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
@base <https://w3id.org/clustergraph/id/> .

<cluster/zeta-port> a cg:IndustrialCluster ;
    skos:prefLabel "Zeta Port"@en , "Port Zêta"@fr ;
    cg:country <country/NL> ;
    cg:region "South \"Holland\"\nline two\ttab"@en ;
    cg:focusDescription "Hydrogen and CCUS."@en ;
    cg:technology <technology/hydrogen> , <technology/ccus> ;
    geo:hasGeometry <cluster/zeta-port/geometry> ;
    dcterms:source <source/zeta-a> , <source/zeta-b> ;
    skos:note [ a skos:Concept ; skos:prefLabel "twin"@en ] , [ a skos:Concept ; skos:prefLabel "twin"@en ] .

<cluster/zeta-port/geometry> a geo:Geometry ;
    geo:asWKT "POINT(4.1 51.95)"^^geo:wktLiteral .

<cluster/alpha-bay> a cg:IndustrialCluster ;
    skos:prefLabel "Alpha Bay"@en ;
    cg:country <country/SA> ;
    cg:technology <technology/ccus> ;
    geo:hasGeometry [ a geo:Geometry ; geo:asWKT "<http://www.opengis.net/def/crs/OGC/1.3/CRS84> POINT(49.66 27.01)"^^geo:wktLiteral ; cg:approximate true ] ;
    dcterms:source <source/alpha> .

<candidate/maybe-cluster> a cg:CandidateCluster ;
    skos:prefLabel "Maybe Cluster"@en ;
    cg:country <country/NL> .

<membership/zeta-port> a cg:ClusterMembership ; org:member <cluster/zeta-port> ;
    cg:memberSince "2024-09"^^xsd:gYearMonth .
<membership/alpha-bay> a cg:ClusterMembership ; org:member <cluster/alpha-bay> ;
    cg:memberSince "2023-01-16"^^xsd:date .

<country/NL> a cg:Country ; skos:prefLabel "Netherlands"@en ; cg:iso3166Alpha2 "NL" .
<country/SA> a cg:Country ; skos:prefLabel "Saudi Arabia"@en ; cg:iso3166Alpha2 "SA" .
<technology/hydrogen> a skos:Concept ; skos:prefLabel "hydrogen"@en .
<technology/ccus> a skos:Concept ; skos:prefLabel "CCUS"@en .
<source/zeta-a> a cg:SourceDocument ; schema:url <https://example.org/zeta-a> .
<source/zeta-b> a cg:SourceDocument ; schema:url <https://example.org/zeta-b?x=1&y=2> .
<source/alpha> a cg:SourceDocument ; schema:url <https://example.org/alpha> ;
    dcterms:title "Ünïcödé — “quoted” title"@en ; dcterms:issued "2024"^^xsd:gYear .
<observation/one> a cg:MetricObservation ; qudt:numericValue 832000000.0 ; cg:about <cluster/alpha-bay> ;
    cg:membershipsComplete false ; cg:asOf "2025-01-22"^^xsd:date .
<cluster/zeta-port> skos:example ( "one" "two" ) . <cluster/alpha-bay> skos:example ( "one" "two" ) .
_:chain1 skos:related _:chain2 . _:chain2 skos:related _:chain3 . _:chain3 skos:related _:chain1 .
"""


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("sample") / "sample.ttl"
    path.write_text(SAMPLE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def sample_graph(sample_file: Path):
    return build_export_graph(("ontology", "data"), data=[sample_file])


@pytest.fixture(scope="module")
def sample_exports(sample_graph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("exports")
    export_all(out, graph=sample_graph)
    return out


def _expected_graph(sample_file: Path) -> Graph:
    """The merged ontology and sample, parsed by rdflib itself (the reference)."""
    from clustergraph.files.paths import ontology_file

    graph = Graph()
    graph.parse(ontology_file(), format="turtle")
    graph.parse(sample_file, format="turtle")
    return graph


def _parse_oxigraph(data: bytes, fmt: str) -> Graph:
    import pyoxigraph as ox

    from clustergraph.files.load import to_rdflib

    oxfmt = {"turtle": ox.RdfFormat.TURTLE, "ntriples": ox.RdfFormat.N_TRIPLES,
             "nquads": ox.RdfFormat.N_QUADS, "trig": ox.RdfFormat.TRIG,
             "rdfxml": ox.RdfFormat.RDF_XML, "jsonld": ox.RdfFormat.JSON_LD}[fmt]
    graph = Graph()
    for q in ox.parse(data, format=oxfmt, base_iri="https://w3id.org/clustergraph/"):
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))
    return graph


def _run_cli(args: list[str], env_extra: dict[str, str] | None = None, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-m", "clustergraph", *args], capture_output=True,
                          env=env, check=False, **kw)


# --- the graph -------------------------------------------------------------------------------


def test_export_graph_is_the_merged_input(sample_graph, sample_file: Path) -> None:
    assert isomorphic(sample_graph.to_rdflib(), _expected_graph(sample_file))


def test_lines_are_sorted_unique_canonical_ntriples(sample_graph) -> None:
    lines = sample_graph.lines
    assert lines == sorted(set(lines))
    assert all(line.endswith(" .") for line in lines)


def test_blank_nodes_get_content_labels_and_twins_stay_apart(sample_graph) -> None:
    bnode_lines = [ln for ln in sample_graph.lines if "_:" in ln]
    labels = {tok for ln in bnode_lines for tok in ln.split() if tok.startswith("_:")}
    # the two identical `[ a skos:Concept ; prefLabel "twin" ]`, the geometry, the 3-cycle, and
    # two equal lists of two cells hanging from different clusters (which must stay apart)
    assert len(labels) == 10
    assert all(len(label) >= 2 + 1 + 32 for label in labels)


def test_skolemize_replaces_blank_nodes_by_genid_iris(sample_file: Path) -> None:
    graph = build_export_graph("data", data=[sample_file], skolemize=True)
    assert not any("_:" in ln.split(" ", 1)[0] or ln.split()[-2].startswith("_:") for ln in graph.lines)
    assert any("/.well-known/genid/" in ln for ln in graph.lines)
    assert len(graph) == len(build_export_graph("data", data=[sample_file]))


# --- determinism -----------------------------------------------------------------------------


def _relabelled_shuffled(text: str, seed: int) -> str:
    """The sample as N-Triples with rdflib's (random) blank node labels, lines shuffled."""
    import random

    graph = Graph()
    graph.parse(data=text, format="turtle")
    lines = [ln for ln in graph.serialize(format="nt").splitlines() if ln.strip()]
    random.Random(seed).shuffle(lines)
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_same_graph_in_any_order_with_any_labels_gives_identical_bytes(
    fmt: str, sample_graph, tmp_path: Path
) -> None:
    expected = serialize(sample_graph, fmt)
    for seed in (1, 2):
        path = tmp_path / f"shuffled{seed}.nt"
        path.write_text(_relabelled_shuffled(SAMPLE, seed), encoding="utf-8")
        again = build_export_graph(("ontology", "data"), data=[path])
        assert serialize(again, fmt) == expected, f"{fmt} output depends on input order or labels"


def test_two_runs_under_different_hash_seeds_are_byte_identical(sample_file: Path, tmp_path: Path) -> None:
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"run{seed}"
        result = _run_cli(["export", "-f", "all", "--out", str(out), "--data", str(sample_file)],
                          {"PYTHONHASHSEED": seed})
        assert result.returncode == 0, result.stderr.decode()
        outs.append(out)
    names = sorted(p.name for p in outs[0].iterdir())
    assert names == sorted([f"clustergraph{f.suffix}" for f in FORMATS.values()] + ["void.ttl"])
    for name in names:
        assert (outs[0] / name).read_bytes() == (outs[1] / name).read_bytes(), name


def test_shipped_graph_exports_identically_twice(tmp_path: Path) -> None:
    a, b = build_export_graph(), build_export_graph()
    for fmt in ("turtle", "ntriples", "jsonld", "rdfxml", "trig"):
        assert serialize(a, fmt) == serialize(b, fmt)


def test_changing_one_blank_node_leaves_the_others_labels(tmp_path: Path) -> None:
    base = "_:a <http://ex/p> \"1\" .\n_:b <http://ex/p> \"2\" .\n"
    one, two = tmp_path / "one.nt", tmp_path / "two.nt"
    one.write_text(base)
    two.write_text(base.replace('"2"', '"3"'))
    lines1 = build_export_graph("data", data=[one]).lines
    lines2 = build_export_graph("data", data=[two]).lines
    assert [ln for ln in lines1 if '"1"' in ln] == [ln for ln in lines2 if '"1"' in ln]


# --- parse again, in other parsers ------------------------------------------------------------


@pytest.mark.parametrize("fmt", RDF_FORMATS)
def test_every_rdf_export_parses_in_oxigraph_to_the_same_graph(fmt: str, sample_exports: Path,
                                                               sample_graph) -> None:
    data = (sample_exports / f"clustergraph{FORMATS[fmt].suffix}").read_bytes()
    assert isomorphic(_parse_oxigraph(data, fmt), sample_graph.to_rdflib())


@pytest.mark.parametrize("fmt,rapper_name", [("turtle", "turtle"), ("ntriples", "ntriples"),
                                             ("rdfxml", "rdfxml"), ("trig", "trig"),
                                             ("nquads", "nquads")])
def test_raptor_parses_exports_to_the_same_graph(fmt: str, rapper_name: str, sample_exports: Path,
                                                  sample_graph) -> None:
    rapper = shutil.which("rapper")
    assert rapper, "Raptor's rapper is missing: apt-get install raptor2-utils"
    path = sample_exports / f"clustergraph{FORMATS[fmt].suffix}"
    result = subprocess.run([rapper, "-q", "-i", rapper_name, "-o", "nquads", str(path),
                             "https://w3id.org/clustergraph/"], capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    lines = []
    for line in result.stdout.decode("utf-8").splitlines():
        # rapper writes the named graph as a fourth term; the triples are what we compare
        if fmt in ("trig", "nquads"):
            assert line.endswith(("/graph/ontology> .", "/graph/data> .")), line
            line = line[: line.rindex(" <" + GRAPH_NS)] + " ."
        lines.append(line)
    graph = Graph()
    graph.parse(data="\n".join(lines), format="nt")
    assert isomorphic(graph, sample_graph.to_rdflib())


def test_quad_formats_put_each_part_in_its_named_graph(sample_graph) -> None:
    import pyoxigraph as ox

    quads = list(ox.parse(serialize(sample_graph, "nquads"), format=ox.RdfFormat.N_QUADS))
    graphs = {q.graph_name.value for q in quads}
    assert graphs == {GRAPH_NS + "ontology", GRAPH_NS + "data"}
    assert len(quads) == sum(len(v) for v in sample_graph.parts.values())


def test_jsonld_embeds_the_shipped_context_and_expands_in_pyld_without_a_loader(
        sample_exports: Path, sample_graph) -> None:
    from pyld import jsonld

    doc = json.loads((sample_exports / "clustergraph.jsonld").read_text(encoding="utf-8"))
    assert doc["@context"] == load_context()["@context"]
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": _no_fetch})
    graph = Graph()
    graph.parse(data=nquads, format="nt")
    assert isomorphic(graph, sample_graph.to_rdflib())


def test_jsonld_uses_the_context_terms(sample_exports: Path) -> None:
    doc = json.loads((sample_exports / "clustergraph.jsonld").read_text(encoding="utf-8"))
    zeta = next(n for n in doc["@graph"] if n["@id"] == "cgid:cluster/zeta-port")
    assert zeta["@type"] == "cg:IndustrialCluster"
    assert zeta["country"] == "cgid:country/NL"
    assert zeta["prefLabel"] == [{"@value": "Port Zêta", "@language": "fr"}, "Zeta Port"]


def _no_fetch(url: str, options: object = None) -> None:
    raise AssertionError(f"the JSON-LD export made pyld fetch {url}")


def test_the_document_loader_refuses_any_other_url() -> None:
    from pyld import jsonld

    doc = {"@context": "https://example.org/remote-context.jsonld", "@id": "https://example.org/x",
           "https://example.org/p": "v"}
    with pytest.raises(jsonld.JsonLdError) as info:
        jsonld.expand(doc, {"documentLoader": jsonld_document_loader()})
    assert "refusing to fetch" in str(info.value.__cause__)


def test_shipped_context_is_generated_from_the_ontology() -> None:
    shipped, fresh = load_context()["@context"], build_context()["@context"]
    stale = sorted(k for k in set(shipped) | set(fresh) if shipped.get(k) != fresh.get(k))
    assert not stale, (
        f"ontology/context.jsonld is out of date with the ontology for terms {stale}; "
        "regenerate it with\n  python -c 'from clustergraph.export import write_context; write_context()'"
    )


def test_context_terms_never_shadow_prefixes() -> None:
    ctx = load_context()["@context"]
    prefixes = {k for k, v in ctx.items() if isinstance(v, str) and v.endswith(("/", "#"))}
    assert {"cg", "cgid", "skos", "unit"} <= prefixes
    assert all(isinstance(ctx[k], str) for k in prefixes)


def test_shipped_graph_jsonld_round_trips_through_pyld() -> None:
    from pyld import jsonld

    graph = build_export_graph()
    doc = json.loads(serialize(graph, "jsonld"))
    nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": _no_fetch})
    back = Graph()
    back.parse(data=nquads, format="nt")
    assert to_isomorphic(back) == to_isomorphic(graph.to_rdflib())


# --- tables ----------------------------------------------------------------------------------


def test_csv_has_one_row_per_industrial_cluster(sample_exports: Path) -> None:
    with open(sample_exports / "clustergraph.csv", newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["name"] for r in rows] == ["Alpha Bay", "Zeta Port"]  # no candidate, sorted
    alpha, zeta = rows
    assert alpha == {
        "name": "Alpha Bay", "country": "Saudi Arabia", "iso_code": "SA", "technologies": "CCUS",
        "year_joined": "2023", "latitude": "27.01", "longitude": "49.66",
        "sources": "https://example.org/alpha",
        "iri": "https://w3id.org/clustergraph/id/cluster/alpha-bay",
    }
    assert zeta["technologies"] == "CCUS; hydrogen"
    assert zeta["year_joined"] == "2024"
    assert (zeta["latitude"], zeta["longitude"]) == ("51.95", "4.1")
    assert zeta["sources"] == "https://example.org/zeta-a; https://example.org/zeta-b?x=1&y=2"


def test_tsv_matches_csv(sample_exports: Path) -> None:
    with open(sample_exports / "clustergraph.csv", newline="", encoding="utf-8") as fh:
        csv_rows = list(csv.reader(fh))
    with open(sample_exports / "clustergraph.tsv", newline="", encoding="utf-8") as fh:
        tsv_rows = list(csv.reader(fh, delimiter="\t"))
    assert csv_rows == tsv_rows
    assert tuple(csv_rows[0]) == CSV_COLUMNS


def test_cluster_table_of_shipped_graph_lists_only_industrial_clusters(shipped_graph) -> None:
    graph = build_export_graph()
    rows = cluster_table(graph.store())
    clusters = {str(s) for s in shipped_graph.subjects(
        URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        URIRef("https://w3id.org/clustergraph/ontology#IndustrialCluster"))}
    assert {r["iri"] for r in rows} == clusters


# --- the command line ------------------------------------------------------------------------


def test_cli_writes_turtle_to_stdout(sample_file: Path, capfdbinary) -> None:
    with pytest.raises(SystemExit) as info:
        main(["export", "--data", str(sample_file)])
        raise SystemExit(0)
    assert info.value.code in (0, None)
    out = capfdbinary.readouterr().out
    assert out.startswith(b"@prefix cg: ")
    graph = Graph()
    graph.parse(data=out.decode("utf-8"), format="turtle")
    assert (URIRef("https://w3id.org/clustergraph/id/cluster/zeta-port"), None, None) in graph


def test_cli_writes_file_and_description(sample_file: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.nt"
    result = _run_cli(["export", "-f", "ntriples", "-o", str(out), "--data", str(sample_file),
                       "--include", "data"])
    assert result.returncode == 0, result.stderr.decode()
    assert b"wrote" in result.stderr
    assert out.exists() and (tmp_path / "g.nt.void.ttl").exists()


def test_cli_rejects_unknown_format_and_part(tmp_path: Path) -> None:
    bad_format = _run_cli(["export", "-f", "yaml"])
    assert bad_format.returncode == 2
    assert b"unknown export format 'yaml'" in bad_format.stderr
    bad_part = _run_cli(["export", "--include", "ontology,everything"])
    assert bad_part.returncode == 2
    assert b"unknown part(s) everything" in bad_part.stderr


def test_include_shapes_adds_the_shapes_graph(sample_file: Path, tmp_path: Path) -> None:
    from clustergraph.files.paths import ontology_file

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text("@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
                      "<https://w3id.org/clustergraph/shapes#S> a sh:NodeShape .\n")
    sources = GraphSources(ontology=ontology_file(), shapes=shapes, data=(sample_file,))
    graph = build_export_graph("ontology,data,shapes", sources=sources)
    assert list(graph.parts) == ["ontology", "data", "shapes"]
    assert graph.parts["shapes"] == [
        "<https://w3id.org/clustergraph/shapes#S> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://www.w3.org/ns/shacl#NodeShape> ."
    ]


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://ex/> .\nex:a ex:b .\n")
    result = _run_cli(["export", "--data", str(bad)])
    assert result.returncode == 2
    assert f"{bad}:2".encode() in result.stderr


def test_literals_survive_exactly(sample_graph) -> None:
    graph = _parse_oxigraph(serialize(sample_graph, "turtle"), "turtle")
    region = graph.value(URIRef("https://w3id.org/clustergraph/id/cluster/zeta-port"),
                         URIRef("https://w3id.org/clustergraph/ontology#region"))
    assert region == Literal('South "Holland"\nline two\ttab', lang="en")


# --- blank nodes, as a property --------------------------------------------------------------

_NODES = st.sampled_from(["_:a", "_:b", "_:c", "_:d", "<http://ex/x>", "<http://ex/y>"])
_OBJECTS = st.one_of(_NODES, st.sampled_from(['"1"', '"2"@en', '"z"^^<http://ex/dt>']))
_PREDICATES = st.sampled_from(["<http://ex/p>", "<http://ex/q>"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(triples=st.lists(st.tuples(_NODES, _PREDICATES, _OBJECTS), min_size=1, max_size=12),
       seed=st.integers(0, 10**6))
def test_blank_node_labels_depend_only_on_the_graph(tmp_path: Path, triples, seed: int) -> None:
    """Any graph, written with other blank node names in another order, exports identically."""
    import random

    lines = sorted({f"{s} {p} {o} ." for s, p, o in triples})
    rng = random.Random(seed)
    names = {b: f"_:r{rng.randrange(10**6)}x{i}" for i, b in enumerate(["_:a", "_:b", "_:c", "_:d"])}
    shuffled = [" ".join(names.get(tok, tok) for tok in ln.split(" ")) for ln in lines]
    rng.shuffle(shuffled)
    one, two = tmp_path / f"one{seed}.nt", tmp_path / f"two{seed}.nt"
    one.write_text("\n".join(lines) + "\n")
    two.write_text("\n".join(shuffled) + "\n")
    first = build_export_graph("data", data=[one])
    second = build_export_graph("data", data=[two])
    assert first.lines == second.lines
    reference = Graph().parse(data="\n".join(lines), format="nt")
    assert isomorphic(first.to_rdflib(), reference)


def _rdfc(graph: Graph) -> set[str]:
    """The graph canonicalised with RDFC-1.0 (Oxigraph's implementation; fast on many blank nodes)."""
    import pyoxigraph as ox

    dataset = ox.Dataset(ox.parse(graph.serialize(format="nt").encode("utf-8"), format=ox.RdfFormat.N_TRIPLES))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return {str(q) for q in dataset}


def test_shipped_graph_with_shapes_round_trips_through_raptor_and_oxigraph(tmp_path: Path) -> None:
    """The shipped ontology, data and shapes (whose property shapes are blank nodes)."""
    from clustergraph.files.paths import data_files, ontology_file, shapes_file

    reference = Graph()
    for path in [ontology_file(), shapes_file(), *data_files()]:
        reference += Graph().parse(path, format="turtle")
    graph = build_export_graph("ontology,data,shapes", sources=GraphSources())
    expected = _rdfc(reference)
    assert len(graph) == len(reference)
    assert _rdfc(graph.to_rdflib()) == expected
    for fmt, name in (("turtle", "turtle"), ("rdfxml", "rdfxml"), ("ntriples", "ntriples")):
        path = tmp_path / f"all{FORMATS[fmt].suffix}"
        path.write_bytes(serialize(graph, fmt))
        assert _rdfc(_parse_oxigraph(path.read_bytes(), fmt)) == expected, fmt
        result = subprocess.run([shutil.which("rapper") or "rapper", "-q", "-i", name, "-o", "ntriples",
                                 str(path), "https://w3id.org/clustergraph/"], capture_output=True, check=False)
        assert result.returncode == 0, result.stderr.decode()
        assert _rdfc(Graph().parse(data=result.stdout.decode("utf-8"), format="nt")) == expected, fmt
