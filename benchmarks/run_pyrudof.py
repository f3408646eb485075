"""pyrudof's SHACL validation of one N-Triples file, for bench_validate.py (its own process, so
its time and peak memory are measured alone).

    python benchmarks/run_pyrudof.py SHAPES.ttl DATA.nt      # prints "results N conforms BOOL"
"""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    import pyrudof

    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    shapes, data = argv
    rudof = pyrudof.Rudof(pyrudof.RudofConfig())
    rudof.read_data(data, format=pyrudof.RDFFormat.NTriples)
    rudof.read_shacl(shapes, format=pyrudof.ShaclFormat.Turtle)
    report = rudof.validate_shacl()
    print(f"results {len(report)} conforms {report.conforms}")
    return 0 if report.conforms else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
