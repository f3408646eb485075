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

An endpoint that cuts long answers (`row_limit`, found by `answer_limit`) is asked in parts:
a batch whose answer would be too long is split in halves, a long list is read in ordered pages,
and a SPARQL constraint gets fewer focus nodes at a time; an answer that is still cut raises
`EndpointError`, so nothing is silently left out.

SPARQL cannot name a blank node of an earlier answer again, so a question about one raises
`Unsupported`: `clustergraph.validation.endpoint` then validates a copy of the graph instead.
Nothing is written to the endpoint.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import BlankNode, NamedNode, Quad, Store

from clustergraph.errors import CutAnswer, EndpointError
from clustergraph.query.lexer import query_form
from clustergraph.query.remote import RemoteEndpoint, Solutions
from clustergraph.shacl import Unsupported
from clustergraph.shacl.sparql_text import values_block

__all__ = ["PROBE_ROWS", "EndpointGraph", "answer_limit"]

#: What to do about an endpoint that cuts its answers too short.
_RAISE_LIMIT = "raise its limit on the rows of an answer (Virtuoso: ResultSetMaxRows)"
#: Rows read to find out whether the endpoint cuts its answers (`answer_limit`).
PROBE_ROWS = 20_000

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
        row_limit: int | None = None,
    ) -> None:
        """`row_limit`: the most rows the endpoint gives in one answer (`answer_limit`), None
        when it gives whole answers; longer answers are then asked for in parts."""
        self.endpoint = endpoint
        self.row_limit = row_limit
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
            found = self._select("?s ?o", f"?s {predicate} ?o")
            return self._with_local([Quad(r["s"], predicate, r["o"]) for r in found], predicate)
        if object is not None:
            found = self._select("?s ?p", f"?s ?p {object}")
            remote = [Quad(r["s"], r["p"], object) for r in found]
            return self._with_local(remote, None, object)
        raise Unsupported("reading the endpoint's whole graph at once")

    @property
    def constraint_batch(self) -> int:
        """Focus nodes per set-at-a-time query of a SPARQL constraint: few enough that its
        answer stays under the endpoint's row limit (a few rows a node)."""
        return 5000 if self.row_limit is None else max(1, self.row_limit // 4)

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
            answer = self._answer(text, query_form(text))
        except CutAnswer as exc:
            raise EndpointError(f"{exc}: {_RAISE_LIMIT}") from None
        except EndpointError:
            Store().query(text)  # a query that does not parse: its SyntaxError, as locally
            raise
        if not isinstance(answer, bool) and self._cut(len(answer)):
            raise EndpointError(
                f"{self.endpoint.url} gave {len(answer)} rows, as many as it gives at most, "
                f"for a SPARQL constraint: {_RAISE_LIMIT}"
            )
        return answer

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
        only = f"FILTER (?p IN ({', '.join(map(str, which))}))"
        for start in range(0, len(named), self.batch):
            found = self._descriptions(named[start : start + self.batch], only)
            self.queries += found.queries
            for node, description in found.described.items():
                merged = self._merged(node, description)
                self._kept[node] = {p: merged[p] for p in which if p in merged}

    def fetched(
        self, batches: Sequence[Sequence[Any]], inverse: Sequence[Any] = ()
    ) -> Iterator[Any]:
        """Each batch of focus nodes in turn, once `prefetch` has fetched it; the next batch
        is fetched on a second thread meanwhile, while the caller judges this one."""
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
            got.add(self._descriptions(wanted[start : start + self.batch]))
        for predicate, nodes in backwards.items():
            for start in range(0, len(nodes), self.batch):
                got.add(self._subjects_of(predicate, nodes[start : start + self.batch]))
        return got

    def _descriptions(self, nodes: list[Any], only: str = "") -> _Downloaded:
        """The triples of these nodes (those `only`, a FILTER on ?p, lets through), in one
        CONSTRUCT, or in halves where the answer would be longer than the endpoint gives."""
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {values_block(nodes, 's')} ?s ?p ?o {only} }}"
        try:
            triples = self._triples(query)
        except CutAnswer:
            triples = None
        if triples is None or self._cut(len(triples)):
            return self._halves(nodes, lambda part: self._descriptions(part, only))
        got = _Downloaded(described={n: {} for n in nodes}, queries=1)
        for t in triples:
            got.described[t.subject].setdefault(t.predicate, []).append(t.object)
        return got

    def _subjects_of(self, predicate: Any, nodes: list[Any]) -> _Downloaded:
        """The subjects of (?s predicate node) for each node, as `_descriptions` goes."""
        query = f"SELECT ?s ?o WHERE {{ {values_block(nodes, 'o')} ?s {predicate} ?o }}"
        try:
            rows = self._checked(self.endpoint.solutions(query, whole=True))
        except CutAnswer:
            rows = None
        if rows is None or self._cut(len(rows)):
            return self._halves(nodes, lambda part: self._subjects_of(predicate, part))
        subjects: dict[Any, list[Any]] = {n: [] for n in nodes}
        for row in rows:
            subjects[row["o"]].append(row["s"])
        return _Downloaded(incoming={(predicate, n): s for n, s in subjects.items()}, queries=1)

    def _halves(self, nodes: list[Any], fetch: Any) -> _Downloaded:
        if len(nodes) == 1:
            raise EndpointError(
                f"{self.endpoint.url} cannot give the triples of {nodes[0]} in one answer "
                f"(more than {self.row_limit} rows): {_RAISE_LIMIT}"
            )
        middle = len(nodes) // 2
        got = fetch(nodes[:middle])
        got.add(fetch(nodes[middle:]))
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
            for row in self._select("?p ?o", f"{node} ?p ?o"):
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
        remote = [r["s"] for r in self._select("?s", f"?s {predicate} {object}")]
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

    def _select(self, variables: str, pattern: str) -> list[Any]:
        """The rows of `SELECT variables WHERE { pattern }`, asked for in pages (ordered by
        the variables) when the endpoint gives fewer rows than there are."""
        text = f"SELECT {variables} WHERE {{ {pattern} }}"
        try:
            answer = self._answer(text, "SELECT")
            assert not isinstance(answer, bool)
            if not self._cut(len(answer)):
                return answer.rows
            page = max(1, (self.row_limit or 2) // 2)
        except CutAnswer as exc:
            page = max(1, exc.rows // 2)
        rows: list[Any] = []
        while True:
            part = self._answer(f"{text} ORDER BY {variables} LIMIT {page} OFFSET {len(rows)}")
            assert not isinstance(part, bool)
            rows.extend(part.rows)
            if len(part) < page:
                return rows

    def _triples(self, text: str) -> list[Any]:
        """The triples a CONSTRUCT query makes; one with a blank node raises `Unsupported`."""
        triples = self.endpoint.quads(text, whole=True)
        if any(isinstance(t.object, BlankNode) for t in triples):
            raise Unsupported("blank nodes in the endpoint's graph")
        return triples

    def _answer(self, text: str, form: str = "SELECT") -> Solutions | bool:
        self.queries += 1
        return self._checked(self.endpoint.solutions(text, form, whole=True))

    def _cut(self, rows: int) -> bool:
        """True when an answer of this many rows may be the first rows of a longer one."""
        return self.row_limit is not None and rows >= self.row_limit

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

    def add(self, other: _Downloaded) -> None:
        self.described.update(other.described)
        self.incoming.update(other.incoming)
        self.queries += other.queries


def _refuse_blank(*terms: Any) -> None:
    for term in terms:
        if isinstance(term, BlankNode):
            raise Unsupported("a blank node of the endpoint's graph")


def _once(items: list[Any]) -> list[Any]:
    return list(dict.fromkeys(items))


def answer_limit(endpoint: RemoteEndpoint, probe: int = PROBE_ROWS) -> int | None:
    """The most rows the endpoint gives in one answer, when it cuts answers shorter than
    `probe` rows (it says so, or gives fewer rows than it counts); else None."""
    first = f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {probe}"
    try:
        answer = endpoint.solutions(first, whole=True)
    except CutAnswer as exc:
        return exc.rows or 1
    counted = endpoint.solutions(f"SELECT (COUNT(*) AS ?n) WHERE {{ {{ {first} }} }}")
    assert not isinstance(answer, bool) and not isinstance(counted, bool)
    held = int(next(iter(counted))["n"].value)
    return len(answer) if len(answer) < held else None
