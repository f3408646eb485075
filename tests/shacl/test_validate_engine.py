"""The fast engine (clustergraph.shacl, on Oxigraph) against the reference (pySHACL).

Each case is a tiny shapes graph and data graph exercising one part of SHACL Core; both engines
must report the same results (focus node, path, constraint component, severity), and the case
says how many there are, so a case that silently finds nothing fails too.
"""

from __future__ import annotations

import pytest

from clustergraph.errors import InputError
from clustergraph.validation import validate

PREFIXES = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ex: <http://example.org/> .
"""

#: name -> (shape body for ex:S, which targets ex:Thing; data; number of results expected)
CASES = {
    "class, through subClassOf": (
        "sh:property [ sh:path ex:p ; sh:class ex:Kind ] .",
        "ex:Sub rdfs:subClassOf ex:Kind . ex:a a ex:Thing ; ex:p ex:k1 , ex:k2 , 3 . ex:k1 a ex:Sub .",
        2,
    ),
    "datatype and ill-typed literals": (
        "sh:property [ sh:path ex:p ; sh:datatype xsd:integer ] .",
        'ex:a a ex:Thing ; ex:p 1 , "x"^^xsd:integer , "2" , 2.5 .',
        3,
    ),
    "langString": (
        "sh:property [ sh:path ex:p ; sh:datatype rdf:langString ] .",
        'ex:a a ex:Thing ; ex:p "hi"@en , "plain" .',
        1,
    ),
    "nodeKind": (
        "sh:property [ sh:path ex:p ; sh:nodeKind sh:IRI ] .",
        'ex:a a ex:Thing ; ex:p ex:b , "lit" , [ ex:q 1 ] .',
        2,
    ),
    "min and max count": (
        "sh:property [ sh:path ex:p ; sh:minCount 1 ] , [ sh:path ex:q ; sh:maxCount 1 ] .",
        "ex:a a ex:Thing ; ex:q 1 , 2 . ex:b a ex:Thing ; ex:p 1 .",
        2,
    ),
    "value ranges": (
        "sh:property [ sh:path ex:p ; sh:minInclusive 0 ; sh:maxExclusive 10 ] .",
        'ex:a a ex:Thing ; ex:p -1 , 0 , 9.5 , 10 , "text" .',
        4,
    ),
    "string length and pattern": (
        'sh:property [ sh:path ex:p ; sh:minLength 2 ; sh:maxLength 4 ; sh:pattern "^[a-z]+$" ; sh:flags "i" ] .',
        'ex:a a ex:Thing ; ex:p "ab" , "A" , "abcde" , "a1" .',
        3,
    ),
    "languageIn and uniqueLang": (
        'sh:property [ sh:path ex:p ; sh:languageIn ( "en" ) ; sh:uniqueLang true ] .',
        'ex:a a ex:Thing ; ex:p "one"@en , "two"@en-GB , "drei"@de , "vier"@de .',
        3,
    ),
    "in and hasValue": (
        "sh:property [ sh:path ex:p ; sh:in ( ex:x ex:y ) ] , [ sh:path ex:q ; sh:hasValue ex:z ] .",
        "ex:a a ex:Thing ; ex:p ex:x , ex:w ; ex:q ex:x .",
        2,
    ),
    "property pairs": (
        "sh:property [ sh:path ex:p ; sh:equals ex:q ; sh:disjoint ex:r ; sh:lessThan ex:s ] .",
        "ex:a a ex:Thing ; ex:p 1 , 5 ; ex:q 1 ; ex:r 5 ; ex:s 3 .",
        3,
    ),
    "node and nested property shapes": (
        "sh:property [ sh:path ex:p ; sh:node ex:Inner ] . ex:Inner sh:property [ sh:path ex:name ; sh:minCount 1 ] .",
        'ex:a a ex:Thing ; ex:p ex:b , ex:c . ex:b ex:name "b" .',
        1,
    ),
    "and, or, xone, not": (
        (
            "sh:or ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:path ex:q ; sh:minCount 1 ] ) ; "
            "sh:xone ( [ sh:path ex:r ; sh:minCount 1 ] [ sh:path ex:s ; sh:minCount 1 ] ) ; "
            "sh:not [ sh:path ex:bad ; sh:minCount 1 ] ; "
            "sh:and ( [ sh:path ex:t ; sh:maxCount 1 ] ) ."
        ),
        "ex:a a ex:Thing ; ex:r 1 ; ex:s 1 ; ex:bad 1 ; ex:t 1 , 2 . ex:b a ex:Thing ; ex:p 1 ; ex:r 1 .",
        4,
    ),
    "closed with ignored properties": (
        "sh:closed true ; sh:ignoredProperties ( rdf:type ) ; sh:property [ sh:path ex:p ] .",
        "ex:a a ex:Thing ; ex:p 1 ; ex:other 2 .",
        1,
    ),
    "qualified value shape": (
        "sh:property [ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:Kind ] ; sh:qualifiedMinCount 2 ; sh:qualifiedMaxCount 2 ] .",
        "ex:a a ex:Thing ; ex:p ex:k1 . ex:k1 a ex:Kind .",
        1,
    ),
    "complex paths": (
        (
            "sh:property [ sh:path ( ex:p [ sh:inversePath ex:q ] ) ; sh:minCount 1 ; sh:nodeKind sh:IRI ] , "
            "[ sh:path [ sh:alternativePath ( ex:r ex:s ) ] ; sh:maxCount 1 ] , "
            "[ sh:path [ sh:oneOrMorePath ex:next ] ; sh:datatype xsd:integer ] , "
            "[ sh:path [ sh:zeroOrMorePath ex:next ] ; sh:minCount 3 ] , "
            "[ sh:path [ sh:zeroOrOnePath ex:next ] ; sh:maxCount 1 ] ."
        ),
        "ex:a a ex:Thing ; ex:p ex:b ; ex:r 1 ; ex:s 2 ; ex:next ex:n1 . ex:c ex:q ex:b . ex:n1 ex:next 5 .",
        3,
    ),
    "severity, message and deactivation": (
        (
            'sh:severity sh:Warning ; sh:message "custom"@en ; sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Info ] , '
            "[ sh:path ex:q ; sh:minCount 1 ; sh:deactivated true ] ."
        ),
        "ex:a a ex:Thing .",
        1,
    ),
    "SPARQL constraint with $PATH, ?value and ?path": (
        (
            "sh:property [ sh:path ex:p ; sh:sparql [ "
            'sh:message "too big: {?value}" ; sh:select """SELECT $this ?value WHERE { $this $PATH ?value FILTER (?value > 3) }""" ] ] ; '
            'sh:sparql [ sh:select """SELECT $this (<http://example.org/q> AS ?path) WHERE { FILTER NOT EXISTS { $this <http://example.org/q> ?x } }""" ] .'
        ),
        "ex:a a ex:Thing ; ex:p 1 , 5 , 7 .",
        3,
    ),
}
TARGETS = {
    "targetNode, targetSubjectsOf, targetObjectsOf, implicit class": (
        (
            "ex:T1 a sh:NodeShape ; sh:targetNode ex:n ; sh:property [ sh:path ex:must ; sh:minCount 1 ] .\n"
            "ex:T2 a sh:NodeShape ; sh:targetSubjectsOf ex:s ; sh:property [ sh:path ex:must ; sh:minCount 1 ] .\n"
            "ex:T3 a sh:NodeShape ; sh:targetObjectsOf ex:s ; sh:property [ sh:path ex:must ; sh:minCount 1 ] .\n"
            "ex:T4 a sh:NodeShape , rdfs:Class ; sh:property [ sh:path ex:must ; sh:minCount 1 ] .\n"
        ),
        "ex:x ex:s ex:y . ex:z a ex:T4 .",
        4,
    ),
}


def _write(tmp_path, shapes: str, data: str):
    (tmp_path / "shapes.ttl").write_text(PREFIXES + shapes + "\n")
    (tmp_path / "data.ttl").write_text(PREFIXES + data + "\n")
    (tmp_path / "ontology.ttl").write_text(PREFIXES)
    return {
        "shapes": tmp_path / "shapes.ttl",
        "ontology": tmp_path / "ontology.ttl",
        "queries": False,
    }


def _key(report):
    return sorted(
        (
            r.owner or "" if r.focus_node.startswith("_:") else r.focus_node,
            r.path or "",
            r.component,
            r.severity,
        )
        for r in report.results
    )


@pytest.mark.parametrize("name", [*CASES, *TARGETS])
def test_both_engines_agree(tmp_path, name):
    if name in CASES:
        body, data, expected = CASES[name]
        shapes = f"ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; {body}"
    else:
        shapes, data, expected = TARGETS[name]
    args = _write(tmp_path, shapes, data)
    ours = validate([tmp_path / "data.ttl"], engine="oxigraph", **args)
    theirs = validate([tmp_path / "data.ttl"], engine="pyshacl", **args)
    assert not [r for r in ours.results if r.check == "shapes"], (
        "the case's shapes are not valid SHACL"
    )
    assert _key(ours) == _key(theirs)
    assert len(ours.results) == expected, [
        (r.focus_node, r.path, r.component, r.message) for r in ours.results
    ]


def test_sparql_messages_are_filled_in(tmp_path):
    body, data, _ = CASES["SPARQL constraint with $PATH, ?value and ?path"]
    args = _write(tmp_path, f"ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; {body}", data)
    report = validate([tmp_path / "data.ttl"], **args)
    messages = sorted(r.message for r in report.results if r.message.startswith("too big"))
    assert messages == ["too big: 5", "too big: 7"]


#: A SPARQL-based target (sh:target), which the fast engine does not implement.
SPARQL_TARGET = (
    "ex:S a sh:NodeShape ; sh:target [ a sh:SPARQLTarget ; "
    'sh:select "SELECT ?this WHERE { ?this a <http://example.org/Thing> }" ] ; '
    "sh:property [ sh:path ex:p ; sh:minCount 1 ] ."
)


def test_unsupported_shapes_fall_back_to_pyshacl(tmp_path):
    args = _write(tmp_path, SPARQL_TARGET, "ex:a a ex:Thing .")
    report = validate([tmp_path / "data.ttl"], **args)
    assert report.engine == "pyshacl"
    with pytest.raises(InputError, match="the oxigraph engine does not support sh:target"):
        validate([tmp_path / "data.ttl"], engine="oxigraph", **args)


@pytest.mark.parametrize("engine", ["auto", "pyshacl"])
def test_a_failure_in_pyshacl_is_an_input_error(tmp_path, engine):
    """pySHACL reports a validation failure (here: MINUS in a SPARQL constraint, which SHACL
    forbids) as a `ValidationFailure` in place of its report graph: an `InputError`, also when
    `auto` has fallen back to pySHACL for an unsupported feature."""
    shapes = SPARQL_TARGET + (
        " ex:T a sh:NodeShape ; sh:targetClass ex:Thing ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { $this ?p ?o . MINUS { $this ex:q ?o } }" ] .'
    )
    args = _write(tmp_path, shapes, "ex:a a ex:Thing ; ex:p 1 .")
    with pytest.raises(InputError, match="pySHACL cannot validate with these shapes"):
        validate([tmp_path / "data.ttl"], engine=engine, **args)


def test_qualified_value_shapes_disjoint(tmp_path):
    """A value counts for a qualified value shape only if it conforms to no sibling's."""
    shapes = (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; sh:property "
        "[ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:K ] ; sh:qualifiedMinCount 1 ; "
        "sh:qualifiedValueShapesDisjoint true ] , "
        "[ sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:L ] ; sh:qualifiedMinCount 1 ; "
        "sh:qualifiedValueShapesDisjoint true ] ."
    )
    data = (
        "ex:a a ex:Thing ; ex:p ex:kl . ex:kl a ex:K , ex:L . "
        "ex:b a ex:Thing ; ex:p ex:k , ex:l . ex:k a ex:K . ex:l a ex:L ."
    )
    args = _write(tmp_path, shapes, data)
    ours = validate([tmp_path / "data.ttl"], engine="oxigraph", **args)
    theirs = validate([tmp_path / "data.ttl"], engine="pyshacl", **args)
    assert _key(ours) == _key(theirs)
    assert [(r.focus_node, r.component) for r in ours.results] == [
        ("http://example.org/a", "sh:QualifiedMinCountConstraintComponent")
    ] * 2


def test_date_times_with_and_without_a_timezone(tmp_path):
    """An xsd:dateTime with a timezone and one without are ordered only when more than 14
    hours apart (XSD); otherwise they are incomparable, which breaks sh:minInclusive."""
    shapes = 'sh:property [ sh:path ex:at ; sh:minInclusive "2002-10-10T12:00:00"^^xsd:dateTime ] .'
    data = (
        'ex:a a ex:Thing ; ex:at "2002-10-10T12:00:00-05:00"^^xsd:dateTime , '
        '"2002-10-12T00:00:00Z"^^xsd:dateTime , "2002-10-09T12:00:00-05:00"^^xsd:dateTime , '
        '"2002-10-10T12:00:00.0"^^xsd:dateTime .'
    )
    args = _write(tmp_path, f"ex:S a sh:NodeShape ; sh:targetClass ex:Thing ; {shapes}", data)
    ours = validate([tmp_path / "data.ttl"], engine="oxigraph", **args)
    assert sorted(r.value for r in ours.results) == [
        '"2002-10-09T12:00:00-05:00"^^xsd:dateTime',
        '"2002-10-10T12:00:00-05:00"^^xsd:dateTime',
    ]


@pytest.mark.parametrize(
    "select",
    [
        "SELECT $this WHERE { { FILTER ($this = ex:a) } }",
        "SELECT $this WHERE { BIND ($this AS ?x) FILTER (?x = ex:a) }",
        "SELECT $this WHERE { { SELECT $this WHERE { FILTER ($this = ex:a) } } }",
        "SELECT $this ?value WHERE { $this ex:p ?value . FILTER (isIRI($currentShape)) }",
    ],
)
def test_this_is_pre_bound_everywhere(tmp_path, select):
    """SHACL pre-binds $this (and $currentShape) in nested groups, BIND and sub-queries too."""
    shapes = (
        "@prefix ex: <http://example.org/> .\n"
        "ex:S a sh:NodeShape ; sh:targetNode ex:a , ex:b ; "
        f'sh:sparql [ sh:prefixes ex:P ; sh:select "{select}" ] . '
        'ex:P sh:declare [ sh:prefix "ex" ; sh:namespace "http://example.org/"^^xsd:anyURI ] .'
    )
    args = _write(tmp_path, shapes, "ex:a ex:p 1 . ex:b ex:q 1 .")
    ours = validate([tmp_path / "data.ttl"], engine="oxigraph", **args)
    assert [r.focus_node for r in ours.results] == ["http://example.org/a"]


def test_literal_focus_nodes_keep_their_lexical_form(tmp_path):
    """A literal focus node (sh:targetObjectsOf, sh:targetNode) is checked and reported as the
    files write it, not as the store rewrites it ("01"^^xsd:int would become an xsd:integer)."""
    shapes = (
        "ex:S a sh:NodeShape ; sh:targetObjectsOf ex:n ; sh:datatype xsd:int ; sh:maxInclusive 0 . "
        'ex:T a sh:NodeShape ; sh:targetNode "4.0"^^xsd:decimal ; sh:maxExclusive 4 .'
    )
    args = _write(tmp_path, shapes, 'ex:a ex:n "01"^^xsd:int .')
    for engine in ("oxigraph", "pyshacl"):
        report = validate([tmp_path / "data.ttl"], engine=engine, **args)
        assert sorted((r.focus_node, r.component) for r in report.results) == [
            ('"01"^^xsd:int', "sh:MaxInclusiveConstraintComponent"),
            ('"4.0"^^xsd:decimal', "sh:MaxExclusiveConstraintComponent"),
        ], engine

