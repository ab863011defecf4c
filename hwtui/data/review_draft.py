"""The review being filled in, as plain data: what the review screen edits and autosaves.

It mirrors `inputs.ReviewDraftInput` so a draft saves with `save_draft(**draft.to_input())`
and resumes with `ReviewDraft.from_saved(...)` exactly as it was left, step included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from hwtui.data.catalog import BARRIERS_BY_CODE, SPECIFICS, Outcome, ReviewStep, WinKind
from hwtui.data.models import Assignment, Review, TaskOutcome
from hwtui.data.review_steps import STEPS, resume_step
from hwtui.data.text import clean_line

WORKED_OUTCOMES = (Outcome.DONE, Outcome.PARTLY)
MISSED_OUTCOMES = (Outcome.NOT_DONE, Outcome.PARTLY)
CONFIDENT = 9  # clients follow through on tasks they are 90-100% sure of


@dataclass
class TaskDraft:
    """One assignment's outcome and, if it was talked through, what was learned."""

    assignment_id: int
    outcome: Outcome | None = None
    factors: list[str] = field(default_factory=list)
    factor_notes: dict[str, str] = field(default_factory=dict)
    worked_notes: str = ""
    double_down: str = ""
    barriers: list[str] = field(default_factory=list)
    barrier_notes: str = ""
    learned: str = ""
    belief: str = ""  # the limiting belief, in the client's words
    # How well it went (`catalog.QUALITY`, `DIFFICULTY`: 0-4) and how often against plan.
    quality: int | None = None
    difficulty: int | None = None
    times_done: int | None = None
    times_planned: int | None = None

    @property
    def rated(self) -> bool:
        """Whether how well it went was recorded (any of its figures)."""
        return any(v is not None for v in (self.quality, self.difficulty, self.times_done))

    @property
    def discussed(self) -> bool:
        return bool(
            self.factors
            or any(self.factor_notes.values())
            or self.worked_notes
            or self.double_down
            or self.barriers
            or self.barrier_notes
            or self.learned
            or self.belief
        )


@dataclass
class GoalDraft:
    """A smaller goal in the making; `parent_id` is the missed task it supports."""

    parent_id: int | None
    title: str = ""
    kind: str = "custom"
    instructions: str = ""
    rationale: str = ""
    what: str = ""
    when: str = ""
    where: str = ""
    how_often: str = ""
    how_long: str = ""
    value_id: int | None = None
    obstacles: list[str] = field(default_factory=list)
    confidence: int | None = None
    # ISO date or None: the next session by default, changed on the step or in F5.
    due_date: str | None = None
    rationale_given: bool = False
    decided_together: bool = False
    started_in_session: bool = False
    reminder_set: bool = False

    def needs_shrinking(self) -> bool:
        return self.confidence is not None and self.confidence < CONFIDENT

    def missing_specifics(self) -> list[str]:
        return [label for attr, label in SPECIFICS.items() if not getattr(self, attr).strip()]

    def to_input(self) -> dict[str, Any]:
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["obstacles"] = list(self.obstacles)
        return data


@dataclass
class ReviewDraft:
    review_id: int
    tasks: dict[int, TaskDraft]  # by assignment id, in the order shown
    win_text: str = ""
    win_kind: WinKind | None = None
    step: ReviewStep = STEPS[0]  # by code, never by position (see `review_steps`)
    skipped: dict[str, str] = field(default_factory=dict)
    goals: list[GoalDraft] = field(default_factory=list)
    # The risk check's fields (`inputs.RiskCheck`), as far as they are filled in.
    risk: dict[str, Any] = field(default_factory=dict)

    # -- building -----------------------------------------------------------------

    @classmethod
    def from_saved(
        cls,
        review: Review,
        assignments: list[Assignment],
        outcomes: list[TaskOutcome],
        goals: list[dict[str, Any]],
    ) -> ReviewDraft:
        tasks = {a.id: TaskDraft(a.id) for a in assignments if a.id is not None}
        for row in outcomes:
            tasks[row.assignment_id] = TaskDraft(
                assignment_id=row.assignment_id,
                outcome=Outcome(row.outcome),
                factors=list(row.factors),
                factor_notes=dict(row.factor_notes),
                worked_notes=row.worked_notes,
                double_down=row.double_down,
                barriers=list(row.barriers),
                barrier_notes=row.barrier_notes,
                learned=row.learned,
                belief=row.belief,
                quality=row.quality,
                difficulty=row.difficulty,
                times_done=row.times_done,
                times_planned=row.times_planned,
            )
        known = set(GoalDraft.__dataclass_fields__)
        return cls(
            review_id=review.id or 0,
            tasks=tasks,
            win_text=review.win_text,
            win_kind=WinKind(review.win_kind) if review.win_kind else None,
            step=resume_step(review.step),
            skipped=dict(review.skipped),
            goals=[GoalDraft(**{k: v for k, v in g.items() if k in known}) for g in goals],
            risk=dict(review.risk or {}),
        )

    def to_input(self) -> dict[str, Any]:
        """Keyword arguments for `services.reviews.save_draft` / `complete_review`."""
        return {
            "win_text": self.win_text,
            "win_kind": self.win_kind,
            "step": self.step,
            "skipped": dict(self.skipped),
            "outcomes": [
                {
                    "assignment_id": t.assignment_id,
                    "outcome": t.outcome,
                    "discussed": t.discussed,
                    # A factor with a note helped, ticked or not (drafts from before the
                    # worked step ticked it for you): nothing typed goes unseen.
                    "factors": [
                        *t.factors,
                        *(k for k, v in t.factor_notes.items() if v.strip() and k not in t.factors),
                    ],
                    "factor_notes": {k: v for k, v in t.factor_notes.items() if v},
                    "worked_notes": t.worked_notes,
                    "double_down": t.double_down,
                    "barriers": list(t.barriers),
                    "barrier_notes": t.barrier_notes,
                    # The belief belongs to a limiting-belief barrier; without one it goes.
                    "belief": t.belief if "limiting_belief" in t.barriers else "",
                    "quality": t.quality,
                    "difficulty": t.difficulty,
                    "times_done": t.times_done,
                    "times_planned": t.times_planned,
                }
                for t in self.tasks.values()
                if t.outcome is not None
            ],
            "goals": [g.to_input() for g in self.goals],
            "risk": {k: v for k, v in self.risk.items() if v not in (None, "")},
        }

    # -- questions the screens ask ------------------------------------------------------

    def unmarked(self) -> list[int]:
        return [aid for aid, t in self.tasks.items() if t.outcome is None]

    def worked_tasks(self) -> list[TaskDraft]:
        return [t for t in self.tasks.values() if t.outcome in WORKED_OUTCOMES]

    def missed_tasks(self) -> list[TaskDraft]:
        return [t for t in self.tasks.values() if t.outcome in MISSED_OUTCOMES]

    def nothing_worked(self) -> str:
        """Why the worked step has no task, true to what step 1 holds."""
        return self._nothing("done or partly done", "No task was done or partly done")

    def nothing_missed(self) -> str:
        """Why the barrier and goal steps have no task, true to what step 1 holds."""
        if self.tasks and all(t.outcome is Outcome.DONE for t in self.tasks.values()):
            return "Every task was done: skip this step (F2)."
        return self._nothing("not done or partly done", "No task was missed")

    def _nothing(self, outcomes: str, none: str) -> str:
        if not self.tasks:
            return "No homework to review: skip this step (F2)."
        left = len(self.unmarked())
        if left:
            return (
                f"No task is marked {outcomes} yet, and {left} of {len(self.tasks)} "
                "have no outcome (step 1). Mark them, or skip this step (F2)."
            )
        return f"{none}: skip this step (F2)."

    def goal_for(self, parent_id: int | None) -> GoalDraft | None:
        return next((g for g in self.goals if g.parent_id == parent_id), None)

    def is_skipped(self, step: ReviewStep) -> bool:
        """Skipped with a reason; an empty reason (still being typed) skips nothing."""
        return bool(clean_line(self.skipped.get(step.value, "")))

    def problems(self) -> list[str]:
        """What still stops the review from being completed, in plain words."""
        out = []
        if self.unmarked() and not self.is_skipped(ReviewStep.OUTCOMES):
            out.append(f"{len(self.unmarked())} task(s) have no outcome yet")
        if not self.win_text.strip() and not self.is_skipped(ReviewStep.WIN):
            out.append("no win recorded (or skip the step with a reason)")
        if self.is_skipped(ReviewStep.GOAL):
            return out  # a skipped goal step sets no goal, so it needs nothing
        for goal in self.goals:
            if not goal.title.strip():
                out.append("a new goal has no title")
            if goal.confidence is None:
                out.append("ask how confident the client is in the new goal (0-10)")
        return out

    def cautions(self, titles: dict[int, str]) -> list[str]:
        """What the draft says against itself, shown once before completing (never
        printed into the note): a goal kept below the confidence the article asks for,
        and a step skipped with a reason while the review records what it would hold."""
        out = [
            f"“{clean_line(goal.title) or 'the new goal'}”: the client's confidence is "
            f"{goal.confidence}/10, below the 9-10 (90-100% sure) clients follow through "
            "on. Make it smaller (F3 on step 5) or keep it as it is."
            for goal in self.goals
            if goal.needs_shrinking()
        ]
        reasons = {step: clean_line(self.skipped.get(step.value, "")) for step in ReviewStep}
        for step, outcomes in (
            (ReviewStep.WORKED, WORKED_OUTCOMES),
            (ReviewStep.BARRIERS, MISSED_OUTCOMES),
        ):
            marked = [t for t in self.tasks.values() if t.outcome in outcomes]
            if reasons[step] and marked and not reasons[ReviewStep.OUTCOMES]:
                listed = "; ".join(
                    f"“{clean_line(titles.get(t.assignment_id, 'a task'))}” ({t.outcome.label})"
                    for t in marked
                    if t.outcome is not None
                )
                out.append(
                    f"Step {STEPS.index(step) + 1} is skipped (“{reasons[step]}”) while step 1 "
                    f"marks {listed}: nothing from step {STEPS.index(step) + 1} goes into "
                    "the record. Undo the skip, or correct step 1."
                )
        return out

    # -- changes ------------------------------------------------------------------

    def set_outcome(self, assignment_id: int, outcome: Outcome) -> None:
        self.tasks[assignment_id].outcome = outcome

    def toggle_factor(self, assignment_id: int, code: str) -> None:
        factors = self.tasks[assignment_id].factors
        if code in factors:
            factors.remove(code)
        else:
            factors.append(code)

    def toggle_barrier(self, assignment_id: int, code: str) -> None:
        if code not in BARRIERS_BY_CODE:
            raise KeyError(code)
        barriers = self.tasks[assignment_id].barriers
        if code in barriers:
            barriers.remove(code)
        else:
            barriers.append(code)

    def start_goal(self, missed: Assignment, due: date | None = None) -> GoalDraft:
        """The smaller goal for *missed*, prefilled from it and its barriers' remedies,
        due on *due* (the next session) unless the clinician changes it."""
        existing = self.goal_for(missed.id)
        if existing is not None:
            return existing
        barriers = self.tasks[missed.id].barriers if missed.id in self.tasks else []
        remedies = [BARRIERS_BY_CODE[code].remedy for code in barriers]
        goal = GoalDraft(
            parent_id=missed.id,
            title=suggested_title(missed),
            kind=missed.kind,
            instructions=missed.instructions,
            rationale=missed.rationale,
            what=missed.what,
            when=missed.when,
            where=missed.where,
            how_often=missed.how_often,
            how_long=missed.how_long,
            value_id=missed.value_id,
            obstacles=list(barriers),
            due_date=due.isoformat() if due else None,
        )
        if remedies:
            goal.rationale = "\n".join([goal.rationale, *remedies]).strip()
        self.goals.append(goal)
        return goal


def suggested_title(missed: Assignment) -> str:
    """The title a smaller goal for *missed* starts with, for the clinician to type over."""
    return f"Smaller step: {missed.title}"[:200]


# What each step records in a draft's input, cleared when the step is skipped.
_WORKED_FIELDS = {"factors": list, "factor_notes": dict, "worked_notes": str, "double_down": str}
_BARRIER_FIELDS = {"barriers": list, "barrier_notes": str, "learned": str, "belief": str}
_DISCUSSED_FIELDS = (*_WORKED_FIELDS, *_BARRIER_FIELDS)


def without_skipped(data: dict[str, Any]) -> dict[str, Any]:
    """A draft's input (`ReviewDraft.to_input`) as a completed review records it.

    A step skipped with a reason contributes nothing to the record, the note or the
    homework: what was typed on it before the skip is dropped, so the summary, the stored
    review and its note say the same thing. Skips without a reason are not kept.
    """
    skipped = {
        step: reason
        for step, reason in dict(data.get("skipped") or {}).items()
        if isinstance(reason, str) and clean_line(reason)
    }
    out = {**data, "skipped": skipped, "goals": list(data.get("goals") or [])}
    outcomes = [dict(row) for row in data.get("outcomes") or []]
    if ReviewStep.OUTCOMES in skipped:
        outcomes = []
    if ReviewStep.WIN in skipped:
        out["win_text"], out["win_kind"] = "", None
    for step, fields in (
        (ReviewStep.WORKED, _WORKED_FIELDS),
        (ReviewStep.BARRIERS, _BARRIER_FIELDS),
    ):
        if step in skipped:
            for row in outcomes:
                row.update({name: empty() for name, empty in fields.items()})
    for row in outcomes:
        row["discussed"] = any(row.get(name) for name in _DISCUSSED_FIELDS)
    out["outcomes"] = outcomes
    if ReviewStep.GOAL in skipped:
        out["goals"] = []
    return out


_ONE_OFF = re.compile(
    r"(?:just |only )?(?:once|one time|1 time|1 x|1x|x1|one-off|one off|a single time|"
    r"a one-off|a one off|one|1)(?: only)?",
)


def is_one_off(how_often: str) -> bool:
    """Whether *how_often* means the task is done a single time ("once", "1 time",
    "one-off"), not "once a week": a one-off marked done is finished."""
    words = " ".join(how_often.casefold().replace(".", " ").split())
    return bool(words) and _ONE_OFF.fullmatch(words) is not None


def typed_words(data: dict[str, Any], titles: dict[int, str]) -> str:
    """A draft's input (`ReviewDraft.to_input`) as plain lines, for a person to read or
    copy: what was typed and chosen, one line each, nothing empty."""
    lines: list[str] = []

    def add(label: str, value: object) -> None:
        if isinstance(value, dict):
            value = "; ".join(f"{k}: {v}" for k, v in value.items() if v)
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        text = "" if value is None else str(value).strip()
        if text:
            lines.append(f"{label}: {text}")

    add("win", data.get("win_text"))
    for row in data.get("outcomes") or []:
        title = titles.get(row["assignment_id"], f"task {row['assignment_id']}")
        outcome = row.get("outcome")
        add(title, str(getattr(outcome, "value", outcome) or "").replace("_", " "))
        for name in ("factors", "factor_notes", "worked_notes", "double_down"):
            add(f"  {name.replace('_', ' ')}", row.get(name))
        for name in ("barriers", "barrier_notes", "learned", "belief"):
            add(f"  {name.replace('_', ' ')}", row.get(name))
        for name in ("quality", "difficulty", "times_done", "times_planned"):
            add(f"  {name.replace('_', ' ')}", row.get(name))
    for goal in data.get("goals") or []:
        add("new goal", goal.get("title"))
        for attr, label in SPECIFICS.items():
            add(f"  {label}", goal.get(attr))
        add("  confidence", goal.get("confidence"))
    for name, value in (data.get("risk") or {}).items():
        add(f"risk check: {name.replace('_', ' ')}", value)
    for step, reason in (data.get("skipped") or {}).items():
        add(f"skipped {step}", reason)
    return "\n".join(lines)
