"""The ASGI application: `create_app(settings)` builds it; nothing is read at import time.

    from clustergraph.serve import ServeSettings, create_app
    app = create_app(ServeSettings(timeout=5))      # run with uvicorn, or mount it:
    # Starlette(routes=[Mount("/kg", app=app)]) - then call `await app.state.pool.start()` in
    # the host's lifespan (or let the first query start the workers).

Routes: `/` (the query page), `/sparql`, `/api/queries[/{name}]`, `/api/search`,
`/openapi.json`, `/id/{path}` (resources with content negotiation), `/void`, `/health`, assets.
Middleware: one log line per request, requests in flight limited overall and per client address
(`clustergraph.serve.guard`), CORS for GET only, JSON errors without tracebacks.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

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
from clustergraph.serve.graph import ServedGraph
from clustergraph.serve.guard import ClientGuard, GuardRefusal
from clustergraph.serve.pages import Pages
from clustergraph.serve.pool import PoolBusy, QueryTimeout, WorkerDied, WorkerPool
from clustergraph.serve.responses import ProblemError, error_response, mount_root, reply_response
from clustergraph.serve.settings import ServeSettings
from clustergraph.serve.sparql import browser_without_query, check_query_text, job_from_request
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
                               max_memory=settings.max_memory)
        self.answers: AnswerCache[Reply] = AnswerCache()
        self.guard = ClientGuard(settings.max_concurrent, settings.max_concurrent_per_client)

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
    """`/sparql`: the SPARQL 1.1 Protocol query operation (GET or POST), run on a worker; a
    browser without a query is sent to the query page."""
    server = _server(request)
    redirect = browser_without_query(request)
    if redirect is not None:
        return redirect
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


class GetOnlyCors(_HttpMiddleware):
    """CORS for reading: `Access-Control-Allow-Origin: *` on GET and HEAD answers only.

    A preflight (OPTIONS with Access-Control-Request-Method) is granted for GET alone, so a page on
    another origin can read the graph but cannot POST to it.
    """

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer a CORS preflight, or pass the request on, adding the header to GET and HEAD
        answers for another origin."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        method = scope["method"]
        if method == "OPTIONS" and "access-control-request-method" in headers:
            allowed = headers["access-control-request-method"].upper() in ("GET", "HEAD")
            extra = {"Access-Control-Allow-Origin": "*", "Access-Control-Allow-Methods": "GET, HEAD",
                     "Access-Control-Allow-Headers": "Accept", "Access-Control-Max-Age": "600"}
            response = Response(status_code=204 if allowed else 403, headers=extra if allowed else {})
            await response(scope, receive, send)
            return
        if method not in ("GET", "HEAD") or "origin" not in headers:
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []),
                                      (b"access-control-allow-origin", b"*")]
            await send(message)

        await self.app(scope, receive, sending)


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

    app = Starlette(
        routes=_routes(),
        middleware=[Middleware(RequestLog), Middleware(FairShare, guard=server.guard),
                    Middleware(GetOnlyCors)],
        exception_handlers={ProblemError: _problem, HTTPException: _http_error,
                            Exception: _internal_error},
        lifespan=lifespan,
    )
    app.state.server = server
    app.state.pool = server.pool
    return app
