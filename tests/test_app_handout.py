"""The handout in the app: h from the client overview, copy (audited), and the client view."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import Static

from hwtui.data.db import Database
from hwtui.screens.client import ClientScreen
from hwtui.screens.client_view import ClientViewScreen
from hwtui.screens.handout import HandoutScreen
from tests.app_helpers import app_maker, settle
from tests.conftest import TODAY
from tests.helpers import events_after, last_event_id

CLINICIAN = "dr_demo"


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Database:
    return demo_sqlite(
        tmp_path / "demo.sqlite3", clinician=CLINICIAN, clients=5, weeks=4, seed=11, today=TODAY
    )


async def test_handout_from_the_overview_then_copy(demo_db: Database) -> None:
    app = app_maker(CLINICIAN)(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(ClientScreen(1))
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HandoutScreen)
        shown = str(app.screen.query_one("#handout-text", Static).render())
        assert "Your homework" in shown
        before = last_event_id(demo_db)
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("y")
        await settle(pilot)
        assert copied == [app.screen.text]
        events = events_after(demo_db, before)
        assert [(e.action, e.entity) for e in events] == [("copy", "handout")]
        assert "copied" in str(app.screen.query_one("#handout-status", Static).render())


async def test_the_client_view_shows_the_handout_and_keeps_the_client_in(
    demo_db: Database,
) -> None:
    app = app_maker(CLINICIAN)(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(ClientViewScreen(1))
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        view = app.screen
        assert isinstance(view, ClientViewScreen)
        assert "Your homework" in str(view.query_one("#view-handout-text", Static).render())
        await pilot.press("escape", "q")
        await settle(pilot)
        assert app.screen is view
        await pilot.press("h")
        await settle(pilot)
        assert not view.query_one("#view-handout").display
