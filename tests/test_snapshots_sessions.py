"""Two sessions on one draft, as the screen shows it at 80x24: the question a second
session is asked, the session that lost its draft with its words, the read-only look."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from hwtui.data.db import Database
from hwtui.data.lease import Holder
from hwtui.data.models import Review
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.reviews import open_review, save_draft
from hwtui.screens.review import ReviewScreen
from tests.app_helpers import fill
from tests.test_snapshots_review import _app, _practice

OTHER = Holder("0" * 32, "laptop", 4242, "/dev/pts/7")
AT = datetime(2026, 11, 30, 9, 41, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times on these screens are local clock times: show them in one zone everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    monkeypatch.setattr("hwtui.data.services.reviews.is_gone", lambda stamp, me: False)
    yield
    monkeypatch.undo()
    time.tzset()


def _other_takes(db: Database, review_id: int, win: str = "") -> None:
    with db.write() as s:
        me = ensure_clinician(s, "dr_snap")
        open_review(s, me, review_id, lease=OTHER, take_over=True)
        if win:
            save_draft(s, me, review_id, lease=OTHER.token, win_text=win)
        review = s.get(Review, review_id)
        assert review is not None
        review.lease_at = review.updated_at = AT
        s.add(review)


async def _settle(pilot: Pilot[Any]) -> None:
    for _ in range(3):
        await pilot.pause(0.05)


def test_a_second_session_is_asked(snap_compare: Any, tmp_path: Path) -> None:
    db, review_id = _practice(tmp_path)
    _other_takes(db, review_id, win="Walked [b]twice[/b]")

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.push_screen(ReviewScreen(review_id))
        await _settle(pilot)

    assert snap_compare(_app(db), terminal_size=(80, 24), run_before=run_before)
    db.dispose()


def test_read_only_look(snap_compare: Any, tmp_path: Path) -> None:
    db, review_id = _practice(tmp_path)
    _other_takes(db, review_id, win="Walked [b]twice[/b] [@click=app.quit]x[/]")

    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.push_screen(ReviewScreen(review_id))
        await _settle(pilot)
        await pilot.press("r")
        await _settle(pilot)

    assert snap_compare(_app(db), terminal_size=(80, 24), run_before=run_before)
    db.dispose()


def test_the_session_that_lost_its_draft(snap_compare: Any, tmp_path: Path) -> None:
    db, review_id = _practice(tmp_path)

    async def run_before(pilot: Pilot[Any]) -> None:
        screen = ReviewScreen(review_id)
        await pilot.app.push_screen(screen)
        await _settle(pilot)
        await pilot.press("d", "n", "o", "pagedown")
        await _settle(pilot)
        pilot.app.autosave_seconds = 600  # type: ignore[attr-defined]
        await fill(pilot, "Sang at choir [TODO]")
        _other_takes(db, review_id)
        screen.check_lease()
        await _settle(pilot)

    assert snap_compare(_app(db), terminal_size=(80, 24), run_before=run_before)
    db.dispose()
