"""`sh:pattern` and `sh:flags`, compiled once per shape and matched with a time limit.

A pattern such as `^(a|aa)+$` backtracks exponentially on a value it almost matches, and
Python's `re` cannot be stopped: one short value held `validate` for minutes. Patterns are
compiled with the `regex` module (XPath patterns allow back-references, so a linear-time
engine such as re2 cannot take them), which gives up after a time limit: each value may take
`PATTERN_TIME_LIMIT` seconds of CPU time per pattern, and one that takes longer is an
`InputError` naming the shape, the focus node and the value. Both engines use this module:
ours directly, pySHACL through `clustergraph.validation.pyshacl_patterns`.

XPath syntax is read as `regex` reads Python's (version 0, compatible with `re`, plus
`\\p{…}` Unicode properties). The XPath flags map as follows: `i` ignore case, `m` multi-line
(`^` and `$` at line ends), `s` dot matches newlines, `x` ignore whitespace in the pattern
(Python's verbose mode, where `#` also starts a comment), `q` the pattern is plain text (with
`q`, only `i` still applies). Any other letter, like a pattern that does not compile, is an
`InputError` naming the shape, found when the shape is compiled, before any value is matched.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

from clustergraph.errors import InputError

if TYPE_CHECKING:
    import regex

__all__ = [
    "PATTERN_TIME_LIMIT",
    "XPATH_FLAGS",
    "BoundedPattern",
    "compile_pattern",
    "describe_shape",
    "named_holder",
]

_Node = TypeVar("_Node")

#: The longest one value may take to match one `sh:pattern`, in seconds of the process's CPU
#: time (what `regex` measures: a loaded machine does not cut a match short, and the wall time
#: can be longer). Real patterns answer in microseconds; only a catastrophic one comes near.
PATTERN_TIME_LIMIT = 1.0

#: The letters `sh:flags` may hold (XPath `fn:matches`) -> the name of their `regex` flag.
XPATH_FLAGS: dict[str, str] = {
    "i": "IGNORECASE",
    "m": "MULTILINE",
    "s": "DOTALL",
    "x": "VERBOSE",
    "q": "",  # the pattern is escaped instead
}

#: How much of a value an error message shows.
_SHOWN = 60


def _shown(text: str) -> str:
    """`text` quoted for a message, its middle cut when it is long."""
    if len(text) > _SHOWN:
        text = f"{text[: _SHOWN // 2]}…{text[-_SHOWN // 2 :]} ({len(text)} characters)"
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def describe_shape(
    shape: str, path: str | None = None, holder: str | None = None, direct: bool = False
) -> str:
    """How an error names a shape, from terms in N-Triples form: `shape <iri>`; a blank node
    by the nearest named shape holding it (`holder`, see `named_holder`): `the property shape
    (sh:path <p>) of shape <holder>` when it is one of its sh:property (`direct`), else
    `a shape nested in shape <holder>`."""
    on_path = f" (sh:path {path})" if path and not path.startswith("_:") else ""
    if not shape.startswith("_:") or holder is None:
        return f"shape {shape}{on_path}"
    if direct:
        return f"the property shape{on_path} of shape {holder}"
    return f"a shape{on_path} nested in shape {holder}"


def named_holder(
    node: _Node,
    held_by: Callable[[_Node], tuple[_Node, bool] | None],
    named: Callable[[_Node], bool],
) -> tuple[_Node | None, bool]:
    """The nearest named node above a blank `node` in the shapes graph, and whether it has
    `node` as its sh:property: `held_by(n)` gives a subject with `n` as object and whether
    through sh:property (or None). Each node is visited once (a cycle of blank nodes ends)."""
    step, seen = held_by(node), {node}
    direct = step is not None and step[1]
    while step is not None:
        up = step[0]
        if named(up):
            return up, direct
        if up in seen:
            break
        seen.add(up)
        direct, step = False, held_by(up)
    return None, False


class BoundedPattern:
    """One compiled `sh:pattern` of a shape, whose `search` gives up after `limit` seconds."""

    def __init__(
        self, compiled: regex.Pattern[str], text: str, shape: Callable[[], str], limit: float
    ) -> None:
        self.compiled, self.text, self.shape, self.limit = compiled, text, shape, limit

    def search(self, value: str, focus: Callable[[], str]) -> bool:
        """True when the pattern matches somewhere in `value` (XPath `fn:matches`); an
        `InputError` naming the shape, the focus node (`focus()`, asked only then) and the
        value when the match takes longer than the limit."""
        try:
            return self.compiled.search(value, timeout=self.limit) is not None
        except TimeoutError:
            raise InputError(
                f"sh:pattern {_shown(self.text)} of {self.shape()} took more than "
                f"{self.limit:g} s of CPU time on the value {_shown(value)} "
                f"of focus node {focus()}: "
                "a pattern that repeats a repetition, such as (a|aa)+, backtracks "
                "exponentially; rewrite it so that a value can match in one way only"
            ) from None


def compile_pattern(
    text: str, flags: str, shape: Callable[[], str], limit: float = PATTERN_TIME_LIMIT
) -> BoundedPattern:
    """`text` (an `sh:pattern`) with `flags` (its shape's `sh:flags`, "" when none),
    compiled; `shape()` names the shape in errors (asked only then). An `InputError` when
    the flags hold a letter XPath does not define or the pattern does not compile."""
    unknown = sorted(set(flags) - set(XPATH_FLAGS))
    if unknown:
        raise InputError(
            f"sh:flags {_shown(flags)} of {shape()} has {', '.join(map(repr, unknown))}: "
            "the flags are letters among s, m, i, x and q"
        )
    import regex  # ~23 ms to import (python -X importtime): only for shapes with sh:pattern

    source, letters = text, set(flags)
    if "q" in letters:  # plain text: of the other flags only "i" still applies (XPath 3.1)
        source, letters = regex.escape(text), letters & {"i"}
    value = regex.VERSION0  # the syntax of Python's `re`
    for letter in letters:
        value |= getattr(regex, XPATH_FLAGS[letter])
    try:
        compiled = regex.compile(source, value)
    except (regex.error, OverflowError, ValueError) as exc:
        raise InputError(
            f"sh:pattern {_shown(text)} of {shape()} is not a regular expression: {exc}"
        ) from None
    except RecursionError:
        raise InputError(
            f"sh:pattern {_shown(text)} of {shape()} nests its groups too deeply to compile"
        ) from None
    return BoundedPattern(compiled, text, shape, limit)
