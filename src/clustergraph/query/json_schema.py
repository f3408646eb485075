"""The JSON Schema of a stored query's parameter: what `Parameter.to_term` accepts, for OpenAPI.

Types, bounds and defaults come from the same place as the checks (`clustergraph.query.parameters`):
a numeric parameter is a JSON number (exponent notation included) whose `minimum` / `maximum`
(or `exclusiveMinimum` / `exclusiveMaximum`) are its declared ``#+ bounds:`` within the range
the query engine holds (`number_limits`); a default or an enumerated value is written in the
parameter's JSON type (a number as a number); text has the length and characters allowed.
"""

from __future__ import annotations

from typing import Any

from clustergraph.query.parameters import (
    MAX_VALUE_LENGTH,
    XSD,
    Parameter,
    json_number,
    lexical_pattern,
)

__all__ = ["parameter_schema"]

#: The JSON type (and OpenAPI format) of each XSD datatype a parameter may have.
_TYPED = {
    "integer": {"type": "integer", "format": "int64"},
    "decimal": {"type": "number"},
    "double": {"type": "number", "format": "double"},
    "float": {"type": "number", "format": "float"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string"},
    "gYear": {"type": "string"},
    "gYearMonth": {"type": "string"},
}


def _local(p: Parameter) -> str:
    return (p.datatype or "")[len(XSD) :] if p.kind == "typed" else p.kind


def parameter_schema(p: Parameter) -> dict[str, Any]:
    """The JSON Schema (OpenAPI 3.1) of the values a parameter accepts."""
    local = _local(p)
    if p.numeric:
        schema: dict[str, Any] = dict(_TYPED.get(local, {"type": "number"}))
        limits = p.number_range()
        assert limits is not None
        (low, low_exclusive), (high, high_exclusive) = limits
        schema["exclusiveMinimum" if low_exclusive else "minimum"] = json_number(low)
        schema["exclusiveMaximum" if high_exclusive else "maximum"] = json_number(high)
    elif local in _TYPED:
        schema = dict(_TYPED[local])
        if local not in ("boolean", "date"):
            schema["pattern"] = lexical_pattern(local)
    elif p.kind == "iri":
        schema = {"type": "string", "pattern": lexical_pattern("iri"),
                  "maxLength": MAX_VALUE_LENGTH}
    else:  # text, in a language or not
        schema = {"type": "string", "pattern": lexical_pattern("text"),
                  "maxLength": MAX_VALUE_LENGTH}
    if schema.get("type") == "string" and p.required:
        schema["minLength"] = 1
    if p.enum:
        schema["enum"] = [p.json_value(value) for value in p.enum]
    if p.default is not None:
        schema["default"] = p.json_value(p.default)
    return schema
