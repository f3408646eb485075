"""Validate the graph: the data against the SHACL shapes, the shapes against SHACL-for-SHACL,
and every stored query for syntax.

    >>> import clustergraph as cg
    >>> cg.validate().conforms                                  # the shipped graph
    True
    >>> import tempfile
    >>> from pathlib import Path
    >>> scratch = tempfile.TemporaryDirectory()
    >>> mine = Path(scratch.name) / "my-cluster.ttl"
    >>> _ = mine.write_text('''@prefix cg: <https://w3id.org/clustergraph/ontology#> .
    ... @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
    ... <https://w3id.org/clustergraph/id/cluster/my-cluster> a cg:IndustrialCluster ;
    ...     skos:prefLabel "My cluster"@en .
    ... ''')
    >>> report = cg.validate([mine], with_shipped_data=True)   # a new file beside the shipped data
    >>> report.conforms
    False
    >>> for r in report.results:
    ...     if r.file == str(mine) and r.path == "cg:country":
    ...         print(r.severity, r.line, r.focus_label, r.path)
    Violation 3 My cluster cg:country
    >>> scratch.cleanup()

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
