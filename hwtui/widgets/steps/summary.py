"""Step 6: the whole review on one screen; jump back to fix anything, then complete."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from hwtui.data import metrics
from hwtui.data.catalog import ReviewStep
from hwtui.data.review_steps import JUMP_KEYS, hint
from hwtui.data.services.progress import Progress
from hwtui.widgets.progress_chart import CompletionChart
from hwtui.widgets.review_summary import render_summary
from hwtui.widgets.steps.base import Step

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp


class SummaryStep(Step):
    BINDINGS = [
        Binding("c", "complete", "Complete", id="review.complete"),
        # The number each section is shown with jumps back to its step.
        *[
            Binding(
                key,
                f"jump({step.value!r})",
                f"Edit step {key}",
                id=f"review.jump.{step.value}",
                show=False,
            )
            for key, step in JUMP_KEYS.items()
        ],
    ]

    class Jump(Message):
        def __init__(self, step: ReviewStep) -> None:
            super().__init__()
            self.step = step

    class CompleteRequested(Message):
        pass

    app: HomeworkApp
    # The client's finished reviews, loaded by the review screen; this one is added.
    history: Progress | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="summary-problems", classes="gentle", markup=False)
        with VerticalScroll(id="summary-scroll", can_focus=True):
            yield Static("", id="summary-text", markup=False)
            yield CompletionChart(id="summary-chart")
        yield Static(hint(ReviewStep.SUMMARY), classes="hint", markup=False)

    def show(self) -> None:
        self._render_text()
        # Shown for the first time it has no width yet: wrap again once laid out.
        self.call_after_refresh(self._render_text)
        self.show_problems(self.draft.problems())
        self._show_chart()
        self.query_one("#summary-scroll").focus()

    def _render_text(self) -> None:
        """The summary, wrapped to the width it has (wrapped lines hang under their
        start), once laid out; before that, the widget wraps it."""
        text = self.query_one("#summary-text", Static)
        width = text.content_size.width or None
        rendered = render_summary(self.draft, self.setup, width=width)
        if rendered.plain != str(text.render()):  # an update lays out again
            text.update(rendered)

    def on_resize(self) -> None:
        if self.display:
            self.call_after_refresh(self._render_text)

    def show_history(self, history: Progress) -> None:
        self.history = history
        self._show_chart()

    def _show_chart(self) -> None:
        """Completion over the past reviews, with this session's as the last bar."""
        chart = self.query_one("#summary-chart", CompletionChart)
        chart.display = self.history is not None
        if self.history is None:
            return
        outcomes = [t.outcome for t in self.draft.tasks.values() if t.outcome is not None]
        if self.draft.is_skipped(ReviewStep.OUTCOMES):
            outcomes = []  # not recorded, so not part of this session's figure
        chart.show(
            self.history.with_review(
                self.draft.review_id, self.app.today(), metrics.completion(outcomes)
            )
        )

    def show_problems(self, problems: list[str]) -> None:
        box = self.query_one("#summary-problems", Static)
        box.update(Text("Before completing: " + "; ".join(problems)) if problems else "")
        box.display = bool(problems)

    def action_jump(self, step: str) -> None:
        self.post_message(self.Jump(ReviewStep(step)))

    def action_complete(self) -> None:
        self.post_message(self.CompleteRequested())
