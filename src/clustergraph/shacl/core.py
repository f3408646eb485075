"""The SHACL Core constraints of `clustergraph.shacl.Engine`, checked on one focus node and
its value nodes.

Each shape is compiled once into the checks its parameters call for (closures over the
parameter values), so that a shape with three parameters costs three calls per focus node,
not a look-up of every parameter SHACL defines."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from clustergraph.shacl.patterns import compile_pattern, describe_shape, named_holder
from clustergraph.shacl.terms import (
    RDF_LANGSTRING,
    SH,
    RawResult,
    compare,
    component_of,
    is_true,
    lang_matches,
    well_formed,
)

__all__ = ["CoreCheck", "CoreConstraints"]

#: One compiled check: (focus node, its value nodes, emit, the results list, nested).
CoreCheck = Callable[[Any, list[Any], Any, list[RawResult], bool], None]

_NODE_KINDS: dict[str, tuple[type, ...]] = {
    "IRI": (NamedNode,),
    "BlankNode": (BlankNode,),
    "Literal": (Literal,),
    "BlankNodeOrIRI": (BlankNode, NamedNode),
    "BlankNodeOrLiteral": (BlankNode, Literal),
    "IRIOrLiteral": (NamedNode, Literal),
}

_RANGES = (
    ("minInclusive", (0, 1)),
    ("maxInclusive", (-1, 0)),
    ("minExclusive", (1,)),
    ("maxExclusive", (-1,)),
)


class CoreConstraints:
    """The core constraints of an engine: mixed into `Engine`, whose graph access (`_get`,
    `_one`, `_list`, `_objects`, `_described`, `_shape_params`, `conforms`, `evaluate`) it
    uses; `Engine.evaluate` runs the checks `_core_checks` gives."""

    data: Any
    _index: dict[tuple[Any, str], list[Any]]
    _allowed: dict[Any, set[Any]]
    _compiled: dict[Any, tuple[CoreCheck, ...]]

    def _closed_allowed(self, shape: Any, params: dict[str, list[Any]]) -> set[Any]:
        """The predicates a closed shape allows: its property paths and sh:ignoredProperties."""
        allowed = self._allowed.get(shape)
        if allowed is None:
            allowed = {self._one(p, "path") for p in params.get("property", ())}
            for ignored in params.get("ignoredProperties", ()):
                allowed.update(self._list(ignored))
            self._allowed[shape] = allowed
        return allowed

    def _core_checks(self, shape: Any) -> tuple[CoreCheck, ...]:
        """The compiled checks of a shape, in the order SHACL lists the components."""
        checks = self._compiled.get(shape)
        if checks is None:
            checks = self._compiled[shape] = tuple(self._compile(shape))
        return checks

    def _compile(self, shape: Any) -> Iterator[CoreCheck]:
        params = self._shape_params(shape)
        on_path = self._one(shape, "path") is not None
        yield from self._value_type_checks(params)
        if on_path:
            yield from self._cardinality_checks(params)
        yield from self._value_range_checks(shape, params)
        if on_path and is_true(next(iter(params.get("uniqueLang", ())), None)):
            yield _unique_lang
        yield from self._pair_checks(params)
        yield from self._other_checks(params)
        yield from self._shape_checks(shape, params)

    def _value_type_checks(self, params: dict[str, list[Any]]) -> Iterator[CoreCheck]:
        is_instance = self._is_instance
        for cls in params.get("class", ()):

            def check_class(focus, values, emit, out, nested, cls=cls):
                for v in values:
                    if not is_instance(v, cls):
                        emit(focus, "ClassConstraintComponent", v, f"is not an instance of {cls}")

            yield check_class
        for dt in params.get("datatype", ()):

            def check_datatype(focus, values, emit, out, nested, dt=dt):
                for v in values:
                    ok = isinstance(v, Literal) and v.datatype == dt and well_formed(v)
                    if ok and dt == RDF_LANGSTRING:
                        ok = bool(v.language)
                    if not ok:
                        emit(focus, "DatatypeConstraintComponent", v, f"should have datatype {dt}")

            yield check_datatype
        for kind in params.get("nodeKind", ()):
            allowed = _NODE_KINDS[kind.value[len(SH) :]]

            def check_kind(focus, values, emit, out, nested, kind=kind, allowed=allowed):
                for v in values:
                    if not isinstance(v, allowed):
                        emit(focus, "NodeKindConstraintComponent", v,
                             f"should be of node kind {kind}")

            yield check_kind

    def _cardinality_checks(self, params: dict[str, list[Any]]) -> Iterator[CoreCheck]:
        for bound in params.get("minCount", ()):
            low = int(bound.value)

            def check_min(focus, values, emit, out, nested, low=low):
                if len(values) < low:
                    emit(focus, "MinCountConstraintComponent", None,
                         f"has {len(values)} value(s), needs at least {low}")

            yield check_min
        for bound in params.get("maxCount", ()):
            high = int(bound.value)

            def check_max(focus, values, emit, out, nested, high=high):
                if len(values) > high:
                    emit(focus, "MaxCountConstraintComponent", None,
                         f"has {len(values)} values, allows at most {high}")

            yield check_max

    def _value_range_checks(self, shape: Any, params: dict[str, list[Any]]) -> Iterator[CoreCheck]:
        for name, ok_signs in _RANGES:
            for bound in params.get(name, ()):
                component, detail = component_of(name), f"{name} {bound.value}"

                def check_range(focus, values, emit, out, nested, bound=bound, ok_signs=ok_signs,
                                component=component, detail=detail):
                    for v in values:
                        if compare(v, bound) not in ok_signs:
                            emit(focus, component, v, detail)

                yield check_range
        for name in ("minLength", "maxLength"):
            for bound in params.get(name, ()):
                limit, at_least = int(bound.value), name == "minLength"
                component, detail = component_of(name), f"{name} {bound.value}"

                def check_length(focus, values, emit, out, nested, limit=limit, at_least=at_least,
                                 component=component, detail=detail):
                    for v in values:
                        if isinstance(v, BlankNode):
                            ok = False
                        else:
                            ok = len(v.value) >= limit if at_least else len(v.value) <= limit
                        if not ok:
                            emit(focus, component, v, detail)

                yield check_length
        for pattern in params.get("pattern", ()):
            flags = self._one(shape, "flags")
            rx = compile_pattern(  # an invalid pattern or flag is refused here, before any value
                pattern.value, flags.value if flags else "", lambda shape=shape: self._named(shape)
            )
            detail = f"does not match {pattern.value!r}"

            def check_pattern(focus, values, emit, out, nested, rx=rx, detail=detail):
                named = focus.__str__  # the focus node in errors: a match over the time limit
                for v in values:
                    if isinstance(v, BlankNode) or not rx.search(v.value, named):
                        emit(focus, "PatternConstraintComponent", v, detail)

            yield check_pattern
        for langs in params.get("languageIn", ()):
            wanted = [t.value for t in self._list(langs)]

            def check_languages(focus, values, emit, out, nested, wanted=wanted):
                for v in values:
                    if not (
                        isinstance(v, Literal)
                        and v.language
                        and any(lang_matches(v.language, w) for w in wanted)
                    ):
                        emit(focus, "LanguageInConstraintComponent", v,
                             f"language should be one of {wanted}")

            yield check_languages

    def _pair_checks(self, params: dict[str, list[Any]]) -> Iterator[CoreCheck]:
        """sh:equals, sh:disjoint, sh:lessThan and sh:lessThanOrEquals."""
        for name in ("equals", "disjoint", "lessThan", "lessThanOrEquals"):
            for other in params.get(name, ()):
                yield self._pair_check(name, other)

    def _pair_check(self, name: str, other: Any) -> CoreCheck:
        objects, comp = self._objects, component_of(name)
        ok_signs = (-1,) if name == "lessThan" else (-1, 0)

        def check_pair(focus, values, emit, out, nested):
            if isinstance(focus, Literal):
                others: list[Any] = []
            else:
                others = list(dict.fromkeys(objects(focus, other)))
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
                for v in values:
                    for o in others:
                        if compare(v, o) not in ok_signs:
                            emit(focus, comp, v, f"is not {name} {o}")

        return check_pair

    def _other_checks(self, params: dict[str, list[Any]]) -> Iterator[CoreCheck]:
        """sh:in and sh:hasValue."""
        for members in params.get("in", ()):
            allowed_values = self._list(members)

            def check_in(focus, values, emit, out, nested, allowed_values=allowed_values):
                for v in values:
                    if v not in allowed_values:
                        emit(focus, "InConstraintComponent", v, "is not one of the allowed values")

            yield check_in
        for wanted_value in params.get("hasValue", ()):

            def check_has(focus, values, emit, out, nested, wanted_value=wanted_value):
                if wanted_value not in values:
                    emit(focus, "HasValueConstraintComponent", None,
                         f"misses the value {wanted_value}")

            yield check_has

    def _shape_checks(self, shape: Any, params: dict[str, list[Any]]) -> Iterator[CoreCheck]:
        """The shape-based constraints: sh:node, sh:property, the logical ones, sh:closed and
        the qualified value shapes."""
        conforms, evaluate = self.conforms, self.evaluate
        for node_shape in params.get("node", ()):

            def check_node(focus, values, emit, out, nested, node_shape=node_shape):
                for v in values:
                    if not conforms(node_shape, v):
                        emit(focus, "NodeConstraintComponent", v,
                             f"does not conform to shape {node_shape}")

            yield check_node
        props = params.get("property", ())
        if props:

            def check_properties(focus, values, emit, out, nested):
                if nested:
                    for prop in props:
                        out.extend(evaluate(prop, values))

            yield check_properties
        for name in ("and", "or", "xone"):
            for members in params.get(name, ()):
                yield self._logical_check(name, self._list(members))
        for negated in params.get("not", ()):

            def check_not(focus, values, emit, out, nested, negated=negated):
                for v in values:
                    if conforms(negated, v):
                        emit(focus, "NotConstraintComponent", v,
                             f"conforms to shape {negated}, which it must not")

            yield check_not
        if is_true(next(iter(params.get("closed", ())), None)):
            yield self._closed_check(self._closed_allowed(shape, params))
        for qshape in params.get("qualifiedValueShape", ()):
            yield self._qualified_check(shape, qshape, params)

    def _logical_check(self, name: str, parts: list[Any]) -> CoreCheck:
        conforms, comp, detail = self.conforms, component_of(name), f"does not satisfy sh:{name}"

        def check_logical(focus, values, emit, out, nested):
            for v in values:
                if name == "and":
                    ok = all(conforms(s, v) for s in parts)
                elif name == "or":
                    ok = any(conforms(s, v) for s in parts)
                else:
                    ok = sum(1 for s in parts if conforms(s, v)) == 1
                if not ok:
                    emit(focus, comp, v, detail)

        return check_logical

    def _closed_check(self, allowed_p: set[Any]) -> CoreCheck:
        described = self._described

        def check_closed(focus, values, emit, out, nested):
            for v in values:
                if isinstance(v, Literal):
                    continue
                for p, o in described(v):
                    if p not in allowed_p:
                        emit(focus, "ClosedConstraintComponent", o,
                             f"property {p} is not allowed", p)

        return check_closed

    def _qualified_check(self, shape: Any, qshape: Any, params: dict[str, list[Any]]) -> CoreCheck:
        conforms = self.conforms
        siblings = (
            self._siblings(shape, qshape)
            if is_true(self._one(shape, "qualifiedValueShapesDisjoint"))
            else []
        )
        lows = [int(b.value) for b in params.get("qualifiedMinCount", ())]
        highs = [int(b.value) for b in params.get("qualifiedMaxCount", ())]

        def check_qualified(focus, values, emit, out, nested):
            n = sum(
                1
                for v in values
                if conforms(qshape, v) and not any(conforms(s, v) for s in siblings)
            )
            for low in lows:
                if n < low:
                    emit(focus, "QualifiedMinCountConstraintComponent", None,
                         f"{n} value(s) conform, needs {low}")
            for high in highs:
                if n > high:
                    emit(focus, "QualifiedMaxCountConstraintComponent", None,
                         f"{n} values conform, allows {high}")

        return check_qualified

    def _siblings(self, shape: Any, qshape: Any) -> list[Any]:
        """The other qualified value shapes of the property shapes next to `shape` (those of
        the shapes that have it as sh:property)."""
        parents = [
            s for (s, p), objects in self._index.items() if p == SH + "property" and shape in objects
        ]
        found: dict[Any, None] = {}
        for parent in parents:
            for prop in self._get(parent, "property"):
                for other in self._get(prop, "qualifiedValueShape"):
                    if other != qshape:
                        found.setdefault(other, None)
        return list(found)

    def _named(self, shape: Any) -> str:
        """How an error names `shape` (`describe_shape`): a blank node by its path and the
        nearest named shape above it (the shapes graph read backwards, only for the error)."""
        holders: dict[Any, tuple[Any, bool]] = {}
        for (s, p), objects in self._index.items():
            for o in objects:
                if isinstance(o, BlankNode):
                    holders.setdefault(o, (s, p == SH + "property"))
        holder, direct = named_holder(shape, holders.get, lambda n: isinstance(n, NamedNode))
        path = self._one(shape, "path")
        return describe_shape(
            str(shape), None if path is None else str(path),
            None if holder is None else str(holder), direct,
        )


def _unique_lang(
    focus: Any, values: list[Any], emit: Any, out: list[RawResult], nested: bool
) -> None:
    counts: dict[str, int] = {}
    for v in values:
        if isinstance(v, Literal) and v.language:
            counts[v.language.lower()] = counts.get(v.language.lower(), 0) + 1
    for lang, n in counts.items():
        if n > 1:
            emit(focus, "UniqueLangConstraintComponent", None,
                 f"more than one value in language {lang!r}")
