"""Confirmations on a status line, never over the note; nothing shown over the client
view (issue 17: "Review complete.", "Review signed…" and "Note saved…" sat over the text,
and clinician errors showed on the screen turned toward the client)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from hwtui.app import HomeworkApp
from hwtui.data.db import Database
from hwtui.data.errors import HwtuiError
from hwtui.screens.client_view import ClientViewScreen
from hwtui.screens.prompt import PromptScreen
from hwtui.screens.review_record import ReviewRecordScreen
from tests.app_helpers import settle
from tests.test_app_record import completed, make_app, open_record, sign

__all__ = ["completed"]  # the fixture, shared


def status(screen: ReviewRecordScreen) -> str:
    return str(screen.query_one("#record-status", Static).render())


def toasts(app: HomeworkApp) -> list[str]:
    """The toasts on the screen on top (tests run with notifications on for these)."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]


async def test_signing_and_saving_say_so_on_the_status_line(
    completed: tuple[Database, int], tmp_path: Path
) -> None:
    db, review_id = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_record(pilot, review_id)
        await sign(pilot, "Engaged; planned the next step.")
        assert "Review signed" in status(screen)
        await pilot.press("w")
        await pilot.pause()
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one("#prompt-value", Input).value = str(tmp_path / "n.md")
        await pilot.press("enter")
        await settle(pilot)
        assert "Note saved to" in status(screen)
        await pilot.press("y")
        await settle(pilot)
        assert "Note copied" in status(screen)
        assert toasts(app) == []
        assert not app._notifications
        lines = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "Note copied" in lines.splitlines()[-2]  # the status line, above the footer


async def test_a_completed_review_says_so_on_the_record(completed: tuple[Database, int]) -> None:
    db, review_id = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        screen = ReviewRecordScreen(review_id, show_note=True, status="Review complete.")
        await app.push_screen(screen)
        await settle(pilot)
        assert status(screen) == "Review complete."
        assert toasts(app) == []


async def test_nothing_shows_over_the_client_view(completed: tuple[Database, int]) -> None:
    db, _ = completed
    app = make_app(db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        app.notify("shown before the view opened")
        await app.push_screen(ClientViewScreen(1))
        await settle(pilot)
        app.show_error(HwtuiError("the database is busy; nothing was saved"))
        app.notify("Note saved to /home/dr/notes/client.md")
        await pilot.pause()
        assert [n.message for n in app._notifications] == ["shown before the view opened"]
        lines = "\n".join(s.text for s in app.screen._compositor.render_strips())
        assert "busy" not in lines
        assert "shown before" not in lines
        # The clinician leaves: what waited is shown, whole.
        await pilot.press("ctrl+x")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot)
        await pilot.pause(0.2)
        shown = "\n".join(toasts(app))
        assert "the database is busy" in shown
        assert "Note saved to" in shown
