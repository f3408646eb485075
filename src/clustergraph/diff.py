"""What a change does to the graph: statements added and removed, per resource with its label.

Both sides are read as canonical N-Triples (`clustergraph.export.canonical_lines`: blank nodes
labelled from their content), so a reordered file, a renamed prefix or relabelled blank nodes
make no difference; only statements do. A side is a file, a folder, a git revision (`main`,
`HEAD~1`: the RDF files of the graph folders, `ontology/` and `data/`, at that revision) or one
path at a revision (`main:data/clusters.ttl`); git revisions are read with `git ls-tree` and
`git cat-file`, never checked out. A resource is new when the old side says nothing about it,
gone when the new side says nothing about it; blank nodes are shown inside the statement that
leads to them (`[ p o ; ... ]`), under the named resource they hang from. In a git checkout::

    from clustergraph.diff import diff, format_diff
    change = diff("main")                       # main vs. the work tree
    change.added, change.removed                # canonical N-Triples lines
    print(format_diff(change, "markdown"))      # for a pull request's job summary

`diff` below has an example that runs on two files.
"""

from __future__ import annotations

import bisect
import json
import re
import sys
import types
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import InputError, RDFSyntaxError
from clustergraph.export import canonical_lines
from clustergraph.files.load import expand_paths
from clustergraph.files.revisions import Repository, is_rdf_name
from clustergraph.files.scratch import scratch_folder
from clustergraph.vocab import PREFIXES

__all__ = [
    "DIFF_FORMATS",
    "GRAPH_PATHS",
    "GraphDiff",
    "ResourceChange",
    "Statement",
    "diff",
    "diff_lines",
    "format_diff",
    "side_lines",
    "term_text",
]

#: The folders that hold the graph in a repository (ontology, shapes and data).
GRAPH_PATHS = ("ontology", "data")
DIFF_FORMATS = ("text", "markdown", "json")
WORK_TREE = "work tree"

LABEL_PREDICATES = (
    "http://www.w3.org/2004/02/skos/core#prefLabel",
    "http://www.w3.org/2000/01/rdf-schema#label",
    "http://purl.org/dc/terms/title",
    "https://schema.org/name",
    "http://xmlns.com/foaf/0.1/name",
)
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
#: How deep, and how many in all, blank nodes are written inside one statement: past that,
#: by label (blank nodes shared by two others would otherwise be written once per path).
_INLINE_DEPTH = 8
_INLINE_NODES = 64


# ---------------------------------------------------------------------------------------------
# Reading a side
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Side:
    """One side as files: (name to show, a path on disk or the bytes of a git blob)."""

    name: str
    files: tuple[tuple[str, Path | bytes], ...]


def _resolve(spec: str | None, cwd: Path, graph_paths: Sequence[str]) -> _Side:
    if spec is None:
        repo = Repository.find(cwd)
        root = repo.root if repo is not None else cwd
        folders = [root / p for p in graph_paths if (root / p).exists()]
        if not folders:
            raise InputError(f"{root}: none of the graph folders ({', '.join(graph_paths)}) is here")
        return _Side(WORK_TREE, tuple((_shown(f, cwd), f) for f in _graph_files(folders)))
    given = Path(spec) if Path(spec).is_absolute() else cwd / spec
    if given.exists():
        return _Side(spec, tuple((_shown(f, cwd), f) for f in expand_paths([given])))
    repo = Repository.find(cwd)
    if repo is None:
        raise InputError(f"{spec}: not a file, a folder or a git revision (not in a git repository)")
    rev, sep, path = spec.partition(":")
    if not repo.has_revision(rev):
        raise InputError(f"{spec}: not a file, a folder or a git revision of {repo.root}")
    listed = repo.files(rev, [path] if sep else list(graph_paths))
    if not listed:
        where = path if sep else ", ".join(graph_paths)
        raise InputError(f"{spec}: no RDF files at {where} in revision {rev}")
    blobs = repo.read_blobs([object_id for _, object_id in listed])
    return _Side(spec, tuple((f"{rev}:{name}", blobs[object_id]) for name, object_id in listed))


def _graph_files(folders: Sequence[Path]) -> list[Path]:
    out: list[Path] = []
    for folder in folders:
        if folder.is_file():
            out.append(folder)
        else:
            out.extend(sorted(p for p in folder.iterdir() if p.is_file() and is_rdf_name(p.name)))
    return out


def _shown(path: Path, cwd: Path) -> str:
    try:
        return str(path.resolve().relative_to(cwd.resolve()))
    except ValueError:
        return str(path)


@contextmanager
def _on_disk(side: _Side) -> Iterator[tuple[list[Path], dict[str, str]]]:
    """The side's files as paths (git blobs written to a temporary folder) and path -> name."""
    with scratch_folder("clustergraph-diff-") as tmp:
        paths: list[Path] = []
        names: dict[str, str] = {}
        for i, (name, content) in enumerate(side.files):
            if isinstance(content, Path):
                path = content
            else:
                path = Path(tmp) / str(i) / Path(name.split(":", 1)[-1]).name
                path.parent.mkdir()
                path.write_bytes(content)
            paths.append(path)
            names[str(path)] = name
        yield paths, names


def side_lines(
    spec: str | None, *, cwd: Path | str | None = None, graph_paths: Sequence[str] = GRAPH_PATHS
) -> tuple[str, list[str]]:
    """(name, sorted canonical N-Triples lines) of one side: a path, REV, REV:PATH or None
    (the graph folders of the work tree). A syntax error names the file (or REV:PATH) and line."""
    side = _resolve(spec, Path.cwd() if cwd is None else Path(cwd), graph_paths)
    with _on_disk(side) as (paths, names):
        try:
            return side.name, canonical_lines(paths)
        except RDFSyntaxError as exc:
            shown = names.get(exc.path, exc.path)
            raise RDFSyntaxError(shown, exc.line, exc.column, exc.detail) from None
        except InputError as exc:
            message = str(exc)
            for path, name in names.items():
                message = message.replace(path, name)
            raise InputError(message) from None


# ---------------------------------------------------------------------------------------------
# Terms as text
# ---------------------------------------------------------------------------------------------


def _prefixes() -> list[tuple[str, str]]:
    return sorted(((ns, name) for name, ns in PREFIXES.items()), key=lambda item: -len(item[0]))


def _iri_text(iri: str, prefixes: list[tuple[str, str]]) -> str:
    for ns, name in prefixes:
        if iri.startswith(ns) and len(iri) > len(ns):
            local = iri[len(ns) :]
            if all(c.isalnum() or c in "_-./" for c in local) and not local.endswith("."):
                return f"{name}:{local}"
    return f"<{iri}>"


def term_text(term: Any, prefixes: list[tuple[str, str]] | None = None) -> str:
    """An Oxigraph term in short Turtle: `cgid:cluster/x`, `"Jubail"@en`, `"2025"^^xsd:gYear`.

    >>> term_text(ox.NamedNode("https://w3id.org/clustergraph/id/cluster/jubail"))
    'cgid:cluster/jubail'
    >>> term_text(ox.Literal("Jubail", language="en"))
    '"Jubail"@en'
    """
    prefixes = _prefixes() if prefixes is None else prefixes
    if isinstance(term, ox.NamedNode):
        return _iri_text(term.value, prefixes)
    if isinstance(term, ox.Literal):
        text = term.value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype.value == _XSD_STRING:
            return f'"{text}"'
        return f'"{text}"^^{_iri_text(term.datatype.value, prefixes)}'
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term)


def _triples(lines: Sequence[str]) -> list[Any]:
    if not lines:
        return []
    text = ("\n".join(lines) + "\n").encode("utf-8")
    return [q.triple for q in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)]


class _Graph:
    """Look-ups in one side's sorted canonical lines (by subject: a binary search)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self._incoming: dict[str, list[Any]] | None = None
        self._owners: dict[Any, Any] | None = None

    def about(self, subject: str) -> list[str]:
        """The lines whose subject is `subject` (N-Triples text: `<iri>` or `_:b...`)."""
        prefix = subject + " "
        start = bisect.bisect_left(self.lines, prefix)
        end = start
        while end < len(self.lines) and self.lines[end].startswith(prefix):
            end += 1
        return self.lines[start:end]

    def into(self, bnode: str) -> list[Any]:
        """Triples whose object is the blank node `bnode` (`_:b...`)."""
        if self._incoming is None:
            keys: list[str] = []
            lines: list[str] = []
            for line in self.lines:
                if " _:" in line:
                    head, _, tail = line[:-2].rpartition(" ")
                    if tail.startswith("_:"):
                        keys.append(tail)
                        lines.append(line)
            self._incoming = {}
            for key, triple in zip(keys, _triples(lines)):  # one parse for all
                self._incoming.setdefault(key, []).append(triple)
        return self._incoming.get(bnode, [])

    def owner(self, bnode: Any) -> Any:
        """The nearest named resource a blank node hangs from (of those equally near, the first
        in IRI order), or None."""
        if self._owners is None:
            self._owners = self._all_owners()
        return self._owners.get(bnode)

    def _all_owners(self) -> dict[Any, Any]:
        """Every blank node's owner, found in one breadth-first pass down from the named
        resources (linear, however deep the blank nodes nest)."""
        self.into("_:")  # builds the incoming triples
        below: dict[Any, list[Any]] = {}
        owners: dict[Any, Any] = {}
        for triples in (self._incoming or {}).values():
            for t in triples:
                if isinstance(t.subject, ox.BlankNode):
                    below.setdefault(t.subject, []).append(t.object)
                elif t.object not in owners or t.subject.value < owners[t.object].value:
                    owners[t.object] = t.subject
        level = list(owners)
        while level:
            found: dict[Any, Any] = {}
            for node in level:
                for child in below.get(node, ()):
                    if child not in owners and (child not in found
                                                or owners[node].value < found[child].value):
                        found[child] = owners[node]
            owners.update(found)
            level = list(found)
        return owners

    def label(self, iri: str) -> str | None:
        """The resource's label (skos:prefLabel, rdfs:label... in that order; English or no
        language first), or None."""
        found: dict[str, list[Any]] = {}
        for t in _triples(self.about(f"<{iri}>")):
            if t.predicate.value in LABEL_PREDICATES and isinstance(t.object, ox.Literal):
                found.setdefault(t.predicate.value, []).append(t.object)
        for p in LABEL_PREDICATES:
            values = sorted(found.get(p, []), key=lambda lit: (
                not (lit.language in (None, "en") or (lit.language or "").startswith("en-")),
                lit.value))
            if values:
                return values[0].value
        return None

    def inline(self, node: Any, prefixes: list[tuple[str, str]], depth: int = 0,
               shown: set[Any] | None = None) -> str:
        """A blank node as `[ p o ; ... ]`, nested blank nodes inside (at most `_INLINE_DEPTH`
        deep and `_INLINE_NODES` in all, each once; past that, their labels)."""
        shown = set() if shown is None else shown
        shown.add(node)
        parts = []
        for t in _triples(self.about(f"_:{node.value}")):
            parts.append(f"{term_text(t.predicate, prefixes)} "
                         f"{self.object_text(t.object, prefixes, depth + 1, shown)}")
        return "[ " + " ; ".join(parts) + " ]" if parts else "[]"

    def object_text(self, term: Any, prefixes: list[tuple[str, str]], depth: int = 0,
                    shown: set[Any] | None = None) -> str:
        """An object in short Turtle, a blank node written inline (`[ p o ; ... ]`)."""
        shown = set() if shown is None else shown
        if (isinstance(term, ox.BlankNode) and depth < _INLINE_DEPTH and term not in shown
                and len(shown) < _INLINE_NODES):
            return self.inline(term, prefixes, depth, shown)
        return term_text(term, prefixes)


# ---------------------------------------------------------------------------------------------
# The diff
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Statement:
    """One statement added or removed: its canonical N-Triples line and how it reads."""

    ntriples: str
    text: str


@dataclass
class ResourceChange:
    """What changed about one named resource (`iri` None: blank nodes that hang from nothing)."""

    iri: str | None
    label: str | None
    status: str
    """'new' (the old side says nothing about it), 'gone' (the new side says nothing) or 'changed'."""
    added: list[Statement] = field(default_factory=list)
    removed: list[Statement] = field(default_factory=list)

    @property
    def name(self) -> str:
        """The resource in short form (`cgid:cluster/x`), or "(blank nodes)"."""
        return _iri_text(self.iri, _prefixes()) if self.iri else "(blank nodes)"

    def to_dict(self) -> dict[str, Any]:
        """The change as plain dicts and lists (for JSON)."""
        return {
            "resource": self.iri,
            "label": self.label,
            "status": self.status,
            "added": [{"text": s.text, "ntriples": s.ntriples} for s in self.added],
            "removed": [{"text": s.text, "ntriples": s.ntriples} for s in self.removed],
        }


@dataclass
class GraphDiff:
    """The difference between two graphs, as statements and per resource."""

    old: str
    new: str
    old_size: int
    new_size: int
    added: list[str]
    removed: list[str]
    resources: list[ResourceChange]

    @property
    def changed(self) -> bool:
        """True when a statement was added or removed."""
        return bool(self.added or self.removed)

    def count(self, status: str) -> int:
        """How many named resources have `status` ('new', 'changed' or 'gone')."""
        return sum(1 for r in self.resources if r.iri is not None and r.status == status)

    def summary(self) -> str:
        """One line: statements added and removed, resources new, changed and gone."""
        if not self.changed:
            return f"no change to the graph ({self.new_size} statements)"
        return (
            f"{len(self.added)} statement{'s' * (len(self.added) != 1)} added, "
            f"{len(self.removed)} removed: {self.count('new')} resource"
            f"{'s' * (self.count('new') != 1)} new, {self.count('changed')} changed, "
            f"{self.count('gone')} gone"
        )

    def to_dict(self) -> dict[str, Any]:
        """The diff as plain dicts and lists (what `format_diff(d, "json")` writes)."""
        return {
            "old": self.old,
            "new": self.new,
            "statements": {"old": self.old_size, "new": self.new_size,
                           "added": len(self.added), "removed": len(self.removed)},
            "resources": {s: self.count(s) for s in ("new", "changed", "gone")},
            "changes": [r.to_dict() for r in self.resources],
        }


def diff_lines(old: list[str], new: list[str], *, old_name: str = "old",
               new_name: str = "new") -> GraphDiff:
    """The diff of two sorted lists of canonical N-Triples lines.

    >>> x = "<https://w3id.org/clustergraph/id/cluster/x>"
    >>> old = [f'{x} <http://www.w3.org/2000/01/rdf-schema#label> "X" .']
    >>> change = diff_lines(old, [])
    >>> change.summary()
    '0 statements added, 1 removed: 0 resources new, 0 changed, 1 gone'
    >>> [(r.name, r.label, r.status) for r in change.resources]
    [('cgid:cluster/x', 'X', 'gone')]
    """
    old_set, new_set = set(old), set(new)
    added = sorted(new_set - old_set)
    removed = sorted(old_set - new_set)
    prefixes = _prefixes()
    graphs = {"added": _Graph(new), "removed": _Graph(old)}
    changes: dict[str | None, ResourceChange] = {}
    for kind, lines in (("added", added), ("removed", removed)):
        graph = graphs[kind]
        triples = _triples(lines)
        linked = {t.object for t in triples if isinstance(t.object, ox.BlankNode)}
        for line, t in zip(lines, triples):
            if isinstance(t.subject, ox.BlankNode):
                if t.subject in linked:
                    continue  # shown inside the statement that leads to it
                owner = graph.owner(t.subject)
                text = f"{term_text(t.subject, prefixes)} "
            else:
                owner, text = t.subject, ""
            text += f"{term_text(t.predicate, prefixes)} {graph.object_text(t.object, prefixes)}"
            key = owner.value if owner is not None else None
            change = changes.get(key)
            if change is None:
                change = changes[key] = _resource(key, graphs["removed"], graphs["added"])
            getattr(change, kind).append(Statement(line, text))
    for change in changes.values():
        change.added.sort(key=lambda s: s.text)
        change.removed.sort(key=lambda s: s.text)
    resources = sorted(changes.values(), key=lambda r: (r.iri is None, r.iri or ""))
    return GraphDiff(old_name, new_name, len(old), len(new), added, removed, resources)


def _resource(iri: str | None, old: _Graph, new: _Graph) -> ResourceChange:
    if iri is None:
        return ResourceChange(None, None, "changed")
    in_old, in_new = bool(old.about(f"<{iri}>")), bool(new.about(f"<{iri}>"))
    status = "changed" if in_old and in_new else "new" if in_new else "gone"
    return ResourceChange(iri, (new if in_new else old).label(iri), status)


def diff(
    old: str,
    new: str | None = None,
    *,
    cwd: Path | str | None = None,
    graph_paths: Sequence[str] = GRAPH_PATHS,
) -> GraphDiff:
    r"""The diff from `old` to `new`: each a file, a folder, a git revision or REV:PATH; `new`
    None is the work tree's graph folders (`graph_paths`, relative to the repository's top).

    >>> import tempfile
    >>> head = "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    >>> x, y = (f"<https://w3id.org/clustergraph/id/cluster/{c}>" for c in "xy")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = Path(tmp, "old.ttl").write_text(f'{head}{x} rdfs:label "X" ; rdfs:comment "old" .\n')
    ...     _ = Path(tmp, "new.ttl").write_text(f'{head}{x} rdfs:label "X" ; rdfs:comment "new" .\n'
    ...                                         f'{y} rdfs:label "Y" .\n')
    ...     change = diff("old.ttl", "new.ttl", cwd=tmp)
    >>> len(change.added), len(change.removed)
    (2, 1)
    >>> print(format_diff(change), end="")
    diff old.ttl → new.ttl
    cgid:cluster/x "X" (changed)
        - rdfs:comment "old"
        + rdfs:comment "new"
    cgid:cluster/y "Y" (new)
        + rdfs:label "Y"
    2 statements added, 1 removed: 1 resource new, 1 changed, 0 gone
    """
    old_name, old_lines = side_lines(old, cwd=cwd, graph_paths=graph_paths)
    new_name, new_lines = side_lines(new, cwd=cwd, graph_paths=graph_paths)
    return diff_lines(old_lines, new_lines, old_name=old_name, new_name=new_name)


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------


def _heading(change: ResourceChange) -> str:
    label = f' "{change.label}"' if change.label else ""
    return f"{change.name}{label} ({change.status})"


def _text(d: GraphDiff, limit: int) -> str:
    lines = [f"diff {d.old} → {d.new}"]
    for change in _shown_resources(d, limit):
        lines.append(_heading(change))
        lines.extend(f"    - {s.text}" for s in change.removed)
        lines.extend(f"    + {s.text}" for s in change.added)
    lines.extend(_more(d, limit))
    lines.append(d.summary())
    return "\n".join(lines) + "\n"


def _shown_resources(d: GraphDiff, limit: int) -> list[ResourceChange]:
    return d.resources if limit <= 0 else d.resources[:limit]


def _more(d: GraphDiff, limit: int) -> list[str]:
    hidden = len(d.resources) - len(_shown_resources(d, limit))
    return [f"… and {hidden} more resource{'s' * (hidden != 1)}"] if hidden else []


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _markdown(d: GraphDiff, limit: int) -> str:
    out = [f"### Graph diff: `{d.old}` → `{d.new}`", "", d.summary() + ".", ""]
    if not d.changed:
        return "\n".join(out)
    shown = _shown_resources(d, limit)
    out += ["| resource | label | change | added | removed |", "|---|---|---|--:|--:|"]
    for r in shown:
        out.append(f"| `{r.name}` | {_cell(r.label)} | {r.status} | {len(r.added)} | {len(r.removed)} |")
    out.append("")
    for r in shown:
        body = [f"- {s.text}" for s in r.removed] + [f"+ {s.text}" for s in r.added]
        longest = max((len(m) for m in re.findall(r"`+", "\n".join(body))), default=0)
        fence = "`" * max(3, longest + 1)
        label = f" {_cell(r.label)}" if r.label else ""
        out += [f"**`{r.name}`**{label} ({r.status})", "", f"{fence}diff", *body, fence, ""]
    out.extend(line + "\n" for line in _more(d, limit))
    return "\n".join(out)


def format_diff(d: GraphDiff, fmt: str = "text", *, limit: int = 0) -> str:
    """The diff as text (for a terminal), markdown (a pull request comment or the job summary)
    or json; `limit` > 0 shows that many resources in text and markdown (json has them all)."""
    if fmt == "json":
        return json.dumps(d.to_dict(), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(d, limit)
    if fmt == "text":
        return _text(d, limit)
    raise InputError(f"unknown diff format {fmt!r} (known: {', '.join(DIFF_FORMATS)})")


class _CallableModule(types.ModuleType):
    """This module, callable: `clustergraph.diff(...)` runs `diff(...)` defined here."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return diff(*args, **kwargs)


sys.modules[__name__].__class__ = _CallableModule
