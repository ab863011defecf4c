"""The wins bank: every win the client has named, newest first, searchable.

Open it during a review to remind the client what they have already done."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Static

from hwtui.data.services.progress import Win
from hwtui.screens.asking import ask
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer
from hwtui.widgets.lean_table import LeanTable
from hwtui.widgets.safe import safe_content, safe_text

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp


class WinsScreen(ModalScreen[None]):
    AUTO_FOCUS = "#wins-search"
    BINDINGS = [Binding("escape", "dismiss", "Close", id="wins.close")]

    app: HomeworkApp

    @dataclass
    class Loaded(Message, bubble=False):
        wins: list[Win]

    def __init__(self, client_id: int, title: str = "") -> None:
        super().__init__()
        self.client_id = client_id
        self.title_text = title

    def compose(self) -> ComposeResult:
        yield Static(
            Content.assemble("Wins · ", safe_content(self.title_text)),
            id="wins-title",
            markup=False,
        )
        yield TextInput(placeholder="type to search the wins", id="wins-search")
        yield Static("", id="wins-count", classes="hint", markup=False)
        yield LeanTable(id="wins-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Date", width=11, key="date")
        table.add_column("Kind", width=9, key="kind")
        table.add_column("In the client's words", key="text")
        self.load("")

    def load(self, search: str) -> None:
        ask(self, lambda p: p.wins(self.client_id, search), self.Loaded, name="wins")

    @on(Input.Changed, "#wins-search")
    def _search(self, event: Input.Changed) -> None:
        self.load(event.value)

    @on(Input.Submitted, "#wins-search")
    def _to_table(self) -> None:
        self.query_one(DataTable).focus()

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        wins = event.wins
        table = self.query_one(DataTable)
        table.clear()
        width = max(20, self.size.width - 26)
        for win in wins:
            text = " ".join(win.text.split())
            table.add_row(
                Text(f"{win.day:%d %b %Y}"),
                safe_text(win.kind, style="dim"),
                safe_text(text if len(text) <= width else text[: width - 1] + "…"),
                key=str(win.review_id),
            )
        count = len(wins)
        self.query_one("#wins-count", Static).update(
            f"{count} win{'s' if count != 1 else ''}" if count else "No wins match."
        )
