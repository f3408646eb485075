"""Load the graphs a validation needs, and look at the shapes before anything runs.

Oxigraph's store normalises typed literals (`"01"^^xsd:int` becomes `"1"^^xsd:integer`,
`"4.0"^^xsd:decimal` becomes `"4"`), while its parser yields them as written. SHACL checks
and reports the data's own terms, so the loader keeps the literals of the datatypes the store
rewrites, as parsed, per (subject, predicate): `LexicalForms`, which the engine consults.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError, RDFSyntaxError
from clustergraph.files.load import parse_file, rdf_format_for, read_bytes
from clustergraph.sparql_check import QueryTooComplexError, check_sparql
from clustergraph.vocab import SH, XSD

__all__ = [
    "SPARQL_PREDICATES",
    "LexicalForms",
    "LoadedGraph",
    "Outgoing",
    "WrittenForms",
    "load_graph_store",
    "may_rewrite",
    "refuse_network_sparql",
    "stored_form",
]

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
        """Keep a literal as written, once, under its subject and predicate."""
        self.predicates.add(predicate)
        written = self.by_subject_predicate.setdefault((subject, predicate), [])
        if literal not in written:  # a triple given twice is one triple
            written.append(literal)

    def get(self, subject: Any, predicate: Any) -> list[Any] | None:
        """The literals kept for (subject, predicate), as written; None when none were."""
        return self.by_subject_predicate.get((subject, predicate))

    def covers(self, predicate: Any) -> bool:
        """False when no literal of `predicate` was kept: the store's objects are as written."""
        return predicate in self.predicates

    def original(self, subject: Any, predicate: Any, stored: Any) -> Any:
        """The literal as written for a stored (possibly rewritten) one, when it is unambiguous."""
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
        return isinstance(term, pyoxigraph.Literal) and may_rewrite(term.datatype.value)


class WrittenForms(LexicalForms):
    """`LexicalForms` read from an `Outgoing` index, which holds every term as written."""

    def __init__(self, outgoing: Outgoing) -> None:
        super().__init__()
        self._outgoing = outgoing

    def add(self, subject: Any, predicate: Any, literal: Any) -> None:
        """Refused: the forms are those of the index."""
        raise TypeError("WrittenForms are read from the index they were made from")

    def get(self, subject: Any, predicate: Any) -> list[Any] | None:
        """The objects of (subject, predicate) whose datatype the store may rewrite, as
        written; None when there are none."""
        objects = self._outgoing.get(subject, {}).get(predicate)
        if objects is None:
            return None
        found = [o for o in (objects if type(objects) is list else [objects]) if self.rewritten(o)]
        return found or None

    def covers(self, predicate: Any) -> bool:
        """True: the index holds every predicate's objects as written."""
        return True


def stored_form(literal: Any) -> Any:
    """The literal as an Oxigraph store gives it back."""
    scratch = pyoxigraph.Store()
    node = pyoxigraph.NamedNode("urn:x-clustergraph:scratch")
    scratch.add(pyoxigraph.Quad(node, node, literal))
    return next(iter(scratch)).object


#: Each subject's objects by predicate, terms as the files write them, each triple once: one
#: object as itself, several as a list (no term is a list; most pairs have one object, and a
#: container for each would cost a third of the memory).
Outgoing = dict[Any, dict[Any, Any]]


@dataclass
class LoadedGraph:
    """A store with the triples of some files, the files that held none, the lexical forms,
    and (when asked for) each subject's objects by predicate as written (`Outgoing`)."""

    store: pyoxigraph.Store
    empty_files: list[Path]
    lexical: LexicalForms
    outgoing: Outgoing | None = None


def load_graph_store(
    files: Iterable[Path],
    *,
    prefixes: dict[str, str] | None = None,
    keep_lexical: bool = True,
    keep_outgoing: bool = False,
) -> LoadedGraph:
    """Parse the files (through `clustergraph.files.load.parse_file`) into one store's default graph.

    `keep_outgoing`: also index the triples by subject and predicate, in Python, for an engine
    that reads every node's values (a look-up there is many times cheaper than in the store)."""
    store = pyoxigraph.Store()
    lexical = LexicalForms()
    outgoing: Outgoing | None = {} if keep_outgoing else None
    kept = lexical if keep_lexical and outgoing is None else None  # the index holds them too
    #: what `_load_beside` may hand to the store's own loader
    native_formats = (pyoxigraph.RdfFormat.N_TRIPLES, pyoxigraph.RdfFormat.TURTLE)
    empty: list[Path] = []
    for path in files:
        counted = [0]
        content = None
        fmt = rdf_format_for(path)  # worked out once, here, for every way the file is read
        if outgoing is not None and fmt in native_formats:
            content = read_bytes(path)  # read once, for whichever way loads it
        if content is None or not _load_beside(
            store, path, fmt, content, prefixes, kept, outgoing, counted
        ):
            store.bulk_extend(_triples(path, prefixes, kept, outgoing, counted, content, fmt=fmt))
        if counted[0] == 0:
            empty.append(path)
    if outgoing is not None and keep_lexical:
        lexical = WrittenForms(outgoing)
    return LoadedGraph(store, empty, lexical, outgoing)


def _load_beside(
    store: pyoxigraph.Store,
    path: Path,
    fmt: pyoxigraph.RdfFormat,
    content: bytes,
    prefixes: dict[str, str] | None,
    lexical: LexicalForms | None,
    outgoing: Outgoing,
    counted: list[int],
) -> bool:
    """Load an N-Triples or Turtle file (its `content`) without blank nodes into the store
    natively, on a second thread, while this one parses it again for the index; False when it
    may hold blank nodes, and the caller loads it through Python (a blank node parsed twice
    gets two names)."""
    if b"_:" in content or (
        fmt == pyoxigraph.RdfFormat.TURTLE and (b"[" in content or b"(" in content)
    ):
        return False
    failed: list[BaseException] = []

    def load_natively() -> None:
        try:
            store.bulk_load(content, format=fmt, base_iri=path.resolve().as_uri())
        except (SyntaxError, ValueError, OSError, MemoryError) as exc:
            failed.append(exc)

    thread = threading.Thread(target=load_natively, name="clustergraph-load", daemon=True)
    thread.start()
    try:
        for _ in _triples(path, prefixes, lexical, outgoing, counted, content, fmt=fmt,
                          to_store=False):
            pass  # nothing comes: the triples only go into the index
    finally:
        thread.join()
    if failed:  # the same parser accepted the file here: not expected
        raise RDFSyntaxError(path, None, None, f"the store could not load it: {failed[0]}")
    return True


def _triples(
    path: Path,
    prefixes: dict[str, str] | None,
    lexical: LexicalForms | None,
    outgoing: Outgoing | None,
    counted: list[int],
    content: bytes | None = None,
    *,
    fmt: pyoxigraph.RdfFormat | None = None,
    to_store: bool = True,
) -> Iterator[pyoxigraph.Quad]:
    Quad, Literal, NamedNode = pyoxigraph.Quad, pyoxigraph.Literal, pyoxigraph.NamedNode
    same: dict[Any, Any] = {}  # one Python object per IRI the index keeps (most repeat)
    n = 0
    for q in parse_file(path, prefixes=prefixes, content=content, fmt=fmt):
        n += 1
        s, p, o = q.subject, q.predicate, q.object
        if lexical is not None and type(o) is Literal and may_rewrite(o.datatype.value):
            lexical.add(s, p, o)
        if outgoing is not None:
            p = same.setdefault(p, p)
            if type(o) is NamedNode:
                o = same.setdefault(o, o)
            by_predicate = outgoing.get(s)
            if by_predicate is None:
                outgoing[s] = {p: o}
            else:
                known = by_predicate.get(p)
                if known is None:
                    by_predicate[p] = o
                elif type(known) is list:
                    if o not in known:
                        known.append(o)
                elif known != o:
                    by_predicate[p] = [known, o]
        if to_store:
            yield Quad(s, p, o)
    counted[0] = n


#: The predicates whose literal is SPARQL that an engine may run (constraints, targets,
#: validators, SHACL-AF rules, functions and update executables).
SPARQL_PREDICATES = ("select", "ask", "construct", "update")
#: What a namespace (sh:namespace) may not hold: it is written between < > in a PREFIX line.
_NOT_IN_IRI = re.compile(r"""[<>"{}|^`\\\x00-\x20]""")


def refuse_network_sparql(shapes: pyoxigraph.Store, shapes_file: Path, name: Any) -> None:
    """Raise `InputError` when any SPARQL in the shapes (sh:select, sh:ask, sh:construct,
    sh:update) fails the check of every query we run (`clustergraph.sparql_check`): SERVICE in
    any spelling, LOAD and the other updates, nesting or operators beyond the limits; or when a
    sh:namespace could not be written as an IRI (it is spliced into the query's PREFIX lines).
    FROM and FROM NAMED pass: no engine fetches anything for them (see
    `clustergraph.validation.offline` for pySHACL). The text is read as written and after
    SPARQL's \\u pre-pass, which rdflib (so pySHACL) runs before parsing."""
    for predicate in SPARQL_PREDICATES:
        for q in shapes.quads_for_pattern(None, pyoxigraph.NamedNode(SH + predicate), None, None):
            text = q.object.value if isinstance(q.object, pyoxigraph.Literal) else ""
            where = f"{shapes_file}: the SPARQL of shape {name(_owner_shape(shapes, q.subject))}"
            try:
                found = check_sparql(text, where)
            except QueryTooComplexError as exc:
                raise InputError(f"{exc}; nothing was run") from None
            if found:
                raise InputError(
                    f"{where} uses {', '.join(found)}, which could reach the network or change "
                    "data; refused, nothing was run"
                )
    for q in shapes.quads_for_pattern(None, pyoxigraph.NamedNode(SH + "namespace"), None, None):
        if isinstance(q.object, pyoxigraph.Literal) and _NOT_IN_IRI.search(q.object.value):
            raise InputError(
                f"{shapes_file}: the sh:namespace {q.object.value!r} of shape "
                f"{name(_owner_shape(shapes, q.subject))} is not an IRI; refused, nothing was run"
            )


def _owner_shape(shapes: pyoxigraph.Store, node: Any) -> Any:
    """The named node a SPARQL constraint, target or validator hangs from (or the node itself)."""
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
