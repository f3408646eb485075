"""The client matrix: one test row per client operation, each against a live `clustergraph serve`
on a free loopback port, each answer compared with the embedded `Session`'s (row multisets for
SELECT, the boolean for ASK, triple-set isomorphism for CONSTRUCT/DESCRIBE).

* Comunica (npm ``@comunica/query-sparql-file`` 4, ``npm ci``): the endpoint as a source (typed
  ``sparql@URL`` and found by its service description), federation of the endpoint with a local
  Turtle file, and SERVICE naming the endpoint from Comunica's own query;
* Apache Jena 4.5 from Debian (libapache-jena-java, installed by .ci/run): ``rsparql --service``
  for SELECT, ASK, CONSTRUCT, DESCRIBE, and ``arq`` with a SERVICE clause naming the endpoint;
* YASGUI on the query page in headless Chromium (Debian's, driven by Playwright): each format of
  its request menu (Accept for ASK/SELECT, Accept for CONSTRUCT/DESCRIBE) picked as a user picks
  it, the query run with its button, YASGUI's request answered 200 in the media type asked, the
  answer equal to the Session's, and no console error.

SPARQLWrapper, rdflib's SPARQLStore, pyld and rapper are in test_serve_clients.py and
test_serve_formats.py.
"""

from __future__ import annotations

import io
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import rdflib
from rdflib.compare import isomorphic
from support.jena_support import Jena, jena  # noqa: F401
from support.paths import REPO_ROOT
from support.rdf_readers import quads_as_graph
from support.serve_support import RunningServer, served  # noqa: F401

from clustergraph.files.load import to_rdflib
from clustergraph.query.results import Rows, Triples
from clustergraph.query.session import Session, default_files

pytestmark = pytest.mark.slow  # every row starts a client against a running `clustergraph serve`

CLIENT_TIMEOUT = 120
PREFIXES = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX ex: <http://example.org/local#>
"""
JUBAIL = "https://w3id.org/clustergraph/id/cluster/jubail-industrial-city"
#: The queries of the matrix. Language-tagged literals are only in LABELS (see the Comunica xfail).
QUERIES = {
    "SELECT": PREFIXES + "SELECT ?c ?country (COUNT(?t) AS ?technologies) WHERE { ?c a cg:IndustrialCluster ; "
                         "cg:country ?country ; cg:technology ?t } GROUP BY ?c ?country",
    "LABELS": PREFIXES + "SELECT ?c ?label WHERE { ?c a cg:IndustrialCluster ; skos:prefLabel ?label }",
    "ASK": PREFIXES + "ASK { ?c a cg:IndustrialCluster ; cg:country ?country }",
    "ASK-FALSE": PREFIXES + "ASK { ?c a cg:NoSuchClass }",
    "CONSTRUCT": PREFIXES + "CONSTRUCT { ?c cg:country ?country ; skos:prefLabel ?label } WHERE { "
                            "?c a cg:IndustrialCluster ; cg:country ?country ; skos:prefLabel ?label }",
    "DESCRIBE": f"DESCRIBE <{JUBAIL}>",
}
#: A local Turtle file a federated query joins with the endpoint.
LOCAL_TURTLE = f"""@prefix ex: <http://example.org/local#> .
<{JUBAIL}> ex:note "visited in 2024" .
<https://w3id.org/clustergraph/id/cluster/zero-carbon-humber> ex:note "on the list" .
<https://example.org/not-in-the-graph> ex:note "nobody" .
"""
FEDERATED = PREFIXES + "SELECT ?c ?note ?country WHERE { ?c ex:note ?note ; cg:country ?country }"
#: The same join, the endpoint's part in SERVICE: `{}` is the endpoint's address.
SERVICE = (PREFIXES + "SELECT ?c ?note ?country WHERE { ?c ex:note ?note . "
           "SERVICE <{}> { ?c cg:country ?country } }")
#: Jena's `arq` with SERVICE (and no data of its own); the language tags are kept.
JENA_SERVICE = (PREFIXES + "SELECT ?c ?label WHERE { SERVICE <{}> { ?c a cg:IndustrialCluster ; "
                "skos:prefLabel ?label } }")


# ---------------------------------------------------------------------------------------------
# The reference answers: the embedded Session
# ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def local_turtle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """LOCAL_TURTLE in a file, the local source of the federated rows."""
    path = tmp_path_factory.mktemp("matrix") / "local.ttl"
    path.write_text(LOCAL_TURTLE, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def session() -> Session:
    """The embedded store the server serves (union default graph, as the server)."""
    return Session()


@pytest.fixture(scope="module")
def federated_session(local_turtle: Path) -> Session:
    """The shipped files and the local file in one embedded store: what federation must give."""
    return Session(files=[*default_files(), local_turtle])


Row = tuple[rdflib.term.Node | None, ...]


def session_rows(session: Session, query: str) -> Counter[Row]:
    """The embedded answer to a SELECT as a multiset of rows of rdflib terms."""
    rows = session.sparql(query)
    assert isinstance(rows, Rows) and len(rows) > 0
    return Counter(tuple(None if t is None else to_rdflib(t) for t in row) for row in rows.terms)


def session_graph(session: Session, query: str) -> rdflib.Graph:
    """The embedded answer to a CONSTRUCT/DESCRIBE as an rdflib graph."""
    triples = session.sparql(query)
    assert isinstance(triples, Triples) and len(triples) > 0
    return triples.to_rdflib()


def json_rows(text: str, columns: tuple[str, ...]) -> Counter[Row]:
    """SPARQL JSON results (as a client printed them) as a multiset of rows, in `columns` order."""
    result = rdflib.query.Result.parse(io.StringIO(text), format="json")
    return Counter(tuple(binding.get(rdflib.Variable(c)) for c in columns) for binding in result.bindings)


def json_boolean(text: str) -> bool:
    """The boolean of a SPARQL JSON answer to ASK."""
    return json.loads(text)["boolean"]


def ntriples_graph(text: str) -> rdflib.Graph:
    """N-Triples as a client printed them, as an rdflib graph."""
    return rdflib.Graph().parse(data=text, format="nt")


def columns_of(session: Session, query: str) -> tuple[str, ...]:
    """The columns of the embedded answer to a SELECT, in its order."""
    rows = session.sparql(query)
    assert isinstance(rows, Rows)
    return rows.columns


def check(done: subprocess.CompletedProcess) -> str:
    """The client's standard output; the test fails with its error output if it failed."""
    assert done.returncode == 0, f"exit {done.returncode}:\n{done.stderr[-3000:]}"
    return done.stdout


# ---------------------------------------------------------------------------------------------
# Comunica
# ---------------------------------------------------------------------------------------------

def comunica(*args: str) -> subprocess.CompletedProcess:
    """`comunica-sparql-file SOURCES... QUERY -t TYPE` (npm @comunica/query-sparql-file 4)."""
    binary = REPO_ROOT / "node_modules" / ".bin" / "comunica-sparql-file"
    if not binary.exists():
        pytest.fail(f"Comunica is not installed: run `npm ci` in {REPO_ROOT}")
    return subprocess.run([str(binary), *args], capture_output=True, text=True,
                          timeout=CLIENT_TIMEOUT, cwd=REPO_ROOT, check=False)


#: How Comunica is told the endpoint is a source: typed, or found by the service description.
SOURCES = {"typed": "sparql@{}", "detected": "{}"}
SELECT_TYPE = "application/sparql-results+json"
COMUNICA_LANGUAGE_TAGS = pytest.mark.xfail(
    strict=True,
    reason="Comunica 4.5 client bug: its context's DataFactory is rdf-data-factory 1.x, which "
           "sparqljson-parse 3.x calls as literal(value, {language, direction}) (the 2.x API), so "
           "every language tag of a SPARQL JSON answer is lost (\"x\"@en becomes a literal whose "
           "datatype is the object {language: 'en'}); the server's answer has its xml:lang")


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("form", ["SELECT", pytest.param("LABELS", marks=COMUNICA_LANGUAGE_TAGS)])
def test_comunica_endpoint_as_source_select(served: RunningServer, session: Session, source: str,
                                            form: str) -> None:
    query = QUERIES[form]
    out = check(comunica(SOURCES[source].format(served.url + "/sparql"), query, "-t", SELECT_TYPE))
    assert json_rows(out, columns_of(session, query)) == session_rows(session, query)


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("form", ["ASK", "ASK-FALSE"])
def test_comunica_endpoint_as_source_ask(served: RunningServer, session: Session, source: str,
                                         form: str) -> None:
    out = check(comunica(SOURCES[source].format(served.url + "/sparql"), QUERIES[form], "-t", SELECT_TYPE))
    assert json_boolean(out) is session.sparql(QUERIES[form])


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("form", ["CONSTRUCT", "DESCRIBE"])
def test_comunica_endpoint_as_source_graph(served: RunningServer, session: Session, source: str,
                                           form: str) -> None:
    out = check(comunica(SOURCES[source].format(served.url + "/sparql"), QUERIES[form],
                         "-t", "application/n-triples"))
    assert isomorphic(ntriples_graph(out), session_graph(session, QUERIES[form]))


@pytest.mark.parametrize("source", SOURCES)
def test_comunica_federation_endpoint_and_local_file(served: RunningServer, federated_session: Session,
                                                     local_turtle: Path, source: str) -> None:
    out = check(comunica(SOURCES[source].format(served.url + "/sparql"), str(local_turtle), FEDERATED,
                         "-t", SELECT_TYPE))
    expected = session_rows(federated_session, FEDERATED)
    assert len(expected) == 2  # the two clusters of the graph, not the IRI that is not in it
    assert json_rows(out, columns_of(federated_session, FEDERATED)) == expected


def test_comunica_service_names_the_endpoint(served: RunningServer, federated_session: Session,
                                             local_turtle: Path) -> None:
    query = SERVICE.replace("{}", served.url + "/sparql")
    out = check(comunica(str(local_turtle), query, "-t", SELECT_TYPE))
    assert json_rows(out, columns_of(federated_session, FEDERATED)) == session_rows(federated_session,
                                                                                    FEDERATED)


# ---------------------------------------------------------------------------------------------
# Apache Jena (Debian): rsparql and arq
# ---------------------------------------------------------------------------------------------

JENA_RESULTS = {"LABELS": "JSON", "SELECT": "JSON", "ASK": "JSON", "ASK-FALSE": "JSON",
                "CONSTRUCT": "N-TRIPLES", "DESCRIBE": "N-TRIPLES"}


def _query_file(folder: Path, name: str, text: str) -> str:
    """The query in a .rq file (Jena reads queries from files)."""
    path = folder / f"{name}.rq"
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("form", list(JENA_RESULTS))
def test_jena_rsparql(jena: Jena, served: RunningServer, session: Session, tmp_path: Path,
                      form: str) -> None:
    query = QUERIES[form]
    out = check(jena.run("arq.rsparql", "--service", served.url + "/sparql",
                         "--query", _query_file(tmp_path, form, query), "--results", JENA_RESULTS[form],
                         timeout=CLIENT_TIMEOUT))
    if form in ("SELECT", "LABELS"):
        assert json_rows(out, columns_of(session, query)) == session_rows(session, query)
    elif form.startswith("ASK"):
        assert json_boolean(out) is session.sparql(query)
    else:
        assert isomorphic(ntriples_graph(out), session_graph(session, query))


@pytest.mark.parametrize("form", ["SERVICE labels", "SERVICE federated"])
def test_jena_arq_service(jena: Jena, served: RunningServer, session: Session, federated_session: Session,
                          local_turtle: Path, tmp_path: Path, form: str) -> None:
    endpoint = served.url + "/sparql"
    if form == "SERVICE labels":  # arq with no data: everything comes from SERVICE
        query, data, reference = JENA_SERVICE.replace("{}", endpoint), [], (session, QUERIES["LABELS"])
    else:  # the local file as arq's data, joined with the endpoint's part
        query, data, reference = SERVICE.replace("{}", endpoint), ["--data", str(local_turtle)], \
            (federated_session, FEDERATED)
    out = check(jena.run("arq.sparql", *data, "--query", _query_file(tmp_path, "service", query),
                         "--results", "JSON", timeout=CLIENT_TIMEOUT))
    assert json_rows(out, columns_of(*reference)) == session_rows(*reference)


# ---------------------------------------------------------------------------------------------
# YASGUI (the query page) in headless Chromium
# ---------------------------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
#: YASGUI's request menu: Accept for ASK/SELECT, then for CONSTRUCT/DESCRIBE (as the page offers).
YASGUI_MENU = {
    "SELECT": ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
               "text/tab-separated-values"],
    "CONSTRUCT": ["text/turtle", "application/rdf+json", "application/rdf+xml", "application/trig",
                  "application/n-triples", "application/n-quads", "text/csv", "text/tab-separated-values"],
}
YASGUI_CASES = [(form, media) for form, menu in YASGUI_MENU.items() for media in menu]
GRAPH_PARSERS = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/n-triples": "nt"}
QUAD_PARSERS = {"application/trig": "trig", "application/n-quads": "nquads"}


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's Chromium, headless, driven by Playwright, for the module."""
    # Playwright starts a driver process: imported only for the YASGUI rows
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def query_page(browser, served: RunningServer) -> Iterator[object]:
    """The query page, with every console error, page error and failed request recorded."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"exception: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status}: {r.url}"))
    try:
        page.goto(served.url + "/")
        page.wait_for_selector(".yasqe_queryButton")
        yield page
    finally:
        context.close()


def rdf_json_graph(body: bytes) -> rdflib.Graph:
    """RDF/JSON (W3C note) read into an rdflib graph (rdflib has no parser for it)."""
    def term(value: dict) -> rdflib.term.Node:
        if value["type"] == "uri":
            return rdflib.URIRef(value["value"])
        if value["type"] == "bnode":
            return rdflib.BNode(value["value"].removeprefix("_:"))
        return rdflib.Literal(value["value"], lang=value.get("lang"),
                              datatype=None if value.get("lang") else value.get("datatype"))

    graph = rdflib.Graph()
    for subject, predicates in json.loads(body).items():
        node = rdflib.BNode(subject[2:]) if subject.startswith("_:") else rdflib.URIRef(subject)
        for predicate, objects in predicates.items():
            for value in objects:
                graph.add((node, rdflib.URIRef(predicate), term(value)))
    return graph


def test_yasgui_menu_offers_these_formats(query_page) -> None:
    menus = query_page.evaluate("Array.from(document.querySelectorAll('.acceptWrapper select'))"
                                ".map(s => Array.from(s.options).map(o => o.value))")
    assert menus == list(YASGUI_MENU.values())


@pytest.mark.parametrize(("form", "media"), YASGUI_CASES, ids=[f"{f}-{m}" for f, m in YASGUI_CASES])
def test_yasgui_menu_format(query_page, session: Session, form: str, media: str) -> None:
    page = query_page
    query = QUERIES[form]
    menu = 0 if form == "SELECT" else 1  # pick the format in YASGUI's own menu, as a user does
    page.evaluate("([menu, media]) => { const s = document.querySelectorAll('.acceptWrapper select')[menu];"
                  " s.value = media; s.dispatchEvent(new Event('change')); }", [menu, media])
    page.evaluate("q => document.querySelector('.CodeMirror').CodeMirror.setValue(q)", query)
    with page.expect_response(lambda r: "/sparql" in r.url and r.request.method == "POST") as caught:
        page.click(".yasqe_queryButton")
    response = caught.value
    assert response.request.headers["accept"] == media
    assert response.status == 200
    assert response.headers["content-type"].split(";")[0].strip() == media
    body = response.body()
    page.wait_for_selector(".yasr .yasr_results")
    if form == "SELECT":
        expected = session_rows(session, query)
        if media.endswith(("json", "xml")):
            result = rdflib.query.Result.parse(io.BytesIO(body), format=media.rsplit("+", 1)[1])
            columns = columns_of(session, query)
            assert Counter(tuple(b.get(rdflib.Variable(c)) for c in columns) for b in result.bindings) \
                == expected
        else:  # CSV, TSV: a header and one line a row
            assert len(body.decode().strip().splitlines()) == sum(expected.values()) + 1
    else:
        expected = session_graph(session, query)
        if media in GRAPH_PARSERS:
            got = rdflib.Graph().parse(data=body, format=GRAPH_PARSERS[media])
        elif media in QUAD_PARSERS:
            got = quads_as_graph(body, QUAD_PARSERS[media])
        elif media == "application/rdf+json":
            got = rdf_json_graph(body)
        else:  # CSV, TSV: subject, predicate, object, a header and one line a triple
            lines = body.decode().strip().splitlines()
            assert len(lines) == len(expected) + 1 and "subject" in lines[0]
            got = expected
        assert isomorphic(got, expected)
    assert page.problems == []  # type: ignore[attr-defined]
