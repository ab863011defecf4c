"""A review on one page: what the summary step shows, and what history shows read-only."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text

from hwtui.data.catalog import (
    BARRIERS_BY_CODE,
    DIFFICULTY,
    FACTORS,
    QUALITY,
    SPECIFICS,
    ReviewStep,
    rated,
    times_against_plan,
)
from hwtui.data.inputs import RiskCheck
from hwtui.data.review_draft import ReviewDraft, TaskDraft
from hwtui.data.review_steps import SUMMARY_SECTIONS, number
from hwtui.data.text import strip_controls
from hwtui.widgets.steps.barriers import LIMITING_BELIEF
from hwtui.widgets.steps.base import ReviewSetup
from hwtui.widgets.steps.outcomes import MARKS
from hwtui.widgets.wrapping import hang

_FACTOR_LABELS = {f.code: f.label for f in FACTORS}


class _Page(Text):
    """The summary being written, and the width its lines wrap to (None: the widget
    wraps them, without hanging indents)."""

    def __init__(self, width: int | None) -> None:
        super().__init__()
        self.width = width

    def hang(self, prefix: str, text: str, *, style: str = "", indent: int | None = None) -> None:
        """*prefix* and *text* (typed by a person: controls stripped), wrapped so that
        its later lines hang under its start."""
        wrapped = hang(prefix, strip_controls(text), self.width, indent=indent)
        self.append(wrapped + "\n", style=style)


def _heading(out: _Page, number: int | None, title: str) -> None:
    if out:
        out.append("\n")
    prefix = f"{number}. " if number is not None else ""
    out.append(f"{prefix}{title}\n", style="bold")


def _line(out: _Page, label: str, value: str | None) -> None:
    if value:
        prefix = f"  {label}: "
        start = len(out)
        out.hang(prefix, value)
        out.stylize("dim", start, start + len(prefix))


def _outcomes(out: _Page, draft: ReviewDraft, setup: ReviewSetup) -> None:
    for task in draft.tasks.values():
        mark = MARKS[task.outcome] if task.outcome else "? not marked"
        out.hang(f"  {mark:<17}", setup.title(task.assignment_id))


def _win(out: _Page, draft: ReviewDraft, setup: ReviewSetup) -> None:
    if draft.win_text.strip():
        kind = f" ({draft.win_kind.value})" if draft.win_kind else ""
        out.hang("  ", f"“{strip_controls(draft.win_text.strip())}”{kind}")
    else:
        out.append("  (not recorded yet)\n", style="dim")


def _worked(out: _Page, draft: ReviewDraft, setup: ReviewSetup) -> None:
    worked = [t for t in draft.worked_tasks() if t.discussed or t.rated]
    for task in worked:
        out.hang("  ", setup.title(task.assignment_id))
        _how_it_went(out, task)
        for code in task.factors:
            note = task.factor_notes.get(code, "")
            label = f"    ✓ {_FACTOR_LABELS[code]}"
            out.hang(f"{label} — " if note else label, note, indent=8)
        _line(out, "  double down on", task.double_down)
        _line(out, "  notes", task.worked_notes)
    if not worked:
        out.append("  (nothing noted yet)\n", style="dim")


def _barriers(out: _Page, draft: ReviewDraft, setup: ReviewSetup) -> None:
    missed = [t for t in draft.missed_tasks() if t.discussed or t.rated]
    for task in missed:
        out.hang("  ", setup.title(task.assignment_id))
        if task not in draft.worked_tasks():  # a partly done task has them under 3
            _how_it_went(out, task)
        labels = ", ".join(BARRIERS_BY_CODE[c].label for c in task.barriers)
        _line(out, "  barriers", labels)
        if LIMITING_BELIEF in task.barriers:
            _line(out, "  the belief", f"“{task.belief.strip()}”" if task.belief.strip() else "")
        _line(out, "  notes", task.barrier_notes)
        _line(out, "  learned", task.learned)
    if not missed:
        out.append("  (nothing noted yet)\n", style="dim")


def _goal(out: _Page, draft: ReviewDraft, setup: ReviewSetup) -> None:
    for goal in draft.goals:
        out.hang("  ", goal.title or "(untitled goal)")
        _line(out, "  supports", setup.title(goal.parent_id) if goal.parent_id else None)
        for attr, label in SPECIFICS.items():
            _line(out, f"  {label}", getattr(goal, attr))
        _line(out, "  value", setup.value_text(goal.value_id))
        _line(out, "  due", goal.due_date)
        if goal.confidence is not None:
            aim = "within" if not goal.needs_shrinking() else "below"
            _line(out, "  confidence", f"{goal.confidence}/10 ({aim} the 90-100% to aim for)")
    if not draft.goals:
        out.append("  (no new goal)\n", style="dim")


def _how_it_went(out: _Page, task: TaskDraft) -> None:
    figures = [
        times_against_plan(task.times_done, task.times_planned),
        rated(QUALITY, task.quality) and f"how well: {rated(QUALITY, task.quality)}",
        rated(DIFFICULTY, task.difficulty) and f"how hard: {rated(DIFFICULTY, task.difficulty)}",
    ]
    _line(out, "  how it went", " · ".join(f for f in figures if f))


def risk_lines(draft: ReviewDraft, setup: ReviewSetup, *, editing: bool = True) -> str:
    """The risk check as the summary shows it: what is recorded and what is not; ""
    when none is needed and none was started. *editing*: with the key that opens it."""
    check = RiskCheck.model_validate(draft.risk) if draft.risk else RiskCheck()
    if check.is_empty() and not setup.risk_signals:
        return ""
    listed = ", ".join(f"{day:%d %b} ({score})" for day, score in setup.risk_signals)
    head = f"PHQ-9 item 9 above 0: {listed}. " if listed else ""
    missing = check.missing()
    key = " (F8)" if editing else ""
    if check.is_empty():
        return head + f"Risk check: not recorded{key}; signing needs it."
    if missing:
        return head + f"Risk check: still to record: {', '.join(missing)}{key}."
    level = check.level.value if check.level else ""
    plan = check.safety_plan.value if check.safety_plan else ""
    return head + f"Risk check recorded: level {level}, safety plan {plan}{key}."


def risk_banner(draft: ReviewDraft, setup: ReviewSetup) -> str:
    """One short line over every step while a risk check is called for and not
    complete (""  otherwise): fits 80 columns for one or two positive PHQ-9s."""
    check = RiskCheck.model_validate(draft.risk) if draft.risk else RiskCheck()
    missing = check.missing()
    if check.is_empty() and not setup.risk_signals:
        return ""
    if check.is_empty():
        listed = ", ".join(f"{day:%d %b} ({score})" for day, score in setup.risk_signals)
        return f"⚠ PHQ-9 item 9 above 0: {listed} · risk check needed to sign (F8)"
    if missing:
        return f"⚠ Risk check: {len(missing)} still to record (F8)"
    return ""


# What each summarised step (`review_steps.SUMMARY_SECTIONS`) shows under its heading.
SECTION_BODIES: dict[ReviewStep, Callable[[_Page, ReviewDraft, ReviewSetup], None]] = {
    ReviewStep.OUTCOMES: _outcomes,
    ReviewStep.WIN: _win,
    ReviewStep.WORKED: _worked,
    ReviewStep.BARRIERS: _barriers,
    ReviewStep.GOAL: _goal,
}


def render_summary(
    draft: ReviewDraft, setup: ReviewSetup, *, numbered: bool = True, width: int | None = None
) -> Text:
    """Everything in the review as plain Text: person-typed parts are never markup.

    One section per summarised step, in review order, headed by its title (and, when
    *numbered*, the number key that jumps back to it); a skipped step shows its reason.
    """
    out = _Page(width)
    # While editing, the review's own line says it (`risk_banner`); the record says it here.
    risk = "" if numbered else risk_lines(draft, setup, editing=False)
    if risk:
        out.hang("", risk, style="bold")
    for info in SUMMARY_SECTIONS:
        _heading(out, number(info.code) if numbered else None, info.title)
        reason = draft.skipped.get(info.code.value)
        if reason:
            _line(out, "skipped", reason)
        else:
            SECTION_BODIES[info.code](out, draft, setup)
    out.rstrip()
    return out
