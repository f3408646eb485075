"""Real SPARQL servers on free loopback ports, loaded with the shipped graph, for the whole session.

* the Oxigraph server (the `oxigraph` package from PyPI): ``oxigraph load`` into a folder, then
  ``oxigraph serve-read-only``;
* Comunica's SPARQL endpoint over files (npm ``@comunica/query-sparql-file`` 4.x, installed
  by ``npm ci`` from package.json / package-lock.json): ``comunica-sparql-file-http FILE -p PORT``;
* Virtuoso 7.2 (fixtures_virtuoso.py), the graph loaded into a named graph that its queries
  without a named graph read (Virtuoso's default graph is the union of all graphs).

All hold the same triples as the embedded store (the ontology and data/*.ttl), in what their
queries read by default. A server that does not start, or does not answer a trivial ASK within the start-up time,
fails the tests that use it (with its stderr); it never skips them.
"""

from __future__ import annotations

import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from support.paths import REPO_ROOT

START_TIMEOUT = 90.0


@dataclass(frozen=True)
class Server:
    name: str
    url: str
    process: subprocess.Popen
    log: Path


#: Ports handed out by `free_port` in this process (never handed out twice).
_HANDED_OUT: set[int] = set()


def free_port() -> int:
    """A TCP port nobody listens on now, for a server about to start on the loopback.

    Each pytest-xdist worker (gw0, gw1, ...) draws from its own block of 1000 ports, below
    the kernel's ephemeral range (where clients' ports and `bind(0)` land), so two workers
    never pick the same port and a client's connection never takes one between our check and
    the server's bind; a process never gets the same port twice. The port is free when checked
    (bound on the loopback, then released)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    index = int(worker[2:]) if worker[2:].isdigit() else 0
    low = 20_000 + (index % 12) * 1000
    for _ in range(500):
        port = random.randrange(low, low + 1000)
        if port in _HANDED_OUT:
            continue
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        _HANDED_OUT.add(port)
        return port
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:  # the block is used up
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _ask(url: str) -> bool:
    """True when the server answers that it holds a triple (in any graph)."""
    held = "ASK { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
    query = urllib.parse.urlencode({"query": held})
    request = urllib.request.Request(
        f"{url}?{query}", headers={"Accept": "application/sparql-results+json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return b"true" in response.read()
    except (urllib.error.URLError, OSError):
        return False


def _wait_until_ready(name: str, url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"{name} exited with code {process.returncode} before answering:\n{log.read_text()[-4000:]}"
            )
        if _ask(url):
            return
        time.sleep(0.3)
    _stop(process)
    pytest.fail(
        f"{name} did not answer ASK at {url} within {START_TIMEOUT:.0f} s:\n{log.read_text()[-4000:]}"
    )


def _stop(process: subprocess.Popen) -> None:
    """Stop a server we started, with the workers it started (its own process group)."""
    import signal

    def signal_group(sig: int) -> None:
        try:
            os.killpg(process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    signal_group(signal.SIGTERM)
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        signal_group(signal.SIGKILL)
        process.wait(timeout=10)


def _graph_files() -> list[Path]:
    from clustergraph.query.session import default_files

    return default_files()


def oxigraph_binary() -> str:
    candidate = Path(sys.executable).parent / "oxigraph"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("oxigraph")
    if not found:
        pytest.fail(
            "the oxigraph server is not installed: pip install 'oxigraph>=0.5,<0.6' (in the test extra)"
        )
    return found


def comunica_binary() -> str:
    candidate = REPO_ROOT / "node_modules" / ".bin" / "comunica-sparql-file-http"
    if not candidate.exists():
        pytest.fail(
            f"Comunica is not installed: run `npm ci` in {REPO_ROOT} (package.json pins @comunica/query-sparql-file 4)"
        )
    return str(candidate)


@pytest.fixture(scope="session")
def merged_ntriples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped graph (ontology + data) as one N-Triples file."""
    import pyoxigraph

    from clustergraph.files.load import load_store

    store = load_store(_graph_files())
    path = tmp_path_factory.mktemp("graph") / "clustergraph.nt"
    data = pyoxigraph.serialize((q.triple for q in store), format=pyoxigraph.RdfFormat.N_TRIPLES)
    path.write_bytes(data or b"")
    return path


@pytest.fixture(scope="session")
def oxigraph_query_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`oxigraph serve-read-only` on a free loopback port, with the shipped files loaded."""
    yield from oxigraph_read_only(_graph_files(), tmp_path_factory.mktemp("oxigraph"))


def oxigraph_read_only(
    files: list[Path], folder: Path, graphs: dict[str, list[Path]] | None = None
) -> Iterator[Server]:
    """Load `files` into an Oxigraph database in `folder` (and each of `graphs`' files into
    that named graph), serve it read-only on a free loopback port until the generator is
    closed (use with `yield from` in a fixture)."""
    binary = oxigraph_binary()
    location = folder / "db"
    log = folder / "server.log"
    loads = [([str(f) for f in files], [])] if files else []
    loads += [([str(f) for f in named], ["--graph", g]) for g, named in (graphs or {}).items()]
    for names, graph_option in loads:
        loaded = subprocess.run(
            [binary, "load", "--location", str(location), "--file", *names, *graph_option],
            capture_output=True,
            check=False,
            text=True,
            timeout=300,
        )
        if loaded.returncode != 0:
            pytest.fail(f"oxigraph load failed ({loaded.returncode}):\n{loaded.stderr[-4000:]}")
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/query"
    try:
        _wait_until_ready("the Oxigraph server", url, process, log)
        yield Server("oxigraph", url, process, log)
    finally:
        _stop(process)


@pytest.fixture(scope="session")
def comunica_query_server(
    merged_ntriples: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Server]:
    """Comunica's SPARQL endpoint over the merged N-Triples file, on a free port."""
    binary = comunica_binary()
    log = tmp_path_factory.mktemp("comunica") / "server.log"
    port = free_port()
    env = {**os.environ, "NODE_OPTIONS": os.environ.get("NODE_OPTIONS", "")}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, str(merged_ntriples), "-p", str(port), "-t", "120"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=REPO_ROOT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/sparql"
    try:
        _wait_until_ready("Comunica", url, process, log)
        yield Server("comunica", url, process, log)
    finally:
        _stop(process)


#: The stores of the matrix; a test id names the store (`[oxigraph-...]`), so CI names the one
#: that regressed. Virtuoso's fixture is in fixtures_virtuoso.py.
STORES = ["oxigraph", "comunica", "virtuoso"]


@pytest.fixture(scope="session", params=STORES)
def query_server(request: pytest.FixtureRequest) -> Server:
    """Each real server in turn."""
    return request.getfixturevalue(f"{request.param}_query_server")
