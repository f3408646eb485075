"""`clustergraph validate --endpoint URL`: the data a SPARQL store holds, validated through
queries, gives the report a local run of the same triples gives.

Real `oxigraph serve-read-only` servers on free loopback ports: the shared one loaded with the
shipped graph (tests/fixtures_servers.py), and one loaded here with a 100k-triple synthetic
graph with injected violations. Results are compared field by field, except the file:line
(which an endpoint does not have) and the lexical form of typed literals, which the store
rewrites when it stores them (compared as the store would write them).
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from cli_support import run_command  # noqa: F401  (the `run` fixture)
from fixtures_servers import Server, free_port, oxigraph_read_only

from clustergraph import paths

BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _as_stored(value: str | None) -> str | None:
    """A rendered value as a store that canonicalises typed literals would give it back."""
    if value is None or "^^xsd:" not in value:
        return value
    text, datatype = value.rsplit("^^xsd:", 1)
    store = pyoxigraph.Store()
    literal = pyoxigraph.Literal(json.loads(text), datatype=pyoxigraph.NamedNode(XSD + datatype))
    store.add(
        pyoxigraph.Quad(pyoxigraph.NamedNode("http://x"), pyoxigraph.NamedNode("http://y"), literal)
    )
    stored = next(iter(store)).object
    return f"{json.dumps(stored.value)}^^xsd:{stored.datatype.value.removeprefix(XSD)}"


def comparable(report: dict) -> list[tuple]:
    return sorted(
        tuple(
            "" if field is None else field
            for field in (
                r["severity"],
                r["focus_node"] if not r["focus_node"].startswith("_:") else r["owner"],
                r["focus_label"],
                r["path"],
                _as_stored(r["value"]),
                r["component"],
                r["source_shape"],
                r["message"],
                r["check"],
            )
        )
        for r in report["results"]
    )


def both(run, endpoint_args: list[str], local_args: list[str]) -> tuple[dict, dict]:
    code_remote, out_remote, err_remote = run("validate", *endpoint_args, "--format", "json")
    code_local, out_local, err_local = run("validate", *local_args, "--format", "json")
    assert code_remote == code_local, err_remote + err_local
    return json.loads(out_remote), json.loads(out_local)


def test_the_shipped_graph_in_a_store_gives_the_local_report(oxigraph_query_server: Server, run):
    remote, local = both(run, ["--endpoint", oxigraph_query_server.url], [])
    assert remote["conforms"] == local["conforms"] is True
    assert remote["counts"] == local["counts"]
    assert comparable(remote) == comparable(local)
    assert remote["files"][0] == oxigraph_query_server.url
    assert all(r["file"] is None or r["check"] == "query" for r in remote["results"])


@pytest.fixture(scope="module")
def synthetic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """`oxigraph serve-read-only` holding a 100k-triple synthetic graph with violations."""
    spec = importlib.util.spec_from_file_location("synthetic", BENCHMARKS / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    folder = tmp_path_factory.mktemp("synthetic-server")
    graph = folder / "synthetic.nt"
    synthetic.write_synthetic(graph, triples=100_000, seed=7, violations=0.02)
    for server in oxigraph_read_only([graph], folder):
        yield server, graph


@pytest.mark.slow
def test_a_100k_synthetic_graph_in_a_store_gives_the_local_report(synthetic_server, run):
    server, graph = synthetic_server
    remote, local = both(
        run, ["--endpoint", server.url, "--no-queries"], [str(graph), "--no-queries"]
    )
    assert remote["conforms"] is False
    assert remote["counts"] == local["counts"]
    assert comparable(remote) == comparable(local)
    assert remote["counts"]["Violation"] > 50


def test_an_endpoint_that_does_not_answer_is_exit_4(run):
    code, _, err = run("validate", "--endpoint", f"http://127.0.0.1:{free_port()}/query")
    assert code == 4
    assert "cannot reach" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--endpoint", "http://127.0.0.1:1/query", str(paths.data_files()[0])], "not both"),
        (["--graph", "http://example.org/g"], "--graph needs --endpoint"),
        (["--endpoint", "http://127.0.0.1:1/query", "--graph", "not an iri"], "not an IRI"),
    ],
)
def test_endpoint_arguments_that_do_not_fit_are_exit_2(run, args: list[str], words: str):
    code, out, err = run("validate", *args)
    assert code == 2, out + err
    assert words in err
