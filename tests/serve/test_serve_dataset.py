"""The dataset of a live `clustergraph serve` (issue #21): the served files in their graphs, the
default graph their union (or plain with --plain-default-graph), the protocol's default-graph-uri
and named-graph-uri and the query's FROM / FROM NAMED as SPARQL 1.1 Protocol 2.1.4 says, nothing
fetched for a graph not held, and relative IRIs resolved against the dataset's base.

Served: `a.ttl` (triples: the data graph), `g.trig` (a default-graph triple and two named graphs,
one repeating `a.ttl`'s triple) and `q.nq` (one quad), with the ontology in its own graph.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.listener import Listener, listener  # noqa: F401
from support.serve_support import RunningServer, start_server, stop_server

from clustergraph.query.dataset import DATA_GRAPH, ONTOLOGY_GRAPH
from clustergraph.vocab import ID_NS

pytestmark = pytest.mark.slow

TRIG = """<urn:d> <urn:p> "d" .
<urn:g1> { <urn:s1> <urn:p> "g1" . }
<urn:g2> { <urn:s2> <urn:p> "g2" . <urn:a> <urn:p> "a" . }
"""
VALUES = "SELECT ?o WHERE { ?s <urn:p> ?o }"
GRAPHS = "SELECT ?g ?o WHERE { GRAPH ?g { ?s <urn:p> ?o } }"
ALL = {("a",), ("d",), ("g1",), ("g2",), ("g3",)}
ALL_GRAPHS = {(DATA_GRAPH, "a"), ("urn:g1", "g1"), ("urn:g2", "g2"), ("urn:g2", "a"),
              ("urn:g3", "g3")}
G2 = {("urn:g2", "g2"), ("urn:g2", "a")}


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("served-dataset")
    (folder / "a.ttl").write_text('<urn:a> <urn:p> "a" .\n', encoding="utf-8")
    (folder / "g.trig").write_text(TRIG, encoding="utf-8")
    (folder / "q.nq").write_text('<urn:s3> <urn:p> "g3" <urn:g3> .\n', encoding="utf-8")
    return [folder / "a.ttl", folder / "g.trig", folder / "q.nq"]


def _serve(data: list[Path], *options: str) -> Iterator[RunningServer]:
    args = [arg for f in data for arg in ("--data", str(f))]
    server = start_server(data[0].parent, *args, "--workers", "1", *options)
    try:
        yield server
    finally:
        stop_server(server)


@pytest.fixture(scope="module")
def union_server(data: list[Path]) -> Iterator[RunningServer]:
    yield from _serve(data)


@pytest.fixture(scope="module")
def plain_server(data: list[Path]) -> Iterator[RunningServer]:
    yield from _serve(data, "--plain-default-graph")


def ask(server: RunningServer, text: str, dataset: list[tuple[str, str]] = (),
        method: str = "GET") -> set[tuple[str, ...]]:
    """The rows of a SELECT sent with the protocol's dataset parameters, as a set of values."""
    pairs = [("query", text), *dataset]
    headers = {"Accept": "application/sparql-results+json"}
    if method == "GET":
        answer = server.request("GET", "/sparql?" + urllib.parse.urlencode(pairs), headers=headers)
    else:
        answer = server.request("POST", "/sparql", body=urllib.parse.urlencode(pairs),
                                headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    assert answer.status == 200, answer.body[:300]
    result = answer.json()
    if "boolean" in result:
        return {(str(result["boolean"]).lower(),)}
    names = result["head"]["vars"]
    found = [tuple(b[n]["value"] for n in names if n in b) for b in result["results"]["bindings"]]
    assert len(found) == len(set(found)), f"a row twice: {found}"
    return set(found)


def dg(*iris: str) -> list[tuple[str, str]]:
    return [("default-graph-uri", iri) for iri in iris]


def ng(*iris: str) -> list[tuple[str, str]]:
    return [("named-graph-uri", iri) for iri in iris]


#: (query, protocol parameters, rows with the union default graph, rows with the plain one)
CASES = [
    pytest.param(VALUES, [], ALL, {("d",)}, id="default-graph"),
    pytest.param(GRAPHS, [], ALL_GRAPHS, ALL_GRAPHS, id="graph-var"),
    pytest.param(VALUES, dg("urn:g1", "urn:g2"), {("g1",), ("g2",), ("a",)},
                 {("g1",), ("g2",), ("a",)}, id="default-graph-uri"),
    pytest.param(GRAPHS, dg("urn:g1"), set(), set(), id="default-graph-uri-alone-no-named-graphs"),
    pytest.param(GRAPHS, ng("urn:g2"), G2, G2, id="named-graph-uri"),
    pytest.param(VALUES, ng("urn:g2"), set(), set(), id="named-graph-uri-alone-empty-default"),
    pytest.param(GRAPHS, dg("urn:g3") + ng("urn:g1", "urn:g2"),
                 {("urn:g1", "g1"), *G2}, {("urn:g1", "g1"), *G2}, id="both"),
    pytest.param(VALUES, dg("urn:g3") + ng("urn:g1"), {("g3",)}, {("g3",)}, id="both-default"),
    pytest.param(VALUES, dg("urn:nowhere"), set(), set(), id="default-graph-uri-not-held"),
    pytest.param("SELECT ?o FROM <urn:g1> WHERE { ?s <urn:p> ?o }", [], {("g1",)}, {("g1",)},
                 id="from"),
    pytest.param(f"SELECT ?o FROM <{DATA_GRAPH}> FROM <urn:g3> WHERE {{ ?s <urn:p> ?o }}", [],
                 {("a",), ("g3",)}, {("a",), ("g3",)}, id="from-two"),
    pytest.param("SELECT ?g ?o FROM NAMED <urn:g2> WHERE { GRAPH ?g { ?s <urn:p> ?o } }", [],
                 G2, G2, id="from-named"),
    pytest.param("SELECT ?o FROM <urn:g1> WHERE { ?s <urn:p> ?o }", dg("urn:g3"), {("g3",)},
                 {("g3",)}, id="protocol-overrides-from"),
    pytest.param("SELECT ?o FROM <urn:nowhere> WHERE { ?s <urn:p> ?o }", [], set(), set(),
                 id="from-not-held"),
    pytest.param("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", [],
                 {(DATA_GRAPH,), (ONTOLOGY_GRAPH,), ("urn:g1",), ("urn:g2",), ("urn:g3",)},
                 {(DATA_GRAPH,), (ONTOLOGY_GRAPH,), ("urn:g1",), ("urn:g2",), ("urn:g3",)},
                 id="the-graphs-held"),
]


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(("text", "dataset", "union", "plain"), CASES)
def test_the_dataset(union_server: RunningServer, plain_server: RunningServer, method: str,
                     text: str, dataset: list[tuple[str, str]], union: set, plain: set) -> None:
    assert ask(union_server, text, dataset, method) == union
    assert ask(plain_server, text, dataset, method) == plain


def test_relative_iris_resolve_against_the_datasets_base(union_server: RunningServer) -> None:
    rows = ask(union_server, "SELECT ?x WHERE { BIND(<country/IN> AS ?x) }")
    assert rows == {(f"{ID_NS}country/IN",)}
    rows = ask(union_server, "BASE <http://example.org/q/> SELECT ?x WHERE { BIND(<y> AS ?x) }")
    assert rows == {("http://example.org/q/y",)}


def test_sparqlwrapper_sends_the_dataset(union_server: RunningServer) -> None:
    """A real client's addDefaultGraph / addNamedGraph."""
    from SPARQLWrapper import JSON, SPARQLWrapper

    client = SPARQLWrapper(f"{union_server.url}/sparql")
    client.setReturnFormat(JSON)
    client.setQuery(GRAPHS)
    client.addDefaultGraph("urn:g3")
    client.addNamedGraph("urn:g1")
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert {(b["g"]["value"], b["o"]["value"]) for b in bindings} == {("urn:g1", "g1")}


def test_a_graph_named_by_a_url_fetches_nothing(union_server: RunningServer,
                                                listener: Listener) -> None:
    url = f"http://127.0.0.1:{listener.port}/graph.ttl"
    assert ask(union_server, f"SELECT ?o FROM <{url}> WHERE {{ ?s ?p ?o }}") == set()
    assert ask(union_server, f"SELECT ?g FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == set()
    assert ask(union_server, VALUES, dg(url)) == set()
    assert ask(union_server, GRAPHS, ng(url)) == set()
    assert ask(union_server, f"ASK FROM <{url}> {{ ?s ?p ?o }}", dg(url) + ng(url)) == {("false",)}
    assert listener.connections == []
