"""Every resource IRI dereferences on `clustergraph serve`: HTML for people, RDF for machines.

The HTML is the site's page (the same renderer as `clustergraph site`, with server links); the
RDF is what `clustergraph.export`'s per-resource functions write. Also: the query page and its
vendored YASGUI, `/void`, `/health`.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
from support.serve_support import RunningServer, served  # noqa: F401

pytestmark = pytest.mark.slow  # every test asks a running `clustergraph serve`

ID_NS = "https://w3id.org/clustergraph/id/"
JUBAIL = ID_NS + "cluster/jubail-industrial-city"
BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.fixture(scope="module")
def export_graph():
    from clustergraph.export import build_export_graph

    return build_export_graph()


@pytest.fixture(scope="module")
def renderer(export_graph):
    from clustergraph.site import LinkStyle, PageRenderer

    return PageRenderer(export_graph, links=LinkStyle.server())


def _resources(export_graph) -> list[str]:
    """Our resources' IRIs; a hash IRI (a claim's citation) is answered with its claim."""
    return sorted({t.subject.value.partition("#")[0] for t in export_graph.triples()
                   if isinstance(t.subject, ox.NamedNode) and t.subject.value.startswith(ID_NS)})


def test_every_resource_dereferences_as_turtle_with_the_exports_triples(served: RunningServer,
                                                                        export_graph) -> None:
    from clustergraph.export import resource_triples

    resources = _resources(export_graph)
    assert len(resources) > 400
    for iri in resources:
        answer = served.get("/id/" + iri[len(ID_NS):], headers={"Accept": "text/turtle"})
        assert (answer.status, answer.media_type) == (200, "text/turtle"), iri
        got = {str(q.triple) for q in ox.parse(answer.body, format=ox.RdfFormat.TURTLE)}
        assert got == {str(t) for t in resource_triples(export_graph, iri)}, iri


@pytest.mark.parametrize(("accept", "fmt", "media"), [
    ("text/turtle", "ttl", "text/turtle"),
    ("application/ld+json", "jsonld", "application/ld+json"),
    ("application/n-triples", "nt", "application/n-triples"),
    ("*/*", None, "text/turtle"),
    (None, None, "text/turtle"),
])
def test_machines_get_the_bytes_the_export_writes(served: RunningServer, export_graph, accept, fmt,
                                                  media) -> None:
    from clustergraph.export import resource_triples, serialize_triples

    names = {"text/turtle": "turtle", "application/ld+json": "jsonld",
             "application/n-triples": "ntriples"}
    triples = resource_triples(export_graph, JUBAIL)
    if media == "application/ld+json":  # the export's writer, the context embedded (self-contained)
        from clustergraph.export import load_context
        from clustergraph.export.jsonld import jsonld_chunks

        expected = b"".join(jsonld_chunks(triples, context=load_context(), inline=True))
    else:
        expected = serialize_triples(triples, names[media])
    by_accept = served.get("/id/cluster/jubail-industrial-city",
                           headers={"Accept": accept} if accept else {})
    assert (by_accept.status, by_accept.media_type, by_accept.body) == (200, media, expected)
    assert by_accept.headers["vary"] == "Accept"
    if fmt:
        by_format = served.get("/id/cluster/jubail-industrial-city", {"format": fmt},
                               headers={"Accept": BROWSER_ACCEPT})
        assert (by_format.media_type, by_format.body) == (media, expected)


def test_the_link_header_names_every_representation(served: RunningServer) -> None:
    link = served.get("/id/cluster/jubail-industrial-city").headers["link"]
    for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                       ("nt", "application/n-triples"), ("html", "text/html")):
        assert f'</id/cluster/jubail-industrial-city?format={ext}>; rel="alternate"; type="{media}"' in link


@pytest.mark.parametrize("iri", [
    JUBAIL,
    ID_NS + "initiative/transitioning-industrial-clusters",
    ID_NS + "country/SA",
    ID_NS + "technology/hydrogen",
    ID_NS + "organization/royal-commission-for-jubail-and-yanbu",
    ID_NS + "person/khalid-al-salem",
    ID_NS + "source/wef-2025-01-22-press-release",
])
def test_browsers_get_the_sites_page_for_the_resource(served: RunningServer, renderer, iri) -> None:
    answer = served.get("/id/" + iri[len(ID_NS):], headers={"Accept": BROWSER_ACCEPT})
    assert (answer.status, answer.media_type) == (200, "text/html")
    assert answer.text == renderer.render(iri)
    assert f"<title>{renderer.idx.label(iri)}" in answer.text.replace("&#39;", "'")


def test_the_pages_links_and_assets_resolve_on_the_server(served: RunningServer) -> None:
    import re
    from urllib.parse import urljoin, urlsplit

    address = "/id/cluster/jubail-industrial-city"
    page = served.get(address, headers={"Accept": BROWSER_ACCEPT}).text
    links = {link.split("#")[0] for link in re.findall(r'(?:href|src)="([^"]*)"', page)} - {""}
    local = sorted(urljoin(address, link) for link in links if not urlsplit(link).scheme)
    assert "/assets/style.css" in local and "/id/country/SA" in local
    assert not [link for link in links if link.startswith("/")], "links are relative to the page"
    for link in local:
        answer = served.get(link, headers={"Accept": BROWSER_ACCEPT})
        assert answer.status == 200, link


def test_an_address_with_a_slash_at_the_end_is_sent_to_the_page(served: RunningServer) -> None:
    answer = served.get("/id/cluster/jubail-industrial-city/?format=ttl")
    assert answer.status == 308
    assert answer.headers["location"] == "/id/cluster/jubail-industrial-city?format=ttl"


def test_a_kind_has_an_index_page(served: RunningServer, renderer) -> None:
    answer = served.get("/id/cluster", headers={"Accept": BROWSER_ACCEPT})
    assert answer.status == 200 and answer.text == renderer.render_index("cluster")
    assert "Jubail Industrial City" in answer.text


@pytest.mark.parametrize("path", ["/id/cluster/no-such-cluster", "/id/no-such-kind", "/nowhere"])
def test_unknown_resources_are_404_for_machines_and_browsers(served: RunningServer, path) -> None:
    machine = served.get(path, headers={"Accept": "text/turtle"})
    assert machine.status == 404 and machine.json()["error"]
    browser = served.get(path, headers={"Accept": BROWSER_ACCEPT})
    assert browser.status == 404 and browser.media_type == "text/html"


def test_void_describes_the_served_graph_and_names_this_endpoint(served: RunningServer,
                                                                 export_graph) -> None:
    answer = served.get("/void", headers={"Accept": "text/turtle"})
    assert answer.status == 200
    store = ox.Store()
    store.load(answer.body, format=ox.RdfFormat.TURTLE)
    endpoint = list(store.query(
        "SELECT ?e ?n WHERE { ?d <http://rdfs.org/ns/void#sparqlEndpoint> ?e ; "
        "<http://rdfs.org/ns/void#triples> ?n }"))
    assert [(s["e"].value, int(s["n"].value)) for s in endpoint] == [
        (served.url + "/sparql", len(export_graph))]
    jsonld = served.get("/void", {"format": "jsonld"})
    assert jsonld.media_type == "application/ld+json" and json.loads(jsonld.body)
    browser = served.get("/void", headers={"Accept": BROWSER_ACCEPT})
    assert (browser.status, browser.headers["location"]) == (303, "/id/dataset/clustergraph")


def test_health_reports_the_graph_and_the_workers(served: RunningServer, export_graph) -> None:
    health = served.get("/health").json()
    assert health["status"] == "ok"
    assert health["triples"] == len(export_graph)
    assert health["workers"] == 2


def test_the_query_page_loads_the_vendored_yasgui(served: RunningServer, repo_root) -> None:
    page = served.get("/", headers={"Accept": BROWSER_ACCEPT})
    assert page.status == 200 and page.media_type == "text/html"
    assert '<script src="assets/yasgui/yasgui.min.js"></script>' in page.text  # relative: works mounted
    assert "http" not in page.text.split("<body>")[0].replace('http-equiv', '')  # no CDN
    vendored = repo_root / "src/clustergraph/site_assets/vendor/yasgui"
    for name, media in (("yasgui.min.js", "text/javascript"), ("yasgui.min.css", "text/css")):
        answer = served.get(f"/assets/yasgui/{name}")
        assert (answer.status, answer.media_type) == (200, media)
        assert answer.body == (vendored / name).read_bytes()
    assert served.get("/static/query.js").status == 200
