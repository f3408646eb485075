"""A shape with one `sh:pattern`, data with one value, and the installed `validate` run on
them with a time bound, on each engine path (tests/shacl/test_pattern_*.py)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from support.cli_runner import INSTALLED

#: How `validate` may be run: the name of the engine path -> its options.
ENGINE_PATHS = {
    "oxigraph (the default)": [],
    "pyshacl": ["--engine", "pyshacl"],
    "pyshacl after RDFS inference": ["--inference", "rdfs"],
}

#: Well above the limit of 1 s per value, and far below the minutes a hang takes.
BOUND_S = 30

SHAPES = """\
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
ex:NameShape a sh:NodeShape ;
    sh:targetClass ex:Thing ;
    sh:property [ sh:path ex:name ; sh:pattern {pattern} {flags}] .
"""


def write_case(tmp_path: Path, pattern: str, flags: str, value: str) -> tuple[Path, Path]:
    """A shapes file whose one property shape has the pattern, and data with the value."""
    shapes = tmp_path / "shapes.ttl"
    with_flags = f'; sh:flags "{flags}" ' if flags else ""
    shapes.write_text(SHAPES.format(pattern=f'"{pattern}"', flags=with_flags), encoding="utf-8")
    data = tmp_path / "data.ttl"
    data.write_text(
        f'<http://example.org/x> a <http://example.org/Thing> ; <http://example.org/name> "{value}" .\n',
        encoding="utf-8",
    )
    return data, shapes


def validate(data: Path, shapes: Path, options: list[str]) -> subprocess.CompletedProcess[str]:
    """The installed `clustergraph validate`, given `BOUND_S` seconds to answer."""
    return subprocess.run(
        [str(INSTALLED), "validate", str(data), "--shapes", str(shapes), *options],
        capture_output=True, text=True, check=False, timeout=BOUND_S,
    )
