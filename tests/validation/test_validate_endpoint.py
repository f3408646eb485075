"""`clustergraph validate --endpoint URL`: the data a SPARQL store holds, validated in the
store through queries, gives the report a local run of the same triples gives.

Real servers on free loopback ports: Oxigraph, Comunica and Virtuoso with the shipped graph
(tests/support/fixtures_servers.py), an `oxigraph serve-read-only` with a 100k-triple synthetic graph
with injected violations, and one with the shipped graph in a named graph beside a cluster
with a blank node (which makes the run copy the graph). Results are compared field by field,
except the file:line (which an endpoint does not have) and the lexical form of typed literals,
which the store rewrites when it stores them (compared as the store would write them).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from support.cli_support import run_command  # noqa: F401  (the `run` fixture)
from support.fixtures_servers import Server, _graph_files, free_port, oxigraph_read_only
from support.fixtures_virtuoso import LOADED_GRAPH, Virtuoso
from support.paths import REPO_ROOT

from clustergraph.files import paths

BENCHMARKS = REPO_ROOT / "benchmarks"
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


@pytest.mark.slow
def test_the_shipped_graph_in_each_store_gives_the_local_report(query_server: Server, run):
    """Oxigraph, Comunica and Virtuoso (whose graph is named, as a data engineer loads it).

    Virtuoso rewrites two kinds of literal when it loads them (see the README): every
    geo:wktLiteral becomes its own virtrdf:Geometry, and a whole xsd:decimal such as
    "16000000.0" an xsd:integer. There, and only there, those values fail their sh:datatype,
    as they should: that is what the store holds."""
    graph = ["--graph", LOADED_GRAPH] if query_server.name == "virtuoso" else []
    _, out, err = run("validate", "--endpoint", query_server.url, *graph, "--format", "json")
    code, local_out, _ = run("validate", "--format", "json")
    remote, local = json.loads(out), json.loads(local_out)
    assert code == 0 and local["conforms"] is True
    assert remote["engine"] == "in-store", remote["warnings"]
    rewritten = [r for r in remote["results"] if _virtuoso_rewrite(r)]
    if query_server.name == "virtuoso":
        kinds = Counter((r["path"], r["component"]) for r in rewritten)
        # as many as the store holds rewritten: every point; the whole decimals it typed xsd:integer
        held = _held_as_integer(run, query_server.url)
        assert held <= _count(QUDT_VALUE)
        assert kinds == {
            ("geo:asWKT", "sh:DatatypeConstraintComponent"): _count(QUDT_WKT),
            **({("qudt:numericValue", "sh:DatatypeConstraintComponent"): held} if held else {}),
        }
        remote["results"] = [r for r in remote["results"] if r not in rewritten]
    else:
        assert rewritten == [] and remote["conforms"] is True, err
        assert remote["counts"] == local["counts"]
    assert comparable(remote) == comparable(local)
    assert remote["files"][0].startswith(query_server.url)
    assert all(r["file"] is None or r["check"] == "query" for r in remote["results"])


QUDT_WKT = "http://www.opengis.net/ont/geosparql#asWKT"
QUDT_VALUE = "http://qudt.org/schema/qudt/numericValue"


def _virtuoso_rewrite(result: dict) -> bool:
    value = result["value"] or ""
    return value.endswith("virtrdf#Geometry>") or (
        result["path"] == "qudt:numericValue" and value.endswith("^^xsd:integer")
    )


def _held_as_integer(run, url: str) -> int:
    """How many qudt:numericValue values the store holds typed xsd:integer (Virtuoso 7.2 types
    some whole xsd:decimal values so as it loads them, depending on how they are loaded)."""
    _, out, _ = run("sparql", "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?o <http://qudt.org/schema/qudt/numericValue> ?v "
                    "FILTER (DATATYPE(?v) = <http://www.w3.org/2001/XMLSchema#integer>) } }",
                    "--endpoint", url, "--format", "csv")
    return int(out.splitlines()[1])


def _count(predicate: str) -> int:
    """How many values of `predicate` in the shipped data Virtuoso rewrites: WKT points, and
    decimals without a fraction."""
    store = pyoxigraph.Store()
    for path in paths.data_files():
        store.load(path=str(path), format=pyoxigraph.RdfFormat.TURTLE)
    found = store.quads_for_pattern(None, pyoxigraph.NamedNode(predicate), None)
    values = [q.object for q in found]
    if predicate == QUDT_VALUE:
        values = [v for v in values if v.datatype.value == XSD + "decimal" and "." not in v.value]
    return len(values)


class QueryLog:
    """The queries `validate_endpoint` sends (RemoteEndpoint.fetch, spied on: the real server
    answers every one)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from clustergraph.query.remote import RemoteEndpoint

        self.texts: list[str] = []
        fetch = RemoteEndpoint.fetch

        def logged(
            endpoint: RemoteEndpoint, text: str, form: str, whole: bool = False
        ) -> tuple[bytes, str]:
            self.texts.append(text)
            return fetch(endpoint, text, form, whole)

        monkeypatch.setattr(RemoteEndpoint, "fetch", logged)

    def unbounded(self) -> list[str]:
        """Queries that read every triple rather than those of given nodes (an ASK, or one
        with a LIMIT, reads a bounded number)."""
        return [
            t
            for t in self.texts
            if "?s ?p ?o" in t and not any(w in t for w in ("VALUES ?s", "LIMIT", "ASK"))
        ]


@pytest.mark.slow
def test_a_store_is_read_a_batch_of_nodes_at_a_time_never_whole(
    oxigraph_query_server: Server, monkeypatch: pytest.MonkeyPatch
):
    from clustergraph.validation import validate
    from clustergraph.validation.endpoint import validate_endpoint

    queries = QueryLog(monkeypatch)
    remote = validate_endpoint(oxigraph_query_server.url, queries=False)
    assert remote.engine == "in-store"
    assert queries.unbounded() == []
    assert any("CONSTRUCT" in t and "VALUES ?s" in t for t in queries.texts)
    assert any("VALUES ?this" in t for t in queries.texts)  # a SPARQL constraint, in the store
    local = validate(queries=False)
    assert remote.count_by_severity() == local.count_by_severity()


@pytest.mark.slow
def test_a_store_read_with_room_for_five_nodes_gives_the_same_report(
    oxigraph_query_server: Server, monkeypatch: pytest.MonkeyPatch
):
    """The memory a validation in the store takes is bounded by `kept_nodes`: nodes read
    earlier are read again when needed, and the report does not change."""
    from clustergraph.validation.endpoint import validate_endpoint

    queries = QueryLog(monkeypatch)
    roomy = validate_endpoint(oxigraph_query_server.url, queries=False)
    sent_roomy = len(queries.texts)
    tight = validate_endpoint(oxigraph_query_server.url, queries=False, kept_nodes=5)
    assert len(queries.texts) - sent_roomy > sent_roomy  # it did read nodes again
    assert [r.to_dict() for r in tight.results] == [r.to_dict() for r in roomy.results]


@pytest.fixture(scope="module")
def mixed_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path]]:
    """`oxigraph serve-read-only` with the shipped graph in a named graph, and a cluster with
    a blank node (and a violation) in the default graph."""
    folder = tmp_path_factory.mktemp("mixed-server")
    extra = folder / "blank.ttl"
    extra.write_text(BLANK_CLUSTER, encoding="utf-8")
    for server in oxigraph_read_only([extra], folder, {NAMED: _graph_files()}):
        yield server, extra


NAMED = "https://w3id.org/clustergraph/graph/test"
BLANK_CLUSTER = """\
@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix geo: <http://www.opengis.net/ont/geosparql#> .
<https://w3id.org/clustergraph/id/cluster/nowhere> a cg:IndustrialCluster ;
    skos:prefLabel "Nowhere"@en ;
    geo:hasGeometry [ a geo:Geometry ; geo:asWKT "not a point" ] .
"""


@pytest.mark.slow
def test_a_named_graph_is_validated_in_the_store_with_graph(mixed_server, run):
    server, _ = mixed_server
    remote, local = both(run, ["--endpoint", server.url, "--graph", NAMED], [])
    assert remote["engine"] == "in-store"
    assert comparable(remote) == comparable(local)
    assert remote["files"][0] == f"{server.url} (graph <{NAMED}>)"


@pytest.mark.slow
def test_a_graph_the_store_does_not_have_is_empty_and_the_report_says_so(mixed_server, run):
    server, _ = mixed_server
    graph = "https://w3id.org/clustergraph/graph/nothing-here"
    code, out, err = run("validate", "--endpoint", server.url, "--graph", graph)
    assert code == 0
    assert f"(graph <{graph}>): the graph holds no triples" in err


@pytest.mark.slow
def test_a_graph_with_blank_nodes_is_copied_and_the_report_says_why(mixed_server, run):
    server, extra = mixed_server
    remote, local = both(run, ["--endpoint", server.url], [str(extra)])
    assert remote["engine"] == "oxigraph"
    assert "blank nodes" in remote["warnings"][0] and "copied" in remote["warnings"][0]
    assert remote["conforms"] is False
    assert comparable(remote) == comparable(local)


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
    assert remote["engine"] == "in-store" and remote["warnings"] == []
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


@pytest.fixture(scope="module")
def cutting_virtuoso(
    merged_ntriples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Virtuoso]:
    """Virtuoso with the shipped graph, giving at most 50 rows of an answer (as a public
    endpoint might; Debian's default is 10,000)."""
    folder = tmp_path_factory.mktemp("virtuoso-cutting")
    shutil.copy(merged_ntriples, folder / "clustergraph.nt")
    server = Virtuoso(folder, max_rows=50)
    server.start()
    try:
        server.load(folder / "clustergraph.nt", LOADED_GRAPH)
        yield server
    finally:
        server.stop()


@pytest.mark.slow
def test_a_store_that_cuts_long_answers_is_read_in_parts(
    cutting_virtuoso: Virtuoso, virtuoso_query_server: Server, run
):
    """Validated in the store, the graph gives the report it gives where answers are whole,
    though many of the answers it needs are longer than 50 rows."""
    graph = ["--graph", LOADED_GRAPH, "--format", "json"]
    _, cut_out, cut_err = run("validate", "--endpoint", cutting_virtuoso.sparql_url, *graph)
    _, whole_out, _ = run("validate", "--endpoint", virtuoso_query_server.url, *graph)
    cut, whole = json.loads(cut_out), json.loads(whole_out)
    assert cut["engine"] == whole["engine"] == "in-store", cut_err
    assert cut["counts"] == whole["counts"]
    assert comparable(cut) == comparable(whole)


@pytest.mark.slow
def test_a_copy_the_store_cuts_short_is_an_error_not_a_smaller_graph(
    cutting_virtuoso: Virtuoso, run
):
    """pySHACL needs a copy; Virtuoso cuts a CONSTRUCT at its row limit without saying so."""
    url = cutting_virtuoso.sparql_url
    copied = ["--graph", LOADED_GRAPH, "--engine", "pyshacl"]
    code, _, err = run("validate", "--endpoint", url, *copied)
    assert code == 4
    assert "triples it holds: it cuts its answers" in err and "ResultSetMaxRows" in err
    assert "Traceback" not in err


def test_room_for_no_nodes_is_bad_input_before_anything_is_sent():
    from clustergraph.errors import InputError
    from clustergraph.validation.endpoint import validate_endpoint

    with pytest.raises(InputError, match="kept_nodes must be at least 1, not 0"):
        validate_endpoint(f"http://127.0.0.1:{free_port()}/query", kept_nodes=0)
