"""Which focus nodes a change can reach: the triples each SHACL shape reads, read from the shapes.

A shape evaluated at a focus node reads triples along its property paths, the types of the values
it checks with `sh:class`, every property of the values of a closed shape, the properties named
by `sh:equals` and its kin, nested shapes at the values, and the triple patterns of its SPARQL
constraints. Each such read is an `Access`: the predicate of the triple read, and the way back
from the node where it is read to the focus node (steps along predicates, forward or backward,
possibly repeated). A changed triple that matches an access can change the results of exactly
the focus nodes reached by walking that way back from it, in the old or the new graph; every
other focus node reads the same triples as before. An access without a way back (a SPARQL
pattern not joined to `$this`, a recursive shape) makes every focus node of its shape depend
on the triples it matches.

    >>> import pyoxigraph as ox
    >>> shapes = ox.parse(b'''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ... @prefix ex: <http://example.org/> .
    ... ex:CityShape sh:targetClass ex:City ;
    ...     sh:property [ sh:path ex:country ; sh:class ex:Country ] .
    ... ''', format=ox.RdfFormat.TURTLE)
    >>> deps = compile_shapes(list(shapes), [ox.NamedNode("http://example.org/CityShape")])
    >>> city = deps["<http://example.org/CityShape>"]           # keyed by N-Triples
    >>> city.classes
    ['http://example.org/City']
    >>> for access in city.accesses:
    ...     print(access.predicate, access.forward, access.back)
    http://www.w3.org/1999/02/22-rdf-syntax-ns#type True ()
    http://example.org/country True ()
    http://www.w3.org/1999/02/22-rdf-syntax-ns#type True (('http://example.org/country', True, False),)

The last access: a changed type triple of a country reaches the cities whose country it is.

    >>> data = ox.Store()
    >>> data.load(b"@prefix ex: <http://example.org/> . ex:paris ex:country ex:france .",
    ...           format=ox.RdfFormat.TURTLE)
    >>> walk_back(data, ox.NamedNode("http://example.org/france"), city.accesses[-1].back)
    {<NamedNode value=http://example.org/paris>}
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from clustergraph.vocab import OWL, RDF, RDFS, SH

log = logging.getLogger(__name__)

__all__ = ["Access", "ShapeDependencies", "Step", "compile_shapes", "walk_back"]

RDF_TYPE = RDF + "type"
_PATH_MARK = "urn:x-clustergraph:shape-path"

#: (predicate IRI or None for any predicate, forward?, repeated any number of times?)
Step = tuple[str | None, bool, bool]


@dataclass(frozen=True)
class Access:
    """One kind of triple a shape reads, and the way from it back to the focus node."""

    predicate: str | None
    """The triple's predicate (None: any)."""
    forward: bool
    """True: the node on the way back is the triple's subject; False: its object."""
    back: tuple[Step, ...] | None
    """Steps from the focus node to that node (walked in reverse); None: any focus node."""
    other: str | None = None
    """A constant the triple's other end must be (N-Triples), or None."""

    def to_json(self) -> list[Any]:
        """The access as a JSON list (how a cache entry keeps it)."""
        return [self.predicate, self.forward, None if self.back is None else [list(s) for s in self.back], self.other]

    @classmethod
    def from_json(cls, data: list[Any]) -> Access:
        """The access `to_json` wrote."""
        back = None if data[2] is None else tuple((s[0], s[1], s[2]) for s in data[2])
        return cls(data[0], data[1], back, data[3])


@dataclass
class ShapeDependencies:
    """What a shape with targets reads, and how its focus nodes are chosen."""

    accesses: list[Access] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)
    subjects_of: list[str] = field(default_factory=list)
    objects_of: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The dependencies as a JSON object (how a cache entry keeps them)."""
        return {"accesses": [a.to_json() for a in self.accesses], "classes": self.classes,
                "nodes": self.nodes, "subjects_of": self.subjects_of, "objects_of": self.objects_of}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ShapeDependencies:
        """The dependencies `to_json` wrote."""
        return cls([Access.from_json(a) for a in data["accesses"]], data["classes"], data["nodes"],
                   data["subjects_of"], data["objects_of"])


class _Unbounded(Exception):
    """A shape whose reads cannot be bounded (it refers to itself)."""


class _Compiler:
    def __init__(self, shapes: Any) -> None:
        self.index: dict[tuple[Any, str], list[Any]] = {}
        for q in shapes:
            self.index.setdefault((q.subject, q.predicate.value), []).append(q.object)
        #: The parameters of SPARQL-based constraint components (what they read is not known).
        self.parameters = {
            path.value
            for (_, p), params in self.index.items()
            if p == SH + "parameter"
            for param in params
            for path in self.get(param, "path")
        }

    def get(self, node: Any, name: str, ns: str = SH) -> list[Any]:
        return self.index.get((node, ns + name), [])

    def items(self, head: Any) -> list[Any]:
        out, node, seen = [], head, set()
        while getattr(node, "value", None) != RDF + "nil" and node not in seen:
            seen.add(node)
            first, rest = self.get(node, "first", RDF), self.get(node, "rest", RDF)
            if not first or not rest:
                break
            out.append(first[0])
            node = rest[0]
        return out

    # property paths -> lists of step sequences
    def path(self, path: Any) -> list[tuple[Step, ...]]:
        if isinstance(path, ox.NamedNode):
            return [((path.value, True, False),)]
        if self.get(path, "first", RDF):
            seqs: list[tuple[Step, ...]] = [()]
            for part in self.items(path):
                seqs = [a + b for a in seqs for b in self.path(part)]
            return seqs
        for inverse in self.get(path, "inversePath"):
            return [tuple((p, not fwd, rep) for p, fwd, rep in reversed(seq)) for seq in self.path(inverse)]
        for alternative in self.get(path, "alternativePath"):
            return [seq for part in self.items(alternative) for seq in self.path(part)]
        for name in ("zeroOrMorePath", "oneOrMorePath", "zeroOrOnePath"):
            for inner in self.get(path, name):
                return [tuple((p, fwd, True) for p, fwd, _ in seq) for seq in self.path(inner)] + [()]
        raise _Unbounded(f"path {path}")

    def shape(self, shape: Any, at: tuple[Step, ...], out: list[Access], stack: tuple[Any, ...]) -> None:
        """The accesses of `shape` evaluated with its focus node at position `at`."""
        if shape in stack:
            raise _Unbounded(f"{shape} refers to itself")
        stack = (*stack, shape)
        if any((shape, p) in self.index for p in self.parameters):
            raise _Unbounded(f"{shape} uses a SPARQL-based constraint component")
        disjoint = self.get(shape, "qualifiedValueShapesDisjoint")
        if disjoint and getattr(disjoint[0], "value", "") == "true":
            raise _Unbounded(f"{shape} has disjoint qualified value shapes")
        paths = self.get(shape, "path")
        values = [at]
        if paths:
            values = []
            for seq in self.path(paths[0]):
                pos = at
                for step in seq:
                    p, fwd, rep = step
                    if rep:
                        pos = (*pos, step)
                    out.append(Access(p, fwd, pos))
                    if not rep:
                        pos = (*pos, step)
                values.append(pos)
        for v in values:
            if self.get(shape, "class"):
                out.append(Access(RDF_TYPE, True, v))
            closed = self.get(shape, "closed")
            if closed and getattr(closed[0], "value", "") in ("true", "1"):
                out.append(Access(None, True, v))
            for name in ("node", "property", "not", "qualifiedValueShape"):
                for inner in self.get(shape, name):
                    self.shape(inner, v, out, stack)
            for name in ("and", "or", "xone"):
                for members in self.get(shape, name):
                    for inner in self.items(members):
                        self.shape(inner, v, out, stack)
        for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for p in self.get(shape, name):
                out.append(Access(p.value, True, at))
        for constraint in self.get(shape, "sparql"):
            path_seqs = self.path(paths[0]) if paths else []
            out.extend(self.sparql(constraint, at, path_seqs))

    def sparql(self, constraint: Any, at: tuple[Step, ...], path_seqs: list[tuple[Step, ...]]) -> list[Access]:
        selects = self.get(constraint, "select")
        if not selects:
            return [Access(None, True, None)]
        prefixes = []
        for ontology in self.get(constraint, "prefixes"):
            for decl in self.get(ontology, "declare"):
                prefix, ns = self.get(decl, "prefix"), self.get(decl, "namespace")
                if prefix and ns:
                    prefixes.append(f"PREFIX {prefix[0].value}: <{ns[0].value}>")
        text = "\n".join(prefixes) + "\n" + selects[0].value.replace("$PATH", f"<{_PATH_MARK}>")
        try:
            edges = _sparql_edges(text, path_seqs)
        except Exception as exc:  # noqa: BLE001 - an unreadable query: assume it reads everything
            log.debug("cannot analyse the SPARQL of %s: %s", constraint, exc)
            return [Access(None, True, None)]
        return _edges_to_accesses(edges, at)


def _sparql_edges(text: str, path_seqs: list[tuple[Step, ...]]) -> list[tuple[str, str | None, str, bool]]:
    """The query's triple patterns as edges (subject, predicate or None, object, repeated)."""
    # rdflib with its SPARQL parser: ~0.17 s to import (python -X importtime); only for
    # the shapes' SPARQL constraints, when a kept base is built
    from rdflib import URIRef, Variable
    from rdflib.paths import AlternativePath, InvPath, MulPath, NegatedPath, SequencePath
    from rdflib.plugins.sparql.algebra import translateQuery
    from rdflib.plugins.sparql.parser import parseQuery

    algebra = translateQuery(parseQuery(text)).algebra
    edges: list[tuple[str, str | None, str, bool]] = []
    fresh = iter(range(10**9))

    def name(term: Any) -> str:
        return f"?{term}" if isinstance(term, Variable) else term.n3()

    def add(s: str, path: Any, o: str, rep: bool = False) -> None:
        if isinstance(path, URIRef) and str(path) == _PATH_MARK:
            for seq in path_seqs or [((None, True, False),)]:
                add_steps(s, seq, o, rep)
        elif isinstance(path, URIRef):
            edges.append((s, str(path), o, rep))
        elif isinstance(path, SequencePath):
            nodes = [s] + [f"?_seq{next(fresh)}" for _ in path.args[1:]] + [o]
            for i, part in enumerate(path.args):
                add(nodes[i], part, nodes[i + 1], rep)
        elif isinstance(path, AlternativePath):
            for part in path.args:
                add(s, part, o, rep)
        elif isinstance(path, InvPath):
            add(o, path.arg, s, rep)
        elif isinstance(path, MulPath):
            add(s, path.path, o, True)
        elif isinstance(path, NegatedPath) or isinstance(path, Variable):
            edges.append((s, None, o, rep))
        else:
            edges.append((s, None, o, True))

    def add_steps(s: str, seq: tuple[Step, ...], o: str, rep: bool) -> None:
        nodes = [s] + [f"?_seq{next(fresh)}" for _ in seq[1:]] + [o]
        for i, (p, fwd, r) in enumerate(seq):
            a, b = (nodes[i], nodes[i + 1]) if fwd else (nodes[i + 1], nodes[i])
            edges.append((a, p, b, r or rep))

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if getattr(node, "name", None) in ("BGP", "TriplesBlock"):
                for s, p, o in node.get("triples", []):
                    add(name(s), p, name(o))
            for key, value in node.items():
                if key != "_vars":
                    walk(value)
        elif isinstance(node, (list, tuple)):
            for value in node:
                walk(value)

    walk(algebra)
    return edges


def _edges_to_accesses(edges: list[tuple[str, str | None, str, bool]], at: tuple[Step, ...]) -> list[Access]:
    """Positions of the pattern's nodes by breadth-first search from `$this`, then one access
    per edge from its endpoint nearest to `$this`; edges not joined to it: any focus node."""
    position: dict[str, tuple[Step, ...]] = {"?this": at}
    frontier = ["?this"]
    while frontier:
        nxt = []
        for node in frontier:
            for s, p, o, rep in edges:
                for here, there, fwd in ((s, o, True), (o, s, False)):
                    if here == node and there not in position:
                        position[there] = (*position[node], (p, fwd, rep))
                        nxt.append(there)
        frontier = nxt
    out = []
    for s, p, o, rep in edges:
        known = [(len(position[n]), n, fwd, other) for n, fwd, other in ((s, True, o), (o, False, s)) if n in position]
        if not known:
            out.append(Access(p, True, None))
            continue
        _, node, fwd, other = min(known)
        back = position[node] + (((p, fwd, True),) if rep else ())
        out.append(Access(p, fwd, back, None if other.startswith("?") else other))
    return out


def compile_shapes(shapes: Any, shape_nodes: Iterable[Any]) -> dict[str, ShapeDependencies]:
    """The dependencies of each shape with targets (keyed by its N-Triples text)."""
    compiler = _Compiler(shapes)
    out: dict[str, ShapeDependencies] = {}
    for shape in shape_nodes:
        deps = ShapeDependencies()
        types = {t.value for t in compiler.get(shape, "type", RDF) if isinstance(t, ox.NamedNode)}
        implicit = {RDFS + "Class", OWL + "Class"} & types
        deps.classes = [c.value for c in compiler.get(shape, "targetClass")] + ([shape.value] if implicit else [])
        deps.nodes = [str(n) for n in compiler.get(shape, "targetNode")]
        deps.subjects_of = [p.value for p in compiler.get(shape, "targetSubjectsOf")]
        deps.objects_of = [p.value for p in compiler.get(shape, "targetObjectsOf")]
        if deps.classes:
            deps.accesses.append(Access(RDF_TYPE, True, ()))
        deps.accesses += [Access(p, True, ()) for p in deps.subjects_of]
        deps.accesses += [Access(p, False, ()) for p in deps.objects_of]
        try:
            compiler.shape(shape, (), deps.accesses, ())
        except _Unbounded as exc:
            log.debug("shape %s: %s; every change reaches all its focus nodes", shape, exc)
            deps.accesses.append(Access(None, True, None))
        deps.accesses = list(dict.fromkeys(deps.accesses))
        out[str(shape)] = deps
    return out


def walk_back(store: Any, start: Any, back: tuple[Step, ...], limit: int = 1_000_000) -> set[Any]:
    """The focus nodes from which `back` leads to `start` in `store` (walking it in reverse)."""
    current = {start}
    for p, fwd, rep in reversed(back):
        pred = ox.NamedNode(p) if p is not None else None

        def step(nodes: set[Any]) -> set[Any]:
            found = set()
            for n in nodes:
                if fwd:
                    found.update(q.subject for q in store.quads_for_pattern(None, pred, n, ox.DefaultGraph()))
                elif not isinstance(n, ox.Literal):
                    found.update(q.object for q in store.quads_for_pattern(n, pred, None, ox.DefaultGraph()))
            return found

        if rep:
            reached, frontier = set(current), set(current)
            while frontier and len(reached) < limit:
                frontier = step(frontier) - reached
                reached |= frontier
            current = reached
        else:
            current = step(current)
        if not current:
            break
    return current
