"""Retire a homework task, saying why: the reason stays with it in the client's history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from hwtui.data.errors import InvalidInput
from hwtui.screens.asking import ask
from hwtui.screens.kept_typing import KeepsTyping
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer
from hwtui.widgets.safe import safe_content

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp


class RetireScreen(KeepsTyping, ModalScreen[bool]):
    """Returns True once the assignment is retired, False when cancelled."""

    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"retire"})

    AUTO_FOCUS = "#reason"

    BINDINGS = [
        Binding("ctrl+s", "retire", "Retire", id="retire.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="retire.cancel"),
    ]

    app: HomeworkApp

    class Retired(Message, bubble=False):
        pass

    @dataclass
    class Refused(Message, bubble=False):
        error: BaseException

    def __init__(self, assignment_id: int, title: str) -> None:
        super().__init__()
        self.assignment_id = assignment_id
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(
                Content.assemble("Retire ", safe_content(self.title_text).stylize("bold")),
                classes="dialog-title",
                markup=False,
            )
            yield Label("Why is it being retired?", markup=False)
            yield TextInput(placeholder="e.g. no longer relevant after the move", id="reason")
            yield Static("", id="reason-error", classes="field-error", markup=False)
            yield Static(
                "It stays in the client's earlier homework with this reason.",
                classes="hint",
                markup=False,
            )
        yield Footer()

    def on_mount(self) -> None:
        self.offer_typed()

    def typing_place(self) -> str:
        return f"retire homework {self.assignment_id}"

    @on(Input.Submitted, "#reason")
    def action_retire(self) -> None:
        self._show_error("")
        self.retire(self.query_one("#reason", Input).value)

    def action_cancel(self) -> None:
        self.forget_typed()
        self.dismiss(False)

    def retire(self, reason: str) -> None:
        ask(
            self,
            lambda p: p.retire_assignment(self.assignment_id, reason),
            lambda _: self.Retired(),
            name="retire",
            failed=self.Refused,
        )

    @on(Retired)
    def _retired(self) -> None:
        self.forget_typed()
        self.dismiss(True)

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        error = event.error
        if isinstance(error, InvalidInput) and error.for_field("reason"):
            self._show_error(str(error))
        else:
            self.app.show_error(error)

    def _show_error(self, message: str) -> None:
        label = self.query_one("#reason-error", Static)
        label.update(message)
        label.set_class(bool(message), "-shown")
