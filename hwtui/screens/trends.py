"""The caseload's completion at a glance: the practice week by week, and each client's
trend, lowest first, so homework that is slipping is seen before the client arrives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Static

from hwtui.data.practice import Practice
from hwtui.data.services.trends import CaseloadTrends, ClientTrend
from hwtui.screens.asking import ask
from hwtui.screens.opening import OPENING, OpensClients
from hwtui.screens.reloading import ReloadingScreen
from hwtui.widgets.footer import Footer
from hwtui.widgets.lean_table import LeanTable
from hwtui.widgets.progress_chart import CaseloadChart
from hwtui.widgets.safe import safe_text
from hwtui.widgets.sparkline import sparkline

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

COLUMNS = ("Code", "Name", "Trend", "Last", "Avg of 4", "Change", "Reviews")


def change_text(trend: ClientTrend) -> Text:
    """The move of the rolling mean in percentage points, with an arrow that reads
    without colour."""
    change = trend.change
    if change is None:
        return Text("—", style="dim")
    points = round(change * 100)
    if points >= 10:
        return Text(f"↑ +{points}", style="bold")
    if points <= -10:
        return Text(f"↓ {points}", style="bold")
    return Text(f"→ {points:+d}", style="dim")


class TrendsScreen(ReloadingScreen[None], OpensClients):
    # Its own rules, parsed when it first opens, not with the app's stylesheet at launch.
    DEFAULT_CSS = """
        TrendsScreen #trends-summary {
            height: 1;
            padding: 0 1;
            color: $text-muted;
        }

        TrendsScreen #caseload-chart {
            height: 10;
            min-height: 1;
        }

        TrendsScreen DataTable {
            height: 1fr;
        }
    """
    # Keys typed while a client's overview is read go to it (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({OPENING})

    BINDINGS = [
        Binding("enter", "open_client", "Open client", id="trends.open", priority=True),
        Binding("escape", "app.pop_screen", "Back", id="trends.back"),
    ]

    app: HomeworkApp

    def __init__(self) -> None:
        super().__init__()
        self.trends: CaseloadTrends | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading…", id="trends-summary", markup=False)
        yield CaseloadChart(id="caseload-chart")
        yield LeanTable(id="trends", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Completion across the caseload"
        self.query_one(DataTable).add_columns(*COLUMNS)
        self.load()

    @dataclass
    class Loaded(Message, bubble=False):
        trends: CaseloadTrends

    @dataclass
    class LoadFailed(Message, bubble=False):
        error: BaseException

    def load(self) -> None:
        ask(self, Practice.caseload_trends, self.Loaded, name="trends", failed=self.LoadFailed)

    @on(LoadFailed)
    def _failed(self, event: LoadFailed) -> None:
        self.query_one("#trends-summary", Static).update("The trends could not be loaded.")
        self.app.show_error(event.error)

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        self._show(event.trends)

    def _show(self, trends: CaseloadTrends) -> None:
        self.trends = trends
        table = self.query_one(DataTable)
        table.clear()
        for trend in trends.clients:
            last = trend.last
            table.add_row(
                safe_text(trend.code),
                safe_text(trend.display_name),
                Text(sparkline(trend.recent)),
                Text(last.percent() if last else "—", justify="right"),
                Text("—" if trend.now is None else f"{round(trend.now * 100)}%", justify="right"),
                change_text(trend),
                Text(str(len(trend.points)), justify="right"),
                key=str(trend.client_id),
            )
        count = len(trends.clients)
        slipping = sum(1 for t in trends.clients if (t.change or 0) <= -0.1)
        self.query_one("#trends-summary", Static).update(
            f"{count} client{'s' if count != 1 else ''} (26 weeks) · {slipping} down 10+ "
            "points · lowest average first"
        )
        self._chart_selected()
        table.focus()

    def _selected(self) -> ClientTrend | None:
        table = self.query_one(DataTable)
        if self.trends is None or not self.trends.clients or table.row_count == 0:
            return None
        return self.trends.clients[min(table.cursor_row, len(self.trends.clients) - 1)]

    def _chart_selected(self) -> None:
        if self.trends is not None:
            self.query_one(CaseloadChart).show(self.trends, self._selected())

    @on(DataTable.RowHighlighted, "#trends")
    def _highlighted(self) -> None:
        self._chart_selected()

    def action_open_client(self) -> None:
        selected = self._selected()
        if selected is not None:
            self.open_client(selected.client_id)
