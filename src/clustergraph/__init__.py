"""clustergraph: an open, sourced knowledge graph of industrial clusters in the energy transition.

The public API is importable from here; each name is loaded from its module on first use, so
`import clustergraph` stays cheap::

    import clustergraph as cg
    graph = cg.load_graph()              # the shipped ontology and data, merged
    report = cg.validate()               # a ValidationReport
    print(report.conforms, report.count_by_severity())
"""

from __future__ import annotations

import importlib
from typing import Any

from clustergraph.version import __version__

#: public name -> module that defines it
_API: dict[str, str] = {
    "load_graph": "clustergraph.load",
    "load_files": "clustergraph.load",
    "GraphSources": "clustergraph.load",
    "validate": "clustergraph.validation",
    "ValidationReport": "clustergraph.validation",
    "ValidationResult": "clustergraph.validation",
    "graph_info": "clustergraph.info",
    "ClustergraphError": "clustergraph.errors",
    "InputError": "clustergraph.errors",
    "RDFSyntaxError": "clustergraph.errors",
    "ParameterError": "clustergraph.errors",
    "QueryError": "clustergraph.errors",
    "UnsafeQueryError": "clustergraph.errors",
    "EndpointError": "clustergraph.errors",
    "Session": "clustergraph.engine",
    "run_query": "clustergraph.engine",
    "run_sparql": "clustergraph.engine",
    "load_catalogue": "clustergraph.queries",
    "Catalogue": "clustergraph.queries",
    "StoredQuery": "clustergraph.queries",
    "Parameter": "clustergraph.queries",
    "Rows": "clustergraph.results",
    "Triples": "clustergraph.results",
    "RemoteEndpoint": "clustergraph.remote",
    "build_export_graph": "clustergraph.export",
    "ExportGraph": "clustergraph.export",
    "export": "clustergraph.export",
    "export_all": "clustergraph.export",
    "describe_dataset": "clustergraph.dataset",
    "publish": "clustergraph.publish",
    "build_site": "clustergraph.site",
}

__all__ = ["__version__", *sorted(_API)]


def __getattr__(name: str) -> Any:
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'clustergraph' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
