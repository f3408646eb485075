"""The W3C SPARQL 1.1 query-evaluation tests through the live server: ours equals raw pyoxigraph.

ONE `clustergraph serve --plain-default-graph` serves every test's dataset from one N-Quads file:
each `qt:graphData` file in the named graph of its URL, each `qt:data` file in a graph of its
own (`urn:x-w3c-default:` + its URL). A test's request names its dataset with the protocol's
`default-graph-uri` (its qt:data graphs, or `EMPTY`) and `named-graph-uri` (its qt:graphData),
which is the test's dataset exactly: the default graph is the merge of its data files, the named
graphs only its own (SPARQL 1.1 Protocol 2.1.4). A query with its own FROM / FROM NAMED is sent
without them (the protocol's lists would override it); its FROM names graphs at their URLs.

The server has one base IRI; the suite resolves a query's relative IRIs against the query file's
URL, so the harness puts ``BASE <query URL>`` before every query (a BASE of the query's own comes
later and wins, as SPARQL says).

Each test runs in one result format, rotating through the formats of its query form; a sample
runs in every format. All start a server: marked slow.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator

import pyoxigraph as ox
import pytest
from support.serve_support import RunningServer, start_server, stop_server
from support.w3c_sparql import (
    Answer,
    EvaluationTest,
    answer_of,
    evaluation_tests,
    parse_results,
    raw_store,
    same_answer,
    url_of,
)

EVALUATION = {t.name: t for t in evaluation_tests()}
DEFAULT_PREFIX = "urn:x-w3c-default:"
EMPTY = "urn:x-w3c-empty"
FORMATS = {
    "select": ("application/sparql-results+json", "application/sparql-results+xml", "text/csv",
               "text/tab-separated-values"),
    "ask": ("application/sparql-results+json", "application/sparql-results+xml"),
    "graph": ("text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json",
              "application/n-quads", "application/trig"),
}
#: Tests run in every format of their form.
SAMPLE = ("aggregates/agg01", "bind/bind01", "construct/constructwhere01", "exists/exists01",
          "functions/bnode01", "negation/subset-by-exclusion-nex-1", "property-path/pp01",
          "subquery/subquery01", "functions/strlang01", "aggregates/agg-groupconcat-04")

#: Tests where the server's answer differs from raw pyoxigraph's, and why (none).
SERVER_DIFFERS: dict[str, str] = {}


def _form(test: EvaluationTest) -> str:
    result = raw_store(test).query(test.text, base_iri=test.base_iri)
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    return "select" if isinstance(result, ox.QuerySolutions) else "graph"


def _cases() -> Iterator[object]:
    for index, (name, test) in enumerate(EVALUATION.items()):
        formats = FORMATS[_form(test)]
        chosen = formats if name in SAMPLE else (formats[index % len(formats)],)
        for media in chosen:
            marks = [pytest.mark.xfail(reason=SERVER_DIFFERS[name], strict=True)] \
                if name in SERVER_DIFFERS else []
            yield pytest.param(name, media, id=f"{name}-{media.rsplit('/', 1)[-1]}", marks=marks)


@pytest.fixture(scope="module")
def suite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One server holding every test's dataset in distinct graphs (see the module's docs)."""
    folder = tmp_path_factory.mktemp("w3c-query")
    quads: set[ox.Quad] = set()
    for test in EVALUATION.values():
        for path, graph in [(p, DEFAULT_PREFIX + url_of(p)) for p in test.data] + [
                (p, url_of(p)) for p in test.graph_data]:
            for triple in ox.parse(path=str(path), base_iri=url_of(path)):
                quads.add(ox.Quad(triple.subject, triple.predicate, triple.object,
                                  ox.NamedNode(graph)))
    data = folder / "w3c-datasets.nq"
    data.write_bytes(ox.serialize(sorted(quads, key=str), format=ox.RdfFormat.N_QUADS))
    server = start_server(folder, "--data", str(data), "--plain-default-graph", "--workers", "1",
                          "--timeout", "20")
    try:
        yield server
    finally:
        stop_server(server)


def _params(test: EvaluationTest) -> list[tuple[str, str]]:
    params = [("query", f"BASE <{test.base_iri}>\n{test.text}")]
    if re.search(r"\bFROM\b", test.text, re.IGNORECASE) and not test.data:
        return params  # the query's own FROM / FROM NAMED: every graph it names is held
    params += [("default-graph-uri", DEFAULT_PREFIX + url_of(p)) for p in test.data] or [
        ("default-graph-uri", EMPTY)]
    params += [("named-graph-uri", url_of(p)) for p in test.graph_data]
    return params


def _server_answer(server: RunningServer, test: EvaluationTest, media: str) -> Answer:
    target = "/sparql?" + urllib.parse.urlencode(_params(test))
    answer = server.request("GET", target, headers={"Accept": media}, timeout=30)
    assert answer.status == 200, answer.body[:500]
    assert answer.media_type == media
    return parse_results(answer.body, media, test.base_iri)


@pytest.mark.slow
@pytest.mark.parametrize(("name", "media"), list(_cases()))
def test_w3c_server_equals_raw(suite_server: RunningServer, name: str, media: str) -> None:
    """The server's answer, in `media`, is raw pyoxigraph's on the test's dataset."""
    test = EVALUATION[name]
    raw = answer_of(raw_store(test).query(test.text, base_iri=test.base_iri))
    assert same_answer(_server_answer(suite_server, test, media), raw, ordered=test.ordered)
