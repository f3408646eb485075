"""A SHACL validator on Oxigraph (`Engine`), for speed; pySHACL stays the reference.

See `clustergraph.shacl.engine` for what it supports.
"""

from clustergraph.shacl.engine import Engine
from clustergraph.shacl.terms import RDF, RDFS, SH, XSD, RawResult, Unsupported

__all__ = ["RDF", "RDFS", "SH", "XSD", "Engine", "RawResult", "Unsupported"]
