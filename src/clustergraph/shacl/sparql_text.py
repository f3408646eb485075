"""The text of SHACL-SPARQL queries: what they may not do, when one query can serve every focus
node at once, and message templates.

SHACL pre-binds `$this` to each focus node in turn. Run that way, a constraint costs one query
per focus node, and on Oxigraph each query can cost time proportional to the graph (an OPTIONAL
that does not mention `$this` is evaluated in full every time): quadratic overall. When `$this`
is only used where a join gives the same answers as pre-binding (the outer group, a nested
group's triple patterns, EXISTS), the engine instead runs the query once with the focus nodes as
a VALUES block joined at the start of the outer group, and sorts the rows per focus node.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import pairwise
from typing import Any

from pyoxigraph import Literal, NamedNode

from clustergraph.sparql_check import check_sparql, sparql_tokens

__all__ = [
    "absence_form",
    "fill_prebinding",
    "fill_template",
    "forbidden_forms",
    "prebinding_template",
    "prebound",
    "values_block",
    "variables",
    "with_focus_values",
]

#: Forms that SHACL (5.3.1) forbids in a SPARQL-based constraint.
_SHACL_FORBIDDEN = ("MINUS", "VALUES", "SERVICE")
_AGGREGATES = {"COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE", "GROUP_CONCAT", "GROUP"}
#: How the kinds of `clustergraph.sparql_check.sparql_tokens` read here (others are skipped).
_KINDS = {"var": "var", "word": "word", "pname": "word", "bnode": "word"}
_PUNCT = {"{", "}", "(", ")", "*"}


def _tokens(text: str) -> Iterator[tuple[str, str, int]]:
    """(kind, text, end offset) of the variables, words (prefixed names included) and the
    punctuation { } ( ) * of `text`: nothing inside strings, IRIs and comments. The lexer is
    the safety check's (`clustergraph.sparql_check`), linear in the text's length."""
    for token in sparql_tokens(text):
        kind = _KINDS.get(token.kind) or ("punct" if token.text in _PUNCT and token.kind == "op"
                                          else None)
        if kind is not None:
            yield kind, token.text, token.start + len(token.text)


def _words(text: str) -> list[str]:
    return [value.upper() for kind, value, _ in _tokens(text) if kind == "word"]


def variables(text: str) -> list[str]:
    """The names of the variables `text` mentions (outside strings, IRIs and comments)."""
    return [value[1:] for kind, value, _ in _tokens(text) if kind == "var"]


def forbidden_forms(text: str) -> list[str]:
    """What SHACL (5.3.1) forbids in a SPARQL-based constraint: MINUS, VALUES, SERVICE, a
    sub-query that does not return `$this`, and binding `$this` with AS; and what the safety
    check of every query we run refuses (`clustergraph.sparql_check`: SERVICE in any spelling,
    updates). A text beyond the check's nesting or operator limits raises its
    `QueryTooComplexError` (an `InputError`)."""
    found = set(check_sparql(text, "the SPARQL of a shape"))
    tokens = [(k, v.upper()) for k, v, _ in _tokens(text)]
    words = [v for k, v in tokens if k == "word"]
    found |= {w for w in words if w in _SHACL_FORBIDDEN}
    selects = [i for i, (k, v) in enumerate(tokens) if k == "word" and v == "SELECT"]
    forms = [v for k, v in tokens if k == "word" and v in ("SELECT", "ASK", "CONSTRUCT")]
    if forms and forms[0] == "SELECT":
        selects = selects[1:]  # the query itself
    for start in selects:
        projection = _projection(tokens, start)
        if not any(k == "var" and v[1:] == "THIS" for k, v in projection):
            found.add("a sub-query that does not return $this")
    for (k1, v1), (k2, v2) in pairwise(tokens):
        if v1 == "AS" and k2 == "var" and v2[1:] == "THIS":
            found.add("AS $this")
    return sorted(found)


def _projection(tokens: list[tuple[str, str]], select: int) -> list[tuple[str, str]]:
    """The tokens of a SELECT clause's projection (up to WHERE or the opening brace)."""
    out = []
    for kind, value in tokens[select + 1 :]:
        if value == "{" or (kind == "word" and value.upper() in ("WHERE", "FROM")):
            break
        out.append((kind, value))
    return out


def prebound(text: str, bindings: dict[str, str]) -> str:
    """The query with the pre-bound variables (name -> term in SPARQL syntax) replaced by their
    terms everywhere (nested groups, BIND, FILTER, sub-queries), as SHACL's pre-binding
    means; a bare pre-bound variable in a projection is dropped (a constant if nothing is left),
    one in GROUP BY or ORDER BY is put in parentheses, and `bound()` of one is true."""
    names = "|".join(re.escape(n) for n in bindings)
    text = re.sub(rf"\bBOUND\s*\(\s*[?$]({names})\s*\)", "(true)", text, flags=re.IGNORECASE)
    tokens = list(_tokens(text))
    out: list[str] = []
    at = 0
    in_projection = in_modifier = False
    kept = selects = 0
    for kind, value, end in tokens:
        start = end - len(value)
        upper = value.upper()
        if kind == "word":
            if upper == "SELECT":
                in_projection, kept, selects = True, 0, selects + 1
            elif upper in ("WHERE", "FROM") and in_projection:
                if kept == 0:
                    out.append(text[at:start] + f"(1 AS ?cgPrebound{selects}) ")
                    at = start
                in_projection = False
            elif upper in ("GROUP", "ORDER"):
                in_modifier = True
            elif upper in ("LIMIT", "OFFSET", "HAVING"):
                in_modifier = False
            elif in_projection and upper not in ("DISTINCT", "REDUCED"):
                kept += 1
        elif value in ("{", "}"):
            if value == "{" and in_projection:
                if kept == 0:
                    out.append(text[at:start] + f"(1 AS ?cgPrebound{selects}) ")
                    at = start
                in_projection = False
            in_modifier = False
        elif in_projection and kind != "var" or (in_projection and value[1:] not in bindings):
            kept += 1
        if kind == "var" and value[1:] in bindings:
            term = bindings[value[1:]]
            if in_projection and not _inside_parens(tokens, end, text):
                out.append(text[at:start])
            elif in_modifier:
                out.append(text[at:start] + f"({term})")
            else:
                out.append(text[at:start] + term)
            at = end
    out.append(text[at:])
    return "".join(out)


def prebinding_template(text: str, names: Iterable[str]) -> tuple[str, ...]:
    """`prebound` done once for any terms: the text split around the places of the variables
    (even items: text; odd items: a variable's name), for `fill_prebinding`."""
    filled = prebound(text, {name: f"\x00{name}\x00" for name in names})
    return tuple(filled.split("\x00"))


def fill_prebinding(template: tuple[str, ...], terms: dict[str, str]) -> str:
    """The query of a `prebinding_template` with each variable's term (in SPARQL syntax)."""
    return "".join(part if i % 2 == 0 else terms[part] for i, part in enumerate(template))


def _inside_parens(tokens: list[tuple[str, str, int]], end: int, text: str) -> bool:
    """True when the token ending at `end` is inside parentheses of its SELECT clause."""
    depth = 0
    for kind, value, stop in tokens:
        if stop > end:
            break
        if kind == "word" and value.upper() == "SELECT":
            depth = 0
        elif value == "(":
            depth += 1
        elif value == ")":
            depth -= 1
    return depth > 0


def _batch_safe(tokens: list[tuple[str, str, int]]) -> bool:
    """True when joining `$this` with a VALUES block in the outer group equals pre-binding it."""
    blocks: list[tuple[str, int]] = []
    parens = 0
    previous = ""
    for kind, value, _ in tokens:
        upper = value.upper()
        if kind == "word" and upper in ("LIMIT", "OFFSET"):
            return False
        if value == "{":
            blocks.append(
                (
                    "exists"
                    if previous == "EXISTS"
                    else "optional"
                    if previous == "OPTIONAL"
                    else "group",
                    parens,
                )
            )
            parens = 0
        elif value == "}" and blocks:
            parens = blocks.pop()[1]
        elif value == "(":
            parens += 1
        elif value == ")":
            parens -= 1
        elif kind == "var" and value[1:] == "this":
            inner = [b[0] for b in blocks[1:]]
            if inner and "exists" not in inner and not (len(inner) == 1 and parens == 0):
                return False
        previous = upper
    return True


def with_focus_values(text: str) -> tuple[str, str] | None:
    """The query split where a `VALUES $this {…}` block goes (start of the outer group), with
    `$this` added to the projection when needed; None when the query cannot be run set-at-a-time.
    """
    tokens = list(_tokens(text))
    if not _batch_safe(tokens):
        return None
    words = [v.upper() for k, v, _ in tokens if k == "word"]
    opening = next((i for i, t in enumerate(tokens) if t[1] == "{"), None)
    if opening is None or "SELECT" not in words:
        return None
    head = tokens[:opening]
    projects_this = any((k == "var" and v[1:] == "this") or v == "*" for k, v, _ in head)
    split = tokens[opening][2]
    before, after = text[:split], text[split:]
    if not projects_this:
        if _AGGREGATES & set(words):
            return None
        select = next(
            i for i, (k, v, _) in enumerate(tokens) if k == "word" and v.upper() == "SELECT"
        )
        at = (
            select + 1
            if tokens[select + 1][1].upper() not in ("DISTINCT", "REDUCED")
            else select + 2
        )
        cut = tokens[at - 1][2]
        before = text[:cut] + " ?this" + text[cut:split]
    return before, after


def absence_form(text: str) -> tuple[str, str] | None:
    """For a query `SELECT $this WHERE { FILTER NOT EXISTS { P } }`: the positive query
    `SELECT DISTINCT ?this WHERE { P }`, split for its VALUES block. A focus node violates the
    constraint exactly when the positive query does not return it (and Oxigraph evaluates the
    positive form set-at-a-time far faster than NOT EXISTS per row). None for any other query.
    """
    tokens = list(_tokens(text))
    opening = next((i for i, t in enumerate(tokens) if t[1] == "{"), None)
    if opening is None or tokens[-1][1] != "}":
        return None
    head = [v.upper() for _, v, _ in tokens[:opening]]
    if "SELECT" not in head or not set(head[head.index("SELECT") + 1 :]) <= {
        "DISTINCT",
        "REDUCED",
        "$THIS",
        "?THIS",
        "WHERE",
    }:
        return None
    body = tokens[opening + 1 : -1]
    if [v.upper() for _, v, _ in body[:4]] != ["FILTER", "NOT", "EXISTS", "{"]:
        return None
    depth = 0
    for i, (_, value, _) in enumerate(body[3:], start=3):
        depth += {"{": 1, "}": -1}.get(value, 0)
        if depth == 0:
            if i != len(body) - 1:
                return None
            break
    inner = text[body[3][2] : body[-1][2] - 1]
    prologue = text[: next(end - len(v) for k, v, end in tokens if v.upper() == "SELECT")]
    return with_focus_values(f"{prologue}SELECT DISTINCT ?this WHERE {{ {inner} }}")


def values_block(terms: Iterable[Any], variable: str = "this") -> str:
    """A VALUES block binding `?variable` (`$this`) to each of the terms (IRIs or literals)."""
    return f" VALUES ?{variable} {{ " + " ".join(str(t) for t in terms) + " } "


def fill_template(template: str, bindings: dict[str, Any]) -> str:
    """A message with `{?name}` / `{$name}` replaced by the bound values."""

    def repl(m: re.Match[str]) -> str:
        term = bindings.get(m.group(1))
        if term is None:
            return m.group(0)
        return term.value if isinstance(term, (Literal, NamedNode)) else str(term)

    return re.sub(r"\{[?$](\w+)\}", repl, template)
