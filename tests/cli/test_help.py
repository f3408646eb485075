"""Every option of every command says what it does (issue #24, item 7).

`clustergraph COMMAND --help` is where a user looks first: an option listed without a word of
help (as `serve --port` was) leaves them guessing. Exit codes a command can give are listed in
its help.
"""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from clustergraph.cli import SUBCOMMANDS, cli


def _command(name: str) -> click.Command:
    command = cli.get_command(click.Context(cli), name)
    assert command is not None
    return command


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_option_has_help_text(name: str) -> None:
    silent = [p.opts for p in _command(name).params if isinstance(p, click.Option) and not p.help]
    assert silent == []


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_every_command_has_a_summary_and_help(name: str) -> None:
    result = CliRunner().invoke(cli, [name, "--help"])
    assert result.exit_code == 0
    assert SUBCOMMANDS[name][1]
    assert len(result.output.splitlines()) > 3


def test_validate_help_lists_every_exit_code_it_can_give() -> None:
    text = " ".join(CliRunner().invoke(cli, ["validate", "--help"]).output.split())
    for code in ("0 conforms", "1 does not conform", "2 bad usage", "3 internal error",
                 "4 the --endpoint", "130", "143"):
        assert code in text
