"""Finding 1 and deliverable 2 (issue #20): no SPARQL in a shapes file reaches the network, on
any engine path, in any way a query can name a remote address.

A loopback listener (support/listener.py) records every connection. Each way is put in a
shapes file and validated on each engine path (the default, --engine pyshacl, --inference rdfs,
--inference owlrl: the last three run pySHACL, which runs rdflib's SPARQL engine). SERVICE and
LOAD are refused before anything runs (exit 2); FROM and FROM NAMED are not refused (they name
graphs of the store) and fetch nothing. Behind the check, the pySHACL run itself has the network
closed (`clustergraph.validation.offline`): shown by calling it with shapes the check would
have refused.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from support.cli_support import run_command
from support.listener import Listener, listener

from clustergraph.errors import InputError

PATHS = {
    "default": [],
    "--engine pyshacl": ["--engine", "pyshacl"],
    "--inference rdfs": ["--inference", "rdfs"],
    "--inference owlrl": ["--inference", "owlrl"],
}

SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex: a owl:Ontology ; sh:declare [ sh:prefix "remote" ; sh:namespace "URL/"^^xsd:anyURI ] .
ex:OfflineShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    {shape} .
"""

#: A way to name the listener -> (the shape's text, refused).
WAYS = {
    "SERVICE": ('sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <URL> { $this ?p ?o } }" ]',
                True),
    "SERVICE behind a \\u escape": (
        'sh:sparql [ sh:select "SELECT $this WHERE { SERVIC\\\\u0045 <URL> { $this ?p ?o } }" ]',
        True),
    "service in lower case": (
        'sh:sparql [ sh:select "select $this where { service <URL> { $this ?p ?o } }" ]', True),
    "SERVICE with a prefixed IRI": (
        ('sh:sparql [ sh:prefixes ex: ; '
        'sh:select "SELECT $this WHERE { SERVICE remote:sparql { $this ?p ?o } }" ]'), True),
    "SERVICE glued to a prefixed IRI": (
        ('sh:sparql [ sh:prefixes ex: ; '
        'sh:select "SELECT $this WHERE { $this ?p trueSERVICE:x{ $this ?p ?o } }" ]'), True),
    "LOAD": ('sh:sparql [ sh:select "LOAD <URL>" ]', True),
    "SERVICE in a validator's sh:ask": (
        ('ex:reach true .\n'
        'ex:Reaching a sh:ConstraintComponent ; sh:parameter [ sh:path ex:reach ] ;\n'
        '  sh:validator [ a sh:SPARQLAskValidator ;\n'
        '    sh:ask "ASK { SERVICE <URL> { $this ?p ?o } }" ]'), True),
    "SERVICE in a SPARQL-based target": (
        ('sh:target [ a sh:SPARQLTarget ; '
        'sh:select "SELECT ?this WHERE { SERVICE <URL> { ?this ?p ?o } }" ]'), True),
    "SERVICE in a rule's sh:construct": (
        ('sh:rule [ a sh:SPARQLRule ; '
        'sh:construct "CONSTRUCT { $this ?p ?o } WHERE { SERVICE <URL> { $this ?p ?o } }" ]'),
        True),
    "FROM": ('sh:sparql [ sh:select "SELECT $this FROM <URL> WHERE { $this ?p ?o }" ]', False),
    "FROM NAMED": (('sh:sparql [ sh:select '
                   '"SELECT $this FROM NAMED <URL> WHERE { GRAPH ?g { $this ?p ?o } }" ]'), False),
    "FROM with a prefixed IRI": (
        ('sh:sparql [ sh:prefixes ex: ; '
        'sh:select "SELECT $this FROM remote:g WHERE { $this ?p ?o }" ]'), False),
    "FROM in a SPARQL-based target": (
        ('sh:target [ a sh:SPARQLTarget ; '
        'sh:select "SELECT ?this FROM <URL> WHERE { ?this ?p ?o }" ]'), False),
}


def _files(tmp_path: Path, shape: str, port: int) -> tuple[Path, Path]:
    shapes = tmp_path / "shapes.ttl"
    url = f"http://127.0.0.1:{port}/sparql"
    shapes.write_text(SHAPES.replace("{shape}", shape).replace("URL", url))
    data = tmp_path / "data.ttl"
    data.write_text("<http://example.org/a> a <http://example.org/Thing> ; "
                    "<http://example.org/p> 1 .\n")
    return data, shapes


@pytest.mark.slow
@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("way", list(WAYS))
def test_no_way_of_naming_a_remote_address_reaches_it(way: str, path: str, listener: Listener,
                                                     tmp_path: Path, run) -> None:
    shape, refused = WAYS[way]
    data, shapes = _files(tmp_path, shape, listener.port)
    code, out, err = run("validate", str(data), "--shapes", str(shapes), "--no-queries",
                         *PATHS[path])
    time.sleep(0.2)  # a connection in flight is accepted by now
    assert listener.connections == [], (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if refused:
        assert code == 2, out + err
        assert str(shapes) in err and "refused, nothing was run" in err, err
        assert ("ex:OfflineShape" in err or "ex:Reaching" in err), err  # whose SPARQL it is
    else:
        assert "refused" not in err, err  # FROM names a graph: not refused, fetches nothing
        assert code in (0, 1, 2), out + err


@pytest.mark.parametrize("way", ["SERVICE behind a \\u escape", "FROM", "FROM NAMED"])
def test_the_pyshacl_run_itself_has_the_network_closed(way: str, listener: Listener,
                                                       tmp_path: Path) -> None:
    """Below the check (`pyshacl_report` is what --engine pyshacl runs once the shapes passed
    it): rdflib's SERVICE and FROM fetch nothing, and nothing stays patched afterwards."""
    import urllib.request

    import rdflib.parser
    import rdflib.plugins.sparql as rdflib_sparql
    import rdflib.plugins.sparql.evaluate as rdflib_evaluate

    from clustergraph.validation.backends import pyshacl_report

    before = (rdflib_sparql.SPARQL_LOAD_GRAPHS, rdflib_evaluate.urlopen, rdflib.parser._urlopen,
              urllib.request.urlopen)
    data, shapes = _files(tmp_path, WAYS[way][0], listener.port)
    try:
        pyshacl_report([data], shapes, "none")
    except InputError as exc:  # SERVICE: refused to open; FROM NAMED: a graph, not a dataset
        assert str(shapes) in str(exc) or "refused to open" in str(exc)
    time.sleep(0.2)
    assert listener.connections == []
    after = (rdflib_sparql.SPARQL_LOAD_GRAPHS, rdflib_evaluate.urlopen, rdflib.parser._urlopen,
             urllib.request.urlopen)
    assert after == before
