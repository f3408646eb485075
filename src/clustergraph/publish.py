"""Publishing the graph into a remote triple store, atomically.

Through the SPARQL 1.1 Graph Store Protocol and SPARQL Update:

1. upload the export's N-Triples into a *staging* graph (`<target>-staging`): the first chunk
   with PUT (which replaces whatever an earlier, interrupted run left there), the others with
   POST, each retried on transient errors (connection refused or cut, time-outs, 408/429/5xx);
2. check that the staging graph holds exactly the triples sent (a SPARQL COUNT);
3. replace the target in one SPARQL Update, `MOVE GRAPH <staging> TO DEFAULT` (or `TO GRAPH
   <target>`), which a transactional store (Oxigraph, Fuseki/TDB2, GraphDB, Virtuoso...) applies
   as one step: readers see the old graph or the new one, never half of it.

The target is the store's default graph unless a graph is named, so that `clustergraph query
--endpoint` finds the graph where it looks. Virtuoso has no default graph of its own (a query
naming no graph reads the union of all graphs, and `MOVE ... TO DEFAULT` is refused), so there
the target is the named graph `DEFAULT_GRAPH`, which such queries read. The union would also
show the staging graph during an upload; Virtuoso's graph-level security hides it (new graphs
private to anonymous readers, the target public: see the README), and readers that name the
graph (`default-graph-uri`) never see it.

Each attempt of a request is bounded as a whole by the timeout (connect, send, receive: a
store that trickles its answer is cut at the deadline), and an answer 3xx is refused, naming the
redirect and its Location (`clustergraph.http.transport`): nothing is sent where it points.

If anything fails before step 3, the published graph is untouched; running again completes.
Triples are a set, so re-sending a chunk after a cut connection is harmless; the blank-node
triples all go in one last chunk (a document scopes its blank nodes), and if a retry duplicated
them the count check fails and the whole upload starts once more from an empty staging graph.

Endpoints: `endpoint` is the store's base URL; its Graph Store, query and update services follow
a layout (`LAYOUTS`): Oxigraph's `{endpoint}/store`, `/query`, `/update`, or Virtuoso's
`/sparql-graph-crud-auth`, `/sparql-auth`, `/sparql-auth`; each can be given instead.
Credentials come from the environment, as for queries: CLUSTERGRAPH_ENDPOINT_USER and
CLUSTERGRAPH_ENDPOINT_PASSWORD (HTTP basic, or HTTP Digest when the store asks for it, as
Virtuoso does), or CLUSTERGRAPH_ENDPOINT_TOKEN (bearer).
"""

from __future__ import annotations

import http.client
import json
import logging
import sys
import time
import types
import urllib.parse
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from clustergraph.errors import EndpointError, InputError
from clustergraph.export import build_export_graph
from clustergraph.http.connection import Connection
from clustergraph.http.digest import DigestChallenge
from clustergraph.http.retry import Retryable, retry_after_seconds
from clustergraph.http.settings import (
    RETRY_CODES,
    USER_AGENT,
)
from clustergraph.http.transport import Deadline, Redirected, TimedOut, send

__all__ = ["DEFAULT_GRAPH", "LAYOUTS", "GraphStore", "PublishResult", "publish", "staging_graph"]

log = logging.getLogger(__name__)

#: The graph's name: where it is staged, and its target on a store without a default graph.
DEFAULT_GRAPH = "https://w3id.org/clustergraph/graph/clustergraph"


@dataclass(frozen=True)
class Layout:
    """Where a kind of store serves the Graph Store Protocol, queries and updates."""

    store: str
    query: str
    update: str
    #: Queries that name no graph read the union of all graphs (no default graph of its own).
    union_default: bool = False


LAYOUTS = {
    "oxigraph": Layout("/store", "/query", "/update"),
    "virtuoso": Layout("/sparql-graph-crud-auth", "/sparql-auth", "/sparql-auth", union_default=True),
}

#: Bytes of N-Triples per upload request.
CHUNK_BYTES = 4 * 1024 * 1024
#: Queries and updates go as HTML forms, which every store reads (Virtuoso does not read a
#: bare application/sparql-query body).
_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _form(name: str, text: str) -> bytes:
    return urllib.parse.urlencode({name: text}).encode("ascii")


def staging_graph(target: str) -> str:
    """The staging graph of a target graph."""
    return f"{target}-staging"


class _Challenged(Exception):
    """The store asked for HTTP Digest with a nonce not used yet: send the request again, signed."""




def _iri(value: str, what: str) -> str:
    if not value or any(c in value for c in '<>"{}|\\^` \n\r\t'):
        raise InputError(f"{what} {value!r} is not a valid IRI")
    return value


@dataclass
class GraphStore(Connection):
    """A store reached through the Graph Store Protocol and SPARQL 1.1 query and update (the
    settings of `Connection`)."""

    endpoint: str
    layout: str = "oxigraph"
    store_url: str | None = None
    query_url: str | None = None
    update_url: str | None = None
    _digest: DigestChallenge | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.endpoint.startswith(("http://", "https://")):
            raise InputError(f"endpoint {self.endpoint!r} is not an http:// or https:// URL")
        if self.layout not in LAYOUTS:
            raise InputError(f"layout {self.layout!r} is not one of {', '.join(sorted(LAYOUTS))}")
        paths = LAYOUTS[self.layout]
        base = self.endpoint.rstrip("/")
        self.store_url = self.store_url or f"{base}{paths.store}"
        self.query_url = self.query_url or f"{base}{paths.query}"
        self.update_url = self.update_url or f"{base}{paths.update}"

    @property
    def union_default(self) -> bool:
        """Whether queries that name no graph read all graphs (the store has no default graph)."""
        return LAYOUTS[self.layout].union_default

    # -- one request ---------------------------------------------------------------------------

    def _headers(self, method: str, path: str, anonymous: bool = False) -> dict[str, str]:
        headers = {"User-Agent": USER_AGENT}
        if anonymous:
            return headers
        if not self.token and self.user is not None and self._digest is not None:
            headers["Authorization"] = self._digest.authorization(method, path, self.user,
                                                                  self.password or "")
            return headers
        credentials = self.authorization()
        if credentials:
            headers["Authorization"] = credentials
        return headers

    def _once(self, method: str, url: str, body: bytes | Iterable[bytes] | None, length: int | None,
              headers: dict[str, str], anonymous: bool = False,
              deadline: Deadline | None = None) -> tuple[int, bytes]:
        """One exchange, bounded as a whole by `timeout` or `deadline` (`http.transport.send`);
        an answer 3xx is refused (`EndpointError`, never retried)."""
        parts = urllib.parse.urlsplit(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        all_headers = {**self._headers(method, path, anonymous), **headers}
        if length is not None:
            all_headers["Content-Length"] = str(length)
        try:
            answer = send(method, url, headers=all_headers, body=body, timeout=self.timeout,
                          deadline=deadline)
        except TimedOut as exc:
            raise Retryable(f"{exc} (--timeout bounds each attempt: connect, send, receive)") from None
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, cut, garbled
            raise Retryable(f"{type(exc).__name__}: {exc}") from None
        status, data = answer.status, answer.body
        retry_after = answer.header("Retry-After")
        challenge = DigestChallenge.parse(answer.header("WWW-Authenticate"))
        if status == 401 and challenge is not None and self.user is not None and (
                self._digest is None or self._digest.nonce != challenge.nonce):
            self._digest = challenge  # sign the request again (a new or a stale nonce)
            raise _Challenged()
        if status in RETRY_CODES:
            raise Retryable(f"HTTP {status}: {data[:200].decode('utf-8', 'replace')}",
                            retry_after=retry_after_seconds(retry_after))
        if status >= 400:
            hint = " (check CLUSTERGRAPH_ENDPOINT_USER/PASSWORD or _TOKEN)" if status in (401, 403) else ""
            raise EndpointError(f"{method} {url} answered HTTP {status}{hint}: "
                                f"{data[:300].decode('utf-8', 'replace').strip()}")
        return status, data

    def request(self, method: str, url: str, *, body: bytes | Callable[[], Iterable[bytes]] | None = None,
                length: int | None = None, headers: dict[str, str] | None = None,
                retries: int | None = None) -> bytes:
        """Send one request, retrying transient failures with exponential back-off."""
        def attempt() -> bytes:
            deadline = Deadline.after(self.timeout)  # one for the attempt, signed again or not
            payload = body() if callable(body) else body
            size = len(payload) if isinstance(payload, bytes) and length is None else length
            try:
                return self._once(method, url, payload, size, headers or {}, deadline=deadline)[1]
            except _Challenged:
                pass
            payload = body() if callable(body) else body
            try:
                return self._once(method, url, payload, size, headers or {}, deadline=deadline)[1]
            except _Challenged:
                raise EndpointError(f"{method} {url} refused the credentials (HTTP 401, Digest); "
                                    "check CLUSTERGRAPH_ENDPOINT_USER/PASSWORD") from None

        def failed(exc: Retryable, attempts: int) -> EndpointError:
            return EndpointError(f"{method} {url} failed after {attempts} attempt(s): {exc.message}")

        return self.retry_policy(retries).call(attempt, failed=failed)

    # -- protocol operations ---------------------------------------------------------------------

    def graph_url(self, graph: str) -> str:
        """The Graph Store Protocol address of a named graph."""
        return f"{self.store_url}?{urllib.parse.urlencode({'graph': graph})}"

    def put(self, graph: str, body: Callable[[], Iterable[bytes]] | bytes, length: int, *,
            append: bool = False) -> None:
        """Replace a named graph with N-Triples (PUT), or add them to it (`append`: POST)."""
        self.request("POST" if append else "PUT", self.graph_url(graph), body=body, length=length,
                     headers={"Content-Type": "application/n-triples"})

    def authenticate(self) -> None:
        """Learn the store's Digest challenge, if it has one, with a request without a body.

        Done before an upload, so that the first chunk is not sent only to be refused. The
        request goes without credentials (Virtuoso sends no challenge to a Basic attempt); a
        store that asks for none keeps receiving Basic credentials."""
        if self.user is None or self.token or self._digest is not None:
            return
        try:
            body = _form("query", "ASK {}")
            self._once("POST", self.query_url or "", body, len(body),
                       {**_FORM, "Accept": "application/sparql-results+json"}, anonymous=True)
        except (_Challenged, Retryable, EndpointError):
            pass  # challenged: Digest from now on; otherwise the requests below report any failure

    def update(self, text: str, *, retries: int | None = None) -> None:
        """Run a SPARQL Update."""
        self.request("POST", self.update_url or "", body=_form("update", text), headers=_FORM,
                     retries=retries)

    def select(self, text: str) -> list[dict[str, Any]]:
        """The bindings of a SELECT (or the empty list for an ASK)."""
        data = self.request("POST", self.query_url or "", body=_form("query", text),
                            headers={**_FORM, "Accept": "application/sparql-results+json"})
        try:
            answer = json.loads(data)
            bindings: list[dict[str, Any]] = [] if "boolean" in answer else answer["results"]["bindings"]
        except (ValueError, KeyError, TypeError) as exc:
            raise EndpointError(f"{self.query_url} did not answer SPARQL JSON results: {exc}") from None
        return bindings

    def count(self, graph: str | None) -> int:
        """The triples in a named graph, or in the default graph (None)."""
        pattern = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
        return int(rows[0]["n"]["value"]) if rows else 0


@dataclass
class PublishResult:
    """What `publish` did."""

    endpoint: str
    #: The named graph replaced, or None for the store's default graph.
    graph: str | None
    triples: int
    bytes_sent: int
    requests: int
    seconds: float


def _chunks(lines: Sequence[str], limit: int) -> list[list[str]]:
    """Lines in chunks of about `limit` bytes; all blank-node lines together in the last one."""
    plain = [ln for ln in lines if "_:" not in ln]
    bnode = [ln for ln in lines if "_:" in ln]
    chunks: list[list[str]] = []
    current: list[str] = []
    size = 0
    for line in plain:
        current.append(line)
        size += len(line) + 1
        if size >= limit:
            chunks.append(current)
            current, size = [], 0
    if current:
        chunks.append(current)
    if bnode:
        chunks.append(bnode)
    return chunks


def publish(
    endpoint: str | GraphStore,
    *,
    graph: str | None = None,
    include: Iterable[str] | str = ("ontology", "data"),
    data: Sequence[Path | str] | None = None,
    export_graph: Any = None,
    chunk_bytes: int = CHUNK_BYTES,
    progress: bool | None = None,
    on_chunk: Callable[[int, int], None] | None = None,
) -> PublishResult:
    """Load the graph into the store at `endpoint`, replacing its default graph (or the named
    graph `graph`) atomically.

    `export_graph`: an `ExportGraph` to publish (default: built from `include` and `data`).
    `progress`: show a progress bar on standard error (default: when it is a terminal).
    `on_chunk(done_bytes, total_bytes)` is called after each uploaded chunk.
    Raises `EndpointError` when the store cannot be reached or refuses, and when the staging
    graph does not hold what was sent after one full retry.
    """
    # click's progress bar: only when one is shown (the library does not print otherwise)
    import click

    started = time.monotonic()
    store = endpoint if isinstance(endpoint, GraphStore) else GraphStore.from_env(endpoint)
    target = _iri(graph, "graph") if graph is not None else (DEFAULT_GRAPH if store.union_default else None)
    staging = staging_graph(target or DEFAULT_GRAPH)
    destination = f"GRAPH <{target}>" if target else "DEFAULT"
    eg = export_graph if export_graph is not None else build_export_graph(include, data=data)
    lines = eg.lines
    chunks = [("\n".join(c) + "\n").encode("utf-8") for c in _chunks(lines, chunk_bytes)]
    total = sum(len(c) for c in chunks)
    show = progress if progress is not None else _stderr_is_tty()
    requests = 0
    sent = 0
    if store.user is not None and not store.token:
        store.authenticate()
        requests += 1
    for attempt in (1, 2):
        done = 0
        bar_cm = click.progressbar(length=max(total, 1), label=f"uploading {len(lines)} triples",
                                   file=sys.stderr) if show else None
        bar = bar_cm.__enter__() if bar_cm is not None else None
        try:
            if not chunks:
                store.update(f"DROP SILENT GRAPH <{staging}>")
                requests += 1
            for i, chunk in enumerate(chunks):
                store.put(staging, _sliced(chunk, bar), len(chunk), append=i > 0)
                requests += 1
                done += len(chunk)
                sent += len(chunk)
                if on_chunk is not None:
                    on_chunk(done, total)
        finally:
            if bar_cm is not None:
                bar_cm.__exit__(None, None, None)
        found = store.count(staging)
        requests += 1
        if found == len(lines):
            break
        log.warning("staging graph holds %d triples, %d sent; uploading again", found, len(lines))
        if attempt == 2:
            raise EndpointError(f"the staging graph <{staging}> holds {found} triples after upload, "
                                f"not the {len(lines)} sent; the published graph was left as it was")
    if lines:
        _move(store, staging, target, destination, len(lines))
    else:
        store.update(f"DROP SILENT {destination} ; DROP SILENT GRAPH <{staging}>")
    requests += 1
    return PublishResult(endpoint=store.endpoint, graph=target, triples=len(lines), bytes_sent=sent,
                         requests=requests, seconds=time.monotonic() - started)


def _move(store: GraphStore, staging: str, target: str | None, destination: str, expected: int) -> None:
    """MOVE the staging graph onto the target. A MOVE is not idempotent (once done, a second one
    would move an empty staging graph and empty the target), so a failed attempt is retried only
    after checking that it did not take effect before the connection failed."""
    move = f"MOVE SILENT GRAPH <{staging}> TO {destination}"
    try:
        store.update(move, retries=0)
        return
    except Redirected:
        raise  # refused, not failed: trying again would be refused again
    except EndpointError as first:
        failure = first
    for attempt in range(store.retries):
        store.sleep(min(store.backoff * 2**attempt, 60.0))
        try:
            in_staging = store.count(staging)
            if in_staging == 0 and store.count(target) == expected:
                return  # the failed attempt had moved it
            if in_staging != expected:
                break
            store.update(move, retries=0)
            return
        except EndpointError as again:
            failure = again
    raise failure


def _sliced(chunk: bytes, bar: Any, piece: int = 256 * 1024) -> Callable[[], Iterator[bytes]]:
    """The chunk as a fresh generator of pieces (each retry starts again), updating the bar."""

    def pieces() -> Iterator[bytes]:
        for start in range(0, len(chunk), piece):
            part = chunk[start:start + piece]
            yield part
            if bar is not None:
                bar.update(len(part))

    return pieces


def _stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _CallableModule(types.ModuleType):
    """This module, callable: `clustergraph.publish(...)` runs `publish(...)` defined here."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return publish(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
