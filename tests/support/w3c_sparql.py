"""The W3C SPARQL 1.1 query tests (tests/w3c/sparql11/): reading their manifests, loading a
test's dataset, reading the expected results, and comparing answers.

An answer, whoever gave it, is put in one shape before comparing (`Answer`): a boolean (ASK), a
set of triples (CONSTRUCT/DESCRIBE), or the variables and rows of a SELECT (rows of
pyoxigraph terms, or of CSV texts when the answer or the expected result is CSV, which keeps no
types). Blank nodes match when a one-to-one renaming makes the two equal; rows compare as
multisets, in order when the query has ORDER BY.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from support.paths import W3C

SUITE = W3C / "sparql11"
#: The URL the suite's manifests were published under (the IRIs of graphs and query bases).
SUITE_URL = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/"
#: The folders whose tests run (see tests/w3c/sparql11/README.md for those left out).
EVALUATION_FOLDERS = (
    "aggregates", "bind", "bindings", "cast", "construct", "exists", "functions", "grouping",
    "negation", "project-expression", "property-path", "subquery", "json-res", "csv-tsv-res",
)
SYNTAX_FOLDERS = ("syntax-query", "syntax-fed")

MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
QT = "http://www.w3.org/2001/sw/DataAccess/tests/test-query#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
EVALUATION_TYPES = {MF + "QueryEvaluationTest", MF + "CSVResultFormatTest"}
POSITIVE_SYNTAX = {MF + "PositiveSyntaxTest11", MF + "PositiveSyntaxTest"}
NEGATIVE_SYNTAX = {MF + "NegativeSyntaxTest11", MF + "NegativeSyntaxTest"}


@dataclass(frozen=True)
class EvaluationTest:
    """One `mf:QueryEvaluationTest` (or CSV result format test) of the suite."""

    name: str  # folder/local name, the pytest id
    query: Path
    data: tuple[Path, ...]  # qt:data: the default graph
    graph_data: tuple[Path, ...]  # qt:graphData: named graphs, each named by its URL
    result: Path

    @property
    def base_iri(self) -> str:
        """The query file's URL, as the suite expects relative IRIs to resolve."""
        return url_of(self.query)

    @property
    def text(self) -> str:
        """The query text."""
        return self.query.read_text(encoding="utf-8")

    @property
    def ordered(self) -> bool:
        """Whether the query has ORDER BY (then rows compare in order)."""
        return re.search(r"\bORDER\s+BY\b", self.text, re.IGNORECASE) is not None

    def session_files(self, folder: Path) -> list[tuple[Path, str | None]]:
        """The dataset as `Session(files=...)` takes it. A file whose relative IRIs (``<>``)
        must resolve against its suite URL (our loader resolves them against the file's own
        ``file:`` URL) is given as N-Triples written with that base, in `folder`."""
        return ([(at_suite_url(p, folder), None) for p in self.data]
                + [(at_suite_url(p, folder), url_of(p)) for p in self.graph_data])


@dataclass(frozen=True)
class SyntaxTest:
    """One positive or negative syntax test."""

    name: str
    query: Path
    positive: bool


def url_of(path: Path) -> str:
    """The URL of a suite file (under `SUITE_URL`)."""
    return SUITE_URL + path.resolve().relative_to(SUITE.resolve()).as_posix()


def at_suite_url(path: Path, folder: Path) -> Path:
    """`path`, or an N-Triples copy resolved against its suite URL when its base matters."""
    here = list(ox.parse(path=str(path), base_iri=url_of(path)))
    if set(here) == set(ox.parse(path=str(path), base_iri="http://elsewhere.invalid/x")):
        return path
    copy = folder / (path.name + ".nt")
    copy.write_bytes(ox.serialize(here, format=ox.RdfFormat.N_TRIPLES))
    return copy


def _manifest(folder: str) -> tuple[ox.Store, str]:
    base = f"{SUITE_URL}{folder}/manifest.ttl"
    store = ox.Store()
    store.load(path=str(SUITE / folder / "manifest.ttl"), format=ox.RdfFormat.TURTLE, base_iri=base)
    return store, base


def _objects(store: ox.Store, subject: Any, predicate: str) -> list[Any]:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(predicate), None)]


def _entries(store: ox.Store) -> Iterator[Any]:
    """The manifest's entries, in the order of its mf:entries list."""
    for head in _objects(store, None, MF + "entries"):
        while head != ox.NamedNode(RDF + "nil"):
            yield _objects(store, head, RDF + "first")[0]
            head = _objects(store, head, RDF + "rest")[0]


def _path(node: Any) -> Path:
    return SUITE / node.value.removeprefix(SUITE_URL)


def evaluation_tests() -> list[EvaluationTest]:
    """Every evaluation test of `EVALUATION_FOLDERS`, in manifest order."""
    tests = []
    for folder in EVALUATION_FOLDERS:
        store, _ = _manifest(folder)
        for entry in _entries(store):
            types = {t.value for t in _objects(store, entry, RDF + "type")}
            if not types & EVALUATION_TYPES:
                continue
            action = _objects(store, entry, MF + "action")[0]
            tests.append(EvaluationTest(
                name=f"{folder}/{entry.value.rsplit('#', 1)[-1]}",
                query=_path(_objects(store, action, QT + "query")[0]),
                data=tuple(_path(d) for d in _objects(store, action, QT + "data")),
                graph_data=tuple(sorted(_path(d) for d in _objects(store, action, QT + "graphData"))),
                result=_path(_objects(store, entry, MF + "result")[0]),
            ))
    return tests


def syntax_tests() -> list[SyntaxTest]:
    """Every positive and negative syntax test of `SYNTAX_FOLDERS`."""
    tests = []
    for folder in SYNTAX_FOLDERS:
        store, _ = _manifest(folder)
        for entry in _entries(store):
            types = {t.value for t in _objects(store, entry, RDF + "type")}
            if not types & (POSITIVE_SYNTAX | NEGATIVE_SYNTAX):
                continue
            tests.append(SyntaxTest(f"{folder}/{entry.value.rsplit('#', 1)[-1]}",
                                    _path(_objects(store, entry, MF + "action")[0]),
                                    bool(types & POSITIVE_SYNTAX)))
    return tests


def raw_store(test: EvaluationTest) -> ox.Store:
    """A plain pyoxigraph store of the test's dataset (the reference)."""
    store = ox.Store()
    for path in test.data:
        store.load(path=str(path), base_iri=url_of(path), to_graph=ox.DefaultGraph())
    for path in test.graph_data:
        store.load(path=str(path), base_iri=url_of(path), to_graph=ox.NamedNode(url_of(path)))
    return store


# -- answers ---------------------------------------------------------------------------------


@dataclass
class Answer:
    """A query's answer in a comparable shape (see the module's docs)."""

    boolean: bool | None = None
    triples: frozenset[Any] | None = None
    variables: tuple[str, ...] = ()
    rows: list[dict[str, Any]] = field(default_factory=list)
    csv: bool = False  # rows hold CSV texts, not terms

    def as_csv(self) -> Answer:
        """The same rows as CSV texts (how the CSV format writes each term)."""
        if self.csv or self.boolean is not None or self.triples is not None:
            return self
        # CSV writes an empty literal and an unbound variable alike: both are left out
        rows = [{k: csv_text(v) for k, v in row.items() if csv_text(v) != ""} for row in self.rows]
        return Answer(variables=self.variables, rows=rows, csv=True)


def csv_text(term: Any) -> str:
    """A term as the SPARQL CSV format writes it."""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value


def answer_of(result: Any) -> Answer:
    """An Answer of a pyoxigraph result, or of a `Session` result (Rows, Triples, bool)."""
    if isinstance(result, bool | ox.QueryBoolean):
        return Answer(boolean=bool(result))
    if isinstance(result, ox.QuerySolutions):
        variables = tuple(v.value for v in result.variables)
        return Answer(variables=variables, rows=[_row(variables, s) for s in result])
    if isinstance(result, ox.QueryTriples):
        return Answer(triples=frozenset(result))
    if hasattr(result, "columns"):  # our Rows
        return Answer(variables=tuple(result.columns),
                      rows=[{c: t for c, t in zip(result.columns, row) if t is not None}
                            for row in result.terms])
    return Answer(triples=frozenset(_as_triple(t) for t in result))  # our Triples, a graph


def _as_triple(t: Any) -> Any:
    return ox.Triple(t.subject, t.predicate, t.object)


def _row(variables: Sequence[str], solution: Any) -> dict[str, Any]:
    return {v: solution[v] for v in variables if solution[v] is not None}


def parse_csv(text: str) -> Answer:
    """SPARQL CSV results (texts only)."""
    reader = list(csv.reader(io.StringIO(text)))
    variables = tuple(reader[0]) if reader else ()
    rows = [{v: cell for v, cell in zip(variables, line) if cell != ""} for line in reader[1:]]
    return Answer(variables=variables, rows=rows, csv=True)


def parse_results(data: bytes, media_type: str, base_iri: str = SUITE_URL) -> Answer:
    """An answer in one of the SPARQL results or RDF formats, by its media type."""
    results = {"application/sparql-results+json": ox.QueryResultsFormat.JSON,
               "application/sparql-results+xml": ox.QueryResultsFormat.XML,
               "text/tab-separated-values": ox.QueryResultsFormat.TSV}
    if media_type == "text/csv":
        return parse_csv(data.decode("utf-8"))
    if media_type in results:
        return answer_of(ox.parse_query_results(data, results[media_type]))
    fmt = ox.RdfFormat.from_media_type(media_type)
    if fmt is None:
        raise ValueError(f"no parser for {media_type}")
    return Answer(triples=frozenset(_as_triple(q) for q in ox.parse(data, fmt, base_iri=base_iri)))


RS = "http://www.w3.org/2001/sw/DataAccess/tests/result-set#"


def _result_set(graph: ox.Store) -> Answer | None:
    """A SELECT/ASK answer written in RDF (the `rs:` vocabulary); None when there is none."""
    sets = [q.subject for q in graph.quads_for_pattern(None, ox.NamedNode(RDF + "type"),
                                                         ox.NamedNode(RS + "ResultSet"))]
    if not sets:
        return None
    boolean = _objects(graph, sets[0], RS + "boolean")
    if boolean:
        return Answer(boolean=boolean[0].value == "true")
    variables = tuple(sorted(v.value for v in _objects(graph, sets[0], RS + "resultVariable")))
    rows = []
    for solution in _objects(graph, sets[0], RS + "solution"):
        rows.append({_objects(graph, b, RS + "variable")[0].value: _objects(graph, b, RS + "value")[0]
                     for b in _objects(graph, solution, RS + "binding")})
    return Answer(variables=variables, rows=rows)


def expected_answer(test: EvaluationTest) -> Answer:
    """The test's expected result (.srx, .srj, .tsv, .csv, or an RDF graph)."""
    suffix = test.result.suffix
    media = {".srx": "application/sparql-results+xml", ".srj": "application/sparql-results+json",
             ".tsv": "text/tab-separated-values", ".csv": "text/csv"}.get(suffix)
    if media is None:
        fmt = ox.RdfFormat.from_extension(suffix.lstrip("."))
        graph = ox.Store()
        graph.load(path=str(test.result), format=fmt, base_iri=url_of(test.result))
        answer = _result_set(graph)
        if answer is not None:
            return answer
        media = fmt.media_type
    return parse_results(test.result.read_bytes(), media, url_of(test.result))


# -- comparing -------------------------------------------------------------------------------


def same_answer(actual: Answer, expected: Answer, *, ordered: bool = False) -> bool:
    """Whether two answers are equal up to blank node renaming (see the module's docs)."""
    if expected.csv or actual.csv:
        actual, expected = actual.as_csv(), expected.as_csv()
    if expected.boolean is not None or actual.boolean is not None:
        return actual.boolean == expected.boolean
    if expected.triples is not None or actual.triples is not None:
        return actual.triples is not None and expected.triples is not None and _same_graph(
            actual.triples, expected.triples)
    if set(actual.variables) != set(expected.variables) or len(actual.rows) != len(expected.rows):
        return False
    return _match_rows(actual.rows, expected.rows, ordered)


def _is_bnode(value: Any) -> bool:
    return isinstance(value, ox.BlankNode) or (isinstance(value, str) and value.startswith("_:"))


XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {XSD + "integer": Decimal, XSD + "decimal": Decimal, XSD + "double": float,
            XSD + "float": float}


def _norm(value: Any) -> Any:
    """A numeric literal as (datatype, value): "1.0" and "1" of xsd:decimal are one value, as
    the suite's results write them either way; any other term as itself."""
    if isinstance(value, ox.Literal) and value.datatype.value in _NUMERIC:
        try:
            return (value.datatype.value, _NUMERIC[value.datatype.value](value.value))
        except (ArithmeticError, ValueError):
            return value
    return value


def _key(row: dict[str, Any]) -> frozenset[tuple[str, Any]]:
    return frozenset((k, _norm(v)) for k, v in row.items())


def _match_rows(actual: list[dict[str, Any]], expected: list[dict[str, Any]], ordered: bool) -> bool:
    if not any(_is_bnode(v) for row in actual + expected for v in row.values()):
        if ordered:
            return [_key(r) for r in actual] == [_key(r) for r in expected]
        return Counter(map(_key, actual)) == Counter(map(_key, expected))
    return _backtrack(actual, expected, ordered, 0, set(), {}, {})


def _compatible(a: dict[str, Any], e: dict[str, Any], forward: dict[Any, Any],
                backward: dict[Any, Any]) -> dict[Any, Any] | None:
    """The new bnode pairs under which row `a` equals row `e` (None: it cannot)."""
    if a.keys() != e.keys():
        return None
    new: dict[Any, Any] = {}
    for k, av in a.items():
        ev = e[k]
        if _is_bnode(av) and _is_bnode(ev):
            mapped = forward.get(av, new.get(av))
            if mapped is None:
                if ev in backward or ev in new.values():
                    return None
                new[av] = ev
            elif mapped != ev:
                return None
        elif _norm(av) != _norm(ev):
            return None
    return new


def _backtrack(actual: list[dict[str, Any]], expected: list[dict[str, Any]], ordered: bool,
               index: int, used: set[int], forward: dict[Any, Any], backward: dict[Any, Any]) -> bool:
    """Match expected[index:] to unused actual rows, extending the bnode bijection (small inputs:
    the suite's answers with blank nodes have a few rows)."""
    if index == len(expected):
        return True
    candidates: Iterable[int] = [index] if ordered else range(len(actual))
    for i in candidates:
        if i in used:
            continue
        new = _compatible(actual[i], expected[index], forward, backward)
        if new is None:
            continue
        forward.update(new)
        backward.update({v: k for k, v in new.items()})
        used.add(i)
        if _backtrack(actual, expected, ordered, index + 1, used, forward, backward):
            return True
        used.discard(i)
        for k, v in new.items():
            del forward[k], backward[v]
    return False


def _same_graph(actual: frozenset[Any], expected: frozenset[Any]) -> bool:
    # rdflib: its isomorphism test (canonical hashing) for graphs with blank nodes
    from rdflib import Graph
    from rdflib.compare import isomorphic

    if len(actual) != len(expected):
        return False
    graphs = [Graph().parse(data=ox.serialize(sorted(g, key=str), format=ox.RdfFormat.N_TRIPLES),
                            format="nt") for g in (actual, expected)]
    return isomorphic(*graphs)
