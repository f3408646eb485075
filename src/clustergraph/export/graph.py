"""The graph to export: the chosen parts as sorted canonical N-Triples lines, built once."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox

from clustergraph.export.canonical import canonical_lines
from clustergraph.export.formats import DEFAULT_PARTS, GENID_NS, parse_parts
from clustergraph.files.load import GraphSources
from clustergraph.vocab import bind_prefixes

if TYPE_CHECKING:
    import rdflib

log = logging.getLogger(__name__)

@dataclass
class ExportGraph:
    """The graph to export: per part, its sorted canonical N-Triples lines.

    `lines` is the merged graph (sorted, each triple once); `triples()`, `store()` and
    `to_rdflib()` give it as Oxigraph terms, an Oxigraph store or an rdflib Graph.
    """

    parts: dict[str, list[str]]
    files: dict[str, tuple[Path, ...]] = field(default_factory=dict)

    @cached_property
    def lines(self) -> list[str]:
        """The merged graph's sorted canonical N-Triples lines, each triple once (no newline)."""
        if len(self.parts) == 1:
            return next(iter(self.parts.values()))
        merged: set[str] = set()
        for part_lines in self.parts.values():
            merged.update(part_lines)
        return sorted(merged)

    def __len__(self) -> int:
        return len(self.lines)

    def ntriples_bytes(self) -> bytes:
        """The merged graph as an N-Triples document (UTF-8, one line per triple)."""
        return ("\n".join(self.lines) + "\n").encode("utf-8") if self.lines else b""

    def triples(self) -> list[ox.Triple]:
        """The triples, sorted like the lines (subject, predicate, object)."""
        return self._triples

    @cached_property
    def _triples(self) -> list[ox.Triple]:
        return [q.triple for q in ox.parse(self.ntriples_bytes(), format=ox.RdfFormat.N_TRIPLES)]

    def by_subject(self) -> dict[Any, list[ox.Triple]]:
        """The triples by subject, blank nodes with their canonical labels (the store relabels
        them at random: what is written from here is the same in every run)."""
        return self._by_subject

    @cached_property
    def _by_subject(self) -> dict[Any, list[ox.Triple]]:
        index: dict[Any, list[ox.Triple]] = {}
        for triple in self._triples:
            index.setdefault(triple.subject, []).append(triple)
        return index

    def parts_of(self, iri: str) -> list[ox.NamedNode]:
        """The hash IRIs `iri#…` that are subjects (a claim's citations, say), sorted."""
        return self._parts.get(iri, [])

    @cached_property
    def _parts(self) -> dict[str, list[ox.NamedNode]]:
        parts: dict[str, list[ox.NamedNode]] = {}
        for subject in self._by_subject:
            if isinstance(subject, ox.NamedNode) and "#" in subject.value:
                parts.setdefault(subject.value.split("#", 1)[0], []).append(subject)
        return {k: sorted(v, key=str) for k, v in parts.items()}

    def store(self) -> ox.Store:
        """An in-memory Oxigraph store holding the merged graph in its default graph."""
        return self._store

    @cached_property
    def _store(self) -> ox.Store:
        store = ox.Store()
        if self.lines:
            store.load(self.ntriples_bytes(), format=ox.RdfFormat.N_TRIPLES)
        return store

    def to_rdflib(self) -> rdflib.Graph:
        """The merged graph as an rdflib Graph with our prefixes bound."""
        from rdflib import Graph  # rdflib: ~0.15 s to import (python -X importtime), only here

        graph = Graph()
        if self.lines:
            graph.parse(data=self.ntriples_bytes().decode("utf-8"), format="nt")
        return bind_prefixes(graph)


def _part_files(part: str, data: GraphSources | Sequence[Path | str] | None,
                sources: GraphSources | None) -> tuple[Path, ...]:
    if isinstance(data, GraphSources):
        sources = data
    src = sources if sources is not None else GraphSources.with_data(data)
    if part == "ontology":
        return (Path(src.ontology),)
    if part == "shapes":
        return (Path(src.shapes),)
    return tuple(Path(p) for p in src.data)


def build_export_graph(
    include: Iterable[str] | str = DEFAULT_PARTS,
    *,
    data: GraphSources | Sequence[Path | str] | None = None,
    sources: GraphSources | None = None,
    skolemize: bool = False,
) -> ExportGraph:
    """Build the graph to export from the shipped files (or `data` / `sources` instead).

    `include`: the parts, any of "ontology", "data", "shapes" (a list or a comma-separated
    string). Blank nodes get labels derived from their content (`_:b<hash>`), or with
    `skolemize=True` become IRIs `GENID_NS + hash`. Nothing is written.

    >>> graph = build_export_graph("ontology")
    >>> list(graph.parts), len(graph) > 100
    (['ontology'], True)
    >>> graph.lines == sorted(set(graph.lines))
    True
    """
    wanted = parse_parts(include)
    parts: dict[str, list[str]] = {}
    files: dict[str, tuple[Path, ...]] = {}
    for part in wanted:
        part_files = _part_files(part, data, sources)
        files[part] = part_files
        lines = canonical_lines(part_files)
        if skolemize:
            lines = sorted(re.sub(r"(^|\s)_:b([0-9a-fx]+)", rf"\1<{GENID_NS}\2>", ln) for ln in lines)
        parts[part] = lines
        log.debug("part %s: %d triples from %d files", part, len(lines), len(part_files))
    return ExportGraph(parts=parts, files=files)
