"""Old import paths of 0.x, kept importable for one release (see CHANGELOG).

`import clustergraph.engine` still works: it warns (`DeprecationWarning`) and gives the module
that now holds the code, `clustergraph.query.session`. The aliases are a finder on
`sys.meta_path`, installed by `clustergraph/__init__.py`, so the old names need no files.

>>> import sys, warnings
>>> _ = sys.modules.pop("clustergraph.engine", None)  # as on a first import
>>> with warnings.catch_warnings(record=True) as caught:
...     warnings.simplefilter("always")
...     import clustergraph.engine as old
>>> import clustergraph.query.session as new
>>> old is new, caught[0].category.__name__
(True, 'DeprecationWarning')
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import warnings
from collections.abc import Sequence
from types import ModuleType
from typing import Any

__all__ = ["MOVED", "install"]

#: Old module -> the module that holds its code now (removed in the release after 0.9).
MOVED: dict[str, str] = {
    "clustergraph.namespaces": "clustergraph.vocab",
    "clustergraph.xsd": "clustergraph.vocab",
    "clustergraph.paths": "clustergraph.files.paths",
    "clustergraph.load": "clustergraph.files.load",
    "clustergraph.locate": "clustergraph.files.locate",
    "clustergraph.revisions": "clustergraph.files.revisions",
    "clustergraph.atomic": "clustergraph.files.atomic",
    "clustergraph.digest": "clustergraph.http.digest",
    "clustergraph.queries": "clustergraph.query.catalogue",
    "clustergraph.query_parameters": "clustergraph.query.parameters",
    "clustergraph.query_safety": "clustergraph.query.safety",
    "clustergraph.sparql_lexer": "clustergraph.query.lexer",
    "clustergraph.engine": "clustergraph.query.session",
    "clustergraph.remote": "clustergraph.query.remote",
    "clustergraph.results": "clustergraph.query.results",
    "clustergraph.report": "clustergraph.validation.formats",
    "clustergraph.incremental": "clustergraph.validation.incremental.run",
    "clustergraph.incremental_cache": "clustergraph.validation.incremental.cache",
    "clustergraph.incremental_delta": "clustergraph.validation.incremental.delta",
    "clustergraph.incremental_lines": "clustergraph.validation.incremental.lines",
    "clustergraph.incremental_report": "clustergraph.validation.incremental.report",
    "clustergraph.dependencies": "clustergraph.validation.incremental.dependencies",
    "clustergraph.validation.engines": "clustergraph.validation.backends",
    "clustergraph.validation.triples": "clustergraph.validation.index",
    "clustergraph.dataset": "clustergraph.export.description",
    "clustergraph.site.views_kinds": "clustergraph.site.views.kinds",
    "clustergraph.site.views_resource": "clustergraph.site.views.resource",
    "clustergraph.site.views_site": "clustergraph.site.views.site_pages",
}


class _AliasLoader:
    """Loads an old name as the new module itself (one module object, one state). The import
    system's loader protocol, without `importlib.abc`'s base class (~10 ms to import, python -X
    importtime, on every command's start)."""

    def __init__(self, new: str) -> None:
        self.new = new

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        warnings.warn(f"{spec.name} is deprecated: import {self.new} instead",
                      DeprecationWarning, stacklevel=2)
        return importlib.import_module(self.new)

    def exec_module(self, module: ModuleType) -> None:
        """Nothing to run: the new module is already imported."""


class _AliasFinder:
    """Finds the old module names of `MOVED`, and only those."""

    def find_spec(self, fullname: str, path: Sequence[str] | None = None,
                  target: Any = None) -> importlib.machinery.ModuleSpec | None:
        new = MOVED.get(fullname)
        if new is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(new))


def install() -> None:
    """Put the alias finder on `sys.meta_path` once, first: `clustergraph/queries/` (the stored
    queries' folder) would otherwise be found as a namespace package named like the old module."""
    if not any(isinstance(finder, _AliasFinder) for finder in sys.meta_path):
        sys.meta_path.insert(0, _AliasFinder())
