"""The site the site tests read, built once per test process (once per pytest-xdist worker)."""

from __future__ import annotations

from pathlib import Path

import pytest

from clustergraph.cli import main


@pytest.fixture(scope="session")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`clustergraph site OUT` on the shipped graph, as a user builds it (read-only: copy it to
    change it). test_site.py reads its files, test_site_browser.py opens it in Chromium."""
    out = tmp_path_factory.mktemp("site") / "site"
    main(["site", str(out)])  # returns on success, exits on an error
    return out
