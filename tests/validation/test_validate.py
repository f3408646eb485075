"""`clustergraph validate`, as a contributor and CI meet it.

Each broken file in tests/broken/ is one cluster with one mistake, validated together with the
shipped ontology, shapes and data (so countries and technologies resolve). Every output format
must name the resource, the property and the file:line to fix, and the exit code must say what
happened: 0 conforms, 1 does not, 2 unreadable input.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner
from support.paths import BROKEN

from clustergraph.cli import cli

ID = "https://w3id.org/clustergraph/id/"

#: broken file -> (the resource, the property a result must name)
BROKEN_CASES = {
    "missing-country.ttl": ("cluster/test-missing-country", "cg:country"),
    "wrong-datatype.ttl": ("cluster/test-wrong-datatype", "cg:region"),
    "second-country.ttl": ("cluster/test-second-country", "cg:country"),
    "unknown-technology.ttl": ("cluster/test-unknown-technology", "cg:technology"),
}
FORMATS = ["text", "json", "junit", "github", "turtle"]


def subject_line(path: Path, slug: str) -> int:
    """The line where the fixture's cluster is defined (its subject at column 0)."""
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if line.startswith(f"<{slug}>"):
            return number
    raise AssertionError(f"{slug} not found in {path}")


@pytest.fixture()
def run(repo_root, monkeypatch):
    """Run the CLI in-process from the repository root; return (exit code, stdout, stderr)."""
    monkeypatch.chdir(repo_root)

    def _run(*args: str) -> tuple[int, str, str]:
        result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
        return result.exit_code, result.stdout, result.stderr

    return _run


def test_the_shipped_graph_conforms(run):
    code, out, err = run("validate")
    assert code == 0, out + err
    assert "conforms" in out


def test_the_shipped_graph_has_the_deliberate_warning_and_fails_on_warnings(run):
    code, out, _ = run("validate", "--format", "json")
    report = json.loads(out)
    assert report["conforms"] is True
    assert report["counts"]["Violation"] == 0
    assert report["counts"]["Warning"] >= 1
    code, out, _ = run("validate", "--fail-on", "warning", "--format", "json")
    assert code == 1
    assert json.loads(out)["conforms"] is False


@pytest.mark.parametrize("name", sorted(BROKEN_CASES))
@pytest.mark.parametrize("fmt", FORMATS)
def test_a_broken_file_names_resource_property_and_line(run, name, fmt):
    slug, prop = BROKEN_CASES[name]
    path = BROKEN / name
    rel = f"tests/broken/{name}"
    line = subject_line(path, slug)
    code, out, err = run("validate", "--with-shipped-data", str(path), "--format", fmt)
    assert code == 1, out + err
    if fmt == "json":
        results = [r for r in json.loads(out)["results"] if r["focus_node"] == ID + slug]
        assert results, out
        assert any(r["path"] == prop and r["file"] == rel and r["line"] == line for r in results), (
            results
        )
        assert all(r["severity"] for r in results)
    elif fmt == "junit":
        suite = ElementTree.fromstring(out)
        cases = [c for c in suite.iter("testcase") if slug in c.get("name", "")]
        assert cases and cases[0].find("failure") is not None, out
        assert cases[0].get("file") == rel and cases[0].get("line") == str(line)
        assert prop in cases[0].find("failure").text
    elif fmt == "github":
        ours = [l for l in out.splitlines() if slug in l]
        assert any(l.startswith(f"::error file={rel},line={line},") for l in ours), out
        assert any(prop.replace(":", "%3A") in l or prop in l for l in ours)
    elif fmt == "turtle":
        from rdflib import Graph, Literal, Namespace, URIRef
        from rdflib.namespace import SH

        check = Namespace("https://w3id.org/clustergraph/check#")
        graph = Graph().parse(data=out, format="turtle")
        results = list(graph.subjects(SH.focusNode, URIRef(ID + slug)))
        assert results
        paths = {graph.value(r, SH.resultPath) for r in results}
        assert URIRef("https://w3id.org/clustergraph/ontology#" + prop.split(":")[1]) in paths
        assert any(
            graph.value(r, check.file) == Literal(rel)
            and graph.value(r, check.line).toPython() == line
            for r in results
        )
        assert (None, SH.conforms, Literal(False)) in graph
    else:
        assert f"{rel}:{line}: cgid:{slug}" in out, out
        block = out.split(f"{rel}:{line}:", 1)[1]
        assert prop in block.split("\n\n")[0]


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_syntax_error_names_file_line_and_column_and_exits_2(run, fmt):
    path = BROKEN / "syntax-error.ttl"
    line = next(
        n for n, text in enumerate(path.read_text().splitlines(), 1) if '"Flanders@en' in text
    )
    code, out, err = run("validate", "--with-shipped-data", str(path), "--format", fmt)
    assert code == 2
    assert re.search(rf"^tests/broken/syntax-error\.ttl:{line}:\d+: \S", err, re.MULTILINE), err
    assert "Traceback" not in err + out
    if fmt == "github":
        assert out.startswith(f"::error file=tests/broken/syntax-error.ttl,line={line},")


def test_debug_shows_the_traceback_of_a_syntax_error(run):
    from clustergraph.errors import RDFSyntaxError

    with pytest.raises(RDFSyntaxError):
        CliRunner().invoke(
            cli, ["--debug", "validate", str(BROKEN / "syntax-error.ttl")], catch_exceptions=False
        )


@pytest.mark.parametrize(
    "args, words",
    [
        (["validate", "no/such/file.ttl"], "no such file"),
        (["validate", "--shapes", "missing-shapes.ttl"], "no such file"),
        (["validate", "--format", "yaml"], "yaml"),
        (["validate", "--inference", "magic"], "magic"),
        (["validate", "README.md"], "unknown RDF file suffix"),
    ],
)
def test_usage_errors_and_unreadable_input_exit_2(repo_root, monkeypatch, capsys, args, words):
    from clustergraph.cli import main

    monkeypatch.chdir(repo_root)
    with pytest.raises(SystemExit) as exit_info:
        main(args)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err


@pytest.mark.slow
def test_the_fast_engine_and_pyshacl_agree(repo_root):
    """clustergraph.shacl must find exactly what pySHACL finds: on the shipped graph with every
    broken file added (one run each, as pySHACL is slow)."""
    from clustergraph.validation import validate

    def key(report):
        return sorted(
            (
                r.owner or r.focus_node if r.focus_node.startswith("_:") else r.focus_node,
                r.path or "",
                r.component,
                r.severity,
            )
            for r in report.results
            if r.check == "data"
        )

    data = [BROKEN / name for name in sorted(BROKEN_CASES)]
    ours = validate(data, with_shipped_data=True, engine="oxigraph", queries=False)
    theirs = validate(data, with_shipped_data=True, engine="pyshacl", queries=False)
    assert ours.engine == "oxigraph" and theirs.engine == "pyshacl"
    assert key(ours) == key(theirs)
    assert {r.focus_node for r in ours.results if r.severity == "Violation"} == {
        ID + slug for slug, _ in BROKEN_CASES.values()
    }


@pytest.mark.slow
def test_rdfs_inference_runs_through_pyshacl():
    from clustergraph.validation import validate

    report = validate(inference="rdfs", queries=False)
    assert report.engine == "pyshacl"
    assert report.count_by_severity()["Violation"] == 0


def test_broken_shapes_are_reported_by_the_shapes_for_shapes_check(tmp_path, repo_root):
    from clustergraph.validation import validate

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix ex: <http://example.org/> .\n\n"
        "ex:Shape a sh:NodeShape ;\n"
        "    sh:targetClass ex:Thing ;\n"
        '    sh:property [ sh:path ex:p ; sh:minCount "one" ] .\n'
    )
    report = validate(shapes=shapes, queries=False)
    assert not report.conforms
    (result,) = report.results
    assert result.check == "shapes" and result.path == "sh:minCount" and result.value == '"one"'
    assert result.line == 4 and result.file.endswith("shapes.ttl")
    assert result.owner == "http://example.org/Shape"


def test_stored_queries_must_parse(tmp_path):
    from clustergraph.validation import check_queries, validate

    good = tmp_path / "good.rq"
    good.write_text("#+ summary: clusters of a country\nSELECT ?c WHERE { ?c ?p ?_countryName }\n")
    bad = tmp_path / "bad.rq"
    bad.write_text("SELECT ?c WHERE {\n  ?c ?p \n}\n")
    assert check_queries([good]) == []
    ((path, line, column, message),) = check_queries([bad])
    assert path == bad and line == 3 and column and "syntax" in message
    report = validate(queries=[good, bad])
    assert not report.conforms
    assert [r.check for r in report.results if r.severity == "Violation"] == ["query"]


def test_an_empty_queries_folder_is_fine():
    from clustergraph.validation import check_queries

    assert check_queries([]) == []


def test_the_report_object_for_notebooks():
    import clustergraph as cg

    report = cg.validate()
    assert isinstance(report, cg.ValidationReport)
    assert set(report.count_by_severity()) == {"Violation", "Warning", "Info"}
    assert all(isinstance(r, cg.ValidationResult) for r in report.results)
    assert len(report.graph) > 0
    assert "conforms" in str(report)


def test_an_internal_error_exits_3_without_a_traceback(monkeypatch, capsys):
    """A bug (here: a validator that crashes) is exit code 3 and a short message, not a traceback."""
    import clustergraph.validation
    from clustergraph.cli import main

    def crash(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(clustergraph.validation, "validate", crash)
    with pytest.raises(SystemExit) as exit_info:
        main(["validate"])
    assert exit_info.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: RuntimeError: boom" in err and "Traceback" not in err


def test_a_shape_whose_sparql_does_not_parse_is_an_input_error(tmp_path):
    from clustergraph.errors import InputError
    from clustergraph.validation import validate

    shapes = tmp_path / "shapes.ttl"
    shapes.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "@prefix cg: <https://w3id.org/clustergraph/ontology#> .\n"
        "cg:BadShape a sh:NodeShape ; sh:targetClass cg:IndustrialCluster ;\n"
        '    sh:sparql [ sh:select "SELECT $this WHERE { $this ?p }" ] .\n'
    )
    with pytest.raises(InputError, match="BadShape"):
        validate(shapes=shapes, queries=False)
