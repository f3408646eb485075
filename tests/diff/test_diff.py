"""`clustergraph diff OLD [NEW]`: what a change does to the graph, as a reviewer reads it.

Each side is a file, a folder, a git revision or REV:PATH of a temporary git repository made
here. A change shows per resource with its label, statements added (+) and removed (-), and
whether the resource is new or gone; a reordered file, a renamed prefix or relabelled blank
nodes show no change. Every format (text, markdown, json) says the same.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from support.diff_graphs import HEAD, NEW, OLD, git

from clustergraph.cli import main

#: OLD with everything that must not count: other order, other prefix names, other blank labels.
OLD_REWRITTEN = """@prefix c: <https://w3id.org/clustergraph/ontology#> .
@prefix s: <http://www.w3.org/2004/02/skos/core#> .
@prefix q: <http://qudt.org/schema/qudt/> .
_:z2 s:notation "t" .
<https://w3id.org/clustergraph/id/cluster/beta> s:prefLabel "Beta Port"@en .
_:z1 q:unit _:z2 ; q:numericValue 5 .
<https://w3id.org/clustergraph/id/observation/o1> q:hasQuantity _:z1 .
<https://w3id.org/clustergraph/id/cluster/alpha> c:region "North"@en ; s:prefLabel "Alpha Valley"@en ;
    a c:IndustrialCluster .
<https://w3id.org/clustergraph/id/cluster/beta> a c:IndustrialCluster .
"""
EXPECTED_TEXT = """\
cgid:cluster/alpha "Alpha Valley" (changed)
    - cg:region "North"@en
    + cg:region "South"@en
cgid:cluster/beta "Beta Port" (gone)
    - rdf:type cg:IndustrialCluster
    - skos:prefLabel "Beta Port"@en
cgid:cluster/gamma "Gamma Bay" (new)
    + rdf:type cg:IndustrialCluster
    + skos:prefLabel "Gamma Bay"@en
cgid:observation/o1 (changed)
    - qudt:hasQuantity [ qudt:numericValue "5"^^xsd:integer ; qudt:unit [ skos:notation "t" ] ]
    + qudt:hasQuantity [ qudt:numericValue "6"^^xsd:integer ; qudt:unit [ skos:notation "t" ] ]
7 statements added, 7 removed: 1 resource new, 2 changed, 1 gone
"""


def run(*args: str, capsys) -> tuple[int, str, str]:
    """The installed command, in-process: (exit code, stdout, stderr)."""
    try:
        code = main(list(args)) or 0  # the console script exits with what main returns
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture()
def repo(tmp_path, monkeypatch) -> Path:
    """A git repository with the graph folders: commit 1 holds OLD, commit 2 holds NEW (with a
    second file), and the work tree holds NEW rewritten in another order (no change)."""
    root = tmp_path / "repo"
    (root / "data").mkdir(parents=True)
    (root / "ontology").mkdir()
    (root / "ontology" / "context.jsonld").write_text('{"@context": {"cg": "https://w3id.org/clustergraph/ontology#"}}')
    (root / "ontology" / "tiny.ttl").write_text(HEAD + "cg:IndustrialCluster a <http://www.w3.org/2002/07/owl#Class> .\n")
    (root / "data" / "clusters.ttl").write_text(OLD)
    git(root, "init", "-q", "-b", "main")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "add", ".")
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-m", "old")
    (root / "data" / "clusters.ttl").write_text(NEW)
    git(root, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-am", "new")
    monkeypatch.chdir(root)
    return root


def body(text: str) -> str:
    """The text format without its first line (which names the two sides)."""
    return text.split("\n", 1)[1]


def test_two_files_show_the_change_per_resource_with_labels(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("old.ttl").write_text(OLD)
    Path("new.ttl").write_text(NEW)
    code, out, err = run("diff", "old.ttl", "new.ttl", capsys=capsys)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "diff old.ttl → new.ttl"
    assert body(out) == EXPECTED_TEXT


@pytest.mark.parametrize("rewrite", ["reordered, prefixes renamed, blank nodes relabelled", "split over a folder"])
def test_what_is_not_a_change_shows_no_change(rewrite, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    Path("old.ttl").write_text(OLD)
    if rewrite == "split over a folder":
        Path("split").mkdir()
        Path("split/a.ttl").write_text(OLD.rsplit("\n\n", 1)[0] + "\n")
        Path("split/b.ttl").write_text(HEAD + OLD.rsplit("\n\n", 1)[1])
        new = "split"
    else:
        Path("rewritten.ttl").write_text(OLD_REWRITTEN)
        new = "rewritten.ttl"
    for fmt in ("text", "markdown", "json"):
        code, out, _ = run("diff", "old.ttl", new, "--format", fmt, "--exit-code", capsys=capsys)
        assert code == 0, out
        if fmt == "json":
            assert json.loads(out)["statements"] == {"old": 9, "new": 9, "added": 0, "removed": 0}
            assert json.loads(out)["changes"] == []
        else:
            assert "no change to the graph (9 statements)" in out


def test_folders_compare_as_graphs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    for name, text in (("before", OLD), ("after", NEW)):
        Path(name).mkdir()
        Path(name, "clusters.ttl").write_text(text)
        Path(name, "README.md").write_text("not RDF, not read")
    code, out, _ = run("diff", "before", "after", capsys=capsys)
    assert code == 0
    assert body(out) == EXPECTED_TEXT


def test_git_revisions_are_read_without_touching_the_work_tree(repo, capsys):
    status_before = subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout
    code, out, _ = run("diff", "HEAD~1", "HEAD", capsys=capsys)
    assert code == 0
    assert out.splitlines()[0] == "diff HEAD~1 → HEAD"
    assert body(out) == EXPECTED_TEXT
    code, out, _ = run("diff", "HEAD~1:data/clusters.ttl", "main:data/clusters.ttl", capsys=capsys)
    assert body(out) == EXPECTED_TEXT
    assert subprocess.run(["git", "status", "--porcelain"], capture_output=True, text=True).stdout == status_before


def test_a_revision_against_the_work_tree(repo, capsys):
    (repo / "data" / "clusters.ttl").write_text(OLD_REWRITTEN)  # the old graph, written otherwise
    code, out, _ = run("diff", "HEAD~1", capsys=capsys)
    assert (code, out) == (0, "diff HEAD~1 → work tree\nno change to the graph (10 statements)\n")
    code, out, _ = run("diff", "HEAD", "--exit-code", capsys=capsys)
    assert code == 1
    assert "7 statements added, 7 removed: 1 resource new, 2 changed, 1 gone" in out
    assert "cgid:cluster/beta \"Beta Port\" (new)" in out  # back in the work tree


def test_markdown_for_the_job_summary(repo, capsys):
    code, out, _ = run("diff", "HEAD~1", "HEAD", "--format", "markdown", capsys=capsys)
    assert code == 0
    assert out.startswith("### Graph diff: `HEAD~1` → `HEAD`\n\n"
                          "7 statements added, 7 removed: 1 resource new, 2 changed, 1 gone.\n")
    assert "| `cgid:cluster/beta` | Beta Port | gone | 0 | 2 |" in out
    assert "| `cgid:observation/o1` |  | changed | 1 | 1 |" in out
    block = out.split("**`cgid:cluster/alpha`** Alpha Valley (changed)\n\n")[1].split("\n\n")[0]
    assert block == '```diff\n- cg:region "North"@en\n+ cg:region "South"@en\n```'
    code, out, _ = run("diff", "HEAD~1", "HEAD", "--format", "markdown", "--limit", "1", capsys=capsys)
    assert "cgid:cluster/beta" not in out and "… and 3 more resources" in out


def test_json_for_tools(repo, capsys):
    code, out, _ = run("diff", "HEAD~1", "HEAD", "--format", "json", capsys=capsys)
    assert code == 0
    doc = json.loads(out)
    assert doc["old"] == "HEAD~1" and doc["new"] == "HEAD"
    assert doc["statements"] == {"old": 10, "new": 10, "added": 7, "removed": 7}
    assert doc["resources"] == {"new": 1, "changed": 2, "gone": 1}
    by_iri = {c["resource"]: c for c in doc["changes"]}
    gamma = by_iri["https://w3id.org/clustergraph/id/cluster/gamma"]
    assert (gamma["label"], gamma["status"]) == ("Gamma Bay", "new")
    assert [s["text"] for s in gamma["added"]] == ["rdf:type cg:IndustrialCluster",
                                                   'skos:prefLabel "Gamma Bay"@en']
    assert gamma["added"][1]["ntriples"] == ('<https://w3id.org/clustergraph/id/cluster/gamma> '
                                             '<http://www.w3.org/2004/02/skos/core#prefLabel> "Gamma Bay"@en .')
    alpha = by_iri["https://w3id.org/clustergraph/id/cluster/alpha"]
    assert [s["text"] for s in alpha["removed"]] == ['cg:region "North"@en']


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nothing-here"], "nothing-here: not a file, a folder or a git revision of "),
        (["HEAD", "HEAD:data/none.ttl"], "HEAD:data/none.ttl: no RDF files at data/none.ttl in revision HEAD"),
        (["HEAD~1", "broken.ttl"], "broken.ttl:4:9: . is not a valid RDF object"),
        (["HEAD~1", "--format", "yaml"], "Invalid value for '--format'"),
    ],
)
def test_bad_input_is_named_with_exit_code_2(args, message, repo, capsys):
    Path("broken.ttl").write_text(HEAD + "<a> <b> .\n")
    code, out, err = run("diff", *args, capsys=capsys)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_a_syntax_error_at_a_revision_names_the_revision_and_line(repo, capsys):
    (repo / "data" / "clusters.ttl").write_text(HEAD + "\n<x> <y> .\n")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-q", "-am", "broken")
    code, _, err = run("diff", "HEAD~1", "HEAD", capsys=capsys)
    assert code == 2
    assert err.startswith("clustergraph: error: HEAD:data/clusters.ttl:5:")
