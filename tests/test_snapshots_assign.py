"""Homework as a clinician sees it: the kind picker, the assignment editor, a task's detail
with its goal chain, the earlier homework, and the values and retire dialogs.

Deterministic: a demo caseload written for a fixed day, a fixed clinician, and nothing
saved during a snapshot (saving stamps the real clock). Review the SVGs with
`pytest tests/test_snapshots_assign.py --snapshot-report` before accepting a change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from hwtui.app import build_app
from hwtui.data.db import Database
from tests.app_helpers import Words, fill, press_and_fill, steady
from tests.conftest import TODAY

CLINICIAN = "dr_demo"
# In this demo caseload: three tasks to review, one a smaller step of an earlier goal.
BUSY_CLIENT = "C0021"
SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]
# A step of a scenario: keys to press, or (selector, text) to fill that field with.
Step = str | tuple[str, str]


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Iterator[Database]:
    db = demo_sqlite(
        tmp_path / "demo.sqlite3", clinician=CLINICIAN, clients=30, weeks=12, seed=11, today=TODAY
    )
    yield db
    db.dispose()


async def loaded(pilot: Pilot[Any]) -> None:
    # Answers start further questions (rows, then their trends; a brief, then a reload
    # on return): until the screen holds still, so it has settled on a loaded machine too.
    await steady(pilot)


def on_the_client(*steps: Step) -> RunBefore:
    """Open the busy client from the caseload, then take *steps*."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await press_and_fill(pilot, "slash", Words(BUSY_CLIENT), "enter", "enter")
        await loaded(pilot)
        for step in steps:
            if isinstance(step, tuple):
                selector, text = step
                await fill(pilot, text, into=selector)
            else:
                await pilot.press(step)
            await loaded(pilot)

    return run_before


# The walk-through, up to the client saying 7.
THOUGHT_RECORD_AT_7: tuple[Step, ...] = (
    "n",
    ("#title", "Thought record"),
    "f2",
    ("#kind-filter", "thought"),
    "enter",
    ("#what", "write the situation, thoughts, feelings"),
    ("#when", "Tuesday and Friday evenings"),
    ("#where", "at the kitchen table"),
    ("#how_often", "twice a week"),
    ("#how_long", "10 minutes"),
    ("#due_date", "fri"),
    ("#confidence", "7"),
)


def snap(snap_compare: Any, db: Database, size: tuple[int, int], *steps: Step) -> bool:
    app = build_app(db, username=CLINICIAN, today=lambda: TODAY)
    # Focus scrolls the long form smoothly; a snapshot taken while it glides differs from
    # run to run by a fraction of a scrollbar, so here it jumps.
    app.animation_level = "none"
    return bool(snap_compare(app, terminal_size=size, run_before=on_the_client(*steps)))


def test_kind_picker_filtered_by_a_tag(snap_compare: Any, demo_db: Database) -> None:
    assert snap(snap_compare, demo_db, (80, 24), "n", "f2", ("#kind-filter", "cbt"))


@pytest.mark.parametrize("size", SIZES)
def test_editor_prompts_to_shrink(
    snap_compare: Any, demo_db: Database, size: tuple[int, int]
) -> None:
    assert snap(snap_compare, demo_db, size, *THOUGHT_RECORD_AT_7)


def test_editor_after_shrinking(snap_compare: Any, demo_db: Database) -> None:
    assert snap(snap_compare, demo_db, (80, 24), *THOUGHT_RECORD_AT_7, "f3")


def test_editor_with_errors(snap_compare: Any, demo_db: Database) -> None:
    assert snap(
        snap_compare,
        demo_db,
        (80, 24),
        "n",
        ("#where", "kitchen"),
        ("#due_date", "someday"),
        ("#confidence", "12"),
        "ctrl+s",
    )


@pytest.mark.parametrize("size", SIZES)
def test_assignment_detail_with_its_goal_chain(
    snap_compare: Any, demo_db: Database, size: tuple[int, int]
) -> None:
    # The second task is a smaller step of an earlier goal.
    assert snap(snap_compare, demo_db, size, "down", "enter")


def test_overview_with_earlier_homework(snap_compare: Any, demo_db: Database) -> None:
    assert snap(snap_compare, demo_db, (80, 24), "down", "down", "down", "down")


def test_values_dialog(snap_compare: Any, demo_db: Database) -> None:
    assert snap(snap_compare, demo_db, (80, 24), "v")


def test_retire_needs_a_reason(snap_compare: Any, demo_db: Database) -> None:
    assert snap(snap_compare, demo_db, (80, 24), "enter", "r", "enter")
