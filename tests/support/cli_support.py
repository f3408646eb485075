"""Running the `clustergraph` command in-process, as from the shell (a pytest fixture)."""

from __future__ import annotations

import pytest

from clustergraph.cli import main


@pytest.fixture(name="run")
def run_command(capsys):
    """Run the command in-process through `clustergraph.cli.main` (exit codes and messages as
    from the shell); return (exit code, stdout, stderr)."""

    def _run(*args: str) -> tuple[int, str, str]:
        try:
            code = main(list(args)) or 0
        except SystemExit as exited:
            code = exited.code
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return _run
