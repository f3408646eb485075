"""`clustergraph serve`: a read-only SPARQL endpoint, a query page and linked-data pages.

    from clustergraph.serve import ServeSettings, create_app
    app = create_app(ServeSettings(port=8000, timeout=10))

Modules: `settings` (the limits), `app` (the factory, middleware, routes), `sparql` (the
protocol), `api` (stored queries, search, OpenAPI), `pages` (resources, the query page, assets),
`negotiation` (Accept), `pool` and `worker` (queries in killable processes), `writers` (result
formats with a row limit), `graph` (resources, search and description in the server process),
`responses` (errors and replies).
"""

from __future__ import annotations

from typing import Any

__all__ = ["ServeSettings", "create_app", "serve"]


def __getattr__(name: str) -> Any:
    # The package imports nothing itself: a spawned query worker imports `clustergraph.serve.worker`
    # (so this package) before it isolates itself, and `create_app` pulls in starlette (~80 ms,
    # python -X importtime). Each name is loaded on first use.
    if name == "ServeSettings":
        from clustergraph.serve.settings import ServeSettings

        return ServeSettings
    if name == "create_app":
        from clustergraph.serve.app import create_app

        return create_app
    if name == "serve":
        from clustergraph.serve.run import serve

        return serve
    raise AttributeError(f"module 'clustergraph.serve' has no attribute {name!r}")
