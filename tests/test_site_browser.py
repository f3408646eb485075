"""The built site in a real headless Chromium (Debian's /usr/bin/chromium, installed by .ci/run).

The browser is driven through the DevTools protocol over `--remote-debugging-pipe` (messages on
file descriptors 3 and 4, NUL-separated JSON): no websocket library, no Playwright browser
download, nothing but the Debian package. Pages are served by Python's http.server on a free
loopback port. For the home page, a cluster page and the map we check: no console errors, no
uncaught exceptions, no failed or 4xx/5xx requests, that the map draws, that every internal link
on the page answers 200; and we write a screenshot into the test's output folder.
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

from clustergraph.site import build_site


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
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    build_site(out)
    return out


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


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    folder = tmp_path_factory.mktemp("chromium")
    tools = DevTools(folder / "profile", folder / "chromium.log")
    try:
        tools.send("Browser.getVersion", timeout=60)
        yield tools
    finally:
        tools.close()


def _visit(browser: DevTools, url: str, screenshot: Path) -> dict[str, Any]:
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log", "Network"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Emulation.setDeviceMetricsOverride",
                 {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}, session=session)
    start = len(browser.events)
    browser.send("Page.navigate", {"url": url}, session=session)
    browser.wait_for("Page.loadEventFired", session)
    time.sleep(0.3)
    state = browser.send("Runtime.evaluate", {"returnByValue": True, "expression": """(() => ({
        title: document.title,
        links: Array.from(document.querySelectorAll('a[href]')).map(a =>
            typeof a.href === 'string' ? a.href : new URL(a.href.baseVal, document.baseURI).href),
        markers: document.querySelectorAll('figure.map svg circle').length,
        mapImages: Array.from(document.querySelectorAll('figure.map svg image')).map(i => i.href.baseVal),
        h1: (document.querySelector('h1') || {}).textContent,
        schema: Array.from(document.querySelectorAll('script[type="application/ld+json"]')).map(s => s.textContent),
    }))()"""}, session=session)["result"]["value"]
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    screenshot.write_bytes(base64.b64decode(shot["data"]))
    events = [e for e in browser.events[start:] if e.get("sessionId") == session]
    browser.send("Target.closeTarget", {"targetId": target})
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
            if not requested.startswith(url.split("/", 3)[0] + "//" + url.split("/", 3)[2]) and \
                    not requested.startswith("data:"):
                problems.append(f"request outside the site: {requested}")
    state["problems"] = problems
    return state


def _internal_links_answer_200(links: list[str], base: str) -> list[str]:
    bad = []
    for link in sorted(set(links)):
        if not link.startswith(base):
            continue
        target = link.split("#", 1)[0]
        try:
            with urllib.request.urlopen(target, timeout=10) as response:
                if response.status != 200:
                    bad.append(f"{target}: HTTP {response.status}")
        except urllib.error.HTTPError as exc:
            bad.append(f"{target}: HTTP {exc.code}")
    return bad


@pytest.mark.slow
@pytest.mark.parametrize("page,name", [("", "index"), ("id/cluster/jubail-industrial-city/", "cluster"),
                                       ("map/", "map")])
def test_page_renders_in_chromium_without_errors(browser: DevTools, site_server: str, page: str,
                                                  name: str, tmp_path: Path) -> None:
    screenshot = tmp_path / "screenshots" / f"{name}.png"
    state = _visit(browser, site_server + page, screenshot)
    assert state["problems"] == []
    assert state["title"].endswith("· clustergraph")
    assert screenshot.stat().st_size > 10_000 and screenshot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _internal_links_answer_200(state["links"], site_server) == []
    if name in ("index", "map"):
        assert state["markers"] >= 10, "the map shows the located clusters"
        assert state["mapImages"] and all(not h.startswith("http") for h in state["mapImages"])
    if name == "cluster":
        assert state["h1"] == "Jubail Industrial City"
        assert state["markers"] == 1
        (schema,) = state["schema"]
        doc = json.loads(schema)
        assert doc["@context"] == "https://schema.org" and doc["name"] == "Jubail Industrial City"
        assert "geo" in doc
    print(f"screenshot: {screenshot}")  # noqa: T201 - shown with -s / in the CI log


@pytest.mark.slow
def test_world_map_image_is_served_and_drawn(browser: DevTools, site_server: str, tmp_path: Path) -> None:
    state = _visit(browser, site_server + "assets/world.svg", tmp_path / "world.png")
    assert state["problems"] == []
    parsed = urllib.parse.urlsplit(site_server)
    assert parsed.hostname == "127.0.0.1"
