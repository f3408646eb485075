"""A validation that runs longer than a couple of seconds shows a progress bar on a terminal's
stderr, and writes nothing of the kind when stderr is not a terminal (a pipe, a CI log).

The installed command runs on a 100k-triple synthetic graph (long enough to pass the bar's
two-second delay), once with stderr on a pseudo-terminal, once with stderr on a pipe.
"""

from __future__ import annotations

import fcntl
import importlib.util
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from support.paths import REPO_ROOT

BENCHMARKS = REPO_ROOT / "benchmarks"
COMMAND = Path(sys.executable).parent / "clustergraph"


@pytest.fixture(scope="module")
def big_graph(tmp_path_factory: pytest.TempPathFactory) -> Path:
    spec = importlib.util.spec_from_file_location("synthetic", BENCHMARKS / "synthetic.py")
    synthetic = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(synthetic)
    graph = tmp_path_factory.mktemp("progress") / "synthetic.nt"
    # Large enough that validation outlasts the 2 s before the bar shows (about 12 s here).
    synthetic.write_synthetic(graph, triples=400_000, seed=3, violations=0.01)
    return graph


def validate_args(graph: Path) -> list[str]:
    return [str(COMMAND), "validate", str(graph), "--no-queries", "--format", "json"]


@pytest.mark.slow
def test_a_long_validation_shows_a_progress_bar_on_a_terminal(big_graph: Path, tmp_path: Path):
    main, secondary = pty.openpty()
    # A terminal of 24 lines by 100 columns (a new pseudo-terminal has no size, 0 columns).
    fcntl.ioctl(secondary, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    report = tmp_path / "report.json"
    with report.open("wb") as out:  # a file, not a pipe: nobody reads stdout while it runs
        process = subprocess.Popen(
            validate_args(big_graph), stdout=out, stderr=secondary, stdin=subprocess.DEVNULL
        )
        os.close(secondary)
        seen = b""
        while True:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the command has exited and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        process.wait(timeout=600)
    os.close(main)
    assert process.returncode == 1
    text = seen.decode("utf-8", "replace")
    assert "validating" in text and "shape" in text and "focus nodes" in text
    assert '"conforms": false' in report.read_text()  # the report itself stays on stdout, whole


@pytest.mark.slow
def test_no_progress_bar_when_stderr_is_not_a_terminal(big_graph: Path):
    done = subprocess.run(validate_args(big_graph), check=False, capture_output=True, timeout=600)
    assert done.returncode == 1
    assert b"validating" not in done.stderr
    assert done.stderr == b""
