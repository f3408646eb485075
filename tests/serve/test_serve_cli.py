"""`clustergraph serve` from the command line and as an app mounted in another one."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from support.fixtures_servers import free_port
from support.serve_support import MountedApp, mounted, start_server, stop_server  # noqa: F401

from clustergraph.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    return code, capsys.readouterr().err


def test_a_data_file_that_does_not_parse_stops_with_its_line(capsys, repo_root: Path) -> None:
    broken = repo_root / "tests" / "broken" / "syntax-error.ttl"
    code, err = run(capsys, "serve", "--port", str(free_port()), "--data", str(broken))
    assert code == 2
    assert err.startswith(f"clustergraph: error: {broken}:12:27: ")
    assert "Traceback" not in err


def test_a_missing_data_file_is_named(capsys, tmp_path: Path) -> None:
    code, err = run(capsys, "serve", "--data", str(tmp_path / "nowhere.ttl"))
    assert code == 2 and f"{tmp_path / 'nowhere.ttl'}: no such file" in err


def test_a_port_in_use_is_a_clear_error(capsys) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = run(capsys, "serve", "--port", str(port))
    assert code == 2
    assert err.startswith(f"clustergraph: error: cannot listen on 127.0.0.1:{port}: ")


def test_serve_leaves_the_request_log_as_it_found_it(capsys) -> None:
    """Its stderr handler goes when it returns: a second run in the same process (a notebook,
    a test) neither doubles the lines nor writes to a stream that is gone."""
    import logging

    logger = logging.getLogger("clustergraph.serve")
    before = (list(logger.handlers), logger.level, logger.propagate)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        code, _ = run(capsys, "serve", "--port", str(taken.getsockname()[1]))
    assert code == 2
    assert (list(logger.handlers), logger.level, logger.propagate) == before


@pytest.mark.parametrize("args", [["--timeout", "0"], ["--max-rows", "0"], ["--workers", "0"],
                                  ["--port", "70000"]])
def test_limits_out_of_range_are_usage_errors(capsys, args: list[str]) -> None:
    code, err = run(capsys, "serve", *args)
    assert code == 2 and "Invalid value" in err


@pytest.mark.slow
def test_serve_other_data_with_the_ontology(tmp_path: Path) -> None:
    data = tmp_path / "mine.ttl"
    data.write_text(
        "@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/clustergraph/id/cluster/my-test-cluster> a cg:IndustrialCluster ;\n"
        '    skos:prefLabel "My Test Cluster"@en .\n', encoding="utf-8")
    server = start_server(tmp_path, "--data", str(data), "--workers", "1")
    try:
        clusters = server.get("/sparql", {"query": "SELECT ?c WHERE { ?c a "
                                          "<https://w3id.org/clustergraph/ontology#IndustrialCluster> }"})
        assert [b["c"]["value"] for b in clusters.json()["results"]["bindings"]] == [
            "https://w3id.org/clustergraph/id/cluster/my-test-cluster"]
        page = server.get("/id/cluster/my-test-cluster", headers={"Accept": "text/turtle"})
        assert page.status == 200 and "My Test Cluster" in page.text
        assert server.get("/api/search", {"q": "my test"}).json()["results"][0]["label"] == "My Test Cluster"
        assert server.get("/id/cluster/jubail-industrial-city", headers={"Accept": "text/turtle"}).status == 404
    finally:
        stop_server(server)


@pytest.mark.slow
def test_the_app_can_be_mounted_in_another_app(mounted: MountedApp) -> None:
    import urllib.request

    base = mounted.url
    with urllib.request.urlopen(base + "/sparql?query=ASK%7B%7D") as answer:
        assert b'"boolean": true' in answer.read()
    with urllib.request.urlopen(base + "/api/queries/member-counts-as-of?date=2024-01-31") as answer:
        assert b'"clusters": 18' in answer.read()
    with urllib.request.urlopen(base + "/health") as answer:
        assert b'"status":"ok"' in answer.read()
    _assert_pages_work_under(base)


def _assert_pages_work_under(base: str) -> None:
    """The query page, a cluster page and the API's addresses all stay under the mount point."""
    import json
    import re
    import urllib.request
    from urllib.parse import urljoin, urlsplit

    def fetch(url: str) -> tuple[int, str]:
        request = urllib.request.Request(url, headers={"Accept": "text/html"})
        with urllib.request.urlopen(request) as answer:
            return answer.status, answer.read().decode("utf-8")

    mount = urlsplit(base).path
    for address in (base + "/", base + "/id/cluster/jubail-industrial-city", base + "/id/cluster"):
        status, page = fetch(address)
        assert status == 200, address
        links = {link.split("#")[0] for link in re.findall(r'(?:href|src)="([^"]*)"', page)} - {""}
        local = {urljoin(address, link) for link in links if not urlsplit(link).scheme}
        assert local, address
        for url in sorted(local):
            assert urlsplit(url).path.startswith(mount + "/"), (address, url)
            assert fetch(url)[0] == 200, (address, url)
    status, hits = fetch(base + "/api/search?q=jubail")
    page = json.loads(hits)["results"][0]["page"]
    assert page == mount + "/id/cluster/jubail-industrial-city"
    assert fetch(urljoin(base, page))[0] == 200
    assert json.loads(fetch(base + "/openapi.json")[1])["servers"] == [{"url": mount}]
    listed = json.loads(fetch(base + "/api/queries")[1])
    assert all(q["api"].startswith(mount + "/api/queries/") for q in listed)
