"""Helpers for the data-driven SHACL tests (tests/data/test_shapes.py, tests/data/test_shapes_meta.py).

A SHACL test case is one Turtle file in tests/shapes/, named `<ShapeLocalName>-NNN.ttl`. It holds
the data for the case and, in the same file, one `t:TestCase` node that says what must come out:

    @prefix t: <https://w3id.org/clustergraph/tests#> .

    [] a t:TestCase ;
        rdfs:label "cluster without a country" ;
        rdfs:comment "A cluster with no cg:country breaks the minCount of cgsh:ClusterCountry." ;
        t:targets cgsh:ClusterCountry ;              # the shape(s) the case is about (one or more)
        t:expect [                                   # one node per expected validation result
            t:focus <cluster/alpha> ;
            t:path cg:country ;                      # left out for results without a sh:resultPath
            t:component sh:MinCountConstraintComponent ;
            t:severity sh:Violation ;
            t:messageContains "exactly one cg:country"   # optional: part of the sh:resultMessage
        ] .

A conforming case says `t:conforms true` and has no `t:expect`. The `t:TestCase` node and
everything hanging off it through blank nodes is removed before validation, so the data graph
holds the case's data only, plus the ontology's class hierarchy (rdfs:subClassOf).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyshacl
import rdflib
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from support.paths import REPO_ROOT, SHAPES

ONTOLOGY_FILE = REPO_ROOT / "ontology" / "clustergraph.ttl"
SHAPES_FILE = REPO_ROOT / "ontology" / "shapes.ttl"
DATA_DIR = REPO_ROOT / "data"
FIXTURE_DIR = SHAPES

T = Namespace("https://w3id.org/clustergraph/tests#")
SH = Namespace("http://www.w3.org/ns/shacl#")
CG = Namespace("https://w3id.org/clustergraph/ontology#")
CGSH = Namespace("https://w3id.org/clustergraph/shapes#")
ID = Namespace("https://w3id.org/clustergraph/id/")

FIXTURE_NAME = re.compile(r"^(?P<shape>[A-Z][A-Za-z0-9]*)-(?P<number>[0-9]{3})\.ttl$")

_PREFIXES = {
    str(CG): "cg:",
    str(CGSH): "cgsh:",
    str(SH): "sh:",
    str(ID): "id:",
    "http://purl.org/dc/terms/": "dcterms:",
    "http://www.w3.org/2004/02/skos/core#": "skos:",
    "http://www.w3.org/ns/org#": "org:",
    "http://qudt.org/schema/qudt/": "qudt:",
    "http://www.opengis.net/ont/geosparql#": "geo:",
    "https://schema.org/": "schema:",
    "http://www.w3.org/2002/07/owl#": "owl:",
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#": "rdf:",
}


# ---------------------------------------------------------------------------------------------
# A graph whose SPARQL queries are parsed once
# ---------------------------------------------------------------------------------------------


class CachedQueryGraph(Graph):
    """An rdflib Graph that parses each distinct SPARQL query text once per process.

    pySHACL sends the text of every SPARQL-based constraint to `query()` once per focus node;
    parsing it again each time dominates the run time. Results are identical: the prepared query
    is the one rdflib would have built from the same text and namespaces.
    """

    _prepared: dict[tuple[str, tuple[tuple[str, str], ...]], object] = {}

    def query(  # type: ignore[override]
        self,
        query_object,
        processor="sparql",
        result="sparql",
        initNs=None,  # noqa: N803 (rdflib's name)
        initBindings=None,  # noqa: N803
        use_store_provided=True,
        **kwargs,
    ):
        if isinstance(query_object, str):
            namespaces = tuple(sorted((k, str(v)) for k, v in (initNs or {}).items()))
            key = (query_object, namespaces)
            prepared = self._prepared.get(key)
            if prepared is None:
                prepared = prepareQuery(query_object, initNs=dict(initNs or {}))
                self._prepared[key] = prepared
            query_object, initNs = prepared, None
        return super().query(
            query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
        )


# ---------------------------------------------------------------------------------------------
# Shapes and ontology, parsed once per process
# ---------------------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def shapes_graph() -> Graph:
    """ontology/shapes.ttl (shared: do not modify)."""
    return Graph().parse(SHAPES_FILE, format="turtle")


@functools.lru_cache(maxsize=None)
def ontology_graph() -> Graph:
    """ontology/clustergraph.ttl (shared: do not modify)."""
    return Graph().parse(ONTOLOGY_FILE, format="turtle")


@functools.lru_cache(maxsize=None)
def class_hierarchy() -> Graph:
    """The ontology's rdfs:subClassOf triples: what sh:class and sh:targetClass need from it.

    A case merges only these, not the whole ontology: the ontology's own SKOS concepts (metrics,
    certainties) would otherwise be re-validated in every case, which costs ~40 % of the run
    time; test_shapes_meta validates them once, with the shipped data."""
    hierarchy = Graph()
    for triple in ontology_graph().triples((None, RDFS.subClassOf, None)):
        hierarchy.add(triple)
    return hierarchy


def data_graph(*extra: Graph) -> CachedQueryGraph:
    """A fresh graph holding the ontology's class hierarchy plus the given graphs."""
    graph = CachedQueryGraph()
    graph += class_hierarchy()
    for part in extra:
        graph += part
    return graph


def shipped_data_graph() -> CachedQueryGraph:
    """A fresh graph with the whole ontology and every data/*.ttl file."""
    graph = CachedQueryGraph()
    graph += ontology_graph()
    for path in sorted(DATA_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


# ---------------------------------------------------------------------------------------------
# Validation results
# ---------------------------------------------------------------------------------------------


def short(node: Node | None) -> str:
    """A compact, readable form of a term (prefixed name, or N3)."""
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        text = str(node)
        for namespace, prefix in _PREFIXES.items():
            if text.startswith(namespace):
                return prefix + text[len(namespace) :]
        return f"<{text}>"
    if isinstance(node, Literal):
        return node.n3()
    return f"_:{node}"


def path_text(graph: Graph, path: Node | None) -> str | None:
    """A SHACL property path as SPARQL-like text, so paths from different graphs compare."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return short(path)
    if graph.value(path, RDF.first) is not None:
        items = rdflib.collection.Collection(graph, path)
        return "/".join(path_text(graph, item) or "?" for item in items)
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return template.format(path_text(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        options = rdflib.collection.Collection(graph, alternatives)
        return "(" + "|".join(path_text(graph, item) or "?" for item in options) + ")"
    return f"unknown path {short(path)}"


@dataclass(frozen=True)
class Result:
    """One validation result, compared on focus node, path, constraint component and severity."""

    focus: Node
    path: str | None
    component: URIRef
    severity: URIRef
    message: str = field(default="", compare=False)
    source_shape: Node | None = field(default=None, compare=False)
    source_constraint: Node | None = field(default=None, compare=False)
    value: Node | None = field(default=None, compare=False)

    def __str__(self) -> str:
        text = (
            f"focus {short(self.focus)} | path {self.path or '-'} | "
            f"{short(self.component).removeprefix('sh:')} | {short(self.severity)}"
        )
        if self.value is not None:
            text += f" | value {short(self.value)}"
        if self.message:
            text += f"\n      message: {self.message}"
        return text


def results_of(report: Graph) -> list[Result]:
    """The validation results in a pySHACL report graph."""
    found = []
    # Only the report's own results: nested results (sh:detail) are not counted.
    for node in report.objects(None, SH.result):
        messages = sorted(str(m) for m in report.objects(node, SH.resultMessage))
        found.append(
            Result(
                focus=report.value(node, SH.focusNode),
                path=path_text(report, report.value(node, SH.resultPath)),
                component=report.value(node, SH.sourceConstraintComponent),
                severity=report.value(node, SH.resultSeverity),
                message=" / ".join(messages),
                source_shape=report.value(node, SH.sourceShape),
                source_constraint=report.value(node, SH.sourceConstraint),
                value=report.value(node, SH.value),
            )
        )
    return sorted(found, key=str)


@dataclass(frozen=True)
class Outcome:
    conforms: bool
    results: tuple[Result, ...]
    text: str


#: The shapes that ask every claim for its statement and its citations (#22). A case about any
#: other shape leaves them out (sh:deactivated), so that its data need not carry the citations
#: of each claim it holds; the cases that target them run them.
PROVENANCE_SHAPES = frozenset(CGSH[name] for name in (
    "DirectClaimStatementShape", "OrganizationKindStatementShape", "StatementShape",
    "CitedClaimShape", "CitationShape", "CitationWithoutWordsShape"))


@functools.lru_cache(maxsize=None)
def shapes_without_provenance() -> Graph:
    """ontology/shapes.ttl with the PROVENANCE_SHAPES deactivated (shared: do not modify)."""
    graph = Graph()
    for triple in shapes_graph():
        graph.add(triple)
    for shape in PROVENANCE_SHAPES:
        graph.add((shape, SH.deactivated, Literal(True)))
    return graph


def targets_provenance(case: Case) -> bool:
    """True when the case is about one of the PROVENANCE_SHAPES (they then run)."""
    return any(target in PROVENANCE_SHAPES for target in case.targets)


def shapes_file_for(case: Case, folder: Path) -> Path:
    """The shapes file a case runs with: ontology/shapes.ttl, or a copy in `folder` with the
    provenance shapes deactivated (for an engine that reads a file)."""
    if targets_provenance(case):
        return SHAPES_FILE
    path = folder / "shapes-without-provenance.ttl"
    shapes_without_provenance().serialize(path, format="turtle")
    return path


def validate(graph: Graph, *, provenance: bool = True) -> Outcome:
    """Validate `graph` in place against ontology/shapes.ttl, the way the tests need it (without
    the provenance shapes when `provenance` is False)."""
    conforms, report, text = pyshacl.validate(
        graph,
        shacl_graph=shapes_graph() if provenance else shapes_without_provenance(),
        inference="none",
        allow_warnings=True,
        inplace=True,
    )
    return Outcome(bool(conforms), tuple(results_of(report)), text)


# ---------------------------------------------------------------------------------------------
# Test-case files
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    result: Result
    message_contains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    file: Path
    label: str
    comment: str
    targets: tuple[URIRef, ...]
    conforms: bool | None
    expected: tuple[Expectation, ...]
    data: Graph = field(compare=False, repr=False)

    @property
    def name(self) -> str:
        return self.file.stem

    @property
    def file_shape(self) -> URIRef:
        """The shape named by the file name (`ClusterCountry-001.ttl` -> cgsh:ClusterCountry)."""
        match = FIXTURE_NAME.match(self.file.name)
        assert match, f"{self.file.name}: name must be <ShapeLocalName>-NNN.ttl"
        return CGSH[match["shape"]]

    def expected_results(self) -> set[Result]:
        return {e.result for e in self.expected}


class CaseError(AssertionError):
    """A test-case file does not follow the test vocabulary."""


def _description(graph: Graph, node: Node) -> Iterator[tuple[Node, Node, Node]]:
    """The triples about `node` and, recursively, about the blank nodes it points to (the
    expectations and their property paths)."""
    seen: set[Node] = set()
    todo = [node]
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for triple in graph.triples((subject, None, None)):
            yield triple
            # t:focus may name a blank node of the data: that is data, not description.
            if isinstance(triple[2], BNode) and triple[1] != T.focus:
                todo.append(triple[2])


def _one(graph: Graph, subject: Node, predicate: URIRef, where: str, required: bool = True):
    values = list(graph.objects(subject, predicate))
    if len(values) > 1 or (required and not values):
        how_many = "exactly" if required else "at most"
        raise CaseError(f"{where}: needs {how_many} one {short(predicate)}")
    return values[0] if values else None


def load_case(file: Path) -> Case:
    """Read a test-case file: its data graph (without the test description) and its expectations."""
    graph = Graph().parse(file, format="turtle")
    cases = list(graph.subjects(RDF.type, T.TestCase))
    if len(cases) != 1:
        raise CaseError(f"{file.name}: needs exactly one t:TestCase, found {len(cases)}")
    case = cases[0]
    description = list(_description(graph, case))
    for triple in description:
        graph.remove(triple)
    leftovers = [t for t in graph if any(str(term).startswith(str(T)) for term in t)]
    if leftovers:
        raise CaseError(f"{file.name}: t: terms outside the t:TestCase: {leftovers[:3]}")

    description_graph = Graph()
    for triple in description:
        description_graph.add(triple)
    label = _one(description_graph, case, RDFS.label, file.name)
    comment = _one(description_graph, case, RDFS.comment, file.name)
    conforms = _one(description_graph, case, T.conforms, file.name, required=False)
    targets = tuple(sorted(description_graph.objects(case, T.targets)))
    if not targets:
        raise CaseError(f"{file.name}: name the shape(s) the case is about with t:targets")

    expected = []
    for node in description_graph.objects(case, T.expect):
        where = f"{file.name}: t:expect"
        result = Result(
            focus=_one(description_graph, node, T.focus, where),
            path=path_text(description_graph, _one(description_graph, node, T.path, where, False)),
            component=_one(description_graph, node, T.component, where),
            severity=_one(description_graph, node, T.severity, where),
        )
        contains = tuple(str(m) for m in description_graph.objects(node, T.messageContains))
        expected.append(Expectation(result, contains))

    if conforms is not None and conforms.toPython() is True and expected:
        raise CaseError(f"{file.name}: a case with t:conforms true cannot have t:expect")
    if (conforms is None or conforms.toPython() is not True) and not expected:
        raise CaseError(f"{file.name}: give t:conforms true or at least one t:expect")
    return Case(
        file=file,
        label=str(label),
        comment=str(comment),
        targets=targets,
        conforms=None if conforms is None else bool(conforms.toPython()),
        expected=tuple(expected),
        data=graph,
    )


def case_files() -> list[Path]:
    return sorted(FIXTURE_DIR.glob("*.ttl"))


def find_case(shape: str, label: str) -> Path:
    """The case file of `shape` (local name) whose rdfs:label is `label`."""
    found = [
        f for f in case_files() if f.name.startswith(shape + "-") and load_case(f).label == label
    ]
    assert len(found) == 1, f"expected one {shape} case labelled {label!r}, found {found}"
    return found[0]


@functools.lru_cache(maxsize=None)
def run_case(file: Path) -> tuple[Case, Outcome]:
    """Load and validate one case (memoised: the coverage test reuses the runner's work)."""
    case = load_case(file)
    return case, validate(data_graph(case.data), provenance=targets_provenance(case))


# ---------------------------------------------------------------------------------------------
# What the shapes constrain: the units the coverage test asks a violating case for
# ---------------------------------------------------------------------------------------------

#: Parameters that are constraints, and the component their results report.
CONSTRAINT_PARAMETERS: dict[URIRef, URIRef] = {
    SH[name]: SH[component + "ConstraintComponent"]
    for name, component in {
        "class": "Class", "datatype": "Datatype", "nodeKind": "NodeKind", "minCount": "MinCount",
        "maxCount": "MaxCount", "minInclusive": "MinInclusive", "maxInclusive": "MaxInclusive",
        "minExclusive": "MinExclusive", "maxExclusive": "MaxExclusive", "minLength": "MinLength",
        "maxLength": "MaxLength", "pattern": "Pattern", "languageIn": "LanguageIn",
        "uniqueLang": "UniqueLang", "equals": "Equals", "disjoint": "Disjoint",
        "lessThan": "LessThan", "lessThanOrEquals": "LessThanOrEquals", "in": "In",
        "hasValue": "HasValue", "node": "Node", "and": "And", "or": "Or", "not": "Not",
        "xone": "Xone", "closed": "Closed", "qualifiedMinCount": "QualifiedMinCount",
        "qualifiedMaxCount": "QualifiedMaxCount", "sparql": "SPARQL",
    }.items()
}
#: sh: parameters that are not constraints of their own.
OTHER_PARAMETERS = {
    SH[name]
    for name in (
        "targetClass targetNode targetSubjectsOf targetObjectsOf path property message severity "
        "ignoredProperties flags name description order group deactivated declare "
        "qualifiedValueShape qualifiedValueShapesDisjoint"
    ).split()
}
TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf)


@dataclass(frozen=True, order=True)
class Unit:
    """One constraint of one shape: what a violating case must make fire."""

    node_shape: URIRef
    property_shape: Node | None
    component: URIRef
    constraint: Node | None  # the sh:SPARQLConstraint node, for SPARQL constraints

    def describe(self, shapes: Graph) -> str:
        parts = [short(self.node_shape)]
        if self.property_shape is not None:
            if isinstance(self.property_shape, URIRef):
                parts.append(short(self.property_shape))
            parts.append(f"path {path_text(shapes, shapes.value(self.property_shape, SH.path))}")
        parts.append(short(self.component).removeprefix("sh:"))
        if self.constraint is not None:
            message = str(shapes.value(self.constraint, SH.message) or "")
            parts.append(f"«{message[:70]}…»")
        return " › ".join(parts)


def node_shapes(shapes: Graph) -> list[URIRef]:
    return sorted(s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def is_targeted(shapes: Graph, shape: Node) -> bool:
    return any(shapes.value(shape, target) is not None for target in TARGETS)


def _units_of(shapes: Graph, node_shape: URIRef, shape: Node, prop: Node | None) -> Iterator[Unit]:
    for predicate, value in shapes.predicate_objects(shape):
        if predicate in CONSTRAINT_PARAMETERS:
            component = CONSTRAINT_PARAMETERS[predicate]
            constraint = value if predicate == SH.sparql else None
            yield Unit(node_shape, prop, component, constraint)
        elif str(predicate).startswith(str(SH)) and predicate not in OTHER_PARAMETERS:
            raise AssertionError(
                f"{short(shape)} uses {short(predicate)}: teach shacl_support about it"
            )


def constraint_units(shapes: Graph) -> list[Unit]:
    """Every constraint of every targeted node shape and of its property shapes."""
    units: set[Unit] = set()
    for node_shape in node_shapes(shapes):
        if not is_targeted(shapes, node_shape):
            continue
        units.update(_units_of(shapes, node_shape, node_shape, None))
        for prop in shapes.objects(node_shape, SH.property):
            units.update(_units_of(shapes, node_shape, prop, prop))
    return sorted(units, key=lambda u: u.describe(shapes))


def units_hit(shapes: Graph, result: Result) -> set[Unit]:
    """The constraint units a result comes from."""
    source = result.source_shape
    is_sparql = result.component == SH.SPARQLConstraintComponent
    constraint = result.source_constraint if is_sparql else None
    if (source, RDF.type, SH.NodeShape) in shapes:
        return {Unit(source, None, result.component, constraint)}
    return {
        Unit(owner, source, result.component, constraint)
        for owner in shapes.subjects(SH.property, source)
        if isinstance(owner, URIRef)
    }


def shapes_reached(shapes: Graph, result: Result) -> set[Node]:
    """The shapes a result is about: its source shape, the node shape owning it, and, for a
    failed sh:node, the node shape it points to."""
    reached: set[Node] = {result.source_shape}
    reached.update(u.node_shape for u in units_hit(shapes, result))
    if result.component == SH.NodeConstraintComponent:
        reached.update(shapes.objects(result.source_shape, SH.node))
    return reached


def referencing_units(shapes: Graph, shape: URIRef) -> list[Unit]:
    """The units whose sh:node points to `shape` (how an untargeted shape gets checked)."""
    return [
        u
        for u in constraint_units(shapes)
        if u.component == SH.NodeConstraintComponent
        and (u.property_shape or u.node_shape, SH.node, shape) in shapes
    ]


def focus_nodes(shapes: Graph, shape: Node, data: Graph) -> set[Node]:
    """The focus nodes of a targeted shape in `data` (rdfs:subClassOf is followed)."""
    found: set[Node] = set()
    for cls in shapes.objects(shape, SH.targetClass):
        for sub in data.transitive_subjects(RDFS.subClassOf, cls):
            found.update(data.subjects(RDF.type, sub))
    found.update(shapes.objects(shape, SH.targetNode))
    for predicate in shapes.objects(shape, SH.targetSubjectsOf):
        found.update(data.subjects(predicate, None))
    for predicate in shapes.objects(shape, SH.targetObjectsOf):
        found.update(data.objects(None, predicate))
    return found


def exercised(shapes: Graph, shape: Node, case_data: Graph) -> bool:
    """Whether the case's own data (not the ontology) gives `shape` something to check:
    a targeted shape needs a focus node described in the case; a property shape, a focus node of
    a node shape that has it; an untargeted node shape, a value for the sh:node that uses it."""
    merged = data_graph(case_data)

    def own_focus_nodes(node_shape: Node) -> list[Node]:
        return [n for n in focus_nodes(shapes, node_shape, merged) if (n, None, None) in case_data]

    if is_targeted(shapes, shape):
        return bool(own_focus_nodes(shape))
    for owner in shapes.subjects(SH.property, shape):
        if is_targeted(shapes, owner) and own_focus_nodes(owner):
            return True
    for unit in referencing_units(shapes, shape) if isinstance(shape, URIRef) else []:
        prop = unit.property_shape
        path = shapes.value(prop, SH.path) if prop is not None else None
        for node in own_focus_nodes(unit.node_shape):
            if path is None or (isinstance(path, URIRef) and merged.value(node, path) is not None):
                return True
    return False


def compare(case: Case, outcome: Outcome) -> tuple[list[Result], list[Result], list[str]]:
    """Expected and actual results as multisets: (missing, unexpected, message problems).

    Two results that agree on focus, path, component and severity (two SPARQL constraints on the
    same path, say) are told apart by the `t:messageContains` of their expectations."""
    expected = Counter(e.result for e in case.expected)
    actual = Counter(outcome.results)
    missing = sorted((expected - actual).elements(), key=str)
    unexpected = sorted((actual - expected).elements(), key=str)
    problems: list[str] = []
    wanted: dict[Result, list[Expectation]] = defaultdict(list)
    for e in case.expected:
        wanted[e.result].append(e)
    got: dict[Result, list[Result]] = defaultdict(list)
    for r in outcome.results:
        got[r].append(r)
    for key, expectations in wanted.items():
        candidates = got.get(key, [])
        if len(candidates) != len(expectations):
            continue  # already reported as missing or unexpected
        if not any(
            all(m in r.message for e, r in zip(expectations, order) for m in e.message_contains)
            for order in itertools.permutations(candidates)
        ):
            texts = [list(e.message_contains) for e in expectations if e.message_contains]
            messages = [r.message for r in candidates]
            problems.append(f"[{key}] messages should contain {texts}, but are {messages}")
    return missing, unexpected, problems


def describe(results: Iterable[Result]) -> str:
    lines = [f"    {r}" for r in sorted(results, key=str)]
    return "\n".join(lines) if lines else "    (none)"
