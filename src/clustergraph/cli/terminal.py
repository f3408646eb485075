"""How wide a table may be: a terminal's width, or whole values for a pipe or a file."""

from __future__ import annotations

import shutil
import sys

__all__ = ["WIDE_HELP", "table_width"]

#: The help of every `--wide` option.
WIDE_HELP = ("Show every value of a table whole, however wide. On a terminal a table otherwise "
             "fits the terminal's width (COLUMNS honoured), cut values ending in … and counted; "
             "piped or redirected, a table is always whole.")


def table_width(wide: bool) -> int | None:
    """The width a table is fitted to: the terminal's (COLUMNS honoured); None (every value
    whole) when `wide` or when standard output is no terminal."""
    if wide or not sys.stdout.isatty():
        return None
    return shutil.get_terminal_size().columns
