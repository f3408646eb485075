"""`GraphSources`: the one input for the graph. Every function that reads the graph takes it and
gives what the same files given one by one give."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.fixtures_servers import Server

import clustergraph as cg
from clustergraph.files import paths
from clustergraph.files.load import GraphSources

BROKEN = Path(__file__).resolve().parents[1] / "broken"


def test_no_arguments_are_the_shipped_files() -> None:
    assert GraphSources.of() == GraphSources()
    assert GraphSources().data == tuple(paths.data_files())
    assert GraphSources().graph_files() == [paths.ontology_file(), *paths.data_files()]


def test_given_files_replace_the_shipped_data(tmp_path: Path) -> None:
    mine = tmp_path / "mine.ttl"
    mine.write_text("<http://example.org/a> <http://example.org/b> <http://example.org/c> .\n")
    assert GraphSources.of([mine]).data == (mine,)
    assert GraphSources.of([tmp_path]).data == (mine,)  # a folder: the RDF files in it


def test_with_the_shipped_data_a_given_file_replaces_its_namesake(tmp_path: Path) -> None:
    copy = tmp_path / "clusters.ttl"
    shutil.copy(paths.data_dir() / "clusters.ttl", copy)
    data = GraphSources.of([copy], with_shipped_data=True).data
    assert data[0] == copy
    assert sorted(p.name for p in data) == sorted(p.name for p in paths.data_files())


def test_overrides_apply_to_given_sources(tmp_path: Path) -> None:
    shapes = tmp_path / "shapes.ttl"
    sources = GraphSources.of(GraphSources(), shapes=shapes)
    assert sources.shapes == shapes and sources.data == GraphSources().data


def test_validate_takes_sources_and_gives_the_report_of_the_files() -> None:
    broken = BROKEN / "missing-country.ttl"
    by_files = cg.validate([broken], with_shipped_data=True, queries=False)
    by_sources = cg.validate(GraphSources.of([broken], with_shipped_data=True), queries=False)
    assert not by_files.conforms
    assert by_sources.to_dict()["results"] == by_files.to_dict()["results"]


def test_graph_info_takes_sources() -> None:
    assert cg.graph_info(GraphSources()).triples == cg.graph_info().triples


def test_a_session_takes_sources() -> None:
    sources = GraphSources.of([paths.data_dir() / "clusters.ttl", paths.data_dir() / "countries.ttl"])
    by_sources = cg.Session(files=sources).query("clusters-by-country", country="country/IN")
    by_files = cg.Session(files=sources.graph_files()).query("clusters-by-country", country="country/IN")
    assert len(by_sources) > 0 and list(by_sources.terms) == list(by_files.terms)


def test_the_export_and_the_site_take_sources(tmp_path: Path) -> None:
    sources = GraphSources()
    assert cg.build_export_graph(data=sources).lines == cg.build_export_graph().lines
    site = cg.build_site(tmp_path / "site", include="ontology", data=sources, downloads=False)
    assert (site.out / "index.html").is_file()


def test_incremental_validation_takes_sources(tmp_path: Path) -> None:
    sources = GraphSources.of(GraphSources(), shapes=tmp_path / "no-such-shapes.ttl")
    with pytest.raises(cg.InputError, match="no-such-shapes.ttl: no such file"):
        cg.validate_changed_since("HEAD", sources)


@pytest.mark.slow
def test_endpoint_validation_takes_the_shapes_and_ontology_of_sources(oxigraph_query_server: Server) -> None:
    by_default = cg.validate_endpoint(oxigraph_query_server.url, queries=False)
    by_sources = cg.validate_endpoint(oxigraph_query_server.url, sources=GraphSources(), queries=False)
    assert by_default.engine == by_sources.engine == "in-store"
    assert json.dumps(by_sources.to_dict()["results"]) == json.dumps(by_default.to_dict()["results"])
