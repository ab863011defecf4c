"""The handout's flows in the app: h on the record a completed review leads to, saving a
file (0600, audited; a bad path is said under the field and the prompt stays), and the
time of day a calendar file asks for first. Keys arrive in bursts, as over SSH."""

from __future__ import annotations

import stat
from collections.abc import Callable, Iterator
from datetime import time
from pathlib import Path

import icalendar
import pytest
from textual.widgets import Input, Static

from hwtui.data.catalog import ReviewStep
from hwtui.data.db import Database
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.reviews import start_review
from hwtui.screens.handout import HandoutScreen, TimesScreen
from hwtui.screens.prompt import PromptScreen
from hwtui.screens.review import ReviewScreen
from hwtui.screens.review_record import ReviewRecordScreen
from tests.app_helpers import Words, app_maker, fill, press_and_fill, settle
from tests.conftest import TODAY
from tests.helpers import events_after, last_event_id

CLINICIAN = "dr_handout"
make_app = app_maker(CLINICIAN, autosave_seconds=0.05)


@pytest.fixture
def practice(
    tmp_path: Path, migrated_sqlite: Callable[[Path], Database]
) -> Iterator[tuple[Database, int, int]]:
    """A client with two tasks ("after lunch" has no time of day; the other has one) and
    a review started: (db, client id, review id)."""
    db = migrated_sqlite(tmp_path / "handout.sqlite3")
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        client = create_client(s, me, code="HO1", display_name="Hana O", values=["health"])
        assert client.id is not None
        create_assignment(
            s, me, client.id, title="Walk", when="after lunch", how_often="daily", confidence=8
        )
        create_assignment(
            s, me, client.id, title="Call Sam", when="Sunday at 18:00", how_often="once"
        )
        review = start_review(s, me, client.id, TODAY)
        assert review.id is not None
    yield db, client.id, review.id
    db.dispose()


def sheet(screen: HandoutScreen) -> str:
    return str(screen.query_one("#handout-text", Static).render())


async def test_h_on_the_record_a_completed_review_leads_to(
    practice: tuple[Database, int, int],
) -> None:
    db, _, review_id = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        review = ReviewScreen(review_id)
        await app.push_screen(review)
        await settle(pilot)
        await pilot.press("d", "d")
        review._go(ReviewStep.WIN)
        await pilot.pause()
        await fill(pilot, "Walked in the rain")
        review._go(ReviewStep.SUMMARY)
        await pilot.pause()
        before = last_event_id(db)
        # Complete, and ask for the handout in the same burst: h waits for the record.
        await pilot.press("c", "h")
        await settle(pilot)
        handout = app.screen
        assert isinstance(handout, HandoutScreen)
        text = sheet(handout)
        assert "Your homework, Hana O" in text
        assert "Walk" in text  # daily: still going
        assert "Call Sam" not in text  # once, and done: finished
        assert "Walked in the rain" in text  # the win just recorded
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewRecordScreen)
        assert "Review complete." in str(app.screen.query_one("#record-status").render())
    assert ("view", "handout") in [(e.action, e.entity) for e in events_after(db, before)]


async def test_saving_writes_a_private_file_and_audits_it(
    practice: tuple[Database, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, client_id, _ = practice
    monkeypatch.chdir(tmp_path)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(HandoutScreen(client_id, "HO1"))
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, HandoutScreen)
        before = last_event_id(db)
        # w, select-all-and-replace the suggested name, the name, Enter: one burst.
        await pilot.press("w", "ctrl+u", *"h.md", "enter")
        await settle(pilot)
        assert app.screen is screen
        assert "Handout saved to h.md" in str(screen.query_one("#handout-status").render())
    saved = tmp_path / "h.md"
    assert saved.read_text(encoding="utf-8").startswith("# Your homework\\, Hana O")
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    events = events_after(db, before)
    assert [(e.action, e.entity, e.detail) for e in events] == [
        ("export", "handout", "format=markdown tasks=2")
    ]


async def test_a_bad_path_is_said_under_the_field_and_the_prompt_stays(
    practice: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, client_id, _ = practice
    taken = tmp_path / "taken.txt"
    taken.write_text("someone else's file")
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(HandoutScreen(client_id, "HO1"))
        await settle(pilot)
        before = last_event_id(db)
        await pilot.press("w")
        await pilot.pause()
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        for bad, says in [
            (str(taken), "exists"),
            (str(tmp_path / "no-such-dir" / "h.txt"), ""),
            ("   ", "give a file name"),
        ]:
            prompt.query_one("#prompt-value", Input).value = bad
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is prompt, bad
            error = prompt.query_one("#prompt-error", Static)
            assert error.has_class("-shown")
            assert says in str(error.render())
            assert str(error.render()).strip()
            assert prompt.query_one("#prompt-value", Input).value == bad  # kept to correct
        # Corrected: the error goes, the file is written.
        good = tmp_path / "h.txt"
        prompt.query_one("#prompt-value", Input).value = str(good)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoutScreen)
    assert taken.read_text() == "someone else's file"
    assert good.read_text(encoding="utf-8").startswith("Your homework, Hana O")
    assert [(e.action, e.detail) for e in events_after(db, before)] == [
        ("export", "format=text tasks=2")
    ]


async def test_a_calendar_asks_the_time_for_a_vague_task_first(
    practice: tuple[Database, int, int], tmp_path: Path
) -> None:
    db, client_id, _ = practice
    target = tmp_path / "h.ics"
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(HandoutScreen(client_id, "HO1"))
        await settle(pilot)
        await pilot.press("w")
        await pilot.pause()
        app.screen.query_one("#prompt-value", Input).value = str(target)
        await pilot.press("enter")
        await settle(pilot)
        times = app.screen
        assert isinstance(times, TimesScreen)
        # Only "after lunch" asks: "Sunday at 18:00" has its time.
        assert [t.title for t in times.tasks] == ["Walk"]
        field_id = f"time-{times.tasks[0].assignment_id}"
        await press_and_fill(pilot, Words("25:99"), "enter")
        await settle(pilot)
        assert app.screen is times
        error = times.query_one(f"#{field_id}-error", Static)
        assert "is not a time of day" in str(error.render())
        assert error.has_class("-shown")
        assert not target.exists()
        times.query_one(f"#{field_id}", Input).value = ""
        await press_and_fill(pilot, Words("12:45"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, HandoutScreen)
        assert "Handout saved" in str(app.screen.query_one("#handout-status").render())
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    starts = {
        str(event.get("SUMMARY")): event.decoded("DTSTART") for event in calendar.walk("VEVENT")
    }
    walk = next(start for summary, start in starts.items() if "Walk" in summary)
    call = next(start for summary, start in starts.items() if "Call Sam" in summary)
    assert walk.time() == time(12, 45)
    assert call.time() == time(18, 0)
