"""The W3C SPARQL 1.1 query-evaluation and syntax tests (tests/w3c/sparql11/, copied unchanged),
run through `Session` and through raw pyoxigraph.

Each evaluation test gets its own dataset, as the suite says: `qt:data` files in a plain default
graph (`union_default_graph=False`), each `qt:graphData` file in the named graph of its URL, and
the query file's URL as the base IRI (`support.w3c_sparql`). Two checks per test:

* ours equals raw: `Session.sparql` gives what `pyoxigraph.Store.query` gives on the same dataset
  (each difference would be a strict xfail in `OURS_DIFFER`, naming why; there is none);
* ours equals the expected result (the engine's own deviations from the suite are strict xfails
  in `ENGINE_DEVIATIONS`, and raw pyoxigraph fails them the same way, which the first check proves).

Syntax tests: a positive one passes our text check and the parser; a negative one is refused by
our check or by the parser (`REFUSED_BY_CHECK` names those our check refuses before the parser).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from support.w3c_sparql import (
    EvaluationTest,
    SyntaxTest,
    answer_of,
    evaluation_tests,
    expected_answer,
    raw_store,
    same_answer,
    syntax_tests,
)

from clustergraph import Session
from clustergraph.errors import InputError, UnsafeQueryError
from clustergraph.query.safety import check_safe

EVALUATION = {t.name: t for t in evaluation_tests()}
SYNTAX = {t.name: t for t in syntax_tests()}

#: Tests where our answer differs from raw pyoxigraph's, and why (none: kept for the next one).
OURS_DIFFER: dict[str, str] = {}

#: Tests where the engine (raw pyoxigraph too) differs from the suite's expected result, and why.
_ENGINE = "pyoxigraph 0.5.13 (raw, the same answer) "
ENGINE_DEVIATIONS: dict[str, str] = {
    "aggregates/agg-groupconcat-04": _ENGINE + "drops the shared language tag of GROUP_CONCAT",
    "aggregates/agg-groupconcat-06": _ENGINE + "drops the shared language tag of GROUP_CONCAT",
    "aggregates/agg-empty-group-count-graph": _ENGINE + "gives no row for an empty graph in "
                                              "GRAPH ?g { } with COUNT",
    "bindings/graph": _ENGINE + "does not join VALUES ?g inside GRAPH ?g as the suite expects",
    "cast/cast-bool": _ENGINE + "answers another row set than this newer rdf-tests result",
    "cast/cast-int": _ENGINE + "answers another row set than this newer rdf-tests result",
    "cast/cast-float": _ENGINE + "answers another row set than this newer rdf-tests result",
    "cast/cast-double": _ENGINE + "answers another row set than this newer rdf-tests result",
    "cast/cast-decimal": _ENGINE + "answers another row set than this newer rdf-tests result",
    "cast/cast-string": _ENGINE + "answers another row set than this newer rdf-tests result",
    "functions/bnode01": _ENGINE + "gives one blank node for BNODE(str) across solutions "
                         "(SPARQL: a new one per solution)",
    "negation/graph-minus": _ENGINE + "evaluates MINUS inside GRAPH differently",
    "property-path/zero_or_more_set_start": _ENGINE + "gives no zero-length path match for a "
                                            "constant end absent from the data",
    "property-path/zero_or_more_set_end": _ENGINE + "gives no zero-length path match for a "
                                          "constant start absent from the data",
    "property-path/zero_or_one_set_start": _ENGINE + "gives no zero-length path match for a "
                                           "constant end absent from the data",
    "property-path/zero_or_one_set_end": _ENGINE + "gives no zero-length path match for a "
                                         "constant start absent from the data",
    "csv-tsv-res/csv03": _ENGINE + "keeps a literal's datatype that the expected result drops",
    "csv-tsv-res/tsv03": _ENGINE + "types -3 as xsd:integer where the result says negativeInteger",
}

#: Negative syntax tests our text check refuses before any parser sees them, and why.
REFUSED_BY_CHECK: dict[str, str] = {}

#: Positive syntax tests our check refuses by design (the parser accepts them), and why.
REFUSED_BY_DESIGN = {name: "SERVICE: nothing reaches the network (issue #20)"
                     for name in ("syntax-fed/test_1", "syntax-fed/test_2", "syntax-fed/test_3")}


def _ours(test: EvaluationTest, folder: Path) -> object:
    session = Session(files=test.session_files(folder), union_default_graph=False,
                      base_iri=test.base_iri)
    return session.sparql(test.text)


def _raw(test: EvaluationTest) -> object:
    return raw_store(test).query(test.text, base_iri=test.base_iri)


def _marks(name: str, table: dict[str, str]) -> list[pytest.MarkDecorator]:
    return [pytest.mark.xfail(reason=table[name], strict=True)] if name in table else []


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=_marks(n, OURS_DIFFER)) for n in EVALUATION])
def test_w3c_ours_equals_raw(name: str, tmp_path: Path) -> None:
    """Through `Session`, the answer raw pyoxigraph gives on the same dataset and base."""
    test = EVALUATION[name]
    assert same_answer(answer_of(_ours(test, tmp_path)), answer_of(_raw(test)), ordered=test.ordered)


@pytest.mark.parametrize(
    "name", [pytest.param(n, marks=_marks(n, ENGINE_DEVIATIONS)) for n in EVALUATION])
def test_w3c_query_evaluation(name: str, tmp_path: Path) -> None:
    """Through `Session`, the suite's expected result."""
    test = EVALUATION[name]
    assert same_answer(answer_of(_ours(test, tmp_path)), expected_answer(test), ordered=test.ordered)


@pytest.mark.parametrize("name", [n for n, t in SYNTAX.items() if t.positive])
def test_w3c_syntax_positive(name: str) -> None:
    """A positive syntax test passes our check and parses (pyoxigraph's parser, as `Session`)."""
    test = SYNTAX[name]
    text = test.query.read_text(encoding="utf-8")
    if name in REFUSED_BY_DESIGN:  # not run on pyoxigraph either: that would be a SERVICE call
        with pytest.raises(UnsafeQueryError):
            check_safe(text)
        return
    check_safe(text)
    try:
        ox.Store().query(text, base_iri=SUITE_BASE)
    except RuntimeError as exc:  # parsed; evaluation refused (an unknown extension function)
        assert "not supported" in str(exc)


@pytest.mark.parametrize("name", [n for n, t in SYNTAX.items() if not t.positive])
def test_w3c_syntax_negative(name: str) -> None:
    """A negative syntax test is refused: by our check (`REFUSED_BY_CHECK`) or by the parser."""
    test = SYNTAX[name]
    text = test.query.read_text(encoding="utf-8")
    if name in REFUSED_BY_CHECK:
        with pytest.raises((InputError, UnsafeQueryError)):
            check_safe(text)
        return
    check_safe(text)
    with pytest.raises(SyntaxError):
        ox.Store().query(text, base_iri=SUITE_BASE)


SUITE_BASE = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/syntax-query/"
