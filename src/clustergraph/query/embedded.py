"""The embedded stores a `Session` queries: the files loaded into Oxigraph (the default) or
rdflib, each in its graph (`clustergraph.query.dataset`), and a query run on either with its
base IRI and dataset, with errors in the user's words."""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pyoxigraph

from clustergraph.errors import QueryError
from clustergraph.query.catalogue import undeclared_prefixes
from clustergraph.query.dataset import (
    BASE_IRI,
    DataFile,
    QueryDataset,
    file_graphs,
    load_oxigraph,
    load_rdflib,
)
from clustergraph.query.lexer import significant_tokens
from clustergraph.query.results import Rows, Triples
from clustergraph.vocab import PREFIXES

__all__ = ["DEFAULT_ENGINE", "ENGINES", "from_rdflib", "load_embedded", "run_embedded", "syntax_error"]

#: The embedded engines; the default was picked by benchmarks/bench_queries.py.
ENGINES = ("oxigraph", "rdflib")
DEFAULT_ENGINE = "oxigraph"

Result = Rows | Triples | bool
#: An IRI's scheme (RFC 3987): what a relative IRI lacks.
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def load_embedded(
    files: Sequence[DataFile], *, engine: str = DEFAULT_ENGINE, union: bool = True,
    ontology: Path | None = None,
) -> Any:
    """The files in a store of `engine` (a pyoxigraph Store or an rdflib Dataset), each in its
    graph, the default graph their union unless `union` is False (see
    `clustergraph.query.dataset`). `ontology`: the ontology file, when not the shipped one."""
    placed = file_graphs(files, ontology)
    if engine == "oxigraph":
        return load_oxigraph(placed, union=union)
    return load_rdflib(placed, union=union)


def run_embedded(
    store: Any, text: str, engine: str = DEFAULT_ENGINE, dataset: QueryDataset | None = None,
) -> Result:
    """Run a (checked) query on an embedded store of `engine`, with `dataset`'s base IRI and
    graphs (default: the dataset's base, the query's own FROM or the store's graphs)."""
    dataset = QueryDataset() if dataset is None else dataset
    if engine == "oxigraph":
        return _run_oxigraph(store, text, dataset)
    return _run_rdflib(store, text, dataset)


def _run_oxigraph(store: Any, text: str, dataset: QueryDataset) -> Result:
    try:
        result = store.query(text, **dataset.oxigraph_options())
        if isinstance(result, pyoxigraph.QuerySolutions):
            return Rows.from_solutions(result)
        if isinstance(result, pyoxigraph.QueryTriples):
            return Triples.from_iterable(result)
        return bool(result)
    except SyntaxError as exc:
        raise syntax_error(text, exc.msg or str(exc), dataset.base_iri) from None
    except (OSError, RuntimeError, ValueError) as exc:
        raise QueryError(f"the query failed: {exc}") from None


def _run_rdflib(store: Any, text: str, dataset: QueryDataset) -> Result:
    # pyparsing comes with rdflib's parser: only when that parser ran
    from pyparsing import ParseException

    if dataset.base_iri is None and _relative_iri(text) is not None:
        raise syntax_error(text, "a relative IRI", None)  # rdflib would keep it relative
    graph = store if dataset.default_graphs is None else _rdflib_view(store, dataset)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            result = graph.query(text, base=dataset.base_iri)
            if result.type == "SELECT":
                result.bindings  # noqa: B018 - evaluate now, inside the filter
    except ParseException as exc:
        raise syntax_error(text, str(exc), dataset.base_iri) from None
    except Exception as exc:  # noqa: BLE001 - rdflib raises many kinds for a bad query
        if undeclared_prefixes(text):  # rdflib parses it, then fails on the prefix
            raise syntax_error(text, str(exc), dataset.base_iri) from None
        raise QueryError(f"the query failed: {type(exc).__name__}: {exc}") from None
    if result.type == "ASK":
        return bool(result.askAnswer)
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        return Triples.from_iterable(
            pyoxigraph.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o))
            for s, p, o in result
        )
    columns = tuple(str(v) for v in result.vars or ())
    terms = tuple(
        tuple(None if row[i] is None else from_rdflib(row[i]) for i in range(len(columns)))
        for row in result
    )
    return Rows(columns, terms)


def syntax_error(text: str, detail: str, base_iri: str | None = BASE_IRI) -> QueryError:
    """The error for a query that does not parse: an undeclared prefix is named (with its
    namespace when it is one of ours), and so is a relative IRI when there is no base IRI to
    resolve it; any other error keeps the parser's words, line and column."""
    prefixes = undeclared_prefixes(text)
    if not prefixes:
        relative = _relative_iri(text) if base_iri is None else None
        if relative is not None:
            return QueryError(
                f"the query does not parse: the relative IRI {relative} needs a base IRI; "
                "write it in full, add BASE <...> at the start of the query, or give a base IRI"
            )
        return QueryError(f"the query does not parse: {detail}")
    declarations = " ".join(f"PREFIX {p} <{PREFIXES.get(p[:-1], '...')}>" for p in prefixes)
    names = ", ".join(repr(p) for p in prefixes)
    subject = f"prefix {names} is" if len(prefixes) == 1 else f"prefixes {names} are"
    return QueryError(
        f"the query does not parse: {subject} not declared; "
        f"add {declarations} at the start of the query"
    )


def with_base(text: str, base_iri: str | None) -> str:
    """The text for a store that knows nothing of our base IRI: ``BASE <base_iri>`` put first
    when the text has a relative IRI and no BASE of its own (otherwise the text as it is).

    >>> with_base("ASK { <country/IN> ?p ?o }", "https://w3id.org/clustergraph/id/")
    'BASE <https://w3id.org/clustergraph/id/>\\nASK { <country/IN> ?p ?o }'
    """
    if base_iri is None or _relative_iri(text) is None:
        return text
    return f"BASE <{base_iri}>\n{text}"


def _relative_iri(text: str) -> str | None:
    """The first IRI of a query that is relative (no scheme), or None; BASE makes none relative."""
    iris = []
    for token in significant_tokens(text):
        if token.kind == "word" and token.text.upper() == "BASE":
            return None
        if token.kind == "iri":
            iris.append(token.text)
    return next((iri for iri in iris if not _SCHEME.match(iri[1:-1])), None)


def _rdflib_view(store: Any, dataset: QueryDataset) -> Any:
    """An rdflib Dataset whose default graph holds the triples of `dataset.default_graphs` and
    which has no named graphs, as the protocol says when only default graphs are given (rdflib
    takes no dataset with a query)."""
    # rdflib: ~0.1 s to import, only for engine='rdflib'
    from rdflib import Dataset, URIRef

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib 7.6, inside its own code
        view = Dataset(default_union=False)
        default = view.default_context
        for name in dataset.default_graphs or ():
            for triple in store.graph(URIRef(name)):
                default.add(triple)
    return view


def from_rdflib(term: Any) -> Any:
    """One rdflib term as its pyoxigraph equivalent."""
    # rdflib: ~0.1 s to import, only for engine='rdflib'
    from rdflib import BNode, Literal, URIRef

    if isinstance(term, URIRef):
        return pyoxigraph.NamedNode(str(term))
    if isinstance(term, BNode):
        return pyoxigraph.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return pyoxigraph.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return pyoxigraph.Literal(str(term), datatype=pyoxigraph.NamedNode(str(term.datatype)))
        return pyoxigraph.Literal(str(term))
    raise QueryError(f"unsupported RDF term in a result: {term!r}")
