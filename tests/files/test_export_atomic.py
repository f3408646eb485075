"""Exports are written atomically: a failed or killed export leaves the previous file intact."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clustergraph.files.atomic import atomic_directory, atomic_write, write_chunks_atomic


def test_failing_writer_leaves_previous_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_bytes(b"previous\n")

    def chunks():
        yield b"half of the new "
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        write_chunks_atomic(target, chunks())
    assert target.read_bytes() == b"previous\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl"]


def test_success_replaces_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    with atomic_write(target) as fh:
        fh.write(b"new")
    assert target.read_bytes() == b"new"
    assert target.stat().st_mode & 0o777 == 0o640
    fresh = tmp_path / "sub" / "fresh.nt"
    write_chunks_atomic(fresh, [b"a", b"b"])
    assert fresh.read_bytes() == b"ab"
    assert fresh.stat().st_mode & 0o777 != 0o600  # not the temporary file's private mode


def test_atomic_directory_swaps_whole_folders(tmp_path: Path) -> None:
    site = tmp_path / "site"
    with atomic_directory(site) as tmp:
        (tmp / "index.html").write_text("v1")
    with pytest.raises(ValueError), atomic_directory(site) as tmp:
        (tmp / "index.html").write_text("half")
        raise ValueError("build failed")
    assert (site / "index.html").read_text() == "v1"
    with atomic_directory(site) as tmp:
        (tmp / "index.html").write_text("v2")
    assert (site / "index.html").read_text() == "v2"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def _big_data(path: Path, n: int) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            s = f"<https://w3id.org/clustergraph/id/cluster/c{i}>"
            fh.write(f'{s} <http://www.w3.org/2004/02/skos/core#prefLabel> "Cluster {i}"@en .\n')
            fh.write(f"{s} <https://w3id.org/clustergraph/ontology#country> "
                     f"<https://w3id.org/clustergraph/id/country/C{i % 50}> .\n")


def test_export_killed_half_way_leaves_previous_file_intact(tmp_path: Path) -> None:
    data = tmp_path / "big.nt"
    _big_data(data, 150_000)
    out = tmp_path / "out"
    out.mkdir()
    target = out / "clustergraph.jsonld"
    target.write_bytes(b'{"previous": true}\n')
    args = [sys.executable, "-m", "clustergraph", "export", "-f", "jsonld", "-o", str(target),
            "--include", "data", "--data", str(data), "--no-description"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    killed_at = None
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            tmps = [p for p in out.iterdir() if p.name.endswith(".tmp")]
            if tmps and tmps[0].stat().st_size > 0:
                killed_at = tmps[0].stat().st_size
                os.kill(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.001)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
    assert killed_at is not None, "the export finished before it could be killed half-way"
    assert proc.returncode == -signal.SIGKILL
    assert target.read_bytes() == b'{"previous": true}\n'
    # a rerun completes and replaces the file
    rerun = subprocess.run(args, capture_output=True, check=False)
    assert rerun.returncode == 0, rerun.stderr.decode()
    import json

    doc = json.loads(target.read_text(encoding="utf-8"))
    assert len(doc["@graph"]) == 150_000


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def test_sigint_mid_export_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    users_folder = tmp_path
    (users_folder / "release").mkdir()
    (users_folder / "release" / "README.txt").write_text("my release notes\n")
    (users_folder / "release" / "clustergraph.jsonld").write_text('{"previous": true}\n')
    _big_data(users_folder / "big.nt", 150_000)
    before = _snapshot(users_folder)
    proc = subprocess.Popen(
        [str(Path(sys.executable).with_name("clustergraph")), "export", "-f", "all",
         "--out", "release/", "--include", "data", "--data", "big.nt"],
        cwd=users_folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    interrupted = False
    deadline = time.monotonic() + 120
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            temporary = [p for p in (users_folder / "release").iterdir() if p.name.endswith(".tmp")]
            if temporary:
                proc.send_signal(signal.SIGINT)
                interrupted = True
                break
            time.sleep(0.002)
        _, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert interrupted, "the export finished before a temporary file appeared"
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stderr
    after = _snapshot(users_folder)
    assert {k: v for k, v in after.items() if k in before} == before
    # what is new is whole files written before the interrupt, never a temporary one
    assert all(k.startswith("release/clustergraph.") and not Path(k).name.startswith(".")
               for k in set(after) - set(before))


# -- what is not a file is never written (issue #20, item 2) ------------------------------------


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.ttl"
    os.mkfifo(path)
    return path


def _link(folder: Path) -> Path:
    path = folder / "link.ttl"
    path.symlink_to(folder / "elsewhere.ttl")  # a link to a file that does not exist yet
    return path


def _link_to_file(folder: Path) -> Path:
    (folder / "theirs.ttl").write_bytes(b"not ours\n")
    path = folder / "link.ttl"
    path.symlink_to(folder / "theirs.ttl")
    return path


#: what stands at the path -> (how to make it, the words of the refusal)
NOT_FILES = {
    "a character device": (lambda folder: Path("/dev/full"), "is a character device"),
    "a FIFO": (_fifo, "is a FIFO (named pipe)"),
    "a dangling symbolic link": (_link, "is a symbolic link"),
    "a symbolic link to a file": (_link_to_file, "is a symbolic link"),
}


def _tree(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    return {str(p): (p.lstat().st_mode, p.read_bytes() if p.is_file() and not p.is_symlink() else None)
            for p in sorted(folder.iterdir())}


@pytest.mark.parametrize("kind", list(NOT_FILES))
def test_export_to_what_is_not_a_file_is_refused_and_nothing_is_written(kind: str, tmp_path: Path) -> None:
    make, words = NOT_FILES[kind]
    out = make(tmp_path)
    before, device = _tree(tmp_path), out.lstat()
    run = subprocess.run([sys.executable, "-m", "clustergraph", "export", "--format", "turtle",
                          "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2, run.stdout + run.stderr
    assert f"{out}: {words}, not a file" in run.stderr and "Traceback" not in run.stderr
    assert _tree(tmp_path) == before  # nothing replaced, written through or left beside it
    assert out.lstat().st_mode == device.st_mode and not Path(f"{out}.void.ttl").exists()


def test_a_description_path_that_is_a_link_stops_the_export_before_anything_is_written(tmp_path: Path) -> None:
    (tmp_path / "out.ttl.void.ttl").symlink_to(tmp_path / "elsewhere.ttl")
    run = subprocess.run([sys.executable, "-m", "clustergraph", "export", "--format", "turtle",
                          "--out", str(tmp_path / "out.ttl")], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2 and "out.ttl.void.ttl: is a symbolic link" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.ttl.void.ttl"]
