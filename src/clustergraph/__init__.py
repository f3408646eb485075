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

from clustergraph import deprecated
from clustergraph.version import __version__

#: public name -> module that defines it. `diff`, `export` and `publish` are modules you can
#: call (`cg.diff(...)` runs `clustergraph.diff.diff`), so the name means the same thing however
#: it was imported.
_API: dict[str, str] = {
    "load_graph": "clustergraph.files.load",
    "load_files": "clustergraph.files.load",
    "GraphSources": "clustergraph.files.load",
    "validate": "clustergraph.validation",
    "validate_changed_since": "clustergraph.validation.incremental",
    "validate_endpoint": "clustergraph.validation.endpoint",
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
    "Session": "clustergraph.query.session",
    "run_query": "clustergraph.query.session",
    "run_sparql": "clustergraph.query.session",
    "load_catalogue": "clustergraph.query.catalogue",
    "Catalogue": "clustergraph.query.catalogue",
    "StoredQuery": "clustergraph.query.catalogue",
    "Parameter": "clustergraph.query.catalogue",
    "Rows": "clustergraph.query.results",
    "Triples": "clustergraph.query.results",
    "RemoteEndpoint": "clustergraph.query.remote",
    "build_export_graph": "clustergraph.export",
    "ExportGraph": "clustergraph.export",
    "export_all": "clustergraph.export",
    "describe_dataset": "clustergraph.export.description",
    "build_site": "clustergraph.site",
    "create_app": "clustergraph.serve",
    "ServeSettings": "clustergraph.serve",
}
#: public names that are callable modules
_MODULES = ("diff", "export", "publish")

__all__ = ["__version__", *sorted([*_API, *_MODULES])]

deprecated.install()


def __getattr__(name: str) -> Any:
    if name in _MODULES:
        return importlib.import_module(f"clustergraph.{name}")
    module = _API.get(name)
    if module is None:
        raise AttributeError(f"module 'clustergraph' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return __all__
