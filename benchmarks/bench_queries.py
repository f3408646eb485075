"""Stored queries, side by side on each embedded engine: load time, memory, median query time.

Two graphs: the shipped one (ontology + data/*.ttl) and a synthetic one shaped like it
(benchmarks/synthetic.py, 1,000,000 triples by default). Engines: Oxigraph through pyoxigraph
(``oxigraph``), rdflib's own store (``rdflib``) and, when installed, Oxigraph as an rdflib store
through oxrdflib (``oxrdflib``). Each engine and graph runs in its own process, so the peak
resident memory (``resource.getrusage``, which also sees Rust allocations) is its own.
Every stored query runs with its default parameters: one warm-up, then the median of
``--repeat`` runs (a query slower than ``--slow`` seconds on its warm-up is timed once; one
slower than ``--timeout`` is stopped and shown as ">").

    python benchmarks/bench_queries.py                      # 1M synthetic triples
    python benchmarks/bench_queries.py --triples 200000 --engines oxigraph,rdflib
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def rss_mb() -> float:
    """Peak resident set size of this process so far, in MB (Linux reports KB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class _Timeout(BaseException):  # not Exception: rdflib must not swallow it
    pass


def _alarm(signum: int, frame: Any) -> None:
    raise _Timeout()


def worker(
    engine: str, files: list[str], repeat: int, slow: float, timeout: float
) -> dict[str, Any]:
    """Load the files into one engine and time every stored query (runs in its own process)."""
    from clustergraph.query.catalogue import load_catalogue
    from clustergraph.query.session import Session

    catalogue = load_catalogue()
    import pyoxigraph  # noqa: F401 - imported before the baseline, like rdflib below
    import rdflib  # noqa: F401

    base_rss = rss_mb()
    start = time.perf_counter()
    if engine in ("oxigraph", "rdflib"):
        session = Session(files=files, engine=engine)
        session.load()

        def run(name: str) -> int:
            return len(session.query(name))

        size = len(session.store)
    elif engine == "oxrdflib":
        from rdflib import Graph

        graph = Graph(store="Oxigraph")
        for f in files:
            graph.parse(f, format="ox-ntriples" if f.endswith(".nt") else "ox-turtle")

        def run(name: str) -> int:
            return len(list(graph.query(catalogue[name].bound_text())))

        size = len(graph)
    else:
        raise SystemExit(f"unknown engine {engine}")
    load_seconds = time.perf_counter() - start
    load_rss = rss_mb()
    signal.signal(signal.SIGALRM, _alarm)
    queries: dict[str, Any] = {}
    for stored in catalogue:
        name = stored.name
        try:
            signal.setitimer(signal.ITIMER_REAL, timeout)
            t0 = time.perf_counter()
            rows = run(name)
            first = time.perf_counter() - t0
            signal.setitimer(signal.ITIMER_REAL, 0)
            times = [first]
            if first < slow:
                times = []
                for _ in range(repeat):
                    signal.setitimer(signal.ITIMER_REAL, timeout)
                    t0 = time.perf_counter()
                    run(name)
                    times.append(time.perf_counter() - t0)
                    signal.setitimer(signal.ITIMER_REAL, 0)
            queries[name] = {
                "median_ms": statistics.median(times) * 1000,
                "runs": len(times),
                "rows": rows,
            }
        except _Timeout:
            queries[name] = {"median_ms": None, "timeout_s": timeout, "runs": 0, "rows": None}
        except Exception as exc:  # noqa: BLE001 - report and go on with the next query
            signal.setitimer(signal.ITIMER_REAL, 0)
            queries[name] = {
                "median_ms": None,
                "error": f"{type(exc).__name__}: {exc}"[:200],
                "runs": 0,
                "rows": None,
            }
    return {
        "engine": engine,
        "triples": size,
        "load_s": load_seconds,
        "rss_base_mb": base_rss,
        "rss_after_load_mb": load_rss,
        "rss_peak_mb": rss_mb(),
        "queries": queries,
    }


def run_worker(engine: str, files: list[str], args: argparse.Namespace) -> dict[str, Any]:
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        engine,
        "--repeat",
        str(args.repeat),
        "--slow",
        str(args.slow),
        "--timeout",
        str(args.timeout),
        "--files",
        *files,
    ]
    print(
        f"  {engine}: loading {', '.join(Path(f).name for f in files)[:80]} ...",
        file=sys.stderr,
        flush=True,
    )
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"engine": engine, "error": done.stderr[-2000:]}
    return json.loads(done.stdout)


def fmt_ms(q: dict[str, Any] | None) -> str:
    if not q:
        return "-"
    if q.get("median_ms") is None:
        return f"> {q['timeout_s']:g} s" if "timeout_s" in q else "error"
    ms = q["median_ms"]
    return f"{ms:.2f}" if ms < 10 else f"{ms:.1f}" if ms < 1000 else f"{ms:,.0f}"


def ratio(a: dict[str, Any] | None, b: dict[str, Any] | None) -> str:
    """How many times slower b is than a."""
    if not a or not b or a.get("median_ms") in (None, 0):
        return "-"
    if b.get("median_ms") is None:
        if "timeout_s" in b:
            return f"> {b['timeout_s'] * 1000 / a['median_ms']:,.0f}x"
        return "-"
    return (
        f"{b['median_ms'] / a['median_ms']:,.0f}x"
        if b["median_ms"] / a["median_ms"] >= 10
        else f"{b['median_ms'] / a['median_ms']:.1f}x"
    )


def report(results: dict[str, dict[str, dict[str, Any]]], engines: list[str]) -> str:
    lines = []
    graphs = list(results)
    lines.append("## Load and memory\n")
    lines.append(
        "| graph | engine | triples | load (s) | peak RSS (MB) | RSS added by the graph (MB) |"
    )
    lines.append("|---|---|---:|---:|---:|---:|")
    for graph in graphs:
        for engine in engines:
            r = results[graph].get(engine)
            if not r or "error" in r:
                lines.append(f"| {graph} | {engine} | error | | | |")
                continue
            lines.append(
                f"| {graph} | {engine} | {r['triples']:,} | {r['load_s']:.2f} | {r['rss_peak_mb']:.0f} | "
                f"{r['rss_after_load_mb'] - r['rss_base_mb']:.0f} |"
            )
    base = engines[0]
    for graph in graphs:
        lines.append(f"\n## Median query time (ms), {graph}\n")
        header = (
            "| query | "
            + " | ".join(engines)
            + " | "
            + " | ".join(f"{e} / {base}" for e in engines[1:])
            + " |"
        )
        lines.append(header)
        lines.append("|---|" + "---:|" * (len(engines) * 2 - 1))
        names = sorted(
            next(iter(r["queries"] for r in results[graph].values() if "queries" in r), {})
        )
        for name in names:
            cells = [
                fmt_ms(results[graph].get(e, {}).get("queries", {}).get(name)) for e in engines
            ]
            ratios = [
                ratio(
                    results[graph].get(base, {}).get("queries", {}).get(name),
                    results[graph].get(e, {}).get("queries", {}).get(name),
                )
                for e in engines[1:]
            ]
            lines.append(f"| {name} | " + " | ".join(cells) + " | " + " | ".join(ratios) + " |")
        load = [results[graph].get(e, {}) for e in engines]
        if all("load_s" in r for r in load):
            lines.append(
                "| *load (s)* | "
                + " | ".join(f"{r['load_s']:.2f}" for r in load)
                + " | "
                + " | ".join(f"{r['load_s'] / load[0]['load_s']:.1f}x" for r in load[1:])
                + " |"
            )
            lines.append(
                "| *peak RSS (MB)* | "
                + " | ".join(f"{r['rss_peak_mb']:.0f}" for r in load)
                + " | "
                + " | ".join(f"{r['rss_peak_mb'] / load[0]['rss_peak_mb']:.1f}x" for r in load[1:])
                + " |"
            )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--triples", type=int, default=1_000_000, help="size of the synthetic graph"
    )
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--engines", default=None, help="comma-separated: oxigraph,rdflib,oxrdflib")
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed runs per query after a warm-up"
    )
    parser.add_argument(
        "--slow", type=float, default=2.0, help="time a query once if its warm-up takes longer (s)"
    )
    parser.add_argument(
        "--timeout", type=float, default=20.0, help="stop a query after this many seconds"
    )
    parser.add_argument("--json", type=Path, default=None, help="also write the raw results here")
    parser.add_argument(
        "--synthetic", type=Path, default=None, help="reuse this synthetic N-Triples file"
    )
    parser.add_argument("--worker", default=None, help=argparse.SUPPRESS)
    parser.add_argument("--files", nargs="*", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(worker(args.worker, args.files, args.repeat, args.slow, args.timeout)))
        return

    engines = args.engines.split(",") if args.engines else ["oxigraph", "rdflib"]
    if args.engines is None:
        try:
            import oxrdflib  # noqa: F401

            engines.append("oxrdflib")
        except ImportError:
            pass
    from synthetic import write_synthetic  # type: ignore[import-not-found]

    from clustergraph.query.session import default_files

    results: dict[str, dict[str, dict[str, Any]]] = {}
    started = time.perf_counter()
    print("shipped graph", file=sys.stderr)
    shipped = [str(f) for f in default_files()]
    results["shipped"] = {e: run_worker(e, shipped, args) for e in engines}
    with tempfile.TemporaryDirectory() as tmp:
        synthetic = args.synthetic
        if synthetic is None or not synthetic.exists():
            synthetic = Path(tmp) / "synthetic.nt" if args.synthetic is None else args.synthetic
            t0 = time.perf_counter()
            n = write_synthetic(synthetic, triples=args.triples, seed=args.seed)
            print(
                f"synthetic graph: {n:,} triples written in {time.perf_counter() - t0:.1f} s",
                file=sys.stderr,
            )
        label = f"synthetic {args.triples:,}"
        results[label] = {e: run_worker(e, [str(synthetic)], args) for e in engines}
    print(
        f"\n# clustergraph stored queries: {len(engines)} engines, {time.perf_counter() - started:.0f} s\n"
    )
    print(
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; median of {args.repeat} runs after a warm-up.\n"
    )
    print(report(results, engines))
    for graph, by_engine in results.items():
        for engine, r in by_engine.items():
            if "error" in r:
                print(f"{graph} / {engine} failed:\n{r['error']}", file=sys.stderr)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
