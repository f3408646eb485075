"""Canonical labels for one connected group of blank nodes: linear for trees and lists, a work
limit for the rest (`clustergraph.export.canonical` splits the graph into groups).

A group is labelled by the first of these that applies:

1. **Told apart at once.** One round of colour refinement (each node's hash from its own
   triples) tells every node apart, as it does for property shapes, geometries and lists of
   different values: a second round confirms it and the labels are those hashes (the labels
   clustergraph has always given).
2. **A tree.** Each blank node is the object of at most one triple whose subject is a blank
   node and there is no cycle: nested `[ ... ]` and RDF lists, however deep or wide. Hashed
   bottom-up (each node from its own triples and its children's hashes), then labelled
   top-down (each from its parent's label, with a counter for interchangeable siblings):
   linear time, no recursion.
3. **The rest** (blank nodes in a cycle, or the object of two blank nodes): colour refinement
   to its end, and when that leaves nodes nothing tells apart (a symmetric structure), rdflib's
   RGDA1 on at most `FALLBACK_NODES` blank nodes. The first two rounds of refinement are free;
   the rounds after them and RGDA1's look-ups are paid from one `LabelWork` budget of
   `LABEL_WORK_LIMIT` steps for all the files read together. Beyond it: an `InputError` naming
   the file, after a few seconds at most. `diff`, `export`, `serve` and incremental validation
   all read through `canonical_lines`, so the limit is the same for each.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import InputError
from clustergraph.files.load import to_rdflib

__all__ = [
    "FALLBACK_NODES",
    "LABEL_WORK_LIMIT",
    "Bnode",
    "Edges",
    "LabelWork",
    "Tree",
    "label_group",
    "sha",
]

#: Steps that labelling the blank nodes of the files read together may take beyond linear work
#: (a triple visited by a round of refinement after the second: ~0.8 µs; a triple look-up by
#: RGDA1 counts `_RGDA1_STEPS`): at most about 3 s.
LABEL_WORK_LIMIT = 3_000_000

#: The most blank nodes in one group that rdflib's RGDA1 is asked to label (its cost grows as
#: the fourth power or worse: 16 blank nodes all linked to each other take ~0.8 s, 24 ~5 s).
FALLBACK_NODES = 20

#: What one triple look-up by RGDA1 costs, in steps (5 to 23 µs measured).
_RGDA1_STEPS = 16

#: How the parser names a blank node written `[ ... ]` (not worth showing in an error).
_ANONYMOUS = re.compile(r"[0-9a-f]{32}")

#: Rounds of refinement every group gets without paying from the budget.
_FREE_ROUNDS = 2


class Bnode(str):
    """A blank node label in the canonicaliser (a str subclass, so it sorts and hashes)."""

    __slots__ = ()


#: Per blank node, its triples as ("out", predicate, object) or ("in", predicate, subject).
Edges = dict[str, list[tuple[str, str, Any]]]


def sha(text: str) -> str:
    """The SHA-256 of `text` (UTF-8) in hex."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class LabelWork:
    """The steps left for labelling blank nodes beyond linear work (one per `canonical_lines`).

    `name_of` gives the file a blank node comes from, for the error."""

    def __init__(self, name_of: Callable[[str], str], limit: int = LABEL_WORK_LIMIT) -> None:
        self.left = limit
        self.limit = limit
        self.name_of = name_of

    def spend(self, steps: int, group: list[str]) -> None:
        """Take `steps` from the budget; an `InputError` naming the file when none are left."""
        self.left -= steps
        if self.left < 0:
            raise self.too_much(group)

    def too_much(self, group: list[str], why: str = "") -> InputError:
        """The error for a group of blank nodes that cannot be labelled within the limit."""
        example = min(group)
        label = example.split("_", 1)[-1]
        shown = "" if _ANONYMOUS.fullmatch(label) else f", one of them _:{label}"
        why = why or (f"need more work to label canonically than the limit of {self.limit:,} "
                      "steps for the files read together")
        return InputError(
            f"{self.name_of(example)}: blank nodes linked in a cycle or shared by two blank nodes "
            f"(a group of {len(group)}{shown}) {why}; nested blank nodes and lists of any size "
            "have no limit: give some of these nodes IRIs, or break the cycles"
        )


def _round(group: list[str], edges: Edges, colour: dict[str, str]) -> dict[str, str]:
    """One round of colour refinement: a node's hash from its colour and its triples' colours."""
    new = {}
    for b in group:
        sig = sorted(
            f"{d} {p} {('_:' + colour[o]) if isinstance(o, Bnode) else o}" for d, p, o in edges[b]
        )
        new[b] = sha(colour[b] + "\n" + "\n".join(sig))
    return new


def _refine(group: list[str], edges: Edges, work: LabelWork) -> dict[str, str]:
    """Colour refinement until the number of classes stops growing (at most len(group) + 1
    rounds); the rounds after the first two are paid from `work`."""
    colour = {b: "" for b in group}
    classes = 0
    cost = len(group) + sum(len(edges[b]) for b in group)
    for n in range(len(group) + 1):
        if n >= _FREE_ROUNDS:
            work.spend(cost, group)
        colour = _round(group, edges, colour)
        count = len(set(colour.values()))
        if count == classes:
            break
        classes = count
    return colour


def _tree(group: list[str], edges: Edges) -> tuple[str, dict[str, list[tuple[str, str]]]] | None:
    """(root, children by node as (predicate, child)) when the group is a tree, else None."""
    children: dict[str, list[tuple[str, str]]] = {b: [] for b in group}
    has_parent: set[str] = set()
    links = 0
    for b in group:
        for d, p, o in edges[b]:
            if d == "out" and isinstance(o, Bnode):
                if o in has_parent or o == b:
                    return None
                has_parent.add(o)
                children[b].append((p, o))
                links += 1
    roots = [b for b in group if b not in has_parent]
    if links != len(group) - 1 or len(roots) != 1:
        return None
    return roots[0], children


@dataclass
class Tree:
    """A group of blank nodes that is a tree, hashed bottom-up; labelled by `Tree.triples`."""

    root: str
    order: list[str]
    """The nodes breadth first: each parent before its children."""
    children: dict[str, list[tuple[str, str]]]
    up: dict[str, str]
    """Each node's hash: its own triples and, recursively, its children's."""
    anchor: str
    """What the root hangs from: its triples whose subject is not a blank node."""
    group_triples: list[tuple[Any, str, Any]]

    def triples(self, rank: int) -> list[tuple[str, str, str]]:
        """The triples, relabelled: the root from its anchor and `rank` (its place among the
        trees with that anchor, by hash), each other node from its parent's label, the
        predicate, and its place among the children its parent has by that predicate."""
        label = {self.root: sha(f"root\n{self.anchor}\n{rank}")}
        for b in self.order:
            place: dict[str, int] = defaultdict(int)
            for p, c in sorted(self.children[b], key=lambda pc: (pc[0], self.up[pc[1]])):
                label[c] = sha(f"{label[b]}\n{p}\n{place[p]}")
                place[p] += 1
        short = {b: "_:b" + h[:32] for b, h in label.items()}
        return [(short.get(s, s), p, short.get(o, o)) for s, p, o in self.group_triples]


def _tree_of(group: list[str], edges: Edges, triples: list[tuple[Any, str, Any]]) -> Tree | None:
    """The group as a `Tree` (hashed bottom-up, without recursion), or None if it is not one."""
    shape = _tree(group, edges)
    if shape is None:
        return None
    root, children = shape
    order = [root]
    for b in order:  # breadth first: parents before children
        order.extend(c for _, c in children[b])
    up: dict[str, str] = {}
    for b in reversed(order):  # children before parents
        sig = [f"{d} {p} {o}" for d, p, o in edges[b] if not isinstance(o, Bnode)]
        sig.extend(f"child {p} {up[c]}" for p, c in children[b])
        sig.sort()
        up[b] = sha("tree\n" + "\n".join(sig))
    anchor = "\n".join(sorted(f"{p} {o}" for d, p, o in edges[root] if d == "in"))
    return Tree(root, order, children, up, anchor, triples)


def _rgda1(group: list[str], triples: list[tuple[Any, str, Any]],
           work: LabelWork) -> list[tuple[str, str, str]]:
    """rdflib's canonical labelling (RGDA1) of a group, each triple look-up paid from `work`."""
    if len(group) > FALLBACK_NODES:
        raise work.too_much(group, f"with more than {FALLBACK_NODES} that nothing tells apart, "
                                   "more than can be labelled canonically")
    # rdflib: ~0.15 s to import (python -X importtime), needed only for symmetric blank nodes
    from rdflib import BNode, Graph
    from rdflib.compare import to_canonical_graph

    class Counted(Graph):
        """A graph whose every look-up is paid from the budget."""

        def triples(self, triple: Any) -> Any:  # type: ignore[override]
            work.spend(_RGDA1_STEPS, group)
            return super().triples(triple)

    def to_rdf(t: Any) -> Any:
        if isinstance(t, Bnode):
            return BNode(str(t).replace(":", "_"))
        return to_rdflib(next(iter(ox.parse(f"<x:s> <x:p> {t} .", format=ox.RdfFormat.N_TRIPLES))).object)

    work.spend(_RGDA1_STEPS * (len(triples) + 10), group)  # building the graph
    graph = Counted()
    for s, p, o in triples:
        graph.add((to_rdf(s), to_rdf(p), to_rdf(o)))
    out = []
    for s, p, o in to_canonical_graph(graph):
        out.append(tuple("_:t" + sha(str(t))[:32] if isinstance(t, BNode) else t.n3() for t in (s, p, o)))
    return out  # type: ignore[return-value]


def label_group(group: list[str], triples: list[tuple[Any, str, Any]], edges: Edges,
                work: LabelWork) -> list[tuple[str, str, str]] | Tree:
    """The triples of one connected group of blank nodes as N-Triples (s, p, o), each blank node
    relabelled from the group's content (`_:b` and 32 hex digits); or, for a tree whose nodes
    one round does not tell apart, the `Tree`, to be labelled once its rank is known."""
    colour = _round(group, edges, {b: "" for b in group})
    if len(set(colour.values())) == len(group):
        colour = _round(group, edges, colour)  # what refinement to its end gives here
    else:
        tree = _tree_of(group, edges, triples)
        if tree is not None:
            return tree
        colour = _refine(group, edges, work)
    if len(set(colour.values())) == len(group):
        label = {b: "_:t" + colour[b][:32] for b in group}
        provisional = [(label.get(s, s), p, label.get(o, o)) for s, p, o in triples]
    else:
        provisional = _rgda1(group, triples, work)
    # The final label also hashes the whole group's relabelled triples, so that nodes of two
    # different groups that look alike from nearby (the last cells of two equal lists hanging
    # from different shapes) differ.
    signature = sha("\n".join(sorted(f"{s} {p} {o} ." for s, p, o in provisional)))
    final: dict[str, str] = {}

    def relabel(term: str) -> str:
        if not term.startswith("_:"):
            return term
        if term not in final:
            final[term] = "_:b" + sha(signature + term)[:32]
        return final[term]

    return [(relabel(s), p, relabel(o)) for s, p, o in provisional]
