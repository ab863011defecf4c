"""The client's values, one a line: what homework can be tied to.

Values linked from homework are kept by the service (archived, not deleted) when they
are removed here, so earlier homework still shows the value it served.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea
from textual.worker import Worker, WorkerState

from hwtui.data.errors import InvalidInput
from hwtui.data.services.clients import get_client, list_values, set_values
from hwtui.screens.confirm import ConfirmScreen
from hwtui.screens.kept_typing import KeepsTyping
from hwtui.widgets.footer import Footer
from hwtui.widgets.note_area import NoteArea
from hwtui.widgets.safe import safe_content

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

_SEPARATORS = re.compile(r"[;\n]")


def split_values(text: str) -> list[str]:
    """One value a line, or several on a line separated by `;`; blanks dropped."""
    return [part.strip() for part in _SEPARATORS.split(text) if part.strip()]


class ValuesScreen(KeepsTyping, ModalScreen[bool]):
    """Returns True once the values are saved, False when nothing changed."""

    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"load", "save"})

    AUTO_FOCUS = "#values"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="values.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="values.cancel"),
    ]

    app: HomeworkApp

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        self._loaded = ""

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Values", id="values-title", classes="dialog-title", markup=False)
            yield Label("What matters to them, one a line (or separated by ;)", markup=False)
            yield NoteArea(id="values", placeholder="e.g. being a present parent")
            yield Static("", id="values-error", classes="field-error", markup=False)
            yield Static(
                "Homework can link one of these. Removing a value keeps it on homework "
                "that already links it.",
                classes="hint",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    # -- data -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="load")
    def load(self) -> tuple[str, list[str]]:
        with self.app.db.read() as session:
            client = get_client(session, self.app.actor, self.client_id)
            values = list_values(session, self.app.actor, self.client_id)
            return client.code, [value.text for value in values]

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save(self, values: list[str]) -> None:
        with self.app.db.write() as session:
            set_values(session, self.app.actor, self.client_id, values)

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if group not in {"load", "save"}:
            return
        if event.state is WorkerState.SUCCESS:
            if group == "load" and event.worker.result is not None:
                code, values = event.worker.result
                self._show(code, values)
            elif group == "save":
                self.forget_typed()
                self.dismiss(True)
        elif event.state is WorkerState.ERROR:
            error = event.worker.error
            if group == "save" and isinstance(error, InvalidInput):
                self._show_error(str(error))
            else:
                self.app.show_error(error)

    def _show(self, code: str, values: list[str]) -> None:
        self.query_one("#values-title", Static).update(
            Content.assemble("Values of ", safe_content(code).stylize("bold"))
        )
        area = self.query_one("#values", TextArea)
        # Typed before the load finished: keep it rather than overwrite it.
        if not area.text:
            self._loaded = "\n".join(values)
            area.text = self._loaded
            area.move_cursor(area.document.end)
        self.offer_typed()

    def typing_place(self) -> str:
        return f"values of client {self.client_id}"

    def typing_client(self) -> int:
        return self.client_id

    # -- actions ----------------------------------------------------------------------

    def action_save(self) -> None:
        self._show_error("")
        self.save(split_values(self.query_one("#values", TextArea).text))

    def action_cancel(self) -> None:
        text = self.query_one("#values", TextArea).text
        if split_values(text) == split_values(self._loaded):
            self.forget_typed()
            self.dismiss(False)
            return

        def answered(discard: bool | None) -> None:
            if discard:
                self.forget_typed()
                self.dismiss(False)

        self.app.push_screen(
            ConfirmScreen("Discard the changes to their values?", "What you typed is lost."),
            answered,
        )

    def _show_error(self, message: str) -> None:
        label = self.query_one("#values-error", Static)
        label.update(message)
        label.set_class(bool(message), "-shown")
