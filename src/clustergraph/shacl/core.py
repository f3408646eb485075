"""The SHACL Core constraints of `clustergraph.shacl.Engine`, checked on one focus node and
its value nodes."""

from __future__ import annotations

import re
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode

from clustergraph.shacl.terms import (
    RDF_LANGSTRING,
    SH,
    RawResult,
    compare,
    component_of,
    is_true,
    lang_matches,
    re_flags,
    well_formed,
)

__all__ = ["CoreConstraints"]


class CoreConstraints:
    """The core constraints of an engine: mixed into `Engine`, whose graph access (`_get`,
    `_one`, `_list`, `_objects`, `_shape_params`, `conforms`, `evaluate`) it uses."""

    data: Any
    _index: dict[tuple[Any, str], list[Any]]
    _allowed: dict[Any, set[Any]]

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
        if path is not None and is_true(unique):
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
        if is_true(closed):
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
            siblings = (
                self._siblings(shape, qshape)
                if is_true(self._one(shape, "qualifiedValueShapesDisjoint"))
                else []
            )
            n = sum(
                1
                for v in values
                if self.conforms(qshape, v) and not any(self.conforms(s, v) for s in siblings)
            )
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
