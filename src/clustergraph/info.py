"""What the graph holds: triples, resources per class, sources, ontology version."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from clustergraph.files.load import GraphSources, load_store

__all__ = ["ClassCount", "GraphInfo", "graph_info"]

_CG = "https://w3id.org/clustergraph/ontology#"


@dataclass(frozen=True)
class ClassCount:
    """How many resources have a class (directly, by rdf:type) in the data."""

    iri: str
    label: str | None
    count: int


@dataclass
class GraphInfo:
    """A summary of a graph, for `clustergraph info` or a notebook."""

    triples: int
    data_triples: int
    files: list[str]
    classes: list[ClassCount] = field(default_factory=list)
    sources: int = 0
    ontology_version: str | None = None
    ontology_iri: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain dicts and lists (for JSON), classes included."""
        return asdict(self)

    def table(self) -> str:
        """A plain-text table."""
        rows = [
            ("triples (ontology + data)", str(self.triples)),
            ("triples in the data", str(self.data_triples)),
            ("data files", str(len(self.files))),
            ("source documents", str(self.sources)),
            ("ontology version", self.ontology_version or "(none)"),
        ]
        width = max(len(k) for k, _ in rows)
        out = [f"{k:<{width}}  {v}" for k, v in rows]
        if self.classes:
            names = [_short(c.iri) for c in self.classes]
            cw = max(len("class"), *(len(n) for n in names))
            lw = max(len("label"), *(len(c.label or "") for c in self.classes))
            out += [
                "",
                f"{'class':<{cw}}  {'label':<{lw}}  {'resources':>9}",
                f"{'-' * cw}  {'-' * lw}  {'-' * 9}",
            ]
            out += [
                f"{n:<{cw}}  {(c.label or ''):<{lw}}  {c.count:>9}"
                for n, c in zip(names, self.classes)
            ]
        return "\n".join(out) + "\n"


def _short(iri: str) -> str:
    for prefix, ns in (
        ("cg", _CG),
        ("skos", "http://www.w3.org/2004/02/skos/core#"),
        ("owl", "http://www.w3.org/2002/07/owl#"),
        ("dcat", "http://www.w3.org/ns/dcat#"),
        ("void", "http://rdfs.org/ns/void#"),
        ("geo", "http://www.opengis.net/ont/geosparql#"),
        ("org", "http://www.w3.org/ns/org#"),
        ("schema", "https://schema.org/"),
        ("prov", "http://www.w3.org/ns/prov#"),
        ("foaf", "http://xmlns.com/foaf/0.1/"),
    ):
        if iri.startswith(ns):
            return f"{prefix}:{iri[len(ns) :]}"
    return f"<{iri}>"


def _select(store: Any, query: str) -> Any:
    """The rows of a SELECT query (typed loosely: pyoxigraph's result type depends on the form)."""
    return store.query(query)


def graph_info(
    data: GraphSources | Sequence[Path | str] | None = None,
    *,
    ontology: Path | str | None = None,
    with_shipped_data: bool = False,
) -> GraphInfo:
    """Count what the graph holds (the shipped data by default, or the given files).

    `data`: `GraphSources`, or data files and folders; `with_shipped_data` adds the shipped data
    to the given files; `ontology` replaces the shipped ontology. Returns a `GraphInfo`.

    >>> info = graph_info()
    >>> info.ontology_iri
    'https://w3id.org/clustergraph/ontology'
    >>> info.triples > info.data_triples > 0, info.classes[0].count >= info.classes[-1].count
    (True, True)
    >>> print(info.table())  # doctest: +ELLIPSIS
    triples (ontology + data)  ...
    triples in the data        ...
    ...
    """
    sources = GraphSources.of(data, ontology=ontology, with_shipped_data=with_shipped_data)
    data_files, ontology_path = list(sources.data), sources.ontology
    data_store = load_store(data_files)
    ontology_store = load_store([ontology_path])
    labels: dict[str, str] = {}
    for row in _select(
        ontology_store,
        "SELECT ?c ?l WHERE { ?c <http://www.w3.org/2000/01/rdf-schema#label>|<http://www.w3.org/2004/02/skos/core#prefLabel> ?l "
        "FILTER(LANG(?l) = '' || LANGMATCHES(LANG(?l), 'en')) }",
    ):
        labels.setdefault(row["c"].value, row["l"].value)
    classes = [
        ClassCount(row["c"].value, labels.get(row["c"].value) or class_label(row["c"].value),
                   int(row["n"].value))
        for row in _select(
            data_store,
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } GROUP BY ?c ORDER BY DESC(?n) ?c",
        )
    ]
    version = iri = None
    for row in _select(
        ontology_store,
        "SELECT ?o ?v WHERE { ?o a <http://www.w3.org/2002/07/owl#Ontology> "
        "OPTIONAL { ?o <http://www.w3.org/2002/07/owl#versionInfo> ?v } } LIMIT 1",
    ):
        iri = row["o"].value
        version = row["v"].value if row["v"] is not None else None
    sources = (
        next(c.count for c in classes if c.iri == _CG + "SourceDocument")
        if any(c.iri == _CG + "SourceDocument" for c in classes)
        else 0
    )
    return GraphInfo(
        triples=len(data_store) + len(ontology_store),
        data_triples=len(data_store),
        files=[str(p) for p in data_files],
        classes=classes,
        sources=sources,
        ontology_version=version,
        ontology_iri=iri,
    )


#: Labels of the reused vocabularies' classes (as SKOS, GeoSPARQL, ORG and PROV label them, in
#: our lower-case style), for classes our ontology uses without labelling them itself.
REUSED_CLASS_LABELS = {
    "http://www.w3.org/2004/02/skos/core#Concept": "concept",
    "http://www.w3.org/2004/02/skos/core#ConceptScheme": "concept scheme",
    "http://www.w3.org/2004/02/skos/core#Collection": "collection",
    "http://www.opengis.net/ont/geosparql#Geometry": "geometry",
    "http://www.opengis.net/ont/geosparql#Feature": "feature",
    "http://www.w3.org/ns/org#OrganizationalUnit": "organizational unit",
    "http://www.w3.org/ns/org#Organization": "organization",
    "http://www.w3.org/ns/org#FormalOrganization": "formal organization",
    "http://www.w3.org/ns/org#Membership": "membership",
    "http://www.w3.org/ns/org#Post": "post",
    "http://www.w3.org/ns/prov#Entity": "entity",
    "http://www.w3.org/ns/prov#Activity": "activity",
    "http://www.w3.org/ns/prov#Agent": "agent",
}


def class_label(iri: str) -> str:
    """A label for a class the ontology does not label: the reused vocabulary's, else its
    name in words (`…#OrganizationalUnit` -> "organizational unit").

    >>> class_label("http://www.w3.org/2004/02/skos/core#Concept"), class_label("https://example.org/ns#PowerPlant")
    ('concept', 'power plant')
    """
    if iri in REUSED_CLASS_LABELS:
        return REUSED_CLASS_LABELS[iri]
    name = re.split(r"[#/]", iri.rstrip("/#"))[-1]
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").lower()
