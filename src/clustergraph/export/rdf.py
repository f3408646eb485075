"""RDF writers (Turtle, N-Triples, N-Quads, TriG, RDF/XML): Oxigraph's serialisers fed sorted triples."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import InputError
from clustergraph.export.formats import GRAPH_NS
from clustergraph.export.graph import ExportGraph
from clustergraph.vocab import PREFIXES

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


def _rdf_prefixes() -> dict[str, str]:
    # cgid: our resource IRIs have a slash in the local part, which Turtle could only write with
    # an escape (`cgid:cluster\/x`) that some parsers reject; they are written in full instead.
    return {k: v for k, v in PREFIXES.items() if k != "cgid"}


def chunks_ntriples(graph: ExportGraph) -> Iterator[bytes]:
    """The export as N-Triples: its sorted canonical lines, in chunks of 20,000."""
    batch: list[str] = []
    for line in graph.lines:
        batch.append(line)
        if len(batch) >= 20000:
            yield ("\n".join(batch) + "\n").encode("utf-8")
            batch = []
    if batch:
        yield ("\n".join(batch) + "\n").encode("utf-8")


def _quad_lines(graph: ExportGraph) -> list[str]:
    lines = []
    for part, part_lines in graph.parts.items():
        suffix = f" <{GRAPH_NS}{part}> ."
        lines.extend(ln[:-2] + suffix for ln in part_lines)
    lines.sort()
    return lines


def chunks_nquads(graph: ExportGraph) -> Iterator[bytes]:
    """The export as N-Quads, each part in its named graph `GRAPH_NS + part`, sorted."""
    lines = _quad_lines(graph)
    for start in range(0, len(lines), 20000):
        yield ("\n".join(lines[start:start + 20000]) + "\n").encode("utf-8")


def _ordered_header(data: bytes, fmt_name: str) -> bytes:
    """Put the prefix declarations in our fixed order (never the serialiser's)."""
    order = {p: i for i, p in enumerate(PREFIXES)}
    if fmt_name == "rdfxml":
        m = re.search(rb"<rdf:RDF((?:\s+xmlns(?::[\w.-]+)?=\"[^\"]*\")*)\s*>", data)
        if m is None:
            return data
        attrs = re.findall(rb'xmlns(?::([\w.-]+))?="([^"]*)"', m.group(1))
        attrs.sort(key=lambda a: (order.get(a[0].decode(), len(order)), a[0]))
        text = b"".join(b' xmlns%s="%s"' % ((b":" + k) if k else b"", v) for k, v in attrs)
        return data[:m.start()] + b"<rdf:RDF" + text + b">" + data[m.end():]
    lines = data.split(b"\n")
    n = 0
    while n < len(lines) and lines[n].startswith(b"@prefix "):
        n += 1
    header = sorted(lines[:n], key=lambda ln: (order.get(ln.split()[1][:-1].decode(), len(order)), ln))
    body = b"\n".join(lines[n:])
    # a blank line between statements, to read and to diff
    # (no literal holds a raw line break, so " .\n" ends a statement and nothing else)
    body = body.replace(b" .\n", b" .\n\n")
    return b"\n".join(header) + (b"\n\n" if header else b"") + body.rstrip(b"\n") + b"\n"


def oxigraph_chunks(items: Iterable[Any], fmt: Any, fmt_name: str) -> Iterator[bytes]:
    """Triples or quads serialised by Oxigraph in `fmt` (an `RdfFormat`) with our prefixes, in
    their fixed order; a graph the format cannot hold is an `InputError` naming `fmt_name`."""
    try:
        data = ox.serialize(items, format=fmt, prefixes=_rdf_prefixes()) or b""
    except (ValueError, SyntaxError) as exc:
        raise InputError(f"cannot write this graph as {fmt_name}: {exc}") from None
    yield _ordered_header(data, fmt_name)


def types_first(lines: Sequence[str]) -> Iterator[str]:
    """Sorted lines, with each subject's rdf:type triples moved before its other triples."""
    type_marker = f" <{RDF_TYPE}> "
    group: list[str] = []
    subject = None
    for line in lines:
        s = line[:line.index(" ")]
        if s != subject:
            if group:
                yield from sorted(group, key=lambda ln: type_marker not in ln)
            group, subject = [], s
        group.append(line)
    if group:
        yield from sorted(group, key=lambda ln: type_marker not in ln)


def triples_of(lines: Iterable[str]) -> Iterator[Any]:
    """The Oxigraph triples of N-Triples lines, in their order.

    >>> [str(t.object) for t in triples_of(['<http://x/s> <http://x/p> "o" .'])]
    ['"o"']
    """
    text = ("\n".join(lines) + "\n").encode("utf-8")
    for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
        yield q.triple


def chunks_turtle(graph: ExportGraph) -> Iterator[bytes]:
    """The export as Turtle, each subject's `rdf:type` first."""
    yield from oxigraph_chunks(triples_of(types_first(graph.lines)), ox.RdfFormat.TURTLE, "turtle")


def chunks_rdfxml(graph: ExportGraph) -> Iterator[bytes]:
    """The export as RDF/XML, each subject's `rdf:type` first."""
    yield from oxigraph_chunks(triples_of(types_first(graph.lines)), ox.RdfFormat.RDF_XML, "rdfxml")


def chunks_trig(graph: ExportGraph) -> Iterator[bytes]:
    """The export as TriG, each part in its named graph `GRAPH_NS + part`."""
    def quads() -> Iterator[ox.Quad]:
        for part, part_lines in graph.parts.items():
            name = ox.NamedNode(GRAPH_NS + part)
            for t in triples_of(types_first(part_lines)):
                yield ox.Quad(t.subject, t.predicate, t.object, name)

    yield from oxigraph_chunks(quads(), ox.RdfFormat.TRIG, "trig")
