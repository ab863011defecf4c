"""Asks why a review step is being skipped; the reason goes into the note."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Footer, Input, Label, Static

from hwtui.widgets.fields import TextInput


class SkipScreen(ModalScreen[str | None]):
    """Returns the reason, "" to take a skip back, or None if cancelled."""

    AUTO_FOCUS = "#skip-reason"
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="skip.cancel")]

    def __init__(self, step_title: str, reason: str = "") -> None:
        super().__init__()
        self.step_title = step_title
        self.reason = reason

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static(f"Skip: {self.step_title}", classes="dialog-title", markup=False)
            yield Label("Why does this step not apply today? (Enter to skip)", markup=False)
            yield TextInput(
                self.reason, placeholder="e.g. no homework was set last time", id="skip-reason"
            )
            yield Static(
                "Clear the reason and press Enter to take the skip back.",
                classes="hint",
                markup=False,
            )
        yield Footer()

    @on(Input.Submitted, "#skip-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)
