"""A SHACL Core validator that runs on Oxigraph, for speed.

pySHACL is the reference; this engine implements the part of SHACL Core that our shapes use
(and that the SHACL-for-SHACL shapes use), reading both graphs as `pyoxigraph.Store`s. It never
imports rdflib, so a validation from the shell starts fast. A shapes graph that uses anything
this engine does not know raises `Unsupported`, and `clustergraph.validation` then hands the job
to pySHACL, so results never silently differ. Tests compare both engines on every fixture.

Supported: targets (`sh:targetClass` with `rdfs:subClassOf`, `sh:targetNode`,
`sh:targetSubjectsOf`, `sh:targetObjectsOf`, implicit class targets); every SHACL property path;
`sh:class`, `sh:datatype` (with lexical checks of the common XSD types), `sh:nodeKind`,
`sh:minCount`, `sh:maxCount`, value ranges, string lengths, `sh:pattern`, `sh:languageIn`,
`sh:uniqueLang`, `sh:equals`, `sh:disjoint`, `sh:lessThan`, `sh:lessThanOrEquals`, `sh:in`,
`sh:hasValue`, `sh:node`, `sh:property`, `sh:and`, `sh:or`, `sh:not`, `sh:xone`, `sh:closed`,
`sh:qualifiedValueShape`, `sh:sparql` (SELECT), `sh:severity`, `sh:message`, `sh:deactivated`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Store

from clustergraph.shacl.sparql import PreparedQuery, SparqlConstraints
from clustergraph.shacl.terms import (
    KNOWN_PREDICATES,
    OWL,
    RDF,
    RDF_LANGSTRING,
    RDF_NIL,
    RDF_TYPE,
    RDFS_CLASS,
    SH,
    SHAPE_TYPES,
    SUBCLASS,
    VIOLATION,
    RawResult,
    Unsupported,
    compare,
    component_of,
    lang_matches,
    re_flags,
    well_formed,
)

__all__ = ["Engine"]

log = logging.getLogger(__name__)

#: Told after each shape: (shapes done, shapes in all, focus nodes of the shape just done).
Progress = Callable[[int, int, int], None]


class Engine(SparqlConstraints):
    """Validate the data in one store against the shapes in another."""

    def __init__(self, data: Store, shapes: Store, lexical: Any = None) -> None:
        """`lexical`: the data's literals as written, where the store rewrote them (a
        `clustergraph.validation.loading.LexicalForms`); checks and results then use those."""
        self.data = data
        self.lexical = lexical
        self.shapes = shapes
        self._index: dict[tuple[Any, str], list[Any]] = {}
        for quad in shapes:
            p = quad.predicate.value
            self._index.setdefault((quad.subject, p), []).append(quad.object)
            if p.startswith(SH) and p[len(SH) :] not in KNOWN_PREDICATES:
                raise Unsupported(f"sh:{p[len(SH) :]}")
        self._superclasses: dict[Any, set[Any]] = {}
        self._conforms: dict[tuple[Any, Any], bool] = {}
        self._lists: dict[Any, list[Any]] = {}
        self._params: dict[Any, dict[str, list[Any]]] = {}
        self._queries: dict[tuple[Any, Any], PreparedQuery | None] = {}
        self._allowed: dict[Any, set[Any]] = {}

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
    def _objects(self, s: Any, p: Any) -> Iterator[Any]:
        written = self.lexical.get(s, p) if self.lexical is not None else None
        if written is None:
            for q in self.data.quads_for_pattern(s, p, None, None):
                yield q.object
            return
        for q in self.data.quads_for_pattern(s, p, None, None):
            if not self.lexical.rewritten(q.object):
                yield q.object
        yield from written

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
        if isinstance(node, Literal):
            return False
        return any(cls in self._supers(t) for t in self._objects(node, RDF_TYPE))

    def _instances(self, cls: Any) -> list[Any]:
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
        return list(seen)

    def path_values(self, node: Any, path: Any) -> list[Any]:
        """The values of a SHACL property path from one node, without duplicates."""
        if type(path) is NamedNode:  # one predicate: the store holds each triple once
            return [] if isinstance(node, Literal) else list(self._objects(node, path))
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
        for p in self._get(shape, "targetObjectsOf"):
            nodes.update(
                dict.fromkeys(q.object for q in self.data.quads_for_pattern(None, p, None, None))
            )
        return list(nodes)

    def validate(self, progress: Progress | None = None) -> list[RawResult]:
        """Every shape with a target on its focus nodes; `progress(done, total, focus_nodes)`
        is called after each shape."""
        results: list[RawResult] = []
        shapes = self.shapes_with_targets()
        for done, shape in enumerate(shapes, 1):
            focus = self.focus_nodes(shape)
            if focus:
                results.extend(self.evaluate(shape, focus))
            if progress is not None:
                progress(done, len(shapes), len(focus))
        return results

    def conforms(self, shape: Any, node: Any) -> bool:
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
        deactivated = self._one(shape, "deactivated")
        if isinstance(deactivated, Literal) and deactivated.value in ("true", "1"):
            return []
        severity = self._one(shape, "severity") or VIOLATION
        messages = self._get(shape, "message")
        path = self._one(shape, "path")
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

        params = self._shape_params(shape)
        if path is None:  # a node shape: its property shapes see the same focus nodes, at once
            for focus in focus_nodes:
                self._check(shape, focus, [focus], None, emit, out, nested=False)
            for prop in params.get("property", []):
                out.extend(self.evaluate(prop, focus_nodes))
        else:
            for focus in focus_nodes:
                self._check(shape, focus, self.path_values(focus, path), path, emit, out)
        for constraint in params.get("sparql", []):
            self._sparql(shape, constraint, focus_nodes, path, emit)
        return out

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

    def _closed_allowed(self, shape: Any, params: dict[str, list[Any]]) -> set[Any]:
        """The predicates a closed shape allows: its property paths and sh:ignoredProperties."""
        allowed = self._allowed.get(shape)
        if allowed is None:
            allowed = {self._one(p, "path") for p in params.get("property", ())}
            for ignored in params.get("ignoredProperties", ()):
                allowed.update(self._list(ignored))
            self._allowed[shape] = allowed
        return allowed

    def _check(
        self,
        shape: Any,
        focus: Any,
        values: list[Any],
        path: Any,
        emit: Any,
        out: list[RawResult],
        *,
        nested: bool = True,
    ) -> None:
        """The core constraints of `shape` on one focus node and its value nodes (and, when
        `nested`, its property shapes on those values)."""
        params = self._shape_params(shape)
        for cls in params.get("class", ()):
            for v in values:
                if not self._is_instance(v, cls):
                    emit(focus, "ClassConstraintComponent", v, f"is not an instance of {cls}")
        for dt in params.get("datatype", ()):
            for v in values:
                ok = isinstance(v, Literal) and v.datatype == dt and well_formed(v)
                if ok and dt == RDF_LANGSTRING:
                    ok = bool(v.language)
                if not ok:
                    emit(focus, "DatatypeConstraintComponent", v, f"should have datatype {dt}")
        for kind in params.get("nodeKind", ()):
            allowed = {
                "IRI": (NamedNode,),
                "BlankNode": (BlankNode,),
                "Literal": (Literal,),
                "BlankNodeOrIRI": (BlankNode, NamedNode),
                "BlankNodeOrLiteral": (BlankNode, Literal),
                "IRIOrLiteral": (NamedNode, Literal),
            }[kind.value[len(SH) :]]
            for v in values:
                if not isinstance(v, allowed):
                    emit(focus, "NodeKindConstraintComponent", v, f"should be of node kind {kind}")
        if path is not None:
            for bound in params.get("minCount", ()):
                if len(values) < int(bound.value):
                    emit(
                        focus,
                        "MinCountConstraintComponent",
                        None,
                        f"has {len(values)} value(s), needs at least {bound.value}",
                    )
            for bound in params.get("maxCount", ()):
                if len(values) > int(bound.value):
                    emit(
                        focus,
                        "MaxCountConstraintComponent",
                        None,
                        f"has {len(values)} values, allows at most {bound.value}",
                    )
        for name, ok_signs in (
            ("minInclusive", (0, 1)),
            ("maxInclusive", (-1, 0)),
            ("minExclusive", (1,)),
            ("maxExclusive", (-1,)),
        ):
            for bound in params.get(name, ()):
                for v in values:
                    if compare(v, bound) not in ok_signs:
                        emit(
                            focus,
                            component_of(name),
                            v,
                            f"{name} {bound.value}",
                        )
        for name in ("minLength", "maxLength"):
            for bound in params.get(name, ()):
                for v in values:
                    if isinstance(v, BlankNode):
                        ok = False
                    else:
                        n = len(v.value)
                        ok = n >= int(bound.value) if name == "minLength" else n <= int(bound.value)
                    if not ok:
                        emit(
                            focus,
                            component_of(name),
                            v,
                            f"{name} {bound.value}",
                        )
        for pattern in params.get("pattern", ()):
            flags = self._one(shape, "flags")
            rx = re.compile(pattern.value, re_flags(flags.value if flags else ""))
            for v in values:
                if isinstance(v, BlankNode) or not rx.search(v.value):
                    emit(
                        focus, "PatternConstraintComponent", v, f"does not match {pattern.value!r}"
                    )
        for langs in params.get("languageIn", ()):
            wanted = [t.value for t in self._list(langs)]
            for v in values:
                if not (
                    isinstance(v, Literal)
                    and v.language
                    and any(lang_matches(v.language, w) for w in wanted)
                ):
                    emit(
                        focus,
                        "LanguageInConstraintComponent",
                        v,
                        f"language should be one of {wanted}",
                    )
        unique = next(iter(params.get("uniqueLang", ())), None)
        if path is not None and isinstance(unique, Literal) and unique.value in ("true", "1"):
            counts: dict[str, int] = {}
            for v in values:
                if isinstance(v, Literal) and v.language:
                    counts[v.language.lower()] = counts.get(v.language.lower(), 0) + 1
            for lang, n in counts.items():
                if n > 1:
                    emit(
                        focus,
                        "UniqueLangConstraintComponent",
                        None,
                        f"more than one value in language {lang!r}",
                    )
        for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for other in params.get(name, ()):
                others = (
                    list(dict.fromkeys(self._objects(focus, other)))
                    if not isinstance(focus, Literal)
                    else []
                )
                comp = component_of(name)
                if name == "equals":
                    for v in values:
                        if v not in others:
                            emit(focus, comp, v, f"is not a value of {other}")
                    for o in others:
                        if o not in values:
                            emit(focus, comp, o, f"is a value of {other} but not of the path")
                elif name == "disjoint":
                    for v in values:
                        if v in others:
                            emit(focus, comp, v, f"is also a value of {other}")
                else:
                    ok_signs = (-1,) if name == "lessThan" else (-1, 0)
                    for v in values:
                        for o in others:
                            if compare(v, o) not in ok_signs:
                                emit(focus, comp, v, f"is not {name} {o}")
        for members in params.get("in", ()):
            allowed_values = self._list(members)
            for v in values:
                if v not in allowed_values:
                    emit(focus, "InConstraintComponent", v, "is not one of the allowed values")
        for wanted_value in params.get("hasValue", ()):
            if wanted_value not in values:
                emit(focus, "HasValueConstraintComponent", None, f"misses the value {wanted_value}")
        for node_shape in params.get("node", ()):
            for v in values:
                if not self.conforms(node_shape, v):
                    emit(
                        focus,
                        "NodeConstraintComponent",
                        v,
                        f"does not conform to shape {node_shape}",
                    )
        if nested:
            for prop in params.get("property", ()):
                out.extend(self.evaluate(prop, values))
        for name in ("and", "or", "xone"):
            for members in params.get(name, ()):
                parts = self._list(members)
                for v in values:
                    n = sum(1 for s in parts if self.conforms(s, v))
                    ok = n == len(parts) if name == "and" else n >= 1 if name == "or" else n == 1
                    if not ok:
                        emit(
                            focus,
                            component_of(name),
                            v,
                            f"does not satisfy sh:{name}",
                        )
        for negated in params.get("not", ()):
            for v in values:
                if self.conforms(negated, v):
                    emit(
                        focus,
                        "NotConstraintComponent",
                        v,
                        f"conforms to shape {negated}, which it must not",
                    )
        closed = next(iter(params.get("closed", ())), None)
        if isinstance(closed, Literal) and closed.value in ("true", "1"):
            allowed_p = self._closed_allowed(shape, params)
            for v in values:
                if isinstance(v, Literal):
                    continue
                for q in self.data.quads_for_pattern(v, None, None, None):
                    if q.predicate not in allowed_p:
                        emit(
                            focus,
                            "ClosedConstraintComponent",
                            self._as_written(v, q.predicate, q.object),
                            f"property {q.predicate} is not allowed",
                            q.predicate,
                        )
        for qshape in params.get("qualifiedValueShape", ()):
            disjoint = self._one(shape, "qualifiedValueShapesDisjoint")
            if isinstance(disjoint, Literal) and disjoint.value in ("true", "1"):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            n = sum(1 for v in values if self.conforms(qshape, v))
            for bound in params.get("qualifiedMinCount", ()):
                if n < int(bound.value):
                    emit(
                        focus,
                        "QualifiedMinCountConstraintComponent",
                        None,
                        f"{n} value(s) conform, needs {bound.value}",
                    )
            for bound in params.get("qualifiedMaxCount", ()):
                if n > int(bound.value):
                    emit(
                        focus,
                        "QualifiedMaxCountConstraintComponent",
                        None,
                        f"{n} values conform, allows {bound.value}",
                    )
