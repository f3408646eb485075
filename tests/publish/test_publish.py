"""`clustergraph publish` against a real Oxigraph server: atomic replacement, retries, cuts."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from clustergraph.errors import EndpointError
from clustergraph.export import build_export_graph
from clustergraph.publish import GraphStore, publish, staging_graph

GRAPH = "https://w3id.org/clustergraph/graph/test"

OLD = """<https://w3id.org/clustergraph/id/cluster/old> <http://www.w3.org/2004/02/skos/core#prefLabel> "Old"@en .
<https://w3id.org/clustergraph/id/cluster/old> <http://www.w3.org/2004/02/skos/core#note> _:n .
_:n <http://www.w3.org/2004/02/skos/core#prefLabel> "a blank node"@en .
"""


def _data(path: Path, n: int, prefix: str = "c") -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            s = f"<https://w3id.org/clustergraph/id/cluster/{prefix}{i}>"
            fh.write(f'{s} <http://www.w3.org/2004/02/skos/core#prefLabel> "Cluster {prefix}{i}"@en .\n')
            fh.write(f"{s} <https://w3id.org/clustergraph/ontology#country> "
                     f"<https://w3id.org/clustergraph/id/country/C{i % 50}> .\n")
    return path


def _graph_of(ntriples: str) -> Graph:
    g = Graph()
    g.parse(data=ntriples, format="nt")
    return g


@pytest.fixture
def old_file(tmp_path: Path) -> Path:
    path = tmp_path / "old.nt"
    path.write_text(OLD, encoding="utf-8")
    return path


@pytest.mark.slow
def test_publish_loads_the_graph_and_replaces_the_old_one(oxigraph_server, old_file: Path,
                                                          tmp_path: Path) -> None:
    first = publish(oxigraph_server.url, graph=GRAPH, include="data", data=[old_file])
    assert first.triples == 3
    assert isomorphic(_graph_of(oxigraph_server.ntriples(GRAPH)), _graph_of(OLD))
    new = build_export_graph(("ontology", "data"), data=[_data(tmp_path / "new.nt", 500)])
    second = publish(oxigraph_server.url, graph=GRAPH, export_graph=new, chunk_bytes=20_000)
    assert second.requests > 5  # several chunks
    assert oxigraph_server.count(GRAPH) == len(new)
    assert isomorphic(_graph_of(oxigraph_server.ntriples(GRAPH)), new.to_rdflib())
    assert oxigraph_server.count(staging_graph(GRAPH)) == 0  # moved, not copied


@pytest.mark.slow
def test_upload_cut_half_way_leaves_published_graph_intact_and_rerun_completes(
    oxigraph_server, cutting_proxy, old_file: Path, tmp_path: Path
) -> None:
    publish(oxigraph_server.url, graph=GRAPH, include="data", data=[old_file])
    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 20_000)])
    cutting_proxy.cut_after = 200_000  # inside the first chunk's body
    cutting_proxy.cuts_left = 10**6
    store = GraphStore(cutting_proxy.url, retries=1, backoff=0.01)
    with pytest.raises(EndpointError, match="failed after 2 attempt"):
        publish(store, graph=GRAPH, export_graph=new)
    assert cutting_proxy.cuts == 2
    assert isomorphic(_graph_of(oxigraph_server.ntriples(GRAPH)), _graph_of(OLD))
    cutting_proxy.cut_after = None
    publish(store, graph=GRAPH, export_graph=new)
    assert oxigraph_server.count(GRAPH) == len(new)


@pytest.mark.slow
def test_a_transient_cut_is_retried(oxigraph_server, cutting_proxy, tmp_path: Path) -> None:
    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 5_000)])
    cutting_proxy.cut_after = 50_000
    cutting_proxy.cuts_left = 2
    result = publish(GraphStore(cutting_proxy.url, retries=3, backoff=0.01), graph=GRAPH,
                     export_graph=new, chunk_bytes=100_000)
    assert cutting_proxy.cuts == 2
    assert result.triples == len(new) == oxigraph_server.count(GRAPH)


@pytest.mark.slow
def test_server_killed_mid_upload_keeps_published_graph_and_rerun_completes(
    oxigraph_server, cutting_proxy, old_file: Path, tmp_path: Path
) -> None:
    publish(oxigraph_server.url, graph=GRAPH, include="data", data=[old_file])
    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 30_000)])
    cutting_proxy.cut_after = 1_000_000
    cutting_proxy.cuts_left = 1
    cutting_proxy.on_cut = oxigraph_server.kill  # the server dies with the upload half sent
    with pytest.raises(EndpointError):
        publish(GraphStore(cutting_proxy.url, retries=1, backoff=0.01), graph=GRAPH,
                export_graph=new, chunk_bytes=10**8)
    assert oxigraph_server.process.poll() is not None
    oxigraph_server.start()  # same folder, same port
    assert isomorphic(_graph_of(oxigraph_server.ntriples(GRAPH)), _graph_of(OLD))
    cutting_proxy.on_cut = None
    publish(GraphStore(cutting_proxy.url), graph=GRAPH, export_graph=new)
    assert oxigraph_server.count(GRAPH) == len(new)


@pytest.mark.slow
def test_readers_see_old_or_new_never_half(oxigraph_server, old_file: Path, tmp_path: Path) -> None:
    publish(oxigraph_server.url, graph=GRAPH, include="data", data=[old_file])
    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 20_000)])
    seen: set[int] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.add(oxigraph_server.count(GRAPH))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        publish(oxigraph_server.url, graph=GRAPH, export_graph=new, chunk_bytes=100_000)
    finally:
        stop.set()
        thread.join()
    seen.add(oxigraph_server.count(GRAPH))
    assert seen <= {3, len(new)}
    assert len(new) in seen


@pytest.mark.slow
def test_credentials_come_from_the_environment(oxigraph_server, cutting_proxy, old_file: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT_USER", "alice")
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT_PASSWORD", "s3cret")
    monkeypatch.delenv("CLUSTERGRAPH_ENDPOINT_TOKEN", raising=False)
    publish(cutting_proxy.url, graph=GRAPH, include="data", data=[old_file])
    expected = "Basic " + base64.b64encode(b"alice:s3cret").decode()
    assert f"Authorization: {expected}".encode() in bytes(cutting_proxy.received)
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT_TOKEN", "tok-123")
    cutting_proxy.received.clear()
    publish(cutting_proxy.url, graph=GRAPH, include="data", data=[old_file])
    assert b"Authorization: Bearer tok-123" in bytes(cutting_proxy.received)


@pytest.mark.slow
def test_staging_count_mismatch_is_an_error_and_target_is_untouched(oxigraph_server, old_file: Path,
                                                                    tmp_path: Path) -> None:
    publish(oxigraph_server.url, graph=GRAPH, include="data", data=[old_file])

    class Lossy(GraphStore):
        """A store reached by a client that drops a line of every upload (a broken middlebox)."""

        def put(self, graph, body, length, *, append=False):
            data = b"".join(body()) if callable(body) else body
            data = data.split(b"\n", 1)[1]
            super().put(graph, data, len(data), append=append)

    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 100)])
    with pytest.raises(EndpointError, match="staging graph"):
        publish(Lossy(oxigraph_server.url), graph=GRAPH, export_graph=new)
    assert isomorphic(_graph_of(oxigraph_server.ntriples(GRAPH)), _graph_of(OLD))


@pytest.mark.slow
def test_cli_publish_and_unreachable_endpoint(oxigraph_server, old_file: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_ENDPOINT")}
    ok = subprocess.run([sys.executable, "-m", "clustergraph", "publish", "--endpoint", oxigraph_server.url,
                         "--graph", GRAPH, "--include", "data", "--data", str(old_file)],
                        capture_output=True, env=env, check=False)
    assert ok.returncode == 0, ok.stderr.decode()
    assert b"published 3 triples to <" + GRAPH.encode() + b">" in ok.stderr
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    down = subprocess.run([sys.executable, "-m", "clustergraph", "publish", "--endpoint",
                           f"http://127.0.0.1:{port}", "--retries", "0", "--include", "data",
                           "--data", str(old_file)], capture_output=True, env=env, check=False)
    assert down.returncode == 4
    assert b"failed after 1 attempt" in down.stderr


@pytest.mark.slow
def test_progress_bar_on_request(oxigraph_server, tmp_path: Path, capfd: pytest.CaptureFixture) -> None:
    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 2_000)])
    publish(oxigraph_server.url, graph=GRAPH, export_graph=new, progress=True, chunk_bytes=50_000)
    assert f"uploading {len(new)} triples" in capfd.readouterr().err


# -- Virtuoso: its authenticated endpoints (HTTP Digest), a union default graph ----------------

DBA_ENV = {"CLUSTERGRAPH_ENDPOINT_USER": "dba", "CLUSTERGRAPH_ENDPOINT_PASSWORD": "dba"}


def _virtuoso_count(url: str, pattern: str = "?s ?p ?o") -> int:
    """What an anonymous reader of Virtuoso's public endpoint counts, naming no graph."""
    import json
    import urllib.parse
    import urllib.request

    query = urllib.parse.urlencode({"query": f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}"})
    req = urllib.request.Request(f"{url}?{query}", headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return int(json.load(r)["results"]["bindings"][0]["n"]["value"])


@pytest.fixture
def virtuoso(virtuoso_store, monkeypatch: pytest.MonkeyPatch):
    """The module's Virtuoso, with graph-level security as the README sets it up and the
    administrator's credentials in the environment; the clustergraph graph emptied first."""
    from clustergraph.publish import DEFAULT_GRAPH

    virtuoso_store.hide_new_graphs(DEFAULT_GRAPH)
    virtuoso_store.isql(f"SPARQL CLEAR GRAPH <{DEFAULT_GRAPH}>;")
    for name, value in DBA_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("CLUSTERGRAPH_ENDPOINT_TOKEN", raising=False)
    return virtuoso_store


@pytest.mark.slow
def test_cli_publish_to_virtuoso_then_every_reader_sees_the_graph(virtuoso) -> None:
    from clustergraph.query.session import Session

    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_")}, **DBA_ENV}
    done = subprocess.run([sys.executable, "-m", "clustergraph", "publish", "--endpoint", virtuoso.base,
                           "--layout", "virtuoso"], capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()
    triples = len(build_export_graph())
    assert f"published {triples} triples to <https://w3id.org/clustergraph/graph/clustergraph>".encode() in done.stderr
    # An anonymous reader naming no graph sees exactly the graph: no staging copy, no system graphs.
    assert _virtuoso_count(virtuoso.sparql_url) == triples
    rows = Session(virtuoso.sparql_url).query("member-counts-as-of", date="2025-01-31").to_records()
    assert (rows[0]["clusters"], rows[0]["countries"]) == (31, 16)


@pytest.mark.slow
def test_virtuoso_refuses_a_wrong_password_with_exit_code_4(virtuoso, old_file: Path) -> None:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_")},
           "CLUSTERGRAPH_ENDPOINT_USER": "dba", "CLUSTERGRAPH_ENDPOINT_PASSWORD": "wrong"}
    done = subprocess.run([sys.executable, "-m", "clustergraph", "publish", "--endpoint", virtuoso.base,
                           "--layout", "virtuoso", "--include", "data", "--data", str(old_file)],
                          capture_output=True, env=env, check=False)
    assert done.returncode == 4
    assert b"CLUSTERGRAPH_ENDPOINT_USER/PASSWORD" in done.stderr
    assert b"Traceback" not in done.stderr


@pytest.mark.slow
def test_virtuoso_upload_cut_half_way_leaves_the_graph_and_rerun_completes(virtuoso, old_file: Path,
                                                                           tmp_path: Path) -> None:
    from support.fixtures_oxigraph_gsp import CuttingProxy

    publish(GraphStore.from_env(virtuoso.base, layout="virtuoso"), include="data", data=[old_file])
    assert _virtuoso_count(virtuoso.sparql_url) == 3
    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 3_000)])
    proxy = CuttingProxy(virtuoso.http_port)
    try:
        proxy.cut_after = 100_000  # inside the first chunk's body
        proxy.cuts_left = 10**6
        store = GraphStore.from_env(proxy.url, layout="virtuoso", retries=1, backoff=0.01)
        with pytest.raises(EndpointError, match="failed after 2 attempt"):
            publish(store, export_graph=new)
        assert proxy.cuts >= 2
        assert _virtuoso_count(virtuoso.sparql_url) == 3  # the old graph, and only it
        proxy.cut_after = None
        result = publish(store, export_graph=new)
    finally:
        proxy.close()
    assert result.graph == "https://w3id.org/clustergraph/graph/clustergraph"
    assert _virtuoso_count(virtuoso.sparql_url) == len(new)


@pytest.mark.slow
def test_virtuoso_readers_see_old_or_new_never_half_nor_doubled(virtuoso, old_file: Path,
                                                                tmp_path: Path) -> None:
    store = GraphStore.from_env(virtuoso.base, layout="virtuoso")
    publish(store, include="data", data=[old_file])
    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 3_000)])
    seen: set[int] = set()
    stop = threading.Event()

    def reader() -> None:
        while not stop.is_set():
            seen.add(_virtuoso_count(virtuoso.sparql_url))

    thread = threading.Thread(target=reader)
    thread.start()
    try:
        publish(store, export_graph=new, chunk_bytes=50_000)
    finally:
        stop.set()
        thread.join()
    seen.add(_virtuoso_count(virtuoso.sparql_url))
    assert seen <= {3, len(new)}
    assert len(new) in seen


def test_digest_answers_the_rfc_2617_example() -> None:
    from clustergraph.http.digest import DigestChallenge

    challenge = DigestChallenge.parse('Digest realm="testrealm@host.com", qop="auth,auth-int", '
                                      'nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", '
                                      'opaque="5ccc069c403ebaf9f0171e9517f40e41"')
    assert challenge is not None
    header = challenge.authorization("GET", "/dir/index.html", "Mufasa", "Circle Of Life", cnonce="0a4f113b")
    assert 'response="6629fae49393a05397450978507c4ef1"' in header
    assert "nc=00000001" in header and 'opaque="5ccc069c403ebaf9f0171e9517f40e41"' in header
    assert DigestChallenge.parse('Basic realm="x"') is None


@pytest.mark.slow
def test_a_move_whose_answer_is_lost_is_not_done_twice(oxigraph_server, old_file: Path,
                                                       tmp_path: Path) -> None:
    """MOVE is not idempotent: repeating one that took effect would empty the published graph."""

    class AnswerLost(GraphStore):
        """The store applies the MOVE, but its answer never comes back (a time-out)."""

        def update(self, text, *, retries=None):
            super().update(text, retries=retries)
            if text.startswith("MOVE") and not getattr(self, "lost", False):
                self.lost = True
                raise EndpointError("POST /update failed after 1 attempt(s): TimeoutError: timed out")

    new = build_export_graph("data", data=[_data(tmp_path / "new.nt", 100)])
    result = publish(AnswerLost(oxigraph_server.url, backoff=0.01), graph=GRAPH, export_graph=new)
    assert result.triples == len(new) == oxigraph_server.count(GRAPH)
    assert oxigraph_server.count(staging_graph(GRAPH)) == 0


@pytest.mark.slow
def test_publish_then_validate_in_the_store_gives_the_local_report(oxigraph_server) -> None:
    """The journey of a data engineer: publish the shipped graph (ontology and data) into a
    named graph, then validate it where it now lives."""
    import json

    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_ENDPOINT")}

    def clustergraph(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "clustergraph", *args],
                              capture_output=True, env=env, check=False, text=True)

    published = clustergraph("publish", "--endpoint", oxigraph_server.url, "--graph", GRAPH)
    assert published.returncode == 0, published.stderr
    remote = clustergraph("validate", "--endpoint", f"{oxigraph_server.url}/query",
                          "--graph", GRAPH, "--format", "json", "--no-queries")
    local = clustergraph("validate", "--format", "json", "--no-queries")
    assert remote.returncode == local.returncode == 0, remote.stderr
    in_store, here = json.loads(remote.stdout), json.loads(local.stdout)
    assert in_store["engine"] == "in-store" and in_store["warnings"] == []
    assert in_store["counts"] == here["counts"]

    def key(r: dict) -> tuple:
        return (r["focus_node"], r["path"], r["component"], r["source_shape"], r["message"])

    assert sorted(map(key, in_store["results"])) == sorted(map(key, here["results"]))
