"""`clustergraph validate`: a thin layer over `clustergraph.validation.validate`."""

from __future__ import annotations

import codecs
import os
import sys
from pathlib import Path

import click
from click.core import ParameterSource

from clustergraph import validation  # `validation.validate` is looked up per call: tests replace it
from clustergraph.errors import RDFSyntaxError
from clustergraph.files.checkout import edited_checkout
from clustergraph.validation.formats import format_report

__all__ = ["command"]


@click.command(name="validate")
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option(
    "--shapes", type=click.Path(path_type=str), help="SHACL shapes file instead of the shipped one."
)
@click.option(
    "--ontology", type=click.Path(path_type=str), help="Ontology file instead of the shipped one."
)
@click.option(
    "--with-shipped-data",
    is_flag=True,
    help="Validate PATHs together with the shipped data (a shipped file of the same name is replaced).",
)
@click.option(
    "--inference",
    type=click.Choice(["none", "rdfs", "owlrl"]),
    default="none",
    show_default=True,
    help="none: the ontology is merged into the data graph, so sh:targetClass and sh:class follow "
    "rdfs:subClassOf (what our shapes need, and fast); rdfs or owlrl: pySHACL infers first.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning"]),
    default="violation",
    show_default=True,
    help="The least severe result that makes validation fail (infos never do).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit", "github", "turtle"]),
    default="text",
    show_default=True,
    help="text for people, github for workflow annotations, junit for CI dashboards, json for "
    "tools, turtle for the SHACL validation report graph.",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "oxigraph", "pyshacl"]),
    default="auto",
    show_default=True,
    help="auto: the fast Oxigraph engine, pySHACL for inference or shapes it does not support.",
)
@click.option(
    "--endpoint",
    metavar="URL",
    help="Validate the graph a SPARQL 1.1 endpoint holds instead of files, in the store (its "
    "nodes read in batches; copied with one CONSTRUCT if it has blank nodes or needs pySHACL).",
)
@click.option(
    "--graph",
    metavar="IRI",
    help="With --endpoint: the named graph to validate (default: the default graph).",
)
@click.option(
    "--changed-since",
    metavar="REV",
    help="Judge only what changed since the git revision REV; the verdict and report are a full "
    "run's (the validated base is kept in --cache-dir).",
)
@click.option(
    "--cache-dir",
    type=click.Path(file_okay=False, path_type=str),
    envvar="CLUSTERGRAPH_CACHE_DIR",
    help="With --changed-since: where validated base graphs are kept "
    "[default: ~/.cache/clustergraph/validate].",
)
@click.option("--no-queries", is_flag=True, help="Skip the syntax check of the stored queries.")
@click.option(
    "--no-shapes-check", is_flag=True, help="Skip the SHACL-for-SHACL check of the shapes."
)
def command(
    paths: tuple[str, ...],
    shapes: str | None,
    ontology: str | None,
    with_shipped_data: bool,
    inference: str,
    fail_on: str,
    fmt: str,
    engine: str,
    endpoint: str | None,
    graph: str | None,
    changed_since: str | None,
    cache_dir: str | None,
    no_queries: bool,
    no_shapes_check: bool,
) -> None:
    """Validate the shipped graph, or the data files (or folders) in PATHS.

    The data are checked against the shipped ontology and SHACL shapes, the shapes against
    SHACL-for-SHACL, and every stored query in queries/ for syntax. Each problem names the
    resource, its label, the property, the value and the file:line where the resource is defined.

    Exit codes: 0 conforms, 1 does not conform, 2 bad usage or unreadable/malformed input
    (FILE:LINE:COL: message on stderr), 3 internal error, 4 the --endpoint failed, timed out or
    redirected, 130 interrupted (Ctrl-C), 143 stopped by SIGTERM.
    """
    if endpoint is not None and (paths or with_shipped_data):
        raise click.UsageError("give either PATHS (or --with-shipped-data) or --endpoint, not both")
    if graph is not None and endpoint is None:
        raise click.UsageError("--graph needs --endpoint")
    if changed_since is not None:
        if endpoint is not None or inference != "none" or engine == "pyshacl":
            raise click.UsageError(
                "--changed-since judges local files with the oxigraph engine and --inference none"
            )
        _validate_changed(changed_since, paths, shapes, ontology, with_shipped_data, fail_on, fmt,
                          no_queries, cache_dir)
    if cache_dir is not None and _given(click.get_current_context(), "cache_dir"):
        raise click.UsageError("--cache-dir needs --changed-since")
    bar = _progress_bar()
    source: dict[str, object] = (
        {"data": list(paths) or None, "with_shipped_data": with_shipped_data}
        if endpoint is None
        else {"url": endpoint, "graph": graph}
    )
    if endpoint is None:
        run = validation.validate
    else:
        # the endpoint's validation (and its HTTP client): only for --endpoint, off the
        # start-up of a plain `validate` (python -X importtime)
        from clustergraph.validation.endpoint import validate_endpoint as run
    try:
        report = run(
            **source,  # type: ignore[arg-type]
            shapes=shapes,
            ontology=ontology,
            inference=inference,
            fail_on=fail_on,
            engine=engine,
            check_shapes=not no_shapes_check,
            queries=False if no_queries else None,
            progress=bar.update if bar is not None else None,
        )
    except RDFSyntaxError as exc:
        if click.get_current_context().find_root().params.get("debug"):
            raise
        shown = _display(exc.path)
        if fmt == "github":
            where = f"file={shown}"
            if exc.line:
                where += f",line={exc.line}"
                if exc.column:
                    where += f",col={exc.column}"
            click.echo(f"::error {where},title=RDF syntax error::{exc.detail}")
        click.echo(str(exc).replace(exc.path, shown, 1), err=True)
        raise click.exceptions.Exit(2) from None
    finally:
        if bar is not None:
            bar.close()
    for warning in report.warnings:
        click.echo(f"clustergraph: warning: {warning}", err=True)
    click.echo(format_report(report, fmt), nl=False)
    if endpoint is None and (not paths or with_shipped_data):
        _warn_of_an_edited_checkout()
    raise click.exceptions.Exit(report.exit_code)


def _warn_of_an_edited_checkout() -> None:
    """Say loudly, after the report, when the shipped data just validated is not the copy of
    the checkout the user is in (an install without -e, then an edit)."""
    copy = edited_checkout()
    if copy is not None:
        for line in copy.warning().splitlines():
            click.secho(f"clustergraph: warning: {line}", err=True, fg="yellow", bold=True)


def _validate_changed(rev: str, paths: tuple[str, ...], shapes: str | None, ontology: str | None,
                      with_shipped_data: bool, fail_on: str, fmt: str, no_queries: bool,
                      cache_dir: str | None) -> None:
    """`--changed-since REV`: the incremental judgement (clustergraph.validation.incremental.run)."""
    # incremental validation (git, hashing, the kept base): only for --changed-since, off the
    # start-up of a plain `validate` (python -X importtime)
    from clustergraph.validation.incremental.run import validate_changed_since

    judged = validate_changed_since(
        rev, list(paths) or None, shapes=shapes, ontology=ontology,
        with_shipped_data=with_shipped_data, fail_on=fail_on, queries=not no_queries,
        cache_dir=cache_dir, text_only=fmt == "text",
    )
    if fmt == "text":
        _write_utf8(judged.text_bytes())
    else:
        click.echo(format_report(judged.report, fmt), nl=False)
    click.echo(f"{judged.mode} run: {judged.reason}", err=True)
    raise click.exceptions.Exit(judged.exit_code)


def _write_utf8(parts: list[bytes]) -> None:
    """Write UTF-8 text to standard output as bytes (megabytes of a kept report are not decoded
    and encoded again), or as text when standard output has another encoding."""
    encoding = getattr(sys.stdout, "encoding", None) or ""
    try:
        utf8 = codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        utf8 = False
    out = getattr(sys.stdout, "buffer", None)
    if not utf8 or out is None or os.linesep != "\n":  # text mode would write other line ends
        click.echo(b"".join(parts).decode("utf-8"), nl=False)
        return
    sys.stdout.flush()
    for part in parts:
        out.write(part)
    out.flush()


class _Bar:
    """A tqdm bar of the shapes done, shown on stderr once validation has run for 2 s."""

    def __init__(self) -> None:
        from tqdm import tqdm  # ~50 ms to import (python -X importtime), only for a terminal

        self._bar = tqdm(desc="validating", unit="shape", delay=2.0, leave=False)
        self._focus = 0

    def update(self, done: int, total: int, focus_nodes: int) -> None:
        """Show `done` of `total` shapes, and the focus nodes checked so far."""
        self._focus += focus_nodes
        self._bar.total = total
        self._bar.set_postfix_str(f"{self._focus:,} focus nodes", refresh=False)
        self._bar.update(done - self._bar.n)

    def close(self) -> None:
        """Remove the bar from the terminal."""
        self._bar.close()


def _progress_bar() -> _Bar | None:
    """A progress bar when stderr is a terminal, else None (nothing is written)."""
    return _Bar() if sys.stderr.isatty() else None


def _given(ctx: click.Context, name: str) -> bool:
    """True when the option was given on the command line (not from its environment variable)."""
    return ctx.get_parameter_source(name) is ParameterSource.COMMANDLINE


def _display(path: str) -> str:
    """A path relative to the current folder when it lies under it."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return path
