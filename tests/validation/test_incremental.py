"""Validating only what changed since a git revision gives the verdict of a full run.

A temporary git repository holds the shipped ontology, shapes and data (the data as N-Triples,
one statement a line, so that edits are easy to make at random). A seeded series of random
edits (statements added and deleted, IRIs renamed in one file or everywhere, statements moved
between files, files deleted and added) is applied to the work tree one after the other; after
each, `validate_changed_since("HEAD")` must give exactly the results of a full
`clustergraph validate` of the same files: same resources, messages, values, files and lines.
Edits to the shapes force a full run. The base revision is validated once and kept in a cache
folder of the test.
"""

from __future__ import annotations

import random
import re
import shutil
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from support.paths import BROKEN

from clustergraph.cli import main
from clustergraph.files import paths
from clustergraph.validation import validate
from clustergraph.validation.formats import text
from clustergraph.validation.incremental.run import validate_changed_since

ID = "https://w3id.org/clustergraph/id/"
SEED = 20261201
STEPS = 16


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@example.org",
                           *args], check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def repo(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("incremental") / "repo"
    (root / "data").mkdir(parents=True)
    (root / "ontology").mkdir()
    shutil.copy(paths.ontology_file(), root / "ontology" / "clustergraph.ttl")
    shutil.copy(paths.shapes_file(), root / "ontology" / "shapes.ttl")
    for ttl in paths.data_files():
        quads = ox.parse(path=str(ttl), format=ox.RdfFormat.TURTLE)
        data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES) or b""
        (root / "data" / f"{ttl.stem}.nt").write_bytes(data)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "base")
    git(root, "tag", "base")
    return root


@pytest.fixture()
def in_repo(repo, monkeypatch, tmp_path_factory):
    monkeypatch.chdir(repo)
    yield repo
    git(repo, "reset", "-q", "--hard", "base")
    git(repo, "clean", "-q", "-fd")


CACHE: dict[str, Path] = {}


def cache(tmp_path_factory) -> Path:
    if "dir" not in CACHE:
        CACHE["dir"] = tmp_path_factory.mktemp("cache")
    return CACHE["dir"]


ARGS = {"shapes": "ontology/shapes.ttl", "ontology": "ontology/clustergraph.ttl"}


def essence(report) -> list[tuple]:
    """What a contributor reads in a report, blank-node labels aside (they are arbitrary)."""
    def bnodes(text):
        return re.sub(r"_:\w+", "_:", text) if text else text

    return sorted(tuple(str(x) for x in (r.severity, bnodes(r.focus_node), r.focus_label, r.path, bnodes(r.value),
                                         r.component, r.source_shape, r.message, r.file, r.line, r.check, r.owner))
                  for r in report.results)


def judge(tmp_path_factory):
    judged = validate_changed_since("HEAD", ["data"], cache_dir=cache(tmp_path_factory), **ARGS)
    full = validate(["data"], **ARGS)
    return judged, full


# -- random edits on N-Triples files ----------------------------------------------------------


def lines_of(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def write(path: Path, lines: list[str]) -> None:
    path.write_text("".join(ln + "\n" for ln in lines))


def iris(lines: list[str]) -> list[str]:
    return sorted({m for ln in lines for m in re.findall(r"<(" + re.escape(ID) + r"[^>]+)>", ln)})


#: The kinds of edit the run makes first, one each.
EVERY_KIND = ("add", "delete", "rename", "rename-everywhere", "move", "new-file", "delete-file", "shapes")


def edit(rng: random.Random, root: Path, step: int) -> str:
    files = sorted((root / "data").glob("*.nt"))
    target = rng.choice(files)
    lines = lines_of(target)
    # each kind of edit once first (whatever the data), then at random
    kind = EVERY_KIND[step] if step < len(EVERY_KIND) else rng.choice(
        ["add", "add", "add", "delete", "delete", "rename", "rename-everywhere", "move", "new-file",
         "delete-file", "shapes"])
    if kind == "add" and lines:  # another value of a property, taken from another statement of it
        s, p, _ = rng.choice(lines).split(" ", 2)
        o = rng.choice([ln for f in files for ln in lines_of(f) if ln.split(" ", 2)[1] == p]).split(" ", 2)[2]
        lines.append(f"{s} {p} {o}")
        write(target, lines)
    elif kind == "delete" and lines:
        for _ in range(rng.randint(1, 3)):
            lines.pop(rng.randrange(len(lines)))
        write(target, lines)
    elif kind in ("rename", "rename-everywhere") and iris(lines):
        old = rng.choice(iris(lines))
        new = f"{old}-renamed-{step}"
        for f in files if kind == "rename-everywhere" else [target]:
            write(f, [ln.replace(f"<{old}>", f"<{new}>") for ln in lines_of(f)])
        return f"{kind} {old} in {target.name}"
    elif kind == "move" and lines:
        other = rng.choice(files)
        moved = lines.pop(rng.randrange(len(lines)))
        write(target, lines)
        write(other, lines_of(other) + [moved])
        return f"move a statement from {target.name} to {other.name}"
    elif kind == "new-file" and lines:
        write(root / "data" / f"extra-{step}.nt", rng.sample(lines, min(5, len(lines))))
    elif kind == "delete-file":
        extra = [f for f in files if f.name.startswith("extra-")] or files[:1]
        victim = rng.choice(extra)
        victim.unlink()
        return f"delete {victim.name}"
    elif kind == "shapes":
        shapes = root / "ontology" / "shapes.ttl"
        text = shapes.read_text()
        pattern, replace = rng.choice(SHAPE_EDITS)
        spots = list(re.finditer(pattern, text))
        spot = rng.choice(spots)
        shapes.write_text(text[:spot.start()] + spot.expand(replace) + text[spot.end():])
        return "shapes"
    return f"{kind} in {target.name}"


#: Edits to the shapes: (a pattern, what one of its matches becomes).
SHAPE_EDITS = [
    (r"sh:minCount 1 ;", "sh:minCount 2 ;"),
    (r"sh:maxCount 1 ;", "sh:maxCount 0 ;"),
    (r"sh:severity sh:Warning ;", "sh:severity sh:Violation ;"),
    (r"sh:datatype rdf:langString ;", "sh:datatype xsd:string ;"),
]


@pytest.mark.slow
def test_incremental_verdicts_equal_full_verdicts_over_random_edits(in_repo, tmp_path_factory):
    rng = random.Random(SEED)
    verdicts, kinds = set(), set()
    for step in range(STEPS):
        what = edit(rng, in_repo, step)
        judged, full = judge(tmp_path_factory)
        assert judged.mode == ("full" if what == "shapes" else "incremental"), (what, judged.reason)
        assert essence(judged.report) == essence(full), f"step {step}: {what}"
        assert (judged.report.conforms, judged.report.count_by_severity()) == (full.conforms, full.count_by_severity())
        assert judged.exit_code == full.exit_code
        assert judged.text() == text(judged.report), f"step {step}: the kept text parts, {what}"
        verdicts.add(full.conforms)
        kinds.add(what.split()[0])
        git(in_repo, "checkout", "-q", "--", "ontology/shapes.ttl")  # a shape edit is judged once
        if step == STEPS // 2:  # commit what was judged: the new HEAD is known without a full run
            git(in_repo, "add", "-A")
            git(in_repo, "commit", "-q", "-m", "edits")
            again, _ = judge(tmp_path_factory)
            assert (again.mode, again.cache_built, again.evaluated) == ("incremental", False, 0)
    assert False in verdicts  # the edits did break the graph: the comparison had work to do
    assert {"add", "delete", "rename", "rename-everywhere", "move", "shapes"} <= kinds
    assert judged.evaluated < 2000  # far fewer than the graph's focus nodes


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("sh:minCount 1 ;", "sh:minCount 2 ;"),
        ("sh:severity sh:Warning ;", "sh:severity sh:Violation ;"),
    ],
)
def test_an_edit_to_the_shapes_forces_a_full_run_with_the_same_verdict(old, new, in_repo, tmp_path_factory):
    shapes = in_repo / "ontology" / "shapes.ttl"
    shapes.write_text(shapes.read_text().replace(old, new, 1))
    judged, full = judge(tmp_path_factory)
    assert judged.mode == "full"
    assert judged.reason == "the shapes changed since HEAD"
    assert essence(judged.report) == essence(full)


def test_the_command_prints_what_validate_prints(in_repo, tmp_path_factory, capsys):
    clusters = in_repo / "data" / "clusters.nt"
    lines = [ln for ln in lines_of(clusters) if "/ontology#country>" not in ln or "zero-carbon-humber" not in ln]
    write(clusters, lines)
    cache_dir = str(cache(tmp_path_factory))
    out = {}
    for name, args in (("full", ["validate", "data"]), ("changed", ["validate", "--changed-since", "HEAD", "data", "--cache-dir", cache_dir])):
        for fmt in ("text", "github"):
            code = _exit(main, [*args, "--shapes", "ontology/shapes.ttl", "--ontology",
                                "ontology/clustergraph.ttl", "--format", fmt])
            captured = capsys.readouterr()
            out[name, fmt] = (code, captured.out)
            if name == "changed":
                assert captured.err.startswith("incremental run: 1 file(s) changed since HEAD: 0 triples added, 1 removed")
    assert out["full", "text"] == out["changed", "text"]
    assert out["full", "github"] == out["changed", "github"]
    assert out["changed", "text"][0] == 1
    assert "cgid:cluster/zero-carbon-humber \"Zero Carbon Humber\"" in out["changed", "text"][1]


@pytest.mark.parametrize(("damaged", "built_again"), [
    ("*/blocks/*.json", True), ("*/blocks/*.txt", True), ("*/index.json", True), ("*/pairs.txt", True),
    ("*/where.txt", True), ("*/lexical.nt", True), ("*/shared.json", True), ("*/dependencies.json", True),
    ("lines/*.nt", False),  # the base lines of the changed file: read again
    ("subjects/*.json", None),  # made again where read; the entry is built again if one is needed
])
def test_a_damaged_kept_base_is_built_again_not_trusted(damaged, built_again, in_repo, tmp_path_factory):
    clusters = in_repo / "data" / "clusters.nt"
    write(clusters, lines_of(clusters)[1:])
    cache_dir = tmp_path_factory.mktemp("damaged")
    first = validate_changed_since("HEAD", ["data"], cache_dir=cache_dir, **ARGS)
    assert first.cache_built
    for part in sorted(cache_dir.glob(damaged)):
        part.write_bytes(part.read_bytes()[:-20])  # cut short, as by a full disk
    judged = validate_changed_since("HEAD", ["data"], cache_dir=cache_dir, **ARGS)
    assert judged.mode == "incremental"
    assert built_again is None or judged.cache_built == built_again
    assert essence(judged.report) == essence(validate(["data"], **ARGS))


def test_the_cache_folder_variable_does_not_stop_a_full_run(in_repo, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLUSTERGRAPH_CACHE_DIR", str(tmp_path))
    code = _exit(main, ["validate", "data", "--shapes", "ontology/shapes.ttl", "--ontology",
                        "ontology/clustergraph.ttl"])
    assert code in (0, 1), capsys.readouterr().err


def _exit(entry, argv) -> int:
    try:
        return entry(argv) or 0
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["validate", "--changed-since", "no-such-rev", "data"], "--changed-since: 'no-such-rev' is not a revision of "),
        (["validate", "--changed-since", "HEAD", "missing.nt"], "missing.nt: no such file"),
    ],
)
def test_bad_input_is_exit_code_2(argv, message, in_repo, capsys):
    assert _exit(main, argv) == 2
    assert message in capsys.readouterr().err


def test_outside_a_git_repository_is_exit_code_2(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    shutil.copy(paths.data_files()[0], tmp_path / "clusters.ttl")
    assert _exit(main, ["validate", "--changed-since", "HEAD", "clusters.ttl"]) == 2
    assert "needs the data in a git repository" in capsys.readouterr().err


def test_another_repository_with_the_shipped_ontology_shapes_and_data(tmp_path, monkeypatch, capsys):
    """As the published pre-commit hook runs it: the shipped files are outside the repository
    and count as the same at every revision; the repository's own file is judged."""
    monkeypatch.chdir(tmp_path)
    broken = BROKEN
    shutil.copy(broken / "missing-country.ttl", "mine.ttl")
    git(tmp_path, "init", "-q", "-b", "main")
    git(tmp_path, "add", ".")
    git(tmp_path, "commit", "-q", "-m", "mine")
    text = Path("mine.ttl").read_text()
    Path("mine.ttl").write_text(text.replace('cg:region "Somewhere"@en ;', 'cg:region "Somewhere", "Elsewhere" ;'))
    cache_dir = tmp_path / "cache"
    for _ in range(2):  # the first run keeps the base, the second judges against the kept base
        judged = validate_changed_since("HEAD", ["mine.ttl"], with_shipped_data=True, cache_dir=cache_dir)
    full = validate(["mine.ttl"], with_shipped_data=True)
    assert (judged.mode, judged.cache_built) == ("incremental", False)
    assert judged.reason.startswith("1 file(s) changed since HEAD: 2 triples added, 1 removed")
    assert essence(judged.report) == essence(full)
    assert any(r.path == "cg:region" and r.file == "mine.ttl" for r in judged.report.results)


@pytest.mark.parametrize("chunk_bytes", [1, 4, 16, 1 << 15])
def test_the_kept_index_finds_by_chunks_exactly_the_lines_a_scan_finds(chunk_bytes, tmp_path):
    from clustergraph.validation.incremental.lines import ListLines, PatchedLines, SortedLines

    rng = random.Random(SEED)
    for n in range(200):
        lines = sorted({"".join(rng.choice("ab\x1fé") for _ in range(rng.randint(0, 5))) for _ in range(rng.randint(0, 12))})
        crc = SortedLines.write(tmp_path, f"l{n}.txt", lines, chunk_bytes=chunk_bytes)
        kept = SortedLines(tmp_path, f"l{n}.txt", crc)
        removed, added = set(rng.sample(lines, len(lines) // 3)), {rng.choice("ab") * rng.randint(1, 4)}
        patched = sorted((set(lines) - removed) | added)
        for _ in range(5):
            prefix = "".join(rng.choice("ab\x1fé") for _ in range(rng.randint(0, 3)))
            assert kept.starting(prefix) == [ln for ln in lines if ln.startswith(prefix)]
            assert ListLines(lines).starting(prefix) == [ln for ln in lines if ln.startswith(prefix)]
            assert PatchedLines(kept, removed, added).starting(prefix) == [ln for ln in patched if ln.startswith(prefix)]
        assert kept.all() == lines
        assert PatchedLines(kept, removed, added).all() == patched


def test_a_damaged_chunk_is_found_when_it_is_read(tmp_path):
    from clustergraph.validation.incremental.lines import SortedLines

    lines = [f"<https://example.org/{i:04d}> <p> \"{i}\" ." for i in range(1000)]
    crc = SortedLines.write(tmp_path, "lexical.nt", lines, chunk_bytes=1000)
    path = tmp_path / "lexical.nt"
    data = bytearray(path.read_bytes())
    at = data.index(b"/0500>")
    data[at + 1] = ord("9")  # one byte changed in the middle, the size kept
    path.write_bytes(bytes(data))
    kept = SortedLines(tmp_path, "lexical.nt", crc)
    assert kept.starting("<https://example.org/0001>") == [lines[1]]  # an intact chunk
    with pytest.raises(ValueError, match="chunk .* damaged"):
        kept.starting("<https://example.org/0500>")
    with pytest.raises(ValueError, match="damaged"):
        kept.all()
    path.write_bytes(bytes(data[:-1]))  # cut short: found when opened
    with pytest.raises(ValueError, match="damaged"):
        SortedLines(tmp_path, "lexical.nt", crc)
    with pytest.raises(ValueError, match="idx: damaged"):
        SortedLines(tmp_path, "lexical.nt", crc + 1)


def test_a_kept_base_damaged_inside_a_chunk_is_built_again_where_the_chunk_is_read(in_repo, tmp_path_factory):
    """A flipped byte (the size kept) in the kept literals of the resource the change touches."""
    clusters = in_repo / "data" / "clusters.nt"
    lines = lines_of(clusters)
    subject = next(ln.split(" ", 1)[0] for ln in lines if "^^<http://www.w3.org/2001/XMLSchema#decimal>" in ln)
    write(clusters, [ln for ln in lines if not (ln.startswith(subject + " ") and "/core#altLabel>" in ln)]
          + [f'{subject} <http://www.w3.org/2000/01/rdf-schema#comment> "edited" .'])
    cache_dir = tmp_path_factory.mktemp("flipped")
    assert validate_changed_since("HEAD", ["data"], cache_dir=cache_dir, **ARGS).cache_built
    for kept in cache_dir.glob("*/lexical.nt"):
        data = bytearray(kept.read_bytes())
        at = data.index(subject.encode()) + len(subject) - 2
        data[at] = ord("Z") if data[at] != ord("Z") else ord("Y")
        kept.write_bytes(bytes(data))
    judged = validate_changed_since("HEAD", ["data"], cache_dir=cache_dir, **ARGS)
    assert (judged.mode, judged.cache_built) == ("incremental", True)
    assert essence(judged.report) == essence(validate(["data"], **ARGS))


_EDITED = [
    "<https://example.org/a> <https://example.org/p> \"caf\\u00E9\" .",  # not canonical: an escape
    "<https://example.org/a>   <https://example.org/p> <https://example.org/b>  .",  # spaces
    "<https://example.org/a> <https://example.org/p> \"1.0\"^^<http://www.w3.org/2001/XMLSchema#decimal> .",
    "# a comment",
    "",
    "<https://example.org/c> <https://example.org/p> \"x\"@en .\r",
    "<https://example.org/a> <https://example.org/p> <https://example.org/b> .",
]


def test_an_edited_n_triples_file_gives_the_canonical_lines_of_a_full_read():
    from clustergraph.validation.incremental.cache import scoped_lines
    from clustergraph.validation.incremental.delta import edited_lines

    rng = random.Random(SEED)
    base = [f"<https://example.org/s{i}> <https://example.org/p> \"v{i}\" ." for i in range(30)] + _EDITED
    old = set(scoped_lines("data/x.nt", "\n".join(base).encode()))
    for _ in range(100):
        new = [ln for ln in base if rng.random() < 0.8] + rng.sample(_EDITED, 3)
        rng.shuffle(new)
        content = "\n".join(new).encode()
        assert edited_lines("data/x.nt", content, old) == set(scoped_lines("data/x.nt", content))
    assert edited_lines("data/x.ttl", b"<a:b> <a:c> <a:d> .", old) is None  # not N-Triples
    assert edited_lines("data/x.nt", b"_:b <a:c> <a:d> .", old) is None  # blank nodes
    assert edited_lines("data/x.nt", b"<a:b> <a:c> .\n", old) is None  # an error: read whole


def test_prune_caps_what_the_cache_wrote_and_nothing_else(tmp_path):
    import json
    import os
    import time

    from clustergraph.validation.incremental.cache import FORMAT, KEPT_SUBJECTS, prune

    old = time.time() - 7200

    def entry(name: str, fmt: str, files: list[list[str]], mtime: float) -> Path:
        (tmp_path / name).mkdir()
        meta = tmp_path / name / "meta.json"
        meta.write_text(json.dumps({"format": fmt, "files": files}))
        os.utime(meta, (mtime, mtime))
        return tmp_path / name

    named = "a" * 40
    kept = entry("kept", FORMAT, [["data/a.nt", named]], time.time())
    earlier = entry("earlier", "clustergraph-incremental-5", [], old)  # ours, of an earlier version
    foreign = entry("foreign", "not-ours", [], old)
    subjects = tmp_path / "subjects"
    subjects.mkdir()
    ids = [f"{i:040x}" for i in range(1, KEPT_SUBJECTS + 12)]
    for i, blob in enumerate([named, *ids]):
        path = subjects / f"{blob}.json"
        path.write_text("0\n{}")
        os.utime(path, (old + i, old + i))
    (subjects / "notes.json").write_text("mine")
    (subjects / f"{'b' * 40}.json").write_text("0\n{}")  # written just now: spared
    os.utime(subjects / "notes.json", (old, old))
    prune(tmp_path, keep=1)
    assert kept.exists() and foreign.exists() and not earlier.exists()
    left = {p.name for p in subjects.iterdir()}
    assert {f"{named}.json", "notes.json", f"{'b' * 40}.json"} <= left
    newest = {f"{blob}.json" for blob in ids[-(KEPT_SUBJECTS - 1):]}  # the one of now counts too
    assert left == newest | {f"{named}.json", "notes.json", f"{'b' * 40}.json"}


def test_a_line_of_derived_entries_has_its_store_compacted_every_third(in_repo, tmp_path_factory):
    import json

    cache_dir = tmp_path_factory.mktemp("line")
    clusters = in_repo / "data" / "clusters.nt"
    seen = []
    for step in range(4):
        write(clusters, lines_of(clusters)[1:])
        judged = validate_changed_since("HEAD", ["data"], cache_dir=cache_dir, keep=10, **ARGS)
        assert judged.mode == "incremental"
        assert essence(judged.report) == essence(validate(["data"], **ARGS)), step
        git(in_repo, "commit", "-q", "-am", f"step {step}")
        metas = sorted(cache_dir.glob("*/meta.json"), key=lambda m: m.stat().st_mtime_ns)
        seen.append(json.loads(metas[-1].read_text()).get("flushes"))
    # each judged state is derived from the one before (the new HEAD, judged last time)
    assert seen == [1, 2, 0, 1]
