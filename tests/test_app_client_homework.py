"""The overview's homework list and since-last-session brief, as drawn: wrapped lines hang
under their text (not under the bullet, status or label), enter and a click open a task,
stored escapes and markup reach the terminal as plain text, and a reload refills the
brief in place."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from rich.segment import Segment
from sqlalchemy import text as sql
from textual.widget import Widget
from textual.widgets import Static

from hwtui.app import HomeworkApp, build_app
from hwtui.data.db import Database
from hwtui.data.services.assignments import complete_assignment, retire_assignment
from hwtui.data.services.identity import Actor
from hwtui.screens.assignment import AssignmentScreen
from hwtui.screens.client import ClientScreen
from hwtui.widgets.task_list import TaskList
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client, add_completed_review

LONG_TITLE = "Walk around the park after dinner " * 4
LONG_WIN = "Went for the walk on Tuesday even though it rained and nobody came along " * 2
CLICK = "[@click=app.quit]x[/]"
OSC52 = "\x1b]52;c;AAAA\x07"


def lines_of(app: HomeworkApp, widget: Widget) -> list[str]:
    """The widget's lines as the terminal gets them (its region of the screen)."""
    region = widget.region
    strips = app.screen._compositor.render_strips()[region.y : region.bottom]
    return [strip.crop(region.x, region.right).text for strip in strips]


def segments(app: HomeworkApp) -> list[Segment]:
    return [segment for strip in app.screen._compositor.render_strips() for segment in strip]


async def open_overview(app: HomeworkApp, pilot: Any, client_id: int) -> ClientScreen:
    await app.workers.wait_for_complete()
    screen = ClientScreen(client_id)
    await app.push_screen(screen)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen


async def test_wrapped_lines_hang_under_the_text(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "W1")
    old = add_assignment(db, me, client_id, LONG_TITLE.upper())
    with db.write() as s:
        complete_assignment(s, me, old)
    add_completed_review(db, me, client_id, TODAY - timedelta(days=7), win_text=LONG_WIN)
    task = add_assignment(db, me, client_id, LONG_TITLE, what="walk")

    app = build_app(db, username=me.username, today=lambda: TODAY)
    async with app.run_test(size=(80, 40)) as pilot:
        screen = await open_overview(app, pilot, client_id)
        listing = screen.query_one("#homework", TaskList)
        lines = lines_of(app, listing)
        # The active task: a bullet, then the title; its wrapped lines start under the
        # title, as do its details.
        assert lines[0].startswith(" • Walk around")
        assert lines[1][:3] == "   "
        assert lines[1][3] != " "
        assert any(line.startswith("   what walk") for line in lines)
        # The earlier task: status and day in a column, the title wrapped beside it.
        first = next(n for n, line in enumerate(lines) if "WALK AROUND" in line)
        assert re.match(r" completed \d\d \w\w\w WALK AROUND", lines[first])  # the day it closed
        assert lines[first + 1][:18] == " " * 18
        assert lines[first + 1][18] != " "
        # The win, wrapped under itself rather than under its label.
        since = lines_of(app, screen.query_one("#since"))
        assert since[0].startswith("Win")
        assert since[0][17:].startswith("“Went for the walk")
        assert since[1][:17] == " " * 17
        assert since[1][17] != " "

        # Enter opens the highlighted task; so does a click on any of its lines.
        assert listing.highlighted_assignment == task
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AssignmentScreen)
        assert app.screen.assignment_id == task
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.click("#homework", offset=(20, 1))
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AssignmentScreen)
        assert app.screen.assignment_id == task


async def test_stored_escapes_and_markup_are_shown_as_text(db: Database, me: Actor) -> None:
    hostile = f"{CLICK} {OSC52}"
    shown = f"{CLICK} ]52;c;AAAA"  # the controls gone, the rest as typed
    client_id = add_client(db, me, "X2")
    add_completed_review(db, me, client_id, TODAY - timedelta(days=7))
    add_assignment(db, me, client_id, "placeholder")
    old = add_assignment(db, me, client_id, "placeholder")
    with db.write() as s:
        retire_assignment(s, me, old, "placeholder")
    # Behind the services' back, as an import or an old database could hold them.
    with db.write() as s:
        run = s.connection().execute
        run(sql("UPDATE assignment SET title = :v, what = :v"), {"v": hostile})
        run(
            sql("UPDATE assignment SET status_reason = :v WHERE id = :id"),
            {"v": hostile, "id": old},
        )
        run(sql("UPDATE review SET win_text = :v"), {"v": hostile})

    app = build_app(db, username=me.username, today=lambda: TODAY)
    async with app.run_test(size=(80, 40)) as pilot:
        screen = await open_overview(app, pilot, client_id)
        listing = "\n".join(lines_of(app, screen.query_one("#homework", TaskList)))
        assert f"• {shown} · Custom" in listing
        assert f"what {shown}" in listing
        assert f"why {shown}" in listing
        assert f"“{shown}”" in "\n".join(lines_of(app, screen.query_one("#since")))
        sent = segments(app)
        assert not any("\x1b" in s.text or "\x07" in s.text for s in sent)
        assert not any(s.style and "@click" in s.style.meta for s in sent)
        await pilot.click("#since", offset=(20, 0))
        await pilot.pause()
        assert app.is_running  # a [@click=app.quit] did not quit
        assert app.screen is screen


async def test_the_brief_is_filled_in_place_on_reload(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "R1")
    app = build_app(db, username=me.username, today=lambda: TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_overview(app, pilot, client_id)
        since = screen.query_one("#since", Static)
        assert str(since.render()).split("\n") == [
            f"{'First session':17}nothing to look back on yet"
        ]
        # A review recorded meanwhile (on another terminal, say); f5 reloads.
        add_completed_review(db, me, client_id, TODAY - timedelta(days=1), win_text="slept")
        await pilot.press("f5")
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The same widget, filled anew.
        assert screen.query_one("#since", Static) is since
        assert str(since.render()).split("\n")[0] == f"{'Win':17}“slept”"
        assert "First session" not in str(since.render())


def test_a_since_label_longer_than_its_column_is_cut_and_keeps_its_gap() -> None:
    from hwtui.screens.client import SINCE_LABEL_WIDTH, since_label

    assert since_label("New smaller goal").plain == "New smaller goal"
    cut = since_label("Win (an imported kind of win)").plain
    assert cut == "Win (an importe…"
    assert len(cut) == SINCE_LABEL_WIDTH
