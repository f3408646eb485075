"""grlc serves the queries folder as we read it (issue #8, item 7): grlc 1.3's own parser
(`grlc.gquery.get_metadata`, which calls `get_parameters`) finds in every stored query the
parameters our catalogue gives, with the same names, the same required/optional flag and the
same type (an IRI, a typed literal such as xsd:decimal, a language-tagged or a plain literal).

grlc pins its dependencies (rdflib, Flask... to exact versions), so it is installed from PyPI
into a separate virtual environment made by this test, never beside our own packages; set
CLUSTERGRAPH_GRLC_PYTHON to the Python of an existing environment with grlc 1.3 to reuse it.
The parser runs offline: none of our queries asks grlc to fetch enumerations from an endpoint.
"""

from __future__ import annotations

import json
import os
import subprocess
import venv
from pathlib import Path
from typing import Any

import pytest

from clustergraph.files.paths import queries_dir
from clustergraph.query.catalogue import XSD, load_catalogue

pytestmark = pytest.mark.slow

GRLC_REQUIREMENT = "grlc==1.3.*"

#: Runs inside grlc's environment: the parameters grlc finds in each .rq file, as JSON.
PARSE_WITH_GRLC = """
import json, pathlib, sys
from grlc import gquery
found = {}
for path in sorted(pathlib.Path(sys.argv[1]).glob("*.rq")):
    metadata = gquery.get_metadata(path.read_text(encoding="utf-8"), "http://127.0.0.1:9/unused")
    found[path.stem] = {"type": metadata.get("type"), "parameters": metadata.get("parameters", {})}
print(json.dumps(found))
"""


@pytest.fixture(scope="module")
def grlc_python(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The Python of an environment holding grlc 1.3 (made here unless given)."""
    given = os.environ.get("CLUSTERGRAPH_GRLC_PYTHON")
    if given:
        return given
    folder = tmp_path_factory.mktemp("grlc") / "venv"
    venv.EnvBuilder(with_pip=True).create(folder)
    python = str(folder / "bin" / "python")
    installed = subprocess.run([python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                                GRLC_REQUIREMENT], capture_output=True, text=True, check=False, timeout=900)
    assert installed.returncode == 0, f"pip install {GRLC_REQUIREMENT} failed:\n{installed.stderr[-4000:]}"
    return python


@pytest.fixture(scope="module")
def grlc_parameters(grlc_python: str) -> dict[str, Any]:
    """What grlc's parser finds in our queries folder, query by query."""
    workdir = Path(os.environ.get("TMPDIR", "/tmp"))  # grlc reads a config.ini from its folder
    done = subprocess.run([grlc_python, "-c", PARSE_WITH_GRLC, str(queries_dir())], capture_output=True,
                          text=True, check=False, timeout=300, cwd=workdir)
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def grlc_view(parameter: Any) -> dict[str, Any]:
    """One of our parameters as grlc describes it."""
    view: dict[str, Any] = {"required": parameter.required}
    if parameter.kind == "iri":
        view.update(type="string", format="iri")
    elif parameter.kind == "number":
        view.update(type="number")
    elif parameter.kind == "typed":
        view.update(type="string", datatype="xsd:" + parameter.datatype.removeprefix(XSD))
    elif parameter.kind == "lang":
        view.update(type="string", lang=parameter.language)
    else:
        view.update(type="string")
    return view


CATALOGUE = load_catalogue()


@pytest.mark.parametrize("name", CATALOGUE.names())
def test_grlc_reads_each_query_with_our_parameters(grlc_parameters: dict[str, Any], name: str) -> None:
    query = CATALOGUE[name]
    found = grlc_parameters[name]
    assert found["type"] in ("SelectQuery", "ConstructQuery"), f"grlc could not parse {name}"
    described = {
        p_name: {k: v for k, v in p.items() if k in ("required", "type", "format", "datatype", "lang")}
        for p_name, p in found["parameters"].items()
    }
    assert described == {p.name: grlc_view(p) for p in query.parameters}


def test_grlc_reads_the_decimal_parameters_as_xsd_decimal(grlc_parameters: dict[str, Any]) -> None:
    """The case of the issue: `?_east_decimal` was a language tag `@decimal` for grlc."""
    for name, parameter in (("clusters-in-box", "east"), ("clusters-near", "radiusKm")):
        described = grlc_parameters[name]["parameters"][parameter]
        assert described.get("datatype") == "xsd:decimal" and "lang" not in described
