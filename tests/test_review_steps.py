"""The guided review's steps: one registry, drafts addressed by code, positions derived."""

from __future__ import annotations

from itertools import pairwise

import pytest

from hwtui.data.catalog import ReviewStep
from hwtui.data.models import Review
from hwtui.data.review_draft import ReviewDraft
from hwtui.data.review_steps import (
    JUMP_KEYS,
    REVIEW_STEPS,
    STEPS,
    SUMMARY_SECTIONS,
    hint,
    next_step,
    number,
    previous_step,
    resume_step,
    step_info,
    step_label,
)
from tests.conftest import TODAY


def test_the_registry_holds_every_step_once_and_ends_on_the_summary() -> None:
    assert sorted(STEPS) == sorted(ReviewStep)
    assert len(set(STEPS)) == len(STEPS)
    assert STEPS[-1] is ReviewStep.SUMMARY
    assert [info.code for info in SUMMARY_SECTIONS] == list(STEPS[:-1])


def test_every_step_has_a_widget_and_every_summary_section_a_body() -> None:
    from hwtui.screens.review import STEP_WIDGETS
    from hwtui.widgets.review_summary import SECTION_BODIES

    assert set(STEP_WIDGETS) == set(STEPS)
    assert set(SECTION_BODIES) == {info.code for info in SUMMARY_SECTIONS}


def test_positions_are_derived_from_the_order_for_display_only() -> None:
    assert [number(step) for step in STEPS] == list(range(1, len(STEPS) + 1))
    assert step_label(ReviewStep.WIN) == "step 2 of 6: A win since last session"
    assert step_label(ReviewStep.SUMMARY) == "step 6 of 6: Summary"
    assert previous_step(STEPS[0]) is None
    assert next_step(STEPS[-1]) is None
    forward = [STEPS[0]]
    while (after := next_step(forward[-1])) is not None:
        forward.append(after)
    assert tuple(forward) == STEPS
    assert all(previous_step(b) is a for a, b in pairwise(STEPS))


def test_the_summary_keys_and_hints_come_from_the_registry() -> None:
    # Each summary section is shown with its step's number; that key jumps back to it.
    numbered = {str(number(info.code)): info.code for info in SUMMARY_SECTIONS}
    assert numbered == JUMP_KEYS
    assert list(JUMP_KEYS) == ["1", "2", "3", "4", "5"]
    assert hint(ReviewStep.SUMMARY) == "1-5 edit a step · c complete the review"
    assert hint(ReviewStep.OUTCOMES) == (
        "Mark each task: d done · p partly · n not done · o no opportunity"
    )
    assert hint(ReviewStep.WIN) == ""
    assert [step_info(s) for s in STEPS] == list(REVIEW_STEPS)


@pytest.mark.parametrize("step", list(ReviewStep))
def test_a_draft_is_saved_and_resumed_by_its_steps_code(step: ReviewStep) -> None:
    review = Review(id=7, client_id=1, clinician_id=1, session_date=TODAY, step=step.value)
    draft = ReviewDraft.from_saved(review, [], [], [])
    assert draft.step is step
    assert draft.to_input()["step"] is step


def test_a_step_no_longer_known_resumes_on_the_summary() -> None:
    assert resume_step("coda") is ReviewStep.SUMMARY
    assert resume_step("win") is ReviewStep.WIN
