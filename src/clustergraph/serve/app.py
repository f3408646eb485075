"""The ASGI application: `create_app(settings)` builds it; nothing is read at import time.

    from clustergraph.serve import ServeSettings, create_app
    app = create_app(ServeSettings(timeout=5))      # run with uvicorn, or mount it:
    # Starlette(routes=[Mount("/kg", app=app)]) - then call `await app.state.pool.start()` in
    # the host's lifespan (or let the first query start the workers).

Routes: `/` (the query page), `/sparql` (and `/sparql/`; without a query, the service
description), `/api/queries[/{name}]`, `/api/search`, `/openapi.json`, `/id/{path}` (resources
with content negotiation), `/void`, `/health`, assets; HEAD wherever GET, OPTIONS everywhere.
Middleware: with `trust_proxy`, the `X-Forwarded-*` headers of a reverse proxy; one log line per
request; requests in flight limited overall and per client address (`clustergraph.serve.guard`);
CORS for reading (GET and HEAD anywhere, POST of a query to `/sparql`; nothing that could write);
JSON errors without tracebacks.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from clustergraph.errors import InputError
from clustergraph.query.catalogue import load_catalogue
from clustergraph.serve import pages
from clustergraph.serve.api import catalogue_json, openapi, search_response, stored_query_job
from clustergraph.serve.cache import AnswerCache
from clustergraph.serve.description import (
    SIZES_QUERY,
    GraphSizes,
    service_description,
    write_description,
)
from clustergraph.serve.graph import ServedGraph
from clustergraph.serve.guard import ClientGuard, GuardRefusal
from clustergraph.serve.negotiation import Offer
from clustergraph.serve.pages import Pages
from clustergraph.serve.pool import PoolBusy, QueryTimeout, WorkerDied, WorkerPool
from clustergraph.serve.responses import ProblemError, error_response, mount_root, reply_response
from clustergraph.serve.settings import ServeSettings
from clustergraph.serve.sparql import (
    check_query_text,
    endpoint_address,
    job_from_request,
    to_query_page,
    without_query,
)
from clustergraph.serve.worker import Job, Reply
from clustergraph.version import __version__

__all__ = ["create_app"]

log = logging.getLogger("clustergraph.serve")


class Server:
    """What the handlers share: settings, the worker pool, the graph, the catalogue, pages."""

    def __init__(self, settings: ServeSettings) -> None:
        self.settings = settings
        self.graph = ServedGraph.load(settings)
        self.catalogue = load_catalogue()
        self.pages = Pages(self.graph)
        self.pages.search  # noqa: B018 - build the renderer and the name index before serving
        self.pool = WorkerPool(settings.graph_files(), size=settings.workers, timeout=settings.timeout,
                               max_memory=settings.max_memory,
                               union_default_graph=settings.union_default_graph,
                               base_iri=settings.base_iri)
        self.answers: AnswerCache[Reply] = AnswerCache()
        self.descriptions: AnswerCache[bytes] = AnswerCache(max_bytes=2**20)
        self.sizes: GraphSizes | None = None
        self.guard = ClientGuard(settings.max_concurrent, settings.max_concurrent_per_client)

    async def graph_sizes(self) -> GraphSizes:
        """The graphs the workers' store holds and their triples, counted by a worker once
        (when that fails, e.g. past the time limit: the graphs' names, uncounted, this time)."""
        if self.sizes is None:
            job = Job(text=SIZES_QUERY, formats={"rows": "json"}, max_rows=1_000_000)
            try:
                reply = await self.pool.run(job)
            except (PoolBusy, QueryTimeout, WorkerDied):
                reply = None
            if reply is None or reply.status != 200:
                return GraphSizes(None, tuple((g, None) for g in self.pool.named_graphs))
            self.sizes = GraphSizes.from_results(json.loads(reply.body))
        return self.sizes

    async def description(self, request: Request, offer: Offer) -> Response:
        """The service description of /sparql as the client addressed it, in `offer`'s format
        (kept per address and format: the graph never changes)."""
        endpoint = endpoint_address(request)
        key = (endpoint, offer.fmt)
        body = self.descriptions.get(key)
        if body is None:
            try:
                ox.NamedNode(endpoint)
            except ValueError:
                raise ProblemError(400, "the Host header does not make an address") from None
            sizes = await self.graph_sizes()
            triples = service_description(endpoint, self.settings, sizes,
                                          str(request.url_for("void")))
            body = write_description(offer.fmt, triples)
            if self.sizes is not None:  # counted: kept (uncounted: counted again next time)
                self.descriptions.put(key, body, len(body) + len(endpoint))
        return Response(body, media_type=offer.media_type, headers={"Vary": "Accept"})

    async def run(self, job: Job, client: str) -> Response:
        """Run `client`'s job on a worker, or answer from the cache (answers and refusals are
        kept; a timeout is not: it depends on the load). The text is checked before a worker
        sees it; a client whose queries keep stopping workers is paused (429)."""
        try:
            self.guard.paused(client)
        except GuardRefusal as exc:
            raise ProblemError(exc.status, exc.message, {"Retry-After": str(exc.retry_after)}) from None
        key = job.key()
        reply = self.answers.get(key)
        if reply is None:
            await check_query_text(job.text if job.checked_text is None else job.checked_text)
            try:
                reply = await self.pool.run(job)
            except PoolBusy as exc:
                raise ProblemError(503, str(exc), {"Retry-After": "1"}) from None
            except QueryTimeout as exc:
                self.guard.strike(client)
                raise ProblemError(503, str(exc), {"Retry-After": "1"}) from None
            except WorkerDied as exc:
                self.guard.strike(client)
                raise ProblemError(503, f"{exc} (most likely it needed more than the "
                                        f"{self.settings.max_memory} MB memory limit)") from None
            if reply.status < 500:
                self.answers.put(key, reply, len(reply.body) + len(job.text))
        return reply_response(reply, self.settings.max_rows)


# ---------------------------------------------------------------------------------------------
# Handlers
# ---------------------------------------------------------------------------------------------


def _server(request: Request) -> Server:
    return request.app.state.server


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


async def sparql_endpoint(request: Request) -> Response:
    """`/sparql`: the SPARQL 1.1 Protocol query operation (GET or POST), run on a worker; without
    a query, the service description (a browser is sent to the query page)."""
    server = _server(request)
    offer = without_query(request)
    if offer is not None:
        if offer.fmt == "html":
            return to_query_page(request)
        return await server.description(request, offer)
    job = await job_from_request(request, max_body=server.settings.max_body,
                                 max_rows=server.settings.max_rows)
    return await server.run(job, _client(request))


async def list_queries(request: Request) -> Response:
    """`/api/queries`: the stored queries with their parameters, as JSON."""
    return JSONResponse(catalogue_json(_server(request).catalogue, mount_root(request)))


async def stored_query(request: Request) -> Response:
    """`/api/queries/{name}`: run one stored query with the request's parameters (404: no such
    query)."""
    server = _server(request)
    try:
        query = server.catalogue[request.path_params["name"]]
    except InputError as exc:
        raise ProblemError(404, str(exc).replace("Run `clustergraph queries`", "GET /api/queries")) from None
    job = stored_query_job(request, query, max_rows=server.settings.max_rows)
    return await server.run(job, _client(request))


async def search(request: Request) -> Response:
    """`/api/search?q=`: clusters, organisations, people and technologies by name."""
    text = request.query_params.get("q", "")
    if len(text) > 200:
        raise ProblemError(400, "parameter 'q': at most 200 characters")
    return search_response(_server(request).pages.search(text), mount_root(request))


async def openapi_json(request: Request) -> Response:
    """`/openapi.json`: the OpenAPI description of the API."""
    return JSONResponse(openapi(_server(request).catalogue, __version__, mount_root(request)))


async def health(request: Request) -> Response:
    """`/health`: the graph's size and the workers' state, as JSON."""
    server = _server(request)
    return JSONResponse({
        "status": "ok",
        "triples": len(server.graph),
        "workers": server.pool.size,
        "idle_workers": server.pool.idle,
        "stopped_queries": server.pool.kills,
        "workers_without_network": server.pool.isolated,
        "cached_answers": len(server.answers),
    })


def _routes() -> list[Any]:
    return [
        Route("/", pages.query_page, methods=["GET"]),
        Route("/sparql", sparql_endpoint, methods=["GET", "POST"]),
        Route("/sparql/", sparql_endpoint, methods=["GET", "POST"], name="sparql_endpoint_slash"),
        Route("/api/queries", list_queries, methods=["GET"]),
        Route("/api/queries/{name}", stored_query, methods=["GET"]),
        Route("/api/search", search, methods=["GET"]),
        Route("/openapi.json", openapi_json, methods=["GET"]),
        Route("/health", health, methods=["GET"]),
        Route("/void", pages.void, methods=["GET"]),
        Route("/id/{path:path}", pages.resource, methods=["GET"]),
        Route("/static/{name}", pages.static_file, methods=["GET"]),
        Route("/assets/yasgui/{name}", pages.yasgui_file, methods=["GET"]),
        Route("/{path:path}", pages.site_file, methods=["GET"]),
    ]


# ---------------------------------------------------------------------------------------------
# Middleware
# ---------------------------------------------------------------------------------------------


class _HttpMiddleware:
    """A pure ASGI middleware that sees HTTP requests (`handle`) and passes everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
        else:
            await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one HTTP request (each subclass does its part and calls `self.app`)."""
        raise NotImplementedError


class RequestLog(_HttpMiddleware):
    """One log line per request: client, method, path, status, bytes, milliseconds."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on and log it once answered (or failed)."""
        start = time.perf_counter()
        status, size = 0, 0

        async def sending(message: Message) -> None:
            nonlocal status, size
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                size += len(message.get("body", b""))
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            client = scope.get("client") or ("-", 0)
            target = scope.get("path", "")
            if scope.get("query_string"):
                target += "?" + scope["query_string"].decode("latin-1")
            if len(target) > 200:
                target = target[:199] + "…"
            log.info('%s "%s %s" %d %d %.1fms', client[0], scope["method"], target, status or 500,
                     size, (time.perf_counter() - start) * 1000)


class FairShare(_HttpMiddleware):
    """Requests in flight: at most `max_concurrent` in all (503) and `max_concurrent_per_client`
    from one address (429), both with Retry-After; idle connections do not count."""

    def __init__(self, app: ASGIApp, guard: ClientGuard) -> None:
        super().__init__(app)
        self.guard = guard

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Count the request in, pass it on, count it out; or refuse it."""
        client = (scope.get("client") or ("-", 0))[0]
        try:
            self.guard.admit(client)
        except GuardRefusal as exc:
            response = error_response(exc.status, exc.message, {"Retry-After": str(exc.retry_after)})
            await response(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self.guard.release(client)


#: The paths (below the mount point) that take a POSTed query.
_QUERY_PATHS = frozenset({"/sparql", "/sparql/"})
#: The bodies a POSTed query comes in: anything else (an update) gets no CORS header.
_QUERY_BODIES = frozenset({"application/x-www-form-urlencoded", "application/sparql-query"})
_EXPOSED = "X-Result-Rows, X-Result-Truncated, Retry-After, Link"


def _headers_of(scope: Scope, names: frozenset[bytes] | None = None) -> dict[str, str]:
    """The request's headers by lower-case name (only NAMES, when given)."""
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]
            if names is None or k.lower() in names}


#: The headers CORS looks at.
_CORS_HEADERS = frozenset({b"origin", b"content-type", b"access-control-request-method"})


def _route_path(scope: Scope) -> str:
    """The request's path below the mount point."""
    path, root = scope.get("path", ""), scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


class QueryCors(_HttpMiddleware):
    """CORS for reading: `Access-Control-Allow-Origin: *` on GET and HEAD answers, and on POSTs
    of a query (a form or `application/sparql-query`) to /sparql; never on anything else.

    A preflight (OPTIONS with Access-Control-Request-Method) is granted for GET and HEAD
    anywhere and for POST to /sparql, with the headers `Accept` and `Content-Type`; other
    methods are refused (403). A plain OPTIONS says which methods a path takes (`Allow`).
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer OPTIONS, or pass the request on, adding the CORS headers where they belong."""
        headers = _headers_of(scope, _CORS_HEADERS)
        method = scope["method"]
        posts = _route_path(scope) in _QUERY_PATHS
        if method == "OPTIONS":
            await self._options(headers, posts)(scope, receive, send)
            return
        body = headers.get("content-type", "").split(";")[0].strip().lower()
        readable = method in ("GET", "HEAD") or (method == "POST" and posts and body in _QUERY_BODIES)
        if not readable or "origin" not in headers:
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"access-control-allow-origin", b"*"),
                                      (b"access-control-expose-headers", _EXPOSED.encode())]
            await send(message)

        await self.app(scope, receive, sending)

    @staticmethod
    def _options(headers: dict[str, str], posts: bool) -> Response:
        methods = "GET, HEAD, POST, OPTIONS" if posts else "GET, HEAD, OPTIONS"
        if "access-control-request-method" not in headers:
            extra = {"Access-Control-Allow-Origin": "*"} if "origin" in headers else {}
            return Response(status_code=204, headers={"Allow": methods, **extra})
        wanted = headers["access-control-request-method"].strip().upper()
        if wanted not in ("GET", "HEAD") and not (wanted == "POST" and posts):
            return Response(status_code=403, headers={"Allow": methods})
        return Response(status_code=204, headers={
            "Allow": methods, "Access-Control-Allow-Origin": "*",
            "Access-Control-Allow-Methods": methods.replace(", OPTIONS", ""),
            "Access-Control-Allow-Headers": "Accept, Content-Type",
            "Access-Control-Max-Age": "600"})


#: What a forwarded host may be: a name or an address, with a port.
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")
_PREFIX = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+")


def _first(value: str | None) -> str:
    return (value or "").split(",")[0].strip()


class ForwardedHeaders(_HttpMiddleware):
    """Behind a trusted reverse proxy (`trust_proxy`): the scheme, host, port and path prefix the
    client used (`X-Forwarded-Proto`, `-Host`, `-Port`, `-Prefix`) become the request's, so every
    address an answer names (the service description's endpoint, /void, links) is the public one;
    `X-Forwarded-For`'s last address (the one the proxy added) becomes the client's, so the limits
    per client count clients, not the proxy. A value that is not well formed is ignored."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Rewrite the request from the proxy's headers, then pass it on."""
        headers = _headers_of(scope)
        scope = dict(scope)
        proto = _first(headers.get("x-forwarded-proto")).lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto
        host = _first(headers.get("x-forwarded-host"))
        port = _first(headers.get("x-forwarded-port"))
        if host and _HOST.fullmatch(host):
            if port.isdigit() and ":" not in host.rsplit("]", 1)[-1]:
                host += "" if (scope.get("scheme"), port) in (("http", "80"), ("https", "443")) else f":{port}"
            scope["headers"] = [(k, v) for k, v in scope["headers"] if k.lower() != b"host"]
            scope["headers"].append((b"host", host.encode("latin-1")))
        prefix = _first(headers.get("x-forwarded-prefix")).rstrip("/")
        if prefix and _PREFIX.fullmatch(prefix):
            for key in ("root_path", "path", "app_root_path"):
                if key in scope:
                    scope[key] = prefix + scope[key]
        client = (headers.get("x-forwarded-for") or "").split(",")[-1].strip()
        if client and len(client) <= 64 and re.fullmatch(r"[0-9A-Fa-f:.]+", client):
            scope["client"] = (client, 0)
        await self.app(scope, receive, send)


async def _problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProblemError)
    return error_response(exc.status, exc.message, exc.headers)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    messages = {404: "no such page", 405: f"method {request.method} is not allowed here"}
    return error_response(exc.status_code, messages.get(exc.status_code, str(exc.detail)),
                          exc.headers)


async def _internal_error(request: Request, exc: Exception) -> Response:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error; the server log has the details")


# ---------------------------------------------------------------------------------------------
# The factory
# ---------------------------------------------------------------------------------------------


def create_app(settings: ServeSettings | None = None) -> Starlette:
    """The clustergraph server as an ASGI app (loads the graph now; workers start with the app).

    >>> app = create_app(ServeSettings(workers=1))  # no worker runs until the app starts
    >>> type(app).__name__, len(app.state.server.graph) > 0, app.state.pool.idle
    ('Starlette', True, 0)
    """
    server = Server(settings or ServeSettings())

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        await server.pool.start()
        try:
            yield
        finally:
            await server.pool.stop()

    proxy = [Middleware(ForwardedHeaders)] if server.settings.trust_proxy else []
    app = Starlette(
        routes=_routes(),
        middleware=[*proxy, Middleware(RequestLog), Middleware(FairShare, guard=server.guard),
                    Middleware(QueryCors)],
        exception_handlers={ProblemError: _problem, HTTPException: _http_error,
                            Exception: _internal_error},
        lifespan=lifespan,
    )
    app.state.server = server
    app.state.pool = server.pool
    return app
