"""Readers the serve tests parse answers with, as clients read them: pyld with every remote load
refused (JSON-LD must be self-contained), rapper from raptor2-utils, rdflib. (No tests here.)"""

from __future__ import annotations

import json
import subprocess

import rdflib


def _no_network(url: str, options: object = None) -> object:
    raise AssertionError(f"pyld tried to load {url}: the JSON-LD is not self-contained")


def jsonld_graph(body: bytes) -> rdflib.Graph:
    """JSON-LD read by pyld with every remote load refused, as an rdflib graph."""
    from pyld import jsonld

    document = json.loads(body)
    assert not isinstance(document.get("@context"), str), "the context is named, not embedded"
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads", "documentLoader": _no_network})
    return rdflib.Graph().parse(data=nquads, format="nquads")


def quads_as_graph(body: bytes, fmt: str) -> rdflib.Graph:
    """N-Quads or TriG (rdflib's parsers), every graph's triples in one graph."""
    dataset = rdflib.Dataset()
    dataset.parse(data=body, format=fmt)
    return rdflib.Graph().parse(data=dataset.serialize(format="nt"), format="nt")


def rapper_count(fmt: str, body: bytes) -> int:
    """How many triples rapper (raptor2-utils) reads; fails the test on any parse error."""
    done = subprocess.run(["rapper", "-c", "-i", fmt, "-", "http://example.org/base"],
                          input=body, capture_output=True, timeout=60, check=False)
    report = done.stderr.decode()
    assert done.returncode == 0 and "Error" not in report, report
    return int(report.split("Parsing returned")[1].split()[0])
