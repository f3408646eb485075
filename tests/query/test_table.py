"""Tables a person can read and copy (issue #24, item 3).

Piped or redirected, a table shows every value whole; on a terminal it fits the terminal's width
(COLUMNS honoured), the widest columns giving way first, each cut value ending in "…" and
counted in the footer; an address keeps its start and its end; `--wide` never cuts.
"""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from clustergraph.cli import cli
from clustergraph.query.table import text_table

LONG = "https://www.businesstoday.in/amp/wef-2025/story/davos-2025-33-industrial-clusters-461732-2025-01-22"

#: (columns, rows, width) -> the lines expected in the table
CASES = {
    "fits: nothing cut": (["a", "b"], [["x", "y"]], 80, ["a  b", "-  -", "x  y", "(1 row)"]),
    "no width: every value whole": (["page"], [[LONG]], None, ["page", "-" * len(LONG), LONG, "(1 row)"]),
    "an address keeps its end": (
        ["page"], [[LONG]], 21, ["page", "-" * 21, "https://ww…2025-01-22", "(1 row; 1 value cut to fit 21 columns)"]),
    "text keeps its start": (
        ["name", "note"], [["Jubail", "a long note that does not fit at all"]], 30,
        ["name    note", "------  ----------------------", "Jubail  a long note that does…",
         "(1 row; 1 value cut to fit 30 columns)"]),
    "a short column is left whole while the wide one gives way": (
        ["date", "page"], [["2025-01-22", LONG]], 40,
        ["date        page", "----------  ----------------------------",
         "2025-01-22  https://www.b…732-2025-01-22", "(1 row; 1 value cut to fit 40 columns)"]),
    "a short form keeps its end": (
        ["resource"], [["cluster/greater-st-louis-and-illinois-clean-hydrogen-hub"]], 24,
        ["resource", "-" * 24, "cluster/gre…hydrogen-hub", "(1 row; 1 value cut to fit 24 columns)"]),
}


@pytest.mark.parametrize("case", list(CASES))
def test_text_table(case: str) -> None:
    columns, rows, width, expected = CASES[case]
    lines = text_table(columns, rows, width).splitlines()
    assert lines == expected
    if width is not None:
        assert all(len(line) <= width for line in lines[:-1])


def _on_a_terminal(args: list[str], columns: int) -> str:
    """The command's output as a terminal of `columns` columns shows it (a pseudo-terminal)."""
    leader, follower = pty.openpty()
    env = {**os.environ, "COLUMNS": str(columns)}
    proc = subprocess.Popen([sys.executable, "-m", "clustergraph", *args], stdout=follower,
                            stderr=subprocess.DEVNULL, env=env, cwd=Path(__file__).parent)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the other end closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    proc.wait(timeout=120)
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


@pytest.mark.slow
def test_on_a_terminal_a_table_fits_its_width_and_wide_cuts_nothing() -> None:
    args = ["query", "initiative-figures", "-p", "metric=https://w3id.org/clustergraph/ontology#NumberOfClusters"]
    fitted = _on_a_terminal(args, 100)
    lines = fitted.splitlines()
    assert lines and all(len(line) <= 100 for line in lines[:-1]), fitted
    assert "cut to fit 100 columns" in lines[-1]
    whole = _on_a_terminal([*args, "--wide"], 100)
    assert "…" not in whole and "cut" not in whole.splitlines()[-1]
    assert max(len(line) for line in whole.splitlines()) > 100


def test_piped_a_table_shows_every_value_whole() -> None:
    result = CliRunner().invoke(cli, ["query", "initiative-figures"], env={"COLUMNS": "40"})
    assert result.exit_code == 0, result.output
    assert "…" not in result.output
    assert "https://" in result.output or "source/" in result.output


def test_query_without_a_name_lists_the_catalogue() -> None:
    listed = CliRunner().invoke(cli, ["query"])
    assert listed.exit_code == 0, listed.output
    assert listed.output == CliRunner().invoke(cli, ["queries"]).output
    refused = CliRunner().invoke(cli, ["query", "-p", "year=2025"])
    assert refused.exit_code == 2 and "name the stored query" in refused.output
