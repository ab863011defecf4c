"""A client's progress over time: completion per review, measures, barriers, contrasts,
the wins bank, and risk alerts that wait for a clinician's acknowledgement."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import NamedTuple

from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from hwtui.data import metrics
from hwtui.data.errors import InvalidInput, NotFound
from hwtui.data.local_time import local_date
from hwtui.data.models import Assignment, Measure, Review, TaskOutcome, utcnow
from hwtui.data.services import audit
from hwtui.data.services.clients import get_client
from hwtui.data.services.identity import Actor
from hwtui.data.services.risk import MeasureRow
from hwtui.data.services.versions import NEWEST_FIRST, finished_where, newest_finished
from hwtui.data.text import clean_line

HISTORY = 260  # five years of weekly reviews
BARRIER_WINDOW = 12


@dataclass(frozen=True, slots=True)
class ReviewPoint:
    review_id: int
    day: date
    completion: metrics.Rate
    # How well the tasks rated at this review went, on average (0-4); None: none rated.
    quality: float | None = None


@dataclass(frozen=True, slots=True)
class MeasurePoint:
    day: date
    total: int


@dataclass(frozen=True, slots=True)
class Progress:
    points: list[ReviewPoint]  # oldest first
    rolling: list[float | None]  # aligned with points
    measures: dict[str, list[MeasurePoint]]  # by instrument code, oldest first
    barriers: list[tuple[str, int]]  # code, reviews it came up in (most first)
    barrier_reviews: int
    contrasts: list[metrics.Contrast]
    # Limiting beliefs in the client's words over the same recent reviews, oldest first.
    beliefs: list[tuple[date, str]] = field(default_factory=list)

    def with_review(self, review_id: int, day: date, rate: metrics.Rate) -> Progress:
        """These reviews and one more (the review being filled in), rolling mean redone."""
        points = [*self.points, ReviewPoint(review_id, day, rate)]
        rolled = metrics.rolling([p.completion for p in points])
        return replace(self, points=points, rolling=rolled)


def _finished(session: Session, client_id: int, limit: int | None = None) -> list[Review]:
    """The client's finished reviews, newest first, current versions only."""
    rows = session.exec(
        select(Review).where(*finished_where(client_id)).order_by(*NEWEST_FIRST).limit(limit)
    )
    return [r for r in rows if r.id is not None]


class _Outcome(NamedTuple):
    review_id: int
    assignment_id: int
    outcome: str
    barriers: list[str]
    factors: list[str]
    quality: int | None
    belief: str


class _Assignment(NamedTuple):
    when: str
    reminder_set: bool
    value_id: int | None


def _mean(values: list[int]) -> float | None:
    return sum(values) / len(values) if values else None


def client_progress(
    session: Session,
    me: Actor,
    client_id: int,
    *,
    history: int = HISTORY,
    measures: list[MeasureRow] | None = None,
) -> Progress:
    """Everything the progress charts draw. Audited as a view. *measures*: the client's
    `measure_rows`, if read already."""
    get_client(session, me, client_id)
    # Columns, not entities: years of rows to read while the clinician waits, and only a
    # few fields of each are drawn. One read for the reviews, their outcomes and the
    # outcomes' tasks (issue 19: each read is a round trip, and these were three).
    newest = newest_finished(client_id, history)
    rows = session.execute(
        sa_select(
            newest.c.rid,
            newest.c.day,
            col(TaskOutcome.assignment_id),
            col(TaskOutcome.outcome),
            col(TaskOutcome.barriers),
            col(TaskOutcome.factors),
            col(TaskOutcome.quality),
            col(TaskOutcome.belief),
            col(Assignment.id),
            col(Assignment.when),
            col(Assignment.reminder_set),
            col(Assignment.value_id),
        )
        .select_from(newest)
        .outerjoin(TaskOutcome, col(TaskOutcome.review_id) == newest.c.rid)
        .outerjoin(Assignment, col(Assignment.id) == col(TaskOutcome.assignment_id))
        .order_by(newest.c.day, newest.c.rid, col(TaskOutcome.id))
    )
    reviews: list[tuple[int, date]] = []  # oldest first
    by_review: dict[int, list[_Outcome]] = defaultdict(list)
    assignments: dict[int, _Assignment] = {}
    for rid, day, assignment_id, outcome, barriers, factors, quality, belief, *task in rows:
        if not reviews or reviews[-1][0] != rid:
            reviews.append((rid, day))
        if assignment_id is None:
            continue  # a review without outcomes
        row = _Outcome(rid, assignment_id, outcome, barriers, factors, quality, belief)
        by_review[rid].append(row)
        task_id, when, reminder_set, value_id = task
        if task_id is not None:
            assignments[task_id] = _Assignment(when, reminder_set, value_id)
    ids = [rid for rid, _day in reviews]
    points = [
        ReviewPoint(
            rid,
            day,
            metrics.completion(o.outcome for o in by_review[rid]),
            _mean([o.quality for o in by_review[rid] if o.quality is not None]),
        )
        for rid, day in reviews
    ]
    charted: dict[str, list[MeasurePoint]] = defaultdict(list)
    scores: Iterable[tuple[str, datetime, int]]
    if measures is None:
        scores = session.exec(
            select(Measure.instrument, Measure.taken_at, Measure.total)
            .where(Measure.client_id == client_id, col(Measure.review_id).in_(ids))
            .order_by(col(Measure.taken_at))
        )
    else:
        of_these = set(ids)
        scores = ((m.instrument, m.taken_at, m.total) for m in measures if m.review_id in of_these)
    for instrument, taken_at, total in scores:
        charted[instrument].append(MeasurePoint(local_date(taken_at), total))
    recent = ids[-BARRIER_WINDOW:]
    barriers = metrics.barrier_frequencies(
        [code for o in by_review[rid] for code in o.barriers] for rid in recent
    )
    told: set[int] = {
        o.assignment_id for rows in by_review.values() for o in rows if "told_others" in o.factors
    }
    scored = [o for rows in by_review.values() for o in rows]

    def pairs(test: object) -> list[tuple[str, bool]]:
        assert callable(test)
        return [(o.outcome, bool(test(o))) for o in scored if o.assignment_id in assignments]

    contrasts = [
        metrics.contrast(
            "with a set time or reminder",
            pairs(
                lambda o: (
                    assignments[o.assignment_id].when.strip()
                    or assignments[o.assignment_id].reminder_set
                )
            ),
        ),
        metrics.contrast("told others about it", pairs(lambda o: o.assignment_id in told)),
        metrics.contrast(
            "linked to a value", pairs(lambda o: assignments[o.assignment_id].value_id is not None)
        ),
    ]
    audit.record(session, me, "view", "progress", client_id, client_id=client_id)
    return Progress(
        points=points,
        rolling=metrics.rolling([p.completion for p in points]),
        measures=dict(charted),
        barriers=barriers,
        barrier_reviews=len(recent),
        contrasts=contrasts,
        beliefs=[
            (day, o.belief.strip())
            for rid, day in reviews
            if rid in recent
            for o in by_review[rid]
            if o.belief.strip()
        ],
    )


@dataclass(frozen=True, slots=True)
class Win:
    review_id: int
    day: date
    kind: str | None
    text: str


def wins_bank(session: Session, me: Actor, client_id: int, search: str = "") -> list[Win]:
    """Every win the client has named, newest first; *search* matches words in them."""
    get_client(session, me, client_id)
    words = clean_line(search).casefold().split()
    wins = [
        Win(r.id or 0, r.session_date, r.win_kind, r.win_text)
        for r in _finished(session, client_id)
        if r.win_text and all(w in r.win_text.casefold() for w in words)
    ]
    audit.record(session, me, "view", "wins", client_id, client_id=client_id)
    return wins


def open_alerts(
    session: Session, me: Actor, client_id: int, measures: list[MeasureRow] | None = None
) -> list[Measure]:
    """PHQ-9 answers with item 9 above 0 that no clinician has acknowledged yet.
    *measures*: the client's `measure_rows`, if read already (which name them)."""
    get_client(session, me, client_id)
    if measures is not None:
        ids = [m.alert_id for m in measures if m.alert_id is not None]
        if not ids:
            return []
        query = select(Measure).where(col(Measure.id).in_(ids), Measure.client_id == client_id)
        return list(session.exec(query.order_by(col(Measure.taken_at), col(Measure.id))))
    return [
        m
        for m in session.exec(
            select(Measure)
            .where(
                Measure.client_id == client_id,
                Measure.instrument == "phq9",
                col(Measure.acknowledged_at).is_(None),
            )
            .order_by(col(Measure.taken_at))
        )
        if len(m.items) == 9 and m.items[8] > 0
    ]


def acknowledge_alert(session: Session, me: Actor, measure_id: int) -> Measure:
    """Record that the clinician has seen a risk alert (and, by policy, acted on it)."""
    measure = session.get(Measure, measure_id)
    if measure is None:
        raise NotFound(f"no measure with id {measure_id}")
    get_client(session, me, measure.client_id)
    if measure.acknowledged_at is not None:
        raise InvalidInput.one("alert", "was already acknowledged")
    measure.acknowledged_at = utcnow()
    measure.acknowledged_by = me.username
    session.add(measure)
    audit.record(
        session,
        me,
        "acknowledge",
        "alert",
        measure_id,
        client_id=measure.client_id,
        detail="PHQ-9 item 9",
    )
    session.flush()
    return measure
