"""Is the user editing a checkout whose data the installed package does not hold?

A contributor who installed the package from a checkout without `-e` and then edits
`data/clusters.ttl` would validate the installed copy, not the file they edited: `clustergraph
validate` with no PATHS checks the data inside the package. `edited_checkout` finds the
checkout the current folder is in and the files in which it differs from the installed
package, so the command can say so and name the command that checks the edited copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from clustergraph.files.paths import package_root

__all__ = ["CheckoutCopy", "edited_checkout"]

#: The folders a checkout shares with the installed package, and the files compared in them.
_SHARED = ("data", "ontology")
_SUFFIXES = (".ttl", ".jsonld")
#: How many folders up from the current one a checkout's root is looked for.
_MAX_DEPTH = 32


@dataclass(frozen=True)
class CheckoutCopy:
    """A checkout whose shipped folders differ from the installed package's."""

    checkout: Path
    """The checkout's root (the folder of its pyproject.toml)."""
    installed: Path
    """The installed package's folder, which holds the copy `clustergraph` uses by default."""
    changed: tuple[str, ...]
    """The files that differ or are in one copy only, as `data/clusters.ttl`."""

    def warning(self) -> str:
        """What to tell the user, in a few lines naming both copies and what to run."""
        shown = ", ".join(self.changed[:5]) + (", …" if len(self.changed) > 5 else "")
        return (f"this checkout ({self.checkout}) differs from the installed package "
                f"({self.installed}) in {shown}.\n"
                "Without PATHS, `clustergraph validate` checks the installed copy, not the files "
                "you edited. Validate the checkout's copy with\n"
                "    clustergraph validate data --ontology ontology/clustergraph.ttl "
                "--shapes ontology/shapes.ttl\n"
                "from its root, or install it editable (pip install -e .) so that the package "
                "is the checkout.")


def _checkout_root(folder: Path) -> Path | None:
    for candidate in [folder, *folder.parents][:_MAX_DEPTH]:
        pyproject = candidate / "pyproject.toml"
        if all((candidate / name).is_dir() for name in _SHARED) and pyproject.is_file():
            try:
                head = pyproject.read_text(encoding="utf-8", errors="replace")[:4096]
            except OSError:
                return None
            return candidate if 'name = "clustergraph"' in head else None
    return None


def _files(folder: Path) -> dict[str, Path]:
    try:
        return {p.name: p for p in folder.iterdir() if p.suffix in _SUFFIXES and p.is_file()}
    except OSError:
        return {}


def edited_checkout(folder: Path | str | None = None) -> CheckoutCopy | None:
    """The checkout `folder` (default: the current folder) is in, if its `data/` or `ontology/`
    differ from the installed package's; None outside a checkout, or when the package is that
    checkout (an editable install) or holds the same files."""
    root = _checkout_root(Path.cwd() if folder is None else Path(folder).absolute())
    installed = package_root()
    if root is None or all((root / n).resolve() == (installed / n).resolve() for n in _SHARED):
        return None
    changed = []
    for name in _SHARED:
        mine, theirs = _files(root / name), _files(installed / name)
        for file in sorted(mine.keys() | theirs.keys()):
            if file not in mine or file not in theirs or mine[file].read_bytes() != theirs[file].read_bytes():
                changed.append(f"{name}/{file}")
    return CheckoutCopy(root, installed, tuple(changed)) if changed else None
