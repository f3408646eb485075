"""What `validate` refuses or warns about before it validates anything.

A shapes file is code: its SHACL-SPARQL may not reach the network (SERVICE, LOAD), on any
engine (FROM and FROM NAMED fetch nothing: tests/validation/test_pyshacl_offline.py), and nothing may be sent while finding that out. A loopback listener (the one of
support/listener.py) records every connection attempt, so the test sees it if one is made. An input file without triples is
validated, but the user is told.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from support.cli_support import run_command  # noqa: F401  (the `run` fixture)
from support.listener import Listener

from clustergraph.files import paths

ENGINES = ["auto", "oxigraph", "pyshacl"]


@pytest.fixture()
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


SHAPE = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:ReachingShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    {constraint} .
"""

#: how the shapes reach out -> the constraint or target holding it
REACHING = {
    "SERVICE in a constraint": (
        "SERVICE",
        'sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <URL> { $this ?p ?o } }" ]',
    ),
    "LOAD in a constraint": (
        "LOAD",
        'sh:sparql [ sh:select "LOAD <URL>" ]',
    ),
    "SERVICE in a SPARQL target": (
        "SERVICE",
        'sh:target [ a sh:SPARQLTarget ; sh:select "SELECT ?this WHERE { SERVICE <URL> { ?this a ?c } }" ]',
    ),
    # SPARQL's \\u pre-pass turns SERVIC\\u0045 into SERVICE before parsing (rdflib runs it)
    "SERVICE written with a \\u escape (issue #20)": (
        "SERVICE",
        'sh:sparql [ sh:select "SELECT $this WHERE { SERVIC\\\\u0045 <URL> { $this ?p ?o } }" ]',
    ),
    "LOAD written with a \\U escape (issue #20)": (
        "LOAD",
        'sh:sparql [ sh:select "\\\\U0000004COAD <URL>" ]',
    ),
    "SERVICE glued to a literal (Oxigraph reads it as SERVICE)": (
        "SERVICE",
        'sh:sparql [ sh:select "SELECT $this WHERE { $this ?p trueSERVICE<URL>{ $this ?p ?o } }" ]',
    ),
}


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", list(REACHING))
def test_shapes_whose_sparql_reaches_the_network_are_refused_before_anything_runs(
    case: str, engine: str, listener: Listener, tmp_path: Path, run
):
    keyword, constraint = REACHING[case]
    url = f"http://127.0.0.1:{listener.port}/sparql"
    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(SHAPE.replace("{constraint}", constraint.replace("URL", url)))
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> a <http://example.org/Thing> .\n")
    code, out, err = run("validate", str(data), "--shapes", str(shapes), "--engine", engine)
    assert code == 2, out + err
    assert "ex:ReachingShape" in err and keyword in err and str(shapes) in err
    assert "Traceback" not in err
    assert listener.connections == []


def test_a_file_without_triples_is_validated_with_a_warning_naming_it(tmp_path: Path, run):
    empty = tmp_path / "empty.ttl"
    empty.write_text("# nothing here yet\n@prefix ex: <http://example.org/> .\n")
    code, out, err = run("validate", str(empty), "--no-queries")
    assert code == 0, out + err
    assert f"clustergraph: warning: {empty}: the file holds no triples" in err
    assert "conforms" in out


def test_files_with_triples_give_no_warning(run):
    code, out, err = run("validate", "--no-queries", *map(str, paths.data_files()))
    assert code == 0, out + err
    assert "warning: " not in err
