"""A synthetic clustergraph of any size, shaped like the real one, as N-Triples.

It holds the shipped ontology and data (so every stored query's default parameters find
something) plus generated industrial clusters with the same kinds of resources and links as
data/*.ttl: countries, technologies (a SKOS hierarchy), organisations, people and posts,
memberships with dates of mixed precision, metric observations, source documents with
publishers, reports and candidate clusters, all under our IRIs and vocabulary. The output is
deterministic for a seed.

    python benchmarks/synthetic.py --triples 1000000 --seed 42 --out /tmp/synthetic-1m.nt

Reuse from Python: ``write_synthetic(path, triples=..., seed=...)`` or ``generate(...)``.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ID = "https://w3id.org/clustergraph/id/"
CG = "https://w3id.org/clustergraph/ontology#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
DCT = "http://purl.org/dc/terms/"
ORG = "http://www.w3.org/ns/org#"
GEO = "http://www.opengis.net/ont/geosparql#"
QUDT = "http://qudt.org/schema/qudt/"
UNIT = "http://qudt.org/vocab/unit/"
SCHEMA = "https://schema.org/"
OWL = "http://www.w3.org/2002/07/owl#"
XSD = "http://www.w3.org/2001/XMLSchema#"
TIC = f"{ID}initiative/transitioning-industrial-clusters"

WORDS = [
    "north",
    "south",
    "east",
    "west",
    "port",
    "bay",
    "river",
    "valley",
    "delta",
    "coast",
    "green",
    "blue",
    "clean",
    "net",
    "zero",
    "hydrogen",
    "carbon",
    "energy",
    "industrial",
    "park",
    "hub",
    "cluster",
    "harbour",
    "steel",
    "chemical",
    "refinery",
    "wind",
    "solar",
    "basin",
    "estuary",
    "highland",
    "lowland",
    "metro",
    "city",
    "island",
    "cape",
    "lake",
    "forest",
]
METRICS = [
    "NumberOfClusters",
    "NumberOfCountries",
    "EmissionReductionPotential",
    "AnnualEmissions",
    "GDPContribution",
    "JobsSupported",
    "EmissionReductionTarget",
    "CarbonCaptureCapacity",
]
UNITS = {
    "NumberOfClusters": UNIT + "NUM",
    "NumberOfCountries": UNIT + "NUM",
    "JobsSupported": UNIT + "NUM",
    "GDPContribution": "http://qudt.org/vocab/currency/USD",
    "EmissionReductionTarget": UNIT + "PERCENT",
}
CERTAINTIES = ["Confirmed"] * 8 + ["SelfReported", "Inferred", "Uncertain"]
ORG_KINDS = [
    "Company",
    "Company",
    "Company",
    "GovernmentBody",
    "ResearchInstitute",
    "University",
    "PortOrClusterAuthority",
    "IndustryAssociation",
    "NonProfitOrganization",
]


def iri(value: str) -> str:
    return f"<{value}>"


def lit(text: str, lang: str | None = "en") -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"@{lang}' if lang else f'"{escaped}"'


def typed(text: str, datatype: str) -> str:
    return (
        f'"{text}"^^<{XSD}{datatype}>'
        if not datatype.startswith("http")
        else f'"{text}"^^<{datatype}>'
    )


def shipped_lines() -> list[str]:
    """The shipped ontology and data, as N-Triples lines."""
    sys.path.insert(0, str(ROOT / "src"))
    import pyoxigraph

    from clustergraph.files.load import parse_file
    from clustergraph.query.session import default_files

    lines = []
    for path in default_files():
        data = pyoxigraph.serialize(
            (q.triple for q in parse_file(path)), format=pyoxigraph.RdfFormat.N_TRIPLES
        )
        lines.extend((data or b"").decode("utf-8").splitlines())
    return lines


#: The kinds of violation `generate` can inject, one per affected cluster (see `_inject`).
VIOLATION_KINDS = (
    "country-not-a-country",
    "missing-label",
    "plain-alt-label",
    "certainty-not-allowed",
    "unit-does-not-fit",
    "negative-value",
    "property-not-allowed",
    "technology-outside-scheme",
    "join-date-without-source",
    "two-countries",
)


def _inject(kind: str, n: int, lines: list[str]) -> None:
    """Change one generated cluster's lines (`lines`, in place) so that it breaks one shape."""
    cluster = iri(f"{ID}cluster/synthetic-{n}")
    membership = iri(f"{ID}membership/synthetic-{n}")
    obs = iri(f"{ID}observation/synthetic-{n}")

    def t(s: str, p: str, o: str) -> str:
        return f"{s} {iri(p)} {o} ."

    def replace(prefix: str, new: str | None) -> bool:
        for i, line in enumerate(lines):
            if line.startswith(prefix):
                if new is None:
                    del lines[i]
                else:
                    lines[i] = new
                return True
        return False

    if kind == "country-not-a-country":
        replace(
            f"{cluster} {iri(CG + 'country')} ", t(cluster, CG + "country", iri(f"{ID}country/ZZ"))
        )
    elif kind == "missing-label":
        replace(f"{cluster} {iri(SKOS + 'prefLabel')} ", None)
    elif kind == "plain-alt-label":
        lines.append(t(cluster, SKOS + "altLabel", lit(f"cluster {n}", None)))
    elif kind == "certainty-not-allowed":
        replace(
            f"{membership} {iri(CG + 'certainty')} ",
            t(membership, CG + "certainty", iri(CG + "Rumoured")),
        )
    elif kind == "unit-does-not-fit":
        if not replace(
            f"{obs} {iri(QUDT + 'unit')} ", t(obs, QUDT + "unit", iri(UNIT + "PERCENT"))
        ):
            lines.append(t(cluster, CG + "country", iri(f"{ID}country/ZZ")))
    elif kind == "negative-value":
        if not replace(
            f"{obs} {iri(QUDT + 'numericValue')} ",
            t(obs, QUDT + "numericValue", typed("-5.0", "decimal")),
        ):
            replace(f"{cluster} {iri(SKOS + 'prefLabel')} ", None)
    elif kind == "property-not-allowed":
        lines.append(t(cluster, SCHEMA + "description", lit(f"cluster {n}")))
    elif kind == "technology-outside-scheme":
        lines.append(t(cluster, CG + "technology", iri(f"{ID}technology/not-in-the-scheme")))
    elif kind == "join-date-without-source":
        if not replace(f"{membership} {iri(CG + 'joinDateSource')} ", None):
            lines.append(t(membership, CG + "certainty", iri(CG + "Rumoured")))
    elif kind == "two-countries":
        lines.append(t(cluster, CG + "country", iri(f"{ID}country/IN")))
        lines.append(t(cluster, CG + "country", iri(f"{ID}country/US")))


RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"


def cited(claim: str, src: str, words: str) -> list[str]:
    """A claim's citation of `src` with the source's words (as the shipped data cites: #22)."""
    node = iri(claim.strip("<>") + "#" + src.strip("<>").rsplit("/", 1)[-1])
    return [f"{claim} {iri(CG + 'citation')} {node} .",
            f"{node} {iri(RDF_TYPE)} {iri(CG + 'Citation')} .",
            f"{node} {iri(DCT + 'source')} {src} .",
            f"{node} {iri(CG + 'citedText')} {lit(words)} ."]


def stated(subject: str, prop: str, obj: str, src: str) -> list[str]:
    """The `cg:Statement` of a direct claim, beside the triple, with its citation."""
    tail = f"{subject.strip('<>').rsplit('/', 1)[-1]}--{prop.rsplit('#', 1)[-1].rsplit('/', 1)[-1]}--" \
           f"{obj.strip('<>').rsplit('/', 1)[-1].rsplit('#', 1)[-1]}"
    node = iri(f"{ID}statement/{tail}")
    return [f"{node} {iri(RDF_TYPE)} {iri(CG + 'Statement')} .",
            f"{node} {iri(RDF + 'subject')} {subject} .",
            f"{node} {iri(RDF + 'predicate')} {iri(prop)} .",
            f"{node} {iri(RDF + 'object')} {obj} .",
            f"{node} {iri(DCT + 'source')} {src} .",
            *cited(node, src, f"The source's words for {tail}.")]


def generate(triples: int, seed: int = 42, violations: float = 0.0) -> Iterator[str]:
    """N-Triples lines: the shipped graph, then generated clusters until `triples` is reached.

    With `violations` > 0, that share of the generated clusters each breaks one shape, the kind
    taken in turn from `VIOLATION_KINDS` (drawn from a second random stream, so the rest of
    the graph stays the same as without violations).
    """
    rng = random.Random(seed)
    broken = random.Random(seed + 1)
    injected = 0
    count = 0
    for line in shipped_lines():
        count += 1
        yield line

    def t(s: str, p: str, o: str) -> str:
        return f"{s} {iri(p)} {o} ."

    # Countries: the shipped ones plus generated codes; technologies: shipped plus generated.
    codes = [
        "IN",
        "US",
        "GB",
        "ES",
        "AU",
        "NL",
        "CN",
        "ID",
        "JP",
        "FR",
        "BE",
        "BR",
        "CO",
        "SA",
        "SE",
        "TH",
    ]
    extra: list[str] = []
    letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    for a in letters:
        for b in letters:
            code = a + b
            if code not in codes and len(codes) + len(extra) < 200 and rng.random() < 0.4:
                extra.append(code)
    for code in extra:
        c = iri(f"{ID}country/{code}")
        for line in (
            t(c, RDF_TYPE, iri(CG + "Country")),
            t(c, SKOS + "prefLabel", lit(f"Country {code}")),
            t(c, CG + "iso3166Alpha2", lit(code, None)),
            t(c, CG + "iso3166Alpha3", lit(code + "X", None)),
            t(c, OWL + "sameAs", iri(f"http://www.wikidata.org/entity/Q{rng.randint(1, 99999)}")),
        ):
            count += 1
            yield line
    all_codes = codes + extra
    techs = [
        "hydrogen",
        "green-hydrogen",
        "low-carbon-hydrogen",
        "ccus",
        "carbon-capture-and-storage",
        "low-carbon-fuels",
        "ammonia",
        "renewable-power",
        "solar-power",
        "wind-power",
    ]
    scheme = iri(f"{ID}technology/scheme")
    for i in range(60):
        slug = f"synthetic-technology-{i}"
        node = iri(f"{ID}technology/{slug}")
        broader = rng.choice(techs[:10])
        for line in (
            t(node, RDF_TYPE, iri(SKOS + "Concept")),
            t(node, SKOS + "inScheme", scheme),
            t(node, SKOS + "prefLabel", lit(f"synthetic technology {i}")),
            t(node, SKOS + "definition", lit(f"A generated technology, number {i}.")),
            t(node, SKOS + "broader", iri(f"{ID}technology/{broader}")),
        ):
            count += 1
            yield line
        techs.append(slug)
    initiatives = [TIC] + [f"{ID}initiative/synthetic-initiative-{i}" for i in range(20)]
    for init in initiatives[1:]:
        node = iri(init)
        for line in (
            t(node, RDF_TYPE, iri(CG + "Initiative")),
            t(node, SKOS + "prefLabel", lit(f"Initiative {init.rsplit('-', 1)[1]}")),
            t(node, CG + "runBy", iri(f"{ID}organization/world-economic-forum")),
        ):
            count += 1
            yield line

    n = 0
    sources: list[str] = []
    orgs: list[str] = []
    while count < triples:
        n += 1
        name = " ".join(rng.choice(WORDS).capitalize() for _ in range(rng.randint(2, 4))) + f" {n}"
        slug = f"synthetic-{n}"
        cluster = iri(f"{ID}cluster/{slug}")
        code = rng.choice(all_codes)
        lines: list[str] = []
        add = lines.append
        # Sources: a new one most of the time, otherwise one already cited.
        if not sources or rng.random() < 0.7:
            src = iri(f"{ID}source/synthetic-{n}")
            publisher = iri(f"{ID}organization/synthetic-media-{n % 500}")
            year = rng.randint(2019, 2026)
            add(t(src, RDF_TYPE, iri(CG + "SourceDocument")))
            add(t(src, SKOS + "prefLabel", lit(f"News about {name}")))
            add(t(src, DCT + "title", lit(f"{name} joins")))
            add(t(src, SCHEMA + "url", typed(f"https://news.example/{n}", "anyURI")))
            add(t(src, DCT + "publisher", publisher))
            if n <= 500:
                add(t(publisher, RDF_TYPE, iri(CG + "MediaOrganization")))
                add(t(publisher, SKOS + "prefLabel", lit(f"news{n}.example")))
            if rng.random() < 0.7:
                precision = rng.random()
                date = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
                add(
                    t(
                        src,
                        DCT + "issued",
                        typed(date, "date") if precision < 0.6 else typed(date[:7], "gYearMonth"),
                    )
                )
            sources.append(src)
        src = sources[-1] if rng.random() < 0.8 else rng.choice(sources)
        add(t(cluster, RDF_TYPE, iri(CG + "IndustrialCluster")))
        add(t(cluster, SKOS + "prefLabel", lit(name)))
        if rng.random() < 0.3:
            add(t(cluster, SKOS + "altLabel", lit(name.upper())))
        add(t(cluster, CG + "country", iri(f"{ID}country/{code}")))
        add(t(cluster, CG + "region", lit(f"Region {rng.randint(1, 400)}")))
        add(
            t(
                cluster,
                CG + "focusDescription",
                lit(f"What {name} focuses on, in a sentence or two."),
            )
        )
        add(t(cluster, DCT + "source", src))
        for tech in rng.sample(techs, rng.randint(1, 4)):
            add(t(cluster, CG + "technology", iri(f"{ID}technology/{tech}")))
            lines.extend(stated(cluster, CG + "technology", iri(f"{ID}technology/{tech}"), src))
        if rng.random() < 0.6:
            geometry = iri(f"{ID}geometry/{slug}")
            lat = rng.uniform(-60, 70)
            lon = rng.uniform(-180, 180)
            add(t(cluster, CG + "city", lit(f"City {rng.randint(1, 5000)}")))
            add(t(cluster, GEO + "hasGeometry", geometry))
            add(t(geometry, RDF_TYPE, iri(GEO + "Geometry")))
            add(
                t(geometry, GEO + "asWKT", typed(f"POINT({lon:.2f} {lat:.2f})", GEO + "wktLiteral"))
            )
            add(t(geometry, CG + "approximate", typed("true", "boolean")))
        else:
            add(t(cluster, CG + "locationNote", lit("A region-wide cluster: no single point.")))
        for k in range(rng.randint(1, 4)):
            org = iri(f"{ID}organization/synthetic-{n}-{k}")
            kind = CG + rng.choice(ORG_KINDS)
            add(t(org, RDF_TYPE, iri(kind)))
            add(t(org, SKOS + "prefLabel", lit(f"Organisation {n}-{k}")))
            add(t(org, DCT + "source", src))
            add(t(cluster, CG + "ledBy" if k == 0 else ORG + "hasMember", org))
            lines.extend(stated(cluster, CG + "ledBy" if k == 0 else ORG + "hasMember", org, src))
            if kind != CG + "Organization":
                lines.extend(stated(org, RDF_TYPE, iri(kind), src))
            if k == 0:
                orgs.append(org)
        if rng.random() < 0.5:
            person = iri(f"{ID}person/synthetic-{n}")
            post = iri(f"{ID}post/synthetic-{n}")
            add(t(person, RDF_TYPE, iri(CG + "Person")))
            add(t(person, SKOS + "prefLabel", lit(f"Person {n}")))
            add(t(person, DCT + "source", src))
            add(t(cluster, CG + "keyPerson", person))
            lines.extend(stated(cluster, CG + "keyPerson", person, src))
            add(t(post, RDF_TYPE, iri(CG + "Post")))
            add(
                t(
                    post,
                    CG + "title",
                    lit(rng.choice(["Chair", "CEO", "Director", "Minister", "Lead"])),
                )
            )
            add(t(post, ORG + "heldBy", person))
            add(t(post, ORG + "postIn", rng.choice(orgs)))
            add(t(post, CG + "asOf", typed(str(rng.randint(2020, 2026)), "gYear")))
            add(t(post, DCT + "source", src))
            lines.extend(cited(post, src, f"Person {n}, the post's title."))
        # Membership, dated with mixed precision.
        membership = iri(f"{ID}membership/{slug}")
        year = rng.randint(2021, 2026)
        day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        p = rng.random()
        since = (
            typed(day, "date")
            if p < 0.7
            else typed(day[:7], "gYearMonth")
            if p < 0.9
            else typed(day[:4], "gYear")
        )
        add(t(membership, RDF_TYPE, iri(CG + "ClusterMembership")))
        add(t(membership, ORG + "member", cluster))
        add(
            t(
                membership,
                ORG + "organization",
                iri(TIC if rng.random() < 0.3 else rng.choice(initiatives)),
            )
        )
        add(t(membership, CG + "memberSince", since))
        add(t(membership, CG + "certainty", iri(CG + rng.choice(CERTAINTIES))))
        add(t(membership, DCT + "source", src))
        lines.extend(cited(membership, src, f"{name} joins."))
        if rng.random() < 0.3:
            add(t(membership, CG + "joinDate", since))
            add(t(membership, CG + "joinDateSource", src))
        # A figure about the cluster or an initiative.
        if rng.random() < 0.5:
            obs = iri(f"{ID}observation/synthetic-{n}")
            metric = rng.choice(METRICS)
            about = cluster if rng.random() < 0.7 else iri(rng.choice(initiatives))
            add(t(obs, RDF_TYPE, iri(CG + "MetricObservation")))
            add(t(obs, CG + "metric", iri(CG + metric)))
            add(t(obs, QUDT + "numericValue", typed(f"{rng.randint(1, 10**9)}.0", "decimal")))
            add(t(obs, QUDT + "unit", iri(UNITS.get(metric, UNIT + "TONNE"))))
            add(t(obs, CG + "about", about))
            add(t(obs, CG + "asOf", typed(day, "date")))
            add(t(obs, DCT + "source", src))
            lines.extend(cited(obs, src, "The figure, in the source's words."))
            if rng.random() < 0.2:
                add(t(obs, CG + "certainty", iri(CG + "Uncertain")))
            if rng.random() < 0.3:
                add(
                    t(
                        obs,
                        CG + "valueQualifier",
                        iri(CG + rng.choice(["Approximately", "MoreThan", "Nearly"])),
                    )
                )
        if rng.random() < 0.02:
            report = iri(f"{ID}report/synthetic-{n}")
            add(t(report, RDF_TYPE, iri(CG + "Report")))
            add(t(report, DCT + "title", lit(f"Report on {name}")))
            add(t(report, DCT + "publisher", rng.choice(orgs)))
            add(t(report, DCT + "issued", typed(str(year), "gYear")))
            add(t(report, DCT + "source", src))
            lines.extend(cited(report, src, f"Report on {name}."))
        if rng.random() < 0.01:
            candidate = iri(f"{ID}candidate/synthetic-{n}")
            add(t(candidate, RDF_TYPE, iri(CG + "CandidateCluster")))
            add(t(candidate, SKOS + "prefLabel", lit(f"Candidate {n}")))
            add(t(candidate, CG + "country", iri(f"{ID}country/{code}")))
            add(t(candidate, CG + "certainty", iri(CG + "Uncertain")))
            add(t(candidate, DCT + "source", src))
        if violations and broken.random() < violations:
            _inject(VIOLATION_KINDS[injected % len(VIOLATION_KINDS)], n, lines)
            injected += 1
        for line in lines:
            if count >= triples:
                return
            count += 1
            yield line


def write_synthetic(
    path: Path | str, *, triples: int, seed: int = 42, violations: float = 0.0
) -> int:
    """Write the synthetic graph to `path` (N-Triples); return the number of lines written."""
    written = 0
    with open(path, "w", encoding="utf-8") as out:
        for line in generate(triples, seed, violations):
            out.write(line)
            out.write("\n")
            written += 1
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--triples", type=int, default=1_000_000, help="how many triples (default 1,000,000)"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--violations",
        type=float,
        default=0.0,
        help="share of generated clusters that break one shape each (e.g. 0.01)",
    )
    parser.add_argument("--out", type=Path, required=True, help="the N-Triples file to write")
    args = parser.parse_args(argv)
    n = write_synthetic(args.out, triples=args.triples, seed=args.seed, violations=args.violations)
    print(f"wrote {n} triples to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
