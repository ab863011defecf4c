"""Step 1: every active assignment gets an outcome, one key each."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from hwtui.data.catalog import Outcome, ReviewStep
from hwtui.data.review_steps import hint
from hwtui.widgets.safe import safe_plain, safe_text
from hwtui.widgets.steps.base import Step

KEYS = {"d": Outcome.DONE, "p": Outcome.PARTLY, "n": Outcome.NOT_DONE, "o": Outcome.NO_OPPORTUNITY}
MARKS = {
    Outcome.DONE: "✓ done",
    Outcome.PARTLY: "◐ partly",
    Outcome.NOT_DONE: "✗ not done",
    Outcome.NO_OPPORTUNITY: "· no opportunity",
}


WHEN_WIDTH = 18  # the "When" column's widest, so that titles keep most of the room


def fit_words(value: str, width: int) -> str:
    """*value* in at most *width* cells: whole if it fits, else cut after a whole word
    (a single long word is cut where it must) and ended with an ellipsis."""
    if cell_len(value) <= width:
        return value
    cut = set_cell_size(value, max(0, width - 1)).rstrip()
    space = cut.rfind(" ")
    if space >= width // 2:
        cut = cut[:space]
    return cut.rstrip(" ,.;:-") + "…"


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
        self._fill(self.size.width)
        self._count()

    def on_resize(self) -> None:
        self._fill(self.size.width)

    def _fill(self, width: int) -> None:
        """The table, sized to *width* so the outcome column always shows whole: a long
        title or time is shortened with an ellipsis instead of the outcome being cut at
        the screen's edge ("· no oppor")."""
        table = self.query_one(DataTable)
        rows = [(t, self.setup.assignments[t.assignment_id]) for t in self.draft.tasks.values()]
        pad = 2 * table.cell_padding
        outcome_width = max(cell_len(mark) for mark in MARKS.values())
        when_width = min(
            WHEN_WIDTH, max([4, *(cell_len(safe_plain(r.when or r.how_often)) for _, r in rows)])
        )
        spare = width - 2 - 3 * pad - outcome_width - when_width  # 2: border and scrollbar
        title_width = max(
            8, min(spare, max([8, *(cell_len(safe_plain(r.title)) for _, r in rows)]))
        )
        cursor = table.cursor_row
        table.clear(columns=True)
        table.add_column("Homework", width=title_width, key="title")
        table.add_column("When", width=when_width, key="when")
        table.add_column("Outcome", width=outcome_width, key="outcome")
        for task, row in rows:
            table.add_row(
                safe_text(fit_words(safe_plain(row.title), title_width)),
                safe_text(fit_words(safe_plain(row.when or row.how_often), when_width), "dim"),
                self._mark(task.outcome),
                key=str(task.assignment_id),
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

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
