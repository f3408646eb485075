"""Writing an export: one format to a path or a stream, several into a folder, or a few triples."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from clustergraph.errors import InputError, file_error
from clustergraph.export.description import describe, description_bytes, write_description
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
from clustergraph.files.atomic import (
    atomic_files,
    check_output_name,
    refuse_other_than_file,
    refuse_other_than_folder,
    write_chunks_atomic,
)

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
    `<out>.void.ttl` unless `description` is False, another path, or "-" (standard output). The
    file and its description are one output: both are replaced, or neither (`atomic_files`).

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
    desc_out = description == "-"  # the description on standard output
    if description is not False and not desc_out:
        if isinstance(description, (str, Path)):
            desc_path = Path(description)
        elif target is not None:
            desc_path = target.with_name(target.name + ".void.ttl")
    if desc_out and target is None:
        raise InputError("the description and the export cannot both go to standard output (-); name a file")
    size = 0
    if target is None:
        if desc_path is not None:
            refuse_other_than_file(desc_path)  # before anything is written
        stream = sys.stdout.buffer if out is None or out == "-" else out
        size = write_export(graph, fmt, stream)  # type: ignore[arg-type]
        if desc_path is not None:
            write_description(graph, desc_path, distributions={fmt: (None, size)}, download_base=download_base)
    else:
        # the export and its description are one output: both replaced, or neither
        with atomic_files([p for p in (target, desc_path) if p is not None]) as staged:
            size = _write_file(graph, fmt, staged[0], target)
            if desc_path is not None:
                _write_description(graph, staged[1], desc_path, distributions={fmt: (target.name, size)},
                                   download_base=download_base)
        if desc_out:
            sys.stdout.buffer.write(description_bytes(describe(graph, distributions={fmt: (target.name, size)},
                                                               download_base=download_base), "turtle"))
            sys.stdout.buffer.flush()
    return ExportResult(files={fmt: target}, sizes={fmt: size}, description=desc_path, triples=len(graph))


def _write_file(graph: ExportGraph, fmt: str, path: Path, target: Path) -> int:
    """Write the export into `path`, the staged file of `target` (`atomic_files` renames and
    syncs it); an OSError (no space left...) names `target`."""
    try:
        with open(path, "xb") as fh:
            return write_export(graph, fmt, fh)
    except OSError as exc:
        raise file_error(target, exc, "write") from exc


def _write_description(graph: ExportGraph, path: Path, target: Path, **kwargs: Any) -> None:
    """Write the description of `graph` (see `describe`) into `path`, the staged file of
    `target`: Turtle, or JSON-LD when `target` ends in `.jsonld` (as `write_description`)."""
    data = description_bytes(describe(graph, **kwargs), "jsonld" if target.suffix == ".jsonld" else "turtle")
    try:
        with open(path, "xb") as fh:
            fh.write(data)
    except OSError as exc:
        raise file_error(target, exc, "write") from exc


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
    """Write several formats into a folder as `<basename><suffix>`, plus `void.ttl` describing them.

    The files are replaced as a set: all are written beside their targets first, then swapped in
    together (or none is, if one fails, the disk fills or the process is interrupted); no other
    file in the folder is touched. A folder that is a link, or not a folder, is refused.
    """

    graph = graph if graph is not None else build_export_graph(include, data=data)
    out_dir = Path(out_dir)
    check_output_name(out_dir)
    refuse_other_than_folder(out_dir)
    created = not out_dir.exists()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_error(out_dir, exc, "create the folder") from None
    names = parse_formats(formats)
    files: dict[str, Path | None] = {fmt: out_dir / f"{basename}{FORMATS[fmt].suffix}" for fmt in names}
    desc_path = out_dir / "void.ttl" if description else None
    sizes: dict[str, int] = {}
    try:
        # every file is written beside its target first; then all are swapped in, or none
        with atomic_files([*files.values(), *([desc_path] if desc_path else [])]) as staged:
            for fmt, path in zip(names, staged):
                sizes[fmt] = _write_file(graph, fmt, path, out_dir / path.name)
            if desc_path is not None:
                _write_description(graph, staged[-1], desc_path,
                                   distributions={f: (p.name if p else None, sizes[f]) for f, p in files.items()},
                                   download_base=download_base, endpoint=endpoint)
    except BaseException:
        if created:
            with contextlib.suppress(OSError):  # a folder made for the export and left empty
                os.rmdir(out_dir)
        raise
    return ExportResult(files=files, sizes=sizes, description=desc_path, triples=len(graph))
