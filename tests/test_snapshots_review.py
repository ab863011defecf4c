"""Every step of the guided review as the clinician sees it, at 80x24 and 120x40."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from hwtui.data import migrate
from hwtui.data.db import Database
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.measures import record_measure
from hwtui.data.services.reviews import complete_review, start_review
from hwtui.screens.review import ReviewScreen
from hwtui.screens.review_record import ReviewRecordScreen
from tests.app_helpers import Words, app_maker, press_and_fill
from tests.conftest import TODAY

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((120, 40), id="120x40")]
STEPS = ["outcomes", "win", "worked", "barriers", "goal", "summary"]


def _practice(tmp_path: Path) -> tuple[Database, int]:
    db = Database(tmp_path / "snap.sqlite3")
    migrate.upgrade(db)
    with db.write() as s:
        me = ensure_clinician(s, "dr_snap")
        client = create_client(
            s, me, code="SN1", display_name="Sam N", values=["health", "being a good friend"]
        )
        assert client.id is not None
        for title, when, where, often, long_ in [
            ("Walk after lunch", "after lunch", "the park", "3 times a week", "10 minutes"),
            ("Gym on Saturday", "Saturday 9am", "the gym", "twice a week", "40 minutes"),
            ("Text a friend", "Sunday evening", "", "once", "5 minutes"),
        ]:
            create_assignment(
                s,
                me,
                client.id,
                title=title,
                when=when,
                where=where,
                how_often=often,
                how_long=long_,
                confidence=9,
            )
        review = start_review(s, me, client.id, TODAY)
    assert review.id is not None
    return db, review.id


async def _walk_to(pilot: Pilot[Any], review_id: int, step: str) -> None:
    """Fill the review the same way every time, then stop on *step*."""
    await pilot.app.workers.wait_for_complete()
    await pilot.app.push_screen(ReviewScreen(review_id))
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    plan: list[tuple[str, list[str]]] = [
        ("outcomes", ["d", "n", "o", "pagedown"]),
        (
            "win",
            [
                Words("I told my manager I needed a day off [and meant it]"),
                "tab",
                "down",
                "enter",
                "pagedown",
            ],
        ),
        ("worked", ["space", "tab", Words("remembered why"), "pagedown"]),
        ("barriers", [Words("sched"), "enter", "space", "pagedown"]),
        ("goal", ["f3"]),
    ]
    for name, keys in plan:
        if name == step:
            break
        await press_and_fill(pilot, *keys)
    if step == "summary":
        screen = pilot.app.screen
        assert isinstance(screen, ReviewScreen)
        screen.query_one("#goal-confidence").focus()
        await pilot.press("9", "pagedown")
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    # The save time in the corner changes every run; show a fixed moment instead.
    pilot.app.screen.query_one("#save-status").update("draft saved 10:00 UTC")  # type: ignore[attr-defined]
    await pilot.pause()


_app = app_maker("dr_snap", autosave_seconds=0.05)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("step", STEPS)
def test_review_step(snap_compare: Any, tmp_path: Path, step: str, size: tuple[int, int]) -> None:
    db, review_id = _practice(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _walk_to(pilot, review_id, step)

    assert snap_compare(_app(db), terminal_size=size, run_before=run_before)
    db.dispose()


def test_skip_dialog(snap_compare: Any, tmp_path: Path) -> None:
    db, review_id = _practice(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _walk_to(pilot, review_id, "win")
        await pilot.press("f2", *"client in crisis today")
        await pilot.pause()

    assert snap_compare(_app(db), terminal_size=(80, 24), run_before=run_before)
    db.dispose()


def test_risk_check(snap_compare: Any, tmp_path: Path) -> None:
    """F8: the risk check, PHQ-9 item 9 above 0 this session, partly answered."""
    db, review_id = _practice(tmp_path)
    with db.write() as s:
        me = ensure_clinician(s, "dr_snap")
        taken = datetime.combine(TODAY, datetime.min.time(), UTC)
        record_measure(s, me, 1, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 1], taken_at=taken)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _walk_to(pilot, review_id, "outcomes")
        await press_and_fill(pilot, "f8", Words("Asked directly about suicide"), "enter")
        await pilot.press("y", "n", "n")
        await pilot.pause()

    assert snap_compare(_app(db), terminal_size=(80, 24), run_before=run_before)
    db.dispose()


def test_goal_in_the_full_editor(snap_compare: Any, tmp_path: Path) -> None:
    """F5 on the goal step: the editor titled for the review's goal, its chain naming
    the missed task it supports."""
    db, review_id = _practice(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        await _walk_to(pilot, review_id, "goal")
        await pilot.press("f5")
        for _ in range(2):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    assert snap_compare(_app(db), terminal_size=(80, 24), run_before=run_before)
    db.dispose()


@pytest.mark.parametrize(
    ("note", "sign"),
    [(False, False), (True, False), (True, True)],
    ids=["summary", "note", "signing"],
)
def test_completed_review_record(snap_compare: Any, tmp_path: Path, note: bool, sign: bool) -> None:
    db, review_id = _practice(tmp_path)
    with db.write() as s:
        me = ensure_clinician(s, "dr_snap")
        complete_review(
            s,
            me,
            review_id,
            win_text="Went to a party and stayed an hour",
            win_kind="process",
            outcomes=[
                {
                    "assignment_id": 1,
                    "outcome": "done",
                    "factors": ["scheduled", "told_others"],
                    "factor_notes": {"scheduled": "phone alarm"},
                    "double_down": "alarms",
                },
                {
                    "assignment_id": 2,
                    "outcome": "not_done",
                    "barriers": ["too_big"],
                    "barrier_notes": "felt like too much",
                    "learned": "start smaller",
                },
                {"assignment_id": 3, "outcome": "no_opportunity"},
            ],
            goals=[
                {
                    "title": "Drive to the gym and sit in the car",
                    "parent_id": 2,
                    "when": "Saturday 9am",
                    "where": "gym car park",
                    "how_often": "once",
                    "how_long": "5 minutes",
                    "confidence": 9,
                }
            ],
        )

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.app.push_screen(ReviewRecordScreen(review_id, show_note=note))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        if sign:
            await press_and_fill(pilot, "S", Words("Engaged; planned the next step"), "enter")
            await press_and_fill(pilot, Words("50"), "enter", "v")
            await pilot.pause()

    assert snap_compare(_app(db), terminal_size=(80, 24), run_before=run_before)
    db.dispose()
