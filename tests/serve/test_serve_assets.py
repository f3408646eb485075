"""The query page's YASGUI is vendored in the package, unchanged from npm's @zazuko/yasgui."""

from __future__ import annotations

import json

import pytest

VENDORED = ("yasgui.min.js", "yasgui.min.css")


def test_the_vendored_yasgui_equals_the_copy_in_node_modules(repo_root) -> None:
    package = repo_root / "node_modules" / "@zazuko" / "yasgui"
    if not package.exists():
        pytest.fail(f"run `npm ci` in {repo_root}: package.json lists @zazuko/yasgui")
    vendor = repo_root / "src" / "clustergraph" / "site_assets" / "vendor" / "yasgui"
    for name in VENDORED:
        assert (vendor / name).read_bytes() == (package / "build" / name).read_bytes(), (
            f"{name} differs from node_modules: refresh it as vendor/yasgui/README.md says")
    version = json.loads((package / "package.json").read_text())["version"]
    assert f"@zazuko/yasgui](https://github.com/rdfjs/Yasgui) {version}," in (vendor / "README.md").read_text()
    assert f"`@zazuko/yasgui` {version}" in (vendor / "LICENSE.md").read_text()


def test_the_vendored_files_are_in_the_installed_package() -> None:
    from clustergraph.serve.pages import yasgui_dir

    for name in (*VENDORED, "LICENSE.md"):
        assert (yasgui_dir() / name).stat().st_size > 0
