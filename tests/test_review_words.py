"""Issue 17: words on the review steps that are true and not garbled: sentences joined
without doubled punctuation, and the same account of step 1 on every step that has no
task to show."""

from __future__ import annotations

import dataclasses

from hwtui.data.catalog import Outcome
from hwtui.data.notes import build_note, render_text
from hwtui.data.review_draft import ReviewDraft, TaskDraft
from hwtui.data.text import join_clauses
from tests.test_notes import SOURCE


def test_joined_clauses_never_double_their_punctuation() -> None:
    assert (
        join_clauses(["Examine the belief with a thought record first.", "Pick a day."])
        == "Examine the belief with a thought record first; Pick a day"
    )
    assert join_clauses(["what: recycle.", "", "when: Monday;"]) == "what: recycle; when: Monday"


def test_the_goal_line_of_a_note_has_no_doubled_punctuation() -> None:
    goal = dataclasses.replace(SOURCE.goals[0], what="Put the paper out to recycle.")
    text = render_text(build_note(dataclasses.replace(SOURCE, goals=(goal,))))
    assert "recycle; when: Saturday 9am" in text
    assert ".;" not in text


def _draft(*outcomes: Outcome | None) -> ReviewDraft:
    return ReviewDraft(1, {i: TaskDraft(i, o) for i, o in enumerate(outcomes, start=1)})


def test_with_nothing_marked_every_step_says_so_and_none_says_all_was_done() -> None:
    draft = _draft(None, None)
    worked, missed = draft.nothing_worked(), draft.nothing_missed()
    for text in (worked, missed):
        assert "2 of 2 have no outcome (step 1)" in text
        assert "Every task was done" not in text
    assert "marked done or partly done" in worked
    assert "marked not done or partly done" in missed


def test_the_empty_step_messages_follow_the_outcomes() -> None:
    assert _draft(Outcome.DONE, Outcome.DONE).nothing_missed().startswith("Every task was done")
    assert (
        _draft(Outcome.DONE, Outcome.NO_OPPORTUNITY)
        .nothing_missed()
        .startswith("No task was missed")
    )
    assert _draft(Outcome.NOT_DONE).nothing_worked().startswith("No task was done")
    assert _draft().nothing_worked().startswith("No homework to review")
    assert _draft().nothing_missed().startswith("No homework to review")
