"""The pages: `/` (the query page), `/id/...` (every resource, content-negotiated), `/void`,
the site's other pages and the assets.

`/id/{kind}/{slug}` answers HTML to browsers (the site's renderer, `clustergraph.site`) and
Turtle, JSON-LD, N-Triples or RDF/XML to machines (`clustergraph.export.resource_triples`,
written by `clustergraph.serve.writers`: JSON-LD with its context embedded, so it reads
offline), by `Accept` or `?format=html|ttl|jsonld|nt|rdf`; `/id/{kind}`
is the index of a kind. Pages are rendered once per resource and kept: the graph never changes
while the server runs.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyoxigraph as ox
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from clustergraph.export.description import DATASET_IRI
from clustergraph.files import paths
from clustergraph.serve.cache import AnswerCache
from clustergraph.serve.negotiation import GRAPH_OFFERS, HTML_OFFERS, choose
from clustergraph.serve.responses import ProblemError, mount_root, negotiate
from clustergraph.serve.search import NameSearch
from clustergraph.serve.writers import write_triples
from clustergraph.site import LinkStyle, PageRenderer
from clustergraph.vocab import ID_NS

if TYPE_CHECKING:
    from clustergraph.serve.graph import ServedGraph

__all__ = ["Pages", "query_page", "resource", "site_file", "static_file", "void", "yasgui_file"]

#: Machines first: `Accept: */*` gets Turtle; a browser asks for text/html by name.
RESOURCE_OFFERS = (*GRAPH_OFFERS, *HTML_OFFERS)
STATIC_DIR = Path(__file__).with_name("static")
_STATIC_FILES = {"index.html", "query.js", "query.css"}
_YASGUI_FILES = {"yasgui.min.js", "yasgui.min.css", "LICENSE.md", "README.md"}
_TEXT_TYPES = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
               ".html": "text/html; charset=utf-8", ".md": "text/markdown; charset=utf-8",
               ".svg": "image/svg+xml", ".ico": "image/x-icon", ".json": "application/json",
               ".png": "image/png"}
_CACHE = {"Cache-Control": "public, max-age=3600"}


def yasgui_dir() -> Path:
    """The vendored YASGUI inside the installed package."""
    return paths.package_root() / "site_assets" / "vendor" / "yasgui"


class Pages:
    """The HTML pages of the served graph (rendered on first request, then kept)."""

    def __init__(self, graph: ServedGraph) -> None:
        self.graph = graph
        self._html: dict[str, str] = {}
        self._lock = threading.Lock()
        self._rdf: AnswerCache[bytes] = AnswerCache()

    def resource_rdf(self, iri: str, fmt: str) -> bytes | None:
        """One resource in an RDF format, as the export writes it (None: no such resource)."""
        body = self._rdf.get((iri, fmt))
        if body is None:
            triples = self.graph.resource(iri)
            if not triples:
                return None
            body = write_triples(fmt, triples)
            self._rdf.put((iri, fmt), body, len(body))
        return body

    @cached_property
    def renderer(self) -> Any:
        """The site's page renderer over the served graph, linking as a server does."""
        return PageRenderer(self.graph.graph, links=LinkStyle.server())

    @cached_property
    def assets(self) -> dict[str, bytes]:
        """The files the pages link to (style sheet, icons, world map), by site path."""
        return dict(self.renderer.assets())

    @cached_property
    def search(self) -> NameSearch:
        """The name search over the site's search index (clusters, organisations, people,
        technologies)."""
        entries = self.renderer.search_index()
        labels = {e["iri"]: self.renderer.idx.label(e["iri"]) for e in entries}
        return NameSearch(entries, labels)

    def _cached(self, key: str, render: Any) -> str | None:
        # One page at a time (the renderer is not made for threads); each page is rendered
        # once. Misses are not kept, so asking for made-up IRIs cannot fill the memory.
        with self._lock:
            page = self._html.get(key)
            if page is None:
                page = render()
                if page is not None:
                    self._html[key] = page
            return page

    def kept_html(self, iri: str) -> str | None:
        """A resource's page if it has been rendered and kept (a look-up, no rendering: cheap
        enough for the event loop)."""
        return self._html.get(iri) if iri != DATASET_IRI else None

    def resource_html(self, iri: str, endpoint: str) -> str | None:
        """A resource's page; the dataset's names `endpoint` (this server's /sparql, as the
        client addressed it), so it is rendered each time rather than kept."""
        if iri != DATASET_IRI:
            return self._cached(iri, lambda: self.renderer.render(iri))
        with self._lock:
            self.renderer.dataset_triples = self.graph.description(endpoint)
            try:
                return self.renderer.render(iri)
            finally:
                self.renderer.dataset_triples = None

    def index_html(self, kind: str) -> str | None:
        """The index page of one kind of resource (None for an unknown kind), kept."""
        return self._cached("index:" + kind, lambda: self.renderer.render_index(kind))

    def named_page(self, name: str) -> str | None:
        """The page "map" or "ontology" (None for any other name), kept."""
        renderers = {"map": "render_map", "ontology": "render_ontology"}
        if name not in renderers:
            return None
        return self._cached("page:" + name, getattr(self.renderer, renderers[name]))

    def not_found_html(self) -> str:
        """The "not found" page, kept."""
        return self._cached("page:404", self.renderer.render_not_found) or ""


def _pages(request: Request) -> Pages:
    return request.app.state.server.pages


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept") or ""
    return "text/html" in accept and choose(accept, (*HTML_OFFERS, *GRAPH_OFFERS)) in HTML_OFFERS


async def _not_found(request: Request, message: str) -> Response:
    if _wants_html(request):
        html = await run_in_threadpool(_pages(request).not_found_html)
        return HTMLResponse(html, status_code=404)
    raise ProblemError(404, message)


async def resource(request: Request) -> Response:
    """One resource (`/id/kind/slug`) or the index of a kind (`/id/kind`)."""
    pages = _pages(request)
    path = request.path_params["path"]
    if path.endswith("/") and path.strip("/"):
        # Pages link relatively from their own address, which has no slash at the end.
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(request.url.path.rstrip("/") + query, status_code=308)
    path = path.strip("/")
    if "/" not in path:
        html = await run_in_threadpool(pages.index_html, path) if path else None
        if html is None:
            return await _not_found(request, f"no kind of resource named {path!r}")
        return HTMLResponse(html, headers=_CACHE)
    iri = ID_NS + path
    if not _is_iri(iri):  # a space, a quote, a brace, bytes that are not UTF-8...: no resource
        return await _not_found(request, f"no resource has the address /id/{path[:200]}")
    offer = negotiate(request, RESOURCE_OFFERS, "a resource")
    headers = {"Vary": "Accept", "Link": _alternates(request.url.path), **_CACHE}
    if offer.fmt == "html":
        html = pages.kept_html(iri)
        if html is None:
            endpoint = str(request.url_for("sparql_endpoint"))
            html = await run_in_threadpool(pages.resource_html, iri, endpoint)
        if html is None:
            return await _not_found(request, f"the graph has nothing about <{iri}>")
        return HTMLResponse(html, headers=headers)
    body = pages.resource_rdf(iri, offer.fmt)
    if body is None:
        return await _not_found(request, f"the graph has nothing about <{iri}>")
    return Response(body, media_type=offer.media_type, headers=headers)


def _is_iri(text: str) -> bool:
    try:
        ox.NamedNode(text)
    except ValueError:
        return False
    return True


def _alternates(path: str) -> str:
    return ", ".join(
        f'<{path}?format={ext}>; rel="alternate"; type="{media}"'
        for ext, media in (("ttl", "text/turtle"), ("jsonld", "application/ld+json"),
                           ("nt", "application/n-triples"), ("html", "text/html"))
    )


async def void(request: Request) -> Response:
    """The dataset description (VoID and DCAT) naming this server's /sparql; browsers are sent to
    the dataset's page."""
    pages = _pages(request)
    if _wants_html(request):
        return RedirectResponse(mount_root(request) + "/id/dataset/clustergraph", status_code=303)
    offer = negotiate(request, GRAPH_OFFERS, "the dataset description")
    triples = pages.graph.description(str(request.url_for("sparql_endpoint")))
    return Response(write_triples(offer.fmt, triples), media_type=offer.media_type,
                    headers={"Vary": "Accept"})


async def query_page(request: Request) -> Response:
    """`/`: the query page."""
    return FileResponse(STATIC_DIR / "index.html", media_type=_TEXT_TYPES[".html"])


def _file(folder: Path, name: str, allowed: set[str]) -> Response:
    if name not in allowed:
        raise ProblemError(404, "no such file")
    return FileResponse(folder / name, media_type=_TEXT_TYPES.get(Path(name).suffix),
                        headers=_CACHE)


async def static_file(request: Request) -> Response:
    """`/static/{name}`: the query page's script and style sheet."""
    return _file(STATIC_DIR, request.path_params["name"], _STATIC_FILES)


async def yasgui_file(request: Request) -> Response:
    """`/assets/yasgui/{name}`: the vendored YASGUI editor's files."""
    return _file(yasgui_dir(), request.path_params["name"], _YASGUI_FILES)


async def site_file(request: Request) -> Response:
    """The site's other pages (`/map`, `/ontology`) and assets (styles, the world map)."""
    pages = _pages(request)
    path = request.path_params["path"].strip("/")
    html = await run_in_threadpool(pages.named_page, path)
    if html is not None:
        return HTMLResponse(html, headers=_CACHE)
    data = pages.assets.get(path)
    if data is None:
        return await _not_found(request, "no such page")
    return Response(data, media_type=_TEXT_TYPES.get(Path(path).suffix, "application/octet-stream"),
                    headers=_CACHE)
