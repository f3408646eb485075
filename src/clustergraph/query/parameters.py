"""The parameters of stored queries: their names and types as grlc reads them, their bounds, and
how their values become RDF terms bound into a query.

* ``?_name`` is required, ``?__name`` optional (unbound when not given and without a default);
* a suffix gives the type: ``?_name_iri`` an IRI, ``?_name_number`` a number,
  ``?_name_literal`` / ``?_name_string`` / no suffix a plain string, ``?_name_en`` a string in
  that language, ``?_name_integer`` / ``?_name_xsd_date`` / ``?_name_xsd_gYear`` ... a literal
  of that XSD datatype;
* a numeric parameter may have bounds, declared in the header with XSD's facet names
  (``#+ bounds:`` then ``#+   - radiusKm: {minExclusive: 0}``), which grlc ignores.

Unlike grlc, values are never pasted into the text: each is parsed and checked for its type and
bounds, turned into one RDF term, and bound with a ``VALUES`` block placed first in the query's
WHERE group (`bind_query`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph

from clustergraph.errors import ParameterError, QueryError
from clustergraph.query.lexer import where_brace
from clustergraph.vocab import XSD

__all__ = [
    "ID_PREFIX",
    "MAX_VALUE_LENGTH",
    "XSD",
    "Bounds",
    "Parameter",
    "bind_query",
    "decorator_names",
    "is_absolute_iri",
    "parameter_from_variable",
    "term_to_sparql",
]

ID_PREFIX = "https://w3id.org/clustergraph/id/"
#: The longest text accepted for one parameter value.
MAX_VALUE_LENGTH = 2000

#: grlc's reading of a parameter variable: _ or __, a name, a type, a second type part.
_PARAM_RE = re.compile(
    r"^(?P<required>_{1,2})(?P<name>[^_]+)_?(?P<type>[A-Za-z0-9]+)?_?(?P<userdefined>[A-Za-z0-9]+)?$"
)

_DOUBLE_RE = re.compile(r"^([+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|[+-]?INF|NaN)$")
#: XSD datatypes a parameter may have, with the check of their lexical form.
_XSD_TYPES: dict[str, re.Pattern[str] | None] = {
    "string": None,
    "integer": re.compile(r"^[+-]?\d+$"),
    "decimal": re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$"),
    "double": _DOUBLE_RE,
    "float": _DOUBLE_RE,
    "boolean": re.compile(r"^(true|false|1|0)$"),
    "date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    "dateTime": re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$"),
    "gYear": re.compile(r"^\d{4}$"),
    "gYearMonth": re.compile(r"^\d{4}-(0[1-9]|1[0-2])$"),
}
_NUMERIC_TYPES = {"integer", "decimal", "double", "float"}
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

#: XSD's facet names, in the order they are shown, with their words.
_FACETS = {
    "minInclusive": "at least",
    "minExclusive": "greater than",
    "maxInclusive": "at most",
    "maxExclusive": "less than",
}


@dataclass(frozen=True)
class Bounds:
    """The range a numeric parameter must lie in, as XSD facets (each None when unbounded)."""

    min_inclusive: Decimal | None = None
    min_exclusive: Decimal | None = None
    max_inclusive: Decimal | None = None
    max_exclusive: Decimal | None = None

    @classmethod
    def from_header(cls, spec: Any) -> Bounds:
        """Bounds from a header entry such as ``{minInclusive: -90, maxInclusive: 90}``.

        A `ValueError` says what is wrong with an entry that is not such a mapping of numbers.
        """
        if not isinstance(spec, Mapping) or not spec:
            raise ValueError(f"write its bounds as a mapping of {', '.join(_FACETS)} to numbers")
        values: dict[str, Decimal] = {}
        for facet, value in spec.items():
            if facet not in _FACETS:
                raise ValueError(f"unknown bound {facet!r} (known: {', '.join(_FACETS)})")
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(f"bound {facet} must be a number, not {value!r}")
            values[facet] = Decimal(str(value))
        if "minInclusive" in values and "minExclusive" in values:
            raise ValueError("give minInclusive or minExclusive, not both")
        if "maxInclusive" in values and "maxExclusive" in values:
            raise ValueError("give maxInclusive or maxExclusive, not both")
        bounds = cls(
            min_inclusive=values.get("minInclusive"),
            min_exclusive=values.get("minExclusive"),
            max_inclusive=values.get("maxInclusive"),
            max_exclusive=values.get("maxExclusive"),
        )
        low = next((v for v in (bounds.min_inclusive, bounds.min_exclusive) if v is not None), None)
        high = next(
            (v for v in (bounds.max_inclusive, bounds.max_exclusive) if v is not None), None
        )
        if low is not None and high is not None and low > high:
            raise ValueError(f"its lower bound {low} is above its upper bound {high}")
        return bounds

    def facets(self) -> dict[str, Decimal]:
        """The facets that are set, by XSD name."""
        found = {
            "minInclusive": self.min_inclusive,
            "minExclusive": self.min_exclusive,
            "maxInclusive": self.max_inclusive,
            "maxExclusive": self.max_exclusive,
        }
        return {name: value for name, value in found.items() if value is not None}

    @property
    def text(self) -> str:
        """The bounds in words: "between -90 and 90", "greater than 0", ..."""
        if self.min_inclusive is not None and self.max_inclusive is not None:
            return f"between {self.min_inclusive} and {self.max_inclusive}"
        return " and ".join(f"{_FACETS[name]} {value}" for name, value in self.facets().items())

    def admits(self, value: Decimal) -> bool:
        """Whether a number lies within the bounds (NaN never does)."""
        if value.is_nan():
            return False
        return (
            (self.min_inclusive is None or value >= self.min_inclusive)
            and (self.min_exclusive is None or value > self.min_exclusive)
            and (self.max_inclusive is None or value <= self.max_inclusive)
            and (self.max_exclusive is None or value < self.max_exclusive)
        )


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
    bounds: Bounds | None = None

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
    def numeric(self) -> bool:
        """Whether the parameter takes a number (and so may have bounds)."""
        if self.kind == "number":
            return True
        return self.kind == "typed" and (self.datatype or "")[len(XSD) :] in _NUMERIC_TYPES

    @property
    def hint(self) -> str:
        """What a value should look like, in words (for error messages and the catalogue)."""
        if self.kind == "typed" and self.datatype:
            return _TYPE_HINTS.get(self.datatype[len(XSD) :], self.type_name)
        if self.kind == "lang":
            return f"text (tagged @{self.language})"
        return _TYPE_HINTS.get("string" if self.kind == "literal" else self.kind, self.kind)

    def to_term(self, value: Any) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
        """The RDF term for a value given by a user; a `ParameterError` if it does not fit."""
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
            return self._within_bounds(_number_literal(self.name, value.strip()))
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
        literal = pyoxigraph.Literal(lexical, datatype=pyoxigraph.NamedNode(self.datatype))
        return self._within_bounds(literal) if local in _NUMERIC_TYPES else literal

    def _within_bounds(self, literal: pyoxigraph.Literal) -> pyoxigraph.Literal:
        if self.bounds is None:
            return literal
        if not self.bounds.admits(Decimal(literal.value)):
            raise ParameterError(
                self.name, f"{literal.value} is out of bounds: it must be {self.bounds.text}"
            )
        return literal


def is_absolute_iri(text: str) -> bool:
    """Whether a text is an absolute IRI without the characters N-Triples forbids in one."""
    return bool(_IRI_RE.match(text))


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
    if not is_absolute_iri(text):
        raise ParameterError(
            name,
            f"{value!r} is not an absolute IRI (expected {_TYPE_HINTS['iri']}; "
            'spaces and the characters <>"{}|^`\\ are not allowed)',
        )
    return text


def _number_literal(name: str, value: str) -> pyoxigraph.Literal:
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
    """The parameter a variable (without ``?``) stands for, or None if it is not one.

    A `QueryError` for a type grlc does not know, or bounds that do not fit the parameter.
    """
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
    parameter = Parameter(
        name=name,
        variable=variable,
        required=required,
        kind=kind,
        datatype=datatype,
        language=language,
        default=None if default is None else str(default),
        enum=tuple(str(v) for v in enum) if isinstance(enum, list) else (),
    )
    spec = _decorator_value(header.get("bounds"), name)
    if spec is None:
        return parameter
    if not parameter.numeric:
        raise QueryError(
            f"#+ bounds: parameter {name!r} is of type {parameter.type_name}; "
            "only numeric parameters have bounds"
        )
    try:
        bounds = Bounds.from_header(spec)
    except ValueError as exc:
        raise QueryError(f"#+ bounds: parameter {name!r}: {exc}") from None
    return dataclasses.replace(parameter, bounds=bounds)


def _decorator_value(entries: Any, name: str) -> Any:
    """grlc's lists of one-key mappings (``- name: value``): the value for `name`."""
    if isinstance(entries, Mapping):
        return entries.get(name)
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, Mapping) and name in entry:
                return entry[name]
    return None


def decorator_names(entries: Any) -> list[str]:
    """The parameter names a decorator (``defaults``, ``enumerate``, ``bounds``) lists."""
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


def term_to_sparql(term: Any) -> str:
    """One RDF term written as SPARQL (N-Triples syntax, escaped by Oxigraph)."""
    if isinstance(term, pyoxigraph.NamedNode):
        if not is_absolute_iri(term.value):
            raise ParameterError("?", f"{term.value!r} is not an absolute IRI")
        return str(term)
    if isinstance(term, pyoxigraph.Literal):
        return str(term)
    raise QueryError(f"cannot bind {term!r}: only IRIs and literals can be parameter values")


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
    brace = where_brace(text) if where is None else where
    if text[brace] != "{":
        raise QueryError("the WHERE group offset does not point at a {")
    block = f" VALUES ({variables}) {{ ({values}) }}"
    return text[: brace + 1] + block + text[brace + 1 :]
