"""Finding 10 of issue #20: a query that would crash a worker never reaches one, and a client
whose queries keep stopping workers is paused, not the service.

Before: a 10 kB query of 5,000 nested braces killed a worker in 0.3 s (Oxigraph's parser ran
out of stack); two clients doing it for 20 s killed 35 workers and slowed cheap queries from
0.01 s to 3 s. Now every served query passes the SPARQL text check (its nesting-depth bound)
in the server, before any worker sees it: 400 naming the limit. And an address whose queries
stopped 3 workers within a minute (a crash or the time limit) gets 429 with Retry-After for a
while, while other addresses are answered.
"""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from collections.abc import Iterator

import pytest
from support.raw_http import RawAnswer, exchange, request_bytes
from support.serve_support import RunningServer, start_server, stop_server

NESTED = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
#: A query that would run for many minutes (the graph cubed).
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = "ASK { ?s ?p ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder = tmp_path_factory.mktemp("serve-crash")
    running = start_server(folder, "--timeout", "1", "--workers", "2")
    try:
        yield running
    finally:
        stop_server(running)


def _ask(server: RunningServer, query: str, way: str, source: str) -> RawAnswer:
    accept = {"Accept": "application/sparql-results+json"}
    if way == "GET":
        data = request_bytes("GET", "/sparql?" + urllib.parse.urlencode({"query": query}), accept)
    elif way == "POST form":
        data = request_bytes("POST", "/sparql", {**accept, "Content-Type":
                             "application/x-www-form-urlencoded"},
                             urllib.parse.urlencode({"query": query}).encode())
    else:
        data = request_bytes("POST", "/sparql", {**accept, "Content-Type":
                             "application/sparql-query"}, query.encode())
    return exchange(server.port, data, source=source, timeout=60)


def _body(answer: RawAnswer) -> dict:
    return json.loads(answer.data.split(b"\r\n\r\n", 1)[1])


def _stopped(server: RunningServer) -> int:
    return int(server.get("/health").json()["stopped_queries"])  # type: ignore[index]


@pytest.mark.slow
@pytest.mark.parametrize("way", ["GET", "POST form", "POST direct"])
def test_deeply_nested_braces_are_refused_before_any_worker_sees_them(server: RunningServer,
                                                                      way: str) -> None:
    before = _stopped(server)
    answers = [_ask(server, NESTED, way, "127.0.0.9") for _ in range(4)]
    assert [a.status for a in answers] == [400] * 4, answers[0].data[-300:]
    assert re.search(r"nest|deep|depth", _body(answers[0])["error"], re.IGNORECASE)
    assert _stopped(server) == before  # no worker was killed
    assert _ask(server, CHEAP, "GET", "127.0.0.9").status == 200


@pytest.mark.slow
def test_an_address_whose_queries_keep_stopping_workers_is_paused_alone(
        server: RunningServer) -> None:
    hostile, other = "127.0.0.7", "127.0.0.8"
    stopped = [_ask(server, EXPENSIVE + f" # {i}", "GET", hostile) for i in range(3)]
    assert [a.status for a in stopped] == [503] * 3
    paused = _ask(server, CHEAP, "GET", hostile)
    assert paused.status == 429
    assert "stopped 3 query workers" in _body(paused)["error"]
    retry = re.search(rb"\r\nretry-after: (\d+)\r\n", paused.data, re.IGNORECASE)
    assert retry is not None and 1 <= int(retry.group(1)) <= 60
    deadline = time.monotonic() + 60
    while _ask(server, CHEAP, "GET", other).status != 200:  # the workers come back for others
        assert time.monotonic() < deadline, "the other address is not answered"
        time.sleep(0.2)
