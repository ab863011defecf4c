"""A small modal question answered with one line of text (yes/no is screens/confirm.py)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from hwtui.screens.kept_typing import KeepsTyping
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer


class PromptScreen(KeepsTyping, ModalScreen[str | None]):
    """Asks for one line. Returns it stripped (Enter), or None (Escape).

    With a *place* ("review 12 skip win"), what is typed is kept like any form's."""

    AUTO_FOCUS = "#prompt-value"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self,
        title: str,
        question: str,
        value: str = "",
        *,
        placeholder: str = "",
        hint: str = "",
        place: str | None = None,
        client_id: int | None = None,
    ) -> None:
        super().__init__()
        self.place = place
        self.client_id = client_id
        self.title_text = title
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Label(self.question, markup=False)
            yield TextInput(self.value, placeholder=self.placeholder, id="prompt-value")
            if self.hint:
                yield Static(self.hint, classes="hint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.offer_typed()

    def typing_place(self) -> str | None:
        return self.place

    def typing_client(self) -> int | None:
        return self.client_id

    @on(Input.Submitted, "#prompt-value")
    def _submitted(self, event: Input.Submitted) -> None:
        self.forget_typed()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.forget_typed()
        self.dismiss(None)
