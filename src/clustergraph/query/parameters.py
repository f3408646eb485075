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
WHERE group (`bind_query`). A number may be written with an exponent (1e2) whatever its type; one
the query engine would not read as that number (past its range, `number_limits`, or with more
than `DECIMAL_PLACES` digits after the point for a decimal) is refused, never bound to match
nothing. A parameter listed in ``#+ enumerate:`` takes only those values.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import difflib
import re
import struct
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph

from clustergraph.errors import ParameterError, QueryError
from clustergraph.query.lexer import where_brace
from clustergraph.vocab import XSD

__all__ = [
    "DECIMAL_PLACES",
    "ID_PREFIX",
    "MAX_VALUE_LENGTH",
    "XSD",
    "Bounds",
    "Parameter",
    "bind_query",
    "decorator_names",
    "is_absolute_iri",
    "json_number",
    "lexical_pattern",
    "number_limits",
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

#: A number as JSON and XSD write it: digits, an optional point, an optional exponent (ASCII
#: digits only: Python's \d also matches other scripts' digits, which no RDF store reads).
_NUMBER_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)
_DOUBLE_RE = re.compile(rf"{_NUMBER_RE.pattern}|[+-]?INF|NaN", re.ASCII)
#: XSD datatypes a parameter may have, with the check of their lexical form (whole value).
_XSD_TYPES: dict[str, re.Pattern[str] | None] = {
    "string": None,
    "integer": _NUMBER_RE,  # 1e2 and 100.0 are whole numbers too (`_number_term`)
    "decimal": _NUMBER_RE,  # 1e2 is 100 (written without exponent in `_decimal_lexical`)
    "double": _DOUBLE_RE,
    "float": _DOUBLE_RE,
    "boolean": re.compile(r"true|false|1|0"),
    "date": re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII),
    "dateTime": re.compile(
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?",
        re.ASCII,
    ),
    "gYear": re.compile(r"[0-9]{4}", re.ASCII),
    "gYearMonth": re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])", re.ASCII),
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
        """The RDF term for a value given by a user; a `ParameterError` if it does not fit (its
        type, its bounds, the engine's range, or its closed set of values)."""
        return self._enumerated(self._term(value))

    def _term(self, value: Any) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
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
        if self.numeric:
            return self._number_term(value)
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
        if not pattern.fullmatch(lexical):
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

    def _enumerated(
        self, term: pyoxigraph.NamedNode | pyoxigraph.Literal
    ) -> pyoxigraph.NamedNode | pyoxigraph.Literal:
        """The term, if the parameter has no closed set of values (``#+ enumerate:``) or it is
        one of them; else a `ParameterError` naming them."""
        if not self.enum or term.value in self.enum:
            return term
        close = difflib.get_close_matches(term.value, self.enum, n=1)
        shown = [f"<{c}>" if self.kind == "iri" else repr(c) for c in close]
        hint = f"; did you mean {shown[0]}?" if shown else ""
        raise ParameterError(
            self.name, f"{term.value!r} is not one of its values ({', '.join(self.enum)}){hint}"
        )

    def _number_term(self, value: str) -> pyoxigraph.Literal:
        """A value of a numeric parameter as the literal the engine reads as that very number:
        within the declared bounds and the engine's range (`number_limits`), else a
        `ParameterError` naming the bound. Exponent notation (1e2) is a number like any other."""
        local = "number" if self.kind == "number" else (self.datatype or "")[len(XSD) :]
        lexical = value.strip()
        pattern = _DOUBLE_RE if local in ("double", "float") else _NUMBER_RE
        if not pattern.fullmatch(lexical):
            raise ParameterError(self.name, f"{value!r} is not {self.hint}")
        try:
            number = Decimal(lexical)
        except InvalidOperation:  # an exponent past what Python's decimals hold
            raise ParameterError(
                self.name, f"{lexical} is out of range: its exponent is too large"
            ) from None
        if self.bounds is not None and not self.bounds.admits(number):
            raise ParameterError(
                self.name, f"{lexical} is out of bounds: it must be {self.bounds.text}"
            )
        if local == "number":
            local = _number_datatype(lexical, number)
        low, high = number_limits(local)
        if number.is_finite() and not low <= number <= high:
            raise ParameterError(
                self.name,
                f"{lexical} is out of range: an xsd:{local} value must be between {_plain(low)} and "
                f"{_plain(high)} (the query engine's limit)",
            )
        if local == "integer":
            if number != number.to_integral_value():
                raise ParameterError(self.name, f"{value!r} is not {self.hint}")
            lexical = str(int(number))
        elif local == "decimal":
            lexical = _decimal_lexical(self.name, lexical, number)
        elif number.is_finite() and number and not _as_binary(number, local):
            raise ParameterError(
                self.name, f"{lexical} is too close to 0 for an xsd:{local}: it would be read as 0"
            )
        return pyoxigraph.Literal(lexical, datatype=pyoxigraph.NamedNode(XSD + local))

    def json_value(self, text: str) -> Any:
        """A value as written in a query header (a default, an enumerated value) as the JSON
        value of the parameter's type: a number for numeric parameters, true/false for booleans,
        else the text."""
        if self.numeric:
            return json_number(Decimal(self._number_term(text).value))
        if self.kind == "typed" and self.datatype == XSD + "boolean":
            return text.strip() in ("true", "1")
        if self.kind == "iri":
            return self.to_term(text).value
        return text

    def number_range(self) -> tuple[tuple[Decimal, bool], tuple[Decimal, bool]] | None:
        """The numbers a numeric parameter accepts, as ((low, exclusive), (high, exclusive)):
        its declared bounds within the engine's range; None for a parameter that is no number."""
        if not self.numeric:
            return None
        local = "double" if self.kind == "number" else (self.datatype or "")[len(XSD) :]
        low, high = number_limits(local)
        lows, highs = [(low, False)], [(high, False)]
        if self.bounds is not None:
            for facet, bound in self.bounds.facets().items():
                target = lows if facet.startswith("min") else highs
                target.append((bound, facet.endswith("Exclusive")))
        # The tightest bound of each side; an exclusive one wins a tie.
        return (max(lows, key=lambda b: (b[0], b[1])), min(highs, key=lambda b: (b[0], not b[1])))


#: The numbers the query engine (Oxigraph) holds: xsd:integer is a 64-bit integer; xsd:decimal
#: keeps 18 digits after the point within +-(2**127 - 1) / 10**18 (here: its whole part);
#: xsd:double and xsd:float are IEEE 754 binary64 and binary32. A literal past these is not read
#: as a number by the engine, so it would match nothing: it is refused instead.
_ENGINE_LIMITS = {
    "integer": Decimal(2**63 - 1),
    "decimal": Decimal((2**127 - 1) // 10**18),
    "double": Decimal(sys.float_info.max),
    "float": Decimal(struct.unpack("<f", b"\xff\xff\x7f\x7f")[0]),
}
DECIMAL_PLACES = 18


def number_limits(datatype: str) -> tuple[Decimal, Decimal]:
    """The smallest and largest number the engine reads as an ``xsd:datatype`` (integer,
    decimal, double or float) literal."""
    high = _ENGINE_LIMITS[datatype]
    return (-high - 1 if datatype == "integer" else -high), high


def _plain(number: Decimal) -> str:
    return str(json_number(number))


def json_number(number: Decimal) -> int | float:
    """A finite number as JSON writes it: an int when whole (and below 10**30, so exact), else
    the nearest float."""
    if number == number.to_integral_value() and abs(number) < 10**30:
        return int(number)
    return float(number)


def _number_datatype(lexical: str, number: Decimal) -> str:
    """The datatype for a value of a ``_number`` parameter: integer or decimal when the engine
    holds it exactly as written, else double (as any number with an exponent)."""
    if "e" in lexical.lower():
        return "double"
    low, high = number_limits("integer")
    if "." not in lexical and low <= number <= high:
        return "integer"
    low, high = number_limits("decimal")
    if low <= number <= high and _places(number) <= DECIMAL_PLACES:
        return "decimal"
    return "double"


def _places(number: Decimal) -> int:
    """How many digits after the point a number needs (trailing zeros do not count)."""
    _, digits, exponent = number.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0 or not any(digits):
        return 0
    zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    return max(0, -exponent - zeros)


def _decimal_lexical(name: str, lexical: str, number: Decimal) -> str:
    """The xsd:decimal lexical form of a number within the engine's range: no exponent, no
    trailing zeros after the point; a `ParameterError` past the engine's 18 places."""
    places = _places(number)
    if places > DECIMAL_PLACES:
        raise ParameterError(
            name,
            f"{lexical} has {places} digits after the point; the query engine keeps "
            f"{DECIMAL_PLACES} for an xsd:decimal",
        )
    sign, digits, exponent = number.as_tuple()
    if not any(digits):
        return "0"
    if isinstance(exponent, int) and exponent < -places:  # drop the trailing zeros
        cut = -exponent - places
        number = Decimal((sign, digits[:-cut], exponent + cut))
    return format(number, "f")


def _as_binary(number: Decimal, datatype: str) -> float:
    """The number as the engine's binary float or double holds it."""
    if datatype == "float":
        return float(struct.unpack("<f", struct.pack("<f", float(number)))[0])
    return float(number)


def lexical_pattern(kind: str) -> str:
    """The regular expression (Python's and ECMAScript's) a value of a kind must match whole:
    an XSD datatype's local name, "iri" (an absolute IRI or a short form) or "text" (no
    backslash nor control character)."""
    if kind == "iri":
        # _IRI_RE and _SHORT_FORM_RE, without the escapes ECMAScript's unicode mode refuses
        return (
            "^([A-Za-z][A-Za-z0-9+.-]*:[^<>\"{}|^`\\\\\\u0000-\\u0020\\u007F]*"
            "|[a-z]+/[A-Za-z0-9][A-Za-z0-9._-]*)$"
        )
    if kind == "text":
        return "^[^\\\\\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F\\uFFFE\\uFFFF]*$"
    pattern = _XSD_TYPES[kind]
    return f"^({pattern.pattern})$" if pattern is not None else "^.*$"


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
