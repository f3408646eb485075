"""How we talk to a SPARQL store, once for every client: the User-Agent, the environment's
credentials, the default timeout and retries, and the check of an endpoint's address.

>>> from clustergraph.http.settings import authorization, endpoint_url_problem
>>> authorization(user="ann", password="s3cret")
'Basic YW5uOnMzY3JldA=='
>>> authorization(token="t0k")
'Bearer t0k'
>>> endpoint_url_problem("ftp://example.org/sparql") is not None
True
"""

from __future__ import annotations

import base64
import os
from urllib.parse import urlsplit

from clustergraph.version import __version__

__all__ = [
    "BACKOFF",
    "ENV_ENDPOINT",
    "ENV_PASSWORD",
    "ENV_TOKEN",
    "ENV_USER",
    "MAX_RETRY_AFTER",
    "RETRIES",
    "RETRY_CODES",
    "TIMEOUT",
    "USER_AGENT",
    "authorization",
    "credentials_from_env",
    "endpoint_url_problem",
]

USER_AGENT = f"clustergraph/{__version__} (+https://w3id.org/clustergraph)"
ENV_ENDPOINT = "CLUSTERGRAPH_ENDPOINT"
ENV_USER = "CLUSTERGRAPH_ENDPOINT_USER"
ENV_PASSWORD = "CLUSTERGRAPH_ENDPOINT_PASSWORD"
ENV_TOKEN = "CLUSTERGRAPH_ENDPOINT_TOKEN"

#: Seconds one attempt of a request may take, all of it (connect, send, receive the answer).
TIMEOUT = 60.0
#: How often a failed request is tried again (so at most RETRIES + 1 attempts).
RETRIES = 3
#: The first wait before trying again, in seconds; doubled at each attempt.
BACKOFF = 0.5
#: The longest wait a Retry-After may ask for before we give up instead.
MAX_RETRY_AFTER = 60.0
#: Answers worth another attempt: the store is busy or failed for the moment.
RETRY_CODES = frozenset({408, 429, 500, 502, 503, 504})


def credentials_from_env() -> dict[str, str | None]:
    """`user`, `password` and `token` from the environment (unset or empty: None)."""
    env = os.environ
    return {
        "user": env.get(ENV_USER) or None,
        "password": env.get(ENV_PASSWORD) or None,
        "token": env.get(ENV_TOKEN) or None,
    }


def authorization(*, user: str | None = None, password: str | None = None,
                  token: str | None = None) -> str | None:
    """The `Authorization` header for a bearer token or HTTP basic credentials, or None."""
    if token:
        return f"Bearer {token}"
    if user is not None:
        pair = f"{user}:{password or ''}".encode()
        return "Basic " + base64.b64encode(pair).decode("ascii")
    return None


def endpoint_url_problem(url: str) -> str | None:
    """What makes `url` no endpoint address (not http(s), no host), or None when it is one."""
    try:
        parts = urlsplit(url)
    except ValueError as exc:
        return f"{url!r} is not a URL: {exc}"
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return (
            f"{url!r} is not an http:// or https:// URL of a SPARQL endpoint, "
            "such as http://127.0.0.1:7878/query"
        )
    return None
