"""Terms, namespaces and literal checks shared by the SHACL engine's modules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from pyoxigraph import Literal, NamedNode

from clustergraph.vocab import INTEGER_TYPES, OWL, RDF, RDFS, SH, XSD

__all__ = ["OWL", "RDF", "RDFS", "SH", "XSD", "RawResult", "Unsupported"]


def component_of(parameter: str) -> str:
    """The local name of a parameter's constraint component: minCount -> MinCountConstraintComponent."""
    return parameter[0].upper() + parameter[1:] + "ConstraintComponent"


def component_iri(component: str) -> str:
    """The IRI of a result's constraint component: a local name in sh:, or already an IRI
    (a SPARQL-based constraint component of the shapes graph)."""
    return component if ":" in component else SH + component


def sh_term(name: str) -> NamedNode:
    """A term of the SHACL vocabulary: sh_term("Violation") is sh:Violation."""
    return NamedNode(SH + name)


RDF_TYPE = NamedNode(RDF + "type")
RDF_FIRST = NamedNode(RDF + "first")
RDF_REST = NamedNode(RDF + "rest")
RDF_NIL = NamedNode(RDF + "nil")
RDF_LANGSTRING = NamedNode(RDF + "langString")
SUBCLASS = NamedNode(RDFS + "subClassOf")
RDFS_CLASS = NamedNode(RDFS + "Class")
XSD_STRING = NamedNode(XSD + "string")
VIOLATION = sh_term("Violation")

#: Predicates of the SHACL vocabulary (with SHACL Advanced Features and SHACL-JS) that this
#: engine does not implement: a shapes graph using one raises `Unsupported`. Every other sh:
#: predicate is implemented or does not change a validation (`sh:name`, `sh:order`, …); one
#: that is not SHACL at all is ignored, as pySHACL does.
UNSUPPORTED_PREDICATES = {
    "target",  # SPARQL-based targets
    "targetValidator",
    "entailment",
    "rule",  # rules and node expressions (SHACL-AF)
    "condition",
    "construct",
    "subject",
    "predicate",
    "object",
    "expression",
    "values",
    "filterShape",
    "nodes",
    "intersection",
    "union",
    "returnType",  # SPARQL functions, which the constraints' SPARQL could call
    "js",
    "jsFunctionName",
    "jsLibrary",
    "jsLibraryURL",
}
SHAPE_TYPES = {SH + "NodeShape", SH + "PropertyShape"}


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass
class RawResult:
    """One validation result, in Oxigraph terms."""

    focus: Any
    component: str
    """The constraint component: its local name in sh:, or the IRI of a SPARQL-based one."""
    shape: Any
    severity: NamedNode
    path: Any = None
    value: Any = None
    messages: list[Literal] = field(default_factory=list)
    detail: str = ""


# -- literal values ---------------------------------------------------------------------------

_INT_TYPES = set(INTEGER_TYPES)
_LEXICAL = {
    "integer": r"[+-]?\d+",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|-INF|NaN",
    "boolean": r"true|false|1|0",
    "date": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?",
    "dateTime": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
    "time": r"([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
    "gYear": r"-?\d{4,}(Z|[+-]\d\d:\d\d)?",
    "gYearMonth": r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d\d:\d\d)?",
}
_LEXICAL["float"] = _LEXICAL["double"]
for _t in _INT_TYPES:
    _LEXICAL[_t] = _LEXICAL["integer"]
_LEXICAL_RE = {k: re.compile(v) for k, v in _LEXICAL.items()}
_NUMERIC = _INT_TYPES | {"decimal", "double", "float"}


#: The value ranges of the bounded integer types.
_INT_RANGES = {
    "long": (-(2**63), 2**63 - 1),
    "int": (-(2**31), 2**31 - 1),
    "short": (-(2**15), 2**15 - 1),
    "byte": (-128, 127),
    "unsignedLong": (0, 2**64 - 1),
    "unsignedInt": (0, 2**32 - 1),
    "unsignedShort": (0, 2**16 - 1),
    "unsignedByte": (0, 255),
    "nonNegativeInteger": (0, None),
    "positiveInteger": (1, None),
    "nonPositiveInteger": (None, 0),
    "negativeInteger": (None, -1),
}


def well_formed(lit: Literal) -> bool:
    """True when the literal's lexical form is in its XSD datatype's lexical space (and range)."""
    dt = lit.datatype.value
    if not dt.startswith(XSD):
        return True
    local = dt[len(XSD) :]
    rx = _LEXICAL_RE.get(local)
    if rx is not None and not rx.fullmatch(lit.value):
        return False
    bounds = _INT_RANGES.get(local)
    if bounds is not None:
        n, (low, high) = int(lit.value), bounds
        return (low is None or n >= low) and (high is None or n <= high)
    if local in ("date", "dateTime"):
        return _instant(lit.value, local) is not None
    return True


_TIMEZONE = re.compile(r"(Z|[+-]\d\d:\d\d)$")


def _instant(text: str, local: str) -> tuple[datetime, bool] | None:
    """A date or dateTime as (UTC-normalised instant, has a timezone), or None if invalid.

    Without a timezone the instant is read as UTC; `compare_instants` widens it by 14 hours."""
    zone = _TIMEZONE.search(text)
    body = text[: zone.start()] if zone else text
    offset = timedelta(0)
    if zone and zone.group() != "Z":
        sign = 1 if zone.group()[0] == "+" else -1
        offset = sign * timedelta(hours=int(zone.group()[1:3]), minutes=int(zone.group()[4:6]))
    extra = timedelta(0)
    if local == "dateTime" and body[11:13] == "24":  # 24:00:00 is the next day's midnight
        if body[13:].strip(":0.") != "":
            return None
        body, extra = body[:11] + "00" + body[13:], timedelta(days=1)
    if body.startswith("-") or len(body.split("-")[0]) > 4:
        return None  # years outside 1-9999: not ordered here
    try:
        if local == "date":
            value = datetime.strptime(body, "%Y-%m-%d")
        else:
            value = datetime.strptime(body[:19], "%Y-%m-%dT%H:%M:%S")
            if len(body) > 20:
                value += timedelta(microseconds=round(float("0" + body[19:]) * 1_000_000))
    except ValueError:
        return None
    return value + extra - offset, zone is not None


def compare_instants(a: tuple[datetime, bool], b: tuple[datetime, bool]) -> int | None:
    """XSD order of two instants; None when a timezone-less one is within 14 hours of the other
    (indeterminate)."""
    (ta, za), (tb, zb) = a, b
    if za == zb:
        return (ta > tb) - (ta < tb)
    span = timedelta(hours=14)
    low_a, high_a = (ta, ta) if za else (ta - span, ta + span)
    low_b, high_b = (tb, tb) if zb else (tb - span, tb + span)
    if high_a < low_b:
        return -1
    if low_a > high_b:
        return 1
    return None


def comparable(term: Any) -> tuple[str, Any] | None:
    """A (kind, value) pair for ordering comparisons, or None if the term has no order."""
    if not isinstance(term, Literal) or term.language:
        return None
    dt = term.datatype.value
    local = dt[len(XSD) :] if dt.startswith(XSD) else None
    if local in _NUMERIC:
        if not well_formed(term):
            return None
        try:
            return ("number", Decimal(term.value.replace("INF", "Infinity")))
        except InvalidOperation:
            return None
    if local == "string":
        return ("string", term.value)
    if local in ("date", "dateTime"):
        instant = _instant(term.value, local)
        return (local, instant) if instant is not None else None
    if local in ("gYear", "gYearMonth", "time"):
        if not well_formed(term) or _TIMEZONE.search(term.value):
            return None  # with a timezone: not ordered here
        return (local, term.value)
    return None


def compare(a: Any, b: Any) -> int | None:
    """-1, 0 or 1 as `a` is less than, equal to or greater than `b`; None if incomparable."""
    ca, cb = comparable(a), comparable(b)
    if ca is None or cb is None or ca[0] != cb[0]:
        return None
    if ca[0] in ("date", "dateTime"):
        return compare_instants(ca[1], cb[1])
    return (ca[1] > cb[1]) - (ca[1] < cb[1])


def is_true(term: Any) -> bool:
    """True for the boolean literal `true` (SHACL's boolean parameters take no other form)."""
    return isinstance(term, Literal) and term.value == "true"


def lang_matches(tag: str, wanted: str) -> bool:
    """True when a language tag matches a `sh:languageIn` entry as SPARQL's langMatches does
    (`en` matches `en` and `en-GB`; `*` matches any tag), ignoring case."""
    tag, wanted = tag.lower(), wanted.lower()
    return wanted == "*" or tag == wanted or tag.startswith(wanted + "-")


