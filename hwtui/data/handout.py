"""What the client takes home: their current homework as plain data, in their words.

`Handout` is the read model every format is made from (`handout_text`, `handout_pdf`,
`handout_ics`). It holds only what is safe to give the client: each active task's
specifics, the value it serves, the goals it builds toward, the obstacles they expect
with an if-then plan, how sure they said they were, the due day, and their latest win.
Nothing clinician-only has a field here (barrier codes and notes from reviews, outcome
notes, measures, risk, process notes), so no format can print it by mistake.

Obstacles are stored as barrier codes; a handout never shows a code, only the plan in
words addressed to the client (`IF_THEN`). Obstacles that are the clinician's own part
(the therapist group) have no plan for the client and are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Barrier code -> (if ..., then ...), said to the client. Codes missing here (the
# therapist's own barriers) are not the client's to plan for.
IF_THEN: dict[str, tuple[str, str]] = {
    "too_big": ("If it feels too big", "do just the first small part."),
    "unclear_start": (
        "If you are not sure how to start",
        "begin with the very first action, at the time written here.",
    ),
    "not_valued": ("If it stops feeling worthwhile", "read again why it matters to you."),
    "not_meaningful": ("If it feels boring", "change it to a version you find worth doing."),
    "rationale_unclear": ("If you wonder why you are doing this", "read why it matters to you."),
    "forgot": (
        "If you might forget",
        "set a phone alarm or put a note where you will see it.",
    ),
    "avoidance": (
        "If you notice yourself putting it off, or you feel worse",
        "do a smaller piece and be kind to yourself.",
    ),
    "limiting_belief": (
        "If a thought tells you that you can't",
        "write the thought down and bring it next time.",
    ),
    "low_confidence": ("If you doubt you can do it", "make it smaller until it feels doable."),
    "not_scheduled": (
        "If no time is set yet",
        "pick a day and a time and put it in your calendar.",
    ),
    "no_time": ("If you are short of time", "do a shorter version in a gap you already have."),
    "no_support": ("If you need support", "ask the person you named to help."),
    "no_situation": (
        "If the situation does not come up",
        "look for a way to make it happen, or note that it did not.",
    ),
    "life_event": (
        "If something big happens in your life",
        "pause it or keep only the smallest part; you come first.",
    ),
}


def if_then_plans(codes: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The client's if-then plans for the obstacle *codes*, in order, once each."""
    plans: list[str] = []
    for code in dict.fromkeys(codes):
        if code in IF_THEN:
            when, then = IF_THEN[code]
            plans.append(f"{when}, then {then}")
    return tuple(plans)


@dataclass(frozen=True, slots=True)
class HandoutTask:
    """One active assignment as the client reads it. Text fields are as stored; each
    format cleans them for where they go."""

    assignment_id: int
    title: str
    what: str = ""
    when: str = ""
    where: str = ""
    how_often: str = ""
    how_long: str = ""
    value: str = ""  # the linked value, in the client's words
    supports: tuple[str, ...] = ()  # the goals this step builds toward, nearest first
    plans: tuple[str, ...] = ()  # if-then plans for the obstacles they expect
    confidence: int | None = None
    due: date | None = None


@dataclass(frozen=True, slots=True)
class Handout:
    """A client's current homework on *made* (the clinic's day), until *next_session*."""

    client_id: int
    client_name: str
    made: date
    next_session: date
    tasks: tuple[HandoutTask, ...] = ()
    latest_win: str = ""
    latest_win_day: date | None = None
