"""Full validation of synthetic graphs with injected violations: our engine (local files and
`--endpoint`), pySHACL, pyrudof and Jena SHACL 4.5, side by side, with wall time, peak memory
and ratios.

    .venv/bin/pip install -e '.[bench]'          # matplotlib for the PNG, pyrudof
    nice .venv/bin/python benchmarks/bench_validate.py --sizes 10000 100000 1000000 \\
        --pyshacl-max 100000 --out benchmarks/results/validate

Each graph comes from benchmarks/synthetic.py (`--violations` of its clusters break one shape
each). Every tool runs as its own process, from the shell, on the same files, one after the
other in the same run: start-up counts. Peak memory is the process's maximum resident set (for
`--endpoint`, our process only; the server's is given apart). The result count of each tool is
printed, so that a fast wrong answer shows. Writes a Markdown table and a PNG (matplotlib).

Jena runs through benchmarks/jena.sh (Debian's jars, with their classpath workaround) on the data
merged with the ontology, as Jena reads no separate ontology; pyrudof (benchmarks/run_pyrudof.py)
on the same merged file. pyrudof leaves out the `sh:sparql` results of node shapes that also have
`sh:property` (issue #11), so its count is lower. Not a test: timings depend on the machine; only
ratios within one run mean something.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from synthetic import write_synthetic


@dataclass
class Run:
    tool: str
    triples: int
    seconds: float | None
    peak_mb: float | None
    results: int | None
    note: str = ""


def measure(cmd: list[str], timeout: float) -> tuple[float | None, float | None, str, int]:
    """Wall time, peak RSS (MB) of the child, its stdout and exit code; None times on timeout."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        process = subprocess.Popen(cmd, stdout=out, stderr=subprocess.DEVNULL)
        deadline = start + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                process.kill()
                os.wait4(process.pid, 0)
                return None, None, "", -1
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return seconds, usage.ru_maxrss / 1024, text, os.waitstatus_to_exitcode(status)


def ours(bindir: Path, args: list[str]) -> list[str]:
    return [
        str(bindir / "clustergraph"),
        "validate",
        *args,
        "--no-queries",
        "--no-shapes-check",
        "--format",
        "json",
    ]


def count_ours(text: str) -> int | None:
    try:
        return len(json.loads(text)["results"])
    except (ValueError, KeyError):
        return None


def count_pyshacl(text: str) -> int | None:
    m = re.search(r"Results \((\d+)\)", text)
    return int(m.group(1)) if m else (0 if "Conforms: True" in text else None)


def count_pyrudof(text: str) -> int | None:
    m = re.search(r"^results (\d+)", text, re.MULTILINE)
    return int(m.group(1)) if m else None


def count_jena(text: str) -> int | None:
    return len(re.findall(r"sh:ValidationResult", text)) if text else None


class EndpointServer:
    """`oxigraph serve-read-only` on a free loopback port with one N-Triples file loaded."""

    def __init__(self, bindir: Path, graph: Path, folder: Path) -> None:
        import socket

        binary = str(bindir / "oxigraph")
        folder.mkdir(parents=True, exist_ok=True)
        location = folder / "db"
        subprocess.run(
            [binary, "load", "--location", str(location), "--file", str(graph)],
            check=True,
            capture_output=True,
        )
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        self.process = subprocess.Popen(
            [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{port}/query"
        self._wait()

    def _wait(self) -> None:
        import urllib.parse
        import urllib.request

        query = urllib.parse.urlencode({"query": "ASK {}"})
        for _ in range(300):
            try:
                with urllib.request.urlopen(f"{self.url}?{query}", timeout=2):
                    return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("the Oxigraph server did not start")

    def peak_mb(self) -> float | None:
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except OSError:
            return None
        m = re.search(r"VmHWM:\s+(\d+) kB", status)
        return int(m.group(1)) / 1024 if m else None

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)


def bench_size(args: argparse.Namespace, triples: int, folder: Path) -> list[Run]:
    from clustergraph.files import paths

    bindir = Path(sys.executable).parent
    graph = folder / f"synthetic-{triples}.nt"
    write_synthetic(graph, triples=triples, seed=args.seed, violations=args.violations)
    merged = folder / f"merged-{triples}.nt"
    merged.write_bytes(graph.read_bytes() + _ntriples(paths.ontology_file()))
    shapes = paths.shapes_file()
    runs: list[Run] = []

    def record(tool: str, cmd: list[str], counter, note: str = "") -> None:
        seconds, peak, text, code = measure(cmd, args.timeout)
        if seconds is None:
            runs.append(
                Run(tool, triples, None, None, None, f"did not finish in {args.timeout:.0f} s")
            )
        else:
            runs.append(Run(tool, triples, seconds, peak, counter(text), note or f"exit {code}"))
        print(f"{triples:>9,} {tool:<28} {_fmt(runs[-1])}", flush=True)

    record("ours (oxigraph engine)", ours(bindir, [str(graph), "--engine", "oxigraph"]), count_ours)
    if not args.no_endpoint:
        server = EndpointServer(bindir, merged, folder / f"server-{triples}")
        try:
            record("ours --endpoint", ours(bindir, ["--endpoint", server.url]), count_ours)
            runs[-1].note += f"; server peak {server.peak_mb() or 0:.0f} MB"
        finally:
            server.stop()
    record(
        "Jena SHACL 4.5",
        [
            str(HERE / "jena.sh"),
            "shacl",
            "validate",
            "--shapes",
            str(shapes),
            "--data",
            str(merged),
        ],
        count_jena,
    )
    if triples <= args.pyrudof_max:
        record("pyrudof", [sys.executable, str(HERE / "run_pyrudof.py"), str(shapes), str(merged)],
               count_pyrudof)
    else:
        runs.append(Run("pyrudof", triples, None, None, None, "not run at this size"))
    if triples <= args.pyshacl_max:
        record(
            "pySHACL",
            [
                str(bindir / "pyshacl"),
                "-s",
                str(shapes),
                "-e",
                str(paths.ontology_file()),
                "-i",
                "none",
                str(graph),
            ],
            count_pyshacl,
        )
    else:
        runs.append(
            Run("pySHACL", triples, None, None, None, "not run at this size (see the notes)")
        )
    return runs


def _ntriples(path: Path) -> bytes:
    import pyoxigraph

    from clustergraph.files.load import parse_file

    return (
        pyoxigraph.serialize(
            (q.triple for q in parse_file(path)), format=pyoxigraph.RdfFormat.N_TRIPLES
        )
        or b""
    )


def _fmt(run: Run) -> str:
    if run.seconds is None:
        return run.note
    return f"{run.seconds:8.1f} s {run.peak_mb:7.0f} MB {run.results!s:>7} results  {run.note}"


def table(runs: list[Run]) -> str:
    lines = [
        "| triples | tool | time | peak memory | results | time / Jena | note |",
        "| ---: | --- | ---: | ---: | ---: | ---: | --- |",
    ]
    jena = {r.triples: r.seconds for r in runs if r.tool.startswith("Jena")}
    for r in runs:
        ratio = (
            f"{r.seconds / jena[r.triples]:.2f}"
            if r.seconds is not None and jena.get(r.triples)
            else ""
        )
        time_text = f"{r.seconds:.1f} s" if r.seconds is not None else "—"
        memory = f"{r.peak_mb:.0f} MB" if r.peak_mb is not None else "—"
        results = "" if r.results is None else f"{r.results:,}"
        lines.append(
            f"| {r.triples:,} | {r.tool} | {time_text} | {memory} | {results} | {ratio} | {r.note} |"
        )
    return "\n".join(lines)


def plot(runs: list[Run], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5))
    for tool in dict.fromkeys(r.tool for r in runs):
        done = [r for r in runs if r.tool == tool and r.seconds is not None]
        if done:
            left.plot([r.triples for r in done], [r.seconds for r in done], "o-", label=tool)
            right.plot([r.triples for r in done], [r.peak_mb for r in done], "o-", label=tool)
    for axis, label in ((left, "wall time (s)"), (right, "peak memory (MB)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("triples")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
    left.legend(fontsize=8)
    fig.suptitle("Full SHACL validation of the synthetic graph (benchmarks/bench_validate.py)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--violations", type=float, default=0.01)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument(
        "--pyshacl-max", type=int, default=100_000, help="largest size pySHACL runs on"
    )
    parser.add_argument(
        "--pyrudof-max", type=int, default=1_000_000, help="largest size pyrudof runs on"
    )
    parser.add_argument("--timeout", type=float, default=900.0, help="seconds per tool and size")
    parser.add_argument("--no-endpoint", action="store_true", help="leave out validate --endpoint")
    parser.add_argument("--out", type=Path, help="write OUT.md and OUT.png")
    args = parser.parse_args()
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="bench-validate-") as tmp:
        for size in args.sizes:
            runs.extend(bench_size(args, size, Path(tmp)))
    text = table(runs)
    print(text)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.with_suffix(".md").write_text(text + "\n")
        plot(runs, args.out.with_suffix(".png"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
