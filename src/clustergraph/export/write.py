"""Writing an export: one format to a path or a stream, several into a folder, or a few triples."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from clustergraph.errors import InputError, file_error
from clustergraph.export.formats import DEFAULT_PARTS, FORMATS, parse_formats
from clustergraph.export.graph import ExportGraph, build_export_graph
from clustergraph.export.jsonld import _chunks_jsonld, _jsonld_chunks
from clustergraph.export.rdf import (
    _chunks_nquads,
    _chunks_ntriples,
    _chunks_rdfxml,
    _chunks_trig,
    _chunks_turtle,
    _oxigraph_chunks,
    _triples_of,
    _types_first,
)
from clustergraph.export.table import _chunks_csv, _chunks_tsv

if TYPE_CHECKING:
    import pyoxigraph

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
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_error(out_dir, exc, "create the folder") from None
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
