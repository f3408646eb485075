"""One retry policy for every request to a store: exponential back-off, Retry-After honoured up
to `MAX_RETRY_AFTER`, a bounded number of attempts.

>>> from clustergraph.http.retry import Retryable, RetryPolicy
>>> waits = []
>>> answers = iter([Retryable("busy", retry_after=2.0), "done"])
>>> def attempt():
...     answer = next(answers)
...     if isinstance(answer, Exception):
...         raise answer
...     return answer
>>> RetryPolicy(sleep=waits.append).call(attempt, failed=lambda exc, n: RuntimeError(exc.message))
'done'
>>> waits
[2.0]
"""

from __future__ import annotations

import email.utils
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from clustergraph.http.settings import BACKOFF, MAX_RETRY_AFTER, RETRIES

__all__ = ["Retryable", "RetryPolicy", "retry_after_seconds"]

log = logging.getLogger(__name__)

T = TypeVar("T")


class Retryable(Exception):
    """A failure worth another attempt; `final` when it is not (a time-out, a wait too long)."""

    def __init__(self, message: str, *, retry_after: float | None = None, final: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        self.final = final


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait: `retries` more attempts, `backoff` * 2**attempt seconds
    (or what Retry-After asks, if longer), never more than `max_retry_after` seconds."""

    retries: int = RETRIES
    backoff: float = BACKOFF
    max_retry_after: float = MAX_RETRY_AFTER
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)

    def call(self, attempt: Callable[[], T], *, failed: Callable[[Retryable, int], Exception]) -> T:
        """`attempt()`'s answer, trying again on `Retryable`; when no attempt is left (or the
        failure is final) raises `failed(the last failure, attempts made)`."""
        tries = 0
        while True:
            tries += 1
            try:
                return attempt()
            except Retryable as exc:
                asked = exc.retry_after
                if asked is not None and asked > self.max_retry_after and not exc.final:
                    exc.message += f"; it asks to retry after {asked:g} s, longer than we wait"
                    exc.final = True
                if exc.final or tries > self.retries:
                    raise failed(exc, tries) from None
                wait = max(self.backoff * 2 ** (tries - 1), asked or 0.0)
                log.warning("%s; retrying in %.1f s", exc.message, wait)
                self.sleep(wait)


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), or None.

    >>> retry_after_seconds("120"), retry_after_seconds(None), retry_after_seconds("soon")
    (120.0, None, None)
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())
