"""Timings inside the process, through the app's own screens and services.

Screens run headless (`App.run_test`). A screen counts as shown at the first frame the
app produces with its data in place: `FrameClock` wraps the app's `_display`, encodes
each frame to terminal bytes as a real terminal would get them (headless mode skips
that step), and timestamps it.
"""

from __future__ import annotations

import asyncio
import gc
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from _review_input import whole_review
from rich.console import RenderableType
from textual import events
from textual._compositor import CompositorUpdate
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable

from hwtui import heap
from hwtui.app import HomeworkApp, build_app
from hwtui.data.db import Database
from hwtui.data.notes import build_note, render_text
from hwtui.data.review_steps import STEPS
from hwtui.data.services.identity import Actor, ensure_clinician
from hwtui.data.services.notes import note_for, note_source, note_style
from hwtui.data.services.reviews import complete_review, open_review, start_review
from hwtui.widgets.steps.base import Step
from hwtui.widgets.task_list import TaskList

if TYPE_CHECKING:
    from hwtui.screens.caseload import CaseloadScreen
    from hwtui.screens.client import ClientScreen

# The screens and charts are imported where they are used, not here: `first_open` times
# the first overview of a process with the imports it brings (plotext among them).

TIMEOUT = 60.0


@dataclass
class InProcessResults:
    # Until the brief and the inline completion chart are both on screen.
    overview_ms: list[float] = field(default_factory=list)
    overview_first_ms: float = float("nan")
    # Until the brief alone is (the chart's history is loaded after it).
    overview_brief_ms: list[float] = field(default_factory=list)
    step_ms: list[float] = field(default_factory=list)
    # The same, by move ("2>3" is forward from step 2 to step 3).
    step_ms_by_move: dict[str, list[float]] = field(default_factory=dict)
    chart_ms: list[float] = field(default_factory=list)
    chart_points: int = 0
    note_ms: list[float] = field(default_factory=list)
    note_with_queries_ms: list[float] = field(default_factory=list)
    complete_ms: list[float] = field(default_factory=list)
    active_tasks: int = 0
    earlier_tasks: int = 0


class FrameClock:
    """Timestamps the app's frames; `when(...)` resolves at the first frame where a
    condition holds."""

    def __init__(self, app: HomeworkApp) -> None:
        self.app = app
        self._waiting: list[tuple[Callable[[Screen[Any]], bool], asyncio.Future[float]]] = []
        display = app._display

        def timed_display(screen: Screen[Any], renderable: RenderableType | None) -> None:
            display(screen, renderable)
            if renderable is None or app._batch_count:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # the bytes a terminal would get
            now = time.perf_counter()
            for item in list(self._waiting):
                shown, future = item
                try:
                    ready = future.done() or shown(screen)
                except Exception as exc:  # a broken condition must not break the app
                    future.set_exception(exc)
                    ready = True
                if ready:
                    if not future.done():
                        future.set_result(now)
                    self._waiting.remove(item)

        # An instance attribute, so only this app is timed.
        setattr(app, "_display", timed_display)  # noqa: B010

    def when(self, shown: Callable[[Screen[Any]], bool]) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting.append((shown, future))
        return future


async def settle(pilot: Pilot[None]) -> None:
    """Until no worker runs and the app is idle."""
    for _ in range(2):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def loaded() -> None:
    """Treat the heap as `hwtui` does once its app is built (`heap.loading`):
    what loading made (here also the practice this process generated, collected first)
    set aside, and the young generation collected less often."""
    gc.collect()
    heap.set_aside_what_loaded()
    heap.collect_less_often()


def _ms(start: float, end: float) -> float:
    return (end - start) * 1000


def _overview_loaded(screen: Screen[Any]) -> bool:
    from hwtui.screens.client import EARLIER_SHOWN, ClientScreen

    if not isinstance(screen, ClientScreen) or screen.brief is None:
        return False
    brief = screen.brief
    earlier = len(brief.earlier) if screen.all_earlier else min(len(brief.earlier), EARLIER_SHOWN)
    more = 1 if earlier < brief.earlier_total else 0
    items = len(brief.due) + (earlier + 1 + more if brief.earlier else 0)
    return (
        screen.query_one("#history", DataTable).row_count == len(brief.history)
        and screen.query_one("#homework", TaskList).option_count == items
    )


def _chart_loaded(screen: Screen[Any]) -> bool:
    from hwtui.widgets.progress_chart import CompletionChart

    charts = screen.query(CompletionChart)
    return bool(charts) and charts.first().progress is not None


async def open_overview(
    app: HomeworkApp, pilot: Pilot[None], clock: FrameClock, client_id: int
) -> tuple[float, float, ClientScreen]:
    """ms from opening the client from the caseload (as enter on its row does: the
    overview is read, then pushed) to its first frame with the brief shown, and to the
    first with the brief and its inline chart."""
    from hwtui.screens.caseload import CaseloadScreen
    from hwtui.screens.client import ClientScreen

    caseload = app.screen
    assert isinstance(caseload, CaseloadScreen)
    brief_ms, ms = await _open_from(caseload, clock, client_id)
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, ClientScreen)
    return brief_ms, ms, screen


async def _open_from(
    caseload: CaseloadScreen, clock: FrameClock, client_id: int
) -> tuple[float, float]:
    """ms from opening the client on *caseload* (the overview read, then pushed) to the
    first frame of its overview with the brief, and to the first with its chart too."""
    from hwtui.screens.client import ClientScreen

    def opened(s: Screen[Any]) -> bool:
        return isinstance(s, ClientScreen) and s.client_id == client_id

    brief = clock.when(lambda s: opened(s) and _overview_loaded(s))
    whole = clock.when(lambda s: opened(s) and _overview_loaded(s) and _chart_loaded(s))
    started = time.perf_counter()
    caseload.open_client(client_id)
    brief_shown = await asyncio.wait_for(brief, TIMEOUT)
    all_shown = await asyncio.wait_for(whole, TIMEOUT)
    return _ms(started, brief_shown), _ms(started, all_shown)


async def change_step(
    app: HomeworkApp, pilot: Pilot[None], clock: FrameClock, key: str, target: int
) -> float:
    """ms from a key press to the first frame showing review step *target*."""
    from hwtui.screens.review import ReviewScreen

    screen = app.screen
    assert isinstance(screen, ReviewScreen)
    widget = screen.query_one(f"#step-{STEPS[target].value}", Step)
    shown = clock.when(lambda s: s is screen and widget.display and widget.region.area > 0)
    driver = app._driver
    assert driver is not None
    started = time.perf_counter()
    driver.send_message(events.Key(key, None))
    ended = await asyncio.wait_for(shown, TIMEOUT)
    await settle(pilot)  # the draft is saved at every step change: let it finish
    return _ms(started, ended)


async def _until(pilot: Pilot[None], ready: Callable[[], bool]) -> None:
    deadline = time.perf_counter() + TIMEOUT
    while not ready():
        if time.perf_counter() > deadline:
            raise TimeoutError("the screen never got ready")
        await pilot.pause(0.01)


async def screens_80x24(
    db: Database, username: str, client_id: int, runs: int, out: InProcessResults
) -> None:
    from hwtui.screens.review import ReviewScreen

    app = build_app(db, username=username)
    loaded()
    clock = FrameClock(app)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)  # the caseload
        for n in range(runs + 1):
            brief_ms, ms, screen = await open_overview(app, pilot, clock, client_id)
            if n == 0:
                out.overview_first_ms = ms
            else:
                out.overview_ms.append(ms)
                out.overview_brief_ms.append(brief_ms)
            assert screen.brief is not None
            out.active_tasks = len(screen.brief.due)
            out.earlier_tasks = screen.brief.earlier_total
            if n < runs:
                app.pop_screen()
                await settle(pilot)  # the caseload reloads on return

        # A review of this client, started as the clinician starts one (s).
        screen.action_start_review()
        await _until(
            pilot,
            lambda: (
                isinstance(app.screen, ReviewScreen)
                and app.screen.draft is not None
                and len(app.screen.query(Step)) == len(STEPS)
            ),
        )
        await settle(pilot)
        review = app.screen
        assert isinstance(review, ReviewScreen)
        assert review.draft is not None
        # Outcomes for every task, alternately done and not done, so that the later
        # steps (what worked, what got in the way, the new goal) have something to show.
        for n in range(len(review.draft.tasks)):
            await pilot.press("d" if n % 2 == 0 else "n")
        await settle(pilot)
        last = len(STEPS) - 1
        moves = [("pagedown", t) for t in range(1, last + 1)]
        moves += [("pageup", t) for t in range(last - 1, -1, -1)]
        for _ in range(max(1, -(-runs // 2))):
            for key, target in moves:
                ms = await change_step(app, pilot, clock, key, target)
                out.step_ms.append(ms)
                origin = target - 1 if key == "pagedown" else target + 1
                move = f"{origin + 1}>{target + 1}"
                out.step_ms_by_move.setdefault(move, []).append(round(ms, 1))
        await settle(pilot)


async def chart_120x40(
    db: Database, username: str, client_id: int, runs: int, out: InProcessResults
) -> None:
    from textual_plotext import PlotextPlot

    from hwtui.screens.progress import ProgressScreen
    from hwtui.widgets.progress_chart import CompletionChart

    app = build_app(db, username=username)
    loaded()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.push_screen(ProgressScreen(client_id, "bench"))
        await settle(pilot)
        chart = app.screen.query_one(CompletionChart)
        await _until(pilot, lambda: chart.progress is not None)
        await settle(pilot)
        plot = chart.query_one(PlotextPlot)
        if not plot.display:
            raise RuntimeError(f"the chart fell back to its table at {plot.size}")
        assert chart.progress is not None
        out.chart_points = len(chart.progress.points)
        for n in range(runs * 4 + 1):
            # What painting does: lay out the figure for the widget's size, draw it with
            # plotext, and turn it into the widget's lines.
            started = time.perf_counter()
            plot._render_content()
            if n:
                out.chart_ms.append(_ms(started, time.perf_counter()))


# What the first overview of a process imports, and nothing before it may have.
FIRST_OPEN_IMPORTS = ("hwtui.screens.client", "textual_plotext", "plotext")


async def _first_open(db: Database, username: str, client_id: int) -> tuple[float, float]:
    from hwtui.screens.caseload import CaseloadScreen

    early = [name for name in FIRST_OPEN_IMPORTS if name in sys.modules]
    if early:
        raise RuntimeError(f"the bench imported them before the app: {', '.join(early)}")
    app = build_app(db, username=username)
    loaded()
    clock = FrameClock(app)
    async with app.run_test(size=(80, 24)) as pilot:
        # The caseload, its trends, and whatever the app does next while the clinician
        # reads it (it may import the overview's modules ahead: `warm_overview`).
        await settle(pilot)
        caseload = app.screen
        assert isinstance(caseload, CaseloadScreen)
        # As enter on its row: imports the overview's modules first, unless warmed.
        opened = await _open_from(caseload, clock, client_id)
        await settle(pilot)
    return opened


def first_open(db: Database, username: str, client_id: int) -> tuple[float, float]:
    """ms from opening the client from the caseload to the first frame with the brief,
    and to the first with the brief and its chart, the first time in this process: the
    overview's screen and the chart's plotext are imported by the app, as part of it or
    ahead while the caseload shows, never by the bench. Run it in a process of its own
    (`bench/_first_open.py`)."""
    return asyncio.run(_first_open(db, username, client_id))


def _complete_draft(
    db: Database, me: Actor, client_id: int, today: date
) -> tuple[int, dict[str, Any]]:
    """A draft review of the client with everything a complete review needs."""
    with db.write() as session:
        review_id = start_review(session, me, client_id, today).id
        assert review_id is not None
        ctx = open_review(session, me, review_id)
    return review_id, whole_review(ctx)


def services(db: Database, username: str, client_id: int, runs: int, out: InProcessResults) -> None:
    today = date.today()
    with db.write() as session:
        me = ensure_clinician(session, username)
    completed: list[int] = []
    for n in range(runs + 1):
        review_id, data = _complete_draft(db, me, client_id, today)
        # Exactly what the review screen's `complete` worker runs.
        started = time.perf_counter()
        with db.write() as session:
            complete_review(session, me, review_id, **data)
        if n:
            out.complete_ms.append(_ms(started, time.perf_counter()))
        completed.append(review_id)

    review_id = completed[-1]
    with db.write() as session:
        source = note_source(session, me, review_id)
        style = note_style(session, me)
    for n in range(runs * 4 + 1):
        started = time.perf_counter()
        render_text(build_note(source, style))
        if n:
            out.note_ms.append(_ms(started, time.perf_counter()))
    for n in range(runs + 1):
        # What the review record screen does for the note, queries included.
        started = time.perf_counter()
        with db.write() as session:
            render_text(note_for(session, me, review_id))
        if n:
            out.note_with_queries_ms.append(_ms(started, time.perf_counter()))


def measure(db: Database, username: str, client_id: int, runs: int) -> InProcessResults:
    out = InProcessResults()
    asyncio.run(screens_80x24(db, username, client_id, runs, out))
    asyncio.run(chart_120x40(db, username, client_id, runs, out))
    services(db, username, client_id, runs, out)
    return out
