"""`clustergraph serve` under hostile load: normal clients beside idle, slow, huge and crashing ones.

For `--seconds` (30), each kind of client from a loopback address of its own (so the per-address
limits tell them apart, as they would real clients):

* normal (127.0.0.1): `--clients` (8) clients with keep-alive sending bench_serve.py's mix
  (stored-query API, /sparql, entity pages); their p50, p99, max and errors are the result;
* idle (127.0.0.2): `--idle` (500) connections that send nothing, reopened when closed;
* slow (127.0.0.3): `--slow` (100) connections sending a request head one byte every 0.5 s;
* huge (127.0.0.4): `--huge` (2) clients sending an 8 MB Accept header, again and again;
* crashing (127.0.0.5): `--crashing` (4) clients POSTing a query of 5,000 nested braces, again
  and again (before issue #20 each one killed a worker).

Raises its own open-files limit to fit (up to the hard limit). Writes benchmarks/results/hostile.md.
The issue's goal: a normal request answers in under 1 s (p99 and max) with 0 errors.

    nice python benchmarks/bench_hostile.py
    nice python benchmarks/bench_hostile.py --seconds 10 --idle 200 --out /tmp/hostile.md
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections import Counter
from pathlib import Path

from bench_serve import (
    ROOT,
    Stats,
    _pct,
    _read_response,
    _request_bytes,
    _wait,
    free_port,
    ours_calls,
    stop,
    warm_up,
)

NESTED = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
SOURCES = {"normal": "127.0.0.1", "idle": "127.0.0.2", "slow": "127.0.0.3", "huge": "127.0.0.4",
           "crashing": "127.0.0.5"}


async def _open(port: int, kind: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(SOURCES[kind], 0))


def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is not None:
        writer.close()


async def normal(port: int, calls: list, offset: int, until: float, stats: Stats) -> None:
    """bench_serve.py's client, from the normal address."""
    reader = writer = None
    i = offset
    while time.monotonic() < until:
        call = calls[i % len(calls)]
        i += 1
        start = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await _open(port, "normal")
            writer.write(_request_bytes(call, f"127.0.0.1:{port}"))
            status, body = await asyncio.wait_for(_read_response(reader), 60)
            stats.add(call.kind, time.perf_counter() - start, 200 <= status < 300,
                      f"{status} {call.target[:80]} {body[:120]!r}")
        except (OSError, ConnectionError, asyncio.IncompleteReadError, asyncio.TimeoutError,
                ValueError) as exc:
            stats.add(call.kind, time.perf_counter() - start, False, f"{type(exc).__name__}: {exc}")
            _close(writer)
            reader = writer = None
    _close(writer)


async def idle(port: int, until: float, seen: Counter) -> None:
    """A connection that sends nothing; reopened when the server closes it."""
    while time.monotonic() < until:
        try:
            reader, writer = await _open(port, "idle")
        except OSError:
            seen["idle: connect failed"] += 1
            await asyncio.sleep(0.5)
            continue
        try:
            data = await asyncio.wait_for(reader.read(), until - time.monotonic())
            seen["idle: closed by the server" + (" with an answer" if data else "")] += 1
        except (asyncio.TimeoutError, OSError):
            pass
        _close(writer)


async def slow(port: int, until: float, seen: Counter) -> None:
    """A request head sent one byte every 0.5 s; reopened when the server cuts it."""
    head = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"s" * 200 + b"\r\n\r\n"
    while time.monotonic() < until:
        try:
            reader, writer = await _open(port, "slow")
            for byte in head:
                if time.monotonic() > until or reader.at_eof():
                    break
                writer.write(bytes([byte]))
                await writer.drain()
                try:
                    data = await asyncio.wait_for(reader.read(200), 0.5)
                except asyncio.TimeoutError:
                    continue
                seen["slow: " + (data.split(b"\r\n")[0].decode() if data else "closed")] += 1
                break
        except OSError:
            seen["slow: connection error"] += 1
            await asyncio.sleep(0.5)
            continue
        _close(writer)


async def _one_shot(port: int, kind: str, data: bytes, seen: Counter) -> None:
    try:
        reader, writer = await _open(port, kind)
    except OSError:
        seen[f"{kind}: connect failed"] += 1
        await asyncio.sleep(0.5)
        return
    try:
        writer.write(data)
        await writer.drain()
    except OSError:
        pass  # the server stopped reading; its answer may still be there
    try:
        answer = await asyncio.wait_for(reader.read(200), 60)
        seen[f"{kind}: " + (answer.split(b"\r\n")[0].decode() if answer else "closed")] += 1
    except (asyncio.TimeoutError, OSError) as exc:
        seen[f"{kind}: {type(exc).__name__}"] += 1
    _close(writer)


async def repeat(port: int, kind: str, data: bytes, until: float, seen: Counter) -> None:
    """Send `data` on a fresh connection again and again until `until`."""
    while time.monotonic() < until:
        await _one_shot(port, kind, data, seen)


async def run(port: int, args: argparse.Namespace) -> tuple[Stats, Counter, float]:
    stats, seen = Stats(), Counter()
    start = time.monotonic()
    until = start + args.seconds
    huge = (b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: "
            + b"a/b;q=0.1," * ((8 << 20) // 10) + b"\r\n\r\n")
    crash_body = urllib.parse.urlencode({"query": NESTED}).encode()
    crash = (b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
             b"Content-Type: application/x-www-form-urlencoded\r\n"
             + f"Content-Length: {len(crash_body)}\r\n\r\n".encode() + crash_body)
    hostile = [idle(port, until, seen) for _ in range(args.idle)]
    hostile += [slow(port, until, seen) for _ in range(args.slow)]
    hostile += [repeat(port, "huge", huge, until, seen) for _ in range(args.huge)]
    hostile += [repeat(port, "crashing", crash, until, seen) for _ in range(args.crashing)]
    tasks = [asyncio.ensure_future(t) for t in hostile]
    await asyncio.sleep(min(3.0, args.seconds / 4))  # the hostile clients are connected first
    calls = ours_calls(sparql_only=False)
    normal_start = time.monotonic()
    await asyncio.gather(*(normal(port, calls, n, until, stats) for n in range(args.clients)))
    elapsed = time.monotonic() - normal_start
    await asyncio.wait_for(asyncio.gather(*tasks, return_exceptions=True), 90)
    return stats, seen, elapsed


def raise_open_files(needed: int) -> int:
    """This process's open-files limit raised to `needed` (at most the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < needed:
        soft = needed if hard == resource.RLIM_INFINITY else min(needed, hard)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def start_server(folder: Path, workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    log = folder / "serve.log"
    process = subprocess.Popen(
        [sys.executable, "-m", "clustergraph", "serve", "--port", str(port), "--workers", str(workers)],
        stdout=log.open("wb"), stderr=subprocess.STDOUT, start_new_session=True)
    _wait(port, "/health", process, log)
    return process, port


def report(stats: Stats, seen: Counter, elapsed: float, args: argparse.Namespace) -> str:
    from clustergraph.version import __version__

    every = [v for values in stats.latencies.values() for v in values]
    errors = sum(stats.errors.values())
    lines = [
        "# `clustergraph serve` beside idle, slow, huge and crashing clients",
        "",
        (f"<!-- Written by: {'nice ' if os.nice(0) > 0 else ''}python benchmarks/bench_hostile.py "
         f"--seconds {args.seconds:g} --clients {args.clients} --idle {args.idle} --slow {args.slow} "
         f"--huge {args.huge} --crashing {args.crashing} -->"),
        "",
        (f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {os.cpu_count()} CPUs shared "
         f"with other work (load average {os.getloadavg()[0]:.1f} at the end); Python "
         f"{platform.python_version()}, clustergraph {__version__}; {args.workers} query workers; "
         f"{args.seconds:g} s; {args.clients} normal clients with keep-alive beside {args.idle} "
         f"idle, {args.slow} slow (a byte every 0.5 s), {args.huge} huge (8 MB Accept) and "
         f"{args.crashing} crashing (5,000 nested braces) clients, all on 127.0.0.x with the "
         "server. A huge client's \"BrokenPipeError\": the server stopped reading its header at "
         "the limit and closed before the whole 8 MB was sent."),
        "",
        "| normal requests | kind | requests/s | p50 (ms) | p99 (ms) | max (ms) | errors |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for kind in [*sorted(stats.latencies), "all"]:
        values = every if kind == "all" else stats.latencies[kind]
        kind_errors = errors if kind == "all" else stats.errors[kind]
        lines.append(f"| {len(values)} | {kind} | {len(values) / elapsed:.0f} | "
                     f"{_pct(values, 0.5):.1f} | {_pct(values, 0.99):.1f} | "
                     f"{max(values, default=float('nan')) * 1000:.1f} | {kind_errors} |")
    lines += ["", "What the hostile clients saw (count of connections):", ""]
    lines += [f"* {name}: {count}" for name, count in sorted(seen.items())]
    worst = max(every, default=float("inf"))
    verdict = "met" if worst < 1.0 and errors == 0 else "NOT met"
    lines += ["", (f"Goal: every normal request under 1 s, 0 errors: {verdict} "
                   f"(max {worst * 1000:.0f} ms, {errors} errors).")]
    if stats.examples:
        lines += ["", "First errors seen:", "", *[f"    {e}" for e in stats.examples[:5]]]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--idle", type=int, default=500)
    parser.add_argument("--slow", type=int, default=100)
    parser.add_argument("--huge", type=int, default=2)
    parser.add_argument("--crashing", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "hostile.md")
    args = parser.parse_args()
    needed = args.idle + args.slow + args.huge + args.crashing + args.clients + 256
    if raise_open_files(needed) < needed:
        sys.exit(f"the open-files limit is below the {needed} this run needs")
    with tempfile.TemporaryDirectory() as tmp:
        process, port = start_server(Path(tmp), args.workers)
        try:
            warm_up(port, ours_calls(sparql_only=False), rounds=args.workers + 1)
            stats, seen, elapsed = asyncio.run(run(port, args))
        finally:
            stop(process)
    text = report(stats, seen, elapsed, args)
    tmp_out = args.out.with_name(args.out.name + ".tmp")
    tmp_out.write_text(text, encoding="utf-8")
    tmp_out.replace(args.out)
    print(text)


if __name__ == "__main__":
    main()
