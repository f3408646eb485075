"""Export and site build on a synthetic graph, side by side with rdflib's Graph.serialize.

    .venv/bin/python benchmarks/bench_export.py [--triples 1000000] [--formats all] [--no-site]

For each format: the time of our writer on the built export graph, the time of rdflib's
`Graph.serialize` on the same graph (loaded into rdflib), and their ratio; plus our end-to-end
time (parse the file, canonicalise, sort, write) and the peak memory (max RSS) of each side,
measured in separate processes. Then the time and peak memory of `build_site`.

The synthetic graph comes from benchmarks/synthetic.py (`write_synthetic`), the generator the
query benchmark uses too.
Not a test: timings depend on the machine. Goal (issue 5): Turtle and N-Triples not slower than rdflib.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RDF_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
               "jsonld": "json-ld", "rdfxml": "xml"}
ALL = [*RDF_FORMATS, "csv"]


def synthetic(path: Path, triples: int) -> tuple[int, str]:
    """Write the synthetic graph with the generator the query benchmark uses too."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from synthetic import write_synthetic  # type: ignore[import-not-found]

    return write_synthetic(path, triples=triples), "benchmarks/synthetic.py"


_OURS = r"""
import json, resource, sys, time
from pathlib import Path
from clustergraph.export import build_export_graph, write_export
data, out, formats = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3].split(",")
t0 = time.perf_counter()
graph = build_export_graph("data", data=[data])
lines = len(graph)
build = time.perf_counter() - t0
result = {"build": build, "triples": lines, "write": {}, "size": {}}
for fmt in formats:
    t = time.perf_counter()
    size = write_export(graph, fmt, out / f"ours.{fmt}")
    result["write"][fmt] = time.perf_counter() - t
    result["size"][fmt] = size
result["maxrss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(result))
"""

_ONE_OURS = r"""
import json, resource, sys, time
from pathlib import Path
from clustergraph.export import build_export_graph, write_export
data, out, fmt = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
graph = build_export_graph("data", data=[data])
write_export(graph, fmt, out / f"ours1.{fmt}")
print(json.dumps({"total": time.perf_counter() - t0,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_RDFLIB = r"""
import json, resource, sys, time
from pathlib import Path
from rdflib import Dataset, Graph
data, out, fmt, rdflib_fmt = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
t0 = time.perf_counter()
graph = Graph()
graph.parse(data, format="nt")
load = time.perf_counter() - t0
if rdflib_fmt in ("nquads", "trig"):
    ds = Dataset()
    g = ds.graph("https://w3id.org/clustergraph/graph/data")
    for t in graph:
        g.add(t)
    graph = ds
t = time.perf_counter()
graph.serialize(destination=str(out / f"rdflib.{fmt}"), format=rdflib_fmt)
print(json.dumps({"load": load, "serialize": time.perf_counter() - t,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

_SITE = r"""
import json, resource, sys, time
from pathlib import Path
from clustergraph.export import build_export_graph
from clustergraph.site import build_site
data, out = Path(sys.argv[1]), Path(sys.argv[2])
t0 = time.perf_counter()
graph = build_export_graph(("ontology", "data"), data=[data])
result = build_site(out / "site", graph=graph, downloads=False)
print(json.dumps({"total": time.perf_counter() - t0, "pages": result.pages, "files": result.files,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run(code: str, *args: str) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"benchmark step failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--triples", type=int, default=1_000_000)
    parser.add_argument("--formats", default="all")
    parser.add_argument("--no-site", action="store_true")
    parser.add_argument("--no-rdflib", action="store_true", help="skip the (slow) rdflib side")
    args = parser.parse_args()
    formats = ALL if args.formats == "all" else args.formats.split(",")
    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        folder = Path(tmp)
        data = folder / "synthetic.nt"
        t = time.perf_counter()
        count, origin = synthetic(data, args.triples)
        print(f"synthetic graph: {count:,} triples from the {origin} ({time.perf_counter() - t:.1f} s, "
              f"{data.stat().st_size / 1e6:.0f} MB N-Triples)")
        ours = run(_OURS, str(data), str(folder), ",".join(formats))
        print(f"ours: build_export_graph {ours['build']:.2f} s ({ours['triples']:,} triples), "
              f"peak memory of build + all writes {ours['maxrss_mb']:.0f} MB")
        header = (f"{'format':<9} {'ours write':>10} {'ours e2e':>9} {'ours MB':>8} "
                  f"{'rdflib ser':>10} {'rdflib MB':>9} {'ratio':>6} {'ratio e2e':>9}")
        print(header)
        print("-" * len(header))
        for fmt in formats:
            one = run(_ONE_OURS, str(data), str(folder), fmt)
            if fmt in RDF_FORMATS and not args.no_rdflib:
                ref = run(_RDFLIB, str(data), str(folder), fmt, RDF_FORMATS[fmt])
                ratio = ours["write"][fmt] / ref["serialize"]
                ratio_e2e = one["total"] / ref["serialize"]
                ref_cols = f"{ref['serialize']:>9.2f}s {ref['maxrss_mb']:>9.0f} {ratio:>6.3f} {ratio_e2e:>9.3f}"
            else:
                ref_cols = f"{'n/a':>10} {'n/a':>9} {'':>6} {'':>9}"
            print(f"{fmt:<9} {ours['write'][fmt]:>9.2f}s {one['total']:>8.2f}s {one['maxrss_mb']:>8.0f} {ref_cols}",
                  flush=True)
        if not args.no_site:
            site = run(_SITE, str(data), str(folder))
            print(f"site: {site['total']:.1f} s for {site['pages']:,} pages ({site['files']:,} files), "
                  f"peak memory {site['maxrss_mb']:.0f} MB")
    print("ratio = our writer / rdflib Graph.serialize on the same graph; ratio e2e = our whole export "
          "(parse file, canonicalise, sort, write) / rdflib's serialize alone (its parse not counted).")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
