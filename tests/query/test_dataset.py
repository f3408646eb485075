"""The embedded dataset (issue #21): files load into their graphs, the default graph is their union
(or plain), FROM / FROM NAMED and `--graph` (the protocol's default-graph-uri) select graphs held,
a graph not held is empty and fetches nothing, and relative IRIs resolve against the dataset's
base. Through `Session` with both engines, and through the command line.

The files: `a.ttl` (triples: the data graph), `g.trig` (a default-graph triple and two named
graphs, one repeating `a.ttl`'s triple) and `q.nq` (one quad).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli_runner import run_in_process
from support.listener import Listener, listener  # noqa: F401

from clustergraph.errors import InputError, QueryError
from clustergraph.files import paths
from clustergraph.query.dataset import DATA_GRAPH, GRAPH_NS, ONTOLOGY_GRAPH
from clustergraph.query.session import Session, default_files
from clustergraph.vocab import ID_NS

ENGINES = ["oxigraph", "rdflib"]
TRIG = """<urn:d> <urn:p> "d" .
<urn:g1> { <urn:s1> <urn:p> "g1" . }
<urn:g2> { <urn:s2> <urn:p> "g2" . <urn:a> <urn:p> "a" . }
"""
VALUES = "SELECT ?o WHERE { ?s <urn:p> ?o }"
GRAPHS = "SELECT ?g ?o WHERE { GRAPH ?g { ?s <urn:p> ?o } }"
ALL_GRAPHS = {(DATA_GRAPH, "a"), ("urn:g1", "g1"), ("urn:g2", "g2"), ("urn:g2", "a"),
              ("urn:g3", "g3")}


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    folder = tmp_path_factory.mktemp("dataset")
    (folder / "a.ttl").write_text('<urn:a> <urn:p> "a" .\n', encoding="utf-8")
    (folder / "g.trig").write_text(TRIG, encoding="utf-8")
    (folder / "q.nq").write_text('<urn:s3> <urn:p> "g3" <urn:g3> .\n', encoding="utf-8")
    return [folder / "a.ttl", folder / "g.trig", folder / "q.nq"]


def rows(session: Session, text: str) -> set[tuple[str, ...]]:
    result = session.sparql(text)
    found = [tuple(str(v) for v in row) for row in result.rows]
    assert len(found) == len(set(found)), f"a row twice: {found}"
    return set(found)


#: (query, union default graph, plain default graph): the rows, as sets.
CASES = [
    pytest.param(VALUES, {("a",), ("d",), ("g1",), ("g2",), ("g3",)}, {("d",)},
                 id="default-graph"),
    pytest.param(GRAPHS, ALL_GRAPHS, ALL_GRAPHS, id="graph-var"),
    pytest.param("SELECT ?o WHERE { GRAPH <urn:g2> { ?s <urn:p> ?o } }", {("g2",), ("a",)},
                 {("g2",), ("a",)}, id="graph-iri"),
    pytest.param("SELECT ?o FROM <urn:g1> WHERE { ?s <urn:p> ?o }", {("g1",)}, {("g1",)},
                 id="from"),
    pytest.param("SELECT ?o FROM <urn:g1> FROM <urn:g3> WHERE { ?s <urn:p> ?o }",
                 {("g1",), ("g3",)}, {("g1",), ("g3",)}, id="from-two"),
    pytest.param(f"SELECT ?o FROM <{DATA_GRAPH}> WHERE {{ ?s <urn:p> ?o }}", {("a",)}, {("a",)},
                 id="from-the-data-part"),
    pytest.param("SELECT ?g ?o FROM NAMED <urn:g2> WHERE { GRAPH ?g { ?s <urn:p> ?o } }",
                 {("urn:g2", "g2"), ("urn:g2", "a")}, {("urn:g2", "g2"), ("urn:g2", "a")},
                 id="from-named"),
    pytest.param("SELECT ?o FROM NAMED <urn:g2> WHERE { ?s <urn:p> ?o }", set(), set(),
                 id="from-named-empties-the-default-graph"),
    pytest.param("SELECT ?o FROM <urn:nowhere> WHERE { ?s <urn:p> ?o }", set(), set(),
                 id="from-a-graph-not-held"),
    pytest.param("SELECT ?g FROM <urn:g1> WHERE { GRAPH ?g { ?s ?p ?o } }", set(), set(),
                 id="from-alone-has-no-named-graphs"),
]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("text", "union", "plain"), CASES)
def test_the_dataset(files: list[Path], engine: str, text: str, union: set, plain: set) -> None:
    assert rows(Session(files=files, engine=engine), text) == union
    assert rows(Session(files=files, engine=engine, union_default_graph=False), text) == plain


@pytest.mark.parametrize("engine", ENGINES)
def test_graphs_are_the_protocols_default_graph_uri(files: list[Path], engine: str) -> None:
    """`graphs` (--graph): their merge is the default graph, and there are no named graphs (the
    protocol's dataset, as an endpoint given only default-graph-uri has it)."""
    session = Session(files=files, engine=engine, graphs=["urn:g1", "urn:g2"])
    assert rows(session, VALUES) == {("g1",), ("g2",), ("a",)}
    assert rows(session, GRAPHS) == set()


def test_graphs_replace_the_querys_from(files: list[Path]) -> None:
    """The protocol's dataset wins over the query's (SPARQL 1.1 Protocol 2.1.4)."""
    session = Session(files=files, graphs=["urn:g1"])
    assert rows(session, "SELECT ?o FROM <urn:g3> WHERE { ?s <urn:p> ?o }") == {("g1",)}


@pytest.mark.parametrize("engine", ENGINES)
def test_a_graph_not_held_is_refused_naming_those_held(files: list[Path], engine: str) -> None:
    with pytest.raises(InputError) as info:
        Session(files=files, engine=engine, graphs=["urn:nowhere"]).load()
    assert str(info.value) == (f"no named graph <urn:nowhere> in the loaded files; they hold "
                               f"<{DATA_GRAPH}>, <urn:g1>, <urn:g2>, <urn:g3>")


def test_a_file_given_with_its_graph(files: list[Path]) -> None:
    """(path, iri) puts a file's triples into that graph, (path, None) into the default graph:
    the W3C tests' qt:graphData and qt:data."""
    session = Session(files=[(files[0], "urn:mine"), (files[0], None)], union_default_graph=False)
    assert session.named_graphs() == ["urn:mine"]
    assert rows(session, VALUES) == {("a",)}
    assert rows(session, GRAPHS) == {("urn:mine", "a")}


@pytest.mark.parametrize("engine", ENGINES)
def test_the_shipped_files_load_into_the_graphs_of_their_parts(engine: str) -> None:
    """The ontology and the data in the graphs the export's TriG gives them, the default graph
    their union: every triple of the files once, as when they all loaded into the default graph."""
    from clustergraph.export import GRAPH_NS as EXPORT_GRAPH_NS
    from clustergraph.files.load import parse_file

    assert GRAPH_NS == EXPORT_GRAPH_NS
    session = Session(engine=engine)
    assert session.named_graphs() == [DATA_GRAPH, ONTOLOGY_GRAPH]
    triples = {q.triple for f in default_files() for q in parse_file(f)}
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    assert session.sparql(count).to_records() == [{"n": len(triples)}]
    ontology = {q.triple for q in parse_file(paths.ontology_file())}
    assert session.sparql(f"SELECT (COUNT(*) AS ?n) FROM <{ONTOLOGY_GRAPH}> WHERE {{ ?s ?p ?o }}"
                          ).to_records() == [{"n": len(ontology)}]
    assert Session(engine=engine, union_default_graph=False).sparql(count).to_records() == [{"n": 0}]


# --- relative IRIs ------------------------------------------------------------------------------

RELATIVE = "SELECT ?x WHERE { BIND(<country/IN> AS ?x) }"


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize(("base", "text", "expected"), [
    (None, RELATIVE, f"{ID_NS}country/IN"),  # None here: Session's default
    ("http://example.org/base/", RELATIVE, "http://example.org/base/country/IN"),
    (None, "BASE <http://example.org/q/> SELECT ?x WHERE { BIND(<y> AS ?x) }",
     "http://example.org/q/y"),
])
def test_relative_iris_resolve_against_the_base(engine: str, base: str | None, text: str,
                                                expected: str) -> None:
    session = Session(engine=engine) if base is None else Session(engine=engine, base_iri=base)
    assert session.sparql(text).to_records() == [{"x": expected}]


def test_relative_iris_find_our_resources() -> None:
    session = Session()
    text = "SELECT ?code WHERE { <country/IN> <https://w3id.org/clustergraph/ontology#iso3166Alpha2> ?code }"
    assert session.sparql(text).to_records() == [{"code": "IN"}]


@pytest.mark.parametrize("engine", ENGINES)
def test_without_a_base_a_relative_iri_is_named(engine: str) -> None:
    with pytest.raises(QueryError) as info:
        Session(engine=engine, base_iri=None).sparql(RELATIVE)
    assert "the relative IRI <country/IN> needs a base IRI" in str(info.value)


@pytest.mark.slow
def test_a_remote_store_gets_the_base_with_the_query(oxigraph_query_server) -> None:
    """Before: the text went as written, and Oxigraph resolved `<country/IN>` against its own
    address (http://127.0.0.1:PORT/country/IN): no rows, no error."""
    remote = Session(oxigraph_query_server.url)
    assert remote.sparql(RELATIVE).to_records() == [{"x": f"{ID_NS}country/IN"}]
    text = "SELECT ?code WHERE { <country/IN> <https://w3id.org/clustergraph/ontology#iso3166Alpha2> ?code }"
    assert remote.sparql(text).to_records() == [{"code": "IN"}]
    own_base = "BASE <http://example.org/q/> SELECT ?x WHERE { BIND(<y> AS ?x) }"
    assert remote.sparql(own_base).to_records() == [{"x": "http://example.org/q/y"}]
    unset = Session(oxigraph_query_server.url, base_iri=None).sparql(RELATIVE).to_records()
    assert unset != [{"x": f"{ID_NS}country/IN"}]  # the store's own choice, as sent


def test_the_cli_resolves_relative_iris(capsys: pytest.CaptureFixture[str]) -> None:
    """Before #21: "the query does not parse: error at 1:...: expected ..." (no base IRI)."""
    code, out, err = run_in_process(
        capsys, "sparql", "SELECT ?code WHERE { <country/IN> "
        "<https://w3id.org/clustergraph/ontology#iso3166Alpha2> ?code }", "--format", "csv")
    assert (code, out) == (0, "code\nIN\n"), err


def test_the_cli_reads_the_graphs_of_its_data_files(
    capsys: pytest.CaptureFixture[str], files: list[Path]
) -> None:
    data = [arg for f in files for arg in ("--data", str(f))]
    code, out, err = run_in_process(capsys, "sparql", GRAPHS, *data, "--format", "json")
    assert code == 0, err
    assert {(r["g"], r["o"]) for r in json.loads(out)} == ALL_GRAPHS
    code, out, err = run_in_process(capsys, "sparql", VALUES, *data, "--graph", "urn:g3",
                                    "--format", "csv")
    assert (code, out) == (0, "o\ng3\n"), err


# --- nothing is fetched -------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ENGINES)
def test_a_graph_named_by_a_url_fetches_nothing(files: list[Path], engine: str,
                                                listener: Listener) -> None:
    """FROM / FROM NAMED naming a listening server: an empty graph, 0 connections; --graph
    naming it: refused before any query, 0 connections."""
    url = f"http://127.0.0.1:{listener.port}/graph.ttl"
    session = Session(files=files, engine=engine)
    assert rows(session, f"SELECT ?o FROM <{url}> WHERE {{ ?s ?p ?o }}") == set()
    assert rows(session, f"SELECT ?g FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}") == set()
    assert session.sparql(f"ASK FROM <{url}> FROM NAMED <{url}> {{ ?s ?p ?o }}") is False
    with pytest.raises(InputError):
        Session(files=files, engine=engine, graphs=[url]).load()
    assert listener.connections == []
