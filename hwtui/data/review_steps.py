"""The guided review's steps, in order: the one place that says what each step is.

A draft stores the step it is on by code (`ReviewStep`; migration 0009), never by
position, so a step added or moved here moves no open draft. Positions exist only on
screen and are derived from this order: "step 2 of 6" in the title, the summary's
numbered sections and the number keys that jump back to them. The widget that shows a
step belongs to the UI (`hwtui.screens.review.STEP_WIDGETS`, keyed by code).
"""

from __future__ import annotations

from dataclasses import dataclass

from hwtui.data.catalog import ReviewStep


@dataclass(frozen=True)
class StepInfo:
    code: ReviewStep
    # In the review's title bar ("step 2 of 6: <title>") and heading its summary section.
    title: str
    # The line of keys shown at the top of the step ("" for none); `{keys}` stands for
    # the number keys that jump back to the summarised steps.
    hint: str = ""
    # Whether the summary has a section for it, numbered, with a number key back to it.
    summarised: bool = True
    # One or two short questions the clinician can ask here, curious rather than
    # judging (the article's spirit): shown on one line above the step.
    questions: tuple[str, ...] = ()


REVIEW_STEPS: tuple[StepInfo, ...] = (
    StepInfo(
        ReviewStep.OUTCOMES,
        "How did each task go?",
        hint="Mark each task: d done · p partly · n not done · o no opportunity",
        questions=("How did this one go for you this week?",),
    ),
    StepInfo(
        ReviewStep.WIN,
        "A win since last session",
        questions=("What went well since we last met, however small?",),
    ),
    StepInfo(
        ReviewStep.WORKED,
        "What worked",
        questions=("What made it possible this time?", "How could you do more of that?"),
    ),
    StepInfo(
        ReviewStep.BARRIERS,
        "What got in the way",
        questions=("What got in the way?", "What went through your mind then?"),
    ),
    StepInfo(
        ReviewStep.GOAL,
        "A new, smaller goal",
        questions=("What step feels doable this week?", "How sure are you, 0 to 10?"),
    ),
    StepInfo(
        ReviewStep.SUMMARY,
        "Summary",
        hint="{keys} edit a step · c complete the review",
        summarised=False,
        questions=("What will you take away from today?",),
    ),
)

STEPS: tuple[ReviewStep, ...] = tuple(info.code for info in REVIEW_STEPS)
_BY_CODE = {info.code: info for info in REVIEW_STEPS}
# The summary's sections, in review order.
SUMMARY_SECTIONS: tuple[StepInfo, ...] = tuple(info for info in REVIEW_STEPS if info.summarised)
# On the summary, the number a section is shown with jumps back to its step.
JUMP_KEYS: dict[str, ReviewStep] = {
    str(STEPS.index(info.code) + 1): info.code for info in SUMMARY_SECTIONS
}
# A draft saved before a step it was on existed no more resumes here: the page that
# shows everything and leads to every step (migration 0009 maps unknown positions so).
RESUME_FALLBACK = ReviewStep.SUMMARY


def step_info(step: ReviewStep) -> StepInfo:
    return _BY_CODE[step]


def number(step: ReviewStep) -> int:
    """The step's position as the clinician sees it, from 1."""
    return STEPS.index(step) + 1


def step_label(step: ReviewStep) -> str:
    """The title bar's part about the step: `step 2 of 6: A win since last session`."""
    return f"step {number(step)} of {len(STEPS)}: {_BY_CODE[step].title}"


def next_step(step: ReviewStep) -> ReviewStep | None:
    """The step after *step*, or None on the last."""
    at = STEPS.index(step)
    return STEPS[at + 1] if at + 1 < len(STEPS) else None


def previous_step(step: ReviewStep) -> ReviewStep | None:
    """The step before *step*, or None on the first."""
    at = STEPS.index(step)
    return STEPS[at - 1] if at > 0 else None


def resume_step(stored: str) -> ReviewStep:
    """The step a draft stored as *stored* opens on."""
    try:
        return ReviewStep(stored)
    except ValueError:
        return RESUME_FALLBACK


def questions(step: ReviewStep) -> str:
    """The step's questions to ask, on one line ("" for none)."""
    asked = _BY_CODE[step].questions
    return "Ask: " + "  ·  ".join(asked) if asked else ""


def hint(step: ReviewStep) -> str:
    """The line of keys the step shows at its top ("" for none)."""
    return _BY_CODE[step].hint.format(keys=_span(list(JUMP_KEYS)))


def _span(keys: list[str]) -> str:
    """`1-5` for consecutive number keys, else `1, 3, 4`."""
    numbers = [int(k) for k in keys]
    if numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(keys)
