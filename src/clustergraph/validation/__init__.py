"""Validate the graph: the data against the SHACL shapes, the shapes against SHACL-for-SHACL,
and every stored query for syntax.

    >>> import clustergraph as cg
    >>> report = cg.validate()                                  # the shipped graph
    >>> report = cg.validate(["my-cluster.ttl"], with_shipped_data=True)
    >>> report.conforms, report.count_by_severity()
    (True, {'Violation': 0, 'Warning': 1, 'Info': 0})
    >>> for r in report.results: print(r.location, r.focus_label, r.path, r.message)

The data graph is the ontology merged with the data (so `sh:targetClass` follows the
ontology's `rdfs:subClassOf`), without further inference unless asked (`inference="rdfs"` or
`"owlrl"`, which pySHACL carries out). Validation runs on Oxigraph with `clustergraph.shacl`;
shapes using a feature it does not implement, and any inference, go to pySHACL instead
(`engine="pyshacl"` forces it). Conformance is computed from severities: with
`fail_on="violation"` (the default) only violations fail; with `fail_on="warning"` warnings do too;
infos never do.
"""

from clustergraph.validation.model import (
    INFERENCE,
    SEVERITIES,
    ValidationReport,
    ValidationResult,
)
from clustergraph.validation.run import check_queries, data_sources, shacl_shacl_file, validate

__all__ = [
    "INFERENCE",
    "SEVERITIES",
    "ValidationReport",
    "ValidationResult",
    "check_queries",
    "data_sources",
    "shacl_shacl_file",
    "validate",
]
