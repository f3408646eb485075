"""The same stored queries give the same rows, in the same order, embedded and on three independent
real servers started by the tests (support/fixtures_servers.py, support/fixtures_virtuoso.py): the Oxigraph
server, Comunica and Virtuoso. Test ids name the store (`[virtuoso-clusters-near-default]`).

Values are compared after a light normalisation that keeps them strict: numbers by value (an
xsd:decimal "4.0" equals "4"), booleans by truth, language tags case-insensitively; everything
else exactly, including datatypes, and rows in order. One known store difference is allowed:
Virtuoso turns every geo:wktLiteral it loads into its own virtrdf:Geometry, in single precision
("POINT(4.48 51.92)" comes back as "POINT(4.4800000190735 51.919998168945)"), so WKT points
are compared by their coordinates to 5 decimals (about a metre).
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from typing import Any

import pytest
from click.testing import CliRunner
from support.paths import GOLDEN

from clustergraph.cli import cli
from clustergraph.query.results import Rows, Triples
from clustergraph.query.session import Session

pytestmark = pytest.mark.slow

CASES: dict[str, dict[str, dict[str, str]]] = json.loads((GOLDEN / "cases.json").read_text())
ALL_CASES = [(name, case) for name in sorted(CASES) for case in CASES[name]]
XSD = "http://www.w3.org/2001/XMLSchema#"
WKT_TYPES = {
    "http://www.opengis.net/ont/geosparql#wktLiteral",
    "http://www.openlinksw.com/schemas/virtrdf#Geometry",
}
DECIMALS = {
    XSD + t for t in ("integer", "decimal", "int", "long", "short", "byte", "nonNegativeInteger")
}


def normal(term: Any) -> Any:
    import pyoxigraph

    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return ("iri", term.value)
    if isinstance(term, pyoxigraph.BlankNode):
        return ("bnode",)
    assert isinstance(term, pyoxigraph.Literal)
    if term.language:
        return ("lang", term.value, term.language.lower())
    datatype = term.datatype.value
    if datatype in WKT_TYPES:
        return ("wkt", re.sub(r"-?\d+\.?\d*(?:[eE]-?\d+)?",
                              lambda m: f"{float(m.group()):.5f}", term.value.upper()))
    if datatype in DECIMALS:
        return ("number", Decimal(term.value).normalize())
    if datatype in (XSD + "double", XSD + "float"):
        return ("double", float(term.value))
    if datatype == XSD + "boolean":
        return ("boolean", term.value in ("true", "1"))
    return ("literal", term.value, datatype)


def normalised(result: Any) -> Any:
    if isinstance(result, Rows):
        return {
            "columns": result.columns,
            "rows": [[normal(t) for t in row] for row in result.terms],
        }
    assert isinstance(result, Triples)
    return {
        "triples": sorted(
            repr((normal(t.subject), normal(t.predicate), normal(t.object))) for t in result
        )
    }


@pytest.fixture(scope="module")
def embedded() -> Session:
    s = Session()
    s.load()
    return s


@pytest.mark.parametrize(("name", "case"), ALL_CASES)
def test_same_rows_embedded_and_on_each_server(
    embedded: Session, query_server: Any, name: str, case: str
) -> None:
    params = CASES[name][case]
    remote = Session(query_server.url, timeout=60)
    expected = normalised(embedded.query(name, params))
    got = normalised(remote.query(name, params))
    assert got == expected, f"{query_server.name} differs from embedded on {name}.{case}"


def test_counts_on_the_servers(oxigraph_query_server: Any, comunica_query_server: Any,
                               virtuoso_query_server: Any) -> None:
    for server in (oxigraph_query_server, comunica_query_server, virtuoso_query_server):
        rows = Session(server.url).query("member-counts-as-of", date="2025-01-31").to_records()
        assert (rows[0]["clusters"], rows[0]["countries"]) == (31, 16), server.name
        rows = Session(server.url).query("member-counts-as-of", date="2024-01-31").to_records()
        assert (rows[0]["clusters"], rows[0]["countries"]) == (18, 10), server.name


def test_ad_hoc_queries_remote(oxigraph_query_server: Any, comunica_query_server: Any,
                               virtuoso_query_server: Any) -> None:
    text = "PREFIX cg: <https://w3id.org/clustergraph/ontology#> SELECT (COUNT(*) AS ?n) WHERE { ?c a cg:IndustrialCluster }"
    for server in (oxigraph_query_server, comunica_query_server, virtuoso_query_server):
        session = Session(server.url)
        assert session.sparql(text).to_records() == [{"n": 31}]
        assert session.sparql("ASK { ?s ?p ?o }") is True


def test_cli_endpoint_option_and_environment(
    oxigraph_query_server: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "query",
            "member-counts-as-of",
            "--endpoint",
            oxigraph_query_server.url,
            "--format",
            "csv",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[1].endswith(",31,16")
    monkeypatch.setenv("CLUSTERGRAPH_ENDPOINT", oxigraph_query_server.url)
    result = runner.invoke(
        cli, ["query", "clusters-by-country", "-p", "country=country/GB", "--format", "json"]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)) == 3


def test_long_query_goes_as_post(comunica_query_server: Any) -> None:
    """A query longer than a URL should carry is POSTed, and still answered."""
    filler = " ".join(f"# padding line {i}\n" for i in range(300))
    text = f"{filler}\nSELECT (COUNT(*) AS ?n) WHERE {{ ?s ?p ?o }}"
    rows = Session(comunica_query_server.url).sparql(text)
    assert rows.to_records()[0]["n"] > 3000
