"""How well a task went, on one line: how often against plan, how well, how hard.

Each figure is a digit or two typed into a small field (a single key for the 0-4
ratings), beside the task being talked through on steps 3 and 4. Quality and what was
learned tell more about homework than whether it was done (Kazantzis et al.); the scales
are `catalog.QUALITY` and `catalog.DIFFICULTY`.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Label

from hwtui.data.catalog import SCALE_TOP
from hwtui.data.review_draft import TaskDraft
from hwtui.widgets.fields import TextInput

# Field id suffix -> (the draft's attribute, the largest value).
FIELDS = {
    "times-done": ("times_done", 99),
    "times-planned": ("times_planned", 99),
    "quality": ("quality", SCALE_TOP),
    "difficulty": ("difficulty", SCALE_TOP),
}


class HowItWent(Horizontal):
    """The figures for one task; `load(task)` shows them, edits go straight into it."""

    class Changed(Message):
        """A figure changed in the task shown."""

    def __init__(self, *, id: str) -> None:
        super().__init__(id=id, classes="how-it-went")
        self.shown: TaskDraft | None = None

    def compose(self) -> ComposeResult:
        yield Label("Done", markup=False)
        yield self._field("times-done", "__", 2)
        yield Label("of", markup=False)
        yield self._field("times-planned", "__", 2)
        yield Label("times · how well 0-4", markup=False, id=f"{self.id}-quality-label")
        yield self._field("quality", "_", 1)
        yield Label("· how hard 0-4", markup=False)
        yield self._field("difficulty", "_", 1)

    def _field(self, name: str, placeholder: str, length: int) -> TextInput:
        return TextInput(
            placeholder=placeholder,
            id=f"{self.id}-{name}",
            max_length=length,
            restrict=r"[0-9]*",
            classes=f"figure figure-{length}",
        )

    def load(self, task: TaskDraft | None) -> None:
        """Show *task*'s figures; a task not done has no "how well" to give."""
        self.shown = task
        with self.prevent(Input.Changed):
            for name, (attr, _top) in FIELDS.items():
                value = getattr(task, attr) if task else None
                self.query_one(f"#{self.id}-{name}", Input).value = (
                    "" if value is None else str(value)
                )
        done = task is not None and task.outcome is not None and task.outcome.value != "not_done"
        self.query_one(f"#{self.id}-quality", Input).display = done
        self.query_one(f"#{self.id}-quality-label", Label).update(
            "times · how well 0-4" if done else "times"
        )

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        event.stop()
        if self.shown is None or event.input.id is None:
            return
        name = event.input.id.removeprefix(f"{self.id}-")
        attr, top = FIELDS[name]
        text = event.value.strip()
        value = int(text) if text.isdigit() else None
        if value is not None and value > top:
            value = top
            with self.prevent(Input.Changed):
                event.input.value = str(top)
        if attr == "times_planned" and value == 0:
            value = None  # planned at least once, or not said
        setattr(self.shown, attr, value)
        self.post_message(self.Changed())
        if top == SCALE_TOP and value is not None:
            self.screen.focus_next()  # a rating is one key: on to the next field
