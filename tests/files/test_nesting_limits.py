"""Deeply nested JSON-LD and RDF/XML are refused before a parser recurses on them (#20).

Before: `export` of a JSON-LD file nested 5,000 levels deep failed with an internal error
(RecursionError in `json`, exit 3) and pyoxigraph's JSON-LD parser crashed the process from about
4,000 levels; RDF/XML nested 100,000 levels deep took 254 s (pyoxigraph's parser is quadratic in
depth). Now both are exit 2 naming the file and the line where the limit is passed, at once.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from clustergraph.files.nesting import MAX_NESTING, json_too_deep, xml_too_deep
from support.cli_runner import INSTALLED

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def _jsonld(depth: int) -> str:
    return ('{"@id": "http://example.org/x", "http://example.org/p": '
            + '{"http://example.org/p": ' * depth + '"v"' + "}" * depth + "}\n")


def _rdfxml(depth: int) -> str:
    return (f'<?xml version="1.0"?>\n<rdf:RDF xmlns:rdf="{RDF}" xmlns:e="http://example.org/">\n'
            '<rdf:Description rdf:about="http://example.org/x">\n'
            + '<e:p rdf:parseType="Resource">\n' * depth + "<e:q>v</e:q>"
            + "</e:p>" * depth + "\n</rdf:Description>\n</rdf:RDF>\n")


FILES = {
    "JSON-LD 5,000 deep (exit 3 before)": ("deep.jsonld", _jsonld(5000), 1),
    "RDF/XML 100,000 deep (254 s before)": ("deep.rdf", _rdfxml(100_000), MAX_NESTING + 2),
}


@pytest.mark.parametrize("case", list(FILES))
def test_a_file_nested_past_the_limit_is_refused_naming_its_line(tmp_path: Path, case: str) -> None:
    name, text, line = FILES[case]
    path = tmp_path / name
    path.write_text(text)
    done = subprocess.run([str(INSTALLED), "export", "--data", str(path), "-f", "ntriples"],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 2, done.stderr[-500:]
    assert f"{path}:{line}:" in done.stderr
    assert f"more than {MAX_NESTING} levels deep" in done.stderr
    assert done.stdout == "" and "Traceback" not in done.stderr


@pytest.mark.parametrize("name,text", [("ok.jsonld", _jsonld(100)), ("ok.rdf", _rdfxml(100))])
def test_a_file_nested_within_the_limit_is_read(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    done = subprocess.run([str(INSTALLED), "export", "--data", str(path), "-f", "ntriples",
                           "--include", "data"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr[-500:]
    assert len(done.stdout.splitlines()) == 101  # a chain of 100 blank nodes, then "v"


SCANS = {
    # JSON: brackets inside strings (escaped quotes included) do not count
    ('["[[[[", "\\"[[[["]', "json"): None,
    ("[" * (MAX_NESTING + 1), "json"): 1,
    ("[\n" * MAX_NESTING + "]" * MAX_NESTING, "json"): None,
    ('"unterminated [[[[' + "[" * 1000, "json"): None,
    # XML: comments, CDATA, declarations, instructions and self-closed tags do not count
    ("<a>" * MAX_NESTING + "<!-- <b><b> --><![CDATA[<c><c>]]><?pi <d>?><e/>", "xml"): None,
    ("<a x='>'>\n" * (MAX_NESTING + 1), "xml"): MAX_NESTING + 1,
    ("<!-- unterminated " + "<a>" * 1000, "xml"): None,
}


@pytest.mark.parametrize("text,syntax", list(SCANS))
def test_the_nesting_scan_counts_only_structure(text: str, syntax: str) -> None:
    scan = json_too_deep if syntax == "json" else xml_too_deep
    assert scan(text.encode()) == SCANS[text, syntax]
