"""Signing a review: the clinician's assessment, the session's length and how it was
held, and the signature (name and credentials) as it will be printed.

The name and credentials are the clinician's own setting, offered here already filled
in: set once, they are kept for every later note (`hwtui signature` sets them too).
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from hwtui.data.catalog import Modality
from hwtui.data.practice_views import SignForm
from hwtui.data.services.reviews import SESSION_MINUTES_MAX
from hwtui.screens.kept_typing import KeepsTyping
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer
from hwtui.widgets.safe import safe_content

MODALITY_KEYS = {"i": Modality.IN_PERSON, "v": Modality.VIDEO, "p": Modality.PHONE}
ORDER = ("assessment", "minutes", "modality", "name", "credentials")


class SignScreen(KeepsTyping, ModalScreen[SignForm | None]):
    """Returns the form (Enter on the last field, or ctrl+s), or None (Escape)."""

    AUTO_FOCUS = "#sign-assessment"
    BINDINGS = [
        Binding("ctrl+s", "sign", "Sign", id="sign.sign"),
        Binding("f2", "use_suggestion", "Use suggestion", id="sign.suggest"),
        Binding("escape", "cancel", "Cancel", id="sign.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="sign.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="sign.up"),
    ]

    def __init__(
        self,
        form: SignForm,
        *,
        suggestion: str = "",
        place: str | None = None,
        client_id: int | None = None,
    ) -> None:
        super().__init__()
        self.form = form
        self.suggestion = suggestion
        self.place = place
        self.client_id = client_id

    def compose(self) -> ComposeResult:
        form = self.form
        key = next((k for k, m in MODALITY_KEYS.items() if m.value == form.modality), "")
        with Vertical(id="dialog"):
            yield Static("Sign this review", classes="dialog-title", markup=False)
            with Grid(id="sign-grid", classes="form-grid"):
                yield Label("Assessment", markup=False)
                yield TextInput(
                    form.assessment,
                    placeholder="your view of the session (needed)",
                    id="sign-assessment",
                )
                yield Label("Minutes", markup=False)
                yield TextInput(
                    "" if form.minutes is None else str(form.minutes),
                    placeholder="session length, e.g. 50",
                    id="sign-minutes",
                    max_length=3,
                    restrict=r"[0-9]*",
                )
                yield Label("Held", markup=False)
                yield TextInput(
                    key,
                    placeholder="i in person, v video, p phone",
                    id="sign-modality",
                    max_length=1,
                    restrict=f"[{''.join(MODALITY_KEYS)}]?",
                )
                yield Label("Signed as", markup=False)
                yield TextInput(form.name, placeholder="your name as printed", id="sign-name")
                yield Label("Credentials", markup=False)
                yield TextInput(
                    form.credentials,
                    placeholder="e.g. PhD, licensed psychologist",
                    id="sign-credentials",
                )
            yield Static("", id="sign-held", classes="hint", markup=False)
            if self.suggestion:
                yield Static(
                    Content.assemble(
                        "Suggested from the record (f2 puts it in to edit): ",
                        safe_content(self.suggestion),
                    ),
                    id="sign-suggestion",
                    classes="hint",
                    markup=False,
                )
            yield Static(
                "A signed review cannot be edited: changes after signing are amendments, "
                "which keep every version. Enter on the last field or ctrl+s signs.",
                classes="hint",
                markup=False,
            )
            yield Static("", id="sign-problem", classes="gentle", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.offer_typed()
        self._show_held()

    def typing_place(self) -> str | None:
        return self.place

    def typing_client(self) -> int | None:
        return self.client_id

    def _value(self, name: str) -> str:
        return self.query_one(f"#sign-{name}", Input).value

    def _show_held(self) -> None:
        chosen = MODALITY_KEYS.get(self._value("modality"))
        self.query_one("#sign-held", Static).update(
            f"Held: {chosen.label}" if chosen else "Held: not recorded (i, v or p)"
        )

    @on(Input.Changed, "#sign-modality")
    def _modality(self, event: Input.Changed) -> None:
        self._show_held()
        if event.value:
            self.action_move(1)  # one key answers: on to the next

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == f"sign-{ORDER[-1]}":
            self.action_sign()
        else:
            self.action_move(1)

    def action_move(self, by: int) -> None:
        focused = self.focused
        name = (focused.id or "").removeprefix("sign-") if focused else ""
        if name in ORDER and 0 <= ORDER.index(name) + by < len(ORDER):
            self.query_one(f"#sign-{ORDER[ORDER.index(name) + by]}", Input).focus()

    def action_sign(self) -> None:
        """Check what can be checked here, where it was typed; the service checks all."""
        problem = self.query_one("#sign-problem", Static)
        minutes_text = self._value("minutes").strip()
        minutes = int(minutes_text) if minutes_text else None
        if not self._value("assessment").strip():
            problem.update("Your assessment is needed to sign.")
            self.query_one("#sign-assessment", Input).focus()
            return
        if minutes is not None and not 1 <= minutes <= SESSION_MINUTES_MAX:
            problem.update(f"Minutes must be 1 to {SESSION_MINUTES_MAX}.")
            self.query_one("#sign-minutes", Input).focus()
            return
        held = MODALITY_KEYS.get(self._value("modality"))
        self.forget_typed()
        self.dismiss(
            SignForm(
                assessment=self._value("assessment").strip(),
                minutes=minutes,
                modality=held.value if held else None,
                name=self._value("name").strip(),
                credentials=self._value("credentials").strip(),
            )
        )

    def action_use_suggestion(self) -> None:
        """The suggestion into the assessment, to edit: the clinician still signs it."""
        if self.suggestion:
            field = self.query_one("#sign-assessment", Input)
            field.value = self.suggestion
            field.focus()
            field.cursor_position = len(field.value)

    def action_cancel(self) -> None:
        self.forget_typed()
        self.dismiss(None)
