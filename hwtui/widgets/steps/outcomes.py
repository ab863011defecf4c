"""Step 1: every active assignment gets an outcome, one key each."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from hwtui.data.catalog import Outcome, ReviewStep
from hwtui.data.review_steps import hint
from hwtui.widgets.safe import safe_text
from hwtui.widgets.steps.base import Step

KEYS = {"d": Outcome.DONE, "p": Outcome.PARTLY, "n": Outcome.NOT_DONE, "o": Outcome.NO_OPPORTUNITY}
MARKS = {
    Outcome.DONE: "✓ done",
    Outcome.PARTLY: "◐ partly",
    Outcome.NOT_DONE: "✗ not done",
    Outcome.NO_OPPORTUNITY: "· no opportunity",
}


class OutcomesStep(Step):
    BINDINGS = [
        Binding("d", "mark('d')", "Done", id="review.outcome.done"),
        Binding("p", "mark('p')", "Partly", id="review.outcome.partly"),
        Binding("n", "mark('n')", "Not done", id="review.outcome.not_done"),
        Binding("o", "mark('o')", "No opportunity", id="review.outcome.none"),
    ]

    def compose(self) -> ComposeResult:
        yield Static(hint(ReviewStep.OUTCOMES), classes="hint", markup=False)
        yield DataTable(id="outcomes", cursor_type="row")
        yield Static("", id="outcomes-count", classes="hint", markup=False)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Homework", key="title")
        table.add_column("When", key="when")
        table.add_column("Outcome", width=16, key="outcome")
        for task in self.draft.tasks.values():
            row = self.setup.assignments[task.assignment_id]
            table.add_row(
                safe_text(row.title),
                safe_text(row.when or row.how_often, style="dim"),
                self._mark(task.outcome),
                key=str(task.assignment_id),
            )
        self._count()

    def show(self) -> None:
        table = self.query_one(DataTable)
        # A resumed review starts on the first task still without an outcome, so that
        # the next key answers it and never changes one already given.
        unmarked = self.draft.unmarked()
        if unmarked:
            table.move_cursor(row=list(self.draft.tasks).index(unmarked[0]))
        table.focus()

    @staticmethod
    def _mark(outcome: Outcome | None) -> Text:
        return Text(MARKS[outcome]) if outcome else Text("?", style="bold")

    def action_mark(self, key: str) -> None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return
        row_key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        assert row_key.value is not None
        outcome = KEYS[key]
        self.draft.set_outcome(int(row_key.value), outcome)
        table.update_cell(row_key, "outcome", self._mark(outcome))
        table.move_cursor(row=min(table.cursor_row + 1, table.row_count - 1))
        self._count()
        self.edited()

    def _count(self) -> None:
        left = len(self.draft.unmarked())
        total = len(self.draft.tasks)
        if not total:
            text = "No active homework to review. Go on to the win (PgDn)."
        elif left:
            text = f"{total - left} of {total} marked"
        else:
            text = f"All {total} marked."
        self.query_one("#outcomes-count", Static).update(text)
