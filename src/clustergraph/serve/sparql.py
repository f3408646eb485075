"""`/sparql`: the SPARQL 1.1 Protocol's query operation, read-only.

GET with `?query=`, POST of a form (`application/x-www-form-urlencoded`) or POST of the query
itself (`application/sparql-query`, UTF-8); `default-graph-uri` and `named-graph-uri` select
graphs held in the store (nothing is ever fetched). SELECT and ASK answer in SPARQL Results JSON,
XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle, N-Triples or JSON-LD, chosen by `Accept` or
`?format=`. Updates, SERVICE and LOAD are refused with 400 (FROM fetches nothing).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse, Response

from clustergraph.errors import ClustergraphError, QueryError, UnsafeQueryError
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

__all__ = ["browser_without_query", "check_query_text", "job_from_request", "read_body"]

_READ_ONLY = "updates are refused: this endpoint is read-only"
#: Texts longer than this are read in a thread: lexing 100 kB takes a tenth of a second, which
#: the event loop (every other client) must not wait for.
_THREAD_AT = 4096
_T = TypeVar("_T")


async def _off_loop(function: Callable[[str], _T], text: str) -> _T:
    """`function(text)`, in a thread when the text is long."""
    if len(text) > _THREAD_AT:
        return await run_in_threadpool(function, text)
    return function(text)


def _check(text: str) -> None:
    """The one SPARQL text check (`clustergraph.query.safety`), as a 400 for the client."""
    try:
        check_safe(text)
    except UnsafeQueryError as exc:
        raise ProblemError(400, refusal(exc)) from None
    except ClustergraphError as exc:  # e.g. nested deeper than the limit
        raise ProblemError(400, str(exc)) from None


async def check_query_text(text: str) -> None:
    """Refuse (400) a text the SPARQL check refuses: before any worker sees it, so a query that
    would crash a worker's parser never reaches one."""
    await _off_loop(_check, text)


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
    try:
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise too_large
            chunks.append(chunk)
    except ClientDisconnect:  # gone, or cut for sending too slowly: nobody reads the answer
        raise ProblemError(408, "the request body did not arrive") from None
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
        _check(text)  # a refusal says more than "not a query"
        raise ProblemError(400, str(not_a_query)) from None


async def job_from_request(request: Request, *, max_body: int, max_rows: int) -> Job:
    """The job one /sparql request asks for (a `ProblemError` for a bad request)."""
    text, pairs = await _query_pairs(request, max_body)
    form = await _off_loop(_form, text)
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
