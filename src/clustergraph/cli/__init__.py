"""The `clustergraph` command: a thin layer over the Python API.

Subcommands are imported only when they run, so `clustergraph --help` stays fast. Each
subcommand lives in its own module under `clustergraph.cli` and exposes a click command named
`command`.
"""

from __future__ import annotations

import errno
import importlib
import sys
from typing import Any, NoReturn

import click

from clustergraph.errors import ClustergraphError, file_error
from clustergraph.files.signals import EXIT_SIGINT, EXIT_SIGTERM, Terminated, sigterm_raises
from clustergraph.version import __version__

__all__ = ["cli", "main"]

#: name -> (module under clustergraph.cli, one-line help shown by --help). The module's click
#: command is its attribute `command`, or the attribute after a colon ("query:queries_command").
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "validate": ("validate", "Validate the graph against the ontology and the SHACL shapes."),
    "info": ("info", "Show what the graph holds: triples, resources per class, sources."),
    "queries": ("query:queries_command", "List the stored queries, their parameters and defaults."),
    "query": ("query:query_command", "Run a stored query with parameters; print a table, CSV, JSON..."),
    "sparql": ("query:sparql_command", "Run an ad-hoc SPARQL query (text, file or -)."),
    "search": ("search", "Find clusters, organisations, people and technologies by name."),
    "export": ("export", "Export the graph (Turtle, N-Triples, JSON-LD, CSV...), deterministically."),
    "publish": ("publish", "Load the graph into a remote store (Graph Store Protocol), atomically."),
    "site": ("site", "Build the static linked-data website (pages, maps, downloads)."),
    "serve": ("serve", "Serve a read-only SPARQL endpoint, query page and linked-data pages."),
    "diff": ("diff", "Show what a change does to the graph: statements added and removed, per resource."),
}

EXIT_INTERNAL_ERROR = 3


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The subcommands' names, sorted (from `SUBCOMMANDS`, nothing imported)."""
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        """The click command `cmd_name`, its module imported now; None for an unknown name."""
        if cmd_name not in SUBCOMMANDS:
            return None
        module_name, _, attribute = SUBCOMMANDS[cmd_name][0].partition(":")
        module = importlib.import_module(f"clustergraph.cli.{module_name}")
        command: click.Command = getattr(module, attribute or "command")
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """The "Commands" section of --help, from the table above, without importing them."""
        rows = [(name, SUBCOMMANDS[name][1]) for name in self.list_commands(ctx)]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="clustergraph")
@click.option("--debug", is_flag=True, help="Show the full traceback when something fails.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """clustergraph: the open knowledge graph of industrial clusters in the energy transition.

    Every command works on the graph shipped with the package unless given other files.
    Exit codes: 0 success, 1 the data does not conform, 2 bad input or usage,
    3 internal error, 4 a remote endpoint failed, 130 interrupted (Ctrl-C, SIGINT),
    143 stopped by SIGTERM. Interrupted or stopped, a command keeps its previous output whole
    and removes its temporary files; outputs are replaced only as a complete set.
    """
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


def main(argv: list[str] | None = None) -> Any:
    """Run the command line; map each failure to its exit code, with a traceback only on --debug.

    2: the user's input, files, folders or arguments (an OSError names its file and the reason);
    3: our own bugs; 4: a remote endpoint; 130 Ctrl-C (SIGINT) and 143 SIGTERM, both raised as
    exceptions so that every command's cleanup runs (SIGTERM as `Terminated`).
    `--debug` adds the traceback and keeps the exit code.
    """
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        with sigterm_raises():
            return cli.main(args=args, prog_name="clustergraph", standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        if debug:
            _print_traceback()
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort as exc:  # click turns KeyboardInterrupt (so SIGTERM too) into Abort
        if isinstance(exc.__cause__, Terminated):
            click.echo("Terminated.", err=True)
            sys.exit(EXIT_SIGTERM)
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_SIGINT)
    except ClustergraphError as exc:
        _fail(f"clustergraph: error: {exc}", exc.exit_code, debug)
    except Terminated:
        click.echo("Terminated.", err=True)
        sys.exit(EXIT_SIGTERM)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_SIGINT)
    except BrokenPipeError:
        sys.exit(0)
    except OSError as exc:
        if exc.filename is None and exc.errno not in _OUTPUT_ERRNOS:
            _internal_error(exc, debug)
        where = exc.filename if exc.filename is not None else "standard output"
        action = "use" if exc.filename is not None else "write"
        _fail(f"clustergraph: error: {file_error(where, exc, action)}", EXIT_USAGE, debug)
    except Exception as exc:  # noqa: BLE001 - the one place that turns a bug into exit code 3
        _internal_error(exc, debug)


EXIT_USAGE = 2

#: Errors writing to standard output that come from where the user sent it (a full disk...).
_OUTPUT_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS, errno.EACCES, errno.EPERM}


def _internal_error(exc: BaseException, debug: bool) -> NoReturn:
    _fail(
        f"clustergraph: internal error: {type(exc).__name__}: {exc}\n"
        + ("" if debug else "Run again with --debug for the traceback, and please report it."),
        EXIT_INTERNAL_ERROR,
        debug,
    )


def _fail(message: str, exit_code: int, debug: bool) -> NoReturn:
    """Print the traceback of the exception being handled (with --debug), the message, and exit."""
    if debug:
        _print_traceback()
    click.echo(message.rstrip("\n"), err=True)
    sys.exit(exit_code)


def _print_traceback() -> None:
    """The traceback of the exception being handled, on stderr (`traceback` imported only then)."""
    import traceback  # not needed by a command that succeeds (`clustergraph --help` does without)

    traceback.print_exc(file=sys.stderr)
