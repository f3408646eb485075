"""`clustergraph diff` of deep blank-node structures (issue #20, finding 5): bounded in time,
reporting only what changed, through the installed command.

Before, a diff of nested blank nodes 10,000 deep ran past 120 s (labelling), a list whose every
item changed took a minute at 5,000 items (each changed cell looked for its resource from
scratch), and a lattice of shared blank nodes was written once per path.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from support.deep_bnodes import P, S, cycle_ntriples, list_turtle, nested_ntriples, nested_turtle, write

CLUSTERGRAPH = str(Path(sys.executable).with_name("clustergraph"))
#: Generous: each case takes a few seconds now and more than 60 s before.
TIMEOUT = 60


def diff(old: Path, new: Path) -> subprocess.CompletedProcess[str]:
    """`clustergraph diff OLD NEW --format json`."""
    return subprocess.run([CLUSTERGRAPH, "diff", str(old), str(new), "--format", "json"],
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


def lattice(levels: int, width: int) -> str:
    """Blank nodes in `levels` rows of `width`, each linked to every node of the next row."""
    lines = [f"{S} {P} _:n0x{i} ." for i in range(width)]
    for level in range(levels):
        for i in range(width):
            lines.append(f'_:n{level}x{i} <http://example.org/name> "{level} {i}" .')
            if level + 1 < levels:
                lines += [f"_:n{level}x{i} {P} _:n{level + 1}x{j} ." for j in range(width)]
    return "\n".join(lines) + "\n"


def test_relabelled_reordered_nested_blank_nodes_are_no_change(tmp_path: Path) -> None:
    done = diff(write(tmp_path, "old.ttl", nested_turtle(10_000)),
                write(tmp_path, "new.nt", nested_ntriples(10_000, seed=3)))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["statements"] == {"old": 10_001, "new": 10_001, "added": 0, "removed": 0}


#: A one-statement change deep inside: (name, old text, new text, the line removed, the line added).
CHANGES = [
    ("leaf of nested blank nodes", nested_turtle(10_000), nested_turtle(10_000, '"changed"'),
     '<http://example.org/p> "leaf" .', '<http://example.org/p> "changed" .'),
    ("middle item of a list", list_turtle(20_000),
     list_turtle(20_000).replace("<http://example.org/x>", "<http://example.org/y>", 10_001)
                        .replace("<http://example.org/y>", "<http://example.org/x>", 10_000),
     "<http://example.org/x> .", "<http://example.org/y> ."),
]


@pytest.mark.parametrize(("old", "new", "removed", "added"), [c[1:] for c in CHANGES],
                         ids=[c[0] for c in CHANGES])
def test_a_change_deep_inside_is_reported_as_exactly_that_change(
        tmp_path: Path, old: str, new: str, removed: str, added: str) -> None:
    done = diff(write(tmp_path, "old.ttl", old), write(tmp_path, "new.ttl", new))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["statements"]["added"], report["statements"]["removed"]) == (1, 1)
    [change] = report["changes"]
    assert change["resource"] == S[1:-1] and change["status"] == "changed"
    assert change["removed"][0]["ntriples"].endswith(removed)
    assert change["added"][0]["ntriples"].endswith(added)


def test_every_item_of_a_long_list_changed_is_one_changed_resource(tmp_path: Path) -> None:
    old = list_turtle(20_000)
    done = diff(write(tmp_path, "old.ttl", old),
                write(tmp_path, "new.ttl", old.replace("example.org/x", "example.org/y")))
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert (report["statements"]["added"], report["statements"]["removed"]) == (20_000, 20_000)
    assert [c["resource"] for c in report["changes"]] == [S[1:-1]]


def test_shared_blank_nodes_are_written_once_each_in_a_statement(tmp_path: Path) -> None:
    done = diff(write(tmp_path, "old.ttl", f"{S} {P} 1 .\n"),
                write(tmp_path, "new.nt", lattice(8, 8)))
    assert done.returncode == 0, done.stderr
    [change] = json.loads(done.stdout)["changes"]
    assert all(s["text"].count("[") <= 64 for s in change["added"])  # at most 64 written inline


def test_blank_nodes_in_a_cycle_past_the_limit_are_refused_naming_the_file(tmp_path: Path) -> None:
    done = diff(write(tmp_path, "old.nt", f"{S} {P} \"1\" .\n"),
                write(tmp_path, "ring.nt", cycle_ntriples(20_000, marked=True)))
    assert done.returncode == 2, done.stderr
    assert "ring.nt" in done.stderr and "limit" in done.stderr and "Traceback" not in done.stderr
