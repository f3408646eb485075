"""`/sparql` without a query: the SPARQL 1.1 Service Description for clients that prefer RDF
(Comunica, `Accept: */*`, none), the query page for a browser.

Each description is parsed (rdflib; pyld offline for JSON-LD; rapper for Turtle and RDF/XML) and
must name the address the client used, SPARQL 1.1 Query, every result format, the union default
graph, the dataset with every graph the store holds and their sizes, and the limits. Behind a
proxy the address is the public one only when the server is told to trust the proxy.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator

import pytest
import rdflib
from rdflib.namespace import RDF, RDFS, VOID
from support.rdf_readers import jsonld_graph, quads_as_graph, rapper_count
from support.serve_support import (  # noqa: F401
    MAX_ROWS,
    TIMEOUT,
    HttpAnswer,
    RunningServer,
    mounted,
    served,
    start_server,
    stop_server,
)

pytestmark = pytest.mark.slow  # every test asks a running `clustergraph serve`

SD = rdflib.Namespace("http://www.w3.org/ns/sparql-service-description#")
FORMATS = rdflib.Namespace("http://www.w3.org/ns/formats/")
RESULT_FORMATS = {FORMATS[n] for n in (
    "SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
    "Turtle", "N-Triples", "RDF_XML", "JSON-LD", "N-Quads", "TriG", "RDF_JSON")}
COMUNICA = ("application/n-quads,application/trig;q=0.95,application/ld+json;q=0.9,"
            "application/n-triples;q=0.8,text/turtle;q=0.6,application/rdf+xml;q=0.5,text/n3;q=0.35,"
            "application/xml;q=0.3,image/svg+xml;q=0.3,text/xml;q=0.3,text/html;q=0.2,"
            "application/xhtml+xml;q=0.18,application/json;q=0.135,text/shaclc;q=0.1,"
            "text/shaclc-ext;q=0.05")  # what Comunica 4 sends (captured from comunica-sparql-file)
CHROME = ("text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,"
          "*/*;q=0.8,application/signed-exchange;v=b3;q=0.7")
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PARSERS = {"text/turtle": "turtle", "application/n-triples": "nt", "application/rdf+xml": "xml",
           "application/n-quads": "nquads", "application/trig": "trig"}


def description_graph(answer: HttpAnswer) -> rdflib.Graph:
    """The description, read by the parser clients use for its media type."""
    if answer.media_type == "application/ld+json":
        return jsonld_graph(answer.body)
    fmt = PARSERS[answer.media_type]
    if fmt in ("nquads", "trig"):
        return quads_as_graph(answer.body, fmt)
    return rdflib.Graph().parse(data=answer.body, format=fmt)


@pytest.mark.parametrize(("accept", "media"), [
    (None, "text/turtle"),
    ("*/*", "text/turtle"),
    (COMUNICA, "application/n-quads"),
    ("text/turtle", "text/turtle"),
    ("application/rdf+xml", "application/rdf+xml"),
    ("application/ld+json", "application/ld+json"),
    ("application/n-triples", "application/n-triples"),
    ("application/trig", "application/trig"),
    ("application/json", "application/ld+json"),
    ("text/html;q=0.5, text/turtle", "text/turtle"),
    ("text/html, text/turtle", "text/turtle"),  # a tie is no preference for HTML
    ("text/html;q=0.9, */*", "text/turtle"),
])
@pytest.mark.parametrize("path", ["/sparql", "/sparql/"])
def test_a_client_preferring_rdf_gets_the_description(served: RunningServer, accept: str | None,
                                                      media: str, path: str) -> None:
    answer = served.request("GET", path, headers={"Accept": accept} if accept else {})
    assert (answer.status, answer.media_type) == (200, media), answer.body[:300]
    assert "Accept" in answer.headers["vary"]
    graph = description_graph(answer)
    endpoint = rdflib.URIRef(served.url + "/sparql")  # /sparql/ is the same endpoint
    assert (endpoint, RDF.type, SD.Service) in graph
    assert (endpoint, SD.endpoint, endpoint) in graph
    if media in ("text/turtle", "application/rdf+xml"):
        assert rapper_count("turtle" if media == "text/turtle" else "rdfxml", answer.body) == len(graph)


@pytest.mark.parametrize("accept", [CHROME, FIREFOX, "text/html", "text/html, text/turtle;q=0.9",
                                    "application/xhtml+xml"])
@pytest.mark.parametrize("path", ["/sparql", "/sparql/"])
def test_a_browser_is_sent_to_the_query_page(served: RunningServer, accept: str, path: str) -> None:
    answer = served.request("GET", path, headers={"Accept": accept})
    assert (answer.status, answer.headers["location"]) == (303, "/")


@pytest.mark.parametrize(("accept", "status"), [
    ("application/sparql-results+json", 400),  # a query answer, without a query
    ("text/csv, text/turtle;q=0.5", 400),
    ("image/png", 406),
])
def test_a_client_preferring_results_or_nothing_we_have_is_told_why(served: RunningServer,
                                                                   accept: str, status: int) -> None:
    answer = served.request("GET", "/sparql", headers={"Accept": accept})
    assert answer.status == status
    assert ("query" if status == 400 else "available") in answer.json()["error"]


def _one(graph: rdflib.Graph, subject: rdflib.term.Node, predicate: rdflib.URIRef) -> rdflib.term.Node:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    return values[0]


def _rows(server: RunningServer, query: str) -> list[dict[str, str]]:
    answer = server.get("/sparql", {"query": query}, headers={"Accept": "application/sparql-results+json"})
    assert answer.status == 200
    return [{k: v["value"] for k, v in row.items()} for row in answer.json()["results"]["bindings"]]


def test_the_description_names_the_language_formats_dataset_and_limits(served: RunningServer) -> None:
    graph = description_graph(served.request("GET", "/sparql", headers={"Accept": "text/turtle"}))
    service = rdflib.URIRef(served.url + "/sparql")
    assert set(graph.objects(service, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(graph.objects(service, SD.resultFormat)) == RESULT_FORMATS
    assert set(graph.objects(service, SD.feature)) == {SD.UnionDefaultGraph}
    assert _one(graph, service, RDFS.seeAlso) == rdflib.URIRef(served.url + "/void")
    comment = str(_one(graph, service, RDFS.comment))
    assert f"at most {TIMEOUT:g} s" in comment and f"at most {MAX_ROWS} rows" in comment
    dataset = _one(graph, service, SD.defaultDataset)
    assert (dataset, RDF.type, SD.Dataset) in graph
    # the default graph: as many triples as the store's default graph (the union)
    default = _one(graph, dataset, SD.defaultGraph)
    counted = _rows(served, "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { ?s ?p ?o } }")
    assert int(_one(graph, default, VOID.triples)) == int(counted[0]["n"]) > 1000
    # every named graph the store holds, with its size
    held = {row["g"]: int(row["n"]) for row in _rows(
        served, "SELECT ?g (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")}
    described = {}
    for entry in graph.objects(dataset, SD.namedGraph):
        assert (entry, RDF.type, SD.NamedGraph) in graph
        described[str(_one(graph, entry, SD.name))] = int(_one(graph, _one(graph, entry, SD.graph), VOID.triples))
    assert described == held


def test_head_gives_the_headers_without_the_body(served: RunningServer) -> None:
    got = served.request("GET", "/sparql", headers={"Accept": "application/ld+json"})
    head = served.request("HEAD", "/sparql", headers={"Accept": "application/ld+json"})
    assert (head.status, head.body, head.media_type) == (200, b"", "application/ld+json")
    assert head.headers["content-length"] == str(len(got.body))


def test_forwarded_headers_are_ignored_unless_trusted(served: RunningServer) -> None:
    # uvicorn would trust X-Forwarded-Proto/-For from the loopback by default: the server must not
    logged_before = len(served.log_lines_with('"GET /sparql"', count=0))
    answer = served.request("GET", "/sparql", headers={
        "Accept": "text/turtle", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "evil.example",
        "X-Forwarded-Prefix": "/kg", "X-Forwarded-For": "203.0.113.9"})
    graph = description_graph(answer)
    assert set(graph.subjects(RDF.type, SD.Service)) == {rdflib.URIRef(served.url + "/sparql")}
    assert len(served.log_lines_with('"GET /sparql"', count=logged_before + 1)) > logged_before
    assert "203.0.113.9" not in served.log_text()


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`clustergraph serve --trust-proxy`, as run behind a reverse proxy."""
    server = start_server(tmp_path_factory.mktemp("proxied"), "--trust-proxy", "--workers", "1",
                          "--timeout", str(TIMEOUT))
    try:
        yield server
    finally:
        stop_server(server)


@pytest.mark.parametrize(("headers", "endpoint"), [
    ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example.org"},
     "https://kg.example.org/sparql"),
    ({"X-Forwarded-Proto": "https", "X-Forwarded-Host": "kg.example.org", "X-Forwarded-Prefix": "/graph/"},
     "https://kg.example.org/graph/sparql"),
    ({"X-Forwarded-Proto": "http", "X-Forwarded-Host": "kg.example.org", "X-Forwarded-Port": "8080"},
     "http://kg.example.org:8080/sparql"),
    ({"X-Forwarded-Proto": "https, http", "X-Forwarded-Host": "a.example, b.example"},
     "https://a.example/sparql"),  # a chain of proxies: the first, the client's
    ({"X-Forwarded-Host": "bad host>", "X-Forwarded-Proto": "gopher"}, None),  # ill-formed: ignored
])
def test_a_trusted_proxy_gives_the_public_address(proxied: RunningServer, headers: dict[str, str],
                                                  endpoint: str | None) -> None:
    answer = proxied.request("GET", "/sparql", headers={"Accept": "text/turtle", **headers})
    assert answer.status == 200
    graph = description_graph(answer)
    expected = rdflib.URIRef(endpoint or proxied.url + "/sparql")
    assert (expected, SD.endpoint, expected) in graph
    assert _one(graph, expected, RDFS.seeAlso) == rdflib.URIRef(str(expected)[:-len("sparql")] + "void")


def test_a_trusted_proxy_prefix_also_makes_the_browser_redirect_and_the_client_address(
        proxied: RunningServer) -> None:
    answer = proxied.request("GET", "/sparql", headers={
        "Accept": FIREFOX, "X-Forwarded-Prefix": "/graph", "X-Forwarded-For": "198.51.100.7, 203.0.113.9"})
    assert (answer.status, answer.headers["location"]) == (303, "/graph/")
    assert proxied.log_lines_with('203.0.113.9 "GET /graph/sparql')  # the address the proxy added


def test_a_mounted_app_names_its_mount_point(mounted) -> None:
    import urllib.request

    request = urllib.request.Request(mounted.url + "/sparql", headers={"Accept": "text/turtle"})
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    graph = rdflib.Graph().parse(data=body, format="turtle")
    endpoint = rdflib.URIRef(mounted.url + "/sparql")
    assert (endpoint, SD.endpoint, endpoint) in graph


def test_the_description_is_a_source_for_a_query_through_rdflib(served: RunningServer) -> None:
    # What a federating client does with it: read sd:endpoint, then send the query there.
    graph = description_graph(served.request("GET", "/sparql", headers={"Accept": COMUNICA}))
    endpoint = str(next(graph.objects(None, SD.endpoint)))
    answer = served.request("GET", urllib.parse.urlsplit(endpoint).path + "?" + urllib.parse.urlencode(
        {"query": "ASK { ?s ?p ?o }"}), headers={"Accept": "application/sparql-results+json"})
    assert answer.json()["boolean"] is True
