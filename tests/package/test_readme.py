"""Every `$ clustergraph …` example in a ```console block of README.md runs, and prints what the
README shows.

Each example runs in one temporary folder (holding `tests/broken/`), in README order, through
the installed command, with standard output and standard error together as a terminal shows
them. Paths are normalised (the temporary folder, an installed package's site-packages folder).
A line `…` stands for any run of lines, a `…` inside a line for any run of characters; a
`$ echo $?` line after an example gives its exit code.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from support.paths import REPO_ROOT

REPO = REPO_ROOT
README = REPO / "README.md"
BIN = Path(sys.executable).parent


@dataclass(frozen=True)
class Example:
    command: str
    expected: tuple[str, ...]
    exit_code: int | None
    line: int

    def __str__(self) -> str:
        return f"README.md:{self.line}: {self.command}"


def console_examples(text: str) -> list[Example]:
    """The examples of every ```console block: command, printed lines, exit code if shown."""
    examples: list[Example] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].strip() != "```console":
            i += 1
            continue
        i += 1
        block: list[tuple[int, str]] = []
        while lines[i].strip() != "```":
            block.append((i + 1, lines[i]))
            i += 1
        current: list | None = None
        for number, line in block:
            if line.startswith("$ echo $?"):
                assert current is not None, f"README.md:{number}: `echo $?` after no command"
                current[2] = "exit"
            elif line.startswith("$ "):
                if current is not None:
                    examples.append(_example(current))
                current = [line[2:], [], None, number]
            elif current is not None:
                if current[2] == "exit":
                    current[2] = int(line)
                else:
                    current[1].append(line)
        if current is not None:
            examples.append(_example(current))
    return examples


def _example(parts: list) -> Example:
    command, expected, exit_code, line = parts
    while expected and not expected[-1].strip():
        expected.pop()
    return Example(command, tuple(expected), exit_code, line)


EXAMPLES = console_examples(README.read_text(encoding="utf-8"))


def expected_pattern(expected: tuple[str, ...]) -> re.Pattern[str]:
    """A regular expression for the printed lines, with `…` as described above."""
    parts = []
    for line in expected:
        if line.strip() == "…":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(re.escape(line.rstrip()).replace("…", r"[^\n]*") + r"\n")
    return re.compile("".join(parts))


def normalise(output: str, folder: Path) -> str:
    output = output.replace(f"{folder}{os.sep}", "")
    output = re.sub(r"\S*site-packages/clustergraph/", "", output)
    lines = [line.rstrip() for line in output.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "".join(line + "\n" for line in lines)


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    """Where the examples run: what they need from the repository, nothing else."""
    home = tmp_path_factory.mktemp("readme")
    shutil.copytree(REPO / "tests" / "broken", home / "tests" / "broken")
    return home


def test_the_readme_has_console_examples() -> None:
    assert len(EXAMPLES) >= 10
    assert all(e.command.startswith("clustergraph ") for e in EXAMPLES), \
        "only clustergraph commands belong in ```console blocks; use ```sh for others"


@pytest.mark.parametrize("example", EXAMPLES, ids=str)
def test_the_readme_example_prints_what_the_readme_shows(example: Example, folder: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_")}
    env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", PYTHONUNBUFFERED="1")
    done = subprocess.run(["bash", "-c", example.command], cwd=folder, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False,
                          timeout=600)
    printed = normalise(done.stdout, folder)
    assert expected_pattern(example.expected).fullmatch(printed), (
        f"{example} printed:\n{printed}\nREADME.md shows:\n" + "\n".join(example.expected))
    if example.exit_code is not None:
        assert done.returncode == example.exit_code, printed


def python_blocks(text: str) -> list[tuple[int, str]]:
    """The ```python blocks of the README: (line of the block's first line, its code)."""
    found = re.finditer(r"^```python\n(.*?)^```$", text, flags=re.MULTILINE | re.DOTALL)
    return [(text.count("\n", 0, m.start()) + 2, m.group(1)) for m in found]


MY_CLUSTER = """@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/clustergraph/id/cluster/my-cluster> a cg:IndustrialCluster ;
    skos:prefLabel "My cluster"@en .
"""


@pytest.mark.parametrize("block", python_blocks(README.read_text(encoding="utf-8")),
                         ids=lambda block: f"README.md:{block[0]}")
def test_the_readme_python_runs(block: tuple[int, str], tmp_path: Path) -> None:
    """Each Python example runs as written, in a folder holding the `my-cluster.ttl` it names."""
    (tmp_path / "my-cluster.ttl").write_text(MY_CLUSTER, encoding="utf-8")
    run = subprocess.run([sys.executable, "-c", block[1]], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, f"README.md:{block[0]}: {run.stderr[-2000:]}"
