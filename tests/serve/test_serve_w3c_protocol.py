"""The W3C SPARQL 1.1 Protocol tests that apply to a read-only endpoint, run against our server.

The manifest (tests/w3c/sparql11-protocol/, copied unchanged) describes each request and the
expected answer in RDF: a status class, a result format ("boolean", "tabular", "RDF") and, for
ASK, the boolean. Every test of the manifest is either run here or named in NOT_APPLICABLE.

A test with `ut:graphData` (the dataset tests) runs against a server of its own whose data is
those files, each in the named graph its label gives (an N-Quads file served with `--data`), as
the manifest asks; the others run against the shipped graph.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import pyoxigraph as ox
import pytest
from support.paths import W3C
from support.serve_support import RunningServer, served, start_server, stop_server  # noqa: F401

SUITE = W3C / "sparql11-protocol"
MANIFEST_NS = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"

#: Tests of the manifest that do not apply to a read-only endpoint over its own graph.
NOT_APPLICABLE = {
    **{name: "an update: this endpoint is read-only (every update is refused, tested in "
             "test_serve_safety.py)"
       for name in ("update_dataset_default_graph", "update_dataset_default_graphs",
                    "update_dataset_named_graphs", "update_dataset_full", "update_post_form",
                    "update_post_direct", "update_base_uri", "bad_multiple_updates",
                    "bad_update_wrong_media_type", "bad_update_missing_form_type",
                    "bad_update_non_utf8", "bad_update_syntax", "bad_update_dataset_conflict")},
}

FORMATS = {
    "boolean": {"application/sparql-results+json", "application/sparql-results+xml"},
    "tabular": {"application/sparql-results+json", "application/sparql-results+xml",
                "text/csv", "text/tab-separated-values"},
    "RDF": {"text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"},
}


@dataclass(frozen=True)
class ProtocolRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[str]
    result_format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    """A test's requests in order, and its dataset: (graph IRI, file) pairs (`ut:graphData`)."""

    requests: list[ProtocolRequest]
    graphs: tuple[tuple[str, str], ...] = ()


def _manifest() -> ox.Store:
    store = ox.Store()
    store.load(path=str(SUITE / "manifest.ttl"), format=ox.RdfFormat.TURTLE,
               base_iri=MANIFEST_NS.rstrip("#"))
    return store


def _list(store: ox.Store, head) -> list:
    rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
    items = []
    while head != ox.NamedNode(rdf + "nil"):
        items.append(next(store.quads_for_pattern(head, ox.NamedNode(rdf + "first"), None)).object)
        head = next(store.quads_for_pattern(head, ox.NamedNode(rdf + "rest"), None)).object
    return items


def _value(store: ox.Store, subject, predicate: str):
    found = [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]
    return found[0] if found else None


def load_tests() -> dict[str, ProtocolTest]:
    """Every test of the manifest by name."""
    mf = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
    ht = "http://www.w3.org/2011/http#"
    cnt = "http://www.w3.org/2011/content#"
    ut = "http://www.w3.org/2009/sparql/tests/test-update#"
    rdfs = "http://www.w3.org/2000/01/rdf-schema#"
    store = _manifest()
    manifest = next(store.quads_for_pattern(None, ox.NamedNode(mf + "entries"), None))
    tests = {}
    for entry in _list(store, manifest.object):
        action = _value(store, entry, mf + "action")
        requests = []
        for request in _list(store, _value(store, action, ht + "requests")):
            headers = {}
            header_list = _value(store, request, ht + "headers")
            for header in _list(store, header_list) if header_list else []:
                headers[_value(store, header, ht + "fieldName").value] = _value(
                    store, header, ht + "fieldValue").value
            body = None
            content = _value(store, request, ht + "body")
            if content is not None:
                encoding = _value(store, content, cnt + "characterEncoding")
                body = _value(store, content, cnt + "chars").value.encode(
                    encoding.value if encoding else "utf-8")
            response = _value(store, request, ht + "resp")
            statuses = frozenset(q.object.value.rsplit("#StatusCode", 1)[-1] for q in
                                 store.quads_for_pattern(response, ox.NamedNode(mf + "expectedStatus"), None))
            fmt = _value(store, response, mf + "expectedFormat")
            boolean = _value(store, response, mf + "expectedBoolean")
            requests.append(ProtocolRequest(
                method=_value(store, request, ht + "methodName").value,
                path=_value(store, request, ht + "absolutePath").value,
                headers=headers, body=body, statuses=statuses,
                result_format=fmt.value if fmt else None,
                boolean=None if boolean is None else boolean.value == "true",
            ))
        graphs = tuple(sorted(
            (_value(store, q.object, rdfs + "label").value,
             _value(store, q.object, ut + "graph").value.rsplit("/", 1)[-1])
            for q in store.quads_for_pattern(entry, ox.NamedNode(ut + "graphData"), None)))
        tests[entry.value[len(MANIFEST_NS):]] = ProtocolTest(requests, graphs)
    return tests


TESTS = load_tests()
APPLICABLE = sorted(set(TESTS) - set(NOT_APPLICABLE))
#: The applicable tests with a dataset of their own (all name data1.nt, data2.nt, data3.nt or
#: some of them, in the same graphs: one server holds them all).
DATASET_TESTS = [name for name in APPLICABLE if TESTS[name].graphs]
SHIPPED_TESTS = [name for name in APPLICABLE if not TESTS[name].graphs]


def test_every_test_of_the_manifest_is_run_or_named_as_not_applicable() -> None:
    assert len(TESTS) == 34
    assert set(NOT_APPLICABLE) <= set(TESTS)
    assert len(APPLICABLE) == 21
    assert len(DATASET_TESTS) == 6


@pytest.fixture(scope="module")
def dataset_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """`clustergraph serve --data` of one N-Quads file: every `ut:graphData` file of the manifest
    in the named graph of its label (the ontology is served beside it, in its own graph)."""
    folder = tmp_path_factory.mktemp("w3c-protocol")
    graphs = {pair for name in DATASET_TESTS for pair in TESTS[name].graphs}
    quads = [ox.Quad(t.subject, t.predicate, t.object, ox.NamedNode(graph))
             for graph, file in sorted(graphs)
             for t in ox.parse(path=str(SUITE / file), format=ox.RdfFormat.N_TRIPLES)]
    data = folder / "protocol-dataset.nq"
    data.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    server = start_server(folder, "--data", str(data), "--workers", "1", "--timeout", "10")
    try:
        yield server
    finally:
        stop_server(server)


@pytest.mark.slow
@pytest.mark.parametrize("name", SHIPPED_TESTS)
def test_w3c_protocol(served: RunningServer, name: str) -> None:
    run_test(served, name)


@pytest.mark.slow
@pytest.mark.parametrize("name", DATASET_TESTS)
def test_w3c_protocol_dataset(dataset_server: RunningServer, name: str) -> None:
    run_test(dataset_server, name)


def run_test(server: RunningServer, name: str) -> None:
    """Send the test's requests in order; each answer as the manifest expects."""
    for request in TESTS[name].requests:
        assert request.path.startswith("/sparql/")
        path = "/sparql" + request.path[len("/sparql"):].removeprefix("/")
        answer = server.request(request.method, path, headers=request.headers, body=request.body)
        assert f"{answer.status // 100}xx" in request.statuses, (answer.status, answer.body[:300])
        if request.result_format:
            assert answer.media_type in FORMATS[request.result_format]
        if request.boolean is not None:
            fmt = ox.QueryResultsFormat.from_media_type(answer.media_type)
            assert bool(ox.parse_query_results(answer.body, format=fmt)) is request.boolean
        if answer.status >= 400:
            assert json.loads(answer.body)["error"]
