"""Where a resource is defined: the file and line of its first subject position.

A validation report is only useful to a contributor if it points at the line to fix. Parsers do
not keep positions, so this module reads Turtle, TriG and N-Triples files once more with a small
tokenizer that knows strings (long ones too), comments, IRIs, prefixed names (with escapes such
as ``cgid:cluster\\/rotterdam``), blank-node brackets, collections, graph blocks and the
``@prefix``/``PREFIX`` and ``@base``/``BASE`` directives. For each statement it records the
subject (resolved to a full IRI) and the line where the statement starts; the first occurrence
wins. Files in other syntaxes (RDF/XML, JSON-LD) give no positions.

    >>> from clustergraph.files.paths import data_files
    >>> loc = Locator(data_files())
    >>> print(loc.find("https://w3id.org/clustergraph/id/country/IN"))  # doctest: +ELLIPSIS
    data/countries.ttl:...
    >>> loc.find("https://w3id.org/clustergraph/id/nowhere") is None
    True
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

from clustergraph.files.paths import shipped_name

__all__ = ["Location", "Locator", "subject_lines"]

log = logging.getLogger(__name__)

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_LINE_SUFFIXES = {".nt", ".ntriples", ".nq"}
_TEXT_SUFFIXES = {".ttl", ".turtle", ".trig", ".nt", ".ntriples", ".nq", ".n3"}

_NAME_CHAR = r"(?:\\.|[^\s<>\"'.;,\[\](){}#\\^])"
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><[^>\s]*>)
  | (?P<lstring>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<punct>\^\^|[.;,\[\](){}])
  | (?P<at>@[A-Za-z][A-Za-z0-9-]*)
  | (?P<word>"""
    + _NAME_CHAR
    + r"+(?:\.+"
    + _NAME_CHAR
    + r"""+)*)
  | (?P<other>.)
    """,
    re.VERBOSE | re.DOTALL,
)
_UNESCAPE = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Location:
    """A file and a 1-based line number."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


def _tokens(text: str) -> list[tuple[str, str, int]]:
    """(kind, text, line) for every meaningful token."""
    out: list[tuple[str, str, int]] = []
    line = 1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or "other"
        value = m.group()
        if kind not in ("ws", "comment"):
            out.append((kind, value, line))
        line += value.count("\n")
    return out


def _line_subjects(text: str) -> dict[str, int]:
    """Subjects of an N-Triples/N-Quads text: one statement a line, an IRI subject first on it."""
    found: dict[str, int] = {}
    subject = "\n"  # the last line's subject token, `<iri>`: lines of one subject come together
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith(subject):
            continue
        if line[:1] == "<":
            end = line.find(">")
            subject = line[: end + 1]
            found.setdefault(line[1:end], number)
    return found


def subject_lines(path: Path | str) -> dict[str, int]:
    """Map each subject IRI of a Turtle/TriG/N-Triples file to the line of its first statement.

    Blank-node subjects are left out (their labels do not survive parsing).
    """
    path = Path(path)
    if path.suffix.lower() not in _TEXT_SUFFIXES:
        return {}
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        log.debug("cannot read %s for line numbers: %s", path, exc)
        return {}
    if path.suffix.lower() in _LINE_SUFFIXES:
        return _line_subjects(text)
    base = path.resolve().as_uri()
    prefixes: dict[str, str] = {}
    found: dict[str, int] = {}

    def resolve(kind: str, value: str) -> str | None:
        if kind == "iri":
            return urljoin(base, value[1:-1])
        if kind == "word" and ":" in value:
            prefix, local = value.split(":", 1)
            ns = prefixes.get(prefix)
            return None if ns is None else ns + _UNESCAPE.sub(r"\1", local)
        return None

    toks = _tokens(text)
    i, n, depth = 0, len(toks), 0
    expect_subject = True
    while i < n:
        kind, value, line = toks[i]
        lowered = value.lower()
        if (
            depth == 0
            and expect_subject
            and (lowered in ("@prefix", "prefix") and kind in ("at", "word"))
        ):
            if i + 2 < n:
                name = toks[i + 1][1]
                declared = toks[i + 2]
                if declared[0] == "iri" and name.endswith(":"):
                    prefixes[name[:-1]] = urljoin(base, declared[1][1:-1])
            i += 3
            if kind == "at" and i < n and toks[i][1] == ".":
                i += 1
            continue
        if (
            depth == 0
            and expect_subject
            and lowered in ("@base", "base")
            and kind in ("at", "word")
        ):
            if i + 1 < n and toks[i + 1][0] == "iri":
                base = urljoin(base, toks[i + 1][1][1:-1])
            i += 2
            if kind == "at" and i < n and toks[i][1] == ".":
                i += 1
            continue
        if depth == 0 and expect_subject and kind == "word" and lowered == "graph":
            i += 1
            continue
        if kind == "punct":
            if value in ("[", "("):
                depth += 1
            elif value in ("]", ")"):
                depth = max(0, depth - 1)
            elif value in (".", "{", "}") and depth == 0:
                expect_subject = True
                i += 1
                continue
        if expect_subject and depth == 0 and kind in ("iri", "word"):
            following = toks[i + 1][1] if i + 1 < n else ""
            if following != "{":  # a TriG graph name, not a subject
                iri = resolve(kind, value)
                if iri is not None:
                    found.setdefault(iri, line)
            else:
                i += 1
                continue
        expect_subject = False
        i += 1
    return found


class Locator:
    """Find where resources are defined across several files (the first file wins)."""

    def __init__(self, files: Iterable[Path | str], *, relative_to: Path | None = None) -> None:
        self.files = [Path(f) for f in files]
        self._relative_to = Path.cwd() if relative_to is None else relative_to
        self._index: dict[str, Location] | None = None

    def display_path(self, path: Path) -> str:
        """A shipped file as `data/clusters.ttl` (however the package is installed); another
        file relative to the current folder when it lies under it, else absolute."""
        shipped = shipped_name(path)
        if shipped is not None:
            return shipped
        try:
            return str(path.resolve().relative_to(self._relative_to.resolve()))
        except ValueError:
            return str(path.resolve()) if path.is_absolute() else str(path)

    def _build(self) -> dict[str, Location]:
        index: dict[str, Location] = {}
        for path in self.files:
            shown = self.display_path(path)
            for iri, line in subject_lines(path).items():
                index.setdefault(iri, Location(shown, line))
        return index

    def find(self, iri: str) -> Location | None:
        """Where the resource with this IRI first appears as a subject, or None."""
        if self._index is None:
            self._index = self._build()
        return self._index.get(iri)
