"""hwtui leans on private parts of Textual (and one of plotext's), written for one Textual
release: these tests name them, so that another version fails here, saying which files to
re-check, rather than somewhere subtle (a snapshot, a slow link, a key in the wrong field).

To move to another Textual: read each file below against the new Textual source, run the
snapshots (`pytest tests/test_snapshots*.py`, look at any change) and the bench
(`python bench/run.py`), then change WRITTEN_FOR here and the pin in pyproject.toml.
"""

from __future__ import annotations

import ast
import dataclasses
import importlib
import tomllib
from importlib.metadata import version
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

# The Textual release the files below were written and checked against.
WRITTEN_FOR = "8.2.8"

# What each file uses that Textual (or plotext) does not promise to keep: module, object
# and the attributes on it; "()" after the object checks an instance (attributes set in
# __init__).
INTERNALS: dict[str, list[tuple[str, str, tuple[str, ...]]]] = {
    "hwtui/widgets/lean_table.py": [
        (
            "textual.widgets",
            "DataTable",
            (
                "_render_line",
                "_set_hover_cursor",
                "_update_dimensions",
                "_get_row_region",
                "_refresh_region",
                "_highlight_cursor",
                "check_idle",
            ),
        ),
        (
            "textual.widgets",
            "DataTable()",
            (
                "_show_hover_cursor",
                "_row_locations",
                "_data",
                "_new_rows",
                "_require_update_dimensions",
                "_update_count",
            ),
        ),
    ],
    "hwtui/widgets/task_list.py": [
        ("textual._widget_navigation", "find_next_enabled_no_wrap", ()),
    ],
    "hwtui/screens/client.py": [
        ("textual.screen", "Screen", ("_get_breakpoint_classes",)),
    ],
    "hwtui/app.py": [
        ("textual.app", "App", ("_fatal_error", "_close_messages_no_wait")),
        ("textual.app", "App()", ("_exit_renderables",)),
    ],
    "hwtui/widgets/progress_chart.py": [
        ("plotext._utility", "no_duplicates", ()),
    ],
    "bench/_inprocess.py": [
        ("textual._compositor", "CompositorUpdate", ()),
    ],
}

# Not a private name, but where Textual's behaviour is relied on as it is in this release:
# App.on_event routing a key to the focused widget as it is read (hwtui/key_order.py).
BEHAVIOUR = ("hwtui/key_order.py",)


def _files() -> str:
    return "\n".join(f"  {path}" for path in (*INTERNALS, *BEHAVIOUR))


def test_textual_is_the_version_hwtui_was_written_for() -> None:
    installed = version("textual")
    assert installed == WRITTEN_FOR, (
        f"textual {installed} is installed; hwtui's uses of Textual internals were written "
        f"for textual=={WRITTEN_FOR}. Re-check these files against textual {installed} "
        f"(see this test's docstring for how), then update WRITTEN_FOR here and the pin in "
        f"pyproject.toml:\n{_files()}"
    )


def test_pyproject_and_the_constraints_pin_that_version() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert f"textual=={WRITTEN_FOR}" in project["dependencies"], (
        f"pyproject.toml must pin textual=={WRITTEN_FOR} exactly (snapshots and the Textual "
        f"internals in these files depend on it):\n{_files()}"
    )
    pins = (ROOT / "constraints.txt").read_text().splitlines()
    assert f"textual=={WRITTEN_FOR}" in pins, f"constraints.txt must pin textual=={WRITTEN_FOR}"


def _resolve(module: str, name: str) -> object:
    target = getattr(importlib.import_module(module), name.removesuffix("()"))
    return target() if name.endswith("()") else target


@pytest.mark.parametrize("path", INTERNALS)
def test_the_private_names_hwtui_uses_still_exist(path: str) -> None:
    missing = []
    for module, name, attributes in INTERNALS[path]:
        try:
            target = _resolve(module, name)
        except (ImportError, AttributeError) as error:
            missing.append(f"{module}.{name} ({error})")
            continue
        missing += [f"{module}.{name}.{a}" for a in attributes if not hasattr(target, a)]
    assert not missing, (
        f"{path} uses names that are gone (Textual or plotext changed): re-check it.\n  "
        + "\n  ".join(missing)
    )


def test_lean_table_builds_rows_as_data_table_does() -> None:
    """LeanTable.add_keyed_rows builds Row(key, height, label, auto_height) by position."""
    from textual.widgets.data_table import Row

    fields = [field.name for field in dataclasses.fields(Row)]
    assert fields == ["key", "height", "label", "auto_height"], (
        f"textual's data_table.Row is now {fields}: re-check hwtui/widgets/lean_table.py"
    )


def test_the_plotext_patch_is_what_plotext_calls() -> None:
    """progress_chart.py replaces plotext._utility.no_duplicates (plotext's own set()
    reorders points); plotext must look it up on that module each time, so no other
    plotext module may hold a copy of its own."""
    import sys

    import plotext._utility as utility

    import hwtui.widgets.progress_chart  # noqa: F401  (applies the patch)

    assert utility.no_duplicates([3, 1, 3, 2, 1]) == [3, 1, 2], (
        "hwtui/widgets/progress_chart.py's plotext patch is not in place: re-check it"
    )
    copies = [
        name
        for name, module in list(sys.modules.items())
        if name.startswith("plotext.")
        and name != "plotext._utility"
        and hasattr(module, "no_duplicates")
    ]
    assert not copies, (
        f"plotext's {copies} hold their own no_duplicates, which the patch in "
        "hwtui/widgets/progress_chart.py does not reach: re-check it"
    )


def test_every_screen_uses_hwtuis_footer() -> None:
    """One Footer everywhere: hwtui/widgets/footer.py (rebuilt only when its keys change).
    Textual's, imported under the same name, would quietly bring the old cost back."""
    own = ROOT / "hwtui" / "widgets" / "footer.py"
    offenders = []
    for path in (ROOT / "hwtui").rglob("*.py"):
        if path == own:
            continue
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if (
                isinstance(node, ast.ImportFrom)
                and (node.module or "").startswith("textual.widgets")
                and any(alias.name == "Footer" for alias in node.names)
            ):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, f"use hwtui.widgets.footer.Footer instead: {offenders}"
