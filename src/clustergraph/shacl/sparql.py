"""SHACL-SPARQL constraints (`sh:sparql` with `sh:select`) for `clustergraph.shacl.Engine`.

A constraint runs set-at-a-time when its text allows (see `clustergraph.shacl.sparql_text`): one
query for all focus nodes of the shape, the focus nodes as a VALUES block, the rows sorted per
focus node; otherwise once per focus node with `$this` pre-bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Variable

from clustergraph.errors import InputError
from clustergraph.shacl.sparql_text import (
    absence_form,
    fill_prebinding,
    fill_template,
    forbidden_forms,
    prebinding_template,
    values_block,
    variables,
    with_focus_values,
)
from clustergraph.shacl.terms import OWL, RDF, Unsupported, is_true

__all__ = ["SparqlConstraints"]

#: Focus nodes per set-at-a-time query of a SPARQL constraint.
_BATCH = 5000
#: The name of the shapes graph, for `$shapesGraph` (SHACL 5.3.1).
SHAPES_GRAPH = NamedNode("urn:x-clustergraph:shapes-graph")


@dataclass(frozen=True)
class PreparedQuery:
    """A SPARQL constraint's query: whole (for one focus node), and split where the VALUES
    block of a set-at-a-time run goes (None when it cannot run that way)."""

    query: str
    messages: list[Any]
    batch: tuple[str, str] | None
    absence: bool = False
    """True when `batch` is the positive form of a lone FILTER NOT EXISTS (`absence_form`)."""


class SparqlConstraints:
    """The SPARQL-based constraints of an engine: mixed into `Engine`, whose graph access
    (`_get`, `_one`, `_list`, `_as_written`) it uses."""

    data: Store
    lexical: Any
    _index: dict[tuple[Any, str], list[Any]]
    shapes: Any
    _queries: dict[tuple[Any, Any], PreparedQuery | None]
    _with_shapes: Store | None
    _templates: dict[tuple[str, frozenset[str]], tuple[str, ...]]

    # SPARQL-based constraints
    def _prefixes(self, constraint: Any) -> str:
        """PREFIX lines for the sh:declare of the constraint's sh:prefixes, and of the
        ontologies those import (owl:imports, within the shapes graph)."""
        lines: dict[str, None] = {}
        todo, seen = list(self._get(constraint, "prefixes")), set()
        while todo:
            ontology = todo.pop(0)
            if ontology in seen:
                continue
            seen.add(ontology)
            for decl in self._get(ontology, "declare"):
                prefix, ns = self._one(decl, "prefix"), self._one(decl, "namespace")
                if prefix is not None and ns is not None:
                    lines.setdefault(f"PREFIX {prefix.value}: <{ns.value}>", None)
            todo.extend(self._get(ontology, "imports", OWL))
        return "\n".join(lines) + "\n"

    def _prepared(self, shape: Any, constraint: Any, path: Any) -> PreparedQuery | None:
        """The query of a SPARQL constraint, ready to run (None when it is deactivated)."""
        key = (shape, constraint)
        if key in self._queries:
            return self._queries[key]
        prepared = None
        if not is_true(self._one(constraint, "deactivated")):
            select = self._one(constraint, "select")
            if select is None:
                raise Unsupported("sh:sparql without sh:select")
            text = select.value
            forbidden = forbidden_forms(text)
            if forbidden:
                raise InputError(
                    f"the SPARQL constraint of shape {shape} uses {', '.join(forbidden)}, "
                    "which SHACL does not allow in a constraint"
                )
            if path is not None and "$PATH" in text:
                text = text.replace("$PATH", self.path_sparql(path))
            query = self._prefixes(constraint) + text
            messages = self._get(constraint, "message") or self._get(shape, "message")
            absence = absence_form(query)
            batch = absence or with_focus_values(query)
            if {"currentShape", "shapesGraph"} & set(variables(query)):
                absence, batch = None, None
            prepared = PreparedQuery(query, messages, batch, absence is not None)
        self._queries[key] = prepared
        return prepared

    def _sparql(
        self, shape: Any, constraint: Any, focus_nodes: list[Any], path: Any, emit: Any
    ) -> None:
        prepared = self._prepared(shape, constraint, path)
        if prepared is None or not focus_nodes:
            return
        rows_of: dict[Any, list[dict[str, Any]]] = {}
        one_by_one = focus_nodes
        if prepared.batch is not None and len(focus_nodes) > 1:
            named = [f for f in focus_nodes if isinstance(f, NamedNode)]
            one_by_one = [f for f in focus_nodes if not isinstance(f, NamedNode)]
            before, after = prepared.batch
            size = getattr(self.data, "constraint_batch", _BATCH)  # a store that cuts answers
            for start in range(0, len(named), size):
                chunk = named[start : start + size]
                rows_of.update((f, []) for f in chunk)
                found = self._run(shape, before + values_block(chunk) + after)
                if prepared.absence:
                    present = {bindings.get("this") for bindings in found}
                    for focus in chunk:
                        if focus not in present:
                            rows_of[focus].append({"this": focus})
                    continue
                for bindings in found:
                    focus = bindings.get("this")
                    if focus in rows_of:
                        rows_of[focus].append(bindings)
        for focus in one_by_one:
            rows_of[focus] = list(self._run(shape, prepared.query, focus))
        for focus in focus_nodes:
            for bindings in rows_of.get(focus, ()):
                value = bindings.get("value", focus if path is None else None)
                rpath = bindings.get("path", path)
                if isinstance(value, Literal):
                    value = self._as_written(focus, rpath, value)
                filled = [
                    Literal(fill_template(m.value, bindings), language=m.language)
                    if m.language
                    else Literal(fill_template(m.value, bindings))
                    for m in prepared.messages
                ]
                emit(focus, "SPARQLConstraintComponent", value, "", rpath, filled)

    def _run(self, shape: Any, query: str, focus: Any = None) -> Iterator[dict[str, Any]]:
        """The rows of a constraint's query as {variable name: term}, with `$this` (if given),
        `$currentShape` and `$shapesGraph` pre-bound."""
        rows = self._execute(shape, query, {} if focus is None else {"this": focus})
        names = [var.value for var in rows.variables]
        for row in rows:
            found = {name: row[name] for name in names if row[name] is not None}
            found.pop("cgPrebound1", None)
            if focus is not None:
                found["this"] = focus
            yield found

    def _execute(self, shape: Any, query: str, bound: dict[str, Any]) -> Any:
        """Run a query of `shape` with the given variables pre-bound (and `$currentShape`,
        `$shapesGraph` when it uses them); Oxigraph's result (rows, or a boolean for ASK)."""
        mentioned = set(variables(query))
        bound = {n: t for n, t in bound.items() if n in mentioned}
        if "currentShape" in mentioned:
            bound["currentShape"] = shape
        store = self.data
        if "shapesGraph" in mentioned:
            store = self._store_with_shapes()
            bound["shapesGraph"] = SHAPES_GRAPH
        # Terms go into the text, where they reach nested groups, BIND and sub-queries;
        # a blank node cannot (it would be a new one), so it stays a substitution.
        as_text = {n: str(t) for n, t in bound.items() if not isinstance(t, BlankNode)}
        substitutions = {Variable(n): t for n, t in bound.items() if isinstance(t, BlankNode)}
        text = query
        if as_text:
            key = (query, frozenset(as_text))
            template = self._templates.get(key)
            if template is None:
                template = self._templates[key] = prebinding_template(query, as_text)
            text = fill_prebinding(template, as_text)
        try:
            return store.query(text, substitutions=substitutions or None)
        except SyntaxError as exc:
            raise InputError(f"the SPARQL of shape {shape} does not parse: {exc}") from None

    def _store_with_shapes(self) -> Store:
        """A copy of the data with the shapes graph as the named graph `SHAPES_GRAPH`, for
        queries that use `$shapesGraph` (made once, only for them)."""
        if self._with_shapes is None:
            store = Store()
            store.bulk_extend(self.data)
            store.bulk_extend(
                Quad(q.subject, q.predicate, q.object, SHAPES_GRAPH) for q in self.shapes
            )
            self._with_shapes = store
        return self._with_shapes

    def path_sparql(self, path: Any) -> str:
        """A SHACL property path in SPARQL property-path syntax (for `$PATH`)."""
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
