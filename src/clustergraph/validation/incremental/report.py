"""The kept results of an incremental cache entry, and the report of a judged change from them.

An entry keeps its results in blocks, one per file where they are shown (the file where the
resource of a result is first stated; "" for results shown without a file): for each block,
its rendered results (`blocks/<name>.json`) and its part of the text report, pre-rendered
(`blocks/<name>.txt`); the counts per block in `index.json`, and, as sorted lines searched by
bisection, which block holds each (shape, focus node) (`pairs.txt`) and where each resource
with results is shown (`where.txt`), in checked chunks read where looked up
(`clustergraph.validation.incremental.lines`); every file with its checksum. A change reads and renders
again only the blocks it touches; the others are copied as they are, so the text report of a
million-triple graph with tens of thousands of results costs little more than the change.
The report equals a full run's: a block's text is what `clustergraph.validation.formats.text` writes for
its results, and results never group across files.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.shacl.terms import component_iri
from clustergraph.validation.describe import (
    Render,
    compact_detail,
    default_message,
    describe_shape,
    shape_owner,
    term_label,
)
from clustergraph.validation.formats import text_lines
from clustergraph.validation.incremental.lines import SortedLines
from clustergraph.validation.model import SEVERITIES, ValidationReport, ValidationResult

__all__ = ["KeptResults", "Located", "Renderer", "all_blocks", "block_name", "blocks_of", "counts_of",
           "fast_text", "flatten", "merge_blocks", "render_all", "report_of", "to_result",
           "write_blocks"]

#: shape (N-Triples) -> focus node (N-Triples) -> its results, rendered (dicts of ValidationResult
#: fields, with `target`: the resource whose file and line they show, `rel` and `line`: those).
Results = dict[str, dict[str, list[dict[str, Any]]]]
#: block (a file's path for git, or "") -> its rendered results, sorted as the report shows them
Blocks = dict[str, list[dict[str, Any]]]

_SEVERITIES = ("Violation", "Warning", "Info")
_EXTRA = ("target", "rel", "line", "shape", "focus")


def block_name(rel: str) -> str:
    """The file name (without suffix) of a block."""
    return hashlib.sha256(rel.encode()).hexdigest()[:24]


def to_result(r: dict[str, Any], shown: dict[str, str]) -> ValidationResult:
    """The ValidationResult of a rendered result, its file as the report shows it."""
    fields = {k: v for k, v in r.items() if k not in _EXTRA}
    rel = r.get("rel")
    return ValidationResult(**fields, file=shown.get(rel) if rel else None, line=r.get("line"))


def _sort_key(r: dict[str, Any], shown: dict[str, str]) -> tuple[Any, ...]:
    rel = r.get("rel")
    return ((shown.get(rel) if rel else None) or "~", r.get("line") or 0, r["focus_node"],
            _SEVERITIES.index(r["severity"]) if r["severity"] in _SEVERITIES else 9,
            r.get("path") or "", r.get("value") or "")


def blocks_of(results: Iterable[dict[str, Any]], shown: dict[str, str]) -> Blocks:
    """The results by the file where they are shown, each block sorted as the report shows it."""
    blocks: Blocks = {}
    for r in results:
        blocks.setdefault(r.get("rel") or "", []).append(r)
    for found in blocks.values():
        found.sort(key=lambda r: _sort_key(r, shown))
    return blocks


def _block_order(rels: Iterable[str], shown: dict[str, str]) -> list[str]:
    return sorted(rels, key=lambda rel: ((shown.get(rel) if rel else None) or "~", rel))


def _counts(found: list[dict[str, Any]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for r in found:
        counts[r["severity"]] = counts.get(r["severity"], 0) + 1
    return counts


def _text(found: list[dict[str, Any]], shown: dict[str, str]) -> str:
    return "".join(line + "\n" for line in text_lines([to_result(r, shown) for r in found]))


def flatten(results: Results) -> list[dict[str, Any]]:
    """The rendered results, each marked with its shape and focus node (`shape`, `focus`)."""
    return [{**r, "shape": shape, "focus": focus} for shape, by_focus in results.items()
            for focus, found in by_focus.items() for r in found]


_SEP = "\x1f"  # between the fields of an index line (never in an IRI)


def write_blocks(folder: Path, blocks: Blocks, shown: dict[str, str],
                 kept_from: KeptResults | None = None) -> None:
    """Write the blocks and the index into an entry being built (`folder`); the blocks not in
    `blocks` are those of `kept_from`, linked (or copied) as they are. Each file's checksum is
    kept, the index's in `index.crc`, so that a damaged entry is found before it is used.

    The index: `index.json` (counts, names, checksums) and two files of sorted lines, read by
    chunks where looked up (`clustergraph.validation.incremental.lines`): `pairs.txt` (shape, focus node,
    block) and `where.txt` (resource, block, line: where its results are shown)."""
    (folder / "blocks").mkdir()
    index: dict[str, Any] = {"counts": {}, "shown": shown, "crc": {}, "names": {}}
    pairs: set[str] = set()
    where: set[str] = set()
    if kept_from is not None:
        carried = {block_name(rel) for rel in kept_from.index["counts"] if rel not in blocks}
        for rel in kept_from.index["counts"]:
            name = block_name(rel)
            if name not in carried:
                continue
            for suffix in (".json", ".txt"):
                source, target = (f / "blocks" / (name + suffix) for f in (kept_from.folder, folder))
                try:
                    os.link(source, target)
                except OSError:
                    import shutil  # only where a file cannot be linked (see `cache.scoped_lines`)

                    shutil.copyfile(source, target)
            for key in ("counts", "crc"):
                index[key][rel] = kept_from.index[key][rel]
            index["names"][name] = rel
        pairs.update(ln for ln in kept_from.lines("pairs") if ln.rpartition(_SEP)[2] in carried)
        where.update(ln for ln in kept_from.lines("where") if ln.split(_SEP, 2)[1] in carried)
    for rel, found in blocks.items():
        if not found:
            continue
        name = block_name(rel)
        crcs = []
        for suffix, content in ((".json", json.dumps(found)), (".txt", _text(found, shown))):
            data = content.encode("utf-8")
            (folder / "blocks" / f"{name}{suffix}").write_bytes(data)
            crcs.append(zlib.crc32(data))
        index["counts"][rel], index["crc"][rel], index["names"][name] = _counts(found), crcs, rel
        for r in found:
            pairs.add(f"{r['shape']}{_SEP}{r['focus']}{_SEP}{name}")
            if r.get("target") is not None:
                where.add(f"{r['target']}{_SEP}{name}{_SEP}{r.get('line') or ''}")
    for kind, lines in (("pairs", pairs), ("where", where)):
        index["crc"][f"{kind}.txt.idx"] = SortedLines.write(folder, f"{kind}.txt", sorted(lines))
    data = json.dumps(index).encode("utf-8")
    (folder / "index.json").write_bytes(data)
    (folder / "index.crc").write_text(str(zlib.crc32(data)))


@dataclass
class KeptResults:
    """The blocks of an entry, read only as needed; each file checked against its checksum."""

    folder: Path
    _texts: dict[str, bytes] = field(default_factory=dict, repr=False)
    _sorted_lines: dict[str, Any] = field(default_factory=dict, repr=False)

    @cached_property
    def index(self) -> dict[str, Any]:
        """`counts`: block -> severity -> results; `shown`: file -> its name as shown; `crc`:
        block -> the checksums of its two files (and of the line files); `names`: block name ->
        block."""
        data = (self.folder / "index.json").read_bytes()
        if str(zlib.crc32(data)) != (self.folder / "index.crc").read_text().strip():
            raise ValueError(f"{self.folder / 'index.json'}: damaged")
        return json.loads(data)  # type: ignore[no-any-return]

    def _sorted(self, kind: str) -> Any:
        """`pairs.txt` or `where.txt`: a `SortedLines`, its index checked."""
        if kind not in self._sorted_lines:
            self._sorted_lines[kind] = SortedLines(self.folder, f"{kind}.txt", self.index["crc"][f"{kind}.txt.idx"])
        return self._sorted_lines[kind]

    def lines(self, kind: str) -> list[str]:
        """The sorted lines of `pairs.txt` or `where.txt`."""
        return self._sorted(kind).all()  # type: ignore[no-any-return]

    def _starting(self, kind: str, prefix: str) -> list[str]:
        """The rest of each line that starts with `prefix` (only the chunks that may hold it read)."""
        return [ln[len(prefix):] for ln in self._sorted(kind).starting(prefix)]

    def blocks_of_shape(self, shape: str, focus: Iterable[str] | None) -> set[str]:
        """The blocks that hold results of `shape` on these focus nodes (None: on any)."""
        names = self.index["names"]
        if focus is None:
            return {names[ln.rpartition(_SEP)[2]] for ln in self._starting("pairs", shape + _SEP)}
        found = set()
        for f in focus:
            for rest in self._starting("pairs", f"{shape}{_SEP}{f}{_SEP}"):
                if _SEP not in rest:
                    found.add(names[rest])
        return found

    def where(self, iri: str) -> tuple[str, int | None] | None:
        """(file, line) where the results of the resource are shown, if it has results."""
        for rest in self._starting("where", iri + _SEP):
            name, _, line = rest.partition(_SEP)
            if _SEP not in line:
                return self.index["names"][name], int(line) if line else None
        return None

    def _read(self, rel: str, suffix: str) -> bytes:
        """A block's file, checked (ValueError when damaged)."""
        path = self.folder / "blocks" / f"{block_name(rel)}{suffix}"
        data = path.read_bytes()
        if zlib.crc32(data) != self.index["crc"][rel][suffix == ".txt"]:
            raise ValueError(f"{path}: damaged")
        return data

    def results(self, rel: str) -> list[dict[str, Any]]:
        """A block's rendered results, checked (none for a block the entry does not have)."""
        if rel not in self.index["counts"]:
            return []
        return json.loads(self._read(rel, ".json"))  # type: ignore[no-any-return]

    def text(self, rel: str) -> bytes:
        """A block's part of the text report, as written (UTF-8), checked."""
        if rel not in self._texts:
            self._texts[rel] = self._read(rel, ".txt")
        return self._texts[rel]

    def check(self, results: bool = True) -> None:
        """Read the index and every block's text, checked (raises ValueError or OSError for a
        damaged entry), and with `results` the blocks' results too (else checked when read);
        of `pairs.txt` and `where.txt`, their indexes and sizes (their chunks when read)."""
        for kind in ("pairs", "where"):
            self._sorted(kind)
        for rel in self.index["counts"]:
            self.text(rel)
            if results:
                self._read(rel, ".json")


@dataclass
class Located:
    """Where the resources of a judged change are first stated now."""

    changed: set[str]
    """The files of the graph that changed (their blocks are rendered again)."""
    fresh: dict[str, dict[str, int]]
    """A changed file -> its subjects -> the line of their first statement."""
    new_subjects: set[str]
    """The subjects a changed file states that it did not at base (only their results may
    move from a file that did not change)."""
    rank: dict[str, int]
    """Each file of the graph -> its place in the validation order."""
    first_unchanged: Callable[[str, int, int], tuple[str, int] | None]
    """(A resource, from, to) -> (file, line) of its first statement in the files that did not
    change, between the from-th file and the one before the to-th (in `rank` order)."""


def _locate(r: dict[str, Any], kept: KeptResults, at: Located) -> None:
    """Set `rel` and `line` of a result from where its resource is first stated now."""
    iri = r.get("target")
    rank = at.rank
    places = [(rank[rel], rel, index[iri]) for rel, index in at.fresh.items() if iri in index and rel in rank]
    if r.get("rel") is not None and r["rel"] not in at.changed:  # kept: where it was at base
        places += [(rank[r["rel"]], r["rel"], r["line"])] if r["rel"] in rank else []
    elif iri is not None:
        base = kept.where(iri)
        if base is not None and base[0] is not None and base[0] not in at.changed and base[0] in rank:
            places.append((rank[base[0]], base[0], base[1]))
        else:  # the files before its place at base do not state it; those after a fresh place do not count
            after = rank.get(base[0], 0) if base is not None and base[0] is not None else 0
            before = min(places)[0] if places else 1 << 30
            found = at.first_unchanged(iri, after, before) if after < before else None
            if found is not None and found[0] in rank:
                places.append((rank[found[0]], found[0], found[1]))
    _, r["rel"], r["line"] = min(places) if places else (None, None, None)


def merge_blocks(kept: KeptResults, fresh: list[dict[str, Any]], dropped: dict[str, set[str] | None],
                 at: Located, touched: set[str], relabel: Callable[[str], str | None],
                 shown: dict[str, str]) -> Blocks:
    """The blocks a change renders again: the kept results there, but for the (shape, focus)
    pairs evaluated again (`dropped`; None: all of a shape), and the `fresh` results of those."""
    affected = {rel for rel in at.changed if rel in kept.index["counts"]}
    for shape, nodes in dropped.items():
        affected |= kept.blocks_of_shape(shape, nodes)
    for iri in touched | at.new_subjects:
        place = kept.where(iri)
        if place is not None:
            affected.add(place[0] or "")
    moving = list(fresh)
    for rel in affected:
        moving += [r for r in kept.results(rel) if not _is_dropped(r, dropped)]
    for r in moving:
        _locate(r, kept, at)
        if r["focus_node"] in touched:
            r["focus_label"] = relabel(r["focus_node"])
    blocks = blocks_of(moving, shown)
    for rel in set(blocks) - affected:  # a block that gains results: the kept ones join them
        blocks[rel] = sorted(blocks[rel] + kept.results(rel), key=lambda r: _sort_key(r, shown))
    for rel in affected - set(blocks):
        blocks[rel] = []
    return blocks


def _is_dropped(r: dict[str, Any], dropped: dict[str, set[str] | None]) -> bool:
    if r["shape"] not in dropped:
        return False
    nodes = dropped[r["shape"]]
    return nodes is None or r["focus"] in nodes


def all_blocks(kept: KeptResults, blocks: Blocks) -> Blocks:
    """Every block of the new state: the rendered again ones, the others read from `kept`."""
    out = {rel: kept.results(rel) for rel in kept.index["counts"] if rel not in blocks}
    out.update({rel: found for rel, found in blocks.items() if found})
    return out


def counts_of(kept: KeptResults, blocks: Blocks) -> dict[str, int]:
    """Results per severity in the new state."""
    total = dict.fromkeys(_SEVERITIES, 0)
    for rel, counts in kept.index["counts"].items():
        for severity, n in (counts if rel not in blocks else _counts(blocks[rel])).items():
            total[severity] = total.get(severity, 0) + n
    for rel, found in blocks.items():
        if rel not in kept.index["counts"]:
            for severity, n in _counts(found).items():
                total[severity] = total.get(severity, 0) + n
    return total


def fast_text(kept: KeptResults, blocks: Blocks, shown: dict[str, str], summary: str) -> list[bytes] | None:
    """The text report of the new state from the blocks (the kept ones as they are written),
    in parts of UTF-8 to be written one after the other; None when a kept block was written
    with other file names than shown now."""
    if any(kept.index["shown"].get(rel) != shown.get(rel) for rel in kept.index["counts"] if rel):
        return None
    parts = []
    for rel in _block_order(set(kept.index["counts"]) | set(blocks), shown):
        if rel in blocks:
            if blocks[rel]:
                parts.append(_text(blocks[rel], shown).encode("utf-8"))
        else:
            parts.append(kept.text(rel))
    parts.append((summary + "\n").encode("utf-8"))
    return parts


def report_of(results: list[ValidationResult], fail_on: str, files: list[str], engine: str) -> ValidationReport:
    """The report of these results, sorted as a full run sorts them."""
    order = {s: i for i, s in enumerate(SEVERITIES)}
    results.sort(key=lambda r: (r.file or "~", r.line or 0, r.focus_node, order.get(r.severity, 9),
                                r.path or "", r.value or ""))
    return ValidationReport(results=results, fail_on=fail_on, inference="none", engine=engine, files=files)


class Renderer:
    """Raw engine results rendered as a contributor reads them (as clustergraph.validation does)."""

    def __init__(self, data: Any, shapes: Any, prefixes: dict[str, str]) -> None:
        self.data, self.shapes, self.render = data, shapes, Render(prefixes)

    def __call__(self, raw: Any) -> dict[str, Any]:
        """One raw result (a `RawResult`) rendered: a dict of `ValidationResult` fields, with
        `target`, the resource whose file and line it shows."""
        render = self.render
        messages = list(raw.messages) or [
            ox.Literal(default_message(raw.component, compact_detail(raw.detail, render)))]
        messages.sort(key=lambda m: (m.language not in (None, "en"), m.value))
        message = messages[0].value
        fillers = {"value": raw.value, "this": raw.focus, "focusNode": raw.focus}
        if "{" in message:
            message = re.sub(r"\{[$?](value|this|focusNode)\}", lambda m: render.term(fillers[m.group(1)])
                             if fillers[m.group(1)] is not None else m.group(0), message)
        owner = shape_owner(self.data, raw.focus) if isinstance(raw.focus, ox.BlankNode) else None
        target = owner if owner is not None else raw.focus
        shape = raw.shape
        return {
            "severity": raw.severity.value.rsplit("#", 1)[-1],
            "focus_node": raw.focus.value if isinstance(raw.focus, ox.NamedNode) else render.term(raw.focus),
            "message": message,
            "focus_label": term_label(self.data, raw.focus),
            "path": render.path(self.shapes, raw.path) if raw.path is not None else None,
            "value": render.term(raw.value) if raw.value is not None else None,
            "component": render.term(ox.NamedNode(component_iri(raw.component))),
            "source_shape": describe_shape(self.shapes, shape, render)
            if isinstance(shape, ox.BlankNode) else render.term(shape),
            "owner": owner.value if owner is not None else None,
            "target": target.value if isinstance(target, ox.NamedNode) else None,
        }


def render_all(store: Any, shapes: Any, raw: dict[str, dict[str, list[Any]]],
                prefixes: dict[str, str]) -> Results:
    """Every raw result (shape -> focus node -> results) rendered (see `Renderer`)."""
    renderer = Renderer(store, shapes, prefixes)
    return {shape: {focus: [renderer(r) for r in found] for focus, found in by_focus.items()}
            for shape, by_focus in raw.items()}
