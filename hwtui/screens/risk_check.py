"""The review's risk check: what was asked, the client's answers, the clinician's risk
level, the safety plan and the follow-up, one key for each answer.

Offered whenever PHQ-9 item 9 was above 0 now or lately (and on demand, F8 in the
review). Every change goes into the review's draft at once and is autosaved with it, so
a dropped link loses nothing typed here. Signing waits until it is complete.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from hwtui.data.catalog import RISK_QUESTIONS, RiskAnswer, RiskLevel, SafetyPlan
from hwtui.data.inputs import RiskCheck
from hwtui.widgets.fields import TextInput
from hwtui.widgets.footer import Footer

_ANSWERS = {"y": RiskAnswer.YES, "n": RiskAnswer.NO, "d": RiskAnswer.DECLINED}
# Each one-key answer: the field, its label, and the keys with what each records.
CHOICES: dict[str, tuple[str, dict[str, str]]] = {
    **{name: (label, dict(_ANSWERS)) for name, label in RISK_QUESTIONS.items()},
    "level": (
        "risk level",
        {"l": RiskLevel.LOW, "m": RiskLevel.MODERATE, "h": RiskLevel.HIGH},
    ),
    "safety_plan": (
        "safety plan",
        {
            "r": SafetyPlan.REVIEWED,
            "u": SafetyPlan.UPDATED,
            "m": SafetyPlan.MADE,
            "d": SafetyPlan.DECLINED,
        },
    ),
}
# Shorter labels where the form's column is narrow (the note uses the full ones).
SHORT = {"ideation": "thoughts of suicide/self-harm"}
# The order of the form, top to bottom.
ORDER = ("asked", *CHOICES, "follow_up")


def _legend(keys: dict[str, str]) -> str:
    return ", ".join(f"{key} {value}" for key, value in keys.items())


class RiskCheckScreen(ModalScreen[None]):
    """Fill in the risk check; *changed* receives the check's fields after every edit."""

    AUTO_FOCUS = "#risk-asked"
    BINDINGS = [
        Binding("escape,ctrl+s", "close", "Done", id="risk.done"),
        Binding("down", "move(1)", "Next", show=False, id="risk.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="risk.up"),
    ]

    def __init__(
        self,
        check: dict[str, Any],
        signals: list[tuple[date, int]],
        changed: Callable[[dict[str, Any]], None],
    ) -> None:
        super().__init__()
        self.check = {k: v for k, v in check.items() if k in ORDER}
        self.signals = signals
        self.changed = changed

    def compose(self) -> ComposeResult:
        listed = ", ".join(f"{day:%d %b %Y} ({score})" for day, score in self.signals)
        with Vertical(id="dialog"):
            yield Static("Risk check", classes="dialog-title", markup=False)
            yield Static(
                f"PHQ-9 item 9 above 0: {listed}." if listed else "Recorded on demand.",
                classes="hint",
                markup=False,
            )
            with Grid(id="risk-grid"):
                yield Label("Asked", markup=False)
                yield TextInput(
                    str(self.check.get("asked", "")),
                    placeholder="what you asked, in your words",
                    id="risk-asked",
                    classes="risk-wide",
                )
                for name, (label, keys) in CHOICES.items():
                    yield Label(SHORT.get(name, label).capitalize(), markup=False)
                    chosen = str(self.check.get(name) or "")
                    key = next((k for k, v in keys.items() if v == chosen), "")
                    yield TextInput(
                        key,
                        placeholder="_",
                        id=f"risk-{name}",
                        max_length=1,
                        restrict=f"[{''.join(keys)}]?",
                        classes="risk-key",
                    )
                    yield Static(self._said(name, key), id=f"risk-{name}-said", markup=False)
                yield Label("Follow-up", markup=False)
                yield TextInput(
                    str(self.check.get("follow_up", "")),
                    placeholder="what happens next, and when",
                    id="risk-follow_up",
                    classes="risk-wide",
                )
            yield Static("", id="risk-missing", classes="gentle", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self._show_missing()

    @staticmethod
    def _said(name: str, key: str) -> str:
        keys = CHOICES[name][1]
        return f"{keys[key]}" if key in keys else _legend(keys)

    def _show_missing(self) -> None:
        missing = RiskCheck.model_validate(self.check).missing()
        text = f"Still to record: {', '.join(missing)}." if missing else "Complete ✓"
        self.query_one("#risk-missing", Static).update(text)

    @on(Input.Changed)
    def _edited(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("risk-")
        if name not in ORDER:
            return
        if name in CHOICES:
            keys = CHOICES[name][1]
            value = keys.get(event.value)
            self.query_one(f"#risk-{name}-said", Static).update(self._said(name, event.value))
            if value is None:
                self.check.pop(name, None)
            else:
                self.check[name] = str(value)
                self.action_move(1)  # one key answers: on to the next
        elif event.value.strip():
            self.check[name] = event.value
        else:
            self.check.pop(name, None)
        self._show_missing()
        self.changed(dict(self.check))

    @on(Input.Submitted)
    def _next(self) -> None:
        self.action_move(1)

    def action_move(self, by: int) -> None:
        focused = self.focused
        name = (focused.id or "").removeprefix("risk-") if focused else ""
        if name not in ORDER:
            return
        at = ORDER.index(name) + by
        if 0 <= at < len(ORDER):
            self.query_one(f"#risk-{ORDER[at]}", Input).focus()

    def action_close(self) -> None:
        self.dismiss(None)
