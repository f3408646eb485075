"""End to end: build the wheel, install it (not editable) into a fresh venv, and run the command
from a temporary folder. The ontology, data and queries must be inside the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile

import pytest
from support.paths import BROKEN


@pytest.mark.slow
def test_the_installed_wheel_works_from_any_folder(repo_root, tmp_path):
    dist = tmp_path / "dist"
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(dist), str(repo_root)],
        check=True,
        capture_output=True,
        text=True,
    )
    (wheel,) = dist.glob("clustergraph-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for shipped in (
        "clustergraph/ontology/clustergraph.ttl",
        "clustergraph/ontology/shapes.ttl",
        "clustergraph/data/clusters.ttl",
    ):
        assert shipped in names, f"{shipped} is not in the wheel"
    assert not any(n.startswith("clustergraph/data/") and n.endswith("/") for n in names)

    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    # Dependencies come from the local pip cache or PyPI; the package itself only from the wheel.
    subprocess.run(
        [
            str(bindir / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            str(wheel),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(bindir / "clustergraph"), *args],
            cwd=elsewhere,
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )

    assert run("--help").returncode == 0
    validated = run("validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "conforms" in validated.stdout
    # a shipped file is shown as in README.md, not by its site-packages path
    assert validated.stdout.startswith(("data/clusters.ttl:", "data/initiative.ttl:")), validated.stdout
    assert "site-packages" not in validated.stdout
    # the JSON-LD export is read back offline, its context from the installed package
    assert run("export", "-f", "jsonld", "--out", "graph.jsonld").returncode == 0
    by_address = (elsewhere / "graph.jsonld").read_text(encoding="utf-8")
    assert by_address.startswith('{\n  "@context": {')
    (elsewhere / "by-address.jsonld").write_text(by_address.replace(
        by_address[by_address.index("{", 1):by_address.index('"@graph"')],
        '"https://w3id.org/clustergraph/ontology/context.jsonld",\n  ', 1), encoding="utf-8")
    for name in ("graph.jsonld", "by-address.jsonld"):
        read_back = run("validate", name)
        assert read_back.returncode == 0, read_back.stdout + read_back.stderr
    info = run("info")
    assert info.returncode == 0 and "cg:IndustrialCluster" in info.stdout
    broken = BROKEN / "second-country.ttl"
    failed = run("validate", "--with-shipped-data", "--format", "github", str(broken))
    assert failed.returncode == 1
    assert "second-country.ttl,line=" in failed.stdout
    in_python = subprocess.run(
        [
            str(bindir / "python"),
            "-c",
            "import clustergraph as cg; r = cg.validate(); print(r.conforms)",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert in_python.stdout.strip() == "True", in_python.stderr
