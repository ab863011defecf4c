"""Progress drawn inline: on the client overview (a chart when tall, one line when short)
and on the review summary, where this session's completion is the last bar."""

from __future__ import annotations

import pytest
from textual.widget import Widget
from textual.widgets import ContentSwitcher, Static
from textual_plotext import PlotextPlot

from hwtui.data import metrics
from hwtui.data.db import Database
from hwtui.data.services.clients import create_client
from hwtui.data.services.identity import ensure_clinician
from hwtui.data.services.progress import client_progress
from hwtui.data.services.reviews import start_review
from hwtui.screens.client import ClientScreen
from hwtui.screens.review import ReviewScreen
from hwtui.widgets.progress_chart import BarrierChart, Chart, CompletionChart
from tests.conftest import TODAY
from tests.test_app_progress import CLINICIAN, make_app, practice, settle

__all__ = ["practice"]  # the fixture, shared with the progress tests


def plot_shown(chart: Widget) -> bool:
    """Whether the chart shows a plot (one is mounted only once there is room for it)."""
    return any(plot.display for plot in chart.query(PlotextPlot))


def _line(chart: Chart) -> str:
    return str(chart.query_one(".chart-table", Static).render())


@pytest.mark.parametrize(("size", "plotted"), [((80, 24), False), ((120, 40), True)])
async def test_the_overview_shows_completion_inline(
    practice: tuple[Database, int], size: tuple[int, int], plotted: bool
) -> None:
    db, client_id = practice
    app = make_app(db)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await app.push_screen(ClientScreen(client_id))
        await settle(pilot)
        chart = app.screen.query_one("#trend-completion", CompletionChart)
        assert chart.progress is not None
        assert len(chart.progress.points) > 5
        assert plot_shown(chart) is plotted
        if not plotted:
            # 80x24 has one line to spare: a sparkline and the figures, on one line.
            line = _line(chart)
            assert chart.size.height == 1
            assert line.startswith("Completion ")
            last = chart.progress.points[-1].completion.percent()
            assert f"last {last}" in line
            assert f"{len(chart.progress.points)} reviews" in line


async def test_no_color_turns_the_overview_chart_into_text(
    practice: tuple[Database, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    db, client_id = practice
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.push_screen(ClientScreen(client_id))
        await settle(pilot)
        chart = app.screen.query_one("#trend-completion", CompletionChart)
        assert not plot_shown(chart)  # none mounted, or hidden
        # The label is shortened when the line is drawn narrower (at paint-time width).
        assert "completion" in _line(chart).casefold()
        assert "%" in _line(chart)


async def test_the_summary_chart_ends_with_this_session(practice: tuple[Database, int]) -> None:
    db, client_id = practice
    with db.write() as s:
        me = ensure_clinician(s, CLINICIAN)
        review = start_review(s, me, client_id, TODAY)
        history = client_progress(s, me, client_id)
    assert review.id is not None
    app = make_app(db)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = ReviewScreen(review.id)
        await app.push_screen(screen)
        await settle(pilot)
        assert screen.draft is not None
        tasks = list(screen.draft.tasks)
        # done, then not done for the rest: this session scores 1 of n
        await pilot.press("d", *["n"] * (len(tasks) - 1))
        for _ in range(5):
            await pilot.press("pagedown")
        await settle(pilot)
        chart = screen.query_one("#summary-chart", CompletionChart)
        assert chart.display
        assert chart.progress is not None
        assert chart.progress.points[:-1] == history.points
        last = chart.progress.points[-1]
        assert (last.review_id, last.day) == (review.id, TODAY)
        assert last.completion == metrics.Rate(1 / len(tasks), len(tasks))
        assert chart.progress.rolling[-1] is not None


def test_with_review_adds_a_point_and_redoes_the_rolling_mean(db: Database) -> None:
    with db.write() as s:
        me = ensure_clinician(s, "dr_points")
        client = create_client(s, me, code="P1", display_name="P One")
        assert client.id is not None
        empty = client_progress(s, me, client.id)
    assert empty.points == []
    one = empty.with_review(7, TODAY, metrics.Rate(0.5, 2))
    two = one.with_review(8, TODAY, metrics.Rate(1.0, 2))
    assert [p.review_id for p in two.points] == [7, 8]
    assert two.rolling == metrics.rolling([metrics.Rate(0.5, 2), metrics.Rate(1.0, 2)])
    assert empty.points == []  # the history itself is left as it was


async def test_g_cycles_the_overview_chart_through_barriers_and_measures(
    practice: tuple[Database, int],
) -> None:
    db, client_id = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        screen = ClientScreen(client_id)
        await app.push_screen(screen)
        await settle(pilot)
        measures = [c.removeprefix("trend-") for c in screen.charts[2:]]
        assert measures  # the demo client has session measures
        switcher = screen.query_one("#trend", ContentSwitcher)
        seen = [switcher.current]
        for _ in screen.charts:
            await pilot.press("g")
            await pilot.pause()
            seen.append(switcher.current)
        assert seen == [*screen.charts, "trend-completion"]  # and round again
        await pilot.press("g")
        await pilot.pause()
        line = _line(screen.query_one("#trend-barriers", BarrierChart))
        assert line.startswith("Barriers in the last")
