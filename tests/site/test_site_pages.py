"""The site's pages are made for their readers: each kind of page answers what its reader asks
first, with the source of each claim beside it, and loses no statement of the graph.

The site is built once through the command (`clustergraph site OUT`); the cases are data: for a
page, the sections it must have and what each must say or link to.
"""

from __future__ import annotations

import html.parser
import posixpath
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from clustergraph.cli import main

BASE = "https://w3id.org/clustergraph/"
ID = BASE + "id/"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pages") / "site"
    main(["site", str(out), "--no-downloads"])  # returns on success, exits on an error
    return out


@dataclass
class Page:
    """A page read as a reader sees it: its h1, its sections (h2 -> text) and its links."""

    h1: str = ""
    sections: dict[str, str] = field(default_factory=dict)
    links: dict[str, str] = field(default_factory=dict)  # href -> text
    ids: set[str] = field(default_factory=set)
    texts_and_attributes: list[str] = field(default_factory=list)
    svgs: int = 0
    circles: int = 0


_INLINE = {"a", "span", "strong", "em", "time", "sup", "i", "code", "abbr"}


class _Reader(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.page = Page()
        self._section = "(top)"
        self._heading: str | None = None
        self._link: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.page.texts_and_attributes.extend(a.values())
        if tag not in _INLINE:
            self.handle_data(" ")
        if a.get("id"):
            self.page.ids.add(a["id"])
        if tag in ("h1", "h2"):
            self._heading = tag
            self._buffer: list[str] = []
        if tag == "a" and "href" in a:
            self._link.append(a["href"])
            self._link_text: list[str] = []
        if tag in ("script", "style"):
            self._skip += 1
        if tag == "svg":
            self.page.svgs += 1
        if tag == "circle":
            self.page.circles += 1

    def handle_endtag(self, tag: str) -> None:
        if tag not in _INLINE:
            self.handle_data(" ")
        if tag in ("h1", "h2") and self._heading == tag:
            text = " ".join("".join(self._buffer).split())
            if tag == "h1":
                self.page.h1 = text
            else:
                self._section = text
                self.page.sections.setdefault(text, "")
            self._heading = None
        if tag == "a" and self._link:
            self.page.links[self._link.pop()] = " ".join("".join(self._link_text).split())
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if self._skip:
            return
        self.page.texts_and_attributes.append(data)
        if self._heading:
            self._buffer.append(data)
        if self._link:
            self._link_text.append(data)
        if self._heading != "h2":
            self.page.sections[self._section] = self.page.sections.get(self._section, "") + data


def read(site: Path, folder: str) -> Page:
    reader = _Reader()
    reader.feed((site / folder / "index.html").read_text(encoding="utf-8"))
    page = reader.page
    page.sections = {k: " ".join(v.split()) for k, v in page.sections.items()}
    return page


#: (page folder, h1, {section heading: [phrases its text contains]}, {href: link text})
PAGES = [
    ("id/cluster/jubail-industrial-city", "Jubail Industrial City", {
        "Where": ["Country Saudi Arabia", "Region Eastern Province", "City Jubail", "27.01, 49.66", "approximate"],
        "Member of": ["Transitioning Industrial Clusters since 22 January 2025",
                      "announced in Thirteen clusters join, making 33 in 16 countries (Davos, January 2025)",
                      "confirmed", "the first industrial city in the Middle East to join"],
        "Technologies": ["circular economy › industrial symbiosis", "energy efficiency › district cooling"],
        "Organisations": ["Linked to Royal Commission for Jubail and Yanbu"],
        "People": ["Khalid Al-Salem", "President, Royal Commission for Jubail and Yanbu"],
        "Sources": ["Zawya: Jubail Industrial City first in Middle East", "https://www.zawya.com/en/business/"],
    }, {"../../country/SA/index.html": "Saudi Arabia",
        "../../initiative/transitioning-industrial-clusters/index.html": "Transitioning Industrial Clusters",
        "../../technology/industrial-symbiosis/index.html": "industrial symbiosis",
        "../../technology/index.html": "the technology tree",
        "../../person/khalid-al-salem/index.html": "Khalid Al-Salem"}),
    ("id/cluster/dunkerque-dkarbonation", None, {
        "Member of": ["since June 2023", "announced in Three clusters join, making 20 in 10 countries (January 2024)"],
        "Figures and targets": ["annual emissions", "16 million t", "emission reduction target",
                                "target for 2030", "55 %", "jobs supported", "20,000", "2030-2040"],
    }, {}),
    ("id/initiative/transitioning-industrial-clusters", "Transitioning Industrial Clusters", {
        "(top)": ["Run by World Economic Forum", "Partners Accenture[1][2], EPRI[1][2]",
                  "Launched 3 November 2021, Glasgow: Launch of the initiative at COP26", "Members named here 31 clusters"],
        "Growth": ["Member clusters", "Countries", "Claimed emission cuts", "declared", "named in this graph"],
        "Timeline": ["3 November 2021 Launch of the initiative at COP26", "Joined: Basque Net-Zero Industrial Super Cluster",
                     "22 January 2025 Thirteen clusters join, making 33 in 16 countries", "Jubail Industrial City",
                     "more than 100", "target for 2024"],
        "Figures per date": ["number of clusters", "number of countries", "emission reduction potential",
                             "about 30 million t", "compared with Denmark"],
    }, {"../../organization/world-economic-forum/index.html": "World Economic Forum",
        "../../cluster/jubail-industrial-city/index.html": "Jubail Industrial City"}),
    ("id/country/SA", "Saudi Arabia", {
        "(top)": ["ISO 3166 codes SA, SAU", "Clusters 1"],
        "Industrial clusters": ["Jubail Industrial City", "industrial symbiosis", "22 January 2025"],
    }, {"../../cluster/jubail-industrial-city/index.html": "Jubail Industrial City"}),
    ("id/technology/hydrogen", "hydrogen", {
        "(top)": ["Narrower", "low-carbon hydrogen", "hydrogen mobility", "hydrogen carriers"],
        "Clusters pursuing it or a narrower technology": ["Andalusian Green Hydrogen Valley", "green hydrogen"],
    }, {"../green-hydrogen/index.html": "green hydrogen",
        "../index.html#hydrogen": "technology tree"}),
    ("id/technology/green-hydrogen", "green hydrogen", {
        "(top)": ["Broader low-carbon hydrogen", "hydrogen › low-carbon hydrogen › green hydrogen"],
        "Clusters pursuing it": ["Andalusian Green Hydrogen Valley", "Gopalpur Industrial Park"],
    }, {"../hydrogen/index.html": "hydrogen"}),
    ("id/organization/royal-commission-for-jubail-and-yanbu", "Royal Commission for Jubail and Yanbu", {
        "(top)": ["Also called: RCJY", "Linked to Jubail Industrial City"],
        "People": ["Khalid Al-Salem, President", "The source styles him Eng. Khalid Al-Salem."],
    }, {"../../cluster/jubail-industrial-city/index.html": "Jubail Industrial City"}),
    ("id/person/khalid-al-salem", "Khalid Al-Salem", {
        "Posts": ["President, Royal Commission for Jubail and Yanbu"],
        "Key person of": ["Jubail Industrial City"],
    }, {"../../organization/royal-commission-for-jubail-and-yanbu/index.html": "Royal Commission for Jubail and Yanbu"}),
    ("id/person/roberto-bocca", "Roberto Bocca", {
        "Quoted": ["Connecting clusters across geographies", "22 January 2025"],
    }, {}),
    ("id/source/zawya-jubail-first-in-middle-east", None, {
        "(top)": ["address", "https://www.zawya.com/en/business/energy/jubail-industrial-city-first-in-middle-east"],
    }, {}),
]


@pytest.mark.parametrize("folder,h1,sections,links", PAGES, ids=[p[0] for p in PAGES])
def test_page_answers_what_its_reader_asks_first(site: Path, folder: str, h1: str | None,
                                                 sections: dict[str, list[str]], links: dict[str, str]) -> None:
    page = read(site, folder)
    if h1 is not None:
        assert page.h1 == h1
    for heading, phrases in sections.items():
        assert heading in page.sections, f"{folder}: no section {heading!r} in {list(page.sections)}"
        for phrase in phrases:
            assert phrase in page.sections[heading], f"{folder} / {heading}: {phrase!r} not in {page.sections[heading]!r}"
    for href, text in links.items():
        assert page.links.get(href) == text, f"{folder}: link {href} is {page.links.get(href)!r}"


@pytest.mark.parametrize("folder", ["id/cluster/jubail-industrial-city", "id/initiative/transitioning-industrial-clusters",
                                    "id/person/khalid-al-salem"])
def test_every_claim_cites_numbered_sources_listed_with_their_addresses(site: Path, folder: str) -> None:
    text = (site / folder / "index.html").read_text(encoding="utf-8")
    page = read(site, folder)
    cited = set(re.findall(r'href="#(source-\d+)"', text))
    assert cited, "claims cite their sources"
    assert cited <= page.ids, "every cited source is in the list at the bottom"
    listed = {i for i in page.ids if i.startswith("source-")}
    assert listed == cited
    assert any(h.startswith("https://") and "w3id.org" not in h for h in page.links), "sources with addresses"


def test_initiative_growth_is_drawn_as_three_svg_charts(site: Path) -> None:
    text = (site / "id/initiative/transitioning-industrial-clusters/index.html").read_text(encoding="utf-8")
    charts = re.findall(r'<figure class="chart"><svg .*?</svg>', text, re.S)
    assert len(charts) == 3
    members, countries, cuts = charts
    assert "Member clusters" in members and "2021" in members and "stroke-dasharray" in members
    assert "Countries" in countries
    assert "Claimed emission cuts" in cuts and " M<" in cuts or " bn<" in cuts
    for svg in charts:
        assert re.search(r'<path d="M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+"', svg), "a line through the announcements"
        assert "<title>" in svg, "each value names its date and source"
    assert "33" in members and "wef" not in members.lower().split("<title>")[0]


def _objects_of(site: Path) -> dict[str, list[tuple[str, str, str]]]:
    """Each resource's own statements from its index.ttl: (predicate, kind of object, value)."""
    import pyoxigraph as ox

    statements: dict[str, list[tuple[str, str, str]]] = {}
    for ttl in sorted(site.glob("id/*/*/index.ttl")):
        iri = ID + ttl.parent.relative_to(site / "id").as_posix()
        rows = []
        for t in ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE):
            if not isinstance(t.subject, ox.NamedNode) or t.subject.value != iri:
                continue
            o = t.object
            rows.append((t.predicate.value, "iri" if isinstance(o, ox.NamedNode) else
                         "literal" if isinstance(o, ox.Literal) else "bnode", o.value if not isinstance(o, ox.BlankNode) else ""))
        statements[iri] = rows
    return statements


def test_no_page_loses_a_statement(site: Path) -> None:
    """Every statement of a resource shows on its page: a link to each IRI it names (to the page
    for our IRIs that have one, else the IRI itself), and each literal (as written, or as the
    datetime or title of what shows it in words)."""
    missing = []
    for iri, rows in _objects_of(site).items():
        folder = "id/" + iri[len(ID):]
        page = read(site, folder)
        seen = "\n".join(page.texts_and_attributes)
        targets = {posixpath.normpath(posixpath.join(folder, h)) for h in page.links if not re.match(r"^[a-z]+:", h)}
        targets |= set(page.links)
        for predicate, kind, value in rows:
            if predicate == "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" or kind == "bnode":
                continue
            if kind == "iri" and value.startswith(BASE):
                path, _, fragment = value[len(BASE):].partition("#")
                if (site / path / "index.html").is_file():
                    expected = posixpath.join(path, "index.html") + (f"#{fragment}" if fragment else "")
                    if expected not in targets:
                        missing.append(f"{folder}: link to {expected}")
                    continue
            if kind == "iri" and value in page.links:
                continue
            if value not in seen:
                missing.append(f"{folder}: {predicate.rsplit('/', 1)[-1]} {value[:60]!r}")
    assert not missing, f"{len(missing)} statements not shown, e.g. {missing[:10]}"


@pytest.mark.parametrize(("prefix", "country", "style", "data"), [
    (None, "../country/SA", "../../assets/style.css", "jubail-industrial-city?format=ttl"),
    ("/", "/id/country/SA", "/assets/style.css", "/id/cluster/jubail-industrial-city?format=ttl"),
    ("/kg", "/kg/id/country/SA", "/kg/assets/style.css", "/kg/id/cluster/jubail-industrial-city?format=ttl"),
], ids=["relative", "absolute", "under-a-prefix"])
def test_the_server_link_style_links_to_page_addresses(prefix, country, style, data) -> None:
    """By default relative to the page's own address (so the pages work wherever the server is
    mounted); absolute under a prefix when one is given."""
    from clustergraph.export import build_export_graph
    from clustergraph.site import LinkStyle, PageRenderer

    pages = PageRenderer(build_export_graph(), links=LinkStyle.server(prefix))
    html_text = pages.render(ID + "cluster/jubail-industrial-city")
    assert html_text is not None
    assert f'href="{country}"' in html_text and f'href="{style}"' in html_text
    assert f'href="{data}"' in html_text
    assert "index.html" not in html_text
    assert pages.render(ID + "cluster/no-such-cluster") is None
    assert pages.render("https://example.org/elsewhere") is None
    assert pages.render_index("cluster") is not None and pages.render_index("no-such-kind") is None
    assert pages.path_of(ID + "country/SA") == "id/country/SA"
    assert set(pages.assets()) >= {"assets/style.css", "assets/world.svg", "assets/favicon.svg", "favicon.ico"}


def test_search_index_finds_clusters_organisations_people_and_technologies_by_any_name() -> None:
    import json

    from clustergraph.export import build_export_graph
    from clustergraph.site import LinkStyle, PageRenderer

    pages = PageRenderer(build_export_graph(), links=LinkStyle.server())
    entries = json.loads(pages.search_index_json())
    assert entries == sorted(entries, key=lambda e: (e["label"].casefold(), e["iri"]))
    by_label = {(e["label"], e["kind"]): e for e in entries}
    assert by_label[("Jubail Industrial City", "cluster")]["href"] == "id/cluster/jubail-industrial-city"
    assert by_label[("RCJY", "organization")]["iri"] == ID + "organization/royal-commission-for-jubail-and-yanbu"
    assert ("Khalid Al-Salem", "person") in by_label and ("green hydrogen", "technology") in by_label
    assert {e["kind"] for e in entries} == {"cluster", "organization", "person", "technology"}


def test_templates_escape_what_the_data_says(tmp_path: Path) -> None:
    """A label with markup is shown as text, never run as markup (autoescaping)."""
    from clustergraph.export import build_export_graph
    from clustergraph.site import PageRenderer

    data = tmp_path / "evil.ttl"
    data.write_text(
        '@prefix cg: <https://w3id.org/clustergraph/ontology#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n'
        '<https://w3id.org/clustergraph/id/cluster/evil> a cg:IndustrialCluster ;\n'
        '  skos:prefLabel "<script>alert(1)</script>"@en ; cg:region "\\" onmouseover=\\"x"@en .\n', encoding="utf-8")
    pages = PageRenderer(build_export_graph(data=[data]))
    text = pages.render(ID + "cluster/evil")
    assert text is not None
    assert "<script>alert(1)</script>" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert '" onmouseover="x' not in text
