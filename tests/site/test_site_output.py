"""`clustergraph site OUT` loses nothing: it writes only into a new or empty folder or over its
own previous build (recognised by its manifest), replaces a build whole, refuses the current
folder and the folders of the sources, and leaves no temporary folder behind, even on Ctrl-C.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from clustergraph.site.build import MANIFEST

BUILD = ["--no-downloads"]


def clustergraph(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it, in folder `cwd`."""
    return subprocess.run([sys.executable, "-m", "clustergraph", *args], cwd=cwd, capture_output=True,
                          text=True, check=False, timeout=300)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(parent: Path) -> list[str]:
    """Temporary or set-aside folders a build may have left beside its output."""
    return sorted(p.name for p in parent.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def previous_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A site built once through the command; tests copy it rather than building again."""
    work = tmp_path_factory.mktemp("previous")
    done = clustergraph("site", "site/", *BUILD, cwd=work)
    assert done.returncode == 0, done.stderr
    return work / "site"


def copy_of(build: Path, where: Path) -> Path:
    import shutil

    target = where / "site"
    shutil.copytree(build, target, symlinks=True)
    return target


def test_the_message_names_the_folder_as_typed_and_the_manifest_lists_every_file(previous_build: Path) -> None:
    manifest = json.loads((previous_build / MANIFEST).read_text(encoding="utf-8"))
    written = {p for p in snapshot(previous_build) if p != MANIFEST}
    assert set(manifest["files"]) == written
    assert manifest["format"] == "clustergraph-site/1"


def test_built_message_shows_out_exactly_as_typed(tmp_path: Path) -> None:
    done = clustergraph("site", "./web/site/", *BUILD, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("built ./web/site/: ") and " pages for " in done.stderr
    assert (tmp_path / "web/site/index.html").is_file()


def test_a_previous_build_is_replaced_whole(previous_build: Path, tmp_path: Path) -> None:
    site = copy_of(previous_build, tmp_path)
    stale = site / "id/cluster/a-cluster-since-removed"
    stale.mkdir()
    (stale / "index.html").write_text("old page", encoding="utf-8")
    manifest = json.loads((site / MANIFEST).read_text(encoding="utf-8"))
    manifest["files"].append("id/cluster/a-cluster-since-removed/index.html")  # written by that build
    (site / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    done = clustergraph("site", "site", *BUILD, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert not stale.exists(), "the old build's pages are gone, not mixed with the new"
    assert snapshot(site) == snapshot(previous_build)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("content", [
    {"notes.txt": "my notes"},
    {"thesis/chapter1.md": "draft"},
    {"index.html": "a page of my own"},
])
def test_a_folder_that_is_not_a_site_build_is_refused_and_untouched(tmp_path: Path, content: dict[str, str]) -> None:
    out = tmp_path / "proj"
    for name, text in content.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_text(text, encoding="utf-8")
    before = snapshot(out)
    done = clustergraph("site", "proj", *BUILD, cwd=tmp_path)
    assert done.returncode == 2
    assert "proj: refusing to replace a folder that is not empty and is not a site built by clustergraph" in done.stderr
    assert MANIFEST in done.stderr and "Traceback" not in done.stderr
    assert snapshot(out) == before
    assert leftovers(tmp_path) == []


def test_a_build_holding_files_it_did_not_write_is_refused(previous_build: Path, tmp_path: Path) -> None:
    site = copy_of(previous_build, tmp_path)
    (site / "id/cluster/my-draft.html").write_text("mine", encoding="utf-8")
    before = snapshot(site)
    done = clustergraph("site", "site", *BUILD, cwd=tmp_path)
    assert done.returncode == 2
    assert "site: refusing to replace this site build: it holds files the build did not write" in done.stderr
    assert "id/cluster/my-draft.html" in done.stderr
    assert snapshot(site) == before


def test_an_empty_folder_is_used(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    done = clustergraph("site", "empty", *BUILD, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "empty/index.html").is_file() and (tmp_path / "empty" / MANIFEST).is_file()


@pytest.mark.parametrize("out,folder", [
    (".", "work"),          # the current folder
    ("..", "work"),         # a parent of it
    ("../work", "work"),    # the same folder by another name
])
def test_the_current_folder_or_one_containing_it_is_refused(tmp_path: Path, out: str, folder: str) -> None:
    cwd = tmp_path / folder
    cwd.mkdir()
    (cwd / "keep.txt").write_text("keep", encoding="utf-8")
    done = clustergraph("site", out, *BUILD, cwd=cwd)
    assert done.returncode == 2, done.stderr
    assert f"{out}: refusing to build the site there: it is or contains the current folder" in done.stderr
    assert (cwd / "keep.txt").read_text(encoding="utf-8") == "keep"
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]
    assert leftovers(cwd) == []


def test_the_folder_of_the_source_files_is_refused(tmp_path: Path, repo_root: Path) -> None:
    data = tmp_path / "mydata"
    data.mkdir()
    source = data / "clusters.ttl"
    source.write_bytes((repo_root / "data/clusters.ttl").read_bytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    done = clustergraph("site", str(data), "--data", str(source), *BUILD, cwd=elsewhere)
    assert done.returncode == 2
    assert "refusing to build the site there: it is or contains the folder of" in done.stderr
    assert sorted(p.name for p in data.iterdir()) == ["clusters.ttl"]


def test_the_installed_package_and_the_repository_are_refused(tmp_path: Path) -> None:
    from clustergraph.files.paths import package_root

    package = package_root()
    for out in (package, package.parent):  # the package, and the folder holding it
        done = clustergraph("site", str(out), *BUILD, cwd=tmp_path)
        assert done.returncode == 2, done.stderr
        assert "refusing to build the site there: it is or contains the installed package" in done.stderr


def test_a_file_in_the_way_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "report.pdf").write_text("not a folder", encoding="utf-8")
    done = clustergraph("site", "report.pdf", *BUILD, cwd=tmp_path)
    assert done.returncode == 2
    assert "'report.pdf' is a file" in done.stderr
    done = clustergraph("site", "report.pdf/site", *BUILD, cwd=tmp_path)
    assert done.returncode == 2
    assert "report.pdf/site: cannot write: a folder on the way is a file" in done.stderr
    assert "Traceback" not in done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.pdf"]


def test_ctrl_c_during_a_build_leaves_the_previous_build_and_no_temporary_folder(previous_build: Path,
                                                                                 tmp_path: Path) -> None:
    site = copy_of(previous_build, tmp_path)
    before = snapshot(site)
    proc = subprocess.Popen([sys.executable, "-m", "clustergraph", "site", "site", *BUILD], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(p.name.endswith(".tmp") and any(p.iterdir()) for p in tmp_path.iterdir()
                  if p.name.startswith(".site.")):
        assert proc.poll() is None, f"the build ended before it could be interrupted: {proc.stderr.read()}"  # type: ignore[union-attr]
        assert time.monotonic() < deadline
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Aborted." in err and "Traceback" not in err
    assert leftovers(tmp_path) == [], "no temporary folder left behind"
    assert snapshot(site) == before, "the previous build is intact"
