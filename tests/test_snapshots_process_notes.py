"""The private process notes (issue 22) at 80x24, opened with `P` from a review's record:
the title that says they are private, the session, the notes and when they were saved."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot

from hwtui.data.models import ProcessNote
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.process_notes import save_process_note
from hwtui.data.services.reviews import complete_review
from hwtui.screens.review_record import ReviewRecordScreen
from tests.test_snapshots_review import _app, _practice

SAVED_AT = datetime(2026, 11, 25, 16, 5, tzinfo=UTC)
NOTES = (
    "Felt pulled to rescue when Sam went quiet about the gym; noticed I filled\n"
    "the silence. Hunch: avoidance is less about effort than being seen there.\n"
    "\n"
    "For me: bring this to supervision [before the next session].\n"
    "Sam's words: “I'm [b]fine[/b], honestly.”"
)


@pytest.fixture(autouse=True)
def frozen_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """ "Last saved" is a local clock time: show it in one zone everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_process_notes(snap_compare: Any, tmp_path: Path) -> None:
    db, review_id = _practice(tmp_path)
    with db.write() as s:
        me = ensure_clinician(s, "dr_snap")
        complete_review(
            s,
            me,
            review_id,
            win_text="Went to a party and stayed an hour",
            outcomes=[
                {"assignment_id": 1, "outcome": "done", "factors": ["scheduled"]},
                {"assignment_id": 2, "outcome": "not_done", "barriers": ["too_big"]},
                {"assignment_id": 3, "outcome": "no_opportunity"},
            ],
        )
        save_process_note(s, me, review_id, NOTES)
        # Saving stamps the real clock; the screen shows a fixed moment instead.
        row = s.exec(select(ProcessNote)).one()
        row.updated_at = SAVED_AT
        s.add(row)

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.app.push_screen(ReviewRecordScreen(review_id))
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("P")
        for _ in range(2):
            await pilot.app.workers.wait_for_complete()
            await pilot.pause()

    assert snap_compare(_app(db), terminal_size=(80, 24), run_before=run_before)
    db.dispose()
