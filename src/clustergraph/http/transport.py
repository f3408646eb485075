"""One HTTP request to a store, bounded as a whole and never redirected: the transport of
`publish.GraphStore` and `query.remote.RemoteEndpoint` (so of `publish`, `query --endpoint` and
`validate --endpoint`).

`send`'s `timeout` bounds the whole attempt: connecting (TLS included), sending the request and
its body, reading the status, the headers and the body. All of it runs against one deadline on
the monotonic clock: before every socket operation the socket's timeout is set to the time left,
so a server that trickles a byte at a time is cut when the deadline passes, not after one timeout
per read. (Name resolution is left to the system's resolver and its own limits.)

An answer 3xx (301, 302, 303, 307, 308...) is refused with `Redirected` (exit code 4) naming
its status and Location, before its body is read: a request, its body and its credentials go to
the address given and nowhere else. The proxies of the environment (`http_proxy`,
`https_proxy`, `no_proxy`) are used as urllib uses them, except for loopback addresses.

>>> deadline = Deadline.after(60)
>>> 59 < deadline.left() <= 60
True
>>> Deadline.after(0).left()
Traceback (most recent call last):
...
clustergraph.http.transport.TimedOut: did not answer within 0 s
"""

from __future__ import annotations

import base64
import http.client
import io
import ipaddress
import socket
import time
import urllib.parse
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from email.message import Message
from typing import Any

from clustergraph.errors import EndpointError

__all__ = ["Answer", "Deadline", "Redirected", "TimedOut", "redirect_problem", "send"]

#: The most characters of a Location quoted in an error message.
_MAX_QUOTED = 300


class TimedOut(Exception):
    """The attempt did not end within its time: the deadline passed while connecting, sending
    or receiving."""

    def __init__(self, timeout: float) -> None:
        super().__init__(f"did not answer within {timeout:g} s")
        self.timeout = timeout


class Redirected(EndpointError):
    """The store answered 3xx: refused (exit code 4), never followed nor tried again."""


@dataclass(frozen=True)
class Deadline:
    """A moment on the monotonic clock, `timeout` seconds after the attempt began."""

    timeout: float
    end: float

    @classmethod
    def after(cls, timeout: float) -> Deadline:
        """The deadline `timeout` seconds from now."""
        return cls(timeout, time.monotonic() + timeout)

    def left(self) -> float:
        """The seconds left; raises `TimedOut` when none is."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimedOut(self.timeout)
        return left


@dataclass(frozen=True)
class Answer:
    """A store's answer: its status, reason, headers and whole body."""

    status: int
    reason: str
    headers: Message
    body: bytes

    def header(self, name: str) -> str | None:
        """The value of a header, or None."""
        value = self.headers.get(name)
        return None if value is None else str(value)


class _Reader(io.RawIOBase):
    """The socket read for `http.client.HTTPResponse`, each read bounded by the time left."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        """Yes: this is a reader."""
        return True

    def readinto(self, buffer: Any) -> int:
        """Read what the socket has, waiting no longer than the deadline."""
        self._sock.settimeout(self._deadline.left())
        return self._sock.recv_into(buffer)


class _TimedSocket:
    """What `http.client.HTTPResponse` reads an answer from: the socket behind a `_Reader`."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        """A buffered reader of the socket (read only; the connection closes the socket)."""
        return io.BufferedReader(_Reader(self._sock, self._deadline))


def _response_class(deadline: Deadline) -> Callable[..., http.client.HTTPResponse]:
    def make(sock: socket.socket, *args: Any, **kwargs: Any) -> http.client.HTTPResponse:
        return http.client.HTTPResponse(_TimedSocket(sock, deadline), *args, **kwargs)  # type: ignore[arg-type]

    return make


class _Timed:
    """Connects and sends within the deadline (mixed into http.client's connections)."""

    deadline: Deadline
    timeout: float | None
    sock: Any

    def connect(self) -> None:
        """Connect (and shake hands, for TLS) within the time left."""
        self.timeout = self.deadline.left()
        super().connect()  # type: ignore[misc]
        self.sock.settimeout(self.deadline.left())

    def send(self, data: Any) -> None:
        """Send within the time left (`sendall` counts its timeout for the whole of it)."""
        if self.sock is not None:
            self.sock.settimeout(self.deadline.left())
        super().send(data)  # type: ignore[misc]


class _HTTP(_Timed, http.client.HTTPConnection):
    """An HTTP connection bounded by a deadline."""


class _HTTPS(_Timed, http.client.HTTPSConnection):
    """An HTTPS connection bounded by a deadline."""


def _proxy(parts: urllib.parse.SplitResult) -> urllib.parse.SplitResult | None:
    """The environment's proxy for this address, or None (none set, `no_proxy` names it, or a
    loopback address, which no proxy can reach for us)."""
    # urllib.request: only when a request is sent (its import costs every command start-up time)
    import urllib.request

    proxy = urllib.request.getproxies().get(parts.scheme)
    if not proxy or _loopback(parts.hostname or "") or urllib.request.proxy_bypass(parts.netloc):
        return None
    found = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    return found if found.hostname else None


def _loopback(host: str) -> bool:
    """Whether `host` is this machine's loopback (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _connection(url: str, deadline: Deadline) -> tuple[http.client.HTTPConnection, str, dict[str, str]]:
    """The connection for `url` (through the environment's proxy, if any), the request target
    to send, and the proxy's headers."""
    parts = urllib.parse.urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    proxy = _proxy(parts)
    host, port = parts.hostname or "", parts.port
    extra: dict[str, str] = {}
    if proxy is not None and proxy.username is not None:
        pair = f"{urllib.parse.unquote(proxy.username)}:{urllib.parse.unquote(proxy.password or '')}"
        extra["Proxy-Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode("ascii")
    conn: http.client.HTTPConnection
    if parts.scheme == "https":
        if proxy is None:
            conn = _HTTPS(host, port)
        else:
            conn = _HTTPS(proxy.hostname or "", proxy.port or 80)
            conn.set_tunnel(host, port, headers=extra)
            extra = {}
    elif proxy is None:
        conn = _HTTP(host, port)
    else:
        conn = _HTTP(proxy.hostname or "", proxy.port or 80)
        target = urllib.parse.urlunsplit(parts._replace(fragment=""))
    conn.deadline = deadline  # type: ignore[attr-defined]
    conn.response_class = _response_class(deadline)  # type: ignore[assignment]
    return conn, target, extra


def _printable(text: str, limit: int = _MAX_QUOTED) -> str:
    cleaned = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return cleaned + ("..." if len(text) > limit else "")


def redirect_problem(method: str, url: str, status: int, reason: str, location: str | None) -> str:
    """Why an answer 3xx is refused, naming its status and Location.

    >>> redirect_problem("PUT", "http://a/store", 307, "Temporary Redirect", "http://b/store")
    'PUT http://a/store answered HTTP 307 Temporary Redirect to http://b/store: redirects are not followed (the request and its credentials go only to the address given); give the address it names if that is the store'
    """
    where = f"to {_printable(location)}" if location else "with no Location"
    return (f"{method} {url} answered HTTP {status} {_printable(reason, 80)} {where}: redirects are "
            "not followed (the request and its credentials go only to the address given); give "
            "the address it names if that is the store")


def send(method: str, url: str, *, headers: Mapping[str, str],
         body: bytes | Iterable[bytes] | None = None, timeout: float,
         deadline: Deadline | None = None) -> Answer:
    """Send one request and read its whole answer, all within `timeout` seconds (or before
    `deadline`, when one attempt is several exchanges, such as a Digest challenge and its answer).

    `body`: bytes, or pieces sent in turn (then `headers` give the Content-Length).
    Raises `TimedOut` when the deadline passes, `Redirected` for an answer 3xx, and `OSError`
    or `http.client.HTTPException` when the connection fails (refused, reset, cut, garbled)."""
    deadline = deadline if deadline is not None else Deadline.after(timeout)
    timeout = deadline.timeout
    conn, target, extra = _connection(url, deadline)
    try:
        conn.connect()
        conn.putrequest(method, target, skip_accept_encoding=True)
        all_headers = {**extra, **headers}
        if isinstance(body, bytes) and not any(k.lower() == "content-length" for k in all_headers):
            all_headers["Content-Length"] = str(len(body))
        for name, value in all_headers.items():
            conn.putheader(name, value)
        conn.endheaders()
        if isinstance(body, bytes):
            conn.send(body)
        elif body is not None:
            for piece in body:
                conn.send(piece)
        response = conn.response_class(conn.sock, method=method)
        response.begin()
        if 300 <= response.status < 400:
            raise Redirected(redirect_problem(method, url, response.status, response.reason,
                                                 response.getheader("Location")))
        data = response.read()
        return Answer(response.status, response.reason, response.msg, data)
    except TimeoutError:  # every socket timeout is the time left: the deadline has passed
        raise TimedOut(timeout) from None
    finally:
        conn.close()
