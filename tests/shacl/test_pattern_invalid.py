"""An `sh:pattern` that is not a regular expression, or `sh:flags` with a letter XPath does not
define, is bad input: exit 2 naming the shape, on every engine path (issue #20, finding 8:
`"(a"` was an internal error, exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from support.pattern_cases import ENGINE_PATHS, validate, write_case

#: what is wrong -> (sh:pattern, sh:flags, what the message says)
INVALID = {
    "an unclosed group": ("(a", "", "is not a regular expression"),
    "a backwards range": ("[z-a]", "", "is not a regular expression"),
    "groups nested 5,000 deep": ("(" * 5000 + ")" * 5000, "", "nests its groups too deeply"),
    "a flag XPath does not define": ("^a", "iz", "sh:flags \"iz\""),
    "an upper-case flag": ("^a", "I", "sh:flags \"I\""),
}


@pytest.mark.parametrize("engine", list(ENGINE_PATHS))
@pytest.mark.parametrize("case", list(INVALID))
def test_an_invalid_pattern_or_flag_is_bad_input_naming_the_shape(
    case: str, engine: str, tmp_path: Path
):
    pattern, flags, said = INVALID[case]
    data, shapes = write_case(tmp_path, pattern, flags, "abc")
    done = validate(data, shapes, ENGINE_PATHS[engine])
    assert done.returncode == 2, done.stdout + done.stderr
    error = done.stderr
    assert said in error
    assert "the property shape (sh:path <http://example.org/name>) of shape " \
           "<http://example.org/NameShape>" in error
    assert "Traceback" not in error and "internal error" not in error
