"""A small form to add a client to the caseload."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from hwtui.data.errors import InvalidInput
from hwtui.screens.asking import ask
from hwtui.screens.kept_typing import KeepsTyping
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

FIELDS = (
    ("code", "Code (pseudonymous, e.g. JD-07)", "code"),
    ("display_name", "Name as you refer to them", "name"),
    ("values", "Their values, separated by ;", "e.g. family; health; honesty"),
)


class AddClientScreen(KeepsTyping, ModalScreen[int | None]):
    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"save"})

    AUTO_FOCUS = "#code"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="add_client.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="add_client.cancel"),
    ]

    app: HomeworkApp

    @dataclass
    class Added(Message, bubble=False):
        client_id: int

    @dataclass
    class Refused(Message, bubble=False):
        error: BaseException

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("Add a client", classes="dialog-title", markup=False)
            for field, label, placeholder in FIELDS:
                yield Label(label, markup=False)
                yield TextInput(placeholder=placeholder, id=field)
                yield Static("", id=f"{field}-error", classes="field-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer()

    def on_mount(self) -> None:
        self.offer_typed()

    def typing_place(self) -> str:
        return "add client"

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        for field, _label, _placeholder in FIELDS:
            self._set_error(field, "")
        values = [v for v in self.query_one("#values", Input).value.split(";") if v.strip()]
        self.save(
            self.query_one("#code", Input).value,
            self.query_one("#display_name", Input).value,
            values,
        )

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def save(self, code: str, name: str, values: list[str]) -> None:
        ask(
            self,
            lambda p: p.add_client(code, name, values),
            self.Added,
            name="save",
            failed=self.Refused,
        )

    @on(Added)
    def _added(self, event: Added) -> None:
        self.forget_typed()
        self.dismiss(event.client_id)

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        if isinstance(event.error, InvalidInput):
            self._show_problems(event.error)
        else:
            self.app.show_error(event.error)

    def _show_problems(self, error: InvalidInput) -> None:
        first = None
        for problem in error.problems:
            field = problem.field if problem.field in {f for f, _, _ in FIELDS} else "code"
            self._set_error(field, str(problem))
            first = first or field
        if first:
            self.query_one(f"#{first}", Input).focus()

    def _set_error(self, field: str, message: str) -> None:
        label = self.query_one(f"#{field}-error", Static)
        label.update(message)
        label.set_class(bool(message), "-shown")

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.forget_typed()  # esc is the clinician's own "throw it away"
        self.dismiss(None)
