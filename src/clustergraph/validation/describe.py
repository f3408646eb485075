"""Turn SHACL report results into `ValidationResult`s: Turtle-like terms with the files' own
prefixes, labels, the named resource a blank node hangs from, and file:line locations."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

import pyoxigraph

from clustergraph.shacl.terms import well_formed
from clustergraph.validation.model import CHECK, SH, STANDARD_PREFIXES, ValidationResult

__all__ = [
    "LABELS",
    "Render",
    "ResultTerms",
    "add_location",
    "compact_detail",
    "copy_cbd",
    "default_message",
    "describe_result",
    "result_of",
]

#: The predicates a node's label is read from, in order of preference.
LABELS = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "https://schema.org/name",
    "http://xmlns.com/foaf/0.1/name",
)


class Render:
    """Turn Oxigraph terms into short Turtle-like text with the files' own prefixes."""

    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = sorted(
            ((ns, name) for name, ns in {**STANDARD_PREFIXES, **prefixes}.items() if ns),
            key=lambda item: -len(item[0]),
        )

    def iri(self, iri: str) -> str:
        """A prefixed name (`cg:country`) where a prefix fits and the local part is plain, else
        `<iri>`."""
        for ns, name in self.prefixes:
            if iri.startswith(ns) and len(iri) > len(ns):
                local = iri[len(ns) :]
                if all(c.isalnum() or c in "_-./" for c in local) and not local.endswith("."):
                    return f"{name}:{local}"
        return f"<{iri}>"

    def term(self, term: Any) -> str:
        """A term in Turtle syntax: prefixed IRI, `_:id`, or a quoted literal with its language
        or datatype (none for xsd:string)."""
        if isinstance(term, pyoxigraph.NamedNode):
            return self.iri(term.value)
        if isinstance(term, pyoxigraph.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, pyoxigraph.Literal):
            text = term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
            if term.language:
                return f'"{text}"@{term.language}'
            if term.datatype.value == "http://www.w3.org/2001/XMLSchema#string":
                return f'"{text}"'
            return f'"{text}"^^{self.iri(term.datatype.value)}'
        return str(term)

    def path(self, store: pyoxigraph.Store, term: Any) -> str:
        """A SHACL path (possibly a blank-node structure) in SPARQL property-path syntax."""
        if isinstance(term, pyoxigraph.NamedNode):
            return self.iri(term.value)

        def one(p: str) -> Any:
            for q in store.quads_for_pattern(term, pyoxigraph.NamedNode(p), None, None):
                return q.object
            return None

        items = _read_list(store, term)
        if items is not None:
            return "/".join(self.path(store, i) for i in items)
        for name, fmt in (
            ("inversePath", "^{}"),
            ("zeroOrMorePath", "{}*"),
            ("oneOrMorePath", "{}+"),
            ("zeroOrOnePath", "{}?"),
        ):
            inner = one(SH + name)
            if inner is not None:
                text = self.path(store, inner)
                return fmt.format(text if isinstance(inner, pyoxigraph.NamedNode) else f"({text})")
        alternative = one(SH + "alternativePath")
        if alternative is not None:
            return "|".join(self.path(store, i) for i in (_read_list(store, alternative) or []))
        return self.term(term)


def _read_list(store: pyoxigraph.Store, head: Any) -> list[Any] | None:
    first = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#first")
    rest = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#rest")
    nil = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#nil")
    items: list[Any] = []
    node = head
    while node != nil:
        firsts = [q.object for q in store.quads_for_pattern(node, first, None, None)]
        if not firsts:
            return None
        items.append(firsts[0])
        rests = [q.object for q in store.quads_for_pattern(node, rest, None, None)]
        if not rests:
            return None
        node = rests[0]
    return items


def term_label(store: pyoxigraph.Store, node: Any) -> str | None:
    """The node's label: English (or untagged) first, then any; the first in sort order when it
    has several, so that every store gives the same one."""
    if not isinstance(node, (pyoxigraph.NamedNode, pyoxigraph.BlankNode)):
        return None
    for p in LABELS:
        english, other = [], []
        for q in store.quads_for_pattern(node, pyoxigraph.NamedNode(p), None, None):
            lit = q.object
            if isinstance(lit, pyoxigraph.Literal):
                if lit.language in (None, "en") or (lit.language or "").startswith("en-"):
                    english.append(lit.value)
                else:
                    other.append(lit.value)
        if english or other:
            return min(english or other)
    return None


def shape_owner(store: pyoxigraph.Store, node: Any) -> Any:
    """The nearest named resource that a blank node hangs from (within a few steps), or None."""
    seen = {node}
    frontier = [node]
    for _ in range(6):
        nxt = []
        for n in frontier:
            for q in store.quads_for_pattern(None, None, n, None):
                s = q.subject
                if isinstance(s, pyoxigraph.NamedNode):
                    return s
                if s not in seen:
                    seen.add(s)
                    nxt.append(s)
        frontier = nxt
    return None


def copy_cbd(src: pyoxigraph.Store, node: Any, dest: pyoxigraph.Store) -> None:
    """Copy the blank-node closure of `node` (its triples, and those of blank objects) into dest."""
    todo, seen = [node], set()
    while todo:
        n = todo.pop()
        if n in seen:
            continue
        seen.add(n)
        for q in src.quads_for_pattern(n, None, None, None):
            dest.add(pyoxigraph.Quad(q.subject, q.predicate, q.object))
            if isinstance(q.object, pyoxigraph.BlankNode):
                todo.append(q.object)


def default_message(component: str, detail: str) -> str:
    """`Name: detail` for a component (a local name, or the IRI of a SPARQL-based one)."""
    name = re.split(r"[#/:]", component)[-1].removesuffix("ConstraintComponent")
    return f"{name}: {detail}" if detail else name


def compact_detail(detail: str, render: Render) -> str:
    """An engine's detail text with each `<iri>` in it written as `render` writes IRIs."""
    return re.sub(r"<([^<>\s]+)>", lambda m: render.iri(m.group(1)), detail)


def add_location(store: pyoxigraph.Store, node: Any, result: ValidationResult) -> None:
    """Say where to fix a result, beside the standard terms: cgcheck:file and cgcheck:line."""
    if result.file is not None:
        store.add(
            pyoxigraph.Quad(
                node, pyoxigraph.NamedNode(CHECK + "file"), pyoxigraph.Literal(result.file)
            )
        )
    if result.line is not None:
        store.add(
            pyoxigraph.Quad(
                node, pyoxigraph.NamedNode(CHECK + "line"), pyoxigraph.Literal(result.line)
            )
        )


def result_of(
    store: pyoxigraph.Store,
    node: Any,
    graph: pyoxigraph.Store,
    locator: Any,
    render: Render,
    check: str,
    written_value: Any = None,
) -> ValidationResult:
    """One result of a report store, described; `written_value`: its sh:value as the data
    writes it, when the store may have rewritten it."""
    def one(name: str) -> Any:
        for q in store.quads_for_pattern(node, pyoxigraph.NamedNode(SH + name), None, None):
            return q.object
        return None

    messages = [
        q.object
        for q in store.quads_for_pattern(
            node, pyoxigraph.NamedNode(SH + "resultMessage"), None, None
        )
    ]
    return describe_result(
        ResultTerms(
            focus=one("focusNode"),
            severity=one("resultSeverity"),
            messages=messages,
            path=one("resultPath"),
            value=one("value") if written_value is None else written_value,
            component=one("sourceConstraintComponent"),
            shape=one("sourceShape"),
        ),
        store,
        graph,
        locator,
        render,
        check,
    )


@dataclass
class ResultTerms:
    """The terms of one SHACL result (sh:value as the data writes it)."""

    focus: Any
    severity: Any
    messages: list[Any]
    path: Any
    value: Any
    component: Any
    shape: Any


def describe_result(
    terms: ResultTerms,
    shapes: Any,
    graph: pyoxigraph.Store,
    locator: Any,
    render: Render,
    check: str,
    memo: dict[Any, str] | None = None,
) -> ValidationResult:
    """A result's terms as a `ValidationResult`: `shapes` holds its blank-node shape and path,
    `graph` the data (labels, the owner of a blank node), `locator` the files' lines; `memo`
    keeps the text of shapes and paths for the next results of the same ones."""
    focus, value, shape, path = terms.focus, terms.value, terms.shape, terms.path
    severity_term = terms.severity
    severity = severity_term.value.rsplit("#", 1)[-1] if severity_term is not None else "Violation"
    messages = sorted(terms.messages, key=lambda m: (m.language not in (None, "en"), m.value))
    owner = None
    target = focus
    if isinstance(focus, pyoxigraph.BlankNode):
        owner = shape_owner(graph, focus)
        target = owner
    where = locator.find(target.value) if isinstance(target, pyoxigraph.NamedNode) else None
    memo = {} if memo is None else memo
    shape_text = memo.get(("shape", shape))
    if shape_text is None:
        if isinstance(shape, pyoxigraph.BlankNode):
            shape_text = describe_shape(shapes, shape, render)
        else:
            shape_text = render.term(shape) if shape is not None else ""
        memo[("shape", shape)] = shape_text
    path_text = None
    if path is not None:
        path_text = memo.get(("path", path))
        if path_text is None:
            path_text = memo[("path", path)] = render.path(shapes, path)
    message = messages[0].value if messages else ""
    if "{" in message:  # {$value} and {$this}, which pySHACL leaves as they are outside SPARQL
        fillers = {"value": value, "this": focus, "focusNode": focus}
        message = re.sub(
            r"\{[$?](value|this|focusNode)\}",
            lambda m: (
                render.term(fillers[m.group(1)]) if fillers[m.group(1)] is not None else m.group(0)
            ),
            message,
        )
    component = terms.component
    if isinstance(value, pyoxigraph.Literal) and not literal_well_formed(value):
        message = ill_formed_message(value, component, message, render)
    if component is not None and component.value == SH + "ClosedConstraintComponent":
        message = with_hint(message, closed_hint(shapes, shape, path, render, memo))
    return ValidationResult(
        severity=severity,
        focus_node=focus.value if isinstance(focus, pyoxigraph.NamedNode) else render.term(focus),
        focus_label=term_label(graph, focus),
        message=message,
        path=path_text,
        value=render.term(value) if value is not None else None,
        component=render.term(component) if component is not None else "",
        source_shape=shape_text,
        file=where.file if where else None,
        line=where.line if where else None,
        check=check,
        owner=owner.value if owner is not None else None,
    )


def describe_shape(store: pyoxigraph.Store, shape: Any, render: Render) -> str:
    """A blank-node shape in a few words: the property shape of its path."""
    for q in store.quads_for_pattern(shape, pyoxigraph.NamedNode(SH + "path"), None, None):
        return f"property shape of {render.path(store, q.object)}"
    return "a blank-node shape"


def with_hint(message: str, hint: str) -> str:
    """`message` followed by `hint` as a sentence of its own."""
    if not hint or hint in message:
        return message
    return f"{message.rstrip()}{'' if message.rstrip().endswith('.') else '.'} {hint}"


def closed_hint(shapes: Any, shape: Any, path: Any, render: Render, memo: dict[Any, Any]) -> str:
    """"Did you mean cg:country?" for a property a closed shape does not allow: the allowed
    property nearest to it by spelling ("" when none is near, or the shape is not at hand)."""
    if not isinstance(path, pyoxigraph.NamedNode) or shape is None:
        return ""
    allowed = memo.get(("allowed", shape))
    if allowed is None:
        names = set()
        for q in shapes.quads_for_pattern(shape, pyoxigraph.NamedNode(SH + "property"), None, None):
            for p in shapes.quads_for_pattern(q.object, pyoxigraph.NamedNode(SH + "path"), None, None):
                if isinstance(p.object, pyoxigraph.NamedNode):
                    names.add(render.iri(p.object.value))
        for q in shapes.quads_for_pattern(shape, pyoxigraph.NamedNode(SH + "ignoredProperties"),
                                          None, None):
            names.update(render.iri(t.value) for t in _read_list(shapes, q.object) or ()
                         if isinstance(t, pyoxigraph.NamedNode))
        allowed = memo[("allowed", shape)] = sorted(names)
    wrong = render.iri(path.value)
    near = difflib.get_close_matches(wrong, allowed, n=1, cutoff=0.75)
    return f"Did you mean {near[0]}?" if near and near[0] != wrong else ""


def literal_well_formed(value: pyoxigraph.Literal) -> bool:
    """True when the literal's text is in its XSD datatype's lexical space ("2025-13-45" is not
    an xsd:date)."""
    return well_formed(value)


def ill_formed_message(value: pyoxigraph.Literal, component: Any, message: str, render: Render) -> str:
    """The message of a result about an ill-formed literal: said first, as the thing to fix. A
    SPARQL rule's comparison of it ("later than …") means nothing, so its words are dropped."""
    said = f"{render.term(value)} is ill-formed: not a valid {render.iri(value.datatype.value)}."
    if component is not None and component.value == SH + "SPARQLConstraintComponent":
        return f"{said} Fix it first: this rule cannot judge an ill-formed value."
    return f"{said} {message}"
