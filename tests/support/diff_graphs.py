"""Two small versions of a graph, OLD and NEW, and `git` in a temporary repository: shared by
the diff tests (diff/test_diff.py) and the workflow's diff step (diff/test_diff_workflow.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

HEAD = """@prefix cg: <https://w3id.org/clustergraph/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix qudt: <http://qudt.org/schema/qudt/> .
"""
OLD = HEAD + """
<https://w3id.org/clustergraph/id/cluster/alpha> a cg:IndustrialCluster ;
    skos:prefLabel "Alpha Valley"@en ;
    cg:region "North"@en .

<https://w3id.org/clustergraph/id/cluster/beta> a cg:IndustrialCluster ;
    skos:prefLabel "Beta Port"@en .

<https://w3id.org/clustergraph/id/observation/o1> qudt:hasQuantity [ qudt:numericValue 5 ; qudt:unit [ skos:notation "t" ] ] .
"""
#: OLD changed: alpha's region edited, beta gone, gamma new, the observation's nested value edited.
NEW = HEAD + """
<https://w3id.org/clustergraph/id/cluster/alpha> a cg:IndustrialCluster ;
    skos:prefLabel "Alpha Valley"@en ;
    cg:region "South"@en .

<https://w3id.org/clustergraph/id/cluster/gamma> a cg:IndustrialCluster ;
    skos:prefLabel "Gamma Bay"@en .

<https://w3id.org/clustergraph/id/observation/o1> qudt:hasQuantity [ qudt:numericValue 6 ; qudt:unit [ skos:notation "t" ] ] .
"""


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)
