"""A number is a number, within its bounds, on the command line: `clustergraph query -p`.

Data-driven from the catalogue: every numeric parameter of every stored query is tried at each of
its declared bounds (accepted, or refused for an exclusive one), just past it (exit 2 naming the
parameter and the bound), in exponent notation (the same rows as the plain number), and past
what the query engine holds (exit 2 naming the limit, never 0 rows and exit 0). A parameter with
a closed set of values (``#+ enumerate:``) refuses any other. The JSON Schema the API publishes
for each parameter (`clustergraph.query.json_schema`) accepts exactly the numbers bound here.
"""

from __future__ import annotations

import json
import struct
from decimal import Context, Decimal

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.cli_runner import run_in_process, run_installed

from clustergraph.errors import ParameterError
from clustergraph.query.catalogue import Parameter, StoredQuery, load_catalogue
from clustergraph.query.json_schema import parameter_schema
from clustergraph.query.parameters import DECIMAL_PLACES, number_limits

CATALOGUE = load_catalogue()
#: A query with a parameter of each numeric type the convention allows (none is stored yet).
NUMBERS = StoredQuery.from_text(
    "#+ bounds:\n#+   - bounded: {minInclusive: 1, maxExclusive: 1000}\n"
    "SELECT * WHERE { ?s ?p ?_n_number, ?_i_xsd_integer, ?_bounded_integer, ?_d_xsd_double, "
    "?_f_xsd_float, ?_x_xsd_decimal }",
    name="numbers",
)
#: Arithmetic on bounds without rounding (the default context keeps 28 digits).
EXACT = Context(prec=400)
NUMERIC = [(q, p) for q in CATALOGUE for p in q.parameters if p.numeric]
BOUNDED = [(q, p) for q, p in NUMERIC if p.bounds is not None]
ENUMERATED = [(q, p) for q in CATALOGUE for p in q.parameters if p.enum]
#: The smallest step of each numeric datatype that the engine tells apart.
STEP = {"xsd:decimal": Decimal(1).scaleb(-DECIMAL_PLACES), "xsd:integer": Decimal(1)}


def _ids(pairs: list[tuple[StoredQuery, Parameter]]) -> list[str]:
    return [f"{q.name}:{p.name}" for q, p in pairs]


def _bound_cases() -> list[tuple[StoredQuery, Parameter, str, bool, str]]:
    """(query, parameter, value, accepted, words of the bound) for each declared bound: the
    bound itself, and one step past it (or inside it, for an exclusive bound)."""
    cases = []
    for q, p in BOUNDED:
        assert p.bounds is not None
        step = STEP[p.type_name]
        for facet, bound in p.bounds.facets().items():
            outward = -step if facet.startswith("min") else step
            exclusive = facet.endswith("Exclusive")
            cases.append((q, p, str(bound), not exclusive, p.bounds.text))
            cases.append((q, p, str(EXACT.add(bound, outward)), False, p.bounds.text))
            if exclusive:
                cases.append((q, p, str(EXACT.subtract(bound, outward)), True, p.bounds.text))
    return cases


BOUND_CASES = _bound_cases()


def _query(capsys: pytest.CaptureFixture[str], q: StoredQuery, **values: str) -> tuple[int, str, str]:
    args = [arg for name, value in values.items() for arg in ("-p", f"{name}={value}")]
    return run_in_process(capsys, "query", q.name, *args, "--format", "json")


def test_every_stored_query_with_bounds_is_tried() -> None:
    assert {q.name for q, _ in BOUNDED} >= {"clusters-near", "clusters-in-box"}
    assert len(BOUND_CASES) >= 2 * len(BOUNDED)


@pytest.mark.parametrize(("query", "param", "value", "accepted", "words"), BOUND_CASES,
                         ids=[f"{q.name}:{p.name}={v}" for q, p, v, _, _ in BOUND_CASES])
def test_a_value_at_its_bound_runs_and_one_past_it_is_exit_2_naming_the_bound(
        capsys: pytest.CaptureFixture[str], query: StoredQuery, param: Parameter, value: str,
        accepted: bool, words: str) -> None:
    code, out, err = _query(capsys, query, **{param.name: value})
    if accepted:
        assert code == 0, err
        assert isinstance(json.loads(out), list)
    else:
        assert code == 2, out
        assert f"parameter {param.name!r}: {value} is out of bounds: it must be {words}" in err


@pytest.mark.parametrize(("query", "param"), NUMERIC, ids=_ids(NUMERIC))
def test_exponent_notation_is_the_same_number(capsys: pytest.CaptureFixture[str],
                                              query: StoredQuery, param: Parameter) -> None:
    plain = param.default or "1"
    number = Decimal(plain)
    exponent = f"{number.scaleb(-2)}e2" if number else "0e5"  # 250 -> 2.50e2
    assert "e" in exponent
    code, expected, err = _query(capsys, query, **{param.name: plain})
    assert code == 0, err
    code, got, err = _query(capsys, query, **{param.name: exponent})
    assert code == 0, err
    assert json.loads(got) == json.loads(expected)


def test_radius_1e2_is_100_km(capsys: pytest.CaptureFixture[str]) -> None:
    near = CATALOGUE["clusters-near"]
    code, hundred, _ = _query(capsys, near, radiusKm="100")
    assert code == 0
    for spelling in ("1e2", "1E2", "1e+2", "10e1", "1000e-1", "100.0", "0.1e3"):
        code, got, err = _query(capsys, near, radiusKm=spelling)
        assert (code, json.loads(got)) == (0, json.loads(hundred)), (spelling, err)
    assert json.loads(hundred), "some cluster lies within 100 km of the default point"


def _past_the_engine(p: Parameter) -> list[str]:
    """Values no engine literal holds: one past the largest (and smallest) number of its
    datatype, one digit too many after the point, an exponent past any."""
    local = "double" if p.kind == "number" else p.type_name.removeprefix("xsd:")
    low, high = number_limits(local)
    values = [str(EXACT.add(high, 1)), str(EXACT.subtract(low, 1)), "1e999999999999999999999"]
    if local == "decimal":
        values.append("0." + "0" * DECIMAL_PLACES + "1")
    return values


ENGINE_CASES = [(q, p, v) for q, p in NUMERIC for v in _past_the_engine(p)]


@pytest.mark.parametrize(("query", "param", "value"), ENGINE_CASES,
                         ids=[f"{q.name}:{p.name}={v[:12]}" for q, p, v in ENGINE_CASES])
def test_a_number_the_engine_cannot_hold_is_exit_2_never_zero_rows(
        capsys: pytest.CaptureFixture[str], query: StoredQuery, param: Parameter, value: str) -> None:
    code, out, err = _query(capsys, query, **{param.name: value})
    assert code == 2, out
    assert f"parameter {param.name!r}: " in err
    assert any(words in err for words in ("out of bounds", "out of range", "after the point"))


def test_the_issues_radius_is_exit_2_naming_the_engines_limit() -> None:
    """#21: radiusKm=170141183460469231732 gave 0 rows and exit 0 (the engine's decimals end at
    170141183460469231731.687...); through the installed command."""
    code, out, err = run_installed("query", "clusters-near", "-p", "radiusKm=170141183460469231732")
    assert code == 2, out
    assert "parameter 'radiusKm': 170141183460469231732 is out of range" in err
    assert "170141183460469231731" in err.split("out of range", 1)[1]
    code, out, err = run_installed("query", "clusters-near", "-p", "radiusKm=1e2", "--format", "json")
    assert code == 0, err
    assert json.loads(out)


@pytest.mark.parametrize("value", ["٢٥٠", "２５０", "250\n1", "1e", "e2", "0x10", "1_000", "NaN", "INF",
                                   "", " "])
def test_what_is_no_number_is_exit_2(capsys: pytest.CaptureFixture[str], value: str) -> None:
    code, out, err = _query(capsys, CATALOGUE["clusters-near"], radiusKm=value)
    assert code == 2, out
    assert "parameter 'radiusKm'" in err


def test_digits_of_other_scripts_are_no_year(capsys: pytest.CaptureFixture[str]) -> None:
    """Python's \\d matches them, no RDF store reads them: they once gave 0 rows and exit 0."""
    code, out, err = _query(capsys, CATALOGUE["clusters-joined-in-year"], year="٢٠٢٥")
    assert code == 2, out
    assert "parameter 'year'" in err


@pytest.mark.parametrize(("query", "param"), ENUMERATED, ids=_ids(ENUMERATED))
def test_a_closed_set_of_values_refuses_any_other(capsys: pytest.CaptureFixture[str],
                                                 query: StoredQuery, param: Parameter) -> None:
    for value in param.enum:
        assert param.to_term(value).value == value
    typo = param.enum[-1][:-1] + "x"
    code, out, err = _query(capsys, query, **{param.name: typo})
    assert code == 2, out
    assert f"parameter {param.name!r}: {typo!r} is not one of its values" in err
    assert f"did you mean <{param.enum[-1]}>?" in err


# --- the published schema accepts exactly the numbers that are bound ----------------------------

def _reads_as_zero(text: str, param: Parameter) -> bool:
    value = float(text)
    if param.type_name == "xsd:float":
        value = struct.unpack("<f", struct.pack("<f", value))[0] if abs(value) < 3.4e38 else value
    return value == 0 and Decimal(text) != 0


def _places(text: str) -> int:
    exponent = Decimal(text).normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


@pytest.mark.parametrize(("name", "value", "term"), [
    ("n", "42", '"42"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("n", "1.5", '"1.5"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("n", "1e2", '"1e2"^^<http://www.w3.org/2001/XMLSchema#double>'),
    ("n", "9223372036854775808", '"9223372036854775808"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("n", "1" + "0" * 25, '"1' + "0" * 25 + '"^^<http://www.w3.org/2001/XMLSchema#double>'),
    ("i", "1e2", '"100"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("i", "100.0", '"100"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    ("x", "1e2", '"100"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("x", "-1.50e-1", '"-0.15"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("x", "0.100000000000000000000", '"0.1"^^<http://www.w3.org/2001/XMLSchema#decimal>'),
    ("d", "1e308", '"1e308"^^<http://www.w3.org/2001/XMLSchema#double>'),
    ("d", "INF", '"INF"^^<http://www.w3.org/2001/XMLSchema#double>'),
    ("f", "3e38", '"3e38"^^<http://www.w3.org/2001/XMLSchema#float>'),
])
def test_each_numeric_type_binds_the_literal_the_engine_reads(name: str, value: str, term: str) -> None:
    assert str(NUMBERS.parameter(name).to_term(value)) == term


@pytest.mark.parametrize(("name", "value", "words"), [
    ("n", "1e400", ("1e400 is out of range: an xsd:double value must be between "
                   "-1.7976931348623157e+308 and 1.7976931348623157e+308")),
    ("n", "1e-400", "1e-400 is too close to 0 for an xsd:double"),
    ("n", "INF", "'INF' is not a number"),
    ("i", "9223372036854775808", ("9223372036854775808 is out of range: an xsd:integer value must "
                                 "be between -9223372036854775808 and 9223372036854775807")),
    ("i", "1.5", "'1.5' is not a whole number"),
    ("bounded", "1000", "1000 is out of bounds: it must be at least 1 and less than 1000"),
    ("bounded", "0.99e0", "0.99e0 is out of bounds: it must be at least 1 and less than 1000"),
    ("f", "1e39", "1e39 is out of range: an xsd:float value must be between"),
    ("f", "1e-50", "1e-50 is too close to 0 for an xsd:float"),
    ("x", "1e-19", "1e-19 has 19 digits after the point; the query engine keeps 18"),
])
def test_each_numeric_type_refuses_what_the_engine_would_misread(name: str, value: str,
                                                                 words: str) -> None:
    with pytest.raises(ParameterError) as info:
        NUMBERS.parameter(name).to_term(value)
    assert str(info.value).startswith(f"parameter {name!r}: {words}")


PROPERTY_PARAMS = NUMERIC + [(NUMBERS, p) for p in NUMBERS.parameters]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
@pytest.mark.parametrize(("query", "param"), PROPERTY_PARAMS, ids=_ids(PROPERTY_PARAMS))
def test_the_schema_accepts_exactly_what_the_parameter_binds(query: StoredQuery, param: Parameter,
                                                              data: st.DataObject) -> None:
    """Numbers as a JSON client writes them (Python's repr: 1e-05, 1.7e+20, 250.0), and numbers
    near each bound, are valid for the schema exactly when `to_term` binds them (the decimal
    places the engine keeps are the one rule the schema states in words)."""
    schema = parameter_schema(param)
    near = [Decimal(str(v)) for k, v in schema.items() if "imum" in k]
    number = data.draw(st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.integers(min_value=-(10**25), max_value=10**25),
        st.sampled_from(near).flatmap(lambda b: st.sampled_from(
            [b, EXACT.subtract(b, STEP.get(param.type_name, 1)), EXACT.add(b, STEP.get(param.type_name, 1))])),
    ))
    text = repr(number) if isinstance(number, float) else str(number)
    if param.type_name == "xsd:decimal" and _places(text) > DECIMAL_PLACES:
        return  # the one rule in words: at most 18 digits after the point
    if param.type_name in ("xsd:float", "xsd:double", "number") and _reads_as_zero(text, param):
        return  # the other rule in words: no number other than 0 that the binary type reads as 0
    instance = json.loads(text, parse_float=Decimal)  # as a JSON reader keeping every digit
    if isinstance(instance, Decimal) and instance == instance.to_integral_value():
        instance = int(instance)  # JSON Schema: 1.0 is an integer (jsonschema's Decimal is not)
    try:
        param.to_term(text)
        bound = True
    except ParameterError:
        bound = False
    valid = jsonschema.Draft202012Validator(schema).is_valid(instance)
    assert bound == valid, (text, schema)
