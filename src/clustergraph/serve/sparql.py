"""`/sparql`: the SPARQL 1.1 Protocol's query operation, read-only.

GET with `?query=`, POST of a form (`application/x-www-form-urlencoded`) or POST of the query
itself (`application/sparql-query`, UTF-8); `default-graph-uri` and `named-graph-uri` select
graphs held in the store (nothing is ever fetched). SELECT and ASK answer in SPARQL Results JSON,
XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle, N-Triples or JSON-LD, chosen by `Accept` or
`?format=`. Updates, SERVICE, LOAD and FROM are refused with 400.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from clustergraph.errors import QueryError, UnsafeQueryError
from clustergraph.query.catalogue import check_safe, query_form
from clustergraph.serve.negotiation import (
    BOOLEAN_OFFERS,
    GRAPH_OFFERS,
    HTML_OFFERS,
    ROWS_OFFERS,
    choose,
)
from clustergraph.serve.responses import ProblemError, mount_root, negotiate
from clustergraph.serve.worker import Job, refusal

__all__ = ["browser_without_query", "job_from_request", "read_body"]

_READ_ONLY = "updates are refused: this endpoint is read-only"


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, at most `limit` bytes (413 beyond)."""
    declared = request.headers.get("content-length")
    too_large = ProblemError(413, f"the request body is larger than {limit} bytes")
    if declared is not None:
        try:
            if int(declared) > limit:
                raise too_large
        except ValueError:
            raise ProblemError(400, "the Content-Length header is not a number") from None
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def _one(pairs: list[tuple[str, str]], name: str) -> str | None:
    values = [v for k, v in pairs if k == name]
    if len(values) > 1:
        raise ProblemError(400, f"parameter {name!r} is given {len(values)} times; give one")
    return values[0] if values else None


def _utf8(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProblemError(400, f"{what} is not UTF-8 (byte {exc.start})") from None


def _media_type(request: Request) -> tuple[str, str | None]:
    header = request.headers.get("content-type", "")
    fields = [f.strip() for f in header.split(";")]
    charset = None
    for param in fields[1:]:
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = value.strip().strip('"').lower()
    return fields[0].lower(), charset


def _query_parameter(pairs: list[tuple[str, str]], what: str) -> str:
    """The one `query` of the parameters (an `update` is refused)."""
    if _one(pairs, "update") is not None:
        raise ProblemError(400, _READ_ONLY)
    query = _one(pairs, "query")
    if query is None:
        raise ProblemError(400, f"missing {what} 'query' (the SPARQL query text)")
    return query


async def _query_pairs(request: Request, max_body: int) -> tuple[str, list[tuple[str, str]]]:
    """The query text and every protocol parameter (URL and form) of a request."""
    url_pairs = parse_qsl(request.url.query, keep_blank_values=True)
    if request.method in ("GET", "HEAD"):
        return _query_parameter(url_pairs, "parameter"), url_pairs
    media, charset = _media_type(request)
    if media == "application/sparql-update":
        raise ProblemError(400, _READ_ONLY)
    if charset not in (None, "utf-8", "utf8"):
        raise ProblemError(415, f"the request body must be UTF-8, not {charset}")
    body = await read_body(request, max_body)
    if media == "application/x-www-form-urlencoded":
        form_pairs = parse_qsl(_utf8(body, "the form"), keep_blank_values=True)
        pairs = url_pairs + form_pairs
        return _query_parameter(pairs, "form field"), pairs
    if media == "application/sparql-query":
        if _one(url_pairs, "query") is not None:
            raise ProblemError(400, "give the query either in the body or as ?query=, not both")
        return _utf8(body, "the query"), url_pairs
    raise ProblemError(
        415,
        f"a query is POSTed as application/x-www-form-urlencoded or application/sparql-query, "
        f"not {media or 'a body without Content-Type'}",
    )


def _form(text: str) -> str:
    try:
        return query_form(text)
    except QueryError as not_a_query:
        try:
            check_safe(text, parse=False)
        except UnsafeQueryError as exc:
            raise ProblemError(400, refusal(exc)) from None
        raise ProblemError(400, str(not_a_query)) from None


async def job_from_request(request: Request, *, max_body: int, max_rows: int) -> Job:
    """The job one /sparql request asks for (a `ProblemError` for a bad request)."""
    text, pairs = await _query_pairs(request, max_body)
    form = _form(text)
    if form == "ASK":
        kind, offer = "boolean", negotiate(request, BOOLEAN_OFFERS, "an ASK answer")
    elif form == "SELECT":
        kind, offer = "rows", negotiate(request, ROWS_OFFERS, "SELECT rows")
    else:
        kind, offer = "graph", negotiate(request, GRAPH_OFFERS, f"a {form} graph")
    return Job(
        text=text,
        formats={kind: offer.fmt},
        max_rows=max_rows,
        base_iri=str(request.url.replace(query="", fragment="")),
        default_graphs=_graph_iris(pairs, "default-graph-uri"),
        named_graphs=_graph_iris(pairs, "named-graph-uri"),
    )


def _graph_iris(pairs: list[tuple[str, str]], name: str) -> tuple[str, ...]:
    """The IRIs of a dataset parameter, each checked (they name graphs; none is fetched)."""
    iris = tuple(v for k, v in pairs if k == name)
    for iri in iris:
        try:
            ox.NamedNode(iri)
        except ValueError:
            raise ProblemError(400, f"parameter {name!r}: {iri!r} is not an IRI") from None
    return iris


def browser_without_query(request: Request) -> Response | None:
    """A browser opening /sparql without a query is sent to the query page."""
    if request.method == "GET" and "query" not in request.query_params:
        if choose(request.headers.get("accept"), HTML_OFFERS) is not None and "text/html" in (
            request.headers.get("accept") or ""
        ):
            return RedirectResponse(mount_root(request) + "/", status_code=303)
    return None
