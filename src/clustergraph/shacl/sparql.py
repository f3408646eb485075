"""SHACL-SPARQL constraints (`sh:sparql` with `sh:select`) for `clustergraph.shacl.Engine`.

A constraint runs set-at-a-time when its text allows (see `clustergraph.shacl.sparql_text`): one
query for all focus nodes of the shape, the focus nodes as a VALUES block, the rows sorted per
focus node; otherwise once per focus node with `$this` pre-bound.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Store, Variable

from clustergraph.errors import InputError
from clustergraph.shacl.sparql_text import (
    absence_form,
    fill_template,
    forbidden_forms,
    values_block,
    with_focus_values,
)
from clustergraph.shacl.terms import RDF, Unsupported

__all__ = ["SparqlConstraints"]

#: Focus nodes per set-at-a-time query of a SPARQL constraint.
_BATCH = 5000


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
    _queries: dict[tuple[Any, Any], PreparedQuery | None]

    # SPARQL-based constraints
    def _prefixes(self, constraint: Any) -> str:
        lines = []
        for ontology in self._get(constraint, "prefixes"):
            for decl in self._get(ontology, "declare"):
                prefix, ns = self._one(decl, "prefix"), self._one(decl, "namespace")
                if prefix is not None and ns is not None:
                    lines.append(f"PREFIX {prefix.value}: <{ns.value}>")
        return "\n".join(lines) + "\n"

    def _prepared(self, shape: Any, constraint: Any, path: Any) -> PreparedQuery | None:
        """The query of a SPARQL constraint, ready to run (None when it is deactivated)."""
        key = (shape, constraint)
        if key in self._queries:
            return self._queries[key]
        prepared = None
        deactivated = self._one(constraint, "deactivated")
        if not (isinstance(deactivated, Literal) and deactivated.value in ("true", "1")):
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
            prepared = PreparedQuery(
                query, messages, absence or with_focus_values(query), absence is not None
            )
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
            for start in range(0, len(named), _BATCH):
                chunk = named[start : start + _BATCH]
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
        """The rows of a constraint's query as {variable name: term}, `$this` pre-bound if given."""
        substitutions = {Variable("this"): focus} if focus is not None else None
        try:
            rows: Any = self.data.query(query, substitutions=substitutions)
        except SyntaxError as exc:
            raise InputError(f"the SPARQL of shape {shape} does not parse: {exc}") from None
        variables = rows.variables
        for row in rows:
            yield {var.value: row[var] for var in variables if row[var] is not None}

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
