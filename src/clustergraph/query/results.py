"""Query results: rows for SELECT, triples for CONSTRUCT/DESCRIBE, a boolean for ASK.

`Rows` holds the RDF terms and turns them into plain Python values (`to_records()` gives a list
of dicts a user can hand to ``pandas.DataFrame`` without clustergraph depending on pandas) and
into text: an aligned table, CSV, TSV, JSON or a Markdown table.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import pyoxigraph

from clustergraph.errors import InputError
from clustergraph.files.load import to_rdflib
from clustergraph.query.table import text_table
from clustergraph.vocab import INTEGER_TYPES, PREFIXES, XSD, bind_prefixes

__all__ = ["RDF_FORMATS", "ROW_FORMATS", "Rows", "Triples", "term_value"]

ID_PREFIX = "https://w3id.org/clustergraph/id/"
ROW_FORMATS = ("table", "csv", "tsv", "json", "markdown")
RDF_FORMATS = ("turtle", "ntriples", "jsonld")

_INTEGER_TYPES = {XSD + name for name in INTEGER_TYPES}


def term_value(term: Any) -> Any:
    """A plain Python value for one RDF term (None for an unbound cell).

    IRIs and blank nodes become strings; xsd:integer (and its kinds) int; xsd:decimal Decimal;
    xsd:double/float float; xsd:boolean bool; xsd:date `datetime.date`; every other literal
    (gYear, gYearMonth, text in any language) its lexical form.
    """
    if term is None:
        return None
    if isinstance(term, pyoxigraph.NamedNode):
        return term.value
    if isinstance(term, pyoxigraph.BlankNode):
        return "_:" + term.value
    if isinstance(term, pyoxigraph.Literal):
        datatype = term.datatype.value
        text = term.value
        try:
            if datatype in _INTEGER_TYPES:
                return int(text)
            if datatype == XSD + "decimal":
                return Decimal(text)
            if datatype in (XSD + "double", XSD + "float"):
                return float(text)
            if datatype == XSD + "boolean":
                return text in ("true", "1")
            if datatype == XSD + "date" and len(text) == 10:
                return _dt.date.fromisoformat(text)
        except (ValueError, InvalidOperation):
            return text
        return text
    return str(term)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class Rows:
    """The answer to a SELECT query: column names and rows of RDF terms, in the query's order."""

    columns: tuple[str, ...]
    terms: tuple[tuple[Any, ...], ...]

    @classmethod
    def from_solutions(cls, solutions: pyoxigraph.QuerySolutions) -> Rows:
        """The rows of Oxigraph's answer to a SELECT query."""
        columns = tuple(v.value for v in solutions.variables)
        terms = tuple(tuple(solution[i] for i in range(len(columns))) for solution in solutions)
        return cls(columns, terms)

    @property
    def rows(self) -> list[tuple[Any, ...]]:
        """The rows as tuples of plain Python values (see `term_value`)."""
        return [tuple(term_value(t) for t in row) for row in self.terms]

    def to_records(self) -> list[dict[str, Any]]:
        """The rows as dicts of plain values: ``pandas.DataFrame(rows.to_records())`` works."""
        return [dict(zip(self.columns, row)) for row in self.rows]

    def to_pandas(self) -> Any:
        """A pandas DataFrame of the rows (pandas must be installed; clustergraph does not need it)."""
        try:
            import pandas  # optional: clustergraph does not depend on it
        except ImportError:
            raise ImportError("to_pandas() needs pandas: pip install pandas") from None
        return pandas.DataFrame(self.to_records(), columns=list(self.columns))

    def __len__(self) -> int:
        return len(self.terms)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_records())

    def __repr__(self) -> str:
        return f"<Rows columns={list(self.columns)} rows={len(self.terms)}>"

    # -- text forms --------------------------------------------------------------------------

    def _text_rows(self, short: bool = False) -> list[list[str]]:
        """Cells as text; with `short`, our resource IRIs in their short form (country/IN)."""
        out = []
        for terms, values in zip(self.terms, self.rows):
            cells = []
            for term, value in zip(terms, values):
                if (
                    short
                    and isinstance(term, pyoxigraph.NamedNode)
                    and term.value.startswith(ID_PREFIX)
                ):
                    cells.append(term.value[len(ID_PREFIX) :])
                else:
                    cells.append(_cell_text(value))
            out.append(cells)
        return out

    def to_csv(self, delimiter: str = ",") -> str:
        """The rows as CSV, a header line first (IRIs in full)."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self._text_rows())
        return buffer.getvalue()

    def to_tsv(self) -> str:
        """The rows as TSV, a header line first; tabs, newlines and backslashes escaped."""

        def clean(text: str) -> str:
            return (
                text.replace("\\", "\\\\")
                .replace("\t", "\\t")
                .replace("\n", "\\n")
                .replace("\r", "\\r")
            )

        lines = ["\t".join(self.columns)]
        lines += ["\t".join(clean(c) for c in row) for row in self._text_rows()]
        return "\n".join(lines) + "\n"

    def to_json(self) -> str:
        """The rows as a JSON list of objects (`to_records`; decimals as numbers, dates as
        ISO text)."""

        def default(value: Any) -> Any:
            if isinstance(value, Decimal):
                return int(value) if value == value.to_integral_value() else float(value)
            if isinstance(value, _dt.date):
                return value.isoformat()
            return str(value)

        return json.dumps(self.to_records(), ensure_ascii=False, indent=2, default=default) + "\n"

    def to_markdown(self) -> str:
        """A Markdown table (our IRIs in short form)."""

        def cell(text: str) -> str:
            return text.replace("|", "\\|").replace("\n", " ")

        lines = ["| " + " | ".join(self.columns) + " |", "|" + "---|" * len(self.columns)]
        lines += [
            "| " + " | ".join(cell(c) for c in row) + " |" for row in self._text_rows(short=True)
        ]
        return "\n".join(lines) + "\n"

    def to_table(self, width: int | None = None) -> str:
        """An aligned text table for people, our IRIs in short form: every value whole, or with
        `width` (a terminal's columns) fitted to it, values cut with "…" and counted in the
        footer (`clustergraph.query.table`)."""
        return text_table(self.columns, self._text_rows(short=True), width)

    def format(self, fmt: str = "table", *, width: int | None = None) -> str:
        """The rows as text: table (fitted to `width` when given), csv, tsv, json or markdown."""
        writers = {
            "table": lambda: self.to_table(width),
            "csv": self.to_csv,
            "tsv": self.to_tsv,
            "json": self.to_json,
            "markdown": self.to_markdown,
        }
        if fmt not in writers:
            raise InputError(f"unknown format {fmt!r} for rows (known: {', '.join(ROW_FORMATS)})")
        return writers[fmt]()


@dataclass(frozen=True)
class Triples:
    """The answer to a CONSTRUCT or DESCRIBE query: triples, sorted so output is deterministic."""

    triples: tuple[Any, ...]

    @classmethod
    def from_iterable(cls, triples: Sequence[Any] | Iterator[Any]) -> Triples:
        """The triples, each once, sorted by their N-Triples text."""
        unique = {str(t): t for t in triples}
        return cls(tuple(unique[k] for k in sorted(unique)))

    def __len__(self) -> int:
        return len(self.triples)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.triples)

    def __repr__(self) -> str:
        return f"<Triples {len(self.triples)}>"

    def to_rdflib(self) -> Any:
        """The triples as an rdflib Graph with our prefixes bound."""
        # rdflib: ~0.12 s to import (python -X importtime); only for this and JSON-LD output
        from rdflib import Graph

        graph = Graph()
        for t in self.triples:
            graph.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        return bind_prefixes(graph)

    def serialize(self, fmt: str = "turtle") -> str:
        """The triples as Turtle, N-Triples or JSON-LD."""
        formats = {
            "turtle": pyoxigraph.RdfFormat.TURTLE,
            "ntriples": pyoxigraph.RdfFormat.N_TRIPLES,
            "jsonld": pyoxigraph.RdfFormat.JSON_LD,
        }
        if fmt not in formats:
            raise InputError(f"unknown format {fmt!r} for RDF (known: {', '.join(RDF_FORMATS)})")
        if fmt == "jsonld":
            return self.to_rdflib().serialize(format="json-ld", indent=2)
        if fmt == "turtle":
            # Our resource IRIs hold a slash, which a prefixed name would have to escape: keep them whole.
            used = {
                p: ns
                for p, ns in PREFIXES.items()
                if p != "cgid" and any(ns in str(t) for t in self.triples)
            }
            data = pyoxigraph.serialize(self.triples, format=formats[fmt], prefixes=used)
        else:
            data = pyoxigraph.serialize(self.triples, format=formats[fmt])
        assert data is not None
        return data.decode("utf-8")
