"""The data core must stay usable without Textual (CLI, scripts, other front ends)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_layer_contracts_hold() -> None:
    """The import-linter contracts in pyproject.toml ([tool.importlinter]): the data core
    imports no Textual, Rich or UI layer, widgets no screens, the app and the UI neither
    the CLI nor the launch; direct, lazy and indirect imports all count. `.ci/run` runs
    `lint-imports` too."""
    pytest.importorskip("importlinter", reason="import-linter comes with the dev extra")
    code = (
        "import sys; from importlinter.cli import lint_imports;"
        "sys.exit(lint_imports(no_cache=True, no_logo=True))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_importing_the_data_core_loads_no_textual_and_opens_no_database() -> None:
    code = (
        "import sys, hwtui.data.services.caseload, hwtui.data.services.reviews, "
        "hwtui.data.migrate, hwtui.data.demo;"
        "import sqlalchemy.pool as p;"
        "assert 'textual' not in sys.modules, 'textual imported';"
        "print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"


def test_screens_do_not_build_sql() -> None:
    ui = ROOT / "hwtui"
    for folder in ("screens", "widgets"):
        for path in (ui / folder).rglob("*.py"):
            imported = _imports(path)
            assert not {n for n in imported if n.startswith(("sqlalchemy", "sqlmodel"))}, path
