"""Running the app under uvicorn on one address (what `clustergraph serve` calls).

uvicorn runs with its httptools protocol extended by `clustergraph.serve.protocol` (deadlines for a
request's head and body, limits on its size, a cap on open connections); uvicorn's own
concurrency limit is off, since it counts idle connections: `clustergraph.serve.guard` counts
requests in flight instead, overall and per client address.
"""

from __future__ import annotations

import logging
import socket
import sys

from clustergraph.errors import InputError
from clustergraph.serve.settings import ServeSettings

__all__ = ["serve"]


def serve(settings: ServeSettings) -> None:
    """Build the app, bind `settings.host:settings.port` and serve until interrupted, logging
    each request to stderr meanwhile."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%Y-%m-%dT%H:%M:%S"))
    logger = logging.getLogger("clustergraph.serve")
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        _serve_logged(settings, logger)
    finally:  # the logger as it was: a second call, or a caller's own logging, is not doubled
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


def _serve_logged(settings: ServeSettings, logger: logging.Logger) -> None:
    # uvicorn and starlette (clustergraph.serve.app, .protocol): ~0.15 s to import (python -X
    # importtime); `clustergraph serve --help` and a bad --data path are answered without them
    import uvicorn

    from clustergraph.serve.app import create_app
    from clustergraph.serve.protocol import protocol_factory

    sock = _bind(settings.host, settings.port)  # fail fast when the port is taken
    port = sock.getsockname()[1]
    try:
        app = create_app(settings)
    except BaseException:
        sock.close()
        raise
    connections = _open_files_for(settings.max_connections, logger)
    limits = settings.connection_limits(connections)
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=False, log_level="warning",
        lifespan="on", server_header=False, timeout_keep_alive=5, ws="none",
        http=protocol_factory(limits),  # type: ignore[arg-type] # a factory, as uvicorn calls it
        limit_concurrency=None,
        proxy_headers=False,  # X-Forwarded-* only with --trust-proxy (clustergraph.serve.app)
    )
    server = uvicorn.Server(config)
    logger.info("clustergraph serve: http://%s:%d/ (%d triples, %d workers, timeout %g s, "
                "max-rows %d)", settings.host, port, len(app.state.server.graph),
                settings.workers, settings.timeout, settings.max_rows)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


#: Open files the server needs besides its connections (workers, the graph files, logs).
_SPARE_FILES = 256


def _open_files_for(connections: int, logger: logging.Logger) -> int:
    """Raise this process's open-files limit to fit `connections` (up to the hard limit); the
    number of connections that fit."""
    try:
        import resource  # Unix only: at the top it would make this module fail to import elsewhere
    except ImportError:
        return connections
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = connections + _SPARE_FILES
    if soft != resource.RLIM_INFINITY and soft < wanted:
        soft = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    if soft != resource.RLIM_INFINITY and soft - _SPARE_FILES < connections:
        connections = max(1, soft - _SPARE_FILES)
        logger.warning("clustergraph serve: at most %d connections (the open-files limit is %d)",
                       connections, soft)
    return connections


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket on host:port; an `InputError` naming them when that fails."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        family, kind, proto, _, address = infos[0]
        sock = socket.socket(family, kind, proto)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(512)
    except OSError as exc:
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    sock.set_inheritable(True)
    return sock
