"""Output only where it belongs (issue #20, item 2 and the output name of item 8): an output that
exists and is not what the command writes (a link, a device, a FIFO, a socket; a file where a
folder is built) is refused with exit code 2 naming it, and nothing is written; a name holding a
newline is a usage error naming the parameter; `-` is standard output where a file is named;
any other name is written as given (its download URL percent-encoded)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

CLUSTERGRAPH = str(Path(sys.executable).with_name("clustergraph"))


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CLUSTERGRAPH, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False)


def _tree(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every path under `folder` with its kind and, for a regular file, its bytes."""
    return {str(p.relative_to(folder)): (p.lstat().st_mode, p.read_bytes() if p.is_file() and not p.is_symlink() else None)
            for p in sorted(folder.rglob("*"))}


def _link_to_folder(folder: Path) -> str:
    (folder / "real").mkdir()
    (folder / "real" / "keep.txt").write_text("mine\n")
    (folder / "out").symlink_to(folder / "real", target_is_directory=True)
    return "out"


def _dangling_link(folder: Path) -> str:
    (folder / "out").symlink_to(folder / "nowhere")
    return "out"


def _fifo(folder: Path) -> str:
    os.mkfifo(folder / "out")
    return "out"


def _socket(folder: Path) -> str:
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(folder / "out"))
    return "out"


def _file(folder: Path) -> str:
    (folder / "out").write_text("a file of mine\n")
    return "out"


def _device(folder: Path) -> str:
    return "/dev/null"


#: what stands where a folder is to be written -> (how to make it, how the refusal describes it)
NOT_FOLDERS: dict[str, tuple[Callable[[Path], str], str]] = {
    "a link to a folder": (_link_to_folder, "is a symbolic link, not a folder"),
    "a dangling link": (_dangling_link, "is a symbolic link, not a folder"),
    "a FIFO": (_fifo, "is a FIFO (named pipe), not a folder"),
    "a socket": (_socket, "is a socket, not a folder"),
    "a regular file": (_file, "is a file"),
    "a character device": (_device, "is a character device, not a folder"),
}


@pytest.mark.parametrize("kind", list(NOT_FOLDERS))
def test_site_refuses_an_output_that_is_not_a_real_folder(kind: str, tmp_path: Path) -> None:
    make, words = NOT_FOLDERS[kind]
    out = make(tmp_path)
    before = _tree(tmp_path)
    run = _run("site", out, "--no-downloads", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert out in run.stderr and words in run.stderr and "Traceback" not in run.stderr
    assert _tree(tmp_path) == before  # nothing replaced, written through or left beside it


@pytest.mark.parametrize("kind", ["a link to a folder", "a dangling link", "a FIFO", "a socket", "a character device"])
def test_export_of_several_formats_refuses_an_output_that_is_not_a_real_folder(kind: str, tmp_path: Path) -> None:
    make, _ = NOT_FOLDERS[kind]
    out = make(tmp_path)
    before = _tree(tmp_path)
    run = _run("export", "-f", "turtle,csv", "--include", "ontology", "--out", out + "/", cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    assert out in run.stderr and "Traceback" not in run.stderr
    assert _tree(tmp_path) == before


#: how a command names its output -> the arguments, with {} for the name
NAMED_OUTPUTS = {
    "export --out": ["export", "--include", "ontology", "--out", "{}"],
    "export --description": ["export", "--include", "ontology", "--out", "x.ttl", "--description", "{}"],
    "export -f all --out": ["export", "-f", "all", "--include", "ontology", "--out", "{}"],
    "site OUT": ["site", "{}", "--no-downloads"],
}


@pytest.mark.parametrize("name", ["a\nb.ttl", "a\rb.ttl", "tab\t.ttl", "bell\a"])
@pytest.mark.parametrize("how", list(NAMED_OUTPUTS))
def test_an_output_name_with_a_control_character_is_a_usage_error_naming_the_parameter(
        how: str, name: str, tmp_path: Path) -> None:
    args = [a.replace("{}", name) for a in NAMED_OUTPUTS[how]]
    run = _run(*args, cwd=tmp_path)
    assert run.returncode == 2, run.stderr
    parameter = how.split()[-1]
    assert parameter in run.stderr and repr(name) in run.stderr and "control character" in run.stderr
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["my release.ttl", "x<y>.ttl", "%41.ttl", "ü.ttl", 'q"uote.ttl'])
def test_any_other_name_is_written_as_given_with_its_download_url_percent_encoded(name: str, tmp_path: Path) -> None:
    run = _run("export", "--include", "ontology", "--out", name, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([name, f"{name}.void.ttl"])
    description = (tmp_path / f"{name}.void.ttl").read_text(encoding="utf-8")
    from urllib.parse import quote  # only here: the URL the description must give

    assert f"/{quote(name)}>" in description


def test_dash_is_standard_output_for_the_export_and_for_its_description(tmp_path: Path) -> None:
    run = _run("export", "--include", "ontology", "--out", "-", cwd=tmp_path)
    assert run.returncode == 0 and run.stdout.startswith("@prefix") and list(tmp_path.iterdir()) == []
    run = _run("export", "--include", "ontology", "--out", "onto.ttl", "--description", "-", cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "dcat:Distribution" in run.stdout and "onto.ttl>" in run.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["onto.ttl"]
    run = _run("export", "--include", "ontology", "--out", "-", "--description", "-", cwd=tmp_path)
    assert run.returncode == 2 and "standard output" in run.stderr and run.stdout == ""


def test_dash_cannot_hold_a_site(tmp_path: Path) -> None:
    run = _run("site", "-", "--no-downloads", cwd=tmp_path)
    assert run.returncode == 2 and "'OUT'" in run.stderr and "standard output" in run.stderr
    assert list(tmp_path.iterdir()) == []


def test_the_export_help_says_the_description_is_part_of_the_output(tmp_path: Path) -> None:
    run = _run("export", "--help", cwd=tmp_path)
    assert run.returncode == 0
    text = " ".join(run.stdout.split())
    assert "OUT.void.ttl" in text and "replaced together or not at all" in text
    assert "An existing link, device, FIFO or socket is refused" in text
