"""The caseload-wide trends screen, driven from the keyboard."""

from __future__ import annotations

from textual.widgets import DataTable, Static
from textual_plotext import PlotextPlot

from hwtui.data.db import Database
from hwtui.screens.client import ClientScreen
from hwtui.screens.trends import TrendsScreen
from hwtui.widgets.progress_chart import CaseloadChart
from tests.test_app_progress import caption, make_app, plotted, practice, settle

__all__ = ["practice"]  # the fixture, shared with the progress tests


async def test_trends_open_follow_the_cursor_and_open_a_client(
    practice: tuple[Database, int],
) -> None:
    db, _client_id = practice
    app = make_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TrendsScreen)
        assert screen.trends is not None
        table = screen.query_one(DataTable)
        assert table.row_count == len(screen.trends.clients) == 3
        lows = [t.now for t in screen.trends.clients if t.now is not None]
        assert lows == sorted(lows)  # lowest average first
        assert "3 clients" in str(screen.query_one("#trends-summary", Static).render())

        chart = screen.query_one(CaseloadChart)
        assert chart.query_one(PlotextPlot).display  # 80x24 has room for the chart
        assert chart.selected == screen.trends.clients[0]
        # The line's key is the caption, not a legend drawn over the bars.
        code = chart.selected.code
        assert f"line: {code}" in caption(chart)
        assert not [line for line in plotted(chart) if code in line]
        await pilot.press("down")
        await pilot.pause()
        assert chart.selected == screen.trends.clients[1]  # the line follows the cursor

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClientScreen)
        assert app.screen.client_id == screen.trends.clients[1].client_id
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, TrendsScreen)
