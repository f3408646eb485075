"""Finding 8 and the parser half of finding 10 (issue #20): nesting is bounded before a parser
can fail on it.

The safety check used rdflib's parser, which raised RecursionError (exit 3) on a valid query
with 40 nested groups; Oxigraph's parser crashes the process (SIGSEGV) at about 250 nested
``[`` or 2,500 BINDs. The check is now lexical: a query within `MAX_NESTING` levels and
`MAX_OPERATORS` operators runs, one beyond is refused with exit 2 naming the limit, at once.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from clustergraph.sparql_check import MAX_NESTING, MAX_OPERATORS


def _sparql(text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "clustergraph", "sparql", "-"], input=text,
                          capture_output=True, text=True, timeout=60, check=False)


def _groups(levels: int) -> str:
    """A valid query whose WHERE group holds `levels` - 1 more nested groups."""
    return "SELECT * WHERE " + "{" * levels + " ?s ?p ?o " + "}" * levels + " LIMIT 1"


ACCEPTED = {
    "40 nested groups (RecursionError on main)": _groups(40),
    f"{MAX_NESTING} nested groups, the limit": _groups(MAX_NESTING),
    "30 nested parentheses": "ASK { FILTER(" + "(" * 30 + "true" + ")" * 30 + ") }",
}

REFUSED = {
    f"{MAX_NESTING + 1} nested groups": (_groups(MAX_NESTING + 1), str(MAX_NESTING)),
    "5,000 nested groups (a worker crash)": (_groups(5000), str(MAX_NESTING)),
    "300 nested blank nodes (SIGSEGV in Oxigraph)": (
        "SELECT * WHERE { ?s ?p " + "[ ?p " * 300 + "?o" + " ]" * 300 + " }", str(MAX_NESTING)),
    "5,000 nested parentheses": (
        "ASK { FILTER(" + "(" * 5000 + "true" + ")" * 5000 + ") }", str(MAX_NESTING)),
    "unclosed nesting": ("SELECT * WHERE " + "{" * 5000, str(MAX_NESTING)),
    "3,000 BINDs in a group (SIGSEGV in Oxigraph)": (
        "SELECT * WHERE { " + "".join(f"BIND({i} AS ?v{i}) " for i in range(3000)) + "}",
        str(MAX_OPERATORS)),
    "8,000 additions (SIGSEGV in Oxigraph)": (
        "SELECT * WHERE { BIND(0" + " + 1" * 8000 + " AS ?n) }", str(MAX_OPERATORS)),
    "parentheses behind a less-than that looks like an IRI": (
        "ASK { FILTER(1<" + "(" * 5000 + "2" + ")" * 5000 + "&&3>2) }", str(MAX_NESTING)),
}


@pytest.mark.parametrize("case", list(ACCEPTED))
def test_queries_within_the_limits_run(case: str) -> None:
    done = _sparql(ACCEPTED[case])
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("case", list(REFUSED))
def test_queries_beyond_the_limits_are_refused_with_exit_2_naming_the_limit(case: str) -> None:
    text, limit = REFUSED[case]
    done = _sparql(text)
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert f"more than {limit} " in done.stderr and ", the limit" in done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
