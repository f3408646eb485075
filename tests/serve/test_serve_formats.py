"""Every format clients ask `/sparql` for, by every name they give it, parsed by a real parser.

The matrix: query form x format value (the names SPARQLWrapper, YASGUI and Virtuoso users send,
and full media types) x GET / POST form / POST direct. Each answer is parsed with the parser
that format's readers use (rdflib for RDF/XML, TriG, N-Quads; pyld with network loading refused
for JSON-LD; rapper on RDF/XML and Turtle) and must hold the same graph (isomorphic) or rows as
the server's N-Triples or SPARQL JSON answer to the same query.
"""

from __future__ import annotations

import csv
import io
import json
import urllib.parse

import pyoxigraph as ox
import pytest
import rdflib
from rdflib.compare import isomorphic
from support.rdf_readers import jsonld_graph, quads_as_graph, rapper_count
from support.serve_support import HttpAnswer, RunningServer, served  # noqa: F401

pytestmark = pytest.mark.slow  # every test asks a running `clustergraph serve`

PREFIXES = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
JUBAIL = "https://w3id.org/clustergraph/id/cluster/jubail-industrial-city"
QUERIES = {
    "SELECT": PREFIXES + "SELECT ?cluster ?label ?n WHERE { ?cluster a cg:IndustrialCluster ; "
                         "skos:prefLabel ?label BIND(STRLEN(?label) AS ?n) } ORDER BY ?cluster LIMIT 10",
    "ASK": PREFIXES + "ASK { ?c a cg:IndustrialCluster }",
    # labels (language tags), a typed literal and a blank node per cluster
    "CONSTRUCT": PREFIXES + "CONSTRUCT { ?c skos:prefLabel ?label ; cg:note [ cg:length ?n ] } "
                            "WHERE { ?c a cg:IndustrialCluster ; skos:prefLabel ?label "
                            "BIND(STRLEN(?label) AS ?n) } ORDER BY ?c LIMIT 10",
    "DESCRIBE": f"DESCRIBE <{JUBAIL}>",
}
MEDIA = {
    "json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
    "csv": "text/csv", "tsv": "text/tab-separated-values",
    "turtle": "text/turtle", "ntriples": "application/n-triples", "rdfxml": "application/rdf+xml",
    "jsonld": "application/ld+json", "nquads": "application/n-quads", "trig": "application/trig",
    "rdfjson": "application/rdf+json",
}
#: format value -> the writer it names, for SELECT and ASK.
RESULT_VALUES = {
    "json": "json", "xml": "xml", "csv": "csv", "tsv": "tsv", "srj": "json", "srx": "xml",
    "application/sparql-results+json": "json", "application/sparql-results+xml": "xml",
    "text/csv": "csv", "text/tab-separated-values": "tsv", "JSON": "json",
}
#: format value -> the writer it names, for CONSTRUCT and DESCRIBE (SPARQLWrapper means RDF/XML
#: by `xml` and `rdf`, JSON-LD by `json`).
GRAPH_VALUES = {
    "turtle": "turtle", "ttl": "turtle", "n3": "turtle", "text/turtle": "turtle",
    "nt": "ntriples", "ntriples": "ntriples", "application/n-triples": "ntriples",
    "rdf": "rdfxml", "rdf+xml": "rdfxml", "xml": "rdfxml", "application/rdf+xml": "rdfxml",
    "json-ld": "jsonld", "jsonld": "jsonld", "json": "jsonld", "application/ld+json": "jsonld",
    "nquads": "nquads", "application/n-quads": "nquads", "trig": "trig",
    "application/trig": "trig", "rdf+json": "rdfjson", "application/rdf+json": "rdfjson",
    "csv": "csv", "tsv": "tsv", "text/tab-separated-values": "tsv",
}
METHODS = ("GET", "POST form", "POST direct")


def ask(server: RunningServer, method: str, query: str, params: list[tuple[str, str]] | None = None,
        accept: str | None = None) -> HttpAnswer:
    """The query by `method`; `params` in the URL (GET, POST direct) or the form (POST form)."""
    headers = {"Accept": accept} if accept else {}
    params = params or []
    if method == "GET":
        return server.request("GET", "/sparql?" + urllib.parse.urlencode([("query", query), *params]),
                              headers=headers)
    if method == "POST form":
        return server.request("POST", "/sparql", body=urllib.parse.urlencode([("query", query), *params]),
                              headers={**headers, "Content-Type": "application/x-www-form-urlencoded"})
    return server.request("POST", "/sparql?" + urllib.parse.urlencode(params), body=query,
                          headers={**headers, "Content-Type": "application/sparql-query"})


def _rdf_json_graph(body: bytes) -> rdflib.Graph:
    graph = rdflib.Graph()

    def term(value: str, spec: dict[str, str] | None = None) -> rdflib.term.Node:
        kind = spec["type"] if spec else ("bnode" if value.startswith("_:") else "uri")
        if kind == "uri":
            return rdflib.URIRef(value)
        if kind == "bnode":
            return rdflib.BNode(value.removeprefix("_:"))
        datatype = spec.get("datatype")
        return rdflib.Literal(value, lang=spec.get("lang"), datatype=datatype and rdflib.URIRef(datatype))

    for s, predicates in json.loads(body).items():
        for p, objects in predicates.items():
            for o in objects:
                graph.add((term(s), rdflib.URIRef(p), term(o["value"], o)))
    return graph


def _tsv_graph(body: bytes) -> rdflib.Graph:
    lines = [" ".join(str(s[v]) for v in ("subject", "predicate", "object")) + " ."
             for s in ox.parse_query_results(body, format=ox.QueryResultsFormat.TSV)]
    return rdflib.Graph().parse(data="\n".join(lines), format="nt")


def graph_of(fmt: str, body: bytes) -> rdflib.Graph:
    """The graph of an answer in `fmt`, read by the parser clients use for it."""
    if fmt == "jsonld":
        return jsonld_graph(body)
    if fmt == "rdfjson":
        return _rdf_json_graph(body)
    if fmt == "tsv":
        return _tsv_graph(body)
    if fmt in ("nquads", "trig"):
        return quads_as_graph(body, fmt)
    rdflib_format = {"turtle": "turtle", "ntriples": "nt", "rdfxml": "xml"}[fmt]
    return rdflib.Graph().parse(data=body, format=rdflib_format)


@pytest.fixture(scope="module")
def reference(served: RunningServer) -> dict[str, object]:
    """Each query's answer in the reference format (N-Triples, SPARQL JSON), from the server."""
    out: dict[str, object] = {}
    for form, query in QUERIES.items():
        if form in ("SELECT", "ASK"):
            answer = ask(served, "GET", query, accept="application/sparql-results+json")
            out[form] = answer.json()
        else:
            answer = ask(served, "GET", query, accept="application/n-triples")
            out[form] = rdflib.Graph().parse(data=answer.body, format="nt")
            assert len(out[form]) > 5  # type: ignore[arg-type]
        assert answer.status == 200
    return out


def check_answer(form: str, fmt: str, answer: HttpAnswer, reference: dict[str, object]) -> None:
    """The answer is in `fmt` and holds what the reference answer holds."""
    assert answer.status == 200, answer.body[:300]
    assert answer.media_type == MEDIA[fmt]
    expected = reference[form]
    if form == "ASK":
        if fmt in ("csv", "tsv"):
            assert answer.text.strip() == "true"
        else:
            results_format = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML}[fmt]
            assert bool(ox.parse_query_results(answer.body, format=results_format)) is True
    elif form == "SELECT":
        rows = expected["results"]["bindings"]  # type: ignore[index]
        if fmt == "csv":  # CSV is lossy: values only
            got = list(csv.reader(io.StringIO(answer.text)))
            assert got[0] == ["cluster", "label", "n"]
            assert got[1:] == [[r[v]["value"] for v in ("cluster", "label", "n")] for r in rows]
        else:
            results_format = {"json": ox.QueryResultsFormat.JSON, "xml": ox.QueryResultsFormat.XML,
                              "tsv": ox.QueryResultsFormat.TSV}[fmt]
            got_rows = [[s[v].value for v in ("cluster", "label", "n")]
                        for s in ox.parse_query_results(answer.body, format=results_format)]
            assert got_rows == [[r[v]["value"] for v in ("cluster", "label", "n")] for r in rows]
    elif fmt == "csv":  # CSV is lossy: the values of subject, predicate, object
        got = list(csv.reader(io.StringIO(answer.text)))
        assert got[0] == ["subject", "predicate", "object"]
        assert len(got) - 1 == len(expected)  # type: ignore[arg-type]
        values = sorted((p, "_:" if o.startswith("_:") else o) for _, p, o in got[1:])
        assert values == sorted((str(p), "_:" if isinstance(o, rdflib.BNode) else str(o))
                                for _, p, o in expected)  # type: ignore[union-attr]
    else:
        graph = graph_of(fmt, answer.body)
        assert isomorphic(graph, expected), (fmt, answer.text[:500])  # type: ignore[arg-type]
        if fmt in ("turtle", "rdfxml"):
            assert rapper_count(fmt, answer.body) == len(expected)  # type: ignore[arg-type]


def _cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for method in METHODS:
        for form in ("SELECT", "ASK"):
            cases += [(method, form, value, fmt) for value, fmt in RESULT_VALUES.items()]
        for form in ("CONSTRUCT", "DESCRIBE"):
            cases += [(method, form, value, fmt) for value, fmt in GRAPH_VALUES.items()]
    return cases


@pytest.mark.parametrize(("method", "form", "value", "fmt"), _cases(),
                         ids=[f"{m}-{f}-{v}" for m, f, v, _ in _cases()])
def test_a_format_value_names_its_format(served: RunningServer, reference, method: str, form: str,
                                         value: str, fmt: str) -> None:
    # Accept says HTML: only the parameter can give the format.
    answer = ask(served, method, QUERIES[form], [("format", value)], accept="text/html")
    check_answer(form, fmt, answer, reference)


ACCEPT_CASES = [(form, media, fmt) for form in ("SELECT", "ASK") for fmt, media in MEDIA.items()
                if fmt in ("json", "xml", "csv", "tsv")]
ACCEPT_CASES += [(form, media, fmt) for form in ("CONSTRUCT", "DESCRIBE") for fmt, media in MEDIA.items()
                 if fmt not in ("json", "xml")]
ACCEPT_CASES += [(form, media, fmt) for form in ("CONSTRUCT", "DESCRIBE") for media, fmt in (
    ("text/csv", "csv"), ("text/tab-separated-values", "tsv"), ("application/xml", "rdfxml"),
    ("text/n3", "turtle"), ("application/x-turtle", "turtle"), ("application/json", "jsonld"))]


@pytest.mark.parametrize(("form", "accept", "fmt"), ACCEPT_CASES,
                         ids=[f"{f}-{a}" for f, a, _ in ACCEPT_CASES])
def test_every_format_by_accept(served: RunningServer, reference, form: str, accept: str,
                                fmt: str) -> None:
    check_answer(form, fmt, ask(served, "GET", QUERIES[form], accept=accept), reference)


@pytest.mark.parametrize("name", ["format", "output", "results"])
@pytest.mark.parametrize("method", METHODS)
def test_output_and_results_name_the_format_too(served: RunningServer, reference, name: str,
                                                method: str) -> None:
    answer = ask(served, method, QUERIES["CONSTRUCT"], [(name, "rdf+xml")], accept="text/turtle")
    check_answer("CONSTRUCT", "rdfxml", answer, reference)


@pytest.mark.parametrize(("form", "params", "accept", "fmt"), [
    # SPARQLWrapper's own values: every parameter twice, the second a media type
    ("CONSTRUCT", [("format", "json-ld"), ("format", "application/ld+json"), ("output", "json-ld"),
                   ("output", "application/ld+json"), ("results", "json-ld")], None, "jsonld"),
    ("SELECT", [("format", "tsv"), ("format", "text/tab-separated-values")], None, "tsv"),
    ("DESCRIBE", [("format", "rdf+xml"), ("format", "application/rdf+xml")], None, "rdfxml"),
    # a value that names no format falls back to Accept, an empty one too
    ("SELECT", [("format", "yaml")], "text/csv", "csv"),
    ("SELECT", [("format", "turtle")], None, "json"),  # no Turtle for rows: Accept (none: JSON)
    ("CONSTRUCT", [("format", "text/html")], "application/n-quads", "nquads"),
    ("ASK", [("format", "")], "application/sparql-results+xml", "xml"),
    # the first value naming a format of the answer wins
    ("CONSTRUCT", [("format", "yaml"), ("format", "trig"), ("format", "nt")], None, "trig"),
])
def test_repeated_or_unknown_format_values_are_no_error(served: RunningServer, reference, form: str,
                                                        params, accept, fmt: str) -> None:
    check_answer(form, fmt, ask(served, "GET", QUERIES[form], params, accept=accept), reference)


@pytest.mark.parametrize(("form", "accept", "fmt"), [
    ("CONSTRUCT", "application/rdf+xml;q=0.9, text/turtle;q=0.5", "rdfxml"),
    ("CONSTRUCT", "application/n-quads;q=0.1, application/trig", "trig"),
    ("DESCRIBE", "*/*;q=0.1, application/rdf+json", "rdfjson"),
    # Turtle refused by name, though */* accepts it: the most specific range decides (RFC 9110)
    ("DESCRIBE", "text/turtle;q=0, */*", "ntriples"),
    ("CONSTRUCT", "text/*;q=0.5, application/ld+json;q=0.6", "jsonld"),
    ("SELECT", "application/sparql-results+json;q=0.2, text/csv;q=0.3", "csv"),
    ("ASK", "text/tab-separated-values, application/sparql-results+json;q=0.9", "tsv"),
])
def test_q_values_choose(served: RunningServer, reference, form: str, accept: str, fmt: str) -> None:
    check_answer(form, fmt, ask(served, "GET", QUERIES[form], accept=accept), reference)


@pytest.mark.parametrize("target", [
    "/sparql?" + urllib.parse.urlencode({"query": QUERIES["DESCRIBE"]}),
    "/id/cluster/jubail-industrial-city",
    "/void",
    "/api/queries/cluster-graph?cluster=cluster/jubail-industrial-city",
])
def test_json_ld_is_self_contained_everywhere(served: RunningServer, target: str) -> None:
    answer = served.request("GET", target, headers={"Accept": "application/ld+json"})
    assert (answer.status, answer.media_type) == (200, "application/ld+json"), answer.body[:300]
    graph = jsonld_graph(answer.body)
    assert len(graph) > 3
    if "jubail" in target:
        assert (rdflib.URIRef(JUBAIL), None, None) in graph


@pytest.mark.parametrize("fmt", ["turtle", "rdfxml"])
def test_rapper_reads_resource_pages(served: RunningServer, fmt: str) -> None:
    answer = served.request("GET", "/id/cluster/jubail-industrial-city",
                            headers={"Accept": MEDIA[fmt]})
    assert (answer.status, answer.media_type) == (200, MEDIA[fmt])
    assert rapper_count(fmt, answer.body) == len(graph_of(fmt, answer.body)) > 3


def test_a_form_the_answer_cannot_take_is_still_406(served: RunningServer) -> None:
    answer = ask(served, "GET", QUERIES["CONSTRUCT"], accept="application/sparql-results+json")
    assert answer.status == 406
    assert "application/rdf+xml" in answer.json()["error"]
