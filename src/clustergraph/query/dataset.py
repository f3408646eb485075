"""The dataset queries run on: which named graph each loaded file goes into, the default graph
(the union of all graphs, or plain), and what one query asks for besides its text (a base IRI,
the protocol's `default-graph-uri` / `named-graph-uri`).

One mechanism for the CLI (`sparql`/`query --data`, `--graph`), `Session` and the server's
workers:

* Files load into their graphs. TriG and N-Quads keep theirs (their default-graph triples stay in
  the default graph). A file of triples (Turtle, N-Triples, RDF/XML, JSON-LD) goes into the named
  graph of its part, as the export's N-Quads and TriG name them: the ontology into
  `https://w3id.org/clustergraph/graph/ontology`, every data file (the shipped ones, or those
  given with `--data`) into `https://w3id.org/clustergraph/graph/data`. So the shipped Turtle
  files and `clustergraph export --format trig` load into the same dataset. A file may also be
  given with its graph, `(path, iri)`, or `(path, None)` for the default graph.
* The default graph is the union of all graphs (as Oxigraph's `use_default_graph_as_union`,
  Fuseki's `unionDefaultGraph`, GraphDB): every triple once, however many graphs hold it; the
  store keeps that merge in its default graph, so a query reads it as fast as a plain default
  graph, and FROM / FROM NAMED replace it as SPARQL says. With `union=False` ("plain") the default
  graph holds only what the files put there, and the named graphs are reached with GRAPH.
* A query's dataset: FROM / FROM NAMED in the text, or the protocol's lists (`QueryDataset`),
  which override the text's (SPARQL 1.1 Protocol 2.1.4); a list that names no graph of the
  store gives an empty graph. Nothing is ever fetched.
* Relative IRIs in a query resolve against the dataset's base, `https://w3id.org/clustergraph/id/`
  (``<country/IN>`` is our resource), unless a caller gives another.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError
from clustergraph.files import paths
from clustergraph.files.load import parse_file, rdf_format_for, to_rdflib
from clustergraph.vocab import ID_NS

__all__ = [
    "BASE_IRI",
    "DATA_GRAPH",
    "GRAPH_NS",
    "ONTOLOGY_GRAPH",
    "DataFile",
    "QueryDataset",
    "check_held",
    "file_graphs",
    "held_graphs",
    "load_oxigraph",
    "load_rdflib",
]

log = logging.getLogger(__name__)

#: The named graphs of the parts, as the export's N-Quads and TriG name them (`GRAPH_NS + part`;
#: the same as `clustergraph.export.GRAPH_NS`, a test checks).
GRAPH_NS = "https://w3id.org/clustergraph/graph/"
ONTOLOGY_GRAPH = GRAPH_NS + "ontology"
DATA_GRAPH = GRAPH_NS + "data"
#: The base IRI of queries: the dataset's own resources.
BASE_IRI = ID_NS

#: A file to load: a path (into the graph of its part), or a path with its graph (None: the
#: default graph).
DataFile = Path | str | tuple[Path | str, str | None]

#: Syntaxes whose files hold quads (their graphs are kept).
_QUAD_FORMATS = (pyoxigraph.RdfFormat.N_QUADS, pyoxigraph.RdfFormat.TRIG)
#: Syntaxes Oxigraph's bulk loader reads (twice as fast on large files); any other syntax, and
#: any file it refuses, goes through `parse_file`, whose checks and errors name the file.
_BULK_FORMATS = (pyoxigraph.RdfFormat.TURTLE, pyoxigraph.RdfFormat.N_TRIPLES, *_QUAD_FORMATS)
#: Copies every named graph's triples into the default graph (a set: each triple once).
_UNION = "INSERT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }"


def file_graphs(files: Iterable[DataFile], ontology: Path | None = None) -> list[tuple[Path, str | None]]:
    """Each file with the graph its default-graph triples go into (None: the default graph).

    `ontology`: the ontology file (default: the shipped one), whose graph is `ONTOLOGY_GRAPH`.

    >>> from clustergraph.files import paths
    >>> [g for _, g in file_graphs([paths.ontology_file(), "a.ttl", "b.trig", ("c.nt", None)])]
    ['https://w3id.org/clustergraph/graph/ontology', 'https://w3id.org/clustergraph/graph/data', None, None]
    """
    ontology = (ontology or paths.ontology_file()).resolve()
    out: list[tuple[Path, str | None]] = []
    for item in files:
        if isinstance(item, tuple):
            path, graph = Path(item[0]), item[1]
            out.append((path, None if graph is None else _checked_iri(graph)))
        elif rdf_format_for(item) in _QUAD_FORMATS:
            out.append((Path(item), None))
        else:
            path = Path(item)
            out.append((path, ONTOLOGY_GRAPH if path.resolve() == ontology else DATA_GRAPH))
    return out


def _checked_iri(iri: str) -> str:
    try:
        return pyoxigraph.NamedNode(iri).value
    except ValueError:
        raise InputError(f"the graph {iri!r} of a data file is not an IRI") from None


def _target(graph: str | None) -> Any:
    return pyoxigraph.DefaultGraph() if graph is None else pyoxigraph.NamedNode(graph)


def load_oxigraph(files: Sequence[tuple[Path, str | None]], *, union: bool = True) -> Any:
    """An in-memory Oxigraph store of `files` (from `file_graphs`); with `union`, its default
    graph also holds every named graph's triples (see the module's docs).

    Files go through Oxigraph's bulk loader when it reads their syntax (about twice as fast on
    large files); when it refuses one, everything is loaded again through `parse_file`, whose
    checks and errors name the file, line and column.
    """
    store = pyoxigraph.Store()
    try:
        for path, graph in files:
            fmt = rdf_format_for(path)
            if fmt not in _BULK_FORMATS or (graph is not None and fmt in _QUAD_FORMATS):
                _extend(store, path, graph)
                continue
            store.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri(),
                            to_graph=None if fmt in _QUAD_FORMATS else _target(graph))
    except (SyntaxError, OSError, ValueError, MemoryError):  # MemoryError: an oversized token
        log.debug("a bulk load failed; loading again to report the error precisely")
        store = pyoxigraph.Store()
        for path, graph in files:
            _extend(store, path, graph)
    if union:
        store.update(_UNION)
    return store


def _extend(store: Any, path: Path, graph: str | None) -> None:
    """Add one file's quads through `parse_file`, its default-graph triples into `graph`."""
    into = _target(graph)
    store.extend(
        q if not isinstance(q.graph_name, pyoxigraph.DefaultGraph)
        else pyoxigraph.Quad(q.subject, q.predicate, q.object, into)
        for q in parse_file(path)
    )


def load_rdflib(files: Sequence[tuple[Path, str | None]], *, union: bool = True) -> Any:
    """An rdflib Dataset of `files` (from `file_graphs`), its default graph the union of all
    graphs when `union` (rdflib's `default_union`)."""
    # rdflib's SPARQL engine: ~0.2 s to import, only for engine='rdflib'
    import rdflib.plugins.sparql as rdflib_sparql
    from rdflib import Dataset, URIRef
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    # Never let rdflib fetch a graph named in FROM / FROM NAMED: they name graphs of the store.
    rdflib_sparql.SPARQL_LOAD_GRAPHS = False
    with warnings.catch_warnings():
        # rdflib 7.6 warns about its own use of Dataset.default_context
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = Dataset(default_union=union)
        contexts: dict[str | None, Any] = {}
        for path, graph in files:
            for quad in parse_file(path):
                name = graph if isinstance(quad.graph_name, pyoxigraph.DefaultGraph) else quad.graph_name.value
                if name not in contexts:
                    contexts[name] = dataset.graph(URIRef(name) if name else DATASET_DEFAULT_GRAPH_ID)
                contexts[name].add((to_rdflib(quad.subject), to_rdflib(quad.predicate),
                                    to_rdflib(quad.object)))
    return dataset


def held_graphs(store: Any) -> list[str]:
    """The IRIs of the named graphs of a store (Oxigraph or rdflib), sorted."""
    if isinstance(store, pyoxigraph.Store):
        names = store.named_graphs()
    else:
        # rdflib: only for an rdflib store, which has imported it already
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # rdflib 7.6, inside its own code
            names = [g.identifier for g in store.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID]
    return sorted({str(getattr(g, "value", g)) for g in names if not isinstance(g, pyoxigraph.BlankNode)})


def check_held(store: Any, graphs: Sequence[str]) -> None:
    """Refuse (`InputError`) a graph of `graphs` the store does not hold, naming those it does:
    `--graph` is the user's choice, so a typo is an error (the protocol's lists are not checked:
    a graph not held is an empty graph there)."""
    held = held_graphs(store)
    missing = [g for g in graphs if g not in held]
    if missing:
        names = ", ".join(f"<{g}>" for g in held) if held else "no named graph"
        raise InputError(f"no named graph <{missing[0]}> in the loaded files; they hold {names}")


@dataclass(frozen=True)
class QueryDataset:
    """What a query runs with besides its text.

    `base_iri`: relative IRIs resolve against it (None: a relative IRI is an error).
    `default_graphs` / `named_graphs`: the protocol's `default-graph-uri` / `named-graph-uri`;
    None for both: the query's own FROM / FROM NAMED, else the store's default graph and all its
    named graphs. When either is given they replace the query's dataset, the other one empty.
    """

    base_iri: str | None = BASE_IRI
    default_graphs: tuple[str, ...] | None = None
    named_graphs: tuple[str, ...] | None = None

    @classmethod
    def of(cls, default_graphs: Sequence[str] = (), named_graphs: Sequence[str] = (),
           base_iri: str | None = BASE_IRI) -> QueryDataset:
        """The dataset of the protocol's two lists (both empty: the query's own)."""
        if not default_graphs and not named_graphs:
            return cls(base_iri)
        return cls(base_iri, tuple(default_graphs), tuple(named_graphs))

    def oxigraph_options(self) -> dict[str, Any]:
        """The keywords of `pyoxigraph.Store.query` for this dataset."""
        options: dict[str, Any] = {"base_iri": self.base_iri}
        if self.default_graphs is not None or self.named_graphs is not None:
            options["default_graph"] = [pyoxigraph.NamedNode(g) for g in self.default_graphs or ()]
            options["named_graphs"] = [pyoxigraph.NamedNode(g) for g in self.named_graphs or ()]
        return options
