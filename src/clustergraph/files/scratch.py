"""Temporary folders that a signal cannot leave behind.

`tempfile.TemporaryDirectory` leaves its folder when SIGTERM or Ctrl-C (both raise here: see
`clustergraph.files.signals`) falls between the folder's creation and the code that removes it,
or in the middle of the removal. `scratch_folder` does both with the signals held off; a signal
held off at creation is acted on once the folder is already in the removal's care.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from clustergraph.files.signals import signals_held

__all__ = ["scratch_folder"]


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A new private folder in TMPDIR for the block, removed after it whatever stops the block.

    >>> with scratch_folder("clustergraph-doc-") as folder:
    ...     _ = (folder / "a.ttl").write_text("")
    ...     made = folder
    >>> made.exists()
    False
    """
    folder: Path | None = None
    try:
        with signals_held():
            folder = Path(tempfile.mkdtemp(prefix=prefix))
        yield folder
    finally:
        with signals_held():
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
