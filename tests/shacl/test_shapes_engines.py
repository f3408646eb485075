"""pySHACL is the reference; clustergraph's fast Oxigraph engine must agree with it.

Every SHACL test case under tests/shapes/ is validated by both engines, and the results must be
the same multiset of (focus node, path, constraint component, severity). Blank-node focus nodes
are compared as blank nodes, since their labels differ between engines.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
import support.shacl_support as s
from rdflib import BNode, Literal

from clustergraph.validation import validate

CASES = s.case_files()


def reference_keys(outcome: s.Outcome) -> Counter:
    keys = Counter()
    for result in outcome.results:
        focus = ("_:" if isinstance(result.focus, BNode)
                 else result.focus.n3() if isinstance(result.focus, Literal) else str(result.focus))
        keys[(focus, result.path, s.short(result.component), s.short(result.severity))] += 1
    return keys


def oxigraph_keys(case_file: Path, tmp_path: Path) -> Counter:
    case = s.load_case(case_file)
    data_file = tmp_path / f"{case_file.stem}.nt"
    case.data.serialize(data_file, format="nt", encoding="utf-8")
    shapes = s.shapes_file_for(case, tmp_path)
    report = validate([data_file], engine="oxigraph", shapes=shapes, check_shapes=False, queries=False)
    keys = Counter()
    for result in report.results:
        focus = "_:" if result.focus_node.startswith("_:") else result.focus_node
        keys[(focus, result.path, result.component, "sh:" + result.severity)] += 1
    return keys


@pytest.mark.parametrize("case_file", CASES, ids=[c.stem for c in CASES])
def test_oxigraph_engine_agrees_with_pyshacl(case_file: Path, tmp_path: Path):
    _, outcome = s.run_case(case_file)
    expected = reference_keys(outcome)
    found = oxigraph_keys(case_file, tmp_path)
    assert found == expected, (
        f"only pySHACL: {sorted((expected - found).elements())}\n"
        f"only the Oxigraph engine: {sorted((found - expected).elements())}"
    )


@pytest.mark.slow
def test_the_engines_agree_on_the_shipped_graph():
    ours = validate(engine="oxigraph", check_shapes=False, queries=False)
    reference = validate(engine="pyshacl", check_shapes=False, queries=False)
    key = lambda r: (r.focus_node, r.path, r.component, r.severity)  # noqa: E731
    assert sorted(map(key, ours.results)) == sorted(map(key, reference.results))
