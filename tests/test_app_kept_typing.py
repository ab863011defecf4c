"""The unsaved-input store as the app uses it: kept a moment after typing stops, offered
back exactly (text and cursor), forgotten once the form is saved or thrown away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlmodel import select
from textual.widgets import Input

from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.models import UnsavedInput
from hwtui.screens.add_client import AddClientScreen
from tests.app_helpers import app_maker

HOSTILE = "[@click=app.quit]x[/] [TODO]"


_app = app_maker("dr_kept", autosave_seconds=0.05)


def _kept(db: Database) -> list[UnsavedInput]:
    with db.read() as s:
        return list(s.exec(select(UnsavedInput)))


async def _settle(pilot: Any) -> None:
    for _ in range(4):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)


async def test_kept_while_typing_offered_back_exactly_then_forgotten_on_save(
    tmp_path: Path,
) -> None:
    db = Database(tmp_path / "kept.sqlite3")
    migrate.upgrade(db)
    app = _app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("a")
        await _settle(pilot)
        await pilot.press(*"KT-9", "tab", *HOSTILE, "left", "left")
        await _settle(pilot)
        kept = _kept(db)
        assert len(kept) == 1
        assert kept[0].place == "add client"
        assert kept[0].fields["display_name"]["text"] == HOSTILE
        await pilot.press("escape")  # the clinician throws it away: forgotten
        await _settle(pilot)
        assert _kept(db) == []
        await pilot.press("a", *"KT-9", "tab", *HOSTILE, "left", "left")
        await _settle(pilot)
        app.flush_drafts()  # as on SIGHUP

    app = _app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("a")
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, AddClientScreen)
        name = dialog.query_one("#display_name", Input)
        assert dialog.query_one("#code", Input).value == "KT-9"
        assert name.value == HOSTILE
        assert name.cursor_position == len(HOSTILE) - 2  # where it was left
        assert any("Brought back" in n.message for n in app._notifications)
        assert app.is_running  # the hostile text did nothing
        await pilot.press("ctrl+s")
        await _settle(pilot)
        assert not isinstance(app.screen, AddClientScreen)
    assert _kept(db) == []
    db.dispose()
