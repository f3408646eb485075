"""The built site in a real headless Chromium (Debian's /usr/bin/chromium, installed by .ci/run).

The browser is driven through the DevTools protocol over `--remote-debugging-pipe` (messages on
file descriptors 3 and 4, NUL-separated JSON): no websocket library, no Playwright browser
download, nothing but the Debian package. The site is built by the command and opened twice:
from disk (file://) and from Python's http.server on a free loopback port. For a page of every
type we check: no console errors, no uncaught exceptions, no failed or 4xx/5xx requests, nothing
fetched from elsewhere, every internal link landing on a page (a file, never a folder or a
directory listing), that the page fits a 400 px wide screen; we write a screenshot into the
test's output folder.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import select
import shutil
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def chromium_binary() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    pytest.fail("Chromium is missing: apt-get install chromium (Debian's package)")


class DevTools:
    """A minimal DevTools-protocol client over Chromium's pipe transport."""

    def __init__(self, user_data_dir: Path, log_path: Path) -> None:
        args = [chromium_binary(), "--headless", "--no-sandbox", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--no-first-run",
                "--disable-extensions", "--disable-sync", "--mute-audio", "--hide-scrollbars",
                f"--user-data-dir={user_data_dir}", "--remote-debugging-pipe", "about:blank"]
        # Chromium reads commands on fd 3 and writes answers on fd 4: the shell moves our pipes there.
        self._log = open(log_path, "wb")  # noqa: SIM115 - closed in close()
        self.proc = subprocess.Popen(
            ["sh", "-c", 'exec "$0" "$@" 3<&0 4>&1 0</dev/null 1>/dev/null', *args],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=self._log)
        self._buffer = b""
        self._next = 0
        self.events: list[dict[str, Any]] = []

    def _read(self, deadline: float) -> dict[str, Any]:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([fd], [], [], left)
            if ready:
                chunk = os.read(fd, 1 << 20)
                if not chunk:
                    raise RuntimeError(f"Chromium exited (code {self.proc.poll()})")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
             timeout: float = 30.0) -> dict[str, Any]:
        assert self.proc.stdin is not None
        self._next += 1
        message: dict[str, Any] = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.proc.stdin.write(json.dumps(message).encode() + b"\0")
        self.proc.stdin.flush()
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read(deadline)
            if answer.get("id") == self._next:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                result: dict[str, Any] = answer.get("result", {})
                return result
            self.events.append(answer)

    def wait_for(self, method: str, session: str, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method and event.get("sessionId") == session:
                return event

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._log.close()



@pytest.fixture(scope="module")
def site_server(built_site: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(built_site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".ttl": "text/turtle", ".jsonld": "application/ld+json", ".svg": "image/svg+xml"}

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module", params=["file", "http"])
def origin(request: pytest.FixtureRequest, built_site: Path) -> str:
    """Where the site is opened: from disk, or from a local web server."""
    if request.param == "file":
        return built_site.as_uri() + "/"
    return request.getfixturevalue("site_server")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    folder = tmp_path_factory.mktemp("chromium")
    tools = DevTools(folder / "profile", folder / "chromium.log")
    try:
        tools.send("Browser.getVersion", timeout=60)
        yield tools
    finally:
        tools.close()


_STATE = """(() => ({
    title: document.title,
    links: Array.from(document.querySelectorAll('a[href]')).map(a =>
        typeof a.href === 'string' ? a.href : new URL(a.href.baseVal, document.baseURI).href),
    markers: document.querySelectorAll('figure.map svg circle').length,
    mapImages: Array.from(document.querySelectorAll('figure.map svg image')).map(i => i.href.baseVal),
    charts: document.querySelectorAll('figure.chart svg path').length,
    h1: (document.querySelector('h1') || {}).textContent,
    sections: Object.fromEntries(Array.from(document.querySelectorAll('h2')).map(h => {
        let text = '', n = h.nextElementSibling;
        while (n && n.tagName !== 'H2') { text += ' ' + n.innerText; n = n.nextElementSibling; }
        return [h.textContent.trim(), text.replace(/\\s+/g, ' ').trim()];
    })),
    schema: Array.from(document.querySelectorAll('script[type="application/ld+json"]')).map(s => s.textContent),
    listing: document.title.startsWith('Index of') || document.title.startsWith('Directory listing'),
    claimMarks: Array.from(document.querySelectorAll('main li sup.refs a, main dd sup.refs a, p.types sup.refs a'))
        .map(a => {
            const owner = a.closest('li, dd, p');
            const list = owner.closest('ul, ol, dl, p');
            const section = list ? list.previousElementSibling : null;
            return {section: section && section.tagName === 'H2' ? section.textContent.trim() : '',
                    text: owner.innerText.replace(/\[\d+\]/g, '').trim(), title: a.title,
                    target: (document.getElementById(a.hash.slice(1)) || {}).innerText || ''};
        }),
}))()"""


def _visit(browser: DevTools, url: str, screenshot: Path | None = None) -> dict[str, Any]:
    """Open `url` in a new tab; the page's state, its problems, and its width on a 400 px screen."""
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
    start = len(browser.events)
    browser.send("Page.navigate", {"url": url}, session=session)
    browser.wait_for("Page.loadEventFired", session)
    time.sleep(0.2)
    state = browser.send("Runtime.evaluate", {"returnByValue": True, "expression": _STATE},
                         session=session)["result"]["value"]
    if screenshot is not None:
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        screenshot.write_bytes(base64.b64decode(shot["data"]))
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 400, "height": 800, "deviceScaleFactor": 1, "mobile": True}, session=session)
    time.sleep(0.1)
    state["narrow_width"] = browser.send("Runtime.evaluate", {"returnByValue": True, "expression":
                                         "document.documentElement.scrollWidth"}, session=session)["result"]["value"]
    events = [e for e in browser.events[start:] if e.get("sessionId") == session]
    browser.send("Target.closeTarget", {"targetId": target})
    site_root = url[: url.index("/", url.index("//") + 2) + 1] if url.startswith("http") else _file_root(url)
    problems = []
    for e in events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.exceptionThrown":
            problems.append(f"exception: {params['exceptionDetails'].get('text')}")
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert", "warning"):
            problems.append(f"console.{params['type']}: {params.get('args')}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            problems.append(f"log {params['entry']['level']}: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        elif method == "Network.loadingFailed":
            problems.append(f"request failed: {params.get('errorText')}")
        elif method == "Network.responseReceived" and params["response"]["status"] >= 400:
            problems.append(f"HTTP {params['response']['status']}: {params['response']['url']}")
        elif method == "Network.requestWillBeSent":
            requested = params["request"]["url"]
            if not requested.startswith((site_root, "data:")):
                problems.append(f"request outside the site: {requested}")
    state["problems"] = problems
    return state


def _file_root(url: str) -> str:
    """The site's folder as a file:// URL prefix (the folder holding assets/)."""
    path = Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))
    for folder in (path, *path.parents):
        if (folder / "assets").is_dir() and (folder / ".clustergraph-site.json").is_file():
            return folder.as_uri() + "/"
    raise AssertionError(f"{url} is not inside a site build")


def _links_that_do_not_land_on_a_page(links: list[str], origin: str) -> list[str]:
    """Internal links that are missing, a folder, a directory listing or not 200."""
    bad = []
    for link in sorted(set(links)):
        if not link.startswith(origin):
            continue
        target = link.split("#", 1)[0]
        if origin.startswith("file:"):
            path = Path(urllib.parse.unquote(urllib.parse.urlsplit(target).path))
            if not path.is_file():
                bad.append(f"{target}: {'a folder' if path.is_dir() else 'missing'}")
            continue
        try:
            with urllib.request.urlopen(target, timeout=10) as response:
                body = response.read(4096)
                if response.status != 200:
                    bad.append(f"{target}: HTTP {response.status}")
                elif b"Directory listing for" in body:
                    bad.append(f"{target}: a directory listing")
        except urllib.error.HTTPError as exc:
            bad.append(f"{target}: HTTP {exc.code}")
    return bad


#: A page of every type: (address inside the site, name).
PAGES = [
    ("index.html", "home"),
    ("id/cluster/index.html", "cluster index"),
    ("id/technology/index.html", "technology tree"),
    ("id/cluster/dunkerque-dkarbonation/index.html", "cluster"),
    ("id/cluster/jubail-industrial-city/index.html", "cluster with people"),
    ("id/initiative/transitioning-industrial-clusters/index.html", "initiative"),
    ("id/country/SA/index.html", "country"),
    ("id/technology/hydrogen/index.html", "technology"),
    ("id/organization/royal-commission-for-jubail-and-yanbu/index.html", "organisation"),
    ("id/person/khalid-al-salem/index.html", "person"),
    ("id/source/zawya-jubail-first-in-middle-east/index.html", "generic"),
    ("id/dataset/clustergraph/index.html", "dataset"),
    ("map/index.html", "map"),
    ("ontology/index.html", "ontology"),
    ("downloads/index.html", "downloads"),
]


@pytest.mark.slow
@pytest.mark.parametrize("page,name", PAGES, ids=[name for _, name in PAGES])
def test_page_renders_links_to_pages_and_fits_a_phone(browser: DevTools, origin: str, page: str, name: str,
                                                      tmp_path: Path) -> None:
    screenshot = tmp_path / "screenshots" / f"{name.replace(' ', '-')}.png"
    state = _visit(browser, origin + page, screenshot)
    assert state["problems"] == []
    assert state["title"].endswith("· clustergraph") and not state["listing"]
    assert screenshot.stat().st_size > 10_000 and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _links_that_do_not_land_on_a_page(state["links"], origin) == []
    assert state["narrow_width"] <= 400, f"{name} is {state['narrow_width']} px wide on a 400 px screen"
    if name in ("home", "map"):
        assert state["markers"] >= 10, "the map shows the located clusters"
        assert state["mapImages"] and all(not h.startswith("http") for h in state["mapImages"])
    if name == "cluster with people":
        assert state["h1"] == "Jubail Industrial City"
        assert state["markers"] == 1
        (schema,) = state["schema"]
        doc = json.loads(schema)
        assert doc["@context"] == "https://schema.org" and doc["name"] == "Jubail Industrial City"
        assert "geo" in doc
    if name == "initiative":
        assert state["charts"] >= 4, "growth drawn as lines"
    print(f"screenshot: {screenshot}")  # noqa: T201 - shown with -s / in the CI log


@pytest.mark.slow
def test_cluster_page_shows_its_join_date_initiative_and_figures(browser: DevTools, origin: str) -> None:
    state = _visit(browser, origin + "id/cluster/dunkerque-dkarbonation/index.html")
    assert state["problems"] == []
    member_of = state["sections"]["Member of"]
    assert member_of.startswith("Transitioning Industrial Clusters since June 2023")
    assert "announced in Three clusters join, making 20 in 10 countries (January 2024)" in member_of
    figures = state["sections"]["Figures and targets"]
    for phrase in ("annual emissions", "16 million t", "emission reduction target", "55 %",
                   "target for 2030", "jobs supported", "20,000", "2030-2040"):
        assert phrase in figures
    assert origin + "id/initiative/transitioning-industrial-clusters/index.html" in state["links"]


@pytest.mark.slow
@pytest.mark.parametrize(("page", "claims"), [
    ("id/cluster/zero-carbon-humber/index.html", ("Technologies", "Organisations")),
    ("id/cluster/kwinana-industrial-area/index.html", ("Organisations", "People")),
    ("id/initiative/transitioning-industrial-clusters/index.html", ("",)),
    ("id/organization/drax/index.html", ("",)),
])
def test_each_claim_shows_its_own_sources_and_their_words(browser: DevTools, origin: str, page: str,
                                                           claims: tuple[str, ...]) -> None:
    """Every statement on the page carries its own source marks; hovering one shows that source's
    title and the words it says (or why no copy shows them), and the mark leads to the entry of
    the page's source list (#22)."""
    state = _visit(browser, origin + page)
    assert state["problems"] == []
    marks = [m for m in state["claimMarks"] if m["section"] in claims]
    assert marks, f"no claim on {page} carries its own source marks"
    for mark in marks:
        assert "“" in mark["title"] or "No stored copy" in mark["title"], mark
        source_title = mark["title"].split(": ")[0]
        assert source_title and source_title in mark["target"], mark


@pytest.mark.slow
def test_following_links_in_the_browser_opens_pages(browser: DevTools, origin: str) -> None:
    """Click through: home -> cluster index -> a cluster -> its country -> back to the home page."""
    state = _visit(browser, origin + "index.html")
    path = [origin + "id/cluster/index.html", origin + "id/cluster/jubail-industrial-city/index.html",
            origin + "id/country/SA/index.html", origin + "index.html"]
    for step in path:
        assert step in state["links"], f"{step} is not linked from {state['title']}"
        state = _visit(browser, step)
        assert state["problems"] == [] and not state["listing"]
        assert state["title"].endswith("· clustergraph")


@pytest.mark.slow
def test_world_map_image_is_served_and_drawn(browser: DevTools, site_server: str, tmp_path: Path) -> None:
    state = _visit(browser, site_server + "assets/world.svg", tmp_path / "world.png")
    assert state["problems"] == []
    parsed = urllib.parse.urlsplit(site_server)
    assert parsed.hostname == "127.0.0.1"
