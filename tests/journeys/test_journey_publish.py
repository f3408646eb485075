"""The data engineer's journey: `clustergraph publish` into a plain `oxigraph serve` (read-write,
no union-default-graph flag), then every stored query through `clustergraph query NAME
--endpoint URL/query` prints what the embedded store prints (issue #8, item 2).

`publish` is the installed command in a subprocess; the queries run in-process through
`clustergraph.cli.main`, with each query's defaults and the parameter cases of tests/golden.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from support.paths import GOLDEN

from clustergraph.export import canonical_ntriples
from clustergraph.cli import main
from clustergraph.query.catalogue import load_catalogue

pytestmark = pytest.mark.slow

CASES: dict[str, dict[str, dict[str, str]]] = json.loads((GOLDEN / "cases.json").read_text())
ALL_CASES = [(name, case) for name in sorted(CASES) for case in CASES[name]]
CATALOGUE = load_catalogue()


def clustergraph_command() -> str:
    """The installed `clustergraph` command beside this Python."""
    command = Path(sys.executable).parent / "clustergraph"
    assert command.exists(), f"the clustergraph command is not installed beside {sys.executable}"
    return str(command)


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """A plain `oxigraph serve` into which the installed command has published the graph."""
    from support.fixtures_oxigraph_gsp import OxigraphServer

    from clustergraph.export import build_export_graph

    server = OxigraphServer(tmp_path_factory.mktemp("journey") / "db")
    server.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_")}
    try:
        done = subprocess.run([clustergraph_command(), "publish", "--endpoint", server.url],
                              capture_output=True, text=True, env=env, check=False, timeout=300)
        assert done.returncode == 0, done.stderr
        triples = len(build_export_graph())
        assert done.stderr.startswith(f"published {triples} triples to the default graph at "), done.stderr
        yield server
    finally:
        server.stop()


def _printed(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    main(argv)
    return capsys.readouterr().out


def _answer(name: str, out: str) -> Any:
    """What a query printed, comparable: JSON rows, or the set of N-Triples lines."""
    if CATALOGUE[name].form in ("CONSTRUCT", "DESCRIBE"):
        return canonical_ntriples(out)  # the same graph whatever its blank nodes are called
    return json.loads(out)


@pytest.mark.parametrize(("name", "case"), ALL_CASES)
def test_published_graph_answers_every_stored_query_as_the_embedded_store(
    published: Any, name: str, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    params = [arg for key, value in CASES[name][case].items() for arg in ("-p", f"{key}={value}")]
    form = "ntriples" if CATALOGUE[name].form in ("CONSTRUCT", "DESCRIBE") else "json"
    embedded = _printed(["query", name, *params, "--format", form], capsys)
    remote = _printed(["query", name, *params, "--format", form, "--endpoint", f"{published.url}/query"],
                      capsys)
    assert _answer(name, remote) == _answer(name, embedded)
    assert embedded.strip() not in ("", "[]") or case in {"unknown-cluster", "unknown-initiative",
                                                          "nothing-in-the-pacific", "hostile-text"}


def test_publish_replaces_the_default_graph_and_leaves_no_staging_graph(published: Any) -> None:
    from clustergraph.publish import DEFAULT_GRAPH, staging_graph

    assert published.count(staging_graph(DEFAULT_GRAPH)) == 0
    assert published.count(DEFAULT_GRAPH) == 0  # nothing in a named graph: all in the default one
