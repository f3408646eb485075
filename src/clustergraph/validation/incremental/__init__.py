"""Incremental validation: judge only what changed since a git revision, against a kept base."""

from __future__ import annotations

from clustergraph.validation.incremental.run import validate_changed_since

__all__ = ["validate_changed_since"]
