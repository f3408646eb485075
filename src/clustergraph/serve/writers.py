"""Writers of query answers in the SPARQL 1.1 result formats, for at most `max_rows` rows.

Oxigraph serialises whole answers; a public endpoint must stop at a row limit, so the rows are
read up to the limit and written here: SPARQL Results JSON and XML, CSV and TSV, for rows and for
booleans (CSV/TSV booleans as Oxigraph writes them: `true` or `false`). Graphs: Turtle,
N-Triples and RDF/XML through `clustergraph.export.serialize_triples` (the writer the export and
the site use), TriG and N-Quads through Oxigraph (the triples in the default graph), JSON-LD
compacted with the shipped context *embedded* (so a reader needs no network), RDF/JSON, and
CSV/TSV tables with the columns subject, predicate, object (YASGUI offers them for graphs).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from functools import lru_cache
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from clustergraph.export import load_context, serialize_triples
from clustergraph.export.jsonld import jsonld_chunks
from clustergraph.export.rdf import oxigraph_chunks

__all__ = ["GRAPH_FORMATS", "ROW_WRITERS", "write_boolean", "write_rows", "write_triples"]

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
    """An ASK answer in SPARQL Results JSON or XML, or CSV/TSV (`true` / `false`, as Oxigraph)."""
    text = "true" if value else "false"
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="{_RESULTS_NS}"><head/>'
                f"<boolean>{text}</boolean></sparql>\n").encode()
    if fmt in ("csv", "tsv"):
        return text.encode()
    return json.dumps({"head": {}, "boolean": value}).encode()


@lru_cache(maxsize=1)
def _context_text() -> str:
    """The shipped JSON-LD context, read once per process."""
    return json.dumps(load_context())


def _jsonld(triples: Sequence[Any]) -> bytes:
    # A fresh copy of the context each time: the compactor keys its cache on the object.
    return b"".join(jsonld_chunks(triples, context=json.loads(_context_text()), inline=True))


def _rdf_json_term(term: Any) -> dict[str, str]:
    kind = _kind(term)
    if kind == "triple":
        raise ValueError("RDF/JSON cannot hold a quoted triple")
    out = {"type": kind, "value": term.value}
    if kind == "literal":
        if term.language:
            out["lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
    return out


def _rdf_json(triples: Sequence[Any]) -> bytes:
    """RDF/JSON (W3C Note, as YASGUI asks for it): subject -> predicate -> [objects]."""
    document: dict[str, dict[str, list[dict[str, str]]]] = {}
    for t in triples:
        if _kind(t.subject) == "triple":
            raise ValueError("RDF/JSON cannot hold a quoted triple")
        subject = ("_:" + t.subject.value) if isinstance(t.subject, ox.BlankNode) else t.subject.value
        document.setdefault(subject, {}).setdefault(t.predicate.value, []).append(
            _rdf_json_term(t.object))
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _oxigraph(fmt: Any, name: str) -> Any:
    def write(triples: Sequence[Any]) -> bytes:
        return b"".join(oxigraph_chunks(triples, fmt, name))
    return write


def _table(fmt: str) -> Any:
    def write(triples: Sequence[Any]) -> bytes:
        rows = [(t.subject, t.predicate, t.object) for t in triples]
        return write_rows(fmt, ("subject", "predicate", "object"), rows)
    return write


def _exported(fmt: str) -> Any:
    def write(triples: Sequence[Any]) -> bytes:
        return serialize_triples(triples, fmt)
    return write


#: The graph writers by name.
GRAPH_FORMATS = {
    "turtle": _exported("turtle"),
    "ntriples": _exported("ntriples"),
    "rdfxml": _exported("rdfxml"),
    "jsonld": _jsonld,
    "nquads": lambda triples: ox.serialize(triples, format=ox.RdfFormat.N_QUADS) or b"",
    "trig": _oxigraph(ox.RdfFormat.TRIG, "trig"),
    "rdfjson": _rdf_json,
    "csv": _table("csv"),
    "tsv": _table("tsv"),
}


def write_triples(fmt: str, triples: Sequence[Any]) -> bytes:
    """Triples (sorted) in one of `GRAPH_FORMATS`; a graph the format cannot hold (RDF/XML and a
    predicate that has no XML name) is a `ValueError` saying so."""
    return GRAPH_FORMATS[fmt](triples)
