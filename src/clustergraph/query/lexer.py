"""A small SPARQL lexer: enough to tell strings, IRIs, comments and variables from keywords.

It finds a query's form (`query_form`), where its WHERE group opens (`where_brace`) and the
prefixes it uses without declaring them (`undeclared_prefixes`); the safety check
(`clustergraph.query.safety`) and the parameter binding (`clustergraph.query.parameters`) read
queries through it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from clustergraph.errors import QueryError

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

_TOKEN_RE = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n\r]*)
  | (?P<string>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
              | '''(?:[^'\\]|\\.|'(?!''))*'''
              | "(?:[^"\\\n\r]|\\.)*"
              | '(?:[^'\\\n\r]|\\.)*')
  | (?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
  | (?P<var>[?$][\w\u00b7]+)
  | (?P<bnode>_:[\w.\-]*\w|_:\w)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z\u00c0-\uffff][\w.\-]*)?:(?:[\w:%\-]|\\.|\.(?=[\w:%\-]))*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_\u00c0-\uffff][\w\-]*)
  | (?P<op>\^\^|&&|\|\||!=|<=|>=|[{}()\[\].,;*/+\-<>=!|^?])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)

_UNICODE_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

#: The keywords that open a query form.
FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")


@dataclass(frozen=True)
class Token:
    """One token: its kind (a group name of the lexer), its text and its offset in the query."""

    kind: str
    text: str
    start: int


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text, whitespace and comments included (kind ``ws``/``comment``)."""
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), match.start())


def significant_tokens(text: str) -> list[Token]:
    """The tokens of a text without whitespace and comments."""
    return [t for t in tokenize(text) if t.kind not in ("ws", "comment")]


def unescape_codepoints(text: str) -> str:
    """The text after SPARQL's \\u / \\U pre-pass (which some engines run before parsing)."""

    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return m.group(0)

    return _UNICODE_ESCAPE_RE.sub(repl, text)


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first form keyword outside the prologue."""
    for token in significant_tokens(text):
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
