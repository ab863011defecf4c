"""A small modal question answered with one line of text (yes/no is screens/confirm.py)."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from hwtui.screens.kept_typing import KeepsTyping
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer
from hwtui.widgets.safe import safe_plain


class PromptScreen(KeepsTyping, ModalScreen[str | None]):
    """Asks for one line. Returns it stripped (Enter), or None (Escape).

    With a *place* ("review 12 skip win"), what is typed is kept like any form's. With a
    *check*, an answer it finds a problem with (its message) is not taken: the problem is
    shown under the field, and what was typed stays to be corrected."""

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
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.place = place
        self.client_id = client_id
        self.title_text = title
        self.question = question
        self.value = value
        self.placeholder = placeholder
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(self.title_text, classes="dialog-title", markup=False)
            yield Label(self.question, markup=False)
            yield TextInput(self.value, placeholder=self.placeholder, id="prompt-value")
            yield Static("", id="prompt-error", classes="field-error", markup=False)
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
        problem = self.check(event.value) if self.check is not None else None
        error = self.query_one("#prompt-error", Static)
        error.update(safe_plain(problem or ""))
        error.set_class(problem is not None, "-shown")
        if problem is not None:
            return
        self.forget_typed()
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.forget_typed()
        self.dismiss(None)
