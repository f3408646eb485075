"""The HTTP connection of `clustergraph serve`: uvicorn's httptools protocol with the limits a
public server needs and uvicorn's settings do not give (with httptools the h11 size limits do
nothing, and neither protocol has a deadline for a request's head or body). httptools parses in
C: the pure-Python h11 protocol with the same guard served about a third fewer requests.

* The request head (request line and header fields) must arrive within `header_timeout` seconds
  of the connection, or of the previous answer on a kept-alive one: a connection that sent
  nothing by then is closed, one that sent part of a head gets 408 and is closed.
* The body must arrive within `body_timeout` seconds of the head (408, closed).
* The request line is at most `max_request_line` bytes (414); the header fields at most
  `max_header_bytes` bytes in `max_headers` lines (431). These are checked on the bytes as they
  arrive, before anything parses them, so a huge header costs neither memory nor parsing time.
* At most `max_connections` connections are open: past that, the one that has waited longest
  for a request head is closed to make room (an idle or slow client makes way for the others).

Each check reads every received byte once and keeps at most one head's worth of them. A refusal
is answered, then the connection reads and drops what the client still sends for a moment before
closing, so the client sees the answer rather than a reset.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import OrderedDict
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from clustergraph.serve.settings import ConnectionLimits

__all__ = ["ConnectionTable", "GuardedHttpToolsProtocol", "protocol_factory"]

log = logging.getLogger("clustergraph.serve")

#: The end of a request head (counting bare LF line ends too, as lenient parsers do).
_BLANK_LINE = re.compile(rb"\n\r?\n")
#: After a refusal: seconds, and bytes, to read and drop before closing.
_LINGER_SECONDS = 2.0
_LINGER_BYTES = 1 << 20


class ConnectionTable:
    """The connections of one server that wait for a request head, longest-waiting first."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self.waiting: OrderedDict[_Guard, None] = OrderedDict()

    def make_room(self, open_connections: int) -> bool:
        """Close the longest-waiting connection when `open_connections` is over the limit;
        False when it is and none waits (the newcomer is closed instead)."""
        if open_connections <= self.limits.max_connections:
            return True
        if not self.waiting:
            return False
        oldest, _ = self.waiting.popitem(last=False)
        oldest.transport.close()
        return True


class _Guard:
    """Deadlines and size limits for a uvicorn HTTP protocol (mixed in before it); the protocol
    says where its request is with `_where`: "head", "body" or "" (answering)."""

    transport: asyncio.Transport
    loop: asyncio.AbstractEventLoop
    connections: set[Any]
    cycle: Any
    client: Any

    def _where(self) -> str:
        raise NotImplementedError

    def __init__(self, config: Config, server_state: ServerState, app_state: dict[str, Any],
                 _loop: asyncio.AbstractEventLoop | None = None, *, table: ConnectionTable) -> None:
        super().__init__(config, server_state, app_state, _loop)  # type: ignore[call-arg]
        self.table = table
        self.limits = table.limits
        self._phase = ""  # "head", "body", "" (answering) or "linger" (refused, closing)
        self._timer: asyncio.TimerHandle | None = None
        self._head = bytearray()  # the bytes of the head being received
        self._line_end = -1  # where its request line ends, once seen
        self._dropped = 0

    # -- asyncio.Protocol ------------------------------------------------------------------

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """Take the connection (making room if the server is full) and start its head's clock."""
        super().connection_made(transport)  # type: ignore[misc]
        if not self.table.make_room(len(self.connections)):
            transport.close()
            return
        self._follow()

    def connection_lost(self, exc: Exception | None) -> None:
        """Forget the connection's clock and place."""
        self._set_timer(None)
        self.table.waiting.pop(self, None)
        super().connection_lost(exc)  # type: ignore[misc]

    def data_received(self, data: bytes) -> None:
        """Check a head's size as it arrives, then let the parser read what passed."""
        if self._phase == "linger":
            self._dropped += len(data)
            if self._dropped > _LINGER_BYTES:
                self.transport.close()
            return
        if self._phase == "head" and self._where() == "head":
            refusal = self._scan_head(data)
            if refusal is not None:
                self._refuse(*refusal)
                return
        super().data_received(data)  # type: ignore[misc]
        self._follow()

    def on_response_complete(self) -> None:
        """Start the next head's clock once an answer is sent."""
        super().on_response_complete()  # type: ignore[misc]
        self._follow()

    # -- the checks --------------------------------------------------------------------------

    def _scan_head(self, data: bytes) -> tuple[int, str] | None:
        """The refusal a head's bytes so far call for, or None; each byte is looked at once."""
        limits = self.limits
        start = len(self._head)
        self._head += data
        if self._line_end < 0:
            found = self._head.find(b"\n", start)
            if found < 0 and len(self._head) > limits.max_request_line:
                found = len(self._head)
            self._line_end = found
            if found > limits.max_request_line:
                return 414, f"the request line is longer than {limits.max_request_line} bytes"
        if self._line_end < 0:
            return None
        end = _BLANK_LINE.search(self._head, max(self._line_end, start - 2))
        fields_end = end.end() if end else len(self._head)
        if fields_end - self._line_end > limits.max_header_bytes + 3:
            return 431, f"the header fields are larger than {limits.max_header_bytes} bytes"
        if end is not None:
            lines = self._head.count(b"\n", self._line_end + 1, fields_end) - 1
            self._head, self._line_end = bytearray(), -1
            if lines > limits.max_headers:
                return 431, f"more than {limits.max_headers} header fields"
        return None

    def _follow(self) -> None:
        """Set the deadline that fits where the request is: its head, its body, or neither."""
        if self._phase == "linger" or self.transport.is_closing():
            return
        phase = self._where()
        if phase == self._phase:
            return
        self._phase = phase
        self._head, self._line_end = bytearray(), -1
        if phase == "head":
            self.table.waiting[self] = None
            self._set_timer(self.limits.header_timeout, self._head_expired)
        else:
            self.table.waiting.pop(self, None)
            self._set_timer(self.limits.body_timeout if phase == "body" else None,
                            self._body_expired)

    def _head_expired(self) -> None:
        if self._head:
            self._refuse(408, f"the request head did not arrive within "
                              f"{self.limits.header_timeout:g} s")
        else:  # nothing asked: an idle connection
            self.transport.close()

    def _body_expired(self) -> None:
        cycle = self.cycle
        if cycle is not None and not cycle.response_started and not cycle.disconnected:
            cycle.disconnected = True  # the app's receive() says so; its answer goes nowhere
            cycle.message_event.set()
            self._refuse(408, f"the request body did not arrive within "
                              f"{self.limits.body_timeout:g} s")
        else:
            self.transport.close()

    # -- answers -----------------------------------------------------------------------------

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` with a JSON error, then drop what still comes for a moment and close."""
        client = self.client[0] if self.client else "-"
        log.info('%s "-" %d refused: %s', client, status, message)
        body = json.dumps({"error": message}).encode()
        head = (f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
                f"content-type: application/json\r\ncontent-length: {len(body)}\r\n"
                "connection: close\r\n\r\n").encode("ascii")
        self._phase = "linger"
        self._head = bytearray()
        self.table.waiting.pop(self, None)
        self.transport.write(head + body)
        if self.transport.can_write_eof():
            self.transport.write_eof()
        self._set_timer(_LINGER_SECONDS, self.transport.close)

    def _set_timer(self, delay: float | None, callback: Callable[[], None] | None = None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if delay is not None and callback is not None:
            self._timer = self.loop.call_later(delay, callback)


class GuardedHttpToolsProtocol(_Guard, HttpToolsProtocol):
    """uvicorn's `HttpToolsProtocol` with deadlines and size limits; see the module docstring.
    Where the request is comes from the parser's callbacks, counted."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._heads = self._messages = self._answers = 0
        super().__init__(*args, **kwargs)

    def _where(self) -> str:
        if self._heads > self._messages:
            return "body"
        return "head" if self._messages == self._answers else ""

    def on_headers_complete(self) -> None:
        """Count a complete head."""
        self._heads += 1
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        """Count a complete request."""
        self._messages += 1
        super().on_message_complete()

    def on_response_complete(self) -> None:
        """Count an answer sent, then start the next head's clock."""
        self._answers += 1
        super().on_response_complete()


def protocol_factory(limits: ConnectionLimits) -> Callable[..., GuardedHttpToolsProtocol]:
    """What `uvicorn.Config(http=...)` takes: a guarded protocol per connection, sharing one
    table."""
    table = ConnectionTable(limits)

    def make(config: Config, server_state: ServerState, app_state: dict[str, Any],
             _loop: asyncio.AbstractEventLoop | None = None) -> GuardedHttpToolsProtocol:
        return GuardedHttpToolsProtocol(config, server_state, app_state, _loop, table=table)

    return make
