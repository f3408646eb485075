"""What validation returns: `ValidationResult` (one problem, in words and places) and
`ValidationReport` (conformance, counts, results and the standard SHACL report graph)."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

import pyoxigraph

from clustergraph.validation.index import TripleIndex
from clustergraph.vocab import SH

if TYPE_CHECKING:
    from collections.abc import Callable

    import rdflib

__all__ = [
    "CHECK",
    "ENGINES",
    "INFERENCE",
    "SEVERITIES",
    "SH",
    "ValidationReport",
    "ValidationResult",
]

#: Severities from most to least severe (the local names of sh:Violation, sh:Warning, sh:Info).
SEVERITIES = ("Violation", "Warning", "Info")
INFERENCE = ("none", "rdfs", "owlrl")
ENGINES = ("auto", "oxigraph", "pyshacl")

CHECK = "https://w3id.org/clustergraph/check#"

STANDARD_PREFIXES = {
    "sh": SH,
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "cgcheck": CHECK,
    "cg": "https://w3id.org/clustergraph/ontology#",
    "cgid": "https://w3id.org/clustergraph/id/",
}


@dataclass(frozen=True)
class ValidationResult:
    """One problem found, in words and places a contributor can act on."""

    severity: str
    """'Violation', 'Warning' or 'Info'."""
    focus_node: str
    """The resource with the problem: its IRI, `_:id` for a blank node, or a literal in Turtle
    syntax (`"01"^^xsd:int`) for a literal focus node."""
    message: str
    focus_label: str | None = None
    """The resource's label (skos:prefLabel, rdfs:label, …), if it has one."""
    path: str | None = None
    """The property path, prefixed as in the files (`cg:country`), or None for a node check."""
    value: str | None = None
    """The offending value in Turtle syntax, or None (for example for a missing value)."""
    component: str = ""
    """The SHACL constraint component, prefixed (`sh:MinCountConstraintComponent`)."""
    source_shape: str = ""
    """The shape that found the problem: its prefixed IRI, or a description of a blank node."""
    file: str | None = None
    """The file where the resource is defined (relative to the current folder when under it)."""
    line: int | None = None
    """The line of its first statement there."""
    column: int | None = None
    """The column, for syntax errors in stored queries."""
    check: str = "data"
    """What was checked: 'data', 'shapes' (SHACL-for-SHACL) or 'query' (stored query syntax)."""
    owner: str | None = None
    """For a blank-node focus: the named resource it hangs from."""

    @property
    def location(self) -> str | None:
        """`file:line` (or just the file) where to fix it, if known."""
        if self.file is None:
            return None
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def to_dict(self) -> dict[str, Any]:
        """The fields as a dict (what `--format json` writes for a result)."""
        return {name: getattr(self, name) for name in _RESULT_FIELDS}


_RESULT_FIELDS = tuple(f.name for f in fields(ValidationResult))


@dataclass
class ValidationReport:
    """The outcome of `validate`: conformance, counts per severity, the results, and the
    standard SHACL validation report (as Turtle, or as an rdflib Graph)."""

    results: list[ValidationResult]
    fail_on: str = "violation"
    inference: str = "none"
    engine: str = "oxigraph"
    files: list[str] = field(default_factory=list)
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)
    """Things worth saying that are not results, e.g. a data file that holds no triples."""
    _report_store: Any = field(default=None, repr=False)
    _report_builder: Callable[[], Any] | None = field(default=None, repr=False)
    """Makes the report graph when it is first asked for (most runs never need it)."""
    _prefixes: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def conforms(self) -> bool:
        """True when no result is at least as severe as `fail_on`."""
        failing = SEVERITIES[: SEVERITIES.index(self.fail_on.capitalize()) + 1]
        return not any(r.severity in failing for r in self.results)

    def count_by_severity(self) -> dict[str, int]:
        """How many results of each severity, most severe first (every severity present)."""
        counts = dict.fromkeys(SEVERITIES, 0)
        for r in self.results:
            counts[r.severity] = counts.get(r.severity, 0) + 1
        return counts

    @property
    def exit_code(self) -> int:
        """0 when the graph conforms, 1 when it does not (what the command line returns)."""
        return 0 if self.conforms else 1

    def to_turtle(self) -> str:
        """The W3C SHACL validation report graph, in Turtle (`sh:conforms` follows `fail_on`)."""
        if self._report_store is None:
            builder = self._report_builder
            self._report_store = builder() if builder is not None else TripleIndex()
        store = self._report_store
        self._set_conforms(store)
        prefixes = {**STANDARD_PREFIXES, **self._prefixes}
        data = pyoxigraph.serialize(
            (q.triple for q in store), format=pyoxigraph.RdfFormat.TURTLE, prefixes=prefixes
        )
        return (data or b"").decode("utf-8")

    @property
    def graph(self) -> rdflib.Graph:
        """The SHACL validation report as an rdflib Graph."""
        from rdflib import Graph  # rdflib: ~0.12 s to import (python -X importtime): only here

        return Graph().parse(data=self.to_turtle(), format="turtle")

    def _set_conforms(self, store: Any) -> None:
        report_type = pyoxigraph.NamedNode(SH + "ValidationReport")
        conforms_p = pyoxigraph.NamedNode(SH + "conforms")
        for q in list(store.quads_for_pattern(None, rdf_type(), report_type, None)):
            for old in list(store.quads_for_pattern(q.subject, conforms_p, None, None)):
                store.remove(old)
            store.add(pyoxigraph.Quad(q.subject, conforms_p, pyoxigraph.Literal(self.conforms)))

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data: verdict, settings, counts, files, warnings and results
        (what `--format json` writes)."""
        return {
            "conforms": self.conforms,
            "fail_on": self.fail_on,
            "inference": self.inference,
            "engine": self.engine,
            "counts": self.count_by_severity(),
            "files": list(self.files),
            "warnings": list(self.warnings),
            "results": [r.to_dict() for r in self.results],
        }

    def __str__(self) -> str:
        counts = ", ".join(
            f"{n} {k.lower()}{'s' if n != 1 else ''}" for k, n in self.count_by_severity().items()
        )
        return f"{'conforms' if self.conforms else 'does not conform'} ({counts})"


def rdf_type() -> pyoxigraph.NamedNode:
    """`rdf:type`, as an Oxigraph term."""
    return pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
