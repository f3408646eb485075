"""The one SPARQL text check (issue #20, deliverable 2): what it refuses in every spelling, what
it lets through, and that it reads any text in time linear in its length.

Oxigraph reads keywords without word boundaries (``trueSERVICE<…>{…}``, ``SERVICE:x{…}``) and
decodes ``\\u`` only inside strings and IRIs; rdflib decodes the whole text first. The check
reads the text both ways, with a lexer that tells an IRI from a less-than as the grammar does.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from clustergraph.sparql_check import check_sparql, scan_sparql

URL = "http://127.0.0.1:9/sparql"

REFUSED = {
    "SERVICE": f"SELECT * WHERE {{ SERVICE <{URL}> {{ ?s ?p ?o }} }}",
    "lowercase": f"select * where {{ service <{URL}> {{ ?s ?p ?o }} }}",
    "mixed case, SILENT": f"SELECT * WHERE {{ SeRvIcE SILENT <{URL}> {{ ?s ?p ?o }} }}",
    "\\u escape": f"SELECT * WHERE {{ SERVIC\\u0045 <{URL}> {{ ?s ?p ?o }} }}",
    "\\U escape": f"SELECT * WHERE {{ \\U00000053ERVICE <{URL}> {{ ?s ?p ?o }} }}",
    "a prefixed name": f"PREFIX : <{URL}> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}",
    "glued to a literal": f"SELECT * WHERE {{ ?s ?p trueSERVICE<{URL}>{{ ?s ?p ?o }} }}",
    "glued to SILENT": f"SELECT * WHERE {{ SERVICESILENT<{URL}>{{ ?s ?p ?o }} }}",
    "glued, prefixed": f"PREFIX : <{URL}> SELECT * WHERE {{ ?s ?p falseSERVICE:x{{ ?s ?p ?o }} }}",
    "after a comment": f"SELECT * WHERE {{ # }}\nSERVICE#x\n<{URL}>{{ ?s ?p ?o }} }}",
    "in a sub-query": f"SELECT * WHERE {{ {{ SELECT * {{ SERVICE <{URL}> {{ ?s ?p ?o }} }} }} }}",
    "behind an escaped quote": f'SELECT * WHERE {{ ?s ?p "\\u0022 }} SERVICE <{URL}> {{ ?s ?p ?o }} #" }}',
    "behind a less-than": f"SELECT * WHERE {{ ?s ?p ?x FILTER(?x<'a>b' || true) "
                          f"SERVICE <{URL}> {{ ?s ?p ?o }} #'\n}}",
    "LOAD": f"LOAD <{URL}>",
    "INSERT": "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "DELETE": "DELETE WHERE { ?s ?p ?o }",
    "WITH": "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "CLEAR": "CLEAR ALL",
    "CREATE": "CREATE GRAPH <urn:g>",
    "DROP": "DROP ALL",
    "COPY": "COPY <urn:a> TO <urn:b>",
    "MOVE": "MOVE <urn:a> TO <urn:b>",
    "ADD": "ADD <urn:a> TO <urn:b>",
}

ACCEPTED = {
    "FROM": f"SELECT * FROM <{URL}> WHERE {{ ?s ?p ?o }}",
    "FROM NAMED": f"SELECT * FROM NAMED <{URL}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "keywords in strings": 'SELECT * WHERE { BIND("SERVICE <x> {} LOAD INSERT" AS ?x) }',
    "keywords in long strings": "SELECT * WHERE { BIND('''SERVICE\n<x> {}''' AS ?x) }",
    "keywords in IRIs and names": "PREFIX ex: <http://ex.org/service/> "
                                  "SELECT * WHERE { ?s ex:service <http://x/load#insert> }",
    "keywords in comments": "SELECT * WHERE { ?s ?p ?o } # SERVICE <x> { } LOAD",
    "keywords as variables": "SELECT ?service ?load WHERE { ?service ?load ?with }",
    "a quote in an IRI of a collection": "SELECT * WHERE { ?s ?p (?x <http://x/O'Neill>) }",
    "a hash IRI in a VALUES row": "SELECT * WHERE { VALUES (?a ?b) { (<http://x#a> <http://x#b>) } }",
    "a less-than in a projection": "SELECT (?a<'x' AS ?y) (EXISTS { ?s ?p ?o } AS ?e) "
                                   "WHERE { ?a ?b ?c }",
}


@pytest.mark.parametrize("case", list(REFUSED))
def test_refused_in_every_spelling(case: str) -> None:
    keyword = case if case.isupper() else "SERVICE"
    assert keyword in check_sparql(REFUSED[case])


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_let_through(case: str) -> None:
    assert check_sparql(ACCEPTED[case]) == ()


#: Texts that made the old lexer quadratic (an unterminated string retried at every position),
#: and others built to try the new one.
HOSTILE = {
    "unterminated strings": 'SELECT * WHERE { "a\\' * 50_000,
    "unterminated long strings": "SELECT * WHERE { '''" + "\\'''" * 40_000,
    "unclosed IRIs": "SELECT * WHERE { " + "<a " * 60_000,
    "words": "SELECT * WHERE { " + "x " * 100_000,
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_a_hostile_text_is_read_at_once(case: str) -> None:
    """Through the command (which reads the query's form and checks it): exit 2 for the bad
    syntax, within a bound that only a non-linear reading exceeds (main: > 100 s for the
    first)."""
    done = subprocess.run([sys.executable, "-m", "clustergraph", "sparql", "-"],
                          input=HOSTILE[case], capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 2, done.stderr[-300:]
    assert "Traceback" not in done.stderr


def test_both_readings_are_scanned() -> None:
    """As written, \\u0022 is inside a string (Oxigraph); decoded, it closes it (rdflib)."""
    text = 'ASK { ?s ?p "\\u0022 } SERVICE <x> { ?s ?p ?o } #" }'
    assert scan_sparql(text).refused == ("SERVICE",)
