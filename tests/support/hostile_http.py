"""HTTP servers on a free loopback port that answer badly on purpose, for the tests of our HTTP
clients (`publish`, `query --endpoint`, `validate --endpoint`): one that trickles its answer a
line or a byte a second, one that never answers, one that redirects, and a fake Graph Store
that redirects only the requests asked for.

Each connection is served by its own thread; `close` stops them all within a second. A test
module's fixture: `yield from hostile_servers()`.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

#: The longest a trickling or silent answer goes on (seconds): far beyond any test's bound.
TRICKLE_FOR = 200
#: Every reason phrase the redirecting server uses, by status.
REDIRECTS = {301: "Moved Permanently", 302: "Found", 303: "See Other", 307: "Temporary Redirect",
             308: "Permanent Redirect"}


@dataclass(frozen=True)
class Request:
    """A request as the server read it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


Answer = Callable[[socket.socket, Request, threading.Event], None]


def _read_request(conn: socket.socket) -> Request:
    data = b""
    while b"\r\n\r\n" not in data:
        piece = conn.recv(65536)
        if not piece or len(data) > 1 << 20:
            raise ConnectionError("no complete request")
        data += piece
    head, _, body = data.partition(b"\r\n\r\n")
    line, *lines = head.decode("latin-1").split("\r\n")
    method, path, _ = line.split(" ", 2)
    headers = {k.strip().lower(): v.strip() for k, _, v in (h.partition(":") for h in lines)}
    length = int(headers.get("content-length") or 0)
    while len(body) < length:
        piece = conn.recv(65536)
        if not piece:
            break
        body += piece
    return Request(method, path, headers, body)


@dataclass
class HostileServer:
    """Serves every request with `answer(connection, request, stop)` on 127.0.0.1."""

    answer: Answer
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.05)  # how soon `close` stops the accepting thread
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        conn.settimeout(10)
        try:
            request = _read_request(conn)
            self.requests.append(request)
            self.answer(conn, request, self._stop)
        except (OSError, ValueError):
            pass  # the client went away: what these servers are for
        finally:
            conn.close()

    def close(self) -> None:
        """Stop accepting and end every answer (within a second)."""
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


def hostile_servers() -> Iterator[Callable[[Answer], HostileServer]]:
    """The body of a test module's `hostile` fixture: yields `start(answer)`, which starts a
    hostile server, and closes every server started once the test is done."""
    servers: list[HostileServer] = []

    def start(answer: Answer) -> HostileServer:
        server = HostileServer(answer)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


# -- answers -----------------------------------------------------------------------------------


def trickle_headers(conn: socket.socket, request: Request, stop: threading.Event) -> None:
    """A status line, then one header line a second, never the end of the headers."""
    conn.sendall(b"HTTP/1.1 200 OK\r\n")
    for i in range(TRICKLE_FOR):
        if stop.wait(1.0):
            return
        conn.sendall(f"X-Slow-{i}: {i}\r\n".encode())


def trickle_body(conn: socket.socket, request: Request, stop: threading.Event) -> None:
    """Whole headers announcing a body, then the body a byte a second."""
    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                 b"Content-Length: 100000\r\n\r\n")
    for _ in range(TRICKLE_FOR):
        if stop.wait(1.0):
            return
        conn.sendall(b" ")


def silent(conn: socket.socket, request: Request, stop: threading.Event) -> None:
    """Reads the request and says nothing."""
    stop.wait(TRICKLE_FOR)


TRICKLES: dict[str, Answer] = {"header-line-a-second": trickle_headers,
                               "body-byte-a-second": trickle_body, "silent": silent}


def redirect(status: int, location: str) -> Answer:
    """An answer `status` pointing at `location`."""

    def answer(conn: socket.socket, request: Request, stop: threading.Event) -> None:
        conn.sendall(f"HTTP/1.1 {status} {REDIRECTS.get(status, 'Redirect')}\r\nLocation: {location}\r\n"
                     "Content-Length: 0\r\nConnection: close\r\n\r\n".encode())

    return answer


def fake_store(redirected: Callable[[Request], bool], status: int, location: str) -> Answer:
    """A Graph Store (`/store`, `/query`, `/update`, as Oxigraph lays them out) that keeps the
    count of the triples put, answers COUNT queries with it, and redirects the requests for
    which `redirected(request)` is true."""
    stored = {"triples": 0}
    moved = redirect(status, location)

    def answer(conn: socket.socket, request: Request, stop: threading.Event) -> None:
        if redirected(request):
            moved(conn, request, stop)
            return
        body = b""
        if request.path.startswith("/store"):
            lines = sum(1 for line in request.body.splitlines() if line.strip())
            stored["triples"] = lines if request.method == "PUT" else stored["triples"] + lines
        elif request.path.startswith("/query"):
            n = {"type": "literal", "value": str(stored["triples"]),
                 "datatype": "http://www.w3.org/2001/XMLSchema#integer"}
            body = json.dumps({"head": {"vars": ["n"]}, "results": {"bindings": [{"n": n}]}}).encode()
        head = "HTTP/1.1 200 OK" if body else "HTTP/1.1 204 No Content"
        conn.sendall(f"{head}\r\nContent-Type: application/sparql-results+json\r\n"
                     f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode() + body)

    return answer
