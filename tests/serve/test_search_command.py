"""`clustergraph search TEXT`: the server's name search on the command line (issue #24, item 2).

One index and one ranking: the command finds what `/api/search` finds, in the same order.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from support.serve_support import RunningServer, served  # noqa: F401

from clustergraph.cli import cli

TEXTS = ["Jubail", "jubail", "hydrogen", "Royal Commission", "port", "açu", "acu", "Khalid"]


def _search(*args: str):
    return CliRunner().invoke(cli, ["search", *args])


def _key(hit: dict[str, str]) -> tuple[str, str, str, str]:
    return hit["iri"], hit["label"], hit["kind"], hit["matched"]


def test_a_name_finds_its_resource_with_kind_and_short_iri() -> None:
    result = _search("Jubail")
    assert result.exit_code == 0, result.output
    first = result.output.splitlines()[2]
    assert first.split("  ")[0] == "Jubail Industrial City"
    assert "industrial cluster" in first and "cluster/jubail-industrial-city" in first


def test_accents_and_case_are_ignored_and_other_names_match() -> None:
    hits = json.loads(_search("ACU", "--format", "json").output)
    assert any(h["label"] == "Port of Açu" for h in hits)
    hits = json.loads(_search("fuel cells", "--format", "json").output)
    assert any(h["matched"] != h["label"] for h in hits)  # found by an other name


def test_nothing_found_exits_1_and_limit_bounds_the_rows() -> None:
    assert _search("zzzz-no-such-name").exit_code == 1
    assert len(json.loads(_search("a", "--limit", "3", "--format", "json").output)) == 3
    assert _search("a", "--limit", "0").exit_code == 2


@pytest.mark.slow
@pytest.mark.parametrize("text", TEXTS)
def test_the_command_and_the_server_find_the_same_in_the_same_order(served: RunningServer,
                                                                     text: str) -> None:
    server = served.get("/api/search", {"q": text}).json()["results"]
    command = json.loads(_search(text, "--format", "json").output)
    assert [_key(h) for h in command] == [_key(h) for h in server]
    assert server, text
