"""Competency questions: the questions the graph was built to answer, each a SPARQL query with
its expected answer, run on the shipped graph by two independent engines (rdflib and Oxigraph).

Add a question by adding `tests/competency/cqNN-some-question.rq` (its first comment line is the
question) and the expected rows as `cqNN-some-question.csv` beside it.
"""

from __future__ import annotations

import csv
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from support.paths import COMPETENCY

COMPETENCY_DIR = COMPETENCY
QUESTIONS = sorted(COMPETENCY_DIR.glob("*.rq"))


def canonical(cell: str) -> str:
    """Numbers compare by value (engines write 33, 33.0 or 3.3E1 alike); other text as is."""
    try:
        number = Decimal(cell)
    except InvalidOperation:
        return cell
    if not number.is_finite():
        return cell
    return format(number.normalize(), "f")


def canonical_rows(table: tuple[list[str], list[list[str]]]) -> tuple[list[str], list[list[str]]]:
    columns, rows = table
    return columns, [[canonical(cell) for cell in row] for row in rows]


def expected_rows(query_file: Path) -> tuple[list[str], list[list[str]]]:
    with query_file.with_suffix(".csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    return canonical_rows((rows[0], rows[1:]))


def rdflib_rows(graph, query: str) -> tuple[list[str], list[list[str]]]:
    result = graph.query(query)
    columns = [str(v) for v in result.vars]
    return columns, [["" if value is None else str(value) for value in row] for row in result]


def oxigraph_rows(store, query: str) -> tuple[list[str], list[list[str]]]:
    solutions = store.query(query)
    columns = [v.value for v in solutions.variables]
    rows = []
    for solution in solutions:
        row = []
        for column in columns:
            term = solution[column]
            row.append("" if term is None else term.value)
        rows.append(row)
    return columns, rows


@pytest.fixture(scope="module")
def shipped_store():
    from clustergraph.files import paths
    from clustergraph.files.load import load_store

    return load_store([paths.ontology_file(), *paths.data_files()])


def test_there_are_competency_questions():
    assert len(QUESTIONS) >= 5


@pytest.mark.parametrize("query_file", QUESTIONS, ids=[q.stem for q in QUESTIONS])
def test_competency_question_rdflib(query_file: Path, shipped_graph):
    """The graph answers the question, by rdflib's engine, with exactly the expected rows."""
    assert canonical_rows(rdflib_rows(shipped_graph, query_file.read_text())) == expected_rows(query_file)


@pytest.mark.parametrize("query_file", QUESTIONS, ids=[q.stem for q in QUESTIONS])
def test_competency_question_oxigraph(query_file: Path, shipped_store):
    """The same question, by Oxigraph's engine, gives the same rows."""
    assert canonical_rows(oxigraph_rows(shipped_store, query_file.read_text())) == expected_rows(query_file)
