"""A small modal question answered with one line of text (yes/no is screens/confirm.py)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from hwtui.widgets.fields import TextInput


class PromptScreen(ModalScreen[str | None]):
    """Asks for one line. Returns it stripped (Enter), or None (Escape)."""

    AUTO_FOCUS = "#prompt-value"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(
        self, title: str, question: str, value: str = "", *, placeholder: str = "", hint: str = ""
    ) -> None:
        super().__init__()
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

    @on(Input.Submitted, "#prompt-value")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
