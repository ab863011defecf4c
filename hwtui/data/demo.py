"""Demo data: a made-up but believable caseload with months or years of reviewed homework.

`generate` fills a migrated database with pseudonymous clients, their values, homework
of every kind, weekly reviews with an outcome for each active task, smaller goals that
replace missed tasks, and session measures (ORS, SRS, PHQ-9, GAD-7, scaling, SUDS).
The words (names, values, homework, wins, what is said in a review) are package data in
`hwtui/data/corpora/`, read by `demo_words`; this module plays the histories forward.
It is used for demos, screenshots, app tests and benchmarks, so it is:

- deterministic: the same arguments give the same rows. All randomness comes from
  `random.Random` instances seeded from `seed`, and every timestamp is derived from
  `today` and the session week, never from the clock. (The clinician rows and the one
  audit event are written by the ordinary services and carry the real time.)
- fast: rows are built as plain dicts with ids assigned here, then written by
  `bulk_write` (SQLAlchemy Core, as the import writes) in one transaction per batch of
  clients. The ORM is never used per row.

Ids are taken from max(id) at the start of each batch, so generation must not run
while others write to the same database. On PostgreSQL the id sequences are moved past
the inserted ids after every batch, so ordinary inserts keep working afterwards.
"""

from __future__ import annotations

import math
import random
import time as clock
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Table, func, select

from hwtui.data import bulk_write, catalog
from hwtui.data.catalog import AssignmentStatus, Outcome, ReviewStatus, ReviewStep, WinKind
from hwtui.data.db import Database
from hwtui.data.demo_words import KindText, words
from hwtui.data.models import Client
from hwtui.data.services import audit
from hwtui.data.services.identity import Actor, ensure_clinician

Row = dict[str, Any]

# Clients per transaction: large enough that commits are rare, small enough that a
# batch of 260-week histories (~30k outcomes) stays a few tens of MB.
CLIENTS_PER_BATCH = 25
COLLEAGUE_PREFIX = "demo_colleague_"

# Tables in foreign-key order: each only points at tables earlier in the list.
_TABLES = ("client", "client_value", "review", "assignment", "task_outcome", "measure")


@dataclass(frozen=True, slots=True)
class DemoStats:
    clients: int
    assignments: int
    reviews: int
    outcomes: int
    measures: int
    seconds: float


# --- What the simulation draws -----------------------------------------------------------
# The words (names, values, homework, wins, what is said in a review) are package data in
# hwtui/data/corpora/, read by `demo_words.words()`; the codes and weights stay here.

_WIN_KINDS = tuple(WinKind)

# Barriers clients keep running into, weighted: patient and environment ones dominate.
_COMMON_BARRIERS = (
    "forgot", "forgot", "no_time", "no_time", "avoidance", "avoidance", "too_big",
    "low_confidence", "limiting_belief", "unclear_start", "not_scheduled", "no_support",
    "not_meaningful", "life_event", "rationale_unclear", "not_valued", "poor_fit",
)  # fmt: skip

# Completed reviews end on the summary step; skipped steps carry the reason, as in the app.
_LAST_STEP = ReviewStep.SUMMARY.value
_SKIP_NOTHING_MISSED = {
    ReviewStep.BARRIERS.value: "Every task was done",
    ReviewStep.GOAL.value: "No missed task to build on",
}
_SKIP_NOTHING_DONE = {ReviewStep.WORKED.value: "Nothing was done this week"}
_SKIP_NOTHING_TO_DISCUSS = {
    ReviewStep.WORKED.value: "No task came up this week",
    ReviewStep.BARRIERS.value: "No task came up this week",
    ReviewStep.GOAL.value: "Keeping the same tasks",
}
_SKIP_WIN = {ReviewStep.WIN.value: "A hard week; the session went on what happened"}
_NO_SKIPS: dict[str, str] = {}


# --- Per-client state ----------------------------------------------------------------------


@dataclass(slots=True)
class _Task:
    """One assignment while the client's history is played forward."""

    row: Row
    kind: KindText
    scheduled: bool
    boost: float  # added to the client's chance of doing it
    usual_factors: list[str]
    reviews: int = 0
    done: int = 0
    misses_in_a_row: int = 0
    exposures: int = 0


@dataclass(slots=True)
class _Profile:
    """What makes one client's history their own."""

    adherence: float  # chance an average task is done, early in therapy
    gain: float  # how much that chance rises as therapy goes on
    favourite_barriers: tuple[str, ...]
    kinds: tuple[KindText, ...]
    target_active: int
    value_ids: list[int]
    slot: time  # the usual session time
    recovery: float  # share of the possible improvement made (negative: getting worse)
    pace_weeks: float  # how quickly that improvement comes
    ors_start: float
    srs_base: float
    phq_start: float | None
    gad_start: float | None
    scaling: bool
    check_phase: int  # which session in every four has the questionnaires
    self_harm_items: int  # how many early PHQ-9s still have item 9 above zero
    win_kinds: tuple[WinKind, ...]


@dataclass(slots=True)
class _Ids:
    """The next free primary key per table, read at the start of each batch."""

    next: dict[str, int]

    @classmethod
    def read(cls, conn: Connection) -> _Ids:
        start = {}
        for name in _TABLES:
            last = conn.execute(select(func.max(_table(name).c.id))).scalar()
            start[name] = (last or 0) + 1
        return cls(start)

    def take(self, name: str) -> int:
        value = self.next[name]
        self.next[name] = value + 1
        return value


@dataclass(slots=True)
class _Rows:
    """The rows of one batch, per table, in insertion order."""

    by_table: dict[str, list[Row]] = field(default_factory=lambda: {t: [] for t in _TABLES})

    def count(self, name: str) -> int:
        return len(self.by_table[name])


def _table(name: str) -> Table:
    # Client.metadata is the metadata of every model; importing models fills it.
    return Client.metadata.tables[name]


# --- The public entry point ----------------------------------------------------------------


def generate(
    db: Database,
    *,
    clinician: str,
    clients: int = 40,
    weeks: int = 26,
    seed: int = 7,
    today: date,
    other_clinicians: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> DemoStats:
    """Write a demo caseload for *clinician*, and one each for *other_clinicians* colleagues.

    Every caseload has *clients* clients with up to *weeks* weeks of weekly reviews
    ending near *today*. `progress(done, total)` is told how many clients are written.
    Same arguments, same rows.
    """
    if clients < 0 or weeks < 1 or other_clinicians < 0:
        raise ValueError("clients and other_clinicians must be >= 0, and weeks >= 1")
    started = clock.perf_counter()
    with db.write() as session:
        me = ensure_clinician(session, clinician)
        colleagues = [
            ensure_clinician(session, f"{COLLEAGUE_PREFIX}{k}")
            for k in range(1, other_clinicians + 1)
        ]
    # One independent stream per clinician, so adding colleagues never changes the
    # main clinician's data.
    streams = [(me, random.Random(seed))] + [
        (actor, random.Random(f"hwtui-demo:{seed}:{actor.username}")) for actor in colleagues
    ]
    total = clients * len(streams)
    written = 0
    counts = dict.fromkeys(_TABLES, 0)
    if progress:
        progress(0, total)
    for actor, rng in streams:
        codes = _free_codes(db, actor, clients)
        for first in range(0, clients, CLIENTS_PER_BATCH):
            indexes = range(first, min(first + CLIENTS_PER_BATCH, clients))
            rows = _write_batch(db, rng, actor, indexes, codes, weeks, today)
            for name in _TABLES:
                counts[name] += rows.count(name)
            written += len(indexes)
            if progress:
                progress(written, total)
    with db.write() as session:
        audit.record(
            session, me, "generate", "demo", None, detail=f"{clients} clients x {weeks} weeks"
        )
    return DemoStats(
        clients=counts["client"],
        assignments=counts["assignment"],
        reviews=counts["review"],
        outcomes=counts["task_outcome"],
        measures=counts["measure"],
        seconds=clock.perf_counter() - started,
    )


def _free_codes(db: Database, actor: Actor, clients: int) -> list[str]:
    """*clients* codes C0001, C0002, ... that this clinician does not use yet."""
    client = _table("client")
    with db.read() as session:
        taken = set(
            session.execute(
                select(client.c.code).where(client.c.clinician_id == actor.clinician_id)
            ).scalars()
        )
    codes: list[str] = []
    number = 0
    while len(codes) < clients:
        number += 1
        code = f"C{number:04d}"
        if code not in taken:
            codes.append(code)
    return codes


def _write_batch(
    db: Database,
    rng: random.Random,
    actor: Actor,
    indexes: range,
    codes: Sequence[str],
    weeks: int,
    today: date,
) -> _Rows:
    """Simulate and insert some clients in one transaction; return what was written."""
    with db.write() as session:
        conn = session.connection()
        ids = _Ids.read(conn)
        rows = _Rows()
        for index in indexes:
            _simulate_client(rng, ids, rows, actor.clinician_id, index, codes[index], weeks, today)
        for name in _TABLES:
            bulk_write.insert_rows(conn, name, rows.by_table[name])
        if conn.dialect.name == "postgresql":
            bulk_write.advance_sequences(conn, _TABLES)
    return rows


# --- One client's story --------------------------------------------------------------------


def _simulate_client(
    rng: random.Random,
    ids: _Ids,
    rows: _Rows,
    clinician_id: int,
    index: int,
    code: str,
    weeks: int,
    today: date,
) -> None:
    """Play one client's therapy forward week by week, appending rows to *rows*."""
    new_client = index % 20 == 5  # two in forty: referred this week, nothing reviewed yet
    sessions = [] if new_client else _session_dates(rng, index, weeks, today)
    if sessions:
        intake = sessions[0] - timedelta(days=7)
    else:
        intake = today - timedelta(days=rng.randint(0, 4))

    client_id = ids.take("client")
    profile = _draw_profile(rng, ids, rows, client_id, index)
    joined = datetime.combine(intake, profile.slot)
    rows.by_table["client"].append(
        {
            "id": client_id,
            "clinician_id": clinician_id,
            "code": code,
            "display_name": f"{rng.choice(words().first_names)} {rng.choice(words().initials)}.",
            "review_interval_days": 7,
            "archived_at": None,
            "created_at": joined,
            "updated_at": joined,
        }
    )

    active: list[_Task] = []
    for _ in range(1 if new_client else rng.randint(1, profile.target_active)):
        active.append(_new_task(rng, ids, rows, profile, client_id, active, joined, None))
    for number, day in enumerate(sessions):
        active = _review(
            rng, ids, rows, profile, clinician_id, client_id, active, number, day, intake
        )


def _session_dates(rng: random.Random, index: int, weeks: int, today: date) -> list[date]:
    """Weekly session days, oldest first, the last of them within the past four weeks."""
    if index % 5 == 1:
        lag = 7  # always some clients due today
    else:
        roll = rng.random()
        if roll < 0.55:
            lag = rng.randint(0, 6)  # seen this week
        elif roll < 0.75:
            lag = 7  # due today
        elif roll < 0.95:
            lag = rng.randint(8, 13)  # overdue
        else:
            lag = rng.randint(14, 27)  # lost touch for a while
    # Most clients have been coming for the whole period; the rest started later.
    history = weeks if rng.random() < 0.75 else rng.randint(1, weeks)
    last = today - timedelta(days=lag)
    days = []
    for back in range(history):
        # Holidays and cancellations: about one week in seventeen has no session.
        if back and rng.random() < 0.06:
            continue
        days.append(last - timedelta(weeks=back))
    days.reverse()
    return days


def _draw_profile(
    rng: random.Random, ids: _Ids, rows: _Rows, client_id: int, index: int
) -> _Profile:
    """Pick the client's values (written as rows) and the traits that shape their history."""
    value_ids = []
    for position, value in enumerate(rng.sample(words().values, rng.randint(2, 4))):
        value_id = ids.take("client_value")
        value_ids.append(value_id)
        rows.by_table["client_value"].append(
            {
                "id": value_id,
                "client_id": client_id,
                "text": value,
                "position": position,
                "archived_at": None,
            }
        )
    favourites = tuple(dict.fromkeys(rng.sample(_COMMON_BARRIERS, rng.randint(1, 2))))
    ors_start = rng.uniform(12, 26)
    distress = (26 - ors_start) / 14  # 0 (coping fairly well) .. 1 (struggling most)
    self_harm = index % 250 == 3  # a very small, fixed set of clients
    return _Profile(
        adherence=rng.uniform(0.3, 0.65),
        gain=rng.uniform(0.0, 0.2),
        favourite_barriers=favourites,
        kinds=tuple(rng.sample(words().kinds, rng.randint(4, 7))),
        target_active=rng.choices((1, 2, 3, 4), weights=(5, 25, 40, 30))[0],
        value_ids=value_ids,
        slot=time(rng.randint(8, 17), rng.choice((0, 15, 30, 45)), tzinfo=UTC),
        recovery=rng.uniform(0.35, 1.0) if rng.random() < 0.85 else rng.uniform(-0.2, 0.2),
        pace_weeks=rng.uniform(8, 30),
        ors_start=ors_start,
        srs_base=rng.uniform(32, 39),
        phq_start=6 + 14 * distress if self_harm or rng.random() < 0.4 else None,
        gad_start=5 + 12 * distress if rng.random() < 0.35 else None,
        scaling=rng.random() < 0.3,
        check_phase=rng.randrange(4),
        self_harm_items=2 if self_harm else 0,
        win_kinds=tuple(rng.choices(_WIN_KINDS, k=3)),
    )


def _new_task(
    rng: random.Random,
    ids: _Ids,
    rows: _Rows,
    profile: _Profile,
    client_id: int,
    active: Sequence[_Task],
    stamp: datetime,
    review_id: int | None,
) -> _Task:
    """A fresh assignment, of a kind the client likes and is not already doing."""
    busy = [t.kind.code for t in active]
    kind = rng.choice([k for k in profile.kinds if k.code not in busy] or words().kinds)
    title, what = rng.choice(kind.tasks)
    # About half get a concrete time written down; that is what predicts follow-through.
    scheduled = rng.random() < 0.55
    reminder = rng.random() < (0.7 if scheduled else 0.25)
    together = rng.random() < 0.9
    confidence = rng.randint(7, 10)
    if scheduled or rng.random() < 0.5:
        how_often = catalog.KINDS_BY_CODE[kind.code].frequency
    else:
        how_often = rng.choice(words().vague_how_often)
    row = _assignment_row(
        ids.take("assignment"),
        client_id,
        kind,
        title=title,
        what=what,
        when=rng.choice(kind.whens) if scheduled else "",
        where=rng.choice(kind.wheres) if scheduled or rng.random() < 0.4 else "",
        how_often=how_often,
        how_long=rng.choice(kind.how_longs),
        value_id=rng.choice(profile.value_ids) if rng.random() < 0.8 else None,
        obstacles=list(profile.favourite_barriers[:1]) if rng.random() < 0.3 else [],
        confidence=confidence,
        rationale_given=rng.random() < 0.85,
        decided_together=together,
        started_in_session=rng.random() < 0.4,
        reminder_set=reminder,
        rationale=rng.choice(kind.rationales),
        review_id=review_id,
        stamp=stamp,
    )
    rows.by_table["assignment"].append(row)
    boost = (0.15 if scheduled else -0.2) + (0.05 if reminder else 0.0)
    boost += (0.0 if together else -0.1) + (confidence - 8) * 0.03
    return _Task(row, kind, scheduled, boost, _usual_factors(rng, scheduled, row["value_id"]))


def _smaller_task(
    rng: random.Random,
    ids: _Ids,
    rows: _Rows,
    profile: _Profile,
    parent: _Task,
    barriers: list[str],
    stamp: datetime,
    review_id: int,
) -> _Task:
    """The graded-down goal agreed when *parent* was missed; it answers the main barrier."""
    old = parent.row
    kind = parent.kind
    title, what, how_often, how_long = kind.smaller
    when = old["when"]
    if barriers[0] == "forgot":
        when = rng.choice(words().habit_whens)  # tie it to something that happens anyway
    elif not when or barriers[0] in ("not_scheduled", "unclear_start"):
        when = rng.choice(kind.whens)
    value_id = old["value_id"]
    if value_id is None and (barriers[0] == "not_valued" or rng.random() < 0.5):
        value_id = rng.choice(profile.value_ids)
    row = _assignment_row(
        ids.take("assignment"),
        old["client_id"],
        kind,
        title=title,
        what=what,
        when=when,
        where=old["where"] or rng.choice(kind.wheres),
        how_often=how_often,
        how_long=how_long,
        value_id=value_id,
        obstacles=barriers,
        confidence=rng.randint(9, 10),
        rationale_given=True,
        decided_together=True,
        started_in_session=rng.random() < 0.6,
        reminder_set=True,
        rationale=old["rationale"],
        review_id=review_id,
        stamp=stamp,
    )
    row["parent_id"] = old["id"]
    rows.by_table["assignment"].append(row)
    _close(old, AssignmentStatus.REPLACED, words().replaced_reason, stamp)
    return _Task(row, kind, True, 0.3, _usual_factors(rng, True, value_id))


def _assignment_row(
    assignment_id: int,
    client_id: int,
    kind: KindText,
    *,
    title: str,
    what: str,
    when: str,
    where: str,
    how_often: str,
    how_long: str,
    value_id: int | None,
    obstacles: list[str],
    confidence: int,
    rationale_given: bool,
    decided_together: bool,
    started_in_session: bool,
    reminder_set: bool,
    rationale: str,
    review_id: int | None,
    stamp: datetime,
) -> Row:
    return {
        "id": assignment_id,
        "client_id": client_id,
        "title": title,
        "kind": kind.code,
        "instructions": catalog.KINDS_BY_CODE[kind.code].instructions,
        "rationale": rationale,
        "what": what,
        "when": when,
        "where": where,
        "how_often": how_often,
        "how_long": how_long,
        "value_id": value_id,
        "obstacles": obstacles,
        "confidence": confidence,
        # One-off tasks are due by the next session; practice goes on without a date.
        "due_date": stamp.date() + timedelta(days=7) if kind.one_off else None,
        "rationale_given": rationale_given,
        "decided_together": decided_together,
        "started_in_session": started_in_session,
        "reminder_set": reminder_set,
        "status": AssignmentStatus.ACTIVE.value,
        "status_reason": "",
        "parent_id": None,
        "created_in_review_id": review_id,
        "created_at": stamp,
        "updated_at": stamp,
    }


def _usual_factors(rng: random.Random, scheduled: bool, value_id: int | None) -> list[str]:
    """What tends to help this task get done; the same week after week."""
    factors = ["scheduled"] if scheduled else []
    if value_id is not None and rng.random() < 0.5:
        factors.append("values")
    if rng.random() < 0.5:
        factors.append(rng.choice(("motivation", "thinking", "feeling", "told_others")))
    return factors


def _close(row: Row, status: AssignmentStatus, reason: str, stamp: datetime) -> None:
    row["status"] = status.value
    row["status_reason"] = reason
    row["updated_at"] = stamp


# --- One review ----------------------------------------------------------------------------


def _review(
    rng: random.Random,
    ids: _Ids,
    rows: _Rows,
    profile: _Profile,
    clinician_id: int,
    client_id: int,
    active: list[_Task],
    number: int,
    day: date,
    intake: date,
) -> list[_Task]:
    """Write one completed review with an outcome for every active task.

    Returns the tasks active after it: the same ones, minus those completed, retired or
    replaced, plus smaller goals and new tasks agreed in the session.
    """
    review_id = ids.take("review")
    started = datetime.combine(day, profile.slot)
    finished = started + timedelta(minutes=rng.randint(40, 55))
    progress = 1.0 - math.exp(-(day - intake).days / 7 / profile.pace_weeks)
    chance = profile.adherence + profile.gain * progress

    outcomes = [_draw_outcome(rng, task, chance) for task in active]
    done = [t for t, o in zip(active, outcomes, strict=True) if o is Outcome.DONE]
    missed = [t for t, o in zip(active, outcomes, strict=True) if o is Outcome.NOT_DONE]
    partly = [t for t, o in zip(active, outcomes, strict=True) if o is Outcome.PARTLY]
    # Part two talks through one done task, part three one missed (or half-done) task.
    talk_done = rng.choice(done) if done else None
    talk_missed = rng.choice(missed) if missed else (rng.choice(partly) if partly else None)

    win_text, win_kind, skipped = _win(rng, profile, bool(done), bool(missed or partly))
    rows.by_table["review"].append(
        {
            "id": review_id,
            "client_id": client_id,
            "clinician_id": clinician_id,
            "session_date": day,
            "status": ReviewStatus.COMPLETE.value,
            "win_text": win_text,
            "win_kind": win_kind,
            "step": _LAST_STEP,
            "skipped": skipped,
            "draft_goals": [],
            "risk": {},
            "started_at": started,
            "updated_at": finished,
            "completed_at": finished,
            "signed_at": None,
        }
    )

    after: list[_Task] = []
    outcome_rows = rows.by_table["task_outcome"]
    for task, outcome in zip(active, outcomes, strict=True):
        task.reviews += 1
        discussed = task is talk_done or task is talk_missed
        row = _outcome_row(rng, ids, review_id, profile, task, outcome, discussed)
        outcome_rows.append(row)
        if outcome is Outcome.DONE and task.kind.code == "exposure_step":
            task.exposures += 1
            suds = [_suds(rng, task)]
            _measure(ids, rows, client_id, review_id, "suds", suds, finished, words().suds_question)
        next_task = _after_outcome(
            rng, ids, rows, profile, task, outcome, row["barriers"], discussed, finished, review_id
        )
        if next_task is not None:
            after.append(next_task)

    # Never leave a client with nothing to work on; top up towards what they can carry.
    if not after or (len(after) < profile.target_active and rng.random() < 0.8):
        after.append(_new_task(rng, ids, rows, profile, client_id, after, finished, review_id))
    _session_measures(rng, ids, rows, profile, client_id, review_id, number, started, finished,
                      progress)  # fmt: skip
    return after


def _draw_outcome(rng: random.Random, task: _Task, chance: float) -> Outcome:
    if rng.random() < (0.12 if task.kind.situational else 0.03):
        return Outcome.NO_OPPORTUNITY
    p = chance + task.boost
    roll = rng.random()
    if roll < p:
        return Outcome.DONE
    if roll < p + (1.0 - p) * 0.35:
        return Outcome.PARTLY
    return Outcome.NOT_DONE


def _outcome_row(
    rng: random.Random,
    ids: _Ids,
    review_id: int,
    profile: _Profile,
    task: _Task,
    outcome: Outcome,
    discussed: bool,
) -> Row:
    """The outcome row; only the discussed tasks get the full conversation in notes."""
    factors: list[str] = []
    factor_notes: dict[str, str] = {}
    worked = double_down = barrier_notes = learned = ""
    barriers: list[str] = []
    if outcome is Outcome.DONE:
        factors = task.usual_factors
        if discussed:
            extra = rng.choice(catalog.FACTORS).code
            factors = factors if extra in factors else [*factors, extra]
            for code in factors[:2]:
                factor_notes[code] = rng.choice(words().factor_notes[code])
            worked = rng.choice(words().worked)
            double_down = rng.choice(words().double_down)
    elif outcome is Outcome.NO_OPPORTUNITY:
        if rng.random() < 0.6:
            barriers = ["no_situation"]
            barrier_notes = words().no_opportunity_note
    else:
        barriers = _barriers(rng, profile, task)
        if outcome is Outcome.PARTLY:
            factors = task.usual_factors[:1]
            barriers = barriers[:1]
        if discussed or rng.random() < 0.3:
            barrier_notes = rng.choice(words().barrier_notes[barriers[0]])
        if discussed:
            learned = words().learned[barriers[0]]
    return {
        **_how_it_went(review_id, task, outcome, discussed),
        "id": ids.take("task_outcome"),
        "review_id": review_id,
        "assignment_id": task.row["id"],
        "outcome": outcome.value,
        "discussed": discussed,
        "factors": factors,
        "factor_notes": factor_notes,
        "worked_notes": worked,
        "double_down": double_down,
        "barriers": barriers,
        "barrier_notes": barrier_notes,
        "learned": learned,
    }


def _how_it_went(review_id: int, task: _Task, outcome: Outcome, discussed: bool) -> Row:
    """Quality, difficulty and how often against plan, for the task talked through.

    Drawn from a generator of its own, seeded by the review and task, so that adding
    these leaves every other draw of a seeded demo (and the practices tests rely on)
    exactly as it was.
    """
    row: Row = {"quality": None, "difficulty": None, "times_done": None, "times_planned": None}
    if not discussed or outcome is Outcome.NO_OPPORTUNITY:
        return row
    side = random.Random(f"{review_id}:{task.row['id']}")
    top = catalog.SCALE_TOP
    if outcome is Outcome.DONE:
        row["quality"], row["difficulty"] = side.randint(2, top), side.randint(0, 2)
    else:
        row["quality"], row["difficulty"] = side.randint(0, 2), side.randint(2, top)
    planned = 7 if "day" in task.row.get("how_often", "") else side.randint(2, 4)
    share = {Outcome.DONE: 1.0, Outcome.PARTLY: 0.5}.get(outcome, 0.0)
    row["times_planned"] = planned
    row["times_done"] = round(planned * share) if share < 1 else planned
    return row


def _barriers(rng: random.Random, profile: _Profile, task: _Task) -> list[str]:
    """One or two codes: often the client's usual ones, or the missing schedule."""
    if not task.scheduled and rng.random() < 0.5:
        first = "not_scheduled"
    elif rng.random() < 0.6:
        first = rng.choice(profile.favourite_barriers)
    else:
        first = rng.choice(_COMMON_BARRIERS)
    if rng.random() < 0.3:
        second = rng.choice(profile.favourite_barriers if rng.random() < 0.5 else _COMMON_BARRIERS)
        if second != first:
            return [first, second]
    return [first]


def _after_outcome(
    rng: random.Random,
    ids: _Ids,
    rows: _Rows,
    profile: _Profile,
    task: _Task,
    outcome: Outcome,
    barriers: list[str],
    discussed: bool,
    stamp: datetime,
    review_id: int,
) -> _Task | None:
    """What becomes of *task* after this review: the task active in its place, or None."""
    if outcome is Outcome.DONE:
        task.done += 1
        task.misses_in_a_row = 0
        if task.kind.one_off:
            _close(task.row, AssignmentStatus.COMPLETED, "", stamp)
            return None
        if task.done >= 4 and rng.random() < 0.12:
            _close(task.row, AssignmentStatus.COMPLETED, words().habit_reason, stamp)
            return None
    elif outcome is not Outcome.NO_OPPORTUNITY:
        task.misses_in_a_row += 1
        # A missed task that was talked through becomes a smaller goal about half the time.
        if outcome is Outcome.NOT_DONE and discussed and rng.random() < 0.5:
            return _smaller_task(rng, ids, rows, profile, task, barriers, stamp, review_id)
        if task.misses_in_a_row >= 4:
            _close(task.row, AssignmentStatus.RETIRED, words().stuck_reason, stamp)
            return None
    if task.reviews > 8 and rng.random() < 0.015:
        _close(task.row, AssignmentStatus.RETIRED, rng.choice(words().retire_reasons), stamp)
        return None
    return task


def _win(
    rng: random.Random, profile: _Profile, any_done: bool, any_missed: bool
) -> tuple[str, str | None, dict[str, str]]:
    """The win in the client's words, its kind, and the review steps skipped with reasons."""
    if any_done and any_missed:
        skipped = _NO_SKIPS
    elif any_done:
        skipped = _SKIP_NOTHING_MISSED
    elif any_missed:
        skipped = _SKIP_NOTHING_DONE
    else:
        skipped = _SKIP_NOTHING_TO_DISCUSS
    if rng.random() < 0.02:
        return "", None, {**_SKIP_WIN, **skipped}
    kind = rng.choice(profile.win_kinds) if rng.random() < 0.6 else rng.choice(_WIN_KINDS)
    text = words().wins[kind]
    opener = rng.choice(text.openers)
    core = rng.choice(text.cores)
    return f"{opener} {core}.{rng.choice(text.tails)}", kind.value, skipped


# --- Measures ------------------------------------------------------------------------------


def _session_measures(
    rng: random.Random,
    ids: _Ids,
    rows: _Rows,
    profile: _Profile,
    client_id: int,
    review_id: int,
    number: int,
    started: datetime,
    finished: datetime,
    progress: float,
) -> None:
    """ORS at the start and SRS at the end of most sessions; questionnaires every 4th."""
    noise = rng.uniform(-3.0, 3.0)
    better = profile.recovery * progress
    if rng.random() < 0.9:
        total = profile.ors_start + better * (36 - profile.ors_start) + noise
        items = _spread(rng, total, 4, 10)
        _measure(ids, rows, client_id, review_id, "ors", items, started + timedelta(minutes=2))
    if rng.random() < 0.85:
        # The alliance is mostly good; now and then a session lands badly.
        total = profile.srs_base - (rng.uniform(4, 10) if rng.random() < 0.05 else 0.0)
        items = _spread(rng, total, 4, 10)
        _measure(ids, rows, client_id, review_id, "srs", items, finished - timedelta(minutes=3))
    if number % 4 == profile.check_phase:
        if profile.phq_start is not None:
            items = _spread(rng, profile.phq_start * (1 - 0.7 * better) + noise / 2, 9, 3)
            # Item 9 asks about self-harm: zero for all but a tiny, fixed set of clients.
            items[8] = 1 if profile.self_harm_items > 0 else 0
            profile.self_harm_items = max(0, profile.self_harm_items - 1)
            _measure(ids, rows, client_id, review_id, "phq9", items, started + timedelta(minutes=5))
        if profile.gad_start is not None:
            items = _spread(rng, profile.gad_start * (1 - 0.7 * better) + noise / 2, 7, 3)
            _measure(ids, rows, client_id, review_id, "gad7", items, started + timedelta(minutes=6))
    if profile.scaling and rng.random() < 0.35:
        score = min(10, max(0, round(3 + 5 * progress + rng.uniform(-1.5, 1.5))))
        taken = finished - timedelta(minutes=8)
        question = rng.choice(words().scaling_questions)
        _measure(ids, rows, client_id, review_id, "scaling", [score], taken, question)


def _spread(rng: random.Random, total: float, items: int, top: int) -> list[int]:
    """Item scores, each within 0..top, adding up to roughly *total*."""
    mean = total / items
    roll = rng.random
    return [min(top, max(0, round(mean + (roll() - 0.5) * 2.0))) for _ in range(items)]


def _suds(rng: random.Random, task: _Task) -> int:
    # Peak distress falls as the same step is repeated: that is exposure working.
    return min(100, max(5, 85 - 6 * task.exposures + rng.randint(-10, 10)))


def _measure(
    ids: _Ids,
    rows: _Rows,
    client_id: int,
    review_id: int,
    instrument: str,
    items: list[int],
    taken: datetime,
    question: str = "",
) -> None:
    rows.by_table["measure"].append(
        {
            "id": ids.take("measure"),
            "client_id": client_id,
            "review_id": review_id,
            "instrument": instrument,
            "items": items,
            "total": sum(items),
            "question": question,
            "taken_at": taken,
        }
    )
