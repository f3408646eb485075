"""A contributor is told when the data they edit is not the data `validate` checks (issue #24, 6).

Inside a checkout whose `data/` or `ontology/` differ from the installed package's (installed
without -e, then edited), `edited_checkout` names the checkout, the installed copy and the
files that differ; outside a checkout, in an editable install, or with the same files, nothing.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from clustergraph.files import checkout
from clustergraph.files.paths import package_root


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A checkout holding the installed package's files (as a fresh clone of the same commit)."""
    root = tmp_path / "clustergraph"
    for name in ("data", "ontology"):
        shutil.copytree(package_root() / name, root / name)
    (root / "pyproject.toml").write_text('[project]\nname = "clustergraph"\n', encoding="utf-8")
    return root


def test_an_unchanged_checkout_says_nothing(clone: Path) -> None:
    assert checkout.edited_checkout(clone / "data") is None


def test_an_edited_file_is_named_with_both_copies_and_the_command_to_run(clone: Path) -> None:
    clusters = clone / "data" / "clusters.ttl"
    clusters.write_text(clusters.read_text(encoding="utf-8").replace("cg:country", "cg:contry", 1),
                        encoding="utf-8")
    (clone / "data" / "new-cluster.ttl").write_text("", encoding="utf-8")
    copy = checkout.edited_checkout(clone / "data")
    assert copy is not None
    assert copy.checkout == clone and copy.installed == package_root()
    assert copy.changed == ("data/clusters.ttl", "data/new-cluster.ttl")
    text = copy.warning()
    assert str(clone) in text and str(package_root()) in text
    assert "clustergraph validate data --ontology ontology/clustergraph.ttl --shapes ontology/shapes.ttl" in text
    assert "pip install -e ." in text


def test_an_editable_install_is_the_checkout_and_says_nothing(clone: Path, monkeypatch) -> None:
    (clone / "data" / "clusters.ttl").write_text("", encoding="utf-8")
    monkeypatch.setattr(checkout, "package_root", lambda: clone)
    assert checkout.edited_checkout(clone) is None


@pytest.mark.parametrize("pyproject", ['[project]\nname = "someone-else"\n', None])
def test_outside_a_clustergraph_checkout_it_says_nothing(clone: Path, pyproject: str | None) -> None:
    (clone / "data" / "clusters.ttl").write_text("", encoding="utf-8")
    if pyproject is None:
        (clone / "pyproject.toml").unlink()
    else:
        (clone / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    assert checkout.edited_checkout(clone) is None
