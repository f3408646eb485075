"""Export formats, the parts of the graph and the IRIs exports name (no heavy imports)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from clustergraph.errors import InputError

#: The IRI our JSON-LD documents name as their context; served by the site beside the ontology.
#: Named graphs of the parts in N-Quads and TriG: GRAPH_NS + part.
GRAPH_NS = "https://w3id.org/clustergraph/graph/"
#: Skolem IRIs (`skolemize=True`): GENID_NS + a hash of the blank node's content.
GENID_NS = "https://w3id.org/clustergraph/.well-known/genid/"

PARTS = ("ontology", "data", "shapes")
DEFAULT_PARTS = ("ontology", "data")


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name on the command line, file suffix and media type."""

    name: str
    suffix: str
    media_type: str
    label: str
    rdf: bool = True


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", ".ttl", "text/turtle", "Turtle"),
        ExportFormat("ntriples", ".nt", "application/n-triples", "N-Triples"),
        ExportFormat("nquads", ".nq", "application/n-quads", "N-Quads"),
        ExportFormat("trig", ".trig", "application/trig", "TriG"),
        ExportFormat("jsonld", ".jsonld", "application/ld+json", "JSON-LD"),
        ExportFormat("rdfxml", ".rdf", "application/rdf+xml", "RDF/XML"),
        ExportFormat("csv", ".csv", "text/csv", "CSV table of clusters", rdf=False),
        ExportFormat("tsv", ".tsv", "text/tab-separated-values", "TSV table of clusters", rdf=False),
    )
}


def parse_formats(values: Iterable[str]) -> list[str]:
    """Format names from values like "turtle", "csv,tsv" or "all", in FORMATS order, checked.

    >>> parse_formats(["tsv,csv", "turtle"])
    ['turtle', 'csv', 'tsv']
    """
    wanted: set[str] = set()
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name == "all":
                wanted.update(FORMATS)
            elif name in FORMATS:
                wanted.add(name)
            else:
                raise InputError(f"unknown export format {name!r} (known: {', '.join(FORMATS)}, all)")
    if not wanted:
        raise InputError("no export format given")
    return [name for name in FORMATS if name in wanted]


def parse_parts(include: Iterable[str] | str) -> tuple[str, ...]:
    """The parts named in `include` (a list or "data,ontology"), in PARTS order, checked.

    >>> parse_parts("data,ontology")
    ('ontology', 'data')
    """
    if isinstance(include, str):
        include = include.split(",")
    wanted = {p.strip().lower() for p in include if p.strip()}
    unknown = wanted - set(PARTS)
    if unknown:
        raise InputError(f"unknown part(s) {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
    if not wanted:
        raise InputError("nothing to export: include at least one of " + ", ".join(PARTS))
    return tuple(p for p in PARTS if p in wanted)
