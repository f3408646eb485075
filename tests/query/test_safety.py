"""In embedded mode no query reaches the network or the file system.

A TCP listener on a free loopback port records every connection. Queries that name it with
SERVICE or LOAD are refused with a clear message, through the API and the command line, with
both embedded engines; queries whose FROM / FROM NAMED name it run (they name graphs of the
store) and fetch nothing; the listener sees no connection.
"""

from __future__ import annotations

import subprocess
import sys
import urllib.request

import pytest
from support.listener import Listener, graph_naming_queries, listener, unsafe_queries  # noqa: F401

from clustergraph.errors import QueryError, UnsafeQueryError
from clustergraph.query.session import Session


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_api_refuses_and_nothing_connects(engine: str, listener: Listener) -> None:
    session = Session(engine=engine)
    session.load()
    for keyword, text in unsafe_queries(listener.port):
        with pytest.raises(UnsafeQueryError) as info:
            session.sparql(text)
        assert keyword in str(info.value), (text, str(info.value))
        assert "not allowed in embedded queries" in str(info.value)
    assert listener.connections == []


@pytest.mark.parametrize("engine", ["oxigraph", "rdflib"])
def test_from_and_from_named_are_not_refused_and_fetch_nothing(engine: str,
                                                               listener: Listener) -> None:
    session = Session(engine=engine)
    session.load()
    for text in graph_naming_queries(listener.port):
        try:
            session.sparql(text)
        except UnsafeQueryError as exc:
            raise AssertionError(f"refused: {text}") from exc
        except QueryError:
            pass  # an engine that cannot run it (rdflib: FROM NAMED; \u outside a string)
    assert listener.connections == []


def test_cli_refuses_with_exit_2_and_nothing_connects(listener: Listener) -> None:
    for keyword, text in unsafe_queries(listener.port)[:9]:
        done = subprocess.run(
            [sys.executable, "-m", "clustergraph", "sparql", text],
            capture_output=True,
            check=False,
            text=True,
            timeout=120,
        )
        assert done.returncode == 2, done.stderr
        assert f"{keyword} is not allowed in embedded queries" in done.stderr
        assert "Traceback" not in done.stderr
    assert listener.connections == []


def test_the_listener_does_record_connections(listener: Listener) -> None:
    """The control: a real request to the listener is seen, so zero above means zero."""
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{listener.port}/", timeout=5)
    assert len(listener.connections) == 1


def test_why_the_guard_matters_oxigraph_alone(listener: Listener) -> None:
    """Checked below our guard, on a bare pyoxigraph Store: FROM names a graph of the store and
    fetches nothing, but SERVICE does go to the network (pyoxigraph 0.5 has an HTTP client).
    That is why SERVICE is refused before a query reaches the engine, and FROM is not."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.add(
        pyoxigraph.Quad(
            pyoxigraph.NamedNode("urn:a"), pyoxigraph.NamedNode("urn:b"), pyoxigraph.Literal("c")
        )
    )
    base = f"http://127.0.0.1:{listener.port}"
    assert list(store.query(f"SELECT * FROM <{base}/g> WHERE {{ ?s ?p ?o }}")) == []
    assert listener.connections == []
    with pytest.raises(OSError):
        list(store.query(f"SELECT * WHERE {{ SERVICE <{base}/> {{ ?s ?p ?o }} }}"))
    assert len(listener.connections) == 1, "pyoxigraph's SERVICE reached the network"


def test_safe_queries_with_the_words_in_strings_or_names_still_run() -> None:
    session = Session()
    rows = session.sparql(
        'PREFIX ex: <http://example.org/> SELECT ?from ?service WHERE { BIND("SERVICE <http://x/> FROM" AS ?from) '
        "BIND(ex:load AS ?service) } ORDER BY ?from"
    )
    assert len(rows) == 1 and rows.rows[0][0].startswith("SERVICE")


def test_stored_queries_are_checked(tmp_path) -> None:
    (tmp_path / "bad.rq").write_text(
        "#+ summary: bad\nSELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } ORDER BY ?s\n"
    )
    session = Session(queries=tmp_path)
    with pytest.raises(UnsafeQueryError):
        session.query("bad")


def test_default_graph_semantics_are_pinned(tmp_path) -> None:
    """A TriG file keeps its graphs (issue #21): the default graph is the union of the file's
    default graph and its named graphs, each triple once; with a plain default graph, only the
    file's default graph. Both engines alike (tests/query/test_dataset.py has the rest)."""
    trig = tmp_path / "named.trig"
    trig.write_text("<urn:g> { <urn:s> <urn:p> <urn:o> . <urn:d> <urn:p> <urn:o> . }\n"
                    "<urn:d> <urn:p> <urn:o> .\n")
    for engine in ("oxigraph", "rdflib"):
        session = Session(files=[trig], engine=engine)
        rows = session.sparql("SELECT ?s WHERE { ?s <urn:p> <urn:o> } ORDER BY ?s")
        assert [r[0] for r in rows.rows] == ["urn:d", "urn:s"], engine
        assert session.sparql("ASK { GRAPH <urn:g> { <urn:s> ?p ?o } }") is True, engine
        plain = Session(files=[trig], engine=engine, union_default_graph=False)
        rows = plain.sparql("SELECT ?s WHERE { ?s <urn:p> <urn:o> } ORDER BY ?s")
        assert [r[0] for r in rows.rows] == ["urn:d"], engine
