"""Writers of query answers in the SPARQL 1.1 result formats, for at most `max_rows` rows.

Oxigraph serialises whole answers; a public endpoint must stop at a row limit, so the rows are
read up to the limit and written here: SPARQL Results JSON and XML, CSV and TSV, and booleans in
JSON and XML. Graphs go through `clustergraph.export.serialize_triples` (Turtle, N-Triples,
JSON-LD), the writer the export and the site use.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from clustergraph.export import serialize_triples

__all__ = ["write_boolean", "write_rows", "write_triples", "ROW_WRITERS"]

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"
_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"


def _kind(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return "uri"
    if isinstance(term, ox.BlankNode):
        return "bnode"
    if isinstance(term, ox.Literal):
        return "literal"
    return "triple"


def _json_term(term: Any) -> dict[str, Any]:
    kind = _kind(term)
    if kind == "triple":
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    out: dict[str, Any] = {"type": kind, "value": term.value}
    if kind == "literal":
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value not in (_XSD_STRING, _LANG_STRING):
            out["datatype"] = term.datatype.value
    return out


def _rows_json(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    bindings = [
        {name: _json_term(t) for name, t in zip(columns, row) if t is not None} for row in rows
    ]
    return json.dumps({"head": {"vars": list(columns)}, "results": {"bindings": bindings}},
                      ensure_ascii=False)


def _xml_term(term: Any) -> str:
    kind = _kind(term)
    if kind == "uri":
        return f"<uri>{escape(term.value)}</uri>"
    if kind == "bnode":
        return f"<bnode>{escape(term.value)}</bnode>"
    if kind == "literal":
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return (f"<triple><subject>{_xml_term(term.subject)}</subject><predicate>"
            f"{_xml_term(term.predicate)}</predicate><object>{_xml_term(term.object)}</object></triple>")


def _rows_xml(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = [f'<?xml version="1.0"?>\n<sparql xmlns="{_RESULTS_NS}"><head>']
    out += [f"<variable name={quoteattr(name)}/>" for name in columns]
    out.append("</head><results>")
    for row in rows:
        out.append("<result>")
        out += [f"<binding name={quoteattr(name)}>{_xml_term(t)}</binding>"
                for name, t in zip(columns, row) if t is not None]
        out.append("</result>")
    out.append("</results></sparql>\n")
    return "".join(out)


def _csv_cell(term: Any) -> str:
    if term is None:
        return ""
    kind = _kind(term)
    if kind == "bnode":
        return "_:" + term.value
    if kind == "triple":
        return str(term)
    return str(term.value)


def _rows_csv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    writer.writerows([_csv_cell(t) for t in row] for row in rows)
    return buffer.getvalue()


def _rows_tsv(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    # TSV cells are terms in SPARQL/N-Triples syntax, as Oxigraph writes them.
    lines = ["\t".join("?" + name for name in columns)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in rows]
    return "\n".join(lines) + "\n"


ROW_WRITERS = {"json": _rows_json, "xml": _rows_xml, "csv": _rows_csv, "tsv": _rows_tsv}


def write_rows(fmt: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> bytes:
    """SELECT rows in a SPARQL results format (json, xml, csv, tsv)."""
    return ROW_WRITERS[fmt](columns, rows).encode("utf-8")


def write_boolean(fmt: str, value: bool) -> bytes:
    """An ASK answer in SPARQL Results JSON or XML."""
    text = "true" if value else "false"
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="{_RESULTS_NS}"><head/>'
                f"<boolean>{text}</boolean></sparql>\n").encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


def write_triples(fmt: str, triples: Sequence[Any]) -> bytes:
    """Triples as Turtle, N-Triples or JSON-LD (compacted with the shipped context)."""
    return serialize_triples(triples, fmt)
