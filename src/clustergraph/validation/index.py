"""`TripleIndex`: a small in-memory graph that keeps every term exactly as given.

A `pyoxigraph.Store` rewrites typed literals to a canonical form when it stores them
(`"4.0"^^xsd:decimal` becomes `"4"`, the ill-formed `"300"^^xsd:byte` becomes an xsd:integer;
oxigraph issue #526). A validation report must show the data's own values, so reports are built
in this class instead; it offers the few `Store` methods the report code uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

import pyoxigraph

__all__ = ["TripleIndex"]


class TripleIndex:
    """A set of triples (as default-graph quads), indexed by subject, terms kept as given."""

    def __init__(self, quads: Iterable[Any] = ()) -> None:
        self._by_subject: dict[Any, dict[tuple[Any, Any], pyoxigraph.Quad]] = {}
        self.extend(quads)

    def add(self, quad: Any) -> None:
        """Add a quad or triple (graph names are not looked at: a report has none)."""
        if type(quad) is not pyoxigraph.Quad:
            quad = pyoxigraph.Quad(quad.subject, quad.predicate, quad.object)
        key = (quad.predicate, _exact(quad.object))
        group = self._by_subject.get(quad.subject)
        if group is None:
            self._by_subject[quad.subject] = {key: quad}
        elif key not in group:
            group[key] = quad

    def extend(self, quads: Iterable[Any]) -> None:
        """Add each quad or triple."""
        for quad in quads:
            self.add(quad)

    def remove(self, quad: Any) -> None:
        """Remove a quad or triple, if present."""
        triples = self._by_subject.get(quad.subject)
        if triples is not None:
            triples.pop((quad.predicate, _exact(quad.object)), None)
            if not triples:
                del self._by_subject[quad.subject]

    def quads_for_pattern(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any = None
    ) -> Iterator[pyoxigraph.Quad]:
        """The quads matching the pattern (None: any term); `graph_name` is ignored."""
        wanted = None if object is None else _exact(object)
        if subject is not None:
            groups: Iterable[dict[tuple[Any, Any], Any]] = [self._by_subject.get(subject, {})]
        else:
            groups = list(self._by_subject.values())
        for group in groups:
            for (p, o), quad in list(group.items()):
                if (predicate is None or p == predicate) and (wanted is None or o == wanted):
                    yield quad

    def __iter__(self) -> Iterator[pyoxigraph.Quad]:
        for group in list(self._by_subject.values()):
            yield from list(group.values())

    def __len__(self) -> int:
        return sum(len(group) for group in self._by_subject.values())


def _exact(term: Any) -> Any:
    """A key that tells apart literals of the same value written differently."""
    if isinstance(term, pyoxigraph.Literal):
        return ("literal", term.value, term.datatype.value, term.language)
    return term
