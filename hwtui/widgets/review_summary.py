"""A review on one page: what the summary step shows, and what history shows read-only."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from hwtui.data.catalog import BARRIERS_BY_CODE, FACTORS, SPECIFICS, ReviewStep
from hwtui.data.review_draft import ReviewDraft
from hwtui.data.review_steps import SUMMARY_SECTIONS, number
from hwtui.data.text import strip_controls
from hwtui.widgets.steps.base import ReviewSetup
from hwtui.widgets.steps.outcomes import MARKS

_FACTOR_LABELS = {f.code: f.label for f in FACTORS}


def _heading(out: Text, number: int | None, title: str) -> None:
    if out:
        out.append("\n")
    prefix = f"{number}. " if number is not None else ""
    out.append(f"{prefix}{title}\n", style="bold")


def _line(out: Text, label: str, value: str | None) -> None:
    if value:
        out.append(f"  {label}: ", style="dim")
        out.append(strip_controls(value))
        out.append("\n")


def _outcomes(out: Text, draft: ReviewDraft, setup: ReviewSetup) -> None:
    for task in draft.tasks.values():
        mark = MARKS[task.outcome] if task.outcome else "? not marked"
        out.append(f"  {mark:<17}")
        out.append(strip_controls(setup.title(task.assignment_id)) + "\n")


def _win(out: Text, draft: ReviewDraft, setup: ReviewSetup) -> None:
    if draft.win_text.strip():
        kind = f" ({draft.win_kind.value})" if draft.win_kind else ""
        out.append(f"  “{strip_controls(draft.win_text.strip())}”{kind}\n")
    else:
        out.append("  (not recorded yet)\n", style="dim")


def _worked(out: Text, draft: ReviewDraft, setup: ReviewSetup) -> None:
    worked = [t for t in draft.worked_tasks() if t.discussed]
    for task in worked:
        out.append("  " + strip_controls(setup.title(task.assignment_id)) + "\n")
        for code in task.factors:
            note = task.factor_notes.get(code, "")
            out.append(f"    ✓ {_FACTOR_LABELS[code]}")
            out.append(f" — {strip_controls(note)}\n" if note else "\n")
        _line(out, "  double down on", task.double_down)
        _line(out, "  notes", task.worked_notes)
    if not worked:
        out.append("  (nothing noted yet)\n", style="dim")


def _barriers(out: Text, draft: ReviewDraft, setup: ReviewSetup) -> None:
    missed = [t for t in draft.missed_tasks() if t.discussed]
    for task in missed:
        out.append("  " + strip_controls(setup.title(task.assignment_id)) + "\n")
        labels = ", ".join(BARRIERS_BY_CODE[c].label for c in task.barriers)
        _line(out, "  barriers", labels)
        _line(out, "  notes", task.barrier_notes)
        _line(out, "  learned", task.learned)
    if not missed:
        out.append("  (nothing noted yet)\n", style="dim")


def _goal(out: Text, draft: ReviewDraft, setup: ReviewSetup) -> None:
    for goal in draft.goals:
        out.append("  " + strip_controls(goal.title or "(untitled goal)") + "\n")
        _line(out, "  supports", setup.title(goal.parent_id) if goal.parent_id else None)
        for attr, label in SPECIFICS.items():
            _line(out, f"  {label}", getattr(goal, attr))
        _line(out, "  value", setup.value_text(goal.value_id))
        _line(out, "  due", goal.due_date)
        if goal.confidence is not None:
            _line(out, "  confidence", f"{goal.confidence}/10")
    if not draft.goals:
        out.append("  (no new goal)\n", style="dim")


# What each summarised step (`review_steps.SUMMARY_SECTIONS`) shows under its heading.
SECTION_BODIES: dict[ReviewStep, Callable[[Text, ReviewDraft, ReviewSetup], None]] = {
    ReviewStep.OUTCOMES: _outcomes,
    ReviewStep.WIN: _win,
    ReviewStep.WORKED: _worked,
    ReviewStep.BARRIERS: _barriers,
    ReviewStep.GOAL: _goal,
}


def render_summary(draft: ReviewDraft, setup: ReviewSetup, *, numbered: bool = True) -> Text:
    """Everything in the review as plain Text: person-typed parts are never markup.

    One section per summarised step, in review order, headed by its title (and, when
    *numbered*, the number key that jumps back to it); a skipped step shows its reason.
    """
    out = Text()
    for info in SUMMARY_SECTIONS:
        _heading(out, number(info.code) if numbered else None, info.title)
        reason = draft.skipped.get(info.code.value)
        if reason:
            out.append("  skipped: ", style="dim")
            out.append(strip_controls(reason) + "\n")
        else:
            SECTION_BODIES[info.code](out, draft, setup)
    out.rstrip()
    return out
