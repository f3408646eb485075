"""The SHACL shapes, case by case: one Turtle file per case in tests/shapes/.

Each file `tests/shapes/<ShapeLocalName>-NNN.ttl` holds a small, self-contained data graph and,
in the same file, a `t:TestCase` that names the shape(s) it is about (`t:targets`) and the exact
validation results it must produce (`t:expect`: focus node, path, constraint component,
severity), or `t:conforms true`. See tests/support/shacl_support.py for the vocabulary.

The runner validates the case's data (the `t:` description removed, the ontology's
rdfs:subClassOf hierarchy merged in) against ontology/shapes.ttl with pySHACL and compares the
results with the expectations as multisets: a missing result and an unexpected one both fail the
case.

The coverage tests read ontology/shapes.ttl and fail, listing what is missing, when a node shape
has no conforming case, or when a kind of constraint of a node shape (or one of its SPARQL
constraints) is never made to fire by any case.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
import support.shacl_support as s
from rdflib import RDF, URIRef

CASE_FILES = s.case_files()


@pytest.fixture(scope="session")
def shapes():
    return s.shapes_graph()


def _fail_report(case: s.Case, outcome: s.Outcome, missing, unexpected, problems) -> str:
    lines = [f"{case.file.name} — {case.label}: {case.comment}"]
    if missing:
        lines += ["  expected but not reported:", s.describe(missing)]
    if unexpected:
        lines += ["  reported but not expected:", s.describe(unexpected)]
    for problem in problems:
        lines.append(f"  {problem}")
    lines += ["  all results:", s.describe(outcome.results)]
    return "\n".join(lines)


@pytest.mark.parametrize("case_file", CASE_FILES, ids=[f.stem for f in CASE_FILES])
def test_case(case_file, shapes):
    """The case's data produces exactly the expected validation results, no more, no fewer."""
    case, outcome = s.run_case(case_file)
    missing, unexpected, problems = s.compare(case, outcome)
    assert not (missing or unexpected or problems), _fail_report(
        case, outcome, missing, unexpected, problems
    )

    # pySHACL's conforms flag (allow_warnings=True) is false exactly when a Violation is expected.
    has_violation = any(e.result.severity == s.SH.Violation for e in case.expected)
    assert outcome.conforms is not has_violation, (
        f"{case.file.name}: conforms={outcome.conforms}, but the expected results "
        f"{'include' if has_violation else 'do not include'} a sh:Violation"
    )


@pytest.mark.parametrize("case_file", CASE_FILES, ids=[f.stem for f in CASE_FILES])
def test_case_is_about_its_targets(case_file, shapes):
    """The file name and t:targets name real shapes, and the case really exercises them: a
    violating case gets a result from each shape it targets; a conforming case gives each shape
    it targets a focus node of its own data to check."""
    case, outcome = s.run_case(case_file)
    assert s.FIXTURE_NAME.match(case.file.name), f"{case.file.name}: use <ShapeLocalName>-NNN.ttl"
    assert case.file_shape in case.targets, (
        f"{case.file.name}: t:targets must include {s.short(case.file_shape)} (its file name)"
    )
    for target in case.targets:
        assert any(
            (target, RDF.type, kind) in shapes for kind in (s.SH.NodeShape, s.SH.PropertyShape)
        ), f"{case.file.name}: t:targets {s.short(target)} is not a shape of ontology/shapes.ttl"
    if case.expected:
        reached = set().union(*(s.shapes_reached(shapes, r) for r in outcome.results))
        missed = [s.short(t) for t in case.targets if t not in reached]
        assert not missed, f"{case.file.name}: no result comes from t:targets {missed}"
    else:
        idle = [s.short(t) for t in case.targets if not s.exercised(shapes, t, case.data)]
        assert not idle, f"{case.file.name}: the data gives t:targets {idle} nothing to check"


def test_every_node_shape_has_a_conforming_case(shapes):
    """Every node shape is the t:targets of at least one conforming case that exercises it."""
    conforming: dict[URIRef, list[str]] = defaultdict(list)
    for file in CASE_FILES:
        case, _ = s.run_case(file)
        if case.conforms:
            for target in case.targets:
                conforming[target].append(case.name)
    missing = [s.short(shape) for shape in s.node_shapes(shapes) if not conforming.get(shape)]
    assert not missing, "node shapes without a conforming case: " + ", ".join(missing)


def test_every_constraint_has_a_violating_case(shapes):
    """For every targeted node shape, each kind of constraint it uses (on itself or on its
    property shapes), and each of its SPARQL constraints, fires in at least one case. A node
    shape without targets is checked through the sh:node that points to it."""
    hit: set[tuple] = set()
    for file in CASE_FILES:
        _, outcome = s.run_case(file)
        for result in outcome.results:
            for unit in s.units_hit(shapes, result):
                hit.add(_kind(unit))
    needed: dict[tuple, str] = {}
    for unit in s.constraint_units(shapes):
        needed.setdefault(_kind(unit), _describe_kind(shapes, unit))
    missing = sorted(text for key, text in needed.items() if key not in hit)
    for shape in s.node_shapes(shapes):
        if s.is_targeted(shapes, shape):
            continue
        references = s.referencing_units(shapes, shape)
        if not references:
            missing.append(f"{s.short(shape)} (no target and no sh:node uses it: it never runs)")
        elif not any(_kind(u) in hit for u in references):
            missing.append(f"{s.short(shape)} (no case makes the sh:node that uses it fail)")
    assert not missing, "constraints no case makes fire:\n  " + "\n  ".join(missing)


def _kind(unit: s.Unit) -> tuple:
    """Coverage granularity: (node shape, component) — and the constraint itself for SPARQL."""
    return (unit.node_shape, unit.component, unit.constraint)


def _describe_kind(shapes, unit: s.Unit) -> str:
    text = f"{s.short(unit.node_shape)} › {s.short(unit.component).removeprefix('sh:')}"
    if unit.constraint is not None:
        message = str(shapes.value(unit.constraint, s.SH.message) or "")
        text += f" «{message[:80]}…»"
    return text


def test_case_files_are_well_formed():
    """Every file in tests/shapes/ is a case: well named, with a label, a one-sentence comment,
    and no two cases with the same label."""
    assert CASE_FILES, "no case files in tests/shapes/"
    labels: dict[str, str] = {}
    for file in CASE_FILES:
        case, _ = s.run_case(file)
        assert s.FIXTURE_NAME.match(file.name), file.name
        assert case.comment.endswith("."), f"{file.name}: rdfs:comment should be one sentence"
        key = f"{s.short(case.file_shape)} {case.label}"
        assert key not in labels, f"{file.name} and {labels[key]} share the label {case.label!r}"
        labels[key] = file.name


#: Cases the issue names, by shape and label, with the severity each must raise.
REQUIRED_CASES = [
    ("ClusterCountry", "cluster without a country", "Violation"),
    ("ClusterCountry", "second country", "Violation"),
    ("ClusterCountryIsCountry", "country that is not a cg:Country", "Violation"),
    ("CountryShape", 'malformed alpha-2 code "ind"', "Violation"),
    ("CountryShape", 'malformed alpha-3 code "IN"', "Violation"),
    ("ClusterTechnology", "unknown technology", "Violation"),
    ("MetricObservationShape", "metric without a source", "Violation"),
    ("MetricObservationShape", "metric whose only source has no date", "Violation"),
    ("MetricObservationShape", "negative value", "Violation"),
    ("ClusterMembershipShape", 'memberSince "January 2025" as a plain string', "Violation"),
    ("MetricObservationShape", "numericValue as a string", "Violation"),
    ("MetricObservationShape", "unit that does not fit the metric", "Violation"),
    ("MetricObservationShape", "percent over 100", "Violation"),
    ("ClusterLocationShape", "missing coordinate and no location note", "Warning"),
    ("DeclaredCountMatchesMembershipsShape", "complete count that does not match", "Violation"),
    ("DeclaredCountGapShape", "declared count above the named members", "Warning"),
    ("ClusterMembershipShape", "memberSince later than the announcement date", "Violation"),
    ("ClusterMembershipShape", "joinDate without a source", "Violation"),
    ("QuotationShape", "quotation whose post is held by someone else", "Violation"),
    ("IndustrialClusterShape", "typo property cg:contry on a cluster", "Violation"),
    ("IndustrialClusterIriShape", "slug with an upper-case letter", "Violation"),
    ("IndustrialClusterIriShape", "slug with an underscore", "Violation"),
    ("ClusterLabel", "language-less label", "Violation"),
    ("ClusterLabel", "two English prefLabels", "Violation"),
]

#: The issue's "Done when": each of these makes validation fail with a report naming the resource.
DONE_WHEN = {
    "cluster without a country",
    "metric without a source",
    "negative value",
    "unknown technology",
    "second country",
    'malformed alpha-2 code "ind"',
    'malformed alpha-3 code "IN"',
}


@pytest.mark.parametrize(
    "shape, label, severity",
    REQUIRED_CASES,
    ids=[f"{shape}: {label}" for shape, label, _ in REQUIRED_CASES],
)
def test_required_case(shape, label, severity):
    """The cases the issue asks for exist, raise the right severity, and (for the "Done when"
    list) make validation fail with a report that names the offending resource."""
    case, outcome = s.run_case(s.find_case(shape, label))
    severities = {r.severity for r in outcome.results}
    found = sorted(map(s.short, severities))
    assert severities == {s.SH[severity]}, f"{case.file.name}: severities {found}"
    if label in DONE_WHEN:
        assert not outcome.conforms, f"{case.file.name}: validation should fail"
        for result in outcome.results:
            named = str(result.focus) in outcome.text
            assert named, f"{case.file.name}: the report does not name {result.focus}"
            assert result.message, f"{case.file.name}: result without a message: {result}"
