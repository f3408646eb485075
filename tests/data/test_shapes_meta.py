"""The shapes themselves, and the shipped data against them.

- ontology/shapes.ttl is a well-formed SHACL shapes graph: it conforms to the W3C
  "SHACL for SHACL" shapes that pySHACL ships.
- The shipped data (ontology + data/*.ttl) has no sh:Violation, and exactly the warnings we know
  about: five counts declare more clusters than the sources name.
- The query cache the tests use (shacl_support.CachedQueryGraph) changes nothing but speed.
"""

from __future__ import annotations

from pathlib import Path

import pyshacl
import pytest
import rdflib
import support.shacl_support as s
from rdflib import Graph, Literal

SHACL_SHACL = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"

#: The known gaps between the clusters an announcement declares and the members the graph names:
#: observation slug -> (declared, named).
KNOWN_GAPS = {
    "tic-2022-12-clusters-lanzarote": (13, 9),
    "tic-2024-01-clusters": (20, 18),
    "tic-2024-09-24-clusters": (21, 20),
    "tic-2025-01-22-clusters": (33, 31),
    "tic-2025-hunter-clusters": (35, 31),
}


@pytest.fixture(scope="module")
def shacl_shacl() -> Graph:
    return Graph().parse(SHACL_SHACL, format="turtle")


@pytest.fixture(scope="module")
def shipped_outcome() -> s.Outcome:
    return s.validate(s.shipped_data_graph())


def _meta_validate(shapes: Graph, shacl_shacl: Graph):
    conforms, report, _ = pyshacl.validate(
        shapes, shacl_graph=shacl_shacl, inference="none", allow_warnings=False
    )
    return conforms, s.results_of(report)


def test_shapes_conform_to_shacl_for_shacl(shacl_shacl):
    """ontology/shapes.ttl passes the SHACL-for-SHACL (meta-shapes) check."""
    conforms, results = _meta_validate(s.shapes_graph(), shacl_shacl)
    assert conforms and not results, "shapes.ttl is not valid SHACL:\n" + s.describe(results)


def test_meta_check_rejects_a_broken_shape(shacl_shacl):
    """The meta check is not vacuous: a shape with sh:minCount "one" and two paths fails."""
    broken = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix ex: <http://example.org/> .
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:p , ex:q ; sh:minCount "one" ] .
        """,
        format="turtle",
    )
    conforms, results = _meta_validate(broken, shacl_shacl)
    assert not conforms and results


def test_shipped_data_has_no_violation(shipped_outcome):
    """The ontology and data/*.ttl together raise no sh:Violation (and no sh:Info)."""
    others = [r for r in shipped_outcome.results if r.severity != s.SH.Warning]
    assert not others, "the shipped data violates the shapes:\n" + s.describe(others)
    assert shipped_outcome.conforms


def test_shipped_data_warns_exactly_about_the_known_count_gaps(shipped_outcome):
    """The only warnings are the five declared-versus-named cluster counts, each saying both
    numbers: 13 vs 9 (a Lanzarote source, December 2022), 20 vs 18, 21 vs 20, 33 vs 31,
    35 vs 31; and the citations whose note says that no copy of the source we can read shows
    the words (kept visible as warnings, #22)."""
    expected = {
        s.Result(
            focus=s.ID[f"observation/{slug}"],
            path="qudt:numericValue",
            component=s.SH.SPARQLConstraintComponent,
            severity=s.SH.Warning,
        )
        for slug in KNOWN_GAPS
    }
    all_warnings = [r for r in shipped_outcome.results if r.severity == s.SH.Warning]
    unworded = [r for r in all_warnings if r.path == "cg:citation" and "only a note" in r.message]
    assert all(r.component == s.SH.SPARQLConstraintComponent for r in unworded)
    warnings = [r for r in all_warnings if r not in unworded]
    actual = set(warnings)
    assert len(warnings) == len(actual) == len(expected) and actual == expected, (
        "unexpected warnings on the shipped data:\n"
        + s.describe(actual - expected)
        + "\nmissing warnings:\n"
        + s.describe(expected - actual)
    )
    for result in warnings:
        declared, named = KNOWN_GAPS[str(result.focus).rsplit("/", 1)[1]]
        assert f"declares {declared}" in result.message, result
        assert f"names {named} members" in result.message, result
        assert result.value == Literal(f"{declared}.0", datatype=rdflib.XSD.decimal), result


@pytest.mark.parametrize(
    "shape, label",
    [
        ("ClusterSingleMembershipShape", "two memberships in one initiative"),
        ("ClusterMembershipShape", 'memberSince "January 2025" as a plain string'),
        ("DeclaredCountGapShape", "declared count above the named members"),
        ("MetricObservationShape", "unit that does not fit the metric"),
    ],
)
def test_query_cache_changes_nothing(shape, label):
    """A plain rdflib.Graph and the caching graph give the same results (SPARQL-heavy cases)."""
    case = s.load_case(s.find_case(shape, label))
    cached = s.validate(s.data_graph(case.data))
    plain_graph = Graph()
    plain_graph += s.data_graph(case.data)
    plain = s.validate(plain_graph)
    assert cached.results, f"{case.file.name} should produce results"
    assert [(r, r.message, r.value) for r in cached.results] == [
        (r, r.message, r.value) for r in plain.results
    ]
