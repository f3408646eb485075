"""A newcomer's journey in a real browser: open the query page, run a stored query in YASGUI and
see the table, search "Jubail" and read the cluster's page.

Debian's Chromium (/usr/bin/chromium, installed by .ci/run) driven by Playwright (PyPI, the test
extra) against `clustergraph serve` on a free loopback port, and against the app mounted at /kg
in another application. The page must load nothing from another host or from outside the
mount point, and log no error.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from support.serve_support import mounted, served  # noqa: F401

pytestmark = pytest.mark.slow  # chromium and a running `clustergraph serve`

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(params=["served", "mounted"])
def base(request: pytest.FixtureRequest) -> str:
    """Where the app is: `clustergraph serve`'s root, or /kg of an app that mounts it."""
    return request.getfixturevalue(request.param).url


@pytest.fixture
def page(browser, base: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.problems = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.problems.append(f"console: {m.text}"))
    page.on("pageerror", lambda e: page.problems.append(f"exception: {e}"))
    page.on("requestfailed", lambda r: page.problems.append(f"failed: {r.url}"))
    page.on("response", lambda r: r.status >= 400 and page.problems.append(f"{r.status}: {r.url}"))
    page.on("request", lambda r: not r.url.startswith(base + "/") and not r.url.startswith("data:")
            and page.problems.append(f"off-site: {r.url}"))
    try:
        yield page
    finally:
        context.close()


def test_run_a_stored_query_in_yasgui_and_see_the_table(page, base: str) -> None:
    page.goto(base + "/")
    page.wait_for_selector("#example[data-loaded='true']", state="attached")
    page.select_option("#example", "members-as-of")
    assert "members" in page.inner_text("#example-summary").lower()
    page.wait_for_function("document.querySelector('.CodeMirror').CodeMirror.getValue()"
                           ".includes('2025-01-31')")
    page.click(".yasqe_queryButton")
    page.wait_for_selector(".yasr table tbody tr")
    table = page.inner_text(".yasr table")
    assert "Jubail Industrial City" in table
    assert "Zero Carbon Humber" in table
    assert page.problems == []  # type: ignore[attr-defined]


def test_search_jubail_and_open_the_cluster_page(page, base: str) -> None:
    page.goto(base + "/")
    page.fill("#search-box", "Jubail")
    link = page.locator("#search-results a", has_text="Jubail Industrial City")
    link.wait_for()
    link.click()
    page.wait_for_url(base + "/id/cluster/jubail-industrial-city")
    assert page.inner_text("h1").strip() == "Jubail Industrial City"
    assert "Saudi Arabia" in page.inner_text("main")
    page.get_by_role("link", name="Saudi Arabia").first.click()
    page.wait_for_url(base + "/id/country/SA")
    assert "Jubail Industrial City" in page.inner_text("main")
    assert page.problems == []  # type: ignore[attr-defined]
