"""Terms, namespaces and literal checks shared by the SHACL engine's modules."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pyoxigraph import Literal, NamedNode

from clustergraph.xsd import INTEGER_TYPES

__all__ = ["OWL", "RDF", "RDFS", "SH", "XSD", "RawResult", "Unsupported"]

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def component_of(parameter: str) -> str:
    """The local name of a parameter's constraint component: minCount -> MinCountConstraintComponent."""
    return parameter[0].upper() + parameter[1:] + "ConstraintComponent"


def sh_term(name: str) -> NamedNode:
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

#: Predicates in the sh: namespace that this engine understands (anything else: Unsupported).
KNOWN_PREDICATES = {
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "path",
    "inversePath",
    "alternativePath",
    "zeroOrMorePath",
    "oneOrMorePath",
    "zeroOrOnePath",
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "minLength",
    "maxLength",
    "pattern",
    "flags",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "in",
    "hasValue",
    "node",
    "property",
    "and",
    "or",
    "not",
    "xone",
    "closed",
    "ignoredProperties",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
    "sparql",
    "select",
    "prefixes",
    "declare",
    "prefix",
    "namespace",
    "message",
    "severity",
    "deactivated",
    "name",
    "description",
    "order",
    "group",
    "defaultValue",
    "shapesGraph",
    "suggestedShapesGraph",
    "entailment",
    "labelTemplate",
}
SHAPE_TYPES = {SH + "NodeShape", SH + "PropertyShape"}


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass
class RawResult:
    """One validation result, in Oxigraph terms."""

    focus: Any
    component: str
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


def well_formed(lit: Literal) -> bool:
    dt = lit.datatype.value
    if not dt.startswith(XSD):
        return True
    local = dt[len(XSD) :]
    rx = _LEXICAL_RE.get(local)
    if rx is not None and not rx.fullmatch(lit.value):
        return False
    if local in (
        "nonNegativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    ):
        return int(lit.value) >= 0
    if local == "positiveInteger":
        return int(lit.value) > 0
    if local == "nonPositiveInteger":
        return int(lit.value) <= 0
    if local == "negativeInteger":
        return int(lit.value) < 0
    return True


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
    if local in ("date", "dateTime", "gYear", "gYearMonth", "time"):
        return (local, term.value) if well_formed(term) else None
    return None


def compare(a: Any, b: Any) -> int | None:
    ca, cb = comparable(a), comparable(b)
    if ca is None or cb is None or ca[0] != cb[0]:
        return None
    return (ca[1] > cb[1]) - (ca[1] < cb[1])


def lang_matches(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    return wanted == "*" or tag == wanted or tag.startswith(wanted + "-")


def re_flags(flags: str) -> int:
    value = 0
    for ch in flags:
        value |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(ch, 0)
    return value
