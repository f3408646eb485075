"""JSON-LD: the context built from the ontology, and a writer compacting against it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from clustergraph.errors import InputError
from clustergraph.export.graph import ExportGraph
from clustergraph.export.rdf import RDF_TYPE
from clustergraph.files import paths
from clustergraph.files.atomic import write_bytes_atomic
from clustergraph.vocab import CG_NS, CONTEXT_IRI, PREFIXES

# --- JSON-LD ---------------------------------------------------------------------------------

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

_RDF_LANGSTRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"

#: Terms for properties of other vocabularies that our data uses: name -> (prefix:local, coercion).
#: Coercion: "@id" (values are IRIs), "@language:en", a datatype as prefix:local, or None.
_EXTERNAL_TERMS: dict[str, tuple[str, str | None]] = {
    "label": ("rdfs:label", "@language:en"),
    "comment": ("rdfs:comment", "@language:en"),
    "subClassOf": ("rdfs:subClassOf", "@id"),
    "subPropertyOf": ("rdfs:subPropertyOf", "@id"),
    "domain": ("rdfs:domain", "@id"),
    "range": ("rdfs:range", "@id"),
    "seeAlso": ("rdfs:seeAlso", "@id"),
    "sameAs": ("owl:sameAs", "@id"),
    "prefLabel": ("skos:prefLabel", "@language:en"),
    "altLabel": ("skos:altLabel", "@language:en"),
    "definition": ("skos:definition", "@language:en"),
    "note": ("skos:note", "@language:en"),
    "editorialNote": ("skos:editorialNote", "@language:en"),
    "scopeNote": ("skos:scopeNote", "@language:en"),
    "broader": ("skos:broader", "@id"),
    "narrower": ("skos:narrower", "@id"),
    "inScheme": ("skos:inScheme", "@id"),
    "topConceptOf": ("skos:topConceptOf", "@id"),
    "hasTopConcept": ("skos:hasTopConcept", "@id"),
    "source": ("dcterms:source", "@id"),
    "publisher": ("dcterms:publisher", "@id"),
    "license": ("dcterms:license", "@id"),
    "issued": ("dcterms:issued", None),
    "modified": ("dcterms:modified", None),
    "created": ("dcterms:created", None),
    "date": ("dcterms:date", None),
    "description": ("dcterms:description", "@language:en"),
    "member": ("org:member", "@id"),
    "organization": ("org:organization", "@id"),
    "hasMember": ("org:hasMember", "@id"),
    "heldBy": ("org:heldBy", "@id"),
    "postIn": ("org:postIn", "@id"),
    "role": ("org:role", "@id"),
    "unitOf": ("org:unitOf", "@id"),
    "hasGeometry": ("geo:hasGeometry", "@id"),
    "asWKT": ("geo:asWKT", "geo:wktLiteral"),
    "url": ("schema:url", "@id"),
    "text": ("schema:text", "@language:en"),
    "author": ("schema:author", "@id"),
    "location": ("schema:location", "@id"),
    "numericValue": ("qudt:numericValue", None),
}


def build_context(ontology: Path | str | None = None) -> dict[str, Any]:
    """The JSON-LD context: our prefixes, a term per ontology property, and common others.

    A cg: object property is coerced to "@id", a datatype property with range rdf:langString to
    English, one with an XSD range to that datatype. Term names never shadow a prefix.

    >>> context = build_context()["@context"]
    >>> context["cg"], context["label"]
    ('https://w3id.org/clustergraph/ontology#', {'@id': 'rdfs:label', '@language': 'en'})
    """
    path = Path(ontology) if ontology is not None else paths.ontology_file()
    store = ox.Store()
    store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    rows = store.query(
        """PREFIX owl: <http://www.w3.org/2002/07/owl#>
        PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
        SELECT ?p ?kind (SAMPLE(?r) AS ?range) WHERE {
          VALUES ?kind { owl:ObjectProperty owl:DatatypeProperty }
          ?p a ?kind . OPTIONAL { ?p rdfs:range ?r FILTER(isIRI(?r)) }
        } GROUP BY ?p ?kind"""
    )
    inverse = {v: k for k, v in PREFIXES.items()}

    def compact(iri: str) -> str:
        for ns, prefix in sorted(inverse.items(), key=lambda kv: -len(kv[0])):
            if iri.startswith(ns) and len(iri) > len(ns):
                return f"{prefix}:{iri[len(ns):]}"
        return iri

    terms: dict[str, Any] = {}
    for row in rows:
        iri = row["p"].value
        if not iri.startswith(CG_NS):
            continue
        name = iri[len(CG_NS):]
        kind = row["kind"].value
        rng = row["range"].value if row["range"] is not None else None
        if kind.endswith("ObjectProperty"):
            coercion: str | None = "@id"
        elif rng == _RDF_LANGSTRING:
            coercion = "@language:en"
        elif rng is not None and rng.startswith("http://www.w3.org/2001/XMLSchema#") and rng != _XSD_STRING:
            coercion = compact(rng)
        else:
            coercion = None
        terms[name] = (f"cg:{name}", coercion)
    for name, spec in _EXTERNAL_TERMS.items():
        terms.setdefault(name, spec)
    context: dict[str, Any] = dict(PREFIXES)
    for name in sorted(terms, key=lambda n: (n.lower(), n)):
        if name in PREFIXES:
            continue
        iri, coercion = terms[name]
        if coercion is None:
            context[name] = iri
        elif coercion.startswith("@language:"):
            context[name] = {"@id": iri, "@language": coercion.split(":", 1)[1]}
        else:
            context[name] = {"@id": iri, "@type": coercion}
    return {"@context": context}


def write_context(path: Path | str | None = None, *, ontology: Path | str | None = None) -> Path:
    """Regenerate `ontology/context.jsonld` (or write to `path`) from the ontology; returns the
    path written (run after adding a property)."""
    target = Path(path) if path is not None else paths.context_file()
    text = json.dumps(build_context(ontology), indent=2, ensure_ascii=False) + "\n"
    write_bytes_atomic(target, text.encode("utf-8"))
    return target


def load_context(path: Path | str | None = None) -> dict[str, Any]:
    """The shipped JSON-LD context document (`{"@context": {...}}`)."""
    target = Path(path) if path is not None else paths.context_file()
    try:
        doc: dict[str, Any] = json.loads(target.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{target}: the JSON-LD context is missing") from None
    return doc


def jsonld_document_loader(context_path: Path | str | None = None) -> Any:
    """A pyld document loader that serves only our context, from the local file.

    Any other URL is refused, so expanding our JSON-LD never reaches the network.
    """
    doc = load_context(context_path)

    def loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url == CONTEXT_IRI:
            return {"contextUrl": None, "documentUrl": url, "document": doc}
        raise InputError(f"refusing to fetch remote JSON-LD document {url!r}")

    return loader


class _JsonLdCompactor:
    """Writes node objects in the compacted form of our context (no JSON-LD library needed)."""

    def __init__(self, context: dict[str, Any]) -> None:
        ctx = context["@context"]
        self.prefixes = sorted(
            ((v, k) for k, v in ctx.items() if isinstance(v, str) and v[-1:] in "/#"),
            key=lambda vk: (-len(vk[0]), vk[1]),
        )
        self.terms: dict[str, tuple[str, str | None, str | None]] = {}
        for name, value in ctx.items():
            if isinstance(value, str) and value[-1:] not in "/#":
                value = {"@id": value}
            if isinstance(value, dict):
                iri = self.expand(value["@id"])
                self.terms.setdefault(iri, (name, value.get("@type"), value.get("@language")))
                if value.get("@type") not in (None, "@id"):
                    t = self.terms[iri]
                    self.terms[iri] = (t[0], self.expand(value["@type"]), t[2])
        self._compact_cache: dict[str, str] = {}

    def expand(self, value: str) -> str:
        """The full IRI of `prefix:local` when the prefix is in the context, else `value`."""
        prefix, _, local = value.partition(":")
        for ns, name in self.prefixes:
            if name == prefix:
                return ns + local
        return value

    def compact(self, iri: str) -> str:
        """`iri` as `prefix:local` with the longest matching prefix, else the IRI (cached)."""
        cached = self._compact_cache.get(iri)
        if cached is None:
            cached = iri
            for ns, name in self.prefixes:
                if iri.startswith(ns) and len(iri) > len(ns) and not iri[len(ns):].startswith("//"):
                    cached = f"{name}:{iri[len(ns):]}"
                    break
            self._compact_cache[iri] = cached
        return cached

    def ref(self, term: Any) -> str:
        """A node reference: `_:label` for a blank node, a compacted IRI otherwise."""
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return self.compact(term.value)

    def value(self, term: Any, coerce: str | None, language: str | None) -> Any:
        """An object as a JSON-LD value: plain where the term's `coerce` type or `language`
        covers it, else `{"@value": ...}` or `{"@id": ...}`."""
        if isinstance(term, ox.Literal):
            lang = term.language
            dt = term.datatype.value
            if lang:
                if language is not None and lang == language:
                    return term.value
                return {"@value": term.value, "@language": lang}
            if coerce is not None and coerce != "@id" and dt == coerce:
                return term.value
            if dt == _XSD_STRING:
                if coerce is None and language is None:
                    return term.value
                return {"@value": term.value}
            return {"@value": term.value, "@type": self.compact(dt)}
        if coerce == "@id":
            return self.ref(term)
        return {"@id": self.ref(term)}

    def node(self, subject: Any, pairs: list[tuple[Any, Any]]) -> dict[str, Any]:
        """The node object of `subject` from its (predicate, object) pairs: `@id`, `@type`,
        then one key per property, sorted."""
        node: dict[str, Any] = {"@id": self.ref(subject)}
        types = [o for p, o in pairs if p.value == RDF_TYPE and isinstance(o, ox.NamedNode)]
        if types:
            compacted = [self.compact(o.value) for o in types]
            node["@type"] = compacted[0] if len(compacted) == 1 else compacted
        values: dict[str, list[Any]] = {}
        for p, o in pairs:
            if p.value == RDF_TYPE and isinstance(o, ox.NamedNode):
                continue
            spec = self.terms.get(p.value)
            if spec is None:
                key, coerce, language = self.compact(p.value), None, None
                if key == p.value and ":" not in key:  # pragma: no cover - every IRI has a scheme
                    key = p.value
            else:
                key, coerce, language = spec
            values.setdefault(key, []).append(self.value(o, coerce, language))
        for key in sorted(values):
            vals = values[key]
            node[key] = vals[0] if len(vals) == 1 else vals
        return node


def _group_by_subject(triples: Iterable[Any]) -> Iterator[tuple[Any, list[tuple[Any, Any]]]]:
    current = None
    pairs: list[tuple[Any, Any]] = []
    for t in triples:
        if current is None or t.subject != current:
            if current is not None:
                yield current, pairs
            current, pairs = t.subject, []
        pairs.append((t.predicate, t.object))
    if current is not None:
        yield current, pairs


_COMPACTORS: dict[int, tuple[dict[str, Any], _JsonLdCompactor]] = {}


def _compactor(context: dict[str, Any]) -> _JsonLdCompactor:
    """One compactor per context object (the site writes a JSON-LD file per resource)."""
    cached = _COMPACTORS.get(id(context))
    if cached is None or cached[0] is not context:
        cached = (context, _JsonLdCompactor(context))
        _COMPACTORS.clear()
        _COMPACTORS[id(context)] = cached
    return cached[1]


def jsonld_chunks(triples: Iterable[Any], context_iri: str = CONTEXT_IRI,
                   context: dict[str, Any] | None = None, *, inline: bool = False) -> Iterator[bytes]:
    """A JSON-LD document: the context named by its address, or `inline` (self-contained)."""
    document_context = context if context is not None else load_context()
    compactor = _compactor(document_context)
    if inline:
        named = json.dumps(document_context["@context"], indent=2, ensure_ascii=False).replace("\n", "\n  ")
    else:
        named = json.dumps(context_iri)
    yield ('{\n  "@context": ' + named + ',\n  "@graph": [').encode("utf-8")
    first = True
    for subject, pairs in _group_by_subject(triples):
        text = json.dumps(compactor.node(subject, pairs), indent=2, ensure_ascii=False)
        text = text.replace("\n", "\n    ")
        yield (("\n    " if first else ",\n    ") + text).encode("utf-8")
        first = False
    yield ("\n  ]\n}\n" if not first else "]\n}\n").encode("utf-8")


def chunks_jsonld(graph: ExportGraph) -> Iterator[bytes]:
    """The export's JSON-LD embeds its context, so any JSON-LD processor reads it offline."""
    return jsonld_chunks(graph.triples(), inline=True)


# --- CSV / TSV -------------------------------------------------------------------------------
