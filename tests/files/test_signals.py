"""SIGTERM is handled like Ctrl-C by every command that writes (issue #20, item 7; deliverable 4).

`timeout`, CI runners and `docker stop` send SIGTERM. Stopped at any moment (loading, writing,
in the final swap), a command exits 143 for SIGTERM and 130 for SIGINT, its output is wholly the
old one or wholly the new one, and nothing else is left: no temporary file or folder beside the
output, none in TMPDIR. A process killed outright (SIGKILL) cannot clean up; the next run removes
what it left once a marker inside proves it ours and its writer gone, and nothing else.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from clustergraph.files.staging import MARKER, MARKER_FORMAT, sweep_abandoned

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(),
                                reason="waits for the handler through /proc/PID/status (Linux)")

CLUSTERGRAPH = str(Path(sys.executable).with_name("clustergraph"))
SIGNALS = {"SIGTERM": (signal.SIGTERM, 143), "SIGINT": (signal.SIGINT, 130)}


def _clusters(path: Path, n: int) -> Path:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            s = f"<https://w3id.org/clustergraph/id/cluster/c{i}>"
            fh.write(f'{s} <http://www.w3.org/2004/02/skos/core#prefLabel> "Cluster {i}"@en .\n')
            fh.write(f"{s} <https://w3id.org/clustergraph/ontology#country> "
                     f"<https://w3id.org/clustergraph/id/country/C{i % 50}> .\n")
    return path


@dataclass
class Scenario:
    """A command that writes: how its previous output is made, the run to stop, and where its
    staging folder appears (the folder of the output)."""

    old: list[str]
    new: list[str]
    staging_in: str


def _scenarios(data: Path) -> dict[str, Scenario]:
    big, small = str(data / "big.nt"), str(data / "small.nt")
    return {
        "export -f all": Scenario(["export", "-f", "all", "--include", "ontology", "--out", "release/"],
                                  ["export", "-f", "all", "--include", "data", "--data", big, "--out", "release/"],
                                  "release"),
        "export one file": Scenario(["export", "-f", "jsonld", "--include", "ontology", "--out", "out/one.jsonld"],
                                    ["export", "-f", "jsonld", "--include", "data", "--data", big,
                                     "--out", "out/one.jsonld"], "out"),
        "site": Scenario(["site", "site/", "--no-downloads"], ["site", "site/", "--data", small], "."),
    }


def _snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every path under `folder` (hidden ones included) with its bytes (None for a folder)."""
    return {str(p.relative_to(folder)): (None if p.is_dir() else p.read_bytes()) for p in sorted(folder.rglob("*"))}


def _env(tmpdir: Path) -> dict[str, str]:
    tmpdir.mkdir(exist_ok=True)
    return {**os.environ, "TMPDIR": str(tmpdir)}


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> None:
    done = subprocess.run([CLUSTERGRAPH, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, tuple[Path, dict, dict]]]:
    """The data, and per scenario: a folder holding its old output, the old and the new snapshot."""
    root = tmp_path_factory.mktemp("signals")
    data = root / "data"
    data.mkdir()
    _clusters(data / "big.nt", 30_000)
    _clusters(data / "small.nt", 1_000)
    made = {}
    for name, scenario in _scenarios(data).items():
        old = root / name.replace(" ", "_")
        old.mkdir()
        (old / "notes.txt").write_text("the user's own file, beside the output\n")
        env = _env(root / "tmp")
        _run(scenario.old, old, env)
        new = root / (old.name + "_new")
        shutil.copytree(old, new, symlinks=True)
        _run(scenario.new, new, env)
        made[name] = (old, _snapshot(old), _snapshot(new))
    return data, made


def _handles_sigterm(pid: int) -> bool:
    """Whether process `pid` has installed its SIGTERM handler (bit 15 of SigCgt)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    caught = next(int(line.split()[1], 16) for line in status.splitlines() if line.startswith("SigCgt:"))
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def _staging(folder: Path) -> bool:
    return folder.is_dir() and any(p.name.startswith(".") and p.name.endswith(".tmp") for p in folder.iterdir())


#: when the signal is sent: a condition on (process, work folder, staging folder), then a delay
MOMENTS: dict[str, tuple[Callable[[subprocess.Popen[str], Path], bool], float]] = {
    "as it starts": (lambda proc, staging: _handles_sigterm(proc.pid), 0.0),
    "while loading": (lambda proc, staging: _handles_sigterm(proc.pid), 0.5),
    "while writing": (lambda proc, staging: _staging(staging), 0.05),
}


@pytest.mark.slow
@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("sig", list(SIGNALS))
@pytest.mark.parametrize("command", ["export -f all", "export one file", "site"])
def test_a_stopped_command_leaves_its_output_whole_and_no_temporaries(
        command: str, sig: str, moment: str, outputs: tuple[Path, dict], tmp_path: Path) -> None:
    data, made = outputs
    old_folder, old, new = made[command]
    work = tmp_path / "work"
    shutil.copytree(old_folder, work, symlinks=True)
    env = _env(tmp_path / "tmp")
    condition, delay = MOMENTS[moment]
    signum, code = SIGNALS[sig]
    proc = subprocess.Popen([CLUSTERGRAPH, *_scenarios(data)[command].new], cwd=work, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and not condition(proc, work / _scenarios(data)[command].staging_in):
            assert time.monotonic() < deadline, "the moment never came"
            time.sleep(0.002)
        time.sleep(delay)
        assert proc.poll() is None, "the command finished before the signal: make its data bigger"
        proc.send_signal(signum)
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == code, stderr
    assert "Traceback" not in stderr
    after = _snapshot(work)
    assert after in (old, new), f"neither the old nor the new output: {sorted(set(after) ^ set(old))[:5]}"
    assert list((tmp_path / "tmp").iterdir()) == []


#: The same commands, stopped or failing inside the swap itself: a harness counts the renames of
#: `clustergraph.files.staging` and, at the Nth, sends the signal or fails.
HARNESS = """
import errno, os, signal, sys
from clustergraph.files import staging

class Os:
    def __init__(self):
        self.calls = 0
    def __getattr__(self, name):
        return getattr(os, name)
    def replace(self, src, dst):
        self.calls += 1
        if self.calls == int(os.environ["AT"]):
            action = os.environ["ACTION"]
            if action == "fail":
                raise OSError(errno.EIO, "injected failure", str(dst))
            os.kill(os.getpid(), getattr(signal, action))
        return os.replace(src, dst)

staging.os = Os()
from clustergraph.cli import main
sys.exit(main(sys.argv[1:]))
"""

#: command -> the renames of its swap (export -f all: one per file, nine files; one file: it and
#: its description; a site: its downloads are swapped into the new site first, nine files, then
#: the old folder is moved aside and the new one put into place)
SWAPS = {"export -f all": [1, 5, 9], "export one file": [1, 2], "site": [10, 11]}


@pytest.mark.slow
@pytest.mark.parametrize("action", ["SIGTERM", "SIGINT", "fail"])
@pytest.mark.parametrize(("command", "at"), [(c, n) for c, ns in SWAPS.items() for n in ns])
def test_the_swap_is_never_cut_in_the_middle(command: str, at: int, action: str, outputs: tuple[Path, dict],
                                             tmp_path: Path) -> None:
    data, made = outputs
    old_folder, old, new = made[command]
    work = tmp_path / "work"
    shutil.copytree(old_folder, work, symlinks=True)
    args = _scenarios(data)[command].new
    env = {**_env(tmp_path / "tmp"), "AT": str(at), "ACTION": action}
    done = subprocess.run([sys.executable, "-c", HARNESS, *args], cwd=work, env=env, capture_output=True,
                          text=True, timeout=300, check=False)
    after = _snapshot(work)
    if action == "fail":  # the renames done are undone: the old output, whole
        assert done.returncode == 2 and "injected failure" in done.stderr, done.stderr
        assert after == old
    else:  # signals are held off during the swap: it completes, then the signal is acted on
        assert done.returncode == SIGNALS[action][1], done.stderr
        assert after == new
    assert "Traceback" not in done.stderr
    assert list((tmp_path / "tmp").iterdir()) == []


# -- what a process killed outright leaves, the next run removes ---------------------------------


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait(timeout=60)
    return proc.pid


def _staging_folder(folder: Path, name: str, marker: object | None, *, link: bool = False) -> Path:
    path = folder / name
    (path / "new").mkdir(parents=True)
    (path / "old").mkdir()
    (path / "new" / "clustergraph.ttl").write_text("half written")
    if link:
        (folder / "elsewhere.json").write_text(json.dumps(marker))
        (path / MARKER).symlink_to(folder / "elsewhere.json")
    elif marker is not None:
        (path / MARKER).write_text(json.dumps(marker))
    return path


def _marker(pid: int, host: str | None = None) -> dict[str, object]:
    return {"format": MARKER_FORMAT, "pid": pid, "host": host or os.uname().nodename, "kind": "file",
            "targets": ["clustergraph.ttl"]}


def test_a_later_run_removes_what_a_killed_run_of_ours_left_and_nothing_else(tmp_path: Path) -> None:
    release = tmp_path / "release"
    release.mkdir()
    abandoned = _staging_folder(release, ".clustergraph.ttl.k1ll3d00.tmp", _marker(_dead_pid()))
    kept = [
        _staging_folder(release, ".clustergraph.ttl.nomarker.tmp", None),
        _staging_folder(release, ".clustergraph.ttl.alive000.tmp", _marker(os.getpid())),
        _staging_folder(release, ".clustergraph.ttl.otherhst.tmp", _marker(_dead_pid(), host="another-host")),
        _staging_folder(release, ".clustergraph.ttl.badformt.tmp", {**_marker(_dead_pid()), "format": "x/1"}),
        _staging_folder(release, ".clustergraph.ttl.linkmark.tmp", _marker(_dead_pid()), link=True),
    ]
    (release / ".notes.tmp").write_text("a hidden file of the user's\n")
    run = subprocess.run([CLUSTERGRAPH, "export", "-f", "all", "--include", "ontology", "--out", "release/"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert not abandoned.exists()
    assert all(p.is_dir() and (p / "new" / "clustergraph.ttl").read_text() == "half written" for p in kept)
    assert (release / ".notes.tmp").read_text() == "a hidden file of the user's\n"


@pytest.mark.slow
def test_a_site_killed_outright_is_cleaned_up_by_the_next_build(outputs: tuple[Path, dict], tmp_path: Path) -> None:
    data, made = outputs
    old_folder, old, new = made["site"]
    work = tmp_path / "work"
    shutil.copytree(old_folder, work, symlinks=True)
    args = [CLUSTERGRAPH, *_scenarios(data)["site"].new]
    proc = subprocess.Popen(args, cwd=work, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and not any((p / MARKER).is_file() and (p / MARKER).stat().st_size
                                              for p in work.glob(".site.*.tmp")):
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(0.2)  # while it writes
        proc.kill()
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL and _staging(work)  # what a SIGKILL leaves
    assert _snapshot(work / "site") == {k[5:]: v for k, v in old.items() if k.startswith("site/")}
    subprocess.run(args, cwd=work, capture_output=True, timeout=300, check=True)
    assert _snapshot(work) == new


def test_an_unfinished_swap_found_later_is_rolled_back_before_its_folder_is_removed(tmp_path: Path) -> None:
    """Killed between the two renames of a folder swap: the old folder is put back, not deleted."""
    staging = tmp_path / ".site.b3tw33n0.tmp"
    (staging / "new" / "site").mkdir(parents=True)
    (staging / "new" / "site" / "index.html").write_text("new")
    (staging / "old" / "site").mkdir(parents=True)
    (staging / "old" / "site" / "index.html").write_text("old")
    (staging / MARKER).write_text(json.dumps({**_marker(_dead_pid()), "kind": "folder", "targets": ["site"]}))
    assert sweep_abandoned(tmp_path) == [staging]
    assert _snapshot(tmp_path) == {"site": None, "site/index.html": b"old"}
