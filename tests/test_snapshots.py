"""Screens as a clinician sees them, at 80x24 (the smallest terminal we support) and 120x40.

Review the SVGs with `pytest --snapshot-report` before accepting a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from hwtui.app import build_app
from hwtui.data.db import Database
from tests.app_helpers import steady
from tests.conftest import TODAY

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Iterator[Database]:
    db = demo_sqlite(
        tmp_path / "demo.sqlite3", clinician="dr_demo", clients=30, weeks=12, seed=11, today=TODAY
    )
    yield db
    db.dispose()


async def loaded(pilot: Pilot[Any]) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", SIZES)
def test_caseload(snap_compare: Any, demo_db: Database, size: tuple[int, int]) -> None:
    app = build_app(demo_db, username="dr_demo", today=lambda: TODAY)
    assert snap_compare(app, terminal_size=size, run_before=loaded)


def test_caseload_filtered(snap_compare: Any, demo_db: Database) -> None:
    app = build_app(demo_db, username="dr_demo", today=lambda: TODAY)

    async def filtered(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("slash", "a")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=filtered)


def test_caseload_empty_with_help(
    snap_compare: Any, tmp_path: Path, migrated_sqlite: Callable[[Path], Database]
) -> None:
    db = migrated_sqlite(tmp_path / "empty.sqlite3")
    app = build_app(db, username="dr_new", today=lambda: TODAY)

    async def help_open(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("question_mark")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=help_open)


def test_add_client_with_errors(snap_compare: Any, demo_db: Database) -> None:
    app = build_app(demo_db, username="dr_demo", today=lambda: TODAY)

    async def bad_input(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("a")
        await pilot.pause()
        await pilot.press("tab", *"[b]Ann[/b]", "ctrl+s")
        await loaded(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=bad_input)


@pytest.mark.parametrize(
    "size", [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
)
def test_caseload_trends(snap_compare: Any, demo_db: Database, size: tuple[int, int]) -> None:
    """`t` from the caseload: the weekly chart with the lowest client's line, and the list."""
    app = build_app(demo_db, username="dr_demo", today=lambda: TODAY)

    async def trends(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await pilot.press("t")
        # Until the screen stops changing: on a loaded machine (the whole suite on two
        # workers) one pause after the trends' read sometimes caught the chart half drawn.
        await steady(pilot)

    assert snap_compare(app, terminal_size=size, run_before=trends)
