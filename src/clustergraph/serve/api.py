"""`/api/...`: the stored queries as a web API, the name search, and their OpenAPI description.

`GET /api/queries` lists the catalogue; `GET /api/queries/{name}?param=value` runs one stored
query with its parameters typed and validated exactly as `clustergraph query` does
(`StoredQuery.bindings`): rows come as plain JSON records by default, or in any SPARQL result
format by `Accept` / `?format=`; graphs as JSON-LD, Turtle or N-Triples. `GET /api/search?q=`
finds clusters, organisations, people and technologies by name.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse

from clustergraph.errors import ClustergraphError, ParameterError
from clustergraph.query.catalogue import Catalogue, Parameter, StoredQuery
from clustergraph.serve.negotiation import BOOLEAN_OFFERS, GRAPH_OFFERS, ROWS_OFFERS, Offer
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


def stored_query_job(request: Request, query: StoredQuery, *, max_rows: int) -> Job:
    """The job for one API call; a 400 naming the parameter when a value does not fit."""
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
    if query.form == "SELECT":
        kind, offer = "rows", negotiate(request, (RECORDS_OFFER, *ROWS_OFFERS), "rows")
    elif query.form == "ASK":
        kind, offer = "boolean", negotiate(request, BOOLEAN_OFFERS, "an ASK answer")
    else:
        json_first = (GRAPH_OFFERS[2], *GRAPH_OFFERS)
        kind, offer = "graph", negotiate(request, json_first, "a graph")
    return Job(text=text, formats={kind: offer.fmt}, max_rows=max_rows, checked_text=query.text)


# ---------------------------------------------------------------------------------------------
# OpenAPI
# ---------------------------------------------------------------------------------------------

_SCHEMAS = {
    "iri": {"type": "string", "format": "iri"},
    "number": {"type": "number"},
    "literal": {"type": "string"},
    "lang": {"type": "string"},
}
_XSD_SCHEMAS = {
    "integer": {"type": "integer"},
    "decimal": {"type": "number"},
    "double": {"type": "number"},
    "float": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
    "gYear": {"type": "string", "pattern": "^[0-9]{4}$"},
    "gYearMonth": {"type": "string", "pattern": "^[0-9]{4}-(0[1-9]|1[0-2])$"},
}


def _schema(p: Parameter) -> dict[str, Any]:
    if p.kind == "typed" and p.datatype:
        schema = dict(_XSD_SCHEMAS.get(p.datatype.rsplit("#", 1)[-1], {"type": "string"}))
    else:
        schema = dict(_SCHEMAS.get(p.kind, {"type": "string"}))
    if p.enum:
        schema["enum"] = list(p.enum)
    if p.default is not None:
        schema["default"] = p.default
    return schema


def _error_responses() -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    return {
        "400": {"description": "A parameter is missing, unknown or of the wrong type; the message names it.",
                "content": error},
        "406": {"description": "None of the accepted media types can be given.", "content": error},
        "503": {"description": "The query ran past the time limit and was stopped, or every worker was busy.",
                "content": error},
    }


def _query_operation(q: StoredQuery) -> dict[str, Any]:
    if q.form == "SELECT":
        media = ["application/json", "application/sparql-results+json",
                 "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]
    elif q.form == "ASK":
        media = ["application/sparql-results+json", "application/sparql-results+xml"]
    else:
        media = ["application/ld+json", "text/turtle", "application/n-triples"]
    parameters = [
        {"name": p.name, "in": "query", "required": p.required and p.default is None,
         "description": p.hint, "schema": _schema(p)}
        for p in q.parameters
    ]
    parameters.append({"name": "format", "in": "query", "required": False,
                       "description": "The answer's format instead of the Accept header.",
                       "schema": {"type": "string"}})
    return {
        "operationId": q.name,
        "summary": q.summary,
        "description": q.description,
        "tags": list(q.tags) or ["queries"],
        "parameters": parameters,
        "responses": {"200": {"description": "The answer.",
                              "content": {m: {} for m in media}}, **_error_responses()},
    }


def openapi(catalogue: Catalogue, version: str, root: str = "") -> dict[str, Any]:
    """The OpenAPI 3.1 description of the API: one operation per stored query, and the rest;
    its paths are under `root`, the path the server is mounted at."""
    paths: dict[str, Any] = {
        f"/api/queries/{q.name}": {"get": _query_operation(q)} for q in catalogue
    }
    paths["/api/queries"] = {"get": {
        "operationId": "listQueries", "summary": "The stored queries with their parameters.",
        "responses": {"200": {"description": "The catalogue.", "content": {"application/json": {}}}}}}
    paths["/api/search"] = {"get": {
        "operationId": "search",
        "summary": "Clusters, organisations, people and technologies whose name contains q.",
        "parameters": [{"name": "q", "in": "query", "required": True, "schema": {"type": "string"}}],
        "responses": {"200": {"description": "The matches, best first.",
                              "content": {"application/json": {}}}}}}
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
        "components": {"schemas": {"Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "string"}}}}},
    }


def search_response(hits: list[Any], root: str = "") -> JSONResponse:
    """The hits as JSON, each `page` the path of its page under `root` (where the server is
    mounted)."""
    results = [hit.to_json() for hit in hits]
    for result in results:
        if "://" not in result["page"]:
            result["page"] = f"{root}/{result['page']}"
    return JSONResponse({"results": results})
