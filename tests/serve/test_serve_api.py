"""`/api/queries/{name}`: every stored query as a web call, typed and checked as on the command line.

Each stored query answers the same rows as `clustergraph query NAME --format json`; each bad
parameter gets the command line's message, with 400 instead of exit code 2; `/openapi.json`
describes every query with its parameters; `/api/search` finds resources by name.
"""

from __future__ import annotations

import json

import pytest
from support.serve_support import MAX_ROWS, RunningServer, served  # noqa: F401

from clustergraph.cli import main
from clustergraph.query.catalogue import load_catalogue

pytestmark = pytest.mark.slow  # every test asks a running `clustergraph serve`

CATALOGUE = load_catalogue()
SELECTS = [q.name for q in CATALOGUE if q.form == "SELECT"]


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_catalogue_lists_every_stored_query_ready_to_run(served: RunningServer) -> None:
    listed = served.get("/api/queries").json()
    assert [q["name"] for q in listed] == CATALOGUE.names()
    by_name = {q["name"]: q for q in listed}
    members = by_name["members-as-of"]
    assert members["api"] == "/api/queries/members-as-of"
    assert {p["name"]: p["default"] for p in members["parameters"]}["date"] == "2025-01-31"
    assert '"2025-01-31"^^<http://www.w3.org/2001/XMLSchema#date>' in members["example"]


@pytest.mark.parametrize("name", SELECTS)
def test_every_stored_select_answers_the_rows_the_command_line_prints(
        served: RunningServer, capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, _ = cli(capsys, "query", name, "--format", "json")
    assert code == 0
    expected = json.loads(out)
    answer = served.get(f"/api/queries/{name}")
    assert (answer.status, answer.media_type) == (200, "application/json")
    body = answer.json()
    assert body["rows"] == expected[:MAX_ROWS]
    assert body["truncated"] is (len(expected) > MAX_ROWS)
    assert body["columns"] == list(expected[0]) if expected else True


@pytest.mark.parametrize(("name", "params"), [
    ("member-counts-as-of", {"date": "2024-01-31"}),
    ("clusters-by-country", {"country": "country/SA"}),
    ("clusters-by-country", {"country": "https://w3id.org/clustergraph/id/country/GB"}),
    ("clusters-near", {"latitude": "26.9", "longitude": "49.6", "radiusKm": "100"}),
    ("clusters-joined-in-year", {"year": "2023"}),
    ("people-and-posts", {"organization": ""}),
    ("clusters-by-name", {"text": "Jubail"}),
])
def test_parameters_are_bound_as_on_the_command_line(served: RunningServer, capsys, name, params) -> None:
    args = [arg for key, value in params.items() for arg in ("-p", f"{key}={value}")]
    code, out, _ = cli(capsys, "query", name, *args, "--format", "json")
    assert code == 0
    answer = served.get(f"/api/queries/{name}", params)
    assert answer.status == 200
    assert answer.json()["rows"] == json.loads(out)[:MAX_ROWS]


@pytest.mark.parametrize(("name", "params"), [
    ("member-counts-as-of", {"date": "2024-13-31"}),
    ("member-counts-as-of", {"date": "last year"}),
    ("clusters-by-country", {"country": "not an iri"}),
    ("clusters-by-country", {"country": "<http://x>"}),
    ("clusters-near", {"latitude": "north"}),
    ("clusters-joined-in-year", {"year": "99"}),
    ("members-as-of", {"nonsense": "1"}),
    ("clusters-by-name", {"text": "a\\b"}),
    ("clusters-by-name", {"text": "x" * 2001}),
])
def test_a_bad_parameter_is_400_with_the_command_lines_message(served: RunningServer, capsys, name,
                                                               params) -> None:
    args = [arg for key, value in params.items() for arg in ("-p", f"{key}={value}")]
    code, _, err = cli(capsys, "query", name, *args)
    assert code == 2
    answer = served.get(f"/api/queries/{name}", params)
    assert answer.status == 400
    assert f"clustergraph: error: {answer.json()['error']}" == err.strip()


def test_a_parameter_given_twice_is_400(served: RunningServer) -> None:
    answer = served.request("GET", "/api/queries/clusters-by-country?country=country/IN&country=country/SA")
    assert answer.status == 400
    assert answer.json()["error"] == "parameter 'country': given more than once"


def test_an_unknown_query_is_404_pointing_to_the_catalogue(served: RunningServer) -> None:
    answer = served.get("/api/queries/members")
    assert answer.status == 404
    assert "members-as-of" in answer.json()["error"] and "GET /api/queries" in answer.json()["error"]


@pytest.mark.parametrize(("accept", "fmt", "media"), [
    ("text/csv", None, "text/csv"),
    ("application/sparql-results+json", None, "application/sparql-results+json"),
    (None, "tsv", "text/tab-separated-values"),
    (None, "xml", "application/sparql-results+xml"),
    ("*/*", None, "application/json"),
])
def test_rows_come_in_any_results_format(served: RunningServer, accept, fmt, media) -> None:
    params = {"date": "2024-01-31", **({"format": fmt} if fmt else {})}
    answer = served.get("/api/queries/member-counts-as-of", params,
                        headers={"Accept": accept} if accept else {})
    assert (answer.status, answer.media_type) == (200, media)
    assert b"transitioning-industrial-clusters" in answer.body


@pytest.mark.parametrize(("accept", "media"), [
    (None, "application/ld+json"),
    ("text/turtle", "text/turtle"),
    ("application/n-triples", "application/n-triples"),
])
def test_a_stored_construct_answers_a_graph(served: RunningServer, accept, media) -> None:
    import pyoxigraph as ox

    from clustergraph.query.session import Session

    answer = served.get("/api/queries/cluster-graph", {"cluster": "cluster/jubail-industrial-city"},
                        headers={"Accept": accept} if accept else {})
    assert (answer.status, answer.media_type) == (200, media)
    expected = Session().query("cluster-graph", cluster="cluster/jubail-industrial-city")
    if media == "application/ld+json":
        assert json.loads(answer.body)["@context"]
        return
    fmt = ox.RdfFormat.TURTLE if media == "text/turtle" else ox.RdfFormat.N_TRIPLES
    got = {str(q.triple) for q in ox.parse(answer.body, format=fmt)}
    assert len(got) == min(len(expected), MAX_ROWS)
    assert got <= {str(t) for t in expected}


def test_openapi_describes_every_stored_query_and_its_parameters(served: RunningServer) -> None:
    spec = served.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    for query in CATALOGUE:
        operation = spec["paths"][f"/api/queries/{query.name}"]["get"]
        assert operation["operationId"] == query.name
        assert operation["summary"] == query.summary
        described = {p["name"]: p for p in operation["parameters"]}
        assert set(described) == {p.name for p in query.parameters} | {"format"}
        for p in query.parameters:
            assert described[p.name]["in"] == "query"
            assert described[p.name]["description"].startswith(p.hint)
            default = None if p.default is None else p.json_value(p.default)  # 51.92, not "51.92"
            assert described[p.name]["schema"].get("default") == default
        assert {"200", "400", "406", "503"} <= set(operation["responses"])
    date = {p["name"]: p for p in spec["paths"]["/api/queries/members-as-of"]["get"]["parameters"]}["date"]
    assert date["schema"]["format"] == "date"
    assert {"/sparql", "/api/search", "/api/queries"} <= set(spec["paths"])


@pytest.mark.parametrize(("text", "first", "kind"), [
    ("Jubail", "Jubail Industrial City", "industrial cluster"),
    ("jubail", "Jubail Industrial City", "industrial cluster"),
    ("Royal Commission", "Royal Commission for Jubail and Yanbu", "organisation"),
    ("Khalid", "Khalid Al-Salem", "person"),
    ("hydrogen", "hydrogen", "technology"),
])
def test_search_finds_clusters_organisations_people_and_technologies(served: RunningServer, text,
                                                                     first, kind) -> None:
    results = served.get("/api/search", {"q": text}).json()["results"]
    assert results, text
    assert (results[0]["label"], results[0]["kind"]) == (first, kind)
    page = served.get(results[0]["page"], headers={"Accept": "text/html"})
    assert page.status == 200 and first in page.text


def test_search_with_no_match_or_no_text_is_empty_and_long_text_is_400(served: RunningServer) -> None:
    assert served.get("/api/search", {"q": "zzzz-no-such-name"}).json() == {"results": []}
    assert served.get("/api/search", {"q": "  "}).json() == {"results": []}
    assert served.get("/api/search", {"q": "x" * 201}).status == 400
