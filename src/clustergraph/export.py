"""Exporting the graph: build it once, then write it deterministically in every format.

`build_export_graph()` *builds* the graph to export (the chosen parts, merged, blank nodes given
content-derived labels, triples sorted) and never writes; thin functions *write* it in each
format. Every writer starts from the same sorted canonical N-Triples lines, so two runs give
byte-identical files whatever the hash seed, and a release diff shows only what changed:

    from clustergraph.export import build_export_graph, write_export
    graph = build_export_graph(include=("ontology", "data"))
    write_export(graph, "turtle", "out/clustergraph.ttl")

Formats: Turtle, N-Triples, N-Quads and TriG (each part in its own named graph
`https://w3id.org/clustergraph/graph/{part}`), JSON-LD compacted against the shipped context
`ontology/context.jsonld`, RDF/XML, and CSV/TSV tables with one row per industrial cluster.
The RDF serialisers are Oxigraph's, fed with sorted triples; JSON-LD and the tables are ours.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from clustergraph import paths
from clustergraph.errors import InputError

if TYPE_CHECKING:
    import pyoxigraph
    import rdflib

__all__ = [
    "FORMATS",
    "PARTS",
    "DEFAULT_PARTS",
    "CONTEXT_IRI",
    "GRAPH_NS",
    "GENID_NS",
    "ExportFormat",
    "ExportGraph",
    "ExportResult",
    "build_export_graph",
    "canonical_lines",
    "serialize",
    "iter_serialized",
    "write_export",
    "export",
    "export_all",
    "cluster_table",
    "CSV_COLUMNS",
    "build_context",
    "load_context",
    "write_context",
    "jsonld_document_loader",
    "resource_triples",
    "serialize_triples",
    "parse_formats",
]

log = logging.getLogger(__name__)

#: The IRI our JSON-LD documents name as their context; served by the site beside the ontology.
CONTEXT_IRI = "https://w3id.org/clustergraph/ontology/context.jsonld"
#: Named graphs of the parts in N-Quads and TriG: GRAPH_NS + part.
GRAPH_NS = "https://w3id.org/clustergraph/graph/"
#: Skolem IRIs (`skolemize=True`): GENID_NS + a hash of the blank node's content.
GENID_NS = "https://w3id.org/clustergraph/.well-known/genid/"

PARTS = ("ontology", "data", "shapes")
DEFAULT_PARTS = ("ontology", "data")


@dataclass(frozen=True)
class ExportFormat:
    """One export format: its name on the command line, file suffix and media type."""

    name: str
    suffix: str
    media_type: str
    label: str
    rdf: bool = True


FORMATS: dict[str, ExportFormat] = {
    f.name: f
    for f in (
        ExportFormat("turtle", ".ttl", "text/turtle", "Turtle"),
        ExportFormat("ntriples", ".nt", "application/n-triples", "N-Triples"),
        ExportFormat("nquads", ".nq", "application/n-quads", "N-Quads"),
        ExportFormat("trig", ".trig", "application/trig", "TriG"),
        ExportFormat("jsonld", ".jsonld", "application/ld+json", "JSON-LD"),
        ExportFormat("rdfxml", ".rdf", "application/rdf+xml", "RDF/XML"),
        ExportFormat("csv", ".csv", "text/csv", "CSV table of clusters", rdf=False),
        ExportFormat("tsv", ".tsv", "text/tab-separated-values", "TSV table of clusters", rdf=False),
    )
}


def parse_formats(values: Iterable[str]) -> list[str]:
    """Format names from values like "turtle", "csv,tsv" or "all", in FORMATS order, checked."""
    wanted: set[str] = set()
    for value in values:
        for name in value.split(","):
            name = name.strip().lower()
            if not name:
                continue
            if name == "all":
                wanted.update(FORMATS)
            elif name in FORMATS:
                wanted.add(name)
            else:
                raise InputError(f"unknown export format {name!r} (known: {', '.join(FORMATS)}, all)")
    if not wanted:
        raise InputError("no export format given")
    return [name for name in FORMATS if name in wanted]


def _parse_parts(include: Iterable[str] | str) -> tuple[str, ...]:
    if isinstance(include, str):
        include = include.split(",")
    wanted = {p.strip().lower() for p in include if p.strip()}
    unknown = wanted - set(PARTS)
    if unknown:
        raise InputError(f"unknown part(s) {', '.join(sorted(unknown))} (known: {', '.join(PARTS)})")
    if not wanted:
        raise InputError("nothing to export: include at least one of " + ", ".join(PARTS))
    return tuple(p for p in PARTS if p in wanted)


# ---------------------------------------------------------------------------------------------
# Canonical N-Triples lines and blank nodes
# ---------------------------------------------------------------------------------------------

_BNODE_OBJECT = re.compile(r" _:(\S+) \.$")


def _file_lines(path: Path) -> list[str]:
    """The triples of one RDF file as N-Triples lines (Oxigraph's canonical form), unsorted."""
    import pyoxigraph as ox

    from clustergraph.load import parse_file, rdf_format_for

    fmt = rdf_format_for(path)
    if not path.is_file():
        list(parse_file(path))  # raises the InputError that says why
    try:
        quads = ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri())
        data = ox.serialize((ox.Triple(q.subject, q.predicate, q.object) for q in quads),
                            format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError):
        list(parse_file(path))  # raises an RDFSyntaxError with file, line and column
        raise
    assert data is not None
    return data.decode("utf-8").splitlines()


def _has_bnode(line: str) -> bool:
    return line.startswith("_:") or ("_:" in line and _BNODE_OBJECT.search(line) is not None)


class _Bnode(str):
    """A blank node label in the canonicaliser (a str subclass, so it sorts and hashes)."""

    __slots__ = ()


def _parse_bnode_lines(lines: Sequence[str], scope: str) -> list[tuple[Any, str, Any]]:
    """Triples of N-Triples lines with blank nodes, as (s, p, o): `_Bnode` or N-Triples text."""
    import pyoxigraph as ox

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
    import pyoxigraph as ox
    from rdflib import BNode, Graph
    from rdflib.compare import to_canonical_graph

    from clustergraph.load import to_rdflib

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


# ---------------------------------------------------------------------------------------------
# The export graph
# ---------------------------------------------------------------------------------------------


@dataclass
class ExportGraph:
    """The graph to export: per part, its sorted canonical N-Triples lines.

    `lines` is the merged graph (sorted, each triple once); `triples()`, `store()` and
    `to_rdflib()` give it as Oxigraph terms, an Oxigraph store or an rdflib Graph.
    """

    parts: dict[str, list[str]]
    files: dict[str, tuple[Path, ...]] = field(default_factory=dict)

    @cached_property
    def lines(self) -> list[str]:
        if len(self.parts) == 1:
            return next(iter(self.parts.values()))
        merged: set[str] = set()
        for part_lines in self.parts.values():
            merged.update(part_lines)
        return sorted(merged)

    def __len__(self) -> int:
        return len(self.lines)

    def ntriples_bytes(self) -> bytes:
        return ("\n".join(self.lines) + "\n").encode("utf-8") if self.lines else b""

    def triples(self) -> list[pyoxigraph.Triple]:
        """The triples, sorted like the lines (subject, predicate, object)."""
        return self._triples

    @cached_property
    def _triples(self) -> list[pyoxigraph.Triple]:
        import pyoxigraph as ox

        return [q.triple for q in ox.parse(self.ntriples_bytes(), format=ox.RdfFormat.N_TRIPLES)]

    def store(self) -> pyoxigraph.Store:
        """An in-memory Oxigraph store holding the merged graph in its default graph."""
        return self._store

    @cached_property
    def _store(self) -> pyoxigraph.Store:
        import pyoxigraph as ox

        store = ox.Store()
        if self.lines:
            store.load(self.ntriples_bytes(), format=ox.RdfFormat.N_TRIPLES)
        return store

    def to_rdflib(self) -> rdflib.Graph:
        """The merged graph as an rdflib Graph with our prefixes bound."""
        from rdflib import Graph

        from clustergraph.namespaces import bind_prefixes

        graph = Graph()
        if self.lines:
            graph.parse(data=self.ntriples_bytes().decode("utf-8"), format="nt")
        return bind_prefixes(graph)


def _part_files(part: str, data: Sequence[Path | str] | None, sources: Any) -> tuple[Path, ...]:
    from clustergraph.load import GraphSources

    src = sources if sources is not None else GraphSources.with_data(data)
    if part == "ontology":
        return (Path(src.ontology),)
    if part == "shapes":
        return (Path(src.shapes),)
    return tuple(Path(p) for p in src.data)


def build_export_graph(
    include: Iterable[str] | str = DEFAULT_PARTS,
    *,
    data: Sequence[Path | str] | None = None,
    sources: Any = None,
    skolemize: bool = False,
) -> ExportGraph:
    """Build the graph to export from the shipped files (or `data` / `sources` instead).

    `include`: the parts, any of "ontology", "data", "shapes" (a list or a comma-separated
    string). Blank nodes get labels derived from their content (`_:b<hash>`), or with
    `skolemize=True` become IRIs `GENID_NS + hash`. Nothing is written.
    """
    wanted = _parse_parts(include)
    parts: dict[str, list[str]] = {}
    files: dict[str, tuple[Path, ...]] = {}
    for part in wanted:
        part_files = _part_files(part, data, sources)
        files[part] = part_files
        lines = canonical_lines(part_files)
        if skolemize:
            lines = sorted(re.sub(r"(^|\s)_:b([0-9a-fx]+)", rf"\1<{GENID_NS}\2>", ln) for ln in lines)
        parts[part] = lines
        log.debug("part %s: %d triples from %d files", part, len(lines), len(part_files))
    return ExportGraph(parts=parts, files=files)


# ---------------------------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------------------------


def _rdf_prefixes() -> dict[str, str]:
    from clustergraph.namespaces import PREFIXES

    # cgid: our resource IRIs have a slash in the local part, which Turtle could only write with
    # an escape (`cgid:cluster\/x`) that some parsers reject; they are written in full instead.
    return {k: v for k, v in PREFIXES.items() if k != "cgid"}


def _chunks_ntriples(graph: ExportGraph) -> Iterator[bytes]:
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


def _chunks_nquads(graph: ExportGraph) -> Iterator[bytes]:
    lines = _quad_lines(graph)
    for start in range(0, len(lines), 20000):
        yield ("\n".join(lines[start:start + 20000]) + "\n").encode("utf-8")


def _ordered_header(data: bytes, fmt_name: str) -> bytes:
    """Put the prefix declarations in our fixed order (never the serialiser's)."""
    from clustergraph.namespaces import PREFIXES

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


def _oxigraph_chunks(items: Iterable[Any], fmt: Any, fmt_name: str) -> Iterator[bytes]:
    import pyoxigraph as ox

    try:
        data = ox.serialize(items, format=fmt, prefixes=_rdf_prefixes()) or b""
    except (ValueError, SyntaxError) as exc:
        raise InputError(f"cannot write this graph as {fmt_name}: {exc}") from None
    yield _ordered_header(data, fmt_name)


def _types_first(lines: Sequence[str]) -> Iterator[str]:
    """Sorted lines, with each subject's rdf:type triples moved before its other triples."""
    type_marker = f" <{_RDF_TYPE}> "
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


def _triples_of(lines: Iterable[str]) -> Iterator[Any]:
    import pyoxigraph as ox

    text = ("\n".join(lines) + "\n").encode("utf-8")
    for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES):
        yield q.triple


def _chunks_turtle(graph: ExportGraph) -> Iterator[bytes]:
    import pyoxigraph as ox

    yield from _oxigraph_chunks(_triples_of(_types_first(graph.lines)), ox.RdfFormat.TURTLE, "turtle")


def _chunks_rdfxml(graph: ExportGraph) -> Iterator[bytes]:
    import pyoxigraph as ox

    yield from _oxigraph_chunks(_triples_of(_types_first(graph.lines)), ox.RdfFormat.RDF_XML, "rdfxml")


def _chunks_trig(graph: ExportGraph) -> Iterator[bytes]:
    import pyoxigraph as ox

    def quads() -> Iterator[ox.Quad]:
        for part, part_lines in graph.parts.items():
            name = ox.NamedNode(GRAPH_NS + part)
            for t in _triples_of(_types_first(part_lines)):
                yield ox.Quad(t.subject, t.predicate, t.object, name)

    yield from _oxigraph_chunks(quads(), ox.RdfFormat.TRIG, "trig")


# --- JSON-LD ---------------------------------------------------------------------------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Terms for properties of other vocabularies that our data uses: name -> (prefix:local, coercion).
#: Coercion: "@id" (values are IRIs), "@language:en", a datatype as prefix:local, or None.
_EXTERNAL_TERMS: dict[str, tuple[str, str | None]] = {
    "label": ("rdfs:label", "@language:en"),
    "comment": ("rdfs:comment", "@language:en"),
    "subClassOf": ("rdfs:subClassOf", "@id"),
    "subPropertyOf": ("rdfs:subPropertyOf", "@id"),
    "domain": ("rdfs:domain", "@id"),
    "range": ("rdfs:range", "@id"),
    "seeAlso": ("rdfs:seeAlso", "@id"),
    "sameAs": ("owl:sameAs", "@id"),
    "prefLabel": ("skos:prefLabel", "@language:en"),
    "altLabel": ("skos:altLabel", "@language:en"),
    "definition": ("skos:definition", "@language:en"),
    "note": ("skos:note", "@language:en"),
    "editorialNote": ("skos:editorialNote", "@language:en"),
    "scopeNote": ("skos:scopeNote", "@language:en"),
    "broader": ("skos:broader", "@id"),
    "narrower": ("skos:narrower", "@id"),
    "inScheme": ("skos:inScheme", "@id"),
    "topConceptOf": ("skos:topConceptOf", "@id"),
    "hasTopConcept": ("skos:hasTopConcept", "@id"),
    "source": ("dcterms:source", "@id"),
    "publisher": ("dcterms:publisher", "@id"),
    "license": ("dcterms:license", "@id"),
    "issued": ("dcterms:issued", None),
    "modified": ("dcterms:modified", None),
    "created": ("dcterms:created", None),
    "date": ("dcterms:date", None),
    "description": ("dcterms:description", "@language:en"),
    "member": ("org:member", "@id"),
    "organization": ("org:organization", "@id"),
    "hasMember": ("org:hasMember", "@id"),
    "heldBy": ("org:heldBy", "@id"),
    "postIn": ("org:postIn", "@id"),
    "role": ("org:role", "@id"),
    "unitOf": ("org:unitOf", "@id"),
    "hasGeometry": ("geo:hasGeometry", "@id"),
    "asWKT": ("geo:asWKT", "geo:wktLiteral"),
    "url": ("schema:url", "@id"),
    "text": ("schema:text", "@language:en"),
    "author": ("schema:author", "@id"),
    "location": ("schema:location", "@id"),
    "numericValue": ("qudt:numericValue", None),
}


def build_context(ontology: Path | str | None = None) -> dict[str, Any]:
    """The JSON-LD context: our prefixes, a term per ontology property, and common others.

    A cg: object property is coerced to "@id", a datatype property with range rdf:langString to
    English, one with an XSD range to that datatype. Term names never shadow a prefix.
    """
    import pyoxigraph as ox

    from clustergraph.namespaces import CG_NS, PREFIXES

    path = Path(ontology) if ontology is not None else paths.ontology_file()
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        """PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?p ?kind (SAMPLE(?r) AS ?range) WHERE {
          VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty }
          ?p a ?kind . OPTIONAL { ?p rdfs:range ?r FILTER(isIRI(?r)) }
        } GROUP BY ?p ?kind"""
    )
    inverse = {v: k for k, v in PREFIXES.items()}

    def compact(iri: str) -> str:
        for ns, prefix in sorted(inverse.items(), key=lambda kv: -len(kv[0])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    terms: dict[str, Any] = {}
    for row in rows:
        iri = row["p"].value
        if not iri.startswith(CG_NS):
            continue
        name = iri[len(CG_NS):]
        kind = row["kind"].value
        rng = row["range"].value if row["range"] is not None else None
        if kind.endswith("ObjectProperty"):
            coercion: str | None = "@id"
        elif rng == _RDF_LANGSTRING:
            coercion = "@language:en"
        elif rng is not None and rng.startswith("http://www.w3.org/2001/XMLSchema#") and rng != _XSD_STRING:
            coercion = compact(rng)
        else:
            coercion = None
        terms[name] = (f"cg:{name}", coercion)
    for name, spec in _EXTERNAL_TERMS.items():
        terms.setdefault(name, spec)
    context: dict[str, Any] = dict(PREFIXES)
    for name in sorted(terms, key=lambda n: (n.lower(), n)):
        if name in PREFIXES:
            continue
        iri, coercion = terms[name]
        if coercion is None:
            context[name] = iri
        elif coercion.startswith("@language:"):
            context[name] = {"@id": iri, "@language": coercion.split(":", 1)[1]}
        else:
            context[name] = {"@id": iri, "@type": coercion}
    return {"@context": context}


def write_context(path: Path | str | None = None, *, ontology: Path | str | None = None) -> Path:
    """Regenerate `ontology/context.jsonld` from the ontology (run after adding a property)."""
    from clustergraph.atomic import write_bytes_atomic

    target = Path(path) if path is not None else paths.context_file()
    text = json.dumps(build_context(ontology), indent=2, ensure_ascii=False) + "\n"
    write_bytes_atomic(target, text.encode("utf-8"))
    return target


def load_context(path: Path | str | None = None) -> dict[str, Any]:
    """The shipped JSON-LD context document (`{"@context": {...}}`)."""
    target = Path(path) if path is not None else paths.context_file()
    try:
        doc: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{target}: the JSON-LD context is missing") from None
    return doc


def jsonld_document_loader(context_path: Path | str | None = None) -> Any:
    """A pyld document loader that serves only our context, from the local file.

    Any other URL is refused, so expanding our JSON-LD never reaches the network.
    """
    doc = load_context(context_path)

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url == CONTEXT_IRI:
            return {"contextUrl": None, "documentUrl": url, "document": doc}
        raise InputError(f"refusing to fetch remote JSON-LD document {url!r}")

    return loader


class _JsonLdCompactor:
    """Writes node objects in the compacted form of our context (no JSON-LD library needed)."""

    def __init__(self, context: dict[str, Any]) -> None:
        ctx = context["@context"]
        self.prefixes = sorted(
            ((v, k) for k, v in ctx.items() if isinstance(v, str) and v[-1:] in "/#"),
            key=lambda vk: (-len(vk[0]), vk[1]),
        )
        self.terms: dict[str, tuple[str, str | None, str | None]] = {}
        for name, value in ctx.items():
            if isinstance(value, str) and value[-1:] not in "/#":
                value = {"@id": value}
            if isinstance(value, dict):
                iri = self.expand(value["@id"])
                self.terms.setdefault(iri, (name, value.get("@type"), value.get("@language")))
                if value.get("@type") not in (None, "@id"):
                    t = self.terms[iri]
                    self.terms[iri] = (t[0], self.expand(value["@type"]), t[2])
        self._compact_cache: dict[str, str] = {}

    def expand(self, value: str) -> str:
        prefix, _, local = value.partition(":")
        for ns, name in self.prefixes:
            if name == prefix:
                return ns + local
        return value

    def compact(self, iri: str) -> str:
        cached = self._compact_cache.get(iri)
        if cached is None:
            cached = iri
            for ns, name in self.prefixes:
                if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                    cached = f"{name}:{iri[len(ns):]}"
                    break
            self._compact_cache[iri] = cached
        return cached

    def ref(self, term: Any) -> str:
        import pyoxigraph as ox

        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return self.compact(term.value)

    def value(self, term: Any, coerce: str | None, language: str | None) -> Any:
        import pyoxigraph as ox

        if isinstance(term, ox.Literal):
            lang = term.language
            dt = term.datatype.value
            if lang:
                if language is not None and lang == language:
                    return term.value
                return {"@value": term.value, "@language": lang}
            if coerce is not None and coerce != "@id" and dt == coerce:
                return term.value
            if dt == _XSD_STRING:
                if coerce is None and language is None:
                    return term.value
                return {"@value": term.value}
            return {"@value": term.value, "@type": self.compact(dt)}
        if coerce == "@id":
            return self.ref(term)
        return {"@id": self.ref(term)}

    def node(self, subject: Any, pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
        import pyoxigraph as ox

        node: dict[str, Any] = {"@id": self.ref(subject)}
        types = [o for p, o in pairs if p.value == _RDF_TYPE and isinstance(o, ox.NamedNode)]
        if types:
            compacted = [self.compact(o.value) for o in types]
            node["@type"] = compacted[0] if len(compacted) == 1 else compacted
        values: dict[str, list[Any]] = {}
        for p, o in pairs:
            if p.value == _RDF_TYPE and isinstance(o, ox.NamedNode):
                continue
            spec = self.terms.get(p.value)
            if spec is None:
                key, coerce, language = self.compact(p.value), None, None
                if key == p.value and ":" not in key:  # pragma: no cover - every IRI has a scheme
                    key = p.value
            else:
                key, coerce, language = spec
            values.setdefault(key, []).append(self.value(o, coerce, language))
        for key in sorted(values):
            vals = values[key]
            node[key] = vals[0] if len(vals) == 1 else vals
        return node


def _group_by_subject(triples: Iterable[Any]) -> Iterator[tuple[Any, list[tuple[Any, Any]]]]:
    current = None
    pairs: list[tuple[Any, Any]] = []
    for t in triples:
        if current is None or t.subject != current:
            if current is not None:
                yield current, pairs
            current, pairs = t.subject, []
        pairs.append((t.predicate, t.object))
    if current is not None:
        yield current, pairs


_COMPACTORS: dict[int, tuple[dict[str, Any], _JsonLdCompactor]] = {}


def _compactor(context: dict[str, Any]) -> _JsonLdCompactor:
    """One compactor per context object (the site writes a JSON-LD file per resource)."""
    cached = _COMPACTORS.get(id(context))
    if cached is None or cached[0] is not context:
        cached = (context, _JsonLdCompactor(context))
        _COMPACTORS.clear()
        _COMPACTORS[id(context)] = cached
    return cached[1]


def _jsonld_chunks(triples: Iterable[Any], context_iri: str = CONTEXT_IRI,
                   context: dict[str, Any] | None = None) -> Iterator[bytes]:
    compactor = _compactor(context) if context is not None else _JsonLdCompactor(load_context())
    yield ('{\n  "@context": ' + json.dumps(context_iri) + ',\n  "@graph": [').encode("utf-8")
    first = True
    for subject, pairs in _group_by_subject(triples):
        text = json.dumps(compactor.node(subject, pairs), indent=2, ensure_ascii=False)
        text = text.replace("\n", "\n    ")
        yield (("\n    " if first else ",\n    ") + text).encode("utf-8")
        first = False
    yield ("\n  ]\n}\n" if not first else "]\n}\n").encode("utf-8")


def _chunks_jsonld(graph: ExportGraph) -> Iterator[bytes]:
    return _jsonld_chunks(graph.triples())


# --- CSV / TSV -------------------------------------------------------------------------------

CSV_COLUMNS = ("name", "country", "iso_code", "technologies", "year_joined",
               "latitude", "longitude", "sources", "iri")

_WKT_POINT = re.compile(
    r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)\s*$", re.IGNORECASE
)

_TABLE_PREFIXES = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX geo: <http://www.opengis.net/ont/geosparql#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX schema: <https://schema.org/>
"""


def _en_label(var: str, out: str) -> str:
    return (f"OPTIONAL {{ {var} skos:prefLabel ?{out}_p FILTER(langMatches(lang(?{out}_p), 'en')) }} "
            f"OPTIONAL {{ {var} rdfs:label ?{out}_r FILTER(langMatches(lang(?{out}_r), 'en') || lang(?{out}_r) = '') }} "
            f"BIND(COALESCE(?{out}_p, ?{out}_r) AS ?{out})")


def cluster_table(store: pyoxigraph.Store) -> list[dict[str, str]]:
    """One row per `cg:IndustrialCluster` (candidates excluded), ordered by name then IRI.

    Columns: CSV_COLUMNS. Lists (technologies, sources) are sorted and joined with "; ".
    """

    def select(body: str) -> list[dict[str, str]]:
        results = store.query(_TABLE_PREFIXES + body)
        names = [v.value for v in results.variables]
        return [{n: (sol[n].value if sol[n] is not None else "") for n in names} for sol in results]

    clusters: dict[str, dict[str, Any]] = {}
    for r in select(f"SELECT ?c ?name WHERE {{ ?c a cg:IndustrialCluster . {_en_label('?c', 'name')} }}"):
        row = clusters.setdefault(r["c"], {"names": set(), "countries": set(), "iso": set(),
                                           "tech": set(), "years": set(), "points": set(),
                                           "sources": set()})
        if r["name"]:
            row["names"].add(r["name"])
    for r in select(
        "SELECT ?c ?k ?kl ?iso WHERE { ?c a cg:IndustrialCluster ; cg:country ?k . "
        f"{_en_label('?k', 'kl')} OPTIONAL {{ ?k cg:iso3166Alpha2 ?iso }} }}"
    ):
        clusters[r["c"]]["countries"].add(r["kl"] or r["k"])
        if r["iso"]:
            clusters[r["c"]]["iso"].add(r["iso"])
    for r in select(
        "SELECT ?c ?t ?tl WHERE { ?c a cg:IndustrialCluster ; cg:technology ?t . "
        f"{_en_label('?t', 'tl')} }}"
    ):
        clusters[r["c"]]["tech"].add(r["tl"] or r["t"])
    for r in select(
        "SELECT ?c ?since WHERE { ?c a cg:IndustrialCluster . ?m org:member ?c ; cg:memberSince ?since }"
    ):
        clusters[r["c"]]["years"].add(r["since"][:4])
    for r in select("SELECT ?c ?wkt WHERE { ?c a cg:IndustrialCluster ; geo:hasGeometry/geo:asWKT ?wkt }"):
        m = _WKT_POINT.match(r["wkt"])
        if m:
            clusters[r["c"]]["points"].add((m.group(2), m.group(1)))
    for r in select(
        "SELECT ?c ?s ?url WHERE { ?c a cg:IndustrialCluster ; dcterms:source ?s . "
        "OPTIONAL { ?s schema:url ?url } }"
    ):
        clusters[r["c"]]["sources"].add(r["url"] or r["s"])
    table = []
    for iri, row in clusters.items():
        point = sorted(row["points"])[0] if row["points"] else ("", "")
        table.append({
            "name": sorted(row["names"])[0] if row["names"] else "",
            "country": "; ".join(sorted(row["countries"])),
            "iso_code": "; ".join(sorted(row["iso"])),
            "technologies": "; ".join(sorted(row["tech"], key=lambda s: (s.lower(), s))),
            "year_joined": min(row["years"]) if row["years"] else "",
            "latitude": point[0],
            "longitude": point[1],
            "sources": "; ".join(sorted(row["sources"])),
            "iri": iri,
        })
    table.sort(key=lambda r: (r["name"].casefold(), r["name"], r["iri"]))
    return table


def _table_chunks(graph: ExportGraph, delimiter: str) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, delimiter=delimiter, lineterminator="\n")
    writer.writeheader()
    writer.writerows(cluster_table(graph.store()))
    yield buffer.getvalue().encode("utf-8")


def _chunks_csv(graph: ExportGraph) -> Iterator[bytes]:
    return _table_chunks(graph, ",")


def _chunks_tsv(graph: ExportGraph) -> Iterator[bytes]:
    return _table_chunks(graph, "\t")


_WRITERS = {
    "turtle": _chunks_turtle,
    "ntriples": _chunks_ntriples,
    "nquads": _chunks_nquads,
    "trig": _chunks_trig,
    "jsonld": _chunks_jsonld,
    "rdfxml": _chunks_rdfxml,
    "csv": _chunks_csv,
    "tsv": _chunks_tsv,
}


def iter_serialized(graph: ExportGraph, fmt: str) -> Iterator[bytes]:
    """The export in format `fmt` as a stream of byte chunks."""
    fmt = parse_formats([fmt])[0]
    return _WRITERS[fmt](graph)


def serialize(graph: ExportGraph, fmt: str) -> bytes:
    """The export in format `fmt` as bytes."""
    return b"".join(iter_serialized(graph, fmt))


def write_export(graph: ExportGraph, fmt: str, out: Path | str | IO[bytes]) -> int:
    """Write the export to a path (atomically: temporary file, then rename) or a binary stream.

    Returns the number of bytes written.
    """
    from clustergraph.atomic import write_chunks_atomic

    chunks = iter_serialized(graph, fmt)
    if isinstance(out, (str, Path)):
        return write_chunks_atomic(out, chunks)
    size = 0
    for chunk in chunks:
        out.write(chunk)
        size += len(chunk)
    out.flush()
    return size


# ---------------------------------------------------------------------------------------------
# Per resource (shared with the site)
# ---------------------------------------------------------------------------------------------


def resource_triples(graph: ExportGraph, iri: str) -> list[pyoxigraph.Triple]:
    """The triples describing one resource: its own, plus those of blank nodes it leads to."""
    import pyoxigraph as ox

    store = graph.store()
    out: list[ox.Triple] = []
    todo: list[Any] = [ox.NamedNode(iri)]
    seen: set[Any] = set()
    while todo:
        subject = todo.pop()
        if subject in seen:
            continue
        seen.add(subject)
        for q in store.quads_for_pattern(subject, None, None, ox.DefaultGraph()):
            out.append(q.triple)
            if isinstance(q.object, ox.BlankNode):
                todo.append(q.object)
    out.sort(key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    return out


def serialize_triples(triples: Sequence[Any], fmt: str, *, context: dict[str, Any] | None = None) -> bytes:
    """A few (sorted) triples as Turtle, N-Triples, JSON-LD or RDF/XML; the site uses this."""
    import pyoxigraph as ox

    if fmt == "jsonld":
        return b"".join(_jsonld_chunks(triples, context=context))
    if fmt == "ntriples":
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    oxfmt = {"turtle": ox.RdfFormat.TURTLE, "rdfxml": ox.RdfFormat.RDF_XML}.get(fmt)
    if oxfmt is None:
        raise InputError(f"cannot write a resource as {fmt!r}")
    lines = sorted(str(t) + " ." for t in triples)
    return b"".join(_oxigraph_chunks(_triples_of(_types_first(lines)), oxfmt, fmt))


# ---------------------------------------------------------------------------------------------
# The export command's function
# ---------------------------------------------------------------------------------------------


@dataclass
class ExportResult:
    """What an export wrote: file per format with its size, and the description file."""

    files: dict[str, Path | None]
    sizes: dict[str, int]
    description: Path | None
    triples: int


def export(
    fmt: str,
    out: Path | str | IO[bytes] | None = None,
    *,
    include: Iterable[str] | str = DEFAULT_PARTS,
    data: Sequence[Path | str] | None = None,
    graph: ExportGraph | None = None,
    description: Path | str | bool | None = None,
    download_base: str | None = None,
) -> ExportResult:
    """Build the graph and write it in one format to `out` (a path, a stream, or stdout).

    With a path, the dataset description (VoID and DCAT, Turtle) is written beside it as
    `<out>.void.ttl` unless `description` is False or another path.
    """
    from clustergraph.dataset import write_description

    graph = graph if graph is not None else build_export_graph(include, data=data)
    name = parse_formats([fmt])
    if len(name) != 1:
        raise InputError("export() writes one format; use export_all() for several")
    fmt = name[0]
    target: Path | None = None
    if out is None or out == "-":
        size = write_export(graph, fmt, sys.stdout.buffer)
    elif isinstance(out, (str, Path)):
        target = Path(out)
        size = write_export(graph, fmt, target)
    else:
        size = write_export(graph, fmt, out)
    desc_path: Path | None = None
    if description is not False:
        if isinstance(description, (str, Path)):
            desc_path = Path(description)
        elif target is not None:
            desc_path = target.with_name(target.name + ".void.ttl")
        if desc_path is not None:
            write_description(graph, desc_path, distributions={fmt: (target.name if target else None, size)},
                              download_base=download_base)
    return ExportResult(files={fmt: target}, sizes={fmt: size}, description=desc_path, triples=len(graph))


def export_all(
    out_dir: Path | str,
    formats: Iterable[str] = ("all",),
    *,
    include: Iterable[str] | str = DEFAULT_PARTS,
    data: Sequence[Path | str] | None = None,
    graph: ExportGraph | None = None,
    basename: str = "clustergraph",
    description: bool = True,
    download_base: str | None = None,
    endpoint: str | None = None,
) -> ExportResult:
    """Write several formats into a folder as `<basename><suffix>`, plus `void.ttl` describing them."""
    from clustergraph.dataset import write_description

    graph = graph if graph is not None else build_export_graph(include, data=data)
    out_dir = Path(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"{out_dir}: several formats need a folder, and this is a file")
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path | None] = {}
    sizes: dict[str, int] = {}
    for fmt in parse_formats(formats):
        target = out_dir / f"{basename}{FORMATS[fmt].suffix}"
        sizes[fmt] = write_export(graph, fmt, target)
        files[fmt] = target
    desc_path = None
    if description:
        desc_path = out_dir / "void.ttl"
        write_description(graph, desc_path,
                          distributions={f: (p.name if p else None, sizes[f]) for f, p in files.items()},
                          download_base=download_base, endpoint=endpoint)
    return ExportResult(files=files, sizes=sizes, description=desc_path, triples=len(graph))
