"""The Python clients people point at a SPARQL endpoint, against a live `clustergraph serve`,
and what browser clients need (CORS for reading, HEAD, OPTIONS).

SPARQLWrapper: GET, POST (form) and POST (query body) x SELECT, ASK, CONSTRUCT, DESCRIBE x each
return format it offers for the form (it sends `format`, `output` and `results`, some twice,
and the Accept header of the format). rdflib's `SPARQLStore`: SELECT, ASK, CONSTRUCT, DESCRIBE
and `triples()` by each of its methods (it asks RDF/XML for graphs).
"""

from __future__ import annotations

import urllib.parse
import warnings
import xml.dom.minidom

import pytest
import rdflib
from rdflib.compare import isomorphic
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import (
    CSV,
    JSON,
    JSONLD,
    N3,
    POST,
    POSTDIRECTLY,
    RDF,
    RDFXML,
    TSV,
    TURTLE,
    URLENCODED,
    XML,
    SPARQLWrapper,
)
from support.serve_support import RunningServer, served  # noqa: F401

pytestmark = pytest.mark.slow  # every test asks a running `clustergraph serve`

PREFIXES = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
JUBAIL = "https://w3id.org/clustergraph/id/cluster/jubail-industrial-city"
QUERIES = {
    "SELECT": PREFIXES + "SELECT ?c ?label WHERE { ?c a cg:IndustrialCluster ; skos:prefLabel ?label } "
                         "ORDER BY ?c LIMIT 5",
    "ASK": PREFIXES + "ASK { ?c a cg:IndustrialCluster }",
    "CONSTRUCT": PREFIXES + "CONSTRUCT { ?c skos:prefLabel ?label } WHERE { ?c a cg:IndustrialCluster ; "
                            "skos:prefLabel ?label } ORDER BY ?c LIMIT 5",
    "DESCRIBE": f"DESCRIBE <{JUBAIL}>",
}
#: The return formats SPARQLWrapper offers for each form.
WRAPPER_FORMATS = {
    "SELECT": [JSON, XML, CSV, TSV],
    "ASK": [JSON, XML, CSV, TSV],
    "CONSTRUCT": [XML, RDF, RDFXML, TURTLE, N3, JSONLD, JSON, CSV, TSV],
    "DESCRIBE": [XML, RDF, RDFXML, TURTLE, N3, JSONLD, JSON, CSV, TSV],
}
WRAPPER_METHODS = {"GET": None, "POST form": URLENCODED, "POST direct": POSTDIRECTLY}


def _wrapper_cases() -> list[tuple[str, str, str]]:
    return [(method, form, fmt) for method in WRAPPER_METHODS for form, formats in WRAPPER_FORMATS.items()
            for fmt in formats]


def _expected_triples(server: RunningServer, query: str) -> rdflib.Graph:
    answer = server.get("/sparql", {"query": query}, headers={"Accept": "application/n-triples"})
    assert answer.status == 200
    return rdflib.Graph().parse(data=answer.body, format="nt")


@pytest.mark.parametrize(("method", "form", "fmt"), _wrapper_cases(),
                         ids=[f"{m}-{f}-{t}" for m, f, t in _wrapper_cases()])
def test_sparqlwrapper(served: RunningServer, method: str, form: str, fmt: str) -> None:
    wrapper = SPARQLWrapper(served.url + "/sparql")
    wrapper.setTimeout(60)
    wrapper.setQuery(QUERIES[form])
    wrapper.setReturnFormat(fmt)
    if WRAPPER_METHODS[method] is not None:
        wrapper.setMethod(POST)
        wrapper.setRequestMethod(WRAPPER_METHODS[method])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = wrapper.query()
        converted = result.convert()
    # SPARQLWrapper warns when the answer is not in the format it asked for, or unknown to it
    # (for RDF, JSON, CSV and TSV graphs it sends Accept: */* and says so: no fault of ours)
    complaints = [str(w.message) for w in caught
                  if "has been returned" in str(w.message) or "unknown response" in str(w.message)]
    assert not complaints
    content_type = result.info()["content-type"]
    if form == "SELECT":
        if fmt == JSON:
            assert len(converted["results"]["bindings"]) == 5
        elif fmt == XML:
            assert isinstance(converted, xml.dom.minidom.Document)
            assert len(converted.getElementsByTagName("result")) == 5
        else:  # CSV, TSV: the text, a header and 5 rows
            assert len(converted.decode().strip().splitlines()) == 6
    elif form == "ASK":
        if fmt == JSON:
            assert converted["boolean"] is True
        elif fmt == XML:
            assert converted.getElementsByTagName("boolean")[0].firstChild.data == "true"
        else:
            assert converted.decode().strip() == "true"
    else:
        expected = _expected_triples(served, QUERIES[form])
        if fmt in (XML, RDF, RDFXML, JSONLD, JSON):  # SPARQLWrapper parses these into a graph
            assert content_type.startswith({JSONLD: "application/ld+json", JSON: "application/ld+json"}
                                           .get(fmt, "application/rdf+xml"))
            assert isinstance(converted, rdflib.Graph)
            assert isomorphic(converted, expected)
        elif fmt in (TURTLE, N3):  # the text: Turtle
            assert content_type.startswith("text/turtle")
            assert isomorphic(rdflib.Graph().parse(data=converted, format="turtle"),
                                             expected)
        else:  # CSV, TSV: a table of subject, predicate, object
            lines = converted.decode().strip().splitlines()
            assert len(lines) == len(expected) + 1 and "subject" in lines[0]


STORE_METHODS = ("GET", "POST", "POST_FORM")


@pytest.fixture(scope="module", params=STORE_METHODS)
def store_graph(request: pytest.FixtureRequest, served: RunningServer) -> rdflib.Graph:
    """An rdflib graph over the endpoint (rdflib's SPARQLStore, read-only)."""
    return rdflib.Graph(SPARQLStore(served.url + "/sparql", method=request.param))


def test_sparqlstore_select(store_graph: rdflib.Graph) -> None:
    rows = list(store_graph.query(QUERIES["SELECT"]))
    assert len(rows) == 5 and all(isinstance(r[0], rdflib.URIRef) for r in rows)


def test_sparqlstore_ask(store_graph: rdflib.Graph) -> None:
    assert store_graph.query(QUERIES["ASK"]).askAnswer is True


@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_sparqlstore_graphs(store_graph: rdflib.Graph, served: RunningServer, form: str) -> None:
    result = store_graph.query(QUERIES[form])
    got = rdflib.Graph()
    for triple in result:
        got.add(triple)
    assert isomorphic(got, _expected_triples(served, QUERIES[form]))


def test_sparqlstore_triples(store_graph: rdflib.Graph) -> None:
    label = rdflib.URIRef("http://www.w3.org/2004/02/skos/core#prefLabel")
    found = list(store_graph.triples((rdflib.URIRef(JUBAIL), label, None)))
    assert found and all(isinstance(o, rdflib.Literal) for _, _, o in found)


# ---------------------------------------------------------------------------------------------
# Browser clients: CORS for reading, HEAD, OPTIONS
# ---------------------------------------------------------------------------------------------

ORIGIN = {"Origin": "https://app.example.org"}
ASK_TEXT = "ASK { ?s ?p ?o }"


@pytest.mark.parametrize(("method", "target", "headers", "body"), [
    ("GET", "/sparql?" + urllib.parse.urlencode({"query": ASK_TEXT}), {}, None),
    ("HEAD", "/sparql?" + urllib.parse.urlencode({"query": ASK_TEXT}), {}, None),
    ("GET", "/sparql", {"Accept": "text/turtle"}, None),  # the service description
    ("POST", "/sparql", {"Content-Type": "application/sparql-query"}, ASK_TEXT),
    ("POST", "/sparql/", {"Content-Type": "application/x-www-form-urlencoded"},
     urllib.parse.urlencode({"query": ASK_TEXT})),
    ("POST", "/sparql", {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"},
     urllib.parse.urlencode({"query": ASK_TEXT})),
    ("GET", "/id/cluster/jubail-industrial-city", {"Accept": "application/ld+json"}, None),
    ("GET", "/api/queries", {}, None),
])
def test_cors_lets_any_origin_read(served: RunningServer, method: str, target: str, headers, body) -> None:
    answer = served.request(method, target, headers={**ORIGIN, **headers}, body=body)
    assert answer.status == 200, answer.body[:300]
    assert answer.headers["access-control-allow-origin"] == "*"
    assert "X-Result-Rows" in answer.headers["access-control-expose-headers"]


@pytest.mark.parametrize(("target", "headers", "body"), [
    ("/sparql", {"Content-Type": "application/sparql-update"}, "INSERT DATA { <a:b> <a:c> <a:d> }"),
    ("/sparql", {"Content-Type": "application/x-www-form-urlencoded"},
     urllib.parse.urlencode({"update": "CLEAR ALL"})),  # refused by the server, and unreadable
    ("/api/queries", {"Content-Type": "application/x-www-form-urlencoded"}, "x=1"),
])
def test_cors_never_covers_what_could_write(served: RunningServer, target: str, headers, body) -> None:
    answer = served.request("POST", target, headers={**ORIGIN, **headers}, body=body)
    assert answer.status in (400, 405)
    if headers["Content-Type"] == "application/sparql-update" or target != "/sparql":
        assert "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize(("target", "method", "granted"), [
    ("/sparql", "GET", True), ("/sparql", "POST", True), ("/sparql/", "POST", True),
    ("/id/cluster/jubail-industrial-city", "GET", True), ("/api/queries/clusters-near", "GET", True),
    ("/sparql", "PUT", False), ("/sparql", "DELETE", False), ("/sparql", "PATCH", False),
    ("/api/queries", "POST", False), ("/void", "POST", False),
])
def test_preflight(served: RunningServer, target: str, method: str, granted: bool) -> None:
    answer = served.request("OPTIONS", target, headers={
        **ORIGIN, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": "content-type, accept"})
    if granted:
        assert answer.status == 204
        assert answer.headers["access-control-allow-origin"] == "*"
        assert method in answer.headers["access-control-allow-methods"].split(", ")
        assert {"accept", "content-type"} <= {
            h.strip().lower() for h in answer.headers["access-control-allow-headers"].split(",")}
    else:
        assert answer.status == 403
        assert "access-control-allow-origin" not in answer.headers
        assert "access-control-allow-methods" not in answer.headers


@pytest.mark.parametrize(("target", "allow"), [
    ("/sparql", "GET, HEAD, POST, OPTIONS"), ("/sparql/", "GET, HEAD, POST, OPTIONS"),
    ("/api/queries", "GET, HEAD, OPTIONS"), ("/id/cluster/jubail-industrial-city", "GET, HEAD, OPTIONS"),
])
def test_options_names_the_methods(served: RunningServer, target: str, allow: str) -> None:
    answer = served.request("OPTIONS", target)
    assert (answer.status, answer.headers["allow"]) == (204, allow)


@pytest.mark.parametrize("target", [
    "/sparql?" + urllib.parse.urlencode({"query": QUERIES["CONSTRUCT"]}),
    "/sparql/?" + urllib.parse.urlencode({"query": QUERIES["SELECT"], "format": "csv"}),
    "/sparql",
    "/id/cluster/jubail-industrial-city",
    "/api/queries",
    "/void",
    "/health",
    "/",
])
def test_head_answers_every_get_route_without_a_body(served: RunningServer, target: str) -> None:
    got = served.request("GET", target, headers={"Accept": "text/turtle, */*;q=0.5"})
    head = served.request("HEAD", target, headers={"Accept": "text/turtle, */*;q=0.5"})
    assert got.status == head.status == 200
    assert head.body == b""
    assert head.headers["content-type"] == got.headers["content-type"]
    if target != "/health":  # its counters move between the two requests
        assert head.headers["content-length"] == str(len(got.body))


def test_sparql_with_a_slash_answers_like_sparql(served: RunningServer) -> None:
    params = urllib.parse.urlencode({"query": QUERIES["SELECT"]})
    plain = served.request("GET", "/sparql?" + params)
    slash = served.request("GET", "/sparql/?" + params)
    assert (slash.status, slash.body) == (plain.status, plain.body) == (200, plain.body)
    posted = served.request("POST", "/sparql/", body=QUERIES["ASK"],
                            headers={"Content-Type": "application/sparql-query"})
    assert posted.status == 200 and posted.json()["boolean"] is True
