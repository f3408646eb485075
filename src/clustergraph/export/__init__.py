"""Exporting the graph: build it once, then write it deterministically in every format.

`build_export_graph()` *builds* the graph to export (the chosen parts, merged, blank nodes given
content-derived labels, triples sorted) and never writes; thin functions *write* it in each
format. Every writer starts from the same sorted canonical N-Triples lines, so two runs give
byte-identical files whatever the hash seed, and a release diff shows only what changed:

    from clustergraph.export import build_export_graph, write_export
    graph = build_export_graph(include=("ontology", "data"))
    write_export(graph, "turtle", "out/clustergraph.ttl")

Formats: Turtle, N-Triples, N-Quads and TriG (each part in its own named graph
`https://w3id.org/clustergraph/graph/{part}`), JSON-LD compacted against the shipped context
`ontology/context.jsonld` and embedding it (readable offline), RDF/XML, and CSV/TSV tables with
one row per industrial cluster.
The RDF serialisers are Oxigraph's, fed with sorted triples; JSON-LD and the tables are ours.

The package: `formats` (names, suffixes, parts), `canonical` (N-Triples lines and blank nodes),
`graph` (the export graph), `rdf`, `jsonld` and `table` (the writers), `write` (the functions
that write files). Every public name is importable from `clustergraph.export`.
"""

from __future__ import annotations

import sys
import types
from typing import Any

from clustergraph.export.canonical import canonical_lines, canonical_ntriples
from clustergraph.export.formats import (
    DEFAULT_PARTS,
    FORMATS,
    GENID_NS,
    GRAPH_NS,
    PARTS,
    ExportFormat,
    parse_formats,
)
from clustergraph.export.graph import ExportGraph, build_export_graph
from clustergraph.export.jsonld import (
    build_context,
    jsonld_document_loader,
    load_context,
    write_context,
)
from clustergraph.export.resource import resource_triples, serialize_triples
from clustergraph.export.table import CSV_COLUMNS, WKT_POINT, cluster_table
from clustergraph.export.write import (
    ExportResult,
    export,
    export_all,
    iter_serialized,
    serialize,
    write_export,
)
from clustergraph.vocab import CONTEXT_IRI

__all__ = [
    "FORMATS",
    "PARTS",
    "DEFAULT_PARTS",
    "CONTEXT_IRI",
    "GRAPH_NS",
    "GENID_NS",
    "ExportFormat",
    "ExportGraph",
    "ExportResult",
    "build_export_graph",
    "canonical_lines",
    "canonical_ntriples",
    "serialize",
    "iter_serialized",
    "write_export",
    "export",
    "export_all",
    "cluster_table",
    "CSV_COLUMNS",
    "WKT_POINT",
    "build_context",
    "load_context",
    "write_context",
    "jsonld_document_loader",
    "resource_triples",
    "serialize_triples",
    "parse_formats",
]


class _CallableModule(types.ModuleType):
    """This module, callable: `clustergraph.export(...)` runs `export(...)` defined here."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return export(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
