"""The single source of clustergraph's version."""

__version__ = "0.1.0"
