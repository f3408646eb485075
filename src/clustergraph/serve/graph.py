"""The graph as the server's own process holds it: resources, search and the dataset description.

Queries run in worker processes (`clustergraph.serve.pool`); what is cheap and bounded stays
here: the triples of one resource for `/id/...` (`clustergraph.export.resource_triples`), the
name search of the query page, and the VoID/DCAT description for `/void`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from clustergraph.namespaces import ID_NS

if TYPE_CHECKING:
    from clustergraph.export import ExportGraph
    from clustergraph.serve.settings import ServeSettings

__all__ = ["SEARCH_KINDS", "SearchHit", "ServedGraph"]

#: The kinds of resource the search box finds, by the first segment of their IRI under id/.
SEARCH_KINDS = {
    "cluster": "industrial cluster",
    "organization": "organisation",
    "person": "person",
    "technology": "technology",
}
_LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2004/02/skos/core#altLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
)


def _fold(text: str) -> str:
    """Text for matching: lower case, without accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class SearchHit:
    iri: str
    label: str
    kind: str
    matched: str

    def to_json(self) -> dict[str, str]:
        return {
            "iri": self.iri,
            "label": self.label,
            "kind": SEARCH_KINDS[self.kind],
            "matched": self.matched,
            "page": "/id/" + self.iri[len(ID_NS):],
        }


class ServedGraph:
    """The export graph of the served files, with a name index for the search box."""

    def __init__(self, graph: ExportGraph) -> None:
        self.graph = graph
        self._names = self._name_index()

    @classmethod
    def load(cls, settings: ServeSettings) -> ServedGraph:
        """Build the graph of `settings.data` (or the shipped data) with the ontology."""
        from clustergraph.export import build_export_graph

        return cls(build_export_graph(("ontology", "data"), data=list(settings.data) or None))

    def __len__(self) -> int:
        return len(self.graph)

    def _name_index(self) -> list[tuple[str, str, str, str]]:
        """(folded name, name, IRI, kind) for every label of a searchable resource."""
        import pyoxigraph as ox

        store = self.graph.store()
        entries = []
        for predicate in _LABELS:
            for quad in store.quads_for_pattern(None, ox.NamedNode(predicate), None):
                subject, obj = quad.subject, quad.object
                if not isinstance(subject, ox.NamedNode) or not isinstance(obj, ox.Literal):
                    continue
                if not subject.value.startswith(ID_NS):
                    continue
                kind = subject.value[len(ID_NS):].partition("/")[0]
                if kind in SEARCH_KINDS:
                    entries.append((_fold(obj.value), obj.value, subject.value, kind))
        entries.sort()
        return entries

    def label(self, iri: str) -> str:
        """The preferred label of one of our resources (English first), or its IRI."""
        import pyoxigraph as ox

        labels = [
            q.object
            for q in self.graph.store().quads_for_pattern(ox.NamedNode(iri), ox.NamedNode(_LABELS[0]), None)
            if isinstance(q.object, ox.Literal)
        ]
        labels.sort(key=lambda lit: (lit.language != "en", lit.value))
        return labels[0].value if labels else iri

    def search(self, text: str, *, limit: int = 20) -> list[SearchHit]:
        """Resources whose name contains `text` (case and accents ignored); names starting with
        it first, then by name; one hit per resource."""
        wanted = _fold(text.strip())
        if not wanted:
            return []
        hits: dict[str, tuple[tuple[int, str], SearchHit]] = {}
        for folded, name, iri, kind in self._names:
            at = folded.find(wanted)
            if at < 0:
                continue
            rank = (0 if at == 0 else 1, folded)
            if iri not in hits or rank < hits[iri][0]:
                hits[iri] = (rank, SearchHit(iri, self.label(iri), kind, name))
        ranked = sorted(hits.values(), key=lambda item: item[0])
        return [hit for _, hit in ranked[:limit]]

    def resource(self, iri: str) -> list[Any]:
        """The triples describing one resource (empty when the graph does not know it)."""
        from clustergraph.export import resource_triples

        return resource_triples(self.graph, iri)

    def description(self, endpoint: str) -> list[Any]:
        """The VoID/DCAT description of the served graph, naming `endpoint` as its SPARQL service."""
        from clustergraph.dataset import describe

        return describe(self.graph, endpoint=endpoint)
