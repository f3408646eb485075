"""Where the shipped files are, found through the installed package (no rdflib import here)."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "package_root",
    "ontology_dir",
    "data_dir",
    "queries_dir",
    "ontology_file",
    "shapes_file",
    "context_file",
    "data_files",
    "query_files",
    "shipped_name",
]


def package_root() -> Path:
    """The installed package folder (the shipped folders live inside it): this module's parent's, as
    `importlib.resources.files("clustergraph")` gives it for a package on disk (without
    importing `importlib.resources` and `zipfile` at every start)."""
    return Path(__file__).parent.parent


def ontology_dir() -> Path:
    """The shipped `ontology/` folder (the ontology, the shapes, the JSON-LD context)."""
    return package_root() / "ontology"


def data_dir() -> Path:
    """The shipped `data/` folder."""
    return package_root() / "data"


def queries_dir() -> Path:
    """The shipped `queries/` folder of stored queries."""
    return package_root() / "queries"


def ontology_file() -> Path:
    """The OWL ontology, `ontology/clustergraph.ttl`."""
    return ontology_dir() / "clustergraph.ttl"


def shapes_file() -> Path:
    """The SHACL shapes, `ontology/shapes.ttl`."""
    return ontology_dir() / "shapes.ttl"


def context_file() -> Path:
    """The JSON-LD context, `ontology/context.jsonld`."""
    return ontology_dir() / "context.jsonld"


def data_files() -> list[Path]:
    """The shipped data files, `data/*.ttl`, in a stable order."""
    return sorted(data_dir().glob("*.ttl"))


def query_files() -> list[Path]:
    """The stored queries, `queries/*.rq`, in a stable order."""
    return sorted(queries_dir().glob("*.rq"))


def shipped_name(path: Path | str) -> str | None:
    """`data/clusters.ttl` for a file shipped in the package (`ontology/`, `data/`, `queries/`),
    the same for an editable and a regular install; None for any other file."""
    absolute = Path(path).absolute()
    for folder in (ontology_dir(), data_dir(), queries_dir()):
        # as the package names it, or resolved (an editable install links to the checkout)
        if absolute.parent in (folder, folder.resolve()):
            return f"{folder.name}/{absolute.name}"
    return None
