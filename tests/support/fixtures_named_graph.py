"""A real Oxigraph server whose store holds the shipped graph in a named graph, not in the
default graph: the layout a `publish --graph IRI` leaves. Its default graph holds one marker
triple, so a query that reads the default graph instead of the named one gets another answer.
The server reuses `OxigraphServer` of fixtures_oxigraph_gsp; it must start, it is never skipped."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.fixtures_oxigraph_gsp import OxigraphServer, oxigraph_binary

#: The named graph that holds the shipped graph on the server.
NAMED_GRAPH = "https://w3id.org/clustergraph/graph/clustergraph"
#: The one triple of the server's default graph.
MARKER = '<urn:clustergraph:test:default> <urn:clustergraph:test:in> "the default graph" .\n'


def _load(location: Path, files: list[str], graph: str | None) -> None:
    args = [oxigraph_binary(), "load", "--location", str(location), "--file", *files]
    if graph is not None:
        args += ["--graph", graph]
    done = subprocess.run(args, capture_output=True, text=True, check=False, timeout=300)
    if done.returncode != 0:
        pytest.fail(f"oxigraph load failed ({done.returncode}):\n{done.stderr[-4000:]}")


@pytest.fixture(scope="session")
def named_graph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """`oxigraph serve` on a free loopback port: the shipped graph in `NAMED_GRAPH`, `MARKER`
    alone in the default graph."""
    from clustergraph.query.session import default_files

    folder = tmp_path_factory.mktemp("named-graph")
    marker = folder / "marker.nt"
    marker.write_text(MARKER, encoding="utf-8")
    location = folder / "db"
    _load(location, [str(f) for f in default_files()], NAMED_GRAPH)
    _load(location, [str(marker)], None)
    server = OxigraphServer(location)
    server.start()
    try:
        yield server
    finally:
        server.stop()
