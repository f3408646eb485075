"""The settings of one server, passed to `create_app` (nothing is read from the environment)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from clustergraph.errors import ParameterError
from clustergraph.files import paths
from clustergraph.query.session import default_files

__all__ = ["ServeSettings"]


@dataclass(frozen=True)
class ServeSettings:
    """What `clustergraph serve` runs with; every limit a public endpoint needs.

    `data`: RDF files to serve with the shipped ontology instead of the shipped data (empty: the
    shipped graph). `timeout`: seconds one query may run before its worker is killed.
    `max_rows`: the most rows (or triples) one answer holds; longer answers are cut there and
    say so. `max_body`: the largest request body in bytes. `workers`: query processes; a slow
    query holds one, the others keep answering. `max_memory`: megabytes of address space per
    worker; a query that needs more stops its worker (which is replaced) instead of the machine.
    """

    host: str = "127.0.0.1"
    port: int = 8000
    timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 100_000
    workers: int = 2
    max_memory: int = 2048
    data: tuple[Path, ...] = field(default_factory=tuple)

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

    def graph_files(self) -> list[Path]:
        """The files the query workers load: the ontology with `data`, or the shipped graph."""
        return [paths.ontology_file(), *self.data] if self.data else default_files()
