"""Turning RDF terms into plain data for the templates: links, literals, statement tables, sources.

A `Presenter` knows which IRIs have a page (so it only ever links to pages that exist), how
links are written (`LinkStyle`) and the labels of data and ontology terms. Views build page
contexts from it; templates (with autoescaping) turn them into HTML.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from clustergraph.site.graph_index import GraphIndex, iri_to_path
from clustergraph.site.links import LinkStyle
from clustergraph.site.vocab import BASE, CG, DCT, GEO, PROPERTY_LABELS, RDF_TYPE, SCHEMA, SKOS, XSD
from clustergraph.vocab import PREFIXES

__all__ = ["Citations", "Presenter"]

RDF_SUBJECT, RDF_PREDICATE, RDF_OBJECT = (RDF_TYPE.replace("type", name) for name in ("subject", "predicate", "object"))


@dataclass
class Citations:
    """The sources cited on one page, numbered in the order they are first cited."""

    presenter: Presenter
    here: str
    numbers: dict[str, int] = field(default_factory=dict)  # source IRI -> its number, in citing order

    def cite(self, sources: Iterable[str], words: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Footnote marks for these source IRIs: [{"n": 1, "anchor": "source-1", "title": ...}];
        a source's `words` for the claim, when given, follow its title (shown on hover)."""
        marks = []
        for s in sorted(set(sources), key=lambda s: (self.presenter.idx.label(s).lower(), s)):
            n = self.numbers.setdefault(s, len(self.numbers) + 1)
            title = self.presenter.idx.label(s)
            if words and words.get(s):
                title += f": {words[s]}"
            marks.append({"n": n, "anchor": f"source-{n}", "title": title})
        return marks

    def of(self, subject: str) -> list[dict[str, Any]]:
        """Footnote marks for the dcterms:source of `subject`, with the words its citations give."""
        return self.cite(self.presenter.idx.iris(subject, DCT + "source"), self.words(subject))

    def of_claim(self, subject: str, prop: str, obj: str) -> list[dict[str, Any]]:
        """Footnote marks for the sources of one direct claim (the `cg:Statement` of subject, prop,
        obj), with their words; none when the claim has no statement."""
        idx = self.presenter.idx
        marks = []
        for statement in idx.referrers(subject, RDF_SUBJECT):
            if idx.iris(statement, RDF_PREDICATE) == [prop] and idx.iris(statement, RDF_OBJECT) == [obj]:
                marks += self.of(statement)
        return marks

    def words(self, claim: str) -> dict[str, str]:
        """Source IRI → the words a claim's citations give for it: “cited text” [gloss], or the
        note saying no copy we can read shows them."""
        idx = self.presenter.idx
        found: dict[str, str] = {}
        for citation in idx.values(claim, CG + "citation"):
            key = citation.value if isinstance(citation, ox.NamedNode) else citation
            for source in idx.iris(key, DCT + "source"):
                text = idx.literal(key, CG + "citedText")
                gloss = idx.literal(key, CG + "gloss")
                note = idx.literal(key, SKOS + "note")
                shown = f"“{text}”" + (f" [{gloss}]" if gloss else "") if text else (note or "")
                found[source] = shown
        return found

    def entries(self) -> list[dict[str, Any]]:
        """The numbered list of sources for the bottom of the page, with their addresses."""
        idx = self.presenter.idx
        out = []
        for s, n in self.numbers.items():
            urls = sorted(u.value for u in idx.values(s, SCHEMA + "url"))
            out.append({"n": n, "anchor": f"source-{n}", "link": self.presenter.link(s, self.here),
                        "urls": urls, "publisher": [self.presenter.link(p, self.here)
                                                    for p in idx.iris(s, DCT + "publisher")],
                        "issued": idx.literal(s, DCT + "issued")})
        return out


class Presenter:
    """Links, labels and values of one graph, for pages written in one link style."""

    def __init__(self, idx: GraphIndex, ontology: GraphIndex, links: LinkStyle, pages: set[str],
                 onto_terms: set[str]) -> None:
        self.idx = idx
        self.onto = ontology
        self.links = links
        self.pages = pages
        self.onto_terms = onto_terms

    # -- links -----------------------------------------------------------------------------------

    def has_page(self, iri: str) -> bool:
        """True when `iri` has a page here (an ontology term: when the ontology defines it)."""
        where = iri_to_path(iri)
        if where is None:
            return False
        path, fragment = where
        if path == "ontology":
            return not fragment or fragment in self.onto_terms
        return path in self.pages

    def href(self, iri: str, here: str) -> str | None:
        """Where a link to `iri` goes from the page in folder `here`; None for no link."""
        where = iri_to_path(iri)
        if where is not None and self.has_page(iri):
            return self.links.page(here, where[0], where[1])
        if iri.startswith(("http://", "https://")) and not iri.startswith(BASE):
            return iri
        return None

    def page_href(self, here: str, there: str, fragment: str = "") -> str:
        """The link from the page in folder `here` to the page in folder `there`."""
        return self.links.page(here, there, fragment)

    def link(self, iri: str, here: str, text: str | None = None) -> dict[str, Any]:
        """A link to `iri`, labelled: {"text", "href" (None: no page), "title", "external"}."""
        target = self.href(iri, here)
        return {"text": text if text is not None else self.label(iri), "href": target, "title": iri,
                "external": target == iri}

    def links_to(self, iris: Iterable[str], here: str) -> list[dict[str, Any]]:
        """Links (see `link`) to each of `iris` once, sorted by label."""
        return [self.link(i, here) for i in sorted(set(iris), key=lambda i: (self.label(i).lower(), i))]

    def label(self, iri: str) -> str:
        """The label of `iri`: from the data, the ontology or our property names, else
        `prefix:local`, else the IRI itself."""
        if iri in self.idx.labels:
            return self.idx.labels[iri]
        if iri in self.onto.labels:
            return self.onto.labels[iri]
        if iri in PROPERTY_LABELS:
            return PROPERTY_LABELS[iri]
        if iri.startswith(BASE) and self.has_page(iri):
            return self.idx.label(iri)
        for prefix, ns in PREFIXES.items():
            if iri.startswith(ns) and len(iri) > len(ns) and prefix != "cgid":
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    # -- values ----------------------------------------------------------------------------------

    def value(self, term: Any, here: str, depth: int = 0) -> dict[str, Any]:
        """One RDF term as template data: a link, a nested table (blank node) or a literal."""
        if isinstance(term, ox.NamedNode):
            return {"kind": "link", **self.link(term.value, here)}
        if isinstance(term, ox.BlankNode):
            if depth > 3:
                return {"kind": "literal", "text": "…", "meta": "", "code": False, "url": None}
            return {"kind": "table", "rows": self.table(self.idx.out.get(term, []), here, depth + 1)}
        meta = ""
        if term.language and term.language != "en":
            meta = term.language
        elif not term.language and term.datatype.value != XSD + "string":
            meta = self.label(term.datatype.value)
        url = term.value if term.value.startswith(("http://", "https://")) and " " not in term.value else None
        return {"kind": "literal", "text": term.value, "meta": meta,
                "code": term.datatype.value == GEO + "wktLiteral", "url": url}

    def table(self, pairs: Sequence[tuple[str, Any]], here: str, depth: int = 0,
              skip: Iterable[str] = ()) -> list[dict[str, Any]]:
        """Statements grouped by property: [{"property": link, "values": [value, ...]}]."""
        grouped: dict[str, list[Any]] = defaultdict(list)
        skipped = set(skip)
        for p, o in pairs:
            if p not in skipped:
                grouped[p].append(o)
        return [{"property": self.link(p, here), "values": [self.value(o, here, depth) for o in grouped[p]]}
                for p in sorted(grouped, key=lambda p: (p != RDF_TYPE, self.label(p).lower(), p))]

    def referenced_by(self, iri: str, here: str, skip: Iterable[str] = (), limit: int = 200) -> list[dict[str, Any]]:
        """What points at `iri`, grouped by property: [{"property", "subjects", "more"}]."""
        rows: dict[str, list[str]] = defaultdict(list)
        skipped = set(skip)
        for s, p in self.idx.incoming.get(iri, []):
            if p not in skipped:
                rows[p].append(s)
        out = []
        for p in sorted(rows, key=lambda p: (self.label(p).lower(), p)):
            subjects = sorted(set(rows[p]), key=lambda s: (self.idx.label(s).lower(), s))
            out.append({"property": self.link(p, here), "subjects": [self.link(s, here) for s in subjects[:limit]],
                        "more": max(0, len(subjects) - limit)})
        return out
