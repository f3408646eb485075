"""Side-by-side wall time of `clustergraph validate` and the pyshacl command line on the shipped
files, end to end from the shell (start-up counts). Prints medians and the ratio.

    .venv/bin/python benchmarks/bench_validate.py [--repeat 7] [--shapes FILE]

The goal (issue 3): clustergraph takes at most half the time of pyshacl. Not a test: timings
depend on the machine.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(cmd: list[str], cwd: Path) -> tuple[float, int]:
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - start, done.returncode


def main() -> int:
    from clustergraph import paths

    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--shapes", type=Path, default=paths.shapes_file())
    args = parser.parse_args()
    bindir = Path(sys.executable).parent
    root = Path(__file__).resolve().parent.parent
    data = [str(p) for p in paths.data_files()]
    commands = {
        "pyshacl": [
            str(bindir / "pyshacl"),
            "-s",
            str(args.shapes),
            "-e",
            str(paths.ontology_file()),
            "-i",
            "none",
            *data,
        ],
        "clustergraph": [str(bindir / "clustergraph"), "validate", "--shapes", str(args.shapes)],
        "clustergraph --help": [str(bindir / "clustergraph"), "--help"],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    codes: dict[str, set[int]] = {name: set() for name in commands}
    wall(commands["clustergraph"], root)  # warm the file-system cache for both
    for _ in range(args.repeat):
        for name, cmd in commands.items():  # interleaved, so both see the same machine state
            seconds, code = wall(cmd, root)
            times[name].append(seconds)
            codes[name].add(code)
    med = {name: statistics.median(t) for name, t in times.items()}
    for name in commands:
        print(
            f"{name:<22} median {med[name]:.3f} s  (min {min(times[name]):.3f}, max {max(times[name]):.3f}, exit codes {sorted(codes[name])})"
        )
    ratio = med["clustergraph"] / med["pyshacl"]
    print(
        f"ratio clustergraph / pyshacl = {ratio:.2f} (goal <= 0.50) over {args.repeat} runs, {len(data)} data files"
    )
    return 0 if ratio <= 0.5 else 1


if __name__ == "__main__":
    raise SystemExit(main())
