"""Raw HTTP/1.1 over a socket, for the serve tests that play hostile clients: idle, slow,
oversized. Every read and write has a socket timeout, so nothing here can hang.

Clients can come from different loopback addresses (127.0.0.2, 127.0.0.3, ... on Linux all
reach a server on 127.0.0.1), so per-address limits can be told apart.
"""

from __future__ import annotations

import socket
import time
from dataclasses import dataclass


@dataclass
class RawAnswer:
    """What came back on a connection before it closed (or the read timed out)."""

    data: bytes
    closed: bool  # the server closed the connection (else: the read timed out)
    seconds: float  # from the start of the exchange until then

    @property
    def status(self) -> int | None:
        """The status of the first response, or None when nothing came."""
        parts = self.data.split(b" ", 2)
        return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def connect(port: int, source: str = "127.0.0.1", timeout: float = 30.0) -> socket.socket:
    """A connection to the server on the loopback, from `source`."""
    return socket.create_connection(("127.0.0.1", port), timeout=timeout, source_address=(source, 0))


def read_until_closed(sock: socket.socket, start: float, limit: int = 1 << 20) -> RawAnswer:
    """Everything the server sends until it closes (or the socket's timeout passes)."""
    data = b""
    try:
        while len(data) < limit:
            chunk = sock.recv(65536)
            if not chunk:
                return RawAnswer(data, True, time.monotonic() - start)
            data += chunk
    except TimeoutError:
        return RawAnswer(data, False, time.monotonic() - start)
    except ConnectionError:
        return RawAnswer(data, True, time.monotonic() - start)
    return RawAnswer(data, False, time.monotonic() - start)


def exchange(port: int, data: bytes, *, timeout: float = 30.0, source: str = "127.0.0.1") -> RawAnswer:
    """Send `data` (what the server reads of it), then read until the server closes."""
    start = time.monotonic()
    with connect(port, source, timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: what it answered is still there to read
        return read_until_closed(sock, start)


def trickle(port: int, data: bytes, *, every: float, timeout: float = 30.0) -> RawAnswer:
    """Send `data` one byte every `every` seconds until sent or the server answers or closes."""
    start = time.monotonic()
    with connect(port, timeout=timeout) as sock:
        for i in range(len(data)):
            if time.monotonic() - start > timeout:
                break
            try:
                sock.sendall(data[i:i + 1])
            except (BrokenPipeError, ConnectionResetError):
                break
            sock.settimeout(every)
            try:
                first = sock.recv(65536)
            except TimeoutError:
                continue
            except ConnectionError:
                return RawAnswer(b"", True, time.monotonic() - start)
            sock.settimeout(timeout)
            answer = read_until_closed(sock, start) if first else None
            return RawAnswer(first + (answer.data if answer else b""), True,
                             time.monotonic() - start)
        sock.settimeout(timeout)
        return read_until_closed(sock, start)


def request_bytes(method: str, target: str, headers: dict[str, str] | None = None,
                  body: bytes = b"") -> bytes:
    """An HTTP/1.1 request that asks the server to close after answering."""
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
