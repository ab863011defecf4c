"""Entering a session measure quickly, and the risk alert that cannot be missed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Select, Static

from hwtui.data.catalog import INSTRUMENTS, INSTRUMENTS_BY_CODE
from hwtui.data.errors import InvalidInput
from hwtui.data.measure_entry import Reading, parse_items
from hwtui.data.models import Measure
from hwtui.screens.asking import ask
from hwtui.screens.kept_typing import KeepsTyping
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer
from hwtui.widgets.safe import notify_safe

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

HINTS = {
    "scaling": "one score 0-10, and the question asked",
    "suds": "one score 0-100",
    "ors": "four scores 0-10, e.g. 7 8 6 9",
    "srs": "four scores 0-10, e.g. 9 9 8 10",
    "phq9": "nine scores 0-3, e.g. 210312001",
    "gad7": "seven scores 0-3, e.g. 1021100",
}
RISK_TEXT = (
    "PHQ-9 item 9 (thoughts that they would be better off dead or of hurting themselves) "
    "scored {score}. Assess risk now and follow your safety protocol."
)


class MeasuresScreen(KeepsTyping, ModalScreen[int | None]):
    """Returns the new measure's id, or None if nothing was saved."""

    # Keys typed meanwhile wait for these workers (hwtui/key_order.py).
    KEYS_WAIT_FOR = frozenset({"measure-save"})

    AUTO_FOCUS = "#measure-instrument"
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="measures.save", priority=True),
        Binding("escape", "cancel", "Cancel", id="measures.cancel"),
    ]

    app: HomeworkApp

    @dataclass
    class Recorded(Message, bubble=False):
        measure: Measure

    @dataclass
    class Refused(Message, bubble=False):
        error: BaseException

    def __init__(self, client_id: int, review_id: int | None = None) -> None:
        super().__init__()
        self.client_id = client_id
        self.review_id = review_id
        self.reading: Reading | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Static("Record a measure", classes="dialog-title", markup=False)
            with Grid(classes="form-grid"):
                yield Label("Measure", markup=False)
                yield Select[str](
                    [(i.name, i.code) for i in INSTRUMENTS],
                    value="phq9",
                    allow_blank=False,
                    id="measure-instrument",
                    compact=True,
                )
                yield Label("Scores", markup=False)
                yield TextInput(placeholder=HINTS["phq9"], id="measure-items")
                yield Label("Question", id="measure-question-label", markup=False)
                yield TextInput(
                    placeholder="e.g. how confident are you, 0-10?", id="measure-question"
                )
            yield Static("", id="measure-result", markup=False)
            yield Static("", id="measure-risk", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._instrument_changed()
        self.offer_typed()

    def typing_place(self) -> str:
        review = f" in review {self.review_id}" if self.review_id is not None else ""
        return f"measure for client {self.client_id}{review}"

    def typing_client(self) -> int:
        return self.client_id

    def _code(self) -> str:
        value = self.query_one("#measure-instrument", Select).value
        return value if isinstance(value, str) else "phq9"

    @on(Select.Changed, "#measure-instrument")
    def _instrument_changed(self) -> None:
        code = self._code()
        self.query_one("#measure-items", Input).placeholder = HINTS[code]
        question = self.query_one("#measure-question", Input)
        question.display = code == "scaling"
        self.query_one("#measure-question-label", Label).display = code == "scaling"
        self._read()

    @on(Input.Changed, "#measure-items")
    def _read(self) -> None:
        spec = INSTRUMENTS_BY_CODE[self._code()]
        text = self.query_one("#measure-items", Input).value
        result = self.query_one("#measure-result", Static)
        risk = self.query_one("#measure-risk", Static)
        self.reading = None
        try:
            self.reading = parse_items(spec, text)
        except ValueError as exc:
            result.update(Text(str(exc) if text.strip() else "", style="dim"))
        else:
            band = f" · {self.reading.band}" if self.reading.band else ""
            result.update(Text(f"Total {self.reading.total}/{spec.total_max}{band}", "bold"))
        at_risk = self.reading is not None and self.reading.risk
        risk.update(
            RISK_TEXT.format(score=self.reading.items[8]) if at_risk and self.reading else ""
        )
        risk.set_class(at_risk, "risk-alert")
        risk.display = at_risk

    @on(Input.Submitted)
    def action_save(self) -> None:
        if self.reading is None:
            self.query_one("#measure-items", Input).focus()
            self.query_one("#measure-result", Static).update(
                Text("Scores are needed before saving.", style="bold")
            )
            return
        question = self.query_one("#measure-question", Input).value
        self.save(self._code(), self.reading.items, question)

    def save(self, code: str, items: list[int], question: str) -> None:
        ask(
            self,
            lambda p: p.record_measure(
                self.client_id, code, items, review_id=self.review_id, question=question
            ),
            self.Recorded,
            name="measure-save",
            failed=self.Refused,
        )

    @on(Refused)
    def _refused(self, event: Refused) -> None:
        if isinstance(event.error, InvalidInput):
            self.query_one("#measure-result", Static).update(str(event.error))
        else:
            self.app.show_error(event.error)

    @on(Recorded)
    def _saved(self, event: Recorded) -> None:
        measure = event.measure
        spec = INSTRUMENTS_BY_CODE[measure.instrument]
        notify_safe(self.app, f"{spec.name} recorded: {measure.total}/{spec.total_max}.")
        self.forget_typed()
        self.dismiss(measure.id)
        if self.reading is not None and self.reading.risk and measure.id is not None:
            # Nothing else happens until the clinician has answered the alert.
            self.app.push_screen(RiskAlertScreen(measure.id, measure.items[8]))

    def action_cancel(self) -> None:
        self.dismiss(None)


class RiskAlertScreen(ModalScreen[bool]):
    """A PHQ-9 item 9 alert. `a` acknowledges (stored and audited); `l` leaves it open,
    and it then stays on the client's overview until acknowledged."""

    KEYS_WAIT_FOR = frozenset({"alert-ack"})

    BINDINGS = [
        Binding("a", "acknowledge", "Acknowledge", id="alert.acknowledge"),
        Binding("l", "later", "Later", id="alert.later"),
    ]

    app: HomeworkApp

    class Acknowledged(Message, bubble=False):
        pass

    def __init__(self, measure_id: int, score: int) -> None:
        super().__init__()
        self.measure_id = measure_id
        self.score = score

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="risk-dialog"):
            yield Static("RISK ALERT", classes="dialog-title risk-alert", markup=False)
            yield Static(RISK_TEXT.format(score=self.score), markup=False)
            yield Static(
                "a  acknowledge: I have seen this and am acting on it (recorded)\n"
                "l  later: keep the alert on the client's overview",
                classes="hint",
                markup=False,
            )
        yield Footer()

    def action_acknowledge(self) -> None:
        self.acknowledge()

    def acknowledge(self) -> None:
        ask(
            self,
            lambda p: p.acknowledge_alert(self.measure_id),
            lambda _: self.Acknowledged(),
            name="alert-ack",
        )

    @on(Acknowledged)
    def _done(self) -> None:
        notify_safe(self.app, "Alert acknowledged and recorded.")
        self.dismiss(True)

    def action_later(self) -> None:
        self.dismiss(False)
