"""The package's shape, as docs/architecture.md describes it, kept so by rules: layers and no
cycles (import-linter's contracts in pyproject.toml), no private name used outside its module, a
small top level, modules of a readable size, and the old import paths working for one release."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from support.paths import REPO_ROOT

import clustergraph
from clustergraph.deprecated import MOVED

PACKAGE = Path(clustergraph.__file__).resolve().parent
REPO = REPO_ROOT
#: At the top level: modules and packages besides these (and the data folders, static assets).
NOT_COUNTED = {"__init__.py", "__main__.py", "version.py", "py.typed", "__pycache__",
               "data", "ontology", "queries", "site_assets"}
MAX_TOP_LEVEL = 16
MAX_MODULE_LINES = 600


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_import_contracts_are_kept() -> None:
    """`lint-imports` (the layers and acyclic contracts of pyproject.toml) passes."""
    run = subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports; sys.exit(lint_imports())"],
        cwd=REPO, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "0 broken" in run.stdout


def test_no_private_name_is_imported_from_another_module() -> None:
    """`from clustergraph.x import _name` is refused: make the name public, or keep the use inside."""
    found = []
    for path in [*_modules(), *sorted((REPO / "tests").rglob("*.py")), *sorted((REPO / "benchmarks").rglob("*.py"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("clustergraph"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.append(f"{path.relative_to(REPO)}:{node.lineno}: {node.module}.{alias.name}")
    assert not found, "private names imported from another module:\n" + "\n".join(found)


def test_the_top_level_is_small() -> None:
    top = sorted(p.name for p in PACKAGE.iterdir() if p.name not in NOT_COUNTED)
    assert len(top) <= MAX_TOP_LEVEL, f"{len(top)} modules and packages at the top: {top}"


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_a_module_stays_readable(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_MODULE_LINES, f"{path.name} has {lines} lines: split it by job"


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_import_path_still_works_and_warns(old: str) -> None:
    new = importlib.import_module(MOVED[old])
    sys.modules.pop(old, None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        module = importlib.import_module(old)
    assert module is new
    assert any(issubclass(w.category, DeprecationWarning) and MOVED[old] in str(w.message) for w in caught)


@pytest.mark.parametrize("name", clustergraph.__all__)
def test_a_public_name_means_one_thing_however_imported(name: str) -> None:
    """`cg.export` is the same object before and after `import clustergraph.export`."""
    first = getattr(clustergraph, name)
    importlib.import_module(f"clustergraph.{name}") if name in ("diff", "export", "publish") else None
    assert getattr(clustergraph, name) is first
    assert callable(first) or name == "__version__"


def _lazy_imports_without_reason(path: Path) -> list[str]:
    """Imports inside a function with no comment between the function's first line and theirs."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = []
    for function in ast.walk(ast.parse("\n".join(lines))):
        if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        for node in ast.walk(function):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and not any(
                    "#" in line for line in lines[function.lineno - 1:node.lineno]):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno}: {lines[node.lineno - 1].strip()}")
    return found


def test_an_import_inside_a_function_says_why() -> None:
    """Imports go at the top of a module; one kept inside a function (a heavy library off a
    command's start-up path, measured with `python -X importtime`) carries a comment saying so."""
    found = [line for path in _modules() for line in _lazy_imports_without_reason(path)]
    assert not found, "imports inside functions without a reason:\n" + "\n".join(found)


def _public_without_docstring(path: Path) -> list[str]:
    found = []

    def visit(node: ast.AST) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                    and not child.name.startswith("_"):
                if ast.get_docstring(child) is None:
                    found.append(f"{path.relative_to(PACKAGE)}:{child.lineno}: {child.name}")
                if isinstance(child, ast.ClassDef):
                    visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def test_every_public_function_and_class_has_a_docstring() -> None:
    found = [name for path in _modules() for name in _public_without_docstring(path)]
    assert not found, "public names without a docstring:\n" + "\n".join(found)
