"""The client overview as a clinician sees it (the homework screens: test_snapshots_assign).

Review the SVGs with `pytest tests/test_snapshots_client.py --snapshot-report` before
accepting a change.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from hwtui.app import build_app
from hwtui.data.db import Database
from hwtui.data.services.clients import find_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.reviews import start_review
from tests.app_helpers import Words, press_and_fill, steady
from tests.conftest import TODAY

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
CLINICIAN = "dr_demo"
# In this demo caseload: three tasks to review, two barriers last time, a smaller goal.
BUSY_CLIENT = "C0021"
# Never reviewed: the first-session state.
NEW_CLIENT = "C0006"

RunBefore = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Iterator[Database]:
    db = demo_sqlite(
        tmp_path / "demo.sqlite3", clinician=CLINICIAN, clients=30, weeks=12, seed=11, today=TODAY
    )
    yield db
    db.dispose()


async def loaded(pilot: Pilot[Any]) -> None:
    # Focus scrolls what it moves to into view, animated, and the history fills after a
    # refresh: the capture waits until the screen holds still (a flake on a busy machine).
    await steady(pilot)


def opened(code: str, *then: str) -> RunBefore:
    """Open the client with *code* from the caseload (by filtering), then press *then*."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await loaded(pilot)
        await press_and_fill(pilot, "slash", Words(code), "enter", "enter")
        await loaded(pilot)
        if then:
            await pilot.press(*then)
            await loaded(pilot)

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_client_overview(snap_compare: Any, demo_db: Database, size: tuple[int, int]) -> None:
    app = build_app(demo_db, username=CLINICIAN, today=lambda: TODAY)
    assert snap_compare(app, terminal_size=size, run_before=opened(BUSY_CLIENT))


def test_client_overview_with_a_draft(snap_compare: Any, demo_db: Database) -> None:
    with demo_db.write() as session:
        me = ensure_clinician(session, CLINICIAN)
        client = find_client(session, me, BUSY_CLIENT)
        assert client.id is not None
        start_review(session, me, client.id, TODAY)
    app = build_app(demo_db, username=CLINICIAN, today=lambda: TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=opened(BUSY_CLIENT))


def test_client_overview_first_session(snap_compare: Any, demo_db: Database) -> None:
    app = build_app(demo_db, username=CLINICIAN, today=lambda: TODAY)
    assert snap_compare(app, terminal_size=(80, 24), run_before=opened(NEW_CLIENT))
