"""A real Oxigraph server (Graph Store Protocol + SPARQL Update) and a loopback TCP proxy that
can cut connections, for the publish tests. The server is started on a free port and must come
up: a server that does not start fails the test, it is never skipped."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.fixtures_servers import free_port


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
    assert Path(found).exists(), "the oxigraph server is missing: pip install 'oxigraph>=0.5,<0.6'"
    return found


@dataclass
class OxigraphServer:
    """`oxigraph serve` on a folder and a port; can be killed and started again on both."""

    location: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30.0) -> None:
        self.process = subprocess.Popen(
            [oxigraph_binary(), "serve", "--location", str(self.location), "--bind", f"127.0.0.1:{self.port}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                err = self.process.stderr.read().decode() if self.process.stderr else ""
                pytest.fail(f"oxigraph serve exited with {self.process.returncode}: {err}")
            try:
                with urllib.request.urlopen(f"{self.url}/query?query=ASK%7B%7D", timeout=1) as r:
                    if r.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        pytest.fail(f"oxigraph serve did not answer on {self.url} within {timeout} s")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def count(self, graph: str) -> int:
        import json
        import urllib.parse

        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        req = urllib.request.Request(f"{self.url}/query?" + urllib.parse.urlencode({"query": q}),
                                     headers={"Accept": "application/sparql-results+json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return int(json.load(r)["results"]["bindings"][0]["n"]["value"])

    def ntriples(self, graph: str) -> str:
        import urllib.parse

        req = urllib.request.Request(f"{self.url}/store?" + urllib.parse.urlencode({"graph": graph}),
                                     headers={"Accept": "application/n-triples"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.read().decode("utf-8")


class CuttingProxy:
    """A loopback TCP proxy to `upstream_port` that can cut a connection after N uploaded bytes.

    `cut_after`: bytes from client to server after which both sockets are closed (None: never);
    `cuts_left`: how many connections to cut before letting all through; `on_cut` runs at a cut
    (before the sockets close), e.g. to kill the server. `received` keeps what clients sent.
    """

    def __init__(self, upstream_port: int) -> None:
        self.upstream_port = upstream_port
        self.cut_after: int | None = None
        self.cuts_left = 0
        self.cuts = 0
        self.on_cut: Callable[[], None] | None = None
        self.received = bytearray()
        self._lock = threading.Lock()
        self._server = socket.socket()
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port = int(self._server.getsockname()[1])
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self._server.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(client,), daemon=True).start()

    def _serve(self, client: socket.socket) -> None:
        try:
            upstream = socket.create_connection(("127.0.0.1", self.upstream_port), timeout=30)
        except OSError:
            client.close()
            return
        with self._lock:
            cut_this = self.cut_after is not None and self.cuts_left > 0
            if cut_this:
                self.cuts_left -= 1
        budget = self.cut_after if cut_this else None

        def up() -> None:
            nonlocal budget
            try:
                while True:
                    data = client.recv(65536)
                    if not data:
                        upstream.shutdown(socket.SHUT_WR)
                        return
                    if budget is not None and len(data) >= budget:
                        upstream.sendall(data[:budget])
                        with self._lock:
                            self.received.extend(data[:budget])
                            self.cuts += 1
                        if self.on_cut is not None:
                            self.on_cut()
                        for s in (client, upstream):
                            try:
                                s.shutdown(socket.SHUT_RDWR)
                            except OSError:
                                pass
                            s.close()
                        return
                    if budget is not None:
                        budget -= len(data)
                    with self._lock:
                        if len(self.received) < 1_000_000:
                            self.received.extend(data)
                    upstream.sendall(data)
            except OSError:
                return

        def down() -> None:
            try:
                while True:
                    data = upstream.recv(65536)
                    if not data:
                        client.shutdown(socket.SHUT_WR)
                        return
                    client.sendall(data)
            except OSError:
                return

        t1 = threading.Thread(target=up, daemon=True)
        t2 = threading.Thread(target=down, daemon=True)
        t1.start()
        t2.start()
        t1.join()
        t2.join()
        for s in (client, upstream):
            try:
                s.close()
            except OSError:
                pass

    def close(self) -> None:
        self._closed = True
        self._server.close()


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[OxigraphServer]:
    """A fresh Oxigraph server on disk (so it can be killed and restarted), on a free port."""
    server = OxigraphServer(tmp_path / "oxigraph-db")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cutting_proxy(oxigraph_server: OxigraphServer) -> Iterator[CuttingProxy]:
    proxy = CuttingProxy(oxigraph_server.port)
    try:
        yield proxy
    finally:
        proxy.close()
