"""Shared by the serve tests: `clustergraph serve` started on a free loopback port, as a user
starts it, and small HTTP helpers. (No tests here; the fixtures are imported by test_serve_*.)

The server runs as its own process group with a short query timeout and a small row limit, so
the limits can be reached quickly; it is stopped with its workers at the end of the session.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.fixtures_servers import free_port

#: The limits of the test server.
TIMEOUT = 3.0
MAX_ROWS = 100
MAX_BODY = 20_000
MAX_MEMORY = 512


@dataclass
class HttpAnswer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()

    def json(self) -> object:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


@dataclass
class RunningServer:
    host: str
    port: int
    process: subprocess.Popen
    log: Path

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def request(self, method: str, target: str, *, body: bytes | str | None = None,
                headers: Mapping[str, str] | None = None, timeout: float = 30) -> HttpAnswer:
        """One HTTP request (no redirects followed, nothing added but Host and Content-Length)."""
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            data = body.encode("utf-8") if isinstance(body, str) else body
            connection.request(method, target, body=data, headers=dict(headers or {}))
            response = connection.getresponse()
            return HttpAnswer(response.status, {k.lower(): v for k, v in response.getheaders()},
                              response.read())
        finally:
            connection.close()

    def get(self, path: str, params: Mapping[str, str] | None = None, **kwargs: object) -> HttpAnswer:
        target = path + ("?" + urllib.parse.urlencode(params) if params else "")
        return self.request("GET", target, **kwargs)  # type: ignore[arg-type]

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def log_lines_with(self, text: str, count: int = 1, timeout: float = 10) -> list[str]:
        """The log's lines containing TEXT, once COUNT of them are there (the access log is
        written after the answer is sent, so a test reading it at once can race the server)."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.log_text().splitlines() if text in line]
            if len(lines) >= count or time.monotonic() > deadline:
                return lines
            time.sleep(0.05)

    def children(self) -> set[int]:
        """The server's child processes (its query workers, and multiprocessing's helper)."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return {int(pid) for pid in path.read_text().split()}


def start_server(folder: Path, *args: str) -> RunningServer:
    """`clustergraph serve ARGS --port P` as a subprocess; returns once /health answers."""
    port = free_port()
    log = folder / f"serve-{port}.log"
    command = [sys.executable, "-m", "clustergraph", "serve", "--port", str(port), *args]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    server = RunningServer("127.0.0.1", port, process, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"clustergraph serve exited with {process.returncode}:\n{server.log_text()}")
        try:
            if server.get("/health", timeout=2).status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    stop_server(server)
    pytest.fail(f"clustergraph serve did not answer /health:\n{server.log_text()}")


def stop_server(server: RunningServer) -> None:
    try:
        os.killpg(server.process.pid, signal.SIGTERM)
        server.process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.process.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
    except ProcessLookupError:
        pass


def wait_for_idle_workers(server: RunningServer, count: int = 2, within: float = 60) -> None:
    """Until every worker is back (after a timeout the killed one is replaced)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        health = server.get("/health").json()
        if isinstance(health, dict) and health["idle_workers"] >= count:
            return
        time.sleep(0.2)
    pytest.fail("the query workers did not come back")


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    """One `clustergraph serve` for the session, with short limits (see TIMEOUT, MAX_ROWS)."""
    folder = tmp_path_factory.mktemp("serve")
    server = start_server(folder, "--timeout", str(TIMEOUT), "--max-rows", str(MAX_ROWS),
                          "--max-body", str(MAX_BODY), "--max-memory", str(MAX_MEMORY),
                          "--workers", "2")
    try:
        yield server
    finally:
        stop_server(server)


@dataclass
class MountedApp:
    """`create_app()` mounted at `prefix` in another Starlette app, served by uvicorn in a thread."""

    port: int
    prefix: str

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}"


@pytest.fixture(scope="session")
def mounted() -> Iterator[MountedApp]:
    """The app as another application mounts it (README: `Mount("/kg", app=graph)`), with the
    workers started in the host's lifespan."""
    import threading
    from contextlib import asynccontextmanager

    import uvicorn
    from starlette.applications import Starlette
    from starlette.routing import Mount

    from clustergraph.serve import ServeSettings, create_app

    graph_app = create_app(ServeSettings(workers=1, timeout=5))

    @asynccontextmanager
    async def lifespan(app: Starlette) -> Iterator[None]:  # type: ignore[misc]
        await graph_app.state.pool.start()
        yield
        await graph_app.state.pool.stop()

    host = Starlette(routes=[Mount("/kg", app=graph_app)], lifespan=lifespan)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(host, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 120
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.1)
        if not server.started:
            pytest.fail("the host app with clustergraph mounted did not start")
        yield MountedApp(port, "/kg")
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert not thread.is_alive()
