"""`clustergraph serve` under load, side by side with `oxigraph serve-read-only` on the same data.

32 concurrent clients (a small asyncio HTTP/1.1 client with keep-alive) for 30 s on the loopback,
three times per server: a mix of stored-query API calls, /sparql queries and entity pages; the
/sparql queries alone; and /sparql queries each new to the server (a numbered comment), which no
cache can answer. Oxigraph has no stored queries nor pages, so it is sent what they stand for: the stored
query's text with its parameters bound (the text our worker runs), and DESCRIBE of the entity as
Turtle. Requests/s, p50, p99 and errors per kind go into benchmarks/results/serve.md.

Before timing, every request of the mix is sent once per worker (our workers check each query's
safety once and cache it; a page is rendered once and kept): the figures are the steady state.

    nice python benchmarks/bench_serve.py                 # 32 clients, 30 s per run
    nice python benchmarks/bench_serve.py --clients 8 --seconds 5 --out /tmp/serve.md
    nice python benchmarks/bench_serve.py --baseline v0.1.0   # also that revision, in the same run
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

ACCEPT_ROWS = "application/sparql-results+json"
#: (kind, stored query, parameters) of the API part of the mix.
STORED = [
    ("members-as-of", {}),
    ("member-counts-as-of", {"date": "2024-01-31"}),
    ("clusters-by-country", {"country": "country/IN"}),
    ("cluster-profile", {"cluster": "cluster/jubail-industrial-city"}),
    ("clusters-near", {}),
]
SPARQL = [
    "SELECT ?c ?label WHERE { ?c a <https://w3id.org/clustergraph/ontology#IndustrialCluster> ; "
    "<http://www.w3.org/2004/02/skos/core#prefLabel> ?label } ORDER BY ?label",
    "SELECT ?type (COUNT(?s) AS ?n) WHERE { ?s a ?type } GROUP BY ?type ORDER BY DESC(?n)",
    "ASK { <https://w3id.org/clustergraph/id/cluster/jubail-industrial-city> ?p ?o }",
    "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 100",
]
ENTITIES = [
    "cluster/jubail-industrial-city",
    "cluster/zero-carbon-humber",
    "country/SA",
    "technology/hydrogen",
    "initiative/transitioning-industrial-clusters",
]
ID_NS = "https://w3id.org/clustergraph/id/"


@dataclass(frozen=True)
class Call:
    kind: str  # "stored", "sparql" or "entity"
    method: str
    target: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""


@dataclass
class Stats:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    examples: list[str] = field(default_factory=list)

    def add(self, kind: str, seconds: float, ok: bool, detail: str = "") -> None:
        self.latencies.setdefault(kind, [])
        self.errors.setdefault(kind, 0)
        if ok:
            self.latencies[kind].append(seconds)
        else:
            self.errors[kind] += 1
            if len(self.examples) < 5:
                self.examples.append(detail)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ---------------------------------------------------------------------------------------------
# The mixes
# ---------------------------------------------------------------------------------------------


def _form_post(path: str, query: str, accept: str) -> Call:
    return Call("sparql", "POST", path,
                (("Content-Type", "application/x-www-form-urlencoded"), ("Accept", accept)),
                urllib.parse.urlencode({"query": query}).encode())


def distinct_calls(path: str, count: int = 20_000) -> list[Call]:
    """/sparql queries that are each new to the server (a numbered comment): no cache helps."""
    return [Call("sparql", "GET", path + "?" + urllib.parse.urlencode(
        {"query": f"{SPARQL[i % len(SPARQL)]}\n# request {i}"}), (("Accept", ACCEPT_ROWS),))
        for i in range(count)]


def ours_calls(sparql_only: bool) -> list[Call]:
    calls = [Call("sparql", "GET", "/sparql?" + urllib.parse.urlencode({"query": q}),
                  (("Accept", ACCEPT_ROWS),)) for q in SPARQL]
    calls.append(_form_post("/sparql", SPARQL[0], ACCEPT_ROWS))
    if sparql_only:
        return calls
    calls += [Call("stored", "GET", f"/api/queries/{name}" + (
        "?" + urllib.parse.urlencode(params) if params else "")) for name, params in STORED]
    calls += [Call("entity", "GET", "/id/" + e, (("Accept", "text/html"),)) for e in ENTITIES]
    calls += [Call("entity", "GET", "/id/" + e, (("Accept", "text/turtle"),)) for e in ENTITIES]
    return calls


def oxigraph_calls(sparql_only: bool) -> list[Call]:
    from clustergraph.query.catalogue import load_catalogue

    calls = [Call("sparql", "GET", "/query?" + urllib.parse.urlencode({"query": q}),
                  (("Accept", ACCEPT_ROWS),)) for q in SPARQL]
    calls.append(_form_post("/query", SPARQL[0], ACCEPT_ROWS))
    if sparql_only:
        return calls
    catalogue = load_catalogue()
    for name, params in STORED:
        text = catalogue[name].bound_text(params)
        calls.append(Call("stored", "GET", "/query?" + urllib.parse.urlencode({"query": text}),
                          (("Accept", ACCEPT_ROWS),)))
    for e in ENTITIES:
        describe = urllib.parse.urlencode({"query": f"DESCRIBE <{ID_NS}{e}>"})
        calls += [Call("entity", "GET", "/query?" + describe, (("Accept", "text/turtle"),))] * 2
    return calls


# ---------------------------------------------------------------------------------------------
# A small HTTP/1.1 client
# ---------------------------------------------------------------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionError("connection closed")
    status = int(status_line.split()[1])
    headers = {}
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b"\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if headers.get("transfer-encoding", "").lower() == "chunked":
        body = b""
        while True:
            size = int((await reader.readline()).split(b";")[0], 16)
            if size == 0:
                await reader.readline()
                break
            body += await reader.readexactly(size)
            await reader.readline()
    else:
        body = await reader.readexactly(int(headers.get("content-length", "0")))
    return status, body


def _request_bytes(call: Call, host: str) -> bytes:
    lines = [f"{call.method} {call.target} HTTP/1.1", f"Host: {host}"]
    lines += [f"{k}: {v}" for k, v in call.headers]
    if call.body:
        lines.append(f"Content-Length: {len(call.body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + call.body


async def client(port: int, calls: list[Call], offset: int, until: float, stats: Stats) -> None:
    reader = writer = None
    i = offset
    while time.monotonic() < until:
        call = calls[i % len(calls)]
        i += 1
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(_request_bytes(call, f"127.0.0.1:{port}"))
            status, body = await _read_response(reader)
            ok = 200 <= status < 300
            stats.add(call.kind, time.perf_counter() - start, ok, f"{status} {call.target[:80]} {body[:120]!r}")
        except (OSError, ConnectionError, asyncio.IncompleteReadError, ValueError) as exc:
            stats.add(call.kind, time.perf_counter() - start, False, f"{type(exc).__name__}: {exc}")
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


async def run_load(port: int, calls: list[Call], clients: int, seconds: float) -> tuple[Stats, float]:
    stats = Stats()
    start = time.monotonic()
    await asyncio.gather(*(client(port, calls, n, start + seconds, stats) for n in range(clients)))
    return stats, time.monotonic() - start


def warm_up(port: int, calls: list[Call], rounds: int) -> None:
    """Each call `rounds` times, one after another (every worker sees every query)."""
    import http.client

    for _ in range(rounds):
        for call in calls:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            connection.request(call.method, call.target, body=call.body or None, headers=dict(call.headers))
            connection.getresponse().read()
            connection.close()


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------


def _wait(port: int, path: str, process: subprocess.Popen, log: Path) -> None:
    import urllib.request

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"server did not start:\n{log.read_text()[-3000:]}")


def baseline_source(folder: Path, revision: str) -> Path:
    """The source tree at a git revision (`git archive`: the repository is not touched)."""
    target = folder / "baseline"
    target.mkdir()
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", revision],
                             check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target / "src"


def start_ours(folder: Path, workers: int, source: Path | None = None) -> tuple[subprocess.Popen, int]:
    """`clustergraph serve` from this checkout, or from SOURCE (another revision's src)."""
    port = free_port()
    log = folder / f"ours-{port}.log"
    env = dict(os.environ, PYTHONPATH=str(source)) if source else None
    process = subprocess.Popen(
        [sys.executable, "-m", "clustergraph", "serve", "--port", str(port), "--workers", str(workers)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True, env=env,
        cwd=folder if source else None)
    _wait(port, "/health", process, log)
    return process, port


def start_oxigraph(folder: Path) -> tuple[subprocess.Popen, int]:
    from clustergraph.query.session import default_files

    binary = str(Path(sys.executable).parent / "oxigraph")
    location = folder / "oxigraph-db"
    subprocess.run([binary, "load", "--location", str(location), "--file",
                    *map(str, default_files())], check=True, capture_output=True)
    port = free_port()
    log = folder / "oxigraph.log"
    process = subprocess.Popen(
        [binary, "serve-read-only", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    _wait(port, "/query?query=ASK%7B%7D", process, log)
    return process, port


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    except ProcessLookupError:
        pass


# ---------------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------------


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def rows_of(server: str, run: str, stats: Stats, elapsed: float) -> list[dict[str, object]]:
    rows = []
    kinds = sorted(stats.latencies)
    every = [v for k in kinds for v in stats.latencies[k]]
    for kind in [*kinds, "all"]:
        values = every if kind == "all" else stats.latencies[kind]
        errors = sum(stats.errors.values()) if kind == "all" else stats.errors[kind]
        rows.append({"server": server, "run": run, "kind": kind, "requests": len(values),
                     "rps": len(values) / elapsed, "p50": _pct(values, 0.5),
                     "p99": _pct(values, 0.99), "errors": errors})
    return rows


def report(rows: list[dict[str, object]], args: argparse.Namespace, notes: list[str]) -> str:
    import pyoxigraph

    from clustergraph.version import __version__

    lines = [
        "# `clustergraph serve` under load, beside `oxigraph serve-read-only`",
        "",
        f"<!-- Written by: {'nice ' if os.nice(0) > 0 else ''}python benchmarks/bench_serve.py "
        f"--clients {args.clients} --seconds {args.seconds:g} --workers {args.workers}"
        + (f" --baseline {args.baseline}" if args.baseline else "") + " -->",
        "",
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs shared with "
        f"other work (load average {os.getloadavg()[0]:.1f} at the end); Python "
        f"{platform.python_version()}, clustergraph {__version__}, pyoxigraph {pyoxigraph.__version__}; "
        f"{args.clients} clients with keep-alive for {args.seconds:g} s per run on 127.0.0.1, "
        f"our server with {args.workers} query workers; the shipped graph on both. The client runs "
        "on the same CPUs as the servers.",
        "",
        "| server | run | kind | requests | requests/s | p50 (ms) | p99 (ms) | errors |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(f"| {r['server']} | {r['run']} | {r['kind']} | {r['requests']} | "
                     f"{r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |")
    lines += ["", *notes, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "serve.md")
    parser.add_argument("--baseline", metavar="REV",
                        help="also run `clustergraph serve` as of this git revision, in the same run")
    args = parser.parse_args()
    rows: list[dict[str, object]] = []
    examples: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        servers = [("clustergraph", lambda: start_ours(folder, args.workers), ours_calls, "/sparql"),
                   ("oxigraph", lambda: start_oxigraph(folder), oxigraph_calls, "/query")]
        if args.baseline:
            source = baseline_source(folder, args.baseline)
            servers.insert(1, (f"clustergraph {args.baseline}",
                               lambda: start_ours(folder, args.workers, source), ours_calls, "/sparql"))
        started: list[tuple[subprocess.Popen, int]] = []
        try:
            for _, start, _, _ in servers:
                started.append(start())
            # each run on every server in turn, so that a change in the machine's load falls on all
            for run in ("mix", "sparql only", "sparql, each query new"):
                for (server, _, calls_for, path), (_, port) in zip(servers, started):
                    if run == "sparql, each query new":
                        calls = distinct_calls(path)
                    else:
                        calls = calls_for(run == "sparql only")
                        warm_up(port, calls, rounds=args.workers + 1)
                    stats, elapsed = asyncio.run(run_load(port, calls, args.clients, args.seconds))
                    rows += rows_of(server, run, stats, elapsed)
                    examples += stats.examples
                    print(f"{server} {run}: {sum(len(v) for v in stats.latencies.values())} requests, "
                          f"{sum(stats.errors.values())} errors", flush=True)
        finally:
            for process, _ in started:
                stop(process)

    def rps(server: str, run: str, kind: str) -> float:
        return next(float(r["rps"]) for r in rows  # type: ignore[arg-type]
                    if (r["server"], r["run"], r["kind"]) == (server, run, kind))

    ratio = rps("oxigraph", "sparql only", "sparql") / rps("clustergraph", "sparql only", "sparql")
    ratio_new = (rps("oxigraph", "sparql, each query new", "sparql")
                 / rps("clustergraph", "sparql, each query new", "sparql"))
    stored_p99 = next(float(r["p99"]) for r in rows  # type: ignore[arg-type]
                      if (r["server"], r["run"], r["kind"]) == ("clustergraph", "mix", "stored"))
    errors = sum(int(r["errors"]) for r in rows if r["kind"] == "all")  # type: ignore[arg-type]
    notes = [
        "Goals: 0 errors; p99 under 100 ms for stored queries; /sparql throughput within 2x of Oxigraph's.",
        "",
        f"* errors in all runs: {errors}",
        f"* p99 of stored queries on clustergraph (mix): {stored_p99:.1f} ms",
        f"* /sparql throughput, Oxigraph / clustergraph, repeated queries (sparql only): {ratio:.2f}x",
        f"* /sparql throughput, Oxigraph / clustergraph, each query new: {ratio_new:.2f}x",
    ]
    notes += [f"* clustergraph / Oxigraph throughput, {run}: {rps('clustergraph', run, 'all') / rps('oxigraph', run, 'all'):.2f}"
              + (f" (as of {args.baseline}: "
                 f"{rps(f'clustergraph {args.baseline}', run, 'all') / rps('oxigraph', run, 'all'):.2f})"
                 if args.baseline else "")
              for run in ("mix", "sparql only", "sparql, each query new")]
    notes += [
        "",
        "Repeated queries are answered from the server's answer cache after their first run (the "
        "graph does not change while it serves); a new query text pays the safety check "
        "(lexical: the workers run without network, so rdflib's parse is not needed) and the "
        "round trip to a worker process, the price of a time limit that can kill a query.",
    ]
    if examples:
        notes += ["", "First errors seen:", "", *[f"    {e}" for e in examples[:5]]]
    text = report(rows, args, notes)
    tmp_out = args.out.with_name(args.out.name + ".tmp")
    tmp_out.write_text(text, encoding="utf-8")
    tmp_out.replace(args.out)
    print(text)


if __name__ == "__main__":
    main()
