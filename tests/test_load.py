"""Loading RDF: errors name the file and position; folders expand; prefixes are collected."""

from __future__ import annotations

import pytest

from clustergraph.errors import InputError, RDFSyntaxError
from clustergraph.load import expand_paths, load_store
from clustergraph.locate import Locator, subject_lines


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
