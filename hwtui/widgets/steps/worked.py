"""Step 3: a task the client did — what made it work, so they can do more of it."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Input, Label, Select, Static

from hwtui.data.catalog import FACTORS
from hwtui.data.review_draft import TaskDraft
from hwtui.widgets.choices import Checkbox
from hwtui.widgets.fields import TextInput
from hwtui.widgets.how_it_went import HowItWent
from hwtui.widgets.steps.base import Step


class WorkedStep(Step):
    # Up/Down move between factors, from a tick box or a note alike (an Input has no use
    # for them), so "told others" is a few keys from "thinking", not seven Tabs.
    BINDINGS = [
        Binding("down", "move(1)", "Next factor", show=False, id="review.worked.down"),
        Binding("up", "move(-1)", "Previous factor", show=False, id="review.worked.up"),
    ]

    def compose(self) -> ComposeResult:
        yield Static("", id="worked-empty", classes="hint", markup=False)
        yield Select[int](
            [], prompt="Which task went well?", id="worked-task", compact=True, allow_blank=True
        )
        yield HowItWent(id="worked-how")
        with Grid(id="factors", classes="form-grid"):
            for factor in FACTORS:
                yield Checkbox(factor.label, id=f"factor-{factor.code}", compact=True)
                yield TextInput(placeholder=factor.prompt, id=f"note-{factor.code}")
            yield Label("Double down on", markup=False)
            yield TextInput(placeholder="what to do more of next time", id="double_down")
            yield Label("Notes", markup=False)
            yield TextInput(placeholder="anything else about how it went", id="worked_notes")

    def show(self) -> None:
        tasks = self.draft.worked_tasks()
        select = self.query_one("#worked-task", Select)
        self.fill_task_select(select, tasks, [t.assignment_id for t in tasks if t.discussed])
        empty = self.query_one("#worked-empty", Static)
        empty.update("" if tasks else self.draft.nothing_worked())
        empty.display = not tasks
        self.query_one("#factors").display = bool(tasks)
        self.query_one(HowItWent).display = bool(tasks)
        select.display = bool(tasks)
        self._load(self._chosen())
        if tasks:
            # The likeliest task is already chosen: start on the first factor.
            self.query_one(f"#factor-{FACTORS[0].code}", Checkbox).focus()

    def _rows(self) -> list[list[str]]:
        """The step's rows of field ids, top to bottom: how often it was done, a tick
        box and its note for each factor, then the two notes about the task."""
        return [
            ["worked-how-times-done", "worked-how-times-planned"],
            *([f"factor-{f.code}", f"note-{f.code}"] for f in FACTORS),
            ["double_down"],
            ["worked_notes"],
        ]

    def action_move(self, by: int) -> None:
        """Focus the field above or below in the same column (the box or the note)."""
        focused = self.screen.focused
        rows = self._rows()
        here = next(
            (
                (r, row.index(focused.id))
                for r, row in enumerate(rows)
                if focused and focused.id in row
            ),
            None,
        )
        if here is None:
            return
        row, column = here
        if len(rows[row]) == 1:
            column = 1  # from a note about the task, up to the note beside a factor
        target = row + by
        if 0 <= target < len(rows):
            fields = rows[target]
            self.query_one(f"#{fields[min(column, len(fields) - 1)]}").focus()

    def _chosen(self) -> TaskDraft | None:
        value = self.query_one("#worked-task", Select).value
        return self.draft.tasks.get(value) if isinstance(value, int) else None

    def _load(self, task: TaskDraft | None) -> None:
        """Fill the form from *task* without that counting as an edit."""
        self.query_one(HowItWent).load(task)
        with self.prevent(Checkbox.Changed, Input.Changed):
            for factor in FACTORS:
                self.query_one(f"#factor-{factor.code}", Checkbox).value = bool(
                    task and factor.code in task.factors
                )
                note = task.factor_notes.get(factor.code, "") if task else ""
                self.query_one(f"#note-{factor.code}", Input).value = note
            self.query_one("#double_down", Input).value = task.double_down if task else ""
            self.query_one("#worked_notes", Input).value = task.worked_notes if task else ""

    @on(Select.Changed, "#worked-task")
    def _task_changed(self) -> None:
        self._load(self._chosen())

    @on(HowItWent.Changed)
    def _how_it_went(self) -> None:
        self.edited()

    @on(Checkbox.Changed)
    def _factor(self, event: Checkbox.Changed) -> None:
        task = self._chosen()
        code = (event.checkbox.id or "").removeprefix("factor-")
        if task is None or (code in task.factors) == event.value:
            return
        self.draft.toggle_factor(task.assignment_id, code)
        self.edited()

    @on(Input.Changed)
    def _text(self, event: Input.Changed) -> None:
        task = self._chosen()
        name = event.input.id or ""
        if task is None:
            return
        if name.startswith("note-"):
            code = name.removeprefix("note-")
            task.factor_notes[code] = event.value
            if event.value.strip() and code not in task.factors:
                # A note says the factor helped: tick it, so the summary and the note
                # show what was typed (an unticked factor's note would go unseen).
                task.factors.append(code)
                with self.prevent(Checkbox.Changed):
                    self.query_one(f"#factor-{code}", Checkbox).value = True
        elif name == "double_down":
            task.double_down = event.value
        elif name == "worked_notes":
            task.worked_notes = event.value
        else:
            return
        self.edited()
