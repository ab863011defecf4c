"""Two sessions on one review draft, as the clinician sees it.

The other session is played by the services with a holder of its own (as a second
hwtui process would); this app is the one on screen."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from sqlmodel import select
from textual.widgets import Static
from textual.worker import WorkerFailed

from hwtui.data.catalog import ReviewStatus
from hwtui.data.db import Database
from hwtui.data.lease import Holder
from hwtui.data.models import Review, UnsavedInput
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.reviews import complete_review, open_review, save_draft
from hwtui.screens.draft_conflict import DraftInUseScreen, DraftLostScreen, DraftPeekScreen
from hwtui.screens.review import ReviewScreen
from tests.app_helpers import fill
from tests.test_app_review import CLINICIAN, Case, make_app
from tests.test_app_review import case as case  # the fixture

OTHER = Holder("0" * 32, "laptop", 4242, "/dev/pts/7")


@pytest.fixture(autouse=True)
def other_is_live(monkeypatch: pytest.MonkeyPatch) -> None:
    # The other session's made-up pid runs nowhere; it is a live session all the same.
    monkeypatch.setattr("hwtui.data.services.reviews.is_gone", lambda stamp, me: False)


def other_session(db: Database, review_id: int, *, take_over: bool = False) -> None:
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        open_review(s, me, review_id, lease=OTHER, take_over=take_over)


def stored(db: Database, review_id: int) -> Review:
    with db.read() as s:
        review = s.get(Review, review_id)
    assert review is not None
    return review


def kept_words(db: Database) -> list[str]:
    with db.read() as s:
        rows = list(s.exec(select(UnsavedInput)))
    # Kept to read, and field by field to be offered back exactly.
    return [row.text for row in rows] + [str(row.fields.get("win_text")) for row in rows]


async def settle(pilot: Any) -> None:
    """Let workers finish, including those that fail on purpose (the draft in use)."""
    for _ in range(4):
        for worker in list(pilot.app.workers):
            with contextlib.suppress(WorkerFailed):
                await worker.wait()
        await pilot.pause()


async def open_review_screen(pilot: Any, review_id: int) -> ReviewScreen:
    await pilot.app.workers.wait_for_complete()
    screen = ReviewScreen(review_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    return screen


async def test_taken_over_the_session_is_told_keeps_its_words_and_can_leave(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review_screen(pilot, case.review_id)
        await pilot.press("d", "pagedown")
        await settle(pilot)
        assert "draft saved" in str(screen.query_one("#save-status", Static).render())
        # The clinician opens the same client on a laptop and takes the draft over.
        other_session(case.db, case.review_id, take_over=True)
        app.autosave_seconds = 600  # the words below stay unsaved until the check
        await fill(pilot, "Sang at choir", into="#win_text")
        screen.check_lease()  # what the 5 s timer does
        await settle(pilot)
        lost = app.screen
        assert isinstance(lost, DraftLostScreen)
        assert "took this review over" in lost.message
        assert "pid 4242 on laptop" in lost.message
        assert "Sang at choir" in lost.words
        assert lost.kept
        # Kept in the database, not written over the other session's draft.
        assert any("Sang at choir" in words for words in kept_words(case.db))
        assert "Sang at choir" not in stored(case.db, case.review_id).win_text
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ReviewScreen | DraftLostScreen)
        await pilot.press("ctrl+q")  # and the app can be left
        await settle(pilot)
    assert app.return_code == 0


async def test_completed_elsewhere_quit_and_idle_logoff_still_work(case: Case) -> None:
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review_screen(pilot, case.review_id)
        app.autosave_seconds = 600
        await pilot.press("d", "d", "d", "pagedown")
        await fill(pilot, "Walked twice", into="#win_text")
        other_session(case.db, case.review_id, take_over=True)
        with case.db.write() as s:
            me = ensure_clinician(s, CLINICIAN)
            complete_review(
                s,
                me,
                case.review_id,
                lease=OTHER.token,
                win_text="theirs",
                skipped={"outcomes": "talked about the week instead"},
            )
        assert stored(case.db, case.review_id).status == ReviewStatus.COMPLETE
        # Nobody at the keyboard: logoff must not be blocked by the unsavable draft.
        app.idle_seconds = 0.05
        await pilot.pause(0.3)
        await settle(pilot)
    assert app.logged_off is not None
    assert stored(case.db, case.review_id).win_text == "theirs"
    assert any("Walked twice" in words for words in kept_words(case.db))
    del screen


async def test_a_second_session_is_asked_and_may_take_over(case: Case) -> None:
    other_session(case.db, case.review_id)
    with case.db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        save_draft(s, me, case.review_id, lease=OTHER.token, win_text="from the laptop")
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review_screen(pilot, case.review_id)
        asked = app.screen
        assert isinstance(asked, DraftInUseScreen)
        assert "pid 4242 on laptop, /dev/pts/7" in asked.message
        await pilot.press("t")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.draft is not None
        assert review.draft.win_text == "from the laptop"
        await pilot.press("d", "pagedown")
        await settle(pilot)
        assert "draft saved" in str(review.query_one("#save-status", Static).render())
        assert stored(case.db, case.review_id).lease_token == app.holder.token
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert stored(case.db, case.review_id).lease_token is None  # quit: free again


async def test_a_second_session_may_read_without_touching(case: Case) -> None:
    other_session(case.db, case.review_id)
    with case.db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        save_draft(s, me, case.review_id, lease=OTHER.token, win_text="[b]from the laptop[/b]")
    app = make_app(case.db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review_screen(pilot, case.review_id)
        await pilot.press("r")
        await settle(pilot)
        peek = app.screen
        assert isinstance(peek, DraftPeekScreen)
        assert "[b]from the laptop[/b]" in str(peek.query_one("#peek-text", Static).render())
        await pilot.press("escape")
        await settle(pilot)
    assert stored(case.db, case.review_id).lease_token == OTHER.token  # still theirs
