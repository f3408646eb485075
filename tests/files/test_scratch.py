"""A scratch folder is gone after its block, whenever a signal stops the command (issue #20).

A signal raises in whatever Python runs when it arrives. These tests deliver one at the worst
moments — just after the folder is made and just before it is removed — and find nothing left.
`tempfile.TemporaryDirectory` leaves the folder in the first case (a CI run of `diff` stopped
by SIGTERM at 0.2 s did).
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from pathlib import Path

import pytest

from clustergraph.files import scratch
from clustergraph.files.signals import Terminated, sigterm_raises

SIGNALS = {"SIGTERM": (signal.SIGTERM, Terminated), "SIGINT": (signal.SIGINT, KeyboardInterrupt)}


@pytest.fixture
def tmpdir_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def _signal_after(real, signum: int):
    def call(*args, **kwargs):
        result = real(*args, **kwargs)
        os.kill(os.getpid(), signum)
        return result
    return call


def _signal_before(real, signum: int):
    def call(*args, **kwargs):
        os.kill(os.getpid(), signum)
        return real(*args, **kwargs)
    return call


#: moment -> (module, function, how the signal is sent around the call)
MOMENTS = {
    "just after the folder is made": (tempfile, "mkdtemp", _signal_after),
    "as the folder is removed": (shutil, "rmtree", _signal_before),
}


@pytest.mark.parametrize("moment", list(MOMENTS))
@pytest.mark.parametrize("name", list(SIGNALS))
def test_a_signal_at_the_worst_moment_leaves_nothing(
    tmpdir_env: Path, monkeypatch: pytest.MonkeyPatch, name: str, moment: str
) -> None:
    signum, raised = SIGNALS[name]
    module, function, around = MOMENTS[moment]
    monkeypatch.setattr(module, function, around(getattr(module, function), signum))
    with sigterm_raises(), pytest.raises(raised), scratch.scratch_folder("clustergraph-t-") as folder:
        for i in range(50):
            (folder / f"{i}.ttl").write_text("")
    assert list(tmpdir_env.iterdir()) == []


def test_an_error_in_the_block_removes_the_folder_and_passes_through(tmpdir_env: Path) -> None:
    with pytest.raises(ValueError, match="in the block"), \
            scratch.scratch_folder("clustergraph-test-") as folder:
        (folder / "a.ttl").write_text("")
        raise ValueError("in the block")
    assert list(tmpdir_env.iterdir()) == []


def test_the_standard_library_folder_is_left_by_the_same_signal(
    tmpdir_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race the scratch folder closes, shown on `tempfile.TemporaryDirectory`."""
    monkeypatch.setattr(tempfile, "mkdtemp", _signal_after(tempfile.mkdtemp, signal.SIGTERM))
    with sigterm_raises(), pytest.raises(Terminated), \
            tempfile.TemporaryDirectory(prefix="clustergraph-test-"):
        pass
    assert [p.name[:18] for p in tmpdir_env.iterdir()] == ["clustergraph-test-"]
