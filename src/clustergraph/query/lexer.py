"""A small SPARQL lexer: enough to tell strings, IRIs, comments and variables from keywords.

It finds a query's form (`query_form`), where its WHERE group opens (`where_brace`) and the
prefixes it uses without declaring them (`undeclared_prefixes`); the parameter binding
(`clustergraph.query.parameters`) reads queries through it. Its tokens are those of the safety
check's lexer (`clustergraph.sparql_check`), so both read a query alike; `unescape_codepoints`
(SPARQL's \\u pre-pass) is that module's.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from clustergraph.errors import QueryError
from clustergraph.sparql_check import sparql_tokens, unescape_codepoints

__all__ = [
    "FORMS",
    "Token",
    "query_form",
    "significant_tokens",
    "tokenize",
    "undeclared_prefixes",
    "unescape_codepoints",
    "where_brace",
]

#: The keywords that open a query form.
FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


@dataclass(frozen=True)
class Token:
    """One token: its kind (a group name of the lexer), its text and its offset in the query."""

    kind: str
    text: str
    start: int


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text, whitespace and comments included (kind ``ws``/``comment``),
    read by the lexer of the safety check (`clustergraph.sparql_check.sparql_tokens`): linear
    in the text's length, and ``<`` told apart as an IRI or a less-than as the grammar does."""
    for token in sparql_tokens(text):
        yield Token("string" if token.kind == "broken" else token.kind, token.text, token.start)


def significant_tokens(text: str) -> list[Token]:
    """The tokens of a text without whitespace and comments."""
    return [t for t in tokenize(text) if t.kind not in ("ws", "comment")]


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first form keyword outside the prologue (the
    text is read only up to it).

    >>> query_form("PREFIX s: <http://x/select#> # select\\nask { ?a s:b ?c }")
    'ASK'
    """
    for token in sparql_tokens(text):
        if token.kind == "word" and token.text.upper() in FORMS:
            return token.text.upper()
    raise QueryError("not a SPARQL query: no SELECT, CONSTRUCT, DESCRIBE or ASK found")


def where_brace(text: str) -> int:
    """The offset of the ``{`` that opens the query's WHERE group."""
    tokens = significant_tokens(text)
    form_index = next(
        (i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() in FORMS), None
    )
    if form_index is None:
        raise QueryError("not a SPARQL query: no SELECT, CONSTRUCT, DESCRIBE or ASK found")
    i = form_index + 1
    if tokens[form_index].text.upper() == "CONSTRUCT" and i < len(tokens) and tokens[i].text == "{":
        depth = 0
        while i < len(tokens):
            if tokens[i].text == "{":
                depth += 1
            elif tokens[i].text == "}":
                depth -= 1
                if depth == 0:
                    i += 1
                    break
            i += 1
    parens = 0
    while i < len(tokens):
        t = tokens[i]
        if t.text == "(":
            parens += 1
        elif t.text == ")":
            parens -= 1
        elif t.text == "{" and parens == 0:
            return t.start
        i += 1
    raise QueryError("cannot find the WHERE group of the query")


def undeclared_prefixes(text: str) -> list[str]:
    """The prefixes (``foo:``) the query uses without a ``PREFIX`` declaration, in order of use."""
    tokens = significant_tokens(text)
    declared: set[str] = set()
    used: list[str] = []
    for i, token in enumerate(tokens):
        if token.kind != "pname":
            continue
        prefix = token.text[: token.text.index(":") + 1]
        if i > 0 and tokens[i - 1].kind == "word" and tokens[i - 1].text.upper() == "PREFIX":
            declared.add(prefix)
        elif prefix not in declared and prefix not in used:
            used.append(prefix)
    return used
