"""What every review step shares: the draft it edits and the client's homework."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from rich.text import Text
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Select

from hwtui.data.models import Assignment, Client, ClientValue
from hwtui.data.review_draft import ReviewDraft, TaskDraft
from hwtui.widgets.safe import safe_text


@dataclass(frozen=True)
class ReviewSetup:
    """What a review is about; loaded once when the review opens."""

    client: Client
    assignments: dict[int, Assignment]
    values: list[ClientValue]
    # The review's session day; a new goal is due at the next one by default.
    session_date: date | None = None
    # PHQ-9 item 9 above 0 lately (day, score): the review needs a risk check.
    risk_signals: list[tuple[date, int]] = field(default_factory=list)
    # Measures reliably worse than before, in words: to look at before new homework.
    deteriorations: list[str] = field(default_factory=list)

    def next_session(self) -> date | None:
        """The day of the next review: the session day plus the client's interval."""
        if self.session_date is None:
            return None
        return self.session_date + timedelta(days=self.client.review_interval_days)

    def title(self, assignment_id: int | None) -> str:
        row = self.assignments.get(assignment_id) if assignment_id is not None else None
        return row.title if row else "(removed homework)"

    def value_text(self, value_id: int | None) -> str | None:
        return next((v.text for v in self.values if v.id == value_id), None)

    def task_options(self, tasks: list[TaskDraft]) -> list[tuple[Text, int]]:
        """Select options for a list of tasks: the title as plain text, never markup."""
        return [(safe_text(self.title(t.assignment_id)), t.assignment_id) for t in tasks]


class Step(Vertical):
    """A step of the review. `show()` fills it from the draft whenever it comes into view."""

    class Edited(Message):
        """The draft changed: the screen saves it after a short pause."""

    def __init__(self, draft: ReviewDraft, setup: ReviewSetup, *, id: str) -> None:
        super().__init__(id=id, classes="step")
        self.draft = draft
        self.setup = setup

    def show(self) -> None:
        """Bring the widgets in line with the draft (it may have changed elsewhere)."""

    def edited(self) -> None:
        self.post_message(self.Edited())

    def fill_task_select(
        self, select: Select[int], tasks: list[TaskDraft], preferred: list[int]
    ) -> int | None:
        """Offer *tasks*; keep the current choice if still offered, else the first preferred."""
        ids = [t.assignment_id for t in tasks]
        current = select.value if isinstance(select.value, int) else None
        with select.prevent(Select.Changed):
            select.set_options(self.setup.task_options(tasks))
            candidates = [current] if current in ids else [p for p in preferred if p in ids]
            choice: int | None = (candidates or ids)[0] if (candidates or ids) else None
            if choice is not None:
                select.value = choice
        return choice
