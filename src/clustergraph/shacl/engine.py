"""A SHACL Core and SHACL-SPARQL validator that runs on Oxigraph, for speed.

pySHACL is the reference; this engine passes the W3C SHACL test suite (core and sparql,
tests/shacl/test_shacl_w3c.py), reading the data as a `pyoxigraph.Store` and the shapes as quads. It
never imports rdflib, so a validation from the shell starts fast. A shapes graph that uses
anything this engine does not implement (`UNSUPPORTED_PREDICATES`: SPARQL-based targets, rules,
node expressions, SPARQL functions, SHACL-JS, entailment) raises `Unsupported`, and
`clustergraph.validation` then hands the job to pySHACL, so results never silently differ. Literals are checked and reported as the files write
them (the store rewrites them; see `clustergraph.validation.loading`).

Supported: targets (`sh:targetClass` with `rdfs:subClassOf`, `sh:targetNode`,
`sh:targetSubjectsOf`, `sh:targetObjectsOf`, implicit class targets); every SHACL property path;
`sh:class`, `sh:datatype` (with lexical and range checks of the XSD types), `sh:nodeKind`,
`sh:minCount`, `sh:maxCount`, value ranges (XSD order, dateTimes with and without timezone),
string lengths, `sh:pattern`, `sh:languageIn`, `sh:uniqueLang`, `sh:equals`, `sh:disjoint`,
`sh:lessThan`, `sh:lessThanOrEquals`, `sh:in`, `sh:hasValue`, `sh:node`, `sh:property`, `sh:and`,
`sh:or`, `sh:not`, `sh:xone`, `sh:closed`, `sh:qualifiedValueShape` (and
`sh:qualifiedValueShapesDisjoint`), `sh:sparql` (SELECT, with `$this`, `$currentShape` and
`$shapesGraph` pre-bound), SPARQL-based constraint components (`clustergraph.shacl.components`),
`sh:severity`, `sh:message`, `sh:deactivated`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Store

from clustergraph.shacl.components import Component, ComponentConstraints
from clustergraph.shacl.core import CoreCheck, CoreConstraints
from clustergraph.shacl.sparql import PreparedQuery
from clustergraph.shacl.terms import (
    OWL,
    RDF,
    RDF_NIL,
    RDF_TYPE,
    RDFS_CLASS,
    SH,
    SHAPE_TYPES,
    SUBCLASS,
    UNSUPPORTED_PREDICATES,
    VIOLATION,
    RawResult,
    Unsupported,
    is_true,
)

__all__ = ["Engine"]

log = logging.getLogger(__name__)

#: After this many instance checks of one class, its instances are all found at once.
_INSTANCE_SET_AFTER = 256

#: Focus nodes per batch on a store that can fetch their triples ahead (`prefetch`).
_PREFETCH_BATCH = 2000

#: Told after each shape: (shapes done, shapes in all, focus nodes of the shape just done).
Progress = Callable[[int, int, int], None]


class Engine(CoreConstraints, ComponentConstraints):
    """Validate the data in one store against the shapes in another."""

    def __init__(
        self,
        data: Store,
        shapes: Iterable[Any],
        lexical: Any = None,
        outgoing: Mapping[Any, Mapping[Any, Any]] | None = None,
        instance_set_after: int = _INSTANCE_SET_AFTER,
    ) -> None:
        """`shapes`: the shapes graph's quads (a store, or `Triples` that keep the literals as
        written). `lexical`: the data's literals as written, where the store rewrote them (a
        `clustergraph.validation.loading.LexicalForms`); checks and results then use those.
        `outgoing`: the same data's objects by subject and predicate, as written, each triple
        once (`clustergraph.validation.loading.Outgoing`: an object, or a list of several);
        the engine then reads a node's values there instead of in the store.
        `instance_set_after`: instance checks of one class before all its instances are found
        at once (fewer where each look-up is a query to a server).

        A data store that has `fetched(batches, inverse_predicates)` (an endpoint's graph,
        `clustergraph.validation.endpoint_graph.EndpointGraph`) is handed the focus nodes in
        batches, to fetch each batch's triples at once; the engine judges each batch it yields."""
        self.data = data
        self.lexical = lexical
        self.outgoing = outgoing
        self.shapes = shapes
        self._index: dict[tuple[Any, str], list[Any]] = {}
        for quad in shapes:
            p = quad.predicate.value
            self._index.setdefault((quad.subject, p), []).append(quad.object)
            if p.startswith(SH) and p[len(SH) :] in UNSUPPORTED_PREDICATES:
                raise Unsupported(f"sh:{p[len(SH) :]}")
        self._superclasses: dict[Any, set[Any]] = {}
        self._conforms: dict[tuple[Any, Any], bool] = {}
        self._lists: dict[Any, list[Any]] = {}
        self._params: dict[Any, dict[str, list[Any]]] = {}
        self._queries: dict[tuple[Any, Any], PreparedQuery | None] = {}
        self._allowed: dict[Any, set[Any]] = {}
        self._with_shapes: Store | None = None
        self._templates: dict[tuple[str, frozenset[str]], tuple[str, ...]] = {}
        self._component_list: list[Component] | None = None
        self._compiled: dict[Any, tuple[CoreCheck, ...]] = {}
        self._plans: dict[Any, _Plan] = {}
        self._instance_sets: dict[Any, dict[Any, None]] = {}
        self._instance_questions: dict[Any, int] = {}
        self._instance_set_after = instance_set_after

    # shapes graph access
    def _get(self, s: Any, name: str, ns: str = SH) -> list[Any]:
        return self._index.get((s, ns + name), [])

    def _one(self, s: Any, name: str) -> Any:
        values = self._get(s, name)
        return values[0] if values else None

    def _list(self, head: Any) -> list[Any]:
        cached = self._lists.get(head)
        if cached is not None:
            return cached
        items: list[Any] = []
        node, seen = head, set()
        while node != RDF_NIL and node not in seen:
            seen.add(node)
            first = self._index.get((node, RDF + "first"))
            if not first:
                break
            items.append(first[0])
            rest = self._index.get((node, RDF + "rest"))
            node = rest[0] if rest else RDF_NIL
        self._lists[head] = items
        return items

    # data graph access
    def _objects(self, s: Any, p: Any) -> list[Any]:
        """The objects of (s, p), literals as the data writes them."""
        if self.outgoing is not None:
            by_predicate = self.outgoing.get(s)
            if by_predicate is None:
                return []
            objects = by_predicate.get(p)
            if objects is None:
                return []
            return list(objects) if type(objects) is list else [objects]
        lexical = self.lexical
        if lexical is None or not lexical.covers(p):
            return [q.object for q in self.data.quads_for_pattern(s, p, None, None)]
        written = lexical.get(s, p)
        if written is None:
            return [q.object for q in self.data.quads_for_pattern(s, p, None, None)]
        rewritten = lexical.rewritten
        found = [
            q.object
            for q in self.data.quads_for_pattern(s, p, None, None)
            if not rewritten(q.object)
        ]
        return found + written

    def _described(self, s: Any) -> Iterator[tuple[Any, Any]]:
        """(predicate, object) of every triple of subject `s`, literals as written."""
        if self.outgoing is not None:
            for p, objects in self.outgoing.get(s, {}).items():
                if type(objects) is list:
                    for o in objects:
                        yield p, o
                else:
                    yield p, objects
            return
        for q in self.data.quads_for_pattern(s, None, None, None):
            yield q.predicate, self._as_written(s, q.predicate, q.object)

    def _as_written(self, s: Any, p: Any, o: Any) -> Any:
        """The data's own literal for a term read from the store."""
        if self.lexical is None or not isinstance(p, NamedNode):
            return o
        return self.lexical.original(s, p, o)

    def _subjects(self, p: Any, o: Any) -> Iterator[Any]:
        for q in self.data.quads_for_pattern(None, p, o, None):
            yield q.subject

    def _supers(self, cls: Any) -> set[Any]:
        cached = self._superclasses.get(cls)
        if cached is None:
            cached, todo = {cls}, [cls]
            while todo:
                for sup in self._objects(todo.pop(), SUBCLASS):
                    if sup not in cached:
                        cached.add(sup)
                        todo.append(sup)
            self._superclasses[cls] = cached
        return cached

    def _is_instance(self, node: Any, cls: Any) -> bool:
        """True when the node has rdf:type `cls` or one of its subclasses (in the data). The
        first few questions about a class look at the node's types; after that, all the
        class's instances are found once and looked up."""
        found = self._instance_sets.get(cls)
        if found is not None:
            return node in found
        asked = self._instance_questions[cls] = self._instance_questions.get(cls, 0) + 1
        if asked > self._instance_set_after:
            found = self._instance_sets[cls] = self._instances_in_order(cls)
            return node in found
        if isinstance(node, Literal):
            return False
        return any(cls in self._supers(t) for t in self._objects(node, RDF_TYPE))

    def _instances(self, cls: Any) -> list[Any]:
        found = self._instance_sets.get(cls)
        if found is None:
            found = self._instance_sets[cls] = self._instances_in_order(cls)
        return list(found)

    def _instances_in_order(self, cls: Any) -> dict[Any, None]:
        classes, todo = {cls}, [cls]
        while todo:
            for sub in self._subjects(SUBCLASS, todo.pop()):
                if sub not in classes:
                    classes.add(sub)
                    todo.append(sub)
        seen: dict[Any, None] = {}
        for c in classes:
            for s in self._subjects(RDF_TYPE, c):
                seen.setdefault(s, None)
        return seen

    def path_values(self, node: Any, path: Any) -> list[Any]:
        """The values of a SHACL property path from one node, without duplicates."""
        if type(path) is NamedNode:  # one predicate: the store holds each triple once
            if isinstance(node, Literal):
                return []
            return self._objects(node, path)
        return list(dict.fromkeys(self._path(node, path)))

    def _path(self, node: Any, path: Any) -> Iterable[Any]:
        if isinstance(node, Literal) and isinstance(path, NamedNode):
            return []
        if isinstance(path, NamedNode):
            return self._objects(node, path)
        if (path, RDF + "first") in self._index:
            current = [node]
            for step in self._list(path):
                current = list(dict.fromkeys(v for n in current for v in self._path(n, step)))
            return current
        inverse = self._one(path, "inversePath")
        if inverse is not None:
            if isinstance(inverse, NamedNode):
                return [] if isinstance(node, Literal) else self._subjects(inverse, node)
            raise Unsupported("sh:inversePath of a complex path")
        alternative = self._one(path, "alternativePath")
        if alternative is not None:
            return [v for step in self._list(alternative) for v in self._path(node, step)]
        for name, include_self, repeat in (
            ("zeroOrMorePath", True, True),
            ("oneOrMorePath", False, True),
            ("zeroOrOnePath", True, False),
        ):
            inner = self._one(path, name)
            if inner is not None:
                found: dict[Any, None] = {node: None} if include_self else {}
                frontier, visited = [node], {node}
                while frontier:
                    nxt = []
                    for n in frontier:
                        for v in self._path(n, inner):
                            found.setdefault(v, None)
                            if repeat and v not in visited:
                                visited.add(v)
                                nxt.append(v)
                    frontier = nxt
                return list(found)
        raise Unsupported(f"property path {path}")

    # shapes
    def shapes_with_targets(self) -> list[Any]:
        """The shapes that have targets (declared, or implicit class targets), sorted."""
        shapes: dict[Any, None] = {}
        for s, p in self._index:
            if p in (
                SH + "targetClass",
                SH + "targetNode",
                SH + "targetSubjectsOf",
                SH + "targetObjectsOf",
            ) or (
                p == RDF + "type"
                and any(t.value in SHAPE_TYPES for t in self._index[(s, p)])
                and any(t in (RDFS_CLASS, NamedNode(OWL + "Class")) for t in self._index[(s, p)])
            ):
                shapes.setdefault(s, None)
        return sorted(shapes, key=str)

    def focus_nodes(self, shape: Any) -> list[Any]:
        """The focus nodes of a shape's targets, each once, in the order they are found."""
        nodes: dict[Any, None] = {}
        types = self._get(shape, "type", RDF)
        if any(t in (RDFS_CLASS, NamedNode(OWL + "Class")) for t in types):
            nodes.update(dict.fromkeys(self._instances(shape)))
        for cls in self._get(shape, "targetClass"):
            nodes.update(dict.fromkeys(self._instances(cls)))
        nodes.update(dict.fromkeys(self._get(shape, "targetNode")))
        for p in self._get(shape, "targetSubjectsOf"):
            nodes.update(
                dict.fromkeys(q.subject for q in self.data.quads_for_pattern(None, p, None, None))
            )
        for p in self._get(shape, "targetObjectsOf"):  # literals as the data writes them
            subjects = dict.fromkeys(q.subject for q in self.data.quads_for_pattern(None, p, None))
            nodes.update(dict.fromkeys(o for s in subjects for o in self._objects(s, p)))
        return list(nodes)

    def validate(self, progress: Progress | None = None) -> list[RawResult]:
        """Every shape with a target on its focus nodes; `progress(done, total, focus_nodes)`
        is called after each shape."""
        shapes = self.shapes_with_targets()
        if hasattr(self.data, "fetched"):
            return self._validate_fetching(shapes, progress)
        results: list[RawResult] = []
        for done, shape in enumerate(shapes, 1):
            focus = self.focus_nodes(shape)
            if focus:
                results.extend(self.evaluate(shape, focus))
            if progress is not None:
                progress(done, len(shapes), len(focus))
        return results

    def _validate_fetching(self, shapes: list[Any], progress: Progress | None) -> list[RawResult]:
        """`validate` on a store that fetches the triples of a batch of focus nodes at once:
        the shapes with the same targets judge each batch in turn, so it is fetched once."""
        groups: dict[tuple[Any, ...], list[Any]] = {}
        for shape in shapes:
            groups.setdefault(self._targets(shape), []).append(shape)
        results: list[RawResult] = []
        done = 0
        for group in groups.values():
            focus = self.focus_nodes(group[0])
            inverse = list(dict.fromkeys(p for s in group for p in self._inverse_predicates(s)))
            batches = [
                focus[start : start + _PREFETCH_BATCH]
                for start in range(0, len(focus), _PREFETCH_BATCH)
            ]
            for batch in self.data.fetched(batches, inverse):
                for shape in group:
                    results.extend(self.evaluate(shape, batch))
            for _ in group:
                done += 1
                if progress is not None:
                    progress(done, len(shapes), len(focus))
        return results

    def _targets(self, shape: Any) -> tuple[Any, ...]:
        """What selects the shape's focus nodes: shapes with equal targets have the same."""
        classes = (RDFS_CLASS, NamedNode(OWL + "Class"))
        implicit = any(t in classes for t in self._get(shape, "type", RDF))
        names = ("targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf")
        declared = tuple(tuple(sorted(map(str, self._get(shape, n)))) for n in names)
        return (shape if implicit else None, *declared)

    def _inverse_predicates(self, shape: Any) -> list[Any]:
        """The predicates of the shape's paths (its own, its property shapes') that go from a
        focus node backwards (`sh:inversePath p`)."""
        plan = self._plan(shape)
        paths = [plan.path, *(self._one(p, "path") for p in plan.properties)]
        found = (self._one(path, "inversePath") for path in paths if path is not None)
        return list(dict.fromkeys(p for p in found if isinstance(p, NamedNode)))

    def conforms(self, shape: Any, node: Any) -> bool:
        """True when `node` conforms to `shape` (for sh:node, sh:not and the like); remembered,
        and assumed true while it is being found out (a recursive shape)."""
        key = (shape, node)
        known = self._conforms.get(key)
        if known is None:
            self._conforms[key] = True  # assume conformance while recursing
            known = not self.evaluate(shape, [node])
            self._conforms[key] = known
        return known

    def evaluate(self, shape: Any, focus_nodes: list[Any]) -> list[RawResult]:
        """The results of `shape` on the given focus nodes only (any subset of its targets:
        incremental validation relies on this); SPARQL constraints run once for the set."""
        plan = self._plan(shape)
        if plan.deactivated:
            return []
        path, severity, messages = plan.path, plan.severity, plan.messages
        out: list[RawResult] = []

        def emit(
            focus: Any,
            component: str,
            value: Any = None,
            detail: str = "",
            rpath: Any = path,
            filled: list[Literal] | None = None,
        ) -> None:
            msgs = list(messages) if filled is None else filled
            out.append(RawResult(focus, component, shape, severity, rpath, value, msgs, detail))

        checks = self._core_checks(shape)
        if path is None:  # a node shape: its property shapes see the same focus nodes, at once
            if checks:
                for focus in focus_nodes:
                    values = [focus]
                    for check in checks:
                        check(focus, values, emit, out, False)
            for prop in plan.properties:
                out.extend(self.evaluate(prop, focus_nodes))
        elif checks:
            path_values = self.path_values
            for focus in focus_nodes:
                values = path_values(focus, path)
                for check in checks:
                    check(focus, values, emit, out, True)
        for constraint in plan.sparql:
            self._sparql(shape, constraint, focus_nodes, path, emit)
        if plan.custom:
            self._custom(shape, focus_nodes, path, emit)
        return out

    def _plan(self, shape: Any) -> _Plan:
        """What `evaluate` needs of a shape, read from the shapes graph once."""
        plan = self._plans.get(shape)
        if plan is None:
            params = self._shape_params(shape)
            plan = self._plans[shape] = _Plan(
                deactivated=is_true(self._one(shape, "deactivated")),
                severity=self._one(shape, "severity") or VIOLATION,
                messages=tuple(self._get(shape, "message")),
                path=self._one(shape, "path"),
                properties=tuple(params.get("property", ())),
                sparql=tuple(params.get("sparql", ())),
                custom=self._uses_components(shape),
            )
        return plan

    def evaluate_each(self, shape: Any, focus_nodes: list[Any]) -> dict[Any, list[RawResult]]:
        """focus node -> what `evaluate(shape, [focus])` gives it (only those with results),
        in one set-at-a-time run when every result then names its own focus node (no property
        shape below the top one has property shapes of its own), else one node at a time."""
        if not self._flat(shape):
            return {f: found for f in focus_nodes if (found := self.evaluate(shape, [f]))}
        wanted = set(focus_nodes)
        by_focus: dict[Any, list[RawResult]] = {}
        for result in self.evaluate(shape, focus_nodes):
            if result.focus not in wanted:  # not expected of a flat shape: judge one by one
                return {f: found for f in focus_nodes if (found := self.evaluate(shape, [f]))}
            by_focus.setdefault(result.focus, []).append(result)
        return by_focus

    def _flat(self, shape: Any) -> bool:
        """True when the results of `shape` on a set of focus nodes each name their focus node."""
        params = self._shape_params(shape)
        props = params.get("property", [])
        if self._one(shape, "path") is not None:
            return not props
        return all(not self._shape_params(p).get("property") for p in props)

    def _shape_params(self, shape: Any) -> dict[str, list[Any]]:
        """The SHACL parameters of a node of the shapes graph (name without sh: -> values)."""
        if not self._params:  # every node's at once: one pass over the shapes graph
            self._params[None] = {}
            for (s, p), objects in self._index.items():
                if p.startswith(SH):
                    self._params.setdefault(s, {})[p[len(SH) :]] = objects
        return self._params.get(shape, {})


@dataclass(frozen=True)
class _Plan:
    """A shape's parameters that `Engine.evaluate` reads on every call."""

    deactivated: bool
    severity: Any
    messages: tuple[Any, ...]
    path: Any
    properties: tuple[Any, ...]
    sparql: tuple[Any, ...]
    custom: bool
