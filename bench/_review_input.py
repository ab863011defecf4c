"""A whole review's input, as the review screen's completion sends it: what the
in-process bench and the practice of twenty save (plain Python, no Textual)."""

from __future__ import annotations

from typing import Any

from hwtui.data.catalog import Outcome, ReviewStep, WinKind
from hwtui.data.review_draft import ReviewDraft
from hwtui.data.services.reviews import ReviewContext


def whole_review(ctx: ReviewContext) -> dict[str, Any]:
    """Outcomes for every task (done and not done in turn), a win and, for a missed task,
    a smaller goal rated 9: everything a complete review needs."""
    draft = ReviewDraft.from_saved(ctx.review, ctx.assignments, ctx.outcomes, [])
    by_id = {a.id: a for a in ctx.assignments}
    for n, assignment_id in enumerate(draft.tasks):
        draft.set_outcome(assignment_id, Outcome.DONE if n % 2 == 0 else Outcome.NOT_DONE)
    draft.win_text = "Went for the walk on Tuesday even though it rained."
    draft.win_kind = WinKind.PROCESS
    missed = next(iter(draft.missed_tasks()), None)
    if missed is not None:
        draft.start_goal(by_id[missed.assignment_id]).confidence = 9
    draft.step = ReviewStep.SUMMARY
    return draft.to_input()
