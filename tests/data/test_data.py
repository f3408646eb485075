"""The shipped data: what it must hold, and the hygiene rules every file keeps.

Hygiene rules are SPARQL queries under `tests/verify/*-violation.rq` that pass when they return
no rows; each row's `?error` says what is wrong.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, URIRef
from rdflib.namespace import OWL, RDFS
from support.paths import REPO_ROOT, VERIFY

from clustergraph.vocab import CG, CG_NS, ID_NS

VERIFY_DIR = VERIFY
REFERENCE_DIR = REPO_ROOT / "reference"
#: The texts every fact comes from: the compilation, the press release it starts from, the words
#: of stored pages, and the other stored pages whose words the graph quotes.
REFERENCE_TEXTS = (REFERENCE_DIR / "tic-facts.md", REFERENCE_DIR / "000_52517cabc9adaaeb.txt",
                   REFERENCE_DIR / "pages-facts.md", REFERENCE_DIR / "stored-pages.md")
WEB_ADDRESS = re.compile(r"https?://[^\s|;<>`]+")
HYGIENE_QUERIES = sorted(VERIFY_DIR.glob("*-violation.rq"))
ALWAYS_KNOWN = (str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#")


@pytest.fixture(scope="module")
def data_only():
    """The shipped data files without the ontology."""
    from clustergraph.files.load import load_graph

    return load_graph(ontology=False)


@pytest.fixture(scope="module")
def declared_terms(shipped_graph) -> set[str]:
    """Every term the ontology declares: our own and the reused ones it lists."""
    from clustergraph.files import paths
    from clustergraph.files.load import load_files

    ontology = load_files([paths.ontology_file()])
    return {str(s) for s in ontology.subjects() if isinstance(s, URIRef)}


@pytest.mark.parametrize("query_file", HYGIENE_QUERIES, ids=[q.stem for q in HYGIENE_QUERIES])
def test_hygiene_rule_holds(query_file: Path, shipped_graph):
    rows = list(shipped_graph.query(query_file.read_text()))
    errors = [str(row.error) for row in rows]
    assert not errors, "\n".join(errors)


def addresses_in(text: str) -> set[str]:
    """The web addresses a text gives, without the punctuation that may follow one."""
    return {match.rstrip(".,)") for match in WEB_ADDRESS.findall(text)}


def test_reference_texts_are_in_the_repository():
    for path in REFERENCE_TEXTS:
        assert path.is_file() and path.stat().st_size > 0, f"{path} is missing"
    assert "https://miragenews.com/33-global-clusters-pledge-growth-jobs-emissions-1395019" in (
        addresses_in(REFERENCE_TEXTS[0].read_text(encoding="utf-8"))
    )


def test_every_source_address_appears_in_the_reference_or_the_press_release(shipped_graph):
    """No address is made up: each schema:url of a source document is one that tic-facts.md,
    pages-facts.md, the press release or the record of stored pages (stored-pages.md) gives,
    character for character. A document they name without an address
    has none (and a dcterms:bibliographicCitation instead)."""
    from clustergraph.vocab import SCHEMA

    known = set().union(*(addresses_in(p.read_text(encoding="utf-8")) for p in REFERENCE_TEXTS))
    used = {
        (str(source), str(address))
        for source in shipped_graph.subjects(RDF.type, CG.SourceDocument)
        for address in shipped_graph.objects(source, SCHEMA.url)
    }
    assert len(used) > 60
    unknown = sorted(f"{source}: {address}" for source, address in used if address not in known)
    assert not unknown, "addresses in no reference text:\n" + "\n".join(unknown)


def test_the_address_check_rejects_a_made_up_address():
    text = "see https://example.org/a ; https://example.org/b. and (https://example.org/c)"
    known = addresses_in(text)
    assert known == {"https://example.org/a", "https://example.org/b", "https://example.org/c"}
    assert "https://example.org/a/" not in known and "https://example.org" not in known


TECHNOLOGY_SCHEME = URIRef("https://w3id.org/clustergraph/id/technology/scheme")


def narrower_pairs(graph) -> list[tuple[URIRef, URIRef]]:
    """(broader, narrower) for every link of the technology scheme, stated either way round."""
    from rdflib.namespace import SKOS

    pairs = {(b, n) for n, b in graph.subject_objects(SKOS.broader)}
    pairs |= set(graph.subject_objects(SKOS.narrower))
    return sorted(p for p in pairs if (p[0], SKOS.inScheme, TECHNOLOGY_SCHEME) in graph)


def test_every_broader_technology_search_finds_the_clusters_of_its_narrower_ones(shipped_graph):
    """The stored query clusters-by-technology, asked for a concept, finds every cluster that it
    finds for any narrower concept (green hydrogen under low-carbon hydrogen, hydrogen mobility
    under sustainable transport, ammonia under fuels, feedstocks and hydrogen carriers)."""
    from clustergraph.query.session import Session

    session = Session()
    session.load()
    found: dict[URIRef, set[str]] = {}

    def clusters(technology: URIRef) -> set[str]:
        if technology not in found:
            rows = session.query("clusters-by-technology", technology=str(technology))
            found[technology] = {str(r["cluster"]) for r in rows.to_records()}
        return found[technology]

    pairs = narrower_pairs(shipped_graph)
    assert len(pairs) >= 20
    missed = [
        f"{broader} misses {sorted(clusters(narrower) - clusters(broader))} of {narrower}"
        for broader, narrower in pairs
        if not clusters(narrower) <= clusters(broader)
    ]
    assert not missed, "\n".join(missed)
    low_carbon = clusters(URIRef("https://w3id.org/clustergraph/id/technology/low-carbon-hydrogen"))
    green = clusters(URIRef("https://w3id.org/clustergraph/id/technology/green-hydrogen"))
    assert len(green) == 6 and green < low_carbon


def test_every_technology_definition_says_what_it_covers(shipped_graph):
    """A concept's skos:definition names each of its narrower concepts by its label."""
    from rdflib.namespace import SKOS

    silent = [
        f"{broader} does not mention {shipped_graph.value(narrower, SKOS.prefLabel)}"
        for broader, narrower in narrower_pairs(shipped_graph)
        if str(shipped_graph.value(narrower, SKOS.prefLabel)).lower()
        not in str(shipped_graph.value(broader, SKOS.definition)).lower()
    ]
    assert not silent, "\n".join(silent)


def test_every_term_the_data_uses_is_declared(data_only, declared_terms):
    """No predicate or class appears in the data that neither our ontology nor the reused
    vocabularies it declares define (a typo such as cg:contry would show up here)."""
    used = set()
    for _, predicate, obj in data_only:
        used.add(str(predicate))
        if predicate == RDF.type:
            used.add(str(obj))
        elif isinstance(obj, URIRef) and str(obj).startswith(CG_NS):
            used.add(str(obj))
    unknown = sorted(t for t in used if t not in declared_terms and not t.startswith(ALWAYS_KNOWN))
    assert not unknown, f"terms used but not declared in ontology/clustergraph.ttl: {unknown}"


def count(graph, cls) -> int:
    return len(set(graph.subjects(RDF.type, cls)))


def test_every_cluster_the_sources_name_is_there(shipped_graph):
    """tic-facts.md names 31 clusters (30 confirmed, 1 self-reported) and 3 uncertain candidates."""
    assert count(shipped_graph, CG.IndustrialCluster) == 31
    assert count(shipped_graph, CG.ClusterMembership) == 31
    assert count(shipped_graph, CG.CandidateCluster) == 3
    memberships = list(shipped_graph.subjects(RDF.type, CG.ClusterMembership))
    levels = sorted(str(shipped_graph.value(m, CG.certainty)).split("#")[1] for m in memberships)
    assert levels.count("Confirmed") == 30 and levels.count("SelfReported") == 1, levels


def test_the_five_clusters_of_the_press_release_are_named_with_their_countries(shipped_graph):
    from rdflib.namespace import SKOS

    expected = {
        "Cartagena Industrial Cluster": "CO",
        "Gopalpur Industrial Park": "IN",
        "Hunter Region": "AU",
        "Jubail Industrial City": "SA",
        "Kerala Green Hydrogen Valley": "IN",
    }
    found = {}
    for cluster in shipped_graph.subjects(RDF.type, CG.IndustrialCluster):
        label = str(shipped_graph.value(cluster, SKOS.prefLabel))
        if label in expected:
            country = shipped_graph.value(cluster, CG.country)
            found[label] = str(shipped_graph.value(country, CG.iso3166Alpha2))
    assert found == expected


def test_the_thirteen_new_clusters_are_in_the_nine_countries_the_press_release_lists(shipped_graph):
    query = """
        PREFIX cg: <https://w3id.org/clustergraph/ontology#>
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT DISTINCT ?code WHERE {
          ?m cg:announcedIn <https://w3id.org/clustergraph/id/event/announcement-2025-01-22> ;
             org:member/cg:country/cg:iso3166Alpha2 ?code .
        }"""
    codes = {str(row.code) for row in shipped_graph.query(query)}
    assert codes == {"AU", "BR", "CO", "IN", "NL", "SA", "SE", "TH", "GB"}


def test_disagreeing_sources_are_all_kept(shipped_graph):
    """33 and 31 members in January 2025 (and the undated story's 30, below); 3.4 and 3.5 million
    jobs in January 2024."""
    query = """
        PREFIX cg: <https://w3id.org/clustergraph/ontology#>
        PREFIX qudt: <http://qudt.org/schema/qudt/>
        SELECT ?metric ?value WHERE {
          ?o cg:metric ?metric ; qudt:numericValue ?value ; cg:asOf ?asOf .
          FILTER (STRSTARTS(STR(?asOf), ?month))
          VALUES (?metric ?month) { (cg:NumberOfClusters "2025-01") (cg:JobsSupported "2024-01") }
        }"""
    values = {(str(r.metric).split("#")[1], float(r.value)) for r in shipped_graph.query(query)}
    assert {("NumberOfClusters", 33.0), ("NumberOfClusters", 31.0)} <= values
    assert {("JobsSupported", 3_400_000.0), ("JobsSupported", 3_500_000.0)} <= values
    undated = """
        PREFIX cg: <https://w3id.org/clustergraph/ontology#>
        PREFIX qudt: <http://qudt.org/schema/qudt/>
        ASK { <https://w3id.org/clustergraph/id/observation/tic-2025-01-clusters-30-signatories>
                cg:metric cg:NumberOfClusters ; qudt:numericValue 30.0 ; cg:citation ?c .
              FILTER NOT EXISTS { <https://w3id.org/clustergraph/id/observation/tic-2025-01-clusters-30-signatories> cg:asOf ?d } }"""
    assert shipped_graph.query(undated).askAnswer, "the story's 30 is kept, undated (its page shows no date)"


def test_every_post_title_of_roberto_bocca_is_kept_with_its_date(shipped_graph):
    query = """
        PREFIX cg: <https://w3id.org/clustergraph/ontology#>
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?asOf ?title WHERE {
          ?post org:heldBy <https://w3id.org/clustergraph/id/person/roberto-bocca> ;
                cg:title ?title ; cg:asOf ?asOf .
        } ORDER BY STR(?asOf)"""
    rows = [(str(r.asOf), str(r.title)) for r in shipped_graph.query(query)]
    assert rows == [
        ("2023-01", "Head of the Platform for Energy, Materials and Infrastructure"),
        ("2024-01", "Head of Energy, Materials and Infrastructure Centre"),
        ("2025-01-22", "Head of the Centre for Energy and Materials"),
    ]


def test_join_date_and_announcement_date_are_both_kept_where_they_differ(shipped_graph):
    """Gopalpur: in the January 2025 list, but its operator's release says it joined in June 2025."""
    gopalpur = URIRef("https://w3id.org/clustergraph/id/membership/gopalpur-industrial-park")
    assert str(shipped_graph.value(gopalpur, CG.memberSince)) == "2025-01-22"
    assert str(shipped_graph.value(gopalpur, CG.joinDate)) == "2025-06-02"
    assert shipped_graph.value(gopalpur, CG.joinDateSource) is not None


def test_an_inferred_join_year_is_marked_inferred_and_cited_to_the_compilation(shipped_graph):
    """Kawasaki is a confirmed member, but no source gives its join year: 2023 is tic-facts.md's
    inference (Japan appears only in the January 2023 batch), so it is cited to the compilation."""
    kawasaki = URIRef(f"{ID_NS}membership/kawasaki-carbon-neutral-industrial-complex")
    compilation = URIRef(f"{ID_NS}source/tic-facts-compilation")
    assert str(shipped_graph.value(kawasaki, CG.joinDate)) == "2023"
    assert shipped_graph.value(kawasaki, CG.joinDateSource) == compilation
    assert shipped_graph.value(kawasaki, CG.joinDateCertainty) == CG.Inferred
    assert shipped_graph.value(kawasaki, CG.certainty) == CG.Confirmed


def test_coordinates_are_marked_approximate_and_sourced(shipped_graph):
    from rdflib.namespace import DCTERMS

    from clustergraph.vocab import GEO

    geometries = list(shipped_graph.subjects(RDF.type, GEO.Geometry))
    # tic-facts.md gives an approximate point for 19 clusters; region-wide ones have none.
    assert len(geometries) == 19
    for geometry in geometries:
        assert shipped_graph.value(geometry, CG.approximate).toPython() is True, geometry
        assert shipped_graph.value(geometry, DCTERMS.source) is not None, geometry
