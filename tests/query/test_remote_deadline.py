"""`--timeout` means the same for every command that talks to an endpoint: it bounds each attempt
as a whole, and redirects are refused (issue #20, finding 11, for `sparql`/`query --endpoint` and
`validate --endpoint`, which share publish's transport, clustergraph.http.transport).

Before: queries went through SPARQLWrapper and urllib, whose timeout bounds each socket read (an
endpoint that trickles a header line a second held `sparql --endpoint --timeout 2` for as long
as it trickled) and which follow redirects (a query and its credentials went to the Location).
The hostile servers are threads on loopback ports (support/hostile_http.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable, Iterator

import pytest
from support.cli_runner import INSTALLED
from support.hostile_http import (
    REDIRECTS,
    TRICKLES,
    Answer,
    HostileServer,
    Request,
    hostile_servers,
    redirect,
)
from support.listener import Listener

#: Far above what a bounded query takes (~2 s), far below what a trickle held it before (> 120 s).
BOUND = 15.0
SHORT = "ASK { ?s ?p ?o }"
LONG = "# " + "x" * 3000 + "\n" + SHORT  # sent as POST


@pytest.fixture()
def hostile() -> Iterator[Callable[[Answer], HostileServer]]:
    """`hostile(answer)` starts a hostile server, closed after the test."""
    yield from hostile_servers()


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[subprocess.CompletedProcess[str], float]:
    env = env if env is not None else {
        k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_ENDPOINT")}
    started = time.monotonic()
    done = subprocess.run([str(INSTALLED), *args], capture_output=True, text=True, env=env,
                          check=False, timeout=90)
    return done, time.monotonic() - started


@pytest.mark.slow
@pytest.mark.parametrize("trickle", sorted(TRICKLES))
def test_an_endpoint_that_trickles_is_cut_at_the_timeout(hostile, trickle: str) -> None:
    server = hostile(TRICKLES[trickle])
    url = f"{server.url}/sparql"
    done, seconds = _run("sparql", SHORT, "--endpoint", url, "--timeout", "2")
    assert done.returncode == 4, done.stderr
    assert seconds < BOUND
    assert f"{url} did not answer within 2 s" in done.stderr
    assert "Traceback" not in done.stderr


COMMANDS = {
    "sparql GET": lambda url: ["sparql", SHORT, "--endpoint", url],
    "sparql POST": lambda url: ["sparql", LONG, "--endpoint", url],
    "query": lambda url: ["query", "clusters-by-country", "--endpoint", url],
    "validate": lambda url: ["validate", "--endpoint", url],
}


@pytest.mark.parametrize("status", sorted(REDIRECTS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_redirect_is_refused_and_nothing_goes_where_it_points(hostile, command: str,
                                                                  status: int) -> None:
    elsewhere = Listener()
    try:
        location = f"http://127.0.0.1:{elsewhere.port}/sparql"
        server = hostile(redirect(status, location))
        url = f"{server.url}/sparql"
        done, _ = _run(*COMMANDS[command](url))
        time.sleep(0.1)  # a connection to the listener, had one been made, is recorded by now
        assert elsewhere.connections == []
    finally:
        elsewhere.close()
    assert done.returncode == 4, done.stderr
    assert f"{url}" in done.stderr
    assert f"HTTP {status} {REDIRECTS[status]} to {location}" in done.stderr
    assert "redirects are not followed" in done.stderr
    assert len(server.requests) == 1  # refused, not retried
    assert "Traceback" not in done.stderr


def test_the_environments_proxy_is_still_used(hostile) -> None:
    """As urllib did: `http_proxy` gets the request in absolute form (nothing else changes)."""
    answer = json.dumps({"head": {}, "boolean": True}).encode()

    def proxy(conn, request: Request, stop) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                     b"Content-Length: " + str(len(answer)).encode() + b"\r\n\r\n" + answer)

    server = hostile(proxy)
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("CLUSTERGRAPH_ENDPOINT") and k.lower() not in ("no_proxy", "http_proxy")}
    env["http_proxy"] = server.url
    done, _ = _run("sparql", SHORT, "--endpoint", "http://sparql.example.org/sparql", "--format", "json",
                   env=env)
    assert done.returncode == 0, done.stderr
    (seen,) = server.requests
    assert seen.method == "GET" and seen.path.startswith("http://sparql.example.org/sparql?query=")
    assert seen.headers["host"] == "sparql.example.org"


def test_a_loopback_endpoint_is_reached_directly_whatever_the_proxy(hostile) -> None:
    """No proxy can reach our loopback for us (the tests' own servers included)."""
    answer = json.dumps({"head": {}, "boolean": True}).encode()

    def endpoint(conn, request: Request, stop) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                     b"Content-Length: " + str(len(answer)).encode() + b"\r\n\r\n" + answer)

    server = hostile(endpoint)
    proxy = Listener()
    try:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("CLUSTERGRAPH_ENDPOINT") and k.lower() != "no_proxy"}
        env["http_proxy"] = f"http://127.0.0.1:{proxy.port}"
        done, _ = _run("sparql", SHORT, "--endpoint", f"{server.url}/sparql", "--format", "json", env=env)
        assert proxy.connections == []
    finally:
        proxy.close()
    assert done.returncode == 0, done.stderr
    assert len(server.requests) == 1
