"""The one text check of every SPARQL query we run: stored, typed, served, and inside shapes.

It refuses what could reach beyond the loaded graph or crash a parser, before any engine sees
the text:

- SERVICE, in any spelling: any case, behind a ``\\u`` escape, glued to a neighbour
  (Oxigraph reads ``trueSERVICE<…>{…}`` and ``SERVICE:x{…}`` as SERVICE clauses, so a word or a
  prefix that *contains* SERVICE is refused);
- the update keywords (INSERT, DELETE, LOAD, CLEAR, CREATE, DROP, COPY, MOVE, ADD, WITH, USING);
- nesting of ``( ) [ ] { }`` (and ``<< >>``) deeper than `MAX_NESTING` levels, and more than
  `MAX_OPERATORS` operators and graph patterns: Oxigraph's recursive parser crashes the process
  (SIGSEGV) at about 250 nested ``[`` or 2,500 BINDs in a group, rdflib's raises RecursionError.

FROM and FROM NAMED are *not* refused: they name graphs of the store (Oxigraph fetches nothing
for them, and rdflib fetches nothing while ``SPARQL_LOAD_GRAPHS`` is off, as we keep it).

The text is read twice, as each engine reads it: as written (Oxigraph decodes ``\\u`` only inside
strings and IRIs) and after SPARQL's ``\\u`` pre-pass (rdflib, so pySHACL, decodes the whole text
first). Both readings use one lexer that tells strings, IRIs and comments from code as the
grammar does, including ``<``, which is a less-than only after an operand inside an expression.
The scan is linear in the text's length (an unterminated long string is searched for its end
once per quote kind, not once per position).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from clustergraph.errors import InputError, UnsafeQueryError

__all__ = [
    "MAX_NESTING",
    "MAX_OPERATORS",
    "REFUSED_KEYWORDS",
    "QueryTooComplexError",
    "SparqlScan",
    "SparqlToken",
    "check_sparql",
    "scan_sparql",
    "sparql_tokens",
    "unescape_codepoints",
]

#: The deepest nesting of ( ) [ ] { } << >> together that any query may have.
MAX_NESTING = 64
#: The most operators (|| && = != < > <= >= + - * / | ^) and graph patterns (each group, and
#: OPTIONAL, MINUS, UNION, FILTER, BIND, GRAPH, SERVICE, VALUES, LATERAL) a query may have:
#: each makes the parsed query one level deeper in Oxigraph (about 2,500 BINDs crash it).
MAX_OPERATORS = 1000

_READ_ONLY = "updates are refused: the embedded store is read-only"
#: The keywords refused, with the reason given.
REFUSED_KEYWORDS = {
    "SERVICE": "SERVICE would send part of the query to another endpoint",
    "LOAD": "LOAD would fetch a document from the network or the file system",
    **{
        keyword: _READ_ONLY
        for keyword in (
            "INSERT", "DELETE", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH", "USING"
        )
    },
}


class QueryTooComplexError(UnsafeQueryError, InputError):
    """A query nested deeper, or with more operators, than the documented limits (exit 2; the
    server answers 400). An `InputError`, and an `UnsafeQueryError` for callers that catch those."""


@dataclass(frozen=True)
class SparqlScan:
    """What the check found: the refused keywords (in order), the deepest nesting, the count
    of operators and graph patterns (the larger of the two readings)."""

    refused: tuple[str, ...]
    depth: int
    operators: int

    def limit_exceeded(self) -> str | None:
        """Which limit the text exceeds, in words naming it; None when it is within both."""
        if self.depth > MAX_NESTING:
            return (f"it nests ( ) [ ] {{ }} more than {MAX_NESTING} levels deep, the limit "
                    "(deeper nesting can crash the SPARQL engines); write it flatter")
        if self.operators > MAX_OPERATORS:
            return (f"it has more than {MAX_OPERATORS} operators and graph patterns, the "
                    "limit (longer chains can crash the SPARQL engines); split it")
        return None


_UNICODE_ESCAPE_RE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


def unescape_codepoints(text: str) -> str:
    """The text after SPARQL's \\u / \\U pre-pass (which rdflib runs before parsing)."""

    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return m.group(0)

    return _UNICODE_ESCAPE_RE.sub(repl, text)


_TOKEN = re.compile(
    r"""
    (?P<ws>[ \t\r\n]+)
  | (?P<comment>\#[^\r\n]*)
  | (?P<string>"(?:[^"\\\n\r]|\\[^\n\r])*"|'(?:[^'\\\n\r]|\\[^\n\r])*')
  | (?P<broken>["'][^\r\n]*)
  | (?P<var>[?$][\w\u00b7]+)
  | (?P<bnode>_:[\w.\-]*\w|_:\w)
  | (?P<langtag>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<pname>(?:[A-Za-z\u00c0-\U0010ffff][\w.\-\u00b7]*)?:(?:[\w:%\-\u00b7]|\\.|\.(?=[\w:%\-\u00b7]))*)
  | (?P<number>[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?))
  | (?P<word>[A-Za-z_\u00c0-\U0010ffff][\w\-]*)
  | (?P<op>\^\^|&&|\|\||!=|<=|>=|>>|[{}()\[\].,;*/+\-<>=!|^?~@])
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_IRI = re.compile(r"""<(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>""")
_LONG = {
    '"': re.compile(r'"""(?:[^"\\]|\\.|"(?!""))*"""', re.DOTALL),
    "'": re.compile(r"'''(?:[^'\\]|\\.|'(?!''))*'''", re.DOTALL),
}

# What an opening bracket is the start of.
_EXPR, _GROUP, _DATA, _LIST, _BNODE, _TRIPLE = "expr", "group", "data", "list", "bnode", "triple"
_OPENERS = {"(", "[", "{", "<<"}
_CLOSERS = {")", "]", "}", ">>"}
_BINARY = {"||", "&&", "=", "!=", "<", ">", "<=", ">=", "+", "-", "*", "/", "|", "^"}
_PATTERN_WORDS = {"OPTIONAL", "MINUS", "UNION", "FILTER", "BIND", "GRAPH", "SERVICE", "VALUES",
                  "LATERAL"}
_OPERAND_ENDS = {"var", "string", "number", "iri", "pname", "langtag", "bnode"}
_OPERAND_WORDS = {"TRUE", "FALSE", ")"}
#: Words after which a ( opens a list of expressions (a projection, GROUP BY, ORDER BY, HAVING).
_CLAUSE_WORDS = {"SELECT", "HAVING", "BY"}
_CLAUSE_ENDS = {"WHERE", "FROM", "LIMIT", "OFFSET", "VALUES"}


def _refused_in(kind: str, upper: str) -> str | None:
    """The refused keyword a word or prefixed name spells, or None."""
    if kind == "word":
        if upper in REFUSED_KEYWORDS and upper != "SERVICE":
            return upper
        return "SERVICE" if "SERVICE" in upper else None
    if kind == "pname" and "SERVICE" in upper[: upper.index(":")]:
        return "SERVICE"
    return None


@dataclass(frozen=True, slots=True)
class SparqlToken:
    """One token: its kind (``ws``, ``comment``, ``string``, ``broken`` for an unterminated
    string, ``iri``, ``var``, ``bnode``, ``langtag``, ``pname``, ``number``, ``word``, ``op``,
    ``other``), its text, its offset, what encloses it (``expr``, ``group``, ``data``, ``list``,
    ``bnode``, ``triple``, or "" at the top) and the nesting depth after it."""

    kind: str
    text: str
    start: int
    inside: str
    depth: int


def sparql_tokens(text: str) -> Iterator[SparqlToken]:
    """The tokens of a SPARQL text as the grammar reads it (whitespace and comments included),
    in one linear pass; ``<`` is a less-than only after an operand inside an expression."""
    stack: list[tuple[str, bool]] = []  # (what the bracket opens, the clause flag outside it)
    prev_kind = prev = before_prev = ""
    in_clause = after_values = False
    no_end_after = {'"': len(text), "'": len(text)}  # a long string from here on never ends
    pos, end_of_text = 0, len(text)
    while pos < end_of_text:
        char = text[pos]
        top = stack[-1][0] if stack else ""
        if char == "<":
            # a less-than only after an operand inside an expression; elsewhere an IRI (or <<)
            less_than = top == _EXPR and (prev_kind in _OPERAND_ENDS or prev in _OPERAND_WORDS)
            iri = None if less_than else _IRI.match(text, pos)
            if iri is not None:
                kind, end = "iri", iri.end()
            elif not less_than and text.startswith("<<", pos):
                kind, end = "op", pos + 2
            else:
                kind, end = "op", pos + (2 if text.startswith("<=", pos) else 1)
        elif char in "\"'" and text.startswith(char * 3, pos):
            long = _LONG[char].match(text, pos) if pos < no_end_after[char] else None
            if long is not None:
                kind, end = "string", long.end()
            else:  # as the parsers do: an empty string, then a string from the third quote
                no_end_after[char] = min(no_end_after[char], pos)
                kind, end = "string", pos + 2
        else:
            m = _TOKEN.match(text, pos)
            assert m is not None  # `other` matches any character
            kind, end = m.lastgroup or "other", m.end()
        value = text[pos:end]
        start, pos = pos, end
        if kind in ("ws", "comment"):
            yield SparqlToken(kind, value, start, top, len(stack))
            continue
        upper = value.upper()
        if kind in ("word", "pname"):
            if upper in _CLAUSE_WORDS:
                in_clause = True
            elif upper in _CLAUSE_ENDS:
                in_clause = False
            if upper == "VALUES":
                after_values = True
        elif kind == "op" and value in _OPENERS:
            opened = _opens(value, top, prev_kind, prev, before_prev, in_clause, after_values)
            stack.append((opened, in_clause))
            if value == "{":
                in_clause = after_values = False
        elif kind == "op" and value in _CLOSERS and (value != ">>" or top == _TRIPLE) and stack:
            in_clause = stack.pop()[1]
        yield SparqlToken(kind, value, start, top, len(stack))
        before_prev, prev_kind, prev = prev, kind, upper


def _scan_reading(text: str) -> SparqlScan:
    """One reading of the text (as written, or decoded): its refused keywords, depth, operators."""
    refused: dict[str, None] = {}
    depth = operators = 0
    for token in sparql_tokens(text):
        kind, value = token.kind, token.text
        if kind in ("word", "pname"):
            upper = value.upper()
            keyword = _refused_in(kind, upper)
            if keyword is not None:
                refused.setdefault(keyword, None)
            if upper in _PATTERN_WORDS:
                operators += 1
        elif (kind == "number" and value[0] in "+-" and token.inside == _EXPR
              or kind == "op" and (value == "{" or value in _BINARY)):
            operators += 1  # a signed number in an expression may be a binary + or -
        depth = max(depth, token.depth)
        if depth > MAX_NESTING or operators > MAX_OPERATORS:
            break
    return SparqlScan(tuple(refused), depth, operators)


def _opens(bracket: str, top: str, prev_kind: str, prev: str, before_prev: str,
           in_clause: bool, after_values: bool) -> str:
    """What an opening bracket starts, from where it stands (see `_scan_reading`)."""
    if bracket == "{":
        return _DATA if after_values else _GROUP
    if bracket == "[":
        return _BNODE
    if bracket == "<<":
        return _TRIPLE
    if top == _EXPR:
        return _EXPR
    if top in (_DATA, _LIST, _TRIPLE) or after_values:
        return _LIST
    if in_clause:
        return _EXPR
    if prev_kind == "word":
        return _LIST if prev == "A" else _EXPR
    if prev_kind in ("iri", "pname") and before_prev == "FILTER":
        return _EXPR  # FILTER <function>(…)
    return _LIST  # a collection or a path group


def scan_sparql(text: str) -> SparqlScan:
    """Scan a SPARQL text as written and after the \\u pre-pass; the union of what both found."""
    readings = [_scan_reading(text)]
    if "\\u" in text or "\\U" in text:
        readings.append(_scan_reading(unescape_codepoints(text)))
    refused = dict.fromkeys(k for r in readings for k in r.refused)
    return SparqlScan(tuple(refused), max(r.depth for r in readings),
                      max(r.operators for r in readings))


def check_sparql(text: str, subject: str = "the query") -> tuple[str, ...]:
    """The refused keywords of a SPARQL text (empty when none); raises `QueryTooComplexError`
    naming the limit when `subject` nests too deep or has too many operators."""
    scan = scan_sparql(text)
    exceeded = scan.limit_exceeded()
    if exceeded is not None:
        raise QueryTooComplexError(f"{subject} is refused: {exceeded}")
    return scan.refused
