"""The safety check of embedded queries: nothing we run reaches the network or the file system,
nor nests deep enough to crash a parser.

SERVICE (in every spelling) and every update (LOAD, INSERT, ...) are refused, and so is a query
beyond the nesting and operator limits; all by `clustergraph.sparql_check`, the one text check
of every query we run (stored, typed, served, and the SPARQL inside shapes). FROM and FROM NAMED
are not refused: they name graphs of the store, and our engines fetch nothing for them.
"""

from __future__ import annotations

from clustergraph.errors import UnsafeQueryError
from clustergraph.sparql_check import (
    MAX_NESTING,
    MAX_OPERATORS,
    REFUSED_KEYWORDS,
    QueryTooComplexError,
    check_sparql,
)

__all__ = [
    "MAX_NESTING",
    "MAX_OPERATORS",
    "UNSAFE_KEYWORDS",
    "QueryTooComplexError",
    "check_safe",
]

#: Keywords refused in embedded queries, with the reason (FROM is no longer one of them).
UNSAFE_KEYWORDS = REFUSED_KEYWORDS


def check_safe(text: str) -> None:
    """Refuse a query that would reach beyond the loaded graph (`UnsafeQueryError`), or that
    nests deeper or has more operators than the limits (`QueryTooComplexError`, exit 2).

    The check is lexical, on the text as written and after the \\u pre-pass (see
    `clustergraph.sparql_check`), linear in the text's length.
    """
    found = check_sparql(text)
    if found:
        keyword = found[0]
        raise UnsafeQueryError(
            f"{keyword} is not allowed in embedded queries: {UNSAFE_KEYWORDS[keyword]}. "
            "Run it against your own SPARQL endpoint with --endpoint instead."
        )
