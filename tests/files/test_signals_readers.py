"""The commands that write only temporaries and a cache, stopped at any moment (issue #20, item 7).

`diff` writes its revisions' files into TMPDIR; `validate --changed-since` keeps validated bases
in `--cache-dir`. Stopped by SIGTERM or SIGINT while they work, each exits 143 or 130 (or 0 when
it had finished), leaves nothing in TMPDIR and nothing half-written in the cache: the next run
over the same cache gives a fresh run's verdict.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from support.cli_runner import INSTALLED

from clustergraph.files import paths

pytestmark = pytest.mark.slow

SIGNALS = {"SIGTERM": (signal.SIGTERM, 143), "SIGINT": (signal.SIGINT, 130)}
MOMENTS = [0.2, 0.6, 1.2]


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                    *args], check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    """A repository with the shipped files at `base` and one cluster renamed at `HEAD`."""
    root = tmp_path_factory.mktemp("signals") / "repo"
    (root / "data").mkdir(parents=True)
    (root / "ontology").mkdir()
    shutil.copy(paths.ontology_file(), root / "ontology" / "clustergraph.ttl")
    shutil.copy(paths.shapes_file(), root / "ontology" / "shapes.ttl")
    for ttl in paths.data_files():
        shutil.copy(ttl, root / "data" / ttl.name)
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "base")
    _git(root, "tag", "base")
    clusters = root / "data" / "clusters.ttl"
    text = clusters.read_text(encoding="utf-8")
    clusters.write_text(text.replace('"Jubail', '"Jubayl', 1), encoding="utf-8")
    _git(root, "commit", "-q", "-am", "rename")
    return root


def _run(repo: Path, args: list[str], tmp: Path, stop: tuple[int, float] | None):
    """The installed command in `repo` with TMPDIR=`tmp`; stopped by `stop` (signal, delay)."""
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen([str(INSTALLED), *args], cwd=repo, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    if stop is not None:
        time.sleep(stop[1])
        if proc.poll() is None:
            proc.send_signal(stop[0])
    out, err = proc.communicate(timeout=300)
    return proc.returncode, out, err


COMMANDS = {
    "diff": lambda cache: ["diff", "base", "HEAD"],
    "validate --changed-since": lambda cache: [
        "validate", "--changed-since", "base", "data", "--shapes", "ontology/shapes.ttl",
        "--ontology", "ontology/clustergraph.ttl", "--no-queries", "--cache-dir", str(cache)],
}


@pytest.mark.parametrize("moment", MOMENTS)
@pytest.mark.parametrize("name", list(SIGNALS))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_stopped_at_any_moment_it_leaves_no_temporary_and_no_half_cache(
    repo: Path, tmp_path: Path, command: str, name: str, moment: float
) -> None:
    sig, code = SIGNALS[name]
    cache, tmp = tmp_path / "cache", tmp_path / "tmp"
    tmp.mkdir()
    args = COMMANDS[command](cache)
    returncode, _, err = _run(repo, args, tmp, (sig, moment))
    # -sig: the signal came before the handler was installed or after the work was done (a
    # shell reports that as 128 + sig too); code: stopped mid-work; 0 or 1: finished first
    assert returncode in (code, -sig, 0, 1), err[-500:]
    assert "Traceback" not in err
    assert list(tmp.iterdir()) == []
    if cache.exists():
        assert [p for p in cache.rglob("*") if p.name.endswith(".tmp")] == []
    again = _run(repo, args, tmp, None)
    fresh = _run(repo, args if command == "diff" else [*args[:-1], str(tmp_path / "fresh")],
                 tmp, None)
    assert again[0] == fresh[0] and again[1] == fresh[1], again[2][-500:]
    assert list(tmp.iterdir()) == []
