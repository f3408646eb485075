"""Canonical N-Triples lines: every file parsed, merged, blank nodes labelled from their content."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.files.load import parse_file, to_rdflib

_BNODE_OBJECT = re.compile(r" _:(\S+) \.$")


def _file_lines(path: Path) -> list[str]:
    """The triples of one RDF file as N-Triples lines (Oxigraph's canonical form), unsorted.

    Read through `parse_file`, so its errors name the file and line and hostile input is refused.
    """
    data = ox.serialize((q.triple for q in parse_file(path)), format=ox.RdfFormat.N_TRIPLES)
    return data.decode("utf-8").splitlines() if data else []


def _has_bnode(line: str) -> bool:
    return line.startswith("_:") or ("_:" in line and _BNODE_OBJECT.search(line) is not None)


class _Bnode(str):
    """A blank node label in the canonicaliser (a str subclass, so it sorts and hashes)."""

    __slots__ = ()


def _parse_bnode_lines(lines: Sequence[str], scope: str) -> list[tuple[Any, str, Any]]:
    """Triples of N-Triples lines with blank nodes, as (s, p, o): `_Bnode` or N-Triples text."""
    def term(t: Any) -> Any:
        if isinstance(t, ox.BlankNode):
            return _Bnode(f"{scope}{t.value}")
        return str(t)

    text = "\n".join(lines).encode("utf-8")
    return [(term(t.subject), str(t.predicate), term(t.object))
            for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _refine(component: list[str], edges: dict[str, list[tuple[str, str, Any]]]) -> dict[str, str]:
    """Colour refinement: a node's hash from its own triples, then from its neighbours' hashes."""
    colour = {b: "" for b in component}
    classes = 0
    for _ in range(len(component) + 1):
        new = {}
        for b in component:
            sig = sorted(
                f"{d} {p} {('_:' + colour[o]) if isinstance(o, _Bnode) else o}" for d, p, o in edges[b]
            )
            new[b] = _sha(colour[b] + "\n" + "\n".join(sig))
        count = len(set(new.values()))
        colour = new
        if count == classes:
            break
        classes = count
    return colour


def _canonical_component(component: list[str], triples: list[tuple[Any, str, Any]],
                         edges: dict[str, list[tuple[str, str, Any]]]) -> list[tuple[str, str, str]]:
    """Relabel one connected group of blank nodes by content; returns N-Triples (s, p, o).

    Refinement gives each node a hash of its neighbourhood; the final label also hashes the
    whole group's relabelled triples, so that nodes of two different groups that look alike
    from nearby (the last cells of two equal lists hanging from different shapes) differ.
    """
    colour = _refine(component, edges)
    if len(set(colour.values())) == len(component):
        label = {b: "_:t" + colour[b][:32] for b in component}
        provisional = [(label.get(s, s), p, label.get(o, o)) for s, p, o in triples]
    else:
        provisional = _canonical_component_rdflib(triples)
    signature = _sha("\n".join(sorted(f"{s} {p} {o} ." for s, p, o in provisional)))
    final: dict[str, str] = {}

    def relabel(term: str) -> str:
        if not term.startswith("_:"):
            return term
        if term not in final:
            final[term] = "_:b" + _sha(signature + term)[:32]
        return final[term]

    return [(relabel(s), p, relabel(o)) for s, p, o in provisional]


def _canonical_component_rdflib(triples: list[tuple[Any, str, Any]]) -> list[tuple[str, str, str]]:
    """Fallback for symmetric blank-node structures: rdflib's canonical labelling (RGDA1)."""
    # rdflib: ~0.15 s to import (python -X importtime), needed only for symmetric blank nodes
    from rdflib import BNode, Graph
    from rdflib.compare import to_canonical_graph

    def to_rdf(t: Any) -> Any:
        if isinstance(t, _Bnode):
            return BNode(str(t).replace(":", "_"))
        return to_rdflib(next(iter(ox.parse(f"<x:s> <x:p> {t} .", format=ox.RdfFormat.N_TRIPLES))).object)

    graph = Graph()
    for s, p, o in triples:
        graph.add((to_rdf(s), to_rdf(p), to_rdf(o)))
    out = []
    for s, p, o in to_canonical_graph(graph):
        out.append(tuple("_:t" + _sha(str(t))[:32] if isinstance(t, BNode) else t.n3() for t in (s, p, o)))
    return out  # type: ignore[return-value]


def _canonicalise_bnodes(triples: list[tuple[Any, str, Any]]) -> list[str]:
    """N-Triples lines of triples with blank nodes, relabelled from their content.

    Each connected group of blank nodes is labelled on its own, so adding or changing one group
    leaves the labels of the others as they were. Groups that come out identical (for example two
    `[ a X ]` objects of one subject) keep distinct labels through a counter.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges: dict[str, list[tuple[str, str, Any]]] = defaultdict(list)
    for s, p, o in triples:
        for t in (s, o):
            if isinstance(t, _Bnode):
                parent.setdefault(t, t)
        if isinstance(s, _Bnode):
            edges[s].append(("out", p, o))
        if isinstance(o, _Bnode):
            edges[o].append(("in", p, s))
        if isinstance(s, _Bnode) and isinstance(o, _Bnode):
            parent[find(s)] = find(o)
    groups: dict[str, list[str]] = defaultdict(list)
    for b in parent:
        groups[find(b)].append(b)
    group_triples: dict[str, list[tuple[Any, str, Any]]] = defaultdict(list)
    for t in triples:
        b = t[0] if isinstance(t[0], _Bnode) else t[2]
        group_triples[find(b)].append(t)
    results = []
    for root, members in groups.items():
        relabelled = _canonical_component(members, group_triples[root], edges)
        results.append(sorted(f"{s} {p} {o} ." for s, p, o in relabelled))
    lines: list[str] = []
    seen: dict[tuple[str, ...], int] = {}
    for group_lines in sorted(results):
        key = tuple(group_lines)
        n = seen.get(key, 0)
        seen[key] = n + 1
        if n:  # an identical twin group: give its labels a counter so the two stay distinct
            group_lines = [re.sub(r"(_:b[0-9a-f]{32})\b", rf"\1x{n}", ln) for ln in group_lines]
        lines.extend(group_lines)
    return lines


def canonical_lines(files_by_scope: Sequence[Sequence[Path]] | Sequence[Path]) -> list[str]:
    """Sorted, unique canonical N-Triples lines (no newline) of the merged files.

    Blank nodes of different files are kept apart (RDF merge), then labelled by content.
    """
    flat = [Path(f) for f in files_by_scope]  # type: ignore[arg-type]
    plain: set[str] = set()
    with_bnodes: list[tuple[Any, str, Any]] = []
    for i, path in enumerate(flat):
        bnode_lines = []
        for line in _file_lines(path):
            if _has_bnode(line):
                bnode_lines.append(line)
            else:
                plain.add(line)
        if bnode_lines:
            with_bnodes.extend(_parse_bnode_lines(bnode_lines, f"f{i}_"))
    if with_bnodes:
        plain.update(_canonicalise_bnodes(with_bnodes))
    return sorted(plain)
