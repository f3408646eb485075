"""Loading RDF files: the shipped graph, files a user gives, or both merged.

Parsing goes through Oxigraph (fast, and its errors carry line and column); the result is
either a `pyoxigraph.Store` (for queries) or an `rdflib.Graph` (for SHACL and serialisation).
Everything is loaded into the default graph, so embedded and remote stores answer alike.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph

from clustergraph.errors import InputError, RDFSyntaxError, file_error
from clustergraph.files import paths
from clustergraph.files.nesting import MAX_NESTING, json_too_deep, xml_too_deep
from clustergraph.vocab import CONTEXT_IRI, bind_prefixes

if TYPE_CHECKING:
    import rdflib

__all__ = [
    "read_bytes",
    "GraphSources",
    "data_files_of",
    "expand_paths",
    "load_files",
    "load_graph",
    "load_store",
    "parse_file",
    "rdf_format_for",
    "to_rdflib",
]

log = logging.getLogger(__name__)

_SUFFIX_FORMATS = {
    ".ttl": "TURTLE",
    ".turtle": "TURTLE",
    ".nt": "N_TRIPLES",
    ".ntriples": "N_TRIPLES",
    ".nq": "N_QUADS",
    ".trig": "TRIG",
    ".rdf": "RDF_XML",
    ".owl": "RDF_XML",
    ".xml": "RDF_XML",
    ".jsonld": "JSON_LD",
    ".json": "JSON_LD",
    ".n3": "N3",
}


@dataclass(frozen=True)
class GraphSources:
    """The files that make up a graph: ontology, shapes and data. The one input of every
    function that reads the graph (validation, queries, information, export, the site).

    >>> from clustergraph.files.load import GraphSources
    >>> shipped = GraphSources()
    >>> [p.name for p in shipped.data][:2], shipped.ontology.name, shipped.shapes.name
    (['clusters.ttl', 'countries.ttl'], 'clustergraph.ttl', 'shapes.ttl')
    >>> [p.name for p in shipped.graph_files()][:2]
    ['clustergraph.ttl', 'clusters.ttl']
    """

    ontology: Path = field(default_factory=paths.ontology_file)
    shapes: Path = field(default_factory=paths.shapes_file)
    data: tuple[Path, ...] = field(default_factory=lambda: tuple(paths.data_files()))

    @classmethod
    def with_data(
        cls, data: Sequence[Path | str] | None = None, **overrides: Path | str | None
    ) -> GraphSources:
        """The shipped files, with `data` (when given) and any non-None override replacing them."""
        kwargs: dict[str, object] = {k: Path(v) for k, v in overrides.items() if v is not None}
        if data:
            kwargs["data"] = tuple(Path(p) for p in data)
        return cls(**kwargs)  # type: ignore[arg-type]

    @classmethod
    def of(
        cls,
        data: GraphSources | Sequence[Path | str] | None = None,
        *,
        ontology: Path | str | None = None,
        shapes: Path | str | None = None,
        with_shipped_data: bool = False,
    ) -> GraphSources:
        """The sources a command's arguments name: `data` files and folders (folders expanded to
        the RDF files in them) instead of the shipped data, or beside it `with_shipped_data` (a
        shipped file is then left out when a given file has its name, so an edited copy of
        `data/clusters.ttl` replaces the shipped one). `ontology` and `shapes` replace the
        shipped files. `data` may already be `GraphSources`: the overrides apply to it.
        """
        overrides = {k: Path(v) for k, v in (("ontology", ontology), ("shapes", shapes)) if v is not None}
        if isinstance(data, GraphSources):
            return replace(data, **overrides)  # type: ignore[arg-type]
        return cls(data=tuple(data_files_of(data, with_shipped_data=with_shipped_data)),
                   **overrides)  # type: ignore[arg-type]

    def graph_files(self) -> list[Path]:
        """The files of the data graph as queries see it: the ontology, then the data."""
        return [self.ontology, *self.data]


def data_files_of(
    data: Sequence[Path | str] | None = None, *, with_shipped_data: bool = False
) -> list[Path]:
    """The data files: the given files (folders expanded), the shipped ones, or both (see
    `GraphSources.of`)."""
    given = expand_paths(data) if data else []
    if given and not with_shipped_data:
        return given
    names = {p.name for p in given}
    resolved = {p.resolve() for p in given}
    shipped = [p for p in paths.data_files() if p.name not in names and p.resolve() not in resolved]
    return given + shipped


def rdf_format_for(path: Path | str) -> pyoxigraph.RdfFormat:
    """The RDF syntax of a file, from its suffix."""
    suffix = Path(path).suffix.lower()
    name = _SUFFIX_FORMATS.get(suffix)
    if name is None:
        known = ", ".join(sorted(_SUFFIX_FORMATS))
        raise InputError(f"{path}: unknown RDF file suffix {suffix!r} (known: {known})")
    fmt: pyoxigraph.RdfFormat = getattr(pyoxigraph.RdfFormat, name)
    return fmt


def read_bytes(path: Path) -> bytes:
    """A file's bytes; a missing or unreadable file is an `InputError`."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, not an RDF file") from None
    except OSError as exc:
        raise file_error(path, exc, "read") from None


def expand_paths(paths: Iterable[Path | str]) -> list[Path]:
    """Files as given, and each folder replaced by the RDF files directly inside it (sorted).

    A path that does not exist, or a folder without RDF files, is an `InputError`.
    """
    out: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            inside = sorted(
                p for p in path.iterdir() if p.suffix.lower() in _SUFFIX_FORMATS and p.is_file()
            )
            if not inside:
                raise InputError(
                    f"{path}: folder holds no RDF files ({', '.join(sorted(_SUFFIX_FORMATS))})"
                )
            out.extend(inside)
        elif not path.exists():
            raise InputError(f"{path}: no such file")
        else:
            out.append(path)
    return out


#: RDF/XML may declare entities in a DOCTYPE; expanding them is how a 1 KB file becomes gigabytes.
_XML_DECLARATIONS = re.compile(rb"<!ENTITY|<!DOCTYPE[^>\[]*\[")
#: Oxigraph's "Reached the buffer maximal size of N": a token longer than its parser can hold.
_BUFFER_LIMIT = re.compile(r"buffer maximal size of (\d+)")


def parse_file(
    path: Path | str,
    *,
    prefixes: dict[str, str] | None = None,
    content: bytes | None = None,
    fmt: pyoxigraph.RdfFormat | None = None,
) -> Iterator[pyoxigraph.Quad]:
    """Parse one RDF file; a syntax error becomes an `RDFSyntaxError` naming file, line, column.

    The one way clustergraph reads an RDF file, and where hostile input is refused: RDF/XML
    declaring entities, a token larger than the parser's buffer, JSON-LD or RDF/XML nested deeper
    than `MAX_NESTING`, and a JSON-LD context that is not ours (ours is read from the shipped file, never fetched). When `prefixes` is given, the
    prefixes the file declares are added to it once parsed. `content`: the file's bytes, and
    `fmt` its syntax (`rdf_format_for`), when the caller has them already.
    """
    path = Path(path)
    fmt = rdf_format_for(path) if fmt is None else fmt
    content = read_bytes(path) if content is None else content
    if fmt == pyoxigraph.RdfFormat.RDF_XML:
        _refuse_xml_declarations(path, content)
        _refuse_deep_nesting(path, xml_too_deep(content), "XML elements")
    elif fmt == pyoxigraph.RdfFormat.JSON_LD:
        _refuse_deep_nesting(path, json_too_deep(content), "JSON arrays and objects")
        content = _with_local_context(path, content)
    base = path.resolve().as_uri()
    try:
        parser = pyoxigraph.parse(content, format=fmt, base_iri=base)
        yield from parser
        if prefixes is not None:
            for name, ns in parser.prefixes.items():
                prefixes.setdefault(name, ns)
    except SyntaxError as exc:
        detail = exc.msg or str(exc)
        # Oxigraph says "Parser error at line L between columns A and B: message"; keep the message.
        if ": " in detail and detail.startswith("Parser error"):
            detail = detail.split(": ", 1)[1]
        raise RDFSyntaxError(path, exc.lineno, exc.offset, detail) from None
    except ValueError as exc:  # e.g. invalid UTF-8
        raise RDFSyntaxError(path, None, None, str(exc)) from None
    except MemoryError as exc:
        limit = _BUFFER_LIMIT.search(str(exc))
        if limit is None:
            raise
        size = int(limit.group(1))
        raise RDFSyntaxError(
            path, _oversized_token_line(content, size), None,
            f"a token (IRI or literal) is larger than the parser's limit of {size // 2**20} MiB",
        ) from None


def _line_at(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def _refuse_xml_declarations(path: Path, content: bytes) -> None:
    found = _XML_DECLARATIONS.search(content)
    if found is not None:
        raise RDFSyntaxError(
            path, _line_at(content, found.start()), None,
            "RDF/XML with a DOCTYPE declaring entities is refused (entity expansion can make a "
            "small file take gigabytes); write the values out instead",
        )


def _refuse_deep_nesting(path: Path, line: int | None, what: str) -> None:
    if line is not None:
        raise RDFSyntaxError(
            path, line, None,
            f"{what} nested more than {MAX_NESTING} levels deep are refused (the parsers "
            "recurse on nesting); flatten the file, e.g. give nested nodes their own @id",
        )


def _oversized_token_line(content: bytes, size: int) -> int | None:
    """The line where a token longer than `size` bytes starts: a long line, or a long literal."""
    start = 0
    while start < len(content):
        end = content.find(b"\n", start)
        end = len(content) if end < 0 else end
        if end - start > size:
            return _line_at(content, start)
        start = end + 1
    for quote in (b'"""', b"'''"):
        at = content.find(quote)
        while at >= 0:
            close = content.find(quote, at + 3)
            if close < 0 or close - at > size:
                return _line_at(content, at)
            at = content.find(quote, close + 3)
    return None


def _with_local_context(path: Path, content: bytes) -> bytes:
    """JSON-LD with our context's address replaced by the shipped context; any other refused.

    Oxigraph fetches no remote context, so one that is not ours is an `InputError` naming it.
    """
    try:
        document = json.loads(content)
    except json.JSONDecodeError as exc:
        raise RDFSyntaxError(path, exc.lineno, exc.colno, f"not JSON: {exc.msg}") from None
    except ValueError as exc:  # not UTF-8
        raise RDFSyntaxError(path, None, None, f"not JSON: {exc}") from None
    ours: list[Any] = []

    def local(context: Any) -> Any:
        if isinstance(context, list):
            return [local(c) for c in context]
        if isinstance(context, str):
            if context != CONTEXT_IRI:
                raise InputError(
                    f"{path}: refusing the remote JSON-LD context {context!r} (only "
                    f"{CONTEXT_IRI} is read, from the shipped file; put other contexts inline)"
                )
            if not ours:
                ours.append(json.loads(paths.context_file().read_bytes())["@context"])
            return ours[0]
        if isinstance(context, dict) and "@import" in context:
            return local_import(context)
        return context

    def local_import(context: dict[str, Any]) -> Any:
        imported = local(context["@import"])
        rest = {k: v for k, v in context.items() if k != "@import"}
        return [imported, rest]

    def walk(node: Any) -> Any:
        if isinstance(node, list):
            return [walk(n) for n in node]
        if isinstance(node, dict):
            return {k: (local(v) if k == "@context" else walk(v)) for k, v in node.items()}
        return node

    replaced = walk(document)
    if not ours:  # no context by address: the file as it is, so errors keep their lines
        return content
    return json.dumps(replaced, ensure_ascii=False).encode("utf-8")


def load_store(
    files: Iterable[Path | str],
    *,
    store: pyoxigraph.Store | None = None,
    prefixes: dict[str, str] | None = None,
) -> pyoxigraph.Store:
    """Load files into the default graph of an in-memory Oxigraph store.

    `prefixes`, when given, collects the prefixes the files declare (the first declaration wins).
    """
    store = pyoxigraph.Store() if store is None else store
    default = pyoxigraph.DefaultGraph()
    for path in files:
        quads = [
            pyoxigraph.Quad(q.subject, q.predicate, q.object, default)
            for q in parse_file(path, prefixes=prefixes)
        ]
        store.extend(quads)
        log.debug("loaded %d triples from %s", len(quads), path)
    return store


def to_rdflib(term: object, *, keep_lexical: bool = False) -> rdflib.term.Node:
    """Convert one Oxigraph term to its rdflib equivalent; with `keep_lexical`, a typed literal
    keeps its lexical form (rdflib would make `"01"^^xsd:int` into `"1"^^xsd:int`)."""
    # rdflib: ~0.1 s to import (python -X importtime); only the rdflib paths need it
    from rdflib import BNode, Literal, URIRef
    from rdflib.namespace import XSD

    if isinstance(term, pyoxigraph.NamedNode):
        return URIRef(term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return BNode(term.value)
    if isinstance(term, pyoxigraph.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == str(XSD.string):
            return Literal(term.value)
        if keep_lexical:
            return Literal(term.value, datatype=URIRef(datatype), normalize=False)
        return Literal(term.value, datatype=URIRef(datatype))
    raise InputError(f"unsupported RDF term (RDF-star is not used by clustergraph): {term}")


def load_files(
    files: Iterable[Path | str],
    *,
    graph: rdflib.Graph | None = None,
    keep_lexical: bool = False,
) -> rdflib.Graph:
    """Parse files into one rdflib graph (triples of every file, named graphs merged);
    `keep_lexical`: typed literals as the files write them (see `to_rdflib`)."""
    # rdflib: ~0.1 s to import (python -X importtime); only the rdflib paths need it
    from rdflib import Graph

    graph = Graph() if graph is None else graph
    add = graph.add
    for path in files:
        for quad in parse_file(path):
            obj = to_rdflib(quad.object, keep_lexical=keep_lexical)
            add((to_rdflib(quad.subject), to_rdflib(quad.predicate), obj))
    return graph


def load_graph(
    data: Sequence[Path | str] | None = None,
    *,
    ontology: bool | Path | str = True,
    shapes: bool | Path | str = False,
    shipped_data: bool | None = None,
) -> rdflib.Graph:
    """The graph as one rdflib Graph, with our prefixes bound.

    `data`: data files to load; by default the shipped `data/*.ttl`. Pass `shipped_data=True`
    to merge the shipped data with your own files. `ontology` / `shapes`: True for the shipped
    file, False to leave it out, or a path to use instead.
    """
    files: list[Path] = []
    for wanted, default in ((ontology, paths.ontology_file), (shapes, paths.shapes_file)):
        if wanted is True:
            files.append(default())
        elif wanted:
            files.append(Path(wanted))  # type: ignore[arg-type]
    if shipped_data or (shipped_data is None and not data):
        files.extend(paths.data_files())
    files.extend(Path(p) for p in data or ())
    graph = load_files(files)
    bind_prefixes(graph)
    return graph
