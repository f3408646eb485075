"""Loading RDF: errors name the file and position; folders expand; prefixes are collected."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from clustergraph.errors import InputError, RDFSyntaxError
from clustergraph.files.load import expand_paths, load_store
from clustergraph.files.locate import Locator, subject_lines


def test_a_syntax_error_names_file_line_and_column(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:b ex:c\nex:d ex:e ex:f .\n")
    with pytest.raises(RDFSyntaxError) as info:
        load_store([bad])
    assert info.value.path == str(bad)
    assert info.value.line == 3 and info.value.column
    assert str(info.value).startswith(f"{bad}:3:")


@pytest.mark.parametrize(
    "name, words", [("missing.ttl", "no such file"), ("x.csv", "unknown RDF file suffix")]
)
def test_unreadable_input(tmp_path, name, words):
    path = tmp_path / name
    if name.endswith(".csv"):
        path.write_text("a,b\n")
    with pytest.raises(InputError, match=words):
        load_store(expand_paths([path]))


def test_folders_expand_to_their_rdf_files(tmp_path):
    (tmp_path / "b.ttl").write_text("")
    (tmp_path / "a.nt").write_text("")
    (tmp_path / "notes.md").write_text("")
    assert [p.name for p in expand_paths([tmp_path])] == ["a.nt", "b.ttl"]
    with pytest.raises(InputError, match="no RDF files"):
        expand_paths([tmp_path / "empty"] if (tmp_path / "empty").mkdir() is None else [])


def test_prefixes_are_collected(tmp_path):
    f = tmp_path / "a.ttl"
    f.write_text("PREFIX ex: <http://example.org/>\nex:a ex:b ex:c .\n")
    prefixes: dict[str, str] = {}
    assert len(load_store([f], prefixes=prefixes)) == 1
    assert prefixes == {"ex": "http://example.org/"}


TRICKY = '''@prefix cgid: <https://w3id.org/clustergraph/id/> .
PREFIX ex: <http://example.org/>
@base <http://base.example/> .

# a comment mentioning cgid:cluster\\/fake . at column 0
cgid:cluster\\/a ex:p """a long string
cgid:cluster/not-a-subject ex:p "x" .
""" ;
    ex:q [ ex:r cgid:cluster\\/inner ] .
<rel/b> ex:p ( ex:x ex:y ) .
[ ex:p ex:o ] ex:q ex:r .
ex:with.dot ex:p 1.5 .
cgid:cluster\\/a ex:again "later" .
'''


def test_subject_lines_follow_turtle_not_just_column_zero(tmp_path):
    f = tmp_path / "tricky.ttl"
    f.write_text(TRICKY)
    assert subject_lines(f) == {
        "https://w3id.org/clustergraph/id/cluster/a": 6,
        "http://base.example/rel/b": 10,
        "http://example.org/with.dot": 12,
    }
    assert len(load_store([f])) > 0  # the fixture is valid Turtle


def test_locator_prefers_the_first_file_and_shows_relative_paths(tmp_path):
    a, b = tmp_path / "a.ttl", tmp_path / "b.nt"
    a.write_text("<http://example.org/x> <http://example.org/p> 1 .\n")
    b.write_text("\n<http://example.org/y> <http://example.org/p> <http://example.org/x> .\n")
    loc = Locator([a, b], relative_to=tmp_path)
    assert str(loc.find("http://example.org/x")) == "a.ttl:1"
    assert str(loc.find("http://example.org/y")) == "b.nt:2"
    assert loc.find("http://example.org/z") is None


# --- hostile input, through the installed command --------------------------------------------

CLUSTERGRAPH = Path(sys.executable).with_name("clustergraph")

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE rdf:RDF [
 <!ENTITY lol "lol">
""" + "".join(
    f' <!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">\n'
    for i in range(1, 10)
) + """]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/">
  <rdf:Description rdf:about="http://example.org/a"><ex:b>&lol9;</ex:b></rdf:Description>
</rdf:RDF>
"""


def _run_measured(cwd: Path, *args: str) -> tuple[int, str, int]:
    """Run the command; its exit code, standard error and peak memory in MB (its own, via wait4)."""
    proc = subprocess.Popen([str(CLUSTERGRAPH), *args], cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    assert proc.stderr is not None
    stderr = proc.stderr.read().decode("utf-8")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, stderr, usage.ru_maxrss // 1024


def _oversized_literal(path: Path) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        fh.write('@prefix ex: <http://example.org/> .\nex:a ex:b "short" .\nex:a ex:c """')
        for _ in range(3_000):
            fh.write("x" * 9_999 + "\n")
        fh.write('""" .\n')


HOSTILE = [
    # (file name, how to write it, command, words: the file and line and why)
    ("laughs.rdf", lambda p: p.write_text(BILLION_LAUGHS), ["validate"],
     "laughs.rdf:2: RDF/XML with a DOCTYPE declaring entities is refused"),
    ("laughs.rdf", lambda p: p.write_text(BILLION_LAUGHS),
     ["export", "--include", "data", "-f", "ntriples", "--data"],
     "laughs.rdf:2: RDF/XML with a DOCTYPE declaring entities is refused"),
    ("huge-literal.ttl", _oversized_literal, ["validate"],
     "huge-literal.ttl:3: a token (IRI or literal) is larger than the parser's limit of 16 MiB"),
    ("huge-literal.ttl", _oversized_literal, ["query", "members-as-of", "--data"],
     "huge-literal.ttl:3: a token (IRI or literal) is larger than the parser's limit"),
    ("remote-context.jsonld",
     lambda p: p.write_text('{"@context": "https://example.org/context.jsonld", '
                            '"@id": "https://example.org/a", "name": "A"}'),
     ["validate"],
     "remote-context.jsonld: refusing the remote JSON-LD context 'https://example.org/context.jsonld'"),
    ("imported-context.jsonld",
     lambda p: p.write_text('{"@context": {"@version": 1.1, "@import": "https://example.org/c.jsonld"},'
                            ' "@id": "https://example.org/a", "https://example.org/p": "A"}'),
     ["validate"],
     "imported-context.jsonld: refusing the remote JSON-LD context 'https://example.org/c.jsonld'"),
]


@pytest.mark.parametrize("name, write, command, words", HOSTILE,
                         ids=[f"{h[0]}-{h[2][0]}" for h in HOSTILE])
def test_hostile_input_fails_fast_with_exit_2_naming_file_and_line(
        tmp_path: Path, name: str, write, command: list[str], words: str) -> None:
    path = tmp_path / name
    write(path)
    code, stderr, peak_mb = _run_measured(tmp_path, *command, name)
    assert code == 2, stderr
    assert words in stderr
    assert "Traceback" not in stderr and "internal error" not in stderr
    assert peak_mb < 400, f"{peak_mb} MB to refuse a {path.stat().st_size} byte file"


def test_oxigraph_itself_fetches_no_remote_jsonld_context() -> None:
    """The guard above names the file; Oxigraph (0.5) would refuse a remote context anyway."""
    import pyoxigraph as ox

    document = b'{"@context": "https://example.org/context.jsonld", "@id": "https://example.org/a"}'
    with pytest.raises(SyntaxError, match="remote context"):
        list(ox.parse(document, format=ox.RdfFormat.JSON_LD))
