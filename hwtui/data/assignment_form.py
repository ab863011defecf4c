"""The assignment editor's form as plain data: what was typed, exactly as typed.

The screen reads its widgets into an `AssignmentForm` and writes one back, so the rules
(prefill a smaller step, shrink a task, turn typing into service arguments) are tested
without a terminal. Nothing is cleaned here: the form keeps every character, and the
service cleans and validates on save.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from datetime import date
from enum import Enum
from typing import Any

from hwtui.data.catalog import BARRIERS_BY_CODE, CHECKLIST, SPECIFICS
from hwtui.data.due_dates import parse_due_date, past_due_problem
from hwtui.data.errors import FieldProblem, InvalidInput
from hwtui.data.inputs import AssignmentInput, parse
from hwtui.data.models import Assignment
from hwtui.data.review_draft import CONFIDENT, MISSED_OUTCOMES, GoalDraft
from hwtui.data.shrink import Suggestion, suggest_smaller

SMALLER_PREFIX = "Smaller step: "
# Fields held the same way by the form, an assignment and a review's goal; the due date,
# confidence and obstacles differ in type and are converted one by one.
SHARED_FIELDS = (
    "title",
    "kind",
    "instructions",
    "rationale",
    "what",
    "when",
    "where",
    "how_often",
    "how_long",
    "value_id",
    *CHECKLIST,
)
TITLE_MAX = 200


class EditorMode(Enum):
    """The assignment editor's four jobs."""

    NEW = "new"  # assign new homework
    EDIT = "edit"  # change an active task
    SMALLER = "smaller"  # a smaller step that replaces its parent
    GOAL = "goal"  # the review's new goal: handed back, saved with the review


@dataclass(frozen=True, slots=True)
class EditorTarget:
    """What the editor works on: its mode and the one assignment that mode is about
    (none for new homework)."""

    client_id: int
    mode: EditorMode
    subject: int | None = None  # the task edited, replaced, or supported by the goal

    @classmethod
    def new(cls, client_id: int) -> EditorTarget:
        return cls(client_id, EditorMode.NEW)

    @classmethod
    def edit(cls, client_id: int, assignment_id: int) -> EditorTarget:
        return cls(client_id, EditorMode.EDIT, assignment_id)

    @classmethod
    def smaller(cls, client_id: int, replacing: int) -> EditorTarget:
        return cls(client_id, EditorMode.SMALLER, replacing)

    @classmethod
    def goal(cls, client_id: int, goal_of: int | None) -> EditorTarget:
        return cls(client_id, EditorMode.GOAL, goal_of)

    def _when(self, mode: EditorMode) -> int | None:
        return self.subject if self.mode is mode else None

    @property
    def assignment_id(self) -> int | None:
        return self._when(EditorMode.EDIT)

    @property
    def replacing(self) -> int | None:
        return self._when(EditorMode.SMALLER)

    @property
    def goal_of(self) -> int | None:
        return self._when(EditorMode.GOAL)

    @property
    def place(self) -> str:
        """Where typing in this editor is kept (screens/kept_typing.py)."""
        return {
            EditorMode.NEW: f"new homework for client {self.client_id}",
            EditorMode.EDIT: f"edit homework {self.subject}",
            EditorMode.SMALLER: f"smaller step of homework {self.subject}",
            EditorMode.GOAL: f"review goal for homework {self.subject}",
        }[self.mode]


@dataclass
class AssignmentForm:
    title: str = ""
    kind: str = "custom"
    instructions: str = ""
    rationale: str = ""
    what: str = ""
    when: str = ""
    where: str = ""
    how_often: str = ""
    how_long: str = ""
    due: str = ""  # as typed: "2026-12-01", "tomorrow", "fri"
    value_id: int | None = None
    obstacles: list[str] = field(default_factory=list)
    confidence: str = ""  # as typed, so "12" stays on screen with its message
    rationale_given: bool = False
    decided_together: bool = False
    started_in_session: bool = False
    reminder_set: bool = False

    # -- building ---------------------------------------------------------------------

    @classmethod
    def from_assignment(cls, row: Assignment) -> AssignmentForm:
        due = row.due_date.isoformat() if row.due_date else ""
        return cls._from(row, due=due, confidence=row.confidence)

    @classmethod
    def from_goal(cls, goal: GoalDraft) -> AssignmentForm:
        """The review's new goal, to finish in the full editor."""
        return cls._from(goal, due=goal.due_date or "", confidence=goal.confidence)

    @classmethod
    def _from(
        cls, source: Assignment | GoalDraft, *, due: str, confidence: int | None
    ) -> AssignmentForm:
        return cls(
            **{name: getattr(source, name) for name in SHARED_FIELDS},
            obstacles=list(source.obstacles),
            due=due,
            confidence="" if confidence is None else str(confidence),
        )

    @classmethod
    def smaller_step_of(
        cls, original: Assignment, last_outcome: str | None, barriers: list[str]
    ) -> AssignmentForm:
        """A smaller goal that supports *original*, prefilled the way the review's goal
        step does it: the same kind, words and specifics, and, if the task was missed,
        what got in the way as the obstacles with their remedies added to the rationale.

        The due date and confidence are left to ask again; the checklist starts empty
        because it is a new agreement.
        """
        missed = last_outcome in {o.value for o in MISSED_OUTCOMES}
        known = [code for code in barriers if code in BARRIERS_BY_CODE] if missed else []
        remedies = [BARRIERS_BY_CODE[code].remedy for code in known]
        form = cls.from_assignment(original)
        return replace(
            form,
            title=smaller_title(original.title),
            rationale="\n".join([original.rationale, *remedies]).strip(),
            obstacles=known or list(original.obstacles),
            due="",
            confidence="",
            rationale_given=False,
            decided_together=False,
            started_in_session=False,
            reminder_set=False,
        )

    # -- questions ----------------------------------------------------------------------

    def missing_specifics(self) -> list[str]:
        return [label for attr, label in SPECIFICS.items() if not getattr(self, attr).strip()]

    def confidence_value(self) -> int | None:
        """The confidence if what was typed is a valid one, else None."""
        text = self.confidence.strip()
        return int(text) if text.isdigit() and int(text) <= 10 else None

    def needs_shrinking(self) -> bool:
        value = self.confidence_value()
        return value is not None and value < CONFIDENT

    # -- changes ------------------------------------------------------------------------

    def smaller_suggestion(self) -> Suggestion:
        """What F3 proposes for this form (`hwtui.data.shrink`)."""
        return suggest_smaller(
            how_often=self.how_often,
            how_long=self.how_long,
            when=self.when,
            what=self.what,
            kind=self.kind,
        )

    def shrunk(self) -> AssignmentForm:
        """A gentler version to talk over: less often, shorter, the kind's own smaller
        version where the library has one, titled as the smaller step it is. Nothing
        typed is cleared: the confidence stays until it is asked again."""
        goal = self.smaller_suggestion()
        return replace(
            self,
            title=smaller_title(self.title),
            how_often=goal.how_often,
            how_long=goal.how_long,
            what=goal.what,
            obstacles=list(self.obstacles),
        )

    def to_goal(self, parent_id: int | None, today: date) -> GoalDraft:
        """The review's new goal as this form describes it, once the form is valid.

        Raises InvalidInput like `service_fields`: a goal with a past or unreadable due
        date, or a confidence of 12, must not slip into the review.
        """
        fields = self.service_fields(today)
        due: date | None = fields["due_date"]
        return GoalDraft(
            parent_id=parent_id,
            **{name: getattr(self, name) for name in SHARED_FIELDS},
            obstacles=list(self.obstacles),
            confidence=self.confidence_value(),
            due_date=due.isoformat() if due else None,
        )

    def copy(self) -> AssignmentForm:
        return replace(self, obstacles=list(self.obstacles))

    # -- saving -------------------------------------------------------------------------

    def service_fields(self, today: date, *, check_past: bool = True) -> dict[str, Any]:
        """Keyword arguments for `create_assignment`, `update_assignment` and
        `replace_assignment`.

        Raises InvalidInput naming every field that is wrong at once (an unreadable or
        past due date included), so one save shows every message. The service checks
        again, with what only the database knows.
        """
        problems: list[FieldProblem] = []
        due: date | None = None
        try:
            due = parse_due_date(self.due, today)
        except ValueError as exc:
            problems.append(FieldProblem("due_date", str(exc)))
        past = past_due_problem(due, today) if check_past else None
        if past is not None:
            problems.append(FieldProblem("due_date", past))
        fields = {
            name: value
            for name, value in asdict(self).items()
            if name not in {"due", "confidence", "obstacles"}
        }
        fields["obstacles"] = list(self.obstacles)
        # Sent as typed (stripped), so "12" and "high" get the service's own message.
        fields["confidence"] = self.confidence.strip() or None
        fields["due_date"] = due
        try:
            parse(AssignmentInput, **fields)
        except InvalidInput as exc:
            problems = [p for p in exc.problems if p.field != "due_date"] + problems
        if problems:
            raise InvalidInput(problems)
        return fields


def smaller_title(title: str) -> str:
    """ "Smaller step: <title>", once: a step of a step keeps the one prefix."""
    if title.startswith(SMALLER_PREFIX):
        return title
    return f"{SMALLER_PREFIX}{title}"[:TITLE_MAX]
