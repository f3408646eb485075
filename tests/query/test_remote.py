"""Talking to remote endpoints: timeouts, User-Agent, GET/POST, credentials, retries with
back-off and Retry-After, and clear errors.

No real store can be made to answer 429 or 503 on demand, so these tests use a tiny scripted
HTTP server on a free loopback port; the real servers are exercised in test_remote_servers.py.
"""

from __future__ import annotations

import base64
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from clustergraph.errors import EndpointError, InputError
from clustergraph.query.remote import USER_AGENT, RemoteEndpoint
from clustergraph.query.session import Session

OK_BODY = json.dumps(
    {
        "head": {"vars": ["n"]},
        "results": {
            "bindings": [
                {
                    "n": {
                        "type": "literal",
                        "value": "7",
                        "datatype": "http://www.w3.org/2001/XMLSchema#integer",
                    }
                }
            ]
        },
    }
).encode()
QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@dataclass
class Reply:
    status: int = 200
    body: bytes = OK_BODY
    headers: dict[str, str] = field(
        default_factory=lambda: {"Content-Type": "application/sparql-results+json"}
    )
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


class Scripted:
    """An HTTP server that answers with the scripted replies in turn (the last one repeats)."""

    def __init__(self, replies: list[Reply]) -> None:
        self.replies = replies
        self.seen: list[Seen] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                outer.seen.append(
                    Seen(self.command, self.path, dict(self.headers), body, time.monotonic())
                )
                reply = outer.replies[min(len(outer.seen), len(outer.replies)) - 1]
                if reply.delay:
                    time.sleep(reply.delay)
                try:
                    self.send_response(reply.status)
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    self.wfile.write(reply.body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = _answer
            do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        # a short poll: `shutdown` returns within 0.05 s, not serve_forever's default 0.5 s
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def scripted() -> Iterator[Any]:
    servers: list[Scripted] = []

    def make(*replies: Reply) -> Scripted:
        server = Scripted(list(replies))
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.close()


def endpoint(url: str, **kwargs: Any) -> RemoteEndpoint:
    kwargs.setdefault("backoff", 0.05)
    return RemoteEndpoint(url, **kwargs)


def test_answer_user_agent_and_get(scripted: Any) -> None:
    server = scripted(Reply())
    rows = endpoint(server.url).run(QUERY, "SELECT")
    assert rows.to_records() == [{"n": 7}]
    (seen,) = server.seen
    assert seen.method == "GET"
    assert seen.headers["User-Agent"] == USER_AGENT
    assert seen.headers["Accept"] == "application/sparql-results+json"
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(seen.path).query)["query"] == [QUERY]


def test_long_query_is_posted(scripted: Any) -> None:
    server = scripted(Reply())
    long_query = "# " + "x" * 3000 + "\n" + QUERY
    endpoint(server.url).run(long_query, "SELECT")
    (seen,) = server.seen
    assert seen.method == "POST"
    assert seen.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert urllib.parse.parse_qs(seen.body.decode())["query"] == [long_query]


@pytest.mark.parametrize(
    "text",
    [
        "# padding: a comment with the word add in it\n" * 40 + QUERY,
        "# delete, drop, clear: words of a comment\n" + QUERY,
    ],
)
def test_a_query_is_sent_as_a_query_whatever_its_comments_say(scripted: Any, text: str) -> None:
    """SPARQLWrapper guesses the form from the text; a comment holding "add" made it send
    `update=` (which Oxigraph refuses as "query must be set")."""
    server = scripted(Reply())
    endpoint(server.url).run(text, "SELECT")
    (seen,) = server.seen
    form = seen.body.decode() if seen.method == "POST" else urllib.parse.urlsplit(seen.path).query
    sent = urllib.parse.parse_qs(form)
    assert sent["query"] == [text] and "update" not in sent


@pytest.mark.parametrize("long", [False, True], ids=["GET", "POST"])
def test_graphs_are_sent_as_default_graph_uri(scripted: Any, long: bool) -> None:
    server = scripted(Reply())
    text = ("# " + "x" * 3000 + "\n" if long else "") + QUERY
    graphs = ("https://w3id.org/clustergraph/graph/clustergraph", "urn:example:other")
    endpoint(server.url, default_graphs=graphs).run(text, "SELECT")
    (seen,) = server.seen
    assert seen.method == ("POST" if long else "GET")
    form = seen.body.decode() if long else urllib.parse.urlsplit(seen.path).query
    assert urllib.parse.parse_qs(form)["default-graph-uri"] == list(graphs)


def test_without_graphs_no_default_graph_uri_is_sent(scripted: Any) -> None:
    server = scripted(Reply())
    endpoint(server.url).run(QUERY, "SELECT")
    assert "default-graph-uri" not in server.seen[0].path


def test_429_waits_for_retry_after_then_succeeds(scripted: Any) -> None:
    server = scripted(Reply(429, b"slow down", {"Retry-After": "1"}), Reply())
    rows = endpoint(server.url).run(QUERY, "SELECT")
    assert rows.to_records() == [{"n": 7}]
    assert len(server.seen) == 2
    assert server.seen[1].at - server.seen[0].at >= 0.95


def test_503_and_500_are_retried_with_backoff(scripted: Any) -> None:
    server = scripted(Reply(503, b"busy", {}), Reply(500, b"oops", {}), Reply())
    rows = endpoint(server.url, backoff=0.2).run(QUERY, "SELECT")
    assert rows.to_records() == [{"n": 7}]
    assert len(server.seen) == 3
    first, second = (server.seen[1].at - server.seen[0].at), (server.seen[2].at - server.seen[1].at)
    assert first >= 0.19 and second >= 0.39  # 0.2 s, then 0.4 s


def test_gives_up_after_the_retries(scripted: Any) -> None:
    server = scripted(Reply(503, b"busy", {}))
    with pytest.raises(EndpointError) as info:
        endpoint(server.url, retries=2).run(QUERY, "SELECT")
    assert "HTTP 503" in str(info.value) and "after 3 attempts" in str(info.value)
    assert len(server.seen) == 3


def test_retry_after_too_long_fails_at_once(scripted: Any) -> None:
    server = scripted(Reply(429, b"", {"Retry-After": "3600"}))
    with pytest.raises(EndpointError) as info:
        endpoint(server.url).run(QUERY, "SELECT")
    assert "3600" in str(info.value)
    assert len(server.seen) == 1


def test_endpoint_error_answer_is_reported_not_retried(scripted: Any) -> None:
    server = scripted(
        Reply(400, b"Parse error: unexpected token at line 1", {"Content-Type": "text/plain"})
    )
    with pytest.raises(EndpointError) as info:
        endpoint(server.url).run("SELECT nonsense", "SELECT")
    assert "malformed" in str(info.value) and "unexpected token" in str(info.value)
    assert len(server.seen) == 1


def test_timeout_is_always_set(scripted: Any) -> None:
    server = scripted(Reply(delay=3.0))
    start = time.monotonic()
    with pytest.raises(EndpointError) as info:
        endpoint(server.url, timeout=0.5).run(QUERY, "SELECT")
    assert time.monotonic() - start < 2.5
    assert "did not answer within 0.5 s" in str(info.value)


def test_endpoint_down() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(EndpointError) as info:
        endpoint(f"http://127.0.0.1:{port}/sparql").run(QUERY, "SELECT")
    assert "cannot reach" in str(info.value)


def test_not_sparql_results(scripted: Any) -> None:
    server = scripted(Reply(200, b"<html>hello</html>", {"Content-Type": "text/html"}))
    with pytest.raises(EndpointError) as info:
        endpoint(server.url).run(QUERY, "SELECT")
    assert "does not parse" in str(info.value)


def test_basic_credentials_from_environment(scripted: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server = scripted(Reply())
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT_USER", "reader")
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT_PASSWORD", "s3cret:pw")
    Session(server.url).sparql(QUERY)
    expected = "Basic " + base64.b64encode(b"reader:s3cret:pw").decode()
    assert server.seen[0].headers["Authorization"] == expected


def test_bearer_token_from_environment(scripted: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    server = scripted(Reply())
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT_TOKEN", "tok-123")
    Session(server.url).sparql(QUERY)
    assert server.seen[0].headers["Authorization"] == "Bearer tok-123"


def test_401_says_which_variables_to_set(scripted: Any) -> None:
    server = scripted(Reply(401, b"no", {}))
    with pytest.raises(EndpointError) as info:
        endpoint(server.url).run(QUERY, "SELECT")
    assert "CLUSTERGRAPH_ENDPOINT_USER" in str(info.value)


def test_stored_query_sends_values_not_pasted_text(scripted: Any) -> None:
    body = json.dumps(
        {
            "head": {"vars": ["cluster", "clusterLabel", "region", "city"]},
            "results": {"bindings": []},
        }
    ).encode()
    server = scripted(Reply(200, body))
    Session(server.url).query("clusters-by-country", country="country/GB")
    seen = server.seen[0]
    form = seen.body.decode() if seen.method == "POST" else urllib.parse.urlsplit(seen.path).query
    sent = urllib.parse.parse_qs(form)["query"][0]
    assert "VALUES (?_country_iri) { (<https://w3id.org/clustergraph/id/country/GB>) }" in sent


def test_cli_endpoint_failure_exits_4() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "clustergraph",
            "query",
            "clusters-by-country",
            "--endpoint",
            f"http://127.0.0.1:{port}/sparql",
        ],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    assert done.returncode == 4, done.stderr
    assert "cannot reach" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("url", ["ftp://example.org/sparql", "not-a-url", "http://", "example.org/sparql"])
def test_endpoint_must_be_an_http_url_which_is_input_not_a_failing_endpoint(url: str) -> None:
    with pytest.raises(InputError) as info:
        Session(url)
    assert info.value.exit_code == 2
    assert f"endpoint {url!r} is not an http:// or https:// URL" in str(info.value)


def test_timeout_must_be_positive() -> None:
    with pytest.raises(InputError, match="positive number of seconds"):
        RemoteEndpoint("http://127.0.0.1:9/sparql", timeout=0)
