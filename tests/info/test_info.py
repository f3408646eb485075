"""`clustergraph info`: what the graph holds."""

from __future__ import annotations

import json

from click.testing import CliRunner

from clustergraph.cli import cli


def test_info_counts_the_shipped_graph():
    from clustergraph.info import graph_info

    info = graph_info()
    counts = {c.iri.rsplit("#", 1)[-1]: c.count for c in info.classes}
    assert info.triples > info.data_triples > 0
    assert counts["IndustrialCluster"] >= 1 and counts["Country"] >= 1
    assert info.sources == counts["SourceDocument"]
    assert info.ontology_version


def test_info_table_and_json():
    table = CliRunner().invoke(cli, ["info"])
    assert table.exit_code == 0
    assert "cg:IndustrialCluster" in table.stdout and "industrial cluster" in table.stdout
    assert "ontology version" in table.stdout
    as_json = CliRunner().invoke(cli, ["info", "--format", "json"])
    data = json.loads(as_json.stdout)
    assert data["triples"] > 0 and data["classes"]


def test_info_on_given_files(tmp_path):
    f = tmp_path / "one.ttl"
    f.write_text("<http://example.org/a> a <https://w3id.org/clustergraph/ontology#Country> .\n")
    result = CliRunner().invoke(cli, ["info", str(f), "--format", "json"])
    data = json.loads(result.stdout)
    assert data["data_triples"] == 1
    assert data["classes"][0]["count"] == 1 and data["sources"] == 0
