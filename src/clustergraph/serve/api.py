"""`/api/...`: the stored queries as a web API, the name search, and their OpenAPI description.

`GET /api/queries` lists the catalogue; `GET /api/queries/{name}?param=value` runs one stored
query with its parameters typed and validated exactly as `clustergraph query` does
(`StoredQuery.bindings`): rows come as plain JSON records by default, or in any SPARQL result
format by `Accept` / `?format=`; graphs as JSON-LD or any RDF syntax. A browser (Accept
preferring text/html) gets the JSON. `GET /api/search?q=` finds clusters, organisations, people
and technologies by name. `/openapi.json` (OpenAPI 3.1) gives each parameter's JSON Schema from
`clustergraph.query.json_schema`: the types, bounds, defaults and closed sets the server keeps.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from clustergraph.errors import ClustergraphError, ParameterError
from clustergraph.query.catalogue import Catalogue, Parameter, StoredQuery
from clustergraph.query.json_schema import parameter_schema
from clustergraph.query.parameters import DECIMAL_PLACES
from clustergraph.serve.negotiation import (
    BOOLEAN_OFFERS,
    GRAPH_OFFERS,
    HTML_OFFERS,
    ROWS_OFFERS,
    Offer,
    choose,
)
from clustergraph.serve.responses import ProblemError, negotiate
from clustergraph.serve.worker import Job

__all__ = ["RECORDS_OFFER", "catalogue_json", "openapi", "stored_query_job"]

#: Rows as plain JSON records: what an API user wants first.
RECORDS_OFFER = Offer("application/json", "records", "application/json")
_RESERVED = {"format"}


def _example(query: StoredQuery) -> str:
    """The query text with its defaults bound, ready to run in the query page."""
    try:
        return query.bound_text({})
    except ClustergraphError:
        return query.text


def catalogue_json(catalogue: Catalogue, root: str = "") -> list[dict[str, Any]]:
    """Every stored query: name, summary, parameters, and its text ready to run (`root`: the
    path the server is mounted at, "" at the top)."""
    return [
        {
            "name": q.name,
            "summary": q.summary,
            "description": q.description,
            "tags": list(q.tags),
            "form": q.form,
            "api": f"{root}/api/queries/{q.name}",
            "parameters": [
                {"name": p.name, "type": p.type_name, "required": p.required,
                 "default": p.default, "values": list(p.enum), "hint": p.hint}
                for p in q.parameters
            ],
            "example": _example(q),
        }
        for q in catalogue
    ]


def _answers(form: str) -> tuple[str, tuple[Offer, ...], str, Offer]:
    """For a query form: the kind of answer, the offers (the server's preference first), the
    answer in words, and the offer a person's browser gets (JSON it can show)."""
    if form == "SELECT":
        return "rows", (RECORDS_OFFER, *ROWS_OFFERS), "rows", RECORDS_OFFER
    if form == "ASK":
        return "boolean", BOOLEAN_OFFERS, "an ASK answer", BOOLEAN_OFFERS[0]
    json_first = (GRAPH_OFFERS[2], *GRAPH_OFFERS)
    return "graph", json_first, "a graph", GRAPH_OFFERS[2]


def _from_browser(request: Request, offers: tuple[Offer, ...]) -> bool:
    """Whether the request's Accept prefers HTML to every offer (a browser opening the link):
    browsers list application/xml before */*, which would give them SPARQL XML."""
    if request.query_params.get("format"):
        return False
    return choose(request.headers.get("accept"), (*offers, *HTML_OFFERS)) in HTML_OFFERS


def stored_query_job(request: Request, query: StoredQuery, *, max_rows: int) -> Job:
    """The job for one API call; a 400 naming the parameter when a value does not fit.

    A browser (Accept preferring text/html) gets what it can show: rows as JSON records, a
    graph as JSON-LD; any other client the format of `?format=`, else of `Accept`.
    """
    pairs = parse_qsl(request.url.query, keep_blank_values=True)
    values: dict[str, str] = {}
    for name, value in pairs:
        if name in _RESERVED:
            continue
        if name in values:
            raise ProblemError(400, f"parameter {name!r}: given more than once")
        values[name] = value
    try:
        text = query.bound_text(values)
    except ParameterError as exc:
        raise ProblemError(400, str(exc)) from None
    kind, offers, what, readable = _answers(query.form)
    offer = readable if _from_browser(request, offers) else negotiate(request, offers, what)
    return Job(text=text, formats={kind: offer.fmt}, max_rows=max_rows, checked_text=query.text)


# ---------------------------------------------------------------------------------------------
# OpenAPI
# ---------------------------------------------------------------------------------------------

def _error_responses() -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "400": {"description": "A parameter is missing, unknown or of the wrong type; the message names it.",
                "content": error},
        "406": {"description": "None of the accepted media types can be given.", "content": error},
        "503": {"description": "The query ran past the time limit and was stopped, or every worker was busy.",
                "content": error},
    }


#: The JSON answers, as JSON Schema: enough for a client generator to type them.
_COMPONENTS: dict[str, Any] = {
    "Error": {"type": "object", "required": ["error"],
              "properties": {"error": {"type": "string"}}},
    "Records": {
        "type": "object", "required": ["columns", "truncated", "rows"],
        "properties": {
            "columns": {"type": "array", "items": {"type": "string"}},
            "truncated": {"type": "boolean"},
            "rows": {"type": "array", "items": {
                "type": "object",
                "additionalProperties": {"type": ["string", "number", "boolean", "null"]}}},
        },
    },
    "SparqlResults": {
        "type": "object", "required": ["head"],
        "properties": {
            "head": {"type": "object"},
            "boolean": {"type": "boolean"},
            "results": {"type": "object", "required": ["bindings"], "properties": {
                "bindings": {"type": "array", "items": {"type": "object", "additionalProperties": {
                    "type": "object", "required": ["type", "value"],
                    "properties": {"type": {"enum": ["uri", "literal", "bnode", "triple"]},
                                   "value": {}}}}}}},
        },
    },
    "JsonLd": {"type": ["object", "array"]},
    "Catalogue": {"type": "array", "items": {
        "type": "object", "required": ["name", "summary", "form", "api", "parameters"],
        "properties": {
            "name": {"type": "string"}, "summary": {"type": "string"},
            "description": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
            "form": {"enum": ["SELECT", "ASK", "CONSTRUCT", "DESCRIBE"]},
            "api": {"type": "string"}, "example": {"type": "string"},
            "parameters": {"type": "array", "items": {
                "type": "object", "required": ["name", "type", "required"],
                "properties": {"name": {"type": "string"}, "type": {"type": "string"},
                               "required": {"type": "boolean"},
                               "default": {"type": ["string", "null"]},
                               "values": {"type": "array", "items": {"type": "string"}},
                               "hint": {"type": "string"}}}},
        }}},
    "SearchResults": {
        "type": "object", "required": ["results"],
        "properties": {"results": {"type": "array", "items": {
            "type": "object", "required": ["iri", "label", "kind", "page"],
            "properties": {k: {"type": "string"} for k in ("iri", "label", "kind", "matched", "page")},
        }}},
    },
}
_JSON_SCHEMAS = {"records": "Records", "json": "SparqlResults", "jsonld": "JsonLd"}


def _ref(name: str) -> dict[str, Any]:
    return {"schema": {"$ref": f"#/components/schemas/{name}"}}


def _answer_content(offers: tuple[Offer, ...]) -> dict[str, Any]:
    """The media types of the offers (each once), with the schema of those in JSON."""
    content: dict[str, Any] = {}
    for offer in offers:
        media = offer.media_type.split(";", 1)[0].strip()
        if media not in content:
            schema = _JSON_SCHEMAS.get(offer.fmt)
            content[media] = _ref(schema) if schema else {}
    return content


def _parameter_description(p: Parameter) -> str:
    """The parameter's hint, with the one limit of the engine its schema cannot state: the
    digits after the point of a decimal, the smallest magnitude of a double or float."""
    if p.type_name == "xsd:decimal":
        return f"{p.hint} (at most {DECIMAL_PLACES} digits after the point)"
    if p.numeric and p.type_name != "xsd:integer":
        binary = "float" if p.type_name == "xsd:float" else "double"
        return f"{p.hint} (a number other than 0 that a {binary} would read as 0 is refused)"
    return p.hint


def _query_operation(q: StoredQuery) -> dict[str, Any]:
    _, offers, _, _ = _answers(q.form)
    parameters = [
        {"name": p.name, "in": "query", "required": p.required and p.default is None,
         "description": _parameter_description(p), "schema": parameter_schema(p)}
        for p in q.parameters
    ]
    formats = list(dict.fromkeys(o.fmt for o in offers))
    parameters.append({"name": "format", "in": "query", "required": False,
                       "description": "The answer's format instead of the Accept header.",
                       "schema": {"type": "string", "enum": formats}})
    return {
        "operationId": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": list(q.tags) or ["queries"],
        "parameters": parameters,
        "responses": {"200": {"description": "The answer; a browser (Accept preferring "
                                             "text/html) gets JSON.",
                              "content": _answer_content(offers)}, **_error_responses()},
    }


def openapi(catalogue: Catalogue, version: str, root: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API: one operation per stored query, and the rest;
    its paths are under `root`, the path the server is mounted at."""
    paths: dict[str, Any] = {
        f"/api/queries/{q.name}": {"get": _query_operation(q)} for q in catalogue
    }
    paths["/api/queries"] = {"get": {
        "operationId": "listQueries", "summary": "The stored queries with their parameters.",
        "responses": {"200": {"description": "The catalogue.",
                              "content": {"application/json": _ref("Catalogue")}}}}}
    paths["/api/search"] = {"get": {
        "operationId": "search",
        "summary": "Clusters, organisations, people and technologies whose name contains q.",
        "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The matches, best first.",
                              "content": {"application/json": _ref("SearchResults")}}}}}
    paths["/sparql"] = {"get": {
        "operationId": "sparql",
        "summary": "SPARQL 1.1 Protocol query operation (also POST); read-only.",
        "parameters": [{"name": "query", "in": "query", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The answer, in the negotiated format."},
                      **_error_responses()}}}
    return {
        "openapi": "3.1.0",
        "info": {"title": "clustergraph", "version": version,
                 "description": "The stored questions of the clustergraph knowledge graph as a "
                                "web API, a read-only SPARQL endpoint and a name search."},
        "servers": [{"url": root or "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": _COMPONENTS},
    }


def search_response(hits: list[Any], root: str = "") -> JSONResponse:
    """The hits as JSON, each `page` the path of its page under `root` (where the server is
    mounted)."""
    results = [hit.to_json() for hit in hits]
    for result in results:
        if "://" not in result["page"]:
            result["page"] = f"{root}/{result['page']}"
    return JSONResponse({"results": results})
