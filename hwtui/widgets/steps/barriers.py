"""Step 4: a task the client did not do — what got in the way, without blame."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Grid
from textual.widgets import Input, Label, Select, Static
from textual.widgets.selection_list import Selection

from hwtui.data.catalog import BARRIERS, BARRIERS_BY_CODE
from hwtui.data.review_draft import TaskDraft
from hwtui.widgets.choices import SelectionList
from hwtui.widgets.fields import TextInput
from hwtui.widgets.how_it_went import HowItWent
from hwtui.widgets.steps.base import Step

LIMITING_BELIEF = "limiting_belief"


def barrier_matches(code: str, needle: str) -> bool:
    barrier = BARRIERS_BY_CODE[code]
    text = f"{barrier.group.label} {barrier.label} {barrier.remedy}".casefold()
    return all(word in text for word in needle.casefold().split())


class BarriersStep(Step):
    def compose(self) -> ComposeResult:
        yield Static("", id="barriers-empty", classes="hint", markup=False)
        yield Select[int](
            [], prompt="Which task was missed?", id="missed-task", compact=True, allow_blank=True
        )
        yield HowItWent(id="missed-how")
        yield TextInput(
            placeholder="type to search barriers (e.g. time, forgot)", id="barrier-search"
        )
        yield SelectionList[str](id="barrier-list", compact=True)
        yield Static("", id="remedies", markup=False)
        with Grid(classes="form-grid", id="barrier-notes-grid"):
            yield Label("Belief", markup=False, id="belief-label")
            yield TextInput(placeholder="the limiting belief, in the client's words", id="belief")
            yield Label("Notes", markup=False)
            yield TextInput(placeholder="what happened, in their words", id="barrier_notes")
            yield Label("Learned", markup=False)
            yield TextInput(placeholder="what this tells us for next time", id="learned")

    def show(self) -> None:
        tasks = self.draft.missed_tasks()
        select = self.query_one("#missed-task", Select)
        self.fill_task_select(select, tasks, [t.assignment_id for t in tasks if t.discussed])
        empty = self.query_one("#barriers-empty", Static)
        empty.update("" if tasks else self.draft.nothing_missed())
        empty.display = not tasks
        for widget in (
            "#missed-task",
            "#barrier-search",
            "#barrier-list",
            "#remedies",
            "#barrier-notes-grid",
            "#missed-how",
        ):
            self.query_one(widget).display = bool(tasks)
        self._load(self._chosen())
        if tasks:
            # The missed task is already chosen: start by searching its barriers.
            self.query_one("#barrier-search", Input).focus()

    def _chosen(self) -> TaskDraft | None:
        value = self.query_one("#missed-task", Select).value
        return self.draft.tasks.get(value) if isinstance(value, int) else None

    def _load(self, task: TaskDraft | None) -> None:
        with self.prevent(Input.Changed):
            self.query_one("#barrier_notes", Input).value = task.barrier_notes if task else ""
            self.query_one("#learned", Input).value = task.learned if task else ""
            self.query_one("#belief", Input).value = task.belief if task else ""
        self.query_one(HowItWent).load(task)
        self._fill_list(task)
        self._remedies(task)

    def _fill_list(self, task: TaskDraft | None) -> None:
        needle = self.query_one("#barrier-search", Input).value
        chosen = set(task.barriers) if task else set()
        listing = self.query_one("#barrier-list", SelectionList)
        with listing.prevent(SelectionList.SelectionToggled, SelectionList.SelectedChanged):
            listing.clear_options()
            listing.add_options(
                Selection(
                    Text.assemble((f"{b.group.label:<11} ", "dim"), b.label),
                    b.code,
                    b.code in chosen,
                )
                for b in BARRIERS
                if b.code in chosen or barrier_matches(b.code, needle)
            )
            # Highlight the first match, so Tab then Space ticks it (a list with no
            # highlighted row ignores Space).
            first = next(
                (
                    index
                    for index in range(listing.option_count)
                    if barrier_matches(str(listing.get_option_at_index(index).value), needle)
                ),
                0 if listing.option_count else None,
            )
            listing.highlighted = first

    def _show_belief(self, task: TaskDraft | None) -> None:
        """The belief's field, only while a limiting belief is ticked for the task."""
        shown = task is not None and LIMITING_BELIEF in task.barriers
        for widget in ("#belief", "#belief-label"):
            self.query_one(widget).display = shown

    def _remedies(self, task: TaskDraft | None) -> None:
        self._show_belief(task)
        lines = [
            f"→ {BARRIERS_BY_CODE[code].label}: {BARRIERS_BY_CODE[code].remedy}"
            for code in (task.barriers if task else [])
        ]
        remedies = self.query_one("#remedies", Static)
        remedies.update("\n".join(lines) or "Choose what got in the way (space to tick).")

    @on(Select.Changed, "#missed-task")
    def _task_changed(self) -> None:
        self._load(self._chosen())

    @on(Input.Changed, "#barrier-search")
    def _search(self) -> None:
        self._fill_list(self._chosen())

    def on_key(self, event: events.Key) -> None:
        # Down from the search goes into the matches below it, as Enter and Tab do: the
        # search has no line to go down to, and Down is the key a list is entered with.
        focused = self.app.focused
        if event.key == "down" and isinstance(focused, Input) and focused.id == "barrier-search":
            event.stop()
            event.prevent_default()
            self._search_done()

    @on(Input.Submitted, "#barrier-search")
    def _search_done(self) -> None:
        listing = self.query_one("#barrier-list", SelectionList)
        listing.focus()
        if listing.option_count and listing.highlighted is None:
            listing.highlighted = 0

    @on(SelectionList.SelectionToggled, "#barrier-list")
    def _toggled(self, event: SelectionList.SelectionToggled[str]) -> None:
        task = self._chosen()
        if task is None:
            return
        self.draft.toggle_barrier(task.assignment_id, event.selection.value)
        self._remedies(task)
        self.edited()

    @on(Input.Changed, "#barrier_notes")
    def _notes(self, event: Input.Changed) -> None:
        task = self._chosen()
        if task is not None:
            task.barrier_notes = event.value
            self.edited()

    @on(Input.Changed, "#belief")
    def _belief(self, event: Input.Changed) -> None:
        task = self._chosen()
        if task is not None:
            task.belief = event.value
            self.edited()

    @on(HowItWent.Changed)
    def _how_it_went(self) -> None:
        self.edited()

    @on(Input.Changed, "#learned")
    def _learned(self, event: Input.Changed) -> None:
        task = self._chosen()
        if task is not None:
            task.learned = event.value
            self.edited()
