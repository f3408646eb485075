"""One query worker process: loads the graph once, then answers jobs from its pipe.

On Linux the worker first moves itself into a network namespace of its own, where no interface
is up: whatever a query says, the process cannot open a connection (SERVICE is refused before it
runs anyway; this makes "never reaches the network" hold even if the check missed one). Where
that is not allowed, every query is also parsed by rdflib for SERVICE and dataset clauses
(`clustergraph.query.catalogue.check_safe`), which costs tenths of a second for a long query.

A worker runs one query at a time. Oxigraph cannot be interrupted from another thread, so the
server (`clustergraph.serve.pool`) kills a worker whose query overruns and starts another; the
worker itself only checks, runs and writes. Every answer is a `Reply` (status, media type, bytes);
an error carries a message for the client, never a traceback.
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import signal
import sys
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import InputError, UnsafeQueryError

__all__ = ["Job", "Reply", "run_job", "worker_main"]

log = logging.getLogger(__name__)

#: The media type of each writer's output.
MEDIA_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
    "turtle": "text/turtle; charset=utf-8",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "nquads": "application/n-quads",
    "trig": "application/trig; charset=utf-8",
    "rdfjson": "application/rdf+json",
    "records": "application/json",
}


@dataclass(frozen=True)
class Job:
    """One query to run: the text, the writer for each form, the dataset and the row limit.

    `formats` maps a kind of answer ("rows", "boolean", "graph") to a writer name.
    `checked_text` is the text the safety check reads when it is not `text` itself: a stored
    query's own text, whose bound form only adds a VALUES block of validated terms (so each
    stored query is checked once per worker, whatever its parameters).
    """

    text: str
    formats: dict[str, str]
    max_rows: int
    base_iri: str | None = None
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    checked_text: str | None = None

    def key(self) -> tuple[Any, ...]:
        """What the answer depends on (the graph is fixed while the server runs)."""
        return (self.text, tuple(sorted(self.formats.items())), self.max_rows, self.base_iri,
                self.default_graphs, self.named_graphs, self.checked_text)


@dataclass(frozen=True)
class Reply:
    """A worker's answer: HTTP status, body, media type, whether it was cut, and its row count."""

    status: int
    body: bytes
    media_type: str = "application/json"
    truncated: bool = False
    rows: int = 0
    headers: dict[str, str] = field(default_factory=dict)


def error_reply(status: int, message: str) -> Reply:
    """A JSON error reply `{"error": message}` with `status`.

    >>> error_reply(400, "no query").body
    b'{"error": "no query"}'
    """
    return Reply(status, json.dumps({"error": message}, ensure_ascii=False).encode())


def refusal(exc: Exception) -> str:
    """The client's message for a query `check_safe` refused."""
    if isinstance(exc, InputError):  # a limit of the check (too deep, too long), not a form
        return str(exc)
    reason = str(exc).split(" Run it against", 1)[0].replace(" in embedded queries", " here")
    return f"refused: {reason} This endpoint is read-only and never reaches other servers."


@lru_cache(maxsize=1024)
def _unsafe_reason(text: str) -> str | None:
    """Why a query may not run here (SERVICE, updates, nesting too deep), or None; cached per text."""
    # clustergraph.query: loaded by `worker_main` once the spawned worker ignores SIGINT and is
    # isolated, not when it imports this module
    from clustergraph.query.catalogue import check_safe

    try:
        check_safe(text)
    except UnsafeQueryError as exc:
        return refusal(exc)
    return None


#: unshare(2) flags.
_CLONE_NEWNET = 0x40000000
_CLONE_NEWUSER = 0x10000000


def isolate_network() -> bool:
    """Move this process into a new network namespace (nothing up, not even the loopback).

    As root, a network namespace alone; otherwise with a user namespace, where the kernel allows
    unprivileged ones. True when done; call it before the process starts threads.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return False
    return any(libc.unshare(flags) == 0 for flags in (_CLONE_NEWNET, _CLONE_NEWUSER | _CLONE_NEWNET))


def run_job(store: Any, job: Job, base_iri: str | None = None) -> Reply:
    """Check and run one job on `store`; every failure is a `Reply` with a 4xx status.

    The job's `default_graphs` / `named_graphs` (the protocol's) replace the query's dataset
    when either is given (`clustergraph.query.dataset.QueryDataset`); relative IRIs resolve
    against the job's base IRI, else `base_iri` (the server's: the dataset's by default).
    """
    # writers pull in clustergraph.export, the dataset clustergraph.query: loaded once the worker
    # is isolated (see `_unsafe_reason`)
    from clustergraph.query.dataset import BASE_IRI, QueryDataset
    from clustergraph.serve import writers

    reason = _unsafe_reason(job.text if job.checked_text is None else job.checked_text)
    if reason is not None:
        return error_reply(400, reason)
    base = job.base_iri or base_iri or BASE_IRI
    dataset = QueryDataset.of(job.default_graphs, job.named_graphs, base)
    try:
        result = store.query(job.text, **dataset.oxigraph_options())
        if isinstance(result, ox.QuerySolutions):
            fmt = job.formats.get("rows", "json")
            columns = [v.value for v in result.variables]
            rows, truncated = _take(
                (tuple(s[i] for i in range(len(columns))) for s in result), job.max_rows)
            if fmt == "records":
                body = _records(columns, rows, truncated)
            else:
                body = writers.write_rows(fmt, columns, rows)
        elif isinstance(result, ox.QueryTriples):
            fmt = job.formats.get("graph", "turtle")
            rows, truncated = _take(iter(result), job.max_rows)
            body = writers.write_triples(fmt, sorted(set(rows), key=str))
        else:
            fmt = job.formats.get("boolean", "json")
            rows, truncated = [], False
            body = writers.write_boolean(fmt, bool(result))
    except SyntaxError as exc:
        return error_reply(400, f"the query does not parse: {exc.msg or exc}")
    except (OSError, RuntimeError, ValueError, TypeError) as exc:
        return error_reply(400, f"the query failed: {exc}")
    return Reply(200, body, MEDIA_TYPES[fmt], truncated, len(rows))


def _take(items: Any, limit: int) -> tuple[list[Any], bool]:
    """At most `limit` items, and whether there were more."""
    out = []
    for item in items:
        if len(out) == limit:
            return out, True
        out.append(item)
    return out, False


def _records(columns: list[str], rows: list[tuple[Any, ...]], truncated: bool) -> bytes:
    """Rows as plain JSON values, as `clustergraph query --format json` prints them."""
    # clustergraph.query: loaded once the worker is isolated (see `_unsafe_reason`)
    from clustergraph.query.results import Rows

    records = Rows(tuple(columns), tuple(rows)).to_json()
    head = f'{{"columns": {_json(columns)}, "truncated": {_json(truncated)}, "rows": '
    return (head + records.rstrip("\n") + "}").encode("utf-8")


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space: an allocation past it fails and the worker stops."""
    import resource  # Unix only: at the top it would make this module fail to import elsewhere

    os.environ["RUST_BACKTRACE"] = "0"  # one line in the server's log, not a Rust backtrace
    limit = megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def worker_main(conn: Any, files: list[Path], max_memory: int, union_default_graph: bool = True,
                base_iri: str | None = None) -> None:
    """The worker process: load the graph, say "ready", then answer jobs until the pipe closes.

    The default graph is the union of all graphs unless `union_default_graph` is False;
    `base_iri`: what relative IRIs resolve against (None: the dataset's; see `run_job`).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the server stops its workers itself
    isolated = isolate_network()
    limit_memory(max_memory)
    # the graph and query machinery: only now, with SIGINT ignored and the network cut (this module
    # is what the spawned process imports first, so it stays light)
    from clustergraph.query.session import Session

    try:
        session = Session(files=files, union_default_graph=union_default_graph)
        store = session.store
        graphs = session.named_graphs()
        _unsafe_reason("ASK {}")  # import the checker now, not on a query
    except Exception as exc:  # noqa: BLE001 - reported to the server, which stops
        conn.send(("failed", str(exc)))
        return
    conn.send(("ready", {"triples": len(store), "isolated": isolated, "graphs": graphs}))
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        try:
            reply = run_job(store, job, base_iri)
        except Exception:  # noqa: BLE001 - a bug: the client gets 500 without details
            log.exception("worker failed on a job")
            reply = error_reply(500, "internal error while running the query")
        try:
            conn.send(reply)
        except (BrokenPipeError, OSError):
            return
