"""Skipped means skipped: a step skipped with a reason leaves nothing in the record.

Every combination of skipped steps is completed with words typed on every step first; the
stored review, its outcomes, the homework and the note (every style) must then hold the
words of the steps that were kept, and none of the skipped ones.
"""

from __future__ import annotations

import itertools
import json

import pytest

from hwtui.data.catalog import AssignmentStatus, ReviewStep
from hwtui.data.db import Database
from hwtui.data.notes import NoteStyle, render_text
from hwtui.data.review_draft import GoalDraft, ReviewDraft, without_skipped
from hwtui.data.services.assignments import get_assignment
from hwtui.data.services.identity import Actor
from hwtui.data.services.notes import note_for
from hwtui.data.services.reviews import complete_review, load_review, start_review
from tests.conftest import TODAY
from tests.helpers import add_assignment, add_client

SKIPPABLE = (
    ReviewStep.OUTCOMES,
    ReviewStep.WIN,
    ReviewStep.WORKED,
    ReviewStep.BARRIERS,
    ReviewStep.GOAL,
)
# One marker word per step; each must appear exactly when its step was not skipped.
MARKERS = {
    ReviewStep.WIN: "Winmarker",
    ReviewStep.WORKED: "Workedmarker",
    ReviewStep.BARRIERS: "Barriermarker",
    ReviewStep.GOAL: "Goalmarker",
}


def _draft(walk: int, read: int, skipped: tuple[ReviewStep, ...]) -> dict[str, object]:
    return {
        "win_text": f"{MARKERS[ReviewStep.WIN]} went to choir",
        "win_kind": "process",
        "step": ReviewStep.SUMMARY,
        "skipped": {step.value: "client declined" for step in skipped},
        "outcomes": [
            {
                "assignment_id": walk,
                "outcome": "done",
                "discussed": True,
                "factors": ["scheduled"],
                "factor_notes": {"scheduled": f"{MARKERS[ReviewStep.WORKED]} diary"},
                "worked_notes": f"{MARKERS[ReviewStep.WORKED]} notes",
            },
            {
                "assignment_id": read,
                "outcome": "not_done",
                "discussed": True,
                "barriers": ["forgot"],
                "barrier_notes": f"{MARKERS[ReviewStep.BARRIERS]} notes",
                "learned": f"{MARKERS[ReviewStep.BARRIERS]} learned",
            },
        ],
        "goals": [
            {
                "parent_id": read,
                "title": f"{MARKERS[ReviewStep.GOAL]} read one page",
                "how_long": "five minutes",
                "confidence": 7,
            }
        ],
    }


COMBINATIONS = [
    combo for size in range(len(SKIPPABLE) + 1) for combo in itertools.combinations(SKIPPABLE, size)
]


@pytest.mark.parametrize(
    "skipped", COMBINATIONS, ids=lambda c: "+".join(s.value for s in c) or "none"
)
def test_a_skipped_step_contributes_nothing(
    db: Database, me: Actor, skipped: tuple[ReviewStep, ...]
) -> None:
    client_id = add_client(db, me)
    walk = add_assignment(db, me, client_id, "Walk")
    read = add_assignment(db, me, client_id, "Read")
    with db.write() as s:
        review_id = start_review(s, me, client_id, TODAY).id
        assert review_id is not None
        complete_review(s, me, review_id, **_draft(walk, read, skipped))
    with db.write() as s:
        detail = load_review(s, me, review_id)
        notes = [render_text(note_for(s, me, review_id, style.value)) for style in NoteStyle]
        parent = get_assignment(s, me, read)
    stored = json.dumps(
        {
            "review": detail.review.model_dump(mode="json"),
            "outcomes": [o.model_dump(mode="json") for o in detail.outcomes],
            "created": [a.model_dump(mode="json") for a in detail.created],
        }
    )
    # No outcomes recorded: nothing was learned about any task either.
    absent = set(skipped)
    if ReviewStep.OUTCOMES in skipped:
        absent |= {ReviewStep.WORKED, ReviewStep.BARRIERS}
    for step, marker in MARKERS.items():
        where = [stored, *notes]
        if step in absent:
            assert all(marker not in text for text in where), (step, skipped)
        else:
            assert all(marker in text for text in where), (step, skipped)
    assert (not detail.outcomes) == (ReviewStep.OUTCOMES in skipped)
    goal_kept = ReviewStep.GOAL not in skipped
    assert len(detail.created) == (1 if goal_kept else 0)
    expected = AssignmentStatus.REPLACED if goal_kept else AssignmentStatus.ACTIVE
    assert parent.status == expected
    # The reasons are kept, so the note can say why a step was not done.
    assert set(detail.review.skipped) == {step.value for step in skipped}


def test_a_skip_without_a_reason_skips_nothing() -> None:
    data = _draft(1, 2, ())
    data["skipped"] = {"goal": "  ", "win": "\x1b"}
    kept = without_skipped(data)
    assert kept["skipped"] == {}
    assert kept["goals"] == data["goals"]
    assert kept["win_text"] == data["win_text"]


def test_a_skipped_goal_step_asks_nothing_of_its_goal() -> None:
    draft = ReviewDraft(review_id=1, tasks={}, win_text="a win", goals=[GoalDraft(parent_id=2)])
    assert any("confident" in p for p in draft.problems())
    draft.skipped["goal"] = "client declined"
    assert draft.problems() == []
