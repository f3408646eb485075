"""The graph as the server's own process holds it: resources and the dataset description.

Queries run in worker processes (`clustergraph.serve.pool`); what is cheap and bounded stays
here: the triples of one resource for `/id/...` (`clustergraph.export.resource_triples`) and the
VoID/DCAT description for `/void`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from clustergraph.export import ExportGraph, build_export_graph, resource_triples
from clustergraph.export.description import describe

if TYPE_CHECKING:
    from clustergraph.serve.settings import ServeSettings

__all__ = ["ServedGraph"]


#: How many dataset descriptions (one per endpoint address asked for) are kept.
_KEPT_DESCRIPTIONS = 8

class ServedGraph:
    """The export graph of the served files."""

    def __init__(self, graph: ExportGraph) -> None:
        self.graph = graph
        self._descriptions: dict[str, list[Any]] = {}

    @classmethod
    def load(cls, settings: ServeSettings) -> ServedGraph:
        """Build the graph of `settings.data` (or the shipped data) with the ontology."""
        return cls(build_export_graph(("ontology", "data"), data=list(settings.data) or None))

    def __len__(self) -> int:
        return len(self.graph)

    def resource(self, iri: str) -> list[Any]:
        """The triples describing one resource (empty when the graph does not know it)."""
        return resource_triples(self.graph, iri)

    def description(self, endpoint: str) -> list[Any]:
        """The VoID/DCAT description of the served graph, naming `endpoint` as its SPARQL service."""
        if endpoint not in self._descriptions:
            # The address comes from the request's Host: keep a few, so no client fills the memory.
            while len(self._descriptions) >= _KEPT_DESCRIPTIONS:
                del self._descriptions[next(iter(self._descriptions))]
            self._descriptions[endpoint] = describe(self.graph, endpoint=endpoint)
        return self._descriptions[endpoint]
