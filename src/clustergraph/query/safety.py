"""The safety check of embedded queries: nothing we run reaches the network or the file system.

SERVICE, FROM, FROM NAMED and every update (LOAD, INSERT, ...) are refused, by a lexical check
(`clustergraph.query.lexer`) and a walk of rdflib's parse tree.
"""

from __future__ import annotations

from typing import Any

from clustergraph.errors import UnsafeQueryError
from clustergraph.query.lexer import significant_tokens, unescape_codepoints

__all__ = ["UNSAFE_KEYWORDS", "check_safe"]

_READ_ONLY = "updates are refused: the embedded store is read-only"
#: Keywords that only occur in a query that reads a remote/other graph, or in an update.
UNSAFE_KEYWORDS = {
    "SERVICE": "SERVICE would send part of the query to another endpoint",
    "FROM": "FROM / FROM NAMED would make the engine fetch or select other graphs",
    "LOAD": "LOAD would fetch a document from the network or the file system",
    **{
        keyword: _READ_ONLY
        for keyword in (
            "INSERT",
            "DELETE",
            "CLEAR",
            "DROP",
            "CREATE",
            "ADD",
            "MOVE",
            "COPY",
            "WITH",
            "USING",
        )
    },
}


def _keyword_findings(text: str) -> list[str]:
    return [
        token.text.upper()
        for token in significant_tokens(text)
        if token.kind == "word" and token.text.upper() in UNSAFE_KEYWORDS
    ]


def check_safe(text: str, *, parse: bool = True) -> None:
    """Refuse a query that would reach beyond the loaded graph (`UnsafeQueryError`).

    SERVICE, FROM, FROM NAMED and every update (LOAD, INSERT, ...) are refused. Two checks run:
    a lexical one (on the text as written and after the \\u pre-pass, so an escape cannot hide a
    keyword) and, when `parse` is true, a walk of rdflib's parse tree for service patterns and
    dataset clauses.
    """
    for view in (text, unescape_codepoints(text)):
        found = _keyword_findings(view)
        if found:
            keyword = found[0]
            raise UnsafeQueryError(
                f"{keyword} is not allowed in embedded queries: {UNSAFE_KEYWORDS[keyword]}. "
                "Run it against your own SPARQL endpoint with --endpoint instead."
            )
    if parse:
        _check_parse_tree(text)


def _check_parse_tree(text: str) -> None:
    # rdflib with its SPARQL parser: ~0.17 s to import (python -X importtime); only for this
    # check of embedded queries (not for the lexical one, nor for queries sent to an endpoint)
    from pyparsing import ParseException
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.parserutils import CompValue

    try:
        tree = parseQuery(text)
    except ParseException:
        # Not parseable by rdflib: the lexical check has already passed; the engine reports
        # the syntax error itself.
        return

    def walk(node: Any) -> None:
        if isinstance(node, CompValue):
            if node.name == "ServiceGraphPattern":
                raise UnsafeQueryError(
                    "SERVICE is not allowed in embedded queries: it would send part of the query "
                    "to another endpoint. Run it against your own endpoint with --endpoint instead."
                )
            if node.name == "DatasetClause" or "datasetClause" in node:
                raise UnsafeQueryError(
                    "FROM / FROM NAMED is not allowed in embedded queries: the embedded store holds "
                    "one default graph and never fetches others."
                )
            for key in node:
                walk(dict.__getitem__(node, key))
        elif (
            isinstance(node, (list, tuple)) or hasattr(node, "asList") and not isinstance(node, str)
        ):
            for value in node:
                walk(value)

    walk(tree)
