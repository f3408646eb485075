"""A multi-file output is replaced as a set or not at all, even when the disk fills midway
(issue #20, item 12; deliverable 3). `export -f all` used to leave some formats new and the
others old; an export and its description, or a site, are one output too.

The disk "fills" for real, without root: the command runs with RLIMIT_FSIZE, so a write past
the limit fails with EFBIG (SIGXFSZ ignored) as one past the free space fails with ENOSPC; a
limit between the sizes of the files lets some be written before one fails.
"""

from __future__ import annotations

import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

CLUSTERGRAPH = str(Path(sys.executable).with_name("clustergraph"))


def _small_disk(limit: int):
    def limit_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return limit_files


def _run(args: list[str], cwd: Path, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLUSTERGRAPH, *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False,
                          preexec_fn=_small_disk(limit) if limit else None)


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


#: output -> (the previous output, the run the disk fills during, the file written first (it
#: fits) and the file that does not fit, so the limit is set between their sizes)
CASES = {
    "export -f all": (["export", "-f", "all", "--include", "ontology", "--out", "release/"],
                      ["export", "-f", "all", "--out", "release/"], "release/clustergraph.ttl",
                      "release/clustergraph.nt"),
    "export and its description": (["export", "-f", "csv", "--include", "ontology", "--out", "release/c.csv"],
                                   # the shapes make the description bigger than the table
                                   ["export", "-f", "csv", "--include", "ontology,data,shapes", "--out",
                                    "release/c.csv"], "release/c.csv",
                                   "release/c.csv.void.ttl"),
    "site": (["site", "release/", "--no-downloads"], ["site", "release/"], "release/downloads/clustergraph.ttl",
             "release/downloads/clustergraph.nt"),
}


def _limit(run: list[str], fits: str, fails: str, scratch: Path) -> int:
    """A file size limit between the sizes of the files `fits` and `fails` of `run`'s output."""
    scratch.mkdir()
    assert _run(run, scratch).returncode == 0
    small, big = (scratch / fits).stat().st_size, (scratch / fails).stat().st_size
    assert small < big, f"{fits} is no smaller than {fails}: choose other files"
    return (small + big) // 2


@pytest.mark.parametrize("case", list(CASES))
def test_a_disk_full_midway_leaves_the_previous_output_whole(case: str, tmp_path: Path) -> None:
    old_run, new_run, fits, named = CASES[case]
    limit = _limit(new_run, fits, named, tmp_path / "scratch")
    tmp_path = tmp_path / "work"
    tmp_path.mkdir()
    (tmp_path / "release").mkdir()
    (tmp_path / "release" / "NOTES.txt").write_text("the user's\n")
    if case == "site":
        shutil.rmtree(tmp_path / "release")
    assert _run(old_run, tmp_path).returncode == 0
    before = _snapshot(tmp_path)
    full = _run(new_run, tmp_path, limit)
    assert full.returncode == 2, full.stderr
    assert f"{named}: cannot write: file too large" in full.stderr and "Traceback" not in full.stderr
    assert _snapshot(tmp_path) == before  # every file old, nothing staged left beside them
    done = _run(new_run, tmp_path)  # with room again, the whole set is replaced
    assert done.returncode == 0, done.stderr
    after = _snapshot(tmp_path)
    assert set(after) >= set(before) - {"release/NOTES.txt"} and after != before
    assert not [k for k in after if Path(k).name.startswith(".") and k.endswith(".tmp")]
