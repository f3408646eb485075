"""data/README.md records, for every row of reference/pages-facts.md, the claims that quote it or
why none does yet; the record is what tests/support/pages_facts.py writes from the graph."""

from __future__ import annotations

from support import pages_facts
from support.paths import REPO_ROOT


def test_every_row_of_pages_facts_is_read() -> None:
    rows = pages_facts.rows()
    assert len(rows) == 266
    assert all(r.words and r.address for r in rows)


def test_the_readme_records_each_row_as_the_graph_uses_it(shipped_graph) -> None:
    readme = (REPO_ROOT / "data" / "README.md").read_text(encoding="utf-8")
    assert pages_facts.BEGIN in readme and pages_facts.END in readme
    expected = pages_facts.readme_with(readme, pages_facts.record(shipped_graph))
    assert readme == expected, "data/README.md is out of date: run python tests/support/pages_facts.py"


def test_a_row_counts_as_used_only_by_a_citation_of_its_own_address(shipped_graph) -> None:
    used = pages_facts.usage(shipped_graph)
    by_number = {r.number: r for r in pages_facts.rows()}
    query = """PREFIX cg: <https://w3id.org/clustergraph/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX schema: <https://schema.org/>
        SELECT ?claim ?url WHERE { ?claim cg:citation/dcterms:source/schema:url ?url }"""
    cited = {(str(c), str(u)) for c, u in shipped_graph.query(query)}
    for number, claims in used.items():
        for claim in claims:
            assert (claim, by_number[number].address) in cited
    assert sum(1 for claims in used.values() if claims) > 50
