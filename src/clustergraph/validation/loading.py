"""Load the graphs a validation needs, and look at the shapes before anything runs.

Oxigraph's store normalises typed literals (`"01"^^xsd:int` becomes `"1"^^xsd:integer`,
`"4.0"^^xsd:decimal` becomes `"4"`), while its parser yields them as written. SHACL checks
and reports the data's own terms, so the loader keeps the literals of the datatypes the store
rewrites, as parsed, per (subject, predicate): `LexicalForms`, which the engine consults.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from clustergraph.errors import InputError
from clustergraph.load import parse_file
from clustergraph.shacl.sparql_text import network_forms
from clustergraph.xsd import XSD

if TYPE_CHECKING:
    import pyoxigraph

__all__ = [
    "LexicalForms",
    "LoadedGraph",
    "load_graph_store",
    "may_rewrite",
    "refuse_network_sparql",
    "stored_form",
]

SH = "http://www.w3.org/ns/shacl#"
_XSD_STRING = XSD + "string"


def may_rewrite(datatype: str) -> bool:
    """True for a datatype whose literals the Oxigraph store may rewrite (every XSD datatype
    but xsd:string: numbers, booleans, dates and times get a canonical form, and an ill-formed
    `"300"^^xsd:byte` even becomes an xsd:integer)."""
    return datatype.startswith(XSD) and datatype != _XSD_STRING


@dataclass
class LexicalForms:
    """The data's literals of rewritten datatypes, as written, by (subject, predicate)."""

    by_subject_predicate: dict[tuple[Any, Any], list[Any]] = field(default_factory=dict)
    predicates: set[Any] = field(default_factory=set)

    def add(self, subject: Any, predicate: Any, literal: Any) -> None:
        self.predicates.add(predicate)
        written = self.by_subject_predicate.setdefault((subject, predicate), [])
        if literal not in written:  # a triple given twice is one triple
            written.append(literal)

    def get(self, subject: Any, predicate: Any) -> list[Any] | None:
        return self.by_subject_predicate.get((subject, predicate))

    def covers(self, predicate: Any) -> bool:
        """False when no literal of `predicate` was kept: the store's objects are as written."""
        return predicate in self.predicates

    def original(self, subject: Any, predicate: Any, stored: Any) -> Any:
        """The literal as written for a stored (possibly rewritten) one, when it is unambiguous."""
        import pyoxigraph

        written = self.get(subject, predicate)
        if not written or not isinstance(stored, pyoxigraph.Literal):
            return stored
        if stored in written:
            return stored
        matching = [w for w in written if stored_form(w) == stored]
        return matching[0] if len(matching) == 1 else stored

    @staticmethod
    def rewritten(term: Any) -> bool:
        """True for a literal whose datatype the store may rewrite."""
        import pyoxigraph

        return isinstance(term, pyoxigraph.Literal) and may_rewrite(term.datatype.value)


def stored_form(literal: Any) -> Any:
    """The literal as an Oxigraph store gives it back."""
    import pyoxigraph

    scratch = pyoxigraph.Store()
    node = pyoxigraph.NamedNode("urn:x-clustergraph:scratch")
    scratch.add(pyoxigraph.Quad(node, node, literal))
    return next(iter(scratch)).object


@dataclass
class LoadedGraph:
    """A store with the triples of some files, the files that held none, and the lexical forms."""

    store: pyoxigraph.Store
    empty_files: list[Path]
    lexical: LexicalForms


def load_graph_store(
    files: Iterable[Path], *, prefixes: dict[str, str] | None = None, keep_lexical: bool = True
) -> LoadedGraph:
    """Parse the files (through `clustergraph.load.parse_file`) into one store's default graph."""
    import pyoxigraph

    store = pyoxigraph.Store()
    lexical = LexicalForms()
    empty: list[Path] = []
    for path in files:
        counted = [0]
        store.bulk_extend(_triples(path, prefixes, lexical if keep_lexical else None, counted))
        if counted[0] == 0:
            empty.append(path)
    return LoadedGraph(store, empty, lexical)


def _triples(
    path: Path, prefixes: dict[str, str] | None, lexical: LexicalForms | None, counted: list[int]
) -> Iterator[pyoxigraph.Quad]:
    import pyoxigraph

    Quad = pyoxigraph.Quad
    n = 0
    for q in parse_file(path, prefixes=prefixes):
        n += 1
        o = q.object
        if lexical is not None and type(o) is pyoxigraph.Literal and may_rewrite(o.datatype.value):
            lexical.add(q.subject, q.predicate, o)
        yield Quad(q.subject, q.predicate, o)
    counted[0] = n


def refuse_network_sparql(shapes: pyoxigraph.Store, shapes_file: Path, name: Any) -> None:
    """Raise `InputError` when any SPARQL in the shapes (a constraint's or target's sh:select,
    a validator's sh:ask) holds SERVICE, LOAD or FROM: it could reach the network or other data."""
    import pyoxigraph

    for predicate in ("select", "ask"):
        for q in shapes.quads_for_pattern(None, pyoxigraph.NamedNode(SH + predicate), None, None):
            found = (
                network_forms(q.object.value) if isinstance(q.object, pyoxigraph.Literal) else []
            )
            if found:
                raise InputError(
                    f"{shapes_file}: the SPARQL of shape {name(_owner_shape(shapes, q.subject))} "
                    f"uses {', '.join(found)}, which could reach the network; refused, nothing was run"
                )


def _owner_shape(shapes: pyoxigraph.Store, node: Any) -> Any:
    """The named node a SPARQL constraint, target or validator hangs from (or the node itself)."""
    import pyoxigraph

    seen, frontier = {node}, [node]
    for _ in range(6):
        nxt = []
        for n in frontier:
            if isinstance(n, pyoxigraph.NamedNode):
                return n
            for q in shapes.quads_for_pattern(None, None, n, None):
                if q.subject not in seen:
                    seen.add(q.subject)
                    nxt.append(q.subject)
        frontier = nxt
    return node
