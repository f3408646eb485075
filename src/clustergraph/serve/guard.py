"""Fair shares per client address: how many requests each may have in flight, and a pause for
one whose queries keep stopping workers.

`ClientGuard.admit` counts a request in (503 past `max_total` requests in flight, 429 past
`max_per_client` from one address) and `release` counts it out. `strike` records that a client's
query stopped a worker (it died, or ran past the time limit): each costs a worker restart, the
whole server's capacity, so after `STRIKES` within `STRIKE_WINDOW` seconds the address's queries
are refused with 429 for `PAUSE` seconds (`paused`), while everyone else is served.

A client address is what the connection comes from: behind a reverse proxy every client shares
the proxy's address, so give the proxy its own limits.
"""

from __future__ import annotations

import time
from collections.abc import Callable

__all__ = ["PAUSE", "STRIKES", "STRIKE_WINDOW", "ClientGuard", "GuardRefusal"]

#: Stopped workers that pause a client, within this many seconds, and the pause in seconds.
STRIKES = 3
STRIKE_WINDOW = 60.0
PAUSE = 60.0
#: Addresses remembered for strikes before the expired ones are swept.
_SWEEP_AT = 10_000


class GuardRefusal(Exception):
    """A request the guard turns away: status (429 or 503), message, seconds to wait."""

    def __init__(self, status: int, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.retry_after = retry_after


class ClientGuard:
    """In-flight counts and strikes per client address; see the module docstring."""

    def __init__(self, max_total: int, max_per_client: int,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_total = max_total
        self.max_per_client = max_per_client
        self.clock = clock
        self.in_flight: dict[str, int] = {}
        self.total = 0
        self._strikes: dict[str, list[float]] = {}
        self._paused: dict[str, float] = {}

    def admit(self, client: str) -> None:
        """Count one request of `client` in (`GuardRefusal` when over a limit)."""
        if self.total >= self.max_total:
            raise GuardRefusal(503, f"the server is answering {self.max_total} requests at once "
                                    "(max-concurrent); try again shortly", 1)
        mine = self.in_flight.get(client, 0)
        if mine >= self.max_per_client:
            raise GuardRefusal(429, f"this address has {self.max_per_client} requests in flight "
                                    "(max-concurrent-per-client); wait for their answers", 1)
        self.in_flight[client] = mine + 1
        self.total += 1

    def release(self, client: str) -> None:
        """Count one request of `client` out."""
        self.total -= 1
        left = self.in_flight.get(client, 1) - 1
        if left > 0:
            self.in_flight[client] = left
        else:
            self.in_flight.pop(client, None)

    def strike(self, client: str) -> None:
        """Record that a query of `client` stopped a worker; pause the client at `STRIKES`."""
        now = self.clock()
        if len(self._strikes) + len(self._paused) >= _SWEEP_AT:
            self._sweep(now)
        recent = [t for t in self._strikes.get(client, []) if now - t < STRIKE_WINDOW]
        recent.append(now)
        if len(recent) >= STRIKES:
            self._paused[client] = now + PAUSE
            self._strikes.pop(client, None)
        else:
            self._strikes[client] = recent

    def paused(self, client: str) -> None:
        """`GuardRefusal` (429) while `client` is paused for stopping workers."""
        until = self._paused.get(client)
        if until is None:
            return
        left = until - self.clock()
        if left <= 0:
            del self._paused[client]
            return
        raise GuardRefusal(429, f"queries from this address stopped {STRIKES} query workers "
                                f"within {STRIKE_WINDOW:g} s (they crashed or ran past the time "
                                f"limit); its queries are refused for {PAUSE:g} s", int(left) + 1)

    def _sweep(self, now: float) -> None:
        """Forget strikes and pauses that have expired (memory stays bounded by the live ones)."""
        self._strikes = {c: ts for c, ts in self._strikes.items() if now - ts[-1] < STRIKE_WINDOW}
        self._paused = {c: u for c, u in self._paused.items() if u > now}
        if len(self._strikes) + len(self._paused) >= _SWEEP_AT // 2:
            self._strikes.clear()  # many addresses striking at once: start their counts again
