"""Entering measures during a review, and the PHQ-9 item 9 alert from entry to
acknowledgement."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select
from textual.pilot import Pilot
from textual.widgets import Static

from hwtui.data.db import Database
from hwtui.data.models import AuditEvent, Measure
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.progress import open_alerts
from hwtui.data.services.reviews import start_review
from hwtui.screens.measures import MeasuresScreen, RiskAlertScreen
from hwtui.screens.review import ReviewScreen
from tests.app_helpers import app_maker, settle
from tests.conftest import TODAY

CLINICIAN = "dr_measure"


@pytest.fixture
def case(
    tmp_path: Path, migrated_sqlite: Callable[[Path], Database]
) -> Iterator[tuple[Database, int, int]]:
    db = migrated_sqlite(tmp_path / "m.sqlite3")
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        client = create_client(s, me, code="M1", display_name="Mo")
        assert client.id is not None
        review = start_review(s, me, client.id, TODAY)
        assert review.id is not None
    yield db, client.id, review.id
    db.dispose()


make_app = app_maker(CLINICIAN, autosave_seconds=0.05)


async def enter_phq9(pilot: Pilot[Any], review_id: int, digits: str) -> None:
    await settle(pilot)
    await pilot.app.push_screen(ReviewScreen(review_id))
    await settle(pilot)
    await pilot.press("f6")
    await pilot.pause()
    assert isinstance(pilot.app.screen, MeasuresScreen)
    await pilot.press("tab", *digits)  # PHQ-9 is the default measure
    await pilot.pause()


async def test_a_measure_is_typed_quickly_and_saved_with_the_review(
    case: tuple[Database, int, int],
) -> None:
    db, _client_id, review_id = case
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_phq9(pilot, review_id, "211111110")
        result = str(app.screen.query_one("#measure-result", Static).render())
        assert result == "Total 9/27 · mild"
        assert not app.screen.query_one("#measure-risk", Static).display
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
    with db.read() as s:
        measure = s.exec(select(Measure)).one()
    assert (measure.instrument, measure.total, measure.review_id) == ("phq9", 9, review_id)


async def test_bad_scores_are_explained_and_nothing_is_saved(
    case: tuple[Database, int, int],
) -> None:
    db, _client_id, review_id = case
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_phq9(pilot, review_id, "2111111")
        assert "needs 9 item(s), got 1" in str(app.screen.query_one("#measure-result").render())  # type: ignore[attr-defined]
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, MeasuresScreen)
        assert app.screen.query_one("#measure-items").value == "2111111"  # type: ignore[attr-defined]
    with db.read() as s:
        assert s.exec(select(Measure)).all() == []


async def test_item_nine_alert_cannot_be_missed_until_acknowledged(
    case: tuple[Database, int, int],
) -> None:
    db, client_id, review_id = case
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await enter_phq9(pilot, review_id, "000000002")
        risk = app.screen.query_one("#measure-risk", Static)
        assert risk.display
        assert "item 9" in str(risk.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RiskAlertScreen)
        await pilot.press("escape", "enter", "q")  # none of these dismiss it
        await pilot.pause()
        assert isinstance(app.screen, RiskAlertScreen)
        await pilot.press("l")  # later: it stays open on the client
        await pilot.pause()
        assert isinstance(app.screen, ReviewScreen)
    with db.read() as s:
        me = ensure_clinician(s, CLINICIAN)
        (alert,) = open_alerts(s, me, client_id)
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert alert.id is not None
        await pilot.app.push_screen(RiskAlertScreen(alert.id, 2))
        await pilot.press("a")
        await settle(pilot)
        assert not isinstance(app.screen, RiskAlertScreen)
    with db.read() as s:
        assert open_alerts(s, me, client_id) == []
        assert ("acknowledge", "alert") in {
            (e.action, e.entity) for e in s.exec(select(AuditEvent))
        }


async def test_an_open_alert_shows_on_the_client_overview_until_acknowledged(
    case: tuple[Database, int, int],
) -> None:
    from hwtui.data.services.measures import record_measure
    from hwtui.screens.client import ClientScreen

    db, client_id, _review_id = case
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        record_measure(s, me, client_id, "phq9", [0, 0, 0, 0, 0, 0, 0, 0, 3])
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(ClientScreen(client_id))
        await settle(pilot)
        risk = app.screen.query_one("#risk", Static)
        assert risk.display
        assert "PHQ-9 item 9 scored 3" in str(risk.render())
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, RiskAlertScreen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert not app.screen.query_one("#risk", Static).display
