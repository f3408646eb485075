"""The catalogue of stored queries: `queries/*.rq` in the decorator convention of grlc.

Each file is one SPARQL query with a header of ``#+ `` lines that read together as YAML
(``summary``, ``description``, ``tags``, ``defaults``, ``enumerate``, ...), so the same folder can
be served by grlc unchanged. Parameters are the query's variables named in grlc's way:

* ``?_name`` is required, ``?__name`` optional (unbound when not given and without a default);
* a suffix gives the type: ``?_name_iri`` an IRI, ``?_name_number`` a number,
  ``?_name_literal`` / ``?_name_string`` / no suffix a plain string, ``?_name_en`` a string in
  that language, ``?_name_integer`` / ``?_name_xsd_date`` / ``?_name_xsd_gYear`` ... a literal
  of that XSD datatype.

Unlike grlc, values are never pasted into the text: each is parsed and checked for its type,
turned into one RDF term, and bound with a ``VALUES`` block placed first in the query's WHERE
group (`bind_query`). The query around it keeps its structure whatever the value holds.
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clustergraph import paths
from clustergraph.errors import InputError, ParameterError, QueryError, UnsafeQueryError

if TYPE_CHECKING:
    import pyoxigraph

__all__ = [
    "ID_PREFIX",
    "Catalogue",
    "Parameter",
    "StoredQuery",
    "bind_query",
    "check_safe",
    "load_catalogue",
    "parse_header",
    "query_form",
    "term_to_sparql",
    "tokenize",
]

log = logging.getLogger(__name__)

XSD = "http://www.w3.org/2001/XMLSchema#"
ID_PREFIX = "https://w3id.org/clustergraph/id/"
#: The longest text accepted for one parameter value.
MAX_VALUE_LENGTH = 2000

# --------------------------------------------------------------------------------------------
# A small SPARQL lexer: enough to tell strings, IRIs, comments and variables from keywords.
# --------------------------------------------------------------------------------------------

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


@dataclass(frozen=True)
class Token:
    kind: str
    text: str
    start: int


def tokenize(text: str) -> Iterator[Token]:
    """The tokens of a SPARQL text, whitespace and comments included (kind ``ws``/``comment``)."""
    for match in _TOKEN_RE.finditer(text):
        kind = match.lastgroup or "other"
        yield Token(kind, match.group(), match.start())


def _unescape_codepoints(text: str) -> str:
    """The text after SPARQL's \\u / \\U pre-pass (which some engines run before parsing)."""

    def repl(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        try:
            return chr(code)
        except (ValueError, OverflowError):
            return m.group(0)

    return _UNICODE_ESCAPE_RE.sub(repl, text)


# --------------------------------------------------------------------------------------------
# Query form and safety
# --------------------------------------------------------------------------------------------

_FORMS = ("SELECT", "CONSTRUCT", "DESCRIBE", "ASK")
#: Keywords that only occur in a query that reads a remote/other graph, or in an update.
_UNSAFE_KEYWORDS = {
    "SERVICE": "SERVICE would send part of the query to another endpoint",
    "FROM": "FROM / FROM NAMED would make the engine fetch or select other graphs",
    "LOAD": "LOAD would fetch a document from the network or the file system",
    "INSERT": "updates are refused: the embedded store is read-only",
    "DELETE": "updates are refused: the embedded store is read-only",
    "CLEAR": "updates are refused: the embedded store is read-only",
    "DROP": "updates are refused: the embedded store is read-only",
    "CREATE": "updates are refused: the embedded store is read-only",
    "ADD": "updates are refused: the embedded store is read-only",
    "MOVE": "updates are refused: the embedded store is read-only",
    "COPY": "updates are refused: the embedded store is read-only",
    "WITH": "updates are refused: the embedded store is read-only",
    "USING": "updates are refused: the embedded store is read-only",
}


def _significant(text: str) -> list[Token]:
    return [t for t in tokenize(text) if t.kind not in ("ws", "comment")]


def query_form(text: str) -> str:
    """SELECT, CONSTRUCT, DESCRIBE or ASK: the first form keyword outside the prologue."""
    for token in _significant(text):
        if token.kind == "word" and token.text.upper() in _FORMS:
            return token.text.upper()
    raise QueryError("not a SPARQL query: no SELECT, CONSTRUCT, DESCRIBE or ASK found")


def _keyword_findings(text: str) -> list[str]:
    found = []
    for token in _significant(text):
        if token.kind == "word" and token.text.upper() in _UNSAFE_KEYWORDS:
            found.append(token.text.upper())
    return found


def check_safe(text: str, *, parse: bool = True) -> None:
    """Refuse a query that would reach beyond the loaded graph (`UnsafeQueryError`).

    SERVICE, FROM, FROM NAMED and every update (LOAD, INSERT, ...) are refused. Two checks run:
    a lexical one (on the text as written and after the \\u pre-pass, so an escape cannot hide a
    keyword) and, when `parse` is true, a walk of rdflib's parse tree for service patterns and
    dataset clauses.
    """
    for view in (text, _unescape_codepoints(text)):
        found = _keyword_findings(view)
        if found:
            keyword = found[0]
            raise UnsafeQueryError(
                f"{keyword} is not allowed in embedded queries: {_UNSAFE_KEYWORDS[keyword]}. "
                "Run it against your own SPARQL endpoint with --endpoint instead."
            )
    if parse:
        _check_parse_tree(text)


def _check_parse_tree(text: str) -> None:
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


# --------------------------------------------------------------------------------------------
# Parameters
# --------------------------------------------------------------------------------------------

#: grlc's reading of a parameter variable: _ or __, a name, a type, a second type part.
_PARAM_RE = re.compile(
    r"^(?P<required>_{1,2})(?P<name>[^_]+)_?(?P<type>[A-Za-z0-9]+)?_?(?P<userdefined>[A-Za-z0-9]+)?$"
)

#: XSD datatypes a parameter may have, with the check of their lexical form.
_XSD_TYPES: dict[str, re.Pattern[str] | None] = {
    "string": None,
    "integer": re.compile(r"^[+-]?\d+$"),
    "decimal": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    "double": re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$"),
    "float": re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$"),
    "boolean": re.compile(r"^(true|false|1|0)$"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "dateTime": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"),
    "gYear": re.compile(r"^\d{4}$"),
    "gYearMonth": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
}
_TYPE_HINTS = {
    "iri": "an IRI such as https://w3id.org/clustergraph/id/country/IN, or a short form such as country/IN",
    "number": "a number such as 42 or 3.5",
    "string": "text",
    "integer": "a whole number such as 42",
    "decimal": "a decimal number such as 51.9",
    "double": "a number such as 3.5 or 1e3",
    "float": "a number such as 3.5 or 1e3",
    "boolean": "true or false",
    "date": "a date as YYYY-MM-DD, such as 2025-01-31",
    "dateTime": "a date and time as YYYY-MM-DDThh:mm:ss",
    "gYear": "a year as YYYY, such as 2025",
    "gYearMonth": "a month as YYYY-MM, such as 2024-09",
}
_IRI_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:[^<>\"{}|^`\\\x00-\x20\x7f]*$")
_SHORT_FORM_RE = re.compile(r"^[a-z]+/[A-Za-z0-9][A-Za-z0-9._\-]*$")
_LANG_RE = re.compile(r"^[a-z]{2}$")


@dataclass(frozen=True)
class Parameter:
    """One parameter of a stored query, as grlc reads it from the variable name."""

    name: str
    variable: str
    required: bool
    kind: str  # "iri", "literal", "number", "typed" or "lang"
    datatype: str | None = None  # full XSD IRI for kind == "typed"
    language: str | None = None  # for kind == "lang"
    default: str | None = None
    enum: tuple[str, ...] = ()

    @property
    def type_name(self) -> str:
        """A short name of the type, as the catalogue shows it."""
        if self.kind == "typed" and self.datatype:
            return "xsd:" + self.datatype[len(XSD) :]
        if self.kind == "lang":
            return f"text@{self.language}"
        if self.kind == "literal":
            return "text"
        return self.kind

    @property
    def hint(self) -> str:
        if self.kind == "typed" and self.datatype:
            return _TYPE_HINTS.get(self.datatype[len(XSD) :], self.type_name)
        if self.kind == "lang":
            return f"text (tagged @{self.language})"
        return _TYPE_HINTS.get("string" if self.kind == "literal" else self.kind, self.kind)

    def to_term(self, value: Any) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
        """The RDF term for a value given by a user; a `ParameterError` if it does not fit."""
        import pyoxigraph

        if isinstance(value, (pyoxigraph.NamedNode, pyoxigraph.Literal)):
            value = value.value
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (_dt.datetime, _dt.date)):
            value = value.isoformat()
        elif not isinstance(value, str):
            value = str(value)
        if len(value) > MAX_VALUE_LENGTH:
            raise ParameterError(self.name, f"value is longer than {MAX_VALUE_LENGTH} characters")
        _check_characters(self.name, value)

        if self.kind == "iri":
            iri = _check_iri(self.name, value)
            try:
                return pyoxigraph.NamedNode(iri)  # Oxigraph checks the IRI grammar too
            except ValueError as exc:
                raise ParameterError(self.name, f"{value!r} is not a valid IRI: {exc}") from None
        if self.kind == "number":
            return _number_literal(self.name, value.strip())
        if self.kind == "lang":
            return pyoxigraph.Literal(value, language=self.language)
        if self.kind == "literal":
            return pyoxigraph.Literal(value)
        assert self.datatype is not None
        local = self.datatype[len(XSD) :]
        lexical = value.strip()
        pattern = _XSD_TYPES[local]
        if pattern is None:
            return pyoxigraph.Literal(value)
        if not pattern.match(lexical):
            raise ParameterError(self.name, f"{value!r} is not {self.hint}")
        if local == "date":
            try:
                _dt.date.fromisoformat(lexical)
            except ValueError:
                raise ParameterError(
                    self.name, f"{value!r} is not a real date (YYYY-MM-DD)"
                ) from None
        if local == "dateTime":
            try:
                _dt.datetime.fromisoformat(lexical.replace("Z", "+00:00"))
            except ValueError:
                raise ParameterError(self.name, f"{value!r} is not a real date and time") from None
        return pyoxigraph.Literal(lexical, datatype=pyoxigraph.NamedNode(self.datatype))


def _check_characters(name: str, value: str) -> None:
    for char in value:
        code = ord(char)
        if char == "\\":
            raise ParameterError(name, "backslashes are not allowed in parameter values")
        if (code < 0x20 and char not in "\t\n\r") or code == 0x7F or 0xD800 <= code <= 0xDFFF:
            raise ParameterError(name, f"control character U+{code:04X} is not allowed")
        if code in (0xFFFE, 0xFFFF):
            raise ParameterError(name, f"non-character U+{code:04X} is not allowed")


def _check_iri(name: str, value: str) -> str:
    text = value.strip()
    if _SHORT_FORM_RE.match(text):
        text = ID_PREFIX + text
    if not _IRI_RE.match(text):
        raise ParameterError(
            name,
            f"{value!r} is not an absolute IRI (expected {_TYPE_HINTS['iri']}; "
            'spaces and the characters <>"{}|^`\\ are not allowed)',
        )
    return text


def _number_literal(name: str, value: str) -> pyoxigraph.Literal:
    import pyoxigraph

    if _XSD_TYPES["integer"].match(value):  # type: ignore[union-attr]
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "integer"))
    if _XSD_TYPES["decimal"].match(value):  # type: ignore[union-attr]
        try:
            Decimal(value)
        except InvalidOperation:  # pragma: no cover - the pattern already checks
            raise ParameterError(name, f"{value!r} is not a number") from None
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "decimal"))
    if re.match(r"^[+-]?(\d+(\.\d*)?|\.\d+)[eE][+-]?\d+$", value):
        return pyoxigraph.Literal(value, datatype=pyoxigraph.NamedNode(XSD + "double"))
    raise ParameterError(name, f"{value!r} is not a number")


def parameter_from_variable(variable: str, header: Mapping[str, Any]) -> Parameter | None:
    """The parameter a variable (without ``?``) stands for, or None if it is not one."""
    match = _PARAM_RE.match(variable)
    if not match:
        return None
    name = match.group("name")
    required = match.group("required") == "_"
    mtype = match.group("type")
    userdefined = match.group("userdefined")
    kind, datatype, language = "literal", None, None
    if mtype is None or mtype in ("literal", "string"):
        kind = "literal"
    elif mtype in ("iri", "number"):
        kind = mtype
    elif mtype in _XSD_TYPES and userdefined is None:
        kind, datatype = "typed", XSD + mtype
    elif mtype == "xsd" and userdefined in _XSD_TYPES:
        kind, datatype = "typed", XSD + userdefined
    elif _LANG_RE.match(mtype) and userdefined is None:
        kind, language = "lang", mtype
    else:
        raise QueryError(
            f"variable ?{variable}: unsupported parameter type {mtype!r}"
            + (f"_{userdefined}" if userdefined else "")
        )
    if datatype == XSD + "string":
        kind, datatype = "literal", None
    default = _decorator_value(header.get("defaults"), name)
    enum = _decorator_value(header.get("enumerate"), name)
    return Parameter(
        name=name,
        variable=variable,
        required=required,
        kind=kind,
        datatype=datatype,
        language=language,
        default=None if default is None else str(default),
        enum=tuple(str(v) for v in enum) if isinstance(enum, list) else (),
    )


def _decorator_value(entries: Any, name: str) -> Any:
    """grlc's lists of one-key mappings (``- name: value``): the value for `name`."""
    if isinstance(entries, Mapping):
        return entries.get(name)
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, Mapping) and name in entry:
                return entry[name]
    return None


# --------------------------------------------------------------------------------------------
# Header and stored queries
# --------------------------------------------------------------------------------------------


def parse_header(text: str, *, source: str = "<query>") -> dict[str, Any]:
    """The ``#+ `` decorator lines of a query, read together as YAML (as grlc reads them)."""
    import yaml

    lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    if not lines:
        return {}
    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        raise QueryError(f"{source}: the #+ header is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise QueryError(f"{source}: the #+ header must be a mapping of decorator: value")
    return data


@dataclass(frozen=True)
class StoredQuery:
    """One stored query: its name (the file name without .rq), header, text and parameters."""

    name: str
    path: Path | None
    text: str
    header: Mapping[str, Any]
    form: str
    parameters: tuple[Parameter, ...]

    @property
    def summary(self) -> str:
        return str(self.header.get("summary", "")).strip()

    @property
    def description(self) -> str:
        return str(self.header.get("description", "")).strip()

    @property
    def tags(self) -> tuple[str, ...]:
        tags = self.header.get("tags") or []
        return tuple(str(t) for t in tags) if isinstance(tags, list) else (str(tags),)

    def parameter(self, name: str) -> Parameter:
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(
            name, f"query {self.name!r} has no such parameter (its parameters: {known})"
        )

    def bindings(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The terms to bind, by variable name: the values given, else the defaults.

        An unknown name, a missing required value or a value of the wrong type raises a
        `ParameterError` naming the parameter. An optional parameter given as "" stays unbound.
        """
        values = dict(values or {})
        for name in values:
            self.parameter(name)  # raises for an unknown name
        terms: dict[str, Any] = {}
        for p in self.parameters:
            if p.name in values and values[p.name] is not None:
                raw = values[p.name]
                if raw == "" and not p.required:
                    continue
            elif p.default is not None:
                raw = p.default
            elif p.required:
                raise ParameterError(p.name, f"is required by query {self.name!r} ({p.hint})")
            else:
                continue
            if raw == "":
                raise ParameterError(p.name, f"is required by query {self.name!r} ({p.hint})")
            terms[p.variable] = p.to_term(raw)
        return terms

    def bound_text(self, values: Mapping[str, Any] | None = None) -> str:
        """The query text with the parameter values bound (see `bind_query`)."""
        return bind_query(self.text, self.bindings(values), where=self.where_offset)

    @cached_property
    def where_offset(self) -> int:
        """Where the WHERE group opens (found once per stored query)."""
        return _where_brace(self.text)

    @classmethod
    def from_text(cls, text: str, *, name: str = "query", path: Path | None = None) -> StoredQuery:
        source = str(path) if path else name
        header = parse_header(text, source=source)
        form = query_form(text)
        params: dict[str, Parameter] = {}
        for token in _significant(text):
            if token.kind == "var" and token.text[1:].startswith("_"):
                variable = token.text[1:]
                try:
                    param = parameter_from_variable(variable, header)
                except QueryError as exc:
                    raise QueryError(f"{source}: {exc}") from None
                if param is None:
                    continue
                other = params.get(param.name)
                if other is not None and other.variable != variable:
                    raise QueryError(
                        f"{source}: parameter {param.name!r} is written as both ?{other.variable} "
                        f"and ?{variable}"
                    )
                params[param.name] = param
        for key in ("defaults", "enumerate"):
            for named in _decorator_names(header.get(key)):
                if named not in params:
                    raise QueryError(f"{source}: #+ {key} names {named!r}, which is no parameter")
        query = cls(
            name=name,
            path=path,
            text=text,
            header=header,
            form=form,
            parameters=tuple(params.values()),
        )
        for p in query.parameters:
            if p.default is not None:
                try:
                    p.to_term(p.default)
                except ParameterError as exc:
                    raise QueryError(f"{source}: default of {exc}") from None
        return query

    @classmethod
    def from_file(cls, path: Path | str) -> StoredQuery:
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        return cls.from_text(text, name=path.stem, path=path)


def _decorator_names(entries: Any) -> list[str]:
    if isinstance(entries, Mapping):
        return [str(k) for k in entries]
    names: list[str] = []
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, Mapping):
                names.extend(str(k) for k in entry)
            else:
                names.append(str(entry))
    return names


@dataclass(frozen=True)
class Catalogue:
    """The stored queries by name, in name order."""

    queries: Mapping[str, StoredQuery] = field(default_factory=dict)

    def __getitem__(self, name: str) -> StoredQuery:
        try:
            return self.queries[name]
        except KeyError:
            close = [n for n in self.queries if name.lower() in n or n in name.lower()]
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise InputError(
                f"no stored query named {name!r}.{hint} Run `clustergraph queries` for the list."
            ) from None

    def __iter__(self) -> Iterator[StoredQuery]:
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self.queries)

    def __contains__(self, name: object) -> bool:
        return name in self.queries

    def names(self) -> list[str]:
        return list(self.queries)


def load_catalogue(folder: Path | str | None = None) -> Catalogue:
    """Read every ``*.rq`` file of a folder (by default the shipped ``queries/``)."""
    files = sorted(Path(folder).glob("*.rq")) if folder is not None else paths.query_files()
    queries = {}
    for path in files:
        query = StoredQuery.from_file(path)
        queries[query.name] = query
    return Catalogue(queries)


# --------------------------------------------------------------------------------------------
# Binding
# --------------------------------------------------------------------------------------------


def term_to_sparql(term: Any) -> str:
    """One RDF term written as SPARQL (N-Triples syntax, escaped by Oxigraph)."""
    import pyoxigraph

    if isinstance(term, pyoxigraph.NamedNode):
        if not _IRI_RE.match(term.value):
            raise ParameterError("?", f"{term.value!r} is not an absolute IRI")
        return str(term)
    if isinstance(term, pyoxigraph.Literal):
        return str(term)
    raise QueryError(f"cannot bind {term!r}: only IRIs and literals can be parameter values")


def _where_brace(text: str) -> int:
    """The offset of the ``{`` that opens the query's WHERE group."""
    tokens = _significant(text)
    form_index = next(
        (i for i, t in enumerate(tokens) if t.kind == "word" and t.text.upper() in _FORMS), None
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


def bind_query(text: str, bindings: Mapping[str, Any], *, where: int | None = None) -> str:
    """The query with `bindings` (variable name -> term) as a VALUES block opening its WHERE group.

    Every value is one RDF term written by Oxigraph's N-Triples serialiser after validation, so
    the block is ``VALUES (?a ?b) { (<iri> "text") }`` whatever the values hold.
    """
    if not bindings:
        return text
    names = sorted(bindings)
    for name in names:
        if not re.match(r"^\w+$", name):
            raise QueryError(f"invalid variable name {name!r}")
    variables = " ".join(f"?{name}" for name in names)
    values = " ".join(term_to_sparql(bindings[name]) for name in names)
    brace = _where_brace(text) if where is None else where
    if text[brace] != "{":
        raise QueryError("the WHERE group offset does not point at a {")
    block = f" VALUES ({variables}) {{ ({values}) }}"
    return text[: brace + 1] + block + text[brace + 1 :]
