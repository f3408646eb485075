"""SIGTERM handled like Ctrl-C, and both held off while a finished output is swapped in.

`timeout`, CI runners and `docker stop` send SIGTERM; its default action ends the process at
once, so no `finally` runs and every temporary file or folder stays behind. `sigterm_raises`
makes SIGTERM raise `Terminated` (a `KeyboardInterrupt`), so the cleanup that Ctrl-C gets runs
for it too; the command line maps it to exit code 143 (128 + 15), Ctrl-C to 130 (128 + 2).

`signals_held` defers both signals over a few renames: the swap of a finished output is never
cut in the middle, and the signal is acted on right after it.
"""

from __future__ import annotations

import contextlib
import os
import signal
from collections.abc import Iterator
from types import FrameType
from typing import Any

__all__ = ["EXIT_SIGINT", "EXIT_SIGTERM", "HELD_SIGNALS", "Terminated", "signals_held", "sigterm_raises"]

#: Exit codes of a command stopped by Ctrl-C (SIGINT) and by SIGTERM, as a shell reports them.
EXIT_SIGINT = 128 + signal.SIGINT
EXIT_SIGTERM = 128 + signal.SIGTERM

#: The signals that stop a command and are held off during a swap.
HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM (exit code 143).

    A `KeyboardInterrupt`, so that whatever cleans up after Ctrl-C cleans up after it too.
    """


@contextlib.contextmanager
def sigterm_raises() -> Iterator[None]:
    """Inside the block, SIGTERM raises `Terminated` in this process (in the main thread, where
    Python runs signal handlers); the previous handler is put back after it. A SIGTERM ignored
    when the block starts stays ignored, and a process forked meanwhile dies of SIGTERM as by
    default. Outside the main thread this does nothing."""
    owner = os.getpid()

    def handler(signum: int, frame: FrameType | None) -> None:
        if os.getpid() != owner:  # a forked child without a handler of its own: the default
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)
            return
        raise Terminated()

    previous: Any = None
    try:
        previous = signal.getsignal(signal.SIGTERM)
        if previous != signal.SIG_IGN:
            signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: signals are not ours to handle
        previous = None
    try:
        yield
    finally:
        if previous is not None and previous != signal.SIG_IGN:
            signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Hold off SIGINT and SIGTERM inside the block; one that arrives is acted on after it.

    The handlers in place before the block are put back and the first signal that arrived is
    given to its handler (a handler that raises, raises there; the default action ends the
    process; an ignored signal stays ignored). Outside the main thread this does nothing: Python
    runs signal handlers in the main thread only, which then holds them off itself.
    """
    arrived: list[int] = []

    def defer(signum: int, frame: FrameType | None) -> None:
        arrived.append(signum)

    previous: dict[int, Any] = {}
    try:
        for signum in HELD_SIGNALS:
            previous[signum] = signal.signal(signum, defer)
    except ValueError:  # not the main thread
        pass
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if arrived:
            _deliver(arrived[0], previous.get(arrived[0]))


def _deliver(signum: int, handler: Any) -> None:
    """Act on a held-off signal as `handler` (what `signal.signal` returned) would have."""
    if handler == signal.SIG_IGN:
        return
    if callable(handler):
        handler(signum, None)
        return
    os.kill(os.getpid(), signum)  # the default action (or a handler not set from Python)
