"""Canonical N-Triples lines: every file parsed, merged, blank nodes labelled from their content.

The blank nodes are split into connected groups, each labelled on its own by
`clustergraph.export.bnodes.label_group`: in linear time for trees and lists, within one work
limit (`LABEL_WORK_LIMIT`) for blank nodes in cycles or shared, an `InputError` naming the file
beyond it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.export.bnodes import Bnode, Edges, LabelWork, Tree, label_group
from clustergraph.files.load import parse_file

_BNODE_OBJECT = re.compile(r" _:(\S+) \.$")


def _file_lines(path: Path) -> list[str]:
    """The triples of one RDF file as N-Triples lines (Oxigraph's canonical form), unsorted.

    Read through `parse_file`, so its errors name the file and line and hostile input is refused.
    """
    data = ox.serialize((q.triple for q in parse_file(path)), format=ox.RdfFormat.N_TRIPLES)
    return data.decode("utf-8").splitlines() if data else []


def _has_bnode(line: str) -> bool:
    return line.startswith("_:") or ("_:" in line and _BNODE_OBJECT.search(line) is not None)


def _parse_bnode_lines(lines: Sequence[str], scope: str) -> list[tuple[Any, str, Any]]:
    """Triples of N-Triples lines with blank nodes, as (s, p, o): `Bnode` or N-Triples text."""
    def term(t: Any) -> Any:
        if isinstance(t, ox.BlankNode):
            return Bnode(f"{scope}{t.value}")
        return str(t)

    text = "\n".join(lines).encode("utf-8")
    return [(term(t.subject), str(t.predicate), term(t.object))
            for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]


def _canonicalise_bnodes(triples: list[tuple[Any, str, Any]], work: LabelWork) -> list[str]:
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

    edges: Edges = defaultdict(list)
    triples = list(dict.fromkeys(triples))  # a graph is a set: a triple stated twice is one
    for s, p, o in triples:
        for t in (s, o):
            if isinstance(t, Bnode):
                parent.setdefault(t, t)
        if isinstance(s, Bnode):
            edges[s].append(("out", p, o))
        if isinstance(o, Bnode):
            edges[o].append(("in", p, s))
        if isinstance(s, Bnode) and isinstance(o, Bnode):
            parent[find(s)] = find(o)
    groups: dict[str, list[str]] = defaultdict(list)
    for b in parent:
        groups[find(b)].append(b)
    group_triples: dict[str, list[tuple[Any, str, Any]]] = defaultdict(list)
    for t in triples:
        b = t[0] if isinstance(t[0], Bnode) else t[2]
        group_triples[find(b)].append(t)
    results = []
    trees: dict[str, list[Tree]] = defaultdict(list)
    for root, members in groups.items():
        relabelled = label_group(members, group_triples[root], edges, work)
        if isinstance(relabelled, Tree):
            trees[relabelled.anchor].append(relabelled)
        else:
            results.append(sorted(f"{s} {p} {o} ." for s, p, o in relabelled))
    for alike in trees.values():  # trees that hang from the same: told apart by their content
        alike.sort(key=lambda tree: tree.up[tree.root])
        results.extend(sorted(f"{s} {p} {o} ." for s, p, o in tree.triples(rank))
                       for rank, tree in enumerate(alike))
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
        names = {f"f{i}_": str(path) for i, path in enumerate(flat)}
        work = LabelWork(lambda bnode: names[bnode[:bnode.index("_") + 1]])
        plain.update(_canonicalise_bnodes(with_bnodes, work))
    return sorted(plain)


def canonical_ntriples(text: str | bytes, name: str = "the triples") -> list[str]:
    """Sorted, unique N-Triples lines (no newline) of an N-Triples document, blank nodes labelled
    from their content as the export labels them: two answers that differ only in their blank
    nodes' labels give the same lines (`name` is what an error calls the document).

    >>> a = '<http://x/s> <http://x/p> _:one .\\n_:one <http://x/q> "v" .\\n'
    >>> b = '<http://x/s> <http://x/p> _:two .\\n_:two <http://x/q> "v" .\\n'
    >>> canonical_ntriples(a) == canonical_ntriples(b)
    True
    """
    data = text.encode("utf-8") if isinstance(text, str) else text
    triples = [q.triple if isinstance(q, ox.Quad) else q
               for q in ox.parse(data, format=ox.RdfFormat.N_TRIPLES)]
    lines = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8").splitlines() if triples else []
    plain = {line for line in lines if not _has_bnode(line)}
    bnode_lines = [line for line in lines if _has_bnode(line)]
    if bnode_lines:
        work = LabelWork(lambda bnode: name)
        plain.update(_canonicalise_bnodes(_parse_bnode_lines(bnode_lines, "t_"), work))
    return sorted(plain)
