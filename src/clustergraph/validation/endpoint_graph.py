"""The graph a SPARQL endpoint holds, as the SHACL engine reads a store: through bounded queries.

`EndpointGraph` answers the engine's `quads_for_pattern` and `query` calls with SPARQL sent to
the endpoint, so that a graph is validated in the store that holds it and never copied here:

- the triples of the focus nodes are fetched in batches (`fetched`, `prefetch`: one query per
  `batch` nodes, their subjects in a VALUES block) before the engine judges them, the next
  batch on a second thread while the engine judges one, and kept for at most `keep` nodes
  (least recently used go first);
- a node the engine meets on the way (a value's rdf:type, a class's superclasses) costs one
  query, remembered in the same way;
- SHACL-SPARQL constraints run in the store, as the engine writes them (focus nodes bound with
  VALUES);
- the labels of the nodes a report names are fetched in batches too (`keep_values`);
- local triples (the ontology, merged into the data graph as a local run merges it) are added
  to every answer, each triple once.

SPARQL cannot name a blank node of an earlier answer again, so a question about one raises
`Unsupported`: `clustergraph.validation.endpoint` then validates a copy of the graph instead.
Nothing is written to the endpoint.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad, Store

from clustergraph.errors import EndpointError
from clustergraph.remote import RemoteEndpoint, Solutions
from clustergraph.shacl import Unsupported
from clustergraph.sparql_lexer import query_form

__all__ = ["EndpointGraph"]

#: The objects of one subject, by predicate, each triple once.
Description = dict[Any, list[Any]]


class EndpointGraph:
    """A read-only view of an endpoint's graph, plus local triples (see the module's docs)."""

    def __init__(
        self,
        endpoint: RemoteEndpoint,
        local: Store | None = None,
        *,
        batch: int = 2000,
        keep: int = 20_000,
    ) -> None:
        self.endpoint = endpoint
        self.local = local if local is not None else Store()
        self.batch = batch
        self.keep = keep
        self.queries = 0
        """How many queries were sent (for the log and the tests)."""
        self._described: OrderedDict[Any, Description] = OrderedDict()
        self._kept: dict[Any, Description] = {}
        self._kept_predicates: set[Any] = set()
        self._incoming: OrderedDict[tuple[Any, Any], list[Any]] = OrderedDict()
        self._local_subjects = {q.subject for q in self.local}

    # -- what the engine calls ---------------------------------------------------------------

    def quads_for_pattern(
        self, subject: Any, predicate: Any, object: Any, graph_name: Any = None
    ) -> list[Quad]:
        """The triples that match (None: any term), as quads of the default graph."""
        _refuse_blank(subject, object)
        kept = self._kept.get(subject) if predicate in self._kept_predicates else None
        if kept is not None:
            objects = kept.get(predicate, ())
            return [Quad(subject, predicate, o) for o in objects if object in (None, o)]
        if subject is not None:
            description = self._description(subject)
            pairs = (
                description.items()
                if predicate is None
                else [(predicate, description.get(predicate, []))]
            )
            return [
                Quad(subject, p, o)
                for p, objects in pairs
                for o in objects
                if object is None or o == object
            ]
        if predicate is not None and object is not None:
            return [Quad(s, predicate, object) for s in self._subjects(predicate, object)]
        if predicate is not None:
            found = self._select(f"SELECT ?s ?o WHERE {{ ?s {predicate} ?o }}")
            return self._with_local([Quad(r["s"], predicate, r["o"]) for r in found], predicate)
        if object is not None:
            found = self._select(f"SELECT ?s ?p WHERE {{ ?s ?p {object} }}")
            remote = [Quad(r["s"], r["p"], object) for r in found]
            return self._with_local(remote, None, object)
        raise Unsupported("reading the endpoint's whole graph at once")

    def get(self, node: Any, default: Any = None) -> Description | Any:
        """The objects of `node` by predicate (the engine's `outgoing` look-up); `default`
        for a literal, which has none."""
        _refuse_blank(node)
        return self._description(node) if isinstance(node, NamedNode) else default

    def query(self, text: str, substitutions: dict[Any, Any] | None = None) -> Solutions | bool:
        """Run a query in the store (a SELECT's rows, or an ASK's answer); the engine binds
        blank nodes only as `substitutions`, which cannot be sent."""
        if substitutions:
            raise Unsupported("a SPARQL constraint on a blank node of the endpoint's graph")
        try:
            return self._answer(text, query_form(text))
        except EndpointError:
            Store().query(text)  # a query that does not parse: its SyntaxError, as locally
            raise

    def __iter__(self) -> Iterator[Quad]:
        raise Unsupported("a copy of the endpoint's graph (for $shapesGraph)")

    def prefetch(self, nodes: Sequence[Any], inverse: Iterable[Any] = ()) -> None:
        """Fetch the triples of these nodes (IRIs; others are left for later) in batches, and
        the subjects of the triples (?s p node) for each predicate in `inverse`."""
        self._keep(self._download(*self._missing(nodes, inverse)))

    def keep_values(self, nodes: Sequence[Any], predicates: Sequence[str]) -> None:
        """Fetch these nodes' values of `predicates` (IRIs) in batches and keep them while the
        graph lives: the labels of the nodes a report names, read once for all."""
        named = list(dict.fromkeys(n for n in nodes if type(n) is NamedNode))
        which = [NamedNode(p) for p in predicates]
        self._kept_predicates.update(which)
        for start in range(0, len(named), self.batch):
            chunk = named[start : start + self.batch]
            found: dict[Any, Description] = {n: {} for n in chunk}
            query = (  # not a VALUES block for ?p: Oxigraph joins two of them slowly
                f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_values('s', chunk)} ?s ?p ?o "
                f"FILTER (?p IN ({', '.join(map(str, which))})) }}"
            )
            self.queries += 1
            for t in self._triples(query):
                found[t.subject].setdefault(t.predicate, []).append(t.object)
            for node, description in found.items():
                merged = self._merged(node, description)
                self._kept[node] = {p: merged[p] for p in which if p in merged}

    def fetched(
        self, batches: Sequence[Sequence[Any]], inverse: Sequence[Any] = ()
    ) -> Iterator[Any]:
        """Each batch of focus nodes in turn, once `prefetch` has fetched it; the next batch
        is fetched on a second thread meanwhile, while the caller judges this one."""
        from concurrent.futures import ThreadPoolExecutor

        if not batches:
            return
        with ThreadPoolExecutor(1, thread_name_prefix="clustergraph-fetch") as pool:
            pending = pool.submit(self._download, *self._missing(batches[0], inverse))
            for index, batch in enumerate(batches):
                downloaded = pending.result()
                if index + 1 < len(batches):
                    after = self._missing(batches[index + 1], inverse)
                    pending = pool.submit(self._download, *after)
                self._keep(downloaded)
                yield batch

    # -- inside ------------------------------------------------------------------------------

    def _missing(
        self, nodes: Sequence[Any], inverse: Iterable[Any]
    ) -> tuple[list[Any], dict[Any, list[Any]]]:
        """The IRIs among `nodes` whose triples are not here, and for each inverse predicate
        those whose subjects by it are not."""
        named = list(dict.fromkeys(n for n in nodes if type(n) is NamedNode))
        wanted = [n for n in named if n not in self._described]
        backwards = {p: [n for n in named if (p, n) not in self._incoming] for p in inverse}
        return wanted, backwards

    def _download(self, wanted: list[Any], backwards: dict[Any, list[Any]]) -> _Downloaded:
        """The triples of `wanted`, and the subjects of `backwards`, from the endpoint (on any
        thread: it changes nothing here)."""
        got = _Downloaded()
        for start in range(0, len(wanted), self.batch):
            chunk = wanted[start : start + self.batch]
            found: dict[Any, Description] = {n: {} for n in chunk}
            query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {_values('s', chunk)} ?s ?p ?o }}"
            for t in self._triples(query):
                found[t.subject].setdefault(t.predicate, []).append(t.object)
            got.described.update(found)
            got.queries += 1
        for predicate, nodes in backwards.items():
            for start in range(0, len(nodes), self.batch):
                chunk = nodes[start : start + self.batch]
                subjects: dict[Any, list[Any]] = {n: [] for n in chunk}
                query = f"SELECT ?s ?o WHERE {{ {_values('o', chunk)} ?s {predicate} ?o }}"
                for row in self._checked(self.endpoint.solutions(query)):
                    subjects[row["o"]].append(row["s"])
                got.incoming.update(((predicate, n), found) for n, found in subjects.items())
                got.queries += 1
        return got

    def _keep(self, downloaded: _Downloaded) -> None:
        self.queries += downloaded.queries
        for node, description in downloaded.described.items():
            self._remember(node, self._merged(node, description))
        for (predicate, node), subjects in downloaded.incoming.items():
            local = (q.subject for q in self.local.quads_for_pattern(None, predicate, node))
            self._keep_incoming((predicate, node), _once([*subjects, *local]))

    def _description(self, node: Any) -> Description:
        description = self._described.get(node)
        if description is not None:
            self._described.move_to_end(node)
            return description
        found: Description = {}
        if isinstance(node, NamedNode):
            for row in self._select(f"SELECT ?p ?o WHERE {{ {node} ?p ?o }}"):
                found.setdefault(row["p"], []).append(row["o"])
        description = self._merged(node, found)
        self._remember(node, description)
        return description

    def _merged(self, node: Any, remote: Description) -> Description:
        """The remote description with the local triples of `node` added, each triple once."""
        if node in self._local_subjects:
            for q in self.local.quads_for_pattern(node, None, None, None):
                objects = remote.setdefault(q.predicate, [])
                if q.object not in objects:
                    objects.append(q.object)
        return remote

    def _remember(self, node: Any, description: Description) -> None:
        self._described[node] = description
        while len(self._described) > self.keep:
            self._described.popitem(last=False)

    def _subjects(self, predicate: Any, object: Any) -> list[Any]:
        key = (predicate, object)
        known = self._incoming.get(key)
        if known is not None:
            self._incoming.move_to_end(key)
            return known
        remote = [r["s"] for r in self._select(f"SELECT ?s WHERE {{ ?s {predicate} {object} }}")]
        local = [q.subject for q in self.local.quads_for_pattern(None, predicate, object)]
        return self._keep_incoming(key, _once([*remote, *local]))

    def _keep_incoming(self, key: tuple[Any, Any], subjects: list[Any]) -> list[Any]:
        self._incoming[key] = subjects
        while len(self._incoming) > self.keep:
            self._incoming.popitem(last=False)
        return subjects

    def _with_local(self, remote: list[Quad], predicate: Any, object: Any = None) -> list[Quad]:
        local = self.local.quads_for_pattern(None, predicate, object, None)
        return _once([*remote, *(Quad(q.subject, q.predicate, q.object) for q in local)])

    def _select(self, text: str) -> Solutions:
        answer = self._answer(text, "SELECT")
        assert not isinstance(answer, bool)
        return answer

    def _triples(self, text: str) -> list[Any]:
        """The triples a CONSTRUCT query makes; one with a blank node raises `Unsupported`."""
        triples = self.endpoint.quads(text)
        if any(isinstance(t.object, BlankNode) for t in triples):
            raise Unsupported("blank nodes in the endpoint's graph")
        return triples

    def _answer(self, text: str, form: str) -> Solutions | bool:
        self.queries += 1
        return self._checked(self.endpoint.solutions(text, form))

    @staticmethod
    def _checked(answer: Solutions | bool) -> Any:
        """The endpoint's answer; one that names a blank node raises `Unsupported` (a later
        query could not name it again)."""
        if not isinstance(answer, bool):
            for row in answer:
                for term in row:
                    if isinstance(term, BlankNode):
                        raise Unsupported("blank nodes in the endpoint's graph")
        return answer


@dataclass
class _Downloaded:
    """What `EndpointGraph._download` brings: descriptions, subjects by (predicate, object)."""

    described: dict[Any, Description] = field(default_factory=dict)
    incoming: dict[tuple[Any, Any], list[Any]] = field(default_factory=dict)
    queries: int = 0

def _refuse_blank(*terms: Any) -> None:
    for term in terms:
        if isinstance(term, BlankNode):
            raise Unsupported("a blank node of the endpoint's graph")


def _values(variable: str, nodes: Sequence[Any]) -> str:
    return f"VALUES ?{variable} {{ {' '.join(map(str, nodes))} }}"


def _once(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))

