"""`clustergraph site`: a static linked-data site whose every page, link and data file is right."""

from __future__ import annotations

import html.parser
import json
import posixpath
import re
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from clustergraph.export import build_export_graph, jsonld_document_loader, resource_triples
from clustergraph.site import MAP_HEIGHT, MAP_WIDTH, build_site, iri_to_path, project, w3id_rules

BASE = "https://w3id.org/clustergraph/"
ID = BASE + "id/"
RDF_TYPE = URIRef("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
CG = "https://w3id.org/clustergraph/ontology#"


@pytest.fixture(scope="module")
def export_graph():
    return build_export_graph()


@pytest.fixture(scope="module")
def site(built_site: Path) -> Path:
    """The shipped graph's site (tests/site/conftest.py: built once per worker, shared)."""
    return built_site


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.ids: set[str] = set()
        self.scripts: list[str] = []
        self._in_script: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        for name in ("href", "src"):
            if a.get(name):
                self.refs.append((tag, name, a[name] or ""))
        if a.get("id"):
            self.ids.add(a["id"] or "")
        if tag == "script":
            self._in_script = a.get("type") or ""

    def handle_data(self, data: str) -> None:
        if self._in_script is not None:
            self.scripts.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = None


def _parse(path: Path) -> _Links:
    parser = _Links()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_every_resource_has_a_page_with_turtle_and_jsonld_beside_it(site: Path, export_graph) -> None:
    """A hash IRI (a claim's citation, `claim#source`) is on its claim's page, anchored."""
    subjects = {line.split(" ", 1)[0][1:-1] for line in export_graph.lines if line.startswith(f"<{ID}")}
    missing = []
    for iri in sorted(subjects):
        iri, _, fragment = iri.partition("#")
        folder = site / iri[len(BASE):]
        if fragment and f'id="{fragment}"' not in (folder / "index.html").read_text(encoding="utf-8"):
            missing.append(f"{folder / 'index.html'}#{fragment}")
        for name in ("index.html", "index.ttl", "index.jsonld"):
            if not (folder / name).is_file():
                missing.append(f"{folder / name}")
    assert not missing, missing[:10]
    assert (site / "id/cluster/jubail-industrial-city/index.html").is_file()


def test_every_internal_link_resolves_to_a_file(site: Path) -> None:
    broken = []
    pages = sorted(site.rglob("*.html"))
    parsed = {p: _parse(p) for p in pages}
    for page, links in parsed.items():
        for tag, attr, ref in links.refs:
            if re.match(r"^[a-z][a-z0-9+.-]*:", ref):  # http:, https:, mailto:, data:
                continue
            path, _, fragment = ref.partition("#")
            target = (page.parent / path) if path else page
            if target.is_dir():  # only a web server turns a folder into its index.html
                broken.append(f"{page.relative_to(site)}: <{tag} {attr}={ref!r}> is a folder, not a page")
            elif not target.exists():
                broken.append(f"{page.relative_to(site)}: <{tag} {attr}={ref!r}>")
            elif fragment and target.suffix == ".html" and fragment not in parsed[target.resolve()
                                                                                   if target.resolve() in parsed
                                                                                   else target].ids:
                broken.append(f"{page.relative_to(site)}: #{fragment} not in {target.relative_to(site)}")
    assert not broken, f"{len(broken)} broken links, e.g. {broken[:10]}"


def test_site_works_offline(site: Path) -> None:
    """Nothing is loaded from elsewhere: styles, images, scripts and map are the site's own files."""
    offenders = []
    for page in site.rglob("*.html"):
        for tag, attr, ref in _parse(page).refs:
            if tag in ("link", "script", "img", "image", "iframe", "source") and re.match(r"^(https?:)?//", ref):
                offenders.append(f"{page.relative_to(site)}: {tag} {ref}")
    assert not offenders, offenders[:10]
    svg = (site / "assets/world.svg").read_text(encoding="utf-8")
    assert "http://" not in svg.replace("http://www.w3.org/2000/svg", "")
    assert svg.count("<path") > 150


def test_resource_data_files_hold_the_resource_description(site: Path, export_graph) -> None:
    from pyld import jsonld

    from clustergraph.files.load import to_rdflib

    for slug in ("cluster/jubail-industrial-city", "country/SA", "technology/hydrogen"):
        iri = ID + slug
        expected = Graph()
        for t in resource_triples(export_graph, iri):
            expected.add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
        assert len(expected) > 2
        ttl = Graph().parse(site / "id" / slug / "index.ttl", format="turtle")
        assert isomorphic(ttl, expected), slug
        doc = json.loads((site / "id" / slug / "index.jsonld").read_text(encoding="utf-8"))
        nquads = jsonld.to_rdf(doc, {"format": "application/n-quads", "documentLoader": jsonld_document_loader()})
        assert isomorphic(Graph().parse(data=nquads, format="nt"), expected), slug


def test_cluster_page_shows_labels_links_sources_and_schema_org(site: Path) -> None:
    page = site / "id/cluster/jubail-industrial-city/index.html"
    text = page.read_text(encoding="utf-8")
    links = _parse(page)
    assert "<h1>Jubail Industrial City</h1>" in text
    hrefs = {ref for _, attr, ref in links.refs if attr == "href"}
    assert "../../country/SA/index.html" in hrefs  # the country, as a link, with its label
    assert ">Saudi Arabia</a>" in text
    assert any(h.startswith("../../source/") for h in hrefs)  # sources, as pages...
    assert any(h.startswith("https://") and "clustergraph" not in h for h in hrefs)  # ...and addresses
    (schema,) = [s for s in links.scripts if '"@context"' in s]
    doc = json.loads(schema)
    assert doc["@type"] == "Place" and doc["name"] == "Jubail Industrial City"
    assert doc["geo"]["@type"] == "GeoCoordinates"
    assert 'type="text/turtle" href="index.ttl"' in text and 'href="index.jsonld"' in text
    assert text.count("<circle") == 1  # the small map


def test_index_pages_per_kind(site: Path, shipped_graph) -> None:
    for kind in ("cluster", "country", "technology", "organization", "person", "report"):
        assert (site / "id" / kind / "index.html").is_file(), kind
    clusters = set(shipped_graph.subjects(RDF_TYPE, URIRef(CG + "IndustrialCluster")))
    listing = (site / "id/cluster/index.html").read_text(encoding="utf-8")
    assert listing.count("<tr>") == len(clusters) + 1
    candidates = set(shipped_graph.subjects(RDF_TYPE, URIRef(CG + "CandidateCluster")))
    for c in candidates:
        assert f'href="../candidate/{str(c).rsplit("/", 1)[1]}/index.html"' not in listing


def test_technology_tree_nests_narrower_concepts(site: Path) -> None:
    text = (site / "id/technology/index.html").read_text(encoding="utf-8")
    # green hydrogen is a kind of low-carbon hydrogen (data/technologies.ttl)
    low_carbon = text.index('href="low-carbon-hydrogen/index.html"')
    green = text.index('href="green-hydrogen/index.html"')
    nested = text[low_carbon:green]
    assert '<ul class="tree">' in nested and "</ul>" not in nested


def test_ontology_page_documents_every_class_and_property(site: Path) -> None:
    import pyoxigraph as ox

    from clustergraph.files.paths import ontology_file

    store = ox.Store()
    store.load(path=str(ontology_file()), format=ox.RdfFormat.TURTLE)
    terms = [r["t"].value for r in store.query(
        "PREFIX owl: <http://www.w3.org/2002/07/owl#> SELECT DISTINCT ?t { VALUES ?k { owl:Class "
        "owl:ObjectProperty owl:DatatypeProperty } ?t a ?k FILTER(STRSTARTS(STR(?t), STR(<" + CG + ">))) }")]
    page = site / "ontology/index.html"
    ids = _parse(page).ids
    text = page.read_text(encoding="utf-8")
    assert set(t[len(CG):] for t in terms) <= ids
    section = text[text.index('id="technology"'):]
    section = section[: section.index("</section>")]
    assert "<dt>domain</dt>" in section and "<dt>range</dt>" in section and "<dt>definition</dt>" in section
    assert (site / "ontology/context.jsonld").is_file() and (site / "ontology/clustergraph.ttl").is_file()


def test_map_has_a_marker_per_located_cluster_coloured_by_focus(site: Path) -> None:
    text = (site / "map/index.html").read_text(encoding="utf-8")
    located = re.search(r"(\d+) of (\d+) clusters have a location", text)
    assert located
    assert text.count("<circle") == int(located.group(1))
    colours = set(re.findall(r'<circle [^>]*fill="(#[0-9a-f]{6})"', text))
    assert len(colours) >= 3
    assert 'class="legend"' in text


def test_projection_is_inside_the_map() -> None:
    for lon, lat in ((-180, 0), (180, 0), (0, 90), (0, -90), (49.66, 27.01)):
        x, y = project(lon, lat)
        assert -1 <= x <= MAP_WIDTH + 1 and -1 <= y <= MAP_HEIGHT + 1
    assert project(0, 0) == (MAP_WIDTH / 2, MAP_HEIGHT / 2)
    assert project(10, 0)[0] > project(0, 0)[0] and project(0, 10)[1] < project(0, 0)[1]


def test_downloads_and_dataset_description_are_in_the_site(site: Path) -> None:
    downloads = site / "downloads"
    for suffix in (".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".csv", ".tsv"):
        assert (downloads / f"clustergraph{suffix}").is_file()
    void = Graph().parse(downloads / "void.ttl", format="turtle")
    page_data = Graph().parse(site / "id/dataset/clustergraph/index.ttl", format="turtle")
    assert isomorphic(void, page_data)
    assert (site / "id/dataset/clustergraph/index.html").is_file()


def _rewrite(rules: str, path: str, accept: str) -> tuple[int, str] | None:
    """Apply the (simple) mod_rewrite rules the way Apache does, for one request."""
    conditions: list[tuple[str, bool]] = []
    for line in rules.splitlines():
        line = line.strip()
        if line.startswith("RewriteCond %{HTTP_ACCEPT}"):
            pattern = line.split(None, 2)[2]
            negate = pattern.startswith("!")
            conditions.append((pattern.lstrip("!"), negate))
        elif line.startswith("RewriteRule"):
            _, pattern, target, flags = line.split()
            ok = all(bool(re.search(p, accept)) != neg for p, neg in conditions)
            conditions = []
            m = re.search(pattern, path)
            if ok and m:
                result = re.sub(r"\$(\d)", lambda g: m.group(int(g.group(1))), target)
                code = int(re.search(r"R=(\d+)", flags).group(1))  # type: ignore[union-attr]
                return code, result
    return None


@pytest.mark.parametrize("accept,expected", [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "id/cluster/jubail-industrial-city/"),
    ("text/turtle", "id/cluster/jubail-industrial-city/index.ttl"),
    ("application/ld+json", "id/cluster/jubail-industrial-city/index.jsonld"),
    ("text/turtle;q=1.0, application/rdf+xml;q=0.5", "id/cluster/jubail-industrial-city/index.ttl"),
])
def test_w3id_rules_send_browsers_html_and_machines_data(site: Path, accept: str, expected: str) -> None:
    rules = (site / "w3id.htaccess").read_text(encoding="utf-8")
    assert rules == w3id_rules("https://clustergraph.github.io/clustergraph/")
    code, target = _rewrite(rules, "id/cluster/jubail-industrial-city", accept)  # type: ignore[misc]
    assert code == 303
    assert target == "https://clustergraph.github.io/clustergraph/" + expected
    local = site / expected
    assert (local / "index.html").is_file() if expected.endswith("/") else local.is_file()


def test_w3id_rules_for_the_ontology(site: Path) -> None:
    rules = (site / "w3id.htaccess").read_text(encoding="utf-8")
    code, target = _rewrite(rules, "ontology", "text/turtle")  # type: ignore[misc]
    assert (code, target) == (303, "https://clustergraph.github.io/clustergraph/ontology/clustergraph.ttl")
    code, target = _rewrite(rules, "ontology", "text/html")  # type: ignore[misc]
    assert target.endswith("/ontology/")


def test_site_htaccess_declares_media_types_and_negotiates(site: Path) -> None:
    text = (site / ".htaccess").read_text(encoding="utf-8")
    assert "AddType text/turtle; charset=utf-8 .ttl" in text
    assert "AddType application/ld+json .jsonld" in text
    assert "RewriteRule ^(.*?)/?$ $1/index.ttl [L]" in text


def test_two_builds_are_identical(tmp_path: Path, export_graph) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    build_site(a, graph=export_graph)
    build_site(b, graph=export_graph)
    files_a = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file())
    assert files_a == sorted(p.relative_to(b) for p in b.rglob("*") if p.is_file())
    different = [str(p) for p in files_a if (a / p).read_bytes() != (b / p).read_bytes()]
    assert not different, different[:5]


def test_iri_to_path_refuses_unsafe_paths() -> None:
    assert iri_to_path(ID + "cluster/x") == ("id/cluster/x", "")
    assert iri_to_path(CG + "IndustrialCluster") == ("ontology", "IndustrialCluster")
    assert iri_to_path(ID + "cluster/../../etc") is None
    assert iri_to_path("https://example.org/x") is None
    assert posixpath.normpath("id/cluster/x") == "id/cluster/x"


def test_cli_builds_site(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = subprocess.run([sys.executable, "-m", "clustergraph", "site", str(out), "--no-downloads"],
                            capture_output=True, check=False)
    assert result.returncode == 0, result.stderr.decode()
    assert re.match(rb"built .*: \d+ pages for \d+ resources, \d+ files", result.stderr)
    assert (out / "index.html").is_file() and not (out / "downloads" / "clustergraph.ttl").exists()
