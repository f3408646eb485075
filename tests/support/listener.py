"""A TCP listener on a free loopback port that records every connection, queries that would
reach it (SERVICE, LOAD) or change the store, and queries whose FROM / FROM NAMED name it (which
run, fetching nothing): the embedded engine's safety tests (query/test_safety.py) and the
server's (serve/test_serve_safety.py) share them."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest


class Listener:
    """Accepts connections on 127.0.0.1:<free port>, records and closes each."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.05)  # how soon `close` stops the accepting thread
        self.port = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(addr)
            try:
                conn.sendall(b"HTTP/1.0 500 Nope\r\nContent-Length: 0\r\n\r\n")
            except OSError:
                pass
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture()
def listener() -> Iterator[Listener]:
    it = Listener()
    yield it
    it.close()


def unsafe_queries(port: int) -> list[tuple[str, str]]:
    base = f"http://127.0.0.1:{port}"
    return [
        ("SERVICE", f"SELECT * WHERE {{ SERVICE <{base}/sparql> {{ ?s ?p ?o }} }}"),
        (
            "SERVICE",
            f"SELECT * WHERE {{ ?s ?p ?o . SERVICE SILENT <{base}/sparql> {{ ?s ?p ?x }} }} LIMIT 1",
        ),
        ("SERVICE", f"select * where {{ service <{base}/> {{ ?s ?p ?o }} }}"),
        # Oxigraph reads a keyword glued to its neighbours, and SERVICE:x as SERVICE <prefix x>
        ("SERVICE", f"PREFIX : <{base}/> SELECT * WHERE {{ SERVICE:x {{ ?s ?p ?o }} }}"),
        ("SERVICE", f"SELECT * WHERE {{ ?s ?p ?o . ?s ?p trueSERVICE<{base}/>{{ ?s ?p ?x }} }}"),
        ("LOAD", f"LOAD <{base}/graph.ttl>"),
        ("LOAD", f"LOAD SILENT <{base}/graph.ttl> INTO GRAPH <urn:x>"),
        ("INSERT", "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
        ("DELETE", "DELETE WHERE { ?s ?p ?o }"),
        ("DROP", "DROP ALL"),
        # an escape that some parsers decode before parsing must not hide the keyword
        ("SERVICE", f'SELECT * WHERE {{ ?s ?p "\\u0022 }} SERVICE <{base}/> {{ ?s ?p ?o }} #" }}'),
        # a < after an operand is a less-than, not an IRI that hides the quote after it
        ("SERVICE", (f"SELECT * WHERE {{ ?s ?p ?x FILTER(?x<'a>b' || true) "
                    f"SERVICE <{base}/> {{ ?s ?p ?o }} #'\n}}")),
    ]


def graph_naming_queries(port: int) -> list[str]:
    """Queries whose FROM / FROM NAMED name the listener: not refused (they name graphs of the
    store, issue #21), and no engine of ours fetches anything for them."""
    base = f"http://127.0.0.1:{port}"
    return [
        f"SELECT * FROM <{base}/graph.ttl> WHERE {{ ?s ?p ?o }}",
        f"SELECT * FROM NAMED <{base}/graph.ttl> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        f"CONSTRUCT {{ ?s ?p ?o }} FROM <{base}/g> WHERE {{ ?s ?p ?o }}",
        f"ASK FROM <{base}/g> {{ ?s ?p ?o }}",
        "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
        f"SELECT * \\u0046ROM <{base}/escaped> WHERE {{ ?s ?p ?o }}",
    ]
