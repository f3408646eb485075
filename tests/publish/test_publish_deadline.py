"""`publish --timeout` bounds each attempt as a whole, and redirects are refused (issue #20,
finding 11).

Before: the timeout bounded each socket read, so a store that trickled one header line a second
kept `publish --timeout 5` running past 120 s; and an answer 307 to the upload was taken as a
success (http.client follows nothing, and we read any status under 400 as done) until the count
check failed for lack of triples, or, on the MOVE, the publish said it had published.

Now every attempt (connect, send, receive) runs against one deadline, and any 3xx is exit 4
naming the status and the Location, with nothing sent where it points (a listener there counts
no connection). The hostile servers are threads on loopback ports (support/hostile_http.py).
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.cli_runner import INSTALLED
from support.hostile_http import (
    REDIRECTS,
    TRICKLES,
    Answer,
    HostileServer,
    Request,
    fake_store,
    hostile_servers,
)
from support.listener import Listener

#: Far above what a bounded publish takes (~2 s an attempt), far below what it took before (> 120 s).
BOUND = 15.0


@pytest.fixture()
def hostile() -> Iterator[Callable[[Answer], HostileServer]]:
    """`hostile(answer)` starts a hostile server, closed after the test."""
    yield from hostile_servers()


def _publish(endpoint: str, data: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_ENDPOINT")}
    started = time.monotonic()
    done = subprocess.run([str(INSTALLED), "publish", "--endpoint", endpoint, "--include", "data",
                           "--data", str(data), "--no-progress", *args],
                          capture_output=True, text=True, env=env, check=False, timeout=90)
    return done, time.monotonic() - started


@pytest.fixture()
def data(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.nt"
    path.write_text("<urn:ex:a> <urn:ex:b> <urn:ex:c> .\n<urn:ex:a> <urn:ex:b> <urn:ex:d> .\n",
                    encoding="utf-8")
    return path


@pytest.mark.slow
@pytest.mark.parametrize("trickle", sorted(TRICKLES))
def test_a_store_that_trickles_is_cut_at_the_timeout(hostile, data: Path, trickle: str) -> None:
    server = hostile(TRICKLES[trickle])
    done, seconds = _publish(server.url, data, "--timeout", "2", "--retries", "0")
    assert done.returncode == 4, done.stderr
    assert seconds < BOUND
    assert f"PUT {server.url}/store" in done.stderr
    assert "did not answer within 2 s" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_the_timeout_bounds_each_attempt_and_the_retries_make_the_total(hostile, data: Path) -> None:
    """Two attempts of 2 s and a wait of 0.5 s between them: well under the bound."""
    server = hostile(TRICKLES["header-line-a-second"])
    done, seconds = _publish(server.url, data, "--timeout", "2", "--retries", "1")
    assert done.returncode == 4, done.stderr
    assert seconds < BOUND
    assert "failed after 2 attempt(s)" in done.stderr and "did not answer within 2 s" in done.stderr
    assert server.connections == 2


def _upload(request: Request) -> bool:
    return request.path.startswith("/store")


def _count_query(request: Request) -> bool:
    return request.path.startswith("/query")


def _move(request: Request) -> bool:
    return request.path.startswith("/update")


REDIRECTED = {"PUT of the upload": ("PUT", _upload), "POST of the count query": ("POST", _count_query),
              "POST of the MOVE update": ("POST", _move)}


@pytest.mark.parametrize("status", sorted(REDIRECTS))
@pytest.mark.parametrize("which", list(REDIRECTED))
def test_a_redirect_is_refused_and_nothing_goes_where_it_points(hostile, data: Path, which: str,
                                                                  status: int) -> None:
    method, redirected = REDIRECTED[which]
    elsewhere = Listener()
    try:
        location = f"http://127.0.0.1:{elsewhere.port}/elsewhere"
        server = hostile(fake_store(redirected, status, location))
        done, _ = _publish(server.url, data, "--timeout", "10")
        time.sleep(0.1)  # a connection to the listener, had one been made, is recorded by now
        assert elsewhere.connections == []
    finally:
        elsewhere.close()
    assert done.returncode == 4, done.stderr
    assert f"{method} {server.url}/" in done.stderr
    assert f"HTTP {status} {REDIRECTS[status]} to {location}" in done.stderr
    assert "redirects are not followed" in done.stderr
    assert sum(1 for r in server.requests if redirected(r)) == 1  # refused, not retried
    assert "published" not in done.stderr
