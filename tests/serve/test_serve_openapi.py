"""The API a generator can trust: `/openapi.json` of a live `clustergraph serve` passes
openapi-spec-validator, and every operation accepts what its document says and refuses the rest.

Data-driven from the live document: for each stored query's parameter with bounds, a value at
the bound (200, or 400 for an exclusive one), one just past it (400 naming the parameter and the
bound, as `clustergraph query` says it with exit 2), exponent notation (the rows of the plain
number); every default of the right JSON type (the rows of the call without parameters); every
`format` of the enum; every answer of each operation valid for the schema it declares. A browser
opening `/api/queries/NAME` gets JSON it can show, not SPARQL XML.
"""

from __future__ import annotations

import json
from decimal import Context, Decimal
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator
from support.cli_runner import run_in_process
from support.serve_support import RunningServer, served  # noqa: F401

from clustergraph.query.catalogue import load_catalogue
from clustergraph.query.parameters import DECIMAL_PLACES

pytestmark = pytest.mark.slow  # every test asks a running `clustergraph serve`

CATALOGUE = load_catalogue()
#: Arithmetic on bounds without rounding (the default context keeps 28 digits).
EXACT = Context(prec=400)
#: What Firefox and Chrome send when a person opens a link.
BROWSERS = {
    "firefox": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "chrome": "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,"
              "image/apng,*/*;q=0.8,application/signed-exchange;v=b3;q=0.7",
}
_FACETS = {"minimum": (-1, False), "exclusiveMinimum": (-1, True),
           "maximum": (1, False), "exclusiveMaximum": (1, True)}


@pytest.fixture(scope="module")
def spec(served: RunningServer) -> dict[str, Any]:  # noqa: F811
    answer = served.get("/openapi.json")
    assert (answer.status, answer.media_type) == (200, "application/json")
    return answer.json()  # type: ignore[return-value]


def _operation(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return spec["paths"][f"/api/queries/{name}"]["get"]


def _parameters(spec: dict[str, Any], name: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in _operation(spec, name)["parameters"]}


def _validator(spec: dict[str, Any], schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """A validator of `schema` whose `#/components/...` references resolve in the document."""
    return jsonschema.Draft202012Validator({**schema, "components": spec["components"]})


def _text(value: Any) -> str:
    """A JSON value as a query string carries it (a number as JSON writes it)."""
    return value if isinstance(value, str) else json.dumps(value)


def _rows(served: RunningServer, name: str, params: dict[str, str]) -> list[Any]:  # noqa: F811
    answer = served.get(f"/api/queries/{name}", params)
    assert answer.status == 200, answer.text
    return answer.json()["rows"]  # type: ignore[index]


def test_the_live_document_passes_openapi_spec_validator(spec: dict[str, Any]) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in OpenAPIV31SpecValidator(spec).iter_errors()]
    assert errors == []
    assert spec["openapi"].startswith("3.1")


def test_every_stored_query_and_parameter_is_described(spec: dict[str, Any]) -> None:
    for query in CATALOGUE:
        described = _parameters(spec, query.name)
        assert set(described) == {p.name for p in query.parameters} | {"format"}
        for p in query.parameters:
            schema = described[p.name]["schema"]
            if p.numeric:
                assert schema["type"] in ("number", "integer")
            if p.enum:
                assert schema["enum"] == list(p.enum)


# --- bounds ---------------------------------------------------------------------------------

def _bound_cases(spec: dict[str, Any]) -> list[tuple[str, str, str, int]]:
    """(query, parameter, value, status) at and just past each bound the document declares."""
    cases = []
    for query in CATALOGUE:
        for name, param in _parameters(spec, query.name).items():
            schema = param["schema"]
            step = Decimal(1) if schema["type"] == "integer" else Decimal(1).scaleb(-DECIMAL_PLACES)
            for facet, (direction, exclusive) in _FACETS.items():
                if facet not in schema:
                    continue
                bound = Decimal(_text(schema[facet]))
                cases.append((query.name, name, str(bound), 400 if exclusive else 200))
                cases.append((query.name, name, str(EXACT.add(bound, direction * step)), 400))
    return cases


def test_every_declared_bound_is_the_one_the_server_keeps(served: RunningServer,  # noqa: F811
                                                          spec: dict[str, Any],
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    cases = _bound_cases(spec)
    declared = {(q.name, p.name) for q in CATALOGUE for p in q.parameters if p.bounds is not None}
    assert declared and declared <= {(q, n) for q, n, _, _ in cases}
    for query, name, value, status in cases:
        answer = served.get(f"/api/queries/{query}", {name: value})
        assert answer.status == status, (query, name, value, answer.text)
        if status == 400:
            message = answer.json()["error"]  # type: ignore[index]
            assert message.startswith(f"parameter {name!r}: {value} is out of "), message
            schema = _parameters(spec, query)[name]["schema"]
            numbers = {_text(v) for k, v in schema.items() if k in _FACETS}
            assert any(n in message for n in numbers), (message, numbers)
            code, _, err = run_in_process(capsys, "query", query, "-p", f"{name}={value}")
            assert (code, err.strip()) == (2, f"clustergraph: error: {message}")


def test_the_issues_radius_is_400_not_an_empty_answer(served: RunningServer) -> None:  # noqa: F811
    answer = served.get("/api/queries/clusters-near", {"radiusKm": "170141183460469231732"})
    assert answer.status == 400
    message = answer.json()["error"]  # type: ignore[index]
    assert message.startswith("parameter 'radiusKm': 170141183460469231732 is out of range")
    assert "170141183460469231731" in message.split("out of range", 1)[1]


@pytest.mark.parametrize("value", ["0." + "0" * DECIMAL_PLACES + "1", "1e999999999999999999999",
                                   "٢٥٠", "1e", "NaN"])
def test_a_number_the_engine_cannot_hold_or_no_number_is_400(served: RunningServer,  # noqa: F811
                                                             value: str) -> None:
    answer = served.get("/api/queries/clusters-near", {"radiusKm": value})
    assert answer.status == 400
    assert answer.json()["error"].startswith("parameter 'radiusKm': ")  # type: ignore[index]


# --- numbers are numbers: exponent notation, defaults of their JSON type ----------------------

def test_exponent_notation_is_a_number_wherever_the_schema_says_number(
        served: RunningServer, spec: dict[str, Any]) -> None:  # noqa: F811
    tried = 0
    for query in CATALOGUE:
        for name, param in _parameters(spec, query.name).items():
            schema = param["schema"]
            if schema.get("type") not in ("number", "integer") or "default" not in schema:
                continue
            plain = Decimal(_text(schema["default"]))
            exponent = f"{plain.scaleb(-2)}e2" if plain else "0e3"
            assert _rows(served, query.name, {name: exponent}) == _rows(
                served, query.name, {name: str(plain)}), (query.name, name, exponent)
            tried += 1
    assert tried >= 7
    assert _rows(served, "clusters-near", {"radiusKm": "1e2"}) == _rows(
        served, "clusters-near", {"radiusKm": "100"})


def test_every_default_is_of_its_schemas_type_and_is_what_the_server_uses(
        served: RunningServer, spec: dict[str, Any]) -> None:  # noqa: F811
    for query in CATALOGUE:
        params = _parameters(spec, query.name)
        defaults = {n: p["schema"]["default"] for n, p in params.items() if "default" in p["schema"]}
        if not defaults:
            continue
        for name, value in defaults.items():
            _validator(spec, params[name]["schema"]).validate(value)
            if params[name]["schema"]["type"] in ("number", "integer"):
                assert isinstance(value, (int, float)) and not isinstance(value, bool)
        if query.form != "SELECT":
            continue
        given = {n: _text(v) for n, v in defaults.items()}
        assert _rows(served, query.name, given) == _rows(served, query.name, {}), query.name


def test_a_value_outside_an_enum_is_400_naming_the_parameter(served: RunningServer,  # noqa: F811
                                                             spec: dict[str, Any]) -> None:
    for query in CATALOGUE:
        for p in query.parameters:
            if not p.enum:
                continue
            assert _parameters(spec, query.name)[p.name]["schema"]["enum"] == list(p.enum)
            assert served.get(f"/api/queries/{query.name}", {p.name: p.enum[0]}).status == 200
            answer = served.get(f"/api/queries/{query.name}", {p.name: p.enum[0] + "x"})
            assert answer.status == 400
            assert answer.json()["error"].startswith(f"parameter {p.name!r}: ")  # type: ignore[index]


ONE_PER_FORM = list({q.form: q.name for q in CATALOGUE}.values())


@pytest.mark.parametrize("name", ONE_PER_FORM)
def test_every_format_of_the_enum_answers_as_its_media_type(served: RunningServer,  # noqa: F811
                                                            spec: dict[str, Any], name: str) -> None:
    operation = _operation(spec, name)
    formats = _parameters(spec, name)["format"]["schema"]["enum"]
    media = set(operation["responses"]["200"]["content"])
    assert formats
    for fmt in formats:
        answer = served.get(f"/api/queries/{name}", {"format": fmt})
        assert answer.status == 200, (fmt, answer.text)
        assert answer.media_type in media, fmt


# --- answers valid for their declared schema -------------------------------------------------

def _checked(spec: dict[str, Any], operation: dict[str, Any], answer: Any, status: str) -> None:
    content = operation["responses"][status]["content"]
    assert answer.media_type in content, (answer.media_type, list(content))
    schema = content[answer.media_type].get("schema")
    if schema is not None:
        _validator(spec, schema).validate(answer.json())


@pytest.mark.parametrize("name", CATALOGUE.names())
def test_every_operation_answers_what_its_schema_says(served: RunningServer,  # noqa: F811
                                                      spec: dict[str, Any], name: str) -> None:
    operation = _operation(spec, name)
    json_media = [m for m, c in operation["responses"]["200"]["content"].items() if "schema" in c]
    assert json_media
    for media in json_media:
        answer = served.get(f"/api/queries/{name}", headers={"Accept": media})
        assert answer.status == 200, answer.text
        _checked(spec, operation, answer, "200")
    numeric = [p.name for p in CATALOGUE[name].parameters if p.numeric]
    bad = {numeric[0]: "north"} if numeric else {"nonsense": "1"}
    _checked(spec, operation, served.get(f"/api/queries/{name}", bad), "400")


def test_the_catalogue_and_the_search_answer_what_their_schemas_say(
        served: RunningServer, spec: dict[str, Any]) -> None:  # noqa: F811
    _checked(spec, spec["paths"]["/api/queries"]["get"], served.get("/api/queries"), "200")
    _checked(spec, spec["paths"]["/api/search"]["get"], served.get("/api/search", {"q": "hydrogen"}),
             "200")


# --- a browser gets something a person can read ---------------------------------------------

@pytest.mark.parametrize("browser", BROWSERS)
@pytest.mark.parametrize("name", ONE_PER_FORM)
def test_a_browser_opening_a_stored_query_gets_json(served: RunningServer,  # noqa: F811
                                                    browser: str, name: str) -> None:
    answer = served.get(f"/api/queries/{name}", headers={"Accept": BROWSERS[browser]})
    assert answer.status == 200
    assert answer.media_type in ("application/json", "application/ld+json")
    body = answer.json()
    if CATALOGUE[name].form == "SELECT":
        assert answer.media_type == "application/json"
        assert set(body) == {"columns", "truncated", "rows"}  # type: ignore[arg-type]
    assert "vary" in answer.headers and "accept" in answer.headers["vary"].lower()


@pytest.mark.parametrize("browser", BROWSERS)
def test_a_browser_opening_the_catalogue_gets_json(served: RunningServer,  # noqa: F811
                                                   browser: str) -> None:
    answer = served.get("/api/queries", headers={"Accept": BROWSERS[browser]})
    assert (answer.status, answer.media_type) == (200, "application/json")
    assert [q["name"] for q in answer.json()] == CATALOGUE.names()  # type: ignore[union-attr]


@pytest.mark.parametrize(("headers", "params", "media"), [
    ({"Accept": BROWSERS["firefox"]}, {"format": "xml"}, "application/sparql-results+xml"),
    ({"Accept": BROWSERS["firefox"]}, {"format": "csv"}, "text/csv"),
    ({"Accept": "application/sparql-results+xml"}, {}, "application/sparql-results+xml"),
    ({"Accept": "application/xml"}, {}, "application/sparql-results+xml"),
    ({"Accept": "text/csv, text/html;q=0.5"}, {}, "text/csv"),
    ({"Accept": "*/*"}, {}, "application/json"),
])
def test_the_sparql_formats_still_come_by_accept_or_format(served: RunningServer,  # noqa: F811
                                                           headers: dict[str, str],
                                                           params: dict[str, str], media: str) -> None:
    answer = served.get("/api/queries/member-counts-as-of", params, headers=headers)
    assert (answer.status, answer.media_type) == (200, media)
