"""A user's journeys, through the installed `clustergraph` command run from a temporary folder.

validate -> query; export every format -> read back by clustergraph itself and by rdflib, pyld
and pyoxigraph, the same graph each time; exit codes that say whose problem it is; and nothing
lost: no command removes or changes a file it did not write, whatever happens to it.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

CLUSTERGRAPH = Path(sys.executable).with_name("clustergraph")
RDF_SUFFIXES = {"turtle": ".ttl", "ntriples": ".nt", "nquads": ".nq", "trig": ".trig",
                "jsonld": ".jsonld", "rdfxml": ".rdf"}
RDFLIB_FORMATS = {"turtle": "turtle", "ntriples": "nt", "nquads": "nquads", "trig": "trig",
                  "jsonld": "json-ld", "rdfxml": "xml"}


def run(cwd: Path, *args: str, unprivileged: bool = False) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user types it in `cwd`.

    `unprivileged`: as a user whom file permissions bind; under root (which writes into
    read-only folders) that is root without CAP_DAC_OVERRIDE, through util-linux's setpriv
    (still root, so it reads the checkout wherever it lies, but a folder without write
    permission refuses it).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLUSTERGRAPH_")}
    command = [str(CLUSTERGRAPH), *args]
    if unprivileged and os.geteuid() == 0:
        command = ["setpriv", "--bounding-set=-dac_override", "--inh-caps=-dac_override", *command]
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    """`clustergraph export -f all --out release/`, run once in a fresh folder."""
    home = tmp_path_factory.mktemp("journey")
    done = run(home, "export", "-f", "all", "--out", "release/")
    assert done.returncode == 0, done.stderr
    return home / "release"


def _triples(graph: Graph | Dataset) -> Graph:
    """The triples of every graph of a dataset, merged (the exports' named graphs are parts)."""
    merged = Graph()
    for s, p, o, *_ in graph.quads((None, None, None, None)) if isinstance(graph, Dataset) else graph:
        merged.add((s, p, o))
    return merged


@pytest.fixture(scope="module")
def reference(release: Path) -> Graph:
    return Graph().parse(release / "clustergraph.nt", format="nt")


# --- validate, then query ---------------------------------------------------------------------


def test_a_new_user_validates_then_queries_the_shipped_graph(tmp_path: Path) -> None:
    validated = run(tmp_path, "validate")
    assert validated.returncode == 0, validated.stderr
    assert validated.stdout.splitlines()[-1].startswith("conforms: 0 violations")
    members = run(tmp_path, "query", "members-as-of", "--format", "csv")
    assert members.returncode == 0, members.stderr
    rows = members.stdout.strip().splitlines()[1:]
    counted = run(tmp_path, "sparql", "--format", "csv",
                  "PREFIX org: <http://www.w3.org/ns/org#> SELECT (COUNT(DISTINCT ?c) AS ?n) "
                  "WHERE { ?m org:member ?c }")
    assert counted.returncode == 0, counted.stderr
    assert len(rows) == int(counted.stdout.split()[-1]) > 0


# --- export, then read back -------------------------------------------------------------------


def test_export_all_writes_every_format_and_its_description(release: Path) -> None:
    assert sorted(p.name for p in release.iterdir()) == sorted(
        [f"clustergraph{s}" for s in RDF_SUFFIXES.values()]
        + ["clustergraph.csv", "clustergraph.tsv", "void.ttl"])


@pytest.mark.parametrize("fmt", RDF_SUFFIXES)
def test_every_export_is_read_back_by_rdflib_and_pyoxigraph_as_the_same_graph(
        fmt: str, release: Path, reference: Graph) -> None:
    import pyoxigraph as ox

    path = release / f"clustergraph{RDF_SUFFIXES[fmt]}"
    by_rdflib = Dataset() if fmt in ("nquads", "trig") else Graph()
    by_rdflib.parse(path, format=RDFLIB_FORMATS[fmt])
    assert isomorphic(_triples(by_rdflib), reference)
    triples = (q.triple for q in ox.parse(path=str(path)))
    by_oxigraph = Graph().parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES),
                                format="nt")
    assert isomorphic(by_oxigraph, reference)


def test_the_jsonld_export_is_self_contained_for_pyld_without_a_document_loader(
        release: Path, reference: Graph) -> None:
    from pyld import jsonld

    def no_network(url: str, options: object = None) -> None:
        raise AssertionError(f"pyld was sent to the network for {url}")

    document = json.loads((release / "clustergraph.jsonld").read_text(encoding="utf-8"))
    assert isinstance(document["@context"], dict)
    nquads = jsonld.to_rdf(document, {"format": "application/n-quads",
                                      "documentLoader": no_network})
    assert isomorphic(Graph().parse(data=nquads, format="nt"), reference)


@pytest.mark.parametrize("fmt", RDF_SUFFIXES)
def test_every_export_is_read_back_by_clustergraph_validate_and_query(
        fmt: str, release: Path, tmp_path: Path) -> None:
    name = f"release/clustergraph{RDF_SUFFIXES[fmt]}"
    home = release.parent
    validated = run(home, "validate", name)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # the same verdict as the shipped graph's own: the export holds the same graph
    shipped = run(tmp_path, "validate", "--no-queries").stdout.splitlines()[-1]
    assert validated.stdout.splitlines()[-1] == shipped.replace("6 files", "2 files")
    embedded = run(tmp_path, "query", "membership-gaps", "--format", "csv")
    from_file = run(home, "query", "membership-gaps", "--format", "csv", "--data", name)
    assert from_file.returncode == 0, from_file.stderr
    assert from_file.stdout == embedded.stdout and len(embedded.stdout.splitlines()) > 2


def test_jsonld_naming_our_context_by_its_address_is_read_offline(release: Path) -> None:
    document = json.loads((release / "clustergraph.jsonld").read_text(encoding="utf-8"))
    document["@context"] = "https://w3id.org/clustergraph/ontology/context.jsonld"
    by_address = release.parent / "by-address.jsonld"
    by_address.write_text(json.dumps(document), encoding="utf-8")
    validated = run(release.parent, "validate", "by-address.jsonld")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    dump = run(release.parent, "export", "--include", "data", "--data", "by-address.jsonld",
               "-f", "ntriples")
    assert dump.returncode == 0, dump.stderr
    assert isomorphic(Graph().parse(data=dump.stdout, format="nt"),
                      Graph().parse(release / "clustergraph.nt", format="nt"))


# --- exit codes -------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def shared_home() -> Iterator[Path]:
    """A folder any user may enter (pytest's own temporary folders are private to their user)."""
    home = Path(tempfile.mkdtemp(prefix="clustergraph-journey-"))
    home.chmod(0o755)
    yield home
    shutil.rmtree(home)


BAD_INPUT = [
    # (what the user does, setup, arguments, exit code, words in the message)
    ("a file that does not exist", None, ["validate", "missing.ttl"], 2,
     "missing.ttl: no such file"),
    ("export into a read-only folder", "read-only", ["export", "--out", "locked/out.ttl"], 2,
     "locked/out.ttl: cannot write: permission denied"),
    ("export -f all into a read-only folder", "read-only", ["export", "-f", "all", "--out", "locked/"],
     2, "locked/clustergraph.ttl: cannot write: permission denied"),
    ("export below a file, as if it were a folder", "a file", ["export", "--out", "notes.txt/out.ttl"],
     2, "notes.txt/out.ttl: cannot write: a folder on the way is a file"),
    ("an unknown export format", None, ["export", "-f", "yaml"], 2, "unknown export format 'yaml'"),
    ("an endpoint that is no URL", None,
     ["query", "members-as-of", "--endpoint", "not-a-url"], 2,
     "'--endpoint': 'not-a-url' is not an http:// or https:// URL"),
    ("publish to an endpoint that is no URL", None, ["publish", "--endpoint", "not-a-url"], 2,
     "endpoint 'not-a-url' is not an http:// or https:// URL"),
    ("a remote endpoint that is down", None,
     ["query", "members-as-of", "--endpoint", "http://127.0.0.1:{port}/query", "--timeout", "2"], 4,
     "127.0.0.1:{port}"),
]


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "--debug"])
@pytest.mark.parametrize("case", BAD_INPUT, ids=[c[0] for c in BAD_INPUT])
def test_bad_input_exits_with_its_code_naming_the_path_and_debug_keeps_the_code(
        case, debug: bool, shared_home: Path) -> None:
    _, setup, args, code, words = case
    if setup == "read-only":
        (shared_home / "locked").mkdir()
        (shared_home / "locked").chmod(0o555)
    elif setup == "a file":
        (shared_home / "notes.txt").write_text("mine\n")
    port = str(_closed_port())
    args = [a.replace("{port}", port) for a in args]
    done = run(shared_home, *(["--debug"] if debug else []), *args,
               unprivileged=setup == "read-only")
    assert done.returncode == code, done.stderr
    assert words.replace("{port}", port) in done.stderr
    assert ("Traceback (most recent call last)" in done.stderr) is debug
    assert "internal error" not in done.stderr


def test_a_full_disk_on_standard_output_is_the_users_problem_not_ours(tmp_path: Path) -> None:
    with open("/dev/full", "w") as full:
        done = subprocess.run([str(CLUSTERGRAPH), "export", "-f", "ntriples"], cwd=tmp_path,
                              stdout=full, stderr=subprocess.PIPE, text=True, check=False)
    assert done.returncode == 2, done.stderr
    assert "standard output: cannot write: no space left on the device" in done.stderr


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "--debug"])
def test_only_our_own_bugs_exit_3_and_debug_keeps_the_code(debug: bool, monkeypatch, capsys) -> None:
    from clustergraph import info
    from clustergraph.cli import main

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug of ours")

    monkeypatch.setattr(info, "graph_info", broken)
    with pytest.raises(SystemExit) as exit_:
        main([*(["--debug"] if debug else []), "info"])
    assert exit_.value.code == 3
    err = capsys.readouterr().err
    assert "internal error: ZeroDivisionError: a bug of ours" in err
    assert ("Traceback (most recent call last)" in err) is debug


# --- nothing lost -----------------------------------------------------------------------------


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture
def users_folder(tmp_path: Path) -> Path:
    """A folder holding the user's own files, some with the names an export would choose."""
    home = tmp_path / "work"
    (home / "release").mkdir(parents=True)
    (home / "notes.md").write_text("my notes\n")
    (home / "release" / "README.txt").write_text("my release notes\n")
    (home / "release" / "other.ttl").write_text("<x:a> <x:b> <x:c> .\n")
    (home / "release" / ".hidden").write_text("mine\n")
    (home / "mine.ttl").write_text("<x:a> <x:b> <x:c> .\n")
    (home / "bad.ttl").write_text("<x:a> <x:b> .\n")
    return home


COMMANDS = [
    ["validate"],
    ["validate", "mine.ttl"],
    ["validate", "bad.ttl"],
    ["info"],
    ["query", "membership-gaps"],
    ["sparql", "SELECT * WHERE { ?s ?p ?o } LIMIT 1"],
    ["export", "-f", "all", "--out", "release/"],
    ["export", "-f", "turtle", "--out", "release/"],
    ["export", "-f", "all", "--out", "release/", "--include", "data", "--data", "bad.ttl"],
    ["export", "--out", "out.ttl"],
    ["export", "--out", "out.ttl", "--data", "bad.ttl"],
]


def test_no_command_removes_or_changes_a_file_it_did_not_write(users_folder: Path) -> None:
    before = _snapshot(users_folder)
    written: set[str] = set()
    for args in COMMANDS:
        done = run(users_folder, *args)
        assert done.returncode in (0, 1, 2), (args, done.stderr)
        after = _snapshot(users_folder)
        assert {k: v for k, v in after.items() if k in before} == before, args
        new = set(after) - set(before)
        assert not any(Path(n).name.startswith(".") or n.endswith(".tmp") for n in new), (args, new)
        written |= new
    assert written == {f"release/clustergraph{s}" for s in [*RDF_SUFFIXES.values(), ".csv", ".tsv"]} \
        | {"release/void.ttl", "out.ttl", "out.ttl.void.ttl"}


def test_export_into_a_new_folder_named_with_a_slash_makes_the_folder(tmp_path: Path) -> None:
    done = run(tmp_path, "export", "-f", "turtle", "--out", "fresh/")
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "fresh").iterdir()) == ["clustergraph.ttl", "void.ttl"]
