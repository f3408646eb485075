"""Shared fixtures. The tests of each package live in a folder named after it (validation/,
query/, serve/, ...); the data they read stays at the top of tests/ (broken/, golden/, shapes/,
...; see support/paths.py); helpers and fixture modules live in support/, importable as
`support.*` (pyproject's pytest `pythonpath` puts tests/ on sys.path)."""

from __future__ import annotations

from pathlib import Path

import pytest

# Asserts in the helpers say what failed, as in the tests (before any support module is imported).
pytest.register_assert_rewrite("support")

# Fixture modules (tests/support/fixtures_*.py) register here, one line each.
pytest_plugins: list[str] = [
    "support.fixtures_servers", "support.fixtures_oxigraph_gsp", "support.fixtures_named_graph",
    "support.fixtures_virtuoso",
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
