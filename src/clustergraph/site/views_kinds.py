"""Purpose-built resource pages, one builder per kind (filled in below)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from clustergraph.site.render import PageRenderer

BUILDERS: dict[str, Callable[[PageRenderer, str], dict[str, Any]]] = {}


def applies(r: PageRenderer, kind: str, iri: str) -> bool:
    return False
