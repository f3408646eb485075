"""The text of SHACL-SPARQL queries: pre-binding (SHACL 5.3.1) and the forms SHACL forbids."""

from __future__ import annotations

import pyoxigraph
import pytest

from clustergraph.shacl.sparql_text import (
    fill_prebinding,
    forbidden_forms,
    prebinding_template,
    prebound,
)

THIS = {"this": "<http://example.org/a>"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "SELECT $this ?value WHERE { $this <http://example.org/p> ?value }",
            "SELECT  ?value WHERE { <http://example.org/a> <http://example.org/p> ?value }",
        ),
        (
            "SELECT $this WHERE { { FILTER ($this = <http://example.org/a>) } }",
            "SELECT  (1 AS ?cgPrebound1) WHERE { { FILTER (<http://example.org/a> = "
            "<http://example.org/a>) } }",
        ),
        (
            "SELECT $this WHERE { BIND ($this AS ?x) FILTER bound($this) }",
            "SELECT  (1 AS ?cgPrebound1) WHERE { BIND (<http://example.org/a> AS ?x) FILTER (true) }",
        ),
        (
            "SELECT ($this AS ?value) WHERE { $this ?p ?o } GROUP BY $this ORDER BY $this",
            "SELECT (<http://example.org/a> AS ?value) WHERE { <http://example.org/a> ?p ?o } "
            "GROUP BY (<http://example.org/a>) ORDER BY (<http://example.org/a>)",
        ),
        (
            'SELECT $this WHERE { $this ?p "$this" . # $this\n }',
            'SELECT  (1 AS ?cgPrebound1) WHERE { <http://example.org/a> ?p "$this" . # $this\n }',
        ),
    ],
)
def test_prebound_puts_the_term_everywhere(query: str, expected: str) -> None:
    assert prebound(query, THIS) == expected
    assert fill_prebinding(prebinding_template(query, THIS), THIS) == expected
    pyoxigraph.Store().query(expected)  # it parses


def test_a_sub_query_keeps_its_own_projection() -> None:
    query = "SELECT $this WHERE { { SELECT $this ?x WHERE { $this ?p ?x } } }"
    text = prebound(query, THIS)
    assert "SELECT  ?x WHERE" in text and "(1 AS ?cgPrebound1)" in text
    pyoxigraph.Store().query(text)


@pytest.mark.parametrize(
    ("query", "forbidden"),
    [
        ("SELECT $this WHERE { $this ?p ?o MINUS { $this ?q ?o } }", ["MINUS"]),
        ("SELECT $this WHERE { VALUES ?o { 1 } }", ["VALUES"]),
        ("SELECT $this WHERE { SERVICE <http://x> { ?s ?p ?o } }", ["SERVICE"]),
        ("SELECT $this WHERE { BIND (1 AS $this) }", ["AS $this"]),
        (
            "SELECT $this WHERE { { SELECT ?s WHERE { ?s ?p ?o } } }",
            ["a sub-query that does not return $this"],
        ),
        (
            "SELECT $this WHERE { { SELECT * WHERE { ?s ?p ?o } } }",
            ["a sub-query that does not return $this"],
        ),
        ("ASK { { SELECT ?s WHERE { ?s ?p ?o } } }", ["a sub-query that does not return $this"]),
        ("SELECT $this WHERE { { SELECT $this WHERE { $this ?p ?o } } }", []),
        ('SELECT $this WHERE { $this ?p "MINUS VALUES" }', []),
    ],
)
def test_forbidden_forms(query: str, forbidden: list[str]) -> None:
    assert forbidden_forms(query) == forbidden
