"""Pilot tests for the client overview; assigning homework is in test_app_assign.py."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from hwtui.app import HomeworkApp
from hwtui.data.catalog import ReviewStatus
from hwtui.data.db import Database
from hwtui.data.models import AuditEvent, Review
from hwtui.data.practice import Practice
from hwtui.data.services.caseload import ClientBrief, client_brief
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.screens.caseload import CaseloadScreen
from hwtui.screens.client import ClientScreen
from hwtui.screens.review import ReviewScreen
from hwtui.screens.review_record import ReviewRecordScreen
from hwtui.widgets.task_list import TaskList
from tests.app_helpers import app_maker, settle
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review

CLINICIAN = "dr_demo"
HOSTILE = ["[b]not bold[/b]", "[TODO] call GP", "[@click=app.quit]x[/]"]


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Iterator[Database]:
    db = demo_sqlite(
        tmp_path / "demo.sqlite3", clinician=CLINICIAN, clients=8, weeks=10, seed=3, today=TODAY
    )
    yield db
    db.dispose()


@pytest.fixture
def me(sqlite_db: Database) -> Actor:
    with sqlite_db.write() as session:
        return ensure_clinician(session, CLINICIAN)


make_app = app_maker(CLINICIAN)


def shown_text(app: HomeworkApp, selector: str = "Static") -> str:
    """Everything the screen's Statics hold, as plain text, one widget per line."""
    return "\n".join(str(widget.render()) for widget in app.screen.query(selector))


def homework_text(app: HomeworkApp) -> str:
    """The overview's homework list as plain text, one line per line of an entry."""
    listing = app.screen.query_one("#homework", TaskList)
    return "\n".join(str(option.prompt) for option in listing.options)


def brief_of(db: Database, client_id: int) -> ClientBrief:
    with db.write() as session:
        return client_brief(session, ensure_clinician(session, CLINICIAN), client_id)


async def open_client(pilot: Pilot[Any], row: int = 0) -> ClientScreen:
    """From the caseload, highlight *row* and press enter."""
    await settle(pilot)
    for _ in range(row):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ClientScreen)
    return screen


# -- the overview -------------------------------------------------------------------------


async def test_enter_opens_the_highlighted_client_with_its_brief(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        caseload = app.screen
        assert isinstance(caseload, CaseloadScreen)
        # The first client with a win and homework to review, so the brief has both.
        row = next(
            i
            for i, r in enumerate(caseload.rows)
            if r.active_assignments and brief_of(demo_db, r.client_id).last_review
        )
        expected_id = caseload.rows[row].client_id
        screen = await open_client(pilot, row)
        assert screen.client_id == expected_id
        brief = brief_of(demo_db, expected_id)
        assert brief.last_review is not None
        text = shown_text(app) + homework_text(app)
        assert brief.client.code in text
        assert brief.last_review.win_text.strip() in text
        assert brief.last_review.session_date.strftime("%d %b %Y") in text
        for task in brief.due:
            assert task.assignment.title in text
        history = screen.query_one("#history", DataTable)
        assert history.row_count == len(brief.history)


async def test_a_brief_read_before_the_widgets_are_mounted_is_shown_once_they_are(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The brief is read from the moment the overview is built; when it comes back before
    the screen's widgets are mounted, it is shown once they are (its answer waits in the
    screen's queue), and not hidden again by on_mount."""
    read = threading.Event()
    mounted_then: list[bool] = []
    real_read = Practice.client_overview
    real_show = ClientScreen.show_brief

    def read_overview(self: Practice, *args: Any, **kwargs: Any) -> Any:
        try:
            return real_read(self, *args, **kwargs)
        finally:
            read.set()

    def show(self: ClientScreen, *args: Any) -> None:
        mounted_then.append(self.is_mounted)
        real_show(self, *args)

    async def slow_mount(self: TaskList) -> None:
        # The homework list finishes mounting only once the brief has been read.
        await asyncio.wait_for(asyncio.to_thread(read.wait, 10), 11)
        await asyncio.sleep(0.05)  # and its answer is on its way to the screen

    monkeypatch.setattr(Practice, "client_overview", read_overview)
    monkeypatch.setattr(ClientScreen, "show_brief", show)
    monkeypatch.setattr(TaskList, "on_mount", slow_mount, raising=False)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        caseload = app.screen
        assert isinstance(caseload, CaseloadScreen)
        client_id = caseload.rows[0].client_id
        screen = ClientScreen(client_id)
        app.push_screen(screen)
        await settle(pilot)
        assert mounted_then == [True]
        assert screen.brief is not None
        assert screen.brief.client.code in shown_text(app)
        assert screen.query_one("#homework", TaskList).display


async def test_viewing_a_client_is_audited(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_client(pilot)
    with demo_db.read() as session:
        views = session.exec(
            select(AuditEvent).where(AuditEvent.action == "view", AuditEvent.entity == "client")
        ).all()
    assert [e.entity_id for e in views] == [screen.client_id]


async def test_enter_in_the_filter_does_not_open_a_client(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("slash", "c", "enter")
        await settle(pilot)
        # Enter finished the filter (focus back on the table); it did not open anyone.
        assert isinstance(app.screen, CaseloadScreen)
        assert isinstance(app.focused, DataTable)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)


async def test_escape_returns_to_a_refreshed_caseload(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
    with demo_db.read() as session:
        actions = [
            (e.action, e.entity)
            for e in session.exec(select(AuditEvent).order_by(col(AuditEvent.id)))
        ]
    # Loaded once at start and once more on return, never twice for one visit.
    assert actions.count(("view", "caseload")) == 2
    assert actions[-1] == ("view", "caseload")


async def test_start_review_then_resume_the_draft(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_client(pilot)
        assert not screen.query_one("#draft").display
        await pilot.press("s")
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        with demo_db.read() as session:
            draft = session.exec(
                select(Review).where(
                    Review.client_id == screen.client_id, Review.status == ReviewStatus.DRAFT
                )
            ).one()
        assert review.review_id == draft.id
        app.pop_screen()
        await settle(pilot)
        # Back on the overview, reloaded: the draft is announced and r resumes it.
        assert app.screen is screen
        assert screen.query_one("#draft").display
        assert "in progress" in str(screen.query_one("#draft", Static).render())
        footer_actions = {b.binding.action for b in app.screen.active_bindings.values()}
        assert "resume_draft" in footer_actions
        assert "start_review" not in footer_actions
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.review_id == draft.id
        app.pop_screen()
        await settle(pilot)
        # s resumes the same draft too, rather than doing nothing.
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, ReviewScreen)
        assert app.screen.review_id == draft.id
    with demo_db.read() as session:
        drafts = session.exec(
            select(Review).where(
                Review.client_id == screen.client_id, Review.status == ReviewStatus.DRAFT
            )
        ).all()
    assert len(drafts) == 1


async def test_enter_on_a_past_review_opens_its_record(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_client(pilot)
        brief = brief_of(demo_db, screen.client_id)
        assert len(brief.history) >= 2
        await pilot.press("tab")
        assert isinstance(app.focused, DataTable)
        await pilot.press("down", "enter")
        await settle(pilot)
        record = app.screen
        assert isinstance(record, ReviewRecordScreen)
        assert record.review_id == brief.history[1].review_id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen


# -- untrusted text -----------------------------------------------------------------------


@pytest.mark.parametrize("hostile", HOSTILE)
async def test_typed_text_is_shown_verbatim_and_does_nothing(
    sqlite_db: Database, me: Actor, hostile: str
) -> None:
    client_id = add_client(sqlite_db, me, "X1", display_name=hostile, values=[hostile])
    done = add_assignment(sqlite_db, me, client_id, hostile, what=hostile, when=hostile)
    add_completed_review(
        sqlite_db, me, client_id, TODAY - timedelta(days=7), {done: "done"}, win_text=hostile
    )
    add_assignment(sqlite_db, me, client_id, hostile, where=hostile)
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_client(pilot)
        head = str(screen.query_one("#client-head", Static).render())
        assert head == f"X1  {hostile}  values {hostile}"
        since = shown_text(app, "#since")
        assert f"“{hostile}”" in since
        homework = homework_text(app)
        assert f"{hostile} · Custom" in homework
        assert f"where {hostile}" in homework
        history = screen.query_one("#history", DataTable)
        assert str(history.get_row_at(0)[2]) == hostile
        await pilot.click("#since", offset=(20, 0))
        await pilot.click("#client-head", offset=(8, 0))
        await pilot.pause()
        assert app.is_running  # a [@click=app.quit] did not quit
        assert app.screen is screen


async def test_past_reviews_count_agrees_with_the_reviews_there_are(
    sqlite_db: Database, me: Actor
) -> None:
    """Issue 17: "Past reviews (20)" was the list's cap while the chart said 24 reviews."""
    client_id = add_client(sqlite_db, me, code="MANY")
    walk = add_assignment(sqlite_db, me, client_id, "Walk")
    for week in range(22):
        day = TODAY - timedelta(days=7 * (22 - week))
        add_completed_review(sqlite_db, me, client_id, day, {walk: "done"}, win_text="ok")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await app.push_screen(ClientScreen(client_id))
        await settle(pilot)
        title = str(app.screen.query_one("#history-title", Static).render())
        assert "Past reviews (latest 20 of 22)" in title
        assert app.screen.query_one("#history", DataTable).row_count == 20


async def test_a_reliable_change_in_a_measure_is_on_the_overview(
    sqlite_db: Database, me: Actor
) -> None:
    """Issue 22: each measure's reliable change shows where the clinician reads first,
    before new homework is set (ORS 17 then 12: five points, reliably worse)."""
    from datetime import UTC, datetime

    from hwtui.data.services.measures import record_measure

    client_id = add_client(sqlite_db, me, "MC1")
    walk = add_assignment(sqlite_db, me, client_id, "Walk")
    add_completed_review(sqlite_db, me, client_id, TODAY - timedelta(days=7), {walk: "done"})
    with sqlite_db.write() as s:
        for days_ago, items in ((14, [5, 4, 4, 4]), (1, [3, 3, 3, 3])):
            taken = datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC)
            record_measure(s, me, client_id, "ors", items, taken_at=taken)
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_client(pilot)
        text = shown_text(app)
        assert "Measures" in text
        assert "ORS 12/40 reliably worse than 17 (previous)" in text


async def test_closed_overviews_are_let_go(demo_db: Database) -> None:
    """A closed overview is freed, with its header and chart: Textual kept the header
    (watching the app's title) and the chart's plot (subscribed to theme changes) for the
    rest of the session, and the chart the history it drew (bench/_long_day.py)."""
    import gc

    from textual.widgets import Header

    from hwtui.widgets.progress_chart import CompletionChart

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        for row in range(3):
            await open_client(pilot, row)
            await pilot.press("escape")
            await settle(pilot)
        gc.collect()
        kept = [
            type(o).__name__
            for o in gc.get_objects()
            if isinstance(o, ClientScreen | CompletionChart | Header) and not o.is_attached
        ]
        assert kept == []


async def test_an_overview_opened_from_the_caseload_is_read_first_and_shown_whole(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter reads the brief, then pushes the overview with it (screens/opening.py): the
    screen never shows "Loading…" nor starts a read of its own, and the past reviews are
    cut to the table's real width at the first fill (no second fill after layout)."""
    loads: list[int] = []
    fills: list[int] = []
    real_load, real_fill = ClientScreen.load, ClientScreen._fill_history

    def load(self: ClientScreen) -> None:
        loads.append(self.client_id)
        real_load(self)

    def fill(self: ClientScreen, brief: ClientBrief) -> None:
        fills.append(self.client_id)
        real_fill(self, brief)

    monkeypatch.setattr(ClientScreen, "load", load)
    monkeypatch.setattr(ClientScreen, "_fill_history", fill)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_client(pilot, 1)
        head = str(screen.query_one("#client-head", Static).render())
        assert screen.brief is not None
        assert screen.brief.client.code in head
        assert "Loading" not in head
        assert loads == []
        table = screen.query_one("#history", DataTable)
        assert screen._filled_win_width == screen._win_width(table)
        assert fills == [screen.client_id]
        # Back on the caseload and in again: the reload on return is the screen's own.
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        screen = await open_client(pilot, 2)
        assert loads == []


async def test_an_overview_that_cannot_be_read_is_said_on_the_caseload(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    from hwtui.data.errors import DatabaseProblem

    def fail(self: Practice, *args: Any, **kwargs: Any) -> Any:
        raise DatabaseProblem("database error: the server closed the connection")

    monkeypatch.setattr(Practice, "client_overview", fail)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CaseloadScreen)
        said = [n.message for n in app._notifications]
        assert said == ["database error: the server closed the connection"]
        assert not app.screen.query_one(DataTable).loading


async def test_a_slow_overview_read_shows_the_caseload_waiting(
    demo_db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    real_read = Practice.client_overview

    def slow(self: Practice, *args: Any, **kwargs: Any) -> Any:
        release.wait(5)
        return real_read(self, *args, **kwargs)

    monkeypatch.setattr(Practice, "client_overview", slow)
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(DataTable)
        await pilot.press("enter")
        await pilot.pause(0.5)  # past SHOW_WAITING_SECONDS
        assert isinstance(app.screen, CaseloadScreen)
        assert table.loading
        release.set()
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert not table.loading
