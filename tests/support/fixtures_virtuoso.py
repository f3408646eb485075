"""OpenLink Virtuoso 7.2 (Debian's `virtuoso-opensource`, installed by `.ci/run`) on free loopback
ports, for the store matrix and the publish tests.

Each server gets a small ini that puts its database in a temporary folder and binds its SQL and
HTTP ports to 127.0.0.1; it runs as ``virtuoso-t -c FILE.ini +foreground`` in its own process
group, which is stopped at the end. Data is loaded with ``isql-vt`` (``DB.DBA.TTLP_MT``).
Virtuoso has no separate default graph: a query that names no graph reads the union of all
graphs. A server that does not start fails the tests that use it, it never skips them.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from support.fixtures_servers import Server, _stop, free_port

START_TIMEOUT = 120.0
#: The administrator Virtuoso creates in a new database (user and password).
DBA = ("dba", "dba")
#: Where the query tests load the graph (readers that name no graph see it through the union).
LOADED_GRAPH = "https://w3id.org/clustergraph/graph/clustergraph"

INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
FileExtend = 200
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
MaxQueryMem = 256M
ThreadsPerQuery = 2
DirsAllowed = ., {folder}
CaseMode = 2
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {folder}
ServerThreads = 4
MaxClientConnections = 4
[SPARQL]
ResultSetMaxRows = {max_rows}
MaxQueryExecutionTime = 60
MaxQueryCostEstimationTime = 60
"""


def _binary(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is not installed: apt-get install virtuoso-opensource (see .ci/run)")
    return found


@dataclass
class Virtuoso:
    """One Virtuoso server on its own folder and free loopback ports."""

    folder: Path
    sql_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None
    max_rows: int = 100_000
    """The most rows of an answer (ResultSetMaxRows): Virtuoso gives the first ones only."""

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    @property
    def sparql_url(self) -> str:
        """The public (read-only) SPARQL endpoint."""
        return f"{self.base}/sparql"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        ini = self.folder / "virtuoso.ini"
        ini.write_text(INI.format(folder=self.folder, sql_port=self.sql_port,
                                  http_port=self.http_port, max_rows=self.max_rows))
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [_binary("virtuoso-t"), "-c", str(ini), "+foreground"],
                cwd=self.folder, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"virtuoso-t exited with code {self.process.returncode}:\n"
                            f"{self.log.read_text(errors='replace')[-4000:]}")
            if self._answers():
                return
            time.sleep(0.3)
        self.stop()
        pytest.fail(f"Virtuoso did not answer at {self.sparql_url} within {START_TIMEOUT:.0f} s:\n"
                    f"{self.log.read_text(errors='replace')[-4000:]}")

    def _answers(self) -> bool:
        query = urllib.parse.urlencode({"query": "ASK {}"})
        request = urllib.request.Request(f"{self.sparql_url}?{query}",
                                         headers={"Accept": "application/sparql-results+json"})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False

    def isql(self, statements: str) -> str:
        """Run SQL statements through isql-vt as the administrator; fails the test on an error."""
        done = subprocess.run(
            [_binary("isql-vt"), f"127.0.0.1:{self.sql_port}", *DBA, f"exec={statements}"],
            capture_output=True, text=True, check=False, timeout=300)
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            pytest.fail(f"isql-vt failed ({done.returncode}) on {statements!r}:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def load(self, ntriples: Path, graph: str) -> None:
        """Load an N-Triples file into a graph, as a data engineer would, and checkpoint."""
        path = str(ntriples).replace("'", "''")
        self.isql(f"DB.DBA.TTLP_MT(file_to_string_output('{path}'), '', '{graph}', 0); checkpoint;")

    def hide_new_graphs(self, *public: str) -> None:
        """Graph-level security as the README sets it up: graphs private to anonymous readers
        unless made public (the `public` ones), so a staging graph never shows in their union."""
        grants = "".join(f"DB.DBA.RDF_GRAPH_USER_PERMS_SET('{g}', 'nobody', 1); " for g in public)
        self.isql(f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('nobody', 0); {grants}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _stop(self.process)


def _started(folder: Path) -> Virtuoso:
    server = Virtuoso(folder)
    server.start()
    return server


@pytest.fixture(scope="session")
def virtuoso_query_server(merged_ntriples: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Virtuoso with the shipped graph loaded; queries that name no graph read it (the union)."""
    folder = tmp_path_factory.mktemp("virtuoso")
    shutil.copy(merged_ntriples, folder / "clustergraph.nt")
    server = _started(folder)
    try:
        server.load(folder / "clustergraph.nt", LOADED_GRAPH)
        assert server.process is not None
        yield Server("virtuoso", server.sparql_url, server.process, server.log)
    finally:
        server.stop()


@pytest.fixture(scope="module")
def virtuoso_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Virtuoso]:
    """An empty Virtuoso for the tests that write into it (publish)."""
    server = _started(tmp_path_factory.mktemp("virtuoso-rw"))
    try:
        yield server
    finally:
        server.stop()
