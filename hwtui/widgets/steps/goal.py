"""Step 5: a new, smaller goal that supports the missed task, specific and confident."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid
from textual.widgets import Input, Label, Select, Static

from hwtui.data.assignment_form import AssignmentForm
from hwtui.data.catalog import BARRIERS_BY_CODE, CHECKLIST, KINDS_BY_CODE
from hwtui.data.due_dates import parse_due_date, past_due_problem
from hwtui.data.errors import InvalidInput
from hwtui.data.review_draft import CONFIDENT, GoalDraft, suggested_title
from hwtui.data.shrink import suggest_smaller
from hwtui.data.text import join_clauses
from hwtui.widgets.assignment_fields import BY_NAME, GOAL_LINES
from hwtui.widgets.fields import TextInput
from hwtui.widgets.repaint import show
from hwtui.widgets.safe import notify_safe, safe_plain, safe_text
from hwtui.widgets.steps.base import Step

if TYPE_CHECKING:
    from hwtui.app import HomeworkApp

# The editor's fields (widgets/assignment_fields.py); here the title is the goal itself.
TEXT_FIELDS = tuple(
    ("title", "Goal", "a small first step")
    if name == "title"
    else (name, BY_NAME[name].label, BY_NAME[name].placeholder)
    for name in GOAL_LINES
)


@runtime_checkable
class GoalEditorHost(Protocol):
    """The screen a GoalStep is on. It opens the full assignment editor, a screen, which a
    widget may not import (layers: screens use widgets, not the other way round), at once,
    so keys typed after F5 already go to the editor (hwtui/key_order.py)."""

    def open_goal_editor(
        self,
        client_id: int,
        parent_id: int | None,
        form: AssignmentForm,
        done: Callable[[object], None],
    ) -> None: ...


def parse_confidence(text: str) -> int | None:
    """0-10 from what was typed; ValueError with a message for anything else."""
    text = text.strip()
    if not text:
        return None
    if not text.isdigit() or not 0 <= int(text) <= 10:
        raise ValueError("confidence is a whole number from 0 to 10")
    return int(text)


class GoalStep(Step):
    BINDINGS = [
        Binding("f3", "shrink", "Make smaller", id="review.goal.shrink"),
        Binding("f4", "drop_goal", "No goal", id="review.goal.drop"),
        Binding("f5", "full_editor", "Full editor", id="review.goal.editor"),
    ]

    app: HomeworkApp

    def compose(self) -> ComposeResult:
        yield Static("", id="goal-empty", classes="hint", markup=False)
        # A reliable deterioration is looked at before new homework is set (issue 22).
        yield Static(self._worse(), id="goal-worse", classes="gentle", markup=False)
        yield Select[int](
            [],
            prompt="Supports which missed task?",
            id="goal-parent",
            compact=True,
            allow_blank=True,
        )
        yield Static("", id="goal-remedies", classes="hint", markup=False)
        # The goal's fields in reading order, then its due day, then how confident the
        # client is in it: editing the goal and rating it is one pass forward (Enter in a
        # field of the goal goes to the confidence).
        with Grid(classes="form-grid", id="goal-grid"):
            for name, label, placeholder in TEXT_FIELDS:
                yield Label(label, markup=False)
                yield TextInput(placeholder=placeholder, id=f"goal-{name}")
            yield Label("Due", markup=False)
            yield TextInput(
                placeholder="next session by default: YYYY-MM-DD, tomorrow, fri",
                id="goal-due",
            )
            yield Label("Confidence", markup=False)
            yield TextInput(
                placeholder="0-10: how sure? 9 or 10 (90-100% sure) is the aim",
                id="goal-confidence",
                max_length=2,
            )
            yield Label("Value", markup=False)
            yield Select[int](
                [],
                prompt="linked value (optional)",
                id="goal-value",
                compact=True,
                allow_blank=True,
            )
        yield Static("", id="goal-confidence-note", classes="gentle", markup=False)
        yield Static("", id="goal-specific", classes="hint", markup=False)
        yield Static("", id="goal-more", classes="hint", markup=False)

    def _worse(self) -> str:
        worse = self.setup.deteriorations
        return "Before new homework, talk about: " + "; ".join(worse) if worse else ""

    def on_mount(self) -> None:
        self.query_one("#goal-worse").display = bool(self.setup.deteriorations)
        options = [(safe_text(v.text), v.id) for v in self.setup.values if v.id is not None]
        self.query_one("#goal-value", Select).set_options(options)

    # -- filling ------------------------------------------------------------------------

    def show(self) -> None:
        missed = self.draft.missed_tasks()
        select = self.query_one("#goal-parent", Select)
        self.fill_task_select(
            select, missed, [g.parent_id for g in self.draft.goals if g.parent_id]
        )
        empty = self.query_one("#goal-empty", Static)
        empty.update("" if missed else self.draft.nothing_missed())
        empty.display = not missed
        for widget in (
            "#goal-parent",
            "#goal-grid",
            "#goal-specific",
            "#goal-more",
            "#goal-remedies",
        ):
            self.query_one(widget).display = bool(missed)
        self._load()
        if missed:
            title = self.query_one("#goal-title", Input)
            # The suggested title is selected, to be typed over. Once it holds the
            # clinician's own words (back from the summary, say), the first key typed
            # must not replace them all: the cursor goes to their end instead.
            title.select_on_focus = self._title_untouched()
            if not title.select_on_focus:
                title.cursor_position = len(title.value)
            title.focus()

    def _title_untouched(self) -> bool:
        goal = self._goal()
        missed = self.setup.assignments.get(goal.parent_id) if goal and goal.parent_id else None
        return goal is None or missed is None or goal.title in ("", suggested_title(missed))

    def _parent_id(self) -> int | None:
        value = self.query_one("#goal-parent", Select).value
        return value if isinstance(value, int) else None

    def _goal(self) -> GoalDraft | None:
        parent_id = self._parent_id()
        if parent_id is None:
            return None
        assignment = self.setup.assignments.get(parent_id)
        if assignment is None:
            return None
        existing = self.draft.goal_for(parent_id)
        if existing is None:
            existing = self.draft.start_goal(assignment, due=self.setup.next_session())
            self.edited()
        return existing

    def _load(self) -> None:
        goal = self._goal()
        with self.prevent(Input.Changed, Select.Changed):
            for name, _label, _placeholder in TEXT_FIELDS:
                self.query_one(f"#goal-{name}", Input).value = getattr(goal, name) if goal else ""
            self.query_one("#goal-due", Input).value = (goal.due_date or "") if goal else ""
            confidence = goal.confidence if goal else None
            self.query_one("#goal-confidence", Input).value = (
                "" if confidence is None else str(confidence)
            )
            value_select = self.query_one("#goal-value", Select)
            if goal and goal.value_id is not None:
                value_select.value = goal.value_id
            else:
                value_select.clear()
        parent = self._parent_id()
        barriers = self.draft.tasks[parent].barriers if parent in self.draft.tasks else []
        remedies = join_clauses([BARRIERS_BY_CODE[c].remedy for c in barriers])
        self.query_one("#goal-remedies", Static).update(
            f"Remedies: {remedies}." if remedies else ""
        )
        self._notes(goal)

    def _notes(self, goal: GoalDraft | None, confidence_note: str = "") -> None:
        specific = self.query_one("#goal-specific", Static)
        missing = goal.missing_specifics() if goal else []
        show(
            specific,
            f"Not yet specific: {', '.join(missing)}" if missing else "Specific ✓" if goal else "",
        )
        note = self.query_one("#goal-confidence-note", Static)
        if confidence_note:
            show(note, confidence_note)
        elif goal and goal.needs_shrinking():
            show(
                note,
                f"Confidence {goal.confidence}/10 ({goal.confidence}0% sure). Tasks a client is "
                f"{CONFIDENT} or 10 sure of (90-100%) are the ones that get done. Could it be "
                "smaller? F3 suggests a smaller version.",
            )
        elif goal and goal.confidence is not None:
            show(
                note,
                f"Confidence {goal.confidence}/10 ({goal.confidence}0% sure) ✓ within the "
                "90-100% to aim for.",
            )
        else:
            show(note, "")
        note.display = bool(note.render())
        more = self.query_one("#goal-more", Static)
        show(more, goal_extras(goal) if goal else "")

    # -- edits --------------------------------------------------------------------------

    @on(Select.Changed, "#goal-parent")
    def _parent_changed(self) -> None:
        self._load()

    @on(Input.Changed)
    def _text(self, event: Input.Changed) -> None:
        goal = self._goal()
        name = (event.input.id or "").removeprefix("goal-")
        if goal is None or not (event.input.id or "").startswith("goal-"):
            return
        if name == "confidence":
            try:
                goal.confidence = parse_confidence(event.value)
            except ValueError as exc:
                goal.confidence = None
                self._notes(goal, str(exc))
                return
        else:
            if name == "due":
                try:
                    due = parse_due_date(event.value, self.app.today())
                    problem = past_due_problem(due, self.app.today())
                except ValueError as exc:
                    problem = str(exc)
                if problem:
                    self._notes(goal, f"Due {problem}")  # the goal keeps its last good day
                    return
                goal.due_date = due.isoformat() if due else None
            else:
                setattr(goal, name, event.value)
        self._notes(goal)
        self.edited()

    @on(Input.Submitted, "#goal-grid Input")
    def _to_confidence(self, event: Input.Submitted) -> None:
        """Enter in a field of the goal: done with it, on to how confident they are."""
        if event.input.id != "goal-confidence":
            self.query_one("#goal-confidence", Input).focus()

    @on(Select.Changed, "#goal-value")
    def _value(self, event: Select.Changed) -> None:
        goal = self._goal()
        if goal is not None:
            goal.value_id = event.value if isinstance(event.value, int) else None
            self.edited()

    def action_shrink(self) -> None:
        """Suggest a smaller version: only the words it understands change, a vague time
        becomes a question, and nothing typed is cleared (the confidence stays)."""
        goal = self._goal()
        if goal is None:
            return
        suggestion = suggest_smaller(
            how_often=goal.how_often,
            how_long=goal.how_long,
            when=goal.when,
            what=goal.what,
            kind=goal.kind,
        )
        goal.how_often, goal.how_long = suggestion.how_often, suggestion.how_long
        goal.what = suggestion.what
        self._load()
        self._notes(goal, suggestion.message)
        self.query_one("#goal-confidence", Input).focus()
        if suggestion.changed:
            self.edited()

    def action_full_editor(self) -> None:
        """Finish the goal in the assignment editor: kind, due date, obstacles and the
        checklist live there. The goal comes back into the draft; nothing is saved as
        homework until the review is completed."""
        goal = self._goal()
        if goal is None:
            return
        parent_id = goal.parent_id

        def edited(result: object) -> None:
            if not isinstance(result, AssignmentForm) or goal not in self.draft.goals:
                return
            try:
                updated = result.to_goal(parent_id, self.app.today())
            except InvalidInput as exc:  # checked by the editor; the day may have turned
                notify_safe(self.app, str(exc), severity="error")
                return
            self.draft.goals[self.draft.goals.index(goal)] = updated
            self._load()
            self.edited()

        client_id = self.setup.client.id
        assert client_id is not None
        if isinstance(self.screen, GoalEditorHost):
            self.screen.open_goal_editor(
                client_id, parent_id, AssignmentForm.from_goal(goal), edited
            )

    def action_drop_goal(self) -> None:
        parent = self._parent_id()
        goal = self.draft.goal_for(parent)
        if goal is not None:
            self.draft.goals.remove(goal)
            self.query_one("#goal-parent", Select).clear()
            self._load()
            self.edited()


def goal_extras(goal: GoalDraft) -> str:
    """What only the full editor sets, in one line, so the step shows it is there."""
    kind = KINDS_BY_CODE[goal.kind].name if goal.kind in KINDS_BY_CODE else safe_plain(goal.kind)
    parts = [f"Kind: {kind}"]
    if goal.due_date:
        parts.append(f"due {date.fromisoformat(goal.due_date):%a %d %b}")
    done = sum(getattr(goal, attr) for attr in CHECKLIST)
    parts.append(f"checklist {done}/{len(CHECKLIST)}")
    return " · ".join(parts) + " · F5 full editor"
