"""The search box: clusters, organisations, people and technologies found by any of their names.

The names come from the site renderer's index (`PageRenderer.search_index()`: every label and
other name, with the page's address), so the server, the static site and `clustergraph search`
find the same things, ranked alike (`name_search`).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clustergraph.export import build_export_graph
from clustergraph.files.load import GraphSources
from clustergraph.site import LinkStyle, PageRenderer

__all__ = ["KIND_NAMES", "NameSearch", "SearchHit", "name_search", "search_names"]

#: How each kind is shown next to a hit.
KIND_NAMES = {
    "cluster": "industrial cluster",
    "organization": "organisation",
    "person": "person",
    "technology": "technology",
}


def fold(text: str) -> str:
    """Text for matching: case and accents ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class SearchHit:
    """One match: the resource, its label and kind, the name that matched and its page."""

    iri: str
    label: str
    kind: str
    matched: str
    page: str

    def to_json(self) -> dict[str, str]:
        """The hit as JSON for `/api/search` (`kind` in words)."""
        return {"iri": self.iri, "label": self.label, "kind": KIND_NAMES.get(self.kind, self.kind),
                "matched": self.matched, "page": self.page}


class NameSearch:
    """Substring search over names; a name that starts with the text ranks first."""

    def __init__(self, entries: Iterable[Mapping[str, str]], labels: Mapping[str, str]) -> None:
        self._entries = sorted(
            (fold(e["label"]), e["label"], e["iri"], e["kind"], e["href"]) for e in entries
        )
        self._labels = dict(labels)

    def __call__(self, text: str, *, limit: int = 20) -> list[SearchHit]:
        wanted = fold(text.strip())
        if not wanted:
            return []
        best: dict[str, tuple[tuple[int, str], SearchHit]] = {}
        for folded, name, iri, kind, href in self._entries:
            at = folded.find(wanted)
            if at < 0:
                continue
            rank = (0 if at == 0 else 1, folded)
            if iri not in best or rank < best[iri][0]:
                best[iri] = (rank, SearchHit(iri, self._labels.get(iri, name), kind, name, href))
        ranked = sorted(best.values(), key=lambda item: item[0])
        return [hit for _, hit in ranked[:limit]]


def name_search(renderer: Any) -> NameSearch:
    """The search over a `PageRenderer`'s index: the one the server's box and the command use."""
    entries = renderer.search_index()
    return NameSearch(entries, {e["iri"]: renderer.idx.label(e["iri"]) for e in entries})


def search_names(
    text: str, *, data: GraphSources | Sequence[Path | str] | None = None, limit: int = 20
) -> list[SearchHit]:
    """Clusters, organisations, people and technologies whose names hold `text` (case and
    accents ignored), names starting with it first; in the shipped graph or `data`.

    >>> [hit.iri.rsplit("/", 1)[-1] for hit in search_names("jubail")]
    ['jubail-industrial-city', 'royal-commission-for-jubail-and-yanbu']
    """
    renderer = PageRenderer(build_export_graph(("ontology", "data"), data=data),
                            links=LinkStyle.server())
    return name_search(renderer)(text, limit=limit)
