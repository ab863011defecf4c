"""The caseload: my clients, those due for review first. The app's first screen."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from hwtui import heap
from hwtui.data.caseload_rows import CaseloadRow, Trend
from hwtui.data.practice import Practice
from hwtui.screens.asking import ask, warm
from hwtui.screens.opening import OPENING, OpensClients
from hwtui.screens.reloading import ReloadingScreen
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer
from hwtui.widgets.lean_table import LeanTable
from hwtui.widgets.safe import safe_text
from hwtui.widgets.sparkline import sparkline

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp


def due_label(row: CaseloadRow, today: date) -> Text:
    """Plain words, no bold or dim: the due clients are already first (and counted in
    the summary), and a row in one style is sent as one run of text, which keeps a
    cursor move under 300 bytes over a slow link."""
    if row.has_draft:
        return Text("draft open")
    if row.last_review is None:
        return Text("new")
    days = (today - row.next_due).days
    if days > 0:
        return Text(f"{days}d overdue")
    if days == 0:
        return Text("today")
    return Text(f"in {-days}d")


# The client overview's screen and its chart (plotext): what the first overview of a
# session would otherwise import while the clinician waits for it (about 70 ms on 2
# cores). Imported ahead, in a worker, once the caseload and its trends are on screen.
OVERVIEW_MODULES = ("hwtui.screens.client", "hwtui.widgets.progress_chart")


def warm_overview() -> None:
    """Import the overview's modules (in a worker), and set them aside as the launch's
    own are (`heap`): they live as long as the process."""
    import importlib

    for name in OVERVIEW_MODULES:
        importlib.import_module(name)
    heap.set_aside_what_loaded()


def matches(row: CaseloadRow, needle: str) -> bool:
    needle = needle.casefold().strip()
    return not needle or needle in row.code.casefold() or needle in row.display_name.casefold()


class CaseloadScreen(ReloadingScreen[None], OpensClients):
    # Keys typed meanwhile wait for these workers (hwtui/key_order.py). The overview's
    # imports too: a key that opened a screen would import the same modules on this
    # thread meanwhile, and two threads importing modules that import each other may be
    # handed a half-made one (see `HomeworkApp.ready_for_keys`).
    KEYS_WAIT_FOR = frozenset({"caseload", "warm-overview", OPENING})

    BINDINGS = [
        # Priority, so that the footer shows it over the table's own (hidden) enter.
        Binding("enter", "open_client", "Open", id="caseload.open", priority=True),
        Binding("slash", "filter", "Filter", id="caseload.filter"),
        Binding("a", "add_client", "Add client", id="caseload.add"),
        Binding("t", "trends", "Trends", id="caseload.trends", tooltip="Completion trends"),
        Binding("f5", "reload", "Reload", id="caseload.reload", show=False),
        Binding("escape", "clear_filter", "Clear filter", id="caseload.clear", show=False),
    ]

    # The table has the focus from the start, so that the first frame is painted with it
    # (focusing it once mounted would paint the table twice before anyone could read it).
    AUTO_FOCUS = "#caseload"

    app: HomeworkApp

    @dataclass
    class RowsLoaded(Message, bubble=False):
        """The caseload's rows, read; their trends are asked for next."""

        rows: list[CaseloadRow]

    @dataclass
    class RowsFailed(Message, bubble=False):
        error: BaseException

    @dataclass
    class TrendsLoaded(Message, bubble=False):
        """Each client's completion sparkline, by client id."""

        trends: dict[int, Trend]

    def __init__(self, first_rows: list[CaseloadRow] | None = None) -> None:
        """*first_rows*: the caseload as the launch read it, shown at once (see
        `hwtui.launch`); None: read here."""
        super().__init__()
        self._first_rows = first_rows
        self.rows: list[CaseloadRow] = []
        # Each client's completion sparkline, by client id: loaded after the rows.
        self.trends: dict[int, Trend] = {}
        self._select_after_load: int | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield TextInput(placeholder="/ filter by code or name", id="filter")
        yield Static("Loading caseload…", id="summary", markup=False)
        yield LeanTable(id="caseload", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = f"Caseload of {self.app.actor.display_name}"
        table = self.query_one(DataTable)
        table.add_column("Code", width=8, key="code")
        table.add_column("Name", width=20, key="name")
        table.add_column("Last review", width=11, key="last")
        table.add_column("Due", width=11, key="due")
        table.add_column("Active", width=6, key="active")
        table.add_column("Trend", width=8, key="trend")
        rows, self._first_rows = self._first_rows, None
        if rows is None:
            self.load()
        else:
            self.rows = rows
            self.refill()
            # The trends, and the ORM they are read with (loading it takes a while, and
            # holds the interpreter), wait until the rows are on screen.
            self.call_after_refresh(self._load_trends, rows)

    # -- data -------------------------------------------------------------------------

    def load(self) -> None:
        """The rows, shown as soon as they are read; then their trends."""
        ask(self, Practice.caseload, self.RowsLoaded, name="caseload", failed=self.RowsFailed)

    def _load_trends(self, rows: list[CaseloadRow]) -> None:
        # Years of history behind each sparkline: not worth keeping the rows waiting for.
        ids = [row.client_id for row in rows]
        ask(self, lambda p: p.caseload_trend(ids), self.TrendsLoaded, name="caseload-trends")

    @on(RowsLoaded)
    def _rows_loaded(self, event: RowsLoaded) -> None:
        self.rows = event.rows
        self.refill()
        self._load_trends(event.rows)

    @on(RowsFailed)
    def _rows_failed(self, event: RowsFailed) -> None:
        if not self.rows:  # else the rows shown stay, older but still right to act on
            self.query_one("#summary", Static).update("The caseload could not be loaded.")
        self.app.show_error(event.error)

    @on(TrendsLoaded)
    def _trends_loaded(self, event: TrendsLoaded) -> None:
        self.trends = event.trends
        self._fill_trends()
        if not all(name in sys.modules for name in OVERVIEW_MODULES):
            warm(self, warm_overview, name="warm-overview")

    def refill(self) -> None:
        table = self.query_one(LeanTable)
        needle = self.query_one("#filter", Input).value
        today = self.app.today()
        shown = [row for row in self.rows if matches(row, needle)]
        table.clear()
        table.add_keyed_rows(
            (
                str(row.client_id),
                (
                    safe_text(row.code),
                    safe_text(row.display_name),
                    Text(row.last_review.strftime("%d %b %Y") if row.last_review else "—"),
                    due_label(row, today),
                    Text(str(row.active_assignments), justify="right"),
                    self._trend_cell(row.client_id),
                ),
            )
            for row in shown
        )
        if self._select_after_load is not None and str(self._select_after_load) in table.rows:
            table.move_cursor(row=table.get_row_index(str(self._select_after_load)))
            self._select_after_load = None
        self.query_one("#summary", Static).update(self._summary(shown, today))

    def _trend_cell(self, client_id: int) -> Text:
        return Text(sparkline(self.trends.get(client_id, ())))

    def _fill_trends(self) -> None:
        """Put the trends into the rows shown, leaving the cursor where it is."""
        table = self.query_one(DataTable)
        for row_key in table.rows:
            if row_key.value is not None:
                table.update_cell(row_key, "trend", self._trend_cell(int(row_key.value)))

    def _summary(self, shown: list[CaseloadRow], today: date) -> str:
        if not self.rows:
            return "No clients yet. Press a to add one (or try `hwtui demo`)."
        due = sum(1 for row in self.rows if row.is_due(today))
        count = len(self.rows)
        text = f"{count} client{'s' if count != 1 else ''} · {due} due today or overdue"
        if len(shown) != len(self.rows):
            text += f" · {len(shown)} match the filter"
        return text

    # -- handlers ---------------------------------------------------------------------

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.refill()

    @on(Input.Submitted, "#filter")
    def _filter_done(self) -> None:
        self.query_one(DataTable).focus()

    @on(DataTable.RowSelected, "#caseload")
    def _client_chosen(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value is not None:
            self.open_client(int(event.row_key.value))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "open_client":
            # Only from the table: in the filter, enter finishes the filter.
            return isinstance(self.focused, DataTable)
        return True

    # -- actions ----------------------------------------------------------------------

    def action_filter(self) -> None:
        self.query_one("#filter", Input).focus()

    def action_clear_filter(self) -> None:
        self.query_one("#filter", Input).value = ""
        self.query_one(DataTable).focus()

    def action_reload(self) -> None:
        self.load()

    def action_open_client(self) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            row_key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
            if row_key.value is not None:
                self.open_client(int(row_key.value))

    def action_trends(self) -> None:
        # Imported here: the charts (plotext) are not needed to paint the caseload.
        from hwtui.screens.trends import TrendsScreen

        self.app.push_screen(TrendsScreen())

    def action_add_client(self) -> None:
        from hwtui.screens.add_client import AddClientScreen

        def added(client_id: int | None) -> None:
            if client_id is not None:
                self._select_after_load = client_id
                self.load()

        self.app.push_screen(AddClientScreen(), added)
