"""The clinical vocabulary as data: barriers, homework kinds, outcomes, factors, measures.

Everything the UI, services, demo and notes say about these lives here, keyed by a
stable code that is what the database stores. Labels may be reworded; codes may not.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    """How an assignment went since the last session."""

    DONE = "done"
    PARTLY = "partly"
    NOT_DONE = "not_done"
    NO_OPPORTUNITY = "no_opportunity"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]

    @property
    def score(self) -> float | None:
        """Completion credit; None where the task could not have been done."""
        return OUTCOME_SCORES[self]


OUTCOME_LABELS = {
    Outcome.DONE: "done",
    Outcome.PARTLY: "partly done",
    Outcome.NOT_DONE: "not done",
    Outcome.NO_OPPORTUNITY: "no opportunity",
}
OUTCOME_SCORES: dict[Outcome, float | None] = {
    Outcome.DONE: 1.0,
    Outcome.PARTLY: 0.5,
    Outcome.NOT_DONE: 0.0,
    Outcome.NO_OPPORTUNITY: None,
}


class WinKind(StrEnum):
    INSIGHT = "insight"
    DECISION = "decision"
    PROCESS = "process"
    EXTERNAL = "external"


WIN_KIND_HINTS = {
    WinKind.INSIGHT: "noticed or understood something new",
    WinKind.DECISION: "made a choice or commitment",
    WinKind.PROCESS: "did something differently, e.g. let a feeling be felt",
    WinKind.EXTERNAL: "something good happened around them",
}


class ReviewStatus(StrEnum):
    DRAFT = "draft"
    COMPLETE = "complete"
    SIGNED = "signed"


class AssignmentStatus(StrEnum):
    ACTIVE = "active"
    COMPLETED = "completed"
    RETIRED = "retired"
    REPLACED = "replaced"


@dataclass(frozen=True, slots=True)
class Factor:
    code: str
    label: str
    prompt: str


# What helped a task get done: the questions of part two of the review.
FACTORS: tuple[Factor, ...] = (
    Factor("thinking", "thinking", "What was going through their mind when they did it?"),
    Factor("feeling", "feeling", "How were they feeling before and during?"),
    Factor("values", "values", "Which of their values did it serve?"),
    Factor("motivation", "motivation", "What got them going?"),
    Factor("told_others", "told others", "Did they tell anyone they would do it?"),
    Factor("scheduled", "scheduled", "Was it in a diary, calendar or reminder?"),
)
FACTOR_CODES = frozenset(f.code for f in FACTORS)


class BarrierGroup(StrEnum):
    TASK = "task"
    PATIENT = "patient"
    ENVIRONMENT = "environment"
    THERAPIST = "therapist"

    @property
    def label(self) -> str:
        """The group as shown: the value is the literature's word ("patient"), kept as
        it is; the app says "client" everywhere."""
        return "client" if self is BarrierGroup.PATIENT else self.value


@dataclass(frozen=True, slots=True)
class Barrier:
    code: str
    group: BarrierGroup
    label: str
    remedy: str


# Grouped after Kazantzis & Shinkfield. The remedy is what the new, smaller goal does.
BARRIERS: tuple[Barrier, ...] = (
    Barrier(
        "too_big",
        BarrierGroup.TASK,
        "too big or overwhelming",
        "Grade it down to a step they are sure of.",
    ),
    Barrier(
        "unclear_start",
        BarrierGroup.TASK,
        "unclear how or when to start",
        "Spell out when, where and the very first action.",
    ),
    Barrier(
        "not_valued",
        BarrierGroup.TASK,
        "not tied to values or goals",
        "Link the task to a value the client named.",
    ),
    Barrier(
        "not_meaningful",
        BarrierGroup.TASK,
        "boring or not meaningful",
        "Choose a version the client finds worth doing.",
    ),
    Barrier(
        "rationale_unclear",
        BarrierGroup.TASK,
        "rationale not understood",
        "Explain again why this helps, in the client's words.",
    ),
    Barrier(
        "forgot",
        BarrierGroup.PATIENT,
        "forgot",
        "Attach a reminder: phone alarm, sticky note, an existing habit.",
    ),
    Barrier(
        "avoidance",
        BarrierGroup.PATIENT,
        "avoidance or symptoms flared",
        "Make the step smaller and plan for the hard moment.",
    ),
    Barrier(
        "limiting_belief",
        BarrierGroup.PATIENT,
        "a limiting belief",
        "Examine the belief with a thought record first.",
    ),
    Barrier(
        "low_confidence",
        BarrierGroup.PATIENT,
        "low confidence or fear of failure",
        "Shrink it until confidence is 9 or more.",
    ),
    Barrier(
        "not_scheduled",
        BarrierGroup.ENVIRONMENT,
        "not scheduled",
        "Pick a day, a time and a reminder together.",
    ),
    Barrier(
        "no_time",
        BarrierGroup.ENVIRONMENT,
        "no time or too busy",
        "Shorten it and fit it to a slot that exists.",
    ),
    Barrier(
        "no_support",
        BarrierGroup.ENVIRONMENT,
        "no support",
        "Name a support person and what they will do.",
    ),
    Barrier(
        "no_situation",
        BarrierGroup.ENVIRONMENT,
        "the situation did not arise",
        "Plan a way to create the situation, or pick another.",
    ),
    Barrier(
        "life_event",
        BarrierGroup.ENVIRONMENT,
        "a life event or crisis",
        "Pause or simplify until things settle; review safety.",
    ),
    Barrier(
        "not_agreed",
        BarrierGroup.THERAPIST,
        "not agreed together",
        "Decide the next task with the client, not for them.",
    ),
    Barrier(
        "not_reviewed",
        BarrierGroup.THERAPIST,
        "not reviewed last time",
        "Review every task at every session.",
    ),
    Barrier(
        "poor_fit",
        BarrierGroup.THERAPIST,
        "poor fit with the client's skills",
        "Teach the skill in session, or choose a task that fits.",
    ),
)
BARRIERS_BY_CODE = {b.code: b for b in BARRIERS}


# The five specifics that predict follow-through: assignment field -> how a clinician says it.
SPECIFICS = {
    "what": "what",
    "when": "when",
    "where": "where",
    "how_often": "how often",
    "how_long": "how long",
}
# What the clinician did to make the homework likely to happen: field -> label.
CHECKLIST = {
    "rationale_given": "rationale given",
    "decided_together": "decided together",
    "started_in_session": "started in session",
    "reminder_set": "reminder set",
}


@dataclass(frozen=True, slots=True)
class HomeworkKind:
    code: str
    name: str
    tags: tuple[str, ...]
    instructions: str
    rationale_prompt: str
    frequency: str

    @property
    def smaller(self) -> str:
        """A first step of this kind, for a client not yet sure they can do the whole
        task ("" where no one version fits, e.g. a custom task)."""
        return SMALLER_VERSIONS.get(self.code, "")


HOMEWORK_KINDS: tuple[HomeworkKind, ...] = (
    HomeworkKind(
        "thought_record",
        "Thought record (ABC)",
        ("CBT",),
        "When a strong feeling shows up, write the situation (A), the thoughts "
        "that came (B) and what you felt and did (C).",
        "How might catching the thought in the moment change what happens next?",
        "when it happens, up to once a day",
    ),
    HomeworkKind(
        "mood_diary",
        "Mood or behaviour diary",
        ("CBT", "DBT"),
        "Rate your mood 0-10 and note what you were doing, at the same time each day.",
        "What pattern do we hope the diary will show us?",
        "daily",
    ),
    HomeworkKind(
        "activity_scheduling",
        "Activity scheduling",
        ("CBT", "BA"),
        "Plan one activity that gives pleasure or a sense of mastery, "
        "then rate both after doing it.",
        "Which activities used to lift your mood?",
        "2-3 times a week",
    ),
    HomeworkKind(
        "exposure_step",
        "Graded exposure step",
        ("CBT", "ERP"),
        "Do the agreed step on your ladder and rate distress (SUDS 0-100) "
        "before, at the peak and after.",
        "What do you expect to happen, and what would it mean if it didn't?",
        "3 times a week",
    ),
    HomeworkKind(
        "mindfulness",
        "Mindfulness practice",
        ("DBT", "ACT", "MBCT"),
        "Practise for a few minutes: breath, five senses, a mindful walk or meal. "
        "Notice, without judging, when the mind wanders.",
        "When during the week would being present help most?",
        "daily",
    ),
    HomeworkKind(
        "journaling",
        "Journaling prompt",
        ("CBT", "ACT"),
        "Write freely for ten minutes on the agreed prompt.",
        "What do you want to understand better about this?",
        "2-3 times a week",
    ),
    HomeworkKind(
        "letter",
        "Letter to past or future self",
        ("CFT", "narrative"),
        "Write a letter to yourself at another age. You do not have to send it.",
        "What would you want that version of you to know?",
        "once",
    ),
    HomeworkKind(
        "creative",
        "Vision board or creative expression",
        ("ACT", "art"),
        "Make something (a collage, a drawing, a playlist) that shows where you want to head.",
        "What would you like to see each morning?",
        "once",
    ),
    HomeworkKind(
        "role_play",
        "Role-play rehearsal",
        ("CBT", "DBT", "IPT"),
        "Rehearse the conversation out loud, using the script from session.",
        "What would saying it well make possible?",
        "3 times before the real one",
    ),
    HomeworkKind(
        "coping_card",
        "Coping card",
        ("CBT", "DBT"),
        "Carry the card and read it when the trigger comes up.",
        "What do you most need to remember in that moment?",
        "when triggered",
    ),
    HomeworkKind(
        "daily_intention",
        "Daily intention or reminder",
        ("ACT", "SFBT"),
        "Each morning, set one intention and check it at night.",
        "What small thing would make today go better?",
        "daily",
    ),
    HomeworkKind(
        "self_care",
        "Self-care routine",
        ("CBT", "DBT"),
        "Do the agreed routine (sleep, food, movement) at the agreed time.",
        "What does looking after yourself protect?",
        "daily",
    ),
    HomeworkKind(
        "sfbt_goals",
        "Three goals for the month",
        ("SFBT",),
        "Write three goals for this month and one first step for each.",
        "How will you know things are getting better?",
        "once, reviewed weekly",
    ),
    HomeworkKind(
        "scaling",
        "Scaling question",
        ("SFBT",),
        "Each evening, rate where you are 0-10 and note what put you there rather than lower.",
        "What would one point higher look like?",
        "daily",
    ),
    HomeworkKind(
        "exceptions",
        "Exception finding",
        ("SFBT",),
        "Notice times the problem was absent or smaller, and what was different.",
        "What are you already doing that works?",
        "whenever you notice one",
    ),
    HomeworkKind(
        "relaxation",
        "Relaxation (PMR or imagery)",
        ("CBT",),
        "Follow the progressive muscle relaxation or guided imagery recording.",
        "When does your body most need to settle?",
        "daily",
    ),
    HomeworkKind(
        "reading",
        "Reading or psychoeducation",
        ("CBT", "IPT"),
        "Read the agreed chapter or handout and mark one thing that fits you.",
        "What would you like to learn about how this works?",
        "once",
    ),
    HomeworkKind(
        "support_conversation",
        "Support conversation",
        ("IPT", "CBT"),
        "Talk with the named person about the agreed topic.",
        "Who in your life could help with this, and how?",
        "once",
    ),
    HomeworkKind(
        "custom", "Custom", (), "", "Why does this task matter to the client?", "as agreed"
    ),
)
# Each kind's smaller version (F3 "make smaller"): the part of it that can be done in a
# few minutes and still counts, in the app's own words.
SMALLER_VERSIONS: dict[str, str] = {
    "thought_record": "Write down just the situation and the first thought, once.",
    "mood_diary": "Rate the mood once a day, at one set time; no notes needed.",
    "activity_scheduling": "Pick one small pleasant activity and put it in the diary.",
    "exposure_step": "Go one rung lower on the ladder, or do the same step for less time.",
    "mindfulness": "Three slow breaths, once a day, at one set moment.",
    "journaling": "Write one sentence in answer to the prompt.",
    "letter": "Write only the opening line of the letter.",
    "creative": "Collect one image or object for it; no making yet.",
    "role_play": "Say the first sentence out loud once, alone.",
    "coping_card": "Write one card and keep it where it will be seen.",
    "daily_intention": "Read the intention once each morning; nothing more.",
    "self_care": "Choose one part of the routine and do only that.",
    "sfbt_goals": "Name one goal for the month and its very first step.",
    "scaling": "Give the number once a day; the why can wait.",
    "exceptions": "Notice one moment when things were a little better.",
    "relaxation": "Relax one muscle group, or practise for two minutes.",
    "reading": "Read the first page only.",
    "support_conversation": "Send one message to the person to find a time to talk.",
}

KINDS_BY_CODE = {k.code: k for k in HOMEWORK_KINDS}
CUSTOM_KIND = "custom"


def kinds_matching(needle: str) -> list[HomeworkKind]:
    """The kinds whose name or modality tags hold every word of *needle*, in library
    order; "Custom" is always offered, last, so a clinician is never stuck."""
    words = needle.casefold().split()
    found = [
        kind
        for kind in HOMEWORK_KINDS
        if kind.code != CUSTOM_KIND
        and all(word in f"{kind.name} {' '.join(kind.tags)}".casefold() for word in words)
    ]
    return [*found, KINDS_BY_CODE[CUSTOM_KIND]]


@dataclass(frozen=True, slots=True)
class ChangeRule:
    """How much a total must move to be a reliable change (Jacobson & Truax, 1991: a
    change larger than measurement error), and the cutoff between the clinical and the
    non-clinical range for clinically significant change. *source* names the figures."""

    reliable: int
    cutoff: int | None
    higher_is_better: bool
    source: str


@dataclass(frozen=True, slots=True)
class Instrument:
    code: str
    name: str
    items: int
    item_min: int
    item_max: int
    # (lower bound of the band, label), ascending.
    bands: tuple[tuple[int, str], ...] = ()
    # None: not an outcome measure (SUDS per exposure step, SRS the alliance, scaling).
    change: ChangeRule | None = None

    @property
    def total_max(self) -> int:
        return self.items * self.item_max

    def item_problem(self, items: list[int]) -> str | None:
        """What is wrong with *items* as answers to this instrument, in words; or None."""
        if len(items) != self.items:
            return f"{self.name} needs {self.items} item(s), got {len(items)}"
        for number, item in enumerate(items, start=1):
            if not self.item_min <= item <= self.item_max:
                where = f"item {number}" if self.items > 1 else "score"
                return f"{self.name} {where} must be {self.item_min}-{self.item_max} (got {item})"
        return None

    def band(self, total: int) -> str | None:
        label = None
        for lower, name in self.bands:
            if total >= lower:
                label = name
        return label


# Licensed instruments (ORS, SRS) store only what the clinician enters, never wording.
INSTRUMENTS: tuple[Instrument, ...] = (
    Instrument("scaling", "Scaling question", 1, 0, 10),
    Instrument("suds", "SUDS", 1, 0, 100),
    Instrument(
        "ors",
        "ORS",
        4,
        0,
        10,
        ((0, "clinical range"), (25, "non-clinical range")),
        ChangeRule(
            5,
            25,
            True,
            "ORS: reliable change 5 points, clinical cutoff 25 for adults "
            "(Miller, Duncan, Brown, Sparks & Claud, 2003; Duncan, 2012)",
        ),
    ),
    Instrument("srs", "SRS", 4, 0, 10, ((0, "alliance needs attention"), (36, "good alliance"))),
    Instrument(
        "phq9",
        "PHQ-9",
        9,
        0,
        3,
        ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "moderately severe"), (20, "severe")),
        ChangeRule(
            6,
            10,
            False,
            "PHQ-9: reliable change 6 points, caseness 10 or more (Kroenke, Spitzer & "
            "Williams, 2001; NHS Talking Therapies manual)",
        ),
    ),
    Instrument(
        "gad7",
        "GAD-7",
        7,
        0,
        3,
        ((0, "minimal"), (5, "mild"), (10, "moderate"), (15, "severe")),
        ChangeRule(
            4,
            8,
            False,
            "GAD-7: reliable change 4 points, caseness 8 or more (Spitzer, Kroenke, "
            "Williams & Löwe, 2006; NHS Talking Therapies manual)",
        ),
    ),
)
INSTRUMENTS_BY_CODE = {i.code: i for i in INSTRUMENTS}


class ReviewStep(StrEnum):
    """The guided review, in order. Drafts store the step and skip reasons by these codes."""

    OUTCOMES = "outcomes"
    WIN = "win"
    WORKED = "worked"
    BARRIERS = "barriers"
    GOAL = "goal"
    SUMMARY = "summary"


class Modality(StrEnum):
    """How a session was held, printed with the signature (stored on `review.modality`)."""

    IN_PERSON = "in_person"
    VIDEO = "video"
    PHONE = "phone"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


# How well a task went, beside how much of it was done: quality and difficulty on the
# app's own 0-4 scales, with its own words (the Homework Rating Scale II is copyrighted:
# none of its items are used). Quality and what was learned relate to outcome more than
# completion counts (Kazantzis, Whittington & Dattilio, 2010). One key each, on steps 3
# and 4 of the review.
QUALITY = ("not at all well", "a little well", "moderately well", "very well", "extremely well")
DIFFICULTY = ("very easy", "easy", "moderate", "hard", "very hard")
SCALE_TOP = 4


class RiskAnswer(StrEnum):
    """The client's answer on one part of a risk check (ideation, plan, intent, means)."""

    YES = "yes"
    NO = "no"
    DECLINED = "declined"  # asked, not answered: recorded as such, never read as "no"


class RiskLevel(StrEnum):
    """The clinician's judgement of current risk, as they record it."""

    LOW = "low"
    MODERATE = "moderate"
    HIGH = "high"


class SafetyPlan(StrEnum):
    """What happened to the client's safety plan this session (Stanley & Brown, 2012)."""

    REVIEWED = "reviewed"
    UPDATED = "updated"
    MADE = "made"
    DECLINED = "declined"  # offered, and the client declined: recorded as such


# What a risk check documents, after the elements auditors and the Joint Commission's
# NPSG 15.01.01 look for: what was asked, ideation / plan / intent / access to means,
# the clinician's risk level, the safety plan, and the follow-up agreed.
RISK_QUESTIONS = {
    "ideation": "thoughts of suicide or self-harm",
    "plan": "a plan",
    "intent": "intent to act",
    "means": "access to means",
}
# A risk check is due when PHQ-9 item 9 was above 0 in this many of the client's latest
# PHQ-9s (this session's included).
RISK_LOOKBACK = 3


def rated(scale: tuple[str, ...], value: int | None) -> str:
    """A 0-4 rating in words with its number, e.g. "very well (3/4)"; "" when unrated."""
    if value is None or not 0 <= value < len(scale):
        return ""
    return f"{scale[value]} ({value}/{len(scale) - 1})"


def times_against_plan(done: int | None, planned: int | None) -> str:
    """How often against plan, e.g. "3 of 7 times"; "" when not recorded."""
    if done is None:
        return ""
    if planned is None:
        return f"{done} time{'s' if done != 1 else ''}"
    return f"{done} of {planned} times"
