"""`/sparql`: the SPARQL 1.1 Protocol's query operation, read-only.

GET with `?query=`, POST of a form (`application/x-www-form-urlencoded`) or POST of the query
itself (`application/sparql-query`, UTF-8); `default-graph-uri` and `named-graph-uri` select
graphs held in the store (nothing is ever fetched). SELECT and ASK answer in SPARQL Results JSON,
XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle, N-Triples, RDF/XML, JSON-LD, N-Quads, TriG,
RDF/JSON, CSV or TSV, chosen by a `format` / `output` / `results` parameter naming one (in the URL
or the form; a value naming none is passed over) or else by `Accept` (q-values honoured).
Updates, SERVICE and LOAD are refused with 400 (FROM fetches nothing).

A GET without a query gets the service description (`clustergraph.serve.description`) when its
`Accept` prefers RDF, and is sent to the query page when it prefers HTML over every RDF and
result type (a browser); `/sparql/` answers as `/sparql`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import RedirectResponse

from clustergraph.errors import ClustergraphError, QueryError, UnsafeQueryError
from clustergraph.query.catalogue import check_safe, query_form
from clustergraph.serve.negotiation import (
    BOOLEAN_OFFERS,
    DESCRIPTION_OFFERS,
    HTML_OFFERS,
    QUERY_GRAPH_OFFERS,
    ROWS_OFFERS,
    Offer,
    choose,
    offer_for_parameters,
)
from clustergraph.serve.responses import ProblemError, by_accept, mount_root
from clustergraph.serve.worker import Job, refusal

__all__ = ["check_query_text", "endpoint_address", "job_from_request", "read_body", "to_query_page",
           "without_query"]

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
        kind, offers, what = "boolean", BOOLEAN_OFFERS, "an ASK answer"
    elif form == "SELECT":
        kind, offers, what = "rows", ROWS_OFFERS, "SELECT rows"
    else:
        kind, offers, what = "graph", QUERY_GRAPH_OFFERS, f"a {form} graph"
    offer = _negotiate(request, pairs, kind, offers, what)
    return Job(
        text=text,
        formats={kind: offer.fmt},
        max_rows=max_rows,
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


def _negotiate(request: Request, pairs: list[tuple[str, str]], kind: str,
               offers: tuple[Offer, ...], what: str) -> Offer:
    """The offer a format parameter names, else the one `Accept` prefers; 406 when none."""
    offer = offer_for_parameters(pairs, kind, offers)
    return by_accept(request, offers, what) if offer is None else offer


def endpoint_address(request: Request) -> str:
    """The address the client used for /sparql, without its query (and without a final slash:
    `/sparql/` is the same endpoint)."""
    url = request.url.replace(query="", fragment="")
    return str(url.replace(path=url.path.rstrip("/"))) if url.path.endswith("/sparql/") else str(url)


#: What a GET without a query may ask for: the description first (so `*/*` gets it), then the
#: result types (which need a query), then HTML (a browser names it with a higher q).
_WITHOUT_QUERY = (*DESCRIPTION_OFFERS, *ROWS_OFFERS, *HTML_OFFERS)


def without_query(request: Request) -> Offer | None:
    """For a GET or HEAD of /sparql without a query: the service description's offer, or the
    HTML offer when HTML is preferred over every RDF and result type. None when the request has
    a query (or an update, refused later). A client preferring results without giving a query
    gets 400; one accepting none of these 406."""
    if request.method not in ("GET", "HEAD"):
        return None
    names = {k for k, _ in parse_qsl(request.url.query, keep_blank_values=True)}
    if names & {"query", "update"}:
        return None
    offer = choose(request.headers.get("accept"), _WITHOUT_QUERY)
    if offer is None:
        types = ", ".join(dict.fromkeys(o.accepts for o in DESCRIPTION_OFFERS))
        raise ProblemError(406, "none of the accepted media types can be given for the service "
                                f"description (available: {types})")
    if offer in DESCRIPTION_OFFERS or offer.fmt == "html":
        return offer
    raise ProblemError(400, "missing parameter 'query' (the SPARQL query text); a GET without a "
                            "query that accepts RDF gets the service description")


def to_query_page(request: Request) -> RedirectResponse:
    """A browser opening /sparql without a query is sent to the query page."""
    return RedirectResponse(mount_root(request) + "/", status_code=303)
