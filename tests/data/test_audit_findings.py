"""The findings of the source audit of #22, one check each: what the sources' words support, as
the data now states it. Each check is an ASK that holds on the shipped data and failed on the data
the audit read (1e2f070); the rules that keep the kind of defect away are in tests/verify/ and the
shapes (docs/model.md), the conflicts' questions in tests/competency/ (cq13-cq16)."""

from __future__ import annotations

import pytest

PREFIXES = """
BASE <https://w3id.org/clustergraph/id/>
PREFIX cg: <https://w3id.org/clustergraph/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""

#: (finding, ASK that holds once it is fixed)
FINDINGS = [
    ("Zero Carbon Humber's partners cite only pages that name them (not SARTA's Ohio story, not SPRI's)",
     """ASK { FILTER NOT EXISTS { ?partner dcterms:source ?s .
              FILTER (?partner IN (<organization/drax>, <organization/equinor>, <organization/sse>))
              FILTER (?s IN (<source/sarta-ohio-alliance-joins>, <source/spri-basque-first-meeting>)) } }"""),
    ("Kwinana's member companies cite only watoday, the page that names them",
     """ASK { ?st rdf:subject <cluster/kwinana-industrial-area> ; rdf:predicate org:hasMember ;
              rdf:object <organization/alcoa> ; dcterms:source <source/watoday-kwinana-2024> .
            FILTER NOT EXISTS { <organization/alcoa> dcterms:source ?s .
              FILTER (?s != <source/watoday-kwinana-2024> && ?s != <source/soundtelegraph-kwinana-closures>) } }"""),
    ("Mundra and Port of Açu claim no low-carbon ammonia or methanol the sources do not state",
     """ASK { FILTER NOT EXISTS { ?c cg:technology ?t .
              FILTER (?c IN (<cluster/mundra-cluster>, <cluster/port-of-acu>))
              FILTER (?t IN (<technology/ammonia>, <technology/methanol>)) } }"""),
    ("INBC's notable organisations are linked to it, not members",
     """ASK { <cluster/indo-pacific-net-zero-battery-materials-consortium> org:linkedTo <organization/glencore> , <organization/envision-group> .
            FILTER NOT EXISTS { <cluster/indo-pacific-net-zero-battery-materials-consortium> org:hasMember ?o } }"""),
    ("the 2024 annual report has no publisher no source names",
     "ASK { <report/tic-annual-report-2024> a cg:Report . FILTER NOT EXISTS { <report/tic-annual-report-2024> dcterms:publisher ?p } }"),
    ("H2Houston's '>100 organisations' cites no page dated after the figure's date",
     """ASK { <observation/h2houston-hub-organizations> cg:asOf ?asOf .
            FILTER NOT EXISTS { <observation/h2houston-hub-organizations> dcterms:source/dcterms:issued ?d .
              FILTER (STR(?d) > STR(?asOf)) } }"""),
    ("WEF staff are no cluster's key person without a source stating that role",
     """ASK { FILTER NOT EXISTS { ?c cg:keyPerson ?p .
              FILTER (?p IN (<person/alexandre-crueger>, <person/fernando-j-gomez>)) } }"""),
    ("organisation kinds no source states are gone (KSIDC, ÉcosystèmeD); SARTA's kind quotes its page",
     """ASK { FILTER NOT EXISTS { <organization/ksidc> a cg:GovernmentBody }
            FILTER NOT EXISTS { <organization/ecosystemed> a cg:PortOrClusterAuthority }
            ?st rdf:subject <organization/sarta> ; rdf:predicate rdf:type ; rdf:object cg:GovernmentBody ;
                cg:citation/cg:citedText ?w . FILTER (CONTAINS(STR(?w), "public agency")) }"""),
    ("no date taken from watoday's address: the page and the post it dates are undated",
     """ASK { FILTER NOT EXISTS { <source/watoday-kwinana-2024> dcterms:issued ?d }
            FILTER NOT EXISTS { ?post org:postIn <organization/kwinana-industries-council> ; cg:asOf ?a } }"""),
    ("Gopalpur is not 'led by' the company the sources call its developer",
     "ASK { FILTER NOT EXISTS { <cluster/gopalpur-industrial-park> cg:ledBy ?o } }"),
    ("the '31 territories' figure cites the /actualites/ page that says 31",
     """ASK { <observation/tic-2025-01-clusters-31-territories> cg:citation ?c .
            ?c dcterms:source <source/dunkerque-forum-economique-mondial> ; cg:citedText ?w .
            FILTER (CONTAINS(STR(?w), "31 territoires"))
            FILTER NOT EXISTS { <observation/tic-2025-01-clusters-31-territories> dcterms:source <source/dunkerque-davos-2025-note> } }"""),
    ("each copy of the press release carries the title its own page shows",
     """ASK { <source/wef-2025-01-22-press-release> dcterms:title "33 Global Clusters Pledge Growth, Jobs, Emissions Cuts"@en .
            <source/bwsustainabilityworld-2025> dcterms:title ?t .
            FILTER (STRSTARTS(STR(?t), "33 Industrial Clusters Across 16 Countries")) }"""),
    ("Gopalpur's two dates are two claims, each with its own sources",
     """ASK { <membership/gopalpur-industrial-park> cg:memberSince "2025-01-22"^^xsd:date ;
                cg:joinDate "2025-06-02"^^xsd:date ; cg:joinDateSource ?js ;
                cg:citation [ dcterms:source <source/wef-2025-01-22-press-release> ] ,
                            [ dcterms:source <source/newsdrum-gopalpur-joins> ] . }"""),
    ("the Dunkirk page is dated as its own text dates it",
     """ASK { <source/dunkerque-forum-economique-mondial> dcterms:issued "2024-01-17"^^xsd:date }"""),
    ("the BCG source supports the 2024 figures it states",
     """ASK { ?o a cg:MetricObservation ; dcterms:source <source/bcg-2024-economic-clusters> ; cg:asOf ?d .
            FILTER (STRSTARTS(STR(?d), "2024")) }"""),
    ("the Hunter Region's membership is announced once (clusters-joined-in-year lists it once)",
     """ASK { { SELECT (COUNT(?e) AS ?n) WHERE { <membership/hunter-region> cg:announcedIn ?e } } FILTER (?n = 1) }"""),
    ("every source of the launch quotes words about the launch",
     """ASK { <event/tic-launch-2021> dcterms:source ?any .
            FILTER NOT EXISTS { <event/tic-launch-2021> dcterms:source ?s .
              FILTER NOT EXISTS { <event/tic-launch-2021> cg:citation [ dcterms:source ?s ; cg:citedText ?w ] } } }"""),
]


@pytest.mark.parametrize(("finding", "ask"), FINDINGS, ids=[f for f, _ in FINDINGS])
def test_the_audit_finding_is_fixed(shipped_graph, finding: str, ask: str) -> None:
    assert shipped_graph.query(PREFIXES + ask).askAnswer, finding
