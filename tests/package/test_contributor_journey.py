"""A contributor edits a cluster in a fresh clone and sees the violation (issue #24, item 6).

Through installed commands in a fresh venv, as README's "Adding a cluster" tells it:
installed without -e, `clustergraph validate` checks the installed copy and says loudly that
the checkout differs, naming the command that checks the edited copy, which then finds the
violation at its file and line; installed editable (`pip install -e .`, what the README's
contributor path does), `clustergraph validate` checks the edited file itself.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

SUGGESTED = ["validate", "data", "--ontology", "ontology/clustergraph.ttl", "--shapes",
             "ontology/shapes.ttl"]


def _clone(repo_root: Path, to: Path) -> Path:
    """The project's files as a fresh clone has them (the work tree, so that edits not yet
    committed are tested too)."""
    ignore = shutil.ignore_patterns(".git", ".venv", "node_modules", "__pycache__", "*.egg-info",
                                    "build", "dist", ".pytest_cache")
    to.mkdir()
    for name in ("pyproject.toml", "README.md", "LICENSE", "src", "data", "ontology", "queries"):
        source = repo_root / name
        if source.is_dir():
            shutil.copytree(source, to / name, ignore=ignore, symlinks=True)
        elif source.exists():
            shutil.copy2(source, to / name)
    return to


def test_an_edit_in_a_fresh_clone_is_validated_where_it_was_made(repo_root: Path,
                                                                 tmp_path: Path) -> None:
    clone = _clone(repo_root, tmp_path / "clustergraph")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def pip(*args: str) -> None:
        done = subprocess.run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "--quiet",
                               "--disable-pip-version-check", *args], cwd=clone, env=env,
                              capture_output=True, text=True, check=False, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]

    def clustergraph(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(env_dir / "bin" / "clustergraph"), *args], cwd=clone, env=env,
                              capture_output=True, text=True, check=False, timeout=300)

    pip(".")
    unchanged = clustergraph("validate")
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert "differs from the installed package" not in unchanged.stderr

    clusters = clone / "data" / "clusters.ttl"
    text = clusters.read_text(encoding="utf-8")
    at = text.index("<cluster/zero-carbon-humber> a cg:IndustrialCluster")
    start = text.index("cg:country ", at)
    end = text.index(";", start) + 1
    clusters.write_text(text[:start] + text[end:], encoding="utf-8")
    line = text[:at].count("\n") + 1

    installed_copy = clustergraph("validate")
    assert installed_copy.returncode == 0  # the installed copy still conforms...
    warning = " ".join(installed_copy.stderr.split())
    assert f"this checkout ({clone}) differs from the installed package" in warning  # ...loudly
    assert "data/clusters.ttl" in warning and " ".join(SUGGESTED) in warning

    edited_copy = clustergraph(*SUGGESTED)
    assert edited_copy.returncode == 1, edited_copy.stdout + edited_copy.stderr
    assert f"data/clusters.ttl:{line}: cgid:cluster/zero-carbon-humber" in edited_copy.stdout
    assert "Violation cg:country" in edited_copy.stdout

    pip("-e", ".")
    editable = clustergraph("validate")
    assert editable.returncode == 1, editable.stdout + editable.stderr
    assert f"data/clusters.ttl:{line}: cgid:cluster/zero-carbon-humber" in editable.stdout
    assert "differs from the installed package" not in editable.stderr
