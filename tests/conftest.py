"""Shared fixtures. Fixture modules of each area live beside this file and are listed here."""

from __future__ import annotations

from pathlib import Path

import pytest

# Fixture modules (tests/fixtures_*.py) register here, one line each.
pytest_plugins: list[str] = [
    "fixtures_servers", "fixtures_oxigraph_gsp", "fixtures_named_graph", "fixtures_virtuoso",
]

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository's top folder."""
    return REPO_ROOT


@pytest.fixture(scope="session")
def shipped_graph():
    """The shipped ontology and data, merged into one rdflib graph (read-only: do not modify)."""
    from clustergraph.files.load import load_graph

    return load_graph()
