"""pySHACL's `sh:pattern` with the time limit of ours, for the time of one validation.

pySHACL compiles `sh:pattern` with Python's `re` (which nothing can stop) and reads only the
`i` and `m` of `sh:flags`. Inside `bounded_patterns()`, its `PatternConstraintComponent`
compiles and matches with `clustergraph.shacl.patterns` instead, as our engine does: the
same flags, the same `InputError` for an invalid pattern or flag (when the shape is loaded,
before any value is matched) and for a value that takes longer than the limit. SPARQL's
`REGEX` and `REPLACE` in the shapes' SPARQL (rdflib evaluates them with `re` too) get the same
limit. Everything is put back as it was when the block ends, however it ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from clustergraph.errors import InputError
from clustergraph.shacl.patterns import (
    PATTERN_TIME_LIMIT,
    compile_pattern,
    describe_shape,
    named_holder,
)

__all__ = ["BoundedSparqlRe", "bounded_patterns"]

#: The methods of pySHACL's `PatternConstraintComponent` that `bounded_patterns` replaces.
_REPLACED = ("__init__", "_evaluate_string_rule")


def _shape_named(shape: Any) -> str:
    """How an error names a pySHACL `Shape` (as `describe_shape` names ours)."""
    # pySHACL's vocabulary and rdflib's terms: loaded with it, only when it runs (~0.24 s)
    from pyshacl.consts import SH_property
    from rdflib import URIRef

    graph = shape.sg.graph

    def held_by(node: Any) -> tuple[Any, bool] | None:
        found = next(iter(graph.subject_predicates(node)), None)
        return None if found is None else (found[0], found[1] == SH_property)

    holder, direct = named_holder(shape.node, held_by, lambda n: isinstance(n, URIRef))
    path = shape.path() if shape.is_property_shape else None
    return describe_shape(
        shape.node.n3(), None if path is None else path.n3(),
        None if holder is None else holder.n3(), direct,
    )


def _bounded_methods(limit: float) -> dict[str, Callable[..., Any]]:
    """The replacements of `_REPLACED`: pySHACL's own, compiling and matching through
    `clustergraph.shacl.patterns` with `limit` seconds per value."""
    # pySHACL and rdflib: imported only on pySHACL's path (~0.24 s to import)
    from pyshacl.constraints.core.string_based_constraints import (
        SH_flags,
        SH_pattern,
        StringBasedConstraintBase,
    )
    from pyshacl.errors import ConstraintLoadError
    from rdflib import BNode, Literal

    def __init__(self: Any, shape: Any) -> None:
        StringBasedConstraintBase.__init__(self, shape)
        patterns = list(shape.objects(SH_pattern))
        if not patterns or not all(isinstance(p, Literal) for p in patterns):
            raise ConstraintLoadError(
                "PatternConstraintComponent needs sh:pattern, each a literal.",
                "https://www.w3.org/TR/shacl/#PatternConstraintComponent",
            )
        self.string_rules = patterns
        self.flags = next(iter(shape.objects(SH_flags)), None)  # the first, as pySHACL does
        flags = "" if self.flags is None else str(self.flags)
        self.compiled_cache = {
            p: compile_pattern(str(p), flags, lambda: _shape_named(shape), limit)
            for p in patterns
        }

    def _evaluate_string_rule(
        self: Any, r: Any, target_graph: Any, f_v_dict: dict[Any, Any]
    ) -> tuple[bool, list[Any]]:
        pattern = self.compiled_cache[r]
        reports = []
        for focus, value_nodes in f_v_dict.items():
            for v in value_nodes:  # a blank node never matches
                if isinstance(v, BNode) or not pattern.search(self.value_node_to_string(v),
                                                              focus.n3):
                    reports.append(self.make_v_result(target_graph, focus, value_node=v))
        return bool(reports), reports

    return {"__init__": __init__, "_evaluate_string_rule": _evaluate_string_rule}


class BoundedSparqlRe:
    """What rdflib's SPARQL operators use of `re` (flags, `search`, `sub`), each match within
    `limit` seconds of CPU time (the `regex` module's timeout) or an `InputError`."""

    def __init__(self, limit: float) -> None:
        # regex: imported only where patterns are matched (~23 ms)
        import regex

        self._regex, self.limit = regex, limit
        self.IGNORECASE, self.DOTALL, self.MULTILINE = regex.IGNORECASE, regex.DOTALL, regex.MULTILINE

    def _timed_out(self, pattern: str) -> InputError:
        return InputError(
            f"a REGEX or REPLACE in the shapes' SPARQL took more than {self.limit:g} s of CPU "
            f"time on one value (pattern {pattern[:80]!r}): rewrite the pattern so that it "
            "cannot backtrack without end"
        )

    def search(self, pattern: str, string: str, flags: int = 0) -> Any:
        """`re.search`, bounded."""
        try:
            return self._regex.search(pattern, string, flags, timeout=self.limit)
        except TimeoutError:
            raise self._timed_out(pattern) from None

    def sub(self, pattern: str, repl: str, string: str, count: int = 0, flags: int = 0) -> str:
        """`re.sub`, bounded."""
        try:
            return str(self._regex.sub(pattern, repl, string, count, flags, timeout=self.limit))
        except TimeoutError:
            raise self._timed_out(pattern) from None


@contextmanager
def bounded_patterns(limit: float = PATTERN_TIME_LIMIT) -> Iterator[None]:
    """Within the block, pySHACL matches `sh:pattern` with `limit` seconds per value (see the
    module); nested blocks keep the outer one's limit. Not for threads that run pySHACL
    outside such a block at the same time: the class is pySHACL's own while replaced."""
    # pySHACL: imported only on its path (~0.24 s to import)
    from pyshacl.constraints.core.string_based_constraints import PatternConstraintComponent

    cls = PatternConstraintComponent
    if getattr(cls.__dict__["__init__"], "__module__", None) == __name__:  # an outer block's
        yield
        return
    # rdflib's SPARQL operators: loaded with pySHACL; their module-level `re` is replaced
    from rdflib.plugins.sparql import operators

    saved = {name: cls.__dict__[name] for name in _REPLACED}
    saved_re = operators.re
    try:
        for name, method in _bounded_methods(limit).items():
            setattr(cls, name, method)
        operators.re = BoundedSparqlRe(limit)  # type: ignore[assignment]
        yield
    finally:
        for name, method in saved.items():
            setattr(cls, name, method)
        operators.re = saved_re
