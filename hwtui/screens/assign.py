"""Assign homework: a kind from the library, made specific, linked to a value.

Validation lives in the service; this form only shows each problem under its field and
keeps everything typed. Two gentle nudges never block saving: a confidence below 9
(start smaller) and the specifics (what, when, where, how often, how long) still empty.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Footer, Input, Label, Select, Static, TextArea
from textual.worker import Worker, WorkerState

from hwtui.data.catalog import HOMEWORK_KINDS, KINDS_BY_CODE
from hwtui.data.errors import InvalidInput
from hwtui.data.models import ClientValue
from hwtui.data.services.assignments import create_assignment
from hwtui.data.services.clients import get_client, list_values
from hwtui.widgets.fields import NoteArea, TextInput
from hwtui.widgets.safe import safe_text

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

# (field, label, placeholder) for the text fields; kind and value_id are selects.
TEXT_FIELDS = {
    "title": ("Title", "a short name the client will recognise"),
    "instructions": ("Instructions", "how to do it (picking a kind fills this in)"),
    "what": ("What", "the exact action"),
    "when": ("When", "e.g. after lunch on Mon, Wed, Fri"),
    "where": ("Where", "e.g. the park next to work"),
    "how_often": ("How often", "e.g. 3 times this week"),
    "how_long": ("How long", "e.g. 10 minutes"),
    "confidence": ("Confidence", "0-10: how sure are they they'll do it?"),
}
SELECT_LABELS = {"kind": "Kind", "value_id": "Linked value"}
FORM_ORDER = (
    "title",
    "kind",
    "instructions",
    "what",
    "when",
    "where",
    "how_often",
    "how_long",
    "value_id",
    "confidence",
)
# The five specifics that predict follow-through: field -> how a clinician says it.
SPECIFICS = {
    "what": "what",
    "when": "when",
    "where": "where",
    "how_often": "how often",
    "how_long": "how long",
}
CONFIDENT_ENOUGH = 9
LOW_CONFIDENCE_NOTE = "Below 9: could the task be smaller?"
DEFAULT_KIND = "custom"


def specific_status(values: dict[str, str]) -> tuple[str, bool]:
    """The indicator line for the five specifics, and whether all are filled in."""
    missing = [label for field, label in SPECIFICS.items() if not values.get(field, "").strip()]
    if not missing:
        return "✓ Specific: what, when, where, how often and how long are set.", True
    return f"Not yet specific: {', '.join(missing)} still empty.", False


def is_low_confidence(raw: str) -> bool:
    try:
        value = int(raw.strip())
    except ValueError:
        return False
    return 0 <= value < CONFIDENT_ENOUGH


class AssignHomeworkScreen(ModalScreen[int | None]):
    AUTO_FOCUS = "#title"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="assign.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="assign.cancel"),
    ]

    app: HomeworkApp

    def __init__(self, client_id: int) -> None:
        super().__init__()
        self.client_id = client_id
        # The instructions last filled in from a kind, so that choosing another kind
        # replaces them but never replaces what the clinician wrote.
        self._prefilled = ""

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog"):
            yield Static("Assign homework", id="assign-title", classes="dialog-title", markup=False)
            with Grid(id="assign-form"):
                for field in FORM_ORDER:
                    label = SELECT_LABELS.get(field) or TEXT_FIELDS[field][0]
                    yield Label(label, markup=False)
                    with Vertical(classes="field"):
                        yield self._input(field)
                        if field == "confidence":
                            yield Static(
                                LOW_CONFIDENCE_NOTE,
                                id="confidence-note",
                                classes="field-note",
                                markup=False,
                            )
                        yield Static("", id=f"{field}-error", classes="field-error", markup=False)
            yield Static(specific_status({})[0], id="specific", markup=False)
            yield Static("", id="form-error", classes="field-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", id="save", variant="primary", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield Footer()

    def _input(self, field: str) -> Widget:
        if field == "kind":
            return Select(
                [(Text(kind.name), kind.code) for kind in HOMEWORK_KINDS],
                allow_blank=False,
                value=DEFAULT_KIND,
                compact=True,
                id="kind",
            )
        if field == "value_id":
            # Filled in once the client's values are loaded.
            return Select[int]([], prompt="none", compact=True, id="value_id")
        placeholder = TEXT_FIELDS[field][1]
        if field == "instructions":
            # A few lines: the kind's default text is long, and the client should hear all of it.
            return NoteArea(placeholder=placeholder, id=field)
        return TextInput(
            placeholder=placeholder, id=field, max_length=3 if field == "confidence" else 0
        )

    def on_mount(self) -> None:
        self.load_values()

    # -- data -------------------------------------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group="values")
    def load_values(self) -> tuple[str, list[ClientValue]]:
        with self.app.db.read() as session:
            client = get_client(session, self.app.actor, self.client_id)
            return client.code, list_values(session, self.app.actor, self.client_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="save")
    def save(self, fields: dict[str, Any]) -> int:
        with self.app.db.write() as session:
            row = create_assignment(session, self.app.actor, self.client_id, **fields)
            assert row.id is not None
            return row.id

    @on(Worker.StateChanged)
    def _worker_done(self, event: Worker.StateChanged) -> None:
        group = event.worker.group
        if group not in {"values", "save"}:
            return
        if event.state is WorkerState.SUCCESS:
            if group == "values" and event.worker.result is not None:
                self._show_values(*event.worker.result)
            elif group == "save":
                self.dismiss(event.worker.result)
        elif event.state is WorkerState.ERROR:
            error = event.worker.error
            if group == "save" and isinstance(error, InvalidInput):
                self._show_problems(error)
            else:
                self.app.show_error(error)

    def _show_values(self, code: str, values: list[ClientValue]) -> None:
        title = Text.assemble("Assign homework to ", safe_text(code, style="bold"))
        self.query_one("#assign-title", Static).update(title)
        self.query_one("#value_id", Select).set_options(
            (safe_text(value.text), value.id) for value in values if value.id is not None
        )

    # -- handlers ---------------------------------------------------------------------

    @on(Select.Changed, "#kind")
    def _kind_chosen(self, event: Select.Changed) -> None:
        kind = KINDS_BY_CODE.get(str(event.value))
        if kind is None:
            return
        instructions = self.query_one("#instructions", TextArea)
        if not instructions.text.strip() or instructions.text == self._prefilled:
            instructions.text = kind.instructions
            self._prefilled = kind.instructions
        how_often = self.query_one("#how_often", Input)
        how_often.placeholder = (
            f"e.g. {kind.frequency}" if kind.code != DEFAULT_KIND else TEXT_FIELDS["how_often"][1]
        )

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        field = event.input.id or ""
        if field in SPECIFICS:
            text, complete = specific_status(self._text_values())
            specific = self.query_one("#specific", Static)
            specific.update(text)
            specific.set_class(complete, "-complete")
        elif field == "confidence":
            note = self.query_one("#confidence-note", Static)
            note.set_class(is_low_confidence(event.value), "-shown")

    @on(Input.Submitted)
    def _next_field(self) -> None:
        # Enter moves on rather than saving: a half-filled task should not slip through.
        self.focus_next()

    # -- actions ----------------------------------------------------------------------

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        for field in (*FORM_ORDER, "form"):
            self._set_error(field, "")
        fields: dict[str, Any] = dict(self._text_values())
        fields["confidence"] = fields["confidence"].strip() or None
        fields["kind"] = self.query_one("#kind", Select).selection or DEFAULT_KIND
        fields["value_id"] = self.query_one("#value_id", Select).selection
        self.save(fields)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    # -- helpers ----------------------------------------------------------------------

    def _text_values(self) -> dict[str, str]:
        values = {
            field: self.query_one(f"#{field}", Input).value
            for field in TEXT_FIELDS
            if field != "instructions"
        }
        values["instructions"] = self.query_one("#instructions", TextArea).text
        return values

    def _show_problems(self, error: InvalidInput) -> None:
        bad: set[str] = set()
        for problem in error.problems:
            field = problem.field if problem.field in FORM_ORDER else "form"
            self._set_error(field, str(problem))
            bad.add(field)
        first = next((field for field in FORM_ORDER if field in bad), None)
        if first is not None:
            self.query_one(f"#{first}").focus()

    def _set_error(self, field: str, message: str) -> None:
        label = self.query_one(f"#{field}-error", Static)
        label.update(message)
        label.set_class(bool(message), "-shown")
