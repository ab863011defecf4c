"""At 80x24 every screen's footer shows the keys chosen as essential, and only whole keys
(issue 17: the review steps ended at "^s S▏", the overview with an alert at "esc Ba▏")."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from hwtui.app import HomeworkApp
from hwtui.data.db import Database
from hwtui.data.services.clients import find_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.measures import record_measure
from hwtui.data.services.reviews import complete_review
from hwtui.screens.assignment import AssignmentScreen
from hwtui.screens.client import ClientScreen
from hwtui.screens.progress import ProgressScreen
from hwtui.screens.review_record import ReviewRecordScreen
from hwtui.widgets.footer import Footer
from tests.app_helpers import app_maker, settle
from tests.test_snapshots_review import _practice, _walk_to

CLINICIAN = "dr_snap"
make_app = app_maker(CLINICIAN, autosave_seconds=0.05)


def footer_line(app: HomeworkApp) -> str:
    """The footer's row as the terminal gets it."""
    footer = app.screen.query_one(Footer)
    return app.screen._compositor.render_strips()[footer.region.y].text


def assert_whole_keys(app: HomeworkApp, essential: list[str]) -> str:
    footer = app.screen.query_one(Footer)
    keys = footer.placed
    palette = [key for key in keys if key.palette]
    edge = palette[0].start - 1 if palette else footer.region.width
    line = footer_line(app)
    for key in keys:
        if key.palette:
            continue
        # Whole: inside the footer, left of the palette's key, and on the row as it is.
        assert key.end <= edge, f"{key.text!r} runs under the palette: {line!r}"
        assert key.text in line, f"{key.text!r} is not whole in {line!r}"
    for want in essential:
        assert want in line, f"{want!r} missing from the footer {line!r}"
    return line


@pytest.fixture
def practice(tmp_path: Path) -> Iterator[tuple[Database, int]]:
    db, review_id = _practice(tmp_path)
    yield db, review_id
    db.dispose()


REVIEW_ESSENTIALS = {
    "outcomes": ["pgdn Next", "d/p/n/o Mark", "^s Save", "esc Leave", "? Help"],
    # A text field has focus: ? is a character typed there, not help.
    "win": ["pgup Back", "pgdn Next", "^s Save", "esc Leave", "f2 Skip step"],
    "worked": ["pgup Back", "pgdn Next", "^s Save", "esc Leave", "? Help"],
    "barriers": ["pgup Back", "pgdn Next", "^s Save", "esc Leave", "f2 Skip step"],
    "goal": ["pgup Back", "pgdn Next", "^s Save", "esc Leave", "f3 Make smaller"],
    "summary": ["pgup Back", "c Complete", "^s Save", "esc Leave", "? Help"],
}


@pytest.mark.parametrize("step", list(REVIEW_ESSENTIALS))
async def test_review_steps_footer_at_80(practice: tuple[Database, int], step: str) -> None:
    db, review_id = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _walk_to(pilot, review_id, step)
        assert_whole_keys(app, REVIEW_ESSENTIALS[step])


async def _open(pilot: Pilot[Any], screen: Any) -> None:
    await settle(pilot)
    await pilot.app.push_screen(screen)
    await settle(pilot)


def _client_id(db: Database) -> int:
    with db.read() as s:
        me = ensure_clinician(s, CLINICIAN)
        client = find_client(s, me, "SN1")
        assert client.id is not None
        return client.id


async def test_overview_footer_with_a_risk_alert(practice: tuple[Database, int]) -> None:
    db, _ = practice
    client_id = _client_id(db)
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        record_measure(s, me, client_id, "phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2])
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, ClientScreen(client_id))
        line = assert_whole_keys(
            app, ["a Acknowledge alert", "r Resume draft", "esc Back", "? Help"]
        )
        assert "⏎ Open" in line


async def test_overview_footer_shows_more_keys_when_wide(
    practice: tuple[Database, int],
) -> None:
    """c, m, v, w and g were never in the footer, even at 120 columns."""
    db, _ = practice
    app = make_app(db)
    async with app.run_test(size=(160, 40)) as pilot:
        await _open(pilot, ClientScreen(_client_id(db)))
        line = assert_whole_keys(
            app,
            [
                "r Resume draft",
                "esc Back",
                "? Help",
                "n Assign",
                "p Progress",
                "c Client view",
                "m Measures",
                "w Wins bank",
                "v Values",
                "g Next chart",
            ],
        )
    assert line
    narrow = make_app(db)
    async with narrow.run_test(size=(80, 24)) as pilot:
        await _open(pilot, ClientScreen(_client_id(db)))
        assert_whole_keys(narrow, ["r Resume draft", "esc Back", "? Help", "n Assign"])


OTHER_SCREENS: dict[str, tuple[Callable[[int, int, int], Any], list[str]]] = {
    "assignment": (
        lambda client, assignment, review: AssignmentScreen(assignment),
        ["e Edit", "esc Back", "? Help"],
    ),
    "progress": (
        lambda client, assignment, review: ProgressScreen(client, "SN1"),
        ["esc Back", "tab Next chart"],
    ),
    "record": (
        lambda client, assignment, review: ReviewRecordScreen(review),
        ["esc Back", "S Sign", "? Help"],
    ),
}


@pytest.mark.parametrize("name", list(OTHER_SCREENS))
async def test_other_screens_footer_at_80(practice: tuple[Database, int], name: str) -> None:
    db, review_id = practice
    client_id = _client_id(db)
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        complete_review(
            s,
            me,
            review_id,
            win_text="Went to a party and stayed an hour",
            win_kind="process",
            outcomes=[
                {"assignment_id": 1, "outcome": "done", "factors": ["scheduled"]},
                {"assignment_id": 2, "outcome": "not_done", "barriers": ["too_big"]},
                {"assignment_id": 3, "outcome": "no_opportunity"},
            ],
            goals=[],
        )
    from sqlmodel import select

    from hwtui.data.models import Assignment

    with db.read() as s:
        assignment = s.exec(select(Assignment)).first()
        assert assignment is not None
        assert assignment.id is not None
        assignment_id = assignment.id
    build, essential = OTHER_SCREENS[name]
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open(pilot, build(client_id, assignment_id, review_id))
        assert_whole_keys(app, essential)


async def test_caseload_footer_at_80(practice: tuple[Database, int]) -> None:
    db, _ = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert_whole_keys(app, ["⏎ Open", "/ Filter", "a Add client", "? Help"])
