"""`build_site(out)`: write the static site, refusing any folder it might lose files in.

The site is built in a temporary folder beside OUT and swapped in whole (`atomic_directory`):
readers see the previous build or the new one, and a failure or Ctrl-C leaves no temporary
folder. Every build writes a manifest (`.clustergraph-site.json`) listing the files it wrote; an
existing OUT is replaced only if it is empty or a previous build holding nothing but what its
manifest lists. OUT may not be, nor contain, the current folder or a folder of the source files.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clustergraph.errors import InputError
from clustergraph.export import (
    FORMATS,
    build_export_graph,
    export_all,
    load_context,
    resource_triples,
    serialize_triples,
)
from clustergraph.export.description import DATASET_IRI, describe
from clustergraph.files import paths
from clustergraph.files.atomic import atomic_directory, refuse_other_than_folder
from clustergraph.files.load import GraphSources
from clustergraph.site.htaccess import htaccess, w3id_rules
from clustergraph.site.render import PageRenderer

__all__ = ["MANIFEST", "SiteResult", "build_site", "check_output_folder"]

#: The file that marks a folder as a site build, listing every file the build wrote.
MANIFEST = ".clustergraph-site.json"
MANIFEST_FORMAT = "clustergraph-site/1"


@dataclass
class SiteResult:
    """What `build_site` wrote."""

    out: Path
    pages: int
    resources: int
    files: int


def build_site(
    out: Path | str,
    *,
    include: Iterable[str] | str = ("ontology", "data"),
    data: GraphSources | Sequence[Path | str] | None = None,
    graph: Any = None,
    host_url: str = "https://clustergraph.github.io/clustergraph/",
    endpoint: str | None = None,
    downloads: bool = True,
) -> SiteResult:
    """Build the static site into `out` (replaced whole, atomically).

    `host_url`: where the site will be served; the w3id rules redirect there.
    `endpoint`: a SPARQL endpoint serving the graph, named in the dataset description.
    `downloads`: also write every export format into `downloads/`. `data`: `GraphSources`, or
    data files instead of the shipped data.
    Raises InputError for a folder the build must not replace (see `check_output_folder`).
    Returns a `SiteResult`.

    >>> import tempfile
    >>> graph = build_export_graph("ontology")  # the ontology alone: a small site, built quickly
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     result = build_site(Path(tmp) / "site", graph=graph, downloads=False)
    ...     home = (result.out / "index.html").read_text(encoding="utf-8")
    ...     print(result.out.name, result.pages > 0, (result.out / MANIFEST).is_file())
    site True True
    >>> home.startswith("<!DOCTYPE html>")
    True
    """
    shown = str(out)  # as the user typed it, for messages
    out = Path(out)
    given = data.data if isinstance(data, GraphSources) else data or ()
    check_output_folder(out, sources=[Path(p) for p in given], shown=shown)
    eg = graph if graph is not None else build_export_graph(include, data=data)
    if not host_url.endswith("/"):
        host_url += "/"
    try:
        with atomic_directory(out) as tmp:
            try:
                result = _write_site(tmp, eg, host_url=host_url, endpoint=endpoint, downloads=downloads)
            except InputError as exc:  # about a file of the build (no space left...): named in OUT
                raise InputError(str(exc).replace(str(tmp), shown.rstrip("/"))) from exc
    except PermissionError as exc:
        raise InputError(f"{shown}: cannot write the site there: permission denied ({exc.filename})") from exc
    except OSError as exc:
        if exc.errno is None:
            raise
        raise InputError(f"{shown}: cannot write the site there: {exc.strerror}") from exc
    result.out = out
    return result


def check_output_folder(out: Path, *, sources: Sequence[Path] = (), shown: str | None = None) -> None:
    """Refuse an OUT the build could lose files in, with the reason (InputError, exit code 2).

    `shown`: the folder as the user typed it, for the message (default: `out`).
    """
    shown = shown if shown is not None else str(out)
    target = out.resolve()
    protected = [(Path.cwd().resolve(), "the current folder"), (paths.package_root().resolve(), "the installed package")]
    protected += [(s.resolve().parent, f"the folder of {s}") for s in sources]
    for folder, what in protected:
        if folder == target or target in folder.parents:
            raise InputError(f"{shown}: refusing to build the site there: it is or contains {what} "
                             f"({folder}); choose a new folder such as site/")
    refuse_other_than_folder(out)  # a link to a folder, a file, a device, a FIFO, a socket
    if not out.exists() or not any(out.iterdir()):
        return
    listed = _manifest_files(out)
    if listed is None:
        raise InputError(f"{shown}: refusing to replace a folder that is not empty and is not a site built by "
                         f"clustergraph (it has no {MANIFEST}); choose a new or empty folder")
    present = {p.relative_to(out).as_posix() for p in out.rglob("*") if not p.is_dir() or p.is_symlink()}
    foreign = sorted(present - listed - {MANIFEST})
    if foreign:
        listing = ", ".join(foreign[:5]) + (f" and {len(foreign) - 5} more" if len(foreign) > 5 else "")
        raise InputError(f"{shown}: refusing to replace this site build: it holds files the build did not "
                         f"write ({listing}); move them elsewhere first")


def _manifest_files(out: Path) -> set[str] | None:
    """The files a previous build's manifest lists, or None if `out` has no readable manifest."""
    try:
        doc = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != MANIFEST_FORMAT or not isinstance(doc.get("files"), list):
        return None
    return {f for f in doc["files"] if isinstance(f, str)}


class _Writer:
    """Writes the site's files under one folder and remembers each one for the manifest."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.written: list[str] = []

    def write(self, rel_path: str, content: str | bytes) -> None:
        """Write `content` (text as UTF-8) to `rel_path` under the root, folders created."""
        path = self.root / rel_path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
        self.written.append(rel_path)

    def page(self, folder: str, html: str) -> None:
        """Write a page as `index.html` in `folder` ("" for the home page)."""
        self.write(f"{folder}/index.html" if folder else "index.html", html)

    def adopt(self, paths: Iterable[Path]) -> None:
        """Record files written by someone else (the exporter) under the root."""
        self.written.extend(p.relative_to(self.root).as_posix() for p in paths)

    def manifest(self) -> None:
        """Write the manifest (`MANIFEST`) listing every file written."""
        doc = {"format": MANIFEST_FORMAT, "files": sorted(set(self.written))}
        self.write(MANIFEST, json.dumps(doc, indent=0) + "\n")


def _write_site(root: Path, eg: Any, *, host_url: str, endpoint: str | None, downloads: bool) -> SiteResult:
    pages = PageRenderer(eg, downloads=True, endpoint=endpoint)
    out = _Writer(root)
    for rel_path, content in sorted(pages.assets().items()):
        out.write(rel_path, content)

    sizes: dict[str, int] = {}
    if downloads:
        exported = export_all(root / "downloads", graph=eg, endpoint=endpoint)
        sizes = dict(exported.sizes)
        out.adopt(p for p in (root / "downloads").rglob("*") if p.is_file())
    context = load_context()
    for iri in pages.resources:
        folder = pages.path_of(iri)
        assert folder is not None
        own = resource_triples(eg, iri)
        out.write(f"{folder}/index.ttl", serialize_triples(own, "turtle"))
        out.write(f"{folder}/index.jsonld", serialize_triples(own, "jsonld", context=context))
        out.page(folder, pages.render(iri) or "")

    if DATASET_IRI not in pages.resources:
        distributions = {f: (f"clustergraph{FORMATS[f].suffix}", n) for f, n in sizes.items()}
        description = describe(eg, distributions=distributions, endpoint=endpoint)
        pages.dataset_triples = description
        folder = "id/dataset/clustergraph"
        out.write(f"{folder}/index.ttl", serialize_triples(description, "turtle"))
        out.write(f"{folder}/index.jsonld", serialize_triples(description, "jsonld", context=context))
        out.page(folder, pages.render(DATASET_IRI) or "")

    for kind in sorted(pages.kinds):
        out.page(f"id/{kind}", pages.render_index(kind) or "")
    out.page("map", pages.render_map())
    out.write("ontology/index.ttl", paths.ontology_file().read_bytes())
    out.write("ontology/index.jsonld", serialize_triples(pages.onto_graph.triples(), "jsonld"))
    out.page("ontology", pages.render_ontology(shapes=paths.shapes_file().exists()))
    out.page("downloads", pages.render_downloads(sizes))
    out.page("", pages.render_home(triples=len(eg)))
    out.write("404.html", pages.render_not_found())
    out.write("search.json", pages.search_index_json())
    out.write(".htaccess", htaccess())
    out.write("w3id.htaccess", w3id_rules(host_url))
    out.write(".nojekyll", "")
    out.manifest()
    page_count = sum(1 for p in out.written if p.endswith("index.html"))
    return SiteResult(out=root, pages=page_count, resources=len(pages.resources), files=len(set(out.written)))
