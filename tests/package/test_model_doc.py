"""docs/model.md's SPARQL examples run on the shipped graph and answer what the text says."""

from __future__ import annotations

import re

import pytest
from support.paths import REPO_ROOT

from clustergraph import Session

MODEL = REPO_ROOT / "docs" / "model.md"


def sparql_blocks() -> list[str]:
    return re.findall(r"```sparql\n(.*?)```", MODEL.read_text(encoding="utf-8"), flags=re.S)


def test_the_model_has_a_query_example() -> None:
    assert sparql_blocks(), "docs/model.md shows the statement pattern with a query"


@pytest.mark.parametrize("text", sparql_blocks())
def test_the_statement_example_gives_a_claims_sources_and_words(text: str) -> None:
    rows = Session().sparql(text).to_records()
    assert rows, "the example finds the claim's statement"
    assert all(r["source"].startswith("https://w3id.org/clustergraph/id/source/") for r in rows)
    assert any(r.get("words") for r in rows), "with the source's own words"
