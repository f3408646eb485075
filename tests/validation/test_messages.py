"""Messages that help a contributor fix the data (issue #24, item 7).

A misspelt property on a closed shape names the nearest allowed one ("Did you mean
cg:country?"), on both engines; an ill-formed date is called ill-formed, and a rule that
compares it does not claim it is "later than" anything.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from clustergraph.validation import validate

PREFIXES = """@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix cgid: <https://w3id.org/clustergraph/id/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

#: a misspelt property -> the hint expected
MISSPELT = {
    "cg:contry": "Did you mean cg:country?",
    "cg:techology": "Did you mean cg:technology?",
    "skos:preflabel": "Did you mean skos:prefLabel?",
}


def _cluster_with(tmp_path: Path, predicate: str, obj: str) -> Path:
    path = tmp_path / "cluster.ttl"
    path.write_text(PREFIXES + f'<https://w3id.org/clustergraph/id/cluster/test-misspelt> a cg:IndustrialCluster ;\n'
                    f'    skos:prefLabel "Misspelt"@en ;\n    {predicate} {obj} .\n', encoding="utf-8")
    return path


@pytest.mark.parametrize("engine", ["oxigraph", pytest.param("pyshacl", marks=pytest.mark.slow)])
@pytest.mark.parametrize("predicate", list(MISSPELT))
def test_a_misspelt_property_gets_the_nearest_allowed_one(tmp_path: Path, engine: str,
                                                          predicate: str) -> None:
    path = _cluster_with(tmp_path, predicate, "<https://w3id.org/clustergraph/id/country/SA>")
    report = validate([path], engine=engine, check_shapes=False, queries=False)
    closed = [r for r in report.results if r.component == "sh:ClosedConstraintComponent"]
    assert [r.path for r in closed] == [predicate]
    assert closed[0].message.endswith(MISSPELT[predicate])


def test_a_property_near_nothing_gets_no_guess(tmp_path: Path) -> None:
    path = _cluster_with(tmp_path, "cg:zzzzzzzz", "<https://w3id.org/clustergraph/id/country/SA>")
    report = validate([path], check_shapes=False, queries=False)
    closed = [r for r in report.results if r.component == "sh:ClosedConstraintComponent"]
    assert closed and "Did you mean" not in closed[0].message


def test_an_ill_formed_date_is_called_ill_formed_and_not_compared(tmp_path: Path) -> None:
    from clustergraph.files.paths import data_files

    folder = tmp_path / "data"
    folder.mkdir()
    for file in data_files():
        text = file.read_text(encoding="utf-8")
        if file.name == "clusters.ttl":
            marker = '<membership/jubail-industrial-city> a cg:ClusterMembership ;'
            at = text.index(marker)
            start = text.index("cg:memberSince ", at)
            end = text.index(";", start)
            text = text[:start] + 'cg:memberSince "2025-13-45"^^xsd:date ' + text[end:]
        (folder / file.name).write_text(text, encoding="utf-8")
    report = validate([folder], queries=False)
    about = [r for r in report.results if r.value == '"2025-13-45"^^xsd:date']
    assert about
    for result in about:
        assert result.message.startswith('"2025-13-45"^^xsd:date is ill-formed: not a valid xsd:date.')
        assert "later than" not in result.message
