"""Files of deep and pathological blank-node structures (issue #20, finding 5), written as text.

Nested blank nodes and RDF lists are trees: labelled in linear time however deep. Blank nodes in
a cycle, or shared, past the work limit (`clustergraph.export.bnodes`) are refused by name.
"""

from __future__ import annotations

import random
from pathlib import Path

S = "<http://example.org/s>"
P = "<http://example.org/p>"


def nested_turtle(depth: int, leaf: str = '"leaf"') -> str:
    """`<s> <p> [ <p> [ <p> ... leaf ] ]`: `depth` blank nodes, each inside the one before."""
    return f"{S} {P} " + f"[ {P} " * depth + leaf + " ]" * depth + " .\n"


def nested_ntriples(depth: int, leaf: str = '"leaf"', seed: int | None = None) -> str:
    """The same graph as `nested_turtle`, as N-Triples with labelled blank nodes; with `seed`,
    other labels, in a shuffled order."""
    rng = random.Random(seed)
    name = [f"n{i}" if seed is None else f"r{rng.randrange(10**9)}x{i}" for i in range(depth)]
    lines = [f"{S} {P} _:{name[0]} ."]
    lines += [f"_:{name[i]} {P} _:{name[i + 1]} ." for i in range(depth - 1)]
    lines.append(f"_:{name[-1]} {P} {leaf} .")
    if seed is not None:
        rng.shuffle(lines)
    return "\n".join(lines) + "\n"


def list_turtle(length: int, item: str = "<http://example.org/x>") -> str:
    """`<s> <p> ( item item ... )`: an RDF list of `length` equal items (a chain of cells)."""
    return f"{S} {P} ( " + " ".join([item] * length) + " ) .\n"


def cycle_ntriples(size: int, *, marked: bool = False) -> str:
    """`size` blank nodes in a ring; `marked`: one of them with a literal (so refinement tells
    them apart only after about size/2 rounds); otherwise all alike (only RGDA1 could)."""
    lines = [f"_:c{i} {P} _:c{(i + 1) % size} ." for i in range(size)]
    if marked:
        lines.append(f'_:c0 {P} "start" .')
    return "\n".join(lines) + "\n"


def write(folder: Path, name: str, text: str) -> Path:
    """Write `text` as `folder/name`; its path."""
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path
