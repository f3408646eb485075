"""How deep a JSON-LD or RDF/XML file nests, measured in one pass before any parser sees it.

Parsers of nested syntaxes recurse: Python's `json` fails at about 1,000 levels, pyoxigraph's
JSON-LD parser crashes the process at about 4,000, and its RDF/XML parser takes quadratic time
(100,000 levels: 254 s). Real data nests a few dozen levels; a file deeper than `MAX_NESTING`
is refused with the line where the limit is passed.

>>> json_too_deep(b'{"a": [1, {"b": "[[[["}]}')
>>> json_too_deep(b"[" * 600 + b"]" * 600)
1
>>> xml_too_deep(b"<a>\\n" * 600)
501
"""

from __future__ import annotations

import re

__all__ = ["MAX_NESTING", "json_too_deep", "xml_too_deep"]

#: The deepest nesting of JSON arrays and objects, or of XML elements, that is read.
MAX_NESTING = 500

#: JSON: a bracket or the start of a string; a whole string (escapes included).
_JSON_MARK = re.compile(rb'[\[\]{}"]')
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)

#: XML: a tag from `<`, an optional `/`, then quoted values or other characters up to `>`; it
#: stops at the next `<`, so each byte is read at most twice.
_XML_TAG = re.compile(rb"<(/?)(?:\"[^\"<]*\"|'[^'<]*'|[^\"'<>])*>")
#: What ends the parts of XML that hold no elements: comments, CDATA, declarations, instructions.
_XML_SKIPPED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"), (b"<!", b">"))


def _line(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def json_too_deep(content: bytes, limit: int = MAX_NESTING) -> int | None:
    """The line where JSON nesting passes `limit`, or None when it stays within it (or the file
    ends inside a string: the parser then says what is wrong)."""
    depth, mark = 0, _JSON_MARK.search(content)
    while mark is not None:
        char, at = mark.group(), mark.end()
        if char == b'"':
            string = _JSON_STRING.match(content, mark.start())
            if string is None:
                return None
            at = string.end()
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return _line(content, mark.start())
        else:
            depth -= 1
        mark = _JSON_MARK.search(content, at)
    return None


def xml_too_deep(content: bytes, limit: int = MAX_NESTING) -> int | None:
    """The line where XML element nesting passes `limit`, or None when it stays within it
    (or the file ends inside a comment or a tag: the parser then says what is wrong)."""
    depth, at = 0, content.find(b"<")
    while at >= 0:
        skipped = next((end for start, end in _XML_SKIPPED if content.startswith(start, at)), None)
        if skipped is not None:
            close = content.find(skipped, at + 2)
            if close < 0:
                return None
            at = content.find(b"<", close + len(skipped))
            continue
        tag = _XML_TAG.match(content, at)
        if tag is None:
            at = content.find(b"<", at + 1)
            continue
        if tag.group(1):
            depth -= 1
        elif not tag.group().endswith(b"/>"):
            depth += 1
            if depth > limit:
                return _line(content, at)
        at = content.find(b"<", tag.end())
    return None
