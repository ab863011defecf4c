"""Years of earlier homework: the overview shows the latest few and the rest on request."""

from __future__ import annotations

from textual.widgets import ListView, Static

from hwtui.app import build_app
from hwtui.data.db import Database
from hwtui.data.services.assignments import complete_assignment
from hwtui.data.services.identity import Actor
from hwtui.screens.assignment import AssignmentScreen
from hwtui.screens.client import EARLIER_SHOWN, ClientScreen, MoreItem, TaskItem
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client


async def test_earlier_homework_beyond_the_latest_few_comes_on_enter(
    db: Database, me: Actor
) -> None:
    client_id = add_client(db, me, "E01")
    closed = [add_assignment(db, me, client_id, f"Task {n:02}") for n in range(20)]
    for assignment_id in closed:
        with db.write() as s:
            complete_assignment(s, me, assignment_id)
    add_assignment(db, me, client_id, "Still active")

    app = build_app(db, username=me.username, today=lambda: TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await app.workers.wait_for_complete()
        screen = ClientScreen(client_id)
        await app.push_screen(screen)
        await app.workers.wait_for_complete()
        await pilot.pause()
        listing = screen.query_one("#homework", ListView)
        tasks = [item for item in listing.children if isinstance(item, TaskItem)]
        assert len(tasks) == 1 + EARLIER_SHOWN  # the active one, then the latest closed
        more = listing.query_one(MoreItem)
        assert f"{20 - EARLIER_SHOWN} more earlier tasks" in str(more.query_one(Static).render())

        listing.index = list(listing.children).index(more)
        await pilot.press("enter")
        await pilot.pause()
        assert not listing.query(MoreItem)
        tasks = [item for item in listing.children if isinstance(item, TaskItem)]
        assert len(tasks) == 1 + 20
        # the cursor is on the first of those just shown, and enter opens it
        highlighted = listing.highlighted_child
        assert isinstance(highlighted, TaskItem)
        assert highlighted.assignment_id == tasks[1 + EARLIER_SHOWN].assignment_id
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AssignmentScreen)
