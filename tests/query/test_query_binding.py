"""Parameter values are bound as typed RDF terms: no value can change what a query does.

For every stored query and every parameter, hostile values (quotes, braces, "} UNION {", #,
newlines, >, unicode escapes, SERVICE, very long text...) either are refused with a
`ParameterError` naming the parameter, or become one RDF term: the parsed algebra of the bound
query then equals the algebra of the same query bound with a benign value of the same type, and
the term in it is exactly the value given. Hypothesis tries many more values, and checks that
results never grow beyond what the query can match.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clustergraph.errors import ParameterError
from clustergraph.query.catalogue import Parameter, StoredQuery, bind_query, load_catalogue
from clustergraph.query.session import Session

CATALOGUE = load_catalogue()
ID = "https://w3id.org/clustergraph/id/"

HOSTILE = [
    '"',
    "'",
    '"""',
    "'''",
    "\\",
    '\\"',
    'x" } UNION { ?s ?p ?o } #',
    "x' } UNION { ?s ?p ?o } #",
    '"} UNION {?s ?p ?o} #',
    "}",
    "{",
    "} UNION {",
    "#",
    "# comment\n",
    "\n",
    "\r\n",
    "a\nb",
    '"\n} UNION { ?s ?p ?o }\n#',
    ">",
    "<",
    "<http://evil.example/>",
    "> } UNION { ?s ?p ?o } #",
    "https://w3id.org/clustergraph/id/country/IN> } UNION { ?s ?p ?o } #",
    "https://w3id.org/clustergraph/id/country/IN>",
    "https://example.org/a b",
    "https://example.org/{x}",
    "\\u0022 } UNION { ?s ?p ?o } #",
    "\\u003E } UNION { ?s ?p ?o } #",
    "\\U0000007D",
    "\u0000",
    "\u0007",
    '"^^<http://www.w3.org/2001/XMLSchema#string>',
    '"@en',
    'x"@en . ?s ?p ?o . #',
    ") } SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } #",
    "SERVICE <http://127.0.0.1:9/> { }",
    "FROM <http://127.0.0.1:9/x>",
    "?s",
    "$s",
    " ",
    "x" * 3000,
    "\u202e",
    "\U0001f600",
    "é",
    "A\tB",
    '2025-01-31" } UNION { ?s ?p ?o } #',
    "2025-01-31T00:00:00",
    "1; DROP ALL",
    "1e400",
    "NaN",
    "-0",
    "javascript:alert(1)",
    "file:///etc/passwd",
]


def benign_value(param: Parameter) -> str:
    if param.default is not None:
        return param.default
    if param.kind == "iri":
        return f"{ID}country/IN"
    return {
        "xsd:date": "2025-01-31",
        "xsd:gYear": "2025",
        "xsd:decimal": "1.5",
        "xsd:integer": "3",
    }.get(param.type_name, "benign")


def algebra_shape(text: str, bound: dict[str, Any]) -> Any:
    """The parsed algebra of a query (rdflib's parser), with the terms of VALUES rows replaced by
    the name of their variable: two bindings of the same parameters give the same shape exactly
    when the values changed nothing but themselves."""
    from rdflib import BNode, Literal, URIRef, Variable
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    query = translateQuery(parseQuery(text))
    values_nodes = []

    def shape(node: Any) -> Any:
        if isinstance(node, CompValue):
            if node.name == "values":
                values_nodes.append(node)
                rows = tuple(tuple(sorted((str(k), "PARAM") for k in row)) for row in node["res"])
                return ("values", rows)
            return (node.name, tuple((k, shape(v)) for k, v in node.items() if k != "_vars"))
        if isinstance(node, dict):
            return ("dict", tuple(sorted((shape(k), shape(v)) for k, v in node.items())))
        if isinstance(node, (list, tuple)):
            return tuple(shape(v) for v in node)
        if isinstance(node, (set, frozenset)):
            return ("set", tuple(sorted(map(str, node))))
        if isinstance(node, Variable):
            return ("var", str(node))
        if isinstance(node, (URIRef, Literal, BNode)):
            return ("term", node.n3())
        return ("value", repr(node))

    result = shape(query.algebra)
    assert len(values_nodes) == (1 if bound else 0), "exactly one VALUES block, ours"
    return result


def bound_terms_in_algebra(text: str) -> dict[str, Any]:
    """The VALUES terms the parser reads back from a bound query."""
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    found: dict[str, Any] = {}

    def walk(node: Any) -> None:
        if isinstance(node, CompValue):
            if node.name == "values":
                for row in node["res"]:
                    found.update({str(k): v for k, v in row.items()})
            for v in node.values():
                walk(v)
        elif isinstance(node, (list, tuple)):
            for v in node:
                walk(v)

    walk(translateQuery(parseQuery(text)).algebra)
    return found


def check_value(query: StoredQuery, param: Parameter, value: str) -> str:
    """Bind `value`; return "refused" or "bound" after checking the structure is unchanged."""
    from clustergraph.files.load import to_rdflib

    benign = {param.name: benign_value(param)}
    try:
        term = param.to_term(value)
        hostile_bindings = query.bindings({param.name: value})
    except ParameterError as exc:
        assert exc.name == param.name
        assert param.name in str(exc)
        return "refused"
    if param.variable not in hostile_bindings:  # an optional parameter given as "": unbound
        assert value == "" and not param.required
        return "unbound"
    benign_bindings = query.bindings(benign)
    hostile_text = bind_query(query.text, hostile_bindings)
    benign_text = bind_query(query.text, benign_bindings)
    assert algebra_shape(hostile_text, hostile_bindings) == algebra_shape(
        benign_text, benign_bindings
    )
    # The parser reads back exactly the term we meant, nothing more, nothing less.
    read_back = bound_terms_in_algebra(hostile_text)
    assert read_back == {v: to_rdflib(t) for v, t in hostile_bindings.items()}
    assert read_back[param.variable] == to_rdflib(term)
    return "bound"


PARAMS = [(q, p) for q in CATALOGUE for p in q.parameters]


@pytest.mark.parametrize(("query", "param"), PARAMS, ids=[f"{q.name}:{p.name}" for q, p in PARAMS])
def test_hostile_values_leave_structure_unchanged(query: StoredQuery, param: Parameter) -> None:
    outcomes = {value: check_value(query, param, value) for value in HOSTILE}
    if param.kind == "iri":
        # No IRI with a space, quote, brace, angle bracket or backslash is ever accepted.
        for value, outcome in outcomes.items():
            if any(c in value for c in ' "{}<>\\\n|^`'):
                assert outcome == "refused", value
    if param.kind == "literal":
        assert outcomes['x" } UNION { ?s ?p ?o } #'] == "bound"
        assert (
            outcomes["\\"] == "refused"
        )  # a backslash could be read as a \u escape by some stores


@pytest.fixture(scope="module")
def session() -> Session:
    s = Session()
    s.load()
    return s


def test_hostile_text_runs_and_matches_nothing(session: Session) -> None:
    for value in HOSTILE:
        try:
            rows = session.query("clusters-by-name", text=value)
        except ParameterError as exc:
            assert exc.name == "text"
            continue
        for record in rows.to_records():
            assert value.lower() in record["matchedName"].lower()


def test_hostile_iri_never_widens_results(session: Session) -> None:
    everything = session.sparql(
        "PREFIX cg: <https://w3id.org/clustergraph/ontology#> SELECT ?c WHERE { ?c a cg:IndustrialCluster }"
    )
    assert len(everything) == 31
    for value in HOSTILE:
        try:
            rows = session.query("clusters-by-country", country=value)
        except ParameterError:
            continue
        assert len(rows) == 0, value


# --- property-based ---------------------------------------------------------------------------

FAST = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
TEXTS = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=60)
SPARQLISH = st.lists(
    st.sampled_from(
        [
            '"',
            "'",
            "{",
            "}",
            "<",
            ">",
            "#",
            "\n",
            "\\",
            "u0022",
            " UNION ",
            "?s",
            "SERVICE",
            ".",
            ";",
            "^^",
            "@en",
            "x",
        ]
    ),
    max_size=12,
).map("".join)


@pytest.mark.slow
@FAST
@given(value=st.one_of(TEXTS, SPARQLISH))
def test_property_text_parameter(value: str) -> None:
    query = CATALOGUE["clusters-by-name"]
    check_value(query, query.parameter("text"), value)


@pytest.mark.slow
@FAST
@given(value=st.one_of(TEXTS, SPARQLISH, st.builds(lambda s: f"{ID}country/{s}", TEXTS)))
def test_property_iri_parameter(value: str) -> None:
    query = CATALOGUE["clusters-by-country"]
    if check_value(query, query.parameter("country"), value) == "bound":
        term = query.parameter("country").to_term(value)
        assert not any(c in term.value for c in ' "{}<>\\|^`\n')


@pytest.mark.slow
@FAST
@given(value=st.one_of(TEXTS, SPARQLISH, st.dates().map(str)))
def test_property_date_parameter(value: str) -> None:
    query = CATALOGUE["members-as-of"]
    check_value(query, query.parameter("date"), value)


@pytest.mark.slow
@FAST
@given(
    value=st.one_of(TEXTS, SPARQLISH, st.decimals(allow_nan=False, allow_infinity=False).map(str))
)
def test_property_decimal_parameter(value: str) -> None:
    query = CATALOGUE["clusters-near"]
    check_value(query, query.parameter("radiusKm"), value)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=st.one_of(TEXTS, SPARQLISH))
def test_property_results_never_grow(session: Session, value: str) -> None:
    try:
        rows = session.query("clusters-by-name", text=value)
    except ParameterError as exc:
        assert exc.name == "text"
        return
    for record in rows.to_records():
        assert value.lower() in record["matchedName"].lower()
    try:
        by_country = session.query("clusters-by-country", country=value)
    except ParameterError:
        return
    assert len(by_country) <= 31
