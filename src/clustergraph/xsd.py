"""XML Schema datatype names shared by the result formatting and the SHACL engine (no imports)."""

from __future__ import annotations

__all__ = ["XSD", "INTEGER_TYPES"]

XSD = "http://www.w3.org/2001/XMLSchema#"

#: Local names of xsd:integer and the datatypes derived from it.
INTEGER_TYPES = frozenset(
    {
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "positiveInteger",
        "nonPositiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    }
)
