"""Running the app under uvicorn on one address (what `clustergraph serve` calls)."""

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
    # uvicorn and starlette (clustergraph.serve.app): ~0.15 s to import (python -X importtime);
    # `clustergraph serve --help` and a bad --data path are answered without them
    import uvicorn

    from clustergraph.serve.app import create_app

    sock = _bind(settings.host, settings.port)  # fail fast when the port is taken
    port = sock.getsockname()[1]
    try:
        app = create_app(settings)
    except BaseException:
        sock.close()
        raise
    config = uvicorn.Config(
        app, host=settings.host, port=settings.port, access_log=False, log_level="warning",
        lifespan="on", server_header=False, timeout_keep_alive=5,
        limit_concurrency=256, h11_max_incomplete_event_size=64 * 1024,
    )
    server = uvicorn.Server(config)
    logger.info("clustergraph serve: http://%s:%d/ (%d triples, %d workers, timeout %g s, "
                "max-rows %d)", settings.host, port, len(app.state.server.graph),
                settings.workers, settings.timeout, settings.max_rows)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()


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
