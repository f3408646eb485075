"""Writing an export: one format to a path or a stream, several into a folder, or a few triples."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING

from clustergraph.errors import InputError, file_error
from clustergraph.export.description import write_description
from clustergraph.export.formats import DEFAULT_PARTS, FORMATS, parse_formats
from clustergraph.export.graph import ExportGraph, build_export_graph
from clustergraph.export.jsonld import chunks_jsonld
from clustergraph.export.rdf import (
    chunks_nquads,
    chunks_ntriples,
    chunks_rdfxml,
    chunks_trig,
    chunks_turtle,
)
from clustergraph.export.table import chunks_csv, chunks_tsv
from clustergraph.files.atomic import refuse_other_than_file, write_chunks_atomic

if TYPE_CHECKING:
    pass

_WRITERS = {
    "turtle": chunks_turtle,
    "ntriples": chunks_ntriples,
    "nquads": chunks_nquads,
    "trig": chunks_trig,
    "jsonld": chunks_jsonld,
    "rdfxml": chunks_rdfxml,
    "csv": chunks_csv,
    "tsv": chunks_tsv,
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

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = export("turtle", Path(tmp) / "onto.ttl", include="ontology")
    ...     print(result.files["turtle"].name, result.description.name, result.sizes["turtle"] > 0)
    onto.ttl onto.ttl.void.ttl True
    """

    graph = graph if graph is not None else build_export_graph(include, data=data)
    name = parse_formats([fmt])
    if len(name) != 1:
        raise InputError("export() writes one format; use export_all() for several")
    fmt = name[0]
    target = Path(out) if isinstance(out, (str, Path)) and out != "-" else None
    desc_path: Path | None = None
    if description is not False:
        if isinstance(description, (str, Path)):
            desc_path = Path(description)
        elif target is not None:
            desc_path = target.with_name(target.name + ".void.ttl")
    for path in (target, desc_path):  # both checked before either is written
        if path is not None:
            refuse_other_than_file(path)
    if out is None or out == "-":
        size = write_export(graph, fmt, sys.stdout.buffer)
    else:
        size = write_export(graph, fmt, target if target is not None else out)  # type: ignore[arg-type]
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
