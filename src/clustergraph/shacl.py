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
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Store, Variable

from clustergraph.xsd import INTEGER_TYPES

__all__ = ["RDF", "RDFS", "SH", "XSD", "Engine", "RawResult", "Unsupported"]

log = logging.getLogger(__name__)

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"


def _sh(name: str) -> NamedNode:
    return NamedNode(SH + name)


RDF_TYPE = NamedNode(RDF + "type")
RDF_FIRST = NamedNode(RDF + "first")
RDF_REST = NamedNode(RDF + "rest")
RDF_NIL = NamedNode(RDF + "nil")
RDF_LANGSTRING = NamedNode(RDF + "langString")
SUBCLASS = NamedNode(RDFS + "subClassOf")
RDFS_CLASS = NamedNode(RDFS + "Class")
XSD_STRING = NamedNode(XSD + "string")
VIOLATION = _sh("Violation")

#: Predicates in the sh: namespace that this engine understands (anything else: Unsupported).
_KNOWN = {
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "path",
    "inversePath",
    "alternativePath",
    "zeroOrMorePath",
    "oneOrMorePath",
    "zeroOrOnePath",
    "class",
    "datatype",
    "nodeKind",
    "minCount",
    "maxCount",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "minLength",
    "maxLength",
    "pattern",
    "flags",
    "languageIn",
    "uniqueLang",
    "equals",
    "disjoint",
    "lessThan",
    "lessThanOrEquals",
    "in",
    "hasValue",
    "node",
    "property",
    "and",
    "or",
    "not",
    "xone",
    "closed",
    "ignoredProperties",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "qualifiedValueShapesDisjoint",
    "sparql",
    "select",
    "prefixes",
    "declare",
    "prefix",
    "namespace",
    "message",
    "severity",
    "deactivated",
    "name",
    "description",
    "order",
    "group",
    "defaultValue",
    "shapesGraph",
    "suggestedShapesGraph",
    "entailment",
    "labelTemplate",
}
_SHAPE_TYPES = {SH + "NodeShape", SH + "PropertyShape"}


class Unsupported(Exception):
    """The shapes use a SHACL feature this engine does not implement."""


@dataclass
class RawResult:
    """One validation result, in Oxigraph terms."""

    focus: Any
    component: str
    shape: Any
    severity: NamedNode
    path: Any = None
    value: Any = None
    messages: list[Literal] = field(default_factory=list)
    detail: str = ""


# -- literal values ---------------------------------------------------------------------------

_INT_TYPES = set(INTEGER_TYPES)
_LEXICAL = {
    "integer": r"[+-]?\d+",
    "decimal": r"[+-]?(\d+(\.\d*)?|\.\d+)",
    "double": r"[+-]?((\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?|INF)|-INF|NaN",
    "boolean": r"true|false|1|0",
    "date": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])(Z|[+-]\d\d:\d\d)?",
    "dateTime": r"-?\d{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
    "time": r"([01]\d|2[0-4]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]\d\d:\d\d)?",
    "gYear": r"-?\d{4,}(Z|[+-]\d\d:\d\d)?",
    "gYearMonth": r"-?\d{4,}-(0[1-9]|1[0-2])(Z|[+-]\d\d:\d\d)?",
}
_LEXICAL["float"] = _LEXICAL["double"]
for _t in _INT_TYPES:
    _LEXICAL[_t] = _LEXICAL["integer"]
_LEXICAL_RE = {k: re.compile(v) for k, v in _LEXICAL.items()}
_NUMERIC = _INT_TYPES | {"decimal", "double", "float"}


def _well_formed(lit: Literal) -> bool:
    dt = lit.datatype.value
    if not dt.startswith(XSD):
        return True
    local = dt[len(XSD) :]
    rx = _LEXICAL_RE.get(local)
    if rx is not None and not rx.fullmatch(lit.value):
        return False
    if local in (
        "nonNegativeInteger",
        "unsignedInt",
        "unsignedLong",
        "unsignedShort",
        "unsignedByte",
    ):
        return int(lit.value) >= 0
    if local == "positiveInteger":
        return int(lit.value) > 0
    if local == "nonPositiveInteger":
        return int(lit.value) <= 0
    if local == "negativeInteger":
        return int(lit.value) < 0
    return True


def _comparable(term: Any) -> tuple[str, Any] | None:
    """A (kind, value) pair for ordering comparisons, or None if the term has no order."""
    if not isinstance(term, Literal) or term.language:
        return None
    dt = term.datatype.value
    local = dt[len(XSD) :] if dt.startswith(XSD) else None
    if local in _NUMERIC:
        if not _well_formed(term):
            return None
        try:
            return ("number", Decimal(term.value.replace("INF", "Infinity")))
        except InvalidOperation:
            return None
    if local == "string":
        return ("string", term.value)
    if local in ("date", "dateTime", "gYear", "gYearMonth", "time"):
        return (local, term.value) if _well_formed(term) else None
    return None


def _compare(a: Any, b: Any) -> int | None:
    ca, cb = _comparable(a), _comparable(b)
    if ca is None or cb is None or ca[0] != cb[0]:
        return None
    return (ca[1] > cb[1]) - (ca[1] < cb[1])


def _lang_matches(tag: str, wanted: str) -> bool:
    tag, wanted = tag.lower(), wanted.lower()
    return wanted == "*" or tag == wanted or tag.startswith(wanted + "-")


# -- the engine -------------------------------------------------------------------------------


class Engine:
    """Validate the data in one store against the shapes in another."""

    def __init__(self, data: Store, shapes: Store) -> None:
        self.data = data
        self.shapes = shapes
        self._index: dict[tuple[Any, str], list[Any]] = {}
        for quad in shapes:
            p = quad.predicate.value
            self._index.setdefault((quad.subject, p), []).append(quad.object)
            if p.startswith(SH) and p[len(SH) :] not in _KNOWN:
                raise Unsupported(f"sh:{p[len(SH) :]}")
        self._superclasses: dict[Any, set[Any]] = {}
        self._conforms: dict[tuple[Any, Any], bool] = {}
        self._lists: dict[Any, list[Any]] = {}
        self._params: dict[Any, dict[str, list[Any]]] = {}

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
        for q in self.data.quads_for_pattern(s, p, None, None):
            yield q.object

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
                and any(t.value in _SHAPE_TYPES for t in self._index[(s, p)])
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

    def validate(self) -> list[RawResult]:
        results: list[RawResult] = []
        for shape in self.shapes_with_targets():
            focus = self.focus_nodes(shape)
            if focus:
                results.extend(self.evaluate(shape, focus))
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

        for focus in focus_nodes:
            values = [focus] if path is None else self.path_values(focus, path)
            self._check(shape, focus, values, path, emit, out)
        return out

    def _shape_params(self, shape: Any) -> dict[str, list[Any]]:
        cached = self._params.get(shape)
        if cached is None:
            cached = {}
            for (s, p), objects in self._index.items():
                if s == shape and p.startswith(SH):
                    cached[p[len(SH) :]] = objects
            self._params[shape] = cached
        return cached

    def _check(
        self, shape: Any, focus: Any, values: list[Any], path: Any, emit: Any, out: list[RawResult]
    ) -> None:
        params = self._shape_params(shape)

        def g(s: Any, name: str) -> list[Any]:
            return params.get(name, [])

        for cls in g(shape, "class"):
            for v in values:
                if not self._is_instance(v, cls):
                    emit(focus, "ClassConstraintComponent", v, f"is not an instance of {cls}")
        for dt in g(shape, "datatype"):
            for v in values:
                ok = isinstance(v, Literal) and v.datatype == dt and _well_formed(v)
                if ok and dt == RDF_LANGSTRING:
                    ok = bool(v.language)
                if not ok:
                    emit(focus, "DatatypeConstraintComponent", v, f"should have datatype {dt}")
        for kind in g(shape, "nodeKind"):
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
            for bound in g(shape, "minCount"):
                if len(values) < int(bound.value):
                    emit(
                        focus,
                        "MinCountConstraintComponent",
                        None,
                        f"has {len(values)} value(s), needs at least {bound.value}",
                    )
            for bound in g(shape, "maxCount"):
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
            for bound in g(shape, name):
                for v in values:
                    if _compare(v, bound) not in ok_signs:
                        emit(
                            focus,
                            name[0].upper() + name[1:] + "ConstraintComponent",
                            v,
                            f"{name} {bound.value}",
                        )
        for name in ("minLength", "maxLength"):
            for bound in g(shape, name):
                for v in values:
                    if isinstance(v, BlankNode):
                        ok = False
                    else:
                        n = len(v.value)
                        ok = n >= int(bound.value) if name == "minLength" else n <= int(bound.value)
                    if not ok:
                        emit(
                            focus,
                            name[0].upper() + name[1:] + "ConstraintComponent",
                            v,
                            f"{name} {bound.value}",
                        )
        for pattern in g(shape, "pattern"):
            flags = self._one(shape, "flags")
            rx = re.compile(pattern.value, _re_flags(flags.value if flags else ""))
            for v in values:
                if isinstance(v, BlankNode) or not rx.search(v.value):
                    emit(
                        focus, "PatternConstraintComponent", v, f"does not match {pattern.value!r}"
                    )
        for langs in g(shape, "languageIn"):
            wanted = [t.value for t in self._list(langs)]
            for v in values:
                if not (
                    isinstance(v, Literal)
                    and v.language
                    and any(_lang_matches(v.language, w) for w in wanted)
                ):
                    emit(
                        focus,
                        "LanguageInConstraintComponent",
                        v,
                        f"language should be one of {wanted}",
                    )
        unique = self._one(shape, "uniqueLang")
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
            for other in g(shape, name):
                others = (
                    list(dict.fromkeys(self._objects(focus, other)))
                    if not isinstance(focus, Literal)
                    else []
                )
                comp = name[0].upper() + name[1:] + "ConstraintComponent"
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
                            if _compare(v, o) not in ok_signs:
                                emit(focus, comp, v, f"is not {name} {o}")
        for members in g(shape, "in"):
            allowed_values = self._list(members)
            for v in values:
                if v not in allowed_values:
                    emit(focus, "InConstraintComponent", v, "is not one of the allowed values")
        for wanted_value in g(shape, "hasValue"):
            if wanted_value not in values:
                emit(focus, "HasValueConstraintComponent", None, f"misses the value {wanted_value}")
        for node_shape in g(shape, "node"):
            for v in values:
                if not self.conforms(node_shape, v):
                    emit(
                        focus,
                        "NodeConstraintComponent",
                        v,
                        f"does not conform to shape {node_shape}",
                    )
        for prop in g(shape, "property"):
            out.extend(self.evaluate(prop, values))
        for name in ("and", "or", "xone"):
            for members in g(shape, name):
                parts = self._list(members)
                for v in values:
                    n = sum(1 for s in parts if self.conforms(s, v))
                    ok = n == len(parts) if name == "and" else n >= 1 if name == "or" else n == 1
                    if not ok:
                        emit(
                            focus,
                            name[0].upper() + name[1:] + "ConstraintComponent",
                            v,
                            f"does not satisfy sh:{name}",
                        )
        for negated in g(shape, "not"):
            for v in values:
                if self.conforms(negated, v):
                    emit(
                        focus,
                        "NotConstraintComponent",
                        v,
                        f"conforms to shape {negated}, which it must not",
                    )
        closed = self._one(shape, "closed")
        if isinstance(closed, Literal) and closed.value in ("true", "1"):
            allowed_p = {self._one(p, "path") for p in g(shape, "property")}
            for ignored in g(shape, "ignoredProperties"):
                allowed_p.update(self._list(ignored))
            for v in values:
                if isinstance(v, Literal):
                    continue
                for q in self.data.quads_for_pattern(v, None, None, None):
                    if q.predicate not in allowed_p:
                        emit(
                            focus,
                            "ClosedConstraintComponent",
                            q.object,
                            f"property {q.predicate} is not allowed",
                            q.predicate,
                        )
        for qshape in g(shape, "qualifiedValueShape"):
            disjoint = self._one(shape, "qualifiedValueShapesDisjoint")
            if isinstance(disjoint, Literal) and disjoint.value in ("true", "1"):
                raise Unsupported("sh:qualifiedValueShapesDisjoint")
            n = sum(1 for v in values if self.conforms(qshape, v))
            for bound in g(shape, "qualifiedMinCount"):
                if n < int(bound.value):
                    emit(
                        focus,
                        "QualifiedMinCountConstraintComponent",
                        None,
                        f"{n} value(s) conform, needs {bound.value}",
                    )
            for bound in g(shape, "qualifiedMaxCount"):
                if n > int(bound.value):
                    emit(
                        focus,
                        "QualifiedMaxCountConstraintComponent",
                        None,
                        f"{n} values conform, allows {bound.value}",
                    )
        for constraint in g(shape, "sparql"):
            self._sparql(shape, constraint, focus, path, emit)

    # SPARQL-based constraints
    def _prefixes(self, constraint: Any) -> str:
        lines = []
        for ontology in self._get(constraint, "prefixes"):
            for decl in self._get(ontology, "declare"):
                prefix, ns = self._one(decl, "prefix"), self._one(decl, "namespace")
                if prefix is not None and ns is not None:
                    lines.append(f"PREFIX {prefix.value}: <{ns.value}>")
        return "\n".join(lines) + "\n"

    def _sparql(self, shape: Any, constraint: Any, focus: Any, path: Any, emit: Any) -> None:
        deactivated = self._one(constraint, "deactivated")
        if isinstance(deactivated, Literal) and deactivated.value in ("true", "1"):
            return
        select = self._one(constraint, "select")
        if select is None:
            raise Unsupported("sh:sparql without sh:select")
        text = select.value
        if path is not None and "$PATH" in text:
            text = text.replace("$PATH", self.path_sparql(path))
        query = self._prefixes(constraint) + text
        messages = self._get(constraint, "message") or self._get(shape, "message")
        try:
            rows: Any = self.data.query(query, substitutions={Variable("this"): focus})
        except SyntaxError as exc:
            from clustergraph.errors import InputError

            raise InputError(f"the SPARQL of shape {shape} does not parse: {exc}") from None
        for row in rows:
            bindings = {var.value: row[var] for var in rows.variables if row[var] is not None}
            value = bindings.get("value", focus if path is None else None)
            rpath = bindings.get("path", path)
            filled = [
                Literal(_fill_template(m.value, bindings), language=m.language)
                if m.language
                else Literal(_fill_template(m.value, bindings))
                for m in messages
            ]
            emit(focus, "SPARQLConstraintComponent", value, "", rpath, filled)

    def path_sparql(self, path: Any) -> str:
        if isinstance(path, NamedNode):
            return f"<{path.value}>"
        if (path, RDF + "first") in self._index:
            return "(" + "/".join(self.path_sparql(p) for p in self._list(path)) + ")"
        for name, fmt in (
            ("inversePath", "^{}"),
            ("zeroOrMorePath", "{}*"),
            ("oneOrMorePath", "{}+"),
            ("zeroOrOnePath", "{}?"),
        ):
            inner = self._one(path, name)
            if inner is not None:
                return "(" + fmt.format(self.path_sparql(inner)) + ")"
        alternative = self._one(path, "alternativePath")
        if alternative is not None:
            return "(" + "|".join(self.path_sparql(p) for p in self._list(alternative)) + ")"
        raise Unsupported(f"property path {path}")


def _fill_template(template: str, bindings: dict[str, Any]) -> str:
    def repl(m: re.Match[str]) -> str:
        term = bindings.get(m.group(1))
        if term is None:
            return m.group(0)
        return term.value if isinstance(term, (Literal, NamedNode)) else str(term)

    return re.sub(r"\{[?$](\w+)\}", repl, template)


def _re_flags(flags: str) -> int:
    value = 0
    for ch in flags:
        value |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "x": re.VERBOSE}.get(ch, 0)
    return value
