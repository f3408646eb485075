"""Aligned text tables for people: whole values, or fitted to a terminal's width.

`text_table` lays out a header and rows of text. Without a width every value is shown whole
(what a pipe, a file or a copy wants). With a width (a terminal's columns) the widest columns
give way first until the table fits; a value cut to fit ends in "…", and an address keeps its
beginning and its end ("https://www.busi…2025-01-22", "cluster/p…acu"), so the part that
tells addresses apart is never the part hidden. The footer counts the rows and says how many values were cut.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["GAP", "text_table"]

#: Spaces between columns.
GAP = 2
#: A column is never made narrower than this (or than its header), however narrow the width.
_MIN_COLUMN = 10
_CUT = "…"


def text_table(columns: Sequence[str], rows: Sequence[Sequence[str]], width: int | None = None) -> str:
    """The table as text, its lines ending in newlines; `width`: fit into that many columns.

    >>> rows = [["Jubail", "https://example.org/a/very/long/path/jubail"]]
    >>> print(text_table(["name", "page"], rows, 36), end="")
    name    page
    ------  ----------------------------
    Jubail  https://examp…ng/path/jubail
    (1 row; 1 value cut to fit 36 columns)
    >>> print(text_table(["name", "page"], rows), end="")
    name    page
    ------  -------------------------------------------
    Jubail  https://example.org/a/very/long/path/jubail
    (1 row)
    """
    cells = [[cell.replace("\n", " ") for cell in row] for row in rows]
    natural = [len(c) for c in columns]
    for row in cells:
        natural = [max(w, len(c)) for w, c in zip(natural, row)]
    widths = natural if width is None else _fitted(columns, natural, width)
    cut = 0
    body = []
    for row in cells:
        shown = []
        for cell, w in zip(row, widths):
            if len(cell) > w:
                cell = _clip(cell, w)
                cut += 1
            shown.append(cell.ljust(w))
        body.append((" " * GAP).join(shown).rstrip())
    header = (" " * GAP).join(c.ljust(w) for c, w in zip(columns, widths)).rstrip()
    rule = (" " * GAP).join("-" * w for w in widths)
    footer = f"({len(rows)} row{'s' if len(rows) != 1 else ''}"
    if cut:
        footer += f"; {cut} value{'s' if cut != 1 else ''} cut to fit {width} columns"
    return "\n".join([header, rule, *body, footer + ")"]) + "\n"


def _fitted(columns: Sequence[str], natural: list[int], width: int) -> list[int]:
    """Column widths summing to at most `width` (with the gaps): the widest give way first."""
    budget = width - GAP * (len(natural) - 1)
    if sum(natural) <= budget:
        return natural
    floor = [min(w, max(_MIN_COLUMN, len(c))) for w, c in zip(natural, columns)]
    low, high = 0, max(natural)  # the largest cap that fits (binary search: bounded steps)
    while low < high:
        cap = (low + high + 1) // 2
        if sum(max(f, min(w, cap)) for f, w in zip(floor, natural)) <= budget:
            low = cap
        else:
            high = cap - 1
    return [max(f, min(w, low)) for f, w in zip(floor, natural)]


def _clip(text: str, width: int) -> str:
    """`text` in `width` characters: an address (a path without spaces: an IRI, its short form
    `cluster/jubail`) keeps its start and end, other text its start."""
    if width <= 1:
        return _CUT[:width]
    if "/" in text and " " not in text:
        head = (width - 1) // 2
        tail = width - 1 - head
        return text[:head] + _CUT + (text[-tail:] if tail else "")
    return text[: width - 1] + _CUT
