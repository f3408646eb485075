"""The catalogue of stored queries: `queries/*.rq` in the decorator convention of grlc.

Each file is one SPARQL query with a header of ``#+ `` lines that read together as YAML
(``summary``, ``description``, ``tags``, ``defaults``, ``enumerate``, ...), so the same folder can
be served by grlc unchanged. Our own decorator ``bounds`` (which grlc ignores) gives the range of
a numeric parameter. Parameters are the query's variables named in grlc's way (see
`clustergraph.query.parameters`); the lexer is `clustergraph.query.lexer`, the safety check of
embedded queries `clustergraph.query.safety`. Every public name of those modules can be imported
from here.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from clustergraph.errors import InputError, ParameterError, QueryError
from clustergraph.files import paths
from clustergraph.query.lexer import (
    Token,
    query_form,
    significant_tokens,
    tokenize,
    undeclared_prefixes,
    where_brace,
)
from clustergraph.query.parameters import (
    ID_PREFIX,
    MAX_VALUE_LENGTH,
    XSD,
    Bounds,
    Parameter,
    bind_query,
    decorator_names,
    parameter_from_variable,
    term_to_sparql,
)
from clustergraph.query.safety import check_safe

__all__ = [
    "ID_PREFIX",
    "MAX_VALUE_LENGTH",
    "XSD",
    "Bounds",
    "Catalogue",
    "Parameter",
    "StoredQuery",
    "Token",
    "bind_query",
    "check_safe",
    "load_catalogue",
    "parameter_from_variable",
    "parse_header",
    "query_form",
    "term_to_sparql",
    "tokenize",
    "undeclared_prefixes",
]


def parse_header(text: str, *, source: str = "<query>") -> dict[str, Any]:
    """The ``#+ `` decorator lines of a query, read together as YAML (as grlc reads them)."""
    # PyYAML: ~12 ms to import (python -X importtime); this module is also imported to run or
    # check a query that is not stored, which has no header
    import yaml

    lines = [line[2:] for line in text.splitlines() if line.startswith("#+")]
    if not lines:
        return {}
    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError as exc:
        raise QueryError(f"{source}: the #+ header is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise QueryError(f"{source}: the #+ header must be a mapping of decorator: value")
    return data


@dataclass(frozen=True)
class StoredQuery:
    """One stored query: its name (the file name without .rq), header, text and parameters."""

    name: str
    path: Path | None
    text: str
    header: Mapping[str, Any]
    form: str
    parameters: tuple[Parameter, ...]

    @property
    def summary(self) -> str:
        """The header's one-line `summary` ("" without one)."""
        return str(self.header.get("summary", "")).strip()

    @property
    def description(self) -> str:
        """The header's `description` ("" without one)."""
        return str(self.header.get("description", "")).strip()

    @property
    def tags(self) -> tuple[str, ...]:
        """The header's `tags` (one tag or a list)."""
        tags = self.header.get("tags") or []
        return tuple(str(t) for t in tags) if isinstance(tags, list) else (str(tags),)

    def parameter(self, name: str) -> Parameter:
        """The parameter of this name; a `ParameterError` naming the known ones if none."""
        for p in self.parameters:
            if p.name == name:
                return p
        known = ", ".join(p.name for p in self.parameters) or "none"
        raise ParameterError(
            name, f"query {self.name!r} has no such parameter (its parameters: {known})"
        )

    def bindings(self, values: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """The terms to bind, by variable name: the values given, else the defaults.

        An unknown name, a missing required value or a value of the wrong type raises a
        `ParameterError` naming the parameter. An optional parameter given as "" stays unbound.
        """
        values = dict(values or {})
        for name in values:
            self.parameter(name)  # raises for an unknown name
        terms: dict[str, Any] = {}
        for p in self.parameters:
            if p.name in values and values[p.name] is not None:
                raw = values[p.name]
                if raw == "" and not p.required:
                    continue
            elif p.default is not None:
                raw = p.default
            elif p.required:
                raise ParameterError(p.name, f"is required by query {self.name!r} ({p.hint})")
            else:
                continue
            if raw == "":
                raise ParameterError(p.name, f"is required by query {self.name!r} ({p.hint})")
            terms[p.variable] = p.to_term(raw)
        return terms

    def bound_text(self, values: Mapping[str, Any] | None = None) -> str:
        """The query text with the parameter values bound (see `bind_query`)."""
        return bind_query(self.text, self.bindings(values), where=self.where_offset)

    @cached_property
    def where_offset(self) -> int:
        """Where the WHERE group opens (found once per stored query)."""
        return where_brace(self.text)

    @classmethod
    def from_text(cls, text: str, *, name: str = "query", path: Path | None = None) -> StoredQuery:
        """Read a query: its header, form and parameters, checked (a `QueryError` says what
        is wrong, naming `path` or `name`)."""
        source = str(path) if path else name
        header = parse_header(text, source=source)
        form = query_form(text)
        params: dict[str, Parameter] = {}
        for token in significant_tokens(text):
            if token.kind == "var" and token.text[1:].startswith("_"):
                variable = token.text[1:]
                try:
                    param = parameter_from_variable(variable, header)
                except QueryError as exc:
                    raise QueryError(f"{source}: {exc}") from None
                if param is None:
                    continue
                other = params.get(param.name)
                if other is not None and other.variable != variable:
                    raise QueryError(
                        f"{source}: parameter {param.name!r} is written as both ?{other.variable} "
                        f"and ?{variable}"
                    )
                params[param.name] = param
        for key in ("defaults", "enumerate", "bounds"):
            for named in decorator_names(header.get(key)):
                if named not in params:
                    raise QueryError(f"{source}: #+ {key} names {named!r}, which is no parameter")
        query = cls(
            name=name,
            path=path,
            text=text,
            header=header,
            form=form,
            parameters=tuple(params.values()),
        )
        for p in query.parameters:
            if p.default is not None:
                try:
                    p.to_term(p.default)
                except ParameterError as exc:
                    raise QueryError(f"{source}: default of {exc}") from None
        return query

    @classmethod
    def from_file(cls, path: Path | str) -> StoredQuery:
        """Read a ``.rq`` file (see `from_text`); its name is the file name without ``.rq``."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None
        return cls.from_text(text, name=path.stem, path=path)


class Catalogue:
    """The stored queries by name, in name order. Built from files, a query is read and
    checked when it is first asked for (running one query reads one file); iterating reads all.
    """

    def __init__(self, queries: Mapping[str, StoredQuery] | None = None, *,
                 files: Mapping[str, Path] | None = None) -> None:
        self._read: dict[str, StoredQuery] = dict(queries or {})
        known = {name: q.path or Path(f"{name}.rq") for name, q in self._read.items()}
        self._files = dict(sorted({**known, **(files or {})}.items()))

    @property
    def queries(self) -> dict[str, StoredQuery]:
        """Every stored query by name (each file read and checked)."""
        return {name: self[name] for name in self._files}

    def __getitem__(self, name: str) -> StoredQuery:
        query = self._read.get(name)
        if query is not None:
            return query
        if name not in self._files:
            close = [n for n in self._files if name.lower() in n or n in name.lower()]
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise InputError(
                f"no stored query named {name!r}.{hint} Run `clustergraph queries` for the list."
            )
        query = self._read[name] = StoredQuery.from_file(self._files[name])
        return query

    def __iter__(self) -> Iterator[StoredQuery]:
        return iter(self.queries.values())

    def __len__(self) -> int:
        return len(self._files)

    def __contains__(self, name: object) -> bool:
        return name in self._files

    def names(self) -> list[str]:
        """The queries' names, in name order."""
        return list(self._files)


def load_catalogue(folder: Path | str | None = None) -> Catalogue:
    """The stored queries of a folder's ``*.rq`` files, each read and checked now (a
    `QueryError` names a broken file); without a folder the shipped ``queries/``, each read
    when first asked for (running one query reads one file).

    >>> catalogue = load_catalogue()
    >>> query = catalogue["members-as-of"]
    >>> query.form, query.summary.startswith("The member clusters of an initiative as of a date")
    ('SELECT', True)
    >>> [(p.name, p.type_name, p.default) for p in query.parameters]  # doctest: +ELLIPSIS
    [('initiative', 'iri', 'https://w3id.org/...'), ('date', 'xsd:date', '...')]
    >>> query.bindings({"date": "2024-09-30"})["_date_xsd_date"]      # the others: defaults
    <Literal value=2024-09-30 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#date>>
    >>> query.bindings({"date": "2024-09"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    clustergraph.errors.ParameterError: parameter 'date': '2024-09' is not a date as YYYY-MM-DD...
    """
    if folder is None:  # ours, checked by our tests: each read when first asked for
        return Catalogue(files={path.stem: path for path in paths.query_files()})
    return Catalogue({path.stem: StoredQuery.from_file(path)
                      for path in sorted(Path(folder).glob("*.rq"))})
