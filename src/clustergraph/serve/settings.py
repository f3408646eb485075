"""The settings of one server, passed to `create_app` (nothing is read from the environment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clustergraph.errors import ParameterError
from clustergraph.files import paths
from clustergraph.query.dataset import BASE_IRI
from clustergraph.query.parameters import is_absolute_iri
from clustergraph.query.session import default_files

__all__ = ["ConnectionLimits", "ServeSettings"]


@dataclass(frozen=True)
class ConnectionLimits:
    """What one connection may take (`clustergraph.serve.protocol` applies them): seconds for a
    request's head and body, bytes of its request line and header fields, header lines, and
    open connections."""

    header_timeout: float = 10.0
    body_timeout: float = 10.0
    max_request_line: int = 65_536
    max_header_bytes: int = 32_768
    max_headers: int = 100
    max_connections: int = 4096

    @property
    def max_head(self) -> int:
        """The most bytes of one request head."""
        return self.max_request_line + self.max_header_bytes + 4


#: The defaults, which `ServeSettings` shares.
_LIMITS = ConnectionLimits()


@dataclass(frozen=True)
class ServeSettings:
    """What `clustergraph serve` runs with; every limit a public endpoint needs.

    `data`: RDF files to serve with the shipped ontology instead of the shipped data (empty: the
    shipped graph). `timeout`: seconds one query may run before its worker is killed.
    `max_rows`: the most rows (or triples) one answer holds; longer answers are cut there and
    say so. `max_body`: the largest request body in bytes. `workers`: query processes; a slow
    query holds one, the others keep answering. `max_memory`: megabytes of address space per
    worker; a query that needs more stops its worker (which is replaced) instead of the machine.

    The connection limits (see `clustergraph.serve.protocol` and `clustergraph.serve.guard`):
    `header_timeout`: seconds a client has to send a request's head (request line and headers),
    counted from its connection or its previous answer; an idle connection is closed then.
    `body_timeout`: seconds to send the whole body once the head is in (408 beyond).
    `max_request_line`: bytes of the request line (414 beyond). `max_header_bytes` and
    `max_headers`: the size and number of the header fields (431 beyond). `max_connections`:
    open connections; past it the one idle longest is closed. `max_concurrent`: requests being
    answered at once (503 beyond); `max_concurrent_per_client`: the same per client address (429).

    `trust_proxy`: read `X-Forwarded-Proto`, `-Host`, `-Port`, `-Prefix` and `-For` (set by a
    reverse proxy in front) for the addresses the answers name and the client's address; off,
    they are ignored (any client could send them).
    """

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 100_000
    workers: int = 2
    max_memory: int = 2048
    data: tuple[Path, ...] = field(default_factory=tuple)
    header_timeout: float = _LIMITS.header_timeout
    body_timeout: float = _LIMITS.body_timeout
    max_request_line: int = _LIMITS.max_request_line
    max_header_bytes: int = _LIMITS.max_header_bytes
    max_headers: int = _LIMITS.max_headers
    max_connections: int = _LIMITS.max_connections
    max_concurrent: int = 512
    max_concurrent_per_client: int = 128
    union_default_graph: bool = True
    base_iri: str = BASE_IRI
    trust_proxy: bool = False

    def connection_limits(self, max_connections: int | None = None) -> ConnectionLimits:
        """The limits per connection, with `max_connections` when the open-files limit allows
        fewer connections than asked for."""
        return ConnectionLimits(
            header_timeout=self.header_timeout, body_timeout=self.body_timeout,
            max_request_line=self.max_request_line, max_header_bytes=self.max_header_bytes,
            max_headers=self.max_headers,
            max_connections=self.max_connections if max_connections is None else max_connections,
        )

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ParameterError("timeout", "must be a positive number of seconds")
        if self.max_rows < 1:
            raise ParameterError("max-rows", "must be at least 1")
        if self.max_body < 1:
            raise ParameterError("max-body", "must be at least 1 byte")
        if self.workers < 1:
            raise ParameterError("workers", "must be at least 1")
        if self.max_memory < 256:
            raise ParameterError("max-memory", "must be at least 256 MB")
        for name in ("header_timeout", "body_timeout"):
            if getattr(self, name) <= 0:
                raise ParameterError(name.replace("_", "-"), "must be a positive number of seconds")
        for name in ("max_request_line", "max_header_bytes", "max_headers", "max_connections",
                     "max_concurrent", "max_concurrent_per_client"):
            if getattr(self, name) < 1:
                raise ParameterError(name.replace("_", "-"), "must be at least 1")
        if not is_absolute_iri(self.base_iri):
            raise ParameterError("base-iri", f"{self.base_iri!r} is not an absolute IRI")

    def graph_files(self) -> list[Path]:
        """The files the query workers load: the ontology with `data`, or the shipped graph."""
        return [paths.ontology_file(), *self.data] if self.data else default_files()
