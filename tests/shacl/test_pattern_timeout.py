"""A catastrophic `sh:pattern` cannot hold `validate` (issue #20, finding 6).

A pattern that repeats a repetition, such as `^(a|aa)+$`, backtracks exponentially on a value
it almost matches: with Python's `re`, 60 characters took hours, on both engines. Each value
may now take `clustergraph.shacl.patterns.PATTERN_TIME_LIMIT` (1 s of CPU time) per pattern; one that
takes longer stops `validate` with exit 2, naming the shape, the focus node and the value, on
every engine path. The pattern of the report (`^(a+)+$`) is answered outright.

Run through the installed command with a 30 s bound, where each case ran past 100 s before.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl.constraints.core.string_based_constraints import PatternConstraintComponent
from support.pattern_cases import ENGINE_PATHS, validate, write_case

from clustergraph.validation.pyshacl_patterns import bounded_patterns

#: patterns that backtrack exponentially on the value -> (pattern, sh:flags, value)
CATASTROPHIC = {
    "overlapping alternatives repeated": ("^(a|aa)+$", "", "a" * 60 + "!"),
    "the same, with sh:flags": ("^(a|aa)+$", "i", "A" * 60 + "!"),
}


@pytest.mark.parametrize("engine", list(ENGINE_PATHS))
@pytest.mark.parametrize("case", list(CATASTROPHIC))
def test_a_value_that_takes_the_pattern_too_long_stops_validate_naming_shape_focus_and_value(
    case: str, engine: str, tmp_path: Path
):
    pattern, flags, value = CATASTROPHIC[case]
    data, shapes = write_case(tmp_path, pattern, flags, value)
    done = validate(data, shapes, ENGINE_PATHS[engine])
    assert done.returncode == 2, done.stdout + done.stderr
    error = done.stderr
    assert "took more than 1 s" in error
    assert f'sh:pattern "{pattern}"' in error
    assert "shape <http://example.org/NameShape>" in error
    assert "sh:path <http://example.org/name>" in error
    assert "focus node <http://example.org/x>" in error
    assert value[:20] in error
    assert "Traceback" not in error and "internal error" not in error


@pytest.mark.parametrize("engine", list(ENGINE_PATHS))
def test_the_pattern_of_the_report_is_answered_not_hung_on(engine: str, tmp_path: Path):
    data, shapes = write_case(tmp_path, "^(a+)+$", "", "a" * 70 + "!")
    done = validate(data, shapes, ENGINE_PATHS[engine])
    assert done.returncode == 1, done.stdout + done.stderr  # the value does not match
    assert "PatternConstraintComponent" in done.stdout


#: a pattern, its sh:flags, a value -> whether the value matches (the same on every engine path)
ANSWERED = {
    "case ignored with i": ("^abc$", "i", "ABC", True),
    "case kept without flags": ("^abc$", "", "ABC", False),
    "plain text with q": ("a.c", "q", "xa.cx", True),
    "plain text with q: the dot is a dot": ("a.c", "q", "abc", False),
    "a back-reference": ("^(ab)\\\\1$", "", "abab", True),
    "a Unicode property": ("^\\\\p{L}+$", "", "été", True),
}


@pytest.mark.parametrize("engine", ["oxigraph (the default)", "pyshacl"])  # inference: no change
@pytest.mark.parametrize("case", list(ANSWERED))
def test_patterns_and_flags_keep_their_meaning(case: str, engine: str, tmp_path: Path):
    pattern, flags, value, matches = ANSWERED[case]
    data, shapes = write_case(tmp_path, pattern, flags, value)
    done = validate(data, shapes, ENGINE_PATHS[engine])
    assert done.returncode == (0 if matches else 1), done.stdout + done.stderr


def test_pyshacl_has_its_own_matcher_back_after_the_block_however_it_ends():
    own = {name: PatternConstraintComponent.__dict__[name]
           for name in ("__init__", "_evaluate_string_rule")}
    with pytest.raises(KeyboardInterrupt), bounded_patterns():
        assert PatternConstraintComponent.__dict__["__init__"] is not own["__init__"]
        raise KeyboardInterrupt
    assert {name: PatternConstraintComponent.__dict__[name] for name in own} == own


SPARQL_SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:NameShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:sparql [ sh:message "name" ; sh:select \"\"\"
        SELECT $this ?value WHERE {{ $this <http://example.org/name> ?value .
            FILTER({test}) }}\"\"\" ] .
"""

#: SPARQL functions matching the catastrophic pattern inside a SHACL-SPARQL constraint
SPARQL_FUNCTIONS = {
    "REGEX": "REGEX(?value, '^(a|aa)+$')",
    "REPLACE": "REPLACE(?value, '^(a|aa)+$', 'x') = ?value",
}


@pytest.mark.parametrize("engine", list(ENGINE_PATHS))
@pytest.mark.parametrize("function", list(SPARQL_FUNCTIONS))
def test_a_catastrophic_regex_in_shapes_sparql_is_bounded_too(
    function: str, engine: str, tmp_path: Path
):
    """rdflib (pySHACL's path) evaluates REGEX and REPLACE with `re`: 60 characters ran for
    hours; Oxigraph's engine answers at once."""
    data, _ = write_case(tmp_path, "x", "", "a" * 60 + "!")
    shapes = tmp_path / "sparql-shapes.ttl"
    shapes.write_text(SPARQL_SHAPES.format(test=SPARQL_FUNCTIONS[function]), encoding="utf-8")
    done = validate(data, shapes, ENGINE_PATHS[engine])
    if ENGINE_PATHS[engine]:  # pySHACL's path: stopped at the limit
        assert done.returncode == 2, done.stdout + done.stderr
        assert "took more than 1 s of CPU time" in done.stderr
        assert "^(a|aa)+$" in done.stderr
    else:
        assert done.returncode in (0, 1), done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
