"""A public endpoint stays up and stays inside its graph: each safety rule of `clustergraph serve`.

Read-only (updates, LOAD, SERVICE, FROM refused, with the recording listener of support/listener.py
on the loopback to prove no connection is made), a time limit that kills the work, a slow query that does not block
the others, body and result caps, CORS for GET only, the loopback by default, no stack trace in
any answer, one log line per request.
"""

from __future__ import annotations

import re
import socket
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from support.listener import Listener, listener, unsafe_queries  # noqa: F401
from support.serve_support import (  # noqa: F401
    MAX_BODY,
    TIMEOUT,
    RunningServer,
    served,
    start_server,
    stop_server,
    wait_for_idle_workers,
)

#: A query that would run for many minutes (the graph cubed).
EXPENSIVE = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def _refused_queries(port: int) -> list[tuple[str, str]]:
    """The embedded engine's unsafe queries (tests/query/test_safety.py), and a few more."""
    return [*unsafe_queries(port),
            ("SERVICE", f"SELECT * WHERE {{ \\u0053ERVICE <http://127.0.0.1:{port}/> {{ ?s ?p ?o }} }}"),
            ("CLEAR", "CLEAR ALL")]


@pytest.mark.slow
@pytest.mark.parametrize("way", ["GET", "POST form", "POST direct"])
def test_updates_load_service_and_from_are_refused_without_any_connection(
        served: RunningServer, listener: Listener, way: str) -> None:
    for name, query in _refused_queries(listener.port):
        if way == "GET":
            answer = served.get("/sparql", {"query": query})
        elif way == "POST form":
            answer = served.request("POST", "/sparql", body=urllib.parse.urlencode({"query": query}),
                                    headers={"Content-Type": "application/x-www-form-urlencoded"})
        else:
            answer = served.request("POST", "/sparql", body=query,
                                    headers={"Content-Type": "application/sparql-query"})
        assert answer.status == 400, (name, answer.body)
        assert answer.json()["error"].startswith("refused:"), (name, answer.body)
        assert "read-only" in answer.json()["error"]
    time.sleep(0.5)
    assert listener.connections == []


@pytest.mark.slow
def test_the_update_operation_is_refused_in_every_way(served: RunningServer,
                                                      listener: Listener) -> None:
    update = f"LOAD <http://127.0.0.1:{listener.port}/data.ttl>"
    answers = [
        served.get("/sparql", {"update": update}),
        served.request("POST", "/sparql", body=urllib.parse.urlencode({"update": update}),
                       headers={"Content-Type": "application/x-www-form-urlencoded"}),
        served.request("POST", "/sparql", body=update,
                       headers={"Content-Type": "application/sparql-update"}),
    ]
    assert [a.status for a in answers] == [400, 400, 400]
    assert all("read-only" in a.json()["error"] for a in answers)
    time.sleep(0.5)
    assert listener.connections == []


@pytest.mark.slow
def test_protocol_graph_parameters_select_within_the_store_and_never_fetch(
        served: RunningServer, listener: Listener) -> None:
    answer = served.get("/sparql", {"query": "ASK { ?s ?p ?o }",
                                    "default-graph-uri": f"http://127.0.0.1:{listener.port}/g",
                                    "named-graph-uri": f"http://127.0.0.1:{listener.port}/n"})
    assert answer.status == 200
    assert answer.json()["boolean"] is False  # no such graph in the store: an empty dataset
    time.sleep(0.5)
    assert listener.connections == []


@pytest.mark.slow
def test_a_stored_query_parameter_cannot_reach_out(served: RunningServer,
                                                   listener: Listener) -> None:
    answer = served.get("/api/queries/cluster-profile", {"cluster": f"http://127.0.0.1:{listener.port}/x"})
    assert answer.status == 200
    assert answer.json()["rows"] == []
    time.sleep(0.5)
    assert listener.connections == []


def test_the_recording_listener_does_record_a_connection(listener: Listener) -> None:
    # The proof above means something only if the listener sees a real client.
    with socket.create_connection(("127.0.0.1", listener.port), timeout=2) as client:
        client.sendall(b"GET / HTTP/1.0\r\n\r\n")
    deadline = time.monotonic() + 5
    while not listener.connections and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(listener.connections) == 1


@pytest.mark.slow
def test_a_query_past_the_limit_is_stopped_with_503_and_its_worker_killed(served: RunningServer) -> None:
    wait_for_idle_workers(served)
    before = served.children()
    start = time.monotonic()
    answer = served.get("/sparql", {"query": EXPENSIVE}, timeout=60)
    elapsed = time.monotonic() - start
    assert answer.status == 503
    assert answer.json()["error"] == (
        f"the query ran longer than the {TIMEOUT:g} s limit and was stopped; "
        "add a LIMIT or narrow its patterns")
    assert TIMEOUT <= elapsed < TIMEOUT + 2
    gone = before - served.children()
    assert len(gone) == 1, "exactly the overrunning worker was killed"
    assert not Path(f"/proc/{gone.pop()}").exists()
    wait_for_idle_workers(served)  # a fresh worker took its place
    assert served.get("/health").json()["stopped_queries"] >= 1
    assert served.get("/sparql", {"query": "ASK {}"}).json()["boolean"] is True


@pytest.mark.slow
def test_a_slow_query_does_not_block_other_clients(served: RunningServer) -> None:
    cheap = [("/sparql", {"query": "ASK { ?s ?p ?o }"}), ("/api/queries/members-as-of", None),
             ("/id/cluster/jubail-industrial-city", None), ("/health", None)]
    wait_for_idle_workers(served)
    for path, params in cheap * 2:  # each worker has seen each query once (and checked it)
        served.get(path, params, headers={"Accept": "text/turtle, */*;q=0.5"})
    with ThreadPoolExecutor(max_workers=1) as pool:
        slow = pool.submit(served.get, "/sparql", {"query": EXPENSIVE}, timeout=60)
        time.sleep(0.5)  # the expensive query is running now
        for path, params in cheap:
            start = time.monotonic()
            answer = served.get(path, params, headers={"Accept": "text/turtle, */*;q=0.5"})
            assert answer.status == 200, path
            assert time.monotonic() - start < 1.0, f"{path} waited for the slow query"
        assert not slow.done()
        assert slow.result().status == 503
    wait_for_idle_workers(served)


@pytest.mark.slow
def test_a_query_that_needs_too_much_memory_stops_its_worker_not_the_machine(tmp_path: Path) -> None:
    # Each BIND doubles the string: 8 kB * 2**40 if nothing stopped it. A server of its own, with
    # a time limit long enough for the memory limit to be reached first on a busy machine.
    binds = " ".join(f"BIND(CONCAT(?v{i}, ?v{i}) AS ?v{i + 1})" for i in range(40))
    bomb = f'SELECT (STRLEN(?v40) AS ?n) WHERE {{ BIND("{"x" * 8000}" AS ?v0) {binds} }}'
    server = start_server(tmp_path, "--timeout", "60", "--max-memory", "256", "--workers", "1")
    try:
        answer = server.request("POST", "/sparql", body=bomb, timeout=90,
                                headers={"Content-Type": "application/sparql-query"})
        assert answer.status == 503
        assert answer.json()["error"] == (
            "the query stopped its worker before it finished (most likely it needed more than "
            "the 256 MB memory limit)")
        wait_for_idle_workers(server, count=1)
        assert server.get("/sparql", {"query": "ASK {}"}).json()["boolean"] is True
    finally:
        stop_server(server)


@pytest.mark.slow
def test_a_body_over_the_cap_is_413(served: RunningServer) -> None:
    query = "ASK {} #" + "x" * MAX_BODY
    direct = served.request("POST", "/sparql", body=query,
                            headers={"Content-Type": "application/sparql-query"})
    form = served.request("POST", "/sparql", body=urllib.parse.urlencode({"query": query}),
                          headers={"Content-Type": "application/x-www-form-urlencoded"})
    for answer in (direct, form):
        assert answer.status == 413
        assert answer.json()["error"] == f"the request body is larger than {MAX_BODY} bytes"
    fits = served.request("POST", "/sparql", body="ASK {} #" + "x" * (MAX_BODY - 100),
                          headers={"Content-Type": "application/sparql-query"})
    assert fits.status == 200


@pytest.mark.slow
def test_a_chunked_body_over_the_cap_is_413_too(served: RunningServer) -> None:
    with socket.create_connection(("127.0.0.1", served.port), timeout=10) as client:
        client.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
                       b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
        chunk = b"#" * 4096
        try:
            for _ in range(MAX_BODY // 4096 + 2):
                client.sendall(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
            client.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server may answer and close before the end
        reply = b""
        while True:
            data = client.recv(65536)
            if not data:
                break
            reply += data
    assert reply.startswith(b"HTTP/1.1 413")


@pytest.mark.slow
def test_cors_lets_other_origins_query_but_never_write(served: RunningServer) -> None:
    # Queries by GET and POST are readable from another origin; nothing that could write is
    # (test_serve_clients has the matrix).
    origin = {"Origin": "https://example.org"}
    got = served.get("/sparql", {"query": "ASK {}"}, headers=origin)
    assert got.headers["access-control-allow-origin"] == "*"
    posted = served.request("POST", "/sparql", body="ASK {}",
                            headers={**origin, "Content-Type": "application/sparql-query"})
    assert posted.status == 200 and posted.headers["access-control-allow-origin"] == "*"
    update = served.request("POST", "/sparql", body="CLEAR ALL",
                            headers={**origin, "Content-Type": "application/sparql-update"})
    assert update.status == 400 and "access-control-allow-origin" not in update.headers
    preflight_post = served.request("OPTIONS", "/sparql", headers={
        **origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight_post.status == 204
    assert preflight_post.headers["access-control-allow-methods"] == "GET, HEAD, POST"
    preflight_put = served.request("OPTIONS", "/sparql", headers={
        **origin, "Access-Control-Request-Method": "PUT"})
    assert preflight_put.status == 403
    assert "access-control-allow-origin" not in preflight_put.headers


def _listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening socket on `port` (from /proc/net/tcp and tcp6)."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if int(port_hex, 16) == port and fields[3] == "0A":  # 0A: LISTEN
                found.add(address)
    return found


@pytest.mark.slow
def test_the_server_binds_the_loopback_unless_told_otherwise(served: RunningServer) -> None:
    assert _listening_addresses(served.port) == {"0100007F"}  # 127.0.0.1 only
    assert "http://127.0.0.1:" in served.log_text()


@pytest.mark.slow
@pytest.mark.parametrize(("method", "target", "headers", "body"), [
    ("GET", "/sparql?query=%ff%fe", {}, None),
    ("GET", "/sparql?query=ASK%20%7B%7D&default-graph-uri=not%20an%20iri", {}, None),
    ("POST", "/sparql", {"Content-Type": "application/sparql-query", "Content-Length": "abc"}, None),
    ("GET", "/api/queries/members-as-of?date=" + "9" * 3000, {}, None),
    ("GET", "/api/queries/members-as-of?nonsense=1", {}, None),
    ("GET", "/api/queries/no-such-query", {}, None),
    ("GET", "/id/cluster/no-such-cluster", {"Accept": "text/turtle"}, None),
    ("GET", "/id/../../etc/passwd", {}, None),
    ("GET", "/static/../app.py", {}, None),
    ("GET", "/assets/yasgui/..%2f..%2fserve%2fapp.py", {}, None),
    ("GET", "/sparql?query=" + urllib.parse.quote("SELECT * { ?s ?p ?o FILTER(regex(?o, '(')) }"), {}, None),
    ("GET", "/sparql?query=" + urllib.parse.quote("SELECT (<urn:x>(1) AS ?x) {}"), {}, None),
])
def test_no_answer_holds_a_stack_trace(served: RunningServer, method, target, headers, body) -> None:
    answer = served.request(method, target, headers=headers, body=body)
    assert 400 <= answer.status < 500 or answer.status == 200, (answer.status, answer.body[:300])
    text = answer.body.decode("utf-8", "replace")
    for marker in ("Traceback", 'File "', "pyoxigraph.", "starlette", "line "):
        assert marker not in text


@pytest.mark.slow
def test_one_log_line_per_request(served: RunningServer) -> None:
    marker = f"log-check-{time.time_ns()}"
    targets = [f"/health?{marker}=1", f"/sparql?{marker}=2&query=ASK%20%7B%7D",
               f"/id/cluster/jubail-industrial-city?{marker}=3", f"/nowhere?{marker}=4"]
    for target in targets:
        served.request("GET", target, headers={"Accept": "*/*"})
    lines = served.log_lines_with(marker, count=len(targets))
    assert len(lines) == len(targets)
    pattern = re.compile(r'^\S+ 127\.0\.0\.1 "GET (\S+)" (\d{3}) (\d+) [\d.]+ms$')
    parsed = [pattern.match(line) for line in lines]
    assert all(parsed), lines
    assert [m.group(1) for m in parsed] == targets  # type: ignore[union-attr]
    assert [m.group(2) for m in parsed] == ["200", "200", "200", "404"]  # type: ignore[union-attr]


@pytest.mark.slow
def test_query_workers_run_without_network(served: RunningServer) -> None:
    # As root (CI) or with unprivileged user namespaces, each worker drops its network first.
    assert served.get("/health").json()["workers_without_network"] is True


def test_a_process_that_drops_its_network_cannot_connect(listener: Listener) -> None:
    import subprocess
    import sys

    code = ("import socket, sys\n"
            "from clustergraph.serve.worker import isolate_network\n"
            "assert isolate_network()\n"
            "try:\n"
            f"    socket.create_connection(('127.0.0.1', {listener.port}), timeout=2)\n"
            "except OSError as exc:\n"
            "    print('refused:', exc.errno)\n"
            "    sys.exit(0)\n"
            "sys.exit('connected')\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("refused:")
    time.sleep(0.3)
    assert listener.connections == []


def test_a_worker_refuses_service_itself() -> None:
    from clustergraph.query.session import Session
    from clustergraph.serve.worker import Job, run_job

    job = Job(text="SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
              formats={"rows": "json"}, max_rows=10)
    reply = run_job(Session().store, job)
    assert reply.status == 400
    assert b"refused: SERVICE is not allowed here" in reply.body
