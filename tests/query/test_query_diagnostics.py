"""Queries that say what is wrong: parameter bounds, an --endpoint that is no URL, an IRI that
names no resource of the graph, a prefix the query does not declare. Each case asserts the exit
code and the words of the message, through `clustergraph.cli.main` in-process and, once per kind,
through the installed command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli_runner import run_in_process, run_installed

from clustergraph.errors import InputError, QueryError
from clustergraph.query.catalogue import load_catalogue
from clustergraph.query.session import Session

ID = "https://w3id.org/clustergraph/id/"

# --- numeric bounds declared in the query header ------------------------------------------------

OUT_OF_BOUNDS = [
    ("clusters-near", "radiusKm=-500", "-500 is out of bounds: it must be greater than 0"),
    ("clusters-near", "radiusKm=0", "0 is out of bounds: it must be greater than 0"),
    ("clusters-near", "latitude=200", "200 is out of bounds: it must be between -90 and 90"),
    ("clusters-near", "latitude=-90.5", "-90.5 is out of bounds: it must be between -90 and 90"),
    (
        "clusters-near",
        "longitude=180.01",
        "180.01 is out of bounds: it must be between -180 and 180",
    ),
    ("clusters-in-box", "south=-91", "-91 is out of bounds: it must be between -90 and 90"),
    ("clusters-in-box", "north=90.1", "90.1 is out of bounds: it must be between -90 and 90"),
    ("clusters-in-box", "west=-181", "-181 is out of bounds: it must be between -180 and 180"),
    ("clusters-in-box", "east=360", "360 is out of bounds: it must be between -180 and 180"),
]


@pytest.mark.parametrize(("query", "param", "words"), OUT_OF_BOUNDS)
def test_a_value_out_of_bounds_exits_2_naming_parameter_and_bound(
    capsys: pytest.CaptureFixture[str], query: str, param: str, words: str
) -> None:
    code, out, err = run_in_process(capsys, "query", query, "-p", param)
    name = param.split("=")[0]
    assert code == 2, (out, err)
    assert f"clustergraph: error: parameter {name!r}: {words}" in err
    assert out == "" and "Traceback" not in err


@pytest.mark.parametrize(
    ("query", "params"),
    [
        ("clusters-near", ["latitude=90", "longitude=-180", "radiusKm=0.1"]),
        ("clusters-near", ["latitude=-90", "longitude=180"]),
        ("clusters-in-box", ["south=-90", "north=90", "west=-180", "east=180"]),
    ],
)
def test_values_on_the_bounds_are_accepted(
    capsys: pytest.CaptureFixture[str], query: str, params: list[str]
) -> None:
    args = [a for p in params for a in ("-p", p)]
    code, out, err = run_in_process(capsys, "query", query, *args)
    assert code == 0, err
    assert out.rstrip().endswith("rows)") or out.rstrip().endswith("row)")


def test_the_whole_box_finds_every_cluster_with_a_point(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_in_process(
        capsys,
        "query",
        "clusters-in-box",
        "-p",
        "south=-90",
        "-p",
        "north=90",
        "-p",
        "west=-180",
        "-p",
        "east=180",
        "--format",
        "json",
    )
    located = Session().sparql(
        "PREFIX geo: <http://www.opengis.net/ont/geosparql#> PREFIX cg: <https://w3id.org/clustergraph/ontology#> "
        "SELECT DISTINCT ?c WHERE { ?c a cg:IndustrialCluster ; geo:hasGeometry/geo:asWKT ?w }"
    )
    assert code == 0 and len(json.loads(out)) == len(located) > 0


def test_bounds_apply_to_the_python_api_and_to_remote_sessions() -> None:
    with pytest.raises(Exception) as info:
        Session("http://127.0.0.1:9/sparql").query("clusters-near", radiusKm="-1")
    assert "parameter 'radiusKm': -1 is out of bounds" in str(info.value)


def test_the_catalogue_shows_the_bounds(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_in_process(capsys, "queries")
    assert code == 0
    assert "latitude:xsd:decimal=51.92 (between -90 and 90)" in out
    assert "radiusKm:xsd:decimal=250 (greater than 0)" in out
    assert "east:xsd:decimal=25 (between -180 and 180)" in out
    code, out, _ = run_in_process(capsys, "queries", "--format", "json")
    entries = {e["name"]: e for e in json.loads(out)}
    near = {p["name"]: p["bounds"] for p in entries["clusters-near"]["parameters"]}
    assert near == {
        "latitude": {"minInclusive": -90, "maxInclusive": 90},
        "longitude": {"minInclusive": -180, "maxInclusive": 180},
        "radiusKm": {"minExclusive": 0},
    }
    assert all(p["bounds"] == {} for p in entries["members-as-of"]["parameters"])


QUERY_HEAD = "#+ summary: s\n#+ description: d\n#+ tags:\n#+   - t\n"
QUERY_BODY = "SELECT ?x WHERE { BIND(?_size_decimal AS ?x) BIND(?_where_iri AS ?y) } ORDER BY ?x\n"


@pytest.mark.parametrize(
    ("bounds", "words"),
    [
        (
            "#+   - where: {minInclusive: 0}",
            "parameter 'where' is of type iri; only numeric parameters have bounds",
        ),
        (
            "#+   - size: {atLeast: 0}",
            "unknown bound 'atLeast' (known: minInclusive, minExclusive, maxInclusive, maxExclusive)",
        ),
        ("#+   - size: {minInclusive: zero}", "bound minInclusive must be a number, not 'zero'"),
        (
            "#+   - size: {minInclusive: 0, minExclusive: 0}",
            "give minInclusive or minExclusive, not both",
        ),
        (
            "#+   - size: {minInclusive: 10, maxInclusive: 1}",
            "its lower bound 10 is above its upper bound 1",
        ),
        ("#+   - size: 5", "write its bounds as a mapping of minInclusive"),
        ("#+   - colour: {minInclusive: 0}", "#+ bounds names 'colour', which is no parameter"),
    ],
)
def test_a_wrong_bounds_header_is_refused_naming_the_file(
    tmp_path: Path, bounds: str, words: str
) -> None:
    path = tmp_path / "sized.rq"
    path.write_text(QUERY_HEAD + "#+ bounds:\n" + bounds + "\n" + QUERY_BODY, encoding="utf-8")
    with pytest.raises(QueryError) as info:
        load_catalogue(tmp_path)
    assert str(path) in str(info.value) and words in str(info.value)


def test_a_default_out_of_its_bounds_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sized.rq"
    path.write_text(
        QUERY_HEAD
        + "#+ defaults:\n#+   - size: -1\n#+ bounds:\n#+   - size: {minExclusive: 0}\n"
        + QUERY_BODY,
        encoding="utf-8",
    )
    with pytest.raises(QueryError) as info:
        load_catalogue(tmp_path)
    assert "default of parameter 'size': -1 is out of bounds: it must be greater than 0" in str(
        info.value
    )


# --- an --endpoint that is no URL is the user's input ---------------------------------------------


@pytest.mark.parametrize("command", [["query", "clusters-by-country"], ["sparql", "ASK {}"]])
@pytest.mark.parametrize("url", ["not-a-url", "ftp://example.org/sparql", "http://"])
def test_an_endpoint_that_is_no_url_exits_2_naming_the_option(
    capsys: pytest.CaptureFixture[str], command: list[str], url: str
) -> None:
    code, out, err = run_in_process(capsys, *command, "--endpoint", url)
    assert code == 2, err
    assert "Invalid value for '--endpoint'" in err
    assert f"{url!r} is not an http:// or https:// URL of a SPARQL endpoint" in err
    assert out == "" and "Traceback" not in err


def test_an_endpoint_from_the_environment_is_checked_too(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT", "not-a-url")
    code, _, err = run_in_process(capsys, "query", "clusters-by-country")
    assert code == 2
    assert "'not-a-url' is not an http:// or https:// URL" in err


def test_the_api_refuses_an_endpoint_that_is_no_url_as_input() -> None:
    with pytest.raises(InputError) as info:
        Session("not-a-url")
    assert "endpoint 'not-a-url' is not an http:// or https:// URL" in str(info.value)


# --- an IRI that names no resource of the graph ----------------------------------------------------


@pytest.mark.parametrize(
    ("query", "param", "words"),
    [
        (
            "clusters-by-country",
            "country=country/XX",
            f"parameter 'country': no resource <{ID}country/XX> in the graph; did you mean country/",
        ),
        (
            "clusters-by-country",
            "country=country/in",
            f"parameter 'country': no resource <{ID}country/in> in the graph; did you mean country/IN?",
        ),
        (
            "cluster-profile",
            "cluster=cluster/zero-carbon-humbr",
            f"no resource <{ID}cluster/zero-carbon-humbr> in the graph; did you mean cluster/zero-carbon-humber?",
        ),
        # facts-by-certainty's certainty has a closed set of values (#+ enumerate): a value
        # outside it is an error, see tests/query/test_parameter_bounds.py
        (
            "clusters-by-country",
            "country=https://example.org/country/IN",
            (
                "no resource <https://example.org/country/IN> in the graph, nor any other "
                "resource whose IRI starts with <https://example.org/country/>"
            ),
        ),
    ],
)
def test_an_unknown_resource_gets_a_warning_with_the_closest_iris(
    capsys: pytest.CaptureFixture[str], query: str, param: str, words: str
) -> None:
    code, out, err = run_in_process(capsys, "query", query, "-p", param)
    assert code == 0, err
    assert "(0 rows)" in out
    assert err.startswith("clustergraph: warning: ") and words in err


def test_a_hint_names_at_most_five_iris_of_the_same_kind() -> None:
    (hint,) = Session().resource_hints("clusters-by-country", country="country/XX")
    named = hint.split("did you mean ", 1)[1].rstrip("?").split(", ")
    assert named[-1] == "..." and len(named) == 6
    assert all(n.startswith("country/") for n in named[:-1])


def test_an_existing_resource_gets_no_warning(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_in_process(
        capsys, "query", "clusters-by-country", "-p", "country=country/IN"
    )
    assert code == 0 and err == "" and "rows)" in out


def test_remote_sessions_give_no_hints_and_send_nothing() -> None:
    assert (
        Session("http://127.0.0.1:9/sparql").resource_hints(
            "clusters-by-country", country="country/XX"
        )
        == []
    )


# --- a prefix the query does not declare ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "SELECT * WHERE { ?s foo:bar ?o }",
            "the query does not parse: prefix 'foo:' is not declared; add PREFIX foo: <...> at the start of the query",
        ),
        (
            "SELECT ?c WHERE { ?c a cg:IndustrialCluster }",
            "prefix 'cg:' is not declared; add PREFIX cg: <https://w3id.org/clustergraph/ontology#>",
        ),
        (
            (
                "PREFIX cg: <https://w3id.org/clustergraph/ontology#> SELECT ?c WHERE { "
                "?c a cg:IndustrialCluster ; skos:prefLabel ?l FILTER(?l = 'x'^^xsd:string) }"
            ),
            (
                "prefixes 'skos:', 'xsd:' are not declared; add "
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
                "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>"
            ),
        ),
        (
            "CONSTRUCT { ?s ex:p ?o } WHERE { ?s ?p ?o }",
            "prefix 'ex:' is not declared",
        ),
    ],
)
def test_an_undeclared_prefix_is_named(
    capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    code, out, err = run_in_process(capsys, "sparql", text)
    assert code == 2, err
    assert words in err and "expected" not in err
    assert out == "" and "Traceback" not in err


def test_the_rdflib_engine_names_the_prefix_too() -> None:
    with pytest.raises(QueryError) as info:
        Session(engine="rdflib").sparql("SELECT * WHERE { ?s foo:bar ?o }")
    assert "prefix 'foo:' is not declared" in str(info.value)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("SELECT * WHERE { ?s ?p }", "error at 1:25:"),
        (
            "PREFIX ex: <http://example.org/>\nSELECT * WHERE {\n  ?s ex:p ?o .\n  FILTER(\n}",
            "error at 5:2:",
        ),
    ],
)
def test_other_syntax_errors_keep_the_parser_message_with_line_and_column(
    capsys: pytest.CaptureFixture[str], text: str, where: str
) -> None:
    code, _, err = run_in_process(capsys, "sparql", text)
    assert code == 2
    assert f"clustergraph: error: the query does not parse: {where}" in err
    assert "not declared" not in err


def test_a_prefix_inside_a_string_or_iri_is_not_taken_for_one(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, err = run_in_process(
        capsys,
        "sparql",
        'SELECT ?x WHERE { BIND("foo:bar" AS ?x) BIND(<urn:baz:qux> AS ?y) }',
        "--format",
        "csv",
    )
    assert code == 0, err
    assert out == "x\nfoo:bar\n"


# --- the same, through the installed command ------------------------------------------------------


def test_the_installed_command_says_what_is_wrong() -> None:
    code, out, err = run_installed("query", "clusters-near", "-p", "radiusKm=-500")
    assert code == 2 and out == ""
    assert (
        "clustergraph: error: parameter 'radiusKm': -500 is out of bounds: it must be greater than 0"
        in err
    )
    code, out, err = run_installed("query", "clusters-near", "-p", "latitude=200")
    assert (
        code == 2
        and "parameter 'latitude': 200 is out of bounds: it must be between -90 and 90" in err
    )
    code, out, err = run_installed("sparql", "ASK {}", "--endpoint", "not-a-url")
    assert (
        code == 2
        and "Invalid value for '--endpoint': 'not-a-url' is not an http:// or https:// URL" in err
    )
    code, out, err = run_installed("query", "clusters-by-country", "-p", "country=country/XX")
    assert code == 0 and "(0 rows)" in out
    assert (
        f"clustergraph: warning: parameter 'country': no resource <{ID}country/XX> in the graph; did you mean country/"
        in err
    )
    code, out, err = run_installed("sparql", "SELECT * WHERE { ?s foo:bar ?o }")
    assert code == 2 and "prefix 'foo:' is not declared; add PREFIX foo: <...>" in err
