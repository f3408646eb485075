"""`/sparql` speaks the SPARQL 1.1 Protocol: every method, every result format, every query form.

The matrix: GET, POST form and POST direct x SELECT, ASK, CONSTRUCT, DESCRIBE x each media type
(by Accept and by ?format=). Every answer is parsed with Oxigraph's (or pyld's) parser and
compared with the embedded store's answer to the same query.
"""

from __future__ import annotations

import json
import urllib.parse

import pyoxigraph as ox
import pytest
from support.serve_support import MAX_ROWS, RunningServer, served  # noqa: F401

pytestmark = pytest.mark.slow  # every test asks a running `clustergraph serve`

PREFIXES = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
QUERIES = {
    "SELECT": PREFIXES + "SELECT ?cluster ?label WHERE { ?cluster a cg:IndustrialCluster ; "
                         "skos:prefLabel ?label } ORDER BY ?cluster LIMIT 10",
    "ASK": PREFIXES + "ASK { ?c a cg:IndustrialCluster }",
    "CONSTRUCT": PREFIXES + "CONSTRUCT { ?c skos:prefLabel ?label } WHERE { ?c a cg:IndustrialCluster ; "
                            "skos:prefLabel ?label } ",
    "DESCRIBE": "DESCRIBE <https://w3id.org/clustergraph/id/cluster/jubail-industrial-city>",
}
RESULT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
}
FORMAT_NAMES = {"application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
                "text/csv": "csv", "text/tab-separated-values": "tsv", "text/turtle": "ttl",
                "application/n-triples": "nt", "application/ld+json": "jsonld"}
METHODS = ("GET", "POST form", "POST direct")


def _cases() -> list[tuple[str, str, str]]:
    cases = []
    for method in METHODS:
        for media in RESULT_TYPES:
            cases.append((method, "SELECT", media))
        for media in ("application/sparql-results+json", "application/sparql-results+xml"):
            cases.append((method, "ASK", media))
        for form in ("CONSTRUCT", "DESCRIBE"):
            for media in GRAPH_TYPES:
                cases.append((method, form, media))
    return cases


def ask(server: RunningServer, method: str, query: str, *, accept: str | None = None,
        params: dict[str, str] | None = None):
    headers = {"Accept": accept} if accept else {}
    extra = "&" + urllib.parse.urlencode(params) if params else ""
    if method == "GET":
        return server.request("GET", "/sparql?" + urllib.parse.urlencode({"query": query}) + extra,
                              headers=headers)
    if method == "POST form":
        return server.request("POST", "/sparql?" + extra.lstrip("&"),
                              body=urllib.parse.urlencode({"query": query}),
                              headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    return server.request("POST", "/sparql?" + extra.lstrip("&"), body=query,
                          headers={**headers, "Content-Type": "application/sparql-query"})


@pytest.fixture(scope="module")
def embedded():
    from clustergraph.query.session import Session

    return Session().store



def _rows(body: bytes, media: str) -> list[tuple[str, str]]:
    if media == "text/csv":  # CSV is lossy: values only (IRIs bare, literals without tags)
        import csv
        import io

        return [tuple(row) for row in csv.reader(io.StringIO(body.decode()))][1:]
    return [(str(s["cluster"]), str(s["label"]))
            for s in ox.parse_query_results(body, format=RESULT_TYPES[media])]


def _rows_expected(store, query: str, media: str) -> list[tuple[str, str]]:
    solutions = list(store.query(query))
    assert len(solutions) == 10
    if media == "text/csv":
        return [(s["cluster"].value, s["label"].value) for s in solutions]
    return [(str(s["cluster"]), str(s["label"])) for s in solutions]


def _expected_graph(store, query: str) -> set[str]:
    return {str(t) for t in store.query(query)}


def _graph_of(body: bytes, media: str) -> set[str]:
    if media == "application/ld+json":
        # Our JSON-LD names the shipped context by IRI: expand it with the local copy only.
        from pyld import jsonld

        from clustergraph.export import jsonld_document_loader

        nquads = jsonld.to_rdf(json.loads(body), {"format": "application/n-quads",
                                                  "documentLoader": jsonld_document_loader()})
        body, fmt = nquads.encode(), ox.RdfFormat.N_QUADS
    else:
        fmt = GRAPH_TYPES[media]
    return {str(q.triple) for q in ox.parse(body, format=fmt)}


@pytest.mark.parametrize(("method", "form", "media"), _cases(),
                         ids=[f"{m}-{f}-{t}" for m, f, t in _cases()])
@pytest.mark.parametrize("by", ["accept", "format"])
def test_every_method_form_and_format(served: RunningServer, embedded, method: str, form: str,
                                      media: str, by: str) -> None:
    query = QUERIES[form]
    if by == "accept":
        answer = ask(served, method, query, accept=media)
    else:
        answer = ask(served, method, query, accept="text/html", params={"format": FORMAT_NAMES[media]})
    assert answer.status == 200, answer.body[:500]
    assert answer.media_type == media
    if form == "SELECT":
        assert _rows(answer.body, media) == _rows_expected(embedded, query, media)
    elif form == "ASK":
        assert bool(ox.parse_query_results(answer.body, format=RESULT_TYPES[media])) is True
    else:
        expected = _expected_graph(embedded, query)
        assert expected and _graph_of(answer.body, media) == expected


@pytest.mark.parametrize(("accept", "form", "media"), [
    ("*/*", "SELECT", "application/sparql-results+json"),
    (None, "SELECT", "application/sparql-results+json"),
    ("*/*", "CONSTRUCT", "text/turtle"),
    ("text/*", "SELECT", "text/csv"),
    ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "SELECT", "application/sparql-results+xml"),
    ("application/json", "SELECT", "application/sparql-results+json"),
    ("text/html, application/xml;q=0.9, */*;q=0.8", "SELECT", "application/sparql-results+xml"),
    ("application/ld+json;q=1, text/turtle;q=0.2", "CONSTRUCT", "application/ld+json"),
    ("text/plain", "DESCRIBE", "application/n-triples"),
    ("text/tab-separated-values, */*;q=0", "SELECT", "text/tab-separated-values"),
])
def test_accept_header_q_values_and_wildcards(served: RunningServer, accept, form, media) -> None:
    answer = ask(served, "GET", QUERIES[form], accept=accept)
    assert (answer.status, answer.media_type) == (200, media)


@pytest.mark.parametrize(("form", "accept"), [
    ("SELECT", "image/png"),
    ("ASK", "text/turtle"),
    ("CONSTRUCT", "application/sparql-results+json"),
    ("SELECT", "text/turtle, */*;q=0"),
])
def test_a_type_we_cannot_give_is_406_naming_what_we_can(served: RunningServer, form, accept) -> None:
    answer = ask(served, "GET", QUERIES[form], accept=accept)
    assert answer.status == 406
    assert "available:" in answer.json()["error"]


def test_an_unknown_format_parameter_falls_back_to_accept(served: RunningServer) -> None:
    # Clients send format values meant for other servers (SPARQLWrapper sends three parameters):
    # a value naming no format of the answer is passed over (test_serve_formats has the matrix).
    answer = ask(served, "GET", QUERIES["SELECT"], accept="text/csv", params={"format": "yaml"})
    assert (answer.status, answer.media_type) == (200, "text/csv")


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize(("query", "position"), [
    ("ASK {", "1:6"),
    ("SELECT ?x WHERE { ?x ?y }", "1:26"),
    ("PREFIX cg: <https://w3id.org/clustergraph/ontology#>\nSELECT * WHERE {\n  ?x cg:unclosed \"text }", "3:"),
])
def test_a_malformed_query_is_400_with_the_parsers_message_and_position(
        served: RunningServer, method: str, query: str, position: str) -> None:
    answer = ask(served, method, query)
    assert answer.status == 400
    message = answer.json()["error"]
    assert message.startswith("the query does not parse: error at " + position), message


def test_not_a_query_at_all_is_400(served: RunningServer) -> None:
    answer = ask(served, "GET", "hello")
    assert answer.status == 400
    assert "not a SPARQL query" in answer.json()["error"]


@pytest.mark.parametrize(("method", "headers", "body", "status"), [
    ("PUT", {"Content-Type": "application/sparql-query"}, "ASK {}", 405),
    ("DELETE", {}, None, 405),
    ("POST", {"Content-Type": "text/plain"}, "ASK {}", 415),
    ("POST", {}, "query=ASK%20%7B%7D", 415),
    ("POST", {"Content-Type": "application/sparql-query; charset=UTF-16"},
     "ASK {}".encode("utf-16"), 415),
    ("POST", {"Content-Type": "application/sparql-query"}, b"ASK { \xff }", 400),
    ("POST", {"Content-Type": "application/x-www-form-urlencoded"}, "other=1", 400),
])
def test_requests_the_protocol_does_not_allow_are_4xx(served: RunningServer, method, headers, body,
                                                      status) -> None:
    answer = served.request(method, "/sparql", headers=headers, body=body)
    assert answer.status == status
    assert answer.json()["error"]


def test_two_query_parameters_are_400(served: RunningServer) -> None:
    answer = served.request("GET", "/sparql?query=ASK%20%7B%7D&query=ASK%20%7B%7D")
    assert answer.status == 400
    assert "given 2 times" in answer.json()["error"]


def test_relative_iris_resolve_against_the_datasets_base(served: RunningServer) -> None:
    """The dataset's base, as in the CLI and the API (issue #21), not the endpoint's address."""
    answer = ask(served, "POST direct", "CONSTRUCT { <s> <p> 1 } WHERE {}", accept="application/n-triples")
    assert answer.status == 200
    base = "https://w3id.org/clustergraph/id/"
    assert answer.text.startswith(f"<{base}s> <{base}p> ")


def test_a_browser_opening_sparql_without_a_query_is_sent_to_the_query_page(served: RunningServer) -> None:
    answer = served.request("GET", "/sparql", headers={"Accept": "text/html,*/*;q=0.8"})
    assert (answer.status, answer.headers["location"]) == (303, "/")
    # any other client gets the service description (test_serve_service_description)
    described = served.request("GET", "/sparql")
    assert (described.status, described.media_type) == (200, "text/turtle")


def test_answers_longer_than_max_rows_are_cut_and_say_so(served: RunningServer) -> None:
    rows = ask(served, "GET", "SELECT * { ?s ?p ?o }")
    assert rows.status == 200
    assert len(rows.json()["results"]["bindings"]) == MAX_ROWS
    assert rows.headers["x-result-truncated"].startswith(f"true; the answer was cut at {MAX_ROWS} rows")
    graph = ask(served, "GET", "CONSTRUCT WHERE { ?s ?p ?o }", accept="application/n-triples")
    assert len(graph.text.splitlines()) == MAX_ROWS and "x-result-truncated" in graph.headers
    small = ask(served, "GET", QUERIES["SELECT"])
    assert "x-result-truncated" not in small.headers and small.headers["x-result-rows"] == "10"


def test_an_answer_larger_than_a_pipe_buffer_arrives_whole(served: RunningServer) -> None:
    # Workers hand answers over a pipe (64 kB buffers): a 500 kB answer must arrive whole.
    padding = "x" * 5000
    query = (f'SELECT ?s (CONCAT(STR(?s), "{padding}") AS ?big) WHERE {{ ?s ?p ?o }} '
             f"ORDER BY ?s ?p ?o LIMIT {MAX_ROWS}")
    answer = ask(served, "POST direct", query)
    assert answer.status == 200 and len(answer.body) > 500_000
    rows = answer.json()["results"]["bindings"]
    assert len(rows) == MAX_ROWS and all(r["big"]["value"].endswith(padding) for r in rows)
