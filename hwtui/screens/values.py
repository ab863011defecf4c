"""The client's values, one a line: what homework can be tied to.

Values linked from homework are kept by the service (archived, not deleted) when they
are removed here, so earlier homework still shows the value it served.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

from hwtui.data.errors import InvalidInput
from hwtui.screens.asking import ask
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

    @dataclass
    class Loaded(Message, bubble=False):
        code: str
        values: list[str]

    class Saved(Message, bubble=False):
        pass

    @dataclass
    class Refused(Message, bubble=False):
        error: BaseException

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

    def load(self) -> None:
        ask(
            self,
            lambda p: p.client_values(self.client_id),
            lambda found: self.Loaded(*found),
            name="load",
        )

    def save(self, values: list[str]) -> None:
        ask(
            self,
            lambda p: p.set_values(self.client_id, values),
            lambda _: self.Saved(),
            name="save",
            failed=self.Refused,
        )

    @on(Saved)
    def _saved(self) -> None:
        self.forget_typed()
        self.dismiss(True)

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        if isinstance(event.error, InvalidInput):
            self._show_error(str(event.error))
        else:
            self.app.show_error(event.error)

    @on(Loaded)
    def _show(self, event: Loaded) -> None:
        code, values = event.code, event.values
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
