"""The stored queries: the catalogue, their answers on the shipped data (golden files), the CLI.

Golden files are tests/golden/<query>.<case>.json, one per case of tests/golden/cases.json. To
regenerate them after a deliberate change of data or queries (never by default):

    CLUSTERGRAPH_UPDATE_GOLDEN=1 python -m pytest tests/query/test_queries.py -k golden

then review the diff (`git diff tests/golden`) before committing.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import time
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import GOLDEN

from clustergraph.cli import cli
from clustergraph.export import canonical_ntriples
from clustergraph.query.catalogue import load_catalogue
from clustergraph.query.results import Rows, Triples
from clustergraph.query.session import Session

CASES: dict[str, dict[str, dict[str, str]]] = json.loads((GOLDEN / "cases.json").read_text())
UPDATE = os.environ.get("CLUSTERGRAPH_UPDATE_GOLDEN") == "1"
CATALOGUE = load_catalogue()
ALL_CASES = [(name, case) for name in sorted(CASES) for case in CASES[name]]
ID = "https://w3id.org/clustergraph/id/"


@pytest.fixture(scope="module")
def session() -> Session:
    """One embedded session for the module: the store is loaded once and kept."""
    s = Session()
    s.load()
    return s


def result_to_json(result: Any) -> dict[str, Any]:
    """A result as exact RDF terms (N-Triples syntax), in order."""
    if isinstance(result, Rows):
        return {
            "columns": list(result.columns),
            "rows": [[None if t is None else str(t) for t in row] for row in result.terms],
        }
    assert isinstance(result, Triples)
    text = "".join(f"{t.subject} {t.predicate} {t.object} .\n" for t in result)
    return {"triples": canonical_ntriples(text)}  # blank nodes labelled by content, in every run


# --- the catalogue ---------------------------------------------------------------------------


def test_catalogue_has_at_least_15_queries() -> None:
    assert len(CATALOGUE) >= 15, CATALOGUE.names()


@pytest.mark.parametrize("query", list(CATALOGUE), ids=lambda q: q.name)
def test_every_query_has_a_grlc_header_and_an_order_by(query: Any) -> None:
    problems = []
    if not query.summary:
        problems.append("no #+ summary:")
    if not query.description:
        problems.append("no #+ description:")
    if not query.tags:
        problems.append("no #+ tags:")
    if query.form not in ("SELECT", "CONSTRUCT"):
        problems.append(f"form {query.form}: keep stored queries to SELECT or CONSTRUCT")
    body = "\n".join(line for line in query.text.splitlines() if not line.lstrip().startswith("#"))
    if not re.search(r"\bORDER\s+BY\b", body, re.IGNORECASE):
        problems.append("no ORDER BY: its output would not be deterministic")
    if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", query.name):
        problems.append("file name is not lower-case-with-dashes (grlc wants no extra dots)")
    for p in query.parameters:
        if not re.match(r"^[A-Za-z][A-Za-z0-9]*$", p.name):
            problems.append(f"parameter {p.name!r}: names are letters and digits (camelCase)")
    first = query.text.splitlines()[0]
    if not first.startswith("#+ "):
        problems.append("the #+ header must open the file")
    assert not problems, f"{query.name}: " + "; ".join(problems)


@pytest.mark.parametrize("query", list(CATALOGUE), ids=lambda q: q.name)
def test_every_query_has_golden_cases_with_another_parameter_value(query: Any) -> None:
    cases = CASES.get(query.name)
    assert cases, f"add {query.name} to tests/golden/cases.json"
    assert "default" in cases and cases["default"] == {}
    if query.parameters:
        others = [c for c in cases if c != "default"]
        assert others, f"{query.name}: add a case with another parameter value"


def test_header_is_read_as_grlc_reads_it() -> None:
    q = CATALOGUE["members-as-of"]
    assert q.summary.startswith("The member clusters")
    assert q.tags == ("initiative", "memberships")
    by_name = {p.name: p for p in q.parameters}
    assert by_name["date"].variable == "_date_xsd_date"
    assert by_name["date"].type_name == "xsd:date"
    assert by_name["date"].required
    assert by_name["date"].default == "2025-01-31"
    assert by_name["initiative"].kind == "iri"
    figures = {p.name: p for p in CATALOGUE["initiative-figures"].parameters}
    assert not figures["metric"].required
    assert figures["metric"].default is None
    assert "https://w3id.org/clustergraph/ontology#NumberOfClusters" in figures["metric"].enum


# --- answers on the shipped data --------------------------------------------------------------


@pytest.mark.parametrize(("name", "case"), ALL_CASES)
def test_golden(session: Session, name: str, case: str) -> None:
    params = CASES[name][case]
    result = session.query(name, params)
    got = {"query": name, "params": params, **result_to_json(result)}
    path = GOLDEN / f"{name}.{case}.json"
    if UPDATE:
        path.write_text(json.dumps(got, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    assert path.exists(), (
        f"no golden file {path.name}: regenerate with CLUSTERGRAPH_UPDATE_GOLDEN=1"
    )
    expected = json.loads(path.read_text(encoding="utf-8"))
    assert got == expected


def _column(name: str, case: str, column: str) -> list[Any]:
    data = json.loads((GOLDEN / f"{name}.{case}.json").read_text())
    i = data["columns"].index(column)
    return [row[i] for row in data["rows"]]


def test_spot_check_members_as_of() -> None:
    """The headline checks: 31 clusters in 16 countries on 2025-01-31, 18 in 10 on 2024-01-31."""
    assert _column("member-counts-as-of", "default", "clusters") == [
        '"31"^^<http://www.w3.org/2001/XMLSchema#integer>'
    ]
    assert _column("member-counts-as-of", "default", "countries") == [
        '"16"^^<http://www.w3.org/2001/XMLSchema#integer>'
    ]
    assert _column("member-counts-as-of", "2024-01-31", "clusters") == [
        '"18"^^<http://www.w3.org/2001/XMLSchema#integer>'
    ]
    assert _column("member-counts-as-of", "2024-01-31", "countries") == [
        '"10"^^<http://www.w3.org/2001/XMLSchema#integer>'
    ]
    assert len(_column("members-as-of", "default", "cluster")) == 31
    assert len(_column("members-as-of", "2024-01-31", "cluster")) == 18
    # founding members: 4 clusters in 3 countries
    assert _column("member-counts-as-of", "2021-12-31", "clusters") == [
        '"4"^^<http://www.w3.org/2001/XMLSchema#integer>'
    ]


def test_spot_check_technology_hierarchy() -> None:
    """Asking for hydrogen finds the clusters pursuing green hydrogen too."""
    hydrogen = set(_column("clusters-by-technology", "default", "cluster"))
    green = set(_column("clusters-by-technology", "green-hydrogen", "cluster"))
    assert green and green <= hydrogen
    assert f"<{ID}technology/green-hydrogen>" in _column(
        "clusters-by-technology", "default", "technology"
    )


def test_spot_check_ranking_is_descending() -> None:
    counts = [
        int(v.split('"')[1]) for v in _column("countries-by-cluster-count", "default", "clusters")
    ]
    assert counts == sorted(counts, reverse=True)
    assert sum(counts) == 31


def test_spot_check_distances() -> None:
    names = _column("clusters-near", "default", "cluster")
    assert names[0] == f"<{ID}cluster/rotterdam>"
    distances = [float(v.split('"')[1]) for v in _column("clusters-near", "default", "distanceKm")]
    assert distances == sorted(distances) and distances[0] == 0.0
    # Rotterdam to Antwerp is about 78 km as the crow flies.
    antwerp = names.index(f"<{ID}cluster/port-of-antwerp-bruges>")
    assert 75 <= distances[antwerp] <= 81
    assert _column("clusters-near", "nothing-in-the-pacific", "cluster") == []


def test_hostile_text_finds_nothing() -> None:
    assert _column("clusters-by-name", "hostile-text", "cluster") == []


# --- the API ------------------------------------------------------------------------------------


def test_rows_become_records_for_a_dataframe(session: Session) -> None:
    import datetime
    from decimal import Decimal

    rows = session.query("members-as-of")
    records = rows.to_records()
    assert len(records) == 31
    assert set(records[0]) == set(rows.columns)
    assert all(isinstance(r["cluster"], str) for r in records)
    figures = session.query("initiative-figures").to_records()
    assert any(isinstance(r["value"], Decimal) for r in figures)
    assert any(isinstance(r["asOf"], datetime.date) for r in figures)
    counts = session.query("member-counts-as-of").to_records()
    assert counts[0]["clusters"] == 31 and counts[0]["countries"] == 16


def test_session_keeps_its_store(session: Session) -> None:
    store = session.store
    session.query("clusters-by-country")
    session.sparql("ASK { ?s ?p ?o }")
    assert session.store is store


def test_missing_required_parameter_is_named() -> None:
    from clustergraph.errors import ParameterError
    from clustergraph.query.catalogue import StoredQuery

    query = StoredQuery.from_text(
        "#+ summary: s\nSELECT ?c WHERE { ?c <urn:country> ?_country_iri } ORDER BY ?c\n", name="q"
    )
    with pytest.raises(ParameterError) as info:
        query.bindings({})
    assert info.value.name == "country" and "is required" in str(info.value)


def test_parameters_as_keywords_and_mapping(session: Session) -> None:
    a = session.query("clusters-by-country", country="country/GB")
    b = session.query("clusters-by-country", {"country": f"{ID}country/GB"})
    assert a == b and len(a) > 0


def test_construct_gives_triples(session: Session) -> None:
    triples = session.query("cluster-graph", cluster="cluster/rotterdam")
    assert isinstance(triples, Triples) and len(triples) > 0
    text = triples.serialize("turtle")
    assert "Rotterdam" in text
    nt = triples.serialize("ntriples")
    assert nt.count(" .\n") == len(triples)
    import json as _json

    assert isinstance(_json.loads(triples.serialize("jsonld")), (list, dict))


def test_every_query_well_under_50_ms_once_loaded(session: Session) -> None:
    slow = {}
    for query in CATALOGUE:
        session.query(query.name)
        times = []
        for _ in range(5):
            start = time.perf_counter()
            session.query(query.name)
            times.append(time.perf_counter() - start)
        median_ms = statistics.median(times) * 1000
        if median_ms >= 25:
            slow[query.name] = round(median_ms, 1)
    assert not slow, f"queries slower than 25 ms (budget 50 ms): {slow}"


# --- the command line ---------------------------------------------------------------------------


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def run_main(*args: str) -> tuple[int, str, str]:
    """Through `main`, which maps our errors to exit codes."""
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-m", "clustergraph", *args],
        capture_output=True,
        check=False,
        text=True,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def test_cli_lists_the_catalogue() -> None:
    result = run("queries")
    assert result.exit_code == 0, result.output
    for query in CATALOGUE:
        assert query.name in result.output
    assert "date:xsd:date=2025-01-31" in result.output
    data = json.loads(run("queries", "--format", "json").output)
    entry = next(e for e in data if e["name"] == "members-as-of")
    assert {
        "name": "date",
        "type": "xsd:date",
        "required": True,
        "default": "2025-01-31",
        "values": [],
        "bounds": {},
    } in entry["parameters"]


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "markdown"])
def test_cli_runs_a_query_in_each_format(fmt: str) -> None:
    result = run("query", "members-as-of", "--param", "date=2024-01-31", "--format", fmt)
    assert result.exit_code == 0, result.output
    assert "Zero Carbon Humber" in result.output
    if fmt == "csv":
        assert len(result.output.strip().splitlines()) == 1 + 18
    if fmt == "json":
        assert len(json.loads(result.output)) == 18
    if fmt == "table":
        assert "(18 rows)" in result.output


def test_cli_construct_prints_rdf() -> None:
    result = run(
        "query", "cluster-graph", "-p", "cluster=cluster/rotterdam", "--format", "ntriples"
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("<https://w3id.org/clustergraph/id/cluster/rotterdam>") > 3


def test_cli_sparql_text_and_file(tmp_path: Path) -> None:
    text = "PREFIX cg: <https://w3id.org/clustergraph/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?c a cg:IndustrialCluster }"
    result = run("sparql", text, "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output == "n\n31\n"
    path = tmp_path / "count.rq"
    path.write_text(text)
    assert run("sparql", str(path), "--format", "csv").output == "n\n31\n"
    assert run("sparql", "ASK { ?s ?p ?o }").output.strip() == "yes"


@pytest.mark.parametrize(
    ("args", "name"),
    [
        (["query", "members-as-of", "-p", "date=2025-13-01"], "date"),
        (["query", "members-as-of", "-p", "date=yesterday"], "date"),
        (["query", "clusters-by-country", "-p", "country=not an iri"], "country"),
        (["query", "clusters-by-country", "-p", "colour=red"], "colour"),
        (["query", "clusters-near", "-p", "latitude=north"], "latitude"),
        (["query", "clusters-by-name", "-p", "text="], "text"),
        (["query", "clusters-joined-in-year", "-p", "year=25"], "year"),
    ],
)
def test_cli_bad_parameter_names_it_and_exits_2(args: list[str], name: str) -> None:
    code, out, err = run_main(*args)
    assert code == 2, (out, err)
    assert f"parameter {name!r}" in err
    assert "Traceback" not in err


def test_cli_unknown_query_exits_2() -> None:
    code, _, err = run_main("query", "no-such-query")
    assert code == 2 and "no stored query named 'no-such-query'" in err


def test_cli_show_query_binds_values_as_terms() -> None:
    result = run("query", "clusters-by-country", "-p", "country=country/GB", "--show-query")
    assert (
        "VALUES (?_country_iri) { (<https://w3id.org/clustergraph/id/country/GB>) }"
        in result.output
    )


# --- grlc compatibility ------------------------------------------------------------------------


def grlc_substitute(query: Any, values: dict[str, str]) -> str:
    """What grlc does: put each value in place of its ?_name variable, here written as one escaped
    RDF term (grlc itself pastes raw text). Optional parameters without a value stay variables."""
    from clustergraph.query.catalogue import term_to_sparql, tokenize

    terms = query.bindings(values)
    out = []
    for token in tokenize(query.text):
        if token.kind == "var" and token.text[1:] in terms:
            out.append(term_to_sparql(terms[token.text[1:]]))
        else:
            out.append(token.text)
    return "".join(out)


@pytest.mark.parametrize(("name", "case"), ALL_CASES)
def test_grlc_pasting_gives_the_same_answer(session: Session, name: str, case: str) -> None:
    """The folder can be served by grlc unchanged: each query stays valid SPARQL, with the same
    answer, when grlc pastes the values into its text instead of our VALUES binding."""
    query = CATALOGUE[name]
    params = CASES[name][case]
    pasted = grlc_substitute(query, params)
    assert result_to_json(session.sparql(pasted)) == result_to_json(session.query(name, params))
