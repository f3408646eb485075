"""SPARQL-based constraint components (SHACL 6) for `clustergraph.shacl.Engine`.

A constraint component is a node of the shapes graph with `sh:parameter`s and validators. A shape
that has a value for each of its mandatory parameters uses it: the validator (for a node shape
`sh:nodeValidator`, for a property shape `sh:propertyValidator`, else `sh:validator`) runs with
the parameters pre-bound by their local names, once per combination of their values. An ASK
validator is asked about each value node (false: a result); each row of a SELECT validator is
a result, as for `sh:sparql`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode

from clustergraph.errors import InputError
from clustergraph.shacl.sparql import SparqlConstraints
from clustergraph.shacl.sparql_text import fill_template, forbidden_forms
from clustergraph.shacl.terms import SH, Unsupported, is_true

__all__ = ["Component", "ComponentConstraints"]


@dataclass(frozen=True)
class Parameter:
    """A parameter of a component: its predicate, the variable it binds, whether optional."""

    predicate: Any
    name: str
    optional: bool


@dataclass(frozen=True)
class Component:
    """A SPARQL-based constraint component, as the shapes graph declares it."""

    node: Any
    parameters: tuple[Parameter, ...]
    node_validator: Any
    property_validator: Any


def _local_name(iri: str) -> str:
    for sep in ("#", "/", ":"):
        if sep in iri:
            iri = iri.rsplit(sep, 1)[-1]
    return iri


class ComponentConstraints(SparqlConstraints):
    """The SPARQL-based constraint components of an engine: mixed into `Engine`, whose graph
    access (`_get`, `_one`, `path_values`, `_as_written`) it uses, with the query running of
    `SparqlConstraints`."""

    _index: dict[tuple[Any, str], list[Any]]
    _component_list: list[Component] | None

    def _components(self) -> list[Component]:
        """Every constraint component the shapes graph declares (found once)."""
        if self._component_list is None:
            found = []
            for node in dict.fromkeys(s for (s, p) in self._index if p == SH + "parameter"):
                parameters = []
                for param in self._get(node, "parameter"):
                    predicate = self._one(param, "path")
                    if not isinstance(predicate, NamedNode):
                        continue
                    optional = is_true(self._one(param, "optional"))
                    parameters.append(Parameter(predicate, _local_name(predicate.value), optional))
                generic = self._one(node, "validator")
                found.append(
                    Component(
                        node,
                        tuple(parameters),
                        self._one(node, "nodeValidator") or generic,
                        self._one(node, "propertyValidator") or generic,
                    )
                )
            self._component_list = found
        return self._component_list

    def _bindings_of(self, shape: Any, component: Component) -> Iterator[dict[str, Any]]:
        """The parameter values of `shape` for `component`, one dict per combination (none
        when a mandatory parameter has no value: the shape does not use the component)."""
        names, choices = [], []
        for param in component.parameters:
            values = self._index.get((shape, param.predicate.value), [])
            if not values:
                if not param.optional:
                    return
                continue
            names.append(param.name)
            choices.append(values)
        if not names:
            return
        for combination in itertools.product(*choices):
            yield dict(zip(names, combination, strict=True))

    def _uses_components(self, shape: Any) -> bool:
        """True when `shape` gives the parameters of some declared constraint component."""
        return any(
            next(self._bindings_of(shape, component), None) is not None
            for component in self._components()
        )

    def _custom(self, shape: Any, focus_nodes: list[Any], path: Any, emit: Any) -> None:
        """Run the components `shape` uses on its focus nodes."""
        for component in self._components():
            validator = component.node_validator if path is None else component.property_validator
            if validator is None:
                continue
            for params in self._bindings_of(shape, component):
                self._validate_with(shape, component, validator, params, focus_nodes, path, emit)

    def _validate_with(
        self,
        shape: Any,
        component: Component,
        validator: Any,
        params: dict[str, Any],
        focus_nodes: list[Any],
        path: Any,
        emit: Any,
    ) -> None:
        ask = self._one(validator, "ask")
        select = self._one(validator, "select")
        text = (ask or select).value if (ask or select) is not None else None
        if text is None:
            return
        forbidden = forbidden_forms(text)
        if forbidden:
            raise InputError(
                f"the validator of constraint component {component.node} uses "
                f"{', '.join(forbidden)}, which SHACL does not allow"
            )
        if path is not None and "$PATH" in text:
            text = text.replace("$PATH", self.path_sparql(path))
        query = self._prefixes(validator) + text
        messages = self._get(validator, "message") or self._get(shape, "message")
        if not isinstance(component.node, NamedNode):
            raise Unsupported("a constraint component that is a blank node")
        name = component.node.value

        def filled(bindings: dict[str, Any]) -> list[Literal]:
            return [
                Literal(fill_template(m.value, bindings), language=m.language)
                if m.language
                else Literal(fill_template(m.value, bindings))
                for m in messages
            ]

        for focus in focus_nodes:
            if ask is not None:
                values = [focus] if path is None else self.path_values(focus, path)
                for value in values:
                    bound = {**params, "this": focus, "value": value}
                    if not bool(self._execute(shape, query, bound)):
                        emit(focus, name, value, "", path, filled(bound))
                continue
            rows = self._execute(shape, query, {**params, "this": focus})
            names = [var.value for var in rows.variables]
            for row in rows:
                bindings = {n: row[n] for n in names if row[n] is not None}
                bindings.pop("cgPrebound1", None)
                bindings = {**params, **bindings, "this": focus}
                value = bindings.get("value", focus if path is None else None)
                rpath = bindings.get("path", path)
                if isinstance(value, Literal):
                    value = self._as_written(focus, rpath, value)
                emit(focus, name, value, "", rpath, filled(bindings))
