"""Idle logoff: nobody at the keyboard for the set time -> the draft is saved, the screen
blanked, and hwtui exits with a line on stderr. Only key and mouse input counts."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual import events
from textual.pilot import Pilot
from textual.widgets import Static

from hwtui.app import HomeworkApp, IdleBlankScreen, _duration, build_app
from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.models import Review
from hwtui.data.practice import Practice
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician, os_username
from hwtui.screens.review import ReviewScreen
from hwtui.settings import Settings
from tests.pty_app import PtyApp
from tests.test_app_review import Case, case, load, make_app, open_review, settle, step_title

__all__ = ["case"]  # the fixture, shared with the review tests

IDLE = 0.6  # seconds: tiny, so the tests are quick


def _idle_app(case: Case) -> HomeworkApp:
    # A long autosave delay: only the logoff itself can have saved the words.
    app = make_app(case.db)
    app.autosave_seconds = 600
    app.idle_seconds = None  # set once the review is open: setting up is not idling
    return app


async def _wait_for_exit(app: HomeworkApp, timeout: float) -> float:
    """Seconds until the app stopped running (fails after *timeout*)."""
    started = time.monotonic()
    while app.is_running and not app._exit:
        if time.monotonic() - started > timeout:
            pytest.fail(f"the app was still running after {timeout} s")
        await asyncio.sleep(0.05)
    return time.monotonic() - started


async def _start_typing_a_win(pilot: Pilot[Any], case: Case, words: str) -> ReviewScreen:
    screen = await open_review(pilot, case.review_id)
    await pilot.press("d", "d", "d", "pagedown")
    await settle(pilot)
    await pilot.press(*words)
    return screen


async def test_idle_saves_the_draft_blanks_the_screen_and_exits(case: Case) -> None:
    words = "Told my boss [b]no[/b]"
    app = _idle_app(case)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_typing_a_win(pilot, case, words)
        assert "step 2 of 6" in step_title(screen)
        app.idle_seconds = IDLE
        await _wait_for_exit(app, timeout=10)
        # The last frame is an empty screen: nothing of the client stays on the terminal.
        assert app.screen.id == "logged-off"
        assert not app.screen.children
    assert app.logged_off == "hwtui: logged off after 0.6 seconds idle; your draft is saved"
    assert app.return_code == 0
    review, outcomes, _ = load(case.db, case.review_id)
    assert review.status == "draft"
    assert review.win_text == words
    assert review.step == "win"
    assert {o.outcome for o in outcomes.values()} == {"done"}

    # The next launch resumes it where it was left.
    again = make_app(case.db)
    async with again.run_test(size=(80, 24)) as pilot:
        resumed = await open_review(pilot, case.review_id)
        assert "step 2 of 6" in step_title(resumed)
        assert resumed.draft is not None
        assert resumed.draft.win_text == words


async def _mouse_move(app: HomeworkApp) -> None:
    # As the terminal delivers it: to the app, which forwards it to the screen. (Pilot's
    # own mouse helpers skip the app and go straight to a widget.)
    app.post_message(events.MouseMove(None, 10, 10, 0, 0, 0, False, False, False))
    await asyncio.sleep(0)


async def test_keys_and_the_mouse_keep_the_session_open(case: Case) -> None:
    idle = 2.0  # longer: a pause between two inputs on a loaded machine must stay inside it
    app = _idle_app(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start_typing_a_win(pilot, case, "Slept")
        app.idle_seconds = idle
        # Longer than the limit with keys only, then with the mouse only.
        for send in (lambda: pilot.press("x"), lambda: _mouse_move(app)):
            started = time.monotonic()
            while time.monotonic() - started < 1.5 * idle:
                await send()
                await asyncio.sleep(0.1)
                assert app.logged_off is None
        idle_for = await _wait_for_exit(app, timeout=15)
    assert idle_for > idle / 2
    review, _, _ = load(case.db, case.review_id)
    assert review.win_text.startswith("Slept")
    assert review.win_text.endswith("x")


async def test_output_and_timers_do_not_count_as_input(case: Case) -> None:
    """A screen that keeps refreshing (a clock, autosave, notifications), callbacks and
    terminal resizes still log off."""
    app = _idle_app(case)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _start_typing_a_win(pilot, case, "Walked")
        ticks = 0

        def busy() -> None:
            nonlocal ticks
            ticks += 1
            app.notify(f"tick {ticks}", timeout=0.1)
            screen.refresh(layout=True)
            app.call_later(screen.refresh)
            app.post_message(events.Resize(app.size, app.size))

        app.set_interval(0.05, busy)
        app.idle_seconds = IDLE
        await _wait_for_exit(app, timeout=10)
    assert ticks > 5
    assert app.logged_off is not None


async def test_without_a_draft_it_just_logs_off(tmp_path: Path) -> None:
    db = Database(tmp_path / "empty.sqlite3")
    migrate.upgrade(db)
    app = build_app(db, username="dr_idle", idle_seconds=IDLE)
    try:
        async with app.run_test(size=(80, 24)):
            await _wait_for_exit(app, timeout=10)
    finally:
        db.dispose()
    assert app.logged_off == "hwtui: logged off after 0.6 seconds idle"


async def test_a_draft_that_cannot_be_saved_keeps_the_app_open(
    case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Leaving would lose the words: the error is shown and logoff is tried again later."""
    app = _idle_app(case)
    async with app.run_test(size=(80, 24)) as pilot:
        await _start_typing_a_win(pilot, case, "Kept")

        def broken(*args: object, **kwargs: object) -> None:
            raise DatabaseProblem("database error: disk I/O error")

        monkeypatch.setattr(Practice, "save_draft", broken)
        app.idle_seconds = IDLE
        await asyncio.sleep(IDLE * 3)
        await pilot.pause()
        assert app.is_running
        assert app.logged_off is None
        assert any("disk I/O error" in n.message for n in app._notifications)
        # Nothing of the client is left on the unattended screen meanwhile.
        assert isinstance(app.screen, IdleBlankScreen)
        assert "Kept" not in str(app.screen.query_one(Static).render())
        # Once the database answers again, the next try saves the words and logs off.
        monkeypatch.undo()
        app._schedule_idle_check(0.01)
        await _wait_for_exit(app, timeout=10)
    assert app.logged_off is not None
    review, _, _ = load(case.db, case.review_id)
    assert review.win_text == "Kept"


def test_idle_minutes_may_be_fractional(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HWTUI_IDLE_MINUTES", "0.25")
    assert Settings().idle_minutes == 0.25
    assert Settings.model_fields["idle_minutes"].default == 10
    assert (_duration(600), _duration(60), _duration(15), _duration(90)) == (
        "10 minutes",
        "1 minute",
        "15 seconds",
        "90 seconds",
    )


@pytest.fixture
def practice_path(tmp_path: Path) -> Path:
    """A practice of the OS user (the real command acts as them): one client, one task."""
    path = tmp_path / "practice.sqlite3"
    db = Database(path)
    migrate.upgrade(db)
    with db.write() as s:
        me = ensure_clinician(s, os_username())
        client = create_client(s, me, code="IDL1", display_name="Ida Lemon")
        assert client.id is not None
        create_assignment(s, me, client.id, title="Evening walk", when="after dinner")
    db.dispose()
    return path


@pytest.mark.slow
def test_the_real_command_logs_off_when_idle(practice_path: Path) -> None:
    """On a pty, as over SSH: the client's name is gone from the screen, the message is on
    stderr, and the draft holds what was typed."""
    words = "Asked for help"
    app = PtyApp(
        ["--db", str(practice_path)],
        # A long autosave delay: only the logoff can have saved the words.
        env={"HWTUI_AUTOSAVE_SECONDS": "600", "HWTUI_IDLE_MINUTES": "0.05"},  # 3 s
    )
    try:
        app.type_a_win("IDL1", words)
        assert app.wait_exit(timeout=15) == 0
        shown = app.wait_for("logged off after 3 seconds idle; your draft is saved", timeout=5)
        assert "Ida Lemon" not in shown
        assert "IDL1" not in shown
        assert words not in shown
    finally:
        app.close()
    db = Database(practice_path)
    try:
        with db.read() as s:
            draft = s.exec(select(Review).where(Review.status == "draft")).one()
    finally:
        db.dispose()
    assert draft.win_text == words
    assert draft.step == "win"
