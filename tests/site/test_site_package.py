"""The site's templates and assets ship inside the wheel, so `clustergraph site` works installed."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest


@pytest.mark.slow
def test_the_wheel_holds_every_template_and_asset(repo_root: Path, tmp_path: Path) -> None:
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(tmp_path), str(repo_root)],
                   check=True, capture_output=True, text=True)
    (wheel,) = tmp_path.glob("clustergraph-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    package = repo_root / "src" / "clustergraph"
    needed = [p for folder in ("site/templates", "site_assets") for p in (package / folder).rglob("*") if p.is_file()]
    assert len(needed) > 15
    missing = [p.relative_to(package.parent).as_posix() for p in needed
               if p.relative_to(package.parent).as_posix() not in names]
    assert not missing, f"not in the wheel: {missing}"
    requires = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    assert "requires-dist: jinja2>=3.1" in requires.lower()
