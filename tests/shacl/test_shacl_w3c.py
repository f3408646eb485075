"""The W3C SHACL test suite (core and SPARQL, tests/w3c/shacl/) on every engine path.

One case per manifest entry and engine path (`oxigraph`, `oxigraph-store`, `pyshacl`, `auto`,
and `endpoint`: `validate --endpoint` on a real Oxigraph server, see `ENGINES`). The data and the
shapes graph of an entry are written out as the files say them (Oxigraph's parser keeps lexical
forms), without the expected report (`mf:result`), and validated with `clustergraph.validation`.
Compared: `sh:conforms`, and the results as a multiset of (focus node, path, value, constraint
component, severity, source shape). A blank-node focus node or value is compared as "some blank
node"; a blank-node path by its SPARQL-like text; a blank-node source shape by its description.
An entry whose result is `sht:Failure` must make validation raise `InputError`.

A test pySHACL itself fails is an expected failure (`PYSHACL_FAILS`) on the paths that fail it.
The `oxigraph` path may refuse a shapes graph with a clear "does not support" error (`REFUSED`);
`auto` must then pass by falling back to pySHACL.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from rdflib import RDF, RDFS, BNode, Graph, Namespace, URIRef
from rdflib.collection import Collection
from support.fixtures_servers import Server, oxigraph_read_only
from support.paths import W3C

from clustergraph.errors import InputError
from clustergraph.validation import validate
from clustergraph.validation.endpoint import validate_endpoint

SUITE = W3C / "shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
SH = Namespace("http://www.w3.org/ns/shacl#")
#: "oxigraph-store" is the oxigraph engine reading the values of nodes from the store itself,
#: as incremental validation runs it, rather than from the loader's index of the files.
#: "endpoint" is `validate_endpoint` on a real `oxigraph serve-read-only` holding every entry's
#: data in a named graph of its own: in the store, or on a copy where the data has blank nodes.
ENGINES = ("oxigraph", "oxigraph-store", "pyshacl", "auto", "endpoint")

#: Entries pySHACL (0.40) fails, with the reason: expected to fail on the `pyshacl` path (the
#: `oxigraph` and `auto` paths pass them, so marking those would make a strict xfail fail).
PYSHACL_FAILS: dict[str, str] = {
    "core/property/uniqueLang-002": (
        'pySHACL reads sh:uniqueLang "1"^^xsd:boolean as true; SHACL activates it for true only'
    ),
    "sparql/node/prefixes-001": (
        "pySHACL does not follow owl:imports from sh:prefixes to the imported sh:declare"
    ),
    "sparql/pre-binding/shapesGraph-001": "pySHACL does not support $shapesGraph",
}

#: Entries whose data Oxigraph's store holds otherwise than the file writes it (oxigraph issue
#: #526): expected to fail on the `endpoint` path, which sees what the store holds.
STORE_REWRITES: dict[str, str] = {
    "core/property/datatype-ill-formed": (
        'the store holds the out-of-range "300"^^xsd:byte as "300"^^xsd:integer, and the '
        "report gives that value"
    ),
}

#: Entries the oxigraph engine refuses (a feature it does not implement); `auto` falls back.
REFUSED: dict[str, str] = {}


@dataclass(frozen=True)
class Entry:
    """One manifest entry: its name (`core/node/class-001`), graphs and expected outcome."""

    name: str
    label: str
    data: Path
    shapes: Path
    failure: bool
    conforms: bool | None
    expected: tuple[tuple[Any, ...], ...]


def _path_of(uri: Any) -> Path:
    text = str(uri)
    assert text.startswith("file://"), text
    return Path(text.removeprefix("file://").split("#")[0])


def _manifests(path: Path) -> list[Path]:
    """The manifest and, through mf:include, every manifest it includes."""
    graph = Graph().parse(path, format="turtle")
    found = [path]
    for included in graph.objects(None, MF.include):
        found.extend(_manifests(_path_of(included)))
    return found


def path_text(graph: Graph, path: Any) -> str | None:
    """A SHACL property path as SPARQL-like text, comparable across graphs."""
    if path is None:
        return None
    if isinstance(path, URIRef):
        return f"<{path}>"
    if graph.value(path, RDF.first) is not None:
        return "(" + "/".join(str(path_text(graph, p)) for p in Collection(graph, path)) + ")"
    for predicate, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, predicate)
        if inner is not None:
            return "(" + template.format(path_text(graph, inner)) + ")"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        options = Collection(graph, alternatives)
        return "(" + "|".join(str(path_text(graph, p)) for p in options) + ")"
    return "_:path"


def _described(graph: Graph, node: Any, depth: int = 0) -> Any:
    """A blank node as the sorted description of it (recursively, to some depth)."""
    if not isinstance(node, BNode):
        return node
    if depth > 6:
        return "_:"
    return tuple(
        sorted(
            (str(p), str(_described(graph, o, depth + 1)))
            for p, o in graph.predicate_objects(node)
            if not str(p).startswith("https://w3id.org/clustergraph/check#")
        )
    )


def results_in(graph: Graph, report: Any) -> Counter:
    """The results of a report node as comparable keys."""
    keys: Counter = Counter()
    for node in graph.objects(report, SH.result):
        focus = graph.value(node, SH.focusNode)
        value = graph.value(node, SH.value)
        keys[
            (
                "_:" if isinstance(focus, BNode) else focus,
                path_text(graph, graph.value(node, SH.resultPath)),
                "_:" if isinstance(value, BNode) else value,
                graph.value(node, SH.sourceConstraintComponent),
                graph.value(node, SH.resultSeverity),
                _described(graph, graph.value(node, SH.sourceShape)),
            )
        ] += 1
    return keys


@functools.lru_cache(maxsize=1)
def entries() -> tuple[Entry, ...]:
    """Every entry of the suite's manifests, in manifest order."""
    found: list[Entry] = []
    for manifest in _manifests(SUITE / "manifest.ttl"):
        graph = Graph().parse(manifest, format="turtle")
        for head in graph.objects(None, MF.entries):
            for entry in Collection(graph, head):
                action = graph.value(entry, MF.action)
                result = graph.value(entry, MF.result)
                failure = result == SHT.Failure
                conforms = None if failure else graph.value(result, SH.conforms)
                name = str(_path_of(entry).relative_to(SUITE).with_suffix(""))
                found.append(
                    Entry(
                        name=name,
                        label=str(graph.value(entry, RDFS.label) or ""),
                        data=_path_of(graph.value(action, SHT.dataGraph)),
                        shapes=_path_of(graph.value(action, SHT.shapesGraph)),
                        failure=failure,
                        conforms=None if conforms is None else bool(conforms.toPython()),
                        expected=()
                        if failure
                        else tuple(sorted(results_in(graph, result).elements(), key=str)),
                    )
                )
    return tuple(found)


def without_report(source: Path, target: Path) -> None:
    """Write `source` as N-Triples, as written, without its expected validation reports.

    The report's own blank nodes go (results, their paths); terms it points to that the rest of
    the file describes (a blank-node source shape or focus node) stay."""
    triples = list(pyoxigraph.parse(path=str(source), base_iri=source.as_uri()))
    result_p = pyoxigraph.NamedNode(str(MF.result))
    report_t = pyoxigraph.NamedNode(str(SH.ValidationReport))
    rdf_type = pyoxigraph.NamedNode(str(RDF.type))
    pointers = {pyoxigraph.NamedNode(str(SH[n])) for n in ("sourceShape", "focusNode", "value")}
    todo = [t.object for t in triples if t.predicate == result_p]
    todo += [t.subject for t in triples if t.predicate == rdf_type and t.object == report_t]
    report: set[Any] = set()
    while todo:
        node = todo.pop()
        if node in report or not isinstance(node, pyoxigraph.BlankNode):
            continue
        report.add(node)
        todo.extend(t.object for t in triples if t.subject == node and t.predicate not in pointers)
    shared = {
        t.object for t in triples if t.subject not in report and t.predicate != result_p
    }
    removed = report - shared
    kept = [t for t in triples if t.subject not in removed and t.predicate != result_p]
    target.write_bytes(pyoxigraph.serialize(kept, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"")


def _params() -> list[Any]:
    params = []
    for entry in entries():
        for engine in ENGINES:
            marks = []
            reason = PYSHACL_FAILS.get(entry.name)
            if reason is not None and engine == "pyshacl":
                marks.append(pytest.mark.xfail(strict=True, reason=reason))
            rewritten = STORE_REWRITES.get(entry.name)
            if rewritten is not None and engine == "endpoint":
                marks.append(pytest.mark.xfail(strict=True, reason=rewritten))
            if engine == "endpoint":
                marks.append(pytest.mark.slow)  # validated in an Oxigraph server (`w3c_server`)
            params.append(pytest.param(entry, engine, id=f"{entry.name}[{engine}]", marks=marks))
    return params


def graph_of(entry: Entry) -> str:
    """The named graph that holds an entry's data in `w3c_server`."""
    return f"urn:x-w3c-shacl:{entry.name}"


@pytest.fixture(scope="module")
def w3c_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`oxigraph serve-read-only` with the data of every entry in its own named graph."""
    folder = tmp_path_factory.mktemp("w3c-server")
    quads: list[Any] = []
    for entry in entries():
        data = folder / "data.nt"
        without_report(entry.data, data)
        graph = pyoxigraph.NamedNode(graph_of(entry))
        quads += [
            pyoxigraph.Quad(t.subject, t.predicate, t.object, graph)
            for t in pyoxigraph.parse(path=str(data))
        ]
    everything = folder / "suite.nq"
    everything.write_bytes(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b"")
    yield from oxigraph_read_only([everything], folder)


def run_entry(
    entry: Entry, engine: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: Any
) -> tuple[bool, Counter]:
    """Validate an entry's data against its shapes; (conforms, result keys)."""
    if engine == "oxigraph-store":
        import clustergraph.validation.run as run_module

        load = run_module.load_graph_store
        monkeypatch.setattr(
            run_module,
            "load_graph_store",
            lambda *args, **kwargs: load(*args, **{**kwargs, "keep_outgoing": False}),
        )
        engine = "oxigraph"
    data, shapes, ontology = tmp_path / "data.nt", tmp_path / "shapes.nt", tmp_path / "empty.nt"
    without_report(entry.data, data)
    without_report(entry.shapes, shapes)
    ontology.write_text("")
    options = {"shapes": shapes, "ontology": ontology, "check_shapes": False, "queries": False}
    if engine == "endpoint":
        server = request.getfixturevalue("w3c_server")
        report = validate_endpoint(server.url, graph=graph_of(entry), **options)
    else:
        report = validate([data], engine=engine, **options)
    graph = report.graph
    node = graph.value(None, RDF.type, SH.ValidationReport, any=True)
    data_results = [r for r in report.results if r.check == "data"]
    return not data_results, results_in(graph, node)


@pytest.mark.parametrize(("entry", "engine"), _params())
def test_w3c_shacl(
    entry: Entry,
    engine: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    ours = engine.startswith("oxigraph") or engine == "endpoint"
    if entry.failure:
        with pytest.raises(InputError) as raised:
            run_entry(entry, engine, tmp_path, monkeypatch, request)
        assert "does not support" not in str(raised.value) or ours
        return
    try:
        conforms, got = run_entry(entry, engine, tmp_path, monkeypatch, request)
    except InputError as exc:
        if ours and "oxigraph engine does not support" in str(exc):
            assert entry.name in REFUSED, f"refused, but not listed in REFUSED: {exc}"
            return
        raise
    assert entry.name not in REFUSED or not ours, "listed as refused, but runs"
    expected = Counter(entry.expected)
    assert conforms == entry.conforms
    assert got == expected, (
        f"missing: {sorted((expected - got).elements(), key=str)}\n"
        f"unexpected: {sorted((got - expected).elements(), key=str)}"
    )


def test_the_suite_is_all_there() -> None:
    names = [e.name for e in entries()]
    assert len(names) == len(set(names))
    core = [n for n in names if n.startswith("core/")]
    sparql = [n for n in names if n.startswith("sparql/")]
    assert (len(core), len(sparql)) == (98, 22)
