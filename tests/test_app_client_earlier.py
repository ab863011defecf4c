"""Years of earlier homework: the overview shows the latest few and the rest on request."""

from __future__ import annotations

from textual.pilot import Pilot

from hwtui.app import build_app
from hwtui.data.db import Database
from hwtui.data.services.assignments import complete_assignment
from hwtui.data.services.identity import Actor
from hwtui.screens.assignment import AssignmentScreen
from hwtui.screens.client import EARLIER_SHOWN, ClientScreen
from hwtui.widgets.task_list import MORE, TaskList, TaskOption
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client


def task_ids(listing: TaskList) -> list[int]:
    return [o.assignment_id for o in listing.options if isinstance(o, TaskOption)]


async def open_overview(pilot: Pilot[None], client_id: int) -> tuple[ClientScreen, TaskList]:
    """The client's overview, pushed over the caseload, once its brief is shown."""
    app = pilot.app
    await app.workers.wait_for_complete()
    screen = ClientScreen(client_id)
    await app.push_screen(screen)
    await app.workers.wait_for_complete()
    await pilot.pause()
    return screen, screen.query_one("#homework", TaskList)


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
        screen, listing = await open_overview(pilot, client_id)
        assert len(task_ids(listing)) == 1 + EARLIER_SHOWN  # the active one, the latest closed
        more = listing.get_option(MORE)
        assert f"{20 - EARLIER_SHOWN} more earlier tasks" in str(more.prompt)

        await pilot.press("end")  # the last entry: "… N more"
        assert listing.more_highlighted
        await pilot.press("enter")
        await pilot.pause()
        assert not listing.has_more
        tasks = task_ids(listing)
        assert len(tasks) == 1 + 20
        assert set(tasks) >= set(closed)
        # the cursor is on the first of those just shown, and enter opens it
        assert listing.highlighted_assignment == tasks[1 + EARLIER_SHOWN]
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, AssignmentScreen)
        assert app.screen.assignment_id == tasks[1 + EARLIER_SHOWN]
        # Back on the overview (reloaded), every earlier task is still shown.
        await pilot.press("escape")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert app.screen is screen
        assert len(task_ids(listing)) == 1 + 20
        assert not listing.has_more


async def test_clicking_more_shows_the_rest(db: Database, me: Actor) -> None:
    client_id = add_client(db, me, "E02")
    closed = [add_assignment(db, me, client_id, f"Task {n:02}") for n in range(EARLIER_SHOWN + 3)]
    for assignment_id in closed:
        with db.write() as s:
            complete_assignment(s, me, assignment_id)

    app = build_app(db, username=me.username, today=lambda: TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        screen, listing = await open_overview(pilot, client_id)
        assert "… 3 more earlier tasks" in str(listing.get_option(MORE).prompt)
        # No active homework: the cursor starts on the first earlier task, under the heading.
        assert listing.highlighted_assignment == task_ids(listing)[0]
        listing.scroll_end(animate=False, immediate=True)
        await pilot.pause()
        assert listing.virtual_size.height > listing.size.height  # so "more" is at the foot
        await pilot.click("#homework", offset=(4, listing.size.height - 1))
        await pilot.pause()
        assert not listing.has_more
        assert len(task_ids(listing)) == EARLIER_SHOWN + 3
        assert app.screen is screen
