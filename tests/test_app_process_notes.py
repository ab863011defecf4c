"""The process notes screen (issue 22), driven from the keyboard: `P` on a review's record
opens the clinician's private notes; what is typed is saved as it is typed, on leaving
and when the session ends, cleaned of control characters and shown as plain text; a
failed save says so and keeps the words. And a planted process note is in none of the
screens that show the review or the client: the record (summary and note, and what `y`
copies), the client overview and the view turned toward the client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text as sql
from sqlmodel import SQLModel, select
from textual import events
from textual.pilot import Pilot

from hwtui.app import HomeworkApp
from hwtui.data.db import Database
from hwtui.data.errors import DatabaseProblem
from hwtui.data.inputs import TEXT_MAX
from hwtui.data.models import ProcessNote
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.process_notes import save_process_note
from hwtui.screens.client import ClientScreen
from hwtui.screens.client_view import ClientViewScreen
from hwtui.screens.confirm import ConfirmScreen
from hwtui.screens.process_notes import TITLE, ProcessNotesScreen
from hwtui.screens.review_record import ReviewRecordScreen
from hwtui.widgets.note_area import NoteArea
from tests.app_helpers import app_maker, fill, settle
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review
from tests.test_footer_fit import assert_whole_keys
from tests.test_untrusted_render import check_screen

CLINICIAN = "dr_process"
PLANTED = "PLANTED-PROCESS-7f3a"
WIN = "Walked to the corner twice"
MARKUP = "[@click=app.quit]x[/] [b]bold?[/b] [TODO]"
OSC52 = "\x1b]52;c;aGk=\x07"

make_app = app_maker(CLINICIAN, autosave_seconds=0.05)


class Session:
    def __init__(self, db: Database, client_id: int, review_id: int) -> None:
        self.db = db
        self.client_id = client_id
        self.review_id = review_id

    def stored(self) -> list[str]:
        with self.db.read() as s:
            return [row.text for row in s.exec(select(ProcessNote))]


@pytest.fixture
def session(tmp_path: Path, migrated_sqlite: Callable[[Path], Database]) -> Iterator[Session]:
    db = migrated_sqlite(tmp_path / "process.sqlite3")
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
    client_id = add_client(db, me, "PN1", display_name="Pat N", values=["health"])
    walk = add_assignment(db, me, client_id, "Walk", when="after lunch")
    review_id = add_completed_review(db, me, client_id, TODAY, {walk: "done"}, win_text=WIN)
    yield Session(db, client_id, review_id)
    db.dispose()


async def open_notes(pilot: Pilot[Any], review_id: int) -> ProcessNotesScreen:
    """The record, then `P` on it: the notes, loaded."""
    await settle(pilot)
    await pilot.app.push_screen(ReviewRecordScreen(review_id))
    await settle(pilot)
    await pilot.press("P")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ProcessNotesScreen)
    return screen


def lines(app: HomeworkApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def area(app: HomeworkApp) -> NoteArea:
    return app.screen.query_one("#process-text", NoteArea)


def status(app: HomeworkApp) -> str:
    return str(app.screen.query_one("#process-status").render())


async def test_typed_notes_are_kept_cleaned_and_shown_as_plain_text(session: Session) -> None:
    app = make_app(session.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_notes(pilot, session.review_id)
        shown = lines(app)
        assert shown[0].strip() == TITLE  # whole, at 80 columns
        assert shown[1].strip() == "PN1 Pat N · session of 25 Nov 2026"
        assert "No process notes on this session yet" in status(app)
        assert_whole_keys(app, ["^s Save", "esc Back"])
        await pilot.press(*"Hunch:", "space")
        await fill(pilot, MARKUP)
        app.post_message(events.Paste(f" pasted{OSC52} here"))  # as the terminal sends it
        await pilot.press("enter", *"ok")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewRecordScreen)
        clean = f"Hunch: {MARKUP} pasted]52;c;aGk= here\nok"
        assert session.stored() == [clean]
        # Opened again: the same words, plain, nothing clickable, no control sent.
        await pilot.press("P")
        await settle(pilot)
        assert area(app).text == clean
        shown = check_screen(app)
        assert any(MARKUP in line for line in shown)
        assert "Last saved" in status(app)
        await pilot.click("#process-text", offset=(8, 1))  # on the would-be [@click]
        await pilot.pause()
        assert app.is_running
        assert isinstance(app.screen, ProcessNotesScreen)
    # The words are in the process note and nowhere else (not in the unsaved-input store,
    # which every export holds, nor in the audit log).
    with session.db.read() as s:
        for table in SQLModel.metadata.sorted_tables:
            if table.name != "process_note":
                for row in s.connection().execute(select(table)):
                    assert "Hunch" not in repr(tuple(row)), table.name


async def test_notes_stored_with_controls_are_shown_without_them(session: Session) -> None:
    """Text written behind the services' back (imported or legacy rows) is cleaned too."""
    with session.db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        save_process_note(s, me, session.review_id, "placeholder")
        s.connection().execute(
            sql("UPDATE process_note SET text = :t"), {"t": f"raw{OSC52}\x1b[2J{MARKUP}\x9b31m"}
        )
    app = make_app(session.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_notes(pilot, session.review_id)
        assert area(app).text == f"raw]52;c;aGk=[2J{MARKUP}31m"
        assert any(f"raw]52;c;aGk=[2J{MARKUP}31m" in line for line in check_screen(app))


async def test_notes_save_a_few_seconds_after_typing_and_ctrl_s_leaves(session: Session) -> None:
    app = app_maker(CLINICIAN, autosave_seconds=1)(session.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_notes(pilot, session.review_id)
        await fill(pilot, "first thoughts")
        assert status(app) == "editing…"
        assert session.stored() == []
        await pilot.pause(1.3)
        await settle(pilot)
        assert session.stored() == ["first thoughts"]
        assert status(app).startswith("Saved ")
        assert isinstance(app.screen, ProcessNotesScreen)  # saving does not leave
        await fill(pilot, ", then more")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReviewRecordScreen)
        assert session.stored() == ["first thoughts, then more"]
        # Emptied and left: the notes are gone.
        await pilot.press("P")
        await settle(pilot)
        area(app).clear()
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewRecordScreen)
    assert session.stored() == []


async def test_the_end_of_the_session_saves_what_is_typed_at_once(session: Session) -> None:
    """SIGHUP, SIGTERM, idle logoff and quitting call `flush_drafts`: no words are lost
    to an autosave that has not come yet."""
    app = app_maker(CLINICIAN, autosave_seconds=60)(session.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_notes(pilot, session.review_id)
        await fill(pilot, "said just before the link dropped")
        assert session.stored() == []
        app.flush_drafts()
        assert session.stored() == ["said just before the link dropped"]


@pytest.mark.parametrize("failure", ["too long", "database"])
async def test_a_failed_save_says_so_and_keeps_the_words(
    session: Session, monkeypatch: pytest.MonkeyPatch, failure: str
) -> None:
    """At 80x24 with NO_COLOR: the failure is words on the screen, not a colour."""
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(session.db)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        assert app.no_color
        await open_notes(pilot, session.review_id)
        if failure == "too long":
            words = "x" * (TEXT_MAX + 1)
            expected = "NOT SAVED: text is too long ("  # (20001 characters; the limit...)
        else:
            words = "words the database would not take"
            expected = "NOT SAVED: the database is unreachable"

            def refuse(review_id: int, text: str) -> None:
                raise DatabaseProblem("the database is unreachable")

            monkeypatch.setattr(app.practice, "save_process_note", refuse)
        await fill(pilot, words)
        await pilot.pause(0.3)
        await settle(pilot)
        assert status(app).startswith(expected)
        assert any(line.strip().startswith(expected[:30]) for line in lines(app))
        # Told once, however many pauses in typing try to save it again meanwhile.
        assert [n.title for n in app._notifications] == ["Not saved"]
        await fill(pilot, "!")
        words += "!"
        await pilot.pause(0.3)
        await settle(pilot)
        assert status(app).startswith(expected)
        assert [n.title for n in app._notifications] == ["Not saved"]
        # Leaving tries again, fails again, says so again, and stays with the words.
        await pilot.press("escape")
        await settle(pilot)
        assert [n.title for n in app._notifications] == ["Not saved", "Not saved"]
        assert isinstance(app.screen, ProcessNotesScreen)
        assert area(app).text == words
        assert status(app).startswith(expected)
        monkeypatch.undo()
        area(app).load_text("shorter, and the database is back")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ReviewRecordScreen)
    assert session.stored() == ["shorter, and the database is back"]


async def test_no_screen_of_the_review_or_the_client_shows_them(session: Session) -> None:
    with session.db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        save_process_note(s, me, session.review_id, f"Countertransference: {PLANTED}")
    app = make_app(session.db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        # The record: the review's summary, its progress note, and what `y` copies.
        await app.push_screen(ReviewRecordScreen(session.review_id))
        await settle(pilot)
        seen = ["\n".join(lines(app))]
        await pilot.press("v")
        await settle(pilot)
        seen.append("\n".join(lines(app)))
        assert "Progress note (DAP)" in seen[-1]
        await pilot.press("y")
        await settle(pilot)
        assert app.clipboard.startswith("Progress note (DAP)")
        seen.append(app.clipboard)
        # The client overview, and `c`: the view turned toward the client.
        await app.push_screen(ClientScreen(session.client_id))
        await settle(pilot)
        seen.append("\n".join(lines(app)))
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, ClientViewScreen)
        seen.append("\n".join(lines(app)))
        assert "Your recent wins" in seen[-1]
        assert WIN in seen[-1]
        await pilot.press("ctrl+x")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        # The notes themselves are one key away from the record, and only there.
        await app.pop_screen()
        await settle(pilot)
        assert isinstance(app.screen, ReviewRecordScreen)
        await pilot.press("P")
        await settle(pilot)
        assert PLANTED in "\n".join(lines(app))
    assert WIN in seen[0]
    assert [n for n, screen in enumerate(seen) if PLANTED in screen] == []
