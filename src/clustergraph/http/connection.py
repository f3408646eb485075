"""What every client of a store declares once: the time a request may take, how often it is
tried again, and the credentials (`Connection`, the base of `publish.GraphStore` and
`query.remote.RemoteEndpoint`).

>>> from clustergraph.http.connection import Connection
>>> Connection(token="t0k").authorization()
'Bearer t0k'
>>> Connection().retry_policy().retries, Connection(retries=0).retry_policy().retries
(3, 0)
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from clustergraph.http.retry import RetryPolicy
from clustergraph.http.settings import (
    BACKOFF,
    MAX_RETRY_AFTER,
    RETRIES,
    TIMEOUT,
    authorization,
    credentials_from_env,
)

__all__ = ["Connection"]

C = TypeVar("C", bound="Connection")


@dataclass(kw_only=True)
class Connection:
    """Connection settings: `timeout` seconds for each attempt of a request as a whole
    (connect, send, receive: `http.transport`), `retries` more attempts after `backoff` seconds
    (doubled each time), HTTP basic `user` and `password` or a bearer `token`; `sleep` waits
    between attempts (tests pass their own)."""

    timeout: float = TIMEOUT
    retries: int = RETRIES
    backoff: float = BACKOFF
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    @classmethod
    def from_env(cls: type[C], *args: Any, **kwargs: Any) -> C:
        """A client with the credentials of the environment (`CLUSTERGRAPH_ENDPOINT_USER`,
        `_PASSWORD`, `_TOKEN`)."""
        return cls(*args, **credentials_from_env(), **kwargs)

    def authorization(self) -> str | None:
        """The `Authorization` header of the credentials (bearer or basic), or None."""
        return authorization(user=self.user, password=self.password, token=self.token)

    def retry_policy(self, retries: int | None = None) -> RetryPolicy:
        """The retry policy of these settings (`retries` instead of the settings' own, if given)."""
        return RetryPolicy(self.retries if retries is None else retries, self.backoff,
                           MAX_RETRY_AFTER, self.sleep)
