"""Where the tests' data lives, whatever folder a test module sits in."""

from __future__ import annotations

from pathlib import Path

#: The tests/ folder.
TESTS = Path(__file__).resolve().parents[1]
#: The repository's top folder.
REPO_ROOT = TESTS.parent

#: Data folders of the tests, kept at the top of tests/.
BROKEN = TESTS / "broken"
COMPETENCY = TESTS / "competency"
GOLDEN = TESTS / "golden"
SHAPES = TESTS / "shapes"
VERIFY = TESTS / "verify"
W3C = TESTS / "w3c"
