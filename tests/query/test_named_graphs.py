"""`--graph IRI` on `query` and `sparql`: a named graph queried as the default graph.

Remote, it is sent as the SPARQL protocol's ``default-graph-uri`` to a real Oxigraph server that
holds the shipped graph in a named graph (fixtures_named_graph.py), as a `publish --graph IRI`
leaves it; embedded, it selects that named graph of the --data files (an export in TriG), and a
graph no loaded file holds is refused with exit 2."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from support.cli_runner import run_in_process, run_installed
from support.fixtures_named_graph import NAMED_GRAPH

from clustergraph.query.catalogue import load_catalogue
from clustergraph.query.session import Session

pytestmark = pytest.mark.slow

CATALOGUE = load_catalogue()
GRAPH_NS = "https://w3id.org/clustergraph/graph/"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


def endpoint(server: Any) -> str:
    return f"{server.url}/query"


def test_without_graph_the_default_graph_is_read(
    capsys: pytest.CaptureFixture[str], named_graph_server: Any
) -> None:
    code, out, err = run_in_process(
        capsys,
        "sparql",
        "SELECT ?o WHERE { ?s ?p ?o }",
        "--endpoint",
        endpoint(named_graph_server),
        "--format",
        "csv",
    )
    assert code == 0, err
    assert out == "o\nthe default graph\n"


def test_with_graph_the_named_graph_is_read(
    capsys: pytest.CaptureFixture[str], named_graph_server: Any
) -> None:
    code, out, err = run_in_process(
        capsys,
        "query",
        "member-counts-as-of",
        "--endpoint",
        endpoint(named_graph_server),
        "--graph",
        NAMED_GRAPH,
        "--format",
        "csv",
    )
    assert code == 0, err
    assert out.splitlines()[1].endswith(",31,16")
    code, out, _ = run_in_process(
        capsys,
        "query",
        "member-counts-as-of",
        "--endpoint",
        endpoint(named_graph_server),
        "--format",
        "csv",
    )
    assert (code, out) == (0, "initiative,initiativeLabel,clusters,countries\n")


@pytest.mark.parametrize("query", list(CATALOGUE), ids=lambda q: q.name)
def test_every_stored_query_on_the_named_graph_gives_the_embedded_rows(
    named_graph_server: Any, embedded: Session, query: Any
) -> None:
    remote = Session(endpoint(named_graph_server), graphs=[NAMED_GRAPH])
    assert as_json(remote.query(query.name)) == as_json(embedded.query(query.name))


def test_a_long_query_is_posted_with_its_graph(named_graph_server: Any, embedded: Session) -> None:
    padding = "".join(f"# padding line {i}\n" for i in range(300))
    remote = Session(endpoint(named_graph_server), graphs=[NAMED_GRAPH])
    assert remote.sparql(padding + COUNT).to_records() == embedded.sparql(COUNT).to_records()


def test_the_installed_command_reads_the_named_graph(
    named_graph_server: Any, embedded: Session
) -> None:
    code, out, err = run_installed(
        "sparql",
        COUNT,
        "--endpoint",
        endpoint(named_graph_server),
        "--graph",
        NAMED_GRAPH,
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out) == embedded.sparql(COUNT).to_records()


# --- embedded ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedded() -> Session:
    session = Session()
    session.load()
    return session


@pytest.fixture(scope="module")
def trig_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The graph exported as TriG: the ontology and the data in named graphs of their own."""
    from clustergraph.export import build_export_graph, write_export

    path = tmp_path_factory.mktemp("trig") / "clustergraph.trig"
    write_export(build_export_graph(include=("ontology", "data")), "trig", path)
    return path


def test_embedded_graph_selects_named_graphs_of_the_data_files(
    capsys: pytest.CaptureFixture[str], trig_export: Path
) -> None:
    both = ["--graph", f"{GRAPH_NS}ontology", "--graph", f"{GRAPH_NS}data"]
    code, out, err = run_in_process(
        capsys, "query", "member-counts-as-of", "--data", str(trig_export), *both, "--format", "csv"
    )
    assert code == 0, err
    assert out.splitlines()[1].endswith(",31,16")
    code, out, err = run_in_process(
        capsys,
        "sparql",
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> ASK { ?o a owl:Ontology }",
        "--data",
        str(trig_export),
        "--graph",
        f"{GRAPH_NS}data",
    )
    assert (code, out) == (0, "no\n"), err


def test_embedded_graph_gives_the_rows_of_the_shipped_graph(
    trig_export: Path, embedded: Session
) -> None:
    session = Session(files=[trig_export], graphs=[f"{GRAPH_NS}ontology", f"{GRAPH_NS}data"])
    for name in ("clusters-by-country", "membership-gaps", "technologies"):
        assert as_json(session.query(name)) == as_json(embedded.query(name)), name


def test_embedded_graph_that_no_file_holds_is_refused(
    capsys: pytest.CaptureFixture[str], trig_export: Path
) -> None:
    code, out, err = run_in_process(
        capsys,
        "query",
        "clusters-by-country",
        "--data",
        str(trig_export),
        "--graph",
        f"{GRAPH_NS}shapes",
    )
    assert code == 2 and out == ""
    assert (
        f"clustergraph: error: no named graph <{GRAPH_NS}shapes> in the loaded files; "
        f"they hold <{GRAPH_NS}data>, <{GRAPH_NS}ontology>"
    ) in err


def test_embedded_graph_on_the_shipped_turtle_names_the_graphs_it_holds(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The shipped Turtle files load into the graphs of their parts, as the export names them;
    a graph they do not hold (a published store's) is refused, naming those."""
    code, out, err = run_in_process(capsys, "sparql", "ASK {}", "--graph", NAMED_GRAPH)
    assert code == 2 and out == ""
    assert (f"no named graph <{NAMED_GRAPH}> in the loaded files; "
            f"they hold <{GRAPH_NS}data>, <{GRAPH_NS}ontology>") in err
    assert "Traceback" not in err


def test_embedded_graph_on_the_shipped_turtle_gives_the_rows_of_the_trig_export(
    trig_export: Path,
) -> None:
    """One mechanism: the shipped Turtle files and their TriG export are the same dataset."""
    for graphs in ([f"{GRAPH_NS}data"], [f"{GRAPH_NS}ontology"], []):
        turtle, trig = Session(graphs=graphs), Session(files=[trig_export], graphs=graphs)
        for name in ("clusters-by-country", "membership-gaps", "technologies"):
            assert as_json(turtle.query(name)) == as_json(trig.query(name)), (graphs, name)


@pytest.mark.parametrize("graph", ["not an iri", "graph/clustergraph", "https://example.org/a b"])
def test_a_graph_that_is_no_iri_exits_2(capsys: pytest.CaptureFixture[str], graph: str) -> None:
    code, _, err = run_in_process(capsys, "sparql", "ASK {}", "--graph", graph)
    assert code == 2
    assert f"--graph {graph!r} is not an absolute IRI" in err


def as_json(result: Any) -> Any:
    """A result as exact terms in order (triples sorted); blank nodes as one label, since two
    stores name them differently."""
    import pyoxigraph

    from clustergraph.query.results import Rows

    def term(t: Any) -> str | None:
        return None if t is None else "_:b" if isinstance(t, pyoxigraph.BlankNode) else str(t)

    if isinstance(result, Rows):
        return [[term(t) for t in row] for row in result.terms]
    return sorted(f"{term(t.subject)} {term(t.predicate)} {term(t.object)}" for t in result)


def test_publish_into_a_named_graph_then_query_it_gives_the_embedded_rows(
    capsys: pytest.CaptureFixture[str], oxigraph_server: Any, embedded: Session
) -> None:
    """The journey of issue #8: publish with --graph, then query with the same --graph."""
    graph = f"{GRAPH_NS}published"
    code, _, err = run_in_process(
        capsys, "publish", "--endpoint", oxigraph_server.url, "--graph", graph, "--no-progress"
    )
    assert code == 0, err
    code, out, err = run_in_process(
        capsys,
        "query",
        "countries-by-cluster-count",
        "--endpoint",
        f"{oxigraph_server.url}/query",
        "--graph",
        graph,
        "--format",
        "json",
    )
    assert code == 0, err
    assert json.loads(out) == embedded.query("countries-by-cluster-count").to_records()
