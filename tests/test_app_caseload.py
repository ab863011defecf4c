"""Pilot tests for the app shell: the caseload and adding a client."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlmodel import select
from textual.message import Message
from textual.widgets import DataTable, Static

from hwtui.app import HomeworkApp
from hwtui.data.db import Database
from hwtui.data.models import AuditEvent, Client
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.screens.add_client import AddClientScreen
from hwtui.screens.caseload import CaseloadScreen
from hwtui.widgets.sparkline import sparkline
from tests.app_helpers import app_maker, settle
from tests.conftest import TODAY

CLINICIAN = "dr_demo"


@pytest.fixture
def demo_db(tmp_path: Path, demo_sqlite: Callable[..., Database]) -> Iterator[Database]:
    db = demo_sqlite(
        tmp_path / "demo.sqlite3", clinician=CLINICIAN, clients=8, weeks=10, seed=3, today=TODAY
    )
    yield db
    db.dispose()


make_app = app_maker(CLINICIAN)


def table_codes(app: HomeworkApp) -> list[str]:
    table = app.screen.query_one(DataTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


async def test_caseload_lists_the_demo_clients_due_first(demo_db: Database) -> None:
    with demo_db.read() as session:
        me = ensure_clinician(session, CLINICIAN)
        codes = set(session.exec(select(Client.code).where(Client.clinician_id == me.clinician_id)))
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        shown = table_codes(app)
        assert set(shown) == codes
        rows = app.screen.rows  # type: ignore[attr-defined]
        due = [row.is_due(TODAY) for row in rows]
        # Every client due today or overdue comes before every client not yet due.
        assert due == sorted(due, reverse=True)
        summary = str(app.screen.query_one("#summary", Static).render())
        assert f"{len(codes)} clients" in summary


async def test_rows_come_first_then_their_trends(demo_db: Database) -> None:
    """The trend sparklines are loaded after the rows are shown, into the same rows."""
    seen: list[str] = []

    def hook(message: Message) -> None:
        if isinstance(message, CaseloadScreen.RowsLoaded):
            seen.append("rows")
        elif isinstance(message, CaseloadScreen.TrendsLoaded):
            seen.append("trends")

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24), message_hook=hook) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, CaseloadScreen)
        assert seen == ["rows", "trends"]
        table = screen.query_one(DataTable)
        shown = {
            int(key.value): str(table.get_cell(key, "trend"))
            for key in table.rows
            if key.value is not None
        }
        assert shown == {
            row.client_id: sparkline(screen.trends.get(row.client_id, ())) for row in screen.rows
        }
        assert any(shown.values())  # the demo has recent reviews to draw


async def test_viewing_the_caseload_is_audited(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
    with demo_db.read() as session:
        actions = [(e.action, e.entity) for e in session.exec(select(AuditEvent))]
    assert ("view", "caseload") in actions


async def test_filter_by_code_or_name(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        rows = app.screen.rows  # type: ignore[attr-defined]
        target = rows[-1]
        await pilot.press("slash", *target.code)
        await pilot.pause()
        assert table_codes(app) == [target.code]
        await pilot.press("escape")
        await pilot.pause()
        assert len(table_codes(app)) == len(rows)
        name_part = target.display_name.split()[0].lower()
        await pilot.press("slash", *name_part)
        await pilot.pause()
        shown = table_codes(app)
        assert target.code in shown
        assert all(
            name_part in r.display_name.lower() or name_part in r.code.lower()
            for r in rows
            if r.code in shown
        )


async def test_add_a_client_from_the_keyboard(sqlite_db: Database) -> None:
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert table_codes(app) == []
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, AddClientScreen)
        await pilot.press(*"JD-07", "tab", *"Jo D", "tab", *"family; health", "ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        assert not isinstance(app.screen, AddClientScreen)
        assert table_codes(app) == ["JD-07"]
    with sqlite_db.read() as session:
        client = session.exec(select(Client)).one()
        assert (client.code, client.display_name) == ("JD-07", "Jo D")


async def test_a_duplicate_code_is_explained_by_the_field_and_nothing_is_lost(
    sqlite_db: Database,
) -> None:
    with sqlite_db.write() as session:
        me = ensure_clinician(session, CLINICIAN)
        create_client(session, me, code="AB1", display_name="Existing")
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("a")
        await pilot.pause()
        await pilot.press(*"AB1", "tab", *"Second person", "ctrl+s")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, AddClientScreen)
        error = screen.query_one("#code-error", Static)
        assert "already used" in str(error.render())
        assert error.display
        assert screen.query_one("#display_name").value == "Second person"  # type: ignore[attr-defined]
        assert app.focused is not None
        assert app.focused.id == "code"
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, AddClientScreen)


@pytest.mark.parametrize(
    "hostile",
    ["[b]not bold[/b]", "[TODO] call GP", "[@click=app.quit]x[/]", "ok\x1b]52;c;aGVsbG8=\x07!"],
)
async def test_typed_text_is_shown_verbatim_and_does_nothing(
    sqlite_db: Database, hostile: str
) -> None:
    with sqlite_db.write() as session:
        me = ensure_clinician(session, CLINICIAN)
        create_client(session, me, code="X1", display_name=hostile)
    app = make_app(sqlite_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        shown = table.get_row_at(0)[1]
        expected = hostile.replace("\x1b", "").replace("\x07", "")
        assert str(shown) == expected[:120]
        await pilot.click(DataTable, offset=(12, 1))
        await pilot.pause()
        assert app.is_running  # a [@click=app.quit] did not quit


async def test_help_lists_the_bindings(demo_db: Database) -> None:
    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query("HelpPanel")
        await pilot.press("question_mark")
        await pilot.pause()
        assert not app.screen.query("HelpPanel")


async def test_the_command_palette_offers_the_screens_actions(demo_db: Database) -> None:
    from textual.command import CommandPalette

    app = make_app(demo_db)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Add client" in titles
        assert "Filter" in titles
        await pilot.press("ctrl+p")
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"add client")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, AddClientScreen)
