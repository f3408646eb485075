"""Every `>>>` example in the package's docstrings runs, as pyoxigraph's `test_doc.py` runs its
own: an example that no longer matches the code fails here."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import clustergraph


def _module_names() -> list[str]:
    names = ["clustergraph"]
    for info in pkgutil.walk_packages(clustergraph.__path__, "clustergraph."):
        if not info.name.endswith("__main__"):  # running it would run the command
            names.append(info.name)
    return sorted(names)


def test_the_package_has_examples() -> None:
    """The runner below finds the examples (a runner that finds none would pass silently)."""
    finder = doctest.DocTestFinder()
    found = sum(len(t.examples) for name in _module_names()
                for t in finder.find(importlib.import_module(name)))
    assert found >= 25


@pytest.mark.parametrize("name", _module_names())
def test_examples_run(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE,
                             report=True, verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples in {name} failed (see above)"
