"""Running the command line in a test: in-process through `clustergraph.cli.main`, which maps our
errors to exit codes as the installed command does, or as the installed command itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from clustergraph.cli import main

#: The `clustergraph` command installed beside the interpreter running the tests.
INSTALLED = Path(sys.executable).parent / "clustergraph"


def run_in_process(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of `clustergraph ARGS` run by `main`."""
    capsys.readouterr()
    try:
        main(list(args))
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    out, err = capsys.readouterr()
    return code, out, err


def run_installed(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """Exit code, standard output and standard error of the installed `clustergraph ARGS`."""
    assert INSTALLED.exists(), f"the clustergraph command is not installed at {INSTALLED}"
    done = subprocess.run(
        [str(INSTALLED), *args], capture_output=True, text=True, check=False, timeout=300, env=env
    )
    return done.returncode, done.stdout, done.stderr
