"""Our engine and pySHACL give the same results on generated graphs with injected violations.

The graphs come from the benchmark generator (benchmarks/synthetic.py), small and seeded, with
a high share of clusters each breaking one shape, so every kind of violation it knows occurs,
next to the shipped data. Results are compared as multisets of (focus node, path, value,
constraint component, severity, source shape); a blank-node focus is compared by the named
resource it hangs from. Values keep the data's lexical form on both sides.
"""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import pytest
from support.paths import REPO_ROOT

from clustergraph.validation import validate

pytestmark = pytest.mark.slow  # pySHACL on generated graphs: about a minute per seed

BENCHMARKS = REPO_ROOT / "benchmarks"
SEEDS = [1, 2]


def _synthetic():
    spec = importlib.util.spec_from_file_location("synthetic", BENCHMARKS / "synthetic.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def keys(report) -> Counter:
    return Counter(
        (
            (r.owner or "") if r.focus_node.startswith("_:") else r.focus_node,
            r.path,
            r.value,
            r.component,
            r.severity,
            r.source_shape,
        )
        for r in report.results
    )


def compare(data: list[Path], **options) -> tuple[Counter, Counter]:
    ours = validate(data, engine="oxigraph", check_shapes=False, queries=False, **options)
    reference = validate(data, engine="pyshacl", check_shapes=False, queries=False, **options)
    assert ours.engine == "oxigraph" and reference.engine == "pyshacl"
    return keys(ours), keys(reference)


@pytest.mark.parametrize("seed", SEEDS)
def test_the_engines_agree_on_generated_graphs_with_injected_violations(seed: int, tmp_path: Path):
    synthetic = _synthetic()
    graph = tmp_path / f"synthetic-{seed}.nt"
    synthetic.write_synthetic(graph, triples=14000, seed=seed, violations=0.5)  # the shipped graph, then ~6,000 generated
    ours, reference = compare([graph])
    assert ours == reference, (
        f"only pySHACL: {sorted((reference - ours).elements())}\n"
        f"only ours: {sorted((ours - reference).elements())}"
    )
    found_shapes = {key[5] for key in ours}
    for shape in ("cgsh:ClusterCountryIsCountry", "cgsh:IndustrialClusterShape"):
        assert shape in found_shapes, "the injected violations did not reach every shape"


LEXICAL_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:S a sh:NodeShape ; sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:count ; sh:datatype xsd:int ] ,
                [ sh:path ex:amount ; sh:minInclusive 0 ] .
"""
LEXICAL_DATA = """@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
ex:a a ex:Thing ; ex:count "01"^^xsd:int ; ex:amount "-5.0"^^xsd:decimal .
"""


def test_values_are_checked_and_reported_as_the_data_writes_them(tmp_path: Path):
    (tmp_path / "shapes.ttl").write_text(LEXICAL_SHAPES)
    (tmp_path / "data.ttl").write_text(LEXICAL_DATA)
    (tmp_path / "ontology.ttl").write_text("")
    ours, reference = compare(
        [tmp_path / "data.ttl"],
        shapes=tmp_path / "shapes.ttl",
        ontology=tmp_path / "ontology.ttl",
    )
    assert ours == reference
    # "01"^^xsd:int is an xsd:int (the store would make it "1"^^xsd:integer), and -5.0 is
    # reported as written (the store would say "-5").
    assert sorted((k[2], k[3]) for k in ours) == [
        ('"-5.0"^^xsd:decimal', "sh:MinInclusiveConstraintComponent")
    ]


SPARQL_ON_A_PATH_SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:S a sh:PropertyShape ; sh:targetClass ex:Cluster ; sh:path ex:country ;
    sh:sparql [ sh:select "SELECT $this ?value WHERE { $this $PATH ?value . FILTER NOT EXISTS { ?value a <http://example.org/Country> } }" ] .
"""
SPARQL_ON_A_PATH_DATA = """@prefix ex: <http://example.org/> .
ex:c a ex:Cluster ; ex:country ex:good , ex:bad .
ex:good a ex:Country .
"""


def test_a_sparql_constraint_on_a_path_reports_each_solution_once(tmp_path: Path):
    """One result per solution, however many values the path has (pySHACL's reading; Jena 4.5
    evaluates the query once per value node and reports this result twice: the 13 extra
    results of its report at 1M synthetic triples in benchmarks/results/validate.md)."""
    (tmp_path / "shapes.ttl").write_text(SPARQL_ON_A_PATH_SHAPES)
    (tmp_path / "data.ttl").write_text(SPARQL_ON_A_PATH_DATA)
    (tmp_path / "ontology.ttl").write_text("")
    ours, reference = compare(
        [tmp_path / "data.ttl"], shapes=tmp_path / "shapes.ttl", ontology=tmp_path / "ontology.ttl"
    )
    assert ours == reference
    assert sum(ours.values()) == 1


def test_the_engine_reads_the_same_values_from_its_index_as_from_the_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """The loader indexes the files' triples for the engine (and loads an N-Triples file into
    the store natively, beside the parse); judged through the store alone, as incremental
    validation judges, the report is the same."""
    import clustergraph.validation.run as run_module

    graph = tmp_path / "synthetic.nt"
    _synthetic().write_synthetic(graph, triples=5000, seed=3, violations=0.5)
    with_index = validate([graph], engine="oxigraph", check_shapes=False, queries=False)
    load = run_module.load_graph_store
    monkeypatch.setattr(
        run_module,
        "load_graph_store",
        lambda *args, **kwargs: load(*args, **{**kwargs, "keep_outgoing": False}),
    )
    from_store = validate([graph], engine="oxigraph", check_shapes=False, queries=False)
    assert with_index.results, "the injected violations are found"
    assert [r.to_dict() for r in with_index.results] == [r.to_dict() for r in from_store.results]


def test_a_syntax_error_in_a_file_loaded_natively_names_its_line(tmp_path: Path):
    from clustergraph.errors import RDFSyntaxError

    graph = tmp_path / "broken.nt"
    graph.write_text(
        "<http://example.org/a> <http://example.org/p> <http://example.org/b> .\n"
        "<http://example.org/a> <http://example.org/p> nonsense .\n"
    )
    with pytest.raises(RDFSyntaxError) as raised:
        validate([graph], engine="oxigraph", check_shapes=False, queries=False)
    assert raised.value.line == 2 and raised.value.path == str(graph)
